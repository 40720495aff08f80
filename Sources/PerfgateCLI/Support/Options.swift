import ArgumentParser
import Foundation
import PerfgateCore
import PerfgateEngine
import PerfgateIngest
import PerfgatePostgres
import PerfgateStore

/// `--store`, shared by every command that reads or writes history.
struct StoreOptions: ParsableArguments {
    @Option(
        name: .long,
        help: ArgumentHelp(
            "The store: a SQLite file, or a PostgreSQL database as postgres://USER@HOST:PORT/DB?sslmode=MODE (default: $PERFGATE_STORE, else .perfgate/history.sqlite at the repository root; docs/postgres.md).",
            valueName: "path|url"))
    var store: String?

    var environment: [String: String] { ProcessInfo.processInfo.environment }

    var resolvedPath: String { StoreLocator.path(flag: store, environment: environment, git: GitCLI()) }

    /// True when the store is a PostgreSQL database.
    var isPostgres: Bool { PostgresLocation.isPostgres(resolvedPath) }

    /// A store of either backend, with everything the commands ask of one.
    typealias AnyStore = any StoreInventory & ReadOnlyQuerying & ServerSeriesAttaching

    /// The store to write to: the SQLite file (created when missing) or the PostgreSQL database
    /// (its schema created or migrated on first use).
    func openForWriting() throws -> AnyStore {
        if isPostgres { return try PostgresStore(PostgresLocation(resolvedPath, environment: environment)) }
        return try PerfgateStore.open(path: resolvedPath)
    }

    /// The store to read from (a SQLite file is opened read-only and never created).
    func openForReading(concurrentReads: Bool = false) throws -> AnyStore {
        if isPostgres { return try PostgresStore(PostgresLocation(resolvedPath, environment: environment)) }
        return try PerfgateStore.openReadOnly(path: resolvedPath, concurrentReads: concurrentReads)
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
    func resolveCommit(store: (any HistoryStore)? = nil) throws -> CommitInfo {
        try commitResolver.resolve(sha: commit, branch: branch, time: commitTime, revisions: RevisionResolver(store: store))
    }

    /// The pipeline for `ingest` and `check FILE…`; `formatFlag` is the command's name for the format option.
    func pipeline(format: InputFormat?, formatFlag: String, store: (any HistoryStore)? = nil) throws -> IngestPipeline {
        IngestPipeline(
            format: format, formatFlag: formatFlag,
            commits: .resolve(commitResolver, sha: commit, branch: branch, time: commitTime, revisions: RevisionResolver(store: store)),
            scenario: scenario, environmentOverride: environmentOverride, defaultEnvironment: EnvironmentFingerprint.current(),
            tags: try parsedTags(), clock: SystemWallClock(), perfgateVersion: PerfgateVersion.current,
            events: .console)
    }
}

extension InputFormat: ExpressibleByArgument {}
extension SteadyState.Mode: ExpressibleByArgument {}

/// `--steady-state auto|whole`, shared by the commands that run the gate (`check`, and `tune`, which
/// replays it): overrides the budget file's `"steadyState"` (docs/steady-state.md).
struct SteadyStateOption: ParsableArguments {
    @Option(
        name: .customLong("steady-state"),
        help: ArgumentHelp(
            "Read each run over its steady state after the warm-up (auto) or over the whole run (whole); default: the budget file's \"steadyState\", else whole. See docs/steady-state.md.",
            valueName: "auto|whole"))
    var mode: SteadyState.Mode?

    func apply(to budgets: inout BudgetSet) {
        if let mode { budgets.steadyState = mode }
    }
}
