import Foundation
import GRDBSQLite
import PerfgateCore
import PerfgateEngine

/// The SQL functions a query may call: SQLite's core scalar, aggregate, window, date, math and JSON
/// functions. Not: `load_extension`, `fts3_tokenizer` (hands out pointers), `randomblob`/`zeroblob`
/// (memory), or anything an extension registers.
let queryFunctionAllowList: Set<String> = [
    // core scalar
    "abs", "char", "coalesce", "concat", "concat_ws", "format", "glob", "hex", "ifnull", "iif", "instr",
    "length", "like", "likelihood", "likely", "lower", "ltrim", "max", "min", "nullif", "octet_length",
    "printf", "quote", "replace", "round", "rtrim", "sign", "soundex", "substr", "substring", "trim",
    "typeof", "unhex", "unicode", "unlikely", "upper", "sqlite_version", "if",
    // aggregate
    "avg", "count", "group_concat", "string_agg", "sum", "total",
    // window
    "row_number", "rank", "dense_rank", "percent_rank", "cume_dist", "ntile", "lag", "lead",
    "first_value", "last_value", "nth_value",
    // date and time
    "date", "time", "datetime", "julianday", "unixepoch", "strftime", "timediff",
    // math
    "acos", "acosh", "asin", "asinh", "atan", "atan2", "atanh", "ceil", "ceiling", "cos", "cosh", "degrees",
    "exp", "floor", "ln", "log", "log10", "log2", "mod", "pi", "pow", "power", "radians", "sin", "sinh",
    "sqrt", "tan", "tanh", "trunc",
    // JSON (pure functions of their arguments)
    "json", "json_array", "json_array_length", "json_extract", "json_insert", "json_object", "json_patch",
    "json_quote", "json_remove", "json_replace", "json_set", "json_type", "json_valid", "json_group_array",
    "json_group_object", "json_each", "json_tree", "json_pretty", "json_error_position",
]

/// The pragmas a query may read (column lists of the views).
let queryPragmaAllowList: Set<String> = ["table_info", "table_xinfo"]

/// State shared with the C callbacks of one query connection.
private final class QueryGuard {
    let deadline: UInt64
    var timedOut = false
    var refusal: String?

    init(timeout: TimeInterval) {
        deadline = DispatchTime.now().uptimeNanoseconds &+ UInt64(max(0, timeout) * 1e9)
    }

    /// SQLite's authorizer: reading, selecting, recursion and the allow-listed functions and pragmas.
    func authorize(_ action: Int32, _ a: String?, _ b: String?) -> Int32 {
        switch action {
        case SQLITE_SELECT, SQLITE_READ, SQLITE_RECURSIVE:
            return SQLITE_OK
        case SQLITE_FUNCTION:
            let name = (b ?? "").lowercased()
            if queryFunctionAllowList.contains(name) { return SQLITE_OK }
            refusal = "the function \(b ?? "?")() is not allowed in perfgate query"
        case SQLITE_PRAGMA:
            let name = (a ?? "").lowercased()
            if queryPragmaAllowList.contains(name) { return SQLITE_OK }
            refusal = "PRAGMA \(a ?? "?") is not allowed in perfgate query"
        case SQLITE_ATTACH, SQLITE_DETACH:
            refusal = "ATTACH and DETACH are not allowed in perfgate query"
        default:
            refusal = "the statement would modify the store"
        }
        return SQLITE_DENY
    }
}

extension PerfgateStore: ReadOnlyQuerying {
    /// Runs one read-only statement on a connection of its own and hands its rows out one at a time:
    /// `columns` once, then `row` per row, so nothing but the current row is held in memory.
    ///
    /// The connection is opened read-only; an authorizer admits only reads and allow-listed functions
    /// and pragmas (no `ATTACH`, no extension functions); `ATTACH` is also limited to zero databases;
    /// the statement is stopped after `limits.timeout` seconds.
    public func query(
        _ sql: String, limits: QueryLimits = QueryLimits(), columns: ([String]) throws -> Void,
        row: ([QueryValue]) throws -> Void
    ) throws {
        guard path != ":memory:" else { throw StoreError.queryFailed("an in-memory store cannot be queried") }
        var db: OpaquePointer?
        guard sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, nil) == SQLITE_OK, let db else {
            let reason = db.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            sqlite3_close(db)
            throw StoreError.cannotOpen(path: path, reason: reason)
        }
        defer { sqlite3_close_v2(db) }
        sqlite3_busy_timeout(db, Int32(Self.busyTimeout * 1000))
        sqlite3_limit(db, SQLITE_LIMIT_ATTACHED, 0)
        sqlite3_limit(db, SQLITE_LIMIT_LENGTH, limits.maxValueBytes)

