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
        /// The run as ingested (its series are read through `series`, as the store keeps them).
        var result: IngestedRun
        var load: RunLoadLabel?
    }

    private let lock = NSLock()
    private var runsById: [Int64: Stored] = [:]
    /// Commit SHA → (time, parent), filled in as the SQLite store does (a known value is never replaced).
    private var commitTable: [String: (committedAt: Date?, parentSha: String?)] = [:]
    /// (scenario, endpoint, metric) → (unit, direction) of the first run that stored the series.
    private var seriesTable: [String: (unit: MetricUnit, direction: Direction, id: Int64)] = [:]
    private var nextId: Int64 = 1
    private var changePointTable: [DetectedChangePoint] = []

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
                        series[key] = (s.unit, s.direction, Int64(series.count + 1))
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
                let load =
                    item.context.profile == nil && item.context.workers == nil
                    ? nil : RunLoadLabel(profile: item.context.profile, workers: item.context.workers)
                byId[id] = Stored(run: run, contentDigest: digest, series: stored, result: item.run, load: load)
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

    public func runs(_ f: RunFilter) throws -> [StoredRun] {
        let matching = ordered {
            (f.branch == nil || $0.commit.branch == f.branch) && (f.scenario == nil || $0.scenario == f.scenario)
                && (f.environment == nil || $0.environment == f.environment) && (f.tool == nil || $0.tool == f.tool)
                && (f.commit == nil || $0.commit.sha.hasPrefix(f.commit!.lowercased()))
        }
        return f.limit.map { Array(matching.prefix($0)) } ?? matching
    }

    public func insertEach(_ produce: (_ insert: (RunToStore) throws -> InsertOutcome) throws -> Void) throws {
        let saved = lock.withLock { (runsById, commitTable, seriesTable, nextId) }
        do {
            try produce { try insertAll([$0])[0] }
        } catch {
            lock.withLock { (runsById, commitTable, seriesTable, nextId) = saved }
            throw error
        }
    }

    public func detail(runId: Int64) throws -> StoredRunDetail? {
        guard let run = try run(id: runId), let stored = lock.withLock({ runsById[runId] }) else { return nil }
        let r = stored.result
        var result = IngestedRun(
            tool: run.tool, toolVersion: run.toolVersion, format: run.format, scenario: run.scenario, startedAt: run.startedAt,
            durationSeconds: run.durationSeconds, load: LoadProfile(vus: run.vus, maxVUs: run.maxVUs), tags: run.tags,
            series: (try series(runIds: [runId], withDistributions: true)[runId] ?? []).sorted { $0.key < $1.key },
            thresholds: r.thresholds.sorted { ($0.metric, $0.expression) < ($1.metric, $1.expression) },
            checks: r.checks.sorted { ($0.group, $0.name) < ($1.group, $1.name) },
            errors: r.errors.sorted { ($1.occurrences, $0.endpoint, $0.message) < ($0.occurrences, $1.endpoint, $1.message) },
            timeline: r.timeline)
        result.serverSeries = r.serverSeries
        return StoredRunDetail(run: run, result: result)
    }

    public func loadLabels(runIds: [Int64]) throws -> [Int64: RunLoadLabel] {
        lock.withLock {
            var out: [Int64: RunLoadLabel] = [:]
            for id in runIds { if let l = runsById[id]?.load { out[id] = l } }
            return out
        }
    }

    /// Oldest first as SQLite sorts ascending: commits without a time first.
    private static func oldestFirst(_ a: Date?, _ b: Date?) -> Bool? {
        if (a == nil) != (b == nil) { return a == nil }
        if let a, let b, a != b { return a < b }
        return nil
    }

    public func log(_ q: LogQuery) throws -> [LogPoint] {
        var runs = ordered {
            (q.branch == nil || $0.commit.branch == q.branch) && (q.scenario == nil || $0.scenario == q.scenario)
                && (q.environment == nil || $0.environment == q.environment)
        }
        if let n = q.lastCommits {
            // The newest N commits (of the branch), by their newest commit time, then newest start.
            var newest: [String: (Date?, Date?)] = [:]
            for r in ordered({ q.branch == nil || $0.commit.branch == q.branch }) {
                let known = newest[r.commit.sha]
                newest[r.commit.sha] = (
                    [known?.0, r.commit.committedAt].compactMap { $0 }.max(), [known?.1, r.startedAt].compactMap { $0 }.max()
                )
            }
            let kept = Set(
                newest.sorted { a, b in
                    if let o = Self.oldestFirst(a.value.0, b.value.0) { return !o }
                    return Self.oldestFirst(a.value.1, b.value.1).map { !$0 } ?? false
                }.prefix(n).map(\.key))
            runs = runs.filter { kept.contains($0.commit.sha) }
        }
        runs.sort { a, b in
            if let o = Self.oldestFirst(a.commit.committedAt, b.commit.committedAt) { return o }
            if let o = Self.oldestFirst(a.startedAt, b.startedAt) { return o }
            return a.id < b.id
        }
        let series = try self.series(runIds: runs.map(\.id), withDistributions: false)
        return runs.flatMap { r in
            (series[r.id] ?? []).filter { $0.key.metric == q.metric }
                .filter { s in q.endpoint.map { Glob.matches($0, s.key.endpoint) } ?? true }
                .sorted { $0.key.endpoint < $1.key.endpoint }
                .compactMap { s in
                    s.stats[q.statistic].map {
                        LogPoint(
                            runId: r.id, commitSha: r.commit.sha, branch: r.commit.branch, committedAt: r.commit.committedAt,
                            startedAt: r.startedAt, scenario: r.scenario, environment: r.environment, endpoint: s.key.endpoint,
                            metric: s.key.metric, statistic: q.statistic, value: $0, unit: s.unit)
                    }
                }
        }
    }

    public func seriesHistory(_ q: SeriesHistoryQuery) throws -> [SeriesHistory] {
        var runs = ordered {
            $0.commit.branch == q.branch && (q.scenario == nil || $0.scenario == q.scenario)
                && (q.environment == nil || $0.environment == q.environment)
        }
        if let n = q.lastCommits {
            // The branch's newest N commits: by commit time (commits without one last), then SHA.
            var times: [String: Date?] = [:]
            for r in runs where times[r.commit.sha] == nil { times[r.commit.sha] = r.commit.committedAt }
            for r in ordered({ $0.commit.branch == q.branch }) where times[r.commit.sha] == nil { times[r.commit.sha] = r.commit.committedAt }
            let kept = Set(
                times.sorted { a, b in
                    if let o = Self.oldestFirst(a.value, b.value) { return !o }
                    return a.key > b.key
                }.prefix(max(0, n)).map(\.key))
            runs = runs.filter { kept.contains($0.commit.sha) }
        }
        runs.sort { a, b in
            if let o = Self.oldestFirst(a.commit.committedAt, b.commit.committedAt) { return o }
            if a.commit.sha != b.commit.sha { return a.commit.sha < b.commit.sha }
            if let o = Self.oldestFirst(a.startedAt, b.startedAt) { return o }
            return a.id < b.id
        }
        let series = try self.series(runIds: runs.map(\.id), withDistributions: false)
        var histories: [[String]: SeriesHistory] = [:]
        for r in runs {
            for s in series[r.id] ?? [] where q.metric == nil || s.key.metric == q.metric {
                for stat in Set(q.statistics) {
                    guard let v = s.stats[stat] else { continue }
                    let key = [r.scenario, r.environment, s.key.endpoint, s.key.metric, stat.rawValue]
                    histories[key, default: SeriesHistory(
                        scenario: r.scenario, environment: r.environment, endpoint: s.key.endpoint, metric: s.key.metric, statistic: stat,
                        direction: s.direction, points: [])].points.append(SeriesHistory.Point(commitSha: r.commit.sha, value: v))
                }
            }
        }
        return histories.sorted { SeriesHistory.precedes($0.key, $1.key) }.map(\.value)
    }

    public func replaceChangePoints(_ analysed: [AnalysedSeries], found: [DetectedChangePoint], at: Date) throws {
        lock.withLock {
            for a in analysed {
                changePointTable.removeAll { c in
                    c.scenario == a.scenario && c.environment == a.environment && c.branch == a.branch && c.endpoint == a.endpoint
                        && c.metric == a.metric && c.statistic == a.statistic.rawValue && (a.commits?.contains(c.commitSha) ?? true)
                }
            }
            for c in found {
                changePointTable.removeAll {
                    [$0.scenario, $0.environment, $0.branch, $0.endpoint, $0.metric, $0.statistic, $0.commitSha]
                        == [c.scenario, c.environment, c.branch, c.endpoint, c.metric, c.statistic, c.commitSha]
                }
                changePointTable.append(c)
            }
        }
    }

    public func seriesOccurrences() throws -> [SeriesOccurrence] {
        let (table, stored) = lock.withLock { (seriesTable, Array(runsById.values)) }
        var seen = Set<SeriesOccurrence>()
        for r in stored {
            for s in r.series where !s.stats.isEmpty {
                guard let first = table["\(r.run.scenario)\u{1}\(s.key.endpoint)\u{1}\(s.key.metric)"] else { continue }
                seen.insert(
                    SeriesOccurrence(
                        seriesId: first.id, scenario: r.run.scenario, environment: r.run.environment, key: s.key, unit: first.unit,
                        direction: first.direction))
            }
        }
        return seen.sorted {
            ($0.scenario, $0.environment, $0.key.metric, $0.key.endpoint) < ($1.scenario, $1.environment, $1.key.metric, $1.key.endpoint)
        }
    }

    public func seriesValues(seriesId: Int64, environment: String, statistics: [Statistic], _ body: (SeriesValue) throws -> Void) throws {
        let (table, stored) = lock.withLock { (seriesTable, runsById.values.sorted { $0.run.id < $1.run.id }) }
        for r in stored where r.run.environment == environment {
            for s in r.series where table["\(r.run.scenario)\u{1}\(s.key.endpoint)\u{1}\(s.key.metric)"]?.id == seriesId {
                for stat in statistics { if let v = s.stats[stat] { try body(SeriesValue(runId: r.run.id, statistic: stat, value: v)) } }
            }
        }
    }

    public func changePoints(branch: String?, scenario: String?) throws -> [DetectedChangePoint] {
        let (points, commits) = lock.withLock { (changePointTable, commitTable) }
        return points.filter { (branch == nil || $0.branch == branch) && (scenario == nil || $0.scenario == scenario) }.sorted { a, b in
            if let o = Self.oldestFirst(commits[a.commitSha]?.committedAt ?? nil, commits[b.commitSha]?.committedAt ?? nil) { return o }
            return (a.scenario, a.endpoint, a.metric, a.statistic) < (b.scenario, b.endpoint, b.metric, b.statistic)
        }
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
