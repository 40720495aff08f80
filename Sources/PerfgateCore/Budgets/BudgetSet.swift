import Foundation

/// A validated budget file: no optionals where a default exists, canonical units everywhere.
/// Produced only by ``BudgetFile/validate()`` from the raw decoded file.
public struct BudgetSet: Sendable, Hashable, Codable {
    /// Fail with exit 3 when a relative or statistical rule has no baseline.
    public var requireBaseline: Bool
    public var baseline: BaselinePolicy
    public var statistics: StatisticsPolicy
    /// Score bands; nil means "no scoring: any failed rule fails the check".
    public var score: ScoreBands?
    /// The budgets in file order; later budgets refine earlier ones for the same series and statistic.
    public var budgets: [Budget]
    /// `capacity`: the knee rule, checked by `perfgate capacity` (docs/capacity.md).
    public var capacity: CapacityBudget?
    /// How the gate reads each run: the whole run, or its steady state (`"steadyState": "auto"`,
    /// `check --steady-state auto`; docs/steady-state.md).
    public var steadyState: SteadyState.Mode = .whole

    public init(
        requireBaseline: Bool = false, baseline: BaselinePolicy = BaselinePolicy(),
        statistics: StatisticsPolicy = StatisticsPolicy(), score: ScoreBands? = nil, budgets: [Budget] = [],
        capacity: CapacityBudget? = nil
    ) {
        self.capacity = capacity
        self.requireBaseline = requireBaseline
        self.baseline = baseline
        self.statistics = statistics
        self.score = score
        self.budgets = budgets
    }
}

/// Where the baseline comes from (CLI flags override).
public struct BaselinePolicy: Sendable, Hashable, Codable {
    public enum Strategy: String, Sendable, Hashable, Codable, CaseIterable {
        /// Newest runs at the newest base-branch commit that is an ancestor of the merge-base.
        case mergeBase = "merge-base"
        /// The last `window` runs of the base branch.
        case window
    }

    public var branch: String
    public var strategy: Strategy
    /// Runs in a window baseline (and the history used by statistical rules).
    public var window: Int
    /// How several baseline runs combine into one baseline value for absolute deltas.
    public var aggregate: Aggregate
    /// Allow baseline runs from another environment (never by default).
    public var allowEnvironmentMismatch: Bool

    public enum Aggregate: String, Sendable, Hashable, Codable, CaseIterable { case median, mean, geomean }

    public init(
        branch: String = "main", strategy: Strategy = .mergeBase, window: Int = 30, aggregate: Aggregate = .median,
        allowEnvironmentMismatch: Bool = false
    ) {
        self.branch = branch
        self.strategy = strategy
        self.window = window
        self.aggregate = aggregate
        self.allowEnvironmentMismatch = allowEnvironmentMismatch
    }
}

/// Defaults of the statistical rules.
public struct StatisticsPolicy: Sendable, Hashable, Codable {
    public enum Correction: String, Sendable, Hashable, Codable, CaseIterable { case bh, by, holm, none }
    public var alpha: Double
    public var correction: Correction
    /// Minimum baseline-branch runs for the history test (tier B).
    public var minHistory: Int
    /// Let single-pair comparisons (no noise model) fail instead of only warn.
    public var singlePairCanFail: Bool

    public init(alpha: Double = 0.05, correction: Correction = .bh, minHistory: Int = 5, singlePairCanFail: Bool = false) {
        self.alpha = alpha
        self.correction = correction
        self.minHistory = minHistory
        self.singlePairCanFail = singlePairCanFail
    }
}

/// Keptn-style score bands on 0–100: at or above `pass` passes, at or above `warn` warns, else fails.
public struct ScoreBands: Sendable, Hashable, Codable {
    public var pass: Double
    public var warn: Double
    public init(pass: Double = 90, warn: Double = 75) {
        self.pass = pass
        self.warn = warn
    }
}

/// Which series a budget applies to. Nil fields match everything; globs use `*` and `?`.
public struct Selector: Sendable, Hashable, Codable {
    public var scenario: String?
    public var environment: String?
    /// Glob on the endpoint; `""` selects the whole-run series only; nil selects every endpoint
    /// including the whole run.
    public var endpoint: String?
    /// Metric name; nil means `http_req_duration`.
    public var metric: String?
    /// Run tags that must match (value globs).
    public var tags: [String: String]

