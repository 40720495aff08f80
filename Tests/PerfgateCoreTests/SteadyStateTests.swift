import Foundation
import PerfgateCore
import Testing

/// Warm-up detection (MSER-5 and the trim to the batches above the steady level), checked against the
/// independent numpy implementation in `ci/gen-steady-vectors.py`; the steady-state reading of runs;
/// the `"steady": true` rule and `"steadyState"` in budget files.
@Suite struct SteadyStateTests {
    struct Case {
        var name: String
        var series: [Double]
        var mser: [Double]
        var truncation: Int?
        var settled: Bool?
        var warmUpBatches: Int?
    }

    static let cases: [Case] = {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/stats/steady-vectors.json")
        guard let data = try? Data(contentsOf: url), let root = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
            let cases = root["cases"] as? [[String: Any]]
        else { return [] }
        return cases.map { c in
            Case(
                name: c["name"] as? String ?? "", series: (c["series"] as? [NSNumber] ?? []).map(\.doubleValue),
                mser: (c["mser"] as? [NSNumber] ?? []).map(\.doubleValue), truncation: (c["truncation"] as? NSNumber)?.intValue,
                settled: (c["settled"] as? NSNumber)?.boolValue, warmUpBatches: (c["warmup_batches"] as? NSNumber)?.intValue)
        }
    }()

    @Test func theVectorsAreThere() {
        #expect(Self.cases.count == 7)
        #expect(Self.cases.contains { $0.settled == false } && Self.cases.contains { ($0.warmUpBatches ?? 0) > 0 })
    }

