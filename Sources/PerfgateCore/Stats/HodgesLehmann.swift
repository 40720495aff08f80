import Foundation

extension Stats {
    /// Hodges–Lehmann shift estimate with a Moses confidence interval.
    public struct HodgesLehmannResult: Sendable, Hashable {
        /// `median{c_j − b_i}` over all pairs (average of the two middle differences when m·n is even).
        public var shift: Double
        /// Lower CI bound `D_(c)`; nil when unbounded (c < 1: "need more samples").
        public var lower: Double?
        /// Upper CI bound `D_(mn−c+1)`; nil when unbounded.
        public var upper: Double?
        /// The Moses rank c.
        public var c: Int
        /// Whether c came from the exact null distribution.
        public var exact: Bool
    }

    /// Hodges–Lehmann estimator and the k-th pairwise difference selection.
    public enum HodgesLehmann {
        /// HL shift of `current` relative to `baseline` with a Moses CI at `confidence`.
        ///
        /// - Parameters:
        ///   - materializeLimit: above this many pairs the O(m+n)-per-step selection is used instead of
        ///     sorting all m·n differences (results are identical).
        public static func estimate(
            current: [Double], baseline: [Double], confidence: Double = 0.95, materializeLimit: Int = 1_000_000
        ) -> HodgesLehmannResult? {
            let m = baseline.count
            let n = current.count
            guard m > 0, n > 0 else { return nil }
            let c = current.sorted()
            let b = baseline.sorted()
            let total = m * n
            let kth: (Int) -> Double
            if total <= materializeLimit {
                var d: [Double] = []
                d.reserveCapacity(total)
                for cj in c { for bi in b { d.append(cj - bi) } }
                d.sort()
                kth = { d[$0 - 1] }
            } else {
                kth = { kthPairwiseDifference(sortedCurrent: c, sortedBaseline: b, k: $0) }
            }
            let shift = total % 2 == 1 ? kth((total + 1) / 2) : (kth(total / 2) + kth(total / 2 + 1)) / 2
            let alpha = 1 - confidence
            let pooled = (c + b).sorted()
            var ties = false
            for i in 1..<pooled.count where pooled[i] == pooled[i - 1] { ties = true }
            let exact = !ties && total <= 2500
            var rank: Int
            if exact {
                let null = MannWhitneyNull(m: n, n: m)
                rank = 0
                // largest c with P₀(U ≤ c − 1) ≤ α/2
                while rank + 1 <= total && null.cdf(rank) <= alpha / 2 * (1 + 1e-12) { rank += 1 }
            } else {
                let z = Special.normalPPF(1 - alpha / 2)
                let mn = Double(total)
                rank = Int((mn / 2 - z * (mn * Double(m + n + 1) / 12).squareRoot() + 0.5).rounded(.down))
            }
            if rank < 1 {
                return HodgesLehmannResult(shift: shift, lower: nil, upper: nil, c: rank, exact: exact)
            }
            rank = min(rank, (total + 1) / 2)
            return HodgesLehmannResult(
                shift: shift, lower: kth(rank), upper: kth(total - rank + 1), c: rank, exact: exact)
        }

        /// `#{(i, j): fl(c_j − b_i) ≤ d}` by a two-pointer sweep over both ascending samples (O(m+n)).
        static func countAtMost(_ d: Double, _ c: [Double], _ b: [Double]) -> Int {
            var p = 0
            var count = 0
            for cj in c {
                while p < b.count && cj - b[p] > d { p += 1 }
                count += b.count - p
            }
            return count
        }

        /// The k-th smallest (1-based) of the m·n differences `c_j − b_i` of two ascending samples without
        /// materialising them: bisection over the ordered bit patterns of doubles (≤ 64 steps of O(m+n)),
        /// then a snap to the smallest actual difference above the lower bound.
        public static func kthPairwiseDifference(sortedCurrent c: [Double], sortedBaseline b: [Double], k: Int) -> Double {
            guard !c.isEmpty, !b.isEmpty, k >= 1, k <= c.count * b.count,
                let cFirst = c.first, let cLast = c.last, let bFirst = b.first, let bLast = b.last
            else { return .nan }
            // Invariant: count(lo) < k ≤ count(hi).
            var lo = key((cFirst - bLast).nextDown)
            var hi = key(cLast - bFirst)
            while lo < hi - 1 {
                let mid = (lo >> 1) + (hi >> 1) + (lo & hi & 1)
                if countAtMost(value(mid), c, b) >= k { hi = mid } else { lo = mid }
            }
            let loValue = value(lo)
            // Snap: the smallest difference strictly above lo.
            var best = Double.infinity
            var p = 0
            for cj in c {
                while p < b.count && cj - b[p] > loValue { p += 1 }
                if p > 0 { best = min(best, cj - b[p - 1]) }
            }
            return best
        }

        /// Monotone map of a finite double to an integer (total order of doubles).
        private static func key(_ x: Double) -> Int64 {
            let bits = Int64(bitPattern: x.bitPattern)
            return bits >= 0 ? bits : Int64.min - bits
        }

        private static func value(_ k: Int64) -> Double {
            let bits = k >= 0 ? k : Int64.min - k
            return Double(bitPattern: UInt64(bitPattern: bits))
        }
    }
}
