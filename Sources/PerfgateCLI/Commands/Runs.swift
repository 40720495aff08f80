import ArgumentParser
import Foundation
import PerfgateCore
import PerfgateEngine

extension PerfgateCommand {
    struct Runs: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "runs",
            abstract: "List stored runs, newest commit first.",
            discussion: """
                Example:
                  perfgate runs --branch main --last 20 --format csv
                """)

        @Option(help: "Only this branch.") var branch: String?
        @Option(help: "Only this scenario.") var scenario: String?
        @Option(help: "Only this environment.") var environment: String?
        @Option(help: "Only this commit (SHA or prefix).") var commit: String?
        @Option(help: "Only the newest N runs.") var last: Int?
        @Option(help: "Output: table, csv or json.") var format: TabularFormat = .table
        @OptionGroup var storeOptions: StoreOptions

        func run() async throws {
            try await withDiagnostics {
                let store: any HistoryStore = try storeOptions.openForReading()
                let runs = try store.runs(
                    RunFilter(branch: branch, scenario: scenario, environment: environment, commit: commit, limit: last))
                Console.out(Self.tabular(runs).render(format))
            }
        }

        static func tabular(_ runs: [StoredRun]) -> Tabular {
            let columns = [
                "run", "commit", "branch", "committed", "scenario", "environment", "tool", "format", "vus",
                "duration_s", "attempt",
            ]
            let rows = runs.map { r in
                [
                    String(r.id), r.commit.shortSha, r.commit.branch, Formatting.timestamp(r.commit.committedAt),
                    r.scenario, r.environment, r.tool + (r.toolVersion.map { " " + $0 } ?? ""), r.format,
                    r.vus.map(String.init) ?? "", r.durationSeconds.map { Formatting.fixed($0, 1) } ?? "",
                    String(r.attempt),
                ]
            }
            let values: [[Cell]] = runs.map { r in
                [
                    .integer(r.id), .text(r.commit.sha), .text(r.commit.branch),
                    Formatting.iso(r.commit.committedAt).map(Cell.text) ?? .null, .text(r.scenario),
                    .text(r.environment), .text(r.tool), .text(r.format), r.vus.map { .integer(Int64($0)) } ?? .null,
                    r.durationSeconds.map(Cell.number) ?? .null, .integer(Int64(r.attempt)),
                ]
            }
            return Tabular(columns: columns, rows: rows, values: values, numeric: [0, 8, 9, 10])
        }
    }
}