    public init(scenario: String? = nil, environment: String? = nil, endpoint: String? = nil, metric: String? = nil, tags: [String: String] = [:]) {
        self.scenario = scenario
        self.environment = environment
        self.endpoint = endpoint
        self.metric = metric
        self.tags = tags
    }

    public var effectiveMetric: String { metric ?? SeriesKey.requestLatencyMetric }
}

/// One entry of `budgets`: a selector and its rules.
public struct Budget: Sendable, Hashable, Codable {
    /// A label for outputs; defaults to a description of the selector.
    public var name: String
    public var selector: Selector
    public var rules: [Rule]
    /// JSON path of this budget in the file (`budgets[3]`), for errors such as "matches no series".
    public var path: String

    public init(name: String, selector: Selector, rules: [Rule], path: String) {
        self.name = name
        self.selector = selector
        self.rules = rules
        self.path = path
    }
}

/// Severity of a rule: a warning never fails the check.
public enum Level: String, Sendable, Hashable, Codable, CaseIterable, Comparable {
    case warn, fail
    public static func < (a: Level, b: Level) -> Bool { a == .warn && b == .fail }
}

/// One checkable rule on one statistic.
public struct Rule: Sendable, Hashable, Codable {
    public enum Kind: Sendable, Hashable, Codable {
        /// The statistic must satisfy `op limit` (canonical units), e.g. p95 < 200 ms.
        case absolute(op: Comparison, limit: Double)
        /// At most this much worse than the baseline, direction-aware: a fraction (`0.10` = 10 %)
        /// or, when `absoluteAmount` is true, an amount in canonical units (20 ms).
        case relative(limit: Double, absoluteAmount: Bool)
        /// Worse than the baseline by at least `minEffect` (fraction) AND statistically significant.
        case statistical(minEffect: Double)
        /// Within-run drift of the current run (docs/drift.md): fails when the steady state is
        /// "drifting up" by more than `limit` (a fraction of the level per hour, 0.05 for `"5%/h"`).
        case drift(limit: Double)
        /// The current run must reach a steady state (docs/steady-state.md): fails when its warm-up
        /// never ended, its latency is still rising, or its steady state is too short.
        case steady
    }

    public var statistic: Statistic
    public var kind: Kind
    public var level: Level
    public var weight: Double
    /// Fails the check regardless of the score.
    public var key: Bool
    /// The rule as the user wrote it (`p(95)<200`, `p95: +10%`), for outputs.
    public var source: String
    /// JSON path of the rule in the file.
    public var path: String
    /// The canonical unit the limit (or the absolute amount of a relative rule) was written in:
    /// `.milliseconds` for `"200ms"`, `.ratio` for `"1%"`, `.perSecond`, `.bytes`, `.count`.
    /// Nil when the number carries no unit of its own (a fraction of the baseline, a minimum effect, or a
    /// plain number on a custom metric): it is then in the series' canonical unit. The gate checks it
    /// against the series' unit, which is unknown while the file is validated.
    public var unit: MetricUnit?

    public init(
        statistic: Statistic, kind: Kind, level: Level, weight: Double = 1, key: Bool = false, source: String, path: String,
        unit: MetricUnit? = nil
    ) {
        self.statistic = statistic
        self.kind = kind
        self.level = level
        self.weight = weight
        self.key = key
        self.source = source
        self.path = path
        self.unit = unit
    }
}

/// Comparison operators of absolute rules.
public enum Comparison: String, Sendable, Hashable, Codable, CaseIterable {
    case lt = "<", le = "<=", gt = ">", ge = ">="

    public func holds(_ value: Double, _ limit: Double) -> Bool {
        switch self {
        case .lt: return value < limit
        case .le: return value <= limit
        case .gt: return value > limit
        case .ge: return value >= limit
        }
    }
}

/// `"capacity": {"knee": "-10%"}`: fail when the knee moves to a lower load by more than `kneeDrop`.
public struct CapacityBudget: Sendable, Hashable, Codable {
    /// The largest allowed move of the knee to a lower load, as a fraction (0.10 for `-10%`).
    public var kneeDrop: Double
    /// The rule as written (`-10%`).
    public var source: String

    public init(kneeDrop: Double, source: String) {
        self.kneeDrop = kneeDrop
        self.source = source
    }
}
