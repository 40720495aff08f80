import Foundation
import Logging
import NIOCore
import NIOSSL
import PerfgateCore
import PerfgateEngine
import PostgresNIO

/// The result store in a PostgreSQL database (docs/postgres.md): the engine's ``HistoryStore`` over
/// one connection, for a CLI process. Checked by `HistoryStoreConformance` against a real server.
///
/// Writes are one transaction per `insertAll`; re-ingests of identical content are recognised under
/// concurrency (a unique constraint, and a transaction-scoped advisory lock per commit, scenario and
/// environment so that attempts are numbered 1, 2, 3… with neither gaps nor doubles).
public final class PostgresStore: Sendable {
    public let postgres: PostgresLocation
    let connection: PostgresConnection
    let logger: Logger

    /// Connects and brings the schema up to date (migrations run under an advisory lock, so the first
    /// use of a new database by many runners at once migrates it once). A database migrated by a newer
    /// perfgate is refused before anything is written.
    public init(_ location: PostgresLocation) throws {
        self.postgres = location
        var logger = Logger(label: "perfgate.postgres")
        logger.logLevel = .critical
        self.logger = logger
        let tls: PostgresConnection.Configuration.TLS
        do {
            tls = try Self.tls(location)
        } catch {
            throw StoreError.cannotOpen(path: location.redacted, reason: "TLS: \(error)")
        }
        var configuration = PostgresConnection.Configuration(
            host: location.host, port: location.port, username: location.user, password: location.password,
            database: location.database, tls: tls)
        configuration.options.additionalStartupParameters = [("application_name", location.applicationName)]
        configuration.options.connectTimeout = .seconds(Int64(location.connectTimeout))
        do {
            connection = try PostgresConnection.connect(
                on: PostgresConnection.defaultEventLoopGroup.any(), configuration: configuration, id: 1, logger: logger
            ).wait()
        } catch let e as PSQLError where e.code == .connectionError {
            // NIO's own text names every address it tried; the user needs where and why, in one line.
            let detail = e.underlying.map { "\($0)" } ?? ""
            let why = detail.contains("Connection refused") ? "connection refused" : detail.isEmpty ? "\(e.code)" : detail
            throw StoreError.cannotOpen(
                path: location.redacted, reason: "no PostgreSQL server answers at \(location.host):\(location.port) (\(why))")
        } catch {
            throw StoreError.cannotOpen(path: location.redacted, reason: Self.describe(error))
        }
        do {
            try migrate()
        } catch {
            try? connection.close().wait()
            throw error
        }
    }

    /// Closes the connection; the store is unusable afterwards. Also done when the store is released
    /// (PostgresNIO requires a connection to be closed before it goes away).
    public func close() {
        if !connection.isClosed { try? connection.close().wait() }
    }

    deinit { close() }

    static func tls(_ location: PostgresLocation) throws -> PostgresConnection.Configuration.TLS {
        var config = TLSConfiguration.makeClientConfiguration()
        switch location.sslMode {
        case .disable: return .disable
        case .prefer:
            config.certificateVerification = .none
            return .prefer(try NIOSSLContext(configuration: config))
        case .require:
            config.certificateVerification = .none
            return .require(try NIOSSLContext(configuration: config))
        case .verifyCA:
            config.certificateVerification = .noHostnameVerification
            return .require(try NIOSSLContext(configuration: config))
        case .verifyFull:
            return .require(try NIOSSLContext(configuration: config))
        }
    }

    // MARK: statements

    /// Runs one statement and collects its rows; a server error becomes a `StoreError`.
    @discardableResult
    func execute(_ query: PostgresQuery) throws -> PostgresQueryResult {
        do {
            // A connection the server ends (pg_terminate_backend, a restart) must fail the statement
            // waiting on it: the wait also ends when the connection closes, whichever comes first
            // (a later completion of the promise is ignored by NIO).
            let promise = connection.eventLoop.makePromise(of: PostgresQueryResult.self)
            connection.query(query, logger: logger).cascade(to: promise)
            connection.closeFuture.whenComplete { _ in promise.fail(ConnectionClosed()) }
            return try promise.futureResult.wait()
        } catch let e as StoreError {
            throw e
        } catch {
            throw StoreError.writeFailed(path: postgres.redacted, reason: Self.describe(error))
        }
    }

