import Foundation
import PerfgateCore
import PerfgateEngine
import PerfgateTestSupport
import Testing

/// A check from stored runs to a gate outcome: which runs, which baseline, which verdict.
@Suite("Check orchestration")
struct CheckEngineTests {
    typealias H = EngineTestHistory

    static let budgets = #"{"version": 1, "budgets": [{"metric": "http_req_duration", "regression": {"p95": "10%"}}]}"#

    func check(_ h: H, commit: CommitInfo, budget: String = budgets) throws -> GateOutcome {
        let set = try BudgetSet.load(Data(budget.utf8), file: "budgets.json")
        return try CheckEngine(store: h.store, git: h.git).evaluate(CheckEngine.Request(budgets: set, budgetsFile: "budgets.json", commit: commit))
    }

    @Test func aSlowerPullRequestFailsAgainstItsMergeBaseAndAFastEnoughOnePasses() throws {
        var h = H()
        h.line(1...3, on: "main")
        h.commit(101, parents: [2], on: "slow")
        h.commit(102, parents: [2], on: "fine")
        try h.results(1, p95: 100)
        try h.results(2, p95: 100)
        // Main got slower after the fork: a PR is not blamed for it, nor excused by it.
        try h.results(3, p95: 200)
        try h.results(101, branch: "slow", p95: 130)
        try h.results(102, branch: "fine", p95: 105)
        let slow = try check(h, commit: h.commitInfo(101, branch: "slow"))
        #expect(slow.verdict == .fail)
        #expect(slow.baseline?.commits == [H.sha(2)])
        let fine = try check(h, commit: h.commitInfo(102, branch: "fine"))
        #expect(fine.verdict == .pass)
    }

    @Test func theCommitsTimeAndParentComeFromTheStoreWhenNotGiven() throws {
        var h = H()
        h.line(1...3, on: "main")
        for n in 1...3 { try h.results(n) }
        h.git = FakeGitRepository()
        // Only the SHA is known (e.g. `check --commit SHA` outside git): the stored parent link is used.
        let outcome = try check(h, commit: CommitInfo(sha: H.sha(3), branch: "main"))
        #expect(outcome.baseline?.commits == [H.sha(2)])
        #expect(outcome.baseline?.description == "s: main @ \(H.short(2)) (parent)")
    }

    @Test func aCommitWithoutStoredResultsIsMissingInput() throws {
        var h = H()
        h.line(1...2, on: "main")
        try h.results(1)
        do {
            _ = try check(h, commit: h.commitInfo(2))
            Issue.record("a check without results did not throw")
        } catch let e as PerfgateError {
            #expect(e.exitStatus == .missingInput)
            #expect(e.diagnostic.message == "no results stored for commit \(H.short(2))")
        }
    }

    @Test func noBaselineIsStatedAsSuch() throws {
        var h = H()
        h.line(1...1, on: "main")
        try h.results(1)
        let outcome = try check(h, commit: h.commitInfo(1))
        #expect(outcome.baselineMissing)
        #expect(outcome.baseline?.description == "none (no main results to compare with)")
    }

    @Test func theBudgetFilesBaselinePolicyChoosesTheBranchAndStrategy() throws {
        var h = H()
        h.line(1...3, on: "trunk")
        for n in 1...3 { try h.results(n, branch: "trunk") }
        let budget = #"{"version": 1, "baseline": {"branch": "trunk", "strategy": "window", "window": 2}, "budgets": [{"metric": "http_req_duration", "regression": {"p95": "10%"}}]}"#
        let outcome = try check(h, commit: h.commitInfo(3, branch: "trunk"), budget: budget)
        #expect(outcome.baseline?.description == "s: trunk, last 2 runs (of 2) up to merge-base \(H.short(2))")
    }
}
