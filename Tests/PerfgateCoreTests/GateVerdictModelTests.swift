import Foundation
import Testing

@testable import PerfgateCore

/// The verdict model of docs/gate.md on small, hand-built histories: the reference level follows
/// the base branch, resolution and run-to-run noise enter the evidence, environment noise warns.
/// The whole model is measured on real tool output by `ReplayHarnessTests` (ci/replay.py).
@Suite struct GateVerdictModelTests {
    static let endpoints = ["GET /a", "GET /b", "POST /c", "GET /d"]

    /// One run: `p50[endpoint]`, `p95[endpoint]` (ms), 500 requests each.
    static func run(
        _ id: String, commit: String, tool: String = "k6", p50: [String: Double], p95: [String: Double],
        errors: [String: Double] = [:]
    ) -> GateRun {
        let series = p50.keys.sorted().map { ep in
            SeriesResult(
                key: SeriesKey(endpoint: ep, metric: SeriesKey.requestLatencyMetric), unit: .milliseconds, direction: .lowerIsBetter,
                stats: [.p50: p50[ep]!, .p95: p95[ep]!, .count: 500, .mean: p50[ep]!, .errors: errors[ep, default: 0] * 500,
                    .errorRate: errors[ep, default: 0]])
        }
        return GateRun(id: id, commitSha: commit, scenario: tool, environment: "ci", tool: tool, series: series)
    }

    /// Deterministic ±`noise` relative wiggle for run `i` of endpoint `e`.
    static func wiggle(_ i: Int, _ e: Int, noise: Double) -> Double {
        let x = sin(Double(i * 7 + e * 13) * 1.7) * noise
        return 1 + x
    }

    /// A base-branch history of `levels.count` commits, one run each; `levels[i][ep]` multiplies the
    /// endpoint's base latency (100 ms p50, 120 ms p95) and `tails[i]` widens every p95.
    static func history(_ levels: [[String: Double]], tails: [Double]? = nil, noise: Double = 0.02) -> [GateRun] {
        levels.enumerated().map { i, level in
            var p50: [String: Double] = [:]
            var p95: [String: Double] = [:]
            for (e, ep) in endpoints.enumerated() {
                let f = level[ep, default: 1] * wiggle(i, e, noise: noise)
                p50[ep] = 100 * f
                p95[ep] = 120 * f * (tails?[i] ?? 1)
            }
            return run("h\(i)", commit: String(format: "c%02d", i), p50: p50, p95: p95)
        }
    }

    static func budgets(_ json: String) throws -> BudgetSet { try BudgetSet.load(Data(json.utf8), file: "budgets.json") }

    static let teamBudget = """
        { "version": 1, "budgets": [
          { "name": "regression", "regression": { "p50": "10%", "p95": "10%" } },
          { "name": "significant", "significant": { "p50": "10%", "p95": "10%" } }
        ] }
        """

    static func check(history: [GateRun], current: GateRun, budget: String = teamBudget) throws -> GateOutcome {
        try Gate.evaluate(
            GateInput(
                budgets: budgets(budget), budgetsFile: "budgets.json", current: [current], baseline: [history.last!], history: history,
                baselineInfo: BaselineInfo(description: "test")))
    }

    static func findings(_ o: GateOutcome, _ verdict: Verdict) -> [String] {
        o.findings.filter { $0.verdict == verdict }.map { "\($0.endpoint) \($0.statistic) \($0.ruleClass.rawValue)" }.sorted()
    }

    @Test func aLandedRegressionIsNotBlamedOnTheNextCommit() throws {
        // POST /c +25 % landed on the newest base-branch commit; the commit under test changes nothing.
        let levels = Array(repeating: [String: Double](), count: 7) + [["POST /c": 1.25]]
        let hist = Self.history(levels)
        let current = Self.history(levels + [["POST /c": 1.25]])[8]
        let o = try Self.check(history: hist, current: current)
        #expect(o.verdict != .fail, "fails: \(Self.findings(o, .fail))")
        #expect(Self.findings(o, .fail).isEmpty)
        // …but the regression itself, checked against the history before it, fails.
        let atRegression = try Self.check(history: Array(hist.dropLast()), current: hist.last!)
        #expect(Self.findings(atRegression, .fail).contains("POST /c p50 statistical"))
        #expect(Self.findings(atRegression, .fail).allSatisfy { $0.hasPrefix("POST /c") })
    }

    @Test func aRegressionRightAfterALandedOneStillFails() throws {
        let levels = Array(repeating: [String: Double](), count: 7) + [["POST /c": 1.25]]
        let hist = Self.history(levels)
        let current = Self.history(levels + [["POST /c": 1.25 * 1.25]])[8]
        let o = try Self.check(history: hist, current: current)
        #expect(Self.findings(o, .fail).contains("POST /c p50 statistical"))
    }

