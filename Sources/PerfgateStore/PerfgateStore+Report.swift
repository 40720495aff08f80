import Foundation
import GRDB
import PerfgateCore
import PerfgateEngine

extension PerfgateStore {
    /// Every run's stamp (``HistoryStore/runStamps()``), from its row, its commit's row and its source files,
    /// in one query: each field `quote()`d, separated by U+001F, source files by U+001E.
    public func runStamps() throws -> [Int64: String]? {
        try wrap {
            try writer.read { db in
                var out: [Int64: String] = [:]
                let rows = try Row.fetchCursor(
                    db,
                    sql: """
                        SELECT r.id, quote(r.contentDigest) || char(31) || quote(r.ingestedAt) || char(31) || quote(r.attempt)
                            || char(31) || quote(r.branch) || char(31) || quote(c.committedAt) || char(31)
                            || quote((SELECT group_concat(quote(s.path) || char(31) || quote(s.digest) || char(31) || quote(s.bytes), char(30))
                                      FROM (SELECT * FROM runSource WHERE runId = r.id ORDER BY path) s))
                        FROM run r JOIN "commit" c ON c.sha = r.commitSha
                        """)
                while let row = try rows.next() { out[row[0]] = row[1] }
                return out
            }
        }
    }

    /// Every (series, environment) pair that has measurements, sorted by scenario, environment, metric, endpoint.
    public func seriesOccurrences() throws -> [SeriesOccurrence] {
        try wrap {
            try writer.read { db in
                try Row.fetchAll(
                    db,
                    sql: """
                        SELECT s.id, s.scenario, r.environment, s.endpoint, s.metric, s.unit, s.direction
                        FROM series s
                        JOIN (SELECT DISTINCT m.seriesId, r.environment FROM measurement m JOIN run r ON r.id = m.runId) r
                          ON r.seriesId = s.id
                        ORDER BY s.scenario, r.environment, s.metric, s.endpoint
                        """
                ).map {
                    SeriesOccurrence(
                        seriesId: $0[0], scenario: $0[1], environment: $0[2], key: SeriesKey(endpoint: $0[3], metric: $0[4]),
                        unit: try storedUnit($0[5], series: $0[0]), direction: try storedDirection($0[6], series: $0[0]))
                }
            }
        }
    }

    /// The chosen statistics of one series over every run in one environment, streamed to `body` in run-id
    /// order (a cursor: nothing but the current row is held).
    public func seriesValues(
        seriesId: Int64, environment: String, statistics: [Statistic], _ body: (SeriesValue) throws -> Void
    ) throws {
        guard !statistics.isEmpty else { return }
        try wrap {
            try writer.read { db in
                let placeholders = Array(repeating: "?", count: statistics.count).joined(separator: ",")
                var args: [any DatabaseValueConvertible] = [seriesId, environment]
                args += statistics.map(\.rawValue)
                let rows = try Row.fetchCursor(
                    db,
                    sql: """
                        SELECT m.runId, m.statistic, m.value FROM measurement m JOIN run r ON r.id = m.runId
                        WHERE m.seriesId = ? AND r.environment = ? AND m.statistic IN (\(placeholders))
                        ORDER BY m.runId
                        """, arguments: StatementArguments(args))
                while let row = try rows.next() {
                    try body(SeriesValue(runId: row[0], statistic: Statistic(rawValue: row[1]), value: row[2]))
                }
            }
        }
    }
}
