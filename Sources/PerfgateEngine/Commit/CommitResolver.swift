import Foundation
import PerfgateCore
import PerfgateIngest

/// Decides which commit results belong to: flags first, then perfgate's own variables, then the CI's
/// variables (GitHub Actions, GitLab CI, Jenkins, Buildkite, CircleCI), then `git` in the working
/// directory. With no answer it is an error, never "unknown".
public struct CommitResolver {
    public var environment: [String: String]
    public var git: any GitRepository

    public init(environment: [String: String], git: any GitRepository) {
        self.environment = environment
        self.git = git
    }

    public struct Found: Sendable, Hashable {
        public var sha: String?
        public var branch: String?
        public var time: Date?
        public var source: String
    }

    /// Which CI (if any) the variables describe, and what they say.
    public func fromCI() -> Found? {
        let e = environment
        func v(_ k: String) -> String? { e[k].flatMap { $0.isEmpty ? nil : $0 } }
        if e["GITHUB_ACTIONS"] == "true" {
            return Found(
                sha: v("GITHUB_SHA"), branch: v("GITHUB_HEAD_REF") ?? v("GITHUB_REF_NAME"), time: nil,
                source: "GitHub Actions")
        }
        if e["GITLAB_CI"] == "true" {
            return Found(
                sha: v("CI_COMMIT_SHA"),
                branch: v("CI_MERGE_REQUEST_SOURCE_BRANCH_NAME") ?? v("CI_COMMIT_BRANCH") ?? v("CI_COMMIT_REF_NAME"),
                time: v("CI_COMMIT_TIMESTAMP").flatMap(parseDate), source: "GitLab CI")
        }
        if e["BUILDKITE"] == "true" {
            let sha = v("BUILDKITE_COMMIT").flatMap { $0 == "HEAD" ? nil : $0 }
            return Found(sha: sha, branch: v("BUILDKITE_BRANCH"), time: nil, source: "Buildkite")
        }
        if e["CIRCLECI"] == "true" {
            return Found(sha: v("CIRCLE_SHA1"), branch: v("CIRCLE_BRANCH"), time: nil, source: "CircleCI")
        }
        if v("JENKINS_URL") != nil {
            var branch = v("CHANGE_BRANCH") ?? v("BRANCH_NAME") ?? v("GIT_BRANCH")
            if let b = branch, b.hasPrefix("origin/") { branch = String(b.dropFirst(7)) }
            return Found(sha: v("GIT_COMMIT"), branch: branch, time: nil, source: "Jenkins")
        }
        return nil
    }

    /// What a result file says about its commit (perfgate native JSON carries one).
    public struct FileCommit: Sendable, Hashable {
        public var sha: String
        public var branch: String?
        public var time: Date?
        public var parent: String?
        /// The file, for messages.
        public var path: String

        public init(sha: String, branch: String?, time: Date?, parent: String?, path: String) {
            self.sha = sha
            self.branch = branch
            self.time = time
            self.parent = parent
            self.path = path
        }
    }

