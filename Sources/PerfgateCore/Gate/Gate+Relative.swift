import Foundation

extension Gate {
    /// A relative rule (`regression`, signed expressions) on one series and statistic: the change from
    /// the baseline value against the rule's limits, with the evidence of docs/gate.md — resolution,
    /// run-to-run noise and the reference level of the base branch.
    static func relative(
        _ a: Applied, current: [Double], cv: Double, baseline: [Double], bv: Double, unit: MetricUnit, dir: Direction, tool: String,
        history: [(sha: String, value: Double)], policy: StatisticsPolicy
    ) -> (verdict: Verdict, levelHit: Level?, reasons: [String]) {
        // A change within one resolution step is never a finding.
        let step = resolution(tool: tool, unit: unit, at: bv, observed: current + baseline)
        if abs(cv - bv) <= step {
            return (.pass, nil, step > 0 ? ["within one resolution step (\(Formatting.value(step, unit: unit)))"] : [])
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
        guard verdict != .pass, let (limit, amount) = hitLimit else { return (verdict, hit, []) }

        let positive = bv > 0 && cv > 0 && current.allSatisfy { $0 > 0 } && a.statistic != .errorRate && unit != .ratio
        let q = quantization(tool)
        var level: ReferenceLevel?
        if history.count >= policy.minHistory { level = ReferenceLevel.build(history: history, minHistory: policy.minHistory, quantization: q) }

        // A one-commit level shift: the verdict must also hold against the level before it.
        if let l = level, let pc = l.priorCentre, let sha = l.newestStart {
            let w = worse(than: pc, amount: amount)
            if (verdict == .fail || verdict == .warn) && w <= limit { return (.pass, nil, [PriorLevelWords.notWorse(sha: sha)]) }
            if verdict == .improved && w >= -limit { return (.pass, nil, [PriorLevelWords.notBetter(sha: sha)]) }
        }
        // Run-to-run noise: a change the history's spread (or, without one, the default spread) explains
        // is reported, never failed or called an improvement.
        guard positive else { return (verdict, hit, []) }
        var p: Double
        var spread: String
        if let l = level, let t = l.test(current: current, minHistory: policy.minHistory, alpha: policy.alpha, quantization: q) {
            p = t.result.pValue
            spread = "σ \(Formatting.fixed(t.result.sigma * 100, 1)) % over \(t.n) runs of the base branch"
        } else {
            let rr = RunToRunNoise(history: history.map(\.value), statistic: a.statistic)
            p = rr.pValue(logEffect: log(cv / bv), current: max(current.count, 1), baseline: max(baseline.count, 1))
            spread = rr.description
        }
        if p > policy.alpha {
            let words = "within run-to-run noise (\(spread); p = \(GateReport.pText(p)))"
            if verdict == .improved { return (.pass, nil, ["better than the limit but " + words]) }
            return (.warn, .warn, ["beyond the limit but " + words + ": rerun to confirm"])
        }
        return (verdict, hit, [])
    }
}
