import Foundation
import PerfgateCore
import PerfgateEngine
import PerfgateTestSupport
import Testing

/// Which commit results belong to: flags, perfgate's variables, the CI's variables, the file, git.
@Suite("Commit resolution")
struct CommitResolverTests {
    typealias H = EngineTestHistory

    /// A checkout of main at commit 3 (1 ← 2 ← 3).
    static func checkout() -> FakeGitRepository {
        var h = H()
        h.line(1...3, on: "main")
        h.git.head = H.sha(3)
        h.git.currentBranch = "main"
        return h.git
    }

    static func exitStatus(_ body: () throws -> Void) -> PerfgateCore.ExitStatus? {
        do {
            try body()
            return nil
        } catch let e as any DiagnosableError {
            return e.exitStatus
        } catch {
            return nil
        }
    }

    @Test func gitAloneNamesTheCheckedOutCommitWithItsTimeAndParent() throws {
        let c = try CommitResolver(environment: [:], git: Self.checkout()).resolve(sha: nil, branch: nil, time: nil)
        #expect(c == CommitInfo(sha: H.sha(3), branch: "main", committedAt: H.day(3), parentSha: H.sha(2)))
    }

    @Test func flagsWinOverPerfgateVariablesWhichWinOverCIVariables() throws {
        let env = [
            "PERFGATE_COMMIT": H.sha(2), "PERFGATE_BRANCH": "from-variable",
            "GITHUB_ACTIONS": "true", "GITHUB_SHA": H.sha(1), "GITHUB_HEAD_REF": "from-ci",
        ]
        let resolver = CommitResolver(environment: env, git: Self.checkout())
        let flagged = try resolver.resolve(sha: H.sha(1), branch: "from-flag", time: "2026-05-01T12:00:00Z")
        #expect(flagged.sha == H.sha(1) && flagged.branch == "from-flag")
        #expect(flagged.committedAt == parseDate("2026-05-01T12:00:00Z"))
        let variables = try resolver.resolve(sha: nil, branch: nil, time: nil)
        #expect(variables.sha == H.sha(2) && variables.branch == "from-variable" && variables.parentSha == H.sha(1))
        var ci = env
        ci["PERFGATE_COMMIT"] = nil
        ci["PERFGATE_BRANCH"] = nil
        let fromCI = try CommitResolver(environment: ci, git: Self.checkout()).resolve(sha: nil, branch: nil, time: nil)
        #expect(fromCI.sha == H.sha(1) && fromCI.branch == "from-ci")
    }

    @Test func eachCIIsRead() {
        func found(_ env: [String: String]) -> CommitResolver.Found? { CommitResolver(environment: env, git: FakeGitRepository()).fromCI() }
        #expect(found(["GITLAB_CI": "true", "CI_COMMIT_SHA": "abc", "CI_MERGE_REQUEST_SOURCE_BRANCH_NAME": "mr"])?.branch == "mr")
        #expect(found(["BUILDKITE": "true", "BUILDKITE_COMMIT": "HEAD", "BUILDKITE_BRANCH": "b"])?.sha == nil)
        #expect(found(["CIRCLECI": "true", "CIRCLE_SHA1": "abc"])?.source == "CircleCI")
        #expect(found(["JENKINS_URL": "http://j", "GIT_COMMIT": "abc", "GIT_BRANCH": "origin/dev"])?.branch == "dev")
        #expect(found(["CI": "true"]) == nil)
    }

    @Test func theFilesOwnCommitIsUsedUnlessOverriddenAndAnOverrideIsNoted() throws {
        let file = CommitResolver.FileCommit(sha: H.sha(7), branch: "release", time: H.day(7), parent: H.sha(6), path: "r.json")
        let resolver = CommitResolver(environment: [:], git: Self.checkout())
        var notes: [String] = []
        let own = try resolver.resolve(sha: nil, branch: nil, time: nil, file: file, notes: &notes)
        #expect(own == CommitInfo(sha: H.sha(7), branch: "release", committedAt: H.day(7), parentSha: H.sha(6)))
        #expect(notes.isEmpty)
        let overridden = try resolver.resolve(sha: H.sha(2), branch: nil, time: nil, file: file, notes: &notes)
        // The file's branch, time and parent describe its own commit only; git's branch describes HEAD only.
        #expect(overridden.sha == H.sha(2) && overridden.parentSha == H.sha(1) && overridden.committedAt == H.day(2))
        #expect(notes == ["r.json names commit \(H.short(7)); stored under \(H.short(2)) from --commit (flags and CI variables override the file)"])
    }

    @Test func noCommitAnywhereIsAUsageErrorNotUnknown() {
        var outside = FakeGitRepository()
        outside.mayBeRepository = false
        #expect(Self.exitStatus { _ = try CommitResolver(environment: [:], git: outside).resolve(sha: nil, branch: nil, time: nil) } == .usage)
        var detached = Self.checkout()
        detached.currentBranch = nil
        #expect(Self.exitStatus { _ = try CommitResolver(environment: [:], git: detached).resolve(sha: nil, branch: nil, time: nil) } == .usage)
        #expect(Self.exitStatus { _ = try CommitResolver(environment: [:], git: Self.checkout()).resolve(sha: nil, branch: nil, time: "yesterday") } == .usage)
    }

    @Test func shortShasAndRevisionsResolveThroughTheStoreThenGit() throws {
        let h = H()
        try h.results(0x1234)
        try h.results(0x1235)
        var outside = FakeGitRepository()
        outside.mayBeRepository = false
        let stored = RevisionResolver(store: h.store, git: outside)
        #expect(try stored.resolve("00001234") == H.sha(0x1234))
        #expect(try stored.lookup("00001234") == .resolved(H.sha(0x1234), from: "store"))
        #expect(try stored.lookup("0000123") == .ambiguous([H.sha(0x1234), H.sha(0x1235)]))
        #expect(Self.exitStatus { _ = try stored.resolve("0000123") } == .usage)
        #expect(Self.exitStatus { _ = try stored.resolve("HEAD~1") } == .usage)
        // A short SHA nobody knows is kept as written: a commit perfgate has not seen yet, outside git.
        #expect(try CommitResolver.fullSha("abcdef12", revisions: stored) == "abcdef12")
        let inGit = RevisionResolver(store: h.store, git: Self.checkout())
        #expect(try inGit.resolve("main") == H.sha(3))
    }
}
