import Foundation
import PerfgateCore
import Testing

/// Property checks that need no reference values.
@Suite struct StatsPropertyTests {
    private static func sample(_ n: Int, seed: UInt64, shift: Double = 0) -> [Double] {
        var g = Stats.SplitMix64(seed: seed)
        return (0..<n).map { _ in Double(g.next() >> 11) / Double(1 << 53) * 10 + shift }
    }

    @Test func mannWhitneyIsInvariantUnderPermutation() {
        let c = Self.sample(12, seed: 1, shift: 1)
        let b = Self.sample(15, seed: 2)
        let r1 = Stats.MannWhitney.test(current: c, baseline: b)
        let r2 = Stats.MannWhitney.test(current: c.reversed(), baseline: b.sorted())
        #expect(r1.u1 == r2.u1)
        #expect(r1.pValue == r2.pValue)
    }

    @Test func mannWhitneyPIsMonotoneUnderShift() {
        let c = Self.sample(10, seed: 3)
        let b = Self.sample(10, seed: 4)
        var last = 1.0
        for step in 0...20 {
            let p = Stats.MannWhitney.test(current: c.map { $0 + Double(step) * 0.5 }, baseline: b, alternative: .greater).pValue
            #expect(p <= last + 1e-15)
            last = p
        }
    }

    @Test func exactNullRecursionAgreesWithGeneratingFunction() {
        // 8 × 1300 > 10 000 pairs uses the generating function; compare the small case by symmetry and totals.
        let small = Stats.MannWhitneyNull(m: 8, n: 20)
        #expect(abs(small.pmf.reduce(0, +) - 1) < 1e-12)
        let big = Stats.MannWhitneyNull(m: 3, n: 4000)
        #expect(abs(big.pmf.reduce(0, +) - 1) < 1e-12)
        // P(U = 0) = 1/C(m+n, m)
        #expect(abs(big.pmf[0] * exp(Stats.Special.logChoose(4003, 3)) - 1) < 1e-9)
        // P(U = 1) = 1/C(m+n, m) as well (only one arrangement).
        #expect(abs(big.pmf[1] / big.pmf[0] - 1) < 1e-9)
    }

    @Test func qHatProfileMatchesBruteForce() {
        let z = Self.sample(40, seed: 7) + Self.sample(25, seed: 8, shift: 3)
        let fast = Stats.ChangePoints.qHatProfile(z)
        for tau in 1..<z.count {
            let x = Array(z[..<tau])
            let y = Array(z[tau...])
            var xy = 0.0
            for a in x { for b in y { xy += abs(a - b) } }
            func within(_ s: [Double]) -> Double {
                guard s.count >= 2 else { return 0 }
                var t = 0.0
                for i in 0..<s.count { for j in (i + 1)..<s.count { t += abs(s[i] - s[j]) } }
                return t / Double(s.count * (s.count - 1) / 2)
            }
            let n = Double(x.count)
            let m = Double(y.count)
            let q = n * m / (n + m) * (2 * xy / (n * m) - within(x) - within(y))
            #expect(abs(fast[tau] - q) <= 1e-9 * max(1, abs(q)))
        }
    }

    @Test func verdictRawValuesAreStable() {
        #expect(Verdict.allCases.map(\.rawValue) == ["pass", "warn", "fail", "improved", "no-baseline", "insufficient-data"])
    }
}
