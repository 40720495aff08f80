import Foundation
import PerfgateCore
import PerfgateEngine
import PostgresNIO

/// The port's writes: the same rows as the SQLite store's (Sources/PerfgateStore/PerfgateStore+Insert.swift),
/// with the per-row tables written as arrays (`unnest`) in one statement each.
extension PostgresStore: HistoryStore {
    public var location: String? { postgres.redacted }

    public func insertAll(_ runs: [RunToStore]) throws -> [InsertOutcome] {
        try transaction { try runs.map { try insert($0.run, context: $0.context) } }
    }

    func insert(_ result: IngestedRun, context: RunContext) throws -> InsertOutcome {
        let c = context.commit
        let digest = context.contentDigest
        let lane = "\(c.sha)\n\(context.scenario)\n\(context.environment)"
        // Concurrent writers of the same commit, scenario and environment take turns (until commit), so the
        // duplicate check and the attempt number see each other's runs.
        try execute("SELECT pg_advisory_xact_lock(hashtextextended(\(lane), 0))")
        if let existing = try execute(
            """
            SELECT id FROM run WHERE commitSha = \(c.sha) AND scenario = \(context.scenario)
            AND environment = \(context.environment) AND contentDigest = \(digest)
            """
        ).first {
            return .duplicate(runId: try existing.decode(Int64.self))
        }
        try execute(
            """
            INSERT INTO "commit"(sha, committedAt, parentSha) VALUES (\(c.sha), \(Self.stored(c.committedAt)), \(c.parentSha))
            ON CONFLICT (sha) DO UPDATE SET
                committedAt = coalesce("commit".committedAt, excluded.committedAt),
                parentSha = coalesce("commit".parentSha, excluded.parentSha)
            """)
        let attempt =
            try execute(
                """
                SELECT count(*) FROM run WHERE commitSha = \(c.sha) AND scenario = \(context.scenario)
                AND environment = \(context.environment)
                """
            ).first.map { try $0.decode(Int64.self) } ?? 0
        let vus = result.load.vus.map(Int64.init)
        let maxVUs = result.load.maxVUs.map(Int64.init)
        guard
            let runRow = try execute(
                """
                INSERT INTO run(commitSha, branch, scenario, environment, tool, toolVersion, format, startedAt,
                    durationSeconds, vus, maxVUs, ingestedAt, attempt, contentDigest, perfgateVersion)
                VALUES (\(c.sha), \(c.branch), \(context.scenario), \(context.environment), \(result.tool),
                    \(result.toolVersion), \(result.format), \(Self.stored(result.startedAt)), \(result.durationSeconds),
                    \(vus), \(maxVUs), \(Self.stored(context.ingestedAt)), \(attempt + 1), \(digest),
                    \(context.perfgateVersion))
                RETURNING id
                """
            ).first
        else { throw StoreError.writeFailed(path: postgres.redacted, reason: "the server returned no run id") }
        let runId = try runRow.decode(Int64.self)
        var tags = result.tags
        for (k, v) in context.tags { tags[k] = v }
        if !tags.isEmpty {
            let sorted = tags.sorted { $0.key < $1.key }
            try execute(
                """
                INSERT INTO runTag(runId, key, value)
                SELECT \(runId), k, v FROM unnest(\(sorted.map(\.key))::text[], \(sorted.map(\.value))::text[]) AS t(k, v)
                """)
        }
        if !context.sources.isEmpty {
            try execute(
                """
                INSERT INTO runSource(runId, path, digest, bytes)
                SELECT \(runId), p, d, b FROM unnest(\(context.sources.map(\.path))::text[], \(context.sources.map(\.digest))::text[],
                    \(context.sources.map(\.bytes))::bigint[]) AS s(p, d, b)
                ON CONFLICT (runId, path) DO UPDATE SET digest = excluded.digest, bytes = excluded.bytes
                """)
        }
        var measurementSeries: [Int64] = []
        var measurementStatistics: [String] = []
        var measurementValues: [Double] = []
        let sortedSeries = result.series.sorted(by: { $0.key < $1.key })
        for (series, seriesId) in zip(sortedSeries, try seriesIDs(sortedSeries, scenario: context.scenario)) {
            for (stat, value) in series.stats.sorted(by: { $0.key < $1.key }) {
                guard value.isFinite else {
                    throw StoreError.writeFailed(path: "store", reason: "non-finite \(stat) in \(series.key)")
                }
                measurementSeries.append(seriesId)
                measurementStatistics.append(stat.rawValue)
                measurementValues.append(value)
            }
            if let d = series.distribution, !d.isEmpty {
                try execute(
                    """
                    INSERT INTO distribution(runId, seriesId, sampleCount, encoding)
                    VALUES (\(runId), \(seriesId), \(Int64(d.count)), \(d.encoded))
                    """)
            }
        }
        try insertMeasurements(runId: runId, series: measurementSeries, statistics: measurementStatistics, values: measurementValues)
        for t in result.thresholds {
            try execute(
                """
                INSERT INTO threshold(runId, metric, expression, passed) VALUES (\(runId), \(t.metric), \(t.expression), \(t.passed))
                ON CONFLICT (runId, metric, expression) DO UPDATE SET passed = excluded.passed
                """)
        }
        for k in result.checks {
            try execute(
                """
                INSERT INTO checkResult(runId, groupPath, name, passes, fails)
                VALUES (\(runId), \(k.group), \(k.name), \(Int64(k.passes)), \(Int64(k.fails)))
                ON CONFLICT (runId, groupPath, name) DO UPDATE
                SET passes = checkResult.passes + excluded.passes, fails = checkResult.fails + excluded.fails
                """)
        }
        for e in result.errors {
            try execute(
                """
                INSERT INTO errorSummary(runId, endpoint, message, occurrences) VALUES (\(runId), \(e.endpoint), \(e.message), \(Int64(e.occurrences)))
                ON CONFLICT (runId, endpoint, message) DO UPDATE SET occurrences = errorSummary.occurrences + excluded.occurrences
                """)
        }
        if context.profile != nil || context.workers != nil {
            try execute(
                "INSERT INTO runLoad(runId, profile, workers) VALUES (\(runId), \(context.profile), \(context.workers.map(Int64.init)))")
        }
        if let t = result.timeline {
            try execute(
                "INSERT INTO runTimeline(runId, bucketSeconds, offsetSeconds) VALUES (\(runId), \(t.bucketSeconds), \(t.offsetSeconds))")
            if !t.buckets.isEmpty {
                // NaN stands for "no value" in the arrays (NULLIF turns it back into NULL).
                try execute(
                    """
                    INSERT INTO timelineBucket(runId, endpoint, idx, requests, errors, p50, p95, users)
                    SELECT \(runId), e, i, r, x, NULLIF(p, 'NaN'), NULLIF(q, 'NaN'), NULLIF(u, 'NaN')
                    FROM unnest(\(t.buckets.map(\.endpoint))::text[], \(t.buckets.map { Int64($0.index) })::bigint[],
                        \(t.buckets.map(\.requests))::float8[], \(t.buckets.map(\.errors))::float8[],
                        \(t.buckets.map { $0.p50 ?? .nan })::float8[], \(t.buckets.map { $0.p95 ?? .nan })::float8[],
                        \(t.buckets.map { $0.users ?? .nan })::float8[]) AS b(e, i, r, x, p, q, u)
                    """)
            }
        }
        if let server = result.serverSeries { try insertServerSamples(server, runId: runId) }
        return .inserted(runId: runId, attempt: Int(attempt) + 1)
    }

