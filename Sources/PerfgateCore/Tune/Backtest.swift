import Foundation

/// The analysis behind `perfgate tune` (docs/tune.md): given what the gate said at every commit of a
/// replayed base-branch history, and the history itself, which failures coincide with a lasting level
/// change (likely true alarms), which do not (likely false alarms), which lasting regressions no rule
/// caught, and which limits would have done better. Pure: the replay (the gate at every commit, with
/// the baseline it would have had) is done by the caller, through `Gate.evaluate`.
public enum Backtest {
    /// One rule as findings name it: budget name, rule class and statistic, with the rule's JSON path.
    public struct RuleID: Sendable, Hashable, Codable, Comparable {
        public var budget: String
        public var ruleClass: Finding.RuleClass
        public var statistic: String
        /// JSON path of the (fail-level, else warn-level) rule in the budget file.
        public var path: String

        public init(budget: String, ruleClass: Finding.RuleClass, statistic: String, path: String) {
            self.budget = budget
            self.ruleClass = ruleClass
            self.statistic = statistic
            self.path = path
        }

        public init(_ f: Finding) {
            self.init(budget: f.budget, ruleClass: f.ruleClass, statistic: f.statistic, path: f.rulePath)
        }

        public var label: String { "\(budget) \(ruleClass.rawValue) \(statistic)" }

        public static func < (a: RuleID, b: RuleID) -> Bool {
            (a.path, a.budget, a.ruleClass.rawValue, a.statistic) < (b.path, b.budget, b.ruleClass.rawValue, b.statistic)
        }
    }

    /// One series of one scenario in one environment.
    public struct SeriesID: Sendable, Hashable, Codable, Comparable {
        public var scenario: String
        public var environment: String
        public var endpoint: String
        public var metric: String

        public init(scenario: String, environment: String, endpoint: String, metric: String) {
            self.scenario = scenario
            self.environment = environment
            self.endpoint = endpoint
            self.metric = metric
        }

        public init(_ f: Finding) {
            self.init(scenario: f.scenario, environment: f.environment, endpoint: f.endpoint, metric: f.metric)
        }

        /// `POST /api/orders` (or `(all)`, with the metric when it is not request latency).
        public var label: String {
            let ep = endpoint.isEmpty ? "(all)" : endpoint
            return metric == SeriesKey.requestLatencyMetric ? ep : "\(ep) \(metric)"
        }

        public static func < (a: SeriesID, b: SeriesID) -> Bool {
            (a.scenario, a.environment, a.endpoint, a.metric) < (b.scenario, b.environment, b.endpoint, b.metric)
        }
    }

    /// A finding that failed or warned at one commit. `worse` is the change in the metric's bad
    /// direction (+0.25 = 25 % worse), relative to the value the rule compared with.
    public struct Alarm: Sendable, Hashable, Codable {
        public var rule: RuleID
        public var series: SeriesID
        public var verdict: Verdict
        public var worse: Double?

        public init(rule: RuleID, series: SeriesID, verdict: Verdict, worse: Double?) {
            self.rule = rule
            self.series = series
            self.verdict = verdict
            self.worse = worse
        }

        /// The fails and warns of a gate outcome.
        public static func of(_ outcome: GateOutcome) -> [Alarm] {
            outcome.findings.compactMap { f in
                guard f.verdict == .fail || f.verdict == .warn else { return nil }
                return Alarm(rule: RuleID(f), series: SeriesID(f), verdict: f.verdict, worse: f.change.map { f.direction.sign * $0 })
            }
        }
    }

    /// What the replayed gate said at one commit.
    public struct CommitRecord: Sendable, Hashable {
        public var sha: String
        /// False when the commit could not be evaluated (`skipped` says why) or lies before `--last`.
        public var evaluated: Bool
        public var skipped: String?
        public var baselineMissing: Bool
        public var verdict: Verdict?
        /// Fails and warns under the budget as written.
        public var alarms: [Alarm]
        /// Fails under the probe budget (every tunable limit at `probeLimit`): `worse` then says up to
        /// which limit the finding would still have failed.
        public var probeFails: [Alarm]
        /// (rule, series) pairs the gate evaluated at this commit, any verdict.
        public var coverage: Set<Coverage>

        public init(
            sha: String, evaluated: Bool, skipped: String? = nil, baselineMissing: Bool = false, verdict: Verdict? = nil,
            alarms: [Alarm] = [], probeFails: [Alarm] = [], coverage: Set<Coverage> = []
        ) {
            self.sha = sha
            self.evaluated = evaluated
            self.skipped = skipped
            self.baselineMissing = baselineMissing
            self.verdict = verdict
            self.alarms = alarms
            self.probeFails = probeFails
            self.coverage = coverage
        }

        /// A record of one commit from the gate's outcomes under the budget and the probe budget.
        public init(sha: String, outcome: GateOutcome, probe: GateOutcome?) {
            self.init(
                sha: sha, evaluated: true, baselineMissing: outcome.baselineMissing, verdict: outcome.verdict,
                alarms: Alarm.of(outcome), probeFails: (probe.map(Alarm.of) ?? []).filter { $0.verdict == .fail },
                coverage: Set(outcome.findings.map { Coverage(rule: RuleID($0), series: SeriesID($0)) }))
        }
    }

    public struct Coverage: Sendable, Hashable {
        public var rule: RuleID
        public var series: SeriesID
        public init(rule: RuleID, series: SeriesID) {
            self.rule = rule
            self.series = series
        }
    }

