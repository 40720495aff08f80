import Foundation
import PerfgateCore

/// The stored history of one base branch (optionally one environment), read from the store once and
/// kept in memory, for `perfgate tune` to replay the gate commit by commit.
///
/// Commits are ordered the way the gate walks them: git's first-parent history of the branch when
/// git knows it, else the parent links recorded in the store, else commit time. `asOf(i)` is the
/// history as the gate saw it when commit `i` was checked: a `BaselineHistory` and `CommitGraph`
/// that know nothing from commit `i` on, so `BaselineResolver` chooses the baseline it would have
/// chosen then.
public final class ReplayHistory: Sendable {
    public struct Commit: Sendable, Hashable {
        public var sha: String
        public var committedAt: Date?
        public var parentSha: String?
    }

    public let base: String
    public let environment: String?
    /// Commits with runs, oldest first, in first-parent order.
    public let order: [Commit]
    /// `git first-parent`, `stored parent links` or `commit time`.
    public let orderName: String
    public let position: [String: Int]
    public let runs: [Int64: StoredRun]
    public let runsByCommit: [String: [Int64]]
    public let series: [Int64: [SeriesResult]]
    /// First-parent chain, newest first (including commits without runs), and each commit's place in it.
    public let chain: [String]
    public let chainIndex: [String: Int]
    /// True when the chain comes from git (the gate then asks git; else it follows the stored links).
    public let chainFromGit: Bool
    /// Stored commits of the branch that git's first-parent history does not contain (not replayed).
    public let offChain: Int