    func insertMeasurements(runId: Int64, series: [Int64], statistics: [String], values: [Double]) throws {
        guard !series.isEmpty else { return }
        try execute(
            """
            INSERT INTO measurement(runId, seriesId, statistic, value)
            SELECT \(runId), s, t, v FROM unnest(\(series)::bigint[], \(statistics)::text[], \(values)::float8[]) AS m(s, t, v)
            """)
    }

    func insertServerSamples(_ series: [ServerSeries], runId: Int64) throws {
        var names: [String] = []
        var indices: [Int64] = []
        var times: [Double] = []
        var values: [Double] = []
        for s in series.sorted(by: { $0.name < $1.name }) {
            for (i, p) in s.samples.enumerated() {
                names.append(s.name)
                indices.append(Int64(i))
                times.append(p.time)
                values.append(p.value)
            }
        }
        guard !names.isEmpty else { return }
        try execute(
            """
            INSERT INTO serverSample(runId, name, idx, time, value)
            SELECT \(runId), n, i, t, v FROM unnest(\(names)::text[], \(indices)::bigint[], \(times)::float8[], \(values)::float8[]) AS s(n, i, t, v)
            """)
    }

    /// The ids of the series (sorted by key), those not stored yet created, in two statements whatever
    /// their number: one insert of the missing ones (a unique constraint, not check-then-insert, so
    /// concurrent writers of a new series create it once), then one read of all their ids, in a
    /// statement of its own so that it sees series another transaction committed meanwhile. A series
    /// stored in another unit is refused, the first in key order, as the SQLite store does.
    func seriesIDs(_ series: [SeriesResult], scenario: String) throws -> [Int64] {
        guard !series.isEmpty else { return [] }
        let endpoints = series.map(\.key.endpoint)
        let metrics = series.map(\.key.metric)
        try execute(
            """
            INSERT INTO series(scenario, endpoint, metric, unit, direction)
            SELECT \(scenario), e, m, u, d
            FROM unnest(\(endpoints)::text[], \(metrics)::text[], \(series.map(\.unit.rawValue))::text[],
                \(series.map(\.direction.rawValue))::text[]) WITH ORDINALITY AS w(e, m, u, d, o)
            ORDER BY o
            ON CONFLICT (scenario, endpoint, metric) DO NOTHING
            """)
        var found: [Int64: (id: Int64, unit: String)] = [:]
        for row in try execute(
            """
            SELECT w.o, s.id, s.unit
            FROM unnest(\(endpoints)::text[], \(metrics)::text[]) WITH ORDINALITY AS w(e, m, o)
            JOIN series s ON s.scenario = \(scenario) AND s.endpoint = w.e AND s.metric = w.m
            """)
        {
            let (ordinal, id, unit) = try row.decode((Int64, Int64, String).self)
            found[ordinal] = (id, unit)
        }
        return try series.enumerated().map { i, s in
            guard let (id, unit) = found[Int64(i + 1)] else {
                throw StoreError.writeFailed(path: postgres.redacted, reason: "series \(scenario)/\(s.key) vanished")
            }
            if unit != s.unit.rawValue {
                throw StoreError.seriesUnitConflict(series: "\(scenario)/\(s.key)", stored: unit, incoming: s.unit.rawValue)
            }
            return id
        }
    }
}

