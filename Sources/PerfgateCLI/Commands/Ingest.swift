import ArgumentParser
import Foundation
import PerfgateCore
import PerfgateEngine
import PerfgateIngest
import PerfgateStore

extension PerfgateCommand {
    struct Ingest: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "ingest",
            abstract: "Store result files (k6, Locust, native JSON) in the history, keyed by commit.",
            discussion: """
                Each file (or Locust --csv set) becomes one run. The format is detected from the content; \
                name it with --format when needed. Files are parsed completely before anything is stored: \
                one bad result file stores nothing. In a directory, files that are not results at all (a \
                log, a script) are skipped with one line each on stderr; a file named on the command line \
                must be a result. Re-ingesting identical content for the same commit, scenario and \
                environment changes nothing; a genuinely repeated test is kept as a repeat.

                Commit, branch and environment, highest precedence first: --commit/--branch/--environment, \
                PERFGATE_COMMIT/PERFGATE_BRANCH/PERFGATE_ENVIRONMENT, the CI's variables (commit and branch), \
                the "commit" and "environment" written in a native JSON file, then git (commit, branch) or \
                the machine fingerprint (environment).

                Formats: \(InputFormat.allCases.map { "\($0.rawValue) (\($0.summary))" }.joined(separator: "; ")).

                Load profiles: --profile labels the runs (normal, peak, stress, spike, endurance or any \
                name) and --workers records how many workers or instances served the load. The runs of \
                one commit at different load levels form a campaign that `perfgate capacity` analyses.

                Server-side metrics: a Prometheus query_range response (saved by curl) is not a run of \
                its own; its series join the load-test run of the same call that they overlap in time, or \
                the stored run named by --attach-to. Samples outside the run's window are dropped \
                (docs/server-metrics.md).

                Example:
                  perfgate ingest results/summary.json results/locust_stats.csv --scenario checkout
                """)

        @Argument(help: ArgumentHelp("Result files or directories.", valueName: "file"))
        var files: [String]

        @Option(help: ArgumentHelp("Input format instead of detection.", valueName: "format"))
        var format: InputFormat?

        @Option(
            help: ArgumentHelp(
                "Load profile label: normal, peak, stress, spike, endurance or any name.", valueName: "name"))
        var profile: String?

        @Option(help: ArgumentHelp("Workers or instances that served the load (for scaling efficiency).", valueName: "n"))
        var workers: Int?

        @Option(
            name: .customLong("attach-to"),
            help: ArgumentHelp(
                "Attach the Prometheus query_range files to this stored run (an id from `perfgate runs`) instead of a run of this call.",
                valueName: "run-id"))
        var attachTo: Int64?

        @OptionGroup var labels: RunLabelOptions
        @OptionGroup var storeOptions: StoreOptions

        func validate() throws {
            if let w = workers, w < 1 { throw ValidationError("--workers expects a positive number, got \(w)") }
            if let p = profile, p.trimmingCharacters(in: .whitespaces).isEmpty || p.count > 64 {
                throw ValidationError("--profile expects a name of 1 to 64 characters")
            }
        }

        func run() async throws {
            try await withDiagnostics {
                // A short --commit SHA may name a stored commit: look it up without writing.
                let fullSha = labels.commit.map { CommitInfo.isValidSha($0) && ($0.count == 40 || $0.count == 64) } ?? true
                let reader = fullSha ? nil : try? storeOptions.openForReading()
                var pipeline = try labels.pipeline(format: format, formatFlag: "--format", store: reader)
                pipeline.profile = profile
                pipeline.workers = workers
                pipeline.attachTo = attachTo
                let all = try pipeline.parseRuns(files)
                let parsed = all.filter { $0.format != .prometheusQueryRange }
                if let attachTo {
                    try IngestPipeline.attach(
                        all.filter { $0.format == .prometheusQueryRange }, to: attachTo, reader: try? storeOptions.openForReading(),
                        openWriter: { try storeOptions.openForWriting() }, events: .console,
                        attached: { Console.out(TerminalText.escape($0)) })
                    if parsed.isEmpty { return }
                } else if parsed.count != all.count {
                    throw PerfgateError(.internalError, "a Prometheus file was neither attached nor refused")
                }
                let store = try storeOptions.openForWriting()
                let outcomes = try store.insertAll(parsed.map(\.toStore))
                for (p, o) in zip(parsed, outcomes) { Console.out(IngestPipeline.describe(p, o)) }
            }
        }
    }
}
