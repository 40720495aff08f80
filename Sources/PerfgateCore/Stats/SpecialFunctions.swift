import Foundation

extension Stats {
    /// Special functions Swift's standard library lacks. Accuracy: about 1e-12 relative
    /// for Φ, Φ⁻¹ and the t CDF at moderate arguments, about 1e-9 for large-count binomial/hypergeometric
    /// terms (limited by `lgamma` of large arguments).
    public enum Special {
        /// Standard normal density φ(x).
        public static func normalPDF(_ x: Double) -> Double {
            exp(-0.5 * x * x) / (2 * Double.pi).squareRoot()
        }

        /// Standard normal CDF Φ(x), via `erfc` (accurate in both tails).
        public static func normalCDF(_ x: Double) -> Double {
            0.5 * erfc(-x / 2.0.squareRoot())
        }

        /// Standard normal survival function 1 − Φ(x), accurate for large x.
        public static func normalSF(_ x: Double) -> Double {
            0.5 * erfc(x / 2.0.squareRoot())
        }

        /// Standard normal quantile Φ⁻¹(p): Acklam's rational approximation plus one Halley step on `erfc`.
        /// Returns −∞ at 0, +∞ at 1 and NaN outside [0, 1].
        public static func normalPPF(_ p: Double) -> Double {
            guard p.isFinite, p >= 0, p <= 1 else { return .nan }
            if p == 0 { return -.infinity }
            if p == 1 { return .infinity }
            if p > 0.5 { return -lowerNormalPPF(1 - p) }
            return lowerNormalPPF(p)
        }