    @Test(arguments: cases.map(\.name))
    func mserAndTheCutMatchNumpy(_ name: String) throws {
        let c = try #require(Self.cases.first { $0.name == name })
        let got = SteadyState.mser(batchMeans: SteadyState.batchMeans(c.series))
        #expect(got.count == c.mser.count)
        for (a, e) in zip(got, c.mser) { #expect(abs(a - e) <= 1e-9 * max(1, abs(e)), "\(name): \(a) vs \(e)") }
        let cut = SteadyState.cut(c.series)
        #expect(cut?.truncation == c.truncation, "\(name)")
        #expect(cut?.settled == c.settled, "\(name)")
        #expect(cut?.warmUpBatches == c.warmUpBatches, "\(name)")
    }

    /// A timeline of 1 s buckets at constant users: `warm` seconds at 100 ms, then 25 ms.
    static func timeline(seconds: Int, warm: Int, rising: Double = 0) -> RunTimeline {
        let buckets = (0..<seconds).map { i in
            let p95 = (i < warm ? 100.0 : 25 + rising * Double(i)) + (i % 2 == 0 ? 0.5 : -0.5)
            return TimelineBucket(index: i, requests: 100, errors: i < warm ? 2 : 0, p50: p95 * 0.8, p95: p95, users: 4)
        }
        return RunTimeline(bucketSeconds: 1, buckets: buckets)
    }

    @Test func aKnownWarmUpIsFoundWithinOneBatch() throws {
        let d = try #require(SteadyState.detect(Self.timeline(seconds: 40, warm: 10)))
        #expect(d.status == .reached)
        #expect(abs(try #require(d.warmUpSeconds) - 10) <= Double(SteadyState.batchSize), "\(d)")
        #expect(d.window == 10...40)
        #expect(d.words == "steady state reached: warm-up 10 s, steady 30 s (10–40 s of the run)")
        let none = try #require(SteadyState.detect(Self.timeline(seconds: 40, warm: 0)))
        #expect(none.status == .reached && none.warmUpSeconds == 0, "\(none)")
    }

    @Test func tooShortNeverEndedAndRising() throws {
        let short = try #require(SteadyState.detect(Self.timeline(seconds: 18, warm: 0)))
        #expect(short.status == .notEnoughData && short.words.hasPrefix("steady state too short"), "\(short.words)")
        let never = try #require(SteadyState.detect(Self.timeline(seconds: 40, warm: 30)))
        #expect(never.status == .warmUpNeverEnded && never.window == nil, "\(never)")
        let rising = try #require(SteadyState.detect(Self.timeline(seconds: 60, warm: 0, rising: 1)))
        #expect(rising.status == .stillRising, "\(rising)")
    }

    @Test func statisticsOverTheWindowComeFromTheBuckets() {
        let t = Self.timeline(seconds: 40, warm: 10)
        let s = SteadyState.statistics(t, endpoint: "", window: 10...40, reported: [.count, .errors, .errorRate, .throughput, .p95])
        #expect(s[.count] == 3000 && s[.errors] == 0 && s[.errorRate] == 0 && s[.throughput] == 100)
        #expect(abs(s[.p95]! - 25) < 1e-9, "\(s)")
        #expect(s[.p50] == nil, "only statistics the series reports")
    }

    /// A run whose latency series carries whole-run statistics and, when `steady`, its steady state.
    static func run(steady: Bool, p95: Double = 100, status: SteadyState.Status = .reached) -> GateRun {
        var stats: [Statistic: Double] = [.p95: p95, .count: 4000]
        if steady {
            let d = SteadyState.Detection(status: status, fullLoad: 0...40, warmUpSeconds: 10, window: 10...40, points: 40)
            stats.merge(d.statistics) { _, b in b }
            if status == .reached { stats[SteadyState.windowed(.p95)] = 25 }
        }
        return GateRun(
            id: "1", commitSha: "c", scenario: "s", environment: "e", tool: "k6",
            series: [SeriesResult(key: SeriesKey(endpoint: "", metric: SeriesKey.requestLatencyMetric), unit: .milliseconds, direction: .lowerIsBetter, stats: stats)])
    }

    static func outcome(_ budget: String, _ runs: [GateRun], baseline: [GateRun] = []) throws -> GateOutcome {
        try Gate.evaluate(
            GateInput(budgets: BudgetTesting.load(budget), budgetsFile: "budgets.json", current: runs, baseline: baseline, history: [], baselineInfo: nil))
    }

    @Test func autoReadsTheSteadyStateAndSaysWhenItCannot() throws {
        let whole = #"{"version": 1, "budgets": [{"max": {"p95": "50ms"}}]}"#
        let auto = #"{"version": 1, "steadyState": "auto", "budgets": [{"max": {"p95": "50ms"}}]}"#
        #expect(try Self.outcome(whole, [Self.run(steady: true)]).verdict == .fail)
        let steady = try Self.outcome(auto, [Self.run(steady: true)])
        #expect(steady.verdict == .pass && steady.findings.first?.current == 25, "\(steady.findings)")
        #expect(steady.notices.contains { $0.hasPrefix("steady state: latency, throughput and error rate over each run's steady state") })
        let noSeries = try Self.outcome(auto, [Self.run(steady: false)])
        #expect(noSeries.verdict == .fail)
        #expect(noSeries.notices.contains { $0.contains("no time series or no steady state: whole run used for the current run") }, "\(noSeries.notices)")
        // The baseline is read by the same rule.
        let rel = #"{"version": 1, "steadyState": "auto", "budgets": [{"regression": {"p95": "10%"}}]}"#
        let o = try Self.outcome(rel, [Self.run(steady: true)], baseline: [Self.run(steady: true, p95: 90)])
        #expect(o.findings.first?.baseline == 25 && o.findings.first?.current == 25, "\(o.findings)")
    }

    @Test func theSteadyRuleFailsWhenNoSteadyStateWasReached() throws {
        let budget = #"{"version": 1, "budgets": [{"name": "Settles", "steady": true}]}"#
        let ok = try #require(try Self.outcome(budget, [Self.run(steady: true)]).findings.first)
        #expect(ok.verdict == .pass && FindingDescription(ok).label == "pass · steady state reached: warm-up 10 s, steady 30 s (10–40 s of the run)", "\(FindingDescription(ok).label)")
        for status in [SteadyState.Status.warmUpNeverEnded, .stillRising, .notEnoughData] {
            let f = try #require(try Self.outcome(budget, [Self.run(steady: true, status: status)]).findings.first)
            #expect(f.verdict == .fail && f.steady?.hasPrefix(status.words) == true, "\(f)")
            #expect(FindingDescription(f).label.hasPrefix("FAIL · " + status.words), "\(FindingDescription(f).label)")
        }
        let none = try #require(try Self.outcome(budget, [Self.run(steady: false)]).findings.first)
        #expect(none.verdict == .insufficientData && FindingDescription(none).label == "not enough data: no time series", "\(FindingDescription(none).label)")
        let warn = #"{"version": 1, "budgets": [{"warn": {"steady": true}}]}"#
        let w = try #require(try Self.outcome(warn, [Self.run(steady: true, status: .stillRising)]).findings.first)
        #expect(w.verdict == .warn)
    }

    @Test func budgetFilesSpellItAndTheValidatorNamesMistakes() throws {
        let set = try BudgetTesting.load(#"{"version": 1, "steadyState": "auto", "budgets": [{"steady": true, "max": {"p95": "1s"}}]}"#)
        #expect(set.steadyState == .auto && set.budgets[0].rules.contains { $0.kind == .steady })
        let json = try set.effectiveJSON()
        let dumped = String(decoding: json, as: UTF8.self)
        #expect(dumped.contains(#""steadyState" : "auto""#) && dumped.contains(#""steady" : true"#), "\(dumped)")
        #expect(try BudgetSet.load(json, file: "effective.json").withoutRuleSources == set.withoutRuleSources)
        let typo = BudgetTesting.errors(#"{"version": 1, "steadyState": "atuo", "budgets": [{"max": {"p95": "1s"}}]}"#)
        #expect(typo.first?.contains("at steadyState") == true && typo.first?.contains("did you mean 'auto'?") == true, "\(typo)")
        let key = BudgetTesting.errors(#"{"version": 1, "budgets": [{"stedy": true}]}"#)
        #expect(key.first?.contains("did you mean 'steady'?") == true, "\(key)")
        let metric = BudgetTesting.errors(#"{"version": 1, "budgets": [{"metric": "app_memory_bytes", "steady": true}]}"#)
        #expect(metric.first?.contains("not in app_memory_bytes") == true, "\(metric)")
    }

    static var errorRiseVectors: [[String: Any]] {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/stats/steady-vectors.json")
        guard let data = try? Data(contentsOf: url), let root = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return [] }
        return root["error_rise"] as? [[String: Any]] ?? []
    }

    /// The error-rate rise's Fisher test against SciPy's `fisher_exact(…, alternative="greater")`.
    @Test func errorRiseMatchesSciPy() throws {
        #expect(Self.errorRiseVectors.count == 5)
        for v in Self.errorRiseVectors {
            func n(_ k: String) -> Double { (v[k] as? NSNumber)?.doubleValue ?? .nan }
            let r = ErrorRise.test(
                firstRequests: n("first_requests"), firstErrors: n("first_errors"), lastRequests: n("last_requests"), lastErrors: n("last_errors"))
            #expect(r.verdict.rawValue == v["verdict"] as? String, "\(v)")
            if let p = v["p"] as? NSNumber {
                let got = try #require(r.p)
                #expect(abs(got - p.doubleValue) <= 1e-9 * max(1e-300, p.doubleValue), "\(got) vs \(p)")
            } else {
                #expect(r.p == nil)
            }
        }
        // Over a timeline: errors only in the last third of the steady state.
        let buckets = (0..<30).map { i in TimelineBucket(index: i, requests: 100, errors: i >= 20 ? 5 : 0, p50: 20, p95: 25, users: 4) }
        let rise = try #require(ErrorRise.assess(RunTimeline(bucketSeconds: 1, buckets: buckets)))
        #expect(rise.verdict == .risingSignificant && rise.words.hasPrefix("error rate rising, significant: 0.00% → 5.00% (Fisher p < 0.001"), "\(rise.words)")
    }

    /// Saturation: throughput flat from a level on while p95 keeps rising; the load where it starts.
    @Test func saturationStartsWhereThroughputStopsGrowing() {
        func level(_ users: Double, _ rps: Double, _ p95: Double) -> LoadLevel {
            LoadLevel(users: users, requests: rps * 5, requestsPerSecond: rps, p50: p95 * 0.8, p95: p95, errorRate: 0, runIds: [1])
        }
        let saturated = [level(1, 10, 100), level(2, 20, 101), level(4, 40, 102), level(6, 41, 150), level(8, 40, 210)]
        #expect(Saturation.find(saturated) == .starts(users: 6, requestsPerSecond: 40, fromP95: 102, toP95: 210))
        let linear = [level(1, 10, 100), level(2, 20, 100), level(4, 40, 101)]
        #expect(Saturation.find(linear) == .notReached(highest: 4))
        // Throughput flat but latency not rising is not saturation (the server had spare capacity the load did not use).
        let flatFast = [level(1, 10, 100), level(2, 10, 99), level(4, 10, 98)]
        #expect(Saturation.find(flatFast) == .notReached(highest: 4))
        #expect(Saturation.find([level(1, 10, 100)]) == .notMeasured)
        #expect(Capacity.analyse(saturated).saturation == Saturation.find(saturated))
    }
}
