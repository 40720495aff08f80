import Foundation
import PerfgateTestSupport
import Testing

/// End-to-end: the built binary against real fixture files and a temporary store.
@Suite("ingest end to end", .serialized)
struct IngestEndToEndTests {
    let dir = makeTemporaryDirectory()
    var store: String { dir.appendingPathComponent("h.sqlite").path }
    let commitArgs = ["--commit", String(repeating: "ab", count: 20), "--branch", "main", "--environment", "test"]

    func fixture(_ rel: String) -> String { Fixtures.url(rel, target: "PerfgateIngestTests").path }

    func perfgate(_ args: [String], env: [String: String] = [:]) throws -> PerfgateProcess.Result {
        try PerfgateProcess.run(args, in: dir, environment: env)
    }

    @Test func ingestsEveryRealFormatAndShowsHistory() throws {
        let files = [
            "generated/k6/summary-export.json", "generated/k6/handle-summary.json", "generated/k6/points.ndjson",
            "generated/k6/points.ndjson.gz", "generated/k6/points.csv", "generated/k6/points.csv.gz",
            "generated/locust/run_stats.csv", "generated/locust/run.json",
        ]
        for (i, f) in files.enumerated() {
            let r = try perfgate(["ingest", fixture(f), "--store", store, "--scenario", "s\(i)"] + commitArgs)
            #expect(r.status == 0, "\(f): \(r)")
            #expect(r.stdout.contains("stored run"), "\(f): \(r)")
        }
        let runs = try perfgate(["runs", "--store", store, "--format", "json"])
        #expect(runs.status == 0)
        let parsed = try JSONSerialization.jsonObject(with: Data(runs.stdout.utf8)) as? [[String: Any]]
        #expect(parsed?.count == files.count)
        let log = try perfgate(["log", "--store", store, "--scenario", "s0", "--endpoint", "*orders*", "--stat", "p95", "--format", "csv"])
        #expect(log.status == 0, "\(log)")
        #expect(log.stdout.split(separator: "\n").count == 2, "\(log)")
        let show = try perfgate(["show", "1", "--store", store])
        #expect(show.status == 0)
        #expect(show.stdout.contains("thresholds (as the tool evaluated them)"), "\(show)")
        #expect(show.stdout.contains("FAIL  http_req_duration{name:/api/orders}"), "\(show)")
    }

    @Test func oneExecutionPerRunAndToolsInScenariosOfTheirOwn() throws {
        // One real k6 run exported five ways and one real Locust run exported twice (ci/gen-fixtures.sh),
        // in one results folder, with no --scenario: two runs, never a k6 run with Locust "repeats".
        let results = dir.appendingPathComponent("results")
        try FileManager.default.createDirectory(at: results, withIntermediateDirectories: true)
        for f in [
            "k6/summary-export.json", "k6/handle-summary.json", "k6/points.ndjson.gz", "k6/points.csv",
            "locust/run_stats.csv", "locust/run_stats_history.csv", "locust/run_failures.csv", "locust/run_exceptions.csv", "locust/run.json",
        ] {
            try FileManager.default.copyItem(
                at: URL(fileURLWithPath: fixture("generated/" + f)), to: results.appendingPathComponent(f.replacingOccurrences(of: "/", with: "-")))
        }
        let r = try perfgate(["ingest", results.path, "--store", store] + commitArgs)
        #expect(r.status == 0, "\(r)")
        #expect(r.stderr.contains("is the same k6 run as"), "\(r)")
        #expect(r.stderr.contains("is the same locust run as"), "\(r)")
        let runs = try perfgate(["runs", "--store", store, "--format", "json"])
        let parsed = try #require(try JSONSerialization.jsonObject(with: Data(runs.stdout.utf8)) as? [[String: Any]])
        #expect(parsed.count == 2, "\(runs.stdout)")
        #expect(Set(parsed.compactMap { $0["scenario"] as? String }) == ["k6", "locust"], "\(runs.stdout)")
    }

    @Test func reIngestingIdenticalContentChangesNothingAndSaysSo() throws {
        let f = fixture("generated/k6/summary-export.json")
        _ = try perfgate(["ingest", f, "--store", store] + commitArgs)
        let before = PerfgateProcess.snapshot(URL(fileURLWithPath: store))
        let again = try perfgate(["ingest", f, "--store", store] + commitArgs)
        #expect(again.status == 0)
        #expect(again.stdout.contains("already stored as run 1; nothing changed"), "\(again)")
        let runs = try perfgate(["query", "--store", store, "SELECT count(*) AS n FROM runs", "--format", "csv"])
        #expect(runs.stdout.contains("n\n1"), "\(runs)")
        _ = before
    }

