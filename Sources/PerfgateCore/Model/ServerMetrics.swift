import Foundation

/// One server-side time series (a Prometheus `query_range` series), as samples over wall-clock time.
///
/// Its statistics over a run's window become an ordinary ``SeriesResult`` of the run (endpoint `""`,
/// metric = ``name``), so budgets select it with `"metric"` like any other metric; the samples are kept
/// for the run page's "Over time" charts.
public struct ServerSeries: Sendable, Hashable, Codable {
    /// Stable name: the metric name (or the file's name for an expression such as `rate(…)`), plus
    /// `{label="value",…}` only when several series of one file share that name.
    public var name: String
    /// Canonical unit (``ServerMetrics/unit(ofName:)``); the samples are already converted.
    public var unit: MetricUnit
    public var direction: Direction
    /// Samples in time order.
    public var samples: [ServerSample]

    public init(name: String, unit: MetricUnit, direction: Direction, samples: [ServerSample]) {
        self.name = name
        self.unit = unit
        self.direction = direction
        self.samples = samples
    }
}

/// One sample: Unix time in seconds and the value in the series' canonical unit.
public struct ServerSample: Sendable, Hashable, Codable {
    public var time: Double
    public var value: Double

    public init(time: Double, value: Double) {
        self.time = time
        self.value = value
    }
}

/// Units, statistics and run windows of server-side series (docs/server-metrics.md).
public enum ServerMetrics {
    /// Growth of the series over the window, in its unit per hour (least-squares slope).
    public static let growthPerHour = Statistic(rawValue: "growth_per_hour")

    /// The unit of a Prometheus metric name by its conventional suffix, and how to convert its values:
    /// `_bytes` → bytes; `_seconds` → milliseconds (perfgate's one time unit, so `"500ms"` budgets read
    /// as written); `_ratio` → fraction; `_percent` → fraction (53 → 0.53); anything else unit-less.
    /// Counters (`_total`, `_count`, `_sum`, `_bucket`) are unit-less running totals: perfgate computes no
    /// rate, query `rate(name[1m])` instead (``isCounter(_:)``).
    public static func unit(ofName name: String) -> (MetricUnit, @Sendable (Double) -> Double) {
        let base = baseName(name)
        if isCounter(base) { return (.none, { $0 }) }
        if base.hasSuffix("_bytes") { return (.bytes, { $0 }) }
        if base.hasSuffix("_seconds") { return (.milliseconds, { $0 * 1000 }) }
        if base.hasSuffix("_ratio") { return (.ratio, { $0 }) }
        if base.hasSuffix("_percent") { return (.ratio, { $0 / 100 }) }
        return (.none, { $0 })
    }

    /// Whether the name is a Prometheus counter's (a running total, meaningful only through `rate()`).
    public static func isCounter(_ name: String) -> Bool {
        let base = baseName(name)
        return ["_total", "_count", "_sum", "_bucket"].contains { base.hasSuffix($0) }
    }

    /// Higher is better for hit ratios and free/available/idle capacity; lower for everything else
    /// (CPU, memory, connections in use, latency).
    public static func direction(ofName name: String) -> Direction {
        let base = baseName(name).lowercased()
        return ["hit", "free", "available", "idle"].contains { base.contains($0) } ? .higherIsBetter : .lowerIsBetter
    }

    /// The name without its `{labels}`.
    public static func baseName(_ name: String) -> String {
        name.firstIndex(of: "{").map { String(name[..<$0]) } ?? name
    }

    /// Statistics of the samples: `mean`, `min`, `max`, `p95` (type 7), `value` (the last sample),
    /// and ``growthPerHour`` (needs two samples at different times). Nil without samples.
    public static func summary(_ s: ServerSeries) -> SeriesResult? {
        let values = s.samples.map(\.value)
        guard let last = values.last else { return nil }
        var stats: [Statistic: Double] = [
            .mean: values.reduce(0, +) / Double(values.count),
            .min: values.min() ?? last, .max: values.max() ?? last,
            .p95: Stats.Percentile.type7(values, 0.95), .value: last,
        ]
        if let slope = slopePerSecond(s.samples) { stats[growthPerHour] = slope * 3600 }
        return SeriesResult(key: SeriesKey(endpoint: "", metric: s.name), unit: s.unit, direction: s.direction, stats: stats)
    }

    /// Least-squares slope of value against time, per second; nil for fewer than two distinct times
    /// (``Drift/leastSquares(_:)``, the one fit perfgate has).
    static func slopePerSecond(_ samples: [ServerSample]) -> Double? {
        Drift.leastSquares(samples.map { Drift.Point(time: $0.time, value: $0.value) })?.slope
    }

    /// The series cut to a run's window `[start, start + duration]` (inclusive), and how many samples
    /// fell outside. A series with no sample inside is left out.
    public static func window(_ series: [ServerSeries], start: Date, duration: Double) -> (kept: [ServerSeries], dropped: Int) {
        let from = start.timeIntervalSince1970
        let to = from + duration
        var dropped = 0
        var kept: [ServerSeries] = []
        for var s in series {
            let inside = s.samples.filter { $0.time >= from && $0.time <= to }
            dropped += s.samples.count - inside.count
            guard !inside.isEmpty else { continue }
            s.samples = inside
            kept.append(s)
        }
        return (kept, dropped)
    }

    /// Seconds by which the samples' span overlaps `[start, start + duration]`; 0 when it does not.
    public static func overlap(_ series: [ServerSeries], start: Date, duration: Double) -> Double {
        let times = series.flatMap { $0.samples.map(\.time) }
        guard let lo = times.min(), let hi = times.max() else { return 0 }
        let from = start.timeIntervalSince1970
        return max(0, min(hi, from + duration) - max(lo, from))
    }
}
