import Foundation
import PerfgateCore

/// A lightweight reference to a stored run, for baseline selection.
public struct RunRef: Sendable, Hashable {
    public var id: Int64
    public var commitSha: String
    public var branch: String
    public var committedAt: Date?
    public var startedAt: Date?
    public var scenario: String
    public var environment: String
    public var tool: String

    public init(
        id: Int64, commitSha: String, branch: String, committedAt: Date?, startedAt: Date?, scenario: String, environment: String,
        tool: String
    ) {
        self.id = id
        self.commitSha = commitSha
        self.branch = branch
        self.committedAt = committedAt
        self.startedAt = startedAt
        self.scenario = scenario
        self.environment = environment
        self.tool = tool
    }
}

/// Which runs ``BaselineHistory/runRefs(_:)`` lists; nil fields match everything.
public struct RunRefQuery: Sendable, Hashable {
    public var branch: String?
    public var scenario: String?
    public var environment: String?
    /// A full commit SHA.
    public var commit: String?
    public var limit: Int

    public init(branch: String? = nil, scenario: String? = nil, environment: String? = nil, commit: String? = nil, limit: Int = 2000) {
        self.branch = branch
        self.scenario = scenario
        self.environment = environment
        self.commit = commit
        self.limit = limit
    }
}

/// The runs of one scenario in one environment on one branch: the runs a baseline is chosen among.
public struct RunLane: Sendable, Hashable {
    public var branch: String
    public var scenario: String
    public var environment: String

    public init(branch: String, scenario: String, environment: String) {
        self.branch = branch
        self.scenario = scenario
        self.environment = environment
    }
}

/// One parsed run and where it belongs, ready to store.
public struct RunToStore: Sendable {
    public var run: IngestedRun
    public var context: RunContext

    public init(run: IngestedRun, context: RunContext) {
        self.run = run
        self.context = context
    }
}

/// The stored runs a baseline is chosen from: the result store for `check`, an in-memory copy of the
/// history "as of" one commit for `tune` (``ReplayHistory``). ``BaselineResolver`` reads only this,
/// so both choose the same baseline by the same code.
public protocol BaselineHistory {
    /// Runs, newest commit first (commit time, commits without a time last, then start time, then id,
    /// both descending), without their results.
    func runRefs(_ query: RunRefQuery) throws -> [RunRef]
    /// Runs of `lane` at the given commits, in no particular order.
    func runRefs(commits: [String], in lane: RunLane) throws -> [RunRef]
    /// True when `lane` has a run at a commit other than `excludingCommit`.
    func hasRuns(in lane: RunLane, excludingCommit: String) throws -> Bool
    /// Environments that have runs of `scenario` on `branch`, sorted.
    func environments(branch: String, scenario: String) throws -> [String]
    /// Every series of the given runs (with their distributions when `withDistributions`). A run that
    /// is not stored has no entry.
    func series(runIds: [Int64], withDistributions: Bool) throws -> [Int64: [SeriesResult]]
    /// First-parent ancestry recorded with the runs (parent links), from `sha` (included), newest
    /// first, at most `limit` links followed.
    func storedAncestry(from sha: String, limit: Int) throws -> [String]
}

