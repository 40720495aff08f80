import ArgumentParser
import Foundation
import PerfgateCore
import PerfgateEngine

extension PerfgateCommand {
    struct Detect: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "detect",
            abstract: "Find the commits where a series' level moved (change points), for the base branch.",
            discussion: """
                Runs E-Divisive means with a Welch significance test over each series' history (one point \
                per commit): minimum segment 3, p ≤ 0.001, minimum magnitude 2 %, a local-window scan \
                that finds short regress-then-fix bumps, then a merge pass (docs/statistics.md). By default \
                the newest \(ChangePointDetection.defaultLastCommits) commits of the branch are analysed (seconds for a few \
                hundred series of that length); --last N takes fewer, --all the whole history. Pull-request gates \
                cannot see slow drifts; this can. Results are stored so reports mark them.

                Examples:
                  perfgate detect --branch main --stat p95 --stat p99
                  perfgate detect --all
                """)
        @Option(help: "Branch to analyse.") var branch: String = "main"
        @Option(help: "Only this scenario.") var scenario: String?
        @Option(help: "Only this environment.") var environment: String?
        @Option(help: ArgumentHelp("Only endpoints matching this glob.", valueName: "glob")) var endpoint: String?
        @Option(help: "Only this metric (default: every metric).") var metric: String?
        @Option(name: .customLong("stat"), help: "Statistics to analyse (repeatable; default p50, p95, p99, throughput, error_rate).")
        var stats: [String] = []
        @Option(help: ArgumentHelp("Minimum segment length.", valueName: "n")) var minSize: Int = 3
        @Option(help: ArgumentHelp("Maximum p-value.", valueName: "p")) var pMax: Double = 0.001
        @Option(help: ArgumentHelp("Minimum magnitude as a fraction (0.02 = 2 %).", valueName: "f")) var minMagnitude: Double = 0.02
        @Option(
            help: ArgumentHelp(
                "Analyse the newest n commits of the branch (default \(ChangePointDetection.defaultLastCommits)).", valueName: "n"))
        var last: Int?
        @Flag(help: "Analyse the whole history (no limit on commits).") var all = false
        @Flag(help: "Do not store the result.") var dryRun = false
        @Option(help: "Output: table, csv or json.") var format: TabularFormat = .table
        @OptionGroup var storeOptions: StoreOptions

        func validate() throws {
            for s in stats where Statistic.parse(s) == nil { throw ValidationError("unknown statistic '\(s)'") }
            if minSize < 2 { throw ValidationError("--min-size must be at least 2") }
            if let n = last, n < 1 { throw ValidationError("--last must be at least 1") }
            if all && last != nil { throw ValidationError("--last and --all exclude each other") }
        }

        func run() async throws {
            try await withDiagnostics {
                let store: any HistoryStore = dryRun ? try storeOptions.openForReading() : try storeOptions.openForWriting()
                var options = ChangePointDetection.defaultOptions
                options.minSize = minSize
                options.pMax = pMax
                options.minMagnitude = minMagnitude
                let result = try DetectEngine(store: store).run(
                    DetectEngine.Request(
                        branch: branch, scenario: scenario, environment: environment, endpoint: endpoint, metric: metric,
                        statistics: stats.isEmpty ? ChangePointDetection.defaultStatistics : stats.compactMap(Statistic.parse),
                        options: options, lastCommits: all ? nil : (last ?? ChangePointDetection.defaultLastCommits), store: !dryRun))
                let (analysed, found) = (result.analysed, result.found)
                let rows = found.map { c -> [String] in
                    let unit = MetricUnit.milliseconds
                    let u = Statistic(rawValue: c.statistic).unit(seriesUnit: c.metric == SeriesKey.requestLatencyMetric ? unit : .none)
                    return [
                        c.scenario, c.endpoint.isEmpty ? "(all)" : c.endpoint, c.metric == SeriesKey.requestLatencyMetric ? c.statistic : "\(c.metric) \(c.statistic)",
                        String(c.commitSha.prefix(8)), Formatting.value(c.before, unit: u), Formatting.value(c.after, unit: u),
                        Formatting.signedPercent(c.relativeChange), Formatting.pValue(c.pValue),
                        c.isRegression ? "regression" : "improvement", c.settled ? "" : "unsettled",
                    ]
                }
                let values: [[Cell]] = found.map { c in
                    [
                        .text(c.scenario), .text(c.environment), .text(c.endpoint), .text(c.metric), .text(c.statistic), .text(c.commitSha),
                        .text(c.previousSha), .number(c.before), .number(c.after), .number(c.relativeChange), .number(c.pValue),
                        .bool(c.isRegression), .bool(c.settled),
                    ]
                }
                var t = Tabular(columns: ["scenario", "endpoint", "stat", "commit", "before", "after", "delta", "p", "kind", "note"], rows: rows, values: values, numeric: [4, 5, 6, 7])
                if format != .table {
                    t.columns = ["scenario", "environment", "endpoint", "metric", "statistic", "commit", "previous_commit", "before", "after", "relative_change", "p_value", "regression", "settled"]
                }
                if format == .table {
                    Console.out("analysed \(analysed.count) series on \(branch); \(found.count) change points\(dryRun ? " (not stored)" : "")\n")
                }
                if !(format == .table && found.isEmpty) { Console.out(t.render(format)) }
            }
        }
    }
}
