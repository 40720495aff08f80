import Foundation
import PerfgateCore
import PerfgateEngine
import Testing

// The checks of the port methods that serve `runs`, `show`, `log`, `detect`, `capacity`, `report`,
// `export` and `import` (listed in ``HistoryStoreConformance/checks``).
extension HistoryStoreConformance {
    static let readChecks: [Check] = [
        Check(name: "runs(RunFilter) filters by branch, scenario, environment, tool, commit prefix and limit", body: runFilter),
        Check(name: "detail reads back series, thresholds, checks and errors in their documented order", body: detailRoundTrip),
        Check(name: "load labels are kept for runs that have them", body: loadLabels),
        Check(name: "log: one statistic over commits, oldest first, endpoint glob, last N commits", body: logPoints),
        Check(name: "seriesHistory: one history per series, environment and statistic, in commit order", body: seriesHistories),
        Check(name: "change points are replaced per analysed series, within the analysed commits", body: changePointReplacement),
        Check(name: "insertEach stores as it goes, sees its own duplicates, and stores nothing on an error", body: streamingInsert),
        Check(name: "series occurrences and their values per environment, in run order", body: occurrencesAndValues),
        Check(name: "runStamps: none, or one per run that changes when the run's page would", body: runStamps),
    ]

    /// The report keeps a run page while its stamp is unchanged: a commit time learnt later (shown on
    /// the page) must change it, another run's must not.
    static func runStamps(_ store: any HistoryStore) throws {
        let o = try store.insertAll([item(run(), commit: 1), item(run(p95: 3), commit: 2)])
        guard let before = try store.runStamps() else { return }  // none kept: every run page is rendered
        #expect(Set(before.keys) == Set(o.map(id)))
        #expect(before[id(o[0])] != before[id(o[1])])
        _ = try store.insertAll([item(run(p95: 5), commit: 1, time: day(4), digest: "sha256:another")])
        let after = try #require(try store.runStamps())
        #expect(after.count == 3)
        #expect(after[id(o[0])] != before[id(o[0])], "the commit's time became known")
        #expect(after[id(o[1])] == before[id(o[1])])
    }

    static func runFilter(_ store: any HistoryStore) throws {
        _ = try store.insertAll([
            item(run(startedAt: day(1)), commit: 0xabc1, time: day(1)),
            item(run(tool: "locust"), commit: 0xabc2, branch: "feature", time: day(2)),
            item(run(), commit: 0xabc1, time: day(1), scenario: "other"),
            item(run(), commit: 0xdef3, time: day(3), environment: "mac"),
        ])
        let all = try store.runs(RunFilter())
        #expect(all.map(\.id) == (try store.runRefs(RunRefQuery())).map(\.id))
        #expect(all.first?.commit.sha == sha(0xdef3) && all.first?.commit.committedAt == day(3))
        #expect(try store.runs(RunFilter(branch: "feature")).map(\.tool) == ["locust"])
        #expect(try store.runs(RunFilter(scenario: "other")).map(\.scenario) == ["other"])
        #expect(try store.runs(RunFilter(environment: "mac")).map(\.commit.sha) == [sha(0xdef3)])
        #expect(try store.runs(RunFilter(tool: "locust")).map(\.commit.branch) == ["feature"])
        // The commit is a prefix, in either case.
        let prefix = String(sha(0xabc1).prefix(38)).uppercased()
        #expect(Set(try store.runs(RunFilter(commit: prefix)).map(\.commit.sha)) == [sha(0xabc1), sha(0xabc2)])
        #expect(try store.runs(RunFilter(commit: sha(0xabc1))).count == 2)
        #expect(try store.runs(RunFilter(limit: 2)).map(\.id) == Array(all.map(\.id).prefix(2)))
        #expect(try store.runs(RunFilter(branch: "nope")).isEmpty)
    }

