import Foundation
import GRDB
import PerfgateCore
import PerfgateEngine

/// The SQLite history. The only type in perfgate that touches SQLite.
///
/// Files are opened as a WAL-mode `DatabasePool` with a busy timeout, so concurrent CI jobs can write
/// the same store; every run is inserted in one transaction (all or nothing).
public struct PerfgateStore: Sendable {
    let writer: any DatabaseWriter
    public let path: String

    /// How long a writer waits for another process's lock before giving up.
    public static let busyTimeout: TimeInterval = 30

    init(_ writer: any DatabaseWriter, path: String) throws {
        self.writer = writer
        self.path = path
        let applied = try writer.read { db in try Migrations.migrator.appliedIdentifiers(db) }
        let unknown = applied.subtracting(Migrations.identifiers)
        if !unknown.isEmpty { throw StoreError.newerSchema(path: path, unknown: unknown.sorted(), newest: Migrations.newest) }
        try Migrations.migrator.migrate(writer)
    }

    static func configuration(readOnly: Bool) -> Configuration {
        var c = Configuration()
        c.busyMode = .timeout(busyTimeout)
        c.foreignKeysEnabled = true
        c.readonly = readOnly
        c.label = "perfgate"
        return c
    }

    /// Opens (creating when needed) the store at `path`; its directory is created too.
    ///
    /// The file is inspected on a read-only connection first: a file that is not a perfgate store,
    /// or a store from a newer perfgate, is refused before anything is written. Creating or migrating
    /// a store happens under an exclusive lock (`<path>.lock`): concurrent first uses wait for the one
    /// that creates it (up to `StoreSetupLock.timeout`), then open the finished store.
    public static func open(path: String) throws -> PerfgateStore {
        switch try refuseForeign(path: path) {
        case .current:
            return try openPool(path: path)
        default:
            do {
                try FileManager.default.createDirectory(
                    at: URL(fileURLWithPath: path).deletingLastPathComponent(), withIntermediateDirectories: true)
            } catch {
                throw StoreError.cannotOpen(path: path, reason: error.localizedDescription)
            }
            let lock = try StoreSetupLock(storePath: path)
            defer { lock.release() }
            _ = try refuseForeign(path: path)  // again: another process may have changed it meanwhile
            return try openPool(path: path)
        }
    }

    /// The file's kind; throws for a file perfgate must not touch.
    private static func refuseForeign(path: String) throws -> StoreFileKind {
        let kind = StoreFileKind.inspect(path: path, known: Migrations.identifierList)
        switch kind {
        case .newer(let unknown):
            throw StoreError.newerSchema(path: path, unknown: unknown, newest: Migrations.newest)
        case .foreign(let tables):
            let shown = tables.prefix(5).joined(separator: ", ") + (tables.count > 5 ? ", …" : "")
            throw StoreError.notAStore(
                path: path, what: "a SQLite database with \(tables.count == 1 ? "table" : "tables") \(shown)")
        case .notSQLite(let reason):
            throw StoreError.notAStore(path: path, what: "not a SQLite database (\(reason))")
        case .empty, .current, .older, .needsRecovery:
            return kind
        }
    }

    private static func openPool(path: String) throws -> PerfgateStore {
        do {
            let pool = try DatabasePool(path: path, configuration: configuration(readOnly: false))
            return try PerfgateStore(pool, path: path)
        } catch let e as StoreError {
            throw e
        } catch let e as DatabaseError {
            throw StoreError.cannotOpen(path: path, reason: e.message ?? "\(e.resultCode)")
        } catch {
            throw StoreError.cannotOpen(path: path, reason: error.localizedDescription)
        }
    }

    /// Opens an existing store for reading only; a missing file is an error, never created. With
    /// `concurrentReads`, several threads can read at once (a read-only WAL pool; a single connection
    /// when the file is not in WAL mode).
    public static func openReadOnly(path: String, concurrentReads: Bool = false) throws -> PerfgateStore {
        let store = try openReadOnlyQueue(path: path)
        guard concurrentReads, store.writer is DatabaseQueue,
            let mode = try? store.writer.read({ db in try String.fetchOne(db, sql: "PRAGMA journal_mode") }),
            mode.lowercased() == "wal",
            let pool = try? DatabasePool(path: path, configuration: configuration(readOnly: true))
        else { return store }
        return PerfgateStore(unmigrated: pool, path: path)
    }

    private static func openReadOnlyQueue(path: String) throws -> PerfgateStore {
        guard FileManager.default.fileExists(atPath: path) else {
            throw StoreError.cannotOpen(path: path, reason: "no store here yet (run `perfgate ingest FILE…` first, or pass --store PATH)")
        }
        switch try refuseForeign(path: path) {
        case .current: break
        case .empty, .older, .needsRecovery, .newer, .foreign, .notSQLite:
            // A store to create or upgrade, or a hot journal a killed writer left: a writer (under the
            // setup lock) migrates or recovers it first; then it is read as usual.
            _ = try open(path: path)
        }
        do {
            let queue = try DatabaseQueue(path: path, configuration: configuration(readOnly: true))
            return PerfgateStore(unmigrated: queue, path: path)
        } catch let e as StoreError {
            throw e
        } catch let e as DatabaseError {
            throw StoreError.cannotOpen(path: path, reason: e.message ?? "\(e.resultCode)")
        }
    }

    private init(unmigrated writer: any DatabaseWriter, path: String) {
        self.writer = writer
        self.path = path
    }

    /// Opens a store without migrating it (tests of the migration chain only).
    package static func openUnmigratedForTesting(path: String) throws -> PerfgateStore {
        PerfgateStore(unmigrated: try DatabaseQueue(path: path, configuration: configuration(readOnly: false)), path: path)
    }

    /// An empty in-memory store, for tests.
    public static func inMemory() throws -> PerfgateStore {
        try PerfgateStore(DatabaseQueue(configuration: configuration(readOnly: false)), path: ":memory:")
    }

    /// Wraps GRDB errors into store errors naming the file.
    func wrap<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let e as any DiagnosableError {
            throw e
        } catch let e as DatabaseError {
            throw StoreError.writeFailed(path: path, reason: e.message ?? "\(e.resultCode)")
        }
    }

    /// The schema as SQL, sorted by object name (for the schema golden test and `store info`).
    public func schemaSQL() throws -> String {
        try writer.read { db in
            let rows = try String.fetchAll(
                db,
                sql: """
                    SELECT sql FROM sqlite_master
                    WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'grdb_%'
                    ORDER BY type, name
                    """)
            return rows.joined(separator: ";\n\n") + ";\n"
        }
    }

    /// Applied migration identifiers, oldest first.
    public func appliedMigrations() throws -> [String] {
        try writer.read { db in try Migrations.migrator.appliedIdentifiers(db).sorted() }
    }
}

extension PerfgateStore: StoreInventory {}
