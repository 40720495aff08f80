import Foundation
import Testing

@testable import PerfgateCore

/// Loads `Fixtures/stats/vectors.json` (written by `ci/gen-stats-vectors.py` with SciPy) and checks every vector.
enum StatsVectors {
    static let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures/stats/vectors.json")

    static let data: Data? = try? Data(contentsOf: url)

    static var all: [[String: Any]] {
        guard let data,
            let root = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
            let vectors = root["vectors"] as? [[String: Any]]
        else { return [] }
        return vectors
    }

    static let names: [String] = all.compactMap { $0["name"] as? String }

    static func vector(_ name: String) -> [String: Any]? { all.first { ($0["name"] as? String) == name } }
}

struct VectorError: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
}

// MARK: decoding helpers

private func num(_ any: Any?) -> Double? {
    if let s = any as? String {
        switch s {
        case "NaN": return .nan
        case "Infinity": return .infinity
        case "-Infinity": return -.infinity
        default: return nil
        }
    }
    if let n = any as? NSNumber { return n.doubleValue }
    if let d = any as? Double { return d }
    if let i = any as? Int { return Double(i) }
    return nil
}

private func d(_ dict: [String: Any], _ key: String) throws -> Double {
    guard let v = num(dict[key]) else { throw VectorError("missing number \(key)") }
    return v
}

private func i(_ dict: [String: Any], _ key: String) throws -> Int { Int(try d(dict, key)) }

private func arr(_ dict: [String: Any], _ key: String) throws -> [Double] {
    guard let a = dict[key] as? [Any] else { throw VectorError("missing array \(key)") }
    return try a.map { guard let v = num($0) else { throw VectorError("bad element in \(key)") }; return v }
}

private func str(_ dict: [String: Any], _ key: String, _ fallback: String) -> String { dict[key] as? String ?? fallback }

private func alt(_ params: [String: Any]) throws -> Stats.Alternative {
    guard let a = Stats.Alternative(rawValue: str(params, "alternative", "two-sided")) else { throw VectorError("alternative") }
    return a
}

private func opt(_ x: Double?) -> Any { x.map { $0 as Any } ?? NSNull() }
private func opt(_ x: Int?) -> Any { x.map { $0 as Any } ?? NSNull() }

// MARK: dispatch

