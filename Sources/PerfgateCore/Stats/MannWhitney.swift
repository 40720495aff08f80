import Foundation

extension Stats {
    /// Null distribution of the Mann–Whitney U statistic for sample sizes (m, n) without ties.
    ///
    /// Small tables (m·n ≤ 10 000) use the positive Double recursion
    /// `p(m,n,u) = m/(m+n)·p(m−1,n,u−n) + n/(m+n)·p(m,n−1,u)`; larger ones the generating function
    /// `Π_{i=1..s}(1 − q^{L+i})/(1 − q^i)` (s = min, L = max), O(s·m·n), normalised by its own total.
    public struct MannWhitneyNull: Sendable, Hashable {
        /// Sample sizes as given.
        public let m: Int
        public let n: Int
        /// `pmf[u]` = P₀(U = u), u = 0…m·n.
        public let pmf: [Double]

        /// Builds the distribution; m, n ≥ 0.
        public init(m: Int, n: Int) {
            self.m = m
            self.n = n
            let s = min(m, n)
            let l = max(m, n)
            if s == 0 {
                pmf = [1]
            } else if s * l <= 10_000 {
                pmf = MannWhitneyNull.recursion(s, l)
            } else {
                pmf = MannWhitneyNull.generatingFunction(s, l)
            }
        }

        private static func recursion(_ m: Int, _ n: Int) -> [Double] {
            // prev[j] = p(j, n'−1, ·); cur[j] = p(j, n', ·) for j = 0…m.
            var prev: [[Double]] = (0...m).map { _ in [1.0] }  // n' = 0: U ≡ 0
            for np in 1...n {
                var cur: [[Double]] = [[1.0]]
                cur.reserveCapacity(m + 1)
                for j in 1...m {
                    let size = j * np + 1
                    var row = [Double](repeating: 0, count: size)
                    let wA = Double(j) / Double(j + np)
                    let wB = Double(np) / Double(j + np)
                    let a = cur[j - 1]  // p(j−1, n', u − n')
                    let b = prev[j]  // p(j, n'−1, u)
                    for u in 0..<size {
                        var v = 0.0
                        let ua = u - np
                        if ua >= 0 && ua < a.count { v += wA * a[ua] }
                        if u < b.count { v += wB * b[u] }
                        row[u] = v
                    }
                    cur.append(row)
                }
                prev = cur
            }
            return prev[m]
        }

        private static func generatingFunction(_ s: Int, _ l: Int) -> [Double] {
            let top = s * l
            var c = [Double](repeating: 0, count: top + 1)
            c[0] = 1
            for i in 1...s where i <= top {
                for u in i...top { c[u] += c[u - i] }
            }
            for i in 1...s {
                let shift = l + i
                if shift > top { continue }
                for u in stride(from: top, through: shift, by: -1) { c[u] -= c[u - shift] }
            }
            // Symmetry P(U = u) = P(U = top − u): keep the better-conditioned lower half.
            for u in 0...(top / 2) { c[top - u] = c[u] }
            var total = 0.0
            for v in c { total += max(v, 0) }
            return c.map { max($0, 0) / total }
        }

        /// Upper tail P₀(U ≥ u).
        public func sf(_ u: Int) -> Double {
            let top = m * n
            if u <= 0 { return 1 }
            if u > top { return 0 }
            // Sum the shorter side for accuracy.
            if u > top / 2 {
                var s = 0.0
                for k in u...top { s += pmf[k] }
                return min(s, 1)
            }
            var s = 0.0
            for k in 0..<u { s += pmf[k] }
            return min(max(1 - s, 0), 1)
        }

        /// Lower tail P₀(U ≤ u).
        public func cdf(_ u: Int) -> Double {
            let top = m * n
            if u < 0 { return 0 }
            if u >= top { return 1 }
            return sf(top - u)  // symmetry
        }

        /// Number of arrangements with U = u (exact while below 2^53).
        public func count(_ u: Int) -> Double {
            (pmf[u] * exp(Special.logChoose(Double(m + n), Double(m)))).rounded()
        }
    }

    /// How a Mann–Whitney p-value was computed.
    public enum MannWhitneyMethod: String, Sendable, Hashable, Codable {
        /// SciPy `auto`: exact iff min(n) ≤ 8, no ties and n₁·n₂ ≤ 10⁶.
        case auto
        case exact
        case asymptotic
    }

