import ArgumentParser
import Foundation
import PerfgateCore
import PerfgateStore

extension PerfgateCommand {
    struct Detect: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "detect",
            abstract: "Find the commits where a series' level moved (change points), for the base branch.",
            discussion: """
                Runs E-Divisive means with a Welch significance test over each series' history (one point \
                per commit, the last 200 commits): minimum segment 3, p ≤ 0.001, minimum magnitude 2 %, \
                then a merge pass (docs/statistics.md). Pull-request gates cannot see slow drifts; this \
                can. Results are stored so reports mark them.

                Example:
                  perfgate detect --branch main --stat p95 --stat p99
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
        @Flag(help: "Do not store the result.") var dryRun = false
        @Option(help: "Output: table, csv or json.") var format: TabularFormat = .table
        @OptionGroup var storeOptions: StoreOptions

        func validate() throws {
            for s in stats where Statistic.parse(s) == nil { throw ValidationError("unknown statistic '\(s)'") }
            if minSize < 2 { throw ValidationError("--min-size must be at least 2") }
        }

        func run() async throws {
            try await withDiagnostics {
                let store = dryRun ? try storeOptions.openForReading() : try storeOptions.openForWriting()
                let statistics = (stats.isEmpty ? ["p50", "p95", "p99", "throughput", "error_rate"] : stats).compactMap { Statistic.parse($0)?.rawValue }
                let histories = try store.seriesHistory(
                    branch: branch, scenario: scenario, environment: environment, metric: metric, statistics: statistics,
                    lastRuns: ChangePointDetection.maxPoints * 5)
                let options = Stats.ChangePoints.Options(minSize: minSize, pMax: pMax, minMagnitude: minMagnitude)
                var found: [DetectedChangePoint] = []
                var analysed: [(String, String, String, String, String, String)] = []
                for h in histories {
                    if let e = endpoint, !Glob.matches(e, h.endpoint) { continue }
                    analysed.append((h.scenario, h.environment, branch, h.endpoint, h.metric, h.statistic))
                    found += ChangePointDetection.detect(
                        h.points.map { ChangePointDetection.Observation(commitSha: $0.sha, value: $0.value) },
                        direction: Statistic(rawValue: h.statistic).direction(seriesDirection: Direction(rawValue: h.direction) ?? .lowerIsBetter),
                        options: options,
                        label: (h.scenario, h.environment, branch, h.endpoint, h.metric, h.statistic))
                }
                if !dryRun {
                    try store.replaceChangePoints(
                        analysed: analysed.map { (scenario: $0.0, environment: $0.1, branch: $0.2, endpoint: $0.3, metric: $0.4, statistic: $0.5) },
                        found: found, at: Date())
                }
                let rows = found.map { c -> [String] in
                    let unit = MetricUnit.milliseconds
                    let u = Statistic(rawValue: c.statistic).unit(seriesUnit: c.metric == SeriesKey.requestLatencyMetric ? unit : .none)
                    return [
                        c.scenario, c.endpoint.isEmpty ? "(all)" : c.endpoint, c.metric == SeriesKey.requestLatencyMetric ? c.statistic : "\(c.metric) \(c.statistic)",
                        String(c.commitSha.prefix(8)), Formatting.value(c.before, unit: u), Formatting.value(c.after, unit: u),
                        Formatting.signedPercent(c.relativeChange), c.pValue < 0.001 ? "<0.001" : Formatting.fixed(c.pValue, 3),
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
