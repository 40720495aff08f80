import Foundation
import PerfgateCore
import PerfgateEngine
import PostgresNIO

/// The port's reads for `show`, `log`, `detect`, `capacity` and the report, in the SQLite store's
/// orders (Sources/PerfgateStore/PerfgateStore+Queries.swift, +ChangePoints.swift, +Report.swift,
/// +Capacity.swift, +ServerMetrics.swift). Text is ordered byte-wise (`COLLATE "C"`), as SQLite does.
extension PostgresStore {
    public func insertEach(_ produce: (_ insert: (RunToStore) throws -> InsertOutcome) throws -> Void) throws {
        try transaction { try produce { try insert($0.run, context: $0.context) } }
    }

    public func detail(runId: Int64) throws -> StoredRunDetail? {
        guard let run = try run(id: runId) else { return nil }
        var series: [Int64: SeriesResult] = [:]
        for row in try execute(
            """
            SELECT s.id, s.endpoint, s.metric, s.unit, s.direction, m.statistic, m.value
            FROM measurement m JOIN series s ON s.id = m.seriesId WHERE m.runId = \(runId)
            """)
        {
            let (sid, endpoint, metric, unit, direction, statistic, value) = try row.decode(
                (Int64, String, String, String, String, String, Double).self)
            if series[sid] == nil {
                series[sid] = SeriesResult(
                    key: SeriesKey(endpoint: endpoint, metric: metric), unit: try self.unit(unit, series: sid),
                    direction: try self.direction(direction, series: sid))
            }
            series[sid]?.stats[Statistic(rawValue: statistic)] = value
        }
        for row in try execute("SELECT seriesId, encoding FROM distribution WHERE runId = \(runId)") {
            let (sid, encoding) = try row.decode((Int64, String).self)
            series[sid]?.distribution = Distribution(encoded: encoding)
        }
        let thresholds = try execute(
            #"SELECT metric, expression, passed FROM threshold WHERE runId = \#(runId) ORDER BY metric COLLATE "C", expression COLLATE "C""#
        ).map {
            let (metric, expression, passed) = try $0.decode((String, String, Bool).self)
            return ThresholdResult(metric: metric, expression: expression, passed: passed)
        }
        let checks = try execute(
            #"SELECT groupPath, name, passes, fails FROM checkResult WHERE runId = \#(runId) ORDER BY groupPath COLLATE "C", name COLLATE "C""#
        ).map {
            let (group, name, passes, fails) = try $0.decode((String, String, Int64, Int64).self)
            return CheckResult(group: group, name: name, passes: Int(passes), fails: Int(fails))
        }
        let errors = try execute(
            #"""
            SELECT endpoint, message, occurrences FROM errorSummary WHERE runId = \#(runId)
            ORDER BY occurrences DESC, endpoint COLLATE "C", message COLLATE "C"
            """#
        ).map {
            let (endpoint, message, occurrences) = try $0.decode((String, String, Int64).self)
            return ErrorResult(endpoint: endpoint, message: message, occurrences: Int(occurrences))
        }
        var timeline: RunTimeline?
        if let t = try execute("SELECT bucketSeconds, offsetSeconds FROM runTimeline WHERE runId = \(runId)").first {
            let (bucketSeconds, offsetSeconds) = try t.decode((Double, Double).self)
            let buckets = try execute(
                #"""
                SELECT endpoint, idx, requests, errors, p50, p95, users FROM timelineBucket WHERE runId = \#(runId)
                ORDER BY endpoint COLLATE "C", idx
                """#
            ).map {
                let (endpoint, index, requests, errors, p50, p95, users) = try $0.decode(
                    (String, Int64, Double, Double, Double?, Double?, Double?).self)
                return TimelineBucket(
                    endpoint: endpoint, index: Int(index), requests: requests, errors: errors, p50: p50, p95: p95, users: users)
            }
            timeline = RunTimeline(bucketSeconds: bucketSeconds, offsetSeconds: offsetSeconds, buckets: buckets)
        }
        var result = IngestedRun(
            tool: run.tool, toolVersion: run.toolVersion, format: run.format, scenario: run.scenario,
            startedAt: run.startedAt, durationSeconds: run.durationSeconds,
            load: LoadProfile(vus: run.vus, maxVUs: run.maxVUs), tags: run.tags,
            series: series.values.sorted { $0.key < $1.key }, thresholds: thresholds, checks: checks,
            errors: errors, timeline: timeline)
        result.serverSeries = try serverSeries(runId: runId)
        return StoredRunDetail(run: run, result: result)
    }

    /// The server-side series of a run with their samples; nil when it has none. Samples without summary
    /// statistics have no series row: a plain, lower-is-better series, as in the SQLite store.
    func serverSeries(runId: Int64) throws -> [ServerSeries]? {
        var out: [ServerSeries] = []
        for row in try execute(
            #"""
            SELECT s.name, s.time, s.value, se.unit, se.direction
            FROM serverSample s JOIN run r ON r.id = s.runId
            LEFT JOIN series se ON se.scenario = r.scenario AND se.endpoint = '' AND se.metric = s.name
            WHERE s.runId = \#(runId) ORDER BY s.name COLLATE "C", s.idx
            """#)
        {
            let (name, time, value, rawUnit, rawDirection) = try row.decode((String, Double, Double, String?, String?).self)
            let sample = ServerSample(time: time, value: value)
            if out.last?.name == name {
                out[out.count - 1].samples.append(sample)
                continue
            }
            let (unit, direction) = try StoredValue.serverSeries(
                unit: rawUnit, direction: rawDirection, name: name, run: runId, store: postgres.redacted)
            out.append(ServerSeries(name: name, unit: unit, direction: direction, samples: [sample]))
        }
        return out.isEmpty ? nil : out
    }

    public func loadLabels(runIds: [Int64]) throws -> [Int64: RunLoadLabel] {
        guard !runIds.isEmpty else { return [:] }
        var out: [Int64: RunLoadLabel] = [:]
        for row in try execute("SELECT runId, profile, workers FROM runLoad WHERE runId = ANY(\(runIds)::bigint[])") {
            let (runId, profile, workers) = try row.decode((Int64, String?, Int64?).self)
            out[runId] = RunLoadLabel(profile: profile, workers: workers.map(Int.init))
        }
        return out
    }

    public func log(_ q: LogQuery) throws -> [LogPoint] {
        var f = Filter()
        f.add("s.metric", "=", q.metric)
        f.add("m.statistic", "=", q.statistic.rawValue)
        f.add("r.branch", "=", q.branch)
        f.add("r.scenario", "=", q.scenario)
        f.add("r.environment", "=", q.environment)
        if let n = q.lastCommits {
            var inner = ""
            if let b = q.branch {
                f.binds.append(b)
                inner = "WHERE r2.branch = $\(f.binds.count)"
            }
            f.clauses.append(
                """
                r.commitSha IN (
                    SELECT r2.commitSha FROM run r2 JOIN "commit" c2 ON c2.sha = r2.commitSha \(inner)
                    GROUP BY r2.commitSha ORDER BY max(c2.committedAt) DESC NULLS LAST, max(r2.startedAt) DESC NULLS LAST LIMIT \(max(0, n)))
                """)
        }
        let sql = """
            SELECT r.id, r.commitSha, r.branch, c.committedAt, r.startedAt, r.scenario, r.environment,
                   s.endpoint, s.metric, m.statistic, m.value, s.unit, s.id
            FROM measurement m
            JOIN run r ON r.id = m.runId
            JOIN "commit" c ON c.sha = r.commitSha
            JOIN series s ON s.id = m.seriesId
            \(f.sql)
            ORDER BY c.committedAt ASC NULLS FIRST, r.startedAt ASC NULLS FIRST, r.id, s.endpoint COLLATE "C"
            """
        var out: [LogPoint] = []
        for row in try execute(PostgresQuery(unsafeSQL: sql, binds: f.binds)) {
            let c = row.makeRandomAccess()
            let endpoint = try c[7].decode(String.self)
            // Endpoint patterns are matched by Core's Glob, as the other backends do (no SQL dialect's GLOB).
            if let pattern = q.endpoint, !Glob.matches(pattern, endpoint) { continue }
            out.append(
                LogPoint(
                    runId: try c[0].decode(Int64.self), commitSha: try c[1].decode(String.self), branch: try c[2].decode(String.self),
                    committedAt: Self.read(try c[3].decode(Date?.self)), startedAt: Self.read(try c[4].decode(Date?.self)),
                    scenario: try c[5].decode(String.self), environment: try c[6].decode(String.self), endpoint: endpoint,
                    metric: try c[8].decode(String.self), statistic: Statistic(rawValue: try c[9].decode(String.self)),
                    value: try c[10].decode(Double.self), unit: try unit(try c[11].decode(String.self), series: try c[12].decode(Int64.self))))
        }
        return out
    }

    public func seriesHistory(_ query: SeriesHistoryQuery) throws -> [SeriesHistory] {
        var f = Filter()
        f.add("r.branch", "=", query.branch)
        f.add("r.scenario", "=", query.scenario)
        f.add("r.environment", "=", query.environment)
        f.add("s.metric", "=", query.metric)
        f.binds.append(query.statistics.map(\.rawValue))
        f.clauses.append("m.statistic = ANY($\(f.binds.count)::text[])")
        if let last = query.lastCommits {
            f.binds.append(query.branch)
            let branchBind = f.binds.count
            f.clauses.append(
                """
                r.commitSha IN (
                    SELECT c2.sha FROM "commit" c2 WHERE c2.sha IN (SELECT commitSha FROM run WHERE branch = $\(branchBind))
                    ORDER BY c2.committedAt DESC NULLS LAST, c2.sha COLLATE "C" DESC LIMIT \(max(0, last)))
                """)
        }
        let sql = """
            SELECT m.seriesId, r.environment, m.statistic, m.value, r.commitSha, r.scenario, s.endpoint, s.metric, s.direction
            FROM measurement m
            JOIN run r ON r.id = m.runId
            JOIN "commit" c ON c.sha = r.commitSha
            JOIN series s ON s.id = m.seriesId
            \(f.sql)
            ORDER BY c.committedAt ASC NULLS FIRST, r.commitSha COLLATE "C", r.startedAt ASC NULLS FIRST, r.id
            """
        struct GroupKey: Hashable {
            var seriesId: Int64
            var environment: String
            var statistic: String
        }
        var index: [GroupKey: Int] = [:]
        var groups: [(sortKey: [String], history: SeriesHistory)] = []
        for row in try execute(PostgresQuery(unsafeSQL: sql, binds: f.binds)) {
            let (seriesId, environment, statistic, value, sha, scenario, endpoint, metric, direction) = try row.decode(
                (Int64, String, String, Double, String, String, String, String, String).self)
            let key = GroupKey(seriesId: seriesId, environment: environment, statistic: statistic)
            let g: Int
            if let known = index[key] {
                g = known
            } else {
                g = groups.count
                index[key] = g
                groups.append(
                    (
                        sortKey: [scenario, environment, endpoint, metric, statistic],
                        history: SeriesHistory(
                            scenario: scenario, environment: environment, endpoint: endpoint, metric: metric,
                            statistic: Statistic(rawValue: statistic), direction: try self.direction(direction, series: seriesId), points: [])
                    ))
            }
            groups[g].history.points.append(SeriesHistory.Point(commitSha: sha, value: value))
        }
        return groups.sorted { $0.sortKey.lexicographicallyPrecedes($1.sortKey) }.map(\.history)
    }

    public func replaceChangePoints(_ analysed: [AnalysedSeries], found: [DetectedChangePoint], at now: Date) throws {
        try transaction {
            for a in analysed {
                if let commits = a.commits {
                    try execute(
                        """
                        DELETE FROM changePoint WHERE scenario = \(a.scenario) AND environment = \(a.environment) AND branch = \(a.branch)
                        AND endpoint = \(a.endpoint) AND metric = \(a.metric) AND statistic = \(a.statistic.rawValue)
                        AND commitSha = ANY(\(commits)::text[])
                        """)
                } else {
                    try execute(
                        """
                        DELETE FROM changePoint WHERE scenario = \(a.scenario) AND environment = \(a.environment) AND branch = \(a.branch)
                        AND endpoint = \(a.endpoint) AND metric = \(a.metric) AND statistic = \(a.statistic.rawValue)
                        """)
                }
            }
            for c in found {
                try execute(
                    """
                    INSERT INTO changePoint(scenario, environment, branch, endpoint, metric, statistic, commitSha,
                        previousSha, levelBefore, levelAfter, relativeChange, pValue, settled, isRegression, detectedAt)
                    VALUES (\(c.scenario), \(c.environment), \(c.branch), \(c.endpoint), \(c.metric), \(c.statistic), \(c.commitSha),
                        \(c.previousSha), \(c.before), \(c.after), \(c.relativeChange), \(c.pValue), \(c.settled), \(c.isRegression),
                        \(Self.stored(now)))
                    ON CONFLICT (scenario, environment, branch, endpoint, metric, statistic, commitSha) DO UPDATE SET
                        previousSha = excluded.previousSha, levelBefore = excluded.levelBefore, levelAfter = excluded.levelAfter,
                        relativeChange = excluded.relativeChange, pValue = excluded.pValue, settled = excluded.settled,
                        isRegression = excluded.isRegression, detectedAt = excluded.detectedAt
                    """)
            }
        }
    }

    public func changePoints(branch: String?, scenario: String?) throws -> [DetectedChangePoint] {
        var f = Filter()
        f.add("cp.branch", "=", branch)
        f.add("cp.scenario", "=", scenario)
        let sql = """
            SELECT cp.scenario, cp.environment, cp.branch, cp.endpoint, cp.metric, cp.statistic, cp.commitSha, cp.previousSha,
                   cp.levelBefore, cp.levelAfter, cp.relativeChange, cp.pValue, cp.settled, cp.isRegression
            FROM changePoint cp LEFT JOIN "commit" c ON c.sha = cp.commitSha \(f.sql)
            ORDER BY c.committedAt ASC NULLS FIRST, cp.scenario COLLATE "C", cp.endpoint COLLATE "C", cp.metric COLLATE "C",
                cp.statistic COLLATE "C"
            """
        return try execute(PostgresQuery(unsafeSQL: sql, binds: f.binds)).map { row in
            let c = row.makeRandomAccess()
            return DetectedChangePoint(
                scenario: try c[0].decode(String.self), environment: try c[1].decode(String.self), branch: try c[2].decode(String.self),
                endpoint: try c[3].decode(String.self), metric: try c[4].decode(String.self), statistic: try c[5].decode(String.self),
                commitSha: try c[6].decode(String.self), previousSha: try c[7].decode(String.self), before: try c[8].decode(Double.self),
                after: try c[9].decode(Double.self), relativeChange: try c[10].decode(Double.self), pValue: try c[11].decode(Double.self),
                settled: try c[12].decode(Bool.self), isRegression: try c[13].decode(Bool.self))
        }
    }

    public func seriesOccurrences() throws -> [SeriesOccurrence] {
        try execute(
            #"""
            SELECT s.id, s.scenario, r.environment, s.endpoint, s.metric, s.unit, s.direction
            FROM series s
            JOIN (SELECT DISTINCT m.seriesId, r.environment FROM measurement m JOIN run r ON r.id = m.runId) r ON r.seriesId = s.id
            ORDER BY s.scenario COLLATE "C", r.environment COLLATE "C", s.metric COLLATE "C", s.endpoint COLLATE "C"
            """#
        ).map {
            let (id, scenario, environment, endpoint, metric, unit, direction) = try $0.decode(
                (Int64, String, String, String, String, String, String).self)
            return SeriesOccurrence(
                seriesId: id, scenario: scenario, environment: environment, key: SeriesKey(endpoint: endpoint, metric: metric),
                unit: try self.unit(unit, series: id), direction: try self.direction(direction, series: id))
        }
    }

    /// Every run's stamp (``HistoryStore/runStamps()``) in one query, as the SQLite store makes it (the
    /// text differs between the two stores; only equality within one store matters).
    public func runStamps() throws -> [Int64: String]? {
        var out: [Int64: String] = [:]
        for row in try execute(
            #"""
            SELECT r.id, concat_ws(chr(31), r.contentDigest, extract(epoch FROM r.ingestedAt)::text, r.attempt::text, r.branch,
                coalesce(extract(epoch FROM c.committedAt)::text, '-'),
                coalesce((SELECT string_agg(concat_ws(chr(31), s.path, s.digest, s.bytes::text), chr(30) ORDER BY s.path COLLATE "C")
                          FROM runSource s WHERE s.runId = r.id), ''))
            FROM run r JOIN "commit" c ON c.sha = r.commitSha
            """#)
        {
            let (id, stamp) = try row.decode((Int64, String).self)
            out[id] = stamp
        }
        return out
    }

    public func seriesValues(
        seriesId: Int64, environment: String, statistics: [Statistic], _ body: (SeriesValue) throws -> Void
    ) throws {
        guard !statistics.isEmpty else { return }
        for row in try execute(
            """
            SELECT m.runId, m.statistic, m.value FROM measurement m JOIN run r ON r.id = m.runId
            WHERE m.seriesId = \(seriesId) AND r.environment = \(environment) AND m.statistic = ANY(\(statistics.map(\.rawValue))::text[])
            ORDER BY m.runId
            """)
        {
            let (runId, statistic, value) = try row.decode((Int64, String, Double).self)
            try body(SeriesValue(runId: runId, statistic: Statistic(rawValue: statistic), value: value))
        }
    }
}
