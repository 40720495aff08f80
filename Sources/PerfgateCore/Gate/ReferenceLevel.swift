import Foundation

/// The base branch's level of one (series, statistic) at the baseline commit, and the run-to-run
/// spread around it (docs/gate.md, "The reference level").
///
/// The history (base-branch runs in first-parent order, oldest first) is cut into regimes at the
/// change points E-Divisive finds on the per-commit means. E-Divisive needs `minSize` (3) commits on
/// each side, so a change that landed one or two commits ago is not one of them: the newest one or
/// two commits are tested against the regime before them ("tail shift") and, when their level
/// differs, they are the newest regime. The newest regime is the reference even when it has a single
/// run; the spread then comes from the longer regimes (pooled, T1b).
///
/// A shift seen on one commit only is *unconfirmed*: it may be a landed change or one unusual run
/// (a noisy runner, a lucky fast run). A verdict of worse or better then has to hold against both
/// levels — the run before and the regime before it — so a commit that returns from an unusual run is
/// neither a regression nor an improvement, and a commit after a landed change is not blamed for it.
struct ReferenceLevel {
    /// Run values per regime, oldest regime first; the last one is the reference.
    var segments: [[Double]]
    /// Commit where the newest regime starts, when the history has more than one.
    var newestStart: String?
    /// The regime before an unconfirmed (one-commit) tail shift, which a verdict must also hold against.
    var priorToUnconfirmedShift: [Double]?
    /// The tool's typical run-to-run spread, moderating the spread of a short history.
    var variancePrior: Stats.VariancePrior?

    var newest: [Double] { segments.last ?? [] }

    /// p-value a one- or two-commit tail must reach to start a regime of its own.
    static let tailShiftP = 0.01
    /// Smallest tail shift (relative) taken as a new level; E-Divisive's minimum magnitude.
    static let tailShiftMagnitude = 0.02

    /// Builds the regimes of `history` ((commit, value) in first-parent order, oldest first, values > 0).
    /// `quantization` is the tool's resolution, which bounds how small a tail shift can be.
    static func build(
        history: [(sha: String, value: Double)], minHistory: Int, quantization: Stats.Quantization, prior: Stats.VariancePrior?
    ) -> ReferenceLevel {
        // Runs grouped by commit, in order.
        var commits: [(sha: String, values: [Double])] = []
        for (sha, v) in history {
            if let last = commits.last, last.sha == sha { commits[commits.count - 1].values.append(v) } else { commits.append((sha, [v])) }
        }
        guard !commits.isEmpty else { return ReferenceLevel(segments: [], newestStart: nil, priorToUnconfirmedShift: nil, variancePrior: prior) }
        // Regimes at E-Divisive change points on per-commit geometric means.
        var cuts: [Int] = []
        if commits.count >= 6 {
            let means = commits.map { exp($0.values.map(log).reduce(0, +) / Double($0.values.count)) }
            if let cps = Stats.ChangePoints.eDivisive(means) { cuts = cps.map(\.index).sorted() }
        }
        var bounds = [0] + cuts + [commits.count]
        // Tail shift: the newest one or two commits against the rest of their regime; of the two
        // candidates that pass, the one with the larger |t| (a one-commit spike does not drag the commit
        // before it into the new level, and a two-commit level is not mistaken for a spike).
        var unconfirmed: Int?
        let lastStart = bounds[bounds.count - 2]
        var best: (t: Int, score: Double)?
        for t in [1, 2] {
            guard commits.count - t - lastStart >= 3 else { continue }
            // The regime before the tail without its outliers (one noisy run in it must not hide the shift).
            let before = hampel(commits[lastStart..<(commits.count - t)].flatMap(\.values), minimum: 3)
            let tail = commits[(commits.count - t)...].flatMap(\.values)
            // Only the test is read here, not its interval.
            guard let r = Stats.History.logT(history: before, current: tail, quantization: quantization, prior: prior, interval: false) else { continue }
            let step = quantization.step(at: r.baselineCentre)
            guard r.pValue <= tailShiftP, abs(r.logDifference) >= log1p(tailShiftMagnitude),
                abs(r.currentCentre - r.baselineCentre) > step
            else { continue }
            let score = r.t.isFinite ? abs(r.t) : .greatestFiniteMagnitude
            if best == nil || score > best!.score { best = (t, score) }
        }
        if let b = best {
            bounds.insert(commits.count - b.t, at: bounds.count - 1)
            if b.t == 1 { unconfirmed = commits.count - 1 }
        }
        var segments: [[Double]] = []
        for i in 0..<(bounds.count - 1) where bounds[i] < bounds[i + 1] {
            segments.append(commits[bounds[i]..<bounds[i + 1]].flatMap(\.values))
        }
        // Hampel filter inside each regime; it may drop outliers but never make a regime too short to use.
        segments = segments.map { hampel($0, minimum: minHistory) }
        let start = segments.count > 1 ? commits[bounds[bounds.count - 2]].sha : nil
        return ReferenceLevel(
            segments: segments, newestStart: start,
            priorToUnconfirmedShift: unconfirmed != nil && segments.count >= 2 ? segments[segments.count - 2] : nil, variancePrior: prior)
    }

