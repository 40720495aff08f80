import Foundation
import PerfgateCore

/// Chooses the baseline and the history for a check (PRODUCT.md "Baseline").
///
/// Default: the newest runs on the base branch at the newest commit that is an ancestor of
/// `git merge-base <commit> <base>` (the commit's parent when it is on the base branch itself),
/// falling back — and saying so — to the nearest earlier commit with results. Alternatives: the last
/// N runs of the base branch, a given commit, or a pinned `Baselines/NAME.json`. Runs of another
/// environment are never used unless explicitly allowed.
public struct BaselineResolver {
    public enum Choice: Sendable, Hashable {
        case mergeBase
        case window(Int)
        case commit(String)
        case pinned(path: String)
    }

    public var store: any BaselineHistory
    public var git: any CommitGraph
    /// Commits of the store's recorded ancestry read per query (up to 2,000 in all, as from git).
    static let storedAncestryChunk = 256
    public var base: String
    public var choice: Choice
    public var historyWindow: Int
    public var allowEnvironmentMismatch: Bool

    public init(
        store: any BaselineHistory, git: any CommitGraph, base: String, choice: Choice, historyWindow: Int, allowEnvironmentMismatch: Bool
    ) {
        self.store = store
        self.git = git
        self.base = base
        self.choice = choice
        self.historyWindow = historyWindow
        self.allowEnvironmentMismatch = allowEnvironmentMismatch
    }

    public struct Resolved: Sendable {
        public var baseline: [GateRun]
        public var history: [GateRun]
        public var info: BaselineInfo?
    }

