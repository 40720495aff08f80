import Foundation

/// Evaluates a budget set against current runs and a baseline. Pure: no I/O, no clock.
public enum Gate {
    /// Identifies one series of one scenario in one environment.
    typealias SeriesID = MatchedSeries

    enum ClassKey: Hashable { case absolute(Comparison), relative, statistical, drift, steady }

    /// One (series, statistic, rule class): the rules of every budget that apply to it are merged.
    struct AppliedKey: Hashable {
        var id: SeriesID
        var statistic: Statistic
        var cls: ClassKey
    }

    /// The rules that apply to one (series, statistic, class) after later budgets refined earlier ones.
    struct Applied {
        var id: SeriesID
        var statistic: Statistic
        var ruleClass: Finding.RuleClass
        var byLevel: [Level: (rule: Rule, budget: Budget)] = [:]
    }

    /// Runs the gate. Throws a diagnostic (exit 65) when a budget matches no series or a statistic
    /// that no matched series reports: a typo must never switch a gate off.
    public static func evaluate(_ input: GateInput) throws -> GateOutcome {
        var input = input
        // `"steadyState": "auto"`: every run is read over its steady state where it has one (docs/steady-state.md).
        let steadyNotice = input.budgets.steadyState == .auto ? SteadyState.useSteadyState(&input) : nil
        let budgets = input.budgets
        // Which series each budget selects, and the budget-against-results errors (BudgetMatches).
        let matches = BudgetMatches(budgets: budgets, budgetsFile: input.budgetsFile, current: input.current)
        if let problem = matches.problems.first { throw problem }
        let current = matches.current
        let runOf = matches.runOf
        var applied: [AppliedKey: Applied] = [:]
        var order: [AppliedKey] = []
        for (budget, ids) in zip(budgets.budgets, matches.matched) {
            for id in ids {
                for rule in budget.rules {
                    let cls: ClassKey
                    let rc: Finding.RuleClass
                    switch rule.kind {
                    case .absolute(let op, _): cls = .absolute(op); rc = .absolute
                    case .relative: cls = .relative; rc = .relative
                    case .statistical: cls = .statistical; rc = .statistical
                    case .drift: cls = .drift; rc = .drift
                    case .steady: cls = .steady; rc = .steady
                    }
                    let k = AppliedKey(id: id, statistic: rule.statistic, cls: cls)
                    if applied[k] == nil {
                        applied[k] = Applied(id: id, statistic: rule.statistic, ruleClass: rc)
                        order.append(k)
                    }
                    applied[k]?.byLevel[rule.level] = (rule, budget)
                }
            }
        }

        // Baseline and history values per series.
        func values(_ runs: [GateRun], _ id: SeriesID) -> [SeriesResult] {
            runs.compactMap { r in
                guard r.scenario == id.scenario, r.environment == id.environment, r.tool == id.tool else { return nil }
                return r.series[id.key]
            }
        }
        let baselineMissing = input.baseline.isEmpty
        // The history of each series, gathered once (every rule on the series reads it).
        var historyBySeries: [SeriesID: [(String, SeriesResult)]] = [:]
        func historyRuns(_ id: SeriesID) -> [(String, SeriesResult)] {
            if let known = historyBySeries[id] { return known }
            let runs = input.history.compactMap { r -> (String, SeriesResult)? in
                guard r.scenario == id.scenario, r.environment == id.environment, r.tool == id.tool, let s = r.series[id.key] else { return nil }
                return (r.commitSha, s)
            }
            historyBySeries[id] = runs
            return runs
        }
        func historyValues(_ a: Applied) -> [(sha: String, value: Double)] {
            historyRuns(a.id).compactMap { sha, s in
                guard let v = s.stats[a.statistic], v > 0, v.isFinite else { return nil }
                return (sha, v)
            }
        }
        // One reference level per (series, statistic, history), shared by the rules that read it.
        let levels = input.referenceLevels ?? ReferenceLevelCache()
        var priorChecks: [Int: PriorLevelCheck] = [:]
        var relativeNoise: [Int: String] = [:]

        var findings: [Finding] = []
        var pending: [(index: Int, p: Double)] = []
        var statInputs: [Int: (VerdictInput, VerdictPolicy)] = [:]
        for k in order {
            guard let a = applied[k], let primary = a.byLevel[.fail] ?? a.byLevel[.warn] else { continue }
            let cur = current[a.id] ?? []
            let series = cur[0]
            let dir = a.statistic.direction(seriesDirection: series.direction)
            let unit = a.statistic.unit(seriesUnit: series.unit)
            let curValues = cur.compactMap { $0.stats[a.statistic] }
            let curValue = aggregate(curValues, .median)
            let base = values(input.baseline, a.id)
            let baseValues = base.compactMap { $0.stats[a.statistic] }
            let baseValue = baseValues.isEmpty ? nil : aggregate(baseValues, budgets.baseline.aggregate)
            var f = Finding(
                scenario: a.id.scenario, environment: a.id.environment, endpoint: a.id.key.endpoint, metric: a.id.key.metric,
                statistic: a.statistic.rawValue, unit: unit, direction: dir, ruleClass: a.ruleClass, budget: primary.budget.name,
                limit: limitText(a, unit: unit, dir: dir), baseline: baseValue, current: curValue,
                change: (curValue != nil && baseValue != nil && baseValue != 0) ? curValue! / baseValue! - 1 : nil,
                verdict: .pass, levelHit: nil, key: a.byLevel.values.contains { $0.rule.key },
                weight: primary.rule.weight, reasons: [], evidence: nil, rulePath: primary.rule.path)
            if a.ruleClass == .drift || a.ruleClass == .steady {
                if a.ruleClass == .drift { drift(a, current: cur, into: &f) } else { steady(a, current: cur, into: &f) }
                findings.append(f)
                continue
            }
            guard let cv = curValue else {
                f.verdict = .insufficientData
                f.reasons = ["\(a.statistic) not reported in the current run"]
                findings.append(f)
                continue
            }
            switch a.ruleClass {
            case .absolute:
                for level in [Level.fail, .warn] {
                    guard let (rule, _) = a.byLevel[level], case .absolute(let op, let limit) = rule.kind else { continue }
                    if !op.holds(cv, limit) {
                        f.verdict = level == .fail ? .fail : .warn
                        f.levelHit = level
                        break
                    }
                }
            case .relative:
                guard let bv = baseValue else {
                    f.verdict = .noBaseline
                    f.reasons = [baselineMissing ? "no baseline" : "series absent from the baseline"]
                    break
                }
                let decided = relative(
                    a, current: curValues, cv: cv, baseline: baseValues, bv: bv, unit: unit, dir: dir, tool: runOf[a.id]?.tool ?? "",
                    history: historyValues(a), policy: budgets.statistics, levels: levels)
                f.verdict = decided.verdict
                f.levelHit = decided.levelHit
                f.reasons = decided.reasons
                f.baseline = decided.baseline
                f.change = decided.baseline != 0 ? cv / decided.baseline - 1 : nil
                if let n = decided.noise {
                    pending.append((findings.count, n.p))
                    relativeNoise[findings.count] = n.spread
                }
            case .drift, .steady:
                break
            case .statistical:
                let hist = historyRuns(a.id)
                let r = statistical(a: a, series: series, current: cur, baseline: base, history: hist, policy: budgets.statistics, tool: runOf[a.id]?.tool ?? "", levels: levels)
                f.evidence = r.evidence
                if let p = r.evidence?.p, p.isFinite { pending.append((findings.count, p)) }
                statInputs[findings.count] = (r.input, r.policy)
                if let g = r.priorLevel { priorChecks[findings.count] = g }
                if r.input.hasBaseline == false { f.verdict = .noBaseline; f.reasons = ["no baseline"] }
                if let bc = r.baselineCentre { f.baseline = bc; f.change = cv / bc - 1 }
            }
            findings.append(f)
        }

        // Multiplicity control over every statistical comparison of this check, then verdicts.
        let adjusted = Stats.adjust(pending.map(\.p), method: Stats.Adjustment(rawValue: budgets.statistics.correction.rawValue) ?? .bh)
        var qOf: [Int: Double] = [:]
        for (i, item) in pending.enumerated() { qOf[item.index] = adjusted[i] }
        for (i, (vin, pol)) in statInputs {
            var vin = vin
            vin.q = qOf[i]
            var (v, reasons) = Verdict.decide(vin, policy: pol)
            // A one-commit level shift: worse or better must also hold against the level before it.
            if let g = priorChecks[i], v != .pass, v != .noBaseline, v != .insufficientData {
                let floor = vin.isErrorRate ? pol.warnAbs : log1p(pol.warnRel)
                if (v == .fail || v == .warn) && !(g.p <= pol.alpha && g.effect >= floor) {
                    v = .pass
                    reasons = [PriorLevelWords.notWorse(sha: g.shiftCommit)]
                } else if v == .improved && !(g.p <= pol.alpha && g.effect <= -floor) {
                    v = .pass
                    reasons = [PriorLevelWords.notBetter(sha: g.shiftCommit)]
                }
            }
            findings[i].verdict = v
            findings[i].reasons += reasons
            findings[i].evidence?.q = qOf[i]
            findings[i].evidence?.significant = (qOf[i] ?? 1) <= pol.alpha && !reasons.contains("below resolution")
            if v == .fail { findings[i].levelHit = .fail } else if v == .warn { findings[i].levelHit = .warn }
        }

        // Relative verdicts that run-to-run noise explains (q > alpha) are reported, never failed.
        for (i, spread) in relativeNoise {
            guard let q = qOf[i], q > budgets.statistics.alpha else { continue }
            let (v, words) = withinNoise(findings[i].verdict, spread: spread, q: q)
            findings[i].verdict = v
            findings[i].levelHit = v == .warn ? .warn : nil
            findings[i].reasons = [words]
        }

        // A noisier runner (every endpoint's tail wider, medians unchanged) warns instead of failing.
        let environmentNotices = applyEnvironmentNoise(&findings, current: input.current, baseline: input.baseline)

        // Sorted through their keys and indices: findings are large values, moving them in every
        // comparison of the sort cost a tenth of `perfgate tune`. Ties keep their order (index last).
        let keys = findings.map { ($0.severityRank, $0.scenario, $0.endpoint, $0.metric, Statistic(rawValue: $0.statistic)) }
        let sortedIndices = findings.indices.sorted { a, b in
            let (ka, kb) = (keys[a], keys[b])
            return ka < kb || (!(kb < ka) && a < b)
        }
        findings = sortedIndices.map { findings[$0] }

        // Score and overall verdict.
        var earned = 0.0
        var total = 0.0
        for f in findings {
            switch f.verdict {
            case .pass, .improved: earned += f.weight; total += f.weight
            case .warn: earned += f.weight / 2; total += f.weight
            case .fail: total += f.weight
            case .noBaseline, .insufficientData: break
            }
        }
        let score = total == 0 ? 100 : 100 * earned / total
        var verdict: Verdict
        let keyFailed = findings.contains { $0.key && $0.verdict == .fail }
        if let bands = budgets.score {
            verdict = keyFailed || score < bands.warn ? .fail : score < bands.pass ? .warn : .pass
            if verdict == .pass && findings.contains(where: { $0.verdict == .warn || $0.verdict == .fail }) { verdict = .warn }
        } else {
            verdict = findings.contains { $0.verdict == .fail } ? .fail : findings.contains { $0.verdict == .warn } ? .warn : .pass
        }
        var notices = (input.baselineInfo?.notices ?? []) + environmentNotices + (steadyNotice.map { [$0] } ?? [])
        if baselineMissing {
            notices.insert("no baseline: relative and statistical rules read \"no baseline\"", at: 0)
        }
        return GateOutcome(
            verdict: verdict, score: score, scoreBands: budgets.score, findings: findings, baseline: input.baselineInfo,
            baselineMissing: baselineMissing, requireBaseline: budgets.requireBaseline,
            correction: budgets.statistics.correction.rawValue, alpha: budgets.statistics.alpha, notices: notices)
    }

