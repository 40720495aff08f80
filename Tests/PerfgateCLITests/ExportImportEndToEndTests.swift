import Foundation
import PerfgateTestSupport
import Testing

@Suite("export and import end to end", .serialized)
struct ExportImportEndToEndTests {
    @Test func exportThenImportReproducesTheStoreAndImportingTwiceAddsNothing() throws {
        let dir = makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let a = dir.appendingPathComponent("a.sqlite").path
        let b = dir.appendingPathComponent("b.sqlite").path
        let history = dir.appendingPathComponent("history.json").path
        #expect(try PerfgateProcess.run(["demo", "--store", a], in: dir).status == 0)
        let exported = try PerfgateProcess.run(["export", "--store", a, "--out", history], in: dir)
        #expect(exported.status == 0, "\(exported)")
        let first = try PerfgateProcess.run(["import", history, "--store", b], in: dir)
        #expect(first.status == 0, "\(first)")
        #expect(first.stdout.contains("imported 12 runs; 0 were already present"), "\(first)")
        let second = try PerfgateProcess.run(["import", history, "--store", b], in: dir)
        #expect(second.stdout.contains("imported 0 runs; 12 were already present"), "\(second)")
        for sql in [
            "SELECT * FROM runs ORDER BY run_id",
            "SELECT * FROM measurements ORDER BY run_id, endpoint, metric, statistic",
            "SELECT * FROM thresholds ORDER BY run_id, metric, expression",
            "SELECT * FROM checks ORDER BY run_id, group_path, name",
        ] {
            let qa = try PerfgateProcess.run(["query", "--store", a, sql, "--format", "csv"], in: dir)
            let qb = try PerfgateProcess.run(["query", "--store", b, sql, "--format", "csv"], in: dir)
            #expect(qa.status == 0 && qb.status == 0)
            #expect(qa.stdout == qb.stdout, "\(sql) differs after import")
        }
    }

