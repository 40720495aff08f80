import Foundation

/// Warm-up and steady state within a run (docs/steady-state.md).
///
/// Over the span at full load (``Drift/steadyWindow(_:durationSeconds:)``: the timeline's phase where
/// the users are at their peak, or the whole timeline), the whole run's p95 per time bucket is cut by
/// MSER-5, the marginal standard error rule for the warm-up of simulation output (White 1997;
/// Franklin & White 2008), then trimmed to the leading batches that are above the steady level. The
/// steady state is what follows the warm-up up to the end of full load. `ci/gen-steady-vectors.py` is
/// the independent numpy implementation whose results the tests pin.
public enum SteadyState {
    /// Points (time buckets) per MSER batch.
    public static let batchSize = 5
    /// The shortest steady state worth a verdict: this many batches of ``batchSize`` buckets…
    public static let minimumBatches = 4
    /// …and at least this many seconds. Shorter is "not enough data".
    public static let minimumSeconds = 20.0
    /// A warm-up batch is above the steady level by more than this many standard errors of a batch
    /// mean (the standard deviation of the steady points over √``batchSize``)…
    public static let aboveLevelSigmas = 2.0
    /// …and by more than this fraction of the level.
    public static let aboveLevelFraction = 0.25

    /// Statistics the whole run's latency series carries (seconds from the run's start; `steady_state`
    /// is a ``Status`` code), and the prefix of the statistics recomputed over the steady state.
    public static let warmUp = Statistic(rawValue: "warmup_seconds")
    public static let start = Statistic(rawValue: "steady_start")
    public static let seconds = Statistic(rawValue: "steady_seconds")
    public static let status = Statistic(rawValue: "steady_state")
    public static let prefix = "steady_"
    /// The statistics recomputed over the steady state, from the timeline's buckets.
    public static let windowedStatistics: [Statistic] = [.count, .errors, .errorRate, .throughput, .p50, .p95]

    /// The steady-state statistic standing for `statistic` (`steady_p95` for `p95`).
    public static func windowed(_ statistic: Statistic) -> Statistic { Statistic(rawValue: prefix + statistic.rawValue) }

    /// The statistic a steady-state statistic stands for (`p95` for `steady_p95`); nil for any other.
    public static func base(of statistic: Statistic) -> Statistic? {
        guard statistic.rawValue.hasPrefix(prefix) else { return nil }
        let base = Statistic(rawValue: String(statistic.rawValue.dropFirst(prefix.count)))
        return windowedStatistics.contains(base) ? base : nil
    }

    // MARK: MSER-5

    /// Means of consecutive batches of `size` values; a remainder at the end is left out.
    public static func batchMeans(_ values: [Double], size: Int = batchSize) -> [Double] {
        let k = values.count / size
        return (0..<k).map { b in values[(b * size)..<((b + 1) * size)].reduce(0, +) / Double(size) }
    }

    /// MSER(d) for d = 0 … k−2 batches dropped from the start of the batch means `z`:
    /// `Σ (z[j] − mean(z[d...]))² / (k − d)²` over j ≥ d.
    public static func mser(batchMeans z: [Double]) -> [Double] {
        let k = z.count
        guard k >= 2 else { return [] }
        return (0...(k - 2)).map { d in
            let tail = z[d...]
            let m = tail.reduce(0, +) / Double(tail.count)
            let ss = tail.reduce(0) { $0 + ($1 - m) * ($1 - m) }
            return ss / Double((k - d) * (k - d))
        }
    }

    /// What MSER-5 and the trim make of a series: the truncation d* (batches), whether the series
    /// settled, and the warm-up in batches (nil when it never ended). Nil for fewer than 2 batches.
    public struct Cut: Sendable, Hashable {
        public var truncation: Int
        public var settled: Bool
        public var warmUpBatches: Int?
        public var batches: Int
    }

