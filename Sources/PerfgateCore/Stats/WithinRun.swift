import Foundation

/// Error-rate rise within a run (docs/steady-state.md "Error-rate rise"): the error rate of the last
/// third of the steady state against the first third, with Fisher's exact test (one-sided: the last
/// part fails more often). "rising, significant" only when p ≤ ``alpha``.
public enum ErrorRise {
    /// The significance level of the one-sided test.
    public static let alpha = 0.05

    public enum Verdict: String, Sendable, Hashable, CaseIterable {
        case risingSignificant = "rising, significant"
        case risingNotSignificant = "rising, not significant"
        case notRising = "not rising"
        case notEnoughData = "not enough data"
    }

    public struct Result: Sendable, Hashable {
        public var verdict: Verdict
        /// Requests and errors of the first and last third.
        public var firstRequests: Double
        public var firstErrors: Double
        public var lastRequests: Double
        public var lastErrors: Double
        /// One-sided Fisher p (the last third fails more often); nil when not tested.
        public var p: Double?

        /// `error rate rising, significant: 0.10% → 2.40% (Fisher p = 0.0001, first vs last third of the steady state)`.
        public var words: String {
            guard verdict != .notEnoughData else { return "error rate \(verdict.rawValue): no requests in the steady state's first or last third" }
            let rate = { (e: Double, n: Double) in Formatting.value(e / n, unit: .ratio) }
            var s = "error rate \(verdict.rawValue): \(rate(firstErrors, firstRequests)) → \(rate(lastErrors, lastRequests))"
            if let p {
                let pText = p < 0.001 ? "p < 0.001" : "p = " + Formatting.fixed(p, 3)
                s += " (Fisher \(pText), first vs last third of the steady state)"
            }
            return s
        }
    }

    /// The test on counts: `[[lastErrors, lastOK], [firstErrors, firstOK]]`, alternative "greater".
    public static func test(firstRequests: Double, firstErrors: Double, lastRequests: Double, lastErrors: Double) -> Result {
        var r = Result(
            verdict: .notEnoughData, firstRequests: firstRequests, firstErrors: firstErrors, lastRequests: lastRequests,
            lastErrors: lastErrors, p: nil)
        guard firstRequests > 0, lastRequests > 0 else { return r }
        let (fe, fn, le, ln) = (Int(firstErrors.rounded()), Int(firstRequests.rounded()), Int(lastErrors.rounded()), Int(lastRequests.rounded()))
        guard le * fn > fe * ln else {
            r.verdict = .notRising
            return r
        }
        let p = Stats.fisherExact(le, ln - le, fe, fn - fe, alternative: .greater).pValue
        r.p = p
        r.verdict = p <= alpha ? .risingSignificant : .risingNotSignificant
        return r
    }

    /// The test on a run's timeline: the whole run's buckets in the first and last third (by bucket
    /// count) of `window` (the steady state, else the span at full load); nil without three buckets.
    public static func assess(_ timeline: RunTimeline, window: ClosedRange<Double>) -> Result? {
        let spans = timeline.wholeRunBuckets(inside: window)
        let third = spans.count / 3
        guard third >= 1 else { return nil }
        let first = spans.prefix(third)
        let last = spans.suffix(third)
        return test(
            firstRequests: first.reduce(0) { $0 + $1.bucket.requests }, firstErrors: first.reduce(0) { $0 + $1.bucket.errors },
            lastRequests: last.reduce(0) { $0 + $1.bucket.requests }, lastErrors: last.reduce(0) { $0 + $1.bucket.errors })
    }

    /// The same over a run's steady state (from its detection), else its span at full load.
    public static func assess(_ timeline: RunTimeline) -> Result? {
        let window = SteadyState.detect(timeline)?.window ?? Drift.steadyWindow(timeline, durationSeconds: nil)
        return window.flatMap { assess(timeline, window: $0) }
    }
}

/// Saturation over the load levels of a stepped run or a campaign (docs/capacity.md "Saturation"):
/// throughput stops growing with the load (the knee's throughput rule, ``KneeRule/throughputGain``)
/// while p95 keeps rising. It starts at the first level from which every level is flat in throughput,
/// and p95 rose into that level and across the flat stretch.
public enum Saturation: Sendable, Hashable {
    /// Saturated from `users` on: throughput about `requestsPerSecond` while p95 rose `fromP95` → `toP95`.
    case starts(users: Double, requestsPerSecond: Double, fromP95: Double, toP95: Double)
    /// Throughput still grew with the load up to `highest` users (or latency did not rise with it).
    case notReached(highest: Double)
    /// Fewer than two levels, or no throughput or p95 at some level.
    case notMeasured

    public static func find(_ curve: [LoadLevel], rule: KneeRule = .standard) -> Saturation {
        let levels = curve.sorted { $0.users < $1.users }
        guard levels.count >= 2, levels.allSatisfy({ $0.requestsPerSecond != nil && $0.p95 != nil }) else { return .notMeasured }
        var first: Int?
        for i in stride(from: levels.count - 1, through: 1, by: -1) {
            guard Capacity.throughputFlat(levels, at: i, rule: rule) else { break }
            first = i
        }
        guard let i = first, let before = levels[i - 1].p95, let at = levels[i].p95, let end = levels[levels.count - 1].p95,
            at > before, end >= at
        else { return .notReached(highest: levels[levels.count - 1].users) }
        return .starts(users: levels[i].users, requestsPerSecond: levels[i - 1].requestsPerSecond ?? 0, fromP95: before, toP95: end)
    }

    /// One line, the same words in `perfgate capacity` and on the run page.
    public var words: String {
        let u = { (x: Double) in Formatting.fixed(x, 0) }
        switch self {
        case .starts(let users, let rps, let a, let b):
            return "saturation from \(u(users)) users: throughput flat at \(Formatting.value(rps, unit: .perSecond)) while p95 rose \(Formatting.value(a, unit: .milliseconds)) → \(Formatting.value(b, unit: .milliseconds))"
        case .notReached(let highest): return "saturation: not reached up to \(u(highest)) users"
        case .notMeasured: return "saturation: not measured (needs two load levels with throughput and p95)"
        }
    }
}
