import Foundation
import PerfgateCore
import PerfgateTestSupport
import Testing

/// `perfgate readiness` on REAL runs: the k6 staircase against the server with 4 slots
/// (ci/gen-capacity-fixtures.sh, knee at 4 users) ingested as the stress class, and the real Prometheus
/// leak / no-leak runs (ci/gen-prom-fixtures.sh) as the endurance class. The command must show the knee
/// "between 4 and 5 users", the headroom over --expected-peak, the endurance run's drift in the gate's
/// words, and exit 0 ready / 2 not ready / 3 unknown.
@Suite("readiness end to end", .serialized)
struct ReadinessEndToEndTests {
    let dir = makeTemporaryDirectory()
    var store: String { dir.appendingPathComponent("h.sqlite").path }
    static let sha = String(repeating: "c3", count: 20)
    static let base = String(repeating: "d4", count: 20)

    func perfgate(_ args: [String]) throws -> PerfgateProcess.Result { try PerfgateProcess.run(args, in: dir) }

    func ingest(_ files: [String], sha: String, scenario: String, profile: String, parent: String? = nil) throws {
        let r = try perfgate(
            ["ingest"] + files + ["--store", store, "--commit", sha, "--branch", "main", "--environment", "ci", "--scenario", scenario, "--profile", profile])
        #expect(r.status == 0, "\(r)")
    }

    var staircase: String { Fixtures.url("capacity/k6-steps-limit4.csv.gz", target: "PerfgateCLITests").path }
    var staircaseNoLimit: String { Fixtures.url("capacity/k6-steps-nolimit.csv.gz", target: "PerfgateCLITests").path }
    func prom(_ run: String) -> [String] {
        ["k6.ndjson.gz", "memory.prom.json"].map { Fixtures.url("prometheus/\(run)/\($0)", target: "PerfgateIngestTests").path }
    }

