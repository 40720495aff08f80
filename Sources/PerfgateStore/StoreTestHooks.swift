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
