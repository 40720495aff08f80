import Foundation

/// What an adapter returns: one test execution, normalised, before it knows its commit.
///
/// Commit, branch, scenario and environment are decided by the caller (flags, CI variables, git);
/// an adapter only fills what the file itself says.
public struct IngestedRun: Sendable, Hashable, Codable {
    /// The producing tool (`k6`, `locust`, or a native file's `tool`).
    public var tool: String
    public var toolVersion: String?
    /// The input format identifier (`k6-summary`, `locust-csv`, …).
    public var format: String
    /// Scenario named by the file itself (native files); the CLI's `--scenario` wins.
    public var scenario: String?
    public var startedAt: Date?
    /// Wall-clock length of the test in seconds.
    public var durationSeconds: Double?
    public var load: LoadProfile
    /// Free-form labels the file carried.
    public var tags: [String: String]
    public var series: [SeriesResult]
    public var thresholds: [ThresholdResult]
    public var checks: [CheckResult]
    /// Error messages with their counts (Locust `_failures.csv`, k6 `error` tags).
    public var errors: [ErrorResult]
    /// The run over time (k6 points, Locust `_stats_history.csv`); nil for summary formats.
    public var timeline: RunTimeline?
    /// Server-side series (Prometheus `query_range`) attached to this run, cut to its window; their
    /// statistics are also in ``series`` (docs/server-metrics.md). Nil for every load-test format.
    public var serverSeries: [ServerSeries]? = nil

    public init(
        tool: String, toolVersion: String? = nil, format: String, scenario: String? = nil,
        startedAt: Date? = nil, durationSeconds: Double? = nil, load: LoadProfile = LoadProfile(),
        tags: [String: String] = [:], series: [SeriesResult] = [], thresholds: [ThresholdResult] = [],
        checks: [CheckResult] = [], errors: [ErrorResult] = [], timeline: RunTimeline? = nil
    ) {
        self.tool = tool
        self.toolVersion = toolVersion
        self.format = format
        self.scenario = scenario
        self.startedAt = startedAt
        self.durationSeconds = durationSeconds
        self.load = load
        self.tags = tags
        self.series = series
        self.thresholds = thresholds
        self.checks = checks
        self.errors = errors
        self.timeline = timeline
    }

    /// The series with `key`, if present.
    public func series(_ key: SeriesKey) -> SeriesResult? { series.first { $0.key == key } }
}

/// The load a test applied.
public struct LoadProfile: Sendable, Hashable, Codable {
    /// Virtual users (k6) or users (Locust) at the end / peak of the test.
    public var vus: Int?
    public var maxVUs: Int?

    public init(vus: Int? = nil, maxVUs: Int? = nil) {
        self.vus = vus
        self.maxVUs = maxVUs
    }
}

/// One kind of failure and how often it happened.
public struct ErrorResult: Sendable, Hashable, Codable {
    /// `METHOD name` of the endpoint, `""` when not tied to one.
    public var endpoint: String
    public var message: String
    public var occurrences: Int

    public init(endpoint: String, message: String, occurrences: Int) {
        self.endpoint = endpoint
        self.message = message
        self.occurrences = occurrences
    }
}

extension IngestedRun {
    /// True when `other` is the same test execution as this run, exported in another file or format
    /// (k6's `--summary-export` and `handleSummary`, Locust's `--csv` and `--json`): same tool, start
    /// times (when both files carry one) within a second, and for every endpoint both report the same
    /// request count and the same mean and maximum latency. Two executions never agree on all of
    /// these; one execution always does, whatever the export. A mean written as a whole number
    /// (Gatling's `js/stats.json` rounds its means to the millisecond) matches within half a unit.
    public func isSameExecution(as other: IngestedRun) -> Bool {
        guard tool == other.tool else { return false }
        if let a = startedAt, let b = other.startedAt, abs(a.timeIntervalSince(b)) > 1 { return false }
        typealias Print = (count: Double, mean: Double, max: Double)
        func close(_ x: Double, _ y: Double) -> Bool { abs(x - y) <= max(1e-3 * max(abs(x), abs(y)), 1e-6) }
        func rounded(_ x: Double, _ y: Double) -> Bool { (x == x.rounded() || y == y.rounded()) && abs(x - y) <= 0.5 + 1e-9 }
        func same(_ a: Print, _ b: Print) -> Bool {
            a.count == b.count && (close(a.mean, b.mean) || rounded(a.mean, b.mean)) && close(a.max, b.max)
        }
        let mine = latencyFingerprint, theirs = other.latencyFingerprint
        var compared = 0
        if let a = mine[""], let b = theirs[""] {
            guard same(a, b) else { return false }
            compared += 1
        }
        // Endpoint names differ between exports of one run (k6's summary names `/api/x` by its `name`
        // tag, its points `GET /api/x`), so endpoints are compared as a set of fingerprints.
        let ea = mine.filter { !$0.key.isEmpty }.values.sorted { ($0.count, $0.mean) < ($1.count, $1.mean) }
        let eb = theirs.filter { !$0.key.isEmpty }.values.sorted { ($0.count, $0.mean) < ($1.count, $1.mean) }
        if !ea.isEmpty && !eb.isEmpty {
            guard ea.count == eb.count, zip(ea, eb).allSatisfy({ same($0, $1) }) else { return false }
            compared += ea.count
        }
        return compared > 0
    }

    /// Request count, mean and maximum latency per endpoint ("" = the whole run).
    var latencyFingerprint: [String: (count: Double, mean: Double, max: Double)] {
        var out: [String: (count: Double, mean: Double, max: Double)] = [:]
        for s in series where s.key.metric == SeriesKey.requestLatencyMetric {
            guard let n = s.stats[.count], n > 0, let m = s.stats[.mean], let x = s.stats[.max] else { continue }
            out[s.key.endpoint] = (n, m, x)
        }
        return out
    }
}
