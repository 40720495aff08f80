import Foundation

/// One series of one scenario in one environment: how the gate groups the current results.
public struct MatchedSeries: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var scenario: String
    public var environment: String
    /// Runs of different tools are never pooled, even under one scenario name.
    public var tool: String
    public var key: SeriesKey

    public init(scenario: String, environment: String, tool: String, key: SeriesKey) {
        self.scenario = scenario
        self.environment = environment
        self.tool = tool
        self.key = key
    }

    public static func < (a: MatchedSeries, b: MatchedSeries) -> Bool {
        (a.scenario, a.environment, a.key, a.tool) < (b.scenario, b.environment, b.key, b.tool)
    }

    public var description: String { "\(scenario) \(key.endpoint.isEmpty ? "(all)" : key.endpoint) \(key.metric)" }
}

/// Which series each budget selects in the current runs, and every error about budgets against
/// results: a budget that matches no series, a statistic that no matched series reports, a limit
/// written in a unit that does not fit the series.
///
/// The one implementation of these rules: `Gate.evaluate` builds its rules from `matched` and throws
/// the first of `problems`; `perfgate check` computes it on the parsed files before it stores
/// anything; `perfgate budgets validate --against` prints every problem and the match counts.
public struct BudgetMatches: Sendable {
    /// Current observations per series: one `SeriesResult` per current run that reports it, in run order.
    public var current: [MatchedSeries: [SeriesResult]]
    /// The run whose labels (tags, tool) stand for the series: the last current run that reports it.
    public var runOf: [MatchedSeries: GateRun]
    /// For each budget, in file order: the series it selects, sorted.
    public var matched: [[MatchedSeries]]
    /// Every problem, in budget order and within a budget in rule order; the gate raises the first.
    public var problems: [PerfgateError]

    public init(budgets: BudgetSet, budgetsFile: String, current runs: [GateRun]) {
        var current: [MatchedSeries: [SeriesResult]] = [:]
        var runOf: [MatchedSeries: GateRun] = [:]
        for run in runs {
            for (key, s) in run.series {
                let id = MatchedSeries(scenario: run.scenario, environment: run.environment, tool: run.tool, key: key)
                current[id, default: []].append(s)
                runOf[id] = run
            }
        }
        let all = current.keys.sorted()
        var matched: [[MatchedSeries]] = []
        var problems: [PerfgateError] = []
        for budget in budgets.budgets {
            let ids = all.filter { id in runOf[id].map { budget.selector.matches(run: $0, key: id.key) } ?? false }
            matched.append(ids)
            // Units: the first series whose unit does not fit a rule's limit, once per rule.
            for rule in budget.rules {
                guard let written = rule.unit else { continue }
                for id in ids {
                    guard let s0 = current[id]?.first else { continue }
                    let expected = rule.statistic.unit(seriesUnit: s0.unit)
                    let compatible = written == expected || (written == .count && expected == .none)
                    if written == .ratio && expected == .percent {
                        // 0–100 values (older stores) against a fraction would compare 53 with 0.70.
                        problems.append(
                            PerfgateError(
                                .malformedInput,
                                "'\(rule.source)' is a percentage but \(id.key.metric) was stored as 0–100 by an older perfgate, so it cannot be compared",
                                at: SourceLocation(file: budgetsFile, jsonPath: rule.path),
                                notes: ["ingest the result file again: perfgate now stores \"%\" series as fractions (53 % as 0.53)"]))
                        break
                    }
                    if !compatible {
                        problems.append(
                            PerfgateError(
                                .malformedInput,
                                "'\(rule.source)' is in \(written == .none ? "no unit" : written.rawValue) but \(rule.statistic) of \(id.key.metric) is in \(expected == .none ? "plain numbers" : expected.rawValue)",
                                at: SourceLocation(file: budgetsFile, jsonPath: rule.path)))
                        break
                    }
                }
            }
            if ids.isEmpty {
                problems.append(
                    PerfgateError(
                        .malformedInput, "budget '\(budget.name)' matches no series in the evaluated results",
                        at: SourceLocation(file: budgetsFile, jsonPath: budget.path),
                        notes: Self.metricSuggestion(all, metric: budget.selector.effectiveMetric)
                            + [Self.presentSeries(all, metric: budget.selector.effectiveMetric)]))
                continue
            }
            // Statistics: each must be reported by at least one matched series (once per statistic).
            var seen = Set<Statistic>()
            for rule in budget.rules where seen.insert(rule.statistic).inserted {
                let reported = ids.contains { id in (current[id] ?? []).contains { $0.stats[rule.statistic] != nil } }
                if !reported {
                    problems.append(
                        PerfgateError(
                            .malformedInput, "no series matched by budget '\(budget.name)' reports \(rule.statistic)",
                            at: SourceLocation(file: budgetsFile, jsonPath: rule.path),
                            notes: ["k6 reports only its summaryTrendStats (add e.g. 'p(99)'), Locust its percentile columns"]))
                }
            }
        }
        self.current = current
        self.runOf = runOf
        self.matched = matched
        self.problems = problems
    }

    /// "did you mean" for a metric no series has (a misspelt server-side metric, `app_memory_byte`).
    static func metricSuggestion(_ ids: [MatchedSeries], metric: String) -> [String] {
        let metrics = Set(ids.map(\.key.metric))
        guard !metrics.contains(metric), let near = KeySuggestion.nearest(to: metric, among: metrics.sorted()) else { return [] }
        return ["did you mean \"metric\": \"\(near)\"?"]
    }

    /// A short list of the series present, for "matches no series" errors: those of the budget's
    /// metric when there are any (the endpoints a selector can pick), else every series.
    static func presentSeries(_ ids: [MatchedSeries], metric: String) -> String {
        let same = ids.filter { $0.key.metric == metric }
        let names = same.isEmpty
            ? Set(ids.map { $0.key.endpoint.isEmpty ? "(all) \($0.key.metric)" : "\($0.key.endpoint) \($0.key.metric)" })
            : Set(same.map { $0.key.endpoint.isEmpty ? "(all)" : $0.key.endpoint })
        let sorted = names.sorted()
        let list = sorted.prefix(12).joined(separator: "; ") + (sorted.count > 12 ? "; +\(sorted.count - 12) more" : "")
        return same.isEmpty ? "series present: \(list)" : "\(metric) series present: \(list)"
    }
}
