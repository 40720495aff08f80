import Foundation
import PerfgateCore
import PerfgateEngine
import PerfgateStore
import PerfgateTestSupport
import Testing

func sampleRun(p95: Double = 120, endpoint: String = "GET /api/users") -> IngestedRun {
    var d = Distribution()
    for v in [10.0, 20, 30, 40, 120] { d.record(v) }
    return IngestedRun(
        tool: "k6", toolVersion: "1.1.0", format: "k6-summary", durationSeconds: 10,
        load: LoadProfile(vus: 5, maxVUs: 5),
        series: [
            SeriesResult(
                key: SeriesKey(endpoint: endpoint, metric: "http_req_duration"), unit: .milliseconds,
                direction: .lowerIsBetter,
                stats: [.count: 5, .mean: 44, .p95: p95, .errorRate: 0.01, .throughput: 12.5], distribution: d)
        ],
        thresholds: [ThresholdResult(metric: "http_req_duration", expression: "p(95)<200", passed: true)],
        checks: [CheckResult(group: "", name: "status is 200", passes: 99, fails: 1)],
        errors: [ErrorResult(endpoint: endpoint, message: "HTTPError 500", occurrences: 1)])
}

func context(sha: String = String(repeating: "a", count: 40), digest: String = "sha256:1") -> RunContext {
    RunContext(
        commit: CommitInfo(sha: sha, branch: "main", committedAt: Date(timeIntervalSince1970: 1_700_000_000)),
        scenario: "smoke", environment: "ci", tags: ["team": "web"],
        sources: [SourceFile(path: "results/summary.json", digest: digest, bytes: 100)],
        ingestedAt: Date(timeIntervalSince1970: 1_700_000_100), perfgateVersion: "test")
}

@Suite("Store")
struct StoreTests {
    @Test func schemaMatchesGolden() throws {
        let store = try PerfgateStore.inMemory()
        assertGolden(try store.schemaSQL(), named: "schema.sql", target: "PerfgateStoreTests")
        #expect(try store.appliedMigrations() == ["v1", "v2-change-points", "v3-covering-series-index", "v4-run-timeline", "v5-run-load", "v6-server-samples"])
    }

    /// A run's timeline is written with it and read back unchanged; a run without one reads back nil.
    @Test func timelineRoundTrips() throws {
        let store = try PerfgateStore.inMemory()
        var run = sampleRun()
        run.timeline = RunTimeline(
            bucketSeconds: 2, offsetSeconds: -0.5,
            buckets: [
                TimelineBucket(index: 0, requests: 10, errors: 1, p50: 12.5, p95: 40, users: 3),
                TimelineBucket(index: 1, requests: 20, errors: 0, p50: 11, p95: 30, users: 5),
                TimelineBucket(endpoint: "GET /api/users", index: 1, requests: 20, errors: 0, p50: nil, p95: nil),
            ])
        guard case .inserted(let id, _) = try store.insert(run, context: context()),
            case .inserted(let plain, _) = try store.insert(sampleRun(), context: context(digest: "sha256:2"))
        else {
            Issue.record("expected inserts")
            return
        }
        #expect(try store.detail(runId: id)?.result.timeline == run.timeline)
        #expect(try store.detail(runId: plain)?.result.timeline == nil)
    }

