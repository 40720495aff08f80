import Foundation
import PerfgateCore
import PerfgateEngine
import PerfgateTestSupport
import Testing

/// Baseline selection (docs/gate.md, PRODUCT.md "Baseline") with a fake git and the in-memory store.
@Suite("Baseline selection")
struct BaselineResolverTests {
    typealias H = EngineTestHistory

    /// main: 1 ← 2 ← 3 ← 4, feature: 101 forked from 2 (committed after all of main).
    func forkedHistory() throws -> H {
        var h = H()
        h.line(1...4, on: "main")
        h.commit(101, parents: [2], on: "feature")
        for n in 1...4 { try h.results(n) }
        try h.results(101, branch: "feature", p95: 150)
        return h
    }

    @Test func aPullRequestIsComparedWithItsMergeBaseNotWithNewerMainCommits() throws {
        let h = try forkedHistory()
        let r = try h.resolver().resolve(current: try h.current(101), commit: h.commitInfo(101, branch: "feature"))
        #expect(H.commits(r.baseline) == [2])
        // The history stops at the merge-base too: commits 3 and 4 came after the fork.
        #expect(H.commits(r.history) == [1, 2])
        #expect(r.info?.description == "s: main @ \(H.short(2)) (merge-base)")
        #expect(r.info?.commits == [H.sha(2)])
        #expect(r.info?.notices == [])
    }

    @Test func aMainCommitIsComparedWithItsFirstParent() throws {
        let h = try forkedHistory()
        let r = try h.resolver().resolve(current: try h.current(4), commit: h.commitInfo(4))
        #expect(H.commits(r.baseline) == [3])
        #expect(H.commits(r.history) == [1, 2, 3])
        #expect(r.info?.description == "s: main @ \(H.short(3)) (merge-base)")
    }

    @Test func mergeCommitsAreWalkedByFirstParentOnly() throws {
        var h = H()
        h.line(1...2, on: "main")
        h.commit(50, parents: [1], on: "topic")
        h.git.times[H.sha(50)] = H.day(1).addingTimeInterval(3600)
        h.commit(3, parents: [2, 50], on: "main")
        h.commit(4, parents: [3], on: "main")
        for n in [1, 2, 3, 4] { try h.results(n) }
        try h.results(50, branch: "main")
        let r = try h.resolver().resolve(current: try h.current(4), commit: h.commitInfo(4))
        #expect(H.commits(r.baseline) == [3])
        // 50 is reachable only through the merge's second parent.
        #expect(H.commits(r.history) == [1, 2, 3])
    }

