import Foundation

/// Within-run drift (docs/drift.md): the least-squares slope of a level over a run's steady state,
/// per hour, with its 95 % confidence interval, relative to the window's mean level, and a verdict.
///
/// The slope and its interval are `scipy.stats.linregress`'s: `slope ± t.ppf(0.975, n − 2) · stderr`.
public enum Drift {
    /// The smallest window that gets a verdict: at least this many points…
    public static let minimumPoints = 10
    /// …spanning at least this many seconds. Shorter windows are "not enough data".
    public static let minimumSeconds = 10.0
    /// The slope, as a fraction of the window's mean level per hour, below which drift is not worth
    /// stating (5 %/h; a `"drift"` budget's limit replaces it).
    public static let defaultMinimum = 0.05

    /// Statistics a series carries for its drift (the latency series: of its p95 per time bucket; a
    /// server series: of its samples), as fractions of the level per hour, and the window's size.
    public static let slope = Statistic(rawValue: "drift")
    public static let low = Statistic(rawValue: "drift_low")
    public static let high = Statistic(rawValue: "drift_high")
    public static let points = Statistic(rawValue: "drift_points")
    public static let seconds = Statistic(rawValue: "drift_seconds")

    /// One point of a series: seconds (any origin) and the value.
    public struct Point: Sendable, Hashable {
        public var time: Double
        public var value: Double
        public init(time: Double, value: Double) {
            self.time = time
            self.value = value
        }
    }

    /// A least-squares fit of value against time over a window.
    public struct Fit: Sendable, Hashable {
        /// Points in the window.
        public var count: Int
        /// Seconds from the first point to the last.
        public var spanSeconds: Double
        /// Mean value over the window (the level the relative figures are taken against).
        public var level: Double
        /// Slope in the series' unit per hour, and its 95 % confidence interval.
        public var slopePerHour: Double
        public var lowPerHour: Double
        public var highPerHour: Double
        /// Standard error of the slope, per hour (linregress's `stderr` × 3600).
        public var stderrPerHour: Double

        /// The slope and interval as fractions of ``level`` per hour; nil when the level is 0.
        public var relative: Relative? {
            guard level != 0 else { return nil }
            let l = abs(level)
            return Relative(
                slope: slopePerHour / l, low: lowPerHour / l, high: highPerHour / l, points: count, seconds: spanSeconds)
        }
    }

    /// A fit relative to its level: fractions of the window's mean level per hour (0.05 = 5 %/h).
    public struct Relative: Sendable, Hashable {
        public var slope: Double
        public var low: Double
        public var high: Double
        public var points: Int
        public var seconds: Double

        public init(slope: Double, low: Double, high: Double, points: Int, seconds: Double) {
            self.slope = slope
            self.low = low
            self.high = high
            self.points = points
            self.seconds = seconds
        }

        /// Whether the window is long enough for a verdict.
        public var isEnough: Bool { points >= Drift.minimumPoints && seconds >= Drift.minimumSeconds }

        /// The verdict against `minimum` (a fraction of the level per hour, > 0).
        public func verdict(minimum m: Double) -> Verdict {
            guard isEnough else { return .notEnoughData }
            if low > 0 && slope > m { return .driftingUp }
            if high < 0 && slope < -m { return .driftingDown }
            if low >= -m && high <= m { return .noDrift }
            return .inconclusive
        }

        /// The statistics a series carries for it.
        public var statistics: [Statistic: Double] {
            [Drift.slope: slope, Drift.low: low, Drift.high: high, Drift.points: Double(points), Drift.seconds: seconds]
        }

        /// Read back from a series' statistics; nil when it carries none (no time series, or fewer than 3 points).
        public init?(statistics s: [Statistic: Double]) {
            guard let slope = s[Drift.slope], let low = s[Drift.low], let high = s[Drift.high], let n = s[Drift.points],
                let sec = s[Drift.seconds]
            else { return nil }
            self.init(slope: slope, low: low, high: high, points: Int(n), seconds: sec)
        }

