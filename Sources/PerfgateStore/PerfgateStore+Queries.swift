import Foundation
import GRDB
import PerfgateCore
import PerfgateEngine

extension PerfgateStore {
    static let runSelect = """
        SELECT r.*, c.committedAt, c.parentSha FROM run r JOIN "commit" c ON c.sha = r.commitSha
        """
    static let newestFirst = "ORDER BY c.committedAt IS NULL, c.committedAt DESC, r.startedAt DESC, r.id DESC"

    /// Runs matching `filter`, newest commit first.
    public func runs(_ filter: RunFilter = RunFilter()) throws -> [StoredRun] {
        try wrap {
            try writer.read { db in
                var clauses: [String] = []
                var args: [any DatabaseValueConvertible] = []
                if let b = filter.branch { clauses.append("r.branch = ?"); args.append(b) }
                if let s = filter.scenario { clauses.append("r.scenario = ?"); args.append(s) }
                if let e = filter.environment { clauses.append("r.environment = ?"); args.append(e) }
                if let t = filter.tool { clauses.append("r.tool = ?"); args.append(t) }
                if let c = filter.commit { clauses.append("r.commitSha LIKE ?"); args.append(c.lowercased() + "%") }
                var sql = Self.runSelect
                if !clauses.isEmpty { sql += " WHERE " + clauses.joined(separator: " AND ") }
                sql += " " + Self.newestFirst
                if let l = filter.limit { sql += " LIMIT \(l)" }
                let rows = try Row.fetchAll(db, sql: sql, arguments: StatementArguments(args))
                return try rows.map { try Self.storedRun($0, db: db) }
            }
        }
    }

    /// One run by id.
    public func run(id: Int64) throws -> StoredRun? {
        try wrap {
            try writer.read { db in
                try Row.fetchOne(db, sql: Self.runSelect + " WHERE r.id = ?", arguments: [id]).map {
                    try Self.storedRun($0, db: db)
                }
            }
        }
    }

    /// Full SHAs that start with `prefix` (to resolve short SHAs).
    public func commits(matching prefix: String) throws -> [String] {
        try wrap {
            try writer.read { db in
                try String.fetchAll(
                    db, sql: #"SELECT sha FROM "commit" WHERE sha LIKE ? ORDER BY sha"#,
                    arguments: [prefix.lowercased() + "%"])
            }
        }
    }

    static func storedRun(_ row: Row, db: Database) throws -> StoredRun {
        let id: Int64 = row["id"]
        var tags: [String: String] = [:]
        let tagRows = try Row.fetchCursor(db.cachedStatement(sql: "SELECT key, value FROM runTag WHERE runId = ?"), arguments: [id])
        while let t = try tagRows.next() { tags[t[0]] = t[1] }
        let sources = try Array(
            Row.fetchCursor(
                db.cachedStatement(sql: "SELECT path, digest, bytes FROM runSource WHERE runId = ? ORDER BY path"), arguments: [id]
            ).map { SourceFile(path: $0[0], digest: $0[1], bytes: $0[2]) })
        return StoredRun(
            id: id,
            commit: CommitInfo(
                sha: row["commitSha"], branch: row["branch"], committedAt: row["committedAt"],
                parentSha: row["parentSha"]),
            scenario: row["scenario"], environment: row["environment"], tool: row["tool"],
            toolVersion: row["toolVersion"], format: row["format"], startedAt: row["startedAt"],
            durationSeconds: row["durationSeconds"], vus: row["vus"], maxVUs: row["maxVUs"],
            ingestedAt: row["ingestedAt"], attempt: row["attempt"], tags: tags, sources: sources)
    }