/// The result store as the use cases see it: typed records and queries, no SQL. The SQLite
/// `PerfgateStore` implements it (and must pass `HistoryStoreConformance` in PerfgateTestSupport);
/// so will any other backend.
public protocol HistoryStore: BaselineHistory, Sendable {
    /// Stores the runs in one transaction: all of them or none. Identical content for the same commit,
    /// scenario and environment is recognised and not stored twice.
    func insertAll(_ runs: [RunToStore]) throws -> [InsertOutcome]
    /// Stores the runs `produce` hands to `insert` in ONE transaction, as they come (a caller reading
    /// them from a file one at a time never holds them all): all of them or none — an error thrown by
    /// `produce` or by a run stores nothing. Duplicates as in ``insertAll(_:)``, earlier runs of the same
    /// call included.
    func insertEach(_ produce: (_ insert: (RunToStore) throws -> InsertOutcome) throws -> Void) throws
    /// One run by id, nil when there is none.
    func run(id: Int64) throws -> StoredRun?
    /// Runs matching `filter` (the commit as a case-insensitive prefix), newest commit first, in
    /// ``runRefs(_:)``'s order, the newest `limit` when given.
    func runs(_ filter: RunFilter) throws -> [StoredRun]
    /// A run with every statistic (series sorted by key, with the unit and direction of the series' first
    /// run), distribution, threshold (sorted by metric, expression), check (by group, name), error (most
    /// occurrences first, then endpoint, message), timeline and server series; nil when there is none.
    func detail(runId: Int64) throws -> StoredRunDetail?
    /// Per run id, a stamp of everything ``detail(runId:)`` returns that can change after the run was
    /// stored (its content digest, ingest time and attempt, its branch, its commit's time, its source
    /// files, to which `ingest --attach-to` adds one): `perfgate report` keeps a run page whose stamp is
    /// unchanged. Nil when the store keeps no such stamp; every run page is then rendered.
    func runStamps() throws -> [Int64: String]?
    /// The `--profile`/`--workers` labels of the given runs; runs ingested without either are absent.
    func loadLabels(runIds: [Int64]) throws -> [Int64: RunLoadLabel]
    /// One statistic of the matching series, one point per run and series, oldest commit first (commits
    /// without a time first, then commit time, start time, run id, endpoint). `lastCommits` keeps the
    /// newest N commits (of the branch when one is given).
    func log(_ query: LogQuery) throws -> [LogPoint]
    /// The chosen statistics of every series of a branch, one history per (series, environment,
    /// statistic), sorted by scenario, environment, endpoint, metric, statistic; the points in commit
    /// order (commits without a time first, then commit time, SHA, start time, run id).
    func seriesHistory(_ query: SeriesHistoryQuery) throws -> [SeriesHistory]
    /// ``seriesHistory(_:)``'s histories handed to `body` one at a time, each complete, in an order of the
    /// store's choosing (``SeriesHistory/precedes(_:_:)`` sorts them): a store that reads series by series
    /// lets the caller analyse one while the next is read. The default reads them all first.
    func eachSeriesHistory(_ query: SeriesHistoryQuery, _ body: (SeriesHistory) throws -> Void) throws
    /// Replaces the stored change points of each analysed series by those `found`, in one transaction.
    func replaceChangePoints(_ analysed: [AnalysedSeries], found: [DetectedChangePoint], at: Date) throws
    /// Stored change points, oldest commit first (commits without a stored time first), then scenario,
    /// endpoint, metric, statistic.
    func changePoints(branch: String?, scenario: String?) throws -> [DetectedChangePoint]
    /// What the store knows of a commit (time and parent included), nil when it has no run of it.
    func storedCommit(sha: String) throws -> CommitInfo?
    /// Tags of the given runs.
    func tags(runIds: [Int64]) throws -> [Int64: [String: String]]
    /// Full SHAs of the stored commits that start with `prefix` (case-insensitive), sorted.
    func commits(matching prefix: String) throws -> [String]
    /// Every (series, environment) pair that has values, sorted by scenario, environment, metric,
    /// endpoint; `seriesId` is the backend's own identifier, for ``seriesValues(seriesId:environment:statistics:_:)``.
    func seriesOccurrences() throws -> [SeriesOccurrence]
    /// The chosen statistics of one series over every run in one environment, streamed to `body` in
    /// run-id order (nothing but the current value need be held).
    func seriesValues(seriesId: Int64, environment: String, statistics: [Statistic], _ body: (SeriesValue) throws -> Void) throws
    /// Where the store is, for hints (`perfgate runs --store PATH`); nil for a store without a path.
    var location: String? { get }
}

extension HistoryStore {
    public func eachSeriesHistory(_ query: SeriesHistoryQuery, _ body: (SeriesHistory) throws -> Void) throws {
        for h in try seriesHistory(query) { try body(h) }
    }

    public func runStamps() throws -> [Int64: String]? { nil }

    /// Runs of `branch` (optionally one environment), newest commit first.
    public func runs(branch: String, environment: String?) throws -> [StoredRun] {
        try runs(RunFilter(branch: branch, environment: environment))
    }

    /// The place of the store for messages: its path, or "the store".
    public var displayLocation: String { location ?? "the store" }
    /// ``displayLocation`` as one shell word, for the commands perfgate suggests (`--store …`).
    public var shellLocation: String { location.map(Escape.shell) ?? "the store" }
}

extension BaselineHistory {
    func runRefs(branch: String?, scenario: String?, environment: String?, commit: String? = nil) throws -> [RunRef] {
        try runRefs(RunRefQuery(branch: branch, scenario: scenario, environment: environment, commit: commit))
    }
    func series(runIds: [Int64]) throws -> [Int64: [SeriesResult]] { try series(runIds: runIds, withDistributions: true) }
}
