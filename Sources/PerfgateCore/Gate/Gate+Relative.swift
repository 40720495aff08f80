import Foundation

extension Gate {
    /// A relative rule (`regression`, signed expressions) on one series and statistic: the change from
    /// the baseline value against the rule's limits, with the evidence of docs/gate.md — resolution,
    /// run-to-run noise and the reference level of the base branch.
    struct RelativeOutcome {
        var verdict: Verdict
        var levelHit: Level?
        var reasons: [String]
        /// The baseline value compared with: the base branch's reference level when the history has one
        /// (ReferenceLevel.swift), else the aggregate of the baseline runs.
        var baseline: Double
        /// The run-to-run noise test of a verdict other than pass: its p joins the check's family, and a
        /// change it does not tell from noise is reported (warn), never failed or called an improvement.
        var noise: (p: Double, spread: String)?
    }

    static func relative(
        _ a: Applied, current: [Double], cv: Double, baseline: [Double], bv baselineAggregate: Double, unit: MetricUnit, dir: Direction, tool: String,
        history: [(sha: String, value: Double)], policy: StatisticsPolicy, levels: ReferenceLevelCache
    ) -> RelativeOutcome {
        let q = quantization(tool)
        var level: ReferenceLevel?
        if history.count >= policy.minHistory { level = levels.level(history: history, minHistory: policy.minHistory, quantization: q, prior: RunToRunNoise.prior(a.statistic, tool: tool)) }
        let positive = baselineAggregate > 0 && cv > 0 && current.allSatisfy { $0 > 0 } && a.statistic != .errorRate && unit != .ratio
        // The base branch's level is steadier than the one merge-base run it ends with.
        let bv = positive ? (level?.centre ?? baselineAggregate) : baselineAggregate
        // A change within one resolution step is never a finding.
        let step = resolution(tool: tool, unit: unit, at: bv, observed: current + baseline)
        if abs(cv - bv) <= step {
            return RelativeOutcome(
                verdict: .pass, reasons: step > 0 ? ["within one resolution step (\(Formatting.value(step, unit: unit)))"] : [], baseline: bv)
        }
        let primaryLevel: Level = a.byLevel[.fail] != nil ? .fail : .warn
        func worse(than reference: Double, amount: Bool) -> Double {
            amount ? dir.sign * (cv - reference) : (reference == 0 ? (cv == 0 ? 0 : .infinity) : dir.sign * (cv / reference - 1))
        }
        var verdict = Verdict.pass
        var hit: Level?
        var hitLimit: (limit: Double, amount: Bool)?
        for level in [Level.fail, .warn] {
            guard let (rule, _) = a.byLevel[level], case .relative(let limit, let amount) = rule.kind else { continue }
            let w = worse(than: bv, amount: amount)
            if w > limit {
                verdict = level == .fail ? .fail : .warn
                hit = level
                hitLimit = (limit, amount)
                break
            }
            if level == primaryLevel && w < -limit {
                verdict = .improved
                hitLimit = (limit, amount)
            }
        }
        guard verdict != .pass, let (limit, amount) = hitLimit else { return RelativeOutcome(verdict: verdict, levelHit: hit, reasons: [], baseline: bv) }

        // A one-commit level shift: the verdict must also hold against the level before it.
        if let l = level, let pc = l.priorCentre, let sha = l.newestStart {
            let w = worse(than: pc, amount: amount)
            if (verdict == .fail || verdict == .warn) && w <= limit {
                return RelativeOutcome(verdict: .pass, reasons: [PriorLevelWords.notWorse(sha: sha)], baseline: bv)
            }
            if verdict == .improved && w >= -limit {
                return RelativeOutcome(verdict: .pass, reasons: [PriorLevelWords.notBetter(sha: sha)], baseline: bv)
            }
        }
        // Run-to-run noise: how likely is this change between runs of unchanged code?
        guard positive else { return RelativeOutcome(verdict: verdict, levelHit: hit, reasons: [], baseline: bv) }
        let p: Double
        let spread: String
        if let l = level, let t = l.test(current: current, minHistory: policy.minHistory, alpha: policy.alpha, quantization: q) {
            p = t.result.pValue
            spread = "σ \(Formatting.fixed(t.result.sigma * 100, 1)) % over \(t.n) runs of the base branch"
        } else {
            let rr = RunToRunNoise(history: history.map(\.value), statistic: a.statistic, tool: tool, step: resolution(tool: tool, unit: unit, at: bv, observed: current + baseline) / bv)
            p = rr.pValue(logEffect: log(cv / bv), current: max(current.count, 1), baseline: max(baseline.count, 1))
            spread = rr.description
        }
        return RelativeOutcome(verdict: verdict, levelHit: hit, reasons: [], baseline: bv, noise: (p, spread))
    }

    /// The words of a relative verdict withdrawn because run-to-run noise explains the change.
    static func withinNoise(_ verdict: Verdict, spread: String, q: Double) -> (Verdict, String) {
        let words = "within run-to-run noise (\(spread); q = \(Formatting.pValue(q)))"
        if verdict == .improved { return (.pass, "better than the limit but " + words) }
        return (.warn, "beyond the limit but " + words + ": rerun to confirm")
    }
}
