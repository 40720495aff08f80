import ArgumentParser
import Foundation
import PerfgateCore
import PerfgateEngine
import PerfgateStore

extension PerfgateCommand {
    struct Query: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "query",
            abstract: "Run a read-only SQL query over the documented views.",
            discussion: """
                Views: runs, measurements, series_stats, thresholds, checks, timeline, run_loads, \
                server_samples, change_points (see docs/query.md). On a SQLite store the statement runs \
                on a read-only connection of its own: anything that would write, ATTACH, extension \
                functions and pragmas other than table_info are refused (exit 64). On PostgreSQL it \
                runs alone in a READ ONLY transaction that is rolled back; statements other than \
                SELECT, WITH, VALUES, TABLE, EXPLAIN and SHOW are refused (exit 64). Either way it is \
                stopped after --timeout seconds. CSV and JSON stream every row; the table shows the \
                first \(Self.tableRowLimit) rows.

                Example:
                  perfgate query "SELECT commit_sha, endpoint, p95 FROM series_stats WHERE branch = 'main'"
                """)

        /// Rows a table holds in memory before it stops (CSV and JSON stream every row).
        static let tableRowLimit = 10_000

        @Argument(help: ArgumentHelp("The SQL statement.", valueName: "sql")) var sql: String
        @Option(help: "Output: table, csv or json.") var format: TabularFormat = .table
        @Option(help: ArgumentHelp("Stop the statement after this many seconds.", valueName: "seconds"))
        var timeout: Double = QueryLimits.defaultTimeout
        @OptionGroup var storeOptions: StoreOptions

        func validate() throws {
            guard timeout > 0, timeout.isFinite else { throw ValidationError("--timeout must be a positive number of seconds") }
        }

        func run() async throws {
            try await withDiagnostics {
                let store = try storeOptions.openForReading()
                let limits = QueryLimits(timeout: timeout)
                switch format {
                case .table:
                    var columns: [String] = []
                    var rows: [[QueryValue]] = []
                    var truncated = false
                    do {
                        try await store.query(
                            sql, limits: limits, columns: { columns = $0 },
                            row: { row in
                                guard rows.count < Self.tableRowLimit else { throw TableFull() }
                                rows.append(row)
                            })
                    } catch is TableFull {
                        truncated = true
                    }
                    let t = Tabular(columns: columns, rows: rows.map { $0.map(\.text) }, values: rows.map { $0.map(Self.cell) })
                    Console.out(t.render(.table))
                    if truncated {
                        Console.err(
                            "note: more than \(Self.tableRowLimit) rows; the table shows the first \(Self.tableRowLimit) (--format csv or json streams every row)")
                    }
                case .csv:
                    try await store.query(
                        sql, limits: limits, columns: { Console.out(Tabular.csvLine($0)) },
                        row: { Console.out(Tabular.csvLine($0.map { Self.cell($0).display })) })
                case .json:
                    var columns: [String] = []
                    var first = true
                    Console.write("[")
                    try await store.query(
                        sql, limits: limits, columns: { columns = $0 },
                        row: { row in
                            let object = encodeJSON(Tabular.JSONRow(columns: columns, cells: row.map(Self.cell)))
                            Console.write((first ? "\n" : ",\n") + object.split(separator: "\n", omittingEmptySubsequences: false).map { "  " + $0 }.joined(separator: "\n"))
                            first = false
                        })
                    Console.out(first ? "]" : "\n]")
                }
            }
        }

        private struct TableFull: Error {}

        static func cell(_ value: QueryValue) -> Cell {
            switch value {
            case .null: return .null
            case .integer(let i): return .integer(i)
            case .real(let d): return .number(d)
            case .text(let s): return .text(s)
            case .blob(let d): return .text(d.base64EncodedString())
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
                    store \(store.location ?? storeOptions.resolvedPath)
                    schema \(try store.appliedMigrations().joined(separator: ", "))
                    \(c.commits) commits, \(c.runs) runs, \(c.series) series, \(c.measurements) measurements
                    """)
            }
        }
    }
}
