import Foundation
import PerfgateTestSupport
import Testing

/// Within-run drift on REAL k6 NDJSON and REAL Prometheus query_range output (ci/gen-prom-fixtures.sh,
/// Tests/PerfgateIngestTests/Fixtures/prometheus/README.md): `leak/` ran the server with a leak of
/// 64 KiB per request, `noleak/` without. The memory series must read "drifting up" at the configured
/// rate in the first and "no drift" in the second, and a `"drift"` budget must fail one and pass the other.
@Suite("within-run drift end to end", .serialized)
struct DriftEndToEndTests {
    let dir = makeTemporaryDirectory()
    var store: String { dir.appendingPathComponent("h.sqlite").path }
    static let sha = String(repeating: "e5", count: 20)
    static let shaClean = String(repeating: "f6", count: 20)
    static let leakPerRequest = 65536.0

    func fixture(_ rel: String) -> String { Fixtures.url("prometheus/" + rel, target: "PerfgateIngestTests").path }
    func perfgate(_ args: [String]) throws -> PerfgateProcess.Result { try PerfgateProcess.run(args, in: dir) }
    func ingest(_ run: String, sha: String) throws -> PerfgateProcess.Result {
        try perfgate(
            ["ingest", fixture("\(run)/k6.ndjson.gz"), fixture("\(run)/memory.prom.json"), "--store", store, "--commit", sha, "--branch", "main",
             "--environment", "ci", "--scenario", "endurance"])
    }
    func stats(run: Int) throws -> [String: [String: Double]] {
        let r = try perfgate([
            "query", "SELECT metric, statistic, value FROM measurements WHERE run_id = \(run) AND endpoint = ''", "--store", store, "--format", "json",
        ])
        #expect(r.status == 0, "\(r)")
        var out: [String: [String: Double]] = [:]
        for row in r.jsonRows {
            guard let m = row["metric"] as? String, let s = row["statistic"] as? String, let v = row["value"] as? NSNumber else { continue }
            out[m, default: [:]][s] = v.doubleValue
        }
        return out
    }
    func writeBudget(_ json: String) throws -> String {
        let url = dir.appendingPathComponent("budgets-\(UUID().uuidString).json")
        try Data(json.utf8).write(to: url)
        return url.path
    }

    @Test func theLeakDriftsUpAtTheConfiguredRateAndTheCleanRunDoesNot() throws {
        #expect(try ingest("leak", sha: Self.sha).status == 0)
        #expect(try ingest("noleak", sha: Self.shaClean).status == 0)
        let leak = try stats(run: 1)
        let memory = try #require(leak["app_memory_bytes"])
        let level = try #require(memory["mean"])
        let slope = try #require(memory["drift"])
        let low = try #require(memory["drift_low"])
        let high = try #require(memory["drift_high"])
        // 64 KiB per request at the run's throughput, per hour, as a fraction of the mean level.
        let throughput = try #require(leak["http_req_duration"]?["throughput"])
        let configured = Self.leakPerRequest * throughput * 3600 / level
        #expect(abs(slope - configured) / configured < 0.10, "drift \(slope)/h, configured \(configured)/h")
        #expect(low > 0.05 && low <= slope && slope <= high && high / low < 1.1, "\(low) … \(high)")
        #expect(try #require(memory["drift_points"]) >= 10 && memory["drift_seconds"]! >= 10)

        let clean = try #require(try stats(run: 2)["app_memory_bytes"])
        #expect(clean["drift"] == 0 && clean["drift_low"] == 0 && clean["drift_high"] == 0, "\(clean)")
        // The latency series carries its p95 drift too (from the timeline's buckets).
        #expect(leak["http_req_duration"]?["drift"] != nil)
    }

