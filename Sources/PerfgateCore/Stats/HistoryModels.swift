import Foundation

extension Stats {
    /// How a tool quantises reported values, for the σ_q floor of T1.
    public enum Quantization: String, Sendable, Hashable, Codable {
        /// No quantisation (k6, raw samples): σ_q = 0.
        case none
        /// Locust buckets: 1/10/100/1000 ms below 100/1000/10 000 ms/above.
        case locust

        /// Bucket width Δ at level `value` (same unit as the bucket rule, ms for Locust).
        public func step(at value: Double) -> Double {
            switch self {
            case .none: return 0
            case .locust: return Percentile.locustBucketWidth(at: value)
            }
        }
    }

    /// A prior on the run-to-run variance of ln(values) (scaled inverse χ²: σ0² worth `df` runs'
    /// degrees of freedom). The moderated variance is `(df_h·s_h² + df0·σ0²)/(df_h + df0)` with
    /// `df_h + df0` degrees of freedom (Smyth's moderated t, 2004): a short history can no longer claim a
    /// spread far below what runs of that tool show (docs/gate.md "Run-to-run noise").
    public struct VariancePrior: Sendable, Hashable {
        public var sigma: Double
        public var df: Double
        public init(sigma: Double, df: Double) {
            self.sigma = sigma
            self.df = df
        }
    }

    /// Result of the history log-t test (T1 / T1b).
    public struct HistoryLogTResult: Sendable, Hashable {
        /// x̄ − ȳ on the log scale (not yet oriented by direction).
        public var logDifference: Double
        /// Ratio of geometric means `exp(D0)`.
        public var ratio: Double
        public var standardError: Double
        public var t: Double
        public var df: Double
        /// Two-sided p-value.
        public var pValue: Double
        public var ciLower: Double
        public var ciUpper: Double
        /// sd of the history logs (ddof 1, or pooled for T1b) before the floor.
        public var sdHistory: Double
        /// The floor σ_floor = max(sigma_min, σ_q).
        public var sigmaFloor: Double
        /// The s actually used, max(sdHistory, σ_floor).
        public var sigma: Double
        /// Geometric mean of the (last-segment) history.
        public var baselineCentre: Double
        /// Geometric mean of the current runs.
        public var currentCentre: Double
        /// The Student-t quantile t(1 − α/2, df) the interval was built with; nil when there is no
        /// interval (a zero standard error, or `interval: false`).
        public var criticalT: Double?
    }

    /// History models: T1 and T1b (pooled).
    public enum History {
        /// T1 history log-t: current runs against N history runs (values > 0). nil when N < 2 or k < 1
        /// or any value is not positive and finite.
        /// `interval: false` skips the confidence interval (its Student-t quantile is the costly part):
        /// `ciLower`/`ciUpper` are then NaN, for callers that read only the test.
        public static func logT(
            history: [Double], current: [Double], alpha: Double = 0.05, sigmaMin: Double = 0,
            quantization: Quantization = .none, prior: VariancePrior? = nil, interval: Bool = true
        ) -> HistoryLogTResult? {
            guard history.count >= 2 else { return nil }
            return pooledLogT(
                segments: [history], current: current, alpha: alpha, sigmaMin: sigmaMin, quantization: quantization, prior: prior, interval: interval)
        }

        /// T1b pooled-segment variant: variance pooled over segments (df = N − S), centre and `1/n_last` from the
        /// last segment. With one segment this is T1.
        public static func pooledLogT(
            segments: [[Double]], current: [Double], alpha: Double = 0.05, sigmaMin: Double = 0,
            quantization: Quantization = .none, prior: VariancePrior? = nil, interval: Bool = true
        ) -> HistoryLogTResult? {
            guard let last = segments.last, !last.isEmpty, !current.isEmpty else { return nil }
            let all = segments.joined() + current
            guard all.allSatisfy({ $0.isFinite && $0 > 0 }) else { return nil }
            let n = segments.reduce(0) { $0 + $1.count }
            var df = Double(n - segments.count)
            guard df >= 1 else { return nil }
            var ss = 0.0
            for seg in segments { ss += sumOfSquares(seg.map { log($0) }) }
            var sdHistory = (ss / df).squareRoot()
            if let prior, prior.df > 0 {
                sdHistory = ((ss + prior.df * prior.sigma * prior.sigma) / (df + prior.df)).squareRoot()
                df += prior.df
            }
            let y = last.map { log($0) }
            let x = current.map { log($0) }
            let ybar = mean(y)
            let xbar = mean(x)
            let centre = exp(ybar)
            let sigmaQ = quantization.step(at: centre) / 12.0.squareRoot() / centre
            let floor = max(sigmaMin, sigmaQ)
            let s = max(sdHistory, floor)
            let d0 = xbar - ybar
            let se = s * (1 / Double(x.count) + 1 / Double(y.count)).squareRoot()
            let t: Double
            let p: Double
            var lo = d0
            var hi = d0
            var critical: Double?
            if se > 0 {
                t = d0 / se
                p = min(1, 2 * Special.studentTSF(abs(t), df: df))
                if interval {
                    let q = Special.studentTPPF(1 - alpha / 2, df: df)
                    lo = d0 - q * se
                    hi = d0 + q * se
                    critical = q
                } else {
                    lo = .nan
                    hi = .nan
                }
            } else {
                t = d0 == 0 ? .nan : (d0 > 0 ? .infinity : -.infinity)
                p = d0 == 0 ? 1 : 0
            }
            return HistoryLogTResult(
                logDifference: d0, ratio: exp(d0), standardError: se, t: t, df: df, pValue: p, ciLower: exp(lo),
                ciUpper: exp(hi), sdHistory: sdHistory, sigmaFloor: floor, sigma: s, baselineCentre: centre,
                currentCentre: exp(xbar), criticalT: critical)
        }
    }
}
