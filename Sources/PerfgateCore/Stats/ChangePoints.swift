import Foundation

extension Stats {
    /// SplitMix64 (Steele, Lea & Flood 2014): the only PRNG on perfgate's statistics path.
    public struct SplitMix64: RandomNumberGenerator, Sendable, Hashable {
        public private(set) var state: UInt64

        public init(seed: UInt64) { state = seed }

        public mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    /// One detected change point: `index` is the first point of the new regime (0-based).
    public struct ChangePoint: Sendable, Hashable {
        public var index: Int
        /// Welch p against the neighbouring segments (deterministic variant) or the permutation p.
        public var pValue: Double
        /// Level of the segment before (geometric mean on the log scale, arithmetic mean otherwise).
        public var before: Double
        /// Level of the segment after.
        public var after: Double
        /// `exp(Δmean) − 1` on the log scale (`after/before − 1` otherwise).
        public var relativeChange: Double
        /// `exp(|Δmean|) − 1` (Hunter's symmetric magnitude).
        public var magnitude: Double
    }

    /// E-Divisive change-point detection (docs/statistics.md).
    public enum ChangePoints {
        /// Options of the deterministic variant, with its defaults.
        public struct Options: Sendable, Hashable {
            public var minSize: Int = 3
            public var pMax: Double = 0.001
            public var minMagnitude: Double = 0.02
            /// Work on `ln(values)` (positive metrics); false uses the values as they are.
            public var logScale: Bool = true
            /// Split phase: multiply the Welch p of a candidate by the number of admissible splits of its segment
            /// (Bonferroni over the τ that Q̂ was maximised over). A deviation from the design, see
            /// docs/statistics.md "Change points: deviations from the design".
            public var selectionCorrection: Bool = true
            /// Split phase: a candidate must also pass a two-sided Mann–Whitney test (asymptotic) at `pMax`
            /// (rank guard against skewed/heavy-tailed noise and 3-point edge segments). Same deviation note.
            public var rankGuard: Bool = true
            /// Split phase, second search: when no segment's best Q̂ split is significant, scan each segment for
            /// a change seen through local windows (Welch t of `h` points against the next `h`, for h = 10, 20,
            /// 40, … ≤ half the segment) and through every whole-segment split, and accept the best candidate
            /// that survives Bonferroni over everything tested in the segment plus the rank guard
            /// (`localScanCandidate`). Finds short regress-then-fix bumps and a step that a noisy commit hides
            /// from the Q̂ arg-max. Off by default, so `eDivisive(values)` — what the gate's history window uses
            /// (Gate+Statistical) — is unchanged; `perfgate detect` turns it on (ChangePointDetection).
            public var localScan: Bool = false

            public init(
                minSize: Int = 3, pMax: Double = 0.001, minMagnitude: Double = 0.02, logScale: Bool = true,
                selectionCorrection: Bool = true, rankGuard: Bool = true, localScan: Bool = false
            ) {
                self.minSize = minSize
                self.pMax = pMax
                self.minMagnitude = minMagnitude
                self.logScale = logScale
                self.selectionCorrection = selectionCorrection
                self.rankGuard = rankGuard
                self.localScan = localScan
            }
        }