    /// One statistic of one series, one value per run, in replay order (several runs of a commit adjacent).
    public struct SeriesHistory: Sendable {
        public var series: SeriesID
        public var statistic: Statistic
        public var direction: Direction
        public var unit: MetricUnit
        public var tool: String
        public var points: [(sha: String, value: Double)]

        public init(series: SeriesID, statistic: Statistic, direction: Direction, unit: MetricUnit, tool: String, points: [(sha: String, value: Double)]) {
            self.series = series
            self.statistic = statistic
            self.direction = direction
            self.unit = unit
            self.tool = tool
            self.points = points
        }
    }

    public struct Options: Sendable, Hashable {
        /// Smallest lasting regression a budget must catch (0.10 = 10 %).
        public var minChange: Double = 0.10
        /// Accepted false alarms per commit (0.01 = 1 in 100).
        public var targetFalseAlarms: Double = 0.01
        /// Limits tried for relative and statistical rules.
        public var candidates: [Double] = Backtest.candidates
        public init(minChange: Double = 0.10, targetFalseAlarms: Double = 0.01) {
            self.minChange = minChange
            self.targetFalseAlarms = targetFalseAlarms
        }
    }

    /// The limits `tune` tries, smallest first.
    public static let candidates: [Double] = [
        0.01, 0.015, 0.02, 0.025, 0.03, 0.04, 0.05, 0.06, 0.07, 0.08, 0.09, 0.10, 0.12, 0.15, 0.20, 0.25, 0.30, 0.40, 0.50, 0.75, 1.0,
    ]
    /// The limit every tunable rule gets in the probe replay: below every candidate.
    public static let probeLimit = 0.005

    /// The probe budget: every relative (fraction) and statistical rule at `probeLimit`, its warn-level
    /// twin dropped, everything else as written. A finding that fails under it, `worse` = w, would
    /// fail under any limit below w (the same evidence, resolution and noise tests apply).
    public static func probe(_ budgets: BudgetSet) -> BudgetSet {
        var out = budgets
        for i in out.budgets.indices {
            let rules = out.budgets[i].rules
            let failing = Set(rules.filter { $0.level == .fail && isTunable($0) }.map { "\($0.statistic.rawValue)\u{1}\(classOf($0))" })
            out.budgets[i].rules = rules.compactMap { r in
                guard isTunable(r) else { return r }
                if r.level == .warn && failing.contains("\(r.statistic.rawValue)\u{1}\(classOf(r))") { return nil }
                var r = r
                r.kind = withLimit(r.kind, probeLimit)
                return r
            }
        }
        return out
    }

    /// Relative rules written as a fraction and statistical rules (but not on error rates, whose effect
    /// is in percentage points): the rules `tune` suggests limits for.
    public static func isTunable(_ r: Rule) -> Bool {
        switch r.kind {
        case .relative(_, let amount): return !amount
        case .statistical: return r.statistic != .errorRate
        case .absolute, .drift, .steady: return false
        }
    }

    static func classOf(_ r: Rule) -> Finding.RuleClass {
        switch r.kind {
        case .absolute: return .absolute
        case .relative: return .relative
        case .statistical: return .statistical
        case .drift: return .drift
        case .steady: return .steady
        }
    }

    static func limitOf(_ k: Rule.Kind) -> Double? {
        switch k {
        case .relative(let l, false): return l
        case .statistical(let e): return e
        case .absolute(_, let l): return l
        default: return nil
        }
    }

    static func withLimit(_ k: Rule.Kind, _ v: Double) -> Rule.Kind {
        switch k {
        case .relative(_, let amount): return .relative(limit: v, absoluteAmount: amount)
        case .statistical: return .statistical(minEffect: v)
        case .absolute(let op, _): return .absolute(op: op, limit: v)
        case .drift: return .drift(limit: v)
        case .steady: return .steady
        }
    }

    /// Rules `tune` suggests a limit for: the tunable ones and absolute limits (whose verdict is the
    /// value against the limit, so the history's values answer directly).
    public static func isSuggested(_ r: Rule) -> Bool {
        if case .absolute = r.kind { return true }
        return isTunable(r)
    }

    /// Two significant digits, rounded up (`up`) or down: 187.3 → 190 / 180.
    static func nice(_ v: Double, up: Bool) -> Double {
        guard v.isFinite, v > 0 else { return v }
        let step = pow(10, floor(log10(v)) - 1)
        return (up ? (v / step - 1e-9).rounded(.up) : (v / step + 1e-9).rounded(.down)) * step
    }

    /// `budgets` with the fail-level limit of each rule at a path of `limits` replaced (and its warn
    /// twin scaled by the same factor), as `--write-suggestions` writes it.
    public static func applying(_ limits: [String: Double], to budgets: BudgetSet) -> BudgetSet {
        var out = budgets
        for i in out.budgets.indices {
            let rules = out.budgets[i].rules
            var factor: [String: Double] = [:]
            for r in rules where r.level == .fail && isTunable(r) {
                if let new = limits[r.path], let old = limitOf(r.kind), old > 0 { factor["\(r.statistic.rawValue)\u{1}\(classOf(r))"] = new / old }
            }
            out.budgets[i].rules = rules.map { r in
                var r = r
                if r.level == .fail, let new = limits[r.path] {
                    r.kind = withLimit(r.kind, new)
                } else if r.level == .warn, let f = factor["\(r.statistic.rawValue)\u{1}\(classOf(r))"], let old = limitOf(r.kind) {
                    r.kind = withLimit(r.kind, roundedLimit(old * f))
                }
                return r
            }
        }
        return out
    }

    /// A limit rounded to half a percent (never below it), as suggestions are written.
    public static func roundedLimit(_ v: Double) -> Double {
        max(0.005, (v * 200).rounded() / 200)
    }
}
