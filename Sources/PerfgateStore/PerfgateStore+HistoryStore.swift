import Foundation
import GRDB
import PerfgateCore
import PerfgateEngine

/// The SQLite store is the engine's ``HistoryStore``. PerfgateStore depends on PerfgateEngine for the
/// protocol (the engine never imports a store), so the graph stays Core ← Ingest ← Engine ← Store.
/// Checked by `HistoryStoreConformance` (PerfgateTestSupport), in memory and on disk.
extension PerfgateStore: HistoryStore {
    public func runRefs(_ query: RunRefQuery) throws -> [RunRef] {
        try runRefs(
            branch: query.branch, scenario: query.scenario, environment: query.environment, commit: query.commit, limit: query.limit)
    }

    public func runRefs(commits: [String], in lane: RunLane) throws -> [RunRef] {
        try runRefs(commits: commits, branch: lane.branch, scenario: lane.scenario, environment: lane.environment)
    }

    public func hasRuns(in lane: RunLane, excludingCommit commit: String) throws -> Bool {
        try hasRuns(branch: lane.branch, scenario: lane.scenario, environment: lane.environment, excluding: commit)
    }

    public func insertAll(_ runs: [RunToStore]) throws -> [InsertOutcome] {
        try insertAll(runs.map { ($0.run, $0.context) })
    }

    public func storedCommit(sha: String) throws -> CommitInfo? {
        // The exact SHA through the commit index first; a prefix (LIKE) scans every run.
        let exact = try wrap {
            try writer.read { db in
                try Row.fetchOne(db, sql: Self.runSelect + " WHERE r.commitSha = ? " + Self.newestFirst + " LIMIT 1", arguments: [sha.lowercased()])
                    .map { try Self.storedRun($0, db: db) }
            }
        }
        return try exact?.commit ?? runs(RunFilter(commit: sha, limit: 1)).first?.commit
    }

    public var location: String? { path }
}

extension PerfgateStore {
    /// The unit stored for series `series`; an unknown one is an unreadable row, never `.none`.
    func storedUnit(_ raw: String, series: Int64) throws -> MetricUnit {
        try StoredValue.unit(raw, row: .series(series), store: path)
    }

    /// The direction stored for series `series`; an unknown one is an unreadable row, never a default.
    func storedDirection(_ raw: String, series: Int64) throws -> Direction {
        try StoredValue.direction(raw, row: .series(series), store: path)
    }
}