        /// `+12.30%/h (95 % CI +10.10%/h to +14.50%/h)`.
        public var text: String {
            func p(_ x: Double) -> String { Formatting.signedPercent(x) }
            return "\(p(slope))/h (95 % CI \(p(low))/h to \(p(high))/h)"
        }
    }

    /// What a fit says, given a minimum slope worth stating.
    public enum Verdict: String, Sendable, Hashable, CaseIterable {
        /// The interval excludes 0 and the slope exceeds +minimum.
        case driftingUp = "drifting up"
        /// The interval excludes 0 and the slope is below −minimum.
        case driftingDown = "drifting down"
        /// The whole interval lies within ±minimum.
        case noDrift = "no drift"
        /// Anything else: the interval is too wide to tell.
        case inconclusive
        /// Fewer than ``Drift/minimumPoints`` points or less than ``Drift/minimumSeconds`` of them.
        case notEnoughData = "not enough data"
    }

    /// A fit with its verdict.
    public struct Assessment: Sendable, Hashable {
        public var verdict: Verdict
        /// Nil only when there were fewer than 3 points or they all share one time.
        public var fit: Fit?
        /// The minimum slope the verdict used, as a fraction of the level per hour.
        public var minimum: Double
    }

    /// The least-squares line of value against time: slope per second, mean value, and the centred
    /// sums of squares `Sxx`, `Sxy`, `Syy`; nil for fewer than 2 points or a single distinct time.
    public static func leastSquares(_ points: [Point]) -> (slope: Double, mean: Double, sxx: Double, sxy: Double, syy: Double)? {
        guard points.count >= 2 else { return nil }
        let nd = Double(points.count)
        let mt = points.reduce(0) { $0 + $1.time } / nd
        let mv = points.reduce(0) { $0 + $1.value } / nd
        var sxx = 0.0
        var sxy = 0.0
        var syy = 0.0
        for p in points {
            let dt = p.time - mt
            let dv = p.value - mv
            sxx += dt * dt
            sxy += dt * dv
            syy += dv * dv
        }
        guard sxx > 0 else { return nil }
        return (sxy / sxx, mv, sxx, sxy, syy)
    }

    /// The least-squares fit of the points; nil for fewer than 3 points or a single distinct time.
    public static func fit(_ points: [Point]) -> Fit? {
        let n = points.count
        guard n >= 3, let (slope, mv, sxx, sxy, syy) = leastSquares(points) else { return nil }
        let nd = Double(n)
        // Residual sum of squares, never negative through rounding.
        let ssr = max(0, syy - slope * sxy)
        let stderr = (ssr / (nd - 2) / sxx).squareRoot()
        let t = Stats.Special.studentTPPF(0.975, df: nd - 2)
        let times = points.map(\.time)
        return Fit(
            count: n, spanSeconds: (times.max() ?? 0) - (times.min() ?? 0), level: mv,
            slopePerHour: slope * 3600, lowPerHour: (slope - t * stderr) * 3600, highPerHour: (slope + t * stderr) * 3600,
            stderrPerHour: stderr * 3600)
    }

    /// The fit of the points and its verdict against `minimum` (a fraction of the level per hour, > 0).
    /// A zero level has no relative slope: only an exactly flat window says "no drift" there.
    public static func assess(_ points: [Point], minimum: Double = defaultMinimum) -> Assessment {
        guard let f = fit(points) else { return Assessment(verdict: .notEnoughData, fit: nil, minimum: minimum) }
        let verdict: Verdict
        if let r = f.relative {
            verdict = r.verdict(minimum: minimum)
        } else if f.count < minimumPoints || f.spanSeconds < minimumSeconds {
            verdict = .notEnoughData
        } else {
            verdict = f.lowPerHour == 0 && f.highPerHour == 0 ? .noDrift : .inconclusive
        }
        return Assessment(verdict: verdict, fit: f, minimum: minimum)
    }

