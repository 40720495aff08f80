import Foundation
import PerfgateCore
import Testing

/// The `"drift"` rule: the gate reads the drift statistics a series carries (``Drift/Relative``) on the
/// current run alone, against the rule's fail and warn limits, and says so in ``FindingDescription``.
@Suite struct DriftGateTests {
    static let budget = #"""
        { "version": 1, "budgets": [
          { "name": "Leak", "metric": "app_memory_bytes", "drift": { "value": "5%/h" }, "warn": { "drift": { "value": "2%/h" } } }
        ] }
        """#

    /// A run whose memory series carries the given drift (fractions of the level per hour).
    static func run(_ rel: Drift.Relative?) -> GateRun {
        var stats: [Statistic: Double] = [.value: 100_000_000, .mean: 90_000_000]
        if let rel { stats.merge(rel.statistics) { _, b in b } }
        return GateRun(
            id: "1", commitSha: "c", scenario: "s", environment: "e", tool: "k6",
            series: [SeriesResult(key: SeriesKey(endpoint: "", metric: "app_memory_bytes"), unit: .bytes, direction: .lowerIsBetter, stats: stats)])
    }

    static func finding(_ rel: Drift.Relative?) throws -> Finding {
        let o = try Gate.evaluate(
            GateInput(
                budgets: BudgetTesting.load(budget), budgetsFile: "budgets.json", current: [run(rel)], baseline: [], history: [],
                baselineInfo: nil))
        return try #require(o.findings.first)
    }

    static func rel(_ slope: Double, _ low: Double, _ high: Double, points: Int = 20, seconds: Double = 19) -> Drift.Relative {
        Drift.Relative(slope: slope, low: low, high: high, points: points, seconds: seconds)
    }

    @Test(arguments: [
        // slope, low, high → verdict, drift words, description
        (0.40, 0.30, 0.50, Verdict.fail, "drifting up", "FAIL · drifting up beyond its limit"),
        (0.03, 0.025, 0.035, .warn, "drifting up", "warn · drifting up beyond its limit"),
        (0.001, -0.01, 0.012, .pass, "no drift", "pass · no drift"),
        (-0.40, -0.50, -0.30, .pass, "drifting down", "pass · drifting down"),
        (0.40, -0.20, 1.00, .insufficientData, "inconclusive", "inconclusive"),
    ])
    func levelsAndWords(_ c: (Double, Double, Double, Verdict, String, String)) throws {
        let f = try Self.finding(Self.rel(c.0, c.1, c.2))
        #expect(f.verdict == c.3 && f.drift == c.4 && FindingDescription(f).label == c.5, "\(f)")
        #expect(f.ruleClass == .drift && f.statistic == "value drift" && f.current == c.0 && f.baseline == nil)
        // The reason states the slope and its interval in the same words as the run page.
        #expect(f.reasons == [Drift.words(Self.rel(c.0, c.1, c.2), minimum: c.3 == .warn ? 0.02 : 0.05)], "\(f.reasons)")
    }

    @Test func tooShortOrNoTimeSeriesIsNotEnoughDataNeverAPass() throws {
        let short = try Self.finding(Self.rel(0.4, 0.3, 0.5, points: 9, seconds: 8))
        #expect(short.verdict == .insufficientData && short.drift == "not enough data", "\(short)")
        #expect(short.reasons.first?.contains("9 points over 8 s") == true, "\(short.reasons)")
        let none = try Self.finding(nil)
        #expect(none.verdict == .insufficientData && FindingDescription(none).label == "not enough data", "\(none)")
    }

    @Test func theEffectiveFileSpellsTheLimitBack() throws {
        let set = try BudgetTesting.load(Self.budget)
        let kinds = set.budgets[0].rules.map(\.kind)
        #expect(kinds.contains(.drift(limit: 0.05)) && kinds.contains(.drift(limit: 0.02)))
        let json = try set.effectiveJSON()
        #expect(String(decoding: json, as: UTF8.self).contains(#""value" : "5%/h""#))
        #expect(try BudgetSet.load(json, file: "effective.json").withoutRuleSources == set.withoutRuleSources)
    }

    @Test func driftStatisticsHaveTheirOwnUnitsWhateverTheSeries() {
        // Printed beside the series' other statistics: a memory series' drift is a percentage, not bytes.
        for stat in [Drift.slope, Drift.low, Drift.high] {
            #expect(stat.unit(seriesUnit: .bytes) == .ratio && stat.direction(seriesDirection: .higherIsBetter) == .lowerIsBetter)
        }
        #expect(Drift.points.unit(seriesUnit: .milliseconds) == .count && Drift.seconds.unit(seriesUnit: .bytes) == MetricUnit.none)
    }
}
