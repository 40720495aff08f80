import Foundation
import PerfgateCore

/// `perfgate log [REV]`: one statistic of the matching series over commits, oldest first; with a
/// revision, the history ends at that commit, as `git log REV` does.
public struct HistoryLog {
    public var store: any HistoryStore
    public var git: any GitRepository

    public init(store: any HistoryStore, git: any GitRepository) {
        self.store = store
        self.git = git
    }

    /// The points of `query`; with `revision`, those of commits committed no later than it, then the
    /// last `query.lastCommits` commits of those.
    public func points(_ query: LogQuery, upTo revision: String?) throws -> [LogPoint] {
        guard let revision else { return try store.log(query) }
        var everything = query
        everything.lastCommits = nil
        let points = try store.log(everything)
        let sha = try RevisionResolver(store: store, git: git).resolve(revision)
        guard let end = try store.storedCommit(sha: sha)?.committedAt ?? git.commitTime(sha) else {
            throw PerfgateError(
                .usage, "cannot tell when commit \(sha.prefix(8)) was made (it has no stored runs and git does not know it)")
        }
        var kept = points.filter { $0.commitSha == sha || ($0.committedAt.map { $0 <= end } ?? false) }
        if let n = query.lastCommits {
            var shas: [String] = []
            for p in kept.reversed() where !shas.contains(p.commitSha) { shas.append(p.commitSha) }
            let keep = Set(shas.prefix(n))
            kept = kept.filter { keep.contains($0.commitSha) }
        }
        return kept
    }
}
