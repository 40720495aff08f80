import Foundation
import GRDB
import PerfgateCore
import PerfgateEngine

extension PerfgateStore {
    /// Replaces the stored change points of each (scenario, environment, branch, endpoint, metric,
    /// statistic) that was analysed with the new result, in one transaction. With `commits` (the commits the
    /// analysis saw, e.g. `detect --last N`), only stored change points at those commits are replaced and older
    /// ones are kept; nil replaces all of the series'.
    public func replaceChangePoints(_ analysed: [AnalysedSeries], found: [DetectedChangePoint], at now: Date) throws {
        try wrap {
            try writer.write { db in
                for a in analysed {
                    let series = """
                        DELETE FROM changePoint WHERE scenario = ? AND environment = ? AND branch = ? AND endpoint = ?
                        AND metric = ? AND statistic = ?
                        """
                    let key: [any DatabaseValueConvertible] = [a.scenario, a.environment, a.branch, a.endpoint, a.metric, a.statistic.rawValue]
                    guard let commits = a.commits else {
                        try db.execute(sql: series, arguments: StatementArguments(key))
                        continue
                    }
                    var start = commits.startIndex
                    while start < commits.endIndex {
                        let chunk = commits[start..<min(start + 500, commits.endIndex)]
                        try db.execute(
                            sql: series + " AND commitSha IN (\(chunk.map { _ in "?" }.joined(separator: ",")))",
                            arguments: StatementArguments(key + Array(chunk)))
                        start = chunk.endIndex
                    }
                }
                for c in found {
                    try db.execute(
                        sql: """
                            INSERT OR REPLACE INTO changePoint(scenario, environment, branch, endpoint, metric, statistic, commitSha,
                                previousSha, levelBefore, levelAfter, relativeChange, pValue, settled, isRegression, detectedAt)
                            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                            """,
                        arguments: [
                            c.scenario, c.environment, c.branch, c.endpoint, c.metric, c.statistic, c.commitSha, c.previousSha,
                            c.before, c.after, c.relativeChange, c.pValue, c.settled, c.isRegression, now,
                        ])
                }
            }
        }
    }

    /// Stored change points, oldest commit first.
    public func changePoints(branch: String? = nil, scenario: String? = nil) throws -> [DetectedChangePoint] {
        try wrap {
            try writer.read { db in
                var clauses: [String] = []
                var args: [any DatabaseValueConvertible] = []
                if let b = branch { clauses.append("cp.branch = ?"); args.append(b) }
                if let s = scenario { clauses.append("cp.scenario = ?"); args.append(s) }
                let whereSQL = clauses.isEmpty ? "" : "WHERE " + clauses.joined(separator: " AND ")
                return try Row.fetchAll(
                    db,
                    sql: """
                        SELECT cp.* FROM changePoint cp LEFT JOIN "commit" c ON c.sha = cp.commitSha \(whereSQL)
                        ORDER BY c.committedAt, cp.scenario, cp.endpoint, cp.metric, cp.statistic
                        """, arguments: StatementArguments(args)
                ).map {
                    DetectedChangePoint(
                        scenario: $0["scenario"], environment: $0["environment"], branch: $0["branch"], endpoint: $0["endpoint"],
                        metric: $0["metric"], statistic: $0["statistic"], commitSha: $0["commitSha"], previousSha: $0["previousSha"],
                        before: $0["levelBefore"], after: $0["levelAfter"], relativeChange: $0["relativeChange"],
                        pValue: $0["pValue"], settled: $0["settled"], isRegression: $0["isRegression"])
                }
            }
        }
    }

    /// One statistic of every series of a branch, per run in commit order (oldest first), for detection: the runs
    /// of the newest `lastCommits` commits of the branch (by commit time, as the history is ordered), or of all
    /// of them when nil.
    public func seriesHistory(_ query: SeriesHistoryQuery) throws -> [SeriesHistory] {
        let branch = query.branch
        let statistics = query.statistics.map(\.rawValue)
        let lastCommits = query.lastCommits
        return try wrap {
            try writer.read { db in
                var clauses = ["r.branch = ?"]
                var args: [any DatabaseValueConvertible] = [branch]
                if let s = query.scenario { clauses.append("r.scenario = ?"); args.append(s) }
                if let e = query.environment { clauses.append("r.environment = ?"); args.append(e) }
                if let m = query.metric { clauses.append("s.metric = ?"); args.append(m) }
                clauses.append("m.statistic IN (\(statistics.map { _ in "?" }.joined(separator: ",")))")
                args += statistics
                if let last = lastCommits {
                    clauses.append(
                        """
                        r.commitSha IN (
                            SELECT c2.sha FROM "commit" c2 WHERE c2.sha IN (SELECT commitSha FROM run WHERE branch = ?)
                            ORDER BY c2.committedAt IS NOT NULL DESC, c2.committedAt DESC, c2.sha DESC LIMIT ?)
                        """)
                    args += [branch, max(0, last)]
                }
                // Streamed (a cursor, not every row at once) and grouped by integer ids: the default window of
                // `detect` reads about a million rows on a large store, and one Row object plus a copy of the
                // commit sha per row cost 800 MB there. Each sha is materialised once per commit and shared.
                let rows = try Row.fetchCursor(
                    db,
                    sql: """
                        SELECT m.seriesId, r.environment, m.statistic, c.rowid, m.value, r.commitSha, r.scenario, s.endpoint,
                            s.metric, s.direction
                        FROM measurement m
                        JOIN run r ON r.id = m.runId
                        JOIN "commit" c ON c.sha = r.commitSha
                        JOIN series s ON s.id = m.seriesId
                        WHERE \(clauses.joined(separator: " AND "))
                        ORDER BY c.committedAt IS NOT NULL, c.committedAt, r.commitSha, r.startedAt, r.id
                        """, arguments: StatementArguments(args))
                struct GroupKey: Hashable {
                    var seriesId: Int64
                    var environment: String
                    var statistic: String
                }
                var index: [GroupKey: Int] = [:]
                var groups: [(sortKey: String, history: SeriesHistory)] = []
                var shas: [Int64: String] = [:]
                while let row = try rows.next() {
                    let key = GroupKey(seriesId: row[0], environment: row[1], statistic: row[2])
                    let g: Int
                    if let known = index[key] {
                        g = known
                    } else {
                        let scenario: String = row[6]
                        let endpoint: String = row[7]
                        let metric: String = row[8]
                        g = groups.count
                        index[key] = g
                        groups.append(
                            (
                                sortKey: [scenario, key.environment, endpoint, metric, key.statistic].joined(separator: "\u{1}"),
                                history: SeriesHistory(
                                    scenario: scenario, environment: key.environment, endpoint: endpoint, metric: metric,
                                    statistic: Statistic(rawValue: key.statistic), direction: try storedDirection(row[9], series: key.seriesId),
                                    points: [])
                            ))
                    }
                    let commitId: Int64 = row[3]
                    let sha: String
                    if let known = shas[commitId] {
                        sha = known
                    } else {
                        sha = row[5]
                        shas[commitId] = sha
                    }
                    groups[g].history.points.append(SeriesHistory.Point(commitSha: sha, value: row[4]))
                }
                return groups.sorted { $0.sortKey < $1.sortKey }.map(\.history)
            }
        }
    }
}
