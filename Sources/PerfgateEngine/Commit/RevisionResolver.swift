import Foundation
import PerfgateCore

/// Turns what a person types for a commit — a branch name, `HEAD~1`, a tag, a full or short SHA — into
/// a full SHA: the one resolver behind `compare`, `show`, `log --commit`, `check --commit` and
/// `check --baseline-commit`.
///
/// A hexadecimal prefix that names exactly one stored commit is that commit (so short SHAs work outside
/// git, e.g. against a store copied from CI); anything else is asked of git. Outside git, a SHA that is
/// not stored is an error that says so, never a silent "no results".
public struct RevisionResolver {
    /// Stored commits whose SHA starts with a prefix (nil: no store to ask).
    public var storedCommits: ((String) throws -> [String])?
    /// The store's location as one shell word, for the hint that lists its commits.
    public var storePath: String?
    public var git: any GitRepository

    public init(store: (any HistoryStore)?, git: any GitRepository) {
        self.storedCommits = store.map { s in { try s.commits(matching: $0) } }
        self.storePath = store?.location.map(Escape.shell)
        self.git = git
    }

    public init(storedCommits: ((String) throws -> [String])?, git: any GitRepository) {
        self.storedCommits = storedCommits
        self.git = git
    }

    public enum Outcome: Equatable, Sendable {
        /// A full SHA, and where it came from (`store` or `git`).
        case resolved(String, from: String)
        /// A prefix of several stored commits.
        case ambiguous([String])
        /// Neither the store nor git knows it.
        case unknown
    }

    public func lookup(_ text: String) throws -> Outcome {
        let t = text.trimmingCharacters(in: .whitespaces)
        guard !t.isEmpty else { return .unknown }
        let isHex = t.allSatisfy(\.isHexDigit)
        if isHex, t.count >= 4, let storedCommits {
            let shas = try storedCommits(t)
            if shas.count == 1 { return .resolved(shas[0], from: "store") }
            if shas.count > 1 {
                // git may still know which one is meant (a longer abbreviation is unique to it).
                if let full = git.resolve(t), shas.contains(full) { return .resolved(full, from: "git") }
                return .ambiguous(shas)
            }
        }
        if let full = git.resolve(t) { return .resolved(full.lowercased(), from: "git") }
        return .unknown
    }

    /// A full SHA for `text`, or a usage error (exit 64) that says why and what would work.
    public func resolve(_ text: String, what: String = "commit") throws -> String {
        switch try lookup(text) {
        case .resolved(let sha, _): return sha
        case .ambiguous(let shas):
            throw PerfgateError(
                .usage, "\(what) '\(text)' is ambiguous: \(shas.count) stored commits start with it",
                notes: ["candidates: " + shas.prefix(5).map { String($0.prefix(12)) }.joined(separator: ", ") + (shas.count > 5 ? ", …" : ""),
                        "give more characters of the SHA"])
        case .unknown:
            var notes: [String] = []
            if !git.mayBeRepository {
                notes.append("outside git only SHAs (or prefixes of 4+ characters) of stored commits work here")
            }
            if let storePath { notes.append("`perfgate runs --store \(storePath)` lists the stored commits") }
            let why = git.mayBeRepository ? "git cannot resolve it" : "not inside a git repository"
            throw PerfgateError(
                .usage,
                "unknown \(what) '\(text)': \(text.allSatisfy(\.isHexDigit) ? "no stored commit starts with it" : "not a stored commit SHA"), and \(why)",
                notes: notes)
        }
    }
}
