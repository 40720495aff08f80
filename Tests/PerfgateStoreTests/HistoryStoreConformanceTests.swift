import Foundation
import PerfgateEngine
import PerfgateStore
import PerfgateTestSupport
import Testing

/// The SQLite store passes the HistoryStore conformance suite, in memory and on disk.
@Suite("HistoryStore conformance: SQLite")
struct SQLiteHistoryStoreConformanceTests {
    @Test(arguments: HistoryStoreConformance.checks)
    func inMemory(_ check: HistoryStoreConformance.Check) throws {
        try check.run(try PerfgateStore.inMemory())
    }

    @Test(arguments: HistoryStoreConformance.checks)
    func onDisk(_ check: HistoryStoreConformance.Check) throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("perfgate-conformance-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        try check.run(try PerfgateStore.open(path: dir.appendingPathComponent("history.sqlite").path))
    }
}
