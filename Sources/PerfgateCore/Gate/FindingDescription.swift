import Foundation

/// The one description of a finding: what a decision is called, which symbol and which colour class it
/// gets. Every output uses it: the `check` table, Markdown, JUnit, JSON and GitHub annotations
/// (``GateReport``), `perfgate compare`, and every page of `perfgate report` and its `summary.md`.
///
/// A row is coloured (``isChange``) only when a statistical or budget decision says the series changed:
/// a gate verdict of fail, warn or improved, or a significant change in a comparison or trend test. A
/// raw percentage never colours anything; a change the test cannot tell from noise reads
/// "no significant change" (`~`).
public struct FindingDescription: Sendable, Hashable, Codable {
    public enum Kind: String, Sendable, Hashable, Codable, CaseIterable {
        /// The gate failed the rule.
        case fail
        /// The gate warned.
        case warn
        /// A significant change for the worse where nothing gates (a comparison, a trend).
        case worse
        /// Improved (gate), or a significant change for the better.
        case better
        /// The test ran and the change is not significant (`~`).
        case unchanged
        /// Within the rule's limit: an absolute or relative rule held, or a significant change smaller than
        /// the rule's minimum effect.
        case withinLimit = "within-limit"
        case insufficientData = "insufficient-data"
        case noBaseline = "no-baseline"
    }

    public var kind: Kind
    /// The gate's word (`FAIL`, `FAIL (key)`, `warn`, `pass`, `improved`, `no-baseline`,
    /// `insufficient-data`); empty where nothing gates.
    public var verdict: String
    /// Plain words: `slower, significant`, `over its limit`, `no significant change`, `insufficient data`…
    public var words: String
    /// `✗` worse (fail, warn or a significant change), `✓` better, `~` no significant change, `=` within
    /// the limit, `?` insufficient data, `∅` no baseline.
    public var symbol: String

    /// The CSS class of a coloured cell or row: `fail`, `warn`, `worse`, `better` (coloured) or `same`,
    /// `unknown` (muted).
    public var cssClass: String {
        switch kind {
        case .fail: return "fail"
        case .warn: return "warn"
        case .worse: return "worse"
        case .better: return "better"
        case .unchanged, .withinLimit: return "same"
        case .insufficientData, .noBaseline: return "unknown"
        }
    }

    /// True when the decision is a change (fail, warn, worse, better): only then is a row red, amber or green.
    public var isChange: Bool { [.fail, .warn, .worse, .better].contains(kind) }

    /// What every output prints in its verdict column: `FAIL · slower, significant`, `pass · no significant
    /// change`, `insufficient data`; without a verdict, the words alone.
    public var label: String {
        if verdict.isEmpty || verdict == kind.rawValue && (kind == .insufficientData || kind == .noBaseline) { return words }
        return verdict + " · " + words
    }

    /// `✗ FAIL · slower, significant`.
    public var symbolLabel: String { symbol + " " + label }

    init(kind: Kind, verdict: String, words: String) {
        self.kind = kind
        self.verdict = verdict
        self.words = words
        self.symbol = Self.symbol(kind)
    }

    static func symbol(_ kind: Kind) -> String {
        switch kind {
        case .fail, .warn, .worse: return "✗"
        case .better: return "✓"
        case .unchanged: return "~"
        case .withinLimit: return "="
        case .insufficientData: return "?"
        case .noBaseline: return "∅"
        }
    }

    /// `slower`/`faster` for durations, `more errors`/`fewer errors`, `less throughput`/`more throughput`,
    /// else `worse`/`better`.
    public static func directionWords(statistic: String, unit: MetricUnit) -> (worse: String, better: String) {
        if statistic == Statistic.errorRate.rawValue || statistic == Statistic.errors.rawValue { return ("more errors", "fewer errors") }
        if statistic == Statistic.throughput.rawValue { return ("less throughput", "more throughput") }
        if unit == .milliseconds { return ("slower", "faster") }
        return ("worse", "better")
    }

    /// Whether a statistical test ran on the finding and found no significant change.
    static func testedNotSignificant(_ f: Finding) -> Bool {
        guard let e = f.evidence, e.p != nil else { return false }
        return !e.significant
    }

    /// Whether a statistical rule was decided without a test (no p-value: "effect only", no noise model).
    static func untestedStatistical(_ f: Finding) -> Bool { f.ruleClass == .statistical && f.evidence?.p == nil }

