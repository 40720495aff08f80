import Foundation
import PerfgateTestSupport
import Testing

/// `perfgate check FILE…` stores nothing unless the whole check can be evaluated (a check that exits
/// 65 must not leave a run behind that later baselines would count as a repeat), and
/// `perfgate budgets validate --against` reports with the gate's own matching, storing nothing.
@Suite("check stores nothing on bad input; budgets validate --against", .serialized)
struct CheckStoresNothingOnBadInputTests {
    let dir: URL
    let store: URL
    let k6: String
    let locust: String

    init() throws {
        dir = makeTemporaryDirectory()
        store = dir.appendingPathComponent("history.sqlite")
        let r = try PerfgateProcess.run(["demo", "--store", store.path], in: dir)
        precondition(r.status == 0, "demo failed: \(r)")
        let samples = Fixtures.repositoryRoot.appendingPathComponent("Sources/PerfgateCLI/Samples")
        k6 = samples.appendingPathComponent("k6-run6.json").path
        locust = samples.appendingPathComponent("locust-run6_stats.csv").path
    }

    func write(_ text: String, _ name: String) throws -> String {
        let url = dir.appendingPathComponent(name)
        try Data(text.utf8).write(to: url)
        return url.path
    }

    /// The store's bytes (and those of its WAL when it holds any: a read-only open may leave an empty
    /// one), to prove "unchanged" exactly.
    func snapshot() -> [Data?] {
        let wal = PerfgateProcess.snapshot(URL(fileURLWithPath: store.path + "-wal"))
        return [PerfgateProcess.snapshot(store), wal?.isEmpty == true ? nil : wal]
    }

    func check(_ budget: String, _ files: [String], scenario: String = "checkout-k6") throws -> PerfgateProcess.Result {
        try PerfgateProcess.run(
            ["check", "--budget", budget, "--store", store.path, "--commit", "abcdef0123456789", "--branch", "feature",
             "--environment", "demo", "--scenario", scenario] + files, in: dir)
    }

    func runCount() throws -> String {
        let r = try PerfgateProcess.run(["query", "SELECT count(*) FROM runs", "--format", "csv", "--store", store.path], in: dir)
        return r.stdout
    }

    @Test func aBudgetThatMatchesNothingExits65AndLeavesTheStoreByteIdentical() throws {
        let before = snapshot()
        #expect(before[0] != nil)
        let none = try write(
            #"{"version": 1, "budgets": [{"endpoint": "*/api/*", "max": {"p95": "200ms"}}, {"endpoint": "GET *", "max": {"p95": "200ms"}}]}"#,
            "none.json")
        let r = try check(none, [k6])
        #expect(r.status == 65, "\(r)")
        #expect(r.stderr.contains("matches no series") && r.stderr.contains("budgets[1]"), "\(r)")
        #expect(!r.stderr.contains("stored run"), "\(r)")
        #expect(snapshot() == before, "the store changed although the check exited 65")
    }