    @Test func aReturnFromOneNoisyRunIsNotAnImprovement() throws {
        // The newest base-branch run had every tail 30 % wider; the commit under test is back to normal.
        let levels = Array(repeating: [String: Double](), count: 8)
        let tails = Array(repeating: 1.0, count: 7) + [1.3]
        let hist = Self.history(levels, tails: tails)
        let current = Self.history(levels + [[:]])[8]
        let o = try Self.check(history: hist, current: current)
        #expect(Self.findings(o, .improved).isEmpty, "improved: \(Self.findings(o, .improved))")
        #expect(Self.findings(o, .fail).isEmpty)
    }

    @Test func aConfirmedImprovementBecomesTheReference() throws {
        // GET /b −30 % two commits ago: the next commit at that level is neither improved nor failed.
        let levels = Array(repeating: [String: Double](), count: 7) + [["GET /b": 0.7], ["GET /b": 0.7]]
        let hist = Self.history(levels)
        let current = Self.history(levels + [["GET /b": 0.7]])[9]
        let o = try Self.check(history: hist, current: current)
        #expect(o.findings.filter { $0.endpoint == "GET /b" }.allSatisfy { $0.verdict == .pass })
        // Reverting that improvement is a regression against the new level.
        let reverted = Self.history(levels + [[:]])[9]
        let r = try Self.check(history: hist, current: reverted)
        #expect(Self.findings(r, .fail).contains("GET /b p50 statistical"))
    }

    @Test func environmentNoiseWarnsAndSaysWhy() throws {
        let levels = Array(repeating: [String: Double](), count: 8)
        let hist = Self.history(levels)
        // Every endpoint's p95 25 % higher, medians unchanged.
        let noisy = Self.history(levels + [[:]], tails: Array(repeating: 1.0, count: 8) + [1.25])[8]
        let o = try Self.check(history: hist, current: noisy)
        #expect(o.verdict == .warn)
        #expect(Self.findings(o, .fail).isEmpty)
        let tails = o.findings.filter { $0.statistic == "p95" && $0.verdict == .warn }
        #expect(tails.count >= 3)
        #expect(tails.allSatisfy { $0.reasons.contains { $0.hasPrefix("environment noisier — rerun") } })
        #expect(o.notices.contains { $0.contains("environment noisier — rerun") })
    }

    @Test func aGlobalSlowdownStillFails() throws {
        let levels = Array(repeating: [String: Double](), count: 8)
        let hist = Self.history(levels)
        let all = Dictionary(uniqueKeysWithValues: Self.endpoints.map { ($0, 1.25) })
        let slow = Self.history(levels + [all])[8]
        let o = try Self.check(history: hist, current: slow)
        #expect(o.verdict == .fail)
        #expect(Self.findings(o, .fail).filter { $0.hasSuffix("p50 statistical") }.count == 4)
        #expect(!o.notices.contains { $0.contains("environment noisier") })
    }