        /// Φ⁻¹ for p ≤ 0.5 (result ≤ 0), refined against `normalCDF`.
        private static func lowerNormalPPF(_ p: Double) -> Double {
            let a = [-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02,
                     1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00]
            let b = [-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02,
                     6.680131188771972e+01, -1.328068155288572e+01]
            let c = [-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00,
                     -2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00]
            let d = [7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00,
                     3.754408661907416e+00]
            var x: Double
            if p < 0.02425 {
                let q = (-2 * log(p)).squareRoot()
                x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5])
                    / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1)
            } else {
                let q = p - 0.5
                let r = q * q
                x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q
                    / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1)
            }
            for _ in 0..<2 {
                let e = normalCDF(x) - p
                let u = e * (2 * Double.pi).squareRoot() * exp(x * x / 2)
                let next = x - u / (1 + x * u / 2)
                if !next.isFinite { break }
                x = next
            }
            return x
        }

        /// ln C(n, k) for real n ≥ k ≥ 0.
        public static func logChoose(_ n: Double, _ k: Double) -> Double {
            if k < 0 || k > n { return -.infinity }
            if k == 0 || k == n { return 0 }
            return lgamma(n + 1) - lgamma(k + 1) - lgamma(n - k + 1)
        }

        /// Regularised incomplete beta I_x(a, b) (continued fraction, Lentz), a, b > 0, given x and
        /// y = 1 − x separately (so a tiny y keeps its precision). The t and binomial distributions use it.
        static func incompleteBeta(_ a: Double, _ b: Double, x: Double, y: Double) -> Double {
            guard a > 0, b > 0, x.isFinite, y.isFinite else { return .nan }
            if x <= 0 { return 0 }
            if y <= 0 { return 1 }
            let lnFront = lgamma(a + b) - lgamma(a) - lgamma(b) + a * log(x) + b * log(y)
            let front = exp(lnFront)
            if x < (a + 1) / (a + b + 2) {
                return front * betaContinuedFraction(a, b, x: x, y: y) / a
            }
            return 1 - front * betaContinuedFraction(b, a, x: y, y: x) / b
        }

        private static func betaContinuedFraction(_ a: Double, _ b: Double, x: Double, y: Double) -> Double {
            let tiny = 1e-300
            let eps = 1e-16
            let qab = a + b
            let qap = a + 1
            let qam = a - 1
            var c = 1.0
            var d = 1 - qab * x / qap
            if abs(d) < tiny { d = tiny }
            d = 1 / d
            var h = d
            var m = 1.0
            while m < 100_000 {
                let m2 = 2 * m
                var aa = m * (b - m) * x / ((qam + m2) * (a + m2))
                d = 1 + aa * d
                if abs(d) < tiny { d = tiny }
                c = 1 + aa / c
                if abs(c) < tiny { c = tiny }
                d = 1 / d
                h *= d * c
                aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
                d = 1 + aa * d
                if abs(d) < tiny { d = tiny }
                c = 1 + aa / c
                if abs(c) < tiny { c = tiny }
                d = 1 / d
                let del = d * c
                h *= del
                if abs(del - 1) < eps { break }
                m += 1
            }
            return h
        }

        /// Student t density with `df` degrees of freedom (non-integer allowed).
        public static func studentTPDF(_ t: Double, df: Double) -> Double {
            exp(lgamma((df + 1) / 2) - lgamma(df / 2) - 0.5 * log(df * Double.pi) - (df + 1) / 2 * log1p(t * t / df))
        }

        /// Student t CDF F_t(t; df), df > 0 (non-integer allowed); ±∞ df is the normal.
        public static func studentTCDF(_ t: Double, df: Double) -> Double {
            if t.isNaN || df.isNaN || df <= 0 { return .nan }
            return t >= 0 ? 1 - studentTSF(t, df: df) : studentTSF(-t, df: df)
        }

        /// Student t survival function 1 − F_t(t; df), accurate in the upper tail.
        public static func studentTSF(_ t: Double, df: Double) -> Double {
            if t.isNaN || df.isNaN || df <= 0 { return .nan }
            if df.isInfinite { return normalSF(t) }
            if t == .infinity { return 0 }
            if t == -.infinity { return 1 }
            let t2 = t * t
            let x = df / (df + t2)
            let y = t2 / (df + t2)
            let tail = 0.5 * incompleteBeta(df / 2, 0.5, x: x, y: y)
            return t >= 0 ? tail : 1 - tail
        }

        /// Student t quantile F_t⁻¹(p; df): Newton on ln(tail) with a bisection safeguard.
        public static func studentTPPF(_ p: Double, df: Double) -> Double {
            guard p.isFinite, p >= 0, p <= 1, df > 0, !df.isNaN else { return .nan }
            if p == 0 { return -.infinity }
            if p == 1 { return .infinity }
            if p == 0.5 { return 0 }
            if df.isInfinite { return normalPPF(p) }
            let q = min(p, 1 - p)
            let sign: Double = p > 0.5 ? 1 : -1
            if df == 1 { return sign * tan(Double.pi * (0.5 - q)) }
            // Bracket [lo, hi] with sf(lo) > q ≥ sf(hi).
            let z = -normalPPF(q)
            var t = z + (z * z * z + z) / (4 * df)
            if !(t > 0) || !t.isFinite { t = 1 }
            var lo = 0.0
            var hi = t
            while studentTSF(hi, df: df) > q {
                lo = hi
                hi *= 2
                if !hi.isFinite { return sign * .infinity }
            }
            let lnq = log(q)
            for _ in 0..<200 {
                let s = studentTSF(t, df: df)
                if s > q { lo = max(lo, t) } else { hi = min(hi, t) }
                let g = log(s) - lnq
                let step = g / (studentTPDF(t, df: df) / s)
                var next = t + step
                if !(next > lo && next < hi) || !next.isFinite { next = lo + (hi - lo) / 2 }
                if abs(next - t) <= 1e-15 * abs(t) { t = next; break }
                t = next
                if hi - lo <= 1e-15 * hi { break }
            }
            return sign * t
        }

        /// Binomial CDF P(X ≤ k), X ~ Binom(n, p).
        public static func binomialCDF(_ k: Int, n: Int, p: Double) -> Double {
            if k < 0 { return 0 }
            if k >= n { return 1 }
            if p <= 0 { return 1 }
            if p >= 1 { return 0 }
            return incompleteBeta(Double(n - k), Double(k + 1), x: 1 - p, y: p)
        }

        /// Binomial survival P(X > k) = 1 − CDF(k), computed without cancellation.
        public static func binomialSF(_ k: Int, n: Int, p: Double) -> Double {
            if k < 0 { return 1 }
            if k >= n { return 0 }
            if p <= 0 { return 0 }
            if p >= 1 { return 1 }
            return incompleteBeta(Double(k + 1), Double(n - k), x: p, y: 1 - p)
        }

        /// ln P(X = k) of the hypergeometric distribution (SciPy's `hypergeom(M=total, n=successes, N=draws)`).
        public static func hypergeometricLogPMF(_ k: Int, total: Int, successes: Int, draws: Int) -> Double {
            let lo = max(0, draws - (total - successes))
            let hi = min(successes, draws)
            if k < lo || k > hi { return -.infinity }
            return logChoose(Double(successes), Double(k))
                + logChoose(Double(total - successes), Double(draws - k))
                - logChoose(Double(total), Double(draws))
        }
    }
}
