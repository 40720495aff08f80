import Foundation
import PerfgateTestSupport
import Testing

/// End-to-end on REAL k6 and Locust output (ci/gen-capacity-fixtures.sh): the local server serves at most
/// 4 requests at once (`--concurrency 4`, 100 ms each), a known knee at 4 users. The capacity analysis
/// must find it within one load step (the step is 1 user), report "not reached" against the same
/// server without a limit, and give near-linear scaling across 1, 2 and 4 server slots.
@Suite("capacity end to end", .serialized)
struct CapacityEndToEndTests {
    let dir = makeTemporaryDirectory()
    var store: String { dir.appendingPathComponent("h.sqlite").path }
    static let configuredKnee = 4.0
    static let shaA = String(repeating: "a1", count: 20)
    static let shaB = String(repeating: "b2", count: 20)

    func fixture(_ rel: String) -> String { Fixtures.url("capacity/" + rel, target: "PerfgateCLITests").path }
    func perfgate(_ args: [String]) throws -> PerfgateProcess.Result { try PerfgateProcess.run(args, in: dir) }

    func ingest(_ files: [String], sha: String, scenario: String, extra: [String] = []) throws {
        let r = try perfgate(
            ["ingest"] + files.map(fixture) + ["--store", store, "--commit", sha, "--branch", "main", "--environment", "ci", "--scenario", scenario]
                + extra)
        #expect(r.status == 0, "\(r)")
    }

    /// The JSON output's campaigns.
    func capacityJSON(_ args: [String]) throws -> [[String: Any]] {
        let r = try perfgate(["capacity"] + args + ["--store", store, "--format", "json"])
        #expect(r.status == 0, "\(r)")
        return (try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [[String: Any]]) ?? []
    }

    func knee(_ campaign: [String: Any]?) -> [String: Any] { campaign?["knee"] as? [String: Any] ?? [:] }

    @Test func k6StaircaseFindsTheConfiguredKneeAndNoKneeWithoutALimit() throws {
        try ingest(["k6-steps-limit4.csv.gz"], sha: Self.shaA, scenario: "k6-limit")
        try ingest(["k6-steps-nolimit.csv.gz"], sha: Self.shaA, scenario: "k6-nolimit")
        let campaigns = try capacityJSON([Self.shaA])
        #expect(campaigns.count == 2)
        let limited = campaigns.first { $0["scenario"] as? String == "k6-limit" }
        let k = knee(limited)
        #expect(k["status"] as? String == "found", "\(k)")
        let lastWithin = k["lastWithin"] as? Double ?? -1
        let firstPast = k["firstPast"] as? Double ?? -1
        #expect(abs(lastWithin - Self.configuredKnee) <= 1, "capacity \(lastWithin) vs configured \(Self.configuredKnee)")
        #expect(firstPast == lastWithin + 1)
        // Eight steady steps of the ramping-vus staircase, 1…8 users.
        let levels = limited?["levels"] as? [[String: Any]] ?? []
        #expect(levels.compactMap { $0["users"] as? Double } == [1, 2, 3, 4, 5, 6, 7, 8])
        // Below the knee throughput grows about 10 requests/s per user; past it, it stays near the
        // server's 40 requests/s (4 slots / 100 ms).
        let rps = levels.compactMap { $0["requestsPerSecond"] as? Double }
        #expect(rps.count == 8 && rps[0] > 7 && rps[0] < 11 && rps[7] > 30 && rps[7] < 42, "\(rps)")
        #expect(levels.last?["assessment"] as? String == "past the knee")
        #expect(levels.first?["assessment"] as? String == "within capacity")

        let free = campaigns.first { $0["scenario"] as? String == "k6-nolimit" }
        #expect(knee(free)["status"] as? String == "not reached", "\(knee(free))")
        #expect(knee(free)["highest"] as? Double == 8)
        #expect(knee(free)["summary"] as? String == "knee not reached up to 8 users")

        let table = try perfgate(["capacity", String(Self.shaA.prefix(8)), "--scenario", "k6-limit", "--store", store])
        #expect(table.status == 0, "\(table)")
        #expect(table.stdout.contains("knee: knee between \(Int(lastWithin)) and \(Int(firstPast)) users"), "\(table.stdout)")
        #expect(table.stdout.contains("stepped run"))
        #expect(table.stdout.contains("past the knee"))
        let csv = try perfgate(["capacity", Self.shaA, "--scenario", "k6-nolimit", "--store", store, "--format", "csv"])
        let lines = csv.stdout.split(separator: "\n")
        #expect(lines.first?.hasPrefix("commit,scenario,environment,load_level,users,") == true)
        #expect(lines.count == 9, "\(csv.stdout)")
    }

    @Test func locustLoadTestShapeFindsTheConfiguredKnee() throws {
        try ingest(["locust-steps-limit4_stats.csv", "locust-steps-limit4_stats_history.csv"], sha: Self.shaA, scenario: "locust")
        let campaigns = try capacityJSON([Self.shaA])
        let k = knee(campaigns.first)
        #expect(k["status"] as? String == "found", "\(k)")
        let lastWithin = k["lastWithin"] as? Double ?? -1
        #expect(abs(lastWithin - Self.configuredKnee) <= 1, "capacity \(lastWithin) vs configured \(Self.configuredKnee)")
        let levels = campaigns.first?["levels"] as? [[String: Any]] ?? []
        #expect(levels.compactMap { $0["users"] as? Double } == [1, 2, 3, 4, 5, 6, 7, 8])
    }