    @Test func aChangeWithinOneLocustBucketIsNeverAFinding() throws {
        // Locust reports p95 in 10 ms buckets above 100 ms: 110 → 120 ms is one step, not +9 %.
        func locust(_ id: String, _ p95: Double, p50: Double = 7) -> GateRun {
            Self.run(id, commit: id, tool: "locust", p50: ["GET /a": p50], p95: ["GET /a": p95])
        }
        let o = try Gate.evaluate(
            GateInput(
                budgets: Self.budgets(
                    #"{ "version": 1, "budgets": [ { "name": "r", "regression": { "p50": "10%", "p95": "5%" } } ] }"#),
                budgetsFile: "budgets.json", current: [locust("b", 120, p50: 8)], baseline: [locust("a", 110)], history: [],
                baselineInfo: nil))
        #expect(o.verdict == .pass)
        #expect(o.findings.allSatisfy { $0.verdict == .pass })
        #expect(o.findings.allSatisfy { $0.reasons.contains { $0.hasPrefix("within one resolution step") } })
        // Two steps are a change beyond the limit, but one Locust p95 pair cannot tell +18 % from its
        // run-to-run noise (default σ 10 % without history): reported, not failed.
        let rule = #"{ "version": 1, "budgets": [ { "name": "r", "regression": { "p95": "5%" } } ] }"#
        let two = try Gate.evaluate(
            GateInput(
                budgets: Self.budgets(rule), budgetsFile: "budgets.json", current: [locust("b", 130)], baseline: [locust("a", 110)], history: [],
                baselineInfo: nil))
        #expect(two.verdict == .warn)
        #expect(two.findings.first?.reasons.first?.hasPrefix("beyond the limit but within run-to-run noise (run-to-run σ 10.3 %") == true, "\(two.findings)")
        // +80 % is not noise.
        let big = try Gate.evaluate(
            GateInput(
                budgets: Self.budgets(rule), budgetsFile: "budgets.json", current: [locust("b", 200)], baseline: [locust("a", 110)], history: [],
                baselineInfo: nil))
        #expect(big.verdict == .fail)
    }

    @Test func singlePairTestsCarryRunToRunNoise() throws {
        // Without history, an 8 % p95 shift between two runs is within typical run-to-run drift: no
        // significance however many requests; the method says which spread was assumed.
        var budget = #"{ "version": 1, "budgets": [ { "name": "s", "significant": { "p95": "5%" } } ] }"#
        let a = Self.run("a", commit: "a", p50: ["GET /a": 100], p95: ["GET /a": 120])
        let b = Self.run("b", commit: "b", p50: ["GET /a": 100], p95: ["GET /a": 129.6])
        let o = try Gate.evaluate(
            GateInput(budgets: Self.budgets(budget), budgetsFile: "b.json", current: [b], baseline: [a], history: [], baselineInfo: nil))
        let f = try #require(o.findings.first)
        #expect(f.evidence?.significant == false)
        #expect(f.evidence?.method.contains("run-to-run σ 6.0 % (default for k6; no history)") == true, "\(f.evidence?.method ?? "")")
        // A 40 % shift is beyond it.
        budget = #"{ "version": 1, "budgets": [ { "name": "s", "significant": { "p95": "5%" } } ] }"#
        let c = Self.run("c", commit: "c", p50: ["GET /a": 100], p95: ["GET /a": 168])
        let o2 = try Gate.evaluate(
            GateInput(budgets: Self.budgets(budget), budgetsFile: "b.json", current: [c], baseline: [a], history: [], baselineInfo: nil))
        #expect(o2.findings.first?.evidence?.significant == true)
    }

    @Test func toolsAreNeverPooled() throws {
        // A k6 and a Locust run under one scenario name are two series, not two replicates.
        var k6 = Self.run("k", commit: "x", tool: "k6", p50: ["GET /a": 100], p95: ["GET /a": 120])
        var locust = Self.run("l", commit: "x", tool: "locust", p50: ["GET /a": 300], p95: ["GET /a": 400])
        k6.scenario = "api"
        locust.scenario = "api"
        var baseK6 = Self.run("bk", commit: "w", tool: "k6", p50: ["GET /a": 100], p95: ["GET /a": 120])
        baseK6.scenario = "api"
        let o = try Gate.evaluate(
            GateInput(
                budgets: Self.budgets(#"{ "version": 1, "budgets": [ { "name": "r", "regression": { "p50": "10%" } } ] }"#),
                budgetsFile: "b.json", current: [k6, locust], baseline: [baseK6], history: [], baselineInfo: nil))
        #expect(o.findings.count == 2)
        #expect(o.findings.contains { $0.current == 100 && $0.verdict == .pass })
        #expect(o.findings.contains { $0.current == 300 && $0.verdict == .noBaseline })
    }

    @Test func oneExecutionExportedTwiceIsOneRun() throws {
        func run(tool: String, format: String, count: Double, mean: Double, max: Double, started: Date?) -> IngestedRun {
            IngestedRun(
                tool: tool, format: format, startedAt: started,
                series: ["GET /a", "POST /b"].map { ep in
                    SeriesResult(
                        key: SeriesKey(endpoint: ep, metric: SeriesKey.requestLatencyMetric), unit: .milliseconds, direction: .lowerIsBetter,
                        stats: [.count: count, .mean: mean, .max: max])
                })
        }
        let t = Date(timeIntervalSince1970: 1_700_000_000)
        let summary = run(tool: "k6", format: "k6-summary", count: 812, mean: 81.234567, max: 140.1, started: nil)
        let handle = run(tool: "k6", format: "k6-handle-summary", count: 812, mean: 81.2345671, max: 140.1, started: t)
        #expect(summary.isSameExecution(as: handle))
        // Another execution of the same fixed-iteration test: same counts, other latencies.
        let again = run(tool: "k6", format: "k6-summary", count: 812, mean: 81.9, max: 151.3, started: nil)
        #expect(!summary.isSameExecution(as: again))
        // Another tool with the same numbers is never the same execution.
        let locust = run(tool: "locust", format: "locust-csv", count: 812, mean: 81.234567, max: 140.1, started: nil)
        #expect(!summary.isSameExecution(as: locust))
        // Start times a minute apart.
        let later = run(tool: "k6", format: "k6-handle-summary", count: 812, mean: 81.234567, max: 140.1, started: t.addingTimeInterval(60))
        #expect(!handle.isSameExecution(as: later))
    }
}
