import Foundation

/// What the baseline needs to know of the commit graph: git for `check`, the replayed first-parent
/// chain for `tune` (``ReplayHistory``).
public protocol CommitGraph {
    /// `git merge-base a b`, nil when git cannot tell.
    func mergeBase(_ a: String, _ b: String) -> String?
    /// The first parent of `sha`, nil for a root commit or a commit git does not know.
    func parent(_ sha: String) -> String?
    /// First-parent history of `rev`, newest first (`rev` included), at most `limit` commits.
    func firstParentHistory(_ rev: String, limit: Int) -> [String]
}

/// The git repository the results come from, as the use cases see it. `GitCLI` (PerfgateCLI) runs
/// the `git` executable; tests use a fake. Every question may go unanswered (nil): outside a
/// repository, or for a commit git does not know.
public protocol GitRepository: CommitGraph {
    /// False when there is no repository here at all (so no revision can resolve).
    var mayBeRepository: Bool { get }
    /// The full SHA of a revision (`HEAD`, `main`, `HEAD~1`, a tag, a short SHA).
    func resolve(_ rev: String) -> String?
    /// The committer time of `sha`.
    func commitTime(_ sha: String) -> Date?
    /// The checked-out branch, nil on a detached HEAD.
    var currentBranch: String? { get }
    /// The subject line of every commit on the first-parent history of `rev`, by full SHA.
    func firstParentSubjects(_ rev: String) -> [String: String]
}
