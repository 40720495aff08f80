import Foundation
import PerfgateCore

/// `perfgate tune`: replays the gate over a base-branch history held in memory (ReplayHistory) —
/// each commit checked against the baseline it would have had then, by the resolver and the gate
/// `check` uses — and hands the outcomes to `Backtest` for counting and suggestions.
public struct TuneEngine {
    public var history: ReplayHistory
    public var budgets: BudgetSet
    public var budgetsFile: String
    public var options: Backtest.Options
    /// Replay only the newest N commits (the older ones still serve as baselines and for change points).
    public var last: Int?

    public init(history: ReplayHistory, budgets: BudgetSet, budgetsFile: String, options: Backtest.Options, last: Int?) {
        self.history = history
        self.budgets = budgets
        self.budgetsFile = budgetsFile
        self.options = options
        self.last = last
    }

    public struct Result: Sendable {
        public var report: TuneReport
        /// The budget with the suggested limits, when any differ from the file's.
        public var suggested: BudgetSet?
        /// Suggested limit per rule path (only those that change).
        public var limits: [String: Double]
    }

    /// `perfgate tune` (and `perfgate report --tune`): reads the history of `base` from the store once,
    /// replays the budget over it and names the commits by their subjects when git knows them. Throws
    /// when the branch has no results, or when the budget fits none of its commits.
    public static func backtest(
        store: any HistoryStore, git: any GitRepository, budgets: BudgetSet, budgetsFile: String, base: String, environment: String?,
        options: Backtest.Options, last: Int?
    ) async throws -> Result {
        let history = try ReplayHistory.load(store: store, base: base, environment: environment, git: git)
        guard !history.order.isEmpty else {
            throw PerfgateError(
                .missingInput, "no results stored on \(base)\(environment.map { " in environment \($0)" } ?? "") to replay",
                notes: ["ingest base-branch results first (perfgate ingest), or name the branch with --branch"])
        }
        let engine = TuneEngine(history: history, budgets: budgets, budgetsFile: budgetsFile, options: options, last: last)
        var result = try await engine.run()
        if result.report.replayed == 0, let first = result.report.commits.first(where: { $0.note != nil })?.note {
            throw PerfgateError(.malformedInput, first, at: SourceLocation(file: budgetsFile), notes: ["no commit of \(base) could be checked with this budget"])
        }
        if history.chainFromGit {
            let subjects = git.firstParentSubjects(history.chain.first ?? base)
            for i in result.report.commits.indices { result.report.commits[i].subject = subjects[result.report.commits[i].sha] }
        }
        return result
    }

    var replayIndices: [Int] {
        let n = history.order.count
        return Array(max(0, n - (last ?? n))..<n)
    }

    public func run() async throws -> Result {
        let indices = replayIndices
        let probe = Backtest.probe(budgets)
        // One cache of reference levels per commit, kept for the replay of the suggested budget.
        let levels = indices.map { _ in ReferenceLevelCache() }
        let records = try await replay(budgets: budgets, probe: probe, indices: indices, levels: levels)
        let order = history.order.map(\.sha)
        let histories = seriesHistories(records)
        let changePoints = await Self.detect(histories, branch: history.base)
        var report = Backtest.analyse(
            budgets: budgets, budgetsFile: budgetsFile, branch: history.base, environment: history.environment, orderName: history.orderName,
            order: order, records: records, histories: histories, changePoints: changePoints, options: options)
        if history.offChain > 0 {
            report.notices.append("\(history.offChain) commit\(history.offChain == 1 ? "" : "s") of \(history.base) in the store are not on git's first-parent history of \(history.base): not replayed")
        }
        let skipped = records.filter { $0.skipped != nil }
        if !skipped.isEmpty {
            report.notices.append("\(skipped.count) commit\(skipped.count == 1 ? "" : "s") could not be checked (see commits): the budget does not fit their results")
        }
        var limits: [String: Double] = [:]
        for s in report.suggestions {
            if let v = s.suggested, abs(v - s.current) > 1e-9 { limits[s.path] = v }
        }
        guard !limits.isEmpty else { return Result(report: report, suggested: nil, limits: [:]) }
        // The suggested budget, replayed the same way: what it would really have done.
        let suggested = Backtest.applying(limits, to: budgets)
        let again = try await replay(budgets: suggested, probe: nil, indices: indices, levels: levels)
        let check = Backtest.analyse(
            budgets: suggested, budgetsFile: budgetsFile, branch: history.base, environment: history.environment, orderName: history.orderName,
            order: order, records: again, histories: histories, changePoints: changePoints, options: options)
        report.verification = TuneReport.Verification(replay: check)
        return Result(report: report, suggested: suggested, limits: limits)
    }