extension PostgresStore: ServerSeriesAttaching {
    /// As the SQLite store's (Sources/PerfgateStore/PerfgateStore+ServerMetrics.swift), in one
    /// transaction; two attachments of the same series at once store it once (the measurement's primary
    /// key refuses the second).
    public func attachServerSeries(
        runId: Int64, scenario: String, summaries: [SeriesResult], samples: [ServerSeries], source: SourceFile
    ) throws {
        try transaction {
            let sorted = summaries.sorted(by: { $0.key < $1.key })
            let ids = try seriesIDs(sorted, scenario: scenario)
            let present = Set(
                try execute("SELECT seriesId FROM measurement WHERE runId = \(runId) AND seriesId = ANY(\(ids)::bigint[])")
                    .map { try $0.decode(Int64.self) })
            var measurementSeries: [Int64] = []
            var statistics: [String] = []
            var values: [Double] = []
            for (s, id) in zip(sorted, ids) {
                if present.contains(id) {
                    throw StoreError.writeFailed(
                        path: "store", reason: "run \(runId) already has the series \(s.key.metric); nothing was stored")
                }
                for (stat, value) in s.stats.sorted(by: { $0.key < $1.key }) where value.isFinite {
                    measurementSeries.append(id)
                    statistics.append(stat.rawValue)
                    values.append(value)
                }
            }
            try insertMeasurements(runId: runId, series: measurementSeries, statistics: statistics, values: values)
            try insertServerSamples(samples, runId: runId)
            try execute(
                """
                INSERT INTO runSource(runId, path, digest, bytes) VALUES (\(runId), \(source.path), \(source.digest), \(source.bytes))
                ON CONFLICT (runId, path) DO UPDATE SET digest = excluded.digest, bytes = excluded.bytes
                """)
        }
    }
}