    /// The warm-up of a series (docs/steady-state.md "The rule"): d* = the first argmin of MSER over
    /// d ≤ k/2; the warm-up is the leading batches among the first d* above the level of `z[d*...]` by
    /// more than 25 % and 2 standard errors. It never ended when the argmin over every d lies past the
    /// half and the batch at the half is still that far above the level after it.
    public static func cut(_ values: [Double]) -> Cut? {
        let z = batchMeans(values)
        let k = z.count
        let m = mser(batchMeans: z)
        guard k >= 2, !m.isEmpty else { return nil }
        func argmin(_ xs: ArraySlice<Double>) -> Int {
            var best = xs.startIndex
            for i in xs.indices where xs[i] < xs[best] { best = i }
            return best
        }
        func threshold(_ from: Int) -> Double {
            let tail = z[from...]
            let level = tail.reduce(0, +) / Double(tail.count)
            let points = values[(from * batchSize)...]
            let n = Double(points.count)
            let mean = points.reduce(0, +) / n
            let sd = (points.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / (n - 1)).squareRoot()
            return max(level + aboveLevelSigmas * sd / Double(batchSize).squareRoot(), level * (1 + aboveLevelFraction))
        }
        let half = k / 2
        let all = argmin(m[...])
        if all > half, z[half] > threshold(all) {
            return Cut(truncation: all, settled: false, warmUpBatches: nil, batches: k)
        }
        let d = argmin(m[...min(half, m.count - 1)])
        let limit = threshold(d)
        var w = 0
        while w < d && z[w] > limit { w += 1 }
        return Cut(truncation: d, settled: true, warmUpBatches: w, batches: k)
    }

    // MARK: Runs

    /// Whether a run reached a steady state; the raw value is the code stored as `steady_state`.
    public enum Status: Int, Sendable, Hashable, CaseIterable {
        /// The warm-up ended and the steady state after it is long enough and not rising.
        case reached = 1
        /// Latency was still above its final level half-way through the run.
        case warmUpNeverEnded = 0
        /// The steady state after the warm-up is drifting up (docs/drift.md, at 5 %/h).
        case stillRising = 2
        /// Fewer than ``minimumBatches`` batches or ``minimumSeconds`` seconds of steady state ("too short").
        case notEnoughData = -1

        public var words: String {
            switch self {
            case .reached: return "steady state reached"
            case .warmUpNeverEnded: return "warm-up never ended"
            case .stillRising: return "latency still rising"
            case .notEnoughData: return "steady state too short"
            }
        }
    }

    /// The warm-up and steady state of one run, in seconds from its start.
    public struct Detection: Sendable, Hashable {
        public var status: Status
        /// The span at full load the analysis looked at.
        public var fullLoad: ClosedRange<Double>
        /// Seconds of warm-up from the start of full load (0: none; nil: it never ended).
        public var warmUpSeconds: Double?
        /// The steady state (nil when the warm-up never ended).
        public var window: ClosedRange<Double>?
        /// Time buckets at full load with requests.
        public var points: Int

        /// Statistics the whole run's latency series carries for it.
        public var statistics: [Statistic: Double] {
            var s: [Statistic: Double] = [SteadyState.status: Double(status.rawValue)]
            if let w = warmUpSeconds { s[SteadyState.warmUp] = w }
            if let window {
                s[SteadyState.start] = window.lowerBound
                s[SteadyState.seconds] = window.upperBound - window.lowerBound
            }
            return s
        }

        /// Read back from a series' statistics; nil when it carries none.
        public init?(statistics s: [Statistic: Double]) {
            guard let code = s[SteadyState.status], let st = Status(rawValue: Int(code)) else { return nil }
            status = st
            warmUpSeconds = s[SteadyState.warmUp]
            if let a = s[SteadyState.start], let n = s[SteadyState.seconds] { window = a...(a + n) } else { window = nil }
            let start = window?.lowerBound ?? 0
            fullLoad = (start - (warmUpSeconds ?? 0))...(window?.upperBound ?? start)
            points = 0
        }

        public init(status: Status, fullLoad: ClosedRange<Double>, warmUpSeconds: Double?, window: ClosedRange<Double>?, points: Int) {
            self.status = status
            self.fullLoad = fullLoad
            self.warmUpSeconds = warmUpSeconds
            self.window = window
            self.points = points
        }

