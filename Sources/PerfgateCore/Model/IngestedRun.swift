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

    public init(
        tool: String, toolVersion: String? = nil, format: String, scenario: String? = nil,
        startedAt: Date? = nil, durationSeconds: Double? = nil, load: LoadProfile = LoadProfile(),
        tags: [String: String] = [:], series: [SeriesResult] = [], thresholds: [ThresholdResult] = [],
        checks: [CheckResult] = [], errors: [ErrorResult] = []
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