    /// The `timeline` view of `perfgate query` (docs/query.md): one row per bucket and endpoint, the
    /// bucket's start in seconds from the run's start, NULL where a percentile is unknown.
    @Test func timelineViewForQueries() throws {
        let path = makeTemporaryDirectory().appendingPathComponent("history.sqlite").path
        let store = try PerfgateStore.open(path: path)
        var run = sampleRun()
        run.timeline = RunTimeline(
            bucketSeconds: 2, offsetSeconds: -0.5,
            buckets: [
                TimelineBucket(index: 0, requests: 10, errors: 1, p50: 12.5, p95: 40, users: 3),
                TimelineBucket(endpoint: "GET /api/users", index: 1, requests: 20, errors: 0),
            ])
        _ = try store.insert(run, context: context())
        let r = try store.query("SELECT endpoint, start_s, bucket_s, requests, errors, p50, p95, users FROM timeline ORDER BY endpoint")
        #expect(r.columns == ["endpoint", "start_s", "bucket_s", "requests", "errors", "p50", "p95", "users"])
        #expect(
            r.rows == [
                [.text(""), .real(-0.5), .real(2), .real(10), .real(1), .real(12.5), .real(40), .real(3)],
                [.text("GET /api/users"), .real(1.5), .real(2), .real(20), .real(0), .null, .null, .null],
            ])
    }

    @Test func insertedRunReadsBackWithEveryResult() throws {
        let store = try PerfgateStore.inMemory()
        let outcome = try store.insert(sampleRun(), context: context())
        guard case .inserted(let id, let attempt) = outcome else {
            Issue.record("expected an insert, got \(outcome)")
            return
        }
        #expect(attempt == 1)
        let detail = try #require(try store.detail(runId: id))
        #expect(detail.run.commit.branch == "main")
        #expect(detail.run.tags == ["team": "web"])
        #expect(detail.run.sources.first?.digest == "sha256:1")
        let s = try #require(detail.result.series.first)
        #expect(s.stats[.p95] == 120)
        #expect(s.stats[.errorRate] == 0.01)
        #expect(s.distribution?.count == 5)
        #expect(detail.result.thresholds.first?.passed == true)
        #expect(detail.result.checks.first?.fails == 1)
        #expect(detail.result.errors.first?.occurrences == 1)
    }

    @Test func identicalContentIsNotStoredTwiceButARepeatIs() throws {
        let store = try PerfgateStore.inMemory()
        let first = try store.insert(sampleRun(), context: context())
        let again = try store.insert(sampleRun(), context: context())
        guard case .inserted(let id, _) = first, case .duplicate(let dupId) = again else {
            Issue.record("expected insert then duplicate, got \(first), \(again)")
            return
        }
        #expect(id == dupId)
        let repeated = try store.insert(sampleRun(p95: 130), context: context(digest: "sha256:2"))
        #expect(repeated == .inserted(runId: id + 1, attempt: 2))
        #expect(try store.counts().runs == 2)
    }

    @Test func aFailingRunInABatchLeavesTheStoreUnchanged() throws {
        let store = try PerfgateStore.inMemory()
        var bad = sampleRun()
        bad.series[0].stats[.mean] = .nan
        #expect(throws: (any Error).self) {
            _ = try store.insertAll([(sampleRun(), context()), (bad, context(digest: "sha256:9"))])
        }
        #expect(try store.counts().runs == 0)
        #expect(try store.counts().measurements == 0)
    }

    @Test func aUnitConflictIsRefusedAndChangesNothing() throws {
        let store = try PerfgateStore.inMemory()
        _ = try store.insert(sampleRun(), context: context())
        var other = sampleRun()
        other.series[0].unit = .bytes
        #expect(throws: StoreError.self) { _ = try store.insert(other, context: context(digest: "sha256:3")) }
        #expect(try store.counts().runs == 1)
    }

    @Test func logReturnsOneStatisticOverCommitsOldestFirst() throws {
        let store = try PerfgateStore.inMemory()
        for i in 0..<4 {
            var ctx = context(sha: String(repeating: String(i), count: 40), digest: "sha256:\(i)")
            ctx.commit.committedAt = Date(timeIntervalSince1970: 1_700_000_000 + Double(i) * 3600)
            _ = try store.insert(sampleRun(p95: 100 + Double(i)), context: ctx)
        }
        let points = try store.log(LogQuery(endpoint: "GET /api/*", statistic: .p95, lastCommits: 3))
        #expect(points.map(\.value) == [101, 102, 103])
        #expect(try store.log(LogQuery(endpoint: "POST *")).isEmpty)
    }

    @Test func aStoreFromANewerPerfgateIsRefused() throws {
        let dir = makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("history.sqlite").path
        _ = try PerfgateStore.open(path: path)
        // Simulate a newer perfgate: a migration this version does not know.
        let raw = try PerfgateStore.open(path: path)
        _ = raw
        try StoreTestHooks.recordUnknownMigration(at: path, identifier: "v99-from-the-future")
        #expect {
            _ = try PerfgateStore.open(path: path)
        } throws: { error in
            guard let e = error as? StoreError, case .newerSchema = e else { return false }
            return e.exitStatus == .storeError
        }
    }

    @Test func aStoreFromAnOlderPerfgateMigratesForwardKeepingItsRuns() throws {
        let dir = makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("old.sqlite").path
        try StoreTestHooks.createStore(at: path, upTo: "v1")
        // Write a run with the v1 schema only, then open with this perfgate.
        let v1 = try PerfgateStore.openUnmigratedForTesting(path: path)
        _ = try v1.insert(sampleRun(), context: context())
        let store = try PerfgateStore.open(path: path)
        #expect(try store.appliedMigrations() == ["v1", "v2-change-points", "v3-covering-series-index", "v4-run-timeline", "v5-run-load", "v6-server-samples"])
        #expect(try store.counts().runs == 1)
        #expect(try store.changePoints().isEmpty)
    }

    @Test func twoWritersOnOneFileLoseNothing() async throws {
        let dir = makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("history.sqlite").path
        _ = try PerfgateStore.open(path: path)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for w in 0..<2 {
                group.addTask {
                    let store = try PerfgateStore.open(path: path)
                    for i in 0..<25 {
                        _ = try store.insert(sampleRun(), context: context(digest: "sha256:\(w)-\(i)"))
                    }
                }
            }
            try await group.waitForAll()
        }
        #expect(try PerfgateStore.open(path: path).counts().runs == 50)
    }
}
