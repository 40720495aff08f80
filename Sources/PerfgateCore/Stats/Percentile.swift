import Foundation

extension Stats {
    /// One value with a multiplicity: a histogram bucket (`value`, `count`).
    public struct WeightedValue: Sendable, Hashable, Codable {
        public var value: Double
        public var count: UInt64

        public init(_ value: Double, count: UInt64) {
            self.value = value
            self.count = count
        }
    }

    /// Percentile definitions. Levels are fractions (0.95, never 95).
    public enum Percentile {
        /// How a type-7 level between two order statistics `a ≤ b` at fraction `t` is computed. The
        /// results agree to an ulp; each tool's own arithmetic is kept so perfgate prints what it prints.
        public enum Interpolation: Sendable {
            /// numpy's `_lerp`: `a + t·(b − a)`, evaluated from the nearer end.
            case numpy
            /// `a + (b − a)·t`, k6's `TrendSink.P`.
            case k6
            /// `a·(1−t) + b·t`, Gatling's order of operations: a level half-way between two samples
            /// rounds as Gatling prints it (`441.5` → 442, where `a + t·(b − a)` gives `441.49999999999994`).
            case gatling

            @inline(__always)
            func between(_ a: Double, _ b: Double, _ t: Double) -> Double {
                switch self {
                case .numpy: return t < 0.5 ? a + t * (b - a) : b - (b - a) * (1 - t)
                case .k6: return a + (b - a) * t
                case .gatling: return a * (1 - t) + b * t
                }
            }
        }

        /// Hyndman–Fan type 7 (= numpy `linear` = k6 `TrendSink.P`): interpolation at `(n−1)·p`.
        /// Sorts a copy; NaN for an empty sample.
        public static func type7(_ x: [Double], _ p: Double) -> Double {
            type7(sorted: x.sorted(), p)
        }

        /// Type 7 on an already ascending sample; NaN when it is empty or `p` is outside 0…1.
        public static func type7(sorted s: [Double], _ p: Double, interpolation: Interpolation = .numpy) -> Double {
            guard !s.isEmpty, p >= 0, p <= 1 else { return .nan }
            let h = Double(s.count - 1) * p
            let lo = Int(h.rounded(.down))
            if lo >= s.count - 1 { return s[s.count - 1] }
            return interpolation.between(s[lo], s[lo + 1], h - Double(lo))
        }

        /// Type 7 over exact values with multiplicities (Gatling's report rule, before it rounds), with
        /// Gatling's interpolation. It may differ from ``type7(_:_:)`` by an ulp.
        public static func type7(buckets: [WeightedValue], _ p: Double) -> Double {
            let w = Ranked(buckets)
            guard w.n > 0, p >= 0, p <= 1 else { return .nan }
            let h = Double(w.n - 1) * p
            let lo = UInt64(h.rounded(.down))
            if lo >= w.n - 1 { return w.value(atRank: w.n - 1) }
            return Interpolation.gatling.between(w.value(atRank: lo), w.value(atRank: lo + 1), h - Double(lo))
        }

        /// Values with multiplicities, ascending, read by 0-based rank (the weighted rules share it).
        struct Ranked {
            let b: [WeightedValue]
            let n: UInt64

            init(_ buckets: [WeightedValue]) {
                b = buckets.filter { $0.count > 0 }.sorted { $0.value < $1.value }
                n = b.reduce(UInt64(0)) { $0 + $1.count }
            }

            /// The value at 0-based rank `r` (the last value past the end).
            func value(atRank r: UInt64) -> Double {
                var seen: UInt64 = 0
                for bucket in b {
                    seen += bucket.count
                    if r < seen { return bucket.value }
                }
                return b[b.count - 1].value
            }
        }

        /// Nearest rank: `sorted[ceil(n·p − 1e-9) − 1]`, rank clamped to 1…n.
        public static func nearestRank(_ x: [Double], _ p: Double) -> Double {
            let s = x.sorted()
            guard !s.isEmpty, p >= 0, p <= 1 else { return .nan }
            let rank = Int((Double(s.count) * p - 1e-9).rounded(.up))
            return s[min(max(rank, 1), s.count) - 1]
        }

        /// Locust's rule `sorted[min(int(n·p), n−1)]` (0-based) on raw values.
        public static func locustRule(_ x: [Double], _ p: Double) -> Double {
            let s = x.sorted()
            guard !s.isEmpty, p >= 0, p <= 1 else { return .nan }
            return s[min(Int((Double(s.count) * p).rounded(.down)), s.count - 1)]
        }

