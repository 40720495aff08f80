import Foundation
import PerfgateCore
import Testing

/// `"benchmark"`: the microbenchmark spelling of the endpoint selector (docs/budgets.md).
@Suite("budget benchmark selector")
struct BudgetBenchmarkSelectorTests {
    @Test func benchmarkIsAGlobOnTheEndpointAndDefaultsToTheTimeMetric() throws {
        let set = try BudgetTesting.load(
            BudgetTesting.oneBudget(#""benchmark": "BenchmarkParse*", "regression": { "mean": "10%" }"#))
        let selector = try #require(set.budgets.first?.selector)
        #expect(selector.endpoint == "BenchmarkParse*")
        #expect(selector.effectiveMetric == SeriesKey.benchmarkTimeMetric)
        #expect(set.budgets.first?.name == "BenchmarkParse* · time")
        // An explicit metric wins (a throughput counter, higher is better).
        let mbps = try BudgetTesting.load(
            BudgetTesting.oneBudget(#""benchmark": "BenchmarkParse", "metric": "bytes_per_second", "min": { "mean": "1000/s" }"#))
        #expect(mbps.budgets.first?.selector.effectiveMetric == "bytes_per_second")
    }

    @Test func endpointAndBenchmarkTogetherIsAnErrorAtTheJSONPath() {
        let errors = BudgetTesting.errors(
            BudgetTesting.oneBudget(#""endpoint": "a", "benchmark": "b", "max": { "mean": "1ms" }"#))
        #expect(errors.count == 1 && errors[0].contains("budgets.json: error: at budgets[0].benchmark: give either \"endpoint\" or \"benchmark\""), "\(errors)")
    }

    @Test func aTypoSuggestsBenchmarkAndDefaultsRefuseIt() {
        let typo = BudgetTesting.errors(BudgetTesting.oneBudget(#""benchmrk": "B*", "max": { "mean": "1ms" }"#))
        #expect(typo.contains { $0.contains("budgets[0].benchmrk") && $0.contains("did you mean 'benchmark'") }, "\(typo)")
        let defaults = BudgetTesting.errors(
            #"{ "version": 1, "defaults": { "benchmark": "B*" }, "budgets": [ { "max": { "p95": "1s" } } ] }"#)
        #expect(defaults.contains { $0.contains("defaults.benchmark") && $0.contains("not allowed in defaults") }, "\(defaults)")
    }
}
