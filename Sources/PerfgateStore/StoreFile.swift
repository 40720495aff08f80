import Foundation
import GRDBSQLite
import PerfgateCore
import PerfgateEngine

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// What a file at the store path is, found on a read-only connection before anything is written.
enum StoreFileKind: Equatable {
    /// No file, an empty file, or a SQLite database without tables: perfgate may create its store.
    case empty
    /// A perfgate store whose migrations this perfgate has all applied.
    case current
    /// A perfgate store that needs migrations this perfgate has.
    case older
    /// A perfgate store with migrations this perfgate does not know.
    case newer(unknown: [String])
    /// A SQLite database that is not a perfgate store (its tables, sorted).
    case foreign(tables: [String])
    /// Not a SQLite database at all.
    case notSQLite(reason: String)
    /// Could not be read without writing (a hot journal left by a killed writer): a writer recovers it.
    case needsRecovery

    /// Inspects `path` without modifying it (a read-only connection; no journal-mode change).
    static func inspect(path: String, known: [String]) -> StoreFileKind {
        let attributes = try? FileManager.default.attributesOfItem(atPath: path)
        guard let size = attributes?[.size] as? NSNumber else { return .empty }
        if size.intValue == 0 { return .empty }
        var db: OpaquePointer?
        defer { sqlite3_close_v2(db) }
        guard sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, nil) == SQLITE_OK, let db else {
            return .notSQLite(reason: db.map { String(cString: sqlite3_errmsg($0)) } ?? "cannot be opened")
        }
        let tables: [String]
        switch strings(db, "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name") {
        case .success(let names): tables = names
        case .failure(let code, let message):
            if code == SQLITE_NOTADB { return .notSQLite(reason: message) }
            if busy(code) { return .needsRecovery }
            return .notSQLite(reason: message)
        }
        if tables.isEmpty { return .empty }
        guard tables.contains("grdb_migrations") else { return .foreign(tables: tables) }
        let applied: [String]
        switch strings(db, "SELECT identifier FROM grdb_migrations") {
        case .success(let identifiers): applied = identifiers
        // Another process migrating the store holds it between the two reads: the caller takes the
        // setup lock (waiting for that process) and inspects again.
        case .failure(let code, _) where busy(code): return .needsRecovery
        case .failure: return .foreign(tables: tables)
        }
        // GRDB commits its empty migrations table before the first migration: a store being created.
        if applied.isEmpty && tables == ["grdb_migrations"] { return .empty }
        guard let first = known.first, applied.contains(first) else { return .foreign(tables: tables) }
        let unknown = applied.filter { !known.contains($0) }.sorted()
        if !unknown.isEmpty { return .newer(unknown: unknown) }
        return Set(known).isSubset(of: Set(applied)) ? .current : .older
    }

    /// A read refused for now (a writer holds the file, or a hot journal needs a writer), not for what the file is.
    private static func busy(_ code: Int32) -> Bool {
        code == SQLITE_READONLY || code == SQLITE_BUSY || code == SQLITE_LOCKED || code == SQLITE_CANTOPEN
    }

    private enum Fetch {
        case success([String])
        case failure(Int32, String)
    }

    private static func strings(_ db: OpaquePointer, _ sql: String) -> Fetch {
        var statement: OpaquePointer?
        defer { sqlite3_finalize(statement) }
        var code = sqlite3_prepare_v2(db, sql, -1, &statement, nil)
        guard code == SQLITE_OK, let statement else { return .failure(code, String(cString: sqlite3_errmsg(db))) }
        var out: [String] = []
        while true {
            code = sqlite3_step(statement)
            if code == SQLITE_DONE { return .success(out) }
            guard code == SQLITE_ROW else { return .failure(code, String(cString: sqlite3_errmsg(db))) }
            out.append(sqlite3_column_text(statement, 0).map { String(cString: $0) } ?? "")
        }
    }
}

/// An exclusive lock on `<store>.lock`, held while one process creates or migrates the store; the
/// others wait for it (polling, bounded by `timeout`) and then find the store ready. A separate file:
/// closing a descriptor of the database file itself would drop SQLite's own POSIX locks.
struct StoreSetupLock {
    static let timeout: TimeInterval = 60
    private let fd: Int32

    init(storePath: String, timeout: TimeInterval = StoreSetupLock.timeout) throws {
        let lockPath = storePath + ".lock"
        let fd = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw StoreError.cannotOpen(
                path: storePath, reason: "cannot create the lock file \(lockPath): \(String(cString: strerror(errno)))")
        }
        let deadline = Date().addingTimeInterval(timeout)
        while flock(fd, LOCK_EX | LOCK_NB) != 0 {
            guard errno == EWOULDBLOCK || errno == EINTR, Date() < deadline else {
                close(fd)
                throw StoreError.cannotOpen(
                    path: storePath,
                    reason: "another perfgate has been creating or upgrading this store for over \(Int(timeout)) s (\(lockPath))")
            }
            usleep(20_000)
        }
        self.fd = fd
    }

    func release() {
        flock(fd, LOCK_UN)
        close(fd)
    }
}