        /// Q̂(τ) for τ = 0…L of segment `z` (α = 1, right end fixed), exactly as the incremental O(L²)
        /// recurrence of §5.1 but in O(L log L): the column sums Σ_{i<τ}|z_i − z_τ| come from Fenwick trees
        /// of counts and sums over value ranks, the full sums Σ_i|z_i − z_τ| from sorted prefix sums.
        public static func qHatProfile<C: RandomAccessCollection>(_ values: C) -> [Double] where C.Element == Double {
            let zRaw = Array(values)
            let count = zRaw.count
            var q = [Double](repeating: 0, count: count + 1)
            guard count >= 2 else { return q }
            let centre = mean(zRaw)
            let z = zRaw.map { $0 - centre }
            let order = z.indices.sorted { z[$0] < z[$1] || (z[$0] == z[$1] && $0 < $1) }
            var rank = [Int](repeating: 0, count: count)
            var prefix = [Double](repeating: 0, count: count + 1)
            for (r, i) in order.enumerated() {
                rank[i] = r
                prefix[r + 1] = prefix[r] + z[i]
            }
            var total = [Double](repeating: 0, count: count)
            var allPairs = 0.0
            for i in 0..<count {
                let r = rank[i]
                let v = z[i]
                let below = v * Double(r) - prefix[r]
                let above = (prefix[count] - prefix[r + 1]) - v * Double(count - r - 1)
                total[i] = below + above
                allPairs += total[i]
            }
            var a = 0.0
            var bx = 0.0
            var by = allPairs / 2
            var fenCount = [Double](repeating: 0, count: count + 1)
            var fenSum = [Double](repeating: 0, count: count + 1)
            var insertedSum = 0.0
            for tau in 0...count {
                let n = Double(tau)
                let m = Double(count - tau)
                if tau >= 1 && tau < count {
                    let wx = tau >= 2 ? bx / (n * (n - 1) / 2) : 0
                    let wy = count - tau >= 2 ? by / (m * (m - 1) / 2) : 0
                    q[tau] = (n * m / (n + m)) * (2 * a / (n * m) - wx - wy)
                }
                if tau < count {
                    let r = rank[tau]
                    let v = z[tau]
                    var cLE = 0.0
                    var sLE = 0.0
                    var k = r + 1
                    while k > 0 {
                        cLE += fenCount[k]
                        sLE += fenSum[k]
                        k -= k & (-k)
                    }
                    let col = (cLE * v - sLE) + ((insertedSum - sLE) - (n - cLE) * v)
                    let row = total[tau] - col
                    a += row - col
                    bx += col
                    by -= row
                    k = r + 1
                    while k <= count {
                        fenCount[k] += 1
                        fenSum[k] += v
                        k += k & (-k)
                    }
                    insertedSum += v
                }
            }
            return q
        }

        /// Best split of `y[a..<b]`: first τ in [minSize, L − minSize] maximising Q̂; nil when L < 2·minSize.
        static func bestSplit(_ y: [Double], _ a: Int, _ b: Int, minSize: Int) -> (tau: Int, q: Double)? {
            let length = b - a
            guard length >= 2 * max(minSize, 1) else { return nil }
            let q = qHatProfile(y[a..<b])
            var best = max(minSize, 1)
            for t in best...(length - max(minSize, 1)) where q[t] > q[best] { best = t }
            return (a + best, q[best])
        }

        private static func prepare(_ values: [Double], logScale: Bool) -> [Double]? {
            guard values.allSatisfy({ $0.isFinite && (!logScale || $0 > 0) }) else { return nil }
            return logScale ? values.map { log($0) } : values
        }

        private static func segmentMean(_ y: [Double], _ a: Int, _ b: Int) -> Double {
            var s = 0.0
            for i in a..<b { s += y[i] }
            return s / Double(b - a)
        }

        private static func describe(_ y: [Double], _ cps: [Int], p: [Double], logScale: Bool) -> [ChangePoint] {
            let bounds = [0] + cps + [y.count]
            var out: [ChangePoint] = []
            for i in 1..<(bounds.count - 1) {
                let m1 = segmentMean(y, bounds[i - 1], bounds[i])
                let m2 = segmentMean(y, bounds[i], bounds[i + 1])
                let point: ChangePoint
                if logScale {
                    point = ChangePoint(
                        index: bounds[i], pValue: p[i - 1], before: exp(m1), after: exp(m2), relativeChange: expm1(m2 - m1),
                        magnitude: expm1(abs(m2 - m1)))
                } else {
                    point = ChangePoint(
                        index: bounds[i], pValue: p[i - 1], before: m1, after: m2, relativeChange: m2 / m1 - 1,
                        magnitude: max(abs(m2 / m1 - 1), abs(m1 / m2 - 1)))
                }
                out.append(point)
            }
            return out
        }

