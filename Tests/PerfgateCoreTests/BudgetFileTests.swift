import Foundation
import PerfgateCore
import Testing

@Suite("Budget file: examples and semantics")
struct BudgetFileTests {
    @Test func slaExample() throws {
        let set = try BudgetSet.load(try BudgetTesting.example("budgets.json"), file: "ci/examples/budgets.json")
        #expect(set.budgets.map(\.name) == ["All endpoints", "GET", "POST", "PUT", "Bulk", "Search", "Error rate", "Throughput"])
        #expect(set.ruleCount == 10)
        #expect(set.score == ScoreBands(pass: 90, warn: 75))
        #expect(set.baseline == BaselinePolicy())
        #expect(set.statistics == StatisticsPolicy())
        #expect(set.requireBaseline == false)

        let all = set.budgets[0]
        #expect(all.selector.endpoint == nil)
        #expect(all.selector.metric == "http_req_duration")
        #expect(all.rules.map(\.kind) == [.relative(limit: 0.1, absoluteAmount: false), .statistical(minEffect: 0.1)])

        func limit(_ i: Int) -> Rule.Kind? { set.budgets[i].rules.first?.kind }
        #expect(set.budgets[1].selector.endpoint == "GET *")
        #expect(limit(1) == .absolute(op: .le, limit: 200))
        #expect(limit(2) == .absolute(op: .le, limit: 500))
        #expect(limit(3) == .absolute(op: .le, limit: 500))
        #expect(limit(4) == .absolute(op: .le, limit: 2000))
        #expect(limit(5) == .absolute(op: .le, limit: 300))

        let errors = set.budgets[6]
        #expect(errors.selector.endpoint == "")
        #expect(errors.rules.count == 2)
        #expect(errors.rules.allSatisfy { $0.key && $0.statistic == .errorRate && $0.unit == .ratio })
        #expect(errors.rules[0].level == .fail)
        #expect(errors.rules[0].kind == .absolute(op: .le, limit: 0.02))
        #expect(errors.rules[1].level == .warn)
        #expect(errors.rules[1].kind == .absolute(op: .le, limit: 0.01))
        #expect(errors.rules[1].path == "budgets[6].warn.max.error_rate")

        let throughput = set.budgets[7].rules
        #expect(throughput.count == 1)
        #expect(throughput[0].kind == .absolute(op: .ge, limit: 500))
        #expect(throughput[0].unit == .perSecond)
        #expect(throughput[0].key == false)
        #expect(set.budgets.allSatisfy { $0.rules.allSatisfy { $0.weight == 1 } })
    }

    @Test func k6StyleExample() throws {
        let set = try BudgetSet.load(try BudgetTesting.example("budgets-k6-style.json"), file: "budgets-k6-style.json")
        #expect(set.budgets.count == 5)
        #expect(set.ruleCount == 10)
        let get = set.budgets[0].rules
        #expect(get.map(\.statistic) == [.mean, .p95, .p95])
        #expect(get[0].kind == .absolute(op: .lt, limit: 100))
        #expect(get[1].kind == .absolute(op: .lt, limit: 200))
        #expect(get[2].kind == .relative(limit: 0.1, absoluteAmount: false))
        #expect(get[2].path == "defaults.expressions[0]")
        #expect(get[2].source == "p(95) <= +10%")
        #expect(set.budgets[2].rules.first?.kind == .absolute(op: .lt, limit: 2000))

        let failed = set.budgets[3]
        #expect(failed.selector.metric == "http_req_failed")
        #expect(failed.rules.map(\.kind) == [.absolute(op: .lt, limit: 0.02), .absolute(op: .lt, limit: 0.01)])
        #expect(failed.rules.map(\.level) == [.fail, .warn])
        #expect(failed.rules.allSatisfy { $0.key })

        let reqs = set.budgets[4].rules
        #expect(reqs.map(\.statistic) == [.throughput])
        #expect(reqs[0].kind == .absolute(op: .gt, limit: 500))
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
