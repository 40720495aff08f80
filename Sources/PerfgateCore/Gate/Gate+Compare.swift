import Foundation

extension Gate {
    /// The statistics `perfgate compare` tests.
    public static let compareStatistics: [Statistic] = [.p50, .p90, .p95, .p99, .mean, .errorRate, .throughput]

    /// The minimum effect a comparison calls a change (5 %; 5 percentage points for error rates).
    public static let compareMinEffect = 0.05

    /// Compares two sides benchstat-style: for every series on both sides, each of `statistics` that both
    /// sides report gets a statistical rule at the warn level (`≥ 5 %` and significant), with
    /// Benjamini–Hochberg over all rows. Never fails: a change reads `warn` (worse) or `improved`.
    /// `perfgate compare` and the report's compare and release pages all use this one function, so they
    /// agree row for row (describe a finding with ``FindingDescription/init(comparing:)``).
    ///
    /// `metrics` nil compares every metric the two sides share; `endpoint` is a glob (nil: every endpoint).
    /// Returns nil when the sides share no tested statistic.
    public static func compare(
        baseline a: [GateRun], current b: [GateRun], label: String, metrics: [String]? = nil, endpoint: String? = nil,
        statistics: [Statistic] = compareStatistics
    ) throws -> GateOutcome? {
        func reported(_ runs: [GateRun], _ metric: String, _ s: Statistic) -> Bool {
            runs.contains { r in r.series.values.contains { $0.key.metric == metric && $0.stats[s] != nil } }
        }
        let shared = metrics ?? Array(Set(a.flatMap { $0.series.keys.map(\.metric) }).intersection(b.flatMap { $0.series.keys.map(\.metric) })).sorted()
        var budgets: [Budget] = []
        for metric in shared {
            let rules = statistics.filter { reported(a, metric, $0) && reported(b, metric, $0) }.map {
                Rule(statistic: $0, kind: .statistical(minEffect: compareMinEffect), level: .warn, source: "compare", path: "compare")
            }
            if !rules.isEmpty {
                budgets.append(Budget(name: "compare", selector: Selector(endpoint: endpoint, metric: metric), rules: rules, path: "compare"))
            }
        }
        guard !budgets.isEmpty else { return nil }
        return try evaluate(
            GateInput(
                budgets: BudgetSet(budgets: budgets), budgetsFile: "(compare)", current: b, baseline: a, history: [],
                baselineInfo: BaselineInfo(description: label)))
    }
}
