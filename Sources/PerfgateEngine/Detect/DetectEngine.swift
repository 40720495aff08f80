import Foundation
import PerfgateCore

/// `perfgate detect`: change points in every selected series of a branch, stored (unless a dry run) so
/// reports mark them.
public struct DetectEngine {
    public var store: any HistoryStore
    public var clock: any WallClock

    public init(store: any HistoryStore, clock: any WallClock = SystemWallClock()) {
        self.store = store
        self.clock = clock
    }

    public struct Request: Sendable {
        public var branch: String
        public var scenario: String?
        public var environment: String?
        /// Endpoint glob; nil for every endpoint.
        public var endpoint: String?
        /// nil for every metric.
        public var metric: String?
        public var statistics: [Statistic]
        public var options: Stats.ChangePoints.Options
        /// The newest N commits of the branch; nil for the whole history.
        public var lastCommits: Int?
        /// Store the result (replacing what was stored for the analysed series).
        public var store: Bool

        public init(
            branch: String, scenario: String? = nil, environment: String? = nil, endpoint: String? = nil, metric: String? = nil,
            statistics: [Statistic] = ChangePointDetection.defaultStatistics, options: Stats.ChangePoints.Options = ChangePointDetection.defaultOptions,
            lastCommits: Int? = ChangePointDetection.defaultLastCommits, store: Bool = true
        ) {
            self.branch = branch
            self.scenario = scenario
            self.environment = environment
            self.endpoint = endpoint
            self.metric = metric
            self.statistics = statistics
            self.options = options
            self.lastCommits = lastCommits
            self.store = store
        }
    }

    public struct Result: Sendable {
        /// Every series analysed (after the endpoint filter), sorted as ``HistoryStore/seriesHistory(_:)``.
        public var analysed: [AnalysedSeries]
        public var found: [DetectedChangePoint]
    }

    public func run(_ request: Request) throws -> Result {
        // Each history is analysed on the other cores while the store reads the next (a history is held until
        // its result is taken); the results are put back into the store's order at the end.
        typealias Analysis = (key: [String], analysed: AnalysedSeries, found: [DetectedChangePoint])
        let pool = OrderedWorkPool<SeriesHistory, Analysis>(workers: OrderedParallel.defaultWorkers) { h, _ in
            // Stored change points older than the analysed window are kept (`--last N`). The points are in
            // commit order, so a commit's points are adjacent.
            let window = request.lastCommits.map { _ in
                h.points.reduce(into: [String]()) { commits, p in if commits.last != p.commitSha { commits.append(p.commitSha) } }
            }
            let found = ChangePointDetection.detect(
                h.points,
                direction: h.statistic.direction(seriesDirection: h.direction),
                options: request.options, lastCommits: request.lastCommits,
                label: (h.scenario, h.environment, request.branch, h.endpoint, h.metric, h.statistic.rawValue))
            return (
                h.orderKey,
                AnalysedSeries(
                    scenario: h.scenario, environment: h.environment, branch: request.branch, endpoint: h.endpoint, metric: h.metric,
                    statistic: h.statistic, commits: window),
                found
            )
        }
        defer { pool.stop() }
        var analyses: [Analysis] = []
        try store.eachSeriesHistory(
            SeriesHistoryQuery(
                branch: request.branch, scenario: request.scenario, environment: request.environment, metric: request.metric,
                statistics: request.statistics, lastCommits: request.lastCommits)
        ) { h in
            if let e = request.endpoint, !Glob.matches(e, h.endpoint) { return }
            pool.submit(h)
            while let done = pool.next(wait: false) { analyses.append(done) }
        }
        pool.finishSubmitting()
        while let done = pool.next(wait: true) { analyses.append(done) }
        analyses.sort { SeriesHistory.precedes($0.key, $1.key) }
        let result = Result(analysed: analyses.map(\.analysed), found: analyses.flatMap(\.found))
        if request.store {
            try store.replaceChangePoints(result.analysed, found: result.found, at: clock.now())
        }
        return result
    }
}
