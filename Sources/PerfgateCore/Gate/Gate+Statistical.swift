import Foundation

extension Gate {
    struct StatisticalResult {
        var evidence: StatisticalEvidence?
        var input: VerdictInput
        var policy: VerdictPolicy
        var baselineCentre: Double?
        /// Set when the reference is a one-commit shift: the verdict must also hold against the level before it.
        var priorLevel: PriorLevelCheck?
        /// Run-to-run spread (σ of ln) learned from the history, when there is one.
        var runToRunSigma: Double?
    }

    /// The history test against the regime before an unconfirmed (one-commit) level shift.
    struct PriorLevelCheck {
        /// Oriented effect `dir·ln(current/prior)`.
        var effect: Double
        var p: Double
        var centre: Double
        /// The commit whose run started the unconfirmed shift.
        var shiftCommit: String
    }

    /// Picks the strongest evidence available for one (series, statistic) and computes its test
    /// (history B > raw pair A > summary pair C): the tiers below, tried in that order.
    static func statistical(
        a: Applied, series: SeriesResult, current: [SeriesResult], baseline: [SeriesResult], history historyWithCommits: [(String, SeriesResult)],
        policy stats: StatisticsPolicy, tool: String, levels: ReferenceLevelCache
    ) -> StatisticalResult {
        let history = historyWithCommits.map(\.1)
        let stat = a.statistic
        let isErrorRate = stat == .errorRate
        var policy = VerdictPolicy(alpha: stats.alpha, singlePairCanFail: stats.singlePairCanFail)
        let failEffect: Double? = a.byLevel[.fail].flatMap { if case .statistical(let e) = $0.rule.kind { return e } else { return nil } }
        let warnEffect: Double? = a.byLevel[.warn].flatMap { if case .statistical(let e) = $0.rule.kind { return e } else { return nil } }
        let fail = failEffect ?? .infinity
        let warn = warnEffect ?? failEffect ?? .infinity
        if isErrorRate {
            policy.failAbs = fail
            policy.warnAbs = warn
        } else {
            policy.failRel = fail
            policy.warnRel = warn
        }
        let dir = stat.direction(seriesDirection: series.direction).sign
        let curValues = current.compactMap { $0.stats[stat] }
        let statUnit = stat.unit(seriesUnit: series.unit)
        let observed = curValues + baseline.compactMap { $0.stats[stat] }
        /// One resolution step at a level: a change within it is never a finding (docs/gate.md).
        func minAbs(at level: Double) -> Double { Gate.resolution(tool: tool, unit: statUnit, at: level, observed: observed) }

        // Error rates: binomial against pooled history, or Fisher for a single pair.
        func errorRateTier() -> StatisticalResult? {
            guard isErrorRate else { return nil }
            func counts(_ s: [SeriesResult]) -> (Int, Int) {
                s.reduce((0, 0)) { acc, r in
                    let n = Int(r.stats[.count] ?? 0)
                    let f = Int((r.stats[.errors] ?? (r.stats[.errorRate] ?? 0) * Double(n)).rounded())
                    return (acc.0 + f, acc.1 + n)
                }
            }
            let (fc, nc) = counts(current)
            let hist = history.count >= stats.minHistory ? history : baseline
            let (fb, nb) = counts(hist)
            guard !hist.isEmpty else {
                return StatisticalResult(evidence: nil, input: VerdictInput(hasBaseline: false, effect: .nan, q: nil, tier: .history), policy: policy, baselineCentre: nil)
            }
            guard nc > 0, nb > 0 else {
                return StatisticalResult(evidence: nil, input: VerdictInput(insufficient: .metricAbsent, effect: .nan, q: nil, tier: .summaryPair), policy: policy, baselineCentre: nil)
            }
            let tier: EvidenceTier = history.count >= stats.minHistory ? .history : .summaryPair
            let p: Double
            let delta: Double
            if tier == .history, let r = Stats.ErrorRate.binomialVsHistory(failures: fc, requests: nc, historyFailures: fb, historyRequests: nb) {
                // One-sided binomial; both directions are gated so use a two-sided version of it.
                let pLess = r.pooledRate > 0 ? 1 - Stats.Special.binomialSF(fc, n: nc, p: r.pooledRate) : 1
                p = min(1, 2 * min(r.pValue, pLess))
                delta = r.delta
            } else if let r = Stats.ErrorRate.fisherSinglePair(failures: fc, requests: nc, baselineFailures: fb, baselineRequests: nb) {
                p = r.pValue
                delta = r.delta
            } else {
                return StatisticalResult(evidence: nil, input: VerdictInput(insufficient: .invalidValue, effect: .nan, q: nil, tier: tier), policy: policy, baselineCentre: nil)
            }
            let ev = StatisticalEvidence(
                method: tier == .history ? "binomial vs pooled history" : "Fisher exact", tier: tier.rawValue, p: p, q: nil,
                ciLow: nil, ciHigh: nil, baselineSpread: nil, nBaseline: nb, nCurrent: nc, mde: nil, significant: false)
            return StatisticalResult(
                evidence: ev, input: VerdictInput(effect: delta, q: nil, tier: tier, isErrorRate: true), policy: policy,
                baselineCentre: Double(fb) / Double(nb))
        }

        // Tail percentiles need enough requests in every run: p95 200, p99 1000.
        func tailCountTier() -> StatisticalResult? {
            if let p = stat.percentileFraction, p >= 0.75, p < 1 {
                let need = Stats.Percentile.minimumCount(forPercentile: p)
                let counts = (current + history.suffix(stats.minHistory * 6) + baseline).compactMap { $0.stats[.count] }
                if let smallest = counts.min(), smallest < Double(need) {
                    return StatisticalResult(
                        evidence: StatisticalEvidence(
                            method: "—", tier: "—", p: nil, q: nil, ciLow: nil, ciHigh: nil, baselineSpread: nil,
                            nBaseline: history.count, nCurrent: current.count, mde: nil, significant: false),
                        input: VerdictInput(insufficient: .tooFewRequests, effect: .nan, q: nil, tier: .history),
                        policy: policy, baselineCentre: nil)
                }
            }
            return nil
        }

        // Tier B: history log-t on the run statistic against the reference level (ReferenceLevel.swift).
        func historyTier() -> StatisticalResult? {
            let histPairs = historyWithCommits.compactMap { sha, s -> (sha: String, value: Double)? in
                guard let v = s.stats[stat], v > 0, v.isFinite else { return nil }
                return (sha, v)
            }
            let q = Gate.quantization(tool)
            if histPairs.count >= stats.minHistory, !curValues.isEmpty, curValues.allSatisfy({ $0 > 0 }) {
                let level = levels.level(
                    history: histPairs, minHistory: stats.minHistory, quantization: q, prior: RunToRunNoise.prior(stat, tool: tool))
                if let (r, method, n) = level.test(current: curValues, minHistory: stats.minHistory, alpha: stats.alpha, quantization: q), n >= 1 {
                    let df = max(r.df, 1)
                    // The quantile of the test's own interval (same α and df) when it has one.
                    let tq = r.criticalT ?? Stats.Special.studentTPPF(1 - stats.alpha / 2, df: df)
                    let spread = exp(tq * r.sigma / Double(max(n, 1)).squareRoot()) - 1
                    let mde = Stats.Noise.mde(sigma: r.sigma, history: max(n, 2), current: curValues.count, alpha: stats.alpha)
                    let ev = StatisticalEvidence(
                        method: method, tier: EvidenceTier.history.rawValue, p: r.pValue, q: nil, ciLow: r.ciLower,
                        ciHigh: r.ciUpper, baselineSpread: spread, nBaseline: n, nCurrent: curValues.count, mde: mde, significant: false)
                    let input = VerdictInput(
                        effect: dir * r.logDifference, q: nil, tier: .history, absDelta: r.currentCentre - r.baselineCentre, minAbs: minAbs(at: r.baselineCentre))
                    var result = StatisticalResult(evidence: ev, input: input, policy: policy, baselineCentre: r.baselineCentre)
                    result.runToRunSigma = r.sigma
                    if let r2 = level.testAgainstPrior(current: curValues, alpha: stats.alpha, quantization: q), let sha = level.newestStart {
                        result.priorLevel = PriorLevelCheck(effect: dir * r2.logDifference, p: r2.pValue, centre: r2.baselineCentre, shiftCommit: sha)
                    }
                    return result
                }
            }
            return nil
        }

        // A pair of runs: needs a baseline run.
        func pairTiers() -> StatisticalResult {
            let baseValues = baseline.compactMap { $0.stats[stat] }
            // Requests are not replicates of a run: within-run tests (A, C) are combined with the
            // run-to-run spread of the statistic — from the history when it has ≥ 3 runs, else a stated
            // default — and the larger p is kept (docs/gate.md "Run-to-run noise").
            let runToRun = RunToRunNoise(
                history: history.compactMap { $0.stats[stat] }, statistic: stat, tool: tool,
                step: baseValues.first.map { $0 > 0 ? minAbs(at: $0) / $0 : 0 } ?? 0)
            func combined(_ pWithin: Double, _ method: String, effect: Double) -> (p: Double, method: String) {
                (max(pWithin, runToRun.pValue(logEffect: effect, current: max(curValues.count, 1), baseline: max(baseValues.count, 1))),
                 method + " + " + runToRun.description)
            }
            guard let bv = aggregate(baseValues, .median), let cv = aggregate(curValues, .median) else {
                let has = !baseline.isEmpty || !history.isEmpty
                return StatisticalResult(
                    evidence: nil, input: VerdictInput(hasBaseline: has, insufficient: has ? .metricAbsent : nil, effect: .nan, q: nil, tier: .summaryPair),
                    policy: policy, baselineCentre: nil)
            }
            guard bv > 0, cv > 0 else {
                return StatisticalResult(evidence: nil, input: VerdictInput(insufficient: .invalidValue, effect: .nan, q: nil, tier: .summaryPair), policy: policy, baselineCentre: bv)
            }
            let effect = dir * log(cv / bv)
            let level = stat.percentileFraction ?? (stat == .mean ? nil : nil)

            // Tier A: stored distributions on both sides.
            func rawPairTier() -> StatisticalResult? {
                let curDist = current.compactMap(\.distribution).reduce(into: Distribution?.none) { acc, d in if acc == nil { acc = d } else { acc?.merge(d) } }
                let baseDist = baseline.compactMap(\.distribution).reduce(into: Distribution?.none) { acc, d in if acc == nil { acc = d } else { acc?.merge(d) } }
                if let cd = curDist, let bd = baseDist, stat.isPercentile || stat == .mean {
                    let cb = cd.buckets.map { Stats.WeightedValue($0.value, count: $0.count) }
                    let bb = bd.buckets.map { Stats.WeightedValue($0.value, count: $0.count) }
                    let nc = Int(cd.count)
                    let nb = Int(bd.count)
                    if nc < 4 || nb < 4 {
                        return StatisticalResult(evidence: nil, input: VerdictInput(insufficient: .tooFewSamples, effect: effect, q: nil, tier: .rawPair), policy: policy, baselineCentre: bv)
                    }
                    if let p = level, p >= 0.75 {
                        let need = max(Int((10 / (1 - p) - 1e-9).rounded(.up)), Stats.QuantileCI.minimumN(p: p) ?? Int.max)
                        if nc < need || nb < need {
                            return StatisticalResult(
                                evidence: StatisticalEvidence(method: "quantile test (Fisher)", tier: "A", p: nil, q: nil, ciLow: nil, ciHigh: nil, baselineSpread: nil, nBaseline: nb, nCurrent: nc, mde: nil, significant: false),
                                input: VerdictInput(insufficient: .tooFewRequests, effect: effect, q: nil, tier: .rawPair), policy: policy, baselineCentre: bv)
                        }
                        var merged = bd
                        merged.merge(cd)
                        let t = merged.value(atPercentile: p * 100)
                        let ca = cb.filter { $0.value > t }.reduce(0) { $0 + Int($1.count) }
                        let ba = bb.filter { $0.value > t }.reduce(0) { $0 + Int($1.count) }
                        let r = Stats.fisherExact(ca, nc - ca, ba, nb - ba)
                        let c = combined(r.pValue, "quantile test (Fisher)", effect: effect)
                        let ev = StatisticalEvidence(
                            method: c.method, tier: "A", p: c.p, q: nil, ciLow: nil, ciHigh: nil, baselineSpread: nil,
                            nBaseline: nb, nCurrent: nc, mde: nil, significant: false)
                        return StatisticalResult(evidence: ev, input: VerdictInput(effect: effect, q: nil, tier: .rawPair, absDelta: cv - bv, minAbs: minAbs(at: bv)), policy: policy, baselineCentre: bv)
                    }
                    do {
                        let r = Stats.MannWhitney.test(currentBuckets: cb, baselineBuckets: bb)
                        let c = combined(r.pValue, "Mann–Whitney U", effect: effect)
                        let ev = StatisticalEvidence(
                            method: c.method, tier: "A", p: c.p, q: nil, ciLow: nil, ciHigh: nil, baselineSpread: nil,
                            nBaseline: nb, nCurrent: nc, mde: nil, significant: false)
                        return StatisticalResult(evidence: ev, input: VerdictInput(effect: effect, q: nil, tier: .rawPair, absDelta: cv - bv, minAbs: minAbs(at: bv)), policy: policy, baselineCentre: bv)
                    }
                }
                return nil
            }

            // Tier C: log-normal model of each run's summary.
            func summaryPairTier() -> StatisticalResult? {
                func fit(_ s: SeriesResult) -> Stats.LogNormalSummary? {
                    guard let median = s.stats[.p50], let n = s.stats[.count], n > 0 else { return nil }
                    let qs = s.stats.compactMap { k, v -> (p: Double, value: Double)? in
                        guard let f = k.percentileFraction, f > 0.5, f < 1 else { return nil }
                        return (f, v)
                    }
                    return Stats.LogNormalSummary(median: median, quantiles: qs, count: Int(n))
                }
                if let cs = current.first, let bs = baseline.first, let fc = fit(cs), let fb = fit(bs), fc.sigma > 0, fb.sigma > 0 {
                    var p: Double?
                    if let lvl = level, lvl > 0, lvl < 1 {
                        let need = max(Int((10 / (1 - lvl) - 1e-9).rounded(.up)), 0)
                        if lvl >= 0.75 && (fc.count < need || fb.count < need) {
                            return StatisticalResult(
                                evidence: StatisticalEvidence(method: "log-normal summary", tier: "C", p: nil, q: nil, ciLow: nil, ciHigh: nil, baselineSpread: nil, nBaseline: fb.count, nCurrent: fc.count, mde: nil, significant: false),
                                input: VerdictInput(insufficient: .tooFewRequests, effect: effect, q: nil, tier: .summaryPair), policy: policy, baselineCentre: bv)
                        }
                        p = Stats.LogNormalSummary.quantileTest(baseline: fb, baselineValue: bv, current: fc, currentValue: cv, p: lvl).pValue
                    } else if stat == .mean {
                        let se = (fb.meanLogSE * fb.meanLogSE + fc.meanLogSE * fc.meanLogSE).squareRoot()
                        p = se > 0 ? 2 * Stats.Special.normalSF(abs(log(cv / bv)) / se) : nil
                    }
                    if let p {
                        let c = combined(p, "log-normal summary", effect: effect)
                        let ev = StatisticalEvidence(
                            method: c.method, tier: "C", p: c.p, q: nil, ciLow: nil, ciHigh: nil, baselineSpread: nil,
                            nBaseline: fb.count, nCurrent: fc.count, mde: nil, significant: false)
                        return StatisticalResult(evidence: ev, input: VerdictInput(effect: effect, q: nil, tier: .summaryPair, absDelta: cv - bv, minAbs: minAbs(at: bv)), policy: policy, baselineCentre: bv)
                    }
                }
                return nil
            }

            // Effect only (e.g. throughput of a single pair): can at most warn.
            func effectOnly() -> StatisticalResult {
                let ev = StatisticalEvidence(
                    method: "effect only (no noise model)", tier: "C", p: nil, q: nil, ciLow: nil, ciHigh: nil, baselineSpread: nil,
                    nBaseline: baseValues.count, nCurrent: curValues.count, mde: nil, significant: false)
                return StatisticalResult(evidence: ev, input: VerdictInput(effect: effect, q: nil, tier: .summaryPair, absDelta: cv - bv, minAbs: minAbs(at: bv)), policy: policy, baselineCentre: bv)
            }

            for tier in [rawPairTier, summaryPairTier] { if let r = tier() { return r } }
            return effectOnly()
        }

        // The evidence, strongest first; a tier that does not apply passes (nil) to the next.
        for tier in [errorRateTier, tailCountTier, historyTier] { if let r = tier() { return r } }
        return pairTiers()
    }
}