        /// Significance of the split-phase candidate `τ` of segment `y[a..<b]`.
        ///
        /// A deviation from the design (docs/statistics.md, "Change points: deviations from the design"): τ is
        /// the arg-max of Q̂ over the `b − a − 2·minSize + 1` admissible splits, so the plain Welch p is
        /// post-selection and gave false change points on 2–5 % of pure-noise series in the accuracy benchmark
        /// (ci/bench/cpd_accuracy.py). With `selectionCorrection` the Welch p is multiplied by that number of
        /// splits (Bonferroni: a valid bound on the selection); with `rankGuard` the candidate must also pass
        /// Mann–Whitney (asymptotic, tie and continuity corrected) at `pMax`, because Welch with a 3-point
        /// segment of right-skewed noise (the segment misses the tail, its variance is underestimated) rejects
        /// at p ≈ 1e-10 where the ranks say p ≈ 0.06. The merge phase and the reported p are unchanged (Welch).
        static func splitPValue(_ y: [Double], _ a: Int, _ tau: Int, _ b: Int, options: Options) -> Double {
            var p = TTest.welchTwoSidedP(y[a..<tau], y[tau..<b])
            if options.selectionCorrection {
                p = min(1, p * Double(max(1, b - a - 2 * max(options.minSize, 1) + 1)))
            }
            if options.rankGuard && p <= options.pMax { p = rankGuarded(p, y[a..<tau], y[tau..<b], pMax: options.pMax) }
            return p
        }

        /// The rank guard: `p` unchanged when a two-sided asymptotic Mann–Whitney test of `after` against
        /// `before` passes at `pMax`, else the larger of the two.
        static func rankGuarded(_ p: Double, _ before: ArraySlice<Double>, _ after: ArraySlice<Double>, pMax: Double) -> Double {
            let rank = MannWhitney.test(current: Array(after), baseline: Array(before), method: .asymptotic).pValue
            // Short segments cannot reach pMax with ranks even when completely separated (7 vs 5
            // points: p ≥ 0.006); there the guard asks for complete separation instead, so a clean
            // step in a short history is still found while a skewed 3-point segment (rank p ≈ 0.06,
            // far from its minimum) is not.
            let floor = minimumRankP(before.count, after.count)
            return rank > max(pMax, floor * (1 + 1e-9)) ? max(p, rank) : p
        }

        /// Smallest window of the local scan: 10 points a side (with fewer, Welch p after the scan's Bonferroni
        /// factor cannot reach p_max for any realistic bump, and ranks of 5 vs 5 cannot reach 0.001 at all).
        static let scanMinWindow = 10
        /// Smallest side of a whole-segment split in the scan (3-point sides are the Q̂ split's business; the
        /// scan's |t| would favour them on skewed noise).
        static let scanMinSide = 5

        /// Window half-widths of the local scan of a segment of `length` points: 10, 20, 40, … ≤ length / 2.
        static func scanWindows(_ length: Int, minSize: Int) -> [Int] {
            var out: [Int] = []
            var h = max(scanMinWindow, minSize)
            while 2 * h <= length {
                out.append(h)
                h *= 2
            }
            return out
        }