        /// The one line every output states for it, the gate's finding and the run page alike:
        /// `steady state reached: warm-up 10 s, steady 30 s (10–40 s of the run)`.
        public var words: String {
            let s = { (x: Double) in Formatting.fixed(x, 0) }
            switch status {
            case .warmUpNeverEnded:
                return "\(status.words): latency still above its final level half-way through \(s(fullLoad.upperBound - fullLoad.lowerBound)) s at full load"
            case .notEnoughData:
                let have = window.map { "\(s($0.upperBound - $0.lowerBound)) s of steady state" } ?? "too few time buckets at full load"
                return "\(status.words): \(have) (a steady state needs ≥ \(minimumBatches * batchSize) buckets over ≥ \(s(minimumSeconds)) s)"
            case .reached, .stillRising:
                let w = warmUpSeconds.map { $0 > 0 ? "warm-up \(s($0)) s" : "no warm-up" } ?? "warm-up never ended"
                let span = window.map { "steady \(s($0.upperBound - $0.lowerBound)) s (\(s($0.lowerBound))–\(s($0.upperBound)) s of the run)" } ?? ""
                return "\(status.words): \(w), \(span)"
            }
        }
    }

    /// The words when a run has no time series to find a steady state in.
    public static let noTimeSeries = "\(Drift.Verdict.notEnoughData.rawValue): no time series"

    /// The warm-up and steady state of a run's timeline; nil without a whole-run bucket at full load.
    public static func detect(_ timeline: RunTimeline) -> Detection? {
        guard let full = Drift.steadyWindow(timeline, durationSeconds: nil) else { return nil }
        let spans = timeline.wholeRunBuckets(inside: full).filter { $0.bucket.p95 != nil }
        guard !spans.isEmpty else { return nil }
        let values = spans.compactMap { $0.bucket.p95 }
        func short(_ window: ClosedRange<Double>?) -> Detection {
            Detection(status: .notEnoughData, fullLoad: full, warmUpSeconds: nil, window: window, points: values.count)
        }
        guard let cut = cut(values) else { return short(nil) }
        guard cut.settled, let w = cut.warmUpBatches else {
            return Detection(status: .warmUpNeverEnded, fullLoad: full, warmUpSeconds: nil, window: nil, points: values.count)
        }
        let startIndex = w * batchSize
        let start = w == 0 ? full.lowerBound : spans[startIndex].from
        let window = start...max(start, full.upperBound)
        let steadyPoints = values.count - startIndex
        guard steadyPoints >= minimumBatches * batchSize, window.upperBound - window.lowerBound >= minimumSeconds else {
            var d = short(window)
            d.warmUpSeconds = start - full.lowerBound
            return d
        }
        let rising = Drift.assess(Drift.p95Points(timeline, window: window)).verdict == .driftingUp
        return Detection(
            status: rising ? .stillRising : .reached, fullLoad: full, warmUpSeconds: start - full.lowerBound, window: window,
            points: values.count)
    }

    /// The statistics of the `http_req_duration` series of `endpoint` recomputed over `window` from the
    /// timeline's buckets (those wholly inside it): request and error counts, error rate, throughput,
    /// and p50/p95 as the request-weighted mean of the buckets' own (a timeline keeps each bucket's
    /// percentiles, not its latencies). Only statistics the series reports are returned.
    public static func statistics(
        _ timeline: RunTimeline, endpoint: String, window: ClosedRange<Double>, reported: Set<Statistic>
    ) -> [Statistic: Double] {
        let spans = timeline.bucketSpans(of: endpoint, inside: window)
        let requests = spans.reduce(0) { $0 + $1.bucket.requests }
        guard requests > 0 else { return [:] }
        let errors = spans.reduce(0) { $0 + $1.bucket.errors }
        var s: [Statistic: Double] = [.count: requests, .errors: errors, .errorRate: errors / requests]
        let seconds = window.upperBound - window.lowerBound
        if seconds > 0 { s[.throughput] = requests / seconds }
        for (stat, value) in [(Statistic.p50, \TimelineBucket.p50), (.p95, \TimelineBucket.p95)] {
            let weighted = spans.compactMap { sp in sp.bucket[keyPath: value].map { ($0, sp.bucket.requests) } }
            let n = weighted.reduce(0) { $0 + $1.1 }
            if n > 0 { s[stat] = weighted.reduce(0) { $0 + $1.0 * $1.1 } / n }
        }
        return s.filter { reported.contains($0.key) }
    }