/// Runs one vector's method and returns the actual values by expected key.
func runStatsVector(method: String, inputs: [String: Any], params: [String: Any]) throws -> [String: Any] {
    switch method {
    case "norm_cdf":
        let x = try arr(inputs, "x")
        return ["cdf": x.map(Stats.Special.normalCDF), "sf": x.map(Stats.Special.normalSF)]
    case "norm_ppf":
        return ["ppf": try arr(inputs, "p").map(Stats.Special.normalPPF)]
    case "t_cdf":
        let df = try d(params, "df")
        let t = try arr(inputs, "t")
        return ["cdf": t.map { Stats.Special.studentTCDF($0, df: df) }, "sf": t.map { Stats.Special.studentTSF($0, df: df) }]
    case "t_ppf":
        let df = try d(params, "df")
        return ["ppf": try arr(inputs, "p").map { Stats.Special.studentTPPF($0, df: df) }]
    case "binom_cdf":
        let n = try i(params, "n")
        let p = try d(params, "p")
        let k = try arr(inputs, "k").map { Int($0) }
        return ["cdf": k.map { Stats.Special.binomialCDF($0, n: n, p: p) }, "sf": k.map { Stats.Special.binomialSF($0, n: n, p: p) }]
    case "betainc":
        let a = try arr(inputs, "a")
        let b = try arr(inputs, "b")
        let x = try arr(inputs, "x")
        return ["value": a.indices.map { Stats.Special.incompleteBeta(a[$0], b[$0], x: x[$0], y: 1 - x[$0]) }]
    case "hypergeom_logpmf":
        let k = try arr(inputs, "k")
        let total = try arr(inputs, "total")
        let s = try arr(inputs, "successes")
        let n = try arr(inputs, "draws")
        return ["logpmf": k.indices.map {
            Stats.Special.hypergeometricLogPMF(Int(k[$0]), total: Int(total[$0]), successes: Int(s[$0]), draws: Int(n[$0]))
        }]
    case "percentile":
        let x = try arr(inputs, "x")
        let ps = try arr(params, "p")
        let rule = str(params, "rule", "")
        let f: (Double) -> Double
        switch rule {
        case "type7": f = { Stats.Percentile.type7(x, $0) }
        case "nearest_rank": f = { Stats.Percentile.nearestRank(x, $0) }
        case "locust": f = { Stats.Percentile.locustRule(x, $0) }
        default: throw VectorError("unknown rule \(rule)")
        }
        return ["value": ps.map(f)]
    case "percentile_rules":
        let x = try arr(inputs, "x")
        let p = try d(params, "p")
        return [
            "type7": Stats.Percentile.type7(x, p), "nearest_rank": Stats.Percentile.nearestRank(x, p),
            "locust": Stats.Percentile.locustRule(x, p),
            "naive_rank": Int((Double(x.count) * (99.9 / 100)).rounded(.up)),
        ]
    case "locust_bucket":
        return ["bucket": try arr(inputs, "ms").map(Stats.Percentile.locustBucket)]
    case "locust_bucketed_percentiles":
        let x = try arr(inputs, "x")
        let ps = try arr(params, "p")
        let buckets = Stats.Percentile.locustBuckets(x)
        return [
            "locust": ps.map { Stats.Percentile.locustRule(buckets: buckets, $0) },
            "type7_raw": ps.map { Stats.Percentile.type7(x, $0) },
        ]
    case "tail_min_requests":
        return ["min_count": try arr(inputs, "p").map { Stats.Percentile.minimumCount(forPercentile: $0) }]
    case "mannwhitneyu":
        guard let method = Stats.MannWhitneyMethod(rawValue: str(params, "method", "auto")) else { throw VectorError("method") }
        let r = Stats.MannWhitney.test(
            current: try arr(inputs, "current"), baseline: try arr(inputs, "baseline"), alternative: try alt(params),
            method: method, continuity: params["use_continuity"] as? Bool ?? true)
        return ["u1": r.u1, "p": r.pValue, "method": r.method.rawValue]
    case "mannwhitneyu_weighted":
        func buckets(_ key: String) throws -> [Stats.WeightedValue] {
            guard let a = inputs[key] as? [[Any]] else { throw VectorError(key) }
            return try a.map {
                guard let v = num($0.first), let c = num($0.last) else { throw VectorError(key) }
                return Stats.WeightedValue(v, count: UInt64(c))
            }
        }
        let r = Stats.MannWhitney.test(
            currentBuckets: try buckets("current"), baselineBuckets: try buckets("baseline"), alternative: try alt(params))
        return ["u1": r.u1, "p": r.pValue]
    case "mwu_min_p_table":
        return ["p": try arr(inputs, "n").map { n -> Double in
            let k = Int(n)
            return Stats.MannWhitney.test(
                current: (k..<(2 * k)).map(Double.init), baseline: (0..<k).map(Double.init), method: .exact
            ).pValue
        }]
    case "mwu_null_counts":
        let null = Stats.MannWhitneyNull(m: try i(inputs, "m"), n: try i(inputs, "n"))
        return ["counts": (0..<null.pmf.count).map { null.count($0) }]
    case "ttest":
        let c = try arr(inputs, "current")
        let b = try arr(inputs, "baseline")
        let eq = params["equal_var"] as? Bool ?? false
        let r = eq
            ? Stats.TTest.student(current: c, baseline: b, alternative: try alt(params))
            : Stats.TTest.welch(current: c, baseline: b, alternative: try alt(params))
        guard let r else { throw VectorError("no result") }
        return ["t": r.t, "df": r.df, "p": r.pValue]
    case "ttest_from_stats":
        let sc = try d(inputs, "sd_current")
        let sb = try d(inputs, "sd_baseline")
        let r = Stats.TTest.student(
            meanCurrent: try d(inputs, "mean_current"), varianceCurrent: sc * sc, countCurrent: try i(inputs, "n_current"),
            meanBaseline: try d(inputs, "mean_baseline"), varianceBaseline: sb * sb, countBaseline: try i(inputs, "n_baseline"))
        return ["t": r.t, "p": r.pValue]
    case "history_log_t", "history_log_t_pooled":
        let quant = Stats.Quantization(rawValue: str(params, "quantization", "none")) ?? .none
        let cur = try arr(inputs, "current")
        let r: Stats.HistoryLogTResult?
        if method == "history_log_t" {
            let prior = num(params["prior_sigma"]).flatMap { s in num(params["prior_df"]).map { Stats.VariancePrior(sigma: s, df: $0) } }
            r = Stats.History.logT(history: try arr(inputs, "history"), current: cur, quantization: quant, prior: prior)
        } else {
            guard let segs = inputs["segments"] as? [[Any]] else { throw VectorError("segments") }
            r = Stats.History.pooledLogT(segments: segs.map { $0.compactMap(num) }, current: cur)
        }
        guard let r else { throw VectorError("no result") }
        return [
            "ratio": r.ratio, "se": r.standardError, "df": r.df, "p": r.pValue, "ci_lower": r.ciLower, "ci_upper": r.ciUpper,
            "baseline_centre": r.baselineCentre, "current_centre": r.currentCentre, "sigma": r.sigma,
        ]
    case "quantile_ci_orders":
        let ci = Stats.QuantileCI(n: try i(inputs, "n"), p: try d(params, "p"), alpha: try d(params, "alpha"))
        return ["lower": opt(ci.lowerOrder), "upper": opt(ci.upperOrder), "coverage": opt(ci.coverage)]
    case "quantile_ci_min_n":
        return ["n": try arr(inputs, "p").map { Stats.QuantileCI.minimumN(p: $0) ?? -1 }]
    case "quantile_test":
        guard let r = Stats.quantileTest(current: try arr(inputs, "current"), baseline: try arr(inputs, "baseline"), p: try d(params, "p"))
        else { throw VectorError("no result") }
        return [
            "threshold": r.threshold, "current_above": r.currentAbove, "baseline_above": r.baselineAbove, "p": r.pValue,
            "p_greater": r.pValueGreater,
        ]
    case "fisher_exact":
        guard let t = inputs["table"] as? [[Any]], t.count == 2 else { throw VectorError("table") }
        let v = Array(t.joined()).compactMap(num).map { Int($0) }
        guard v.count == 4 else { throw VectorError("table") }
        let r = Stats.fisherExact(v[0], v[1], v[2], v[3], alternative: try alt(params))
        return ["p": r.pValue, "odds_ratio": r.oddsRatio]
    case "error_rate_binomial":
        guard
            let r = Stats.ErrorRate.binomialVsHistory(
                failures: try i(inputs, "failures"), requests: try i(inputs, "requests"),
                historyFailures: try i(inputs, "history_failures"), historyRequests: try i(inputs, "history_requests"))
        else { throw VectorError("no result") }
        return ["pooled_rate": r.pooledRate, "p": r.pValue, "delta": r.delta]
    case "error_rate_fisher":
        guard
            let r = Stats.ErrorRate.fisherSinglePair(
                failures: try i(inputs, "failures"), requests: try i(inputs, "requests"),
                baselineFailures: try i(inputs, "baseline_failures"), baselineRequests: try i(inputs, "baseline_requests"))
        else { throw VectorError("no result") }
        return ["p": r.pValue, "delta": r.delta]
    case "tier_c":
        func summary(_ key: String) throws -> (Stats.LogNormalSummary, Double) {
            guard let s = inputs[key] as? [String: Any] else { throw VectorError(key) }
            guard
                let fit = Stats.LogNormalSummary(
                    median: try d(s, "median"),
                    quantiles: [(0.9, try d(s, "p90")), (0.95, try d(s, "p95")), (0.99, try d(s, "p99"))],
                    count: try i(s, "count"))
            else { throw VectorError("fit") }
            return (fit, try d(s, "p95"))
        }
        let (b, bv) = try summary("baseline")
        let (c, cv) = try summary("current")
        let r = Stats.LogNormalSummary.quantileTest(baseline: b, baselineValue: bv, current: c, currentValue: cv, p: try d(params, "p"))
        return [
            "sigma_baseline": b.sigma, "sigma_current": c.sigma, "se_baseline": r.seBaseline, "se_current": r.seCurrent,
            "z": r.z, "p": r.pValue, "mean_se_baseline": b.meanLogSE,
        ]
    case "fdr":
        guard let m = Stats.Adjustment(rawValue: str(params, "method", "bh")) else { throw VectorError("method") }
        return ["q": Stats.adjust(try arr(inputs, "p"), method: m)]
    case "mde":
        let s = try arr(inputs, "sigma")
        let n = try arr(inputs, "n")
        let k = try arr(inputs, "k")
        return ["mde": s.indices.map { Stats.Noise.mde(sigma: s[$0], history: Int(n[$0]), current: Int(k[$0])) }]
    case "runs_needed":
        return ["k": opt(Stats.Noise.runsNeeded(sigma: try d(inputs, "sigma"), history: try i(inputs, "n"), target: try d(params, "target")))]
    case "hampel":
        return ["keep": Stats.hampelKeep(try arr(inputs, "y"), k: try d(params, "k"))]
    case "verdict_table":
        guard let cases = inputs["cases"] as? [[String: Any]] else { throw VectorError("cases") }
        var verdicts: [String] = []
        var reasons: [Any] = []
        for c in cases {
            guard let tier = EvidenceTier(rawValue: str(c, "tier", "")) else { throw VectorError("tier") }
            let insufficient = (c["insufficient"] as? String).flatMap { InsufficientReason(rawValue: $0) }
            if c["insufficient"] is String && insufficient == nil { throw VectorError("reason") }
            let input = VerdictInput(
                hasBaseline: c["has_baseline"] as? Bool ?? true, insufficient: insufficient, effect: try d(c, "effect"),
                q: num(c["q"]), tier: tier, absDelta: num(c["abs_delta"]) ?? .infinity, minAbs: num(c["min_abs"]) ?? 0,
                isErrorRate: c["error_rate"] as? Bool ?? false)
            let policy = VerdictPolicy(singlePairCanFail: c["single_pair_can_fail"] as? Bool ?? false)
            let v = Verdict.decide(input, policy: policy)
            verdicts.append(v.verdict.rawValue)
            reasons.append(v.reasons)
        }
        return ["verdict": verdicts, "reasons": reasons]
    case "qhat_profile":
        return ["q": Stats.ChangePoints.qHatProfile(try arr(inputs, "z"))]
    case "edivisive":
        let options = Stats.ChangePoints.Options(
            minSize: try i(params, "min_size"), pMax: try d(params, "p_max"), minMagnitude: try d(params, "min_magnitude"))
        guard let cps = Stats.ChangePoints.eDivisive(try arr(inputs, "series"), options: options) else { throw VectorError("nil") }
        return ["indices": cps.map(\.index), "p": cps.map(\.pValue), "relative_change": cps.map(\.relativeChange)]
    case "splitmix64":
        let seeds = try arr(inputs, "seeds")
        let counts = try arr(params, "count")
        return ["hex": seeds.indices.map { s -> [String] in
            var g = Stats.SplitMix64(seed: UInt64(seeds[s]))
            return (0..<Int(counts[s])).map { _ in
                let h = String(g.next(), radix: 16)
                return String(repeating: "0", count: 16 - h.count) + h
            }
        }]
    case "drift":
        let time = try arr(inputs, "time")
        let value = try arr(inputs, "value")
        let points = zip(time, value).map { Drift.Point(time: $0, value: $1) }
        let a = Drift.assess(points, minimum: try d(params, "minimum_percent_per_hour") / 100)
        guard let f = a.fit else { throw VectorError("no fit") }
        return [
            "slope_per_hour": f.slopePerHour, "stderr_per_hour": f.stderrPerHour, "low_per_hour": f.lowPerHour,
            "high_per_hour": f.highPerHour, "level": f.level, "verdict": a.verdict.rawValue,
        ]
    default:
        throw VectorError("unknown method '\(method)'")
    }
}