    static func detailRoundTrip(_ store: any HistoryStore) throws {
        var r = run(startedAt: day(1), distribution: [1, 2, 3])
        r.thresholds = [
            ThresholdResult(metric: "http_req_failed", expression: "rate<0.01", passed: true),
            ThresholdResult(metric: "http_req_duration", expression: "p(95)<500", passed: false),
        ]
        r.checks = [CheckResult(group: "", name: "status 200", passes: 9, fails: 1), CheckResult(group: "::a", name: "body", passes: 3, fails: 0)]
        r.errors = [
            ErrorResult(endpoint: "GET /b", message: "timeout", occurrences: 2), ErrorResult(endpoint: "GET /a", message: "500", occurrences: 7),
            ErrorResult(endpoint: "GET /a", message: "404", occurrences: 2),
        ]
        let o = try store.insertAll([item(r, commit: 1, time: day(1), scenario: "checkout")])
        let d = try #require(try store.detail(runId: id(o[0])))
        #expect(d.run == (try store.run(id: id(o[0]))))
        #expect(d.result.tool == "k6" && d.result.scenario == "checkout" && d.result.startedAt == day(1))
        #expect(d.result.series.map(\.key) == [SeriesKey(endpoint: "GET /a", metric: "http_req_duration"), SeriesKey(endpoint: "", metric: "http_reqs")])
        #expect(d.result.series.map(\.stats) == [[.p95: 100, .mean: 50], [.throughput: 50]])
        #expect(d.result.series[0].distribution?.count == 3)
        #expect(d.result.thresholds.map(\.metric) == ["http_req_duration", "http_req_failed"])
        #expect(d.result.checks.map(\.name) == ["status 200", "body"])
        #expect(d.result.errors.map(\.message) == ["500", "404", "timeout"])
        #expect(try store.detail(runId: id(o[0]) + 1000) == nil)
    }

    static func loadLabels(_ store: any HistoryStore) throws {
        var peak = item(run(), commit: 1)
        peak.context.profile = "peak"
        peak.context.workers = 4
        var workersOnly = item(run(p95: 3), commit: 2)
        workersOnly.context.workers = 2
        let o = try store.insertAll([peak, workersOnly, item(run(), commit: 3)])
        let labels = try store.loadLabels(runIds: o.map(id) + [999])
        #expect(labels == [id(o[0]): RunLoadLabel(profile: "peak", workers: 4), id(o[1]): RunLoadLabel(workers: 2)])
        #expect(try store.loadLabels(runIds: []).isEmpty)
    }

    static func logPoints(_ store: any HistoryStore) throws {
        _ = try store.insertAll([
            item(run(p95: 30, startedAt: day(3)), commit: 3, time: day(3)),
            item(run(p95: 10, startedAt: day(1)), commit: 1, time: day(1)),
            item(run(p95: 20, startedAt: day(2), endpoint: "GET /b"), commit: 2, time: day(2)),
            item(run(p95: 5), commit: 9, time: nil),
            item(run(p95: 40), commit: 4, branch: "feature", time: day(4)),
        ])
        let all = try store.log(LogQuery(endpoint: "GET *", statistic: .p95, branch: "main"))
        // Commits without a time first, then oldest first.
        #expect(all.map(\.value) == [5, 10, 20, 30])
        #expect(all.map(\.commitSha) == [sha(9), sha(1), sha(2), sha(3)])
        #expect(all[1].unit == .milliseconds && all[1].statistic == .p95 && all[1].metric == "http_req_duration")
        #expect(all[2].endpoint == "GET /b" && all[1].committedAt == day(1) && all[1].branch == "main")
        #expect(try store.log(LogQuery(endpoint: "GET /a", statistic: .p95, branch: "main")).map(\.value) == [5, 10, 30])
        #expect(try store.log(LogQuery(endpoint: "POST *")).isEmpty)
        #expect(try store.log(LogQuery(statistic: .mean)).map(\.value) == [2.5, 5, 10, 15, 20])
        #expect(try store.log(LogQuery(metric: "http_reqs", statistic: .throughput, branch: "feature")).map(\.unit) == [.perSecond])
        // The newest two commits (of the branch).
        #expect(try store.log(LogQuery(statistic: .p95, branch: "main", lastCommits: 2)).map(\.commitSha) == [sha(2), sha(3)])
        #expect(try store.log(LogQuery(statistic: .p95, lastCommits: 1)).map(\.commitSha) == [sha(4)])
    }

