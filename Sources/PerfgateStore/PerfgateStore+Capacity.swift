import Foundation
import GRDB
import PerfgateCore

extension PerfgateStore {
    /// The `--profile`/`--workers` labels of `runIds`; runs ingested without either are absent.
    public func loadLabels(runIds: [Int64]) throws -> [Int64: RunLoadLabel] {
        guard !runIds.isEmpty else { return [:] }
        return try wrap {
            try writer.read { db in
                var out: [Int64: RunLoadLabel] = [:]
                let marks = Array(repeating: "?", count: runIds.count).joined(separator: ", ")
                let rows = try Row.fetchCursor(
                    db, sql: "SELECT runId, profile, workers FROM runLoad WHERE runId IN (\(marks))",
                    arguments: StatementArguments(runIds))
                while let r = try rows.next() { out[r[0]] = RunLoadLabel(profile: r[1], workers: r[2]) }
                return out
            }
        }
    }
}
