import Foundation
import PerfgateCore
import PerfgateEngine
import PostgresNIO

/// The port's reads, in the SQLite store's order (Sources/PerfgateStore/PerfgateStore+Gate.swift and
/// +Queries.swift). SQLite sorts NULL first ascending and last descending; PostgreSQL the other way,
/// so every ORDER BY on a nullable column says NULLS FIRST/LAST.
extension PostgresStore {
    static let refColumns = """
        SELECT r.id, r.commitSha, r.branch, c.committedAt, r.startedAt, r.scenario, r.environment, r.tool
        FROM run r JOIN "commit" c ON c.sha = r.commitSha
        """
    static let newestFirst = "ORDER BY c.committedAt DESC NULLS LAST, r.startedAt DESC NULLS LAST, r.id DESC"

    static func runRef(_ row: PostgresRow) throws -> RunRef {
        let (id, sha, branch, committedAt, startedAt, scenario, environment, tool) = try row.decode(
            (Int64, String, String, Date?, Date?, String, String, String).self)
        return RunRef(
            id: id, commitSha: sha, branch: branch, committedAt: Self.read(committedAt), startedAt: Self.read(startedAt), scenario: scenario,
            environment: environment, tool: tool)
    }

    /// `WHERE` clauses with their binds, numbered from `$1`.
    struct Filter {
        var clauses: [String] = []
        var binds = PostgresBindings()

        mutating func add(_ column: String, _ op: String = "=", _ value: String?) {
            guard let value else { return }
            binds.append(value)
            clauses.append("\(column) \(op) $\(binds.count)")
        }

        var sql: String { clauses.isEmpty ? "" : "WHERE " + clauses.joined(separator: " AND ") }
    }

    public func runRefs(_ query: RunRefQuery) throws -> [RunRef] {
        var f = Filter()
        f.add("r.branch", "=", query.branch)
        f.add("r.scenario", "=", query.scenario)
        f.add("r.environment", "=", query.environment)
        f.add("r.commitSha", "=", query.commit)
        let sql = "\(Self.refColumns) \(f.sql) \(Self.newestFirst) LIMIT \(max(0, query.limit))"
        return try execute(PostgresQuery(unsafeSQL: sql, binds: f.binds)).map(Self.runRef)
    }

    public func runRefs(commits: [String], in lane: RunLane) throws -> [RunRef] {
        guard !commits.isEmpty else { return [] }
        return try execute(
            """
            \(unescaped: Self.refColumns)
            WHERE r.commitSha = ANY(\(commits)::text[]) AND r.branch = \(lane.branch) AND r.scenario = \(lane.scenario)
            AND r.environment = \(lane.environment)
            """
        ).map(Self.runRef)
    }

    public func hasRuns(in lane: RunLane, excludingCommit commit: String) throws -> Bool {
        try execute(
            """
            SELECT EXISTS (SELECT 1 FROM run WHERE branch = \(lane.branch) AND scenario = \(lane.scenario)
            AND environment = \(lane.environment) AND commitSha <> \(commit))
            """
        ).first.map { try $0.decode(Bool.self) } ?? false
    }

    public func environments(branch: String, scenario: String) throws -> [String] {
        try execute(
            "SELECT environment FROM run WHERE branch = \(branch) AND scenario = \(scenario) GROUP BY environment ORDER BY environment COLLATE \"C\""
        ).map { try $0.decode(String.self) }
    }

    public func series(runIds: [Int64], withDistributions: Bool) throws -> [Int64: [SeriesResult]] {
        guard !runIds.isEmpty else { return [:] }
        var out: [Int64: [Int64: SeriesResult]] = [:]
        let rows = try execute(
            """
            SELECT m.runId, m.seriesId, s.endpoint, s.metric, s.unit, s.direction, m.statistic, m.value
            FROM measurement m JOIN series s ON s.id = m.seriesId WHERE m.runId = ANY(\(runIds)::bigint[])
            """)
        for row in rows {
            let (runId, sid, endpoint, metric, unit, direction, statistic, value) = try row.decode(
                (Int64, Int64, String, String, String, String, String, Double).self)
            if out[runId]?[sid] == nil {
                out[runId, default: [:]][sid] = SeriesResult(
                    key: SeriesKey(endpoint: endpoint, metric: metric), unit: try self.unit(unit, series: sid),
                    direction: try self.direction(direction, series: sid))
            }
            out[runId]?[sid]?.stats[Statistic(rawValue: statistic)] = value
        }
        if withDistributions {
            for row in try execute(
                "SELECT runId, seriesId, encoding FROM distribution WHERE runId = ANY(\(runIds)::bigint[])")
            {
                let (runId, sid, encoding) = try row.decode((Int64, Int64, String).self)
                out[runId]?[sid]?.distribution = Distribution(encoded: encoding)
            }
        }
        return out.mapValues { $0.values.sorted { $0.key < $1.key } }
    }

