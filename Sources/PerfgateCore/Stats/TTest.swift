import Foundation

extension Stats {
    /// Result of a t test. `estimate` is the difference of means (current − baseline) or the mean
    /// difference (one-sample), `standardError` its standard error.
    public struct TTestResult: Sendable, Hashable {
        public var t: Double
        public var df: Double
        public var pValue: Double
        public var estimate: Double
        public var standardError: Double
    }

    /// Welch, Student and one-sample t tests.
    public enum TTest {
        /// p-value of statistic `t` with `df` under `alternative`.
        public static func pValue(t: Double, df: Double, alternative: Alternative) -> Double {
            switch alternative {
            case .twoSided: return min(1, 2 * Special.studentTSF(abs(t), df: df))
            case .greater: return Special.studentTSF(t, df: df)
            case .less: return Special.studentTCDF(t, df: df)
            }
        }

        /// Zero-variance rule: p = 1 when the estimate is 0, else 0 in its direction.
        static func zeroVarianceP(_ estimate: Double, _ alternative: Alternative) -> Double {
            switch alternative {
            case .twoSided: return estimate == 0 ? 1 : 0
            case .greater: return estimate > 0 ? 0 : 1
            case .less: return estimate < 0 ? 0 : 1
            }
        }

        private static func result(_ diff: Double, _ se: Double, _ df: Double, _ alternative: Alternative) -> TTestResult {
            if !(se > 0) {
                let t: Double = diff == 0 ? .nan : (diff > 0 ? .infinity : -.infinity)
                return TTestResult(
                    t: t, df: df, pValue: zeroVarianceP(diff, alternative), estimate: diff, standardError: 0)
            }
            let t = diff / se
            return TTestResult(
                t: t, df: df, pValue: pValue(t: t, df: df, alternative: alternative), estimate: diff, standardError: se)
        }

        /// Welch's unequal-variance t test (non-integer df); nil when a side has fewer than 2 values.
        public static func welch(current: [Double], baseline: [Double], alternative: Alternative = .twoSided) -> TTestResult? {
            guard current.count >= 2, baseline.count >= 2 else { return nil }
            return welch(
                meanCurrent: mean(current), varianceCurrent: variance(current), countCurrent: current.count,
                meanBaseline: mean(baseline), varianceBaseline: variance(baseline), countBaseline: baseline.count,
                alternative: alternative)
        }

        /// Welch's test from summary statistics (sample variances with ddof = 1).
        public static func welch(
            meanCurrent: Double, varianceCurrent: Double, countCurrent: Int,
            meanBaseline: Double, varianceBaseline: Double, countBaseline: Int, alternative: Alternative = .twoSided
        ) -> TTestResult {
            let vc = varianceCurrent / Double(countCurrent)
            let vb = varianceBaseline / Double(countBaseline)
            let se = (vc + vb).squareRoot()
            let df = (vc + vb) * (vc + vb) / (vc * vc / Double(countCurrent - 1) + vb * vb / Double(countBaseline - 1))
            return result(meanCurrent - meanBaseline, se, df, alternative)
        }

        /// Student's pooled-variance t test, df = n₁ + n₂ − 2; nil when a side is empty or df < 1.
        public static func student(current: [Double], baseline: [Double], alternative: Alternative = .twoSided) -> TTestResult? {
            guard !current.isEmpty, !baseline.isEmpty, current.count + baseline.count >= 3 else { return nil }
            return student(
                meanCurrent: mean(current), varianceCurrent: current.count > 1 ? variance(current) : 0,
                countCurrent: current.count, meanBaseline: mean(baseline),
                varianceBaseline: baseline.count > 1 ? variance(baseline) : 0, countBaseline: baseline.count,
                alternative: alternative)
        }

        /// Student's pooled test from summary statistics (as SciPy `ttest_ind_from_stats(equal_var=True)`).
        public static func student(
            meanCurrent: Double, varianceCurrent: Double, countCurrent: Int,
            meanBaseline: Double, varianceBaseline: Double, countBaseline: Int, alternative: Alternative = .twoSided
        ) -> TTestResult {
            let n1 = Double(countCurrent)
            let n2 = Double(countBaseline)
            let df = n1 + n2 - 2
            let pooled = ((n1 - 1) * varianceCurrent + (n2 - 1) * varianceBaseline) / df
            let se = (pooled * (1 / n1 + 1 / n2)).squareRoot()
            return result(meanCurrent - meanBaseline, se, df, alternative)
        }

        /// One-sample t test of `mean(x) − mu`, df = n − 1; nil for n < 2.
        public static func oneSample(_ x: [Double], mu: Double = 0, alternative: Alternative = .twoSided) -> TTestResult? {
            guard x.count >= 2 else { return nil }
            let se = (variance(x) / Double(x.count)).squareRoot()
            return result(mean(x) - mu, se, Double(x.count - 1), alternative)
        }

        /// Welch two-sided p with the zero-variance rule, for change-point significance; 1 when a side has < 2 values.
        static func welchTwoSidedP(_ x: ArraySlice<Double>, _ y: ArraySlice<Double>) -> Double {
            guard x.count >= 2, y.count >= 2 else { return 1 }
            func moments(_ s: ArraySlice<Double>) -> (Double, Double) {
                var m = 0.0
                for v in s { m += v }
                m /= Double(s.count)
                var q = 0.0
                for v in s { q += (v - m) * (v - m) }
                return (m, q / Double(s.count - 1))
            }
            let (mx, vx) = moments(x)
            let (my, vy) = moments(y)
            return welch(
                meanCurrent: my, varianceCurrent: vy, countCurrent: y.count, meanBaseline: mx, varianceBaseline: vx,
                countBaseline: x.count
            ).pValue
        }
    }
}
