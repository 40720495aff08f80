import Foundation
import GRDB

/// Test-only hooks that need raw SQLite access (kept here because only this target imports GRDB).
package enum StoreTestHooks {
    /// Marks an unknown migration as applied, as a newer perfgate would have.
    package static func recordUnknownMigration(at path: String, identifier: String) throws {
        let q = try DatabaseQueue(path: path)
        try q.write { db in
            try db.execute(sql: "INSERT INTO grdb_migrations(identifier) VALUES (?)", arguments: [identifier])
        }
    }

    /// Creates a store at `path` migrated only up to `identifier`, as an older perfgate left it.
    package static func createStore(at path: String, upTo identifier: String) throws {
        let q = try DatabaseQueue(path: path)
        try Migrations.migrator.migrate(q, upTo: identifier)
    }
}

extension StoreTestHooks {
    /// Someone else's SQLite database at `path` (rollback journal, one table `notes` with a row).
    package static func createForeignDatabase(at path: String) throws {
        let q = try DatabaseQueue(path: path)
        try q.write { db in
            try db.execute(sql: "CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT); INSERT INTO notes(text) VALUES ('mine')")
        }
    }
}

extension StoreTestHooks {
    /// What a writer killed in the middle of a transaction leaves: a copy of the store at `path` (moved
    /// to a rollback journal) taken while a transaction had changed it, written to `copy` with its hot
    /// `-journal`. Every run's branch reads `CHANGED` in the half-written transaction.
    package static func copyWithHotJournal(of path: String, to copy: String) throws {
        let q = try DatabaseQueue(path: path)
        try q.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA journal_mode = DELETE")
            try db.execute(sql: "PRAGMA cache_size = 1")  // spill changed pages into the file before commit
            try db.execute(sql: "BEGIN IMMEDIATE")
            try db.execute(sql: "UPDATE run SET branch = 'CHANGED'")
            try db.execute(sql: "DELETE FROM measurement")
            let fm = FileManager.default
            try fm.copyItem(atPath: path, toPath: copy)
            try fm.copyItem(atPath: path + "-journal", toPath: copy + "-journal")
            try db.execute(sql: "ROLLBACK")
        }
    }
}

extension StoreTestHooks {
    /// Rewrites the unit and direction of every series in the store at `path`, as another program
    /// editing the file might.
    package static func overwriteSeries(at path: String, unit: String, direction: String) throws {
        let q = try DatabaseQueue(path: path)
        try q.writeWithoutTransaction { db in
            // The schema's CHECK allows only 'lower' and 'higher': drop it for this write as a foreign tool would.
            try db.execute(sql: "PRAGMA ignore_check_constraints = ON")
            try db.execute(sql: "UPDATE series SET unit = ?, direction = ?", arguments: [unit, direction])
        }
    }
}
