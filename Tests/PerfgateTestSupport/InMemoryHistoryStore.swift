import Foundation
import PerfgateCore
import PerfgateEngine

/// A ``HistoryStore`` in plain dictionaries, for the engine's unit tests. It passes
/// ``HistoryStoreConformance`` like the SQLite store, so a test that uses it sees what the real store
/// would answer.
public final class InMemoryHistoryStore: HistoryStore, @unchecked Sendable {
    private struct Stored {
        var run: StoredRun
        var contentDigest: String
        var series: [SeriesResult]
    }

    private let lock = NSLock()
    private var runsById: [Int64: Stored] = [:]
    /// Commit SHA → (time, parent), filled in as the SQLite store does (a known value is never replaced).
    private var commitTable: [String: (committedAt: Date?, parentSha: String?)] = [:]
    /// (scenario, endpoint, metric) → (unit, direction) of the first run that stored the series.
    private var seriesTable: [String: (unit: MetricUnit, direction: Direction)] = [:]
    private var nextId: Int64 = 1

    public init() {}

    public var location: String? { nil }

    public func insertAll(_ runs: [RunToStore]) throws -> [InsertOutcome] {
        try lock.withLock {
            // All or nothing: work on copies, keep them only when every run went in.
            var byId = runsById
            var commits = commitTable
            var series = seriesTable
            var next = nextId
            var outcomes: [InsertOutcome] = []
            for item in runs {
                let c = item.context.commit
                let digest = item.context.contentDigest
                let same = byId.values.filter {
                    $0.run.commit.sha == c.sha && $0.run.scenario == item.context.scenario && $0.run.environment == item.context.environment
                }
                if let existing = same.first(where: { $0.contentDigest == digest }) {
                    outcomes.append(.duplicate(runId: existing.run.id))
                    continue
                }
                let known = commits[c.sha]
                commits[c.sha] = (known?.committedAt ?? c.committedAt, known?.parentSha ?? c.parentSha)
                var stored: [SeriesResult] = []
                for s in item.run.series.sorted(by: { $0.key < $1.key }) {
                    let key = "\(item.context.scenario)\u{1}\(s.key.endpoint)\u{1}\(s.key.metric)"
                    if let first = series[key] {
                        guard first.unit == s.unit else {
                            throw InMemoryStoreError.seriesUnitConflict(key, stored: first.unit, incoming: s.unit)
                        }
                    } else {
                        series[key] = (s.unit, s.direction)
                    }
                    if let bad = s.stats.first(where: { !$0.value.isFinite }) {
                        throw InMemoryStoreError.nonFinite(key, bad.key)
                    }
                    stored.append(s)
                }
                var tags = item.run.tags
                for (k, v) in item.context.tags { tags[k] = v }
                var sources: [String: SourceFile] = [:]
                for s in item.context.sources { sources[s.path] = s }
                let id = next
                next += 1
                let run = StoredRun(
                    id: id, commit: CommitInfo(sha: c.sha, branch: c.branch), scenario: item.context.scenario,
                    environment: item.context.environment, tool: item.run.tool, toolVersion: item.run.toolVersion, format: item.run.format,
                    startedAt: item.run.startedAt, durationSeconds: item.run.durationSeconds, vus: item.run.load.vus,
                    maxVUs: item.run.load.maxVUs, ingestedAt: item.context.ingestedAt, attempt: same.count + 1, tags: tags,
                    sources: sources.values.sorted { $0.path < $1.path })
                byId[id] = Stored(run: run, contentDigest: digest, series: stored)
                outcomes.append(.inserted(runId: id, attempt: same.count + 1))
            }
            runsById = byId
            commitTable = commits
            seriesTable = series
            nextId = next
            return outcomes
        }
    }

    // MARK: reading

    /// Every run with its commit's time and parent, newest first as the SQLite store orders them.
    private func ordered(_ include: (StoredRun) -> Bool) -> [StoredRun] {
        lock.withLock {
            runsById.values.map { stored -> StoredRun in
                var run = stored.run
                let c = commitTable[run.commit.sha]
                run.commit.committedAt = c?.committedAt
                run.commit.parentSha = c?.parentSha
                return run
            }
        }.filter(include).sorted { a, b in
            if (a.commit.committedAt == nil) != (b.commit.committedAt == nil) { return a.commit.committedAt != nil }
            if a.commit.committedAt != b.commit.committedAt { return a.commit.committedAt! > b.commit.committedAt! }
            if (a.startedAt == nil) != (b.startedAt == nil) { return a.startedAt != nil }
            if a.startedAt != b.startedAt { return a.startedAt! > b.startedAt! }
            return a.id > b.id
        }
    }

