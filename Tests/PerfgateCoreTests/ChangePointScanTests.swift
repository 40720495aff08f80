import Foundation
import PerfgateCore
import Testing

/// The local-window scan of `perfgate detect` (`Stats.ChangePoints.Options.localScan`, docs/statistics.md
/// "Short bumps and the whole history"): short regress-then-fix bumps are found with both edges; noise and a
/// single spike give nothing; the gate's default (no scan) is unchanged. Series are generated here, seeded.
@Suite struct ChangePointScanTests {
    /// `level(i) · exp(sd · N(0, 1))` with Box–Muller normals from SplitMix64(`seed`).
    static func series(_ n: Int, sd: Double, seed: UInt64, level: (Int) -> Double = { _ in 100 }) -> [Double] {
        var rng = Stats.SplitMix64(seed: seed)
        func uniform() -> Double { (Double(rng.next() >> 11) + 0.5) / 9_007_199_254_740_992.0 }
        return (0..<n).map { i in level(i) * exp(sd * (-2 * log(uniform())).squareRoot() * cos(2 * .pi * uniform())) }
    }

    static func bump(_ n: Int, at start: Int, width: Int, size: Double, sd: Double, seed: UInt64) -> [Double] {
        series(n, sd: sd, seed: seed) { i in i >= start && i < start + width ? 100 * (1 + size) : 100 }
    }

    static func indices(_ values: [Double], scan: Bool = true) -> [Int] {
        var options = ChangePointDetection.defaultOptions
        options.localScan = scan
        return (ChangePointDetection.changePoints(values, options: options) ?? []).map(\.index)
    }

    static func hasEdges(_ found: [Int], _ start: Int, _ end: Int) -> Bool {
        found.count == 2 && abs(found[0] - start) <= 1 && abs(found[1] - end) <= 1
    }

    @Test func aThirtyPercentTenCommitBumpAtFivePercentNoiseIsFoundWithBothEdges() {
        var missedWithoutScan = 0
        for (k, n) in [100, 200, 500, 2000].enumerated() {
            for seed in UInt64(1)...8 {
                let start = n / 2 - 7 + Int(seed)
                let values = Self.bump(n, at: start, width: 10, size: 0.30, sd: 0.05, seed: seed * 100 + UInt64(k))
                let found = Self.indices(values)
                #expect(Self.hasEdges(found, start, start + 10), "n \(n) seed \(seed): \(found), bump \(start)..<\(start + 10)")
                if !Self.hasEdges(Self.indices(values, scan: false), start, start + 10) { missedWithoutScan += 1 }
            }
        }
        // Why the scan exists: the best single split of the whole series is tested first and rejected.
        #expect(missedWithoutScan >= 16, "the global split alone missed only \(missedWithoutScan) of 32")
    }

    @Test func aTenPercentTwentyCommitBumpAtTwoPercentNoiseIsFoundWithBothEdges() {
        for (k, n) in [100, 500, 2000].enumerated() {
            for seed in UInt64(1)...8 {
                let start = n / 3 + Int(seed)
                let values = Self.bump(n, at: start, width: 20, size: 0.10, sd: 0.02, seed: seed * 1000 + UInt64(k))
                let found = Self.indices(values)
                #expect(Self.hasEdges(found, start, start + 20), "n \(n) seed \(seed): \(found), bump \(start)..<\(start + 20)")
            }
        }
    }

    @Test func pureNoiseGivesNothing() {
        for n in [50, 200, 1000, 5000] {
            for sd in [0.01, 0.05, 0.10] {
                for seed in UInt64(1)...5 {
                    let values = Self.series(n, sd: sd, seed: seed &* 7919 &+ UInt64(n))
                    #expect(Self.indices(values).isEmpty, "n \(n) sd \(sd) seed \(seed)")
                }
            }
        }
    }

    @Test func aSingleSpikeGivesNothing() {
        for n in [30, 200, 2000] {
            for at in [0, 1, n / 2, n - 2, n - 1] {
                for factor in [1.5, 3.0, 5.0] {
                    var values = Self.series(n, sd: 0.03, seed: UInt64(n * 31 + at))
                    values[at] *= factor
                    #expect(Self.indices(values).isEmpty, "n \(n) spike ×\(factor) at \(at)")
                }
            }
        }
    }

    @Test func aStepBehindOneNoisyCommitIsFound() {
        // +25 % at commit 32 of 40 (2 % noise); commit 31 is a noisy ×2 run. The Q̂ arg-max puts the noisy commit
        // into the new regime, Welch rejects that split for its variance, and the search without the scan stops.
        var exact = 0
        for seed in UInt64(1)...10 {
            var values = Self.series(40, sd: 0.02, seed: seed) { i in i >= 32 ? 125 : 100 }
            values[31] *= 2
            #expect(Self.indices(values, scan: false).isEmpty, "seed \(seed)")
            let found = Self.indices(values)
            #expect(found.count <= 1 && found.allSatisfy { abs($0 - 32) <= 1 }, "seed \(seed): \(found)")
            if found == [32] { exact += 1 }
        }
        #expect(exact >= 8, "found exactly at the step in \(exact) of 10")
    }

    @Test func theGateDefaultsHaveNoScan() {
        // Gate+Statistical calls `eDivisive(values)` with the defaults: those must stay the old search.
        #expect(Stats.ChangePoints.Options().localScan == false)
        #expect(ChangePointDetection.defaultOptions.localScan == true)
        let values = Self.bump(200, at: 95, width: 10, size: 0.30, sd: 0.05, seed: 3)
        var off = Stats.ChangePoints.Options()
        off.localScan = false
        #expect(Stats.ChangePoints.eDivisive(values)?.map(\.index) == Stats.ChangePoints.eDivisive(values, options: off)?.map(\.index))
    }

    @Test func detectCoversTheWholeHistoryUpToItsCap() {
        // A +20 % step at commit 40 of 1,000: outside the newest 200 commits, inside the default history.
        let values = Self.series(1000, sd: 0.02, seed: 9) { i in i >= 40 ? 120 : 100 }
        let obs = values.enumerated().map { ChangePointDetection.Observation(commitSha: String(format: "%040x", $0.offset), value: $0.element) }
        let label = (scenario: "s", environment: "e", branch: "main", endpoint: "", metric: "latency", statistic: "p95")
        let last200 = ChangePointDetection.detect(obs, direction: .lowerIsBetter, lastCommits: 200, label: label)
        #expect(last200.isEmpty)
        for last in [ChangePointDetection.defaultLastCommits, nil] {
            let found = ChangePointDetection.detect(obs, direction: .lowerIsBetter, lastCommits: last, label: label)
            #expect(found.map(\.commitSha) == [String(format: "%040x", 40)], "\(found)")
            #expect(found.first?.isRegression == true)
        }
    }
}
