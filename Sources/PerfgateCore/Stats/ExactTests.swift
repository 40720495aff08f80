import Foundation

extension Stats {
    /// Result of Fisher's exact test on a 2×2 table.
    public struct FisherResult: Sendable, Hashable {
        /// Sample odds ratio `a·d/(b·c)` (∞ when b·c = 0, NaN when a margin is 0).
        public var oddsRatio: Double
        public var pValue: Double
    }

    /// Fisher's exact test for `[[a, b], [c, d]]`: two-sided sums every table with
    /// `pmf ≤ pmf_obs·(1 + 1e-7)` in log space; `greater` is P(X ≥ a), `less` P(X ≤ a), X = top-left cell.
    public static func fisherExact(_ a: Int, _ b: Int, _ c: Int, _ d: Int, alternative: Alternative = .twoSided) -> FisherResult {
        let row0 = a + b
        let row1 = c + d
        let col0 = a + c
        let col1 = b + d
        if row0 == 0 || row1 == 0 || col0 == 0 || col1 == 0 { return FisherResult(oddsRatio: .nan, pValue: 1) }
        let odds = (c > 0 && b > 0) ? Double(a) * Double(d) / (Double(c) * Double(b)) : .infinity
        let total = row0 + row1
        let lo = max(0, col0 - row1)
        let hi = min(row0, col0)
        let logs = (lo...hi).map { Special.hypergeometricLogPMF($0, total: total, successes: row0, draws: col0) }
        let observed = logs[a - lo]
        let cutoff = observed + log1p(1e-7)
        var include: [Double] = []
        for (i, lp) in logs.enumerated() {
            let x = lo + i
            switch alternative {
            case .twoSided: if lp <= cutoff { include.append(lp) }
            case .greater: if x >= a { include.append(lp) }
            case .less: if x <= a { include.append(lp) }
            }
        }
        let maxLog = include.max() ?? -.infinity
        var s = 0.0
        for lp in include { s += exp(lp - maxLog) }
        return FisherResult(oddsRatio: odds, pValue: min(1, s * exp(maxLog)))
    }

    /// Distribution-free order-statistic CI for a quantile.
    public struct QuantileCI: Sendable, Hashable {
        /// 1-based order of the lower bound, nil when unbounded.
        public var lowerOrder: Int?
        /// 1-based order of the upper bound, nil when unbounded.
        public var upperOrder: Int?
        /// `P(B ≤ u−1) − P(B ≤ l−1)` when both are finite.
        public var coverage: Double?

        /// Orders for sample size `n`, quantile `p`, level `1 − alpha`.
        public init(n: Int, p: Double, alpha: Double = 0.05) {
            let half = alpha / 2
            let cdf = { (k: Int) in Special.binomialCDF(k, n: n, p: p) }
            // l = largest j in 0…n with cdf(j − 1) ≤ α/2 (0 = unbounded).
            var lo = 0
            var hi = n
            while lo < hi {
                let mid = (lo + hi + 1) / 2
                if cdf(mid - 1) <= half { lo = mid } else { hi = mid - 1 }
            }
            let l = lo
            // u = smallest j in 1…n with cdf(j − 1) ≥ 1 − α/2 (none = unbounded).
            var u: Int?
            if n >= 1 && cdf(n - 1) >= 1 - half {
                var a = 1
                var b = n
                while a < b {
                    let mid = (a + b) / 2
                    if cdf(mid - 1) >= 1 - half { b = mid } else { a = mid + 1 }
                }
                u = a
            }
            lowerOrder = l >= 1 ? l : nil
            upperOrder = u
            if let lOrder = lowerOrder, let uOrder = u { coverage = cdf(uOrder - 1) - cdf(lOrder - 1) } else { coverage = nil }
        }

        /// Smallest n with both bounds finite: `(1−p)^n ≤ α/2` and `p^n ≤ α/2`; nil for p ∉ (0, 1).
        public static func minimumN(p: Double, alpha: Double = 0.05) -> Int? {
            guard p > 0, p < 1 else { return nil }
            let half = alpha / 2
            let guess = max(log(half) / log1p(-p), log(half) / log(p))
            var n = max(1, Int(guess.rounded(.down)) - 2)
            while !(pow(1 - p, Double(n)) <= half && pow(p, Double(n)) <= half) { n += 1 }
            return n
        }

        /// The CI values `[X_(l), X_(u)]` of a sample (nil bounds when unbounded).
        public static func interval(_ x: [Double], p: Double, alpha: Double = 0.05) -> (lower: Double?, upper: Double?) {
            let s = x.sorted()
            let ci = QuantileCI(n: s.count, p: p, alpha: alpha)
            return (ci.lowerOrder.map { s[$0 - 1] }, ci.upperOrder.map { s[$0 - 1] })
        }
    }

