import Foundation

/// One series of the history as the report sees it: where it ran and what it measures.
public struct ReportSeries: Sendable, Hashable, Comparable {
    public var scenario: String
    public var environment: String
    public var key: SeriesKey
    public var unit: MetricUnit
    public var direction: Direction

    public init(scenario: String, environment: String, key: SeriesKey, unit: MetricUnit, direction: Direction) {
        self.scenario = scenario
        self.environment = environment
        self.key = key
        self.unit = unit
        self.direction = direction
    }

    public static func < (a: ReportSeries, b: ReportSeries) -> Bool {
        (a.scenario, a.environment, a.key.metric, a.key.endpoint) < (b.scenario, b.environment, b.key.metric, b.key.endpoint)
    }

    /// `checkout · GET /api/cart` (the metric is added unless it is request latency).
    public var title: String { Self.title(scenario: scenario, key: key) }

    public static func title(scenario: String, key: SeriesKey) -> String {
        let ep = key.endpoint.isEmpty ? "(all requests)" : key.endpoint
        return key.metric == SeriesKey.requestLatencyMetric ? "\(scenario) · \(ep)" : "\(scenario) · \(ep) · \(key.metric)"
    }

    /// A file name that is safe anywhere: lower-case letters, digits and dashes, plus a hash of the full
    /// identity so two names that sanitise alike never collide.
    public var slug: String {
        let identity = [scenario, environment, key.endpoint, key.metric].joined(separator: "\u{1F}")
        var readable = ""
        var lastDash = true
        for u in "\(scenario)-\(key.endpoint)-\(key.metric)".lowercased().unicodeScalars {
            if (u >= "a" && u <= "z") || (u >= "0" && u <= "9") {
                readable.unicodeScalars.append(u)
                lastDash = false
            } else if !lastDash {
                readable += "-"
                lastDash = true
            }
        }
        while readable.hasSuffix("-") { readable.removeLast() }
        return String(readable.prefix(60)) + "-" + Self.fnv1a(identity)
    }

    static func fnv1a(_ s: String) -> String {
        var h: UInt32 = 0x811C_9DC5
        for b in s.utf8 {
            h ^= UInt32(b)
            h = h &* 0x0100_0193
        }
        let hex = String(h, radix: 16)
        return String(repeating: "0", count: 8 - hex.count) + hex
    }
}

/// A run as the report lists it (no results).
public struct ReportRun: Sendable, Hashable {
    public var id: Int64
    public var commit: CommitInfo
    public var scenario: String
    public var environment: String
    public var tool: String
    public var startedAt: Date?

    public init(id: Int64, commit: CommitInfo, scenario: String, environment: String, tool: String, startedAt: Date?) {
        self.id = id
        self.commit = commit
        self.scenario = scenario
        self.environment = environment
        self.tool = tool
        self.startedAt = startedAt
    }
}

/// The statistics a chart or a summary needs from one run of one series; nil where the tool did not
/// report it. Kept small on purpose: a site for thousands of commits holds one series' points at a time.
public struct SeriesPoint: Sendable, Hashable {
    public var runId: Int64
    public var p50: Double?
    public var p95: Double?
    public var p99: Double?
    public var mean: Double?
    public var max: Double?
    public var value: Double?
    public var count: Double?
    public var errorRate: Double?
    public var throughput: Double?

    public init(
        runId: Int64, p50: Double? = nil, p95: Double? = nil, p99: Double? = nil, mean: Double? = nil, max: Double? = nil,
        value: Double? = nil, count: Double? = nil, errorRate: Double? = nil, throughput: Double? = nil
    ) {
        self.runId = runId
        self.p50 = p50
        self.p95 = p95
        self.p99 = p99
        self.mean = mean
        self.max = max
        self.value = value
        self.count = count
        self.errorRate = errorRate
        self.throughput = throughput
    }

    /// The statistics the report reads, by canonical name.
    public static let statistics: [Statistic] = [.p50, .p95, .p99, .mean, .max, .value, .count, .errorRate, .throughput]

    /// Sets the statistic `s` when it is one the report reads.
    public mutating func set(_ s: Statistic, _ v: Double) {
        switch s {
        case .p50: p50 = v
        case .p95: p95 = v
        case .p99: p99 = v
        case .mean: mean = v
        case .max: max = v
        case .value: value = v
        case .count: count = v
        case .errorRate: errorRate = v
        case .throughput: throughput = v
        default: break
        }
    }

    /// The statistic named `s`, when kept.
    public func get(_ s: Statistic) -> Double? {
        switch s {
        case .p50: return p50
        case .p95: return p95
        case .p99: return p99
        case .mean: return mean
        case .max: return max
        case .value: return value
        case .count: return count
        case .errorRate: return errorRate
        case .throughput: return throughput
        default: return nil
        }
    }
}

/// Where the report's data comes from. The engine implements it over the store (`StoreReportSource`,
/// Sources/PerfgateEngine/Report/StoreReportSource.swift); the report's tests over arrays.
/// The report asks for one series at a time, so memory stays flat however long the history is.
///
/// `points(of:)` and `detail(runId:)` are called from several threads at once (pages are rendered on
/// every core), so an implementation must be safe for concurrent reads.
public protocol ReportSource {
    /// Every run, in any order (the report sorts).
    func runs() throws -> [ReportRun]
    /// Every series (the report sorts).
    func series() throws -> [ReportSeries]
    /// The points of one series, one per run that measured it, in any order.
    func points(of series: ReportSeries) throws -> [SeriesPoint]
    /// One run in full (every statistic, threshold, check and error), or nil.
    func detail(runId: Int64) throws -> StoredRunDetail?
    /// The runs of one commit as the gate reads them (every statistic, distributions where kept), for the
    /// statistical comparisons of compare.html and release.html (``Gate/compare(baseline:current:label:metrics:endpoint:statistics:)``,
    /// the function `perfgate compare` uses). The default returns none: the pages then say "not tested".
    func gateRuns(commit sha: String) throws -> [GateRun]
    /// Per run id, a stamp that changes whenever anything ``detail(runId:)`` returns could change, so a
    /// report can keep a run page built from the same stamp. The default (nil) has none: every run page is
    /// rendered.
    func runStamps() throws -> [Int64: String]?
}

extension ReportSource {
    public func gateRuns(commit sha: String) throws -> [GateRun] { [] }
    public func runStamps() throws -> [Int64: String]? { nil }
}

/// One campaign (scenario, environment) of a commit and of the commit it is compared with, for the
/// release page's capacity curves. A side is nil when that commit has no runs of the campaign.
public struct CapacityCurvePair: Sendable, Hashable {
    public var scenario: String
    public var environment: String
    public var current: CapacityAnalysis?
    public var baseline: CapacityAnalysis?

    public init(scenario: String, environment: String, current: CapacityAnalysis?, baseline: CapacityAnalysis?) {
        self.scenario = scenario
        self.environment = environment
        self.current = current
        self.baseline = baseline
    }
}