    static func seriesHistories(_ store: any HistoryStore) throws {
        _ = try store.insertAll([
            item(run(p95: 30), commit: 3, time: day(3)),
            item(run(p95: 10), commit: 1, time: day(1)),
            item(run(p95: 20), commit: 2, time: day(2)),
            item(run(p95: 21), commit: 2, time: day(2), environment: "mac"),
            item(run(p95: 99), commit: 5, branch: "feature", time: day(5)),
        ])
        let h = try store.seriesHistory(SeriesHistoryQuery(branch: "main", statistics: [.p95, .throughput]))
        // Sorted by scenario, environment, endpoint, metric, statistic.
        #expect(h.map { "\($0.environment) \($0.endpoint) \($0.metric) \($0.statistic.rawValue)" } == [
            "ci  http_reqs throughput", "ci GET /a http_req_duration p95", "mac  http_reqs throughput", "mac GET /a http_req_duration p95",
        ])
        #expect(h[1].points == [.init(commitSha: sha(1), value: 10), .init(commitSha: sha(2), value: 20), .init(commitSha: sha(3), value: 30)])
        #expect(h[0].direction == .higherIsBetter && h[1].direction == .lowerIsBetter && h[1].scenario == "s")
        #expect(h[3].points.map(\.value) == [21])
        let last = try store.seriesHistory(SeriesHistoryQuery(branch: "main", environment: "ci", metric: "http_req_duration", statistics: [.p95], lastCommits: 2))
        #expect(last.count == 1 && last.first?.points.map(\.commitSha) == [sha(2), sha(3)])
        #expect(try store.seriesHistory(SeriesHistoryQuery(branch: "main", statistics: [])).isEmpty)
        #expect(try store.seriesHistory(SeriesHistoryQuery(branch: "main", scenario: "nope", statistics: [.p95])).isEmpty)

        // Two runs of one commit: by start time, then id. A statistic asked twice is one history.
        _ = try store.insertAll([
            item(run(p95: 42, startedAt: day(4).addingTimeInterval(60)), commit: 4, time: day(4), digest: "sha256:late"),
            item(run(p95: 41, startedAt: day(4)), commit: 4, time: day(4), digest: "sha256:early"),
        ])
        let twice = try store.seriesHistory(SeriesHistoryQuery(branch: "main", environment: "ci", metric: "http_req_duration", statistics: [.p95, .p95]))
        #expect(twice.count == 1 && twice.first?.points.map(\.value) == [10, 20, 30, 41, 42])

        // eachSeriesHistory hands over the same histories, each whole, in any order.
        for query in [
            SeriesHistoryQuery(branch: "main", statistics: [.p95, .throughput, .p99]),
            SeriesHistoryQuery(branch: "main", statistics: [.p95], lastCommits: 2),
            SeriesHistoryQuery(branch: "feature", metric: "http_req_duration", statistics: [.p95]),
        ] {
            var streamed: [SeriesHistory] = []
            try store.eachSeriesHistory(query) { streamed.append($0) }
            #expect(streamed.sorted { SeriesHistory.precedes($0.orderKey, $1.orderKey) } == (try store.seriesHistory(query)))
            #expect(!streamed.isEmpty)
        }
    }

    static func changePoint(_ commit: Int, statistic: String = "p95", endpoint: String = "GET /a") -> DetectedChangePoint {
        DetectedChangePoint(
            scenario: "s", environment: "ci", branch: "main", endpoint: endpoint, metric: "http_req_duration", statistic: statistic,
            commitSha: sha(commit), previousSha: sha(commit - 1), before: 10, after: 20, relativeChange: 1, pValue: 0.0001, settled: true,
            isRegression: true)
    }

    static func changePointReplacement(_ store: any HistoryStore) throws {
        _ = try store.insertAll([item(run(), commit: 2, time: day(2)), item(run(), commit: 4, time: day(4)), item(run(), commit: 6, time: day(6))])
        func analysed(_ statistic: Statistic, commits: [Int]?) -> AnalysedSeries {
            AnalysedSeries(
                scenario: "s", environment: "ci", branch: "main", endpoint: "GET /a", metric: "http_req_duration", statistic: statistic,
                commits: commits.map { $0.map(sha) })
        }
        try store.replaceChangePoints(
            [analysed(.p95, commits: nil), analysed(.p99, commits: nil)], found: [changePoint(4), changePoint(2), changePoint(4, statistic: "p99")],
            at: day(7))
        #expect(try store.changePoints(branch: "main", scenario: nil).map(\.commitSha) == [sha(2), sha(4), sha(4)])
        #expect(try store.changePoints(branch: "main", scenario: nil).map(\.statistic) == ["p95", "p95", "p99"])
        // A window of commits 4 and 6: the change point at 2 is older and kept, the one at 4 replaced.
        var moved = changePoint(6)
        moved.after = 30
        try store.replaceChangePoints([analysed(.p95, commits: [4, 6])], found: [moved], at: day(8))
        let now = try store.changePoints(branch: nil, scenario: "s")
        #expect(now.map { "\($0.statistic)@\($0.commitSha.suffix(1))" } == ["p95@2", "p99@4", "p95@6"])
        #expect(now.last == moved)
        // A whole-history analysis finding nothing removes the series' change points.
        try store.replaceChangePoints([analysed(.p99, commits: nil)], found: [], at: day(9))
        #expect(try store.changePoints(branch: "main", scenario: nil).map(\.statistic) == ["p95", "p95"])
        #expect(try store.changePoints(branch: "feature", scenario: nil).isEmpty)
    }

    static func streamingInsert(_ store: any HistoryStore) throws {
        var outcomes: [InsertOutcome] = []
        try store.insertEach { insert in
            outcomes.append(try insert(item(run(), commit: 1, digest: "sha256:a")))
            outcomes.append(try insert(item(run(), commit: 1, digest: "sha256:a")))
            outcomes.append(try insert(item(run(p95: 2), commit: 2)))
        }
        #expect(outcomes.count == 3 && outcomes[1] == .duplicate(runId: id(outcomes[0])))
        #expect(try store.runRefs(RunRefQuery()).count == 2)
        struct Stop: Error {}
        #expect(throws: Stop.self) {
            try store.insertEach { insert in
                _ = try insert(item(run(), commit: 3))
                throw Stop()
            }
        }
        #expect(throws: (any Error).self) {
            try store.insertEach { insert in
                _ = try insert(item(run(), commit: 4))
                _ = try insert(item(run(unit: .bytes), commit: 5))
            }
        }
        #expect(try store.runRefs(RunRefQuery()).map(\.commitSha).sorted() == [sha(1), sha(2)])
        #expect(try store.commits(matching: sha(3)).isEmpty && store.commits(matching: sha(4)).isEmpty)
    }

    static func occurrencesAndValues(_ store: any HistoryStore) throws {
        let o = try store.insertAll([
            item(run(p95: 10), commit: 1, time: day(1)),
            item(run(p95: 11), commit: 1, time: day(1), environment: "mac"),
            item(run(p95: 12), commit: 2, time: day(2)),
        ])
        let occurrences = try store.seriesOccurrences()
        // By scenario, environment, metric, endpoint.
        #expect(occurrences.map { "\($0.environment) \($0.key.metric) \($0.key.endpoint)" } == [
            "ci http_req_duration GET /a", "ci http_reqs ", "mac http_req_duration GET /a", "mac http_reqs ",
        ])
        #expect(occurrences[0].seriesId == occurrences[2].seriesId && occurrences[0].seriesId != occurrences[1].seriesId)
        #expect(occurrences[0].unit == .milliseconds && occurrences[1].direction == .higherIsBetter && occurrences[0].scenario == "s")
        var ci: [SeriesValue] = []
        try store.seriesValues(seriesId: occurrences[0].seriesId, environment: "ci", statistics: [.p95]) { ci.append($0) }
        #expect(ci == [SeriesValue(runId: id(o[0]), statistic: .p95, value: 10), SeriesValue(runId: id(o[2]), statistic: .p95, value: 12)])
        var mac: [SeriesValue] = []
        try store.seriesValues(seriesId: occurrences[2].seriesId, environment: "mac", statistics: [.p95, .mean]) { mac.append($0) }
        #expect(Set(mac) == [SeriesValue(runId: id(o[1]), statistic: .p95, value: 11), SeriesValue(runId: id(o[1]), statistic: .mean, value: 5.5)])
        var none: [SeriesValue] = []
        try store.seriesValues(seriesId: occurrences[0].seriesId, environment: "ci", statistics: []) { none.append($0) }
        #expect(none.isEmpty)
    }
}
