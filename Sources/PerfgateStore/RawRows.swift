import GRDB
import GRDBSQLite
import PerfgateCore

/// The current row of a statement stepped by ``GRDB/Statement/forEachRawRow(arguments:_:)``: columns
/// read straight from SQLite, without GRDB's `Row`. Valid only inside the row's closure.
struct RawRow {
    let handle: SQLiteStatement

    func int64(_ column: Int32) -> Int64 { sqlite3_column_int64(handle, column) }
    func double(_ column: Int32) -> Double { sqlite3_column_double(handle, column) }
    func isNull(_ column: Int32) -> Bool { sqlite3_column_type(handle, column) == SQLITE_NULL }

    /// The column's text bytes (empty for NULL), valid until the next step.
    func withText<T>(_ column: Int32, _ body: (UnsafeBufferPointer<UInt8>) throws -> T) rethrows -> T {
        let count = Int(sqlite3_column_bytes(handle, column))
        guard count > 0, let text = sqlite3_column_text(handle, column) else { return try body(UnsafeBufferPointer(start: nil, count: 0)) }
        return try body(UnsafeBufferPointer(start: text, count: count))
    }

    func text(_ column: Int32) -> String { withText(column) { String(decoding: $0, as: UTF8.self) } }
}

extension Statement {
    /// Steps the statement with SQLite's C API, handing each row to `body`. For the hot reads (`check`'s
    /// baseline and history runs, `detect`'s points), where decoding through GRDB's `Row` took most of the
    /// read's time. Errors are GRDB's `DatabaseError`, as for any other statement.
    func forEachRawRow(arguments: StatementArguments = StatementArguments(), _ body: (RawRow) throws -> Void) throws {
        try setArguments(arguments)
        let handle = sqliteStatement
        defer { sqlite3_reset(handle) }
        let row = RawRow(handle: handle)
        while true {
            let code = sqlite3_step(handle)
            if code == SQLITE_DONE { return }
            guard code == SQLITE_ROW else {
                let message = sqlite3_db_handle(handle).map { String(cString: sqlite3_errmsg($0)) }
                throw DatabaseError(resultCode: ResultCode(rawValue: code), message: message, sql: sql, arguments: arguments)
            }
            try body(row)
        }
    }
}

/// Statistic names read as bytes, each turned into a ``Statistic`` once per read: a store spells a few
/// statistics thousands of times.
struct StatisticNames {
    private var known: [(bytes: [UInt8], statistic: Statistic)] = []

    mutating func statistic(_ bytes: UnsafeBufferPointer<UInt8>) -> Statistic {
        for entry in known where entry.bytes.count == bytes.count && entry.bytes.elementsEqual(bytes) { return entry.statistic }
        let statistic = Statistic(rawValue: String(decoding: bytes, as: UTF8.self))
        known.append((Array(bytes), statistic))
        return statistic
    }
}
