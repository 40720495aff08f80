import Foundation
import PerfgateCore
import PerfgateStore

/// The stored runs a baseline is chosen from: the SQLite store for `check`, an in-memory copy of the
/// history "as of" one commit for `tune` (ReplayHistory.swift). BaselineResolver reads only this, so
/// both choose the same baseline by the same code.
protocol BaselineRunSource {
    /// Runs, newest commit first (commit time, then start time, then id), without their results.
    func runRefs(branch: String?, scenario: String?, environment: String?, commit: String?, limit: Int) throws -> [RunRef]
    /// Runs of `branch`, `scenario` and `environment` at the given commits, in no particular order.
    func runRefs(commits: [String], branch: String, scenario: String, environment: String) throws -> [RunRef]
    /// True when `branch` has a run of `scenario` in `environment` at a commit other than `excluding`.
    func hasRuns(branch: String, scenario: String, environment: String, excluding commit: String) throws -> Bool
    /// Environments that have runs of `scenario` on `branch`.
    func environments(branch: String, scenario: String) throws -> [String]
    /// Every series of the given runs.
    func series(runIds: [Int64], withDistributions: Bool) throws -> [Int64: [SeriesResult]]
    /// First-parent ancestry recorded with the runs (parent links), from `sha`, newest first.
    func storedAncestry(from sha: String, limit: Int) throws -> [String]
}

extension BaselineRunSource {
    func runRefs(branch: String?, scenario: String?, environment: String?, commit: String? = nil) throws -> [RunRef] {
        try runRefs(branch: branch, scenario: scenario, environment: environment, commit: commit, limit: 2000)
    }
    func series(runIds: [Int64]) throws -> [Int64: [SeriesResult]] { try series(runIds: runIds, withDistributions: true) }
}

/// What the baseline needs to know of the commit graph: git for `check`, the replayed first-parent
/// chain for `tune`.
protocol CommitGraph {
    func mergeBase(_ a: String, _ b: String) -> String?
    func parent(_ sha: String) -> String?
    /// First-parent history of `rev`, newest first, at most `limit` commits.
    func firstParentHistory(_ rev: String, limit: Int) -> [String]
}

extension PerfgateStore: BaselineRunSource {}
extension GitClient: CommitGraph {}