    /// The steady-state window of a run in seconds from its start: the timeline's steady phase, or the
    /// whole timeline when it carries no user counts; nil without a timeline.
    public static func steadyWindow(_ timeline: RunTimeline?, durationSeconds: Double?) -> ClosedRange<Double>? {
        guard let timeline else { return durationSeconds.map { 0...max(0, $0) } }
        if let p = timeline.phases { return p.steadyStart...max(p.steadyStart, p.steadyEnd) }
        let run = timeline.wholeRun
        guard let first = run.first, let last = run.last else { return durationSeconds.map { 0...max(0, $0) } }
        return timeline.startSeconds(of: first.index)...timeline.endSeconds(of: last.index)
    }

    /// The whole run's p95 per bucket inside the window, at each bucket's midpoint (seconds from the
    /// run's start); buckets that overlap the window only partly and buckets without requests are left out.
    public static func p95Points(_ timeline: RunTimeline, window: ClosedRange<Double>) -> [Point] {
        timeline.wholeRunBuckets(inside: window).compactMap { b, from, to in
            b.p95.map { Point(time: (from + to) / 2, value: $0) }
        }
    }

    /// A server series' samples inside the window (seconds from `runStart`), as seconds from the run's start.
    public static func serverPoints(_ series: ServerSeries, runStart: Date, window: ClosedRange<Double>) -> [Point] {
        let origin = runStart.timeIntervalSince1970
        return series.samples.compactMap { s in
            let t = s.time - origin
            return window.contains(t) ? Point(time: t, value: s.value) : nil
        }
    }
}

extension Drift {
    /// The one line every output states for a series' drift, the gate's finding and the run page alike:
    /// `drifting up: +12.30%/h (95 % CI +10.10%/h to +14.50%/h)`, `not enough data: 6 points over 5 s
    /// of steady state (…)`. `minimum` is the rule's limit, or ``defaultMinimum`` where nothing gates.
    public static func words(_ rel: Relative?, minimum: Double = defaultMinimum) -> String {
        let none = Verdict.notEnoughData.rawValue
        guard let rel else { return "\(none): no time series of 3 points or more over the run's steady state" }
        let v = rel.verdict(minimum: minimum)
        guard v != .notEnoughData else {
            return "\(none): \(rel.points) points over \(Formatting.fixed(rel.seconds, 0)) s of steady state (drift needs ≥ \(minimumPoints) over ≥ \(Formatting.fixed(minimumSeconds, 0)) s)"
        }
        return "\(v.rawValue): \(rel.text)"
    }

    /// Adds drift statistics (``Relative/statistics``) over the steady-state window to the whole-run
    /// latency series (from the timeline's p95 per bucket) and to the summary of each server series in
    /// `series`. Series without a time series, or with fewer than 3 points in the window, get none.
    public static func annotate(
        _ series: inout [SeriesResult], timeline: RunTimeline?, serverSeries: [ServerSeries], startedAt: Date?,
        durationSeconds: Double?
    ) {
        let window = steadyWindow(timeline, durationSeconds: durationSeconds)
        func add(_ key: SeriesKey, _ points: [Point]) {
            guard let i = series.firstIndex(where: { $0.key == key }), let r = assess(points).fit?.relative else { return }
            series[i].stats.merge(r.statistics) { _, new in new }
        }
        if let timeline, let window {
            add(SeriesKey(endpoint: "", metric: SeriesKey.requestLatencyMetric), p95Points(timeline, window: window))
        }
        for s in serverSeries {
            let points: [Point]
            if let startedAt, let window {
                points = serverPoints(s, runStart: startedAt, window: window)
            } else {
                let origin = s.samples.first?.time ?? 0
                points = s.samples.map { Point(time: $0.time - origin, value: $0.value) }
            }
            add(SeriesKey(endpoint: "", metric: s.name), points)
        }
    }

    /// The same for a whole run, with its warm-up and steady state (``SteadyState/annotate(_:)``).
    public static func annotate(_ run: inout IngestedRun) {
        annotate(
            &run.series, timeline: run.timeline, serverSeries: run.serverSeries ?? [], startedAt: run.startedAt,
            durationSeconds: run.durationSeconds)
        SteadyState.annotate(&run)
    }
}
