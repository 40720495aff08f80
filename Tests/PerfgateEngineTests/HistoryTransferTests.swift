import Foundation
import PerfgateCore
import PerfgateEngine
import PerfgateTestSupport
import Testing

/// `export` selection and `import` application against the in-memory store.
@Suite("export and import use cases")
struct HistoryTransferTests {
    /// Commits 1…4 on main, one run each (p95 = 100 + n), and commit 5 on a branch from 2.
    func history() throws -> EngineTestHistory {
        var h = EngineTestHistory()
        h.line(1...4, on: "main")
        h.commit(5, parents: [2], on: "feature")
        for n in 1...4 { try h.results(n, p95: 100 + Double(n)) }
        try h.results(5, branch: "feature", p95: 500, scenario: "other")
        return h
    }

    func commits(_ details: [StoredRunDetail]) -> [Int] {
        details.map { Int($0.run.commit.sha.prefix(8), radix: 16)! }
    }

    @Test func exportSelectsByFiltersAndCommitRangeInIdOrder() throws {
        let h = try history()
        let all = try HistoryExport.select(store: h.store, branch: nil, scenario: nil, environment: nil, range: nil)
        #expect(commits(all) == [1, 2, 3, 4, 5])
        #expect(all.map(\.run.id) == all.map(\.run.id).sorted())
        let main = try HistoryExport.select(store: h.store, branch: "main", scenario: nil, environment: nil, range: nil)
        #expect(commits(main) == [1, 2, 3, 4])
        // FROM..TO by commit time, both ends included, with SHA prefixes.
        let range = "\(EngineTestHistory.short(2))..\(EngineTestHistory.short(3))"
        let some = try HistoryExport.select(store: h.store, branch: nil, scenario: "s", environment: nil, range: range)
        #expect(commits(some) == [2, 3])
    }

    @Test(arguments: ["00000002", "00000002..ffffffff", "00000002..00000003..00000004"])
    func aRangeThatIsNotTwoKnownCommitsIsAUsageError(range: String) throws {
        let h = try history()
        #expect {
            _ = try HistoryExport.select(store: h.store, branch: nil, scenario: nil, environment: nil, range: range)
        } throws: { ($0 as? PerfgateError)?.exitStatus == .usage }
    }

    func write(_ data: Data) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("perfgate-history-\(UUID().uuidString).json").path
        try data.write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test func importAddsWhatIsMissingOnceAndKeepsEveryMeasurement() throws {
        let h = try history()
        let details = try HistoryExport.select(store: h.store, branch: nil, scenario: nil, environment: nil, range: nil)
        let file = try write(try HistoryExport.encode(details, store: h.store))
        defer { try? FileManager.default.removeItem(atPath: file) }

        let target = InMemoryHistoryStore()
        let now = EngineTestHistory.day(9)
        // The same file twice in one import: its runs are added once.
        let first = try HistoryImport.read([file, file]).apply(to: target, now: now, perfgateVersion: "test")
        #expect(first.added == 5)
        #expect(first.present == 5)
        let again = try HistoryImport.read([file]).apply(to: target, now: now, perfgateVersion: "test")
        #expect(again.added == 0)
        #expect(again.present == 5)

        let imported = try HistoryExport.select(store: target, branch: nil, scenario: nil, environment: nil, range: nil)
        #expect(imported.map(\.result.series) == details.map(\.result.series))
        #expect(imported.map(\.run.commit) == details.map(\.run.commit))
        #expect(imported.map(\.run.sources) == details.map(\.run.sources))
        #expect(imported.map(\.run.ingestedAt) == details.map(\.run.ingestedAt))
    }

    @Test func aRunAlreadyStoredWithTheSameStatisticsIsPresent() throws {
        let h = try history()
        let details = try HistoryExport.select(store: h.store, branch: "main", scenario: nil, environment: nil, range: nil)
        let file = try write(try HistoryExport.encode(details, store: h.store))
        defer { try? FileManager.default.removeItem(atPath: file) }
        // Into the store the runs came from: every run is already there.
        let result = try HistoryImport.read([file]).apply(to: h.store, now: EngineTestHistory.day(9), perfgateVersion: "test")
        #expect(result.added == 0)
        #expect(result.present == 4)
    }

    @Test func aMissingFileIsReportedBeforeAnyStoreIsTouched() {
        #expect {
            _ = try HistoryImport.read(["/nonexistent/history.json"])
        } throws: { ($0 as? any DiagnosableError)?.exitStatus == .missingInput }
    }
}
