import ArgumentParser

/// The root command.
public struct PerfgateCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "perfgate",
        abstract: "A performance regression gate with a result store.",
        discussion: """
            perfgate keeps k6, Locust and native results in a SQLite history keyed by git commit, gates \
            pull requests against budgets and the merge-base baseline, and shows the history to people.

            Example (CI, one command):
              perfgate check --budget budgets.json results/ --markdown "$GITHUB_STEP_SUMMARY" --junit perf.xml

            Exit codes: 0 pass, 1 internal error, 2 gate failed, 3 baseline required but missing, \
            4 improvements only (--fail-on-improvement), 64 usage, 65 malformed input, 66 missing input, \
            74 store error. Try `perfgate demo` for a history built from bundled real results.
            """,
        version: PerfgateVersion.current,
        subcommands: [Demo.self, Ingest.self, Check.self, Compare.self, Detect.self, CapacityCommand.self, ReadinessCommand.self, Tune.self, Baseline.self, Export.self, Import.self, Budgets.self, Runs.self, Log.self, Show.self, Query.self, Store.self, Report.self, Templates.self]
    )
    public init() {}
}

/// The version string, injected into reports and stored with every run.
public enum PerfgateVersion {
    public static let current = "0.1.0"
}

/// The process entry point, so the executable target needs no ArgumentParser import.
public enum PerfgateMain {
    public static func run() async { await PerfgateCommand.main() }
}
