import Foundation

/// One run as the gate sees it: where it ran and its series.
public struct GateRun: Sendable, Hashable {
    public var id: String
    public var commitSha: String
    public var scenario: String
    public var environment: String
    public var tool: String
    public var tags: [String: String]
    public var series: [SeriesKey: SeriesResult]

    public init(id: String, commitSha: String, scenario: String, environment: String, tool: String, tags: [String: String] = [:], series: [SeriesResult]) {
        self.id = id
        self.commitSha = commitSha
        self.scenario = scenario
        self.environment = environment
        self.tool = tool
        self.tags = tags
        self.series = Dictionary(series.map { ($0.key, $0) }, uniquingKeysWith: { a, _ in a })
    }
}

/// Where the baseline came from, in words, for every output.
public struct BaselineInfo: Sendable, Hashable, Codable {
    /// e.g. `main @ 9f8e7d6 (merge-base)`, `main, last 5 runs`, `Baselines/release-1.2.json`.
    public var description: String
    /// Commits the baseline runs belong to.
    public var commits: [String]
    /// Notices such as "merge-base 1234abc has no results; using the nearest earlier commit 9f8e7d6".
    public var notices: [String]

    public init(description: String, commits: [String] = [], notices: [String] = []) {
        self.description = description
        self.commits = commits
        self.notices = notices
    }
}

/// What the gate evaluates.
public struct GateInput: Sendable {
    public var budgets: BudgetSet
    /// Display path of the budget file, for "matches no series" errors.
    public var budgetsFile: String
    public var current: [GateRun]
    /// Runs forming the baseline (empty: no baseline).
    public var baseline: [GateRun]
    /// Base-branch history for statistical rules, newest last (may include the baseline runs).
    public var history: [GateRun]
    public var baselineInfo: BaselineInfo?
    /// Reference levels to reuse across evaluations over the same history (`perfgate tune` checks each
    /// replayed commit with several budgets); nil: one cache for this evaluation.
    public var referenceLevels: ReferenceLevelCache?

    public init(
        budgets: BudgetSet, budgetsFile: String, current: [GateRun], baseline: [GateRun], history: [GateRun], baselineInfo: BaselineInfo?,
        referenceLevels: ReferenceLevelCache? = nil
    ) {
        self.referenceLevels = referenceLevels
        self.budgets = budgets
        self.budgetsFile = budgetsFile
        self.current = current
        self.baseline = baseline
        self.history = history
        self.baselineInfo = baselineInfo
    }
}

/// The statistical evidence behind a verdict, shown beside it.
public struct StatisticalEvidence: Sendable, Hashable, Codable {
    /// e.g. `history log-t`, `quantile test (Fisher)`, `Mann–Whitney U`, `log-normal summary`.
    public var method: String
    public var tier: String
    public var p: Double?
    public var q: Double?
    /// 95 % CI of the ratio current/baseline (or of the rate difference for error rates).
    public var ciLow: Double?
    public var ciHigh: Double?
    /// ± half-width of the baseline centre, as a fraction.
    public var baselineSpread: Double?
    public var nBaseline: Int
    public var nCurrent: Int
    /// Minimum detectable effect (fraction) at 80 % power, when the model gives one.
    public var mde: Double?
    /// True when the change is significant at alpha after correction.
    public var significant: Bool
}

/// One evaluated rule on one series.
public struct Finding: Sendable, Hashable, Codable {
    public enum RuleClass: String, Sendable, Hashable, Codable { case absolute, relative, statistical, drift, steady }

    public var scenario: String
    public var environment: String
    public var endpoint: String
    public var metric: String
    public var statistic: String
    public var unit: MetricUnit
    public var direction: Direction
    public var ruleClass: RuleClass
    public var budget: String
    /// The limit(s) in words: `< 200.00 ms`, `≤ +10% worse (warn +5%)`, `≥ +10% and significant`.
    public var limit: String
    public var baseline: Double?
    public var current: Double?
    /// Relative change current/baseline − 1 (not oriented).
    public var change: Double?
    public var verdict: Verdict
    /// The level that was crossed, if any.
    public var levelHit: Level?
    public var key: Bool
    public var weight: Double
    public var reasons: [String]
    public var evidence: StatisticalEvidence?
    /// JSON path of the rule in the budget file.
    public var rulePath: String
    /// A drift rule's verdict on the current run in ``Drift/Verdict``'s words (`drifting up`, `no drift`,
    /// `inconclusive`, `not enough data`); nil for every other rule.
    public var drift: String? = nil
    /// A steady rule's words on the current run (``SteadyState/Detection/words``: `steady state reached: …`,
    /// `warm-up never ended: …`, `not enough data: …`); nil for every other rule.
    public var steady: String? = nil

    /// `GET /api/users p95` (or `http_reqs throughput` for other metrics).
    public var seriesLabel: String {
        let ep = endpoint.isEmpty ? "(all)" : endpoint
        return metric == SeriesKey.requestLatencyMetric ? "\(ep) \(statistic)" : "\(ep) \(metric) \(statistic)"
    }

    /// Sort rank: fail, warn, insufficient, no baseline, improved, pass.
    public var severityRank: Int {
        switch verdict {
        case .fail: return 0
        case .warn: return 1
        case .insufficientData: return 2
        case .noBaseline: return 3
        case .improved: return 4
        case .pass: return 5
        }
    }
}

/// The result of a whole check.
public struct GateOutcome: Sendable, Hashable, Codable {
    public var verdict: Verdict
    /// 0–100, weighted (pass = weight, warn = half, fail = 0).
    public var score: Double
    public var scoreBands: ScoreBands?
    public var findings: [Finding]
    public var baseline: BaselineInfo?
    public var baselineMissing: Bool
    public var requireBaseline: Bool
    public var correction: String
    public var alpha: Double
    public var notices: [String]

    public var counts: [Verdict: Int] {
        Dictionary(grouping: findings, by: \.verdict).mapValues(\.count)
    }

    /// The process exit status for this outcome (the exit-code table in README.md).
    public func exitStatus(failOnImprovement: Bool, requireBaseline flag: Bool) -> ExitStatus {
        if verdict == .fail { return .gateFailed }
        if (requireBaseline || flag) && baselineMissing { return .baselineMissing }
        if failOnImprovement && findings.contains(where: { $0.verdict == .improved }) && verdict != .warn {
            return .improvementsOnly
        }
        return .success
    }

    /// One line: `FAIL: 2 fail, 1 warn, 10 pass (score 71/100)`.
    public var headline: String {
        let order: [Verdict] = [.fail, .warn, .improved, .pass, .noBaseline, .insufficientData]
        let parts = order.compactMap { v in counts[v].map { "\($0) \(v.rawValue)" } }
        let word = verdict == .fail ? "FAIL" : verdict == .warn ? "WARN" : "PASS"
        var s = "\(word): " + parts.joined(separator: ", ")
        s += " (score \(Formatting.fixed(score, 0))/100"
        if let b = scoreBands { s += ", pass ≥ \(Formatting.fixed(b.pass, 0)), warn ≥ \(Formatting.fixed(b.warn, 0))" }
        s += ")"
        return s
    }
}