    /// A run with every statistic, distribution, threshold, check and error it has.
    ///
    /// One read transaction; statements are prepared once per connection (cached) and columns are read
    /// by index, since a report asks this for every run.
    public func detail(runId: Int64) throws -> StoredRunDetail? {
        try wrap {
            try writer.read { db in
                func rows(_ sql: String) throws -> RowCursor {
                    try Row.fetchCursor(db.cachedStatement(sql: sql), arguments: [runId])
                }
                guard let runRow = try Row.fetchOne(db.cachedStatement(sql: Self.runSelect + " WHERE r.id = ?"), arguments: [runId])
                else { return nil }
                let run = try Self.storedRun(runRow, db: db)
                var series: [Int64: SeriesResult] = [:]
                let measurements = try rows(
                    """
                    SELECT s.id, s.endpoint, s.metric, s.unit, s.direction, m.statistic, m.value
                    FROM measurement m JOIN series s ON s.id = m.seriesId WHERE m.runId = ?
                    """)
                while let row = try measurements.next() {
                    let sid: Int64 = row[0]
                    if series[sid] == nil {
                        series[sid] = SeriesResult(
                            key: SeriesKey(endpoint: row[1], metric: row[2]),
                            unit: try storedUnit(row[3], series: sid),
                            direction: try storedDirection(row[4], series: sid))
                    }
                    series[sid]?.stats[Statistic(rawValue: row[5])] = row[6]
                }
                let distributions = try rows("SELECT seriesId, encoding FROM distribution WHERE runId = ?")
                while let row = try distributions.next() {
                    let sid: Int64 = row[0]
                    series[sid]?.distribution = Distribution(encoded: row[1])
                }
                let thresholds = try Array(
                    rows("SELECT metric, expression, passed FROM threshold WHERE runId = ? ORDER BY metric, expression")
                        .map { ThresholdResult(metric: $0[0], expression: $0[1], passed: $0[2]) })
                let checks = try Array(
                    rows("SELECT groupPath, name, passes, fails FROM checkResult WHERE runId = ? ORDER BY groupPath, name")
                        .map { CheckResult(group: $0[0], name: $0[1], passes: $0[2], fails: $0[3]) })
                let errors = try Array(
                    rows(
                        "SELECT endpoint, message, occurrences FROM errorSummary WHERE runId = ? ORDER BY occurrences DESC, endpoint, message"
                    ).map { ErrorResult(endpoint: $0[0], message: $0[1], occurrences: $0[2]) })
                var timeline: RunTimeline?
                if let t = try Row.fetchOne(
                    db.cachedStatement(sql: "SELECT bucketSeconds, offsetSeconds FROM runTimeline WHERE runId = ?"),
                    arguments: [runId])
                {
                    let buckets = try Array(
                        rows(
                            "SELECT endpoint, idx, requests, errors, p50, p95, users FROM timelineBucket WHERE runId = ? ORDER BY endpoint, idx"
                        ).map {
                            TimelineBucket(
                                endpoint: $0[0], index: $0[1], requests: $0[2], errors: $0[3], p50: $0[4], p95: $0[5],
                                users: $0[6])
                        })
                    timeline = RunTimeline(bucketSeconds: t[0], offsetSeconds: t[1], buckets: buckets)
                }
                var result = IngestedRun(
                    tool: run.tool, toolVersion: run.toolVersion, format: run.format, scenario: run.scenario,
                    startedAt: run.startedAt, durationSeconds: run.durationSeconds,
                    load: LoadProfile(vus: run.vus, maxVUs: run.maxVUs), tags: run.tags,
                    series: series.values.sorted { $0.key < $1.key }, thresholds: thresholds, checks: checks,
                    errors: errors, timeline: timeline)
                result.serverSeries = try Self.serverSeries(runId: runId, db: db, path: path)
                return StoredRunDetail(run: run, result: result)
            }
        }
    }

    /// One statistic of matching series over commits, oldest first (the last N commits when asked).
    public func log(_ q: LogQuery) throws -> [LogPoint] {
        try wrap {
            try writer.read { db in
                var clauses = ["s.metric = ?", "m.statistic = ?"]
                var args: [any DatabaseValueConvertible] = [q.metric, q.statistic.rawValue]
                if let e = q.endpoint { clauses.append("s.endpoint GLOB ?"); args.append(e) }
                if let b = q.branch { clauses.append("r.branch = ?"); args.append(b) }
                if let s = q.scenario { clauses.append("r.scenario = ?"); args.append(s) }
                if let e = q.environment { clauses.append("r.environment = ?"); args.append(e) }
                var sql = """
                    SELECT r.id, r.commitSha, r.branch, c.committedAt, r.startedAt, r.scenario, r.environment,
                           s.endpoint, s.metric, m.statistic, m.value, s.unit, s.id AS seriesId
                    FROM measurement m
                    JOIN run r ON r.id = m.runId
                    JOIN "commit" c ON c.sha = r.commitSha
                    JOIN series s ON s.id = m.seriesId
                    WHERE \(clauses.joined(separator: " AND "))
                    """
                if let n = q.lastCommits {
                    sql += """
                         AND r.commitSha IN (
                            SELECT r2.commitSha FROM run r2 JOIN "commit" c2 ON c2.sha = r2.commitSha
                            \(q.branch != nil ? "WHERE r2.branch = ?" : "")
                            GROUP BY r2.commitSha ORDER BY max(c2.committedAt) DESC, max(r2.startedAt) DESC LIMIT \(n))
                        """
                    if let b = q.branch { args.append(b) }
                }
                sql += " ORDER BY c.committedAt IS NOT NULL, c.committedAt, r.startedAt, r.id, s.endpoint"
                return try Row.fetchAll(db, sql: sql, arguments: StatementArguments(args)).map {
                    LogPoint(
                        runId: $0["id"], commitSha: $0["commitSha"], branch: $0["branch"],
                        committedAt: $0["committedAt"], startedAt: $0["startedAt"], scenario: $0["scenario"],
                        environment: $0["environment"], endpoint: $0["endpoint"], metric: $0["metric"],
                        statistic: Statistic(rawValue: $0["statistic"]), value: $0["value"],
                        unit: try storedUnit($0["unit"], series: $0["seriesId"]))
                }
            }
        }
    }

    /// Counts for `perfgate store`.
    public func counts() throws -> (commits: Int, runs: Int, series: Int, measurements: Int) {
        try wrap {
            try writer.read { db in
                (
                    try Int.fetchOne(db, sql: #"SELECT count(*) FROM "commit""#) ?? 0,
                    try Int.fetchOne(db, sql: "SELECT count(*) FROM run") ?? 0,
                    try Int.fetchOne(db, sql: "SELECT count(*) FROM series") ?? 0,
                    try Int.fetchOne(db, sql: "SELECT count(*) FROM measurement") ?? 0
                )
            }
        }
    }
}
