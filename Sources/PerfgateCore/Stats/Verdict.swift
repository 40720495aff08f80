import Foundation

/// The gate's verdict for one metric.
public enum Verdict: String, Sendable, Hashable, Codable, CaseIterable {
    case pass
    case warn
    case fail
    case improved
    case noBaseline = "no-baseline"
    case insufficientData = "insufficient-data"
}

/// Which evidence produced a metric's primary test.
public enum EvidenceTier: String, Sendable, Hashable, Codable, CaseIterable {
    /// Paired interleaved runs (T8).
    case paired = "P"
    /// Baseline-branch history (T1).
    case history = "B"
    /// Replicate runs on both sides (T5 on ln).
    case replicates = "R"
    /// Raw samples of a single pair (warn only by default).
    case rawPair = "A"
    /// Summaries of a single pair (warn only by default).
    case summaryPair = "C"

    /// Tiers whose p-values carry only within-run noise.
    public var isSinglePair: Bool { self == .rawPair || self == .summaryPair }
}

/// Why a metric could not be evaluated (first applicable reason is reported).
public enum InsufficientReason: String, Sendable, Hashable, Codable, CaseIterable {
    case metricAbsent = "metric absent in the current run"
    case invalidValue = "invalid value"
    case tooFewPairs = "fewer than 3 pairs"
    case tooFewHistoryRuns = "too few history runs"
    case tooFewSamples = "fewer than 4 samples on a side"
    case tooFewRequests = "too few requests for this percentile"
    case unboundedInterval = "unbounded confidence interval"
}

/// Thresholds of the verdict.
public struct VerdictPolicy: Sendable, Hashable, Codable {
    public var alpha: Double = 0.05
    public var warnRel: Double = 0.05
    public var failRel: Double = 0.10
    public var warnAbs: Double = 0.001
    public var failAbs: Double = 0.005
    public var singlePairCanFail: Bool = false

    public init(
        alpha: Double = 0.05, warnRel: Double = 0.05, failRel: Double = 0.10, warnAbs: Double = 0.001,
        failAbs: Double = 0.005, singlePairCanFail: Bool = false
    ) {
        self.alpha = alpha
        self.warnRel = warnRel
        self.failRel = failRel
        self.warnAbs = warnAbs
        self.failAbs = failAbs
        self.singlePairCanFail = singlePairCanFail
    }
}

/// What the verdict function needs for one metric.
public struct VerdictInput: Sendable, Hashable {
    public var hasBaseline: Bool
    /// Set when the data are insufficient; wins over everything but `hasBaseline`.
    public var insufficient: InsufficientReason?
    /// Oriented effect: `dir·ln(cur/base)` (> 0 = worse); for error rates the rate difference cur − base.
    public var effect: Double
    /// Adjusted q of the primary test; nil (or NaN) for effect-only metrics.
    public var q: Double?
    public var tier: EvidenceTier
    /// `cur − base` in linear units, compared with `minAbs`.
    public var absDelta: Double
    /// Resolution floor (`min_abs`), 0 = off.
    public var minAbs: Double
    /// Error-rate metrics use absolute thresholds.
    public var isErrorRate: Bool

    public init(
        hasBaseline: Bool = true, insufficient: InsufficientReason? = nil, effect: Double, q: Double?,
        tier: EvidenceTier, absDelta: Double = .infinity, minAbs: Double = 0, isErrorRate: Bool = false
    ) {
        self.hasBaseline = hasBaseline
        self.insufficient = insufficient
        self.effect = effect
        self.q = q
        self.tier = tier
        self.absDelta = absDelta
        self.minAbs = minAbs
        self.isErrorRate = isErrorRate
    }
}

extension Verdict {
    /// The decision with its reasons (empty when the verdict needs none).
    public static func decide(_ input: VerdictInput, policy: VerdictPolicy = VerdictPolicy()) -> (verdict: Verdict, reasons: [String]) {
        if !input.hasBaseline { return (.noBaseline, []) }
        if let reason = input.insufficient { return (.insufficientData, [reason.rawValue]) }
        if input.effect.isNaN { return (.insufficientData, [InsufficientReason.invalidValue.rawValue]) }
        if input.minAbs > 0 && abs(input.absDelta) <= input.minAbs { return (.pass, ["below resolution"]) }
        let warnT = input.isErrorRate ? policy.warnAbs : log1p(policy.warnRel)
        let failT = input.isErrorRate ? policy.failAbs : log1p(policy.failRel)
        let sig: Bool
        if let q = input.q, !q.isNaN { sig = q <= policy.alpha } else { sig = false }
        let d = input.effect
        var verdict: Verdict
        var reasons: [String] = []
        if sig && d >= failT {
            verdict = .fail
        } else if sig && d >= warnT {
            verdict = .warn
        } else if !sig && d >= failT {
            verdict = .warn
            reasons.append("large but not significant; noisy")
        } else if sig && d <= -warnT {
            verdict = .improved
        } else {
            verdict = .pass
        }
        if verdict == .fail && input.tier.isSinglePair && !policy.singlePairCanFail {
            verdict = .warn
            reasons.append("single pair: no run-to-run noise model")
        }
        return (verdict, reasons)
    }
}
