import Foundation
import NIOCore
import PerfgateCore
import PerfgateEngine
import PostgresNIO

/// `perfgate query` on PostgreSQL (docs/postgres.md, "perfgate query"): the statement runs alone in a
/// `READ ONLY` transaction with `SET LOCAL statement_timeout`, which is always rolled back; the rows
/// are streamed as the server sends them and mapped onto the values the SQLite store gives, so that the
/// CLI renders both stores' rows with one renderer and the same query prints the same text on both.
extension PostgresStore: ReadOnlyQuerying {
    /// The statements a query may start with; anything else (INSERT, CREATE, COMMIT, SET, LOCK, DO, COPY,
    /// CALL, …) is refused before it is sent. The read-only transaction is the guard behind this list
    /// (a data-modifying `WITH`, or a function that writes, fails in it).
    static let queryKeywords: Set<String> = ["select", "with", "values", "table", "explain", "show"]

    public func query(
        _ sql: String, limits: QueryLimits, columns: ([String]) throws -> Void, row: ([QueryValue]) throws -> Void
    ) async throws {
        let statement = Self.singleStatement(sql)
        guard let keyword = Self.firstKeyword(statement) else { throw StoreError.queryFailed("the query is empty") }
        guard Self.queryKeywords.contains(keyword) else {
            throw StoreError.queryRefused("the statement would modify the store")
        }
        let milliseconds = max(1, Int64((limits.timeout * 1000).rounded(.up)))
        do {
            try await send("BEGIN TRANSACTION READ ONLY")
            try await send(PostgresQuery(unsafeSQL: "SET LOCAL statement_timeout = \(milliseconds)"))
            var named = false
            let rows = try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
            for try await r in rows {
                if !named {
                    try columns(r.map(\.columnName))
                    named = true
                }
                try row(try r.map(Self.value))
            }
            if !named {
                // No row carries the column names: ask for the columns of the statement as a subquery
                // left-joined to one row (a statement that cannot be a subquery, like SHOW, has none).
                try columns(try await emptyResultColumns(statement))
            }
            try await send("ROLLBACK")
        } catch {
            _ = try? await send("ROLLBACK")
            throw queryError(error, limits: limits)
        }
    }

    private func send(_ query: PostgresQuery) async throws {
        for try await _ in try await connection.query(query, logger: logger) {}
    }

    private func emptyResultColumns(_ statement: String) async throws -> [String] {
        guard ["select", "with", "values", "table"].contains(Self.firstKeyword(statement) ?? "") else { return [] }
        try await send("SAVEPOINT perfgate_columns")
        do {
            let probe = PostgresQuery(unsafeSQL: "SELECT q.* FROM (SELECT 1) AS perfgate_one LEFT JOIN (\n\(statement)\n) AS q ON true")
            var names: [String] = []
            for try await r in try await connection.query(probe, logger: logger) where names.isEmpty {
                names = r.map(\.columnName)
            }
            try await send("RELEASE SAVEPOINT perfgate_columns")
            return names
        } catch let e as PSQLError where e.serverInfo?[.sqlState] != "57014" {
            try await send("ROLLBACK TO SAVEPOINT perfgate_columns")
            return []
        }
    }

    /// The statement without trailing semicolons and space (the server takes one statement at a time and
    /// says so for more).
    static func singleStatement(_ sql: String) -> String {
        var s = Substring(sql)
        while let last = s.last, last.isWhitespace || last == ";" { s = s.dropLast() }
        return String(s)
    }

    /// The statement's first word, lower-cased, after space, comments and opening parentheses.
    static func firstKeyword(_ sql: String) -> String? {
        var s = Substring(sql)
        while true {
            s = s.drop { $0.isWhitespace || $0 == "(" }
            if s.hasPrefix("--") {
                s = s.drop { $0 != "\n" }
            } else if s.hasPrefix("/*") {
                guard let end = s.range(of: "*/") else { return nil }
                s = s[end.upperBound...]
            } else {
                break
            }
        }
        let word = s.prefix { $0.isLetter }
        return word.isEmpty ? nil : word.lowercased()
    }

    /// A PostgreSQL value as the SQLite store gives it: integers and booleans (0/1) as integers, floating
    /// and numeric values as reals, times as UTC text `YYYY-MM-DD HH:MM:SS.SSS`, bytea as a blob, text as
    /// text. Another type is an error that says how to show it.
    static func value(_ cell: PostgresCell) throws -> QueryValue {
        guard cell.bytes != nil else { return .null }
        switch cell.dataType {
        case .int2, .int4, .int8: return .integer(try cell.decode(Int64.self))
        case .float4, .float8: return .real(try cell.decode(Double.self))
        case .numeric:
            let decimal = try cell.decode(Decimal.self)
            return .real(NSDecimalNumber(decimal: decimal).doubleValue)
        case .bool: return .integer(try cell.decode(Bool.self) ? 1 : 0)
        case .timestamptz, .timestamp: return .text(Self.sqliteText(read(try cell.decode(Date.self))))
        case .bytea: return .blob(Data(try cell.decode(ByteBuffer.self).readableBytesView))
        case .uuid: return .text(try cell.decode(String.self).lowercased())
        case .text, .varchar, .name, .bpchar, .json, .jsonb, .char: return .text(try cell.decode(String.self))
        default:
            throw StoreError.queryFailed(
                "column \(cell.columnName) has the type \(cell.dataType), which perfgate query does not show; cast it (\(cell.columnName)::text)")
        }
    }

    /// A time as the SQLite store writes it (GRDB's format): UTC, to the millisecond.
    static func sqliteText(_ date: Date) -> String {
        let c = utcFields(Int64((date.timeIntervalSince1970 * 1000).rounded()))
        return String(
            format: "%04d-%02d-%02d %02d:%02d:%02d.%03d", c.year ?? 0, c.month ?? 0, c.day ?? 0, c.hour ?? 0, c.minute ?? 0, c.second ?? 0,
            (c.nanosecond ?? 0) / 1_000_000)
    }

    /// A server error as the SQLite store reports the same refusal; a lost connection is a store error.
    func queryError(_ error: any Error, limits: QueryLimits) -> any Error {
        if error is StoreError { return error }
        guard let e = error as? PSQLError else { return StoreError.queryFailed("\(error)") }
        let message = e.serverInfo?[.message] ?? ""
        switch e.serverInfo?[.sqlState] {
        case "25006": return StoreError.queryRefused("the statement would modify the store")
        case "57014": return StoreError.queryTimedOut(seconds: limits.timeout)
        case "42601" where message.contains("multiple commands"): return StoreError.queryRefused("one statement at a time")
        default:
            if e.serverInfo == nil { return StoreError.cannotOpen(path: postgres.redacted, reason: Self.describe(e)) }
            return StoreError.queryFailed(Self.describe(e))
        }
    }
}
