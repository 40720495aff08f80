import Foundation
import PerfgateTestSupport
import Testing

/// End-to-end on REAL k6 NDJSON and REAL Prometheus query_range output (ci/gen-prom-fixtures.sh):
/// Prometheus scraped the local server's /metrics every second from a few seconds before the k6 run
/// to a few seconds after. `leak/` ran the server with a known leak of 64 KiB per request.
@Suite("server-side metrics end to end", .serialized)
struct ServerMetricsEndToEndTests {
    let dir = makeTemporaryDirectory()
    var store: String { dir.appendingPathComponent("h.sqlite").path }
    static let sha = String(repeating: "c3", count: 20)
    static let shaClean = String(repeating: "d4", count: 20)
    static let leakPerRequest = 65536.0

    func fixture(_ rel: String) -> String { Fixtures.url("prometheus/" + rel, target: "PerfgateIngestTests").path }
    func perfgate(_ args: [String]) throws -> PerfgateProcess.Result { try PerfgateProcess.run(args, in: dir) }
    func ingest(_ files: [String], extra: [String] = [], scenario: String = "api", sha: String = Self.sha) throws -> PerfgateProcess.Result {
        try perfgate(
            ["ingest"] + files.map(fixture) + ["--store", store, "--commit", sha, "--branch", "main", "--environment", "ci", "--scenario", scenario]
                + extra)
    }
    func query(_ sql: String) throws -> [[String: Any]] {
        let r = try perfgate(["query", sql, "--store", store, "--format", "json"])
        #expect(r.status == 0, "\(r)")
        return (try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [[String: Any]]) ?? []
    }
    func number(_ v: Any?) -> Double { (v as? NSNumber)?.doubleValue ?? .nan }
    func writeBudget(_ json: String) throws -> String {
        let url = dir.appendingPathComponent("budgets-\(UUID().uuidString).json")
        try Data(json.utf8).write(to: url)
        return url.path
    }

