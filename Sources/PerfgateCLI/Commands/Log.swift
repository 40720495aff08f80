import ArgumentParser
import Foundation
import PerfgateCore
import PerfgateEngine

extension PerfgateCommand {
    struct Log: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "log",
            abstract: "Show one statistic of a series over commits, oldest first.",
            discussion: """
                The endpoint is a glob (* and ?), matched against 'METHOD name' for Locust and k6 points, \
                and against the k6 name tag for k6 summaries. Statistics: p50, p90, p95, p99, p(99.9), mean, \
                min, max, count, errors, error_rate, throughput, value.

                With a commit (a SHA or prefix of a stored one, or a revision git resolves: HEAD~3, a branch, \
                a tag), the history ends at that commit, as `git log REV` does.

                Example:
                  perfgate log --endpoint 'GET /api/*' --stat p95 --branch main --last 10
                  perfgate log HEAD~1 --endpoint 'GET /api/*' --last 5
                """)

        @Argument(help: ArgumentHelp("Show the history up to this commit (SHA, prefix, branch, HEAD~1).", valueName: "commit"))
        var revision: String?
        @Option(help: ArgumentHelp("Endpoint glob.", valueName: "glob")) var endpoint: String?
        @Option(help: "Metric name.") var metric: String = SeriesKey.requestLatencyMetric
        @Option(name: .customLong("stat"), help: "Statistic.") var statistic: String = "p95"
        @Option(help: "Only this branch.") var branch: String?
        @Option(help: "Only this scenario.") var scenario: String?
        @Option(help: "Only this environment.") var environment: String?
        @Option(help: "Only the last N commits.") var last: Int?
        @Option(help: "Output: table, csv or json.") var format: TabularFormat = .table
        @OptionGroup var storeOptions: StoreOptions

        func validate() throws {
            guard Statistic.parse(statistic) != nil else {
                throw ValidationError("unknown statistic '\(statistic)'; try p95, mean, error_rate or throughput")
            }
        }

        func run() async throws {
            try await withDiagnostics {
                let store: any HistoryStore = try storeOptions.openForReading()
                let stat = Statistic.parse(statistic) ?? .p95
                let points = try HistoryLog(store: store, git: GitCLI()).points(
                    LogQuery(
                        endpoint: endpoint, metric: metric, statistic: stat, branch: branch, scenario: scenario,
                        environment: environment, lastCommits: last),
                    upTo: revision)
                if points.isEmpty {
                    Console.note("no values for \(metric) \(stat) matching these filters")
                }
                let rows = points.map { p in
                    [
                        p.commitSha.prefix(8).description, Formatting.timestamp(p.committedAt), p.branch, p.scenario,
                        p.endpoint.isEmpty ? "(all)" : p.endpoint, p.statistic.rawValue,
                        Formatting.value(p.value, unit: p.statistic.unit(seriesUnit: p.unit)),
                        String(p.runId),
                    ]
                }
                let values: [[Cell]] = points.map { p in
                    [
                        .text(p.commitSha), Formatting.iso(p.committedAt).map(Cell.text) ?? .null, .text(p.branch),
                        .text(p.scenario), .text(p.endpoint), .text(p.statistic.rawValue), .number(p.value), .text(p.unit.rawValue),
                        .integer(p.runId),
                    ]
                }
                var t = Tabular(
                    columns: ["commit", "committed", "branch", "scenario", "endpoint", "stat", "value", "run"],
                    rows: rows, values: values, numeric: [6, 7])
                if format != .table {
                    t.columns = ["commit", "committed", "branch", "scenario", "endpoint", "stat", "value", "unit", "run"]
                }
                Console.out(t.render(format))
            }
        }
    }
}
