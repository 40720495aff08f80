/// What a series measures inside one scenario: an endpoint (`""` for the whole run) and a metric.
///
/// HTTP request latency is always the metric `http_req_duration` (k6's name; Locust response times
/// map to it too), so one budget file serves both tools. Per-endpoint request figures (`count`,
/// `errors`, `error_rate`, `throughput`) are statistics of that same series.
public struct SeriesKey: Sendable, Hashable, Codable, Comparable, CustomStringConvertible {
    public var endpoint: String
    public var metric: String

    public init(endpoint: String, metric: String) {
        self.endpoint = endpoint
        self.metric = metric
    }

    public static let requestLatencyMetric = "http_req_duration"
    /// A microbenchmark's time per iteration (per run for hyperfine), in milliseconds. A benchmark is
    /// the series' endpoint (docs/microbenchmarks.md).
    public static let benchmarkTimeMetric = "time"

    public static func < (a: SeriesKey, b: SeriesKey) -> Bool {
        (a.metric, a.endpoint) < (b.metric, b.endpoint)
    }

    public var description: String { endpoint.isEmpty ? metric : "\(endpoint) \(metric)" }
}

/// One series' results in one run: its unit, direction, statistics and, where the input had
/// per-request values or a histogram, the distribution.
public struct SeriesResult: Sendable, Hashable, Codable {
    public var key: SeriesKey
    public var unit: MetricUnit
    public var direction: Direction
    public var stats: [Statistic: Double]
    public var distribution: Distribution?

    public init(
        key: SeriesKey, unit: MetricUnit, direction: Direction, stats: [Statistic: Double] = [:],
        distribution: Distribution? = nil
    ) {
        self.key = key
        self.unit = unit
        self.direction = direction
        self.stats = stats
        self.distribution = distribution
    }
}

/// A k6 threshold as the tool evaluated it.
public struct ThresholdResult: Sendable, Hashable, Codable {
    /// The metric (or submetric) name the threshold is keyed by, e.g. `http_req_duration{name:x}`.
    public var metric: String
    /// The expression as written, e.g. `p(95)<500`.
    public var expression: String
    public var passed: Bool

    public init(metric: String, expression: String, passed: Bool) {
        self.metric = metric
        self.expression = expression
        self.passed = passed
    }
}

/// A k6 check (or any pass/fail assertion) with its counts.
public struct CheckResult: Sendable, Hashable, Codable {
    /// Group path, `""` at the root, `::group` inside groups.
    public var group: String
    public var name: String
    public var passes: Int
    public var fails: Int

    public init(group: String, name: String, passes: Int, fails: Int) {
        self.group = group
        self.name = name
        self.passes = passes
        self.fails = fails
    }
}
