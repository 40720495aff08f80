import Foundation
import GRDB
import PerfgateCore
import PerfgateEngine

extension PerfgateStore {
    /// Stores one run and all its results in one transaction. Identical content for the same commit,
    /// scenario and environment is recognised and not stored twice.
    public func insert(_ result: IngestedRun, context: RunContext) throws -> InsertOutcome {
        try wrap {
            try writer.write { db in try Self.insert(result, context: context, db: db) }
        }
    }

    /// Stores several runs in ONE transaction: all of them or none.
    public func insertAll(_ items: [(IngestedRun, RunContext)]) throws -> [InsertOutcome] {
        try wrap {
            try writer.write { db in try items.map { try Self.insert($0.0, context: $0.1, db: db) } }
        }
    }

    /// Stores the runs `produce` hands to `insert` in ONE transaction: all of them or none (an error
    /// thrown by `produce` rolls everything back). Runs are stored as they come, so a caller reading
    /// them from a file one at a time never holds them all in memory.
    public func insertEach(_ produce: (_ insert: (RunToStore) throws -> InsertOutcome) throws -> Void) throws {
        try wrap {
            try writer.write { db in try produce { try Self.insert($0.run, context: $0.context, db: db) } }
        }
    }

    static func insert(_ result: IngestedRun, context: RunContext, db: Database) throws -> InsertOutcome {
        let c = context.commit
        let digest = context.contentDigest
        if let existing = try Int64.fetchOne(
            db.cachedStatement(sql: "SELECT id FROM run WHERE commitSha = ? AND scenario = ? AND environment = ? AND contentDigest = ?"),
            arguments: [c.sha, context.scenario, context.environment, digest])
        {
            return .duplicate(runId: existing)
        }
        // Commit: insert, or fill in what was unknown before.
        try db.cachedStatement(sql: """
                INSERT INTO "commit"(sha, committedAt, parentSha) VALUES (?, ?, ?)
                ON CONFLICT(sha) DO UPDATE SET
                    committedAt = coalesce("commit".committedAt, excluded.committedAt),
                    parentSha = coalesce("commit".parentSha, excluded.parentSha)
                """).execute(arguments: [c.sha, c.committedAt, c.parentSha])
        let attempt =
            try Int.fetchOne(
                db.cachedStatement(sql: "SELECT count(*) FROM run WHERE commitSha = ? AND scenario = ? AND environment = ?"),
                arguments: [c.sha, context.scenario, context.environment]) ?? 0
        try db.cachedStatement(sql: """
                INSERT INTO run(commitSha, branch, scenario, environment, tool, toolVersion, format, startedAt,
                    durationSeconds, vus, maxVUs, ingestedAt, attempt, contentDigest, perfgateVersion)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """).execute(arguments: [
                c.sha, c.branch, context.scenario, context.environment, result.tool, result.toolVersion,
                result.format, result.startedAt, result.durationSeconds, result.load.vus, result.load.maxVUs,
                context.ingestedAt, attempt + 1, digest, context.perfgateVersion,
            ])
        let runId = db.lastInsertedRowID
        var tags = result.tags
        for (k, v) in context.tags { tags[k] = v }
        for (k, v) in tags.sorted(by: { $0.key < $1.key }) {
            try db.cachedStatement(sql: "INSERT INTO runTag(runId, key, value) VALUES (?, ?, ?)").execute(arguments: [runId, k, v])
        }
        for s in context.sources {
            try db.cachedStatement(sql: "INSERT OR REPLACE INTO runSource(runId, path, digest, bytes) VALUES (?, ?, ?, ?)").execute(arguments: [runId, s.path, s.digest, s.bytes])
        }
        for series in result.series.sorted(by: { $0.key < $1.key }) {
            let seriesId = try seriesID(series, scenario: context.scenario, db: db)
            for (stat, value) in series.stats.sorted(by: { $0.key < $1.key }) {
                guard value.isFinite else {
                    throw StoreError.writeFailed(path: "store", reason: "non-finite \(stat) in \(series.key)")
                }
                try db.cachedStatement(sql: "INSERT INTO measurement(runId, seriesId, statistic, value) VALUES (?, ?, ?, ?)").execute(arguments: [runId, seriesId, stat.rawValue, value])
            }
            if let d = series.distribution, !d.isEmpty {
                try db.cachedStatement(sql: "INSERT INTO distribution(runId, seriesId, sampleCount, encoding) VALUES (?, ?, ?, ?)").execute(arguments: [runId, seriesId, Int64(d.count), d.encoded])
            }
        }
        for t in result.thresholds {
            try db.cachedStatement(sql: "INSERT OR REPLACE INTO threshold(runId, metric, expression, passed) VALUES (?, ?, ?, ?)").execute(arguments: [runId, t.metric, t.expression, t.passed])
        }
        for k in result.checks {
            try db.cachedStatement(sql: """
                    INSERT INTO checkResult(runId, groupPath, name, passes, fails) VALUES (?, ?, ?, ?, ?)
                    ON CONFLICT DO UPDATE SET passes = passes + excluded.passes, fails = fails + excluded.fails
                    """).execute(arguments: [runId, k.group, k.name, k.passes, k.fails])
        }
        for e in result.errors {
            try db.cachedStatement(sql: """
                    INSERT INTO errorSummary(runId, endpoint, message, occurrences) VALUES (?, ?, ?, ?)
                    ON CONFLICT DO UPDATE SET occurrences = occurrences + excluded.occurrences
                    """).execute(arguments: [runId, e.endpoint, e.message, e.occurrences])
        }
        if context.profile != nil || context.workers != nil {
            try db.cachedStatement(sql: "INSERT INTO runLoad(runId, profile, workers) VALUES (?, ?, ?)").execute(arguments: [runId, context.profile, context.workers])
        }
        if let t = result.timeline {
            try db.cachedStatement(sql: "INSERT INTO runTimeline(runId, bucketSeconds, offsetSeconds) VALUES (?, ?, ?)").execute(arguments: [runId, t.bucketSeconds, t.offsetSeconds])
            let statement = try db.cachedStatement(
                sql: """
                    INSERT INTO timelineBucket(runId, endpoint, idx, requests, errors, p50, p95, users)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    """)
            for b in t.buckets {
                try statement.execute(arguments: [runId, b.endpoint, b.index, b.requests, b.errors, b.p50, b.p95, b.users])
            }
        }
        if let server = result.serverSeries { try insertServerSamples(server, runId: runId, db: db) }
        return .inserted(runId: runId, attempt: attempt + 1)
    }

    static func seriesID(_ s: SeriesResult, scenario: String, db: Database) throws -> Int64 {
        if let row = try Row.fetchOne(
            db.cachedStatement(sql: "SELECT id, unit FROM series WHERE scenario = ? AND endpoint = ? AND metric = ?"),
            arguments: [scenario, s.key.endpoint, s.key.metric])
        {
            let unit: String = row["unit"]
            if unit != s.unit.rawValue {
                throw StoreError.seriesUnitConflict(
                    series: "\(scenario)/\(s.key)", stored: unit, incoming: s.unit.rawValue)
            }
            return row["id"]
        }
        try db.cachedStatement(sql: "INSERT INTO series(scenario, endpoint, metric, unit, direction) VALUES (?, ?, ?, ?, ?)").execute(arguments: [scenario, s.key.endpoint, s.key.metric, s.unit.rawValue, s.direction.rawValue])
        return db.lastInsertedRowID
    }
}
