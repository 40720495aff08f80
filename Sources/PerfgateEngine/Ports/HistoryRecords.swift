import Foundation
import PerfgateCore

// The typed queries and records of ``HistoryStore`` beyond baseline selection: what `runs`, `show`,
// `log`, `detect`, `capacity` and `export` read and write. No SQL: a backend translates them.

/// Which runs to list.
public struct RunFilter: Sendable, Hashable {
    public var branch: String?
    public var scenario: String?
    public var environment: String?
    /// A commit SHA or unique prefix.
    public var commit: String?
    public var tool: String?
    /// Newest N (by commit time, then start time); nil for all.
    public var limit: Int?

    public init(
        branch: String? = nil, scenario: String? = nil, environment: String? = nil, commit: String? = nil,
        tool: String? = nil, limit: Int? = nil
    ) {
        self.branch = branch
        self.scenario = scenario
        self.environment = environment
        self.commit = commit
        self.tool = tool
        self.limit = limit
    }
}

/// One series over commits.
public struct LogQuery: Sendable, Hashable {
    /// Glob on the endpoint (`*` and `?`, case-sensitive, as ``Glob``) (`GET /api/*`); nil for every endpoint.
    public var endpoint: String?
    public var metric: String
    public var statistic: Statistic
    public var branch: String?
    public var scenario: String?
    public var environment: String?
    /// Last N commits; nil for all.
    public var lastCommits: Int?

    public init(
        endpoint: String? = nil, metric: String = SeriesKey.requestLatencyMetric, statistic: Statistic = .p95,
        branch: String? = nil, scenario: String? = nil, environment: String? = nil, lastCommits: Int? = nil
    ) {
        self.endpoint = endpoint
        self.metric = metric
        self.statistic = statistic
        self.branch = branch
        self.scenario = scenario
        self.environment = environment
        self.lastCommits = lastCommits
    }
}

/// One value of a series in one run.
public struct LogPoint: Sendable, Hashable, Codable {
    public var runId: Int64
    public var commitSha: String
    public var branch: String
    public var committedAt: Date?
    public var startedAt: Date?
    public var scenario: String
    public var environment: String
    public var endpoint: String
    public var metric: String
    public var statistic: Statistic
    public var value: Double
    /// The series' unit (the statistic's own unit is `statistic.unit(seriesUnit: unit)`).
    public var unit: MetricUnit

    public init(
        runId: Int64, commitSha: String, branch: String, committedAt: Date?, startedAt: Date?, scenario: String, environment: String,
        endpoint: String, metric: String, statistic: Statistic, value: Double, unit: MetricUnit
    ) {
        self.runId = runId
        self.commitSha = commitSha
        self.branch = branch
        self.committedAt = committedAt
        self.startedAt = startedAt
        self.scenario = scenario
        self.environment = environment
        self.endpoint = endpoint
        self.metric = metric
        self.statistic = statistic
        self.value = value
        self.unit = unit
    }
}

/// Which series ``HistoryStore/seriesHistory(_:)`` returns: one statistic of every series of a branch.
public struct SeriesHistoryQuery: Sendable, Hashable {
    public var branch: String
    public var scenario: String?
    public var environment: String?
    /// nil for every metric.
    public var metric: String?
    public var statistics: [Statistic]
    /// The newest N commits of the branch (by commit time; commits without a time are the oldest); nil for all.
    public var lastCommits: Int?

    public init(
        branch: String, scenario: String? = nil, environment: String? = nil, metric: String? = nil, statistics: [Statistic],
        lastCommits: Int? = nil
    ) {
        self.branch = branch
        self.scenario = scenario
        self.environment = environment
        self.metric = metric
        self.statistics = statistics
        self.lastCommits = lastCommits
    }
}

/// One statistic of one series in one environment over a branch's runs, oldest commit first.
public struct SeriesHistory: Sendable, Hashable {
    /// One value per run, what change-point detection reads.
    public typealias Point = ChangePointDetection.Observation

    public var scenario: String
    public var environment: String
    public var endpoint: String
    public var metric: String
    public var statistic: Statistic
    /// The series' direction (the statistic's is `statistic.direction(seriesDirection:)`).
    public var direction: Direction
    public var points: [Point]

    public init(
        scenario: String, environment: String, endpoint: String, metric: String, statistic: Statistic, direction: Direction,
        points: [Point]
    ) {
        self.scenario = scenario
        self.environment = environment
        self.endpoint = endpoint
        self.metric = metric
        self.statistic = statistic
        self.direction = direction
        self.points = points
    }
}

extension SeriesHistory {
    /// ``HistoryStore/seriesHistory(_:)``'s order: scenario, environment, endpoint, metric, statistic.
    public var orderKey: [String] { [scenario, environment, endpoint, metric, statistic.rawValue] }

    /// Whether `a` comes before `b` in ``HistoryStore/seriesHistory(_:)``'s order (see ``orderKey``).
    public static func precedes(_ a: [String], _ b: [String]) -> Bool { a.lexicographicallyPrecedes(b) }
}

/// A series `detect` analysed: its stored change points are replaced by the new result.
public struct AnalysedSeries: Sendable, Hashable {
    public var scenario: String
    public var environment: String
    public var branch: String
    public var endpoint: String
    public var metric: String
    public var statistic: Statistic
    /// The commits the analysis saw (`detect --last N`): only change points at these are replaced, older
    /// ones kept; nil replaces all of the series'.
    public var commits: [String]?

    public init(
        scenario: String, environment: String, branch: String, endpoint: String, metric: String, statistic: Statistic,
        commits: [String]?
    ) {
        self.scenario = scenario
        self.environment = environment
        self.branch = branch
        self.endpoint = endpoint
        self.metric = metric
        self.statistic = statistic
        self.commits = commits
    }
}

/// A series as it occurs in runs: the series row plus the environment its runs ran in.
public struct SeriesOccurrence: Sendable, Hashable {
    public var seriesId: Int64
    public var scenario: String
    public var environment: String
    public var key: SeriesKey
    public var unit: MetricUnit
    public var direction: Direction

    public init(seriesId: Int64, scenario: String, environment: String, key: SeriesKey, unit: MetricUnit, direction: Direction) {
        self.seriesId = seriesId
        self.scenario = scenario
        self.environment = environment
        self.key = key
        self.unit = unit
        self.direction = direction
    }
}

/// One value of one statistic of a series in one run.
public struct SeriesValue: Sendable, Hashable {
    public var runId: Int64
    public var statistic: Statistic
    public var value: Double

    public init(runId: Int64, statistic: Statistic, value: Double) {
        self.runId = runId
        self.statistic = statistic
        self.value = value
    }
}
