import ArgumentParser
import Foundation
import PerfgateCore
import PerfgateEngine
import PerfgateIngest
import PerfgateStore

/// `--store`, shared by every command that reads or writes history.
struct StoreOptions: ParsableArguments {
    @Option(
        name: .long,
        help: ArgumentHelp(
            "The SQLite store (default: $PERFGATE_STORE, else .perfgate/history.sqlite at the repository root).",
            valueName: "path"))
    var store: String?

    var environment: [String: String] { ProcessInfo.processInfo.environment }

    var resolvedPath: String { StoreLocator.path(flag: store, environment: environment, git: GitCLI()) }

    func openForWriting() throws -> PerfgateStore { try PerfgateStore.open(path: resolvedPath) }
    func openForReading(concurrentReads: Bool = false) throws -> PerfgateStore {
        try PerfgateStore.openReadOnly(path: resolvedPath, concurrentReads: concurrentReads)
    }
}

/// Commit identity and run labels for commands that store results.
struct RunLabelOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "Commit: a SHA, a short SHA of a stored commit, or a revision git resolves (HEAD~1, a branch). Default: $PERFGATE_COMMIT, else CI variables, else a native file's \"commit\", else git HEAD.",
            valueName: "rev"))
    var commit: String?

    @Option(help: ArgumentHelp("Branch name. Default: $PERFGATE_BRANCH, else CI variables, else a native file's, else the checked-out branch.", valueName: "name"))
    var branch: String?

    @Option(name: .customLong("commit-time"), help: ArgumentHelp("Commit time, ISO 8601. Default: $PERFGATE_COMMIT_TIME, else CI variables, else a native file's, else git.", valueName: "time"))
    var commitTime: String?

    @Option(help: ArgumentHelp("Scenario name (default: the file's own, else the tool's name, e.g. 'k6' or 'locust').", valueName: "name"))
    var scenario: String?

    @Option(
        help: ArgumentHelp(
            "Environment (machine or testbed). Default: $PERFGATE_ENVIRONMENT, else a native file's \"environment\", else a machine fingerprint like linux-x86_64-2cpu-24gb.",
            valueName: "name"))
    var environment: String?

    @Option(name: .customLong("tag"), help: ArgumentHelp("A label for the run, k=v (repeatable).", valueName: "k=v"))
    var tags: [String] = []

    func parsedTags() throws -> [String: String] {
        var out: [String: String] = [:]
        for t in tags {
            guard let eq = t.firstIndex(of: "="), eq != t.startIndex else {
                throw ValidationError("--tag expects key=value, got '\(t)'")
            }
            out[String(t[..<eq])] = String(t[t.index(after: eq)...])
        }
        return out
    }

    /// `--environment`, else `PERFGATE_ENVIRONMENT`: these win over the environment a native file names.
    var environmentOverride: String? {
        if let e = environment { return e }
        if let e = ProcessInfo.processInfo.environment["PERFGATE_ENVIRONMENT"], !e.isEmpty { return e }
        return nil
    }

    func resolvedEnvironment() -> String { environmentOverride ?? EnvironmentFingerprint.current() }

    var commitResolver: CommitResolver { CommitResolver(environment: ProcessInfo.processInfo.environment, git: GitCLI()) }

    /// The commit named by flags, variables, CI or git; `--commit` may be a revision or a short SHA of a
    /// commit in `store`.
    func resolveCommit(store: PerfgateStore? = nil) throws -> CommitInfo {
        try commitResolver.resolve(sha: commit, branch: branch, time: commitTime, revisions: RevisionResolver(store: store))
    }

    /// The pipeline for `ingest` and `check FILE…`; `formatFlag` is the command's name for the format option.
    func pipeline(format: InputFormat?, formatFlag: String, store: PerfgateStore? = nil) throws -> IngestPipeline {
        IngestPipeline(
            format: format, formatFlag: formatFlag,
            commits: .resolve(commitResolver, sha: commit, branch: branch, time: commitTime, revisions: RevisionResolver(store: store)),
            scenario: scenario, environmentOverride: environmentOverride, defaultEnvironment: EnvironmentFingerprint.current(),
            tags: try parsedTags(), clock: SystemWallClock(), perfgateVersion: PerfgateVersion.current,
            events: .console)
    }
}

extension InputFormat: ExpressibleByArgument {}