    func budget() throws -> String {
        let url = dir.appendingPathComponent("budgets.json")
        try Data(
            #"""
            {"version": 1, "budgets": [
              {"name": "Latency SLA", "scenario": "api", "endpoint": "", "max": {"p95": "2s"}},
              {"name": "No leak", "metric": "app_memory_bytes", "drift": {"value": "1%/h"}}
            ]}
            """#.utf8
        ).write(to: url)
        return url.path
    }

    /// Stress (the staircase) and endurance (`run`: leak or noleak) at `sha`.
    func store(endurance run: String, sha: String = Self.sha) throws {
        try ingest([staircase], sha: sha, scenario: "api", profile: "stress")
        try ingest(prom(run), sha: sha, scenario: "api-soak", profile: "endurance")
    }

    @Test func theLeakIsNotReadyAndEveryNumberNamesItsRuns() throws {
        try store(endurance: "leak")
        let r = try perfgate(["readiness", Self.sha, "--budget", try budget(), "--expected-peak", "3", "--store", store])
        #expect(r.status == 2, "\(r)")
        let out = r.stdout
        #expect(out.contains("class stress") && out.contains("class endurance"), "\(out)")
        #expect(out.contains("knee between 4 and 5 users (p95 rise, throughput flat) (run 1)"), "\(out)")
        #expect(out.contains("1.33× the expected peak (capacity 4 users ÷ 3 users)"), "\(out)")
        // The endurance run's drift, in the run page's and the gate's words.
        #expect(out.contains("app_memory_bytes: drifting up: +"), "\(out)")
        #expect(out.contains("FAIL · drifting up beyond its limit"), "\(out)")
        #expect(out.contains("pass · within budget"), "\(out)")
        #expect(out.contains("app_memory_bytes p95 "), "\(out)")
        #expect(out.contains("overall: not ready — endurance: 1 rule FAIL"), "\(out)")

        let json = try perfgate(["readiness", Self.sha, "--budget", try budget(), "--expected-peak", "3", "--store", store, "--format", "json"])
        #expect(json.status == 2, "\(json)")
        let doc = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect(doc["verdict"] as? String == "not ready")
        let classes = doc["classes"] as? [[String: Any]] ?? []
        #expect(classes.compactMap { $0["name"] as? String } == ["stress", "endurance"])
        let stress = classes.first ?? [:]
        let capacity = (stress["capacity"] as? [[String: Any]])?.first ?? [:]
        #expect(capacity["capacity"] as? Double == 4 && capacity["headroomVerdict"] as? String == "ready", "\(capacity)")
        #expect(capacity["runIds"] as? [Int] == [1])
        #expect((stress["sla"] as? [String: Any])?["score"] as? String == "1/1 rules passed")
        let drift = (classes.last?["drift"] as? [[String: Any]]) ?? []
        #expect(drift.contains { $0["series"] as? String == "app_memory_bytes" && $0["verdict"] as? String == "drifting up" && $0["runId"] as? Int == 2 })
    }

    @Test func theCleanRunIsReadyOrUnknownAsItsInputsAllow() throws {
        try store(endurance: "noleak")
        let b = try budget()
        // Every rule holds and no expected peak is asked for: ready, with capacity not judged.
        let ready = try perfgate(["readiness", Self.sha, "--budget", b, "--store", store])
        #expect(ready.status == 0, "\(ready)")
        #expect(ready.stdout.contains("overall: ready — capacity not judged (no expected peak)"), "\(ready.stdout)")
        #expect(ready.stdout.contains("app_memory_bytes: no drift"), "\(ready.stdout)")
        // The endurance scenario has one load level: its headroom is unknown, so the overall is unknown.
        let unknown = try perfgate(["readiness", Self.sha, "--budget", b, "--expected-peak", "3", "--store", store])
        #expect(unknown.status == 3, "\(unknown)")
        #expect(unknown.stdout.contains("unknown: no capacity campaign (one load level; a knee needs at least two)"), "\(unknown.stdout)")
        // An expected peak at or above the knee's upper level: not ready.
        let over = try perfgate(["readiness", Self.sha, "--budget", b, "--expected-peak", "5", "--store", store])
        #expect(over.status == 2, "\(over)")
        #expect(over.stdout.contains("is at or below the expected peak of 5 users"), "\(over.stdout)")
        // Without a budget file nothing is asserted about the SLA.
        let none = try perfgate(["readiness", Self.sha, "--store", store])
        #expect(none.status == 3 && none.stdout.contains("unknown: no budget file"), "\(none)")
    }

    @Test func theReleasePageSaysWhatTheCommandSays() throws {
        // FROM: the same staircase against the server without a limit, and the clean endurance run.
        try ingest([staircaseNoLimit], sha: Self.base, scenario: "api", profile: "stress")
        try ingest(prom("noleak"), sha: Self.base, scenario: "api-soak", profile: "endurance")
        try store(endurance: "leak")
        let b = try budget()
        let json = try perfgate(["readiness", Self.sha, "--budget", b, "--expected-peak", "3", "--store", store, "--format", "json"])
        #expect(json.status == 2, "\(json)")
        let doc = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let site = dir.appendingPathComponent("site")
        let report = try perfgate([
            "report", "--out", site.path, "--store", store, "--release", "\(Self.base.prefix(8))..\(Self.sha.prefix(8))", "--budget", b,
            "--expected-peak", "3",
        ])
        #expect(report.status == 0, "\(report)")
        let html = try String(contentsOf: site.appendingPathComponent("release.html"), encoding: .utf8)
        let md = try String(contentsOf: site.appendingPathComponent("release.md"), encoding: .utf8)
        var texts = [try #require(doc["overall"] as? String)]
        for c in doc["classes"] as? [[String: Any]] ?? [] {
            let sla = c["sla"] as? [String: Any] ?? [:]
            texts += [sla["summary"], sla["score"], c["capacityText"], c["headroomText"], c["driftText"], c["serverPeaksText"], c["verdictText"]]
                .compactMap { $0 as? String }
            texts += (sla["rules"] as? [[String: Any]] ?? []).compactMap { $0["label"] as? String }
        }
        #expect(texts.count == 1 + 2 * 8, "\(texts)")
        for t in texts {
            #expect(html.contains(Escape.html(t)), "release.html lacks: \(t)")
            #expect(md.contains(Escape.markdown(t)), "release.md lacks: \(t)")
        }
        // Colours only where the gate decided, as on every page (ci/check-report-browser.sh): each rule's
        // coloured label sits in an element carrying that decision.
        let section = try #require(html.range(of: "<table id=\"readiness\"")).lowerBound
        let table = String(html[section...]).components(separatedBy: "</table>")[0]
        #expect(table.contains("<li data-decision=\"fail\"><span class=\"fail\">"), "\(table)")
        for c in ["fail", "warn", "worse", "better"] {
            #expect(
                table.components(separatedBy: "<span class=\"\(c)\">").count == table.components(separatedBy: "data-decision=\"\(c)\"><span class=\"\(c)\">").count,
                "a \(c) label outside its decision: \(table)")
        }
        // The capacity curves: this commit's knee, the baseline's curve beside it in a neutral dashed line.
        #expect(html.contains("c3c3c3c3: knee between 4 and 5 users (p95 rise, throughput flat)"), "\(html)")
        #expect(html.contains("d4d4d4d4: knee not reached up to 8 users"))
        #expect(html.contains("<polyline class=\"line s-users run-b\""))
        #expect(html.contains("No capacity campaign (two or more load levels) at either commit: api-soak · ci."))
        // The compare page (the newest two commits) draws the same curves.
        let compare = try String(contentsOf: site.appendingPathComponent("compare.html"), encoding: .utf8)
        #expect(compare.contains("<h2 id=\"capacity-curves\">") && compare.contains("knee between 4 and 5 users (p95 rise, throughput flat)"))
        #expect(compare.contains("knee not reached up to 8 users") && compare.contains("<polyline class=\"line s-users run-b\""))
    }

    @Test func badInputIsRefusedWithItsExitCode() throws {
        try store(endurance: "noleak")
        let before = try Data(contentsOf: URL(fileURLWithPath: store))
        let peak = try perfgate(["readiness", Self.sha, "--expected-peak", "0", "--store", store])
        #expect(peak.status == 64 && peak.stderr.contains("--expected-peak"), "\(peak)")
        let missing = try perfgate(["readiness", Self.sha, "--budget", dir.appendingPathComponent("nope.json").path, "--store", store])
        #expect(missing.status == 66 && missing.stderr.contains("nope.json"), "\(missing)")
        let typo = dir.appendingPathComponent("typo.json")
        try Data(#"{"version": 1, "budgets": [{"metric": "app_memory_byte", "drift": {"value": "1%/h"}}]}"#.utf8).write(to: typo)
        let t = try perfgate(["readiness", Self.sha, "--budget", typo.path, "--store", store])
        #expect(t.status == 65 && t.stderr.contains("budgets[0]"), "\(t)")
        let noRuns = try perfgate(["readiness", Self.base, "--store", store])
        #expect(noRuns.status == 64 && noRuns.stderr.contains("unknown commit"), "\(noRuns)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: store)) == before)
    }
}
