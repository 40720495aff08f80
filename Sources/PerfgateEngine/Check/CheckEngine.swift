import Foundation
import PerfgateCore

/// Evaluates budgets for one commit against its baseline: shared by `check`, `report` and `demo`.
public struct CheckEngine {
    public var store: any HistoryStore
    public var git: any GitRepository

    public init(store: any HistoryStore, git: any GitRepository) {
        self.store = store
        self.git = git
    }

    public struct Request: Sendable {
        public var budgets: BudgetSet
        public var budgetsFile: String
        public var commit: CommitInfo
        /// Runs to evaluate; nil means every stored run of `commit` (optionally one environment).
        public var runIds: [Int64]?
        public var environment: String?
        public var base: String?
        public var baseline: BaselineResolver.Choice?
        public var allowEnvironmentMismatch: Bool = false

        public init(
            budgets: BudgetSet, budgetsFile: String, commit: CommitInfo, runIds: [Int64]? = nil, environment: String? = nil,
            base: String? = nil, baseline: BaselineResolver.Choice? = nil, allowEnvironmentMismatch: Bool = false
        ) {
            self.budgets = budgets
            self.budgetsFile = budgetsFile
            self.commit = commit
            self.runIds = runIds
            self.environment = environment
            self.base = base
            self.baseline = baseline
            self.allowEnvironmentMismatch = allowEnvironmentMismatch
        }
    }

    public func evaluate(_ r: Request) throws -> GateOutcome {
        let ids: [Int64]
        if let given = r.runIds {
            ids = given
        } else {
            ids = try store.runRefs(RunRefQuery(environment: r.environment, commit: r.commit.sha)).map(\.id)
        }
        guard !ids.isEmpty else {
            throw PerfgateError(
                .missingInput, "no results stored for commit \(r.commit.shortSha)\(r.environment.map { " in environment \($0)" } ?? "")",
                notes: ["pass result files to check: `perfgate check --budget budgets.json results/`, or ingest them first"])
        }
        let current = try gateRuns(ids)
        var commit = r.commit
        if commit.committedAt == nil || commit.parentSha == nil, let stored = try store.storedCommit(sha: commit.sha) {
            commit.committedAt = commit.committedAt ?? stored.committedAt
            commit.parentSha = commit.parentSha ?? stored.parentSha
        }
        let resolver = Self.resolver(
            source: store, git: git, budgets: r.budgets, base: r.base, choice: r.baseline, allowEnvironmentMismatch: r.allowEnvironmentMismatch)
        let resolved = try resolver.resolve(current: current, commit: commit)
        return try Self.gate(budgets: r.budgets, budgetsFile: r.budgetsFile, current: current, resolved: resolved)
    }

    /// The baseline resolver a check uses: the budget file's baseline policy unless flags override it.
    /// `tune` builds the same one over its in-memory history.
    public static func resolver(
        source: any BaselineHistory, git: any CommitGraph, budgets: BudgetSet, base: String?, choice: BaselineResolver.Choice?,
        allowEnvironmentMismatch: Bool
    ) -> BaselineResolver {
        let policy = budgets.baseline
        return BaselineResolver(
            store: source, git: git, base: base ?? policy.branch,
            choice: choice ?? (policy.strategy == .window ? .window(policy.window) : .mergeBase), historyWindow: policy.window,
            allowEnvironmentMismatch: allowEnvironmentMismatch || policy.allowEnvironmentMismatch)
    }

    /// The gate on `current` against a resolved baseline.
    /// `levels`: reference levels shared with other evaluations of the same commit (`tune`).
    public static func gate(
        budgets: BudgetSet, budgetsFile: String, current: [GateRun], resolved: BaselineResolver.Resolved, levels: ReferenceLevelCache? = nil
    ) throws -> GateOutcome {
        try Gate.evaluate(
            GateInput(
                budgets: budgets, budgetsFile: budgetsFile, current: current, baseline: resolved.baseline, history: resolved.history,
                baselineInfo: resolved.info, referenceLevels: levels))
    }

    public func gateRuns(_ ids: [Int64]) throws -> [GateRun] {
        let data = try store.series(runIds: ids)
        let tags = try store.tags(runIds: ids)
        var out: [GateRun] = []
        for id in ids {
            guard let run = try store.run(id: id) else { continue }
            out.append(
                GateRun(
                    id: String(id), commitSha: run.commit.sha, scenario: run.scenario, environment: run.environment,
                    tool: run.tool, tags: tags[id] ?? [:], series: data[id] ?? []))
        }
        return out
    }

    /// Raises (exit 65) every budget-against-results problem of `current` — a budget that matches no
    /// series, a statistic no matched series reports, a limit in the wrong unit — exactly as the gate
    /// would (both use `BudgetMatches`), so `check` can refuse before it stores anything.
    public static func validate(budgets: BudgetSet, budgetsFile: String, current: [GateRun]) throws {
        let problems = BudgetMatches(budgets: budgets, budgetsFile: budgetsFile, current: current).problems
        guard !problems.isEmpty else { return }
        throw CollectedErrors(exitStatus: .malformedInput, diagnostics: problems.map(\.diagnostic))
    }

    /// Reads and decodes a pinned baseline file (exit 66 when unreadable, 65 when malformed).
    public static func readPinnedBaseline(path: String) throws -> BaselineFile {
        guard let data = try? Data(contentsOf: URL(fileURLWithPath: path)) else {
            throw PerfgateError(.missingInput, "cannot read baseline file", at: SourceLocation(file: path))
        }
        return try BaselineFile.decode(data, file: path)
    }

    /// Reads and validates a budget file (exit 66 when missing, 65 when malformed).
    public static func loadBudgets(path: String) throws -> BudgetSet {
        guard FileManager.default.fileExists(atPath: path) else {
            throw PerfgateError(.missingInput, "no such budget file", at: SourceLocation(file: path))
        }
        if let tooLarge = Limits.fileSizeError(path: path, limit: Limits.maxBudgetFileBytes, what: "budget file") {
            throw tooLarge
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw PerfgateError(.missingInput, "cannot read budget file", at: SourceLocation(file: path))
        }
        return try BudgetFile.load(data, file: path)
    }
}

/// Several problems found in one pass, printed together (at most ``Diagnostic/printLimit``).
public struct CollectedErrors: DiagnosableError {
    public var exitStatus: ExitStatus
    public var diagnostics: [Diagnostic]
    public var diagnostic: Diagnostic { diagnostics[0] }

    public init(exitStatus: ExitStatus, diagnostics: [Diagnostic]) {
        self.exitStatus = exitStatus
        self.diagnostics = diagnostics
    }
}
