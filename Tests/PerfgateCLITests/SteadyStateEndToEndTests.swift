import Foundation
import PerfgateTestSupport
import Testing

/// Warm-up and steady state on REAL k6 CSV output (ci/gen-steady-fixtures.sh,
/// Fixtures/steady/README.md): `k6-warmup` ran against a server whose latency is 4x for the first
/// 10 s, `k6-nowarmup` against the same server without a warm-up. The detected warm-up must end
/// within one MSER batch (5 buckets of 1 s) of the configured 10 s, the clean run must have none, and
/// a p95 budget the whole warm-up run fails must pass over its steady state (`--steady-state auto`).
@Suite("steady state end to end", .serialized)
struct SteadyStateEndToEndTests {
    let dir = makeTemporaryDirectory()
    var store: String { dir.appendingPathComponent("h.sqlite").path }
    static let sha = String(repeating: "a7", count: 20)
    static let shaClean = String(repeating: "b8", count: 20)
    static let configuredWarmUp = 10.0
    static let tolerance = 5.0

    func fixture(_ name: String) -> String { Fixtures.url("steady/" + name, target: "PerfgateCLITests").path }
    func perfgate(_ args: [String]) throws -> PerfgateProcess.Result { try PerfgateProcess.run(args, in: dir) }
    func ingest(_ name: String, sha: String) throws -> PerfgateProcess.Result {
        try perfgate(["ingest", fixture(name), "--store", store, "--commit", sha, "--branch", "main", "--environment", "ci", "--scenario", "warm"])
    }
    func stats(run: Int) throws -> [String: Double] {
        let r = try perfgate([
            "query", "SELECT statistic, value FROM measurements WHERE run_id = \(run) AND endpoint = '' AND metric = 'http_req_duration'",
            "--store", store, "--format", "json",
        ])
        #expect(r.status == 0, "\(r)")
        return Dictionary(
            r.jsonRows.compactMap { row in (row["statistic"] as? String).flatMap { s in (row["value"] as? NSNumber).map { (s, $0.doubleValue) } } },
            uniquingKeysWith: { a, _ in a })
    }
    func writeBudget(_ json: String) throws -> String {
        let url = dir.appendingPathComponent("budgets-\(UUID().uuidString).json")
        try Data(json.utf8).write(to: url)
        return url.path
    }

    @Test func theConfiguredWarmUpIsFoundAndTheCleanRunHasNone() throws {
        #expect(try ingest("k6-warmup.csv.gz", sha: Self.sha).status == 0)
        #expect(try ingest("k6-nowarmup.csv.gz", sha: Self.shaClean).status == 0)
        let warm = try stats(run: 1)
        let warmUp = try #require(warm["warmup_seconds"])
        #expect(abs(warmUp - Self.configuredWarmUp) <= Self.tolerance, "warm-up \(warmUp) s, configured \(Self.configuredWarmUp) s")
        // The server's warm-up starts at the first request, so the steady state starts near 10 s of the run too.
        let start = try #require(warm["steady_start"])
        #expect(abs(start - Self.configuredWarmUp) <= Self.tolerance, "steady state from \(start) s")
        #expect(warm["steady_state"] == 1 && (warm["steady_seconds"] ?? 0) >= 20, "\(warm)")
        // The steady state's p95 is the 25 ms server's, far below the whole run's (4x during warm-up).
        #expect(try #require(warm["steady_p95"]) < 0.6 * (try #require(warm["p95"])), "\(warm)")
        let clean = try stats(run: 2)
        #expect(clean["warmup_seconds"] == 0 && clean["steady_state"] == 1, "\(clean)")
        // The run page states it after the drift line, with the error-rate rise, in the steady rule's words.
        let site = dir.appendingPathComponent("site").path
        #expect(try perfgate(["report", "--store", store, "--out", site]).status == 0)
        let page = try String(contentsOfFile: site + "/runs/1.html", encoding: .utf8)
        #expect(page.contains("— steady state reached: warm-up \(Int(warmUp)) s, steady "), "run page")
        #expect(page.contains("— error rate not rising: 0.00% → 0.00%"), "run page")
    }

    @Test func aP95BudgetFailsTheWholeRunAndPassesItsSteadyState() throws {
        #expect(try ingest("k6-warmup.csv.gz", sha: Self.sha).status == 0)
        let s = try stats(run: 1)
        let limit = 70.0
        // The fixture's premise: the whole run's p95 is above the limit, its steady state's below.
        try #require(try #require(s["p95"]) > limit && (try #require(s["steady_p95"])) < limit, "\(s)")
        let budget = try writeBudget(#"{"version": 1, "budgets": [{"name": "p95", "max": {"p95": "70ms"}}, {"name": "Settles", "steady": true}]}"#)
        let whole = try perfgate(["check", "--budget", budget, "--commit", Self.sha, "--branch", "main", "--store", store])
        #expect(whole.status == 2, "\(whole)")
        let steady = try perfgate(["check", "--budget", budget, "--commit", Self.sha, "--branch", "main", "--store", store, "--steady-state", "auto"])
        #expect(steady.status == 0, "\(steady)")
        #expect(steady.stdout.contains("steady state: latency, throughput and error rate over each run's steady state"), "\(steady.stdout)")
        #expect(steady.stdout.contains("steady state reached: warm-up"), "\(steady.stdout)")
        #expect(!steady.stdout.contains("no time series"), "the run's steady state on every latency series: \(steady.stdout)")
        // The budget file can ask for it too; a run stored without a time series says it used the whole run.
        let auto = try writeBudget(#"{"version": 1, "steadyState": "auto", "budgets": [{"max": {"p95": "70ms"}}]}"#)
        #expect(try perfgate(["check", "--budget", auto, "--commit", Self.sha, "--branch", "main", "--store", store]).status == 0)
        let summary = try perfgate([
            "check", "--budget", auto, Fixtures.url("generated/k6/summary-export.json", target: "PerfgateIngestTests").path, "--commit", Self.shaClean,
            "--branch", "main", "--store", store,
        ])
        #expect(summary.stdout.contains("whole run used for the current run"), "\(summary)")
    }

    /// Saturation on the REAL capacity fixtures (Fixtures/capacity/README.md): the server serves at most
    /// 4 requests at once, so throughput stops growing at the first measured load above 4 users.
    @Test func saturationStartsAboveTheConfiguredLimitAndNotWithoutOne() throws {
        let cap = { (rel: String) in Fixtures.url("capacity/" + rel, target: "PerfgateCLITests").path }
        #expect(try perfgate(["ingest", cap("k6-steps-limit4.csv.gz"), "--store", store, "--commit", Self.sha, "--branch", "main", "--scenario", "steps"]).status == 0)
        #expect(try perfgate(["ingest", cap("k6-steps-nolimit.csv.gz"), "--store", store, "--commit", Self.shaClean, "--branch", "main", "--scenario", "steps"]).status == 0)
        let limited = try perfgate(["capacity", Self.sha, "--store", store])
        #expect(limited.status == 0 && limited.stdout.contains("saturation from 5 users: throughput flat at"), "\(limited)")
        let free = try perfgate(["capacity", Self.shaClean, "--store", store, "--format", "json"])
        #expect(free.stdout.contains(#""saturation" : "saturation: not reached up to 8 users""#), "\(free)")
    }
}