    @Test func commitsWithoutResultsAreSkippedAndTheSkipIsSaid() throws {
        var h = H()
        h.line(1...5, on: "main")
        for n in [1, 2, 5] { try h.results(n) }
        let r = try h.resolver().resolve(current: try h.current(5), commit: h.commitInfo(5))
        #expect(H.commits(r.baseline) == [2])
        #expect(r.info?.description == "s: main @ \(H.short(2))")
        #expect(
            r.info?.notices == [
                "scenario s: merge-base \(H.short(4)) has no results; using the nearest earlier commit \(H.short(2)) (2 commits back)"
            ])
    }

    @Test func withoutAnyEarlierResultThereIsNoBaselineAndItIsSaid() throws {
        var h = H()
        h.line(1...2, on: "main")
        try h.results(2)
        let r = try h.resolver().resolve(current: try h.current(2), commit: h.commitInfo(2))
        #expect(r.baseline.isEmpty && r.history.isEmpty)
        #expect(r.info?.description == "none (no main results to compare with)")
        #expect(r.info?.commits == [])
    }

    @Test func allRunsOfTheBaselineCommitAreTheBaselineAndAtMostFivePerCommitTheHistory() throws {
        var h = H()
        h.line(1...3, on: "main")
        try h.results(1, count: 7)
        try h.results(2, count: 3)
        try h.results(3)
        let r = try h.resolver().resolve(current: try h.current(3), commit: h.commitInfo(3))
        #expect(H.commits(r.baseline) == [2, 2, 2])
        #expect(H.commits(r.history) == [1, 1, 1, 1, 1, 2, 2, 2])
        // The history window bounds it, newest kept.
        let small = try h.resolver(window: 4).resolve(current: try h.current(3), commit: h.commitInfo(3))
        #expect(H.commits(small.history) == [1, 2, 2, 2])
    }

    @Test func aWindowTakesTheLastRunsUpToTheMergeBase() throws {
        let h = try forkedHistory()
        try h.results(1, count: 3, parent: nil)
        let r = try h.resolver(.window(3)).resolve(current: try h.current(101), commit: h.commitInfo(101, branch: "feature"))
        #expect(H.commits(r.baseline) == [2, 1, 1])
        #expect(r.info?.description == "s: main, last 3 runs (of 3) up to merge-base \(H.short(2))")
    }

    @Test func aGivenBaselineCommitIsUsedAsItIs() throws {
        let h = try forkedHistory()
        let r = try h.resolver(.commit(H.sha(4))).resolve(current: try h.current(101), commit: h.commitInfo(101, branch: "feature"))
        #expect(H.commits(r.baseline) == [4])
        #expect(r.info?.description == "s: commit \(H.short(4))")
        let missing = try h.resolver(.commit(H.sha(9))).resolve(current: try h.current(101), commit: h.commitInfo(101, branch: "feature"))
        #expect(missing.baseline.isEmpty)
        #expect(missing.info?.notices == ["scenario s: commit \(H.short(9)) has no results"])
    }

    @Test func aPinnedBaselineFileIsUsedAndNeverAcrossEnvironments() throws {
        let h = try forkedHistory()
        let runs = try h.current(2)
        func pinned(environment: String) throws -> String {
            let file = BaselineFile.from(
                name: "release", branch: "main", runs: runs.map { (scenario: $0.scenario, tool: $0.tool, commit: $0.commitSha, series: Array($0.series.values)) }, environment: environment)
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("perfgate-pinned-\(UUID().uuidString).json").path
            try file.encoded().write(to: URL(fileURLWithPath: path))
            return path
        }
        let same = try pinned(environment: "ci")
        defer { try? FileManager.default.removeItem(atPath: same) }
        let r = try h.resolver(.pinned(path: same)).resolve(current: try h.current(101), commit: h.commitInfo(101, branch: "feature"))
        #expect(r.baseline.count == 1 && r.baseline[0].series.values.first?.stats[.p95] == 100)
        #expect(r.history.isEmpty)
        #expect(r.info?.description == "pinned \(same) (main @ \(H.short(2)))")

        let other = try pinned(environment: "mac")
        defer { try? FileManager.default.removeItem(atPath: other) }
        let refused = try h.resolver(.pinned(path: other)).resolve(current: try h.current(101), commit: h.commitInfo(101, branch: "feature"))
        #expect(refused.baseline.isEmpty)
        #expect(refused.info?.notices.first?.contains("perfgate never compares environments") == true)

        #expect(throws: PerfgateError.self) {
            try h.resolver(.pinned(path: "/nonexistent/baseline.json")).resolve(current: [], commit: h.commitInfo(101))
        }
    }

    @Test func environmentsAreNeverMixedUnlessAllowed() throws {
        var h = H()
        h.line(1...2, on: "main")
        try h.results(1, environment: "mac")
        try h.results(2, environment: "ci")
        let refused = try h.resolver().resolve(current: try h.current(2), commit: h.commitInfo(2))
        #expect(refused.baseline.isEmpty)
        #expect(
            refused.info?.notices == [
                "scenario s: main has runs only in environment mac, not ci; perfgate never compares environments (pass --allow-environment-mismatch to override)"
            ])
        let allowed = try h.resolver(allowEnvironmentMismatch: true).resolve(current: try h.current(2), commit: h.commitInfo(2))
        #expect(H.commits(allowed.baseline) == [1])
        // The baseline runs take the environment of the runs they are compared with.
        #expect(allowed.baseline.map(\.environment) == ["ci"])
        #expect(allowed.info?.notices == ["scenario s: no main runs in environment ci; using environment mac (--allow-environment-mismatch)"])
    }

    @Test func runsOfAnotherToolAreNeverTheBaseline() throws {
        var h = H()
        h.line(1...2, on: "main")
        try h.results(1, tool: "locust")
        try h.results(1, tool: "k6")
        try h.results(2, tool: "k6")
        let r = try h.resolver().resolve(current: try h.current(2), commit: h.commitInfo(2))
        #expect(r.baseline.map(\.tool) == ["k6"])
    }

    /// main: a line of commits with results, checked where git knows none of them (results copied from CI).
    func storedLineWithoutGit(_ commits: ClosedRange<Int>) throws -> H {
        var h = H()
        h.line(commits, on: "main")
        for n in commits { try h.results(n) }
        h.git = FakeGitRepository()
        h.git.mayBeRepository = false
        return h
    }

    @Test func whenGitDoesNotKnowTheCommitTheStoredParentLinksAreFollowed() throws {
        let h = try storedLineWithoutGit(1...4)
        let r = try h.resolver().resolve(current: try h.current(4), commit: h.commitInfo(4, parent: 3))
        #expect(H.commits(r.baseline) == [3])
        #expect(H.commits(r.history) == [1, 2, 3])
        #expect(r.info?.description == "s: main @ \(H.short(3)) (parent)")
    }

    /// The store's parent links are read in chunks as the walk needs them: a history window longer than
    /// one chunk still gets every earlier commit, in order, up to the 2,000-commit bound.
    @Test func storedParentLinksAreFollowedPastOneChunk() throws {
        let h = try storedLineWithoutGit(1...600)
        let r = try h.resolver(window: 400).resolve(current: try h.current(600), commit: h.commitInfo(600, parent: 599))
        #expect(H.commits(r.baseline) == [599])
        #expect(H.commits(r.history) == Array(200...599))
        let all = try h.resolver(window: 5000).resolve(current: try h.current(600), commit: h.commitInfo(600, parent: 599))
        #expect(H.commits(all.history) == Array(1...599))
    }

    @Test func withNeitherGitNorParentLinksTheNewestEarlierCommitIsUsedAndItIsSaid() throws {
        let h = H()
        for n in 1...3 { try h.results(n) }
        let r = try h.resolver().resolve(
            current: try h.current(3), commit: CommitInfo(sha: H.sha(3), branch: "main", committedAt: H.day(3), parentSha: nil))
        #expect(H.commits(r.baseline) == [2])
        #expect(r.info?.description == "s: main @ \(H.short(2)) (newest earlier)")
        #expect(
            r.info?.notices == [
                "scenario s: git cannot compute the merge-base of \(H.short(3)) and main; using the newest earlier main commit with results, \(H.short(2))"
            ])
    }

    @Test func runsNewerThanTheCommitUnderTestAreNeverUsed() throws {
        let h = H()
        // Without git: commit 3 was stored with a later commit time than the commit under test.
        try h.results(1)
        try h.results(2)
        try h.results(3)
        let r = try h.resolver().resolve(
            current: try h.current(2), commit: CommitInfo(sha: H.sha(2), branch: "main", committedAt: H.day(2), parentSha: nil))
        #expect(H.commits(r.baseline) == [1])
    }
}
