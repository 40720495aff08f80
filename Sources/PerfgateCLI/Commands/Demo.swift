import ArgumentParser
import Foundation
import PerfgateCore
import PerfgateEngine
import PerfgateIngest
import PerfgateStore

extension PerfgateCommand {
    struct Demo: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "demo",
            abstract: "Build a demo history from bundled real k6 and Locust results, then show it.",
            discussion: """
                Creates a fresh store (default .perfgate/demo/history.sqlite), ingests six real k6 \
                --summary-export files and six Locust _stats.csv files as six commits on main (the sixth \
                has POST /api/orders about 30 % slower), then prints the runs and the p95 history, runs the \
                gate on the newest commit with a demo budget file, and writes the HTML report beside the \
                store. Every command it suggests can be run against the same store.

                Example:
                  perfgate demo
                  perfgate log --store .perfgate/demo/history.sqlite --scenario checkout-k6 --endpoint '*orders*'
                """)

        @Option(help: ArgumentHelp("Where to build the demo store (its budget file is written beside it).", valueName: "path"))
        var store: String = ".perfgate/demo/history.sqlite"

        func run() async throws {
            try await withDiagnostics {
                let fm = FileManager.default
                for suffix in ["", "-wal", "-shm"] { try? fm.removeItem(atPath: store + suffix) }
                let db = try PerfgateStore.open(path: store)
                var items: [(IngestedRun, RunContext)] = []
                for sample in Samples.all {
                    let file = InputFile(data: Data(sample.bytes), displayPath: "samples/\(sample.name)")
                    var input = InputSet(primary: file)
                    if let history = sample.history {
                        input.companions["stats_history"] = InputFile(data: Data(history.bytes), displayPath: "samples/\(history.name)")
                    }
                    let format = try InputFormat.detect(file)
                    let run = try format.adapter.parse(input)
                    let sources = [(file.displayPath, sample.bytes)] + (sample.history.map { [("samples/\($0.name)", $0.bytes)] } ?? [])
                    let ctx = RunContext(
                        commit: Samples.commit(sample.commitIndex), scenario: sample.scenario, environment: "demo",
                        tags: ["source": "perfgate demo"],
                        sources: sources.map { SourceFile(path: $0.0, digest: FileDigest.sha256(data: Data($0.1)), bytes: Int64($0.1.count)) },
                        ingestedAt: Samples.commit(sample.commitIndex).committedAt ?? Date(), perfgateVersion: PerfgateVersion.current)
                    items.append((run, ctx))
                }
                let outcomes = try db.insertAll(items)
                let stored = outcomes.filter { if case .inserted = $0 { return true } else { return false } }.count
                Console.out("perfgate demo: stored \(stored) runs (real k6 1.1.0 and Locust 2.47.0 results) for \(Samples.commitCount) commits in \(store)\n")
                Console.out("== runs ==")
                Console.out(PerfgateCommand.Runs.tabular(try db.runs(RunFilter(limit: 12))).table())
                Console.out("\n== p95 of POST /api/orders over commits (k6: name '/api/orders') ==")
                let points = try db.log(LogQuery(endpoint: "*/api/orders", statistic: .p95, branch: "main"))
                let rows = points.map { p in
                    [p.commitSha.prefix(8).description, Formatting.timestamp(p.committedAt), p.scenario, p.endpoint, Formatting.value(p.value, unit: .milliseconds)]
                }
                Console.out(Tabular(columns: ["commit", "committed", "scenario", "endpoint", "p95"], rows: rows, values: [], numeric: [4]).table())
                // The gate on the newest commit, against its parent, with the demo budget.
                // Beside the store ("./" for a bare file name, never "/").
                let storeDirectory = (store as NSString).deletingLastPathComponent.isEmpty ? "." : (store as NSString).deletingLastPathComponent
                let budgetPath = storeDirectory + "/budgets.json"
                try Data(Self.budgets.utf8).write(to: URL(fileURLWithPath: budgetPath))
                let budgets = try BudgetFile.load(Data(Self.budgets.utf8), file: budgetPath)
                let newest = Samples.commit(Samples.commitCount)
                let outcome = try CheckEngine(store: db).evaluate(
                    CheckEngine.Request(budgets: budgets, budgetsFile: budgetPath, commit: newest, runIds: nil, environment: "demo", base: "main", baseline: nil))
                let status = outcome.exitStatus(failOnImprovement: false, requireBaseline: false)
                Console.out("\n== perfgate check on the newest commit (budget \(budgetPath)) ==")
                Console.out(CheckTable(report: GateReport(outcome: outcome, commit: newest, toolVersion: PerfgateVersion.current), color: Console.colorStdout).render())
                Console.out("(perfgate check would exit \(status.rawValue) here)")
                // The static site, through the report command itself.
                let siteDir = storeDirectory + "/site"
                Console.out("\n== report ==")
                let report = try PerfgateCommand.Report.parse(["--store", store, "--out", siteDir, "--budget", budgetPath])
                try await report.run()
                Console.out("open \(siteDir)/index.html in a browser; \(siteDir)/summary.md is ready to paste into a pull request")
                Console.out(
                    """

                    Try next:
                      perfgate check --store \(store) --budget \(budgetPath) --commit \(newest.shortSha) --branch main --environment demo --markdown summary.md
                      perfgate compare \(Samples.commit(5).shortSha) \(newest.shortSha) --store \(store)
                      perfgate detect --store \(store) --branch main --stat p50 --dry-run
                      perfgate show \(newest.shortSha) --store \(store)
                      perfgate log --store \(store) --scenario checkout-locust --endpoint 'POST *' --stat p50
                      perfgate query --store \(store) "SELECT scenario, endpoint, p50, p95, error_rate FROM series_stats WHERE commit_sha LIKE '\(newest.shortSha)%'"
                    """)
            }
        }

        /// The demo's budget file: an SLA on p95, relative and statistical rules on the median
        /// (these runs have 24 requests per endpoint: too few for a p95 test), an error-rate key rule.
        static let budgets = """
            {
              "version": 1,
              "baseline": { "branch": "main", "strategy": "merge-base" },
              "budgets": [
                { "name": "k6 SLA", "scenario": "checkout-k6", "endpoint": "/api/*", "max": { "p95": "200ms" } },
                { "name": "Locust SLA", "scenario": "checkout-locust", "endpoint": "* /api/*", "max": { "p95": "200ms" } },
                { "name": "median drift", "endpoint": "*/api/*", "regression": { "p50": "20%" }, "warn": { "regression": { "p50": "10%" } } },
                { "name": "median, significant", "endpoint": "*/api/*", "significant": { "p50": "10%" } },
                { "name": "errors", "endpoint": "", "key": true, "max": { "error_rate": "5%" } }
              ]
            }
            """
    }
}