    /// The gate at each commit of `indices` (in parallel; each commit is independent), in order;
    /// `levels[k]` holds the reference levels of commit `indices[k]`.
    func replay(budgets: BudgetSet, probe: BudgetSet?, indices: [Int], levels: [ReferenceLevelCache]) async throws -> [Backtest.CommitRecord] {
        let history = self.history
        let file = budgetsFile
        return try await Self.parallel(Array(zip(indices, levels))) { i, cache in
            try Self.check(history: history, index: i, budgets: budgets, budgetsFile: file, probe: probe, levels: cache)
        }
    }

    /// `body` of every element, spread over the processors (``OrderedParallel``), in the elements' order.
    static func parallel<T: Sendable, R: Sendable>(_ items: [T], _ body: @escaping @Sendable (T) throws -> R) async throws -> [R] {
        var out: [R] = []
        out.reserveCapacity(items.count)
        try OrderedParallel.forEach(items, inFlight: 4 * OrderedParallel.defaultWorkers, body) { _, r in out.append(r) }
        return out
    }

    /// One commit, as `perfgate check` would have judged it when it landed. `levels`: the commit's
    /// reference levels, shared by every budget replayed over it (they differ in limits only, so the
    /// history of a series is the same for all of them).
    static func check(
        history: ReplayHistory, index: Int, budgets: BudgetSet, budgetsFile: String, probe: BudgetSet?, levels: ReferenceLevelCache
    ) throws -> Backtest.CommitRecord {
        let sha = history.order[index].sha
        let current = history.currentRuns(index)
        let view = history.asOf(index)
        let resolver = CheckEngine.resolver(source: view, git: view, budgets: budgets, base: history.base, choice: nil, allowEnvironmentMismatch: false)
        let resolved = try resolver.resolve(current: current, commit: history.commitInfo(index))
        do {
            let outcome = try CheckEngine.gate(budgets: budgets, budgetsFile: budgetsFile, current: current, resolved: resolved, levels: levels)
            let probed = try probe.map {
                try CheckEngine.gate(budgets: $0, budgetsFile: budgetsFile, current: current, resolved: resolved, levels: levels)
            }
            return Backtest.CommitRecord(sha: sha, outcome: outcome, probe: probed)
        } catch let e as PerfgateError {
            return Backtest.CommitRecord(sha: sha, evaluated: false, skipped: e.diagnostic.message)
        }
    }

    /// One value per run, in replay order, of every statistic a rule reads (and p50, p95) on every
    /// series a rule covers.
    func seriesHistories(_ records: [Backtest.CommitRecord]) -> [Backtest.SeriesHistory] {
        var wanted: [Backtest.SeriesID: Set<String>] = [:]
        for r in records {
            for c in r.coverage { wanted[c.series, default: ["p50", "p95"]].insert(c.rule.statistic) }
        }
        struct Key: Hashable {
            var series: Backtest.SeriesID
            var statistic: Statistic
        }
        var points: [Key: [(sha: String, value: Double)]] = [:]
        var meta: [Key: (Direction, MetricUnit, String)] = [:]
        for c in history.order {
            let ids = (history.runsByCommit[c.sha] ?? []).compactMap { history.runs[$0] }.sorted {
                ($0.startedAt ?? .distantPast, $0.id) < ($1.startedAt ?? .distantPast, $1.id)
            }
            for run in ids {
                for s in history.series[run.id] ?? [] {
                    let sid = Backtest.SeriesID(scenario: run.scenario, environment: run.environment, endpoint: s.key.endpoint, metric: s.key.metric)
                    guard let stats = wanted[sid] else { continue }
                    for name in stats {
                        let stat = Statistic(rawValue: name)
                        guard let v = s.stats[stat], v.isFinite else { continue }
                        let k = Key(series: sid, statistic: stat)
                        points[k, default: []].append((c.sha, v))
                        if meta[k] == nil { meta[k] = (stat.direction(seriesDirection: s.direction), s.unit, run.tool) }
                    }
                }
            }
        }
        return points.keys.sorted { ($0.series, $0.statistic.rawValue) < ($1.series, $1.statistic.rawValue) }.compactMap { k in
            guard let m = meta[k], let p = points[k] else { return nil }
            return Backtest.SeriesHistory(series: k.series, statistic: k.statistic, direction: m.0, unit: m.1, tool: m.2, points: p)
        }
    }

    /// Change points of every history, in parallel, in the histories' order.
    static func detect(_ histories: [Backtest.SeriesHistory], branch: String) async -> [DetectedChangePoint] {
        var found: [DetectedChangePoint] = []
        // The work cannot throw, so neither can the loop.
        try? OrderedParallel.forEach(histories, inFlight: 4 * OrderedParallel.defaultWorkers) { h in
            Backtest.changePoints([h], branch: branch)
        } consume: { _, points in
            found += points
        }
        return found
    }
}