    /// The gate's decision on one finding, as `perfgate check` and the report's status show it.
    public init(_ f: Finding) {
        let (worse, better) = Self.directionWords(statistic: f.statistic, unit: f.unit)
        var verdict = f.verdict == .fail ? "FAIL" : f.verdict.rawValue
        if f.key && f.verdict == .fail { verdict += " (key)" }
        func changeWords(_ dir: String) -> String {
            switch f.ruleClass {
            case .statistical where Self.untestedStatistical(f): return dir + " beyond the minimum effect (no test)"
            case .statistical: return dir + ", significant"
            case .relative: return dir + " beyond its limit"
            case .absolute: return "beyond its limit"
            case .drift: return "drifting up beyond its limit"
            case .steady: return "no steady state"
            }
        }
        // A steady rule states the run's warm-up and steady state (docs/steady-state.md) whatever it decided.
        if f.ruleClass == .steady, let words = f.steady {
            let kind: Kind =
                f.verdict == .fail ? .fail : f.verdict == .warn ? .warn : f.verdict == .pass ? .withinLimit : .insufficientData
            self.init(kind: kind, verdict: verdict, words: words)
            return
        }
        // A drift rule reads its own verdict (docs/drift.md): `no drift`, `inconclusive`, `not enough data`.
        if f.ruleClass == .drift, let words = f.drift, f.verdict == .pass || f.verdict == .insufficientData {
            self.init(kind: f.verdict == .pass ? .withinLimit : .insufficientData, verdict: verdict, words: words)
            return
        }
        switch f.verdict {
        case .fail: self.init(kind: .fail, verdict: verdict, words: changeWords(worse))
        case .warn: self.init(kind: .warn, verdict: verdict, words: changeWords(worse))
        case .improved: self.init(kind: .better, verdict: verdict, words: f.ruleClass == .statistical ? changeWords(better) : better)
        case .pass:
            if Self.testedNotSignificant(f) {
                self.init(kind: .unchanged, verdict: verdict, words: "no significant change")
            } else {
                self.init(kind: .withinLimit, verdict: verdict, words: "within budget")
            }
        case .insufficientData: self.init(kind: .insufficientData, verdict: verdict, words: "insufficient data")
        case .noBaseline: self.init(kind: .noBaseline, verdict: verdict, words: "no baseline")
        }
    }

    /// A finding of a comparison (`perfgate compare`, the report's compare and release pages), where
    /// nothing gates: a significant change of at least the minimum effect is `worse` or `better`.
    /// A change that no test could support (no p-value) is "not testable", never coloured.
    public init(comparing f: Finding) {
        let (worse, better) = Self.directionWords(statistic: f.statistic, unit: f.unit)
        if f.evidence?.p == nil, f.verdict != .insufficientData, f.verdict != .noBaseline {
            self.init(kind: .insufficientData, verdict: "", words: "not testable: " + (f.evidence?.method ?? "no test"))
            return
        }
        switch f.verdict {
        case .fail, .warn: self.init(kind: .worse, verdict: "", words: worse + ", significant")
        case .improved: self.init(kind: .better, verdict: "", words: better + ", significant")
        case .pass:
            if Self.testedNotSignificant(f) {
                self.init(kind: .unchanged, verdict: "", words: "no significant change")
            } else {
                self.init(kind: .withinLimit, verdict: "", words: "significant, below the minimum effect")
            }
        case .insufficientData: self.init(kind: .insufficientData, verdict: "", words: "insufficient data")
        case .noBaseline: self.init(kind: .noBaseline, verdict: "", words: "no baseline")
        }
    }

    /// A trend test where nothing gates (the report without a budget): `significant` nil when the test
    /// could not run; `orientedChange` > 0 is worse.
    public static func trend(significant: Bool?, orientedChange: Double, statistic: String, unit: MetricUnit) -> FindingDescription {
        let (worse, better) = directionWords(statistic: statistic, unit: unit)
        guard let significant else { return FindingDescription(kind: .insufficientData, verdict: "", words: "insufficient data") }
        guard significant, orientedChange != 0 else { return FindingDescription(kind: .unchanged, verdict: "", words: "no significant change") }
        return orientedChange > 0
            ? FindingDescription(kind: .worse, verdict: "", words: worse + ", significant")
            : FindingDescription(kind: .better, verdict: "", words: better + ", significant")
    }

    /// No decision at all (no comparison could run).
    public static let untested = FindingDescription(kind: .insufficientData, verdict: "", words: "not tested")
}
