import Foundation
import PerfgateCore
import PerfgateEngine
import Testing

/// What every ``HistoryStore`` backend must do, as a list of checks that each take a fresh, empty
/// store. A backend's test target runs them all, parameterised:
///
/// ```swift
/// @Test(arguments: HistoryStoreConformance.checks)
/// func sqliteInMemory(_ check: HistoryStoreConformance.Check) throws { try check.run(try PerfgateStore.inMemory()) }
/// ```
///
/// The SQLite store runs them in memory and on disk (PerfgateStoreTests), the engine's in-memory fake
/// too (PerfgateEngineTests); a PostgreSQL store will run the same list.
public enum HistoryStoreConformance {
    public struct Check: Sendable, CustomTestStringConvertible {
        public let name: String
        let body: @Sendable (any HistoryStore) throws -> Void

        public var testDescription: String { name }

        /// Runs the check on `store`, which must be empty.
        public func run(_ store: any HistoryStore) throws { try body(store) }
    }

    public static let checks: [Check] = [
        Check(name: "a stored run reads back with its commit, labels, tags and series", body: roundTrip),
        Check(name: "identical content is a duplicate, other content a repeat", body: duplicatesAndRepeats),
        Check(name: "insertAll stores all runs or none", body: allOrNothing),
        Check(name: "runs are listed newest commit first, then newest start, then newest id", body: ordering),
        Check(name: "run queries filter by branch, scenario, environment, commit and limit", body: filtering),
        Check(name: "lane queries: runs at given commits, other runs, environments", body: lanes),
        Check(name: "series with and without distributions", body: seriesAndDistributions),
        Check(name: "parent links are followed from a commit, up to a limit", body: ancestry),
        Check(name: "commits: known time and parent are kept, prefixes resolve", body: commitsAndPrefixes),
    ] + readChecks

    // MARK: data

    public static func sha(_ n: Int) -> String { String(format: "%040x", n) }

    static func day(_ n: Int) -> Date { Date(timeIntervalSince1970: 1_780_000_000 + Double(n) * 86_400) }

    static func run(
        p95: Double = 100, tool: String = "k6", startedAt: Date? = nil, endpoint: String = "GET /a", unit: MetricUnit = .milliseconds,
        distribution: [Double] = [], tags: [String: String] = [:]
    ) -> IngestedRun {
        var d = Distribution()
        for v in distribution { d.record(v) }
        return IngestedRun(
            tool: tool, toolVersion: "1.0", format: "k6-summary", startedAt: startedAt, durationSeconds: 10, load: LoadProfile(vus: 2, maxVUs: 4),
            tags: tags,
            series: [
                SeriesResult(
                    key: SeriesKey(endpoint: endpoint, metric: "http_req_duration"), unit: unit, direction: .lowerIsBetter,
                    stats: [.p95: p95, .mean: p95 / 2], distribution: distribution.isEmpty ? nil : d),
                SeriesResult(
                    key: SeriesKey(endpoint: "", metric: "http_reqs"), unit: .perSecond, direction: .higherIsBetter, stats: [.throughput: 50]),
            ])
    }

    static func item(
        _ run: IngestedRun, commit: Int, branch: String = "main", time: Date? = nil, parent: Int? = nil, scenario: String = "s",
        environment: String = "ci", digest: String? = nil, tags: [String: String] = [:]
    ) -> RunToStore {
        RunToStore(
            run: run,
            context: RunContext(
                commit: CommitInfo(sha: sha(commit), branch: branch, committedAt: time, parentSha: parent.map(sha)), scenario: scenario,
                environment: environment, tags: tags,
                sources: [SourceFile(path: "r.json", digest: digest ?? "sha256:\(commit)-\(scenario)-\(environment)-\(run.tool)", bytes: 1)],
                ingestedAt: day(0), perfgateVersion: "test"))
    }

    static func id(_ o: InsertOutcome) -> Int64 {
        switch o {
        case .inserted(let id, _), .duplicate(let id): return id
        }
    }

    // MARK: checks

