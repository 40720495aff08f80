import Foundation
import PerfgateCore
import PerfgateEngine
import PerfgateIngest
import PerfgateTestSupport
import Testing

/// Turning paths into input sets and parsed runs, before anything is stored.
@Suite("Ingest pipeline")
struct IngestPipelineTests {
    static let locust = Fixtures.url("corpus/locust/bitcoin-api", target: "PerfgateIngestTests")

    /// A fresh directory holding copies of the Locust fixture files as `names` (a `.gz` name is
    /// gzip-compressed).
    static func directory(_ names: [String: String]) throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("perfgate-ingest-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        for (name, source) in names {
            let plain = dir.appendingPathComponent(name.hasSuffix(".gz") ? String(name.dropLast(3)) : name)
            try FileManager.default.copyItem(at: locust.appendingPathComponent(source), to: plain)
            if name.hasSuffix(".gz") {
                let p = Process()
                p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
                p.arguments = ["gzip", plain.path]
                try p.run()
                p.waitUntilExit()
                #expect(p.terminationStatus == 0)
            }
        }
        return dir
    }

    final class Collected: @unchecked Sendable {
        let lock = NSLock()
        var lines: [String] = []
        func add(_ s: String) { lock.withLock { lines.append(s) } }
    }

    static func pipeline(_ collected: Collected) -> IngestPipeline {
        IngestPipeline(
            format: nil, commits: .fixed(CommitInfo(sha: String(repeating: "a", count: 40), branch: "main")), scenario: nil,
            environmentOverride: nil, defaultEnvironment: "test-env", tags: [:], clock: FixedWallClock(Date(timeIntervalSince1970: 0)), perfgateVersion: "test",
            events: IngestEvents(
                diagnostic: { collected.add($0.rendered) }, skipped: { collected.add($0) },
                progress: { _, _ in IngestEvents.Progress(update: { _ in }, finish: {}) }))
    }

    @Test func aCompressedLocustSetFoundInADirectoryIsOneRunWithItsCompanions() throws {
        let dir = try Self.directory([
            "run_stats.csv.gz": "results_stats.csv", "run_failures.csv.gz": "results_failures.csv",
            "run_stats_history.csv": "results_stats_history.csv",
        ])
        defer { try? FileManager.default.removeItem(at: dir) }
        let sets = try IngestPipeline.collect([dir.path])
        #expect(sets.count == 1)
        #expect(sets.first?.primary.fileName == "run_stats.csv.gz")
        #expect(sets.first.map { Set($0.companions.keys) } == ["failures", "stats_history"])
        let collected = Collected()
        let parsed = try Self.pipeline(collected).parseRuns([dir.path])
        #expect(parsed.count == 1)
        #expect(parsed.first?.run.tool == "locust")
        #expect(parsed.first?.context.environment == "test-env")
        #expect(parsed.first?.context.sources.count == 3)
    }

    @Test func aCompanionNamedAloneJoinsItsStatsFileAndOtherFilesKeepTheirPlace() throws {
        let dir = try Self.directory(["a_stats.csv": "results_stats.csv", "a_failures.csv": "results_failures.csv"])
        defer { try? FileManager.default.removeItem(at: dir) }
        let other = dir.appendingPathComponent("notes.txt").path
        try Data("hello".utf8).write(to: URL(fileURLWithPath: other))
        let failures = dir.appendingPathComponent("a_failures.csv").path
        let sets = try IngestPipeline.collect([other, failures, other])
        #expect(sets.map(\.primary.fileName) == ["notes.txt", "a_stats.csv"])
        #expect(sets.last?.companions["failures"]?.displayPath == failures)
    }

    @Test func filesThatAreNoResultsInADirectoryAreSkippedWithOneLine() throws {
        let dir = try Self.directory(["a_stats.csv": "results_stats.csv"])
        defer { try? FileManager.default.removeItem(at: dir) }
        try Data("Traceback: boom\n".utf8).write(to: dir.appendingPathComponent("stderr.log"))
        let collected = Collected()
        let parsed = try Self.pipeline(collected).parseRuns([dir.path])
        #expect(parsed.map(\.set.primary.fileName) == ["a_stats.csv"])
        #expect(collected.lines.count == 1)
        #expect(collected.lines.first?.hasPrefix("skipped \(dir.path)/stderr.log: not a result file") == true)
    }
}
