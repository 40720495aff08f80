import Foundation
import PerfgateEngine

/// A ``GitRepository`` over a commit graph written in the test: commits with their parents (first
/// parent first), branch heads, times and subjects. `git merge-base` is the newest common ancestor
/// by first-parent-then-other breadth-first order, which is what git answers on the graphs tests
/// draw (one fork point). Every question not answerable from the graph is nil, as git outside a
/// repository.
public struct FakeGitRepository: GitRepository, Sendable {
    public var parents: [String: [String]] = [:]
    public var branches: [String: String] = [:]
    public var times: [String: Date] = [:]
    public var subjects: [String: String] = [:]
    public var head: String?
    public var currentBranch: String?
    public var mayBeRepository = true

    public init() {}

    /// Adds `sha` with its parents; `branch` (when given) then points at it.
    public mutating func commit(_ sha: String, parents: [String] = [], on branch: String? = nil, time: Date? = nil, subject: String? = nil) {
        self.parents[sha] = parents
        if let branch { branches[branch] = sha }
        if let time { times[sha] = time }
        if let subject { subjects[sha] = subject }
    }

    public func resolve(_ rev: String) -> String? {
        guard mayBeRepository else { return nil }
        if rev == "HEAD" { return head }
        if let b = branches[rev] { return b }
        if parents[rev] != nil { return rev }
        let matches = parents.keys.filter { $0.hasPrefix(rev) }
        return matches.count == 1 ? matches[0] : nil
    }

    public func commitTime(_ sha: String) -> Date? { times[sha] }

    public func parent(_ sha: String) -> String? { parents[sha]?.first }

    public func firstParentHistory(_ rev: String, limit: Int) -> [String] {
        guard var sha = resolve(rev) else { return [] }
        var out = [sha]
        while out.count < limit, let p = parent(sha) {
            out.append(p)
            sha = p
        }
        return out
    }

    public func mergeBase(_ a: String, _ b: String) -> String? {
        guard let a = resolve(a), let b = resolve(b) else { return nil }
        let ancestorsOfB = Set(ancestors(b))
        return ancestors(a).first { ancestorsOfB.contains($0) }
    }

    public func firstParentSubjects(_ rev: String) -> [String: String] {
        var out: [String: String] = [:]
        for sha in firstParentHistory(rev, limit: .max) { out[sha] = subjects[sha] }
        return out
    }

    /// `sha` and every ancestor, breadth first (first parents before others).
    private func ancestors(_ sha: String) -> [String] {
        var out: [String] = []
        var seen = Set<String>()
        var queue = [sha]
        while !queue.isEmpty {
            let s = queue.removeFirst()
            guard seen.insert(s).inserted else { continue }
            out.append(s)
            queue += parents[s] ?? []
        }
        return out
    }
}