/// The run-to-run spread of one statistic, for combining with a within-run test (docs/gate.md).
struct RunToRunNoise {
    /// σ of ln(value) between runs.
    var sigma: Double
    /// Degrees of freedom when σ was estimated from the history; nil for the default.
    var df: Double?
    var description: String

    /// Typical run-to-run σ of ln(statistic) when no history says otherwise, measured on the replay
    /// history (ci/replay.py, docs/gate.md): k6 medians move by 1–2 % between runs of the same code
    /// and p95 by 2–5 %; Locust, which times requests inside a busy Python client, 3–5 % and 7–10 %.
    static func defaultSigma(_ stat: Statistic, tool: String) -> Double {
        let tail = stat.percentileFraction.map { $0 > 0.5 } ?? (stat == .max || stat == .stddev)
        if tool == "locust" { return tail ? 0.10 : 0.04 }
        return tail ? 0.06 : 0.04
    }

    /// The default spread as a prior worth `priorDF` runs, moderating the spread of a short history.
    static let priorDF = 6.0
    static func prior(_ stat: Statistic, tool: String) -> Stats.VariancePrior {
        Stats.VariancePrior(sigma: defaultSigma(stat, tool: tool), df: priorDF)
    }

    /// `step`: the tool's resolution as a fraction of the level (its rounding adds σ_q = step/√12 per value).
    init(history: [Double], statistic: Statistic, tool: String, step: Double = 0) {
        let logs = history.filter { $0 > 0 && $0.isFinite }.map(log)
        let fallback = Self.defaultSigma(statistic, tool: tool)
        let sigmaQ = step / 12.0.squareRoot()
        if logs.count >= 2 {
            // The history's spread, moderated by the tool's default (worth `priorDF` runs).
            let m = logs.reduce(0, +) / Double(logs.count)
            let ss = logs.reduce(0) { $0 + ($1 - m) * ($1 - m) }
            let dfH = Double(logs.count - 1)
            let moderated = ((ss + Self.priorDF * fallback * fallback) / (dfH + Self.priorDF)).squareRoot()
            sigma = max(moderated, sigmaQ)
            df = dfH + Self.priorDF
            description = "run-to-run σ \(Formatting.fixed(sigma * 100, 1)) % (\(logs.count) history runs)"
        } else {
            sigma = (fallback * fallback + sigmaQ * sigmaQ).squareRoot()
            df = Self.priorDF
            description = "run-to-run σ \(Formatting.fixed(sigma * 100, 1)) % (default for \(tool.isEmpty ? "this tool" : tool); no history)"
        }
    }

    /// Two-sided p of a log effect between `current` and `baseline` runs under run-to-run noise alone.
    func pValue(logEffect: Double, current: Int, baseline: Int) -> Double {
        let se = sigma * (1 / Double(current) + 1 / Double(baseline)).squareRoot()
        guard se > 0, logEffect.isFinite else { return logEffect == 0 ? 1 : 0 }
        let z = abs(logEffect) / se
        let p = df.map { 2 * Stats.Special.studentTSF(z, df: $0) } ?? 2 * Stats.Special.normalSF(z)
        return min(1, p)
    }
}
