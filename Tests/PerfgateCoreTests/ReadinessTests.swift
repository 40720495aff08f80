import Foundation
import PerfgateCore
import Testing

/// The readiness summary (docs/readiness.md): the SLA is the gate's own decision on each class's runs,
/// insufficient data is never counted as a pass, the headroom follows the knee's bracket, drift is read
/// on endurance runs only, and the verdict is never stronger than its inputs.
@Suite struct ReadinessTests {
    static let commit = CommitInfo(sha: String(repeating: "ab", count: 20), branch: "main")

    /// A stored run of scenario `api` whose whole-run latency has the given p95 (ms) over `count` requests.
    static func run(_ id: Int64, p95: Double, count: Double = 1000, vus: Int = 10, server: [String: (p95: Double, max: Double)] = [:], drift: Drift.Relative? = nil)
        -> StoredRunDetail
    {
        var latency: [Statistic: Double] = [.p95: p95, .p50: p95 / 2, .count: count, .throughput: count / 10]
        if let drift { latency.merge(drift.statistics) { _, b in b } }
        var series = [
            SeriesResult(key: SeriesKey(endpoint: "", metric: SeriesKey.requestLatencyMetric), unit: .milliseconds, direction: .lowerIsBetter, stats: latency)
        ]
        var serverSeries: [ServerSeries] = []
        for (name, v) in server.sorted(by: { $0.key < $1.key }) {
            series.append(SeriesResult(key: SeriesKey(endpoint: "", metric: name), unit: .bytes, direction: .lowerIsBetter, stats: [.p95: v.p95, .max: v.max]))
            serverSeries.append(ServerSeries(name: name, unit: .bytes, direction: .lowerIsBetter, samples: [ServerSample(time: 0, value: v.max)]))
        }
        var result = IngestedRun(tool: "k6", format: "k6-summary", durationSeconds: 10, load: LoadProfile(vus: vus, maxVUs: vus), series: series)
        result.serverSeries = serverSeries.isEmpty ? nil : serverSeries
        let stored = StoredRun(
            id: id, commit: commit, scenario: "api", environment: "ci", tool: "k6", toolVersion: nil, format: "k6-summary", startedAt: nil,
            durationSeconds: 10, vus: vus, maxVUs: vus, ingestedAt: Date(timeIntervalSince1970: 0), attempt: 1, tags: [:], sources: [])
        return StoredRunDetail(run: stored, result: result)
    }

    static let budget = #"{ "version": 1, "budgets": [ { "name": "SLA", "endpoint": "", "max": { "p95": "200ms" } } ] }"#

    /// The gate's outcome on `runs` with `budget` (no baseline: absolute rules only).
    static func gate(_ runs: [StoredRunDetail], budget: String = budget) throws -> GateOutcome {
        try Gate.evaluate(
            GateInput(
                budgets: BudgetSet.load(Data(budget.utf8), file: "b.json"), budgetsFile: "b.json",
                current: runs.map { GateRun(id: String($0.run.id), commitSha: $0.run.commit.sha, scenario: "api", environment: "ci", tool: "k6", series: $0.result.series) },
                baseline: [], history: [], baselineInfo: nil))
    }

    static func level(_ users: Double, rps: Double, p95: Double, run: Int64) -> LoadLevel {
        LoadLevel(users: users, requests: rps * 10, requestsPerSecond: rps, p50: p95 / 2, p95: p95, errorRate: 0, runIds: [run])
    }

    /// A campaign with a knee between 4 and 5 users (p95 rise), levels from runs 1…5.
    static let kneeAt4 = Readiness.Campaign(
        scenario: "api", environment: "ci",
        analysis: Capacity.analyse((1...5).map { u in level(Double(u), rps: Double(u) * 10, p95: u <= 4 ? 100 : 300, run: Int64(u)) }))

    static func assess(
        _ runs: [(StoredRunDetail, String?)], gate: [String: GateOutcome], budgetFile: String? = "b.json", campaigns: [Readiness.Campaign] = [kneeAt4],
        peak: Double? = nil
    ) -> ReadinessReport {
        Readiness.assess(
            Readiness.Input(
                commit: commit, runs: runs.map { Readiness.Run(detail: $0.0, profile: $0.1) }, budgetFile: budgetFile, gate: gate, campaigns: campaigns,
                expectedPeak: peak))
    }