        let guardBox = QueryGuard(timeout: limits.timeout)
        let context = Unmanaged.passUnretained(guardBox).toOpaque()
        sqlite3_set_authorizer(
            db,
            { context, action, a, b, _, _ in
                let box = Unmanaged<QueryGuard>.fromOpaque(context!).takeUnretainedValue()
                return box.authorize(action, a.map { String(cString: $0) }, b.map { String(cString: $0) })
            }, context)
        sqlite3_progress_handler(
            db, 4_000,
            { context in
                let box = Unmanaged<QueryGuard>.fromOpaque(context!).takeUnretainedValue()
                if DispatchTime.now().uptimeNanoseconds > box.deadline {
                    box.timedOut = true
                    return 1
                }
                return 0
            }, context)

        func failure(_ code: Int32) -> StoreError {
            if guardBox.timedOut { return .queryTimedOut(seconds: limits.timeout) }
            if let refusal = guardBox.refusal, code == SQLITE_AUTH || code == SQLITE_ERROR {
                return .queryRefused(refusal)
            }
            let message = String(cString: sqlite3_errmsg(db))
            if code == SQLITE_READONLY { return .queryRefused("the statement would modify the store") }
            if message.contains("too many attached databases") {
                return .queryRefused("ATTACH and DETACH are not allowed in perfgate query")
            }
            return .queryFailed(message)
        }

        var statement: OpaquePointer?
        var tail: UnsafePointer<CChar>?
        let prepared = sql.withCString { sqlite3_prepare_v2(db, $0, -1, &statement, &tail) }
        guard prepared == SQLITE_OK else { throw failure(prepared) }
        guard let statement else { throw StoreError.queryFailed("the query is empty") }
        defer { sqlite3_finalize(statement) }
        if let tail, !String(cString: tail).allSatisfy({ $0.isWhitespace || $0 == ";" }) {
            throw StoreError.queryRefused("one statement at a time")
        }
        guard sqlite3_stmt_readonly(statement) != 0 else {
            throw StoreError.queryRefused("the statement would modify the store")
        }

        let count = sqlite3_column_count(statement)
        try columns((0..<count).map { String(cString: sqlite3_column_name(statement, $0)) })
        while true {
            let step = sqlite3_step(statement)
            if step == SQLITE_DONE { break }
            guard step == SQLITE_ROW else { throw failure(step) }
            try row(
                (0..<count).map { i in
                    switch sqlite3_column_type(statement, i) {
                    case SQLITE_INTEGER: return .integer(sqlite3_column_int64(statement, i))
                    case SQLITE_FLOAT: return .real(sqlite3_column_double(statement, i))
                    case SQLITE_TEXT:
                        let n = Int(sqlite3_column_bytes(statement, i))
                        guard n > 0, let text = sqlite3_column_text(statement, i) else { return .text("") }
                        return .text(String(decoding: UnsafeBufferPointer(start: text, count: n), as: UTF8.self))
                    case SQLITE_BLOB:
                        let n = Int(sqlite3_column_bytes(statement, i))
                        guard n > 0, let bytes = sqlite3_column_blob(statement, i) else { return .blob(Data()) }
                        return .blob(Data(bytes: bytes, count: n))
                    default: return .null
                    }
                })
        }
    }

    /// Every row of a read-only statement (see the streaming `query`): for small results and tests.
    public func query(_ sql: String, limits: QueryLimits = QueryLimits()) throws -> QueryResult {
        var result = QueryResult(columns: [], rows: [])
        try query(sql, limits: limits, columns: { result.columns = $0 }, row: { result.rows.append($0) })
        return result
    }
}
