import Foundation
import PerfgateCore
import Testing

@Suite("Budget file: examples and semantics")
struct BudgetFileTests {
    @Test func slaExample() throws {
        let set = try BudgetSet.load(try BudgetTesting.example("budgets.json"), file: "ci/examples/budgets.json")
        #expect(set.budgets.map(\.name) == ["Latency vs main", "API", "Orders", "Search", "Error rate per endpoint", "Throughput"])
        #expect(set.ruleCount == 9)
        #expect(set.score == nil, "no score bands: with them a failing non-key rule only lowers the score")
        #expect(set.baseline == BaselinePolicy())
        #expect(set.statistics == StatisticsPolicy())
        #expect(set.requireBaseline == false)

        let all = set.budgets[0]
        #expect(all.selector.endpoint == nil)
        #expect(all.selector.metric == "http_req_duration")
        let byLevel = Dictionary(grouping: all.rules, by: \.level)
        #expect(byLevel[.fail]?.map(\.statistic).sorted() == [.p50, .p95])
        #expect(byLevel[.fail]?.contains { $0.statistic == .p50 && $0.kind == .relative(limit: 0.15, absoluteAmount: false) } == true)
        #expect(byLevel[.fail]?.contains { $0.statistic == .p95 && $0.kind == .statistical(minEffect: 0.1) } == true)
        #expect(byLevel[.warn]?.map(\.kind) == [.relative(limit: 0.15, absoluteAmount: false)])
        #expect(byLevel[.warn]?.first?.statistic == .p95)

        func limit(_ i: Int) -> Rule.Kind? { set.budgets[i].rules.first?.kind }
        #expect(set.budgets[1].selector.endpoint == "*/api/*")
        #expect(limit(1) == .absolute(op: .le, limit: 200))
        #expect(set.budgets[2].selector.endpoint == "*/api/orders")
        #expect(limit(2) == .absolute(op: .le, limit: 500))
        #expect(limit(3) == .absolute(op: .le, limit: 300))

        let errors = set.budgets[4]
        #expect(errors.selector.endpoint == nil, "every endpoint and the whole run")
        #expect(errors.rules.count == 2)
        #expect(errors.rules.allSatisfy { $0.key && $0.statistic == .errorRate && $0.unit == .ratio })
        #expect(errors.rules[0].level == .fail)
        #expect(errors.rules[0].kind == .absolute(op: .le, limit: 0.02))
        #expect(errors.rules[1].level == .warn)
        #expect(errors.rules[1].kind == .absolute(op: .le, limit: 0.01))
        #expect(errors.rules[1].path == "budgets[4].warn.max.error_rate")

        #expect(set.budgets[5].selector.endpoint == "")
        let throughput = set.budgets[5].rules
        #expect(throughput.count == 1)
        #expect(throughput[0].kind == .absolute(op: .ge, limit: 10))
        #expect(throughput[0].unit == .perSecond)
        #expect(throughput[0].key == false)
        #expect(set.budgets.allSatisfy { $0.rules.allSatisfy { $0.weight == 1 } })
    }

    @Test func k6StyleExample() throws {
        let set = try BudgetSet.load(try BudgetTesting.example("budgets-k6-style.json"), file: "budgets-k6-style.json")
        #expect(set.budgets.count == 4)
        #expect(set.ruleCount == 15)
        let api = set.budgets[0].rules
        #expect(set.budgets[0].selector.endpoint == "*/api/*")
        #expect(api.map(\.statistic) == [.mean, .p95, .p50, .p95])
        #expect(api[0].kind == .absolute(op: .lt, limit: 150))
        #expect(api[1].kind == .absolute(op: .lt, limit: 200))
        #expect(api[2].kind == .relative(limit: 0.15, absoluteAmount: false))
        #expect(api[2].path == "defaults.expressions[0]")
        #expect(api[2].source == "med <= +15%")
        #expect(api[3].level == .warn && api[3].source == "p(95) <= +15%")
        #expect(set.budgets[1].rules.contains { $0.statistic == .p95 && $0.kind == .absolute(op: .lt, limit: 500) })
        #expect(set.budgets[1].rules.contains { $0.statistic == .mean && $0.kind == .absolute(op: .lt, limit: 300) })

        let errors = set.budgets[2]
        #expect(errors.selector.endpoint == nil && errors.selector.effectiveMetric == "http_req_duration")
        let own = errors.rules.filter { $0.statistic == .errorRate }
        #expect(own.map(\.kind) == [.absolute(op: .lt, limit: 0.02), .absolute(op: .lt, limit: 0.01)])
        #expect(own.map(\.level) == [.fail, .warn])
        #expect(errors.rules.allSatisfy { $0.key }, "key applies to the rules inherited from defaults too")

        #expect(set.budgets[3].selector.endpoint == "")
        let reqs = set.budgets[3].rules.filter { $0.statistic == .throughput }
        #expect(reqs.map(\.kind) == [.absolute(op: .gt, limit: 10)])
    }