        /// Locust's rule over a bucket histogram: `calculate_response_time_percentile` from
        /// `locust/stats.py` (2.47), which the Locust adapters and ab's gnuplot adapter use. It walks the
        /// buckets from the largest down and returns the first at which `n − processed ≤ int(n · p)`;
        /// with positive counts that is the value at 0-based rank `min(⌊n·p⌋, n−1)`, as ``locustRule(_:_:)``.
        /// A bucket of count 0 is walked as Locust walks it. NaN when the histogram holds no request.
        public static func locustRule(buckets: [WeightedValue], _ p: Double) -> Double {
            let n = buckets.reduce(UInt64(0)) { $0 + $1.count }
            guard n > 0, p >= 0, p <= 1 else { return .nan }
            let k = UInt64((Double(n) * p).rounded(.towardZero))
            var processed: UInt64 = 0
            for bucket in buckets.sorted(by: { $0.value > $1.value }) {
                processed += bucket.count
                if n - processed <= k { return bucket.value }
            }
            return .nan
        }

        /// Hyndman–Fan type 6 over exact values with multiplicities: position `p·(n+1)` (1-based),
        /// the minimum below 1, the maximum from `n` on, else `lo + d·(hi − lo)`. This is Apache
        /// Commons Math's `Percentile` default, which JMeter's dashboard (`statistics.json`) uses.
        public static func type6(buckets: [WeightedValue], _ p: Double) -> Double {
            let w = Ranked(buckets)
            guard w.n > 0, p >= 0, p <= 1 else { return .nan }
            let pos = p * (Double(w.n) + 1)
            if pos < 1 { return w.value(atRank: 0) }
            if pos >= Double(w.n) { return w.value(atRank: w.n - 1) }
            let floorPos = pos.rounded(.down)
            let d = pos - floorPos
            // 0-based ranks floor(pos) − 1 and floor(pos).
            let lower = w.value(atRank: UInt64(floorPos) - 1)
            let upper = w.value(atRank: UInt64(floorPos))
            return lower + d * (upper - lower)
        }

        /// hey's rule (`requester/print.go`): the first 0-based index `i` with `⌊100·i/n⌋ ≥ 100·p`,
        /// i.e. `sorted[⌈n·p⌉]`, clamped to the last value.
        public static func heyRule(buckets: [WeightedValue], _ p: Double) -> Double {
            let w = Ranked(buckets)
            guard w.n > 0, p >= 0, p <= 1 else { return .nan }
            return w.value(atRank: min(UInt64((Double(w.n) * p - 1e-9).rounded(.up)), w.n - 1))
        }

        /// Locust's response-time bucket key (ms): 1 ms below 100, 10 ms below 1000, 100 ms below 10 000,
        /// else 1000 ms; Python `round` semantics (half to even: 125 → 120, 135 → 140, 0.5 → 0).
        public static func locustBucket(_ ms: Double) -> Double {
            let step: Double = ms < 100 ? 1 : ms < 1000 ? 10 : ms < 10_000 ? 100 : 1000
            return (ms / step).rounded(.toNearestOrEven) * step
        }

        /// The Locust bucket width Δ at level `ms` (the quantisation step used for σ_q).
        public static func locustBucketWidth(at ms: Double) -> Double {
            ms < 100 ? 1 : ms < 1000 ? 10 : ms < 10_000 ? 100 : 1000
        }

        /// Buckets raw values the way Locust stores them.
        public static func locustBuckets(_ values: [Double]) -> [WeightedValue] {
            var counts: [Double: UInt64] = [:]
            for v in values { counts[locustBucket(v), default: 0] += 1 }
            return counts.keys.sorted().map { WeightedValue($0, count: counts[$0] ?? 0) }
        }

        /// Smallest request count at which percentile `p` may be compared:
        /// `max(⌈10/(1−p) − 1e-9⌉, minimum n with a finite order-statistic CI)`.
        public static func minimumCount(forPercentile p: Double, alpha: Double = 0.05) -> Int {
            let exceedances = Int((10 / (1 - p) - 1e-9).rounded(.up))
            return max(exceedances, QuantileCI.minimumN(p: p, alpha: alpha) ?? Int.max)
        }
    }
}