    init(
        base: String, environment: String?, order: [Commit], orderName: String, runs: [Int64: StoredRun], series: [Int64: [SeriesResult]],
        chain: [String], chainFromGit: Bool, offChain: Int
    ) {
        self.base = base
        self.environment = environment
        self.order = order
        self.orderName = orderName
        self.position = Dictionary(order.enumerated().map { ($1.sha, $0) }, uniquingKeysWith: { a, _ in a })
        self.runs = runs
        self.runsByCommit = Dictionary(grouping: runs.values.sorted { $0.id < $1.id }, by: \.commit.sha).mapValues { $0.map(\.id) }
        self.series = series
        self.chain = chain
        self.chainIndex = Dictionary(chain.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
        self.chainFromGit = chainFromGit
        self.offChain = offChain
    }

    /// Reads every run of `base` (in `environment`) with its series, once.
    public static func load(store: any HistoryStore, base: String, environment: String?, git: any GitRepository) throws -> ReplayHistory {
        let stored = try store.runs(branch: base, environment: environment)
        var runs: [Int64: StoredRun] = [:]
        for r in stored { runs[r.id] = r }
        let series = try store.series(runIds: stored.map(\.id))
        var commits: [String: Commit] = [:]
        for r in stored where commits[r.commit.sha] == nil {
            commits[r.commit.sha] = Commit(sha: r.commit.sha, committedAt: r.commit.committedAt, parentSha: r.commit.parentSha)
        }
        // Newest first by commit time, as the store lists them.
        var byTime: [String] = []
        var listed = Set<String>()
        for r in stored where listed.insert(r.commit.sha).inserted { byTime.append(r.commit.sha) }

        // 1. git's first-parent history of the branch.
        if let head = git.resolve(base) ?? git.resolve("origin/" + base) {
            let chain = git.firstParentHistory(head, limit: 1_000_000)
            let onChain = chain.reversed().compactMap { commits[$0] }
            if !onChain.isEmpty {
                let keep = Set(onChain.map(\.sha))
                return ReplayHistory(
                    base: base, environment: environment, order: onChain, orderName: "git first-parent history of \(base)",
                    runs: runs.filter { keep.contains($0.value.commit.sha) }, series: series, chain: chain,
                    chainFromGit: true, offChain: commits.count - onChain.count)
            }
        }
        // 2. Parent links recorded in the store, from the newest commit.
        if let newest = byTime.first {
            let chain = try store.storedAncestry(from: newest, limit: 1_000_000)
            let onChain = chain.reversed().compactMap { commits[$0] }
            if onChain.count > 1 || commits.count == 1 {
                let keep = Set(onChain.map(\.sha))
                return ReplayHistory(
                    base: base, environment: environment, order: onChain, orderName: "parent links recorded in the store",
                    runs: runs.filter { keep.contains($0.value.commit.sha) }, series: series, chain: chain, chainFromGit: false,
                    offChain: commits.count - onChain.count)
            }
        }
        // 3. Commit time.
        let order = byTime.reversed().compactMap { commits[$0] }
        return ReplayHistory(
            base: base, environment: environment, order: order, orderName: "commit time", runs: runs, series: series,
            chain: order.reversed().map(\.sha), chainFromGit: false, offChain: 0)
    }

    /// The runs of commit `index` as the gate's current runs.
    public func currentRuns(_ index: Int) -> [GateRun] {
        (runsByCommit[order[index].sha] ?? []).compactMap { id in
            guard let r = runs[id] else { return nil }
            return GateRun(
                id: String(id), commitSha: r.commit.sha, scenario: r.scenario, environment: r.environment, tool: r.tool, tags: r.tags,
                series: series[id] ?? [])
        }
    }

    public func commitInfo(_ index: Int) -> CommitInfo {
        let c = order[index]
        return CommitInfo(sha: c.sha, branch: base, committedAt: c.committedAt, parentSha: c.parentSha)
    }

    /// The history as it was when commit `index` was checked.
    public func asOf(_ index: Int) -> View { View(history: self, limit: index) }

    public struct View: BaselineHistory, CommitGraph {
        let history: ReplayHistory
        /// Commits at positions ≥ limit are in the future.
        let limit: Int

        func isPast(_ sha: String) -> Bool { (history.position[sha] ?? .max) < limit }

        func ref(_ id: Int64) -> RunRef? {
            guard let r = history.runs[id], isPast(r.commit.sha) else { return nil }
            return RunRef(
                id: r.id, commitSha: r.commit.sha, branch: r.commit.branch, committedAt: r.commit.committedAt, startedAt: r.startedAt,
                scenario: r.scenario, environment: r.environment, tool: r.tool)
        }

        public func runRefs(_ query: RunRefQuery) throws -> [RunRef] {
            let (branch, scenario, environment, commit, limit) = (query.branch, query.scenario, query.environment, query.commit, query.limit)
            let ids: [Int64] = commit.map { history.runsByCommit[$0] ?? [] } ?? Array(history.runs.keys)
            let refs = ids.compactMap(ref).filter {
                (branch == nil || $0.branch == branch) && (scenario == nil || $0.scenario == scenario)
                    && (environment == nil || $0.environment == environment)
            }
            // The store's order: newest commit first (commit time), then start time, then id.
            return Array(
                refs.sorted { a, b in
                    if (a.committedAt == nil) != (b.committedAt == nil) { return a.committedAt != nil }
                    if a.committedAt != b.committedAt { return (a.committedAt ?? .distantPast) > (b.committedAt ?? .distantPast) }
                    if a.startedAt != b.startedAt { return (a.startedAt ?? .distantPast) > (b.startedAt ?? .distantPast) }
                    return a.id > b.id
                }.prefix(limit))
        }

        public func runRefs(commits: [String], in lane: RunLane) throws -> [RunRef] {
            commits.flatMap { history.runsByCommit[$0] ?? [] }.compactMap(ref).filter {
                $0.branch == lane.branch && $0.scenario == lane.scenario && $0.environment == lane.environment
            }
        }

        public func hasRuns(in lane: RunLane, excludingCommit commit: String) throws -> Bool {
            history.runs.values.contains {
                $0.commit.branch == lane.branch && $0.scenario == lane.scenario && $0.environment == lane.environment && $0.commit.sha != commit
                    && isPast($0.commit.sha)
            }
        }

        public func environments(branch: String, scenario: String) throws -> [String] {
            Set(history.runs.values.filter { $0.commit.branch == branch && $0.scenario == scenario && isPast($0.commit.sha) }.map(\.environment)).sorted()
        }

        public func series(runIds: [Int64], withDistributions: Bool) throws -> [Int64: [SeriesResult]] {
            var out: [Int64: [SeriesResult]] = [:]
            for id in runIds { out[id] = history.series[id] }
            return out
        }

        public func storedAncestry(from sha: String, limit: Int) throws -> [String] {
            guard !history.chainFromGit, let i = history.chainIndex[sha] else { return [sha] }
            return Array(history.chain[i..<min(history.chain.count, i + limit + 1)])
        }

        // CommitGraph: the replayed commit is the tip of the base branch.
        public func mergeBase(_ a: String, _ b: String) -> String? {
            guard history.chainFromGit, b == history.base || b == "origin/" + history.base, history.chainIndex[a] != nil else { return nil }
            return a
        }

        public func parent(_ sha: String) -> String? {
            guard history.chainFromGit, let i = history.chainIndex[sha], i + 1 < history.chain.count else { return nil }
            return history.chain[i + 1]
        }

        public func firstParentHistory(_ rev: String, limit: Int) -> [String] {
            guard history.chainFromGit, let i = history.chainIndex[rev] else { return [] }
            return Array(history.chain[i..<min(history.chain.count, i + limit)])
        }
    }
}
