import Foundation
import PerfgateTestSupport
import Testing

/// The default baseline in a real git repository: the base-branch results at the merge-base, or
/// the nearest earlier first-parent ancestor with results; never base-branch commits made after the
/// branch point, and never another environment.
///
/// History: main c1 … c6, feature branched at c4 with one commit f1. `GET /api/items` p50 is
/// 100 ms up to c4 and 130 ms on c5, c6 and f1, so f1 fails against the right baseline and would
/// pass against main's newest commit.
@Suite("baseline from git end to end", .serialized)
struct BaselineGitEndToEndTests {
    let dir = makeTemporaryDirectory()
    var store: String { dir.appendingPathComponent("h.sqlite").path }

    @discardableResult
    func git(_ args: [String], date: Int = 1) throws -> String {
        let r = try runGit(args, in: dir, date: date)
        #expect(r.status == 0, "git \(args)")
        return r.output
    }

    /// Builds the repository; returns the shas by name (c1…c6, f1).
    func makeRepository() throws -> [String: String] {
        var sha: [String: String] = [:]
        try git(["init", "-q", "-b", "main"])
        for i in 1...4 {
            try git(["commit", "-q", "--allow-empty", "-m", "c\(i)"], date: i)
            sha["c\(i)"] = try git(["rev-parse", "HEAD"])
        }
        try git(["checkout", "-q", "-b", "feature"])
        try git(["commit", "-q", "--allow-empty", "-m", "f1"], date: 7)
        sha["f1"] = try git(["rev-parse", "HEAD"])
        try git(["checkout", "-q", "main"])
        for i in 5...6 {
            try git(["commit", "-q", "--allow-empty", "-m", "c\(i)"], date: i)
            sha["c\(i)"] = try git(["rev-parse", "HEAD"])
        }
        return sha
    }

    func ingest(_ name: String, _ sha: String, branch: String, p50: Double) throws {
        let file = dir.appendingPathComponent("\(name).json")
        try Data(NativeFixture.itemsRun(p50: p50).utf8).write(to: file)
        // No --commit-time: the time comes from git.
        let r = try PerfgateProcess.run(
            ["ingest", file.path, "--store", store, "--commit", sha, "--branch", branch, "--environment", "lab"], in: dir)
        #expect(r.status == 0, "\(r)")
    }

    func check(_ sha: String, environment: String = "lab") throws -> PerfgateProcess.Result {
        let budget = dir.appendingPathComponent("b.json")
        try Data(#"{"version": 1, "budgets": [{"regression": {"p50": "10%"}}]}"#.utf8).write(to: budget)
        return try PerfgateProcess.run(
            ["check", "--budget", budget.path, "--store", store, "--commit", sha, "--branch", "feature", "--environment", environment],
            in: dir)
    }

    @Test func theMergeBaseIsTheBaselineNotMainsNewestCommit() throws {
        let sha = try makeRepository()
        for (name, p50) in [("c1", 100.0), ("c2", 101), ("c3", 99), ("c4", 100), ("c5", 130), ("c6", 131)] {
            try ingest(name, sha[name]!, branch: "main", p50: p50)
        }
        try ingest("f1", sha["f1"]!, branch: "feature", p50: 130)
        let r = try check(sha["f1"]!)
        #expect(r.status == 2, "f1 is 30 % slower than the merge-base c4: \(r)")
        #expect(r.stdout.contains("main @ \(sha["c4"]!.prefix(8)) (merge-base)"), "\(r.stdout)")
    }

    @Test func withoutResultsAtTheMergeBaseTheNearestEarlierAncestorIsUsedAndSaid() throws {
        let sha = try makeRepository()
        for (name, p50) in [("c1", 100.0), ("c2", 101), ("c3", 99), ("c5", 130), ("c6", 131)] {
            try ingest(name, sha[name]!, branch: "main", p50: p50)
        }
        try ingest("f1", sha["f1"]!, branch: "feature", p50: 130)
        let r = try check(sha["f1"]!)
        #expect(r.status == 2, "\(r)")
        #expect(r.stdout.contains("main @ \(sha["c3"]!.prefix(8))"), "\(r.stdout)")
        #expect(
            r.stdout.contains("merge-base \(sha["c4"]!.prefix(8)) has no results; using the nearest earlier commit \(sha["c3"]!.prefix(8)) (1 commits back)"),
            "\(r.stdout)")
    }

    @Test func aWindowBaselineHoldsOnlyAncestorsOfTheMergeBase() throws {
        let sha = try makeRepository()
        for (name, p50) in [("c1", 100.0), ("c2", 101), ("c3", 99), ("c4", 100), ("c5", 130), ("c6", 131)] {
            try ingest(name, sha[name]!, branch: "main", p50: p50)
        }
        try ingest("f1", sha["f1"]!, branch: "feature", p50: 130)
        let budget = dir.appendingPathComponent("b.json")
        try Data(#"{"version": 1, "budgets": [{"regression": {"p50": "10%"}}]}"#.utf8).write(to: budget)
        let r = try PerfgateProcess.run(
            ["check", "--budget", budget.path, "--store", store, "--commit", sha["f1"]!, "--branch", "feature", "--environment", "lab",
             "--baseline-window", "3"],
            in: dir)
        // main's newest three runs (c6, c5, c4: median 130) would pass f1; c4, c3, c2 (median 100) fail it.
        #expect(r.status == 2, "the window must be c4, c3, c2, made before the fork: \(r)")
        #expect(r.stdout.contains("last 3 runs (of 3) up to merge-base \(sha["c4"]!.prefix(8))"), "\(r.stdout)")
    }

    @Test func anotherEnvironmentIsNeverTheBaseline() throws {
        let sha = try makeRepository()
        for name in ["c1", "c2", "c3", "c4"] { try ingest(name, sha[name]!, branch: "main", p50: 100) }
        try ingest("f1", sha["f1"]!, branch: "feature", p50: 130)
        let f1 = dir.appendingPathComponent("f1.json")
        let other = try PerfgateProcess.run(
            ["ingest", f1.path, "--store", store, "--commit", sha["f1"]!, "--branch", "feature", "--environment", "cloud"], in: dir)
        #expect(other.status == 0, "\(other)")
        let r = try check(sha["f1"]!, environment: "cloud")
        #expect(r.status == 0, "no baseline in environment cloud, so no verdict: \(r)")
        #expect(r.stdout.contains("main has runs only in environment lab, not cloud"), "\(r.stdout)")
    }
}