    @Test func importIsIdempotentByContentNotByTheOptionalSources() throws {
        let dir = makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let a = dir.appendingPathComponent("a.sqlite").path
        let b = dir.appendingPathComponent("b.sqlite").path
        let history = dir.appendingPathComponent("history.json")
        #expect(try PerfgateProcess.run(["demo", "--store", a], in: dir).status == 0)
        #expect(try PerfgateProcess.run(["export", "--store", a, "--out", history.path], in: dir).status == 0)
        // The same history without `sources` (an optional field) on every run.
        var doc = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: history)) as? [String: Any])
        let runs = try #require(doc["runs"] as? [[String: Any]])
        doc["runs"] = runs.map { var r = $0; r.removeValue(forKey: "sources"); return r }
        let bare = dir.appendingPathComponent("bare.json")
        try JSONSerialization.data(withJSONObject: doc).write(to: bare)

        let back = try PerfgateProcess.run(["import", bare.path, "--store", a], in: dir)
        #expect(back.stdout.contains("imported 0 runs; 12 were already present"), "\(back)")
        let fresh = try PerfgateProcess.run(["import", bare.path, "--store", b], in: dir)
        #expect(fresh.stdout.contains("imported 12 runs; 0 were already present"), "\(fresh)")
        let again = try PerfgateProcess.run(["import", bare.path, history.path, "--store", b], in: dir)
        #expect(again.stdout.contains("imported 0 runs; 24 were already present"), "\(again)")
    }

    @Test func aCorruptHistoryFileChangesNothing() throws {
        let dir = makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let bad = dir.appendingPathComponent("bad.json")
        try Data(#"{"format": "perfgate-history", "version": 1, "runs": [{"run": {"format": "perfgate"}}]}"#.utf8).write(to: bad)
        let r = try PerfgateProcess.run(["import", bad.path, "--store", dir.appendingPathComponent("s.sqlite").path], in: dir)
        #expect(r.status == 65, "\(r)")
        #expect(r.stderr.contains("bad.json"), "\(r)")
    }

    @Test func importRefusesWhatIngestRefusesAtTheRunsPathAndChangesNothing() throws {
        let dir = makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let a = dir.appendingPathComponent("a.sqlite").path
        let history = dir.appendingPathComponent("history.json")
        #expect(try PerfgateProcess.run(["demo", "--store", a], in: dir).status == 0)
        #expect(try PerfgateProcess.run(["export", "--store", a, "--out", history.path], in: dir).status == 0)
        // Run 3's first series renamed to a 5,000-byte endpoint: over the 4 KiB name limit.
        var doc = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: history)) as? [String: Any])
        var runs = try #require(doc["runs"] as? [[String: Any]])
        var run = try #require(runs[3]["run"] as? [String: Any])
        var series = try #require(run["series"] as? [[String: Any]])
        series[0]["endpoint"] = "GET /api/" + String(repeating: "x", count: 5000)
        run["series"] = series
        runs[3]["run"] = run
        doc["runs"] = runs
        let bad = dir.appendingPathComponent("bad.json")
        try JSONSerialization.data(withJSONObject: doc).write(to: bad)

        let b = dir.appendingPathComponent("b.sqlite")
        #expect(try PerfgateProcess.run(["import", history.path, "--store", b.path], in: dir).status == 0)
        let before = try Data(contentsOf: b)
        let r = try PerfgateProcess.run(["import", bad.path, "--store", b.path], in: dir)
        #expect(r.status == 65, "\(r)")
        #expect(r.stderr.contains("bad.json runs[3].run") && r.stderr.contains("over the limit of 4 KiB for a name"), "\(r)")
        #expect(try Data(contentsOf: b) == before)
    }

    /// The Prometheus samples attached to a run travel with it (`"serverSeries"` beside the run), so the
    /// imported store has the same samples, charts and drift inputs; a bad sample names its JSON path.
    @Test func serverSamplesAreExportedAndImported() throws {
        let dir = makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let a = dir.appendingPathComponent("a.sqlite").path
        let b = dir.appendingPathComponent("b.sqlite").path
        let history = dir.appendingPathComponent("history.json")
        let files = ["k6.ndjson.gz", "memory.prom.json", "cpu.prom.json"].map {
            Fixtures.url("prometheus/leak/\($0)", target: "PerfgateIngestTests").path
        }
        let ingest = try PerfgateProcess.run(
            ["ingest"] + files + ["--store", a, "--commit", String(repeating: "e5", count: 20), "--branch", "main", "--environment", "ci", "--profile", "endurance"],
            in: dir)
        #expect(ingest.status == 0, "\(ingest)")
        #expect(try PerfgateProcess.run(["export", "--store", a, "--out", history.path], in: dir).status == 0)
        let first = try PerfgateProcess.run(["import", history.path, "--store", b], in: dir)
        #expect(first.stdout.contains("imported 1 runs; 0 were already present"), "\(first)")
        let sql = "SELECT * FROM server_samples ORDER BY run_id, name, unix_s"
        let qa = try PerfgateProcess.run(["query", "--store", a, sql, "--format", "csv"], in: dir)
        let qb = try PerfgateProcess.run(["query", "--store", b, sql, "--format", "csv"], in: dir)
        #expect(qa.status == 0 && qa.stdout.split(separator: "\n").count > 20, "\(qa)")
        #expect(qa.stdout == qb.stdout)
        // Every statistic perfgate derived at ingest (drift, growth, warm-up and steady state) survives the trip.
        let msql = "SELECT endpoint, metric, statistic, value FROM measurements ORDER BY endpoint, metric, statistic"
        let ma = try PerfgateProcess.run(["query", "--store", a, msql, "--format", "csv"], in: dir)
        let mb = try PerfgateProcess.run(["query", "--store", b, msql, "--format", "csv"], in: dir)
        #expect(ma.stdout.contains(",steady_p95,") && ma.stdout.contains(",warmup_seconds,") && ma.stdout.contains(",drift,"), "\(ma)")
        #expect(ma.stdout == mb.stdout)
        let labels = try PerfgateProcess.run(["query", "--store", b, "SELECT profile FROM run_loads", "--format", "csv"], in: dir)
        #expect(labels.stdout.contains("endurance"), "\(labels)")
        #expect(try PerfgateProcess.run(["import", history.path, "--store", b], in: dir).stdout.contains("imported 0 runs; 1 were already present"))

        // A sample that is not [time, value] is refused with its path, and the store is unchanged.
        var text = try String(contentsOf: history, encoding: .utf8)
        let server = try #require(text.range(of: #""serverSeries""#))
        let range = try #require(text.range(of: #""direction" : "lower","#, range: server.upperBound..<text.endIndex))
        text.replaceSubrange(range, with: #""direction" : "sideways","#)
        let bad = dir.appendingPathComponent("bad.json")
        try Data(text.utf8).write(to: bad)
        let c = dir.appendingPathComponent("c.sqlite").path
        let refused = try PerfgateProcess.run(["import", bad.path, "--store", c], in: dir)
        #expect(refused.status == 65 && refused.stderr.contains("runs[0].serverSeries[0].direction"), "\(refused)")
    }
}
