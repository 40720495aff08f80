import ArgumentParser

/// The root command.
public struct PerfgateCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "perfgate",
        abstract: "A performance regression gate with a result store.",
        version: PerfgateVersion.current,
        subcommands: [Demo.self, Ingest.self, Budgets.self, Runs.self, Log.self, Show.self, Query.self, Store.self, Report.self, Templates.self]
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