    /// Separate constant-load runs of one commit form a campaign; labels come from --profile.
    @Test func aCampaignOfSeparateRunsAndTheKneeBudget() throws {
        for (vus, profile) in [(2, "normal"), (4, "peak"), (6, "stress"), (8, "spike")] {
            try ingest(["campaign/k6-vus\(vus).json"], sha: Self.shaB, scenario: "api", extra: ["--profile", profile])
        }
        let campaigns = try capacityJSON([Self.shaB])
        let levels = campaigns.first?["levels"] as? [[String: Any]] ?? []
        #expect(levels.compactMap { $0["name"] as? String } == ["normal", "peak", "stress", "spike"])
        #expect(levels.compactMap { $0["users"] as? Double } == [2, 4, 6, 8])
        let k = knee(campaigns.first)
        #expect(k["status"] as? String == "found", "\(k)")
        #expect(k["lastWithin"] as? Double == Self.configuredKnee, "\(k)")
        // The labels are stored with the runs and readable through the documented view.
        let labels = try perfgate(["query", "SELECT profile, workers FROM run_loads ORDER BY run_id", "--store", store, "--format", "csv"])
        #expect(labels.stdout == "profile,workers\nnormal,\npeak,\nstress,\nspike,\n", "\(labels)")
        // export/import carries them (a campaign run as parallel CI jobs is merged this way).
        let history = dir.appendingPathComponent("history.json").path
        #expect(try perfgate(["export", "--store", store, "--out", history]).status == 0)
        let copy = dir.appendingPathComponent("copy.sqlite").path
        let imported = try perfgate(["import", history, "--store", copy])
        #expect(imported.status == 0, "\(imported)")
        let copied = try perfgate(["query", "SELECT profile, workers FROM run_loads ORDER BY run_id", "--store", copy, "--format", "csv"])
        #expect(copied.stdout == labels.stdout, "\(copied)")

        // Baseline A: the same scenario without a limit, no knee up to 8 users. Against it the knee
        // at 4 users is more than 10 % lower: the budget fails (exit 2), in the gate's words.
        try ingest(["k6-steps-nolimit.csv.gz"], sha: Self.shaA, scenario: "api")
        let budget = dir.appendingPathComponent("budgets.json")
        try Data(#"{ "version": 1, "capacity": { "knee": "-10%" } }"#.utf8).write(to: budget)
        let before = try Data(contentsOf: URL(fileURLWithPath: store))
        let failed = try perfgate(["capacity", Self.shaB, "--baseline", Self.shaA, "--budget", budget.path, "--store", store])
        #expect(failed.status == 2, "\(failed)")
        #expect(failed.stdout.contains("capacity.knee -10%: FAIL · knee at a lower load beyond its limit"), "\(failed.stdout)")
        #expect(failed.stdout.contains("baseline a1a1a1a1: knee not reached up to 8 users"), "\(failed.stdout)")
        // The other way round the knee did not move down: pass.
        let passed = try perfgate(["capacity", Self.shaA, "--baseline", Self.shaB, "--budget", budget.path, "--store", store])
        #expect(passed.status == 0, "\(passed)")
        #expect(passed.stdout.contains("capacity.knee -10%: pass · within budget"), "\(passed.stdout)")
        // Without a baseline campaign: "no baseline", and exit 3 when the file requires one.
        try Data(#"{ "version": 1, "requireBaseline": true, "capacity": { "knee": "-10%" } }"#.utf8).write(to: budget)
        let none = try perfgate(["capacity", Self.shaB, "--budget", budget.path, "--store", store])
        #expect(none.status == 3 && none.stdout.contains("capacity.knee -10%: no baseline"), "\(none)")
        // check does not evaluate a capacity-only file, and says which command does.
        let check = try perfgate(["check", "--budget", budget.path, "--commit", Self.shaB, "--store", store])
        #expect(check.status == 65 && check.stderr.contains("perfgate capacity --budget"), "\(check)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: store)) == before)
    }

    @Test func scalingEfficiencyAcrossWorkers() throws {
        for n in [1, 2, 4] {
            try ingest(["scaling/k6-workers\(n).json"], sha: Self.shaB, scenario: "scale", extra: ["--workers", String(n)])
        }
        let campaigns = try capacityJSON([Self.shaB])
        let scaling = campaigns.first?["scaling"] as? [[String: Any]] ?? []
        #expect(scaling.compactMap { $0["workers"] as? Int } == [1, 2, 4])
        let efficiency = scaling.compactMap { $0["efficiency"] as? Double }
        #expect(efficiency.count == 3 && efficiency[0] == 1)
        // Each slot serves 10 requests/s: near-linear scaling, within 85–110 % (the one-slot run loses the
        // requests in flight when k6 stops, about 800 ms each, so the others can read above 100 %).
        #expect(efficiency.allSatisfy { $0 > 0.85 && $0 < 1.10 }, "\(efficiency)")
        let table = try perfgate(["capacity", Self.shaB, "--store", store])
        #expect(table.stdout.contains("scaling (throughput(n) / (n · throughput(1)))"), "\(table.stdout)")
    }

    @Test func badLoadLabelsAreUsageErrorsAndStoreNothing() throws {
        let r = try perfgate(["ingest", fixture("campaign/k6-vus2.json"), "--store", store, "--workers", "0", "--commit", Self.shaA])
        #expect(r.status == 64 && r.stderr.contains("--workers expects a positive number"), "\(r)")
        #expect(!FileManager.default.fileExists(atPath: store))
        let empty = try perfgate(["capacity", "--store", store])
        #expect(empty.status != 0 && empty.status != 2, "\(empty)")
    }
}