    /// One measurement resolution step of a statistic at `level`, in the statistic's unit: Locust's
    /// latency buckets (1 ms below 100 ms, 10 ms below 1 s, …), 1 for durations every observed value of
    /// which is a whole number (tools that round to integer milliseconds), else 0. A change within one
    /// step is never a finding, in any rule (docs/gate.md "Resolution").
    static func resolution(tool: String, unit: MetricUnit, at level: Double, observed: [Double]) -> Double {
        guard unit == .milliseconds else { return 0 }
        let q = quantization(tool)
        if q != .none { return q.step(at: level) }
        if observed.count >= 2, observed.allSatisfy({ $0 == $0.rounded() }) { return 1 }
        return 0
    }

    /// The tool's measurement resolution, for ``resolution(tool:unit:at:observed:)`` and the history
    /// test's σ_q floor. Stored runs carry the tool's name, not the adapter's quantisation, so this is
    /// the one place that knows which tool quantises.
    static func quantization(_ tool: String) -> Stats.Quantization { tool == "locust" ? .locust : .none }

    /// The words of a verdict withdrawn by the prior-level check (ReferenceLevel.swift).
    enum PriorLevelWords {
        static func notWorse(sha: String) -> String {
            "not worse than the level before \(sha.prefix(8)), whose single run moved the reference (one unusual run or a change that has just landed)"
        }
        static func notBetter(sha: String) -> String {
            "back to the level before \(sha.prefix(8)), whose single run was unusual: not an improvement"
        }
    }