    public func storedAncestry(from sha: String, limit: Int) throws -> [String] {
        try execute(
            """
            WITH RECURSIVE chain(sha, depth) AS (
                SELECT \(sha)::text, 0
                UNION ALL
                SELECT c.parentSha, chain.depth + 1 FROM "commit" c JOIN chain ON c.sha = chain.sha
                WHERE c.parentSha IS NOT NULL AND chain.depth < \(Int64(limit))
            )
            SELECT sha FROM chain ORDER BY depth
            """
        ).map { try $0.decode(String.self) }
    }

    public func run(id: Int64) throws -> StoredRun? {
        try storedRuns(where: "WHERE r.id = $1", binds: { $0.append(id) }, suffix: "").first
    }

    public func runs(_ filter: RunFilter) throws -> [StoredRun] {
        var f = Filter()
        f.add("r.branch", "=", filter.branch)
        f.add("r.scenario", "=", filter.scenario)
        f.add("r.environment", "=", filter.environment)
        f.add("r.tool", "=", filter.tool)
        f.add("r.commitSha", "LIKE", filter.commit.map { $0.lowercased() + "%" })
        let limit = filter.limit.map { " LIMIT \(max(0, $0))" } ?? ""
        return try storedRuns(where: f.sql, binds: { $0 = f.binds }, suffix: Self.newestFirst + limit)
    }

    public func storedCommit(sha: String) throws -> CommitInfo? {
        try storedRuns(
            where: "WHERE r.commitSha LIKE $1", binds: { $0.append(sha.lowercased() + "%") }, suffix: Self.newestFirst + " LIMIT 1"
        ).first?.commit
    }

    public func tags(runIds: [Int64]) throws -> [Int64: [String: String]] {
        guard !runIds.isEmpty else { return [:] }
        var out: [Int64: [String: String]] = [:]
        for row in try execute("SELECT runId, key, value FROM runTag WHERE runId = ANY(\(runIds)::bigint[])") {
            let (runId, key, value) = try row.decode((Int64, String, String).self)
            out[runId, default: [:]][key] = value
        }
        return out
    }

    public func commits(matching prefix: String) throws -> [String] {
        try execute(#"SELECT sha FROM "commit" WHERE sha LIKE \#(prefix.lowercased() + "%") ORDER BY sha COLLATE "C""#)
            .map { try $0.decode(String.self) }
    }

    /// Runs with their commit, tags and sources (tags and sources read for all runs at once).
    func storedRuns(where clause: String, binds: (inout PostgresBindings) throws -> Void, suffix: String) throws -> [StoredRun] {
        var b = PostgresBindings()
        try binds(&b)
        let sql = """
            SELECT r.id, r.commitSha, r.branch, c.committedAt, c.parentSha, r.scenario, r.environment, r.tool, r.toolVersion,
                   r.format, r.startedAt, r.durationSeconds, r.vus, r.maxVUs, r.ingestedAt, r.attempt
            FROM run r JOIN "commit" c ON c.sha = r.commitSha \(clause) \(suffix)
            """
        var runs: [StoredRun] = []
        for row in try execute(PostgresQuery(unsafeSQL: sql, binds: b)) {
            let columns = row.makeRandomAccess()
            let id = try columns[0].decode(Int64.self)
            runs.append(
                StoredRun(
                    id: id,
                    commit: CommitInfo(
                        sha: try columns[1].decode(String.self), branch: try columns[2].decode(String.self),
                        committedAt: Self.read(try columns[3].decode(Date?.self)), parentSha: try columns[4].decode(String?.self)),
                    scenario: try columns[5].decode(String.self), environment: try columns[6].decode(String.self),
                    tool: try columns[7].decode(String.self), toolVersion: try columns[8].decode(String?.self),
                    format: try columns[9].decode(String.self), startedAt: Self.read(try columns[10].decode(Date?.self)),
                    durationSeconds: try columns[11].decode(Double?.self), vus: try columns[12].decode(Int64?.self).map(Int.init),
                    maxVUs: try columns[13].decode(Int64?.self).map(Int.init), ingestedAt: Self.read(try columns[14].decode(Date.self)),
                    attempt: Int(try columns[15].decode(Int64.self)), tags: [:], sources: []))
        }
        guard !runs.isEmpty else { return [] }
        let ids = runs.map(\.id)
        let tags = try self.tags(runIds: ids)
        var sources: [Int64: [SourceFile]] = [:]
        for row in try execute(
            #"SELECT runId, path, digest, bytes FROM runSource WHERE runId = ANY(\#(ids)::bigint[]) ORDER BY runId, path COLLATE "C""#)
        {
            let (runId, path, digest, bytes) = try row.decode((Int64, String, String, Int64).self)
            sources[runId, default: []].append(SourceFile(path: path, digest: digest, bytes: bytes))
        }
        for i in runs.indices {
            runs[i].tags = tags[runs[i].id] ?? [:]
            runs[i].sources = sources[runs[i].id] ?? []
        }
        return runs
    }
}
