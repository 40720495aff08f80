import Foundation

/// The result of a read-only SQL query: column names and rows of display values.
public struct QueryResult: Sendable, Hashable {
    public var columns: [String]
    public var rows: [[QueryValue]]

    public init(columns: [String], rows: [[QueryValue]]) {
        self.columns = columns
        self.rows = rows
    }
}

/// A value of a query's row, typed for CSV/JSON output: SQLite's storage classes, onto which the
/// PostgreSQL store maps its types (docs/postgres.md).
public enum QueryValue: Sendable, Hashable, Codable {
    case null, integer(Int64), real(Double), text(String), blob(Data)

    public var text: String {
        switch self {
        case .null: return ""
        case .integer(let i): return String(i)
        case .real(let d): return String(d)
        case .text(let s): return s
        case .blob(let d): return d.base64EncodedString()
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .null: try c.encodeNil()
        case .integer(let i): try c.encode(i)
        case .real(let d): try c.encode(d)
        case .text(let s): try c.encode(s)
        case .blob(let d): try c.encode(d.base64EncodedString())
        }
    }
}

/// What one `perfgate query` statement may use: its time and the size of one value.
public struct QueryLimits: Sendable, Hashable {
    /// The statement is stopped once it has run this long (SQLite: a progress handler; PostgreSQL:
    /// `statement_timeout`).
    public var timeout: TimeInterval
    /// The largest string or blob the statement may build (SQLite's `SQLITE_LIMIT_LENGTH`; a PostgreSQL
    /// server has its own limit of 1 GB per value).
    public var maxValueBytes: Int32

    public static let defaultTimeout: TimeInterval = 10

    public init(timeout: TimeInterval = QueryLimits.defaultTimeout, maxValueBytes: Int32 = 16 << 20) {
        self.timeout = timeout
        self.maxValueBytes = maxValueBytes
    }
}

/// A store that runs `perfgate query`: one read-only statement, its rows handed out one at a time
/// (`columns` once, then `row` per row) so that nothing but the current row is held in memory. The
/// CLI renders the rows the same way whichever store produced them.
///
/// A statement that would write is refused (``StoreError/queryRefused(_:)``), one that runs past
/// `limits.timeout` is stopped (``StoreError/queryTimedOut(seconds:)``), anything else the store
/// rejects is ``StoreError/queryFailed(_:)``: all exit 64.
public protocol ReadOnlyQuerying: Sendable {
    func query(
        _ sql: String, limits: QueryLimits, columns: ([String]) throws -> Void, row: ([QueryValue]) throws -> Void
    ) async throws
}
