import ArgumentParser
import Foundation
import PerfgateCore
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
                one bad file stores nothing. Re-ingesting identical content for the same commit, scenario \
                and environment changes nothing; a genuinely repeated test is kept as a repeat.

                Formats: \(InputFormat.allCases.map { "\($0.rawValue) (\($0.summary))" }.joined(separator: "; ")).

                Example:
                  perfgate ingest results/summary.json results/locust_stats.csv --scenario checkout
                """)

        @Argument(help: ArgumentHelp("Result files or directories.", valueName: "file"))
        var files: [String]

        @Option(help: ArgumentHelp("Input format instead of detection.", valueName: "format"))
        var format: InputFormat?

        @OptionGroup var labels: RunLabelOptions
        @OptionGroup var storeOptions: StoreOptions

        func run() async throws {
            try await withDiagnostics {
                let pipeline = try labels.pipeline(format: format)
                let parsed = try pipeline.parseRuns(files)
                let store = try storeOptions.openForWriting()
                let outcomes = try store.insertAll(parsed.map { ($0.run, $0.context) })
                for (p, o) in zip(parsed, outcomes) { Console.out(IngestPipeline.describe(p, o)) }
            }
        }
    }
}
