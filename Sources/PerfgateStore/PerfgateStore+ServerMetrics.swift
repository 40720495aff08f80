import Foundation
import GRDB
import PerfgateCore
import PerfgateEngine

/// Server-side series of a run (docs/server-metrics.md): their statistics are measurements of
/// ordinary series (endpoint `""`), their samples rows of `serverSample`.
extension PerfgateStore {
    static func insertServerSamples(_ series: [ServerSeries], runId: Int64, db: Database) throws {
        let statement = try db.cachedStatement(
            sql: "INSERT INTO serverSample(runId, name, idx, time, value) VALUES (?, ?, ?, ?, ?)")
        for s in series.sorted(by: { $0.name < $1.name }) {
            for (i, p) in s.samples.enumerated() {
                try statement.execute(arguments: [runId, s.name, i, p.time, p.value])
            }
        }
    }

    /// Adds server-side series to a stored run (`ingest --attach-to`), in one transaction: the
    /// statistics, the samples and the source file. Refuses a series the run already has.
    public func attachServerSeries(
        runId: Int64, scenario: String, summaries: [SeriesResult], samples: [ServerSeries], source: SourceFile
    ) throws {
        try wrap {
            try writer.write { db in
                for s in summaries.sorted(by: { $0.key < $1.key }) {
                    let seriesId = try Self.seriesID(s, scenario: scenario, db: db)
                    let present = try Int.fetchOne(
                        db, sql: "SELECT count(*) FROM measurement WHERE runId = ? AND seriesId = ?", arguments: [runId, seriesId]) ?? 0
                    if present > 0 {
                        throw StoreError.writeFailed(
                            path: "store", reason: "run \(runId) already has the series \(s.key.metric); nothing was stored")
                    }
                    for (stat, value) in s.stats.sorted(by: { $0.key < $1.key }) where value.isFinite {
                        try db.execute(
                            sql: "INSERT INTO measurement(runId, seriesId, statistic, value) VALUES (?, ?, ?, ?)",
                            arguments: [runId, seriesId, stat.rawValue, value])
                    }
                }
                try Self.insertServerSamples(samples, runId: runId, db: db)
                try db.execute(
                    sql: "INSERT OR REPLACE INTO runSource(runId, path, digest, bytes) VALUES (?, ?, ?, ?)",
                    arguments: [runId, source.path, source.digest, source.bytes])
            }
        }
    }

    /// The server-side series of a run with their samples, by name; units from the series table.
    public func serverSeries(runId: Int64) throws -> [ServerSeries] {
        try wrap { try writer.read { db in try Self.serverSeries(runId: runId, db: db, path: path) ?? [] } }
    }

    /// Nil when the run has none (every run but those with attached Prometheus files).
    static func serverSeries(runId: Int64, db: Database, path: String) throws -> [ServerSeries]? {
        let rows = try Row.fetchAll(
            db,
            sql: """
                SELECT s.name, s.time, s.value, se.unit, se.direction
                FROM serverSample s JOIN run r ON r.id = s.runId
                LEFT JOIN series se ON se.scenario = r.scenario AND se.endpoint = '' AND se.metric = s.name
                WHERE s.runId = ? ORDER BY s.name, s.idx
                """, arguments: [runId])
        var out: [ServerSeries] = []
        for row in rows {
            let name: String = row[0]
            let sample = ServerSample(time: row[1], value: row[2])
            if out.last?.name == name {
                out[out.count - 1].samples.append(sample)
            } else {
                // Samples without summary statistics have no series row: a plain, lower-is-better series.
                // A series row the store cannot read is an error, never a guessed default.
                let (unit, direction) = try StoredValue.serverSeries(
                    unit: row[3], direction: row[4], name: name, run: runId, store: path)
                out.append(ServerSeries(name: name, unit: unit, direction: direction, samples: [sample]))
            }
        }
        return out.isEmpty ? nil : out
    }
}

extension PerfgateStore: ServerSeriesAttaching {}
