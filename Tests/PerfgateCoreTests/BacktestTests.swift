import Foundation
import Testing

@testable import PerfgateCore

/// The counting and suggestion logic of `perfgate tune` (Backtest) on a small hand-built history:
/// 20 commits, endpoint A 30 % slower from commit 10 on, endpoint B flat. The replay itself (the gate
/// at each commit) is exercised end to end in TuneEndToEndTests.
@Suite struct BacktestTests {
    static let budgetsJSON = #"""
        {
          "version": 1,
          "budgets": [
            { "name": "R", "regression": { "p50": "3%" }, "warn": { "regression": { "p50": "1.5%" } } }
          ]
        }
        """#
    static let shas = (0..<20).map { String(format: "%040x", $0 + 1) }
    static let a = Backtest.SeriesID(scenario: "k6", environment: "ci", endpoint: "GET /a", metric: SeriesKey.requestLatencyMetric)
    static let b = Backtest.SeriesID(scenario: "k6", environment: "ci", endpoint: "GET /b", metric: SeriesKey.requestLatencyMetric)

    static func histories() -> [Backtest.SeriesHistory] {
        func wiggle(_ i: Int, _ e: Int) -> Double { 1 + 0.004 * sin(Double(i * 7 + e * 13) * 1.7) }
        let pa = shas.enumerated().map { i, s in (sha: s, value: 100 * (i >= 10 ? 1.3 : 1) * wiggle(i, 0)) }
        let pb = shas.enumerated().map { i, s in (sha: s, value: 50 * wiggle(i, 1)) }
        return [
            Backtest.SeriesHistory(series: a, statistic: .p50, direction: .lowerIsBetter, unit: .milliseconds, tool: "k6", points: pa),
            Backtest.SeriesHistory(series: b, statistic: .p50, direction: .lowerIsBetter, unit: .milliseconds, tool: "k6", points: pb),
        ]
    }

    static func records(rule: Backtest.RuleID) -> [Backtest.CommitRecord] {
        let coverage: Set<Backtest.Coverage> = [Backtest.Coverage(rule: rule, series: a), Backtest.Coverage(rule: rule, series: b)]
        return shas.enumerated().map { i, sha in
            var r = Backtest.CommitRecord(sha: sha, evaluated: true, baselineMissing: i == 0, verdict: .pass, coverage: coverage)
            func fail(_ s: Backtest.SeriesID, _ w: Double) -> Backtest.Alarm { Backtest.Alarm(rule: rule, series: s, verdict: .fail, worse: w) }
            switch i {
            case 10:  // the step: a true alarm
                r.verdict = .fail
                r.alarms = [fail(a, 0.30)]
                r.probeFails = [fail(a, 0.30)]
            case 4:  // a false alarm on B at 4 %
                r.verdict = .fail
                r.alarms = [fail(b, 0.04)]
                r.probeFails = [fail(b, 0.04)]
            case 7:  // under the probe only: B 2 % worse
                r.alarms = [Backtest.Alarm(rule: rule, series: b, verdict: .warn, worse: 0.02)]
                r.verdict = .warn
                r.probeFails = [fail(b, 0.02)]
            default: break
            }
            return r
        }
    }

    static func analyse(target: Double = 0.01) throws -> TuneReport {
        let budgets = try BudgetSet.load(Data(budgetsJSON.utf8), file: "b.json")
        let rule = Backtest.RuleID(budget: "R", ruleClass: .relative, statistic: "p50", path: "budgets[0].regression.p50")
        let h = histories()
        return Backtest.analyse(
            budgets: budgets, budgetsFile: "b.json", branch: "main", environment: "ci", orderName: "test", order: shas,
            records: records(rule: rule), histories: h, changePoints: Backtest.changePoints(h, branch: "main"),
            options: Backtest.Options(minChange: 0.10, targetFalseAlarms: target))
    }

    @Test func failuresAreTrueAtALastingChangeAndFalseElsewhere() throws {
        let r = try Self.analyse()
        #expect(r.changes.map(\.commit) == [Self.shas[10]], "\(r.changes)")
        #expect(r.changes.first?.mustCatch == true)
        #expect(r.changes.first?.caughtBy == ["R relative p50"])
        #expect(r.failedCommits == [Self.shas[4], Self.shas[10]])
        #expect(r.falseAlarmCommits == [Self.shas[4]])
        #expect(r.warnedCommits == [Self.shas[7]])
        #expect(r.gated == 19 && r.replayed == 20)
        #expect(abs(r.falseAlarmsPer100 - 5) < 1e-9)
        #expect(r.caughtChanges == 1 && r.lastingChanges == 1)
        let rule = try #require(r.rules.first)
        #expect(rule.trueAlarms == [Self.shas[10]] && rule.falseAlarms == [Self.shas[4]])
        #expect(rule.caught == 1 && rule.changes == 1 && rule.series == 2)
        #expect(rule.perSeries.map(\.series) == ["GET /a", "GET /b"])
        #expect(r.alarms.map(\.kind) == ["false alarm", "true alarm"])
    }

    @Test func suggestionIsQuietAndStillCatches() throws {
        let s = try #require(try Self.analyse().suggestions.first)
        // No false alarm allowed in 20 commits: above B's 4 % (and its 2 %); A's 30 % step is caught up to 25 %.
        #expect(s.quietAt == 0.04)
        #expect(s.catchesAllUpTo == 0.25)
        // The candidate nearest the middle of [4 %, 25 %] (√(0.04·0.25) = 10 %).
        #expect(s.suggested == 0.10)
        #expect(!s.conflict)
        // One false alarm in 20 commits is allowed at a target of 1 in 20: the 2 % one then too.
        let loose = try #require(try Self.analyse(target: 0.05).suggestions.first)
        #expect(loose.quietAt == 0.02)
    }

    @Test func conflictWhenQuietLimitMissesTheChange() throws {
        let budgets = try BudgetSet.load(Data(Self.budgetsJSON.utf8), file: "b.json")
        let rule = Backtest.RuleID(budget: "R", ruleClass: .relative, statistic: "p50", path: "budgets[0].regression.p50")
        var recs = Self.records(rule: rule)
        recs[4].probeFails = [Backtest.Alarm(rule: rule, series: Self.b, verdict: .fail, worse: 0.40)]
        let h = Self.histories()
        let r = Backtest.analyse(
            budgets: budgets, budgetsFile: "b.json", branch: "main", environment: nil, orderName: "test", order: Self.shas, records: recs,
            histories: h, changePoints: Backtest.changePoints(h, branch: "main"), options: Backtest.Options())
        let s = try #require(r.suggestions.first)
        #expect(s.quietAt == 0.40 && s.catchesAllUpTo == 0.25)
        #expect(s.conflict && s.note.hasPrefix("conflict"))
    }

    @Test func probeAndApplyRewriteOnlyTunableLimits() throws {
        let budgets = try BudgetSet.load(
            Data(#"{"version":1,"budgets":[{"name":"R","regression":{"p95":"10%"},"max":{"p95":"200ms"},"warn":{"regression":{"p95":"5%"}}}]}"#.utf8),
            file: "b.json")
        let probe = Backtest.probe(budgets)
        #expect(probe.budgets[0].rules.count == 2)  // the warn twin is dropped
        #expect(probe.budgets[0].rules.contains { $0.kind == .relative(limit: Backtest.probeLimit, absoluteAmount: false) })
        #expect(probe.budgets[0].rules.contains { $0.kind == .absolute(op: .le, limit: 200) })
        let applied = Backtest.applying(["budgets[0].regression.p95": 0.20], to: budgets)
        let kinds = applied.budgets[0].rules.map(\.kind)
        #expect(kinds.contains(.relative(limit: 0.20, absoluteAmount: false)))
        #expect(kinds.contains(.relative(limit: 0.10, absoluteAmount: false)))  // warn scaled by 2
    }

    @Test func rewriteKeepsTheFileAndChangesOnlyTheValues() throws {
        let text = """
            {
              "version": 1,
              "budgets": [
                { "name": "R", "regression": { "p50": "10%", "p95": "10%" }, "significant": { "p(95)": "10%" } },
                { "name": "E", "expressions": ["p(95) < 300", "p95 <= +10%"] }
              ]
            }
            """
        let budgets = try BudgetSet.load(Data(text.utf8), file: "b.json")
        let limits = ["budgets[0].regression.p95": 0.06, "budgets[0].significant[\"p(95)\"]": 0.12, "budgets[1].expressions[1]": 0.075]
        let suggested = Backtest.applying(limits, to: budgets)
        let out = BudgetRewrite.rewrite(text, changes: BudgetRewrite.changes(from: budgets, to: suggested))
        #expect(out.contains(#""regression": { "p50": "10%", "p95": "6%" }"#))
        #expect(out.contains(#""significant": { "p(95)": "12%" }"#))
        #expect(out.contains(#""p(95) < 300", "p95 <= +7.5%""#))
        let reread = try BudgetSet.load(Data(out.utf8), file: "b.json")
        #expect(reread.budgets.map { $0.rules.map(\.kind) } == suggested.budgets.map { $0.rules.map(\.kind) })
        let diff = BudgetRewrite.unifiedDiff(text, out, name: "b.json")
        #expect(diff.contains("-    { \"name\": \"R\""))
        #expect(diff.contains("+    { \"name\": \"E\", \"expressions\": [\"p(95) < 300\", \"p95 <= +7.5%\"] }"))
    }
}
