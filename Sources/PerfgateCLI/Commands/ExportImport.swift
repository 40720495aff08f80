import ArgumentParser
import Foundation
import PerfgateCore
import PerfgateEngine

extension PerfgateCommand {
    struct Export: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "export",
            abstract: "Write history (all, or filtered) as a perfgate history JSON file.",
            discussion: """
                The file holds native run documents (docs/native-format.md) with their commit, environment, \
                source digests, --profile/--workers labels and attached Prometheus samples; `perfgate import` merges it into another store idempotently, e.g. to combine \
                the stores of parallel CI jobs.

                Example:
                  perfgate export --branch main --out history.json
                """)
        @Option(help: "Only this branch.") var branch: String?
        @Option(help: "Only this scenario.") var scenario: String?
        @Option(help: "Only this environment.") var environment: String?
        @Option(help: ArgumentHelp("Only commits in FROM..TO by commit time (SHAs or prefixes, inclusive).", valueName: "from..to"))
        var range: String?
        @Option(help: ArgumentHelp("Output file ('-' for stdout).", valueName: "file")) var out: String = "-"
        @OptionGroup var storeOptions: StoreOptions

        func run() async throws {
            try await withDiagnostics {
                let store: any HistoryStore = try storeOptions.openForReading()
                let details = try HistoryExport.select(
                    store: store, branch: branch, scenario: scenario, environment: environment, range: range)
                let data = try HistoryExport.encode(details, store: store)
                if out == "-" {
                    FileHandle.standardOutput.write(data + Data("\n".utf8))
                } else {
                    try data.write(to: URL(fileURLWithPath: out))
                    Console.err("exported \(details.count) runs to \(out)")
                }
            }
        }
    }

    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "import",
            abstract: "Merge history files written by `perfgate export` into the store (idempotent).",
            discussion: """
                All files are read and checked first, then stored in one transaction: a bad run anywhere leaves \
                the store unchanged. Runs already present (same commit, scenario, environment and content) are \
                skipped, so importing twice adds nothing. Files are read run by run (twice: once to check, once \
                to store), so memory does not grow with the file.

                Example:
                  perfgate import job-1/history.json job-2/history.json
                """)
        @Argument(help: ArgumentHelp("History files.", valueName: "file")) var files: [String]
        @OptionGroup var storeOptions: StoreOptions

        func run() async throws {
            try await withDiagnostics {
                // Every file is read and checked before the store is opened.
                let plan = try HistoryImport.read(files)
                let store: any HistoryStore = try storeOptions.openForWriting()
                let (added, present) = try plan.apply(to: store, now: SystemWallClock().now(), perfgateVersion: PerfgateVersion.current)
                Console.out("imported \(added) runs; \(present) were already present")
            }
        }
    }
}