    @Test(arguments: [
        ("empty.json", "", "file is empty", Int32(65)),
        ("truncated.json", "{\"root_group\": {\"name\": \"\"", "truncated", Int32(65)),
        ("unknown.txt", "hello world\n", "unknown result format", Int32(65)),
        ("bad-utf8.csv", "Type,Name,Request Count,Failure Count\n\u{FF}", "", Int32(65)),
    ])
    func badInputIsRefusedCleanlyAndTheStoreIsUnchanged(name: String, content: String, message: String, code: Int32) throws {
        let good = try perfgate(["ingest", fixture("generated/k6/summary-export.json"), "--store", store] + commitArgs)
        #expect(good.status == 0)
        let before = try perfgate(["query", "--store", store, "SELECT count(*) AS n FROM measurements", "--format", "csv"]).stdout
        let path = dir.appendingPathComponent(name)
        var data = Data(content.utf8)
        if name == "bad-utf8.csv" { data = Data("Type,Name,Request Count\n".utf8) + Data([0xFF, 0xFE, 0x0A]) }
        try data.write(to: path)
        let r = try perfgate(["ingest", path.path, "--store", store] + commitArgs)
        #expect(r.status == code, "\(r)")
        #expect(r.stderr.contains(name), "message must name the file: \(r)")
        if !message.isEmpty { #expect(r.stderr.contains(message), "\(r)") }
        #expect(r.stderr.split(separator: "\n").filter { $0.contains("error:") }.count == 1, "one clear error: \(r)")
        let after = try perfgate(["query", "--store", store, "SELECT count(*) AS n FROM measurements", "--format", "csv"]).stdout
        #expect(before == after)
    }

    @Test func aBadFileAmongGoodOnesStoresNothing() throws {
        let bad = dir.appendingPathComponent("bad.ndjson")
        var lines = (1...16).map { _ in #"{"metric":"http_reqs","type":"Point","data":{"time":"2024-01-01T00:00:00Z","value":1,"tags":{"name":"x"}}}"# }
        lines.append("{this is not json")
        try Data(lines.joined(separator: "\n").utf8).write(to: bad)
        let r = try perfgate(["ingest", fixture("generated/k6/summary-export.json"), bad.path, "--store", store] + commitArgs)
        #expect(r.status == 65, "\(r)")
        #expect(r.stderr.contains("bad.ndjson:17"), "names file and line 17: \(r)")
        if FileManager.default.fileExists(atPath: store) {
            let runs = try perfgate(["runs", "--store", store, "--format", "csv"])
            #expect(runs.stdout.split(separator: "\n").count == 1, "header only: \(runs)")
        }
    }

    @Test func aMissingFileExits66() throws {
        let r = try perfgate(["ingest", "nope.json", "--store", store] + commitArgs)
        #expect(r.status == 66, "\(r)")
        #expect(r.stderr.contains("nope.json"))
    }

    @Test func withoutAnyCommitIdentityItIsAnErrorNotUnknown() throws {
        let r = try perfgate(["ingest", fixture("generated/k6/summary-export.json"), "--store", store])
        #expect(r.status == 64, "\(r)")
        #expect(r.stderr.contains("cannot tell which commit"), "\(r)")
    }

    @Test func commitComesFromCIVariables() throws {
        let sha = String(repeating: "c", count: 40)
        let r = try perfgate(
            ["ingest", fixture("generated/k6/summary-export.json"), "--store", store, "--environment", "ci"],
            env: ["GITHUB_ACTIONS": "true", "GITHUB_SHA": sha, "GITHUB_REF_NAME": "feature/x"])
        #expect(r.status == 0, "\(r)")
        let runs = try perfgate(["runs", "--store", store, "--format", "csv"])
        #expect(runs.stdout.contains(sha) && runs.stdout.contains("feature/x"), "\(runs)")
        let gl = try perfgate(
            ["ingest", fixture("generated/locust/run_stats.csv"), "--store", store, "--environment", "ci"],
            env: ["GITLAB_CI": "true", "CI_COMMIT_SHA": String(repeating: "d", count: 40), "CI_COMMIT_REF_NAME": "main", "CI_COMMIT_TIMESTAMP": "2026-01-02T03:04:05+00:00"])
        #expect(gl.status == 0, "\(gl)")
    }

    @Test func queryRefusesWrites() throws {
        _ = try perfgate(["ingest", fixture("generated/k6/summary-export.json"), "--store", store] + commitArgs)
        let r = try perfgate(["query", "--store", store, "DELETE FROM run"])
        #expect(r.status == 64, "\(r)")
        #expect(r.stderr.contains("read-only") || r.stderr.contains("refused"), "\(r)")
    }
}