    @Test func attachedByTimeCutToTheRunAndTheLeakIsItsGrowth() throws {
        let r = try ingest(["leak/k6.ndjson.gz", "leak/memory.prom.json", "leak/cpu.prom.json", "leak/db.prom.json", "leak/cache.prom.json"])
        #expect(r.status == 0, "\(r)")
        #expect(r.stdout.contains("stored run 1") && !r.stdout.contains("stored run 2"), "\(r)")
        #expect(r.stderr.contains("samples outside the run's window dropped"), "\(r)")
        let runs = try query("SELECT duration_s FROM runs")
        let duration = number(runs.first?["duration_s"])
        // Every stored sample lies inside the run's window.
        let span = try query("SELECT name, count(*) AS n, min(start_s) AS lo, max(start_s) AS hi FROM server_samples WHERE run_id = 1 GROUP BY name ORDER BY name")
        #expect(
            span.map { $0["name"] as? String } == [
                "app_cache_hit_ratio", "app_cpu_ratio", "app_db_connections_in_use", "app_db_connections_pool_size", "app_memory_bytes",
            ])
        for row in span {
            #expect(number(row["lo"]) >= -1e-6 && number(row["hi"]) <= duration + 1e-6 && number(row["n"]) >= duration - 2, "\(row)")
        }
        // The leak: memory grows by 64 KiB per request, so its growth per hour over the run is
        // 64 KiB × the run's throughput × 3600, within 15 % (scrapes are 1 s apart).
        let stats = try query(
            "SELECT metric, statistic, value, unit FROM measurements WHERE run_id = 1 AND endpoint = '' AND statistic IN ('growth_per_hour', 'throughput', 'max')")
        func value(_ metric: String, _ statistic: String) -> Double {
            number(stats.first { $0["metric"] as? String == metric && $0["statistic"] as? String == statistic }?["value"])
        }
        let expected = Self.leakPerRequest * value("http_req_duration", "throughput") * 3600
        let growth = value("app_memory_bytes", "growth_per_hour")
        #expect(abs(growth - expected) / expected < 0.15, "growth \(growth) B/h, expected \(expected)")
        #expect(value("app_db_connections_pool_size", "max") == 8)
    }

    @Test func budgetsOnServerMetricsFailTheLeakAndPassWithout() throws {
        for (dir, sha) in [("leak", Self.sha), ("noleak", Self.shaClean)] {
            let files = ["k6.ndjson.gz", "memory.prom.json", "db.prom.json", "cache.prom.json"].map { "\(dir)/\($0)" }
            #expect(try ingest(files, sha: sha).status == 0)
        }
        let budget = try writeBudget(
            #"""
            {"version": 1, "budgets": [
              {"name": "Memory", "metric": "app_memory_bytes", "max": {"max": "100MB"}},
              {"name": "Pool", "metric": "app_db_connections_in_use", "max": {"max": "8"}},
              {"name": "Cache", "metric": "app_cache_hit_ratio", "min": {"p95": "85%"}}
            ]}
            """#)
        let leak = try perfgate(["check", "--budget", budget, "--commit", Self.sha, "--branch", "main", "--store", store])
        let memoryLine = leak.stdout.split(separator: "\n").first { $0.contains("app_memory_bytes") } ?? ""
        #expect(leak.status == 2 && memoryLine.contains("FAIL"), "\(leak)")
        #expect(leak.stdout.contains("app_db_connections_in_use") && leak.stdout.contains("app_cache_hit_ratio"), "\(leak)")
        let clean = try perfgate(["check", "--budget", budget, "--commit", Self.shaClean, "--branch", "main", "--store", store])
        #expect(clean.status == 0, "\(clean)")
        // A misspelt server metric is an error naming the budget, not a silent pass.
        let typo = try writeBudget(#"{"version": 1, "budgets": [{"metric": "app_memory_byte", "max": {"max": "100MB"}}]}"#)
        let bad = try perfgate(["check", "--budget", typo, "--commit", Self.shaClean, "--branch", "main", "--store", store])
        #expect(bad.status != 0 && bad.status != 2 && bad.stderr.contains("budgets[0]") && bad.stderr.contains("app_memory_bytes"), "\(bad)")
    }

    @Test func attachToAStoredRunAndRefusalsStoreNothing() throws {
        #expect(try ingest(["noleak/k6.ndjson.gz"]).status == 0)
        let before = try Data(contentsOf: URL(fileURLWithPath: store))
        // Alone, a Prometheus file overlaps no run of the call: exit 65, naming the file and --attach-to.
        let alone = try ingest(["noleak/memory.prom.json"])
        #expect(alone.status == 65 && alone.stderr.contains("memory.prom.json") && alone.stderr.contains("--attach-to"), "\(alone)")
        // Prometheus's own error text; an instant query; an unknown run id.
        let error = try ingest(["error.prom.json"])
        #expect(error.status == 65 && error.stderr.contains("error.prom.json") && error.stderr.contains("bad_data"), "\(error)")
        let vector = try ingest(["vector.prom.json"])
        #expect(vector.status == 65 && vector.stderr.contains("data.resultType"), "\(vector)")
        let nowhere = try ingest(["noleak/memory.prom.json"], extra: ["--attach-to", "99"])
        #expect(nowhere.status == 64 && nowhere.stderr.contains("perfgate runs"), "\(nowhere)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: store)) == before)

        let attached = try ingest(["noleak/memory.prom.json", "noleak/db.prom.json"], extra: ["--attach-to", "1"])
        #expect(attached.status == 0 && attached.stdout.contains("attached 1 server series") && attached.stdout.contains("to run 1"), "\(attached)")
        let names = try query("SELECT DISTINCT name FROM server_samples WHERE run_id = 1 ORDER BY name").map { $0["name"] as? String }
        #expect(names == ["app_db_connections_in_use", "app_db_connections_pool_size", "app_memory_bytes"])
        let sources = try query("SELECT count(*) AS n FROM runs")
        #expect(number(sources.first?["n"]) == 1)
        // Twice is refused, and changes nothing.
        let after = try Data(contentsOf: URL(fileURLWithPath: store))
        let again = try ingest(["noleak/memory.prom.json"], extra: ["--attach-to", "1"])
        #expect(again.status != 0 && again.stderr.contains("already has the series app_memory_bytes"), "\(again)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: store)) == after)
    }
}
