import Foundation
import PerfgateTestSupport
import Testing

/// `detect` and pinned baselines end to end, on a history written in perfgate's native format:
/// twelve commits on main, `GET /api/items` p50 about 100 ms, and 130 ms from commit 8 on.
@Suite("detect and baselines end to end", .serialized)
struct DetectAndBaselineEndToEndTests {
    let dir = makeTemporaryDirectory()
    var store: String { dir.appendingPathComponent("h.sqlite").path }

    func sha(_ i: Int) -> String { String(format: "%040x", 0xabc000 + i) }

    func buildHistory(commits: Int = 12, stepAt: Int = 8) throws {
        // Deterministic ±1 % noise.
        let noise: [Double] = [0.4, -0.7, 0.9, -0.2, 0.1, -0.9, 0.6, -0.4, 0.8, -0.5, 0.3, -0.1, 0.5, -0.8]
        for i in 1...commits {
            let level = i >= stepAt ? 130.0 : 100.0
            let p50 = level * (1 + noise[i % noise.count] / 100)
            let file = dir.appendingPathComponent("run-\(i).json")
            try Data(NativeFixture.itemsRun(p50: p50).utf8).write(to: file)
            let time = String(format: "2026-03-%02dT12:00:00Z", i)
            let r = try PerfgateProcess.run(
                ["ingest", file.path, "--store", store, "--commit", sha(i), "--branch", "main", "--commit-time", time, "--environment", "lab"],
                in: dir)
            #expect(r.status == 0, "\(r)")
        }
    }

    @Test func detectFindsTheInjectedStepAtTheRightCommitAndStoresIt() throws {
        try buildHistory()
        let r = try PerfgateProcess.run(["detect", "--store", store, "--branch", "main", "--stat", "p50", "--format", "json"], in: dir)
        #expect(r.status == 0, "\(r)")
        let found = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [[String: Any]])
        #expect(found.count == 1, "\(r.stdout)")
        #expect(found.first?["commit"] as? String == sha(8), "the level moved at commit 8: \(r.stdout)")
        #expect(found.first?["regression"] as? Bool == true)
        let change = try #require(found.first?["relative_change"] as? Double)
        #expect(abs(change - 0.30) < 0.03)
        // Stored for reports.
        let q = try PerfgateProcess.run(["query", "--store", store, "SELECT commit_sha FROM change_points", "--format", "csv"], in: dir)
        #expect(q.stdout.contains(sha(8)), "\(q)")
    }

    @Test func lastLimitsTheHistoryAndAllTakesAllOfIt() throws {
        try buildHistory()
        func commits(_ extra: [String]) throws -> [String] {
            let r = try PerfgateProcess.run(
                ["detect", "--store", store, "--branch", "main", "--stat", "p50", "--format", "json", "--dry-run"] + extra, in: dir)
            #expect(r.status == 0, "\(r)")
            let found = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [[String: Any]])
            return found.compactMap { $0["commit"] as? String }
        }
        // The newest 6 commits are 7 (old level) and 8…12: a 1-commit segment is below the minimum of 3.
        #expect(try commits(["--last", "6"]) == [])
        #expect(try commits(["--last", "9"]) == [sha(8)])
        #expect(try commits(["--all"]) == [sha(8)])
        #expect(try commits([]) == [sha(8)])
        let both = try PerfgateProcess.run(["detect", "--store", store, "--last", "5", "--all"], in: dir)
        #expect(both.status == 64, "\(both)")
        let zero = try PerfgateProcess.run(["detect", "--store", store, "--last", "0"], in: dir)
        #expect(zero.status == 64, "\(zero)")
        // Stored: a narrower window replaces only what it saw, so the change point at commit 8 survives `--last 4`.
        #expect(try PerfgateProcess.run(["detect", "--store", store, "--branch", "main", "--stat", "p50"], in: dir).status == 0)
        #expect(try PerfgateProcess.run(["detect", "--store", store, "--branch", "main", "--stat", "p50", "--last", "4"], in: dir).status == 0)
        let q = try PerfgateProcess.run(["query", "--store", store, "SELECT commit_sha FROM change_points", "--format", "csv"], in: dir)
        #expect(q.stdout.contains(sha(8)), "\(q)")
        let help = try PerfgateProcess.run(["detect", "--help"], in: dir)
        #expect(help.stdout.contains("--all") && help.stdout.contains("5000"), "\(help.stdout)")
    }

    @Test func noStepNoChangePoint() throws {
        try buildHistory(stepAt: 99)
        let r = try PerfgateProcess.run(["detect", "--store", store, "--branch", "main", "--stat", "p50", "--format", "json"], in: dir)
        #expect(r.status == 0, "\(r)")
        #expect(r.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "[\n\n]" || r.stdout.contains("[]") || !r.stdout.contains("commit"), "\(r.stdout)")
    }

    @Test func aPinnedBaselineIsSavedPrettyAndUsedByCheck() throws {
        try buildHistory()
        let pinned = dir.appendingPathComponent("Baselines/before-step.json").path
        let save = try PerfgateProcess.run(["baseline", "save", pinned, "--store", store, "--commit", sha(7)], in: dir)
        #expect(save.status == 0, "\(save)")
        let text = try String(contentsOfFile: pinned, encoding: .utf8)
        #expect(text.contains("\n  \"branch\" : \"main\""), "pretty-printed with sorted keys:\n\(text)")
        let list = try PerfgateProcess.run(["baseline", "show", pinned], in: dir)
        #expect(list.status == 0 && list.stdout.contains("GET /api/items"), "\(list)")
        let budget = dir.appendingPathComponent("b.json")
        try Data(#"{"version": 1, "budgets": [{"regression": {"p50": "10%"}}]}"#.utf8).write(to: budget)
        // Commit 12 against the pinned pre-step numbers: +30 % fails; against its parent it passes.
        let pinnedCheck = try PerfgateProcess.run(
            ["check", "--budget", budget.path, "--store", store, "--commit", sha(12), "--branch", "main", "--environment", "lab", "--baseline", pinned], in: dir)
        #expect(pinnedCheck.status == 2, "\(pinnedCheck)")
        #expect(pinnedCheck.stdout.contains("pinned"), "\(pinnedCheck)")
        let parentCheck = try PerfgateProcess.run(
            ["check", "--budget", budget.path, "--store", store, "--commit", sha(12), "--branch", "main", "--environment", "lab"], in: dir)
        #expect(parentCheck.status == 0, "\(parentCheck)")
        // A baseline from another environment is never used silently.
        let otherEnv = try PerfgateProcess.run(
            ["check", "--budget", budget.path, "--store", store, "--commit", sha(12), "--branch", "main", "--environment", "lab", "--baseline", pinned, "--require-baseline"],
            in: dir)
        #expect(otherEnv.status == 2)
    }
}