    struct ConnectionClosed: Error, CustomStringConvertible {
        var description: String { "the connection to the server was closed" }
    }

    static func describe(_ error: any Error) -> String {
        if let e = error as? PSQLError {
            if let message = e.serverInfo?[.message] {
                let code = e.serverInfo?[.sqlState].map { " (SQLSTATE \($0))" } ?? ""
                return message + code
            }
            // A connection the server or NIO closed under a statement: one plain sentence, not
            // PSQLError's redacted "Generic description" (seen when pg_terminate_backend races a write).
            let closed: [PSQLError.Code] = [.clientClosedConnection, .serverClosedConnection, .uncleanShutdown]
            if closed.contains(e.code) || (e.underlying as? PSQLError).map({ closed.contains($0.code) }) == true {
                return ConnectionClosed().description
            }
            if let underlying = e.underlying { return "\(e.code): \(underlying)" }
            return "\(e.code)"
        }
        return "\(error)"
    }

    /// Runs `body` in one transaction: committed when it returns, rolled back when it throws.
    func transaction<T>(_ body: () throws -> T) throws -> T {
        try execute("BEGIN")
        do {
            let value = try body()
            try execute("COMMIT")
            return value
        } catch {
            _ = try? execute("ROLLBACK")
            throw error
        }
    }

    /// The advisory lock key of schema changes ("perfgate" in ASCII).
    static let migrationLock: Int64 = 0x7065_7266_6761_7465

    func migrate() throws {
        // Under the lock from the start: concurrent CREATE SCHEMA IF NOT EXISTS can still collide.
        try execute("SELECT pg_advisory_lock(\(Self.migrationLock))")
        defer { _ = try? execute("SELECT pg_advisory_unlock(\(Self.migrationLock))") }
        if let schema = postgres.schema {
            // Created only when missing: a reader may not have the right to create one.
            let present = try execute("SELECT to_regnamespace(\(schema)) IS NOT NULL").first.map { try $0.decode(Bool.self) } ?? false
            if !present { try execute(PostgresQuery(unsafeSQL: "CREATE SCHEMA IF NOT EXISTS \(schema)")) }
            try execute(PostgresQuery(unsafeSQL: "SET search_path TO \(schema)"))
        }
        let exists = try execute(
            "SELECT to_regclass(\(PostgresSchema.migrationsTable)) IS NOT NULL"
        ).first.map { try $0.decode(Bool.self) } ?? false
        var applied: [String] = []
        if exists {
            applied = try execute(PostgresQuery(unsafeSQL: "SELECT identifier FROM \(PostgresSchema.migrationsTable) ORDER BY appliedAt, identifier"))
                .map { try $0.decode(String.self) }
        }
        let known = Set(PostgresSchema.all.map(\.identifier))
        let unknown = applied.filter { !known.contains($0) }
        if !unknown.isEmpty {
            throw StoreError.newerSchema(path: postgres.redacted, unknown: unknown, newest: PostgresSchema.newest)
        }
        let pending = PostgresSchema.all.filter { !applied.contains($0.identifier) }
        guard !pending.isEmpty else { return }
        try transaction {
            try execute(
                PostgresQuery(
                    unsafeSQL: """
                        CREATE TABLE IF NOT EXISTS \(PostgresSchema.migrationsTable) (
                            identifier TEXT PRIMARY KEY, appliedAt TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp())
                        """))
            for migration in pending {
                for statement in Self.statements(migration.sql) { try execute(PostgresQuery(unsafeSQL: statement)) }
                try execute(
                    PostgresQuery(unsafeSQL: "INSERT INTO \(PostgresSchema.migrationsTable)(identifier) VALUES ('\(migration.identifier)')"))
            }
        }
    }