    static func aggregate(_ values: [Double], _ how: BaselinePolicy.Aggregate) -> Double? {
        guard !values.isEmpty else { return nil }
        switch how {
        case .mean: return values.reduce(0, +) / Double(values.count)
        case .geomean:
            guard values.allSatisfy({ $0 > 0 }) else { return values.reduce(0, +) / Double(values.count) }
            return exp(values.map(log).reduce(0, +) / Double(values.count))
        case .median:
            let s = values.sorted()
            let n = s.count
            return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2
        }
    }

    static func limitText(_ a: Applied, unit: MetricUnit, dir: Direction) -> String {
        func one(_ rule: Rule) -> String {
            switch rule.kind {
            case .absolute(let op, let limit): return "\(op.rawValue) \(Formatting.value(limit, unit: unit))"
            case .relative(let limit, let amount):
                return "≤ " + (amount ? "+" + Formatting.value(limit, unit: unit) : Formatting.signedPercent(limit)) + " worse"
            case .statistical(let e): return "≥ " + Formatting.signedPercent(e) + " worse and significant"
            case .drift(let limit): return "drift ≤ " + Formatting.signedPercent(limit) + "/h"
            case .steady: return "steady state reached"
            }
        }
        var parts: [String] = []
        if let f = a.byLevel[.fail] { parts.append(one(f.rule)) }
        if let w = a.byLevel[.warn] { parts.append((a.byLevel[.fail] == nil ? "warn " : "(warn ") + one(w.rule) + (a.byLevel[.fail] == nil ? "" : ")")) }
        return parts.joined(separator: " ")
    }
}

