import Foundation
import GRDB
import PerfgateCore
import PerfgateEngine

extension PerfgateStore {
    /// Runs of a branch for one scenario and environment, newest commit first (by commit time, then
    /// start time), without their results.
    public func runRefs(branch: String?, scenario: String?, environment: String?, commit: String? = nil, limit: Int = 2000) throws -> [RunRef] {
        try wrap {
            try writer.read { db in
                var clauses: [String] = []
                var args: [any DatabaseValueConvertible] = []
                if let b = branch { clauses.append("r.branch = ?"); args.append(b) }
                if let s = scenario { clauses.append("r.scenario = ?"); args.append(s) }
                if let e = environment { clauses.append("r.environment = ?"); args.append(e) }
                if let c = commit { clauses.append("r.commitSha = ?"); args.append(c) }
                let whereSQL = clauses.isEmpty ? "" : "WHERE " + clauses.joined(separator: " AND ")
                return try Row.fetchAll(
                    db,
                    sql: """
                        SELECT r.id, r.commitSha, r.branch, c.committedAt, r.startedAt, r.scenario, r.environment, r.tool
                        FROM run r JOIN "commit" c ON c.sha = r.commitSha \(whereSQL)
                        ORDER BY c.committedAt IS NULL, c.committedAt DESC, r.startedAt DESC, r.id DESC LIMIT \(limit)
                        """, arguments: StatementArguments(args)
                ).map {
                    // Columns by index: name lookup lowercases the name on every access.
                    RunRef(
                        id: $0[0], commitSha: $0[1], branch: $0[2], committedAt: $0[3], startedAt: $0[4], scenario: $0[5],
                        environment: $0[6], tool: $0[7])
                }
            }
        }
    }

    /// Runs of `branch`, `scenario` and `environment` at the given commits, in no particular order.
    /// Looked up by commit (index `run_on_commit`), so the cost follows the number of commits asked
    /// for, not the size of the history: the baseline walks first-parent ancestry a batch at a time.
    public func runRefs(commits: [String], branch: String, scenario: String, environment: String) throws -> [RunRef] {
        guard !commits.isEmpty else { return [] }
        return try wrap {
            try writer.read { db in
                let marks = Array(repeating: "?", count: commits.count).joined(separator: ",")
                let args: [any DatabaseValueConvertible] = commits + [branch, scenario, environment]
                return try Row.fetchAll(
                    db,
                    sql: """
                        SELECT r.id, r.commitSha, r.branch, c.committedAt, r.startedAt, r.scenario, r.environment, r.tool
                        FROM run r INDEXED BY run_on_commit JOIN "commit" c ON c.sha = r.commitSha
                        WHERE r.commitSha IN (\(marks)) AND r.branch = ? AND r.scenario = ? AND r.environment = ?
                        """, arguments: StatementArguments(args)
                ).map {
                    RunRef(
                        id: $0[0], commitSha: $0[1], branch: $0[2], committedAt: $0[3], startedAt: $0[4], scenario: $0[5],
                        environment: $0[6], tool: $0[7])
                }
            }
        }
    }

    /// True when `branch` has a run of `scenario` in `environment` at a commit other than `excluding`.
    public func hasRuns(branch: String, scenario: String, environment: String, excluding commit: String) throws -> Bool {
        try wrap {
            try writer.read { db in
                try Bool.fetchOne(
                    db,
                    sql: """
                        SELECT EXISTS (SELECT 1 FROM run WHERE branch = ? AND scenario = ? AND environment = ? AND commitSha <> ?)
                        """, arguments: [branch, scenario, environment, commit]) ?? false
            }
        }
    }

    /// Environments that have runs of `scenario` on `branch` (to explain a missing baseline).
    public func environments(branch: String, scenario: String) throws -> [String] {
        try wrap {
            try writer.read { db in
                try String.fetchAll(
                    db, sql: "SELECT DISTINCT environment FROM run WHERE branch = ? AND scenario = ? ORDER BY environment",
                    arguments: [branch, scenario])
            }
        }
    }

    /// Every series of the given runs, with statistics and (optionally) distributions, in one query each.
    public func series(runIds: [Int64], withDistributions: Bool = true) throws -> [Int64: [SeriesResult]] {
        guard !runIds.isEmpty else { return [:] }
        return try wrap {
            try writer.read { db in
                var out: [Int64: [Int64: SeriesResult]] = [:]
                let ids = runIds.map(String.init).joined(separator: ",")
                let rows = try Row.fetchCursor(
                    db,
                    sql: """
                        SELECT m.runId, m.seriesId, s.endpoint, s.metric, s.unit, s.direction, m.statistic, m.value
                        FROM measurement m JOIN series s ON s.id = m.seriesId WHERE m.runId IN (\(ids))
                        """)
                while let row = try rows.next() {
                    let runId: Int64 = row[0]
                    let sid: Int64 = row[1]
                    if out[runId]?[sid] == nil {
                        out[runId, default: [:]][sid] = SeriesResult(
                            key: SeriesKey(endpoint: row[2], metric: row[3]), unit: try storedUnit(row[4], series: sid),
                            direction: try storedDirection(row[5], series: sid))
                    }
                    out[runId]?[sid]?.stats[Statistic(rawValue: row[6])] = row[7]
                }
                if withDistributions {
                    let d = try Row.fetchCursor(db, sql: "SELECT runId, seriesId, encoding FROM distribution WHERE runId IN (\(ids))")
                    while let row = try d.next() {
                        let runId: Int64 = row[0]
                        let sid: Int64 = row[1]
                        out[runId]?[sid]?.distribution = Distribution(encoded: row[2])
                    }
                }
                return out.mapValues { $0.values.sorted { $0.key < $1.key } }
            }
        }
    }

    /// Tags of the given runs.
    public func tags(runIds: [Int64]) throws -> [Int64: [String: String]] {
        guard !runIds.isEmpty else { return [:] }
        return try wrap {
            try writer.read { db in
                var out: [Int64: [String: String]] = [:]
                let ids = runIds.map(String.init).joined(separator: ",")
                for row in try Row.fetchAll(db, sql: "SELECT runId, key, value FROM runTag WHERE runId IN (\(ids))") {
                    out[row[0], default: [:]][row[1]] = row[2]
                }
                return out
            }
        }
    }
}

extension PerfgateStore {
    /// First-parent ancestry recorded in the store (`commit.parentSha` links), starting at `sha`,
    /// newest first; used when git does not know the commits (e.g. results imported from elsewhere).
    public func storedAncestry(from sha: String, limit: Int = 5000) throws -> [String] {
        try wrap {
            try writer.read { db in
                try String.fetchAll(
                    db,
                    sql: """
                        WITH RECURSIVE chain(sha, depth) AS (
                            SELECT ?, 0
                            UNION ALL
                            SELECT c.parentSha, chain.depth + 1 FROM "commit" c JOIN chain ON c.sha = chain.sha
                            WHERE c.parentSha IS NOT NULL AND chain.depth < ?
                        )
                        SELECT sha FROM chain ORDER BY depth
                        """, arguments: [sha, limit])
            }
        }
    }
}
