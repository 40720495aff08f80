import Foundation
import PerfgateCore
import PerfgateEngine
import PerfgateStore
import PerfgateTestSupport
import Testing

/// A stored row perfgate cannot read is an error naming the store, never a guessed default.
@Suite("unreadable rows")
struct UnreadableRowTests {
    func storeWithOneRun(unit: String, direction: String) throws -> (PerfgateStore, Int64, URL) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("perfgate-unreadable-\(UUID().uuidString)")
        let path = dir.appendingPathComponent("history.sqlite").path
        var run = sampleRun()
        // A server series too: its summary is a series row (endpoint ""), its samples rows of their own.
        run.series.append(
            SeriesResult(key: SeriesKey(endpoint: "", metric: "process_resident_memory_bytes"), unit: .bytes, direction: .lowerIsBetter, stats: [.mean: 4e8]))
        run.serverSeries = [ServerSeries(name: "process_resident_memory_bytes", unit: .bytes, direction: .lowerIsBetter, samples: [ServerSample(time: 0, value: 4e8)])]
        let outcome = try PerfgateStore.open(path: path).insertAll([RunToStore(run: run, context: context())])
        guard case .inserted(let id, _) = outcome[0] else { throw PerfgateError(.storeError, "not inserted") }
        try StoreTestHooks.overwriteSeries(at: path, unit: unit, direction: direction)
        return (try PerfgateStore.open(path: path), id, dir)
    }

    @Test(arguments: [("furlongs", "lower"), ("ms", "sideways")])
    func anUnknownUnitOrDirectionIsAStoreError(unit: String, direction: String) throws {
        let (store, id, dir) = try storeWithOneRun(unit: unit, direction: direction)
        defer { try? FileManager.default.removeItem(at: dir) }
        var reads: [() throws -> Void] = [
            { _ = try store.series(runIds: [id], withDistributions: true) }, { _ = try store.detail(runId: id) },
            { _ = try store.seriesOccurrences() }, { _ = try store.serverSeries(runId: id) },
        ]
        // log reads a series' unit, detect its direction.
        if unit != "ms" { reads.append { _ = try store.log(LogQuery()) } }
        if direction != "lower" { reads.append { _ = try store.seriesHistory(SeriesHistoryQuery(branch: "main", statistics: [.p95])) } }
        for read in reads {
            do {
                try read()
                Issue.record("an unreadable series row was read with a default")
            } catch let e as StoreError {
                #expect(e.exitStatus == .storeError)
                #expect(e.diagnostic.message.contains(unit == "ms" ? "direction '\(direction)'" : "unit '\(unit)'"), "\(e.diagnostic.message)")
                #expect(e.diagnostic.location?.file == store.path)
            }
        }
    }
}
