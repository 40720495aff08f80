import ArgumentParser
import Foundation
import PerfgateCore
import PerfgateEngine
import PerfgateIngest

extension PerfgateCommand {
    struct Compare: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "compare",
            abstract: "Show two commits, runs or result files side by side, benchstat-style (never fails on a regression).",
            discussion: """
                A and B are each a run id, a commit (a SHA or a prefix of a stored one, or a revision git \
                resolves: a branch, a tag, HEAD~1), or a result file (read, not stored). For \
                every series present on both sides: A, B, the change, and a significance test where the data \
                allow one (distributions: Mann–Whitney / quantile test; summaries: log-normal model), with \
                Benjamini–Hochberg over all rows. `~` means no significant change.

                Example:
                  perfgate compare 9f8e7d6 3f2a9c1 --endpoint 'GET *'
                  perfgate compare main HEAD
                """)

        @Argument(help: "Baseline side: run id, commit (SHA, prefix, branch, HEAD~1) or file.") var a: String
        @Argument(help: "Current side: run id, commit (SHA, prefix, branch, HEAD~1) or file.") var b: String
        @Option(help: ArgumentHelp("Only endpoints matching this glob.", valueName: "glob")) var endpoint: String?
        @Option(help: "Metric (default http_req_duration).") var metric: String = SeriesKey.requestLatencyMetric
        @Option(help: "Output: table, csv or json.") var format: TabularFormat = .table
        @OptionGroup var storeOptions: StoreOptions

        func run() async throws {
            try await withDiagnostics {
                let needsStore = !CompareEngine.isFile(a) || !CompareEngine.isFile(b)
                let store: (any HistoryStore)? = needsStore ? try storeOptions.openForReading() : nil
                let result = try CompareEngine(store: store, git: GitCLI()).compare(a, b, metric: metric, endpoint: endpoint)
                let outcome = result.outcome
                let (labelA, labelB) = (result.a.label, result.b.label)
                let findings = outcome.findings.filter { $0.current != nil || $0.baseline != nil }.sorted {
                    ($0.scenario, $0.endpoint, Statistic(rawValue: $0.statistic)) < ($1.scenario, $1.endpoint, Statistic(rawValue: $1.statistic))
                }
                var rows: [[String]] = []
                var values: [[Cell]] = []
                for f in findings {
                    let e = f.evidence
                    // The row's symbol comes from the one description of a finding (the report's compare page uses it too).
                    let described = FindingDescription(comparing: f)
                    let delta: String
                    if f.baseline == nil { delta = "(only in B)" }
                    else if f.current == nil { delta = "(only in A)" }
                    else if described.kind == .insufficientData { delta = GateReport.deltaText(f) + " " + described.symbol }
                    else if described.kind == .unchanged { delta = described.symbol }
                    else { delta = GateReport.deltaText(f) }
                    let method = f.verdict == .insufficientData ? f.reasons.joined(separator: "; ") : (e?.method ?? f.reasons.joined(separator: "; "))
                    let pq = e.flatMap { $0.p == nil ? nil : GateReport.significanceText($0) } ?? ""
                    let n = e.map(GateReport.sampleSizeText) ?? ""
                    rows.append([
                        f.scenario, f.endpoint.isEmpty ? "(all)" : f.endpoint, f.statistic, GateReport.valueText(f.baseline, f.unit),
                        GateReport.valueText(f.current, f.unit), delta, pq, f.verdict == .insufficientData ? "" : n, method,
                    ])
                    values.append([
                        .text(f.scenario), .text(f.endpoint), .text(f.statistic), f.baseline.map(Cell.number) ?? .null,
                        f.current.map(Cell.number) ?? .null, f.change.map(Cell.number) ?? .null, e?.p.map(Cell.number) ?? .null,
                        e?.q.map(Cell.number) ?? .null, .bool(e?.significant ?? false), .text(e?.method ?? ""),
                    ])
                }
                var t = Tabular(columns: ["scenario", "endpoint", "stat", "A", "B", "delta", "p (q)", "n", "method"], rows: rows, values: values, numeric: [3, 4, 5])
                if format != .table {
                    t.columns = ["scenario", "endpoint", "stat", "a", "b", "change", "p", "q", "significant", "method"]
                } else {
                    Console.out(TerminalText.escape("A: \(labelA)") + "\n" + TerminalText.escape("B: \(labelB)") + "\n")
                }
                Console.out(t.render(format))
                if format == .table {
                    Console.out("\n~ no significant change (BH-adjusted q > 0.05)   ? too little data for a test")
                }
            }
        }
    }
}