    /// Resolves the commit results belong to. Precedence, highest first: flags, perfgate's variables
    /// (`PERFGATE_COMMIT`, `PERFGATE_BRANCH`, `PERFGATE_COMMIT_TIME`), the CI's variables, the commit
    /// written in the result file, then git in the working directory. A short SHA or a revision
    /// (`HEAD~1`, a branch) from a flag or variable is resolved through ``RevisionResolver``: a
    /// stored commit it is a prefix of, else git. `notes` receives one line when the file's own commit
    /// is overridden.
    public func resolve(
        sha flagSha: String?, branch flagBranch: String?, time flagTime: String?, file: FileCommit? = nil,
        revisions: RevisionResolver? = nil, notes: inout [String]
    ) throws -> CommitInfo {
        let e = environment
        func v(_ k: String) -> String? { e[k].flatMap { $0.isEmpty ? nil : $0 } }
        let ci = fromCI()
        let revisions = revisions ?? RevisionResolver(storedCommits: nil, git: git)
        var sha: String?
        var fromFile = false
        if let given = flagSha ?? v("PERFGATE_COMMIT") {
            sha = try Self.fullSha(given, revisions: revisions)
        } else if let c = ci?.sha {
            sha = c
        } else if let f = file {
            sha = try Self.fullSha(f.sha, revisions: revisions)
            fromFile = true
        }
        if let f = file, let s = sha, !fromFile, !s.lowercased().hasPrefix(f.sha.lowercased()) {
            notes.append(
                "\(f.path) names commit \(f.sha.prefix(8)); stored under \(s.prefix(8)) from \(flagSha != nil ? "--commit" : v("PERFGATE_COMMIT") != nil ? "PERFGATE_COMMIT" : ci?.source ?? "the environment") (flags and CI variables override the file)")
        }
        if sha == nil { sha = git.resolve("HEAD") }
        guard let finalSha = sha?.lowercased() else {
            throw PerfgateError(
                .usage, "cannot tell which commit these results belong to",
                notes: [
                    "pass --commit SHA --branch NAME, or set PERFGATE_COMMIT and PERFGATE_BRANCH",
                    "or run inside a git checkout, or in GitHub Actions, GitLab CI, Jenkins, Buildkite or CircleCI",
                    "a perfgate native JSON file can name its own: \"commit\": {\"sha\": …, \"branch\": …}",
                ])
        }
        // The file's branch, time and parent describe its own commit only.
        let fileApplies = file.map { finalSha.hasPrefix($0.sha.lowercased()) } ?? false
        var branch = flagBranch ?? v("PERFGATE_BRANCH") ?? ci?.branch
        if branch == nil, fileApplies { branch = file?.branch }
        // git's checked-out branch describes HEAD only.
        if branch == nil, !fromFile || git.resolve("HEAD")?.lowercased() == finalSha { branch = git.currentBranch }
        guard let finalBranch = branch else {
            throw PerfgateError(
                .usage,
                fromFile
                    ? "cannot tell the branch of commit \(finalSha.prefix(8)) (the file names no \"branch\")"
                    : "cannot tell the branch of commit \(finalSha.prefix(8)) (detached HEAD?)",
                notes: ["pass --branch NAME or set PERFGATE_BRANCH"])
        }
        var time: Date?
        if let t = flagTime ?? v("PERFGATE_COMMIT_TIME") {
            guard let d = parseDate(t) else {
                throw PerfgateError(.usage, "cannot read commit time '\(t)'; use ISO 8601, e.g. 2026-05-01T12:00:00Z")
            }
            time = d
        }
        time = time ?? ci?.time ?? (fileApplies ? file?.time : nil) ?? git.commitTime(finalSha)
        let parent = (fileApplies ? file?.parent?.lowercased() : nil) ?? git.parent(finalSha)
        return CommitInfo(sha: finalSha, branch: finalBranch, committedAt: time, parentSha: parent)
    }

    /// Resolves without a file and without collecting notes.
    public func resolve(sha: String?, branch: String?, time: String?, revisions: RevisionResolver? = nil) throws -> CommitInfo {
        var ignored: [String] = []
        return try resolve(sha: sha, branch: branch, time: time, file: nil, revisions: revisions, notes: &ignored)
    }

    /// A full SHA for a value from a flag or variable: a full SHA as it is; a short SHA or a revision
    /// through the store and git; a short SHA neither knows is kept as written (a commit perfgate has
    /// not seen yet, outside git).
    public static func fullSha(_ given: String, revisions: RevisionResolver) throws -> String {
        let s = given.trimmingCharacters(in: .whitespaces)
        if CommitInfo.isValidSha(s) && (s.count == 40 || s.count == 64) { return s.lowercased() }
        switch try revisions.lookup(s) {
        case .resolved(let full, _): return full
        case .unknown where CommitInfo.isValidSha(s): return s.lowercased()
        default: return try revisions.resolve(s)
        }
    }
}

/// ISO 8601 with or without fractional seconds, or Unix seconds.
public func parseDate(_ text: String) -> Date? {
    if let d = ISO8601Formatters.internet.date(from: text) { return d }
    if let d = ISO8601Formatters.fractional.date(from: text) { return d }
    if let s = Double(text) { return Date(timeIntervalSince1970: s) }
    return nil
}

/// The default environment name: a stable fingerprint of the machine class, so results from
/// different hardware are never compared (`linux-x86_64-2cpu-24gb`).
public enum EnvironmentFingerprint {
    public static func current() -> String {
        #if os(Linux)
            let os = "linux"
        #elseif os(macOS)
            let os = "macos"
        #else
            let os = "unknown-os"
        #endif
        #if arch(x86_64)
            let arch = "x86_64"
        #elseif arch(arm64)
            let arch = "arm64"
        #else
            let arch = "other"
        #endif
        let cpus = ProcessInfo.processInfo.activeProcessorCount
        let gb = Int((Double(ProcessInfo.processInfo.physicalMemory) / 1_073_741_824).rounded())
        return "\(os)-\(arch)-\(cpus)cpu-\(gb)gb"
    }
}