    static func roundTrip(_ store: any HistoryStore) throws {
        let o = try store.insertAll([
            item(
                run(startedAt: day(1), tags: ["tool-tag": "x", "team": "tool"]), commit: 1, time: day(1), parent: 9, scenario: "checkout",
                environment: "linux", tags: ["team": "web"])
        ])
        guard case .inserted(let runId, 1) = try #require(o.first) else {
            Issue.record("first insert is not .inserted(_, attempt: 1): \(o)")
            return
        }
        let stored = try #require(try store.run(id: runId))
        #expect(stored.commit == CommitInfo(sha: sha(1), branch: "main", committedAt: day(1), parentSha: sha(9)))
        #expect(stored.scenario == "checkout" && stored.environment == "linux" && stored.tool == "k6")
        #expect(stored.toolVersion == "1.0" && stored.format == "k6-summary" && stored.startedAt == day(1))
        #expect(stored.durationSeconds == 10 && stored.vus == 2 && stored.maxVUs == 4 && stored.attempt == 1)
        #expect(stored.ingestedAt == day(0))
        // The context's tags win over the file's.
        #expect(stored.tags == ["tool-tag": "x", "team": "web"])
        #expect(try store.tags(runIds: [runId]) == [runId: ["tool-tag": "x", "team": "web"]])
        #expect(stored.sources == [SourceFile(path: "r.json", digest: "sha256:1-checkout-linux-k6", bytes: 1)])
        let series = try #require(try store.series(runIds: [runId], withDistributions: true)[runId])
        // Sorted by metric, then endpoint.
        #expect(series.map(\.key) == [SeriesKey(endpoint: "GET /a", metric: "http_req_duration"), SeriesKey(endpoint: "", metric: "http_reqs")])
        #expect(series.map(\.unit) == [.milliseconds, .perSecond])
        #expect(series.map(\.direction) == [.lowerIsBetter, .higherIsBetter])
        #expect(series[0].stats == [.p95: 100, .mean: 50])
        #expect(try store.run(id: runId + 1000) == nil)
    }

    static func duplicatesAndRepeats(_ store: any HistoryStore) throws {
        let first = try store.insertAll([item(run(), commit: 1, digest: "sha256:a")])
        let again = try store.insertAll([item(run(), commit: 1, digest: "sha256:a")])
        #expect(again == [.duplicate(runId: id(first[0]))])
        let repeated = try store.insertAll([item(run(p95: 120), commit: 1, digest: "sha256:b")])
        guard case .inserted(let repeatId, 2) = repeated[0] else {
            Issue.record("a repeat with other content is not attempt 2: \(repeated)")
            return
        }
        #expect(repeatId != id(first[0]))
        #expect(try store.run(id: repeatId)?.attempt == 2)
        // The same content in another environment is a run of its own.
        let elsewhere = try store.insertAll([item(run(), commit: 1, environment: "other", digest: "sha256:a")])
        #expect(elsewhere.count == 1 && elsewhere.first != .duplicate(runId: id(first[0])))
        #expect(try store.run(id: id(elsewhere[0]))?.attempt == 1)
        #expect(try store.runRefs(RunRefQuery()).count == 3)
    }

    static func allOrNothing(_ store: any HistoryStore) throws {
        _ = try store.insertAll([item(run(), commit: 1)])
        // The second run reports the stored series in another unit: refused, and the first not kept.
        #expect(throws: (any Error).self) {
            try store.insertAll([item(run(), commit: 2), item(run(unit: .bytes), commit: 3)])
        }
        #expect(try store.runRefs(RunRefQuery()).map(\.commitSha) == [sha(1)])
        #expect(try store.commits(matching: sha(2)).isEmpty)
    }

    static func ordering(_ store: any HistoryStore) throws {
        _ = try store.insertAll([
            item(run(startedAt: day(1)), commit: 1, time: day(1)),
            item(run(startedAt: nil), commit: 4, time: nil),
            item(run(startedAt: day(3)), commit: 3, time: day(3)),
            item(run(startedAt: day(2)), commit: 2, time: day(2)),
            item(run(p95: 1, startedAt: day(5)), commit: 3, time: day(3), digest: "sha256:later"),
            item(run(p95: 2, startedAt: day(5)), commit: 3, time: day(3), digest: "sha256:same-start"),
        ])
        let refs = try store.runRefs(RunRefQuery())
        #expect(refs.map(\.commitSha) == [sha(3), sha(3), sha(3), sha(2), sha(1), sha(4)])
        // Same commit: newest start first, and at the same start the newest id first.
        #expect(refs[0].id > refs[1].id && refs[0].startedAt == day(5) && refs[1].startedAt == day(5))
        #expect(refs[2].startedAt == day(3))
        #expect(try store.runs(branch: "main", environment: nil).map(\.id) == refs.map(\.id))
        #expect(try store.runRefs(RunRefQuery(limit: 2)).map(\.id) == Array(refs.map(\.id).prefix(2)))
    }

    static func filtering(_ store: any HistoryStore) throws {
        _ = try store.insertAll([
            item(run(), commit: 1, time: day(1)),
            item(run(), commit: 2, branch: "feature", time: day(2)),
            item(run(), commit: 1, time: day(1), scenario: "other"),
            item(run(), commit: 1, time: day(1), environment: "mac"),
        ])
        #expect(try store.runRefs(RunRefQuery(branch: "main")).count == 3)
        #expect(try store.runRefs(RunRefQuery(branch: "feature")).map(\.commitSha) == [sha(2)])
        #expect(try store.runRefs(RunRefQuery(scenario: "other")).map(\.scenario) == ["other"])
        #expect(try store.runRefs(RunRefQuery(environment: "mac")).map(\.environment) == ["mac"])
        #expect(try store.runRefs(RunRefQuery(branch: "main", scenario: "s", environment: "ci", commit: sha(1))).count == 1)
        #expect(try store.runRefs(RunRefQuery(commit: sha(3))).isEmpty)
        #expect(try store.runs(branch: "main", environment: "mac").map(\.environment) == ["mac"])
        #expect(try store.runs(branch: "nope", environment: nil).isEmpty)
    }

    static func lanes(_ store: any HistoryStore) throws {
        _ = try store.insertAll([
            item(run(), commit: 1, time: day(1)),
            item(run(), commit: 2, time: day(2)),
            item(run(), commit: 2, time: day(2), environment: "mac"),
            item(run(), commit: 3, branch: "feature", time: day(3)),
        ])
        let lane = RunLane(branch: "main", scenario: "s", environment: "ci")
        #expect(Set(try store.runRefs(commits: [sha(1), sha(2), sha(3)], in: lane).map(\.commitSha)) == [sha(1), sha(2)])
        #expect(try store.runRefs(commits: [], in: lane).isEmpty)
        #expect(try store.hasRuns(in: lane, excludingCommit: sha(1)))
        #expect(try !store.hasRuns(in: RunLane(branch: "main", scenario: "s", environment: "mac"), excludingCommit: sha(2)))
        #expect(try !store.hasRuns(in: RunLane(branch: "main", scenario: "nope", environment: "ci"), excludingCommit: sha(9)))
        #expect(try store.environments(branch: "main", scenario: "s") == ["ci", "mac"])
        #expect(try store.environments(branch: "feature", scenario: "s") == ["ci"])
        #expect(try store.environments(branch: "main", scenario: "nope").isEmpty)
    }

    static func seriesAndDistributions(_ store: any HistoryStore) throws {
        let o = try store.insertAll([item(run(distribution: [1, 2, 3, 40]), commit: 1), item(run(), commit: 2)])
        let (a, b) = (id(o[0]), id(o[1]))
        let full = try store.series(runIds: [a, b, 999], withDistributions: true)
        #expect(Set(full.keys) == [a, b])
        let timed = try #require(full[a]?.first { $0.key.endpoint == "GET /a" })
        #expect(timed.distribution?.count == 4)
        #expect(full[b]?.allSatisfy { $0.distribution == nil } == true)
        let bare = try store.series(runIds: [a], withDistributions: false)
        #expect(bare[a]?.allSatisfy { $0.distribution == nil } == true)
        #expect(bare[a]?.map(\.stats) == full[a]?.map(\.stats))
        #expect(try store.series(runIds: [], withDistributions: true).isEmpty)
    }

    static func ancestry(_ store: any HistoryStore) throws {
        _ = try store.insertAll([
            item(run(), commit: 1, time: day(1)),
            item(run(), commit: 2, time: day(2), parent: 1),
            item(run(), commit: 3, time: day(3), parent: 2),
            // Commit 5's parent 4 has no run: the chain stops there.
            item(run(), commit: 5, time: day(5), parent: 4),
        ])
        #expect(try store.storedAncestry(from: sha(3), limit: 100) == [sha(3), sha(2), sha(1)])
        #expect(try store.storedAncestry(from: sha(3), limit: 1) == [sha(3), sha(2)])
        #expect(try store.storedAncestry(from: sha(5), limit: 100) == [sha(5), sha(4)])
        #expect(try store.storedAncestry(from: sha(7), limit: 100) == [sha(7)])
    }

    static func commitsAndPrefixes(_ store: any HistoryStore) throws {
        _ = try store.insertAll([item(run(), commit: 0xabc1, time: nil, parent: nil)])
        // A later run of the same commit fills in what was unknown, and never replaces what was known.
        _ = try store.insertAll([item(run(p95: 2), commit: 0xabc1, time: day(1), parent: 7, digest: "sha256:second")])
        _ = try store.insertAll([item(run(p95: 3), commit: 0xabc1, time: day(2), parent: 8, digest: "sha256:third")])
        _ = try store.insertAll([item(run(), commit: 0xabc2, time: day(3))])
        let c = try #require(try store.storedCommit(sha: sha(0xabc1)))
        #expect(c.committedAt == day(1) && c.parentSha == sha(7))
        #expect(try store.storedCommit(sha: sha(0xdead)) == nil)
        let prefix = String(sha(0xabc1).prefix(38))
        #expect(try store.commits(matching: prefix) == [sha(0xabc1), sha(0xabc2)])
        #expect(try store.commits(matching: sha(0xabc2).uppercased()) == [sha(0xabc2)])
        #expect(try store.commits(matching: "ffff").isEmpty)
    }
}
