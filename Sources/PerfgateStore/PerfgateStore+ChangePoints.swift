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

    /// One statistic of every series of a branch, per run in commit order (oldest first): the runs of the newest
    /// `lastCommits` commits of the branch (by commit time, as the history is ordered), or of all of them when
    /// nil. Sorted as the port says.
    public func seriesHistory(_ query: SeriesHistoryQuery) throws -> [SeriesHistory] {
        var out: [(key: [String], history: SeriesHistory)] = []
        try eachSeriesHistory(query) { out.append(($0.orderKey, $0)) }
        return out.sorted { SeriesHistory.precedes($0.key, $1.key) }.map(\.history)
    }

    /// Reads series by series, each through the covering index on (series, statistic), and hands every
    /// history of a series to `body` as soon as it is read. (One join sorted by commit took 80 % of `detect`
    /// on 1,000 commits x 50 series; reading run by run scanned every statistic of every run.)
    public func eachSeriesHistory(_ query: SeriesHistoryQuery, _ body: (SeriesHistory) throws -> Void) throws {
        guard !query.statistics.isEmpty else { return }
        let branch = query.branch
        try wrap {
            try writer.read { db in
                // The branch's runs in history order; a run's place in it orders the points.
                var clauses = ["r.branch = ?"]
                var args: [any DatabaseValueConvertible] = [branch]
                if let s = query.scenario { clauses.append("r.scenario = ?"); args.append(s) }
                if let e = query.environment { clauses.append("r.environment = ?"); args.append(e) }
                if let last = query.lastCommits {
                    clauses.append(
                        """
                        r.commitSha IN (
                            SELECT c2.sha FROM "commit" c2 WHERE c2.sha IN (SELECT commitSha FROM run WHERE branch = ?)
                            ORDER BY c2.committedAt IS NOT NULL DESC, c2.committedAt DESC, c2.sha DESC LIMIT ?)
                        """)
                    args += [branch, max(0, last)]
                }
                struct RunRow {
                    var sha: String
                    var scenario: String
                    var environment: String
                    var environmentIndex: Int
                }
                var runs: [RunRow] = []
                var rank: [Int64: Int] = [:]
                var shas: [String: String] = [:]  // one String per commit, shared by its points
                var environments: [String: Int] = [:]
                let runRows = try Row.fetchCursor(
                    db,
                    sql: """
                        SELECT r.id, r.commitSha, r.scenario, r.environment FROM run r JOIN "commit" c ON c.sha = r.commitSha
                        WHERE \(clauses.joined(separator: " AND "))
                        ORDER BY c.committedAt IS NOT NULL, c.committedAt, r.commitSha, r.startedAt, r.id
                        """, arguments: StatementArguments(args))
                while let row = try runRows.next() {
                    let sha: String = row[1]
                    let shared = shas[sha] ?? sha
                    shas[sha] = shared
                    let environment: String = row[3]
                    let e = environments[environment] ?? environments.count
                    environments[environment] = e
                    rank[row[0]] = runs.count
                    runs.append(RunRow(sha: shared, scenario: row[2], environment: environment, environmentIndex: e))
                }
                guard !runs.isEmpty else { return }

                var seriesClauses: [String] = []
                var seriesArgs: [any DatabaseValueConvertible] = []
                if let m = query.metric { seriesClauses.append("metric = ?"); seriesArgs.append(m) }
                let series = try Row.fetchAll(
                    db,
                    sql: "SELECT id, endpoint, metric, direction FROM series"
                        + (seriesClauses.isEmpty ? "" : " WHERE " + seriesClauses.joined(separator: " AND ")) + " ORDER BY id",
                    arguments: StatementArguments(seriesArgs))

                // One statement per series and statistic over the covering index; each value lands in its run's
                // slot, so the points come out in history order without a sort.
                let measurements = try db.makeStatement(sql: "SELECT runId, value FROM measurement WHERE seriesId = ? AND statistic = ?")
                var seen: Set<Statistic> = []
                let statistics = query.statistics.filter { seen.insert($0).inserted }
                var values = [Double](repeating: 0, count: runs.count)
                var present = [Bool](repeating: false, count: runs.count)
                for s in series {
                    let seriesId: Int64 = s[0]
                    var direction: Direction?
                    for statistic in statistics {
                        var any = false
                        try measurements.forEachRawRow(arguments: [seriesId, statistic.rawValue]) { row in
                            guard let r = rank[row.int64(0)] else { return }  // another branch, or outside the window
                            values[r] = row.double(1)
                            present[r] = true
                            any = true
                        }
                        guard any else { continue }
                        if direction == nil { direction = try storedDirection(s[3], series: seriesId) }
                        // One history per environment, in the order the environments first appear.
                        var byEnvironment: [Int: SeriesHistory] = [:]
                        var order: [Int] = []
                        for r in runs.indices where present[r] {
                            present[r] = false
                            let run = runs[r]
                            let point = SeriesHistory.Point(commitSha: run.sha, value: values[r])
                            if byEnvironment[run.environmentIndex]?.points.append(point) == nil {
                                order.append(run.environmentIndex)
                                byEnvironment[run.environmentIndex] = SeriesHistory(
                                    scenario: run.scenario, environment: run.environment, endpoint: s[1], metric: s[2], statistic: statistic,
                                    direction: direction!, points: [point])
                            }
                        }
                        for e in order { try body(byEnvironment.removeValue(forKey: e)!) }
                    }
                }
            }
        }
    }
}