    @Test func aFailingRuleIsNotReadyInTheGatesWords() throws {
        let normal = Self.run(1, p95: 120)
        let stress = Self.run(2, p95: 450)
        let r = Self.assess(
            [(normal, "normal"), (stress, "stress")], gate: ["normal": try Self.gate([normal]), "stress": try Self.gate([stress])], peak: 3)
        #expect(r.classes.map(\.name) == ["normal", "stress"])
        let s = try #require(r.classes.last)
        #expect(s.sla.failed == 1 && s.sla.summary == "1 FAIL")
        #expect(s.sla.rules.first?.label == "FAIL · beyond its limit", "\(s.sla.rules)")
        #expect(s.verdict == .notReady && s.verdictText == "not ready: 1 rule FAIL")
        #expect(r.classes[0].verdict == .ready && r.classes[0].sla.score == "1/1 rules passed")
        #expect(r.verdict == .notReady && r.verdict.exitStatus == .gateFailed)
        #expect(r.overall.hasPrefix("overall: not ready — stress: 1 rule FAIL"), "\(r.overall)")
    }

    @Test func insufficientDataIsCountedApartAndMakesTheClassUnknownNeverReady() throws {
        // A relative rule without a baseline: the gate says "no baseline", which is not a pass.
        let budget = #"{ "version": 1, "budgets": [ { "name": "SLA", "endpoint": "", "max": { "p95": "200ms" } }, { "name": "Tail", "endpoint": "", "regression": { "p95": "10%" } } ] }"#
        let peak = Self.run(1, p95: 120)
        let outcome = try Self.gate([peak], budget: budget)
        let r = Self.assess([(peak, "peak")], gate: ["peak": outcome], peak: 3)
        let c = try #require(r.classes.first)
        #expect(c.sla.passed == 1 && c.sla.insufficient == 1 && c.sla.evaluated == 1, "\(c.sla.rules.map(\.label))")
        #expect(c.sla.score == "1/1 rules passed (1 not evaluated (insufficient data or no baseline), not counted)")
        #expect(c.verdict == .unknown && r.verdict == .unknown && r.verdict.exitStatus == .baselineMissing)
        #expect(c.verdictText.contains("1 rule not evaluated"))
    }

    @Test func withoutABudgetFileOrAnApplicableRuleTheSLAIsUnknown() throws {
        let r = Self.assess([(Self.run(1, p95: 120), nil)], gate: [:], budgetFile: nil, peak: 3)
        #expect(r.classes.map(\.name) == [Readiness.unlabelled])
        #expect(r.classes[0].sla.summary == "unknown: no budget file" && r.classes[0].sla.score == "—")
        #expect(r.verdict == .unknown)
        let none = Self.assess([(Self.run(1, p95: 120), "normal")], gate: [:], peak: 3)
        #expect(none.classes[0].sla.summary == "unknown: no rule of the budget file applies to these runs")
        #expect(none.verdict == .unknown)
    }

    @Test func headroomFollowsTheKneesBracket() {
        let found = Knee.found(lastWithin: 4, firstPast: 5, reasons: [.p95Rise])
        let above = Headroom(knee: found, levels: 5, expectedPeak: 2)
        #expect(above.verdict == .ready && above.ratio == 2 && above.text == "2.00× the expected peak (capacity 4 users ÷ 2 users)")
        let below = Headroom(knee: found, levels: 5, expectedPeak: 5)
        #expect(below.verdict == .notReady && below.ratio == 0.8, "\(below.text)")
        #expect(below.text == "0.80×: the knee (between 4 users and 5 users) is at or below the expected peak of 5 users")
        let inside = Headroom(knee: found, levels: 5, expectedPeak: 4.5)
        #expect(inside.verdict == .unknown && inside.ratio == nil)
        let notReached = Headroom(knee: .notReached(highest: 8), levels: 8, expectedPeak: 4)
        #expect(notReached.verdict == .ready && notReached.atLeast && notReached.ratio == 2)
        #expect(notReached.text == "at least 2.00× the expected peak (no knee up to 8 users ÷ 4 users)")
        #expect(Headroom(knee: .notReached(highest: 8), levels: 8, expectedPeak: 10).verdict == .unknown)
        #expect(Headroom(knee: found, levels: 5, expectedPeak: nil).text == "unknown: no expected peak (--expected-peak USERS)")
        let single = Headroom(knee: .notMeasured(reason: "one load level; a knee needs at least two"), levels: 1, expectedPeak: 4)
        #expect(single.verdict == .unknown && single.text.hasPrefix("unknown: no capacity campaign"))
    }