    @Test func aDriftBudgetFailsTheLeakAndPassesTheCleanRun() throws {
        #expect(try ingest("leak", sha: Self.sha).status == 0)
        #expect(try ingest("noleak", sha: Self.shaClean).status == 0)
        let budget = try writeBudget(
            #"{"version": 1, "budgets": [{"name": "No leak", "metric": "app_memory_bytes", "drift": {"value": "1%/h"}}]}"#)
        let leak = try perfgate(["check", "--budget", budget, "--commit", Self.sha, "--branch", "main", "--store", store])
        let line = leak.stdout.split(separator: "\n").first { $0.contains("app_memory_bytes") } ?? ""
        #expect(leak.status == 2 && line.contains("FAIL") && line.contains("drifting up"), "\(leak)")
        let clean = try perfgate(["check", "--budget", budget, "--commit", Self.shaClean, "--branch", "main", "--store", store])
        let cleanLine = clean.stdout.split(separator: "\n").first { $0.contains("app_memory_bytes") } ?? ""
        #expect(clean.status == 0 && cleanLine.contains("no drift"), "\(clean)")
        // The same words in the JSON, JUnit and Markdown outputs.
        let out = dir.appendingPathComponent("out-\(UUID().uuidString)")
        let again = try perfgate(
            ["check", "--budget", budget, "--commit", Self.sha, "--branch", "main", "--store", store, "--json", out.path + ".json",
             "--junit", out.path + ".xml", "--markdown", out.path + ".md"])
        #expect(again.status == 2, "\(again)")
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out.path + ".json"))) as? [String: Any]
        let findings = (json?["findings"] as? [[String: Any]]) ?? []
        let memory = findings.first { $0["metric"] as? String == "app_memory_bytes" }
        #expect(memory?["drift"] as? String == "drifting up" && memory?["verdict"] as? String == "fail", "\(findings)")
        for ext in ["xml", "md"] {
            let text = try String(contentsOfFile: out.path + "." + ext, encoding: .utf8)
            #expect(text.contains("drifting up beyond its limit"), "\(ext): \(text)")
        }
    }

    @Test func aDriftLimitIsValidatedWithItsJSONPath() throws {
        #expect(try ingest("noleak", sha: Self.shaClean).status == 0)
        let before = try Data(contentsOf: URL(fileURLWithPath: store))
        let noRate = try writeBudget(#"{"version": 1, "budgets": [{"metric": "app_memory_bytes", "drift": {"value": "1%"}}]}"#)
        let a = try perfgate(["check", "--budget", noRate, "--commit", Self.shaClean, "--branch", "main", "--store", store])
        #expect(a.status == 65 && a.stderr.contains("budgets[0].drift.value") && a.stderr.contains("%/h"), "\(a)")
        let wrongStat = try writeBudget(#"{"version": 1, "budgets": [{"drift": {"p99": "5%/h"}}]}"#)
        let b = try perfgate(["check", "--budget", wrongStat, "--commit", Self.shaClean, "--branch", "main", "--store", store])
        #expect(b.status == 65 && b.stderr.contains("budgets[0].drift.p99") && b.stderr.contains("p95"), "\(b)")
        let typo = try writeBudget(#"{"version": 1, "budgets": [{"metric": "app_memory_bytes", "drfit": {"value": "1%/h"}}]}"#)
        let c = try perfgate(["budgets", "validate", typo])
        #expect(c.status == 65 && c.stderr.contains("drift"), "\(c)")
        let ok = try writeBudget(#"{"version": 1, "budgets": [{"metric": "app_memory_bytes", "drift": {"value": "1%/h"}}]}"#)
        let dump = try perfgate(["budgets", "dump", "--effective", ok])
        #expect(dump.status == 0 && dump.stdout.contains("\"drift\"") && dump.stdout.contains("1%/h"), "\(dump)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: store)) == before)
    }

    @Test func theRunPageStatesEachDriftInTheGatesWords() throws {
        #expect(try ingest("leak", sha: Self.sha).status == 0)
        #expect(try ingest("noleak", sha: Self.shaClean).status == 0)
        let site = dir.appendingPathComponent("site")
        let r = try perfgate(["report", "--out", site.path, "--store", store])
        #expect(r.status == 0, "\(r)")
        let leak = try String(contentsOf: site.appendingPathComponent("runs/1.html"), encoding: .utf8)
        let clean = try String(contentsOf: site.appendingPathComponent("runs/2.html"), encoding: .utf8)
        // One line beside each chart title: the memory caption, and the latency chart's title for its p95.
        let memory = leak.components(separatedBy: "<figcaption>").first { $0.hasPrefix("app_memory_bytes") } ?? ""
        #expect(memory.contains("— drift: drifting up: +") && memory.contains("(95 % CI +"), "\(memory)")
        #expect(leak.contains("Latency over the run (p50, p95) — p95 drift: "), "\(leak)")
        let cleanMemory = clean.components(separatedBy: "<figcaption>").first { $0.hasPrefix("app_memory_bytes") } ?? ""
        #expect(cleanMemory.contains("— drift: no drift: +0.00%/h"), "\(cleanMemory)")
    }
}