    @Test func defaultsApplyToTheirMetricAndBudgetsOverride() throws {
        let set = try BudgetTesting.load(
            #"""
            { "version": 1,
              "defaults": { "max": { "p95": "300ms" }, "regression": { "p95": "10%" }, "weight": 3 },
              "budgets": [
                { "endpoint": "GET *", "max": { "p95": "200ms" } },
                { "endpoint": "POST *", "weight": 5, "key": true },
                { "metric": "http_reqs", "min": { "throughput": "10/s" } }
              ] }
            """#)
        let get = set.budgets[0].rules
        #expect(get.map(\.kind) == [.absolute(op: .le, limit: 200), .relative(limit: 0.1, absoluteAmount: false)])
        #expect(get.map(\.path) == ["budgets[0].max.p95", "defaults.regression.p95"])
        #expect(get.allSatisfy { $0.weight == 3 && !$0.key })
        let post = set.budgets[1].rules
        #expect(post.map(\.kind) == [.absolute(op: .le, limit: 300), .relative(limit: 0.1, absoluteAmount: false)])
        #expect(post.allSatisfy { $0.weight == 5 && $0.key })
        let reqs = set.budgets[2].rules
        #expect(reqs.count == 1)
        #expect(reqs[0].weight == 1)
    }

    @Test func everyDefaultIsFilledIn() throws {
        var warnings: [Diagnostic] = []
        let set = try BudgetSet.load(
            Data(#"{ "version": 1, "budgets": [ { "endpoint": "" } ] }"#.utf8), file: "b.json", warnings: &warnings)
        #expect(set.baseline == BaselinePolicy(branch: "main", strategy: .mergeBase, window: 30, aggregate: .median))
        #expect(set.statistics == StatisticsPolicy(alpha: 0.05, correction: .bh, minHistory: 5, singlePairCanFail: false))
        #expect(set.score == nil)
        #expect(set.budgets[0].selector == Selector(endpoint: "", metric: "http_req_duration"))
        #expect(set.budgets[0].name == "whole run · http_req_duration")
        #expect(set.budgets[0].path == "budgets[0]")
        #expect(warnings.map(\.rendered) == ["b.json: warning: at budgets[0]: this budget has no rules, so it checks nothing"])
    }

    @Test func selectorsAndSettings() throws {
        let set = try BudgetSet.load(try BudgetTesting.fixture("canonical.json"), file: "canonical.json")
        #expect(set.requireBaseline)
        #expect(
            set.baseline
                == BaselinePolicy(branch: "develop", strategy: .window, window: 10, aggregate: .mean, allowEnvironmentMismatch: false))
        #expect(set.statistics == StatisticsPolicy(alpha: 0.01, correction: .holm, minHistory: 8, singlePairCanFail: true))
        #expect(set.score == ScoreBands(pass: 80, warn: 60))
        let s = set.budgets[0].selector
        #expect(s == Selector(scenario: "checkout", environment: "ci", endpoint: "POST /api/cart*", metric: "http_req_duration", tags: ["team": "web*"]))
        #expect(set.budgets[0].rules.allSatisfy { $0.weight == 2 && !$0.key })
        #expect(set.budgets[0].rules.contains { $0.path == #"budgets[0].max["p99.9"]"# && $0.statistic == .percentile(99.9) })
        #expect(set.budgets[1].rules.allSatisfy { $0.key })
        #expect(set.budgets[1].rules.first { $0.statistic == .max }?.kind == .absolute(op: .le, limit: 536_870_912))
    }

    @Test func schemaKeyIsIgnored() throws {
        let set = try BudgetTesting.load(
            #"{ "$schema": "anything", "version": 1, "budgets": [ { "max": { "p(95)": "1s" } } ] }"#)
        #expect(set.budgets[0].rules[0].statistic == .p95)
        #expect(set.budgets[0].rules[0].path == #"budgets[0].max["p(95)"]"#)
    }
}