    /// Result of the two-sample quantile test.
    public struct QuantileTestResult: Sendable, Hashable {
        /// Type-7 p-quantile of the pooled sample.
        public var threshold: Double
        /// `#{c_j > t}`.
        public var currentAbove: Int
        /// `#{b_i > t}`.
        public var baselineAbove: Int
        /// Fisher two-sided p on `[[a', n_c − a'], [a, n_b − a]]`.
        public var pValue: Double
        /// Fisher `greater` p (current has more mass above t).
        public var pValueGreater: Double
    }

    /// Two-sample quantile test at level `p` (generalised Mood median test).
    public static func quantileTest(current: [Double], baseline: [Double], p: Double) -> QuantileTestResult? {
        guard !current.isEmpty, !baseline.isEmpty else { return nil }
        let t = Percentile.type7(current + baseline, p)
        let ac = current.filter { $0 > t }.count
        let ab = baseline.filter { $0 > t }.count
        let two = fisherExact(ac, current.count - ac, ab, baseline.count - ab)
        let greater = fisherExact(ac, current.count - ac, ab, baseline.count - ab, alternative: .greater)
        return QuantileTestResult(
            threshold: t, currentAbove: ac, baselineAbove: ab, pValue: two.pValue, pValueGreater: greater.pValue)
    }

    /// Error-rate tests.
    public enum ErrorRate {
        /// Current failures against the pooled history rate `p0 = Σf/Σn`: `p = P(X ≥ f_c)`, X ~ Binom(n_c, p0).
        /// Returns p0, the one-sided p and the absolute effect `f_c/n_c − p0`; nil without requests.
        public static func binomialVsHistory(
            failures: Int, requests: Int, historyFailures: Int, historyRequests: Int
        ) -> (pooledRate: Double, pValue: Double, delta: Double)? {
            guard requests > 0, historyRequests > 0, failures >= 0, failures <= requests else { return nil }
            let p0 = Double(historyFailures) / Double(historyRequests)
            let p: Double
            if p0 <= 0 {
                p = failures > 0 ? 0 : 1
            } else {
                p = Special.binomialSF(failures - 1, n: requests, p: p0)
            }
            return (p0, p, Double(failures) / Double(requests) - p0)
        }

        /// Single pair: Fisher exact (two-sided) on `[[f_c, n_c − f_c], [f_b, n_b − f_b]]`; effect `f_c/n_c − f_b/n_b`.
        public static func fisherSinglePair(
            failures: Int, requests: Int, baselineFailures: Int, baselineRequests: Int
        ) -> (pValue: Double, delta: Double)? {
            guard requests > 0, baselineRequests > 0 else { return nil }
            let r = fisherExact(failures, requests - failures, baselineFailures, baselineRequests - baselineFailures)
            return (r.pValue, Double(failures) / Double(requests) - Double(baselineFailures) / Double(baselineRequests))
        }
    }

    /// Tier C: log-normal model of one run's summary.
    public struct LogNormalSummary: Sendable, Hashable {
        /// ln(median).
        public var mu: Double
        /// `Σ z_p ln(q_p/median) / Σ z_p²` over reported percentiles p > 0.5.
        public var sigma: Double
        /// Requests in the run.
        public var count: Int

        /// Fits μ and σ from the median and (level, value) pairs; nil when no usable level > 0.5.
        public init?(median: Double, quantiles: [(p: Double, value: Double)], count: Int) {
            guard median > 0, count > 0 else { return nil }
            var num = 0.0
            var den = 0.0
            for (p, q) in quantiles where p > 0.5 && p < 1 && q > 0 {
                let z = Special.normalPPF(p)
                num += z * log(q / median)
                den += z * z
            }
            guard den > 0 else { return nil }
            mu = log(median)
            sigma = num / den
            self.count = count
        }

        /// Asymptotic SE of ln q̂_p: `σ·√(p(1−p)/n)/φ(z_p)`.
        public func quantileLogSE(p: Double) -> Double {
            sigma * (p * (1 - p) / Double(count)).squareRoot() / Special.normalPDF(Special.normalPPF(p))
        }

        /// SE of ln x̄: `√((e^{σ²} − 1)/n)`.
        public var meanLogSE: Double { (expm1(sigma * sigma) / Double(count)).squareRoot() }

        /// Two-sided z test of `ln(q_c/q_b)` with the quantile SEs of both runs.
        public static func quantileTest(
            baseline: LogNormalSummary, baselineValue: Double, current: LogNormalSummary, currentValue: Double, p: Double
        ) -> (z: Double, pValue: Double, seBaseline: Double, seCurrent: Double) {
            let sb = baseline.quantileLogSE(p: p)
            let sc = current.quantileLogSE(p: p)
            let z = log(currentValue / baselineValue) / (sb * sb + sc * sc).squareRoot()
            return (z, 2 * Special.normalSF(abs(z)), sb, sc)
        }
    }
}
