import Foundation
import PerfgateCore
import PerfgateEngine
import PerfgateStore
import PerfgateTestSupport
import Testing

/// The bytes of `path` and of its `-wal` (what a reader or a refused open must never change). A WAL
/// reader, like any SQLite reader, may create an empty `-wal`: that counts as no write-ahead log.
private func contents(_ path: String) -> [Data?] {
    [path, path + "-wal"].map { FileManager.default.contents(atPath: $0).flatMap { $0.isEmpty ? nil : $0 } }
}

private func siblings(_ path: String) throws -> [String] {
    let dir = URL(fileURLWithPath: path).deletingLastPathComponent().path
    return try FileManager.default.contentsOfDirectory(atPath: dir).sorted()
}

/// Errors collected from several threads.
private final class ErrorLog: @unchecked Sendable {
    private let lock = NSLock()
    private var errors: [any Error] = []
    func add(_ e: any Error) { lock.withLock { errors.append(e) } }
    var all: [any Error] { lock.withLock { errors } }
}

/// Runs `body(i)` for i in 0..<n, each on a thread of its own (not the cooperative pool, which has
/// one thread per core), and returns the errors they threw.
private func onThreads(_ n: Int, _ body: @escaping @Sendable (Int) throws -> Void) -> [any Error] {
    let group = DispatchGroup()
    let log = ErrorLog()
    for i in 0..<n {
        group.enter()
        Thread {
            do { try body(i) } catch { log.add(error) }
            group.leave()
        }.start()
    }
    group.wait()
    return log.all
}

@Suite("Store hardening")
struct StoreHardeningTests {
    func storeWithOneRun() throws -> (dir: URL, path: String) {
        let dir = makeTemporaryDirectory()
        let path = dir.appendingPathComponent("history.sqlite").path
        _ = try PerfgateStore.open(path: path).insert(sampleRun(), context: context())
        return (dir, path)
    }

    @Test func queryReadsTheViewsAndRefusesEveryWrite() throws {
        let (dir, path) = try storeWithOneRun()
        defer { try? FileManager.default.removeItem(at: dir) }
        let store = try PerfgateStore.openReadOnly(path: path)
        let r = try store.query("SELECT endpoint, p95, error_rate FROM series_stats")
        #expect(r.columns == ["endpoint", "p95", "error_rate"])
        #expect(r.rows.first?[1] == .real(120))
        let before = contents(path)
        for sql in [
            "DELETE FROM run", "DROP TABLE run", "UPDATE run SET branch = 'x'", "INSERT INTO runTag VALUES (1,'a','b')",
            "CREATE TABLE x(a)", "PRAGMA journal_mode = DELETE", "PRAGMA user_version = 7", "VACUUM", "BEGIN",
            "SELECT 1; DELETE FROM run",
        ] {
            #expect(throws: StoreError.self, "\(sql)") { _ = try store.query(sql) }
        }
        #expect(contents(path) == before)
        #expect(try store.counts().runs == 1)
    }