// MARK: comparison

/// Compares `actual` with `expected` (`|a − e| ≤ abs + rel·|e|`); returns a list of mismatches.
func statsMismatches(_ actual: Any?, _ expected: Any, absTol: Double, relTol: Double, path: String) -> [String] {
    if expected is NSNull {
        if actual == nil || actual is NSNull { return [] }
        return ["\(path): expected null, got \(String(describing: actual))"]
    }
    guard let actual, !(actual is NSNull) else { return ["\(path): expected \(expected), got null"] }
    if let a = actual as? Bool {
        guard let e = expected as? Bool, e == a else { return ["\(path): expected \(expected), got \(a)"] }
        return []
    }
    if let a = actual as? String {
        guard let e = expected as? String, e == a else { return ["\(path): expected \(expected), got \(a)"] }
        return []
    }
    if let a = actual as? [Any] {
        guard let e = expected as? [Any] else { return ["\(path): expected \(expected), got an array"] }
        guard e.count == a.count else { return ["\(path): expected \(e.count) elements, got \(a.count)"] }
        return a.indices.flatMap { statsMismatches(a[$0], e[$0], absTol: absTol, relTol: relTol, path: "\(path)[\($0)]") }
    }
    guard let a = num(actual), let e = num(expected) else { return ["\(path): cannot compare \(actual) with \(expected)"] }
    if e.isNaN { return a.isNaN ? [] : ["\(path): expected NaN, got \(a)"] }
    if e.isInfinite { return a == e ? [] : ["\(path): expected \(e), got \(a)"] }
    if abs(a - e) <= absTol + relTol * abs(e) { return [] }
    return ["\(path): expected \(e), got \(a) (diff \(abs(a - e)))"]
}