    @Test func capacityBelowTheExpectedPeakIsNotReadyAndNamesItsRuns() throws {
        let normal = Self.run(1, p95: 120)
        let r = Self.assess([(normal, "normal")], gate: ["normal": try Self.gate([normal])], peak: 10)
        let c = try #require(r.classes.first)
        #expect(c.capacityText == "knee between 4 and 5 users (p95 rise) (runs 1, 2, 3, 4, 5)")
        #expect(c.verdict == .notReady && c.reasons == ["capacity below the expected peak"])
        // Without an expected peak the capacity is shown, not judged, and the overall line says so.
        let unjudged = Self.assess([(normal, "normal")], gate: ["normal": try Self.gate([normal])])
        #expect(unjudged.verdict == .ready)
        #expect(unjudged.overall == "overall: ready — capacity not judged (no expected peak) · no endurance run: drift unknown")
        #expect(unjudged.classes[0].headroomText == "unknown: no expected peak (--expected-peak USERS)")
    }

    @Test func driftIsReadOnEnduranceRunsAndUnknownWithoutOne() throws {
        let leak = Drift.Relative(slope: 0.5, low: 0.4, high: 0.6, points: 20, seconds: 19)
        let endurance = Self.run(7, p95: 120, server: ["app_memory_bytes": (p95: 80_000_000, max: 90_000_000)], drift: leak)
        let normal = Self.run(8, p95: 110, server: ["app_memory_bytes": (p95: 70_000_000, max: 95_000_000)])
        let r = Self.assess(
            [(endurance, "endurance"), (normal, "normal")],
            gate: ["endurance": try Self.gate([endurance]), "normal": try Self.gate([normal])], peak: 3)
        #expect(r.classes.map(\.name) == ["normal", "endurance"])
        let e = try #require(r.classes.last)
        #expect(e.drift?.first?.verdict == .driftingUp)
        #expect(e.driftText.hasPrefix("latency p95: drifting up: +50.00%/h (95 % CI +40.00%/h to +60.00%/h) (run 7)"), "\(e.driftText)")
        #expect(e.driftText.contains("app_memory_bytes: not enough data"))
        #expect(r.classes[0].driftText == "— (drift is read on endurance runs)")
        #expect(r.driftNote == nil)
        let without = Self.assess([(normal, "normal")], gate: ["normal": try Self.gate([normal])], peak: 3)
        #expect(without.driftNote == "no endurance run: drift unknown" && without.overall.hasSuffix("· no endurance run: drift unknown"))
    }

    @Test func serverPeaksAreTheHighestOverTheClassRunsWithTheirRun() throws {
        let a = Self.run(1, p95: 100, server: ["app_memory_bytes": (p95: 80_000_000, max: 85_000_000)])
        let b = Self.run(2, p95: 100, server: ["app_memory_bytes": (p95: 70_000_000, max: 95_000_000)])
        let r = Self.assess([(a, "peak"), (b, "peak")], gate: [:], peak: 3)
        let peak = try #require(r.classes.first?.serverPeaks.first)
        #expect(peak.p95 == 80_000_000 && peak.p95RunId == 1 && peak.max == 95_000_000 && peak.maxRunId == 2)
        #expect(peak.text == "app_memory_bytes p95 \(Formatting.value(80_000_000, unit: .bytes)) (run 1), max \(Formatting.value(95_000_000, unit: .bytes)) (run 2)")
    }

    @Test func classesAreOrderedKnownFirstThenCustomThenUnlabelled() {
        let order = Readiness.classes([(1, nil), (2, "soak"), (3, "endurance"), (4, "normal"), (5, "peak"), (6, "normal")])
        #expect(order.map(\.name) == ["normal", "peak", "endurance", "soak", "unlabelled"])
        #expect(order[0].runIds == [4, 6])
    }

    @Test func everyOutputSaysTheSameWords() throws {
        let stress = Self.run(2, p95: 450)
        let r = Self.assess([(stress, "stress")], gate: ["stress": try Self.gate([stress])], peak: 3)
        let c = r.classes[0]
        for text in [c.sla.summary, c.sla.score, c.capacityText, c.headroomText, c.verdictText] {
            #expect(r.table().contains(text), "\(text)")
            #expect(r.markdown().contains(Escape.markdown(text)), "\(text)")
            #expect(r.json().contains(text), "\(text)")
        }
        #expect(r.table().hasSuffix(r.overall))
    }
}