    @Test func aStatisticNoSeriesReportsAndAWrongUnitExit65AndLeaveTheStoreByteIdentical() throws {
        let before = snapshot()
        let stat = try write(#"{"version": 1, "budgets": [{"endpoint": "/api/*", "max": {"p(99.9)": "200ms"}}]}"#, "stat.json")
        let r = try check(stat, [k6])
        #expect(r.status == 65 && r.stderr.contains("reports p99.9"), "\(r)")
        // A custom metric's unit is known only from the run: memory in MB against a limit in ms.
        let native = try write(
            #"""
            {"format": "perfgate", "version": 1, "tool": "harness", "scenario": "checkout-k6",
             "series": [{"metric": "memory", "unit": "MB", "direction": "lower", "stats": {"max": 512}}]}
            """#, "memory.json")
        let unit = try write(#"{"version": 1, "budgets": [{"metric": "memory", "max": {"max": "5ms"}}]}"#, "unit.json")
        let u = try check(unit, [native])
        #expect(u.status == 65 && u.stderr.contains("budgets[0].max.max") && u.stderr.contains("memory"), "\(u)")
        #expect(snapshot() == before, "the store changed although the check exited 65")
    }

    @Test func aMalformedResultFileExits65AndLeavesTheStoreByteIdentical() throws {
        let before = snapshot()
        let good = try write(#"{"version": 1, "budgets": [{"endpoint": "/api/*", "max": {"p95": "200ms"}}]}"#, "good.json")
        let text = try String(contentsOfFile: k6, encoding: .utf8)
        let truncated = try write(String(text.prefix(text.count / 2)), "k6-truncated.json")
        let r = try check(good, [k6, truncated])
        #expect(r.status == 65, "\(r)")
        #expect(r.stderr.contains("k6-truncated.json"), "\(r)")
        #expect(snapshot() == before, "the store changed although the check exited 65")
    }

    @Test func aBadPinnedBaselineOrAnUnknownBaselineCommitLeavesTheStoreByteIdentical() throws {
        let before = snapshot()
        let good = try write(#"{"version": 1, "budgets": [{"endpoint": "/api/*", "max": {"p95": "200ms"}}]}"#, "good.json")
        let pinned = try write(#"{"version": 1, "runs": "#, "bad-baseline.json")
        let r = try check(good, [k6] + ["--baseline", pinned])
        #expect(r.status == 65, "\(r)")
        let missing = try check(good, [k6] + ["--baseline", dir.appendingPathComponent("nope.json").path])
        #expect(missing.status == 66, "\(missing)")
        let commit = try check(good, [k6] + ["--baseline-commit", "fedcba9876543"])
        #expect(commit.status == 64, "\(commit)")
        #expect(snapshot() == before, "the store changed although the check was refused")
    }

    @Test func aValidCheckStillStoresItsRunOnce() throws {
        let before = try runCount()
        let good = try write(#"{"version": 1, "budgets": [{"endpoint": "/api/*", "max": {"p95": "200ms"}}]}"#, "good.json")
        let r = try check(good, [k6])
        #expect(r.status == 0, "\(r)")
        #expect(r.stderr.contains("stored run"), "\(r)")
        #expect(try runCount() != before)
        let again = try check(good, [k6])
        #expect(again.stderr.contains("already stored"), "\(again)")
    }

    @Test func budgetsValidateAgainstListsEveryBudgetThatMatchesNothingWithItsPath() throws {
        let before = snapshot()
        let budgets = try write(
            #"""
            {"version": 1, "budgets": [
              {"name": "reads", "endpoint": "*/api/*", "max": {"p95": "200ms"}},
              {"name": "GET", "endpoint": "GET *", "max": {"p95": "200ms"}},
              {"name": "tail", "endpoint": "*/api/*", "max": {"p(99.9)": "900ms"}},
              {"name": "bulk", "endpoint": "* /api/bulk/*", "max": {"p95": "2s"}}
            ]}
            """#, "mixed.json")
        let r = try PerfgateProcess.run(["budgets", "validate", budgets, "--against", k6, "--scenario", "checkout-k6"], in: dir)
        #expect(r.status == 65, "\(r)")
        #expect(r.stderr.contains("budgets[1]") && r.stderr.contains("budget 'GET' matches no series"), "\(r)")
        #expect(r.stderr.contains("budgets[3]") && r.stderr.contains("budget 'bulk' matches no series"), "\(r)")
        #expect(r.stderr.contains("budgets[2].max.p99.9") || r.stderr.contains("reports p99.9"), "\(r)")
        #expect(!r.stderr.contains("budgets[0]"), "\(r)")
        #expect(r.stdout.contains("budgets[0] reads: 4 series"), "\(r)")
        #expect(snapshot() == before)
    }

    @Test func budgetsValidateAgainstADirectorySummarisesTheMatchesAndExits0() throws {
        let results = dir.appendingPathComponent("results")
        try FileManager.default.createDirectory(at: results, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: k6, toPath: results.appendingPathComponent("k6.json").path)
        try FileManager.default.copyItem(atPath: locust, toPath: results.appendingPathComponent("locust_stats.csv").path)
        let budgets = try write(
            #"""
            {"version": 1, "budgets": [
              {"name": "latency", "endpoint": "*/api/*", "max": {"p95": "200ms"}},
              {"name": "orders", "endpoint": "*/api/orders", "regression": {"p95": "10%"}},
              {"name": "whole run", "endpoint": "", "max": {"error_rate": "1%"}}
            ]}
            """#, "ok.json")
        let r = try PerfgateProcess.run(["budgets", "validate", budgets, "--against", results.path], in: dir)
        #expect(r.status == 0, "\(r)")
        #expect(r.stdout.contains("3 budgets"), "\(r)")
        #expect(r.stdout.contains("against 2 runs"), "\(r)")
        #expect(r.stdout.contains("budgets[0] latency: 8 series"), "\(r)")
        #expect(r.stdout.contains("budgets[1] orders: 2 series") && r.stdout.contains("POST /api/orders"), "\(r)")
        // Each tool's whole run is its own series (scenarios named after the tools), never one pooled series.
        #expect(r.stdout.contains("budgets[2] whole run: 2 series (k6: (all); locust: (all))"), "\(r)")
    }
}
