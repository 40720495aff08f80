import PerfgateEngine
import PerfgateTestSupport
import Testing

/// The engine tests' in-memory store answers as the SQLite store does: it passes the same suite.
@Suite("HistoryStore conformance: in-memory fake")
struct InMemoryHistoryStoreConformanceTests {
    @Test(arguments: HistoryStoreConformance.checks)
    func inMemoryFake(_ check: HistoryStoreConformance.Check) throws {
        try check.run(InMemoryHistoryStore())
    }
}
