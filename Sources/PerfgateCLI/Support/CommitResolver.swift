import Foundation
import PerfgateCore

/// Decides which commit results belong to: flags first, then perfgate's own variables, then the CI's
/// variables (GitHub Actions, GitLab CI, Jenkins, Buildkite, CircleCI), then `git` in the working
/// directory. With no answer it is an error, never "unknown".
struct CommitResolver {
    var environment: [String: String]
    var git: GitClient

    struct Found {
        var sha: String?
        var branch: String?
        var time: Date?
        var source: String
    }

    /// Which CI (if any) the variables describe, and what they say.
    func fromCI() -> Found? {
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

    /// Resolves the commit from explicit values (flags) and the sources above.
    func resolve(sha flagSha: String?, branch flagBranch: String?, time flagTime: String?) throws -> CommitInfo {
        let e = environment
        let ci = fromCI()
        var sha = flagSha ?? e["PERFGATE_COMMIT"].flatMap { $0.isEmpty ? nil : $0 } ?? ci?.sha
        if let s = sha, !CommitInfo.isValidSha(s) {
            // A revision such as HEAD or a tag: let git resolve it.
            guard let full = git.resolve(s) else {
                throw PerfgateError(.usage, "'\(s)' is not a commit SHA and git cannot resolve it")
            }
            sha = full
        }
        if sha == nil { sha = git.resolve("HEAD") }
        guard let finalSha = sha?.lowercased() else {
            throw PerfgateError(
                .usage, "cannot tell which commit these results belong to",
                notes: [
                    "pass --commit SHA --branch NAME, or set PERFGATE_COMMIT and PERFGATE_BRANCH",
                    "or run inside a git checkout, or in GitHub Actions, GitLab CI, Jenkins, Buildkite or CircleCI",
                ])
        }
        var branch = flagBranch ?? e["PERFGATE_BRANCH"].flatMap { $0.isEmpty ? nil : $0 } ?? ci?.branch
        if branch == nil { branch = git.currentBranch }
        guard let finalBranch = branch else {
            throw PerfgateError(
                .usage, "cannot tell the branch of commit \(finalSha.prefix(8)) (detached HEAD?)",
                notes: ["pass --branch NAME or set PERFGATE_BRANCH"])
        }
        var time: Date?
        if let t = flagTime ?? e["PERFGATE_COMMIT_TIME"] {
            guard let d = parseDate(t) else {
                throw PerfgateError(.usage, "cannot read commit time '\(t)'; use ISO 8601, e.g. 2026-05-01T12:00:00Z")
            }
            time = d
        }
        time = time ?? ci?.time ?? git.commitTime(finalSha)
        return CommitInfo(sha: finalSha, branch: finalBranch, committedAt: time, parentSha: git.parent(finalSha))
    }
}

/// ISO 8601 with or without fractional seconds, or Unix seconds.
func parseDate(_ text: String) -> Date? {
    let f = ISO8601DateFormatter()
    if let d = f.date(from: text) { return d }
    f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
    if let d = f.date(from: text) { return d }
    if let s = Double(text) { return Date(timeIntervalSince1970: s) }
    return nil
}

/// The default environment name: a stable fingerprint of the machine class, so results from
/// different hardware are never compared (`linux-x86_64-2cpu-24gb`).
enum EnvironmentFingerprint {
    static func current() -> String {
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

/// Where the store is: `--store`, else `PERFGATE_STORE`, else `.perfgate/history.sqlite` at the
/// repository root (or the working directory outside a repository).
enum StoreLocator {
    static func path(flag: String?, environment: [String: String], git: GitClient) -> String {
        if let f = flag { return f }
        if let e = environment["PERFGATE_STORE"], !e.isEmpty { return e }
        let root = git.topLevel ?? FileManager.default.currentDirectoryPath
        return root + "/.perfgate/history.sqlite"
    }
}