    @Test func queryRefusesAttachAndFunctionsOutsideTheAllowList() throws {
        let (dir, path) = try storeWithOneRun()
        defer { try? FileManager.default.removeItem(at: dir) }
        let store = try PerfgateStore.openReadOnly(path: path)
        let other = dir.appendingPathComponent("other.db").path
        let refusals: [(String, String)] = [
            ("ATTACH DATABASE '\(other)' AS o", "ATTACH"),
            ("SELECT fts3_tokenizer('simple')", "fts3_tokenizer"),
            ("SELECT load_extension('/tmp/x')", "load_extension"),
            ("SELECT length(zeroblob(1000000000))", "zeroblob"),
            ("SELECT hex(randomblob(16))", "randomblob"),
            ("PRAGMA wal_checkpoint(TRUNCATE)", "wal_checkpoint"),
        ]
        for (sql, named) in refusals {
            #expect(performing: { _ = try store.query(sql) }, throws: { error in
                guard let e = error as? StoreError, case .queryRefused(let reason) = e else { return false }
                return reason.contains(named) && e.exitStatus == .usage
            })
        }
        #expect(!FileManager.default.fileExists(atPath: other), "ATTACH created the file it named")
        // What people use is allowed: core, date, math, window and JSON functions; table_info.
        let r = try store.query(
            """
            SELECT upper(endpoint), round(p95 / 1000.0, 3), date('2026-01-02'), row_number() OVER (),
                   json_object('p95', p95), printf('%.1f', error_rate * 100)
            FROM series_stats
            """)
        #expect(r.rows.first?[0] == .text("GET /API/USERS"))
        #expect(r.rows.first?[4] == .text(#"{"p95":120.0}"#))
        let columns = try store.query("PRAGMA table_info(series_stats)").rows.map { $0[1] }
        #expect(columns.contains(.text("p95")))
    }

    @Test func aRunawayQueryStopsAtItsTimeout() throws {
        let (dir, path) = try storeWithOneRun()
        defer { try? FileManager.default.removeItem(at: dir) }
        let store = try PerfgateStore.openReadOnly(path: path)
        let endless = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c"
        #expect(performing: { _ = try store.query(endless, limits: QueryLimits(timeout: 0.3)) }, throws: { error in
            guard let e = error as? StoreError, case .queryTimedOut(let seconds) = e else { return false }
            return seconds == 0.3 && e.diagnostic.message.contains("stopped after 0.3 s") && e.exitStatus == .usage
        })
    }

    @Test func queryHandsOutRowsOneAtATime() throws {
        let (dir, path) = try storeWithOneRun()
        defer { try? FileManager.default.removeItem(at: dir) }
        let store = try PerfgateStore.openReadOnly(path: path)
        struct Enough: Error {}
        var seen: [Int64] = []
        // An endless result is consumed row by row: the caller stops it, nothing is collected first.
        #expect(throws: Enough.self) {
            try store.query(
                "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT x FROM c", columns: { _ in },
                row: { row in
                    guard case .integer(let x) = row[0] else { return }
                    seen.append(x)
                    if seen.count == 1000 { throw Enough() }
                })
        }
        #expect(seen == Array(1...1000))
    }

    @Test func aSQLiteFileThatIsNotAStoreIsNeverModified() throws {
        let dir = makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("app.db").path
        try StoreTestHooks.createForeignDatabase(at: path)
        let before = contents(path)
        let files = try siblings(path)
        for open in [{ _ = try PerfgateStore.open(path: path) }, { _ = try PerfgateStore.openReadOnly(path: path) }] {
            #expect(performing: open, throws: { error in
                guard let e = error as? StoreError, case .notAStore(_, let what) = e else { return false }
                return what.contains("notes") && e.exitStatus == .storeError
            })
        }
        #expect(contents(path) == before)
        #expect(try siblings(path) == files, "files were created beside someone else's database")
    }

    @Test func aFileThatIsNotSQLiteIsRefusedUnchanged() throws {
        let dir = makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("notes.txt").path
        try Data(String(repeating: "not a database\n", count: 400).utf8).write(to: URL(fileURLWithPath: path))
        let before = contents(path)
        #expect(performing: { _ = try PerfgateStore.open(path: path) }, throws: { error in
            guard let e = error as? StoreError, case .notAStore(_, let what) = e else { return false }
            return what.contains("not a SQLite database")
        })
        #expect(contents(path) == before)
    }

    @Test func aNewerStoreIsRefusedBeforeAnythingIsWrittenNamingBothSchemas() throws {
        let (dir, path) = try storeWithOneRun()
        defer { try? FileManager.default.removeItem(at: dir) }
        try StoreTestHooks.recordUnknownMigration(at: path, identifier: "v99-from-the-future")
        let before = contents(path)
        for open in [{ _ = try PerfgateStore.open(path: path) }, { _ = try PerfgateStore.openReadOnly(path: path) }] {
            #expect(performing: open, throws: { error in
                guard let e = error as? StoreError, case .newerSchema(_, let unknown, let newest) = e else { return false }
                return unknown == ["v99-from-the-future"] && newest == "v6-server-samples"
                    && e.diagnostic.message.contains("v99-from-the-future")
            })
        }
        #expect(contents(path) == before)
    }

    @Test func eightConcurrentFirstUsesOfANewStoreLoseNothing() throws {
        let dir = makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("new/history.sqlite").path
        let errors = onThreads(8) { w in
            let store = try PerfgateStore.open(path: path)
            for i in 0..<5 { _ = try store.insert(sampleRun(), context: context(digest: "sha256:\(w)-\(i)")) }
        }
        #expect(errors.isEmpty, "\(errors)")
        #expect(try PerfgateStore.openReadOnly(path: path).counts().runs == 40)
    }

    @Test func eightConcurrentUpgradesOfAnOlderStoreLoseNothing() throws {
        let dir = makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("old.sqlite").path
        try StoreTestHooks.createStore(at: path, upTo: "v1")
        _ = try PerfgateStore.openUnmigratedForTesting(path: path).insert(sampleRun(), context: context())
        let errors = onThreads(8) { w in
            let store = try PerfgateStore.open(path: path)
            for i in 0..<5 { _ = try store.insert(sampleRun(), context: context(digest: "sha256:\(w)-\(i)")) }
        }
        #expect(errors.isEmpty, "\(errors)")
        let store = try PerfgateStore.openReadOnly(path: path)
        #expect(try store.counts().runs == 41)
        #expect(try store.appliedMigrations() == ["v1", "v2-change-points", "v3-covering-series-index", "v4-run-timeline", "v5-run-load", "v6-server-samples"])
    }
}

extension StoreHardeningTests {
    @Test func aHotJournalLeftByAKilledWriterIsRecoveredByAReader() throws {
        let (dir, path) = try storeWithOneRun()
        defer { try? FileManager.default.removeItem(at: dir) }
        let copy = dir.appendingPathComponent("killed.sqlite").path
        try StoreTestHooks.copyWithHotJournal(of: path, to: copy)
        #expect(FileManager.default.fileExists(atPath: copy + "-journal"))
        // A read command (read-only open) recovers it: the half-written transaction is rolled back.
        let store = try PerfgateStore.openReadOnly(path: copy)
        #expect(try store.counts().runs == 1)
        #expect(try store.query("SELECT branch FROM runs").rows == [[.text("main")]])
        #expect(try store.counts().measurements > 0)
        #expect(!FileManager.default.fileExists(atPath: copy + "-journal"))
    }
}