extension Gate {
    /// A drift rule on the current run alone (docs/drift.md): the drift statistics the series carries
    /// (``Drift/Relative``) against the rule's limits. Fail or warn when the steady state is "drifting
    /// up" beyond the level's limit; pass when there is no drift (or it drifts down); insufficient data
    /// when the window is too short or the interval too wide to tell. Several current runs: the one
    /// drifting most decides.
    static func drift(_ a: Applied, current: [SeriesResult], into f: inout Finding) {
        f.statistic = a.statistic.rawValue + " drift"
        f.unit = .ratio
        f.direction = .lowerIsBetter
        f.baseline = nil
        f.change = nil
        let relatives = current.compactMap { Drift.Relative(statistics: $0.stats) }
        guard let rel = relatives.filter(\.isEnough).max(by: { $0.slope < $1.slope }) ?? relatives.first else {
            f.verdict = .insufficientData
            f.current = nil
            f.drift = Drift.Verdict.notEnoughData.rawValue
            f.reasons = [Drift.words(nil)]
            return
        }
        f.current = rel.slope
        guard let primary = a.byLevel[.fail] ?? a.byLevel[.warn], case .drift(let primaryLimit) = primary.rule.kind else { return }
        var decided = rel.verdict(minimum: primaryLimit)
        f.verdict = .pass
        for level in [Level.fail, .warn] {
            guard let (rule, _) = a.byLevel[level], case .drift(let limit) = rule.kind else { continue }
            let v = rel.verdict(minimum: limit)
            if v == .driftingUp {
                decided = v
                f.verdict = level == .fail ? .fail : .warn
                f.levelHit = level
                break
            }
        }
        if f.levelHit == nil, decided == .inconclusive || decided == .notEnoughData || decided == .driftingUp {
            f.verdict = .insufficientData
        }
        f.drift = decided.rawValue
        f.reasons = [Drift.words(rel, minimum: f.levelHit == .warn ? (warnLimit(a) ?? primaryLimit) : primaryLimit)]
    }

    /// A steady rule on the current run alone (docs/steady-state.md): pass when it reached a steady
    /// state; fail (or warn at warn level) when its warm-up never ended, its latency is still rising
    /// or its steady state is too short; insufficient data ("not enough data") without a time series.
    /// Several current runs: the first that did not reach one decides.
    static func steady(_ a: Applied, current: [SeriesResult], into f: inout Finding) {
        f.statistic = "steady state"
        f.unit = .none
        f.direction = .higherIsBetter
        f.baseline = nil
        f.change = nil
        f.current = nil
        let found = current.compactMap { SteadyState.Detection(statistics: $0.stats) }
        guard let d = found.first(where: { $0.status != .reached }) ?? found.first else {
            f.verdict = .insufficientData
            f.steady = SteadyState.noTimeSeries
            f.reasons = [SteadyState.noTimeSeries]
            return
        }
        f.steady = d.words
        f.reasons = [d.words]
        if d.status == .reached {
            f.verdict = .pass
        } else {
            f.levelHit = a.byLevel[.fail] != nil ? .fail : .warn
            f.verdict = f.levelHit == .fail ? .fail : .warn
        }
    }

    static func warnLimit(_ a: Applied) -> Double? {
        guard let w = a.byLevel[.warn], case .drift(let limit) = w.rule.kind else { return nil }
        return limit
    }
}
