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
                let ids = runIds.map(String.init).joined(separator: ",")
                // Rows come in primary-key order, one (run, series) group after another; the series' own
                // columns are read once per series, not once per measurement.
                var groups: [(run: Int64, series: Int64, stats: [Statistic: Double])] = []
                var names = StatisticNames()
                try db.makeStatement(sql: "SELECT runId, seriesId, statistic, value FROM measurement WHERE runId IN (\(ids)) ORDER BY runId, seriesId")
                    .forEachRawRow { row in
                        let run = row.int64(0)
                        let series = row.int64(1)
                        if groups.last?.run != run || groups.last?.series != series { groups.append((run, series, [:])) }
                        groups[groups.count - 1].stats[row.withText(2) { names.statistic($0) }] = row.double(3)
                    }
                var described: [Int64: SeriesResult] = [:]
                let seriesIds = Set(groups.map(\.series)).map(String.init).joined(separator: ",")
                try db.makeStatement(sql: "SELECT id, endpoint, metric, unit, direction FROM series WHERE id IN (\(seriesIds))").forEachRawRow { row in
                    let id = row.int64(0)
                    described[id] = SeriesResult(
                        key: SeriesKey(endpoint: row.text(1), metric: row.text(2)), unit: try storedUnit(row.text(3), series: id),
                        direction: try storedDirection(row.text(4), series: id))
                }
                struct RunSeries: Hashable {
                    var run: Int64
                    var series: Int64
                }
                var distributions: [RunSeries: Distribution] = [:]
                if withDistributions {
                    let d = try Row.fetchCursor(db, sql: "SELECT runId, seriesId, encoding FROM distribution WHERE runId IN (\(ids))")
                    while let row = try d.next() {
                        distributions[RunSeries(run: row[0], series: row[1])] = Distribution(encoded: row[2])
                    }
                }
                var out: [Int64: [SeriesResult]] = [:]
                for group in groups {
                    guard var result = described[group.series] else { continue }
                    result.stats = group.stats
                    result.distribution = distributions[RunSeries(run: group.run, series: group.series)]
                    out[group.run, default: []].append(result)
                }
                return out.mapValues { $0.sorted { $0.key < $1.key } }
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