    /// Result of a Mann–Whitney U test.
    public struct MannWhitneyResult: Sendable, Hashable {
        /// U of the first argument (current): `R₁ − n₁(n₁+1)/2`.
        public var u1: Double
        /// `n₁·n₂ − U₁`.
        public var u2: Double
        public var pValue: Double
        /// The method actually used (never `.auto`).
        public var method: MannWhitneyMethod
        /// Standardised statistic of the asymptotic method (nil for exact).
        public var z: Double?
        public var n1: Double
        public var n2: Double
    }

    /// Mann–Whitney U test, argument order (current, baseline).
    public enum MannWhitney {
        /// Tests `current` against `baseline` on raw values (mid-ranks, tie correction, continuity correction).
        public static func test(
            current: [Double], baseline: [Double], alternative: Alternative = .twoSided,
            method: MannWhitneyMethod = .auto, continuity: Bool = true
        ) -> MannWhitneyResult {
            var pooled: [(Double, Bool)] = current.map { ($0, true) } + baseline.map { ($0, false) }
            pooled.sort { $0.0 < $1.0 }
            var r1 = 0.0
            var tieTerm = 0.0
            var hasTies = false
            var i = 0
            while i < pooled.count {
                var j = i
                while j + 1 < pooled.count && pooled[j + 1].0 == pooled[i].0 { j += 1 }
                let t = Double(j - i + 1)
                if t > 1 {
                    hasTies = true
                    tieTerm += t * t * t - t
                }
                let mid = Double(i + j + 2) / 2
                for k in i...j where pooled[k].1 { r1 += mid }
                i = j + 1
            }
            let n1 = current.count
            let n2 = baseline.count
            var chosen = method
            if chosen == .auto {
                chosen = (min(n1, n2) <= 8 && !hasTies && n1 * n2 <= 1_000_000) ? .exact : .asymptotic
            }
            return finish(
                r1: r1, n1: Double(n1), n2: Double(n2), tieTerm: tieTerm, alternative: alternative,
                method: chosen, continuity: continuity)
        }

        /// Tests weighted samples (histogram buckets, e.g. stored distributions): ranks over buckets,
        /// always asymptotic with tie correction. Equivalent to ``test(current:baseline:alternative:method:continuity:)``
        /// on the expanded samples with `method: .asymptotic`.
        public static func test(
            currentBuckets: [WeightedValue], baselineBuckets: [WeightedValue], alternative: Alternative = .twoSided,
            continuity: Bool = true
        ) -> MannWhitneyResult {
            var merged: [Double: (c: Double, b: Double)] = [:]
            for w in currentBuckets where w.count > 0 { merged[w.value, default: (0, 0)].c += Double(w.count) }
            for w in baselineBuckets where w.count > 0 { merged[w.value, default: (0, 0)].b += Double(w.count) }
            var before = 0.0
            var r1 = 0.0
            var tieTerm = 0.0
            var n1 = 0.0
            var n2 = 0.0
            for key in merged.keys.sorted() {
                guard let g = merged[key] else { continue }
                let t = g.c + g.b
                r1 += g.c * (before + (t + 1) / 2)
                tieTerm += t * t * t - t
                before += t
                n1 += g.c
                n2 += g.b
            }
            return finish(
                r1: r1, n1: n1, n2: n2, tieTerm: tieTerm, alternative: alternative, method: .asymptotic,
                continuity: continuity)
        }

        private static func finish(
            r1: Double, n1: Double, n2: Double, tieTerm: Double, alternative: Alternative,
            method: MannWhitneyMethod, continuity: Bool
        ) -> MannWhitneyResult {
            let u1 = r1 - n1 * (n1 + 1) / 2
            let u2 = n1 * n2 - u1
            var result = MannWhitneyResult(u1: u1, u2: u2, pValue: .nan, method: method, z: nil, n1: n1, n2: n2)
            guard n1 > 0, n2 > 0 else { return result }
            let u: Double
            let factor: Double
            switch alternative {
            case .greater: (u, factor) = (u1, 1)
            case .less: (u, factor) = (u2, 1)
            case .twoSided: (u, factor) = (max(u1, u2), 2)
            }
            var p: Double
            if method == .exact {
                let null = MannWhitneyNull(m: Int(n1), n: Int(n2))
                p = null.sf(Int(u.rounded(.down)))
            } else {
                let n = n1 + n2
                let sigma = (n1 * n2 / 12 * ((n + 1) - tieTerm / (n * (n - 1)))).squareRoot()
                if !(sigma > 0) {
                    result.pValue = 1  // all values equal
                    return result
                }
                let z = (u - n1 * n2 / 2 - (continuity ? 0.5 : 0)) / sigma
                result.z = z
                p = Special.normalSF(z)
            }
            p *= factor
            result.pValue = min(max(p, 0), 1)
            return result
        }
    }
}
