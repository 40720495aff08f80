import Foundation
import PerfgateCore
import PerfgateEngine
import PerfgateTestSupport
import Testing

/// `perfgate capacity`'s use case against the in-memory store: campaigns, their baseline and the budget.
@Suite("capacity campaigns")
struct CapacityCampaignTests {
    /// One run of commit `n` at `users` users with request p95 `p95` and 10 requests/s per user.
    func run(_ h: EngineTestHistory, _ n: Int, users: Int, p95: Double, environment: String = "ci") throws {
        let sha = EngineTestHistory.sha(n)
        let series = SeriesResult(
            key: SeriesKey(endpoint: "", metric: SeriesKey.requestLatencyMetric), unit: .milliseconds, direction: .lowerIsBetter,
            stats: [.p50: p95 / 2, .p95: p95, .p99: p95 * 1.2, .count: Double(users) * 600, .throughput: Double(users) * 10])
        _ = try h.store.insertAll([
            RunToStore(
                run: IngestedRun(
                    tool: "k6", format: "test", startedAt: EngineTestHistory.day(n).addingTimeInterval(Double(users)), durationSeconds: 60,
                    load: LoadProfile(vus: users, maxVUs: users), series: [series]),
                context: RunContext(
                    commit: CommitInfo(sha: sha, branch: "main", committedAt: EngineTestHistory.day(n), parentSha: h.git.parent(sha)),
                    scenario: "s", environment: environment,
                    sources: [SourceFile(path: "r.json", digest: "sha256:\(n)-\(users)-\(environment)", bytes: 1)],
                    ingestedAt: EngineTestHistory.day(n), perfgateVersion: "test", profile: "step", workers: 1))
        ])
    }

    /// Commit 1's knee lies between 20 and 40 users; commit 3's (two commits later) between 10 and 20.
    func history() throws -> EngineTestHistory {
        var h = EngineTestHistory()
        h.line(1...3, on: "main")
        for (users, p95) in [(10, 100.0), (20, 105), (40, 400)] { try run(h, 1, users: users, p95: p95) }
        for (users, p95) in [(10, 100.0), (20, 400), (40, 800)] { try run(h, 3, users: users, p95: p95) }
        return h
    }

    @Test func theBaselineIsTheNearestStoredAncestorAndTheBudgetJudgesTheKnee() throws {
        let h = try history()
        // Commit 2 has runs in another environment only: it is skipped.
        try run(h, 2, users: 10, p95: 100, environment: "staging")
        let budget = CapacityBudget(kneeDrop: 0.1, source: "-10%")
        let campaigns = try CapacityCampaign.withBaselines(
            store: h.store, sha: EngineTestHistory.sha(3), baselineSha: { nil }, scenario: nil, environment: nil, rule: .standard,
            budget: budget)
        #expect(campaigns.map(\.environment) == ["ci"])
        let c = try #require(campaigns.first)
        #expect(c.analysis.knee.capacity == 10)
        // Commit 2 has no campaign in ci: the baseline is commit 1.
        #expect(c.baseline?.commit.sha == EngineTestHistory.sha(1))
        #expect(c.baseline?.analysis.knee.capacity == 20)
        #expect(c.budget?.verdict == .fail)
        #expect(c.budget?.rule == "capacity.knee -10%")
    }

    @Test func withoutABaselineTheBudgetSaysSo() throws {
        let h = try history()
        let campaigns = try CapacityCampaign.withBaselines(
            store: h.store, sha: EngineTestHistory.sha(1), baselineSha: { nil }, scenario: nil, environment: nil, rule: .standard,
            budget: CapacityBudget(kneeDrop: 0.1, source: "-10%"))
        #expect(campaigns.first?.baseline == nil)
        #expect(campaigns.first?.budget?.verdict == .noBaseline)
        #expect(campaigns.first?.budget?.label == "no baseline")
    }

    @Test func aCommitWithoutRunsHasNoCampaignsAndTheBaselineIsNotAskedFor() throws {
        let h = try history()
        let campaigns = try CapacityCampaign.withBaselines(
            store: h.store, sha: EngineTestHistory.sha(2),
            baselineSha: {
                Issue.record("the baseline was resolved for a commit without runs")
                return nil
            }, scenario: nil, environment: nil, rule: .standard, budget: nil)
        #expect(campaigns.isEmpty)
    }

    @Test func anExplicitBaselineIsUsedAndCampaignsAreOnePerEnvironment() throws {
        let h = try history()
        try run(h, 3, users: 10, p95: 50, environment: "staging")
        try run(h, 3, users: 20, p95: 55, environment: "staging")
        let campaigns = try CapacityCampaign.withBaselines(
            store: h.store, sha: EngineTestHistory.sha(3), baselineSha: { EngineTestHistory.sha(1) }, scenario: nil, environment: nil,
            rule: .standard, budget: nil)
        #expect(campaigns.map(\.environment) == ["ci", "staging"])
        #expect(campaigns[0].baseline?.commit.sha == EngineTestHistory.sha(1))
        // Commit 1 has no staging campaign.
        #expect(campaigns[1].baseline == nil)
        #expect(campaigns.allSatisfy { $0.budget == nil })
    }
}