    /// A migration's statements: the extended query protocol takes one statement at a time.
    static func statements(_ sql: String) -> [String] {
        sql.components(separatedBy: ";\n").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
            .map { $0.hasSuffix(";") ? String($0.dropLast()) : $0 }
            .filter { !$0.isEmpty }
    }

    /// Applied migration identifiers, oldest first.
    public func appliedMigrations() throws -> [String] {
        try execute(PostgresQuery(unsafeSQL: "SELECT identifier FROM \(PostgresSchema.migrationsTable) ORDER BY appliedAt, identifier"))
            .map { try $0.decode(String.self) }
    }

    // MARK: values

    /// Dates are kept to the nearest millisecond, as the SQLite store keeps them (GRDB writes
    /// `round(nanosecond / 1e6)`), so that both backends read back the same values (and an export of
    /// either is the same file). k6 writes nanoseconds: 51.12396721 s is 51.124 on both.
    static func stored(_ date: Date?) -> Date? {
        date.map { Date(timeIntervalSince1970: ($0.timeIntervalSince1970 * 1000).rounded() / 1000) }
    }

    /// A stored date back at the millisecond it was written at (the driver's microseconds carry the
    /// binary rounding of the `Date` it was given).
    static func read(_ date: Date?) -> Date? {
        date.map(read)
    }

    /// The millisecond as the SQLite store reads it back, to the last bit: GRDB turns its stored text
    /// into a `Date` through a UTC Gregorian calendar, whose arithmetic can land one ulp away from
    /// `ms / 1000`, and a sample exactly on a steady-state boundary (k6 buckets and Prometheus samples
    /// both sit on whole seconds) then falls on the same side on both stores.
    static func read(_ date: Date) -> Date {
        let ms = Int64((date.timeIntervalSince1970 * 1000).rounded())
        return utcCalendar.date(from: utcFields(ms)) ?? Date(timeIntervalSince1970: Double(ms) / 1000)
    }

    /// The UTC calendar fields of a millisecond since 1970 (`nanosecond` holds the milliseconds).
    static func utcFields(_ ms: Int64) -> DateComponents {
        var seconds = time_t(ms >= 0 ? ms / 1000 : (ms - 999) / 1000)
        var t = tm()
        gmtime_r(&seconds, &t)
        return DateComponents(
            year: Int(t.tm_year) + 1900, month: Int(t.tm_mon) + 1, day: Int(t.tm_mday), hour: Int(t.tm_hour), minute: Int(t.tm_min),
            second: Int(t.tm_sec), nanosecond: Int(ms - Int64(seconds) * 1000) * 1_000_000)
    }

    /// GRDB's calendar for stored dates (GRDB/Core/Support/Foundation/Date.swift).
    static let utcCalendar: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.locale = Locale(identifier: "en_US_POSIX")
        calendar.timeZone = TimeZone(secondsFromGMT: 0)!
        return calendar
    }()

    func unit(_ raw: String, series: Int64) throws -> MetricUnit {
        try StoredValue.unit(raw, row: .series(series), store: postgres.redacted)
    }

    func direction(_ raw: String, series: Int64) throws -> Direction {
        try StoredValue.direction(raw, row: .series(series), store: postgres.redacted)
    }
}

extension PostgresStore: StoreInventory {
    public func counts() throws -> (commits: Int, runs: Int, series: Int, measurements: Int) {
        guard
            let row = try execute(
                """
                SELECT (SELECT count(*) FROM "commit"), (SELECT count(*) FROM run), (SELECT count(*) FROM series),
                       (SELECT count(*) FROM measurement)
                """
            ).first
        else { return (0, 0, 0, 0) }
        let (commits, runs, series, measurements) = try row.decode((Int64, Int64, Int64, Int64).self)
        return (Int(commits), Int(runs), Int(series), Int(measurements))
    }
}