    /// Adds the run's steady-state statistics at ingest: the run's detection (found on the whole run's
    /// p95) on every latency series, so a `"steady"` rule reads it on whichever series a budget selects,
    /// and, when a steady state was reached, the `steady_…` statistics of every latency series with
    /// buckets of its own. Runs without a timeline get none.
    public static func annotate(_ run: inout IngestedRun) {
        guard let timeline = run.timeline, let d = detect(timeline) else { return }
        let latency = SeriesKey.requestLatencyMetric
        for i in run.series.indices where run.series[i].key.metric == latency {
            let key = run.series[i].key
            run.series[i].stats.merge(d.statistics) { _, new in new }
            guard d.status == .reached, let window = d.window else { continue }
            let s = statistics(timeline, endpoint: key.endpoint, window: window, reported: Set(run.series[i].stats.keys))
            for (stat, v) in s { run.series[i].stats[windowed(stat)] = v }
        }
    }

    // MARK: The gate's window

    /// How the gate reads a run (`check --steady-state`, the budget file's `"steady_state"`).
    public enum Mode: String, Sendable, Hashable, Codable, CaseIterable {
        /// Statistics over the whole run (the default).
        case whole
        /// Statistics over the detected steady state, when the run has one.
        case auto
    }

    /// A run as the gate reads it in `auto` mode: each latency series' statistics replaced by their
    /// steady-state values (``windowed(_:)``), and its distribution dropped (it is the whole run's),
    /// when the series carries them. Returns whether any series did.
    public static func steadyRun(_ run: GateRun) -> (run: GateRun, windowed: Bool) {
        var run = run
        var any = false
        for (key, var s) in run.series {
            let steady = s.stats.compactMap { st, v in base(of: st).map { ($0, v) } }
            guard !steady.isEmpty else { continue }
            for (st, v) in steady { s.stats[st] = v }
            s.distribution = nil
            run.series[key] = s
            any = true
        }
        return (run, any)
    }

    /// Reads every run of the gate's input over its steady state (``steadyRun(_:)``) and returns the
    /// one notice the check prints: what was windowed, and which runs were read whole.
    public static func useSteadyState(_ input: inout GateInput) -> String {
        func windowed(_ runs: inout [GateRun]) -> Int {
            var whole = 0
            for i in runs.indices {
                let (run, used) = steadyRun(runs[i])
                runs[i] = run
                if !used { whole += 1 }
            }
            return whole
        }
        let current = windowed(&input.current)
        let baseline = windowed(&input.baseline)
        _ = windowed(&input.history)
        var words = "steady state: latency, throughput and error rate over each run's steady state (docs/steady-state.md)"
        if current > 0 {
            words += "; no time series or no steady state: whole run used for " + (input.current.count == 1 ? "the current run" : "\(current) of \(input.current.count) current runs")
        }
        if baseline > 0 {
            words += "; whole run used for \(baseline) of \(input.baseline.count) baseline runs"
        }
        return words
    }
}

extension RunTimeline {
    /// The buckets of `endpoint` (`""`: the whole run) that lie wholly inside `window`
    /// (seconds from the run's start), with their spans, by index.
    public func bucketSpans(of endpoint: String, inside window: ClosedRange<Double>) -> [(bucket: TimelineBucket, from: Double, to: Double)] {
        buckets.compactMap { b in
            guard b.endpoint == endpoint else { return nil }
            let from = startSeconds(of: b.index)
            let to = endSeconds(of: b.index)
            guard from >= window.lowerBound - 1e-9, to <= window.upperBound + 1e-9 else { return nil }
            return (b, from, to)
        }
    }

    /// The whole run's buckets wholly inside `window`.
    public func wholeRunBuckets(inside window: ClosedRange<Double>) -> [(bucket: TimelineBucket, from: Double, to: Double)] {
        bucketSpans(of: "", inside: window)
    }
}
