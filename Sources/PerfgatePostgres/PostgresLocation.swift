import Foundation
import PerfgateEngine

/// A `postgres://` (or `postgresql://`) connection string, as libpq and psql read it:
/// `postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE?sslmode=MODE` (docs/postgres.md).
///
/// The password may also come from `PGPASSWORD`; it is never shown (``redacted``).
public struct PostgresLocation: Sendable, Hashable {
    public enum SSLMode: String, Sendable, CaseIterable {
        /// No TLS.
        case disable
        /// TLS when the server offers it, without verifying its certificate (libpq's default).
        case prefer
        /// TLS required, certificate not verified.
        case require
        /// TLS required, certificate verified against the system's trust roots, host name not checked.
        case verifyCA = "verify-ca"
        /// TLS required, certificate and host name verified.
        case verifyFull = "verify-full"
    }

    public var host: String
    public var port: Int
    public var user: String
    public var password: String?
    public var database: String
    public var sslMode: SSLMode
    /// A schema other than `public` to keep perfgate's tables in (`?schema=NAME`, created when missing).
    public var schema: String?
    /// The name the server shows for perfgate's connections (`pg_stat_activity.application_name`):
    /// `?application_name=NAME`, else `perfgate`.
    public var applicationName = "perfgate"
    /// Seconds to wait for the server to accept the connection (`?connect_timeout=N`), else 10.
    public var connectTimeout = 10

    /// True when `string` names a PostgreSQL store rather than a SQLite file.
    public static func isPostgres(_ string: String) -> Bool {
        string.hasPrefix("postgres://") || string.hasPrefix("postgresql://")
    }

    /// Parses a connection string; a malformed one is `StoreError.cannotOpen` naming what is wrong.
    public init(_ string: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        func bad(_ reason: String) -> StoreError {
            StoreError.cannotOpen(path: PostgresLocation.redact(string), reason: reason)
        }
        guard Self.isPostgres(string), let components = URLComponents(string: string) else {
            throw bad("expected postgres://USER@HOST:PORT/DATABASE")
        }
        guard let host = components.host, !host.isEmpty else { throw bad("no host in the connection string") }
        self.host = host
        self.port = components.port ?? 5432
        guard let user = components.user, !user.isEmpty else { throw bad("no user in the connection string (postgres://USER@HOST/DB)") }
        self.user = user.removingPercentEncoding ?? user
        self.password = components.password.map { $0.removingPercentEncoding ?? $0 } ?? environment["PGPASSWORD"]
        let path = components.path.hasPrefix("/") ? String(components.path.dropFirst()) : components.path
        self.database = path.isEmpty ? self.user : (path.removingPercentEncoding ?? path)
        var mode = SSLMode.prefer
        var schema: String?
        for item in components.queryItems ?? [] {
            switch item.name {
            case "sslmode":
                guard let value = item.value, let m = SSLMode(rawValue: value) else {
                    throw bad(
                        "sslmode '\(item.value ?? "")' is not one of \(SSLMode.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                mode = m
            case "schema":
                guard let value = item.value, Self.isIdentifier(value) else {
                    throw bad("schema '\(item.value ?? "")' must be letters, digits and _ (starting with a letter or _)")
                }
                schema = value
            case "application_name":
                guard let value = item.value, !value.isEmpty, value.utf8.count <= 63,
                    value.unicodeScalars.allSatisfy({ $0.isASCII && $0.value >= 0x20 && $0.value < 0x7f })
                else { throw bad("application_name must be 1 to 63 printable ASCII characters") }
                applicationName = value
            case "connect_timeout":
                guard let value = item.value, let seconds = Int(value), seconds > 0 else {
                    throw bad("connect_timeout '\(item.value ?? "")' must be a positive number of seconds")
                }
                connectTimeout = seconds
            default:
                throw bad("unknown parameter '\(item.name)' (perfgate reads sslmode, schema, application_name, connect_timeout)")
            }
        }
        self.sslMode = mode
        self.schema = schema
    }

    /// The connection string without its password, for messages and `location`.
    public var redacted: String {
        var s = "postgres://\(user)@\(host):\(port)/\(database)?sslmode=\(sslMode.rawValue)"
        if let schema { s += "&schema=\(schema)" }
        return s
    }

    static func redact(_ string: String) -> String {
        guard var c = URLComponents(string: string) else { return "postgres://…" }
        if c.password != nil { c.password = "***" }
        return c.string ?? "postgres://…"
    }

    static func isIdentifier(_ s: String) -> Bool {
        guard let first = s.unicodeScalars.first, s.utf8.count <= 63 else { return false }
        let letters = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyz_")
        let rest = letters.union(CharacterSet(charactersIn: "0123456789"))
        return letters.contains(first) && s.unicodeScalars.allSatisfy { rest.contains($0) }
    }
}