    /// `values` without Hampel outliers (k = 5 on ln), unless that leaves fewer than `minimum`.
    static func hampel(_ values: [Double], minimum: Int) -> [Double] {
        let keep = Stats.hampelKeep(values.map(log))
        let kept = zip(values, keep).filter(\.1).map(\.0)
        return kept.count >= min(values.count, minimum) ? kept : values
    }

    /// The history test (T1, or T1b when the newest regime is shorter than `minHistory`) of `current`
    /// against the reference; nil when the history cannot support it.
    func test(current: [Double], minHistory: Int, alpha: Double, quantization: Stats.Quantization) -> (result: Stats.HistoryLogTResult, method: String, n: Int)? {
        guard !newest.isEmpty, !current.isEmpty else { return nil }
        if newest.count >= minHistory {
            guard let r = Stats.History.logT(history: newest, current: current, alpha: alpha, quantization: quantization, prior: variancePrior) else { return nil }
            return (r, segments.count > 1 ? "history log-t (since change point)" : "history log-t", newest.count)
        }
        guard segments.count > 1, segments.reduce(0, { $0 + $1.count }) - segments.count >= 2,
            let r = Stats.History.pooledLogT(segments: segments, current: current, alpha: alpha, quantization: quantization, prior: variancePrior)
        else { return nil }
        return (r, "history log-t, pooled segments (T1b)", newest.count)
    }

    /// The same test against the regime before an unconfirmed shift (nil when there is none).
    func testAgainstPrior(current: [Double], alpha: Double, quantization: Stats.Quantization) -> Stats.HistoryLogTResult? {
        guard let prior = priorToUnconfirmedShift, segments.count >= 2 else { return nil }
        var pooled = Array(segments.dropLast())
        pooled[pooled.count - 1] = prior
        return Stats.History.pooledLogT(segments: pooled, current: current, alpha: alpha, quantization: quantization, prior: variancePrior)
    }

    /// Geometric mean of the reference regime.
    var centre: Double? {
        guard !newest.isEmpty else { return nil }
        return exp(newest.map(log).reduce(0, +) / Double(newest.count))
    }

    /// Geometric mean of the regime before an unconfirmed shift.
    var priorCentre: Double? {
        guard let p = priorToUnconfirmedShift, !p.isEmpty else { return nil }
        return exp(p.map(log).reduce(0, +) / Double(p.count))
    }
}

/// Reference levels already built, keyed by everything `ReferenceLevel.build` reads, so that the
/// rules of one check that read the same (series, statistic) — a relative and a statistical rule on
/// p95 — share one, and `perfgate tune` shares them between the evaluations of one replayed commit
/// (the budget, the probe budget and the suggested budget see the same history). The build is a pure
/// function of the key: a cached level is the level that would have been built.
public final class ReferenceLevelCache: @unchecked Sendable {
    struct Key: Hashable {
        var shas: [String]
        var values: [Double]
        var minHistory: Int
        var quantization: Stats.Quantization
        var prior: Stats.VariancePrior?
    }

    private let lock = NSLock()
    private var levels: [Key: ReferenceLevel] = [:]

    public init() {}

    /// `ReferenceLevel.build` of these arguments, built once.
    func level(
        history: [(sha: String, value: Double)], minHistory: Int, quantization: Stats.Quantization, prior: Stats.VariancePrior?
    ) -> ReferenceLevel {
        let key = Key(shas: history.map(\.sha), values: history.map(\.value), minHistory: minHistory, quantization: quantization, prior: prior)
        if let hit = lock.withLock({ levels[key] }) { return hit }
        let built = ReferenceLevel.build(history: history, minHistory: minHistory, quantization: quantization, prior: prior)
        lock.withLock { levels[key] = built }
        return built
    }
}