@Suite struct StatsVectorTests {
    @Test func fixtureHasEnoughVectors() throws {
        #expect(StatsVectors.all.count >= 80)
        #expect(Set(StatsVectors.names).count == StatsVectors.names.count)
    }

    @Test(arguments: StatsVectors.names)
    func matchesReference(_ name: String) throws {
        let v = try #require(StatsVectors.vector(name))
        let method = try #require(v["method"] as? String)
        let inputs = v["inputs"] as? [String: Any] ?? [:]
        let params = v["params"] as? [String: Any] ?? [:]
        let expected = try #require(v["expected"] as? [String: Any])
        let tol = v["tolerance"] as? [String: Any] ?? [:]
        let absTol = num(tol["abs"]) ?? 0
        let relTol = num(tol["rel"]) ?? 0
        let actual: [String: Any]
        do {
            actual = try runStatsVector(method: method, inputs: inputs, params: params)
        } catch {
            Issue.record("\(name): \(error)")
            return
        }
        #expect(!expected.isEmpty)
        for key in expected.keys.sorted() {
            guard let e = expected[key] else { continue }
            guard actual.keys.contains(key) else {
                Issue.record("\(name): method \(method) does not produce '\(key)'")
                continue
            }
            for problem in statsMismatches(actual[key], e, absTol: absTol, relTol: relTol, path: "\(name).\(key)") {
                Issue.record("\(problem)")
            }
        }
    }

    @Test func unknownMethodFails() {
        #expect(throws: VectorError.self) { try runStatsVector(method: "no_such_method", inputs: [:], params: [:]) }
    }
}
