import ArgumentParser
import Foundation
import PerfgateCore
import PerfgateStore

extension PerfgateCommand {
    struct Query: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "query",
            abstract: "Run a read-only SQL query over the documented views.",
            discussion: """
                Views: runs, measurements, series_stats, thresholds, checks (see docs/query.md). \
                Statements that would write are refused.

                Example:
                  perfgate query "SELECT commit_sha, endpoint, p95 FROM series_stats WHERE branch = 'main'"
                """)

        @Argument(help: ArgumentHelp("The SQL statement.", valueName: "sql")) var sql: String
        @Option(help: "Output: table, csv or json.") var format: TabularFormat = .table
        @OptionGroup var storeOptions: StoreOptions

        func run() async throws {
            try await withDiagnostics {
                let store = try storeOptions.openForReading()
                let r = try store.query(sql)
                let values: [[Cell]] = r.rows.map { row in
                    row.map {
                        switch $0 {
                        case .null: return .null
                        case .integer(let i): return .integer(i)
                        case .real(let d): return .number(d)
                        case .text(let s): return .text(s)
                        case .blob(let d): return .text(d.base64EncodedString())
                        }
                    }
                }
                let t = Tabular(columns: r.columns, rows: r.rows.map { $0.map(\.text) }, values: values)
                Console.out(t.render(format))
            }
        }
    }

    struct Store: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "store",
            abstract: "Show where the store is and what it holds.",
            discussion: """
                Example:
                  perfgate store --store .perfgate/history.sqlite
                """)
        @OptionGroup var storeOptions: StoreOptions

        func run() async throws {
            try await withDiagnostics {
                let store = try storeOptions.openForReading()
                let c = try store.counts()
                Console.out(
                    """
                    store \(store.path)
                    schema \(try store.appliedMigrations().joined(separator: ", "))
                    \(c.commits) commits, \(c.runs) runs, \(c.series) series, \(c.measurements) measurements
                    """)
            }
        }
    }
}
