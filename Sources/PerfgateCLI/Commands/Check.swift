import ArgumentParser
import Foundation
import PerfgateCore
import PerfgateEngine
import PerfgateIngest
import PerfgateStore

extension PerfgateCommand {
    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "check",
            abstract: "The CI gate: evaluate results against budgets and the baseline; the exit code is the verdict.",
            discussion: """
                Result FILEs (or directories) are ingested first, so CI needs one command (files in a \
                directory that are not results, such as logs, are skipped with one line each); without FILEs \
                the runs stored for --commit (a SHA, a short SHA of a stored commit, or a revision such as \
                HEAD~1; default: HEAD, or the CI's commit) are evaluated. The baseline is \
                the newest base-branch results at the merge-base (see --base, --baseline-window, \
                --baseline-commit, --baseline). A missing baseline is stated in every output; relative and \
                statistical rules then read "no baseline". FILEs are stored only when the whole check can \
                be evaluated: they are parsed, the budgets matched against them (a budget that matches no \
                series, a statistic no matched series reports: exit 65) and a pinned baseline read first, so \
                a refused check leaves the store unchanged (see perfgate budgets validate --against).

                The table fits 120 columns, each finding's evidence and limit on an indented line below it \
                (--wide: in columns); the verdicts FAIL, warn and improved are coloured on a terminal (not \
                when piped, not with NO_COLOR set).

                Exit codes: 0 passed (warnings allowed), 2 gate failed, 3 baseline required but missing, \
                4 improvements only (with --fail-on-improvement), 64 usage, 65 malformed input, 66 input \
                missing, 74 store error, 1 internal error.

                Example:
                  perfgate check --budget budgets.json results/ --markdown "$GITHUB_STEP_SUMMARY" --junit perf.xml
                """)

        @Option(name: [.customLong("budget"), .customLong("budgets")], help: ArgumentHelp("The budget file.", valueName: "file"))
        var budget: String

        @Argument(help: ArgumentHelp("Result files or directories to ingest and evaluate.", valueName: "file"))
        var files: [String] = []

        @Option(name: .customLong("input-format"), help: ArgumentHelp("Format of FILEs instead of detection.", valueName: "format"))
        var inputFormat: InputFormat?

        @OptionGroup var labels: RunLabelOptions

        @Option(help: ArgumentHelp("Base branch for the baseline (default: the budget file's, else main).", valueName: "branch"))
        var base: String?

        @Option(name: .customLong("baseline-window"), help: ArgumentHelp("Use the last N base-branch runs as the baseline.", valueName: "n"))
        var baselineWindow: Int?

        @Option(name: .customLong("baseline-commit"), help: ArgumentHelp("Use the runs of this commit as the baseline.", valueName: "sha"))
        var baselineCommit: String?

        @Option(name: .customLong("baseline"), help: ArgumentHelp("A pinned baseline: NAME (Baselines/NAME.json) or a path.", valueName: "name"))
        var pinned: String?

        @Flag(name: .customLong("allow-environment-mismatch"), help: "Allow a baseline from another environment.")
        var allowEnvironmentMismatch = false

        @Flag(name: .customLong("require-baseline"), help: "Exit 3 when there is no baseline.")
        var requireBaseline = false

        @Flag(name: .customLong("fail-on-improvement"), help: "Exit 4 when there are improvements only (a prompt to re-pin a baseline).")
        var failOnImprovement = false

        @Option(help: ArgumentHelp("Also write a Markdown summary here (appends to $GITHUB_STEP_SUMMARY).", valueName: "file"))
        var markdown: String?

        @Option(help: ArgumentHelp("Also write JUnit XML here.", valueName: "file"))
        var junit: String?

        @Option(help: ArgumentHelp("Also write the result as JSON here.", valueName: "file"))
        var json: String?

        @OptionGroup var steadyState: SteadyStateOption

        @Flag(help: "Print the evidence (test, p and q values, n, method) as a table column instead of on its own line.")
        var wide = false

        @OptionGroup var storeOptions: StoreOptions

        @Flag(name: .customLong("debug-internal-error"), help: .hidden)
        var debugInternalError = false

        func validate() throws {
            let choices = [baselineWindow != nil, baselineCommit != nil, pinned != nil].filter { $0 }.count
            if choices > 1 { throw ValidationError("use only one of --baseline-window, --baseline-commit and --baseline") }
            if let n = baselineWindow, n < 1 { throw ValidationError("--baseline-window must be at least 1") }
        }

        func run() async throws {
            let status: ExitStatus = try await withDiagnostics {
                if debugInternalError { throw DebugInternalError() }
                var budgets = try CheckEngine.loadBudgets(path: budget)
                steadyState.apply(to: &budgets)
                if budgets.budgets.isEmpty, let cap = budgets.capacity {
                    throw PerfgateError(
                        .malformedInput, "the budget file has only a capacity rule (\"knee\": \"\(cap.source)\"), which check does not evaluate",
                        at: SourceLocation(file: budget),
                        notes: ["`perfgate capacity --budget \(budget)` checks it; add \"budgets\" for check"])
                }
                if let cap = budgets.capacity {
                    Console.note("the capacity rule (\"knee\": \"\(cap.source)\") is checked by `perfgate capacity --budget \(budget)`, not by check")
                }
                // Nothing is stored unless the whole check can be evaluated: the files are parsed, the
                // budgets are matched against them and a pinned baseline is read before the store is
                // written, so a check that ends in 65 (or 64/66) leaves the store as it was.
                var parsed: [IngestPipeline.Parsed] = []
                let commit: CommitInfo
                // Opening a store for writing can change its file even when nothing is written, so
                // commits (--commit, --baseline-commit) are resolved on a read-only store first.
                let reader = files.isEmpty ? try storeOptions.openForReading() : try? storeOptions.openForReading()
                if files.isEmpty {
                    commit = try labels.resolveCommit(store: reader)
                } else {
                    let pipeline = try labels.pipeline(format: inputFormat, formatFlag: "--input-format", store: reader)
                    parsed = try pipeline.parseRuns(files)
                    commit = try IngestPipeline.commonCommit(parsed)
                    try CheckEngine.validate(budgets: budgets, budgetsFile: budget, current: parsed.map(\.gateRun))
                }
                var choice: BaselineResolver.Choice?
                if let n = baselineWindow { choice = .window(n) }
                if let p = pinned {
                    let path = BaselineStore.path(for: p)
                    if !parsed.isEmpty { _ = try CheckEngine.readPinnedBaseline(path: path) }
                    choice = .pinned(path: path)
                }
                if let c = baselineCommit {
                    choice = .commit(try RevisionResolver(store: reader).resolve(c, what: "baseline commit"))
                }
                let store: any HistoryStore
                if parsed.isEmpty, let reader { store = reader } else { store = try storeOptions.openForWriting() }
                var runIds: [Int64]?
                if !parsed.isEmpty {
                    let outcomes = try store.insertAll(parsed.map(\.toStore))
                    for (p, o) in zip(parsed, outcomes) { Console.err(IngestPipeline.describe(p, o)) }
                    runIds = outcomes.map {
                        switch $0 {
                        case .inserted(let id, _): return id
                        case .duplicate(let id): return id
                        }
                    }
                }
                let outcome = try CheckEngine(store: store).evaluate(
                    CheckEngine.Request(
                        budgets: budgets, budgetsFile: budget, commit: commit, runIds: runIds,
                        environment: files.isEmpty ? labels.environment : nil, base: base, baseline: choice,
                        allowEnvironmentMismatch: allowEnvironmentMismatch))
                let status = outcome.exitStatus(failOnImprovement: failOnImprovement, requireBaseline: requireBaseline)
                let report = GateReport(outcome: outcome, commit: commit, toolVersion: PerfgateVersion.current)
                Console.out(CheckTable(report: report, wide: wide, color: Console.colorStdout).render())
                if outcome.baselineMissing && (requireBaseline || budgets.requireBaseline) {
                    Console.print(Diagnostic(.error, "a baseline is required but there is none (exit 3)"))
                }
                if let m = markdown { try Self.write(report.markdown(), to: m, append: m == ProcessInfo.processInfo.environment["GITHUB_STEP_SUMMARY"]) }
                if let j = junit { try Self.write(report.junit(), to: j, append: false) }
                if let j = json { try Self.write(report.json(exitStatus: status), to: j, append: false) }
                if ProcessInfo.processInfo.environment["GITHUB_ACTIONS"] == "true" {
                    for line in report.githubAnnotations(budgetsFile: budget) { Console.out(line) }
                }
                return status
            }
            if status != .success { throw ExitCode(status.rawValue) }
        }

        static func write(_ text: String, to path: String, append: Bool) throws {
            let url = URL(fileURLWithPath: path)
            try? FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            if append, let h = FileHandle(forWritingAtPath: path) {
                defer { try? h.close() }
                try h.seekToEnd()
                h.write(Data(text.utf8))
                return
            }
            do {
                try Data(text.utf8).write(to: url)
            } catch {
                throw PerfgateError(.missingInput, "cannot write output file: \(error.localizedDescription)", at: SourceLocation(file: path))
            }
        }
    }
}

/// `Baselines/NAME.json` files.
enum BaselineStore {
    static let directory = "Baselines"

    /// `NAME` → `Baselines/NAME.json` at the repository root; anything with a `/` or `.json` is a path.
    static func path(for name: String) -> String {
        if name.contains("/") || name.hasSuffix(".json") { return name }
        let root = GitCLI().topLevel ?? FileManager.default.currentDirectoryPath
        return "\(root)/\(directory)/\(name).json"
    }
}

/// Raised by the hidden `--debug-internal-error` flag so tests can prove exit code 1.
struct DebugInternalError: Error, CustomStringConvertible {
    var description: String { "deliberate internal error (--debug-internal-error)" }
}