    public func resolve(current: [GateRun], commit: CommitInfo) throws -> Resolved {
        if case .pinned(let path) = choice {
            let url = URL(fileURLWithPath: path)
            guard let data = try? Data(contentsOf: url) else {
                throw PerfgateError(.missingInput, "cannot read baseline file", at: SourceLocation(file: path))
            }
            let file = try BaselineFile.decode(data, file: path)
            let runs = file.gateRuns()
            let pairs = Set(current.map { "\($0.scenario)\u{1}\($0.environment)" })
            var notices: [String] = []
            var usable = runs.filter { pairs.contains("\($0.scenario)\u{1}\($0.environment)") }
            if usable.isEmpty && !runs.isEmpty {
                if allowEnvironmentMismatch {
                    let scen = Set(current.map(\.scenario))
                    usable = runs.filter { scen.contains($0.scenario) }.map { r in
                        var r = r
                        r.environment = current.first { $0.scenario == r.scenario }?.environment ?? r.environment
                        return r
                    }
                    notices.append("baseline \(path) is from environment \(file.environment); compared anyway (--allow-environment-mismatch)")
                } else {
                    notices.append("baseline \(path) is from environment \(file.environment), not \(Set(current.map(\.environment)).sorted().joined(separator: ", ")); perfgate never compares environments (pass --allow-environment-mismatch to override)")
                }
            }
            return Resolved(
                baseline: usable, history: [],
                info: BaselineInfo(description: "pinned \(path) (\(file.branch) @ \(file.commits.map { String($0.prefix(8)) }.joined(separator: ", ")))", commits: file.commits, notices: notices))
        }

        var baseline: [GateRun] = []
        var history: [GateRun] = []
        var descriptions: [String] = []
        var notices: [String] = []
        var commits: [String] = []
        // Ancestry of the merge-base, when git knows the commit.
        var mergeBase: String?
        var ancestry: [String] = []
        var usedStoredAncestry = false
        // The next commits of the ancestry after `last` (the list holding `have` commits); nil once complete.
        var moreAncestry: ((_ last: String, _ have: Int) throws -> [String])?
        /// True when the ancestry reaches index `start`, reading more of it when needed.
        func ancestryReaches(_ start: Int) throws -> Bool {
            while start >= ancestry.count, let more = moreAncestry, let last = ancestry.last {
                let next = try more(last, ancestry.count)
                if next.count < Self.storedAncestryChunk { moreAncestry = nil }
                ancestry += next
            }
            return start < ancestry.count
        }
        // The merge-base's first-parent ancestry bounds every base-branch baseline (merge-base and window):
        // a feature commit never sees base-branch commits made after it forked.
        var walksAncestry = false
        switch choice {
        case .mergeBase, .window: walksAncestry = true
        case .commit, .pinned: break
        }
        if walksAncestry {
            let mb = git.mergeBase(commit.sha, base) ?? git.mergeBase(commit.sha, "origin/" + base)
            if let mb {
                let start = mb == commit.sha ? git.parent(mb) : mb
                mergeBase = start
                if let start { ancestry = git.firstParentHistory(start, limit: 2000) }
            } else if let parent = commit.parentSha {
                // git cannot place the commit; follow the parent links recorded in the store.
                // Read in chunks as the walk below needs them: the walk usually stops within a few dozen
                // commits, and the store's chain costs a query step per commit.
                let chain = try store.storedAncestry(from: parent, limit: Self.storedAncestryChunk)
                let parentHasRuns = try !store.runRefs(RunRefQuery(branch: base, commit: parent, limit: 1)).isEmpty
                if chain.count > 1 || parentHasRuns {
                    mergeBase = parent
                    ancestry = chain
                    usedStoredAncestry = true
                    if chain.count > Self.storedAncestryChunk {
                        moreAncestry = { [store] last, have in
                            let depth = min(Self.storedAncestryChunk, 2000 - (have - 1))
                            guard depth > 0 else { return [] }
                            return Array(try store.storedAncestry(from: last, limit: depth).dropFirst())
                        }
                    }
                }
            }
        }
        // Runs of different tools are never pooled or compared (percentile rules and overheads differ).
        let pairs = Set(current.map { Pair(scenario: $0.scenario, environment: $0.environment, tool: $0.tool) }).sorted()
        for pair in pairs {
            var env = pair.environment
            if try !store.hasRuns(in: RunLane(branch: base, scenario: pair.scenario, environment: env), excludingCommit: commit.sha) {
                let others = try store.environments(branch: base, scenario: pair.scenario).filter { $0 != env }
                if let other = others.first {
                    if allowEnvironmentMismatch {
                        env = other
                        notices.append("scenario \(pair.scenario): no \(base) runs in environment \(pair.environment); using environment \(other) (--allow-environment-mismatch)")
                    } else {
                        notices.append("scenario \(pair.scenario): \(base) has runs only in environment \(others.joined(separator: ", ")), not \(pair.environment); perfgate never compares environments (pass --allow-environment-mismatch to override)")
                    }
                }
            }
            var chosen: [RunRef] = []
            var hist: [RunRef] = []
            let windowSize: Int? = { if case .window(let n) = choice { return n } else { return nil } }()
            if walksAncestry, let mb = mergeBase, !ancestry.isEmpty {
                // Walk the first-parent ancestry newest first, a batch of commits per query, until the
                // baseline commit and a full history window are found.
                var chosenIndex = 0
                var start = 0
                while try ancestryReaches(start) && (chosen.isEmpty || hist.count < historyWindow || (windowSize.map { chosen.count < $0 } ?? false)) {
                    let batch = Array(ancestry[start..<min(ancestry.count, start + 64)])
                    let byCommit = Dictionary(
                        grouping: try store.runRefs(commits: batch, in: RunLane(branch: base, scenario: pair.scenario, environment: env)),
                        by: \.commitSha)
                    for (offset, sha) in batch.enumerated() where sha != commit.sha {
                        guard var runs = byCommit[sha]?.filter({ $0.tool == pair.tool }) else { continue }
                        // Never compare with runs newer than the commit under test.
                        if let t = commit.committedAt { runs = runs.filter { ($0.committedAt ?? .distantPast) <= t } }
                        guard !runs.isEmpty else { continue }
                        runs.sort { ($0.startedAt ?? .distantPast, $0.id) > ($1.startedAt ?? .distantPast, $1.id) }
                        if let n = windowSize {
                            if chosen.isEmpty { chosenIndex = start + offset }
                            chosen += runs.prefix(n - chosen.count)
                        } else if chosen.isEmpty {
                            chosen = runs
                            chosenIndex = start + offset
                        }
                        // History for statistical rules: ≤ 5 runs per commit, the baseline commit included.
                        for r in runs.prefix(5) where hist.count < historyWindow { hist.append(r) }
                    }
                    start += batch.count
                }
                if let n = windowSize {
                    descriptions.append("\(pair.scenario): \(base), last \(chosen.count) runs (of \(n)) up to merge-base \(mb.prefix(8))")
                } else if let sha = chosen.first?.commitSha {
                    if chosenIndex == 0 {
                        descriptions.append("\(pair.scenario): \(base) @ \(sha.prefix(8)) (\(usedStoredAncestry ? "parent" : "merge-base"))")
                    } else {
                        descriptions.append("\(pair.scenario): \(base) @ \(sha.prefix(8))")
                        notices.append("scenario \(pair.scenario): merge-base \(mb.prefix(8)) has no results; using the nearest earlier commit \(sha.prefix(8)) (\(chosenIndex) commits back)")
                    }
                }
            } else {
                var refs = try store.runRefs(branch: base, scenario: pair.scenario, environment: env).filter { $0.commitSha != commit.sha && $0.tool == pair.tool }
                // Never compare with runs newer than the commit under test.
                if let t = commit.committedAt { refs = refs.filter { ($0.committedAt ?? .distantPast) <= t } }
                var anchorTime: Date?
                switch choice {
                case .pinned: break
                case .commit(let sha):
                    chosen = try store.runRefs(branch: nil, scenario: pair.scenario, environment: env, commit: sha).filter { $0.tool == pair.tool }
                    descriptions.append("\(pair.scenario): commit \(sha.prefix(8))")
                    anchorTime = chosen.first?.committedAt
                    if chosen.isEmpty { notices.append("scenario \(pair.scenario): commit \(sha.prefix(8)) has no results") }
                case .window(let n):
                    chosen = Array(refs.prefix(n))
                    descriptions.append("\(pair.scenario): \(base), last \(chosen.count) runs")
                case .mergeBase:
                    if let first = refs.first {
                        // git cannot place the commit (not a repository, or a commit git does not know).
                        chosen = refs.filter { $0.commitSha == first.commitSha }
                        descriptions.append("\(pair.scenario): \(base) @ \(first.commitSha.prefix(8)) (newest earlier)")
                        notices.append("scenario \(pair.scenario): git cannot compute the merge-base of \(commit.shortSha) and \(base); using the newest earlier \(base) commit with results, \(first.commitSha.prefix(8))")
                    }
                    anchorTime = chosen.first?.committedAt
                }
                // History for statistical rules: base-branch runs up to the baseline commit, ≤ 5 per commit.
                var perCommit: [String: Int] = [:]
                for r in refs where hist.count < historyWindow {
                    if let a = anchorTime, let t = r.committedAt, t > a { continue }
                    let c = perCommit[r.commitSha, default: 0]
                    if c >= 5 { continue }
                    perCommit[r.commitSha] = c + 1
                    hist.append(r)
                }
            }
            if chosen.isEmpty && !descriptions.contains(where: { $0.hasPrefix(pair.scenario + ":") }) {
                descriptions.append("\(pair.scenario): none")
            }
            commits += chosen.map(\.commitSha)
            let data = try store.series(runIds: (chosen + hist).map(\.id))
            let toGate = { (r: RunRef) in
                GateRun(id: String(r.id), commitSha: r.commitSha, scenario: r.scenario, environment: pair.environment, tool: r.tool, series: data[r.id] ?? [])
            }
            baseline += chosen.map(toGate)
            history += hist.reversed().map(toGate)
        }
        let info = baseline.isEmpty && notices.isEmpty
            ? BaselineInfo(description: "none (no \(base) results to compare with)", commits: [], notices: [])
            : BaselineInfo(description: descriptions.joined(separator: "; "), commits: Array(Set(commits)).sorted(), notices: notices)
        return Resolved(baseline: baseline, history: history, info: info)
    }

    struct Pair: Hashable, Comparable {
        var scenario: String
        var environment: String
        var tool: String
        static func < (a: Pair, b: Pair) -> Bool { (a.scenario, a.environment, a.tool) < (b.scenario, b.environment, b.tool) }
    }
}