    private static func ref(_ r: StoredRun) -> RunRef {
        RunRef(
            id: r.id, commitSha: r.commit.sha, branch: r.commit.branch, committedAt: r.commit.committedAt, startedAt: r.startedAt,
            scenario: r.scenario, environment: r.environment, tool: r.tool)
    }

    public func runRefs(_ q: RunRefQuery) throws -> [RunRef] {
        Array(
            ordered {
                (q.branch == nil || $0.commit.branch == q.branch) && (q.scenario == nil || $0.scenario == q.scenario)
                    && (q.environment == nil || $0.environment == q.environment) && (q.commit == nil || $0.commit.sha == q.commit)
            }.prefix(q.limit).map(Self.ref))
    }

    public func runRefs(commits: [String], in lane: RunLane) throws -> [RunRef] {
        let wanted = Set(commits)
        return ordered {
            wanted.contains($0.commit.sha) && $0.commit.branch == lane.branch && $0.scenario == lane.scenario
                && $0.environment == lane.environment
        }.map(Self.ref)
    }

    public func hasRuns(in lane: RunLane, excludingCommit commit: String) throws -> Bool {
        !ordered {
            $0.commit.branch == lane.branch && $0.scenario == lane.scenario && $0.environment == lane.environment && $0.commit.sha != commit
        }.isEmpty
    }

    public func environments(branch: String, scenario: String) throws -> [String] {
        Set(ordered { $0.commit.branch == branch && $0.scenario == scenario }.map(\.environment)).sorted()
    }

    public func series(runIds: [Int64], withDistributions: Bool) throws -> [Int64: [SeriesResult]] {
        lock.withLock {
            var out: [Int64: [SeriesResult]] = [:]
            for id in runIds {
                guard let stored = runsById[id] else { continue }
                let series = stored.series.compactMap { s -> SeriesResult? in
                    // As in SQLite: a series is found through its statistics, with the unit and direction
                    // of its first run, and an empty distribution is not stored.
                    guard !s.stats.isEmpty else { return nil }
                    let first = seriesTable["\(stored.run.scenario)\u{1}\(s.key.endpoint)\u{1}\(s.key.metric)"]
                    var copy = SeriesResult(key: s.key, unit: first?.unit ?? s.unit, direction: first?.direction ?? s.direction)
                    copy.stats = s.stats
                    if withDistributions, let d = s.distribution, !d.isEmpty { copy.distribution = d }
                    return copy
                }
                if !series.isEmpty { out[id] = series }
            }
            return out
        }
    }

    public func storedAncestry(from sha: String, limit: Int) throws -> [String] {
        lock.withLock {
            var chain = [sha]
            while chain.count <= limit, let parent = commitTable[chain[chain.count - 1]]?.parentSha {
                chain.append(parent)
            }
            return chain
        }
    }

    public func run(id: Int64) throws -> StoredRun? { ordered { $0.id == id }.first }

    public func runs(branch: String, environment: String?) throws -> [StoredRun] {
        ordered { $0.commit.branch == branch && (environment == nil || $0.environment == environment) }
    }

    public func storedCommit(sha: String) throws -> CommitInfo? {
        ordered { $0.commit.sha.hasPrefix(sha.lowercased()) }.first?.commit
    }

    public func tags(runIds: [Int64]) throws -> [Int64: [String: String]] {
        lock.withLock {
            var out: [Int64: [String: String]] = [:]
            for id in runIds { if let t = runsById[id]?.run.tags, !t.isEmpty { out[id] = t } }
            return out
        }
    }

    public func commits(matching prefix: String) throws -> [String] {
        lock.withLock { commitTable.keys.filter { $0.lowercased().hasPrefix(prefix.lowercased()) }.sorted() }
    }
}

/// What ``InMemoryHistoryStore`` refuses (as the SQLite store does).
public enum InMemoryStoreError: Error {
    case seriesUnitConflict(String, stored: MetricUnit, incoming: MetricUnit)
    case nonFinite(String, Statistic)
}