        /// Second split-phase search of segment `y[a..<b]` (`Options.localScan`), run only when no segment's best
        /// Q̂ split is significant. Families of candidate splits τ:
        /// * local windows: `y[τ−h..<τ]` against `y[τ..<τ+h]` for every τ and every h of `scanWindows`
        ///   (a bump of w points in a long segment moves the whole-segment means by w/L of its height, but a
        ///   window of about w points sees all of it);
        /// * whole-segment splits `y[a..<τ]` against `y[τ..<b]` with both sides ≥ `scanMinSide` (the best Welch
        ///   split, where the Q̂ arg-max sat on a neighbouring noisy commit and failed).
        /// In each family (and width) the τ with the largest Welch |t| among those moving the level by at least
        /// `minMagnitude` is the candidate; its Welch p is multiplied by the number of splits examined in the
        /// segment — every (τ, h) of every family plus the Q̂ split's admissible τ — (Bonferroni, whatever
        /// `selectionCorrection` says), must be ≤ `pMax`, and (with `rankGuard`) the windows' ranks must agree.
        /// Returns the candidate with the smallest corrected p (ties: smaller τ).
        static func localScanCandidate(_ y: [Double], _ a: Int, _ b: Int, options: Options) -> (tau: Int, p: Double)? {
            let length = b - a
            let minSide = max(options.minSize, scanMinSide)
            let windows = scanWindows(length, minSize: options.minSize)
            guard !windows.isEmpty || length >= 2 * minSide else { return nil }
            let centre = segmentMean(y, a, b)
            var s1 = [Double](repeating: 0, count: length + 1)
            var s2 = [Double](repeating: 0, count: length + 1)
            for i in 0..<length {
                let v = y[a + i] - centre
                s1[i + 1] = s1[i] + v
                s2[i + 1] = s2[i] + v * v
            }
            // τ runs over first...last (relative to a); sides are τ−h..<τ and τ..<τ+h for a window of width h,
            // 0..<τ and τ..<L for the whole-segment family (width nil).
            var families: [(first: Int, last: Int, width: Int?)] = windows.map { (first: $0, last: length - $0, width: $0) }
            if length >= 2 * minSide { families.append((first: minSide, last: length - minSide, width: nil)) }
            let qSplits = max(1, length - 2 * max(options.minSize, 1) + 1)
            let tested = families.reduce(qSplits) { $0 + $1.last - $1.first + 1 }
            func moments(_ lo: Int, _ hi: Int) -> (mean: Double, variance: Double) {
                let n = Double(hi - lo)
                let sum = s1[hi] - s1[lo]
                let m = sum / n
                return (m, max(0, (s2[hi] - s2[lo] - sum * m) / (n - 1)))
            }
            var best: (tau: Int, p: Double)?
            for family in families {
                var bestT = 0.0
                var bestTau = -1
                for t in family.first...family.last {
                    let lo = family.width.map { t - $0 } ?? 0
                    let hi = family.width.map { t + $0 } ?? length
                    let left = moments(lo, t)
                    let right = moments(t, hi)
                    let d = right.mean - left.mean
                    let magnitude: Double
                    if options.logScale {
                        magnitude = expm1(abs(d))
                    } else {
                        magnitude = abs(d) / abs(left.mean + centre)
                    }
                    guard magnitude >= options.minMagnitude else { continue }
                    let se = (left.variance / Double(t - lo) + right.variance / Double(hi - t)).squareRoot()
                    let stat = se > 0 ? abs(d) / se : (d != 0 ? Double.infinity : 0)
                    if stat > bestT {
                        bestT = stat
                        bestTau = t
                    }
                }
                guard bestTau >= 0 else { continue }
                let tau = a + bestTau
                let lo = a + (family.width.map { bestTau - $0 } ?? 0)
                let hi = a + (family.width.map { bestTau + $0 } ?? length)
                var p = min(1, TTest.welchTwoSidedP(y[lo..<tau], y[tau..<hi]) * Double(tested))
                guard p <= options.pMax else { continue }
                if options.rankGuard { p = rankGuarded(p, y[lo..<tau], y[tau..<hi], pMax: options.pMax) }
                guard p <= options.pMax else { continue }
                if let cur = best, !(p < cur.p || (p == cur.p && tau < cur.tau)) { continue }
                best = (tau, p)
            }
            return best
        }

        /// The smallest two-sided asymptotic Mann–Whitney p (continuity corrected) two samples of these sizes
        /// can give: complete separation, no ties.
        static func minimumRankP(_ n1: Int, _ n2: Int) -> Double {
            guard n1 > 0, n2 > 0 else { return 1 }
            let m = Double(n1)
            let n = Double(n2)
            let sigma = (m * n * (m + n + 1) / 12).squareRoot()
            let z = (m * n / 2 - 0.5) / sigma
            return min(1, 2 * Special.normalSF(z))
        }

        /// Deterministic E-Divisive with Welch significance, min segment, min magnitude and Hunter's merge pass
        /// (docs/statistics.md), with the split-phase deviations of `Options` (selection correction, rank guard, and
        /// — only when asked — the local-window scan). nil when a value is not finite (or not positive on the
        /// log scale).
        public static func eDivisive(_ values: [Double], options: Options = Options()) -> [ChangePoint]? {
            guard let y = prepare(values, logScale: options.logScale) else { return nil }
            let n = y.count
            var cps: [Int] = []
            var memo: [Int: (tau: Int, q: Double)?] = [:]
            var scanMemo: [Int: (tau: Int, p: Double)?] = [:]
            while true {
                var best: (tau: Int, q: Double)?
                let bounds = [0] + cps + [n]
                for s in 0..<(bounds.count - 1) {
                    let a = bounds[s]
                    let b = bounds[s + 1]
                    let key = a * (n + 1) + b
                    let split: (tau: Int, q: Double)?
                    if let cached = memo[key] {
                        split = cached
                    } else {
                        split = bestSplit(y, a, b, minSize: options.minSize)
                        memo[key] = .some(split)
                    }
                    guard let cand = split else { continue }
                    let p = splitPValue(y, a, cand.tau, b, options: options)
                    if p <= options.pMax {
                        if let cur = best {
                            if cand.q > cur.q || (cand.q == cur.q && cand.tau < cur.tau) { best = cand }
                        } else {
                            best = cand
                        }
                    }
                }
                if best == nil && options.localScan {
                    var scanned: (tau: Int, p: Double)?
                    for s in 0..<(bounds.count - 1) {
                        let key = bounds[s] * (n + 1) + bounds[s + 1]
                        let cand: (tau: Int, p: Double)?
                        if let cached = scanMemo[key] {
                            cand = cached
                        } else {
                            cand = localScanCandidate(y, bounds[s], bounds[s + 1], options: options)
                            scanMemo[key] = .some(cand)
                        }
                        guard let c = cand else { continue }
                        if let cur = scanned, !(c.p < cur.p || (c.p == cur.p && c.tau < cur.tau)) { continue }
                        scanned = c
                    }
                    if let c = scanned { best = (c.tau, 0) }
                }
                guard let accepted = best else { break }
                cps.append(accepted.tau)
                cps.sort()
            }
            var pValues: [Double] = []
            while !cps.isEmpty {
                let bounds = [0] + cps + [n]
                var ps: [Double] = []
                var mags: [Double] = []
                for i in 1...cps.count {
                    ps.append(TTest.welchTwoSidedP(y[bounds[i - 1]..<bounds[i]], y[bounds[i]..<bounds[i + 1]]))
                    let d = segmentMean(y, bounds[i], bounds[i + 1]) - segmentMean(y, bounds[i - 1], bounds[i])
                    mags.append(options.logScale ? expm1(abs(d)) : abs(d) / abs(segmentMean(y, bounds[i - 1], bounds[i])))
                }
                var iMax = 0
                for i in ps.indices where ps[i] > ps[iMax] { iMax = i }
                if ps[iMax] > options.pMax {
                    cps.remove(at: iMax)
                    continue
                }
                var jMin = 0
                for j in mags.indices where mags[j] < mags[jMin] { jMin = j }
                if mags[jMin] < options.minMagnitude {
                    cps.remove(at: jMin)
                    continue
                }
                pValues = ps
                break
            }
            return describe(y, cps, p: pValues, logScale: options.logScale)
        }
    }
}
