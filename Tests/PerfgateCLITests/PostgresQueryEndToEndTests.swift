import Foundation
import PerfgateTestSupport
import Synchronization
import Testing

/// `perfgate query`, `perfgate store` and `ingest --attach-to` on a real PostgreSQL server
/// (`PERFGATE_TEST_POSTGRES`), each against a SQLite store of the same history; and an ingest whose
/// connection is dropped in the middle of its transaction.
@Suite(.enabled(if: PostgresServer.url != nil, PostgresServer.skipReason), .serialized)
struct PostgresQueryEndToEndTests {
    typealias E2E = PostgresBackendEndToEndTests

    static func prometheus(_ rel: String) -> String { Fixtures.url("prometheus/" + rel, target: "PerfgateIngestTests").path }

    /// The views and their columns as docs/query.md's table lists them.
    static func documentedViews() throws -> [(name: String, columns: [String])] {
        let doc = try String(contentsOf: Fixtures.repositoryRoot.appendingPathComponent("docs/query.md"), encoding: .utf8)
        return doc.split(separator: "\n").compactMap { line in
            let cells = line.split(separator: "|", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            guard cells.count == 5, cells[1].hasPrefix("`"), cells[1].hasSuffix("`") else { return nil }
            let quoted = cells[3].split(separator: "`", omittingEmptySubsequences: false)
            guard quoted.count >= 3 else { return nil }
            return (String(cells[1].dropFirst().dropLast()), quoted[1].split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
        }
    }

    /// The six sample commits, then a k6 run over time with two Prometheus files, a load profile and
    /// workers; then `detect`: every view has rows.
    static func richHistory(into store: String, in dir: URL) throws {
        try E2E.ingestHistory(into: store, in: dir)
        let r = try PerfgateProcess.run(
            ["ingest", prometheus("leak/k6.ndjson.gz"), prometheus("leak/memory.prom.json"), prometheus("leak/db.prom.json")] + [
                "--store", store, "--commit", E2E.sha(7), "--branch", "main", "--commit-time", "2026-01-07T00:00:00Z",
                "--environment", "ci", "--scenario", "api", "--profile", "smoke", "--workers", "2",
            ], in: dir)
        #expect(r.status == 0, "\(r)")
        // A lasting step in one series, for change_points: p95 100 ms for 10 commits, then 150 ms.
        for i in 20..<40 {
            let p95 = (i < 30 ? 100.0 : 150.0) + Double(i % 3)
            let url = dir.appendingPathComponent("step-\(i).json")
            try Data(
                """
                {"format": "perfgate", "version": 1, "tool": "harness", "scenario": "step",
                 "series": [{"endpoint": "GET /x", "metric": "http_req_duration", "unit": "ms", "direction": "lower",
                             "stats": {"count": 100, "p95": \(p95)}}]}
                """.utf8
            ).write(to: url)
            let step = try PerfgateProcess.run(
                ["ingest", url.path, "--store", store, "--commit", E2E.sha(i), "--branch", "main",
                 "--commit-time", "2026-02-\(i - 19 < 10 ? "0" : "")\(i - 19)T00:00:00Z", "--environment", "ci"], in: dir)
            #expect(step.status == 0, "\(step)")
        }
        #expect(try PerfgateProcess.run(["detect", "--store", store], in: dir).status == 0)
    }

    static func query(_ sql: String, _ format: String, store: String, in dir: URL, extra: [String] = []) throws -> PerfgateProcess.Result {
        try PerfgateProcess.run(["query", sql, "--format", format, "--store", store] + extra, in: dir)
    }

    @Test("every documented view has the same columns, in the same order, and the same rows on both stores")
    func viewsAreTheSame() throws {
        let dir = makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let sqlite = dir.appendingPathComponent("h.sqlite").path
        let postgres = PostgresServer.freshURL("views")
        try Self.richHistory(into: sqlite, in: dir)
        try Self.richHistory(into: postgres, in: dir)
        let views = try Self.documentedViews()
        #expect(views.map(\.name).sorted() == [
            "change_points", "checks", "measurements", "run_loads", "runs", "series_stats", "server_samples", "thresholds", "timeline",
        ])
        for view in views {
            for store in [sqlite, postgres] {
                let header = try Self.query("SELECT * FROM \(view.name) LIMIT 0", "csv", store: store, in: dir)
                #expect(header.status == 0 && header.stdout == view.columns.joined(separator: ",") + "\n", "\(view.name) on \(store): \(header)")
            }
            // Every column but the clock's (when the run was ingested, when detect ran).
            let columns = view.columns.filter { $0 != "ingested_at" && $0 != "detected_at" }
            let sql = "SELECT \(columns.joined(separator: ", ")) FROM \(view.name)"
            let a = try Self.query(sql, "csv", store: sqlite, in: dir)
            let b = try Self.query(sql, "csv", store: postgres, in: dir)
            #expect(a.status == 0 && b.status == 0, "\(a)\n\(b)")
            let rowsA = a.stdout.split(separator: "\n").sorted()
            let rowsB = b.stdout.split(separator: "\n").sorted()
            #expect(rowsA.count > 1, "\(view.name) has no rows: the history does not exercise it")
            #expect(rowsA == rowsB, "\(view.name): \(zip(rowsA, rowsB).first { $0 != $1 }.map { "\($0)\n\($1)" } ?? "row counts differ")")
        }
        // docs/query.md's examples, in every output format: the same text on both stores.
        let examples = [
            """
            SELECT s.commit_sha, r.committed_at, s.endpoint, s.p95 FROM series_stats s JOIN runs r USING (run_id)
            WHERE r.branch = 'main' AND s.metric = 'http_req_duration' ORDER BY r.committed_at DESC, s.endpoint, s.run_id
            """,
            "SELECT commit_sha, scenario, metric, error_rate FROM series_stats WHERE endpoint = '' ORDER BY commit_sha, scenario, metric, run_id",
            "SELECT commit_sha, metric, expression FROM thresholds WHERE NOT passed ORDER BY commit_sha, metric, expression",
            "SELECT start_s, requests / bucket_s AS rps, p95, users FROM timeline WHERE run_id = 13 AND endpoint = '' ORDER BY start_s",
            "SELECT count(*) AS runs, max(vus) AS most_vus, avg(duration_s) AS mean_duration FROM runs",
            "SELECT name, count(*) AS samples, min(value) AS least, max(value) > 0 AS positive FROM server_samples GROUP BY name ORDER BY name",
        ]
        for sql in examples {
            for format in ["table", "csv", "json"] {
                let a = try Self.query(sql, format, store: sqlite, in: dir)
                let b = try Self.query(sql, format, store: postgres, in: dir)
                #expect(a.status == 0 && (format != "table" || a.stdout.split(separator: "\n").count > 2), "\(sql): \(a)")
                #expect(a.stdout == b.stdout && a.stderr == b.stderr && a.status == b.status, "\(format) \(sql)\n\(a)\n\(b)")
            }
        }
        // `perfgate store` says what each holds, in the same words.
        let info = (try PerfgateProcess.run(["store", "--store", postgres], in: dir))
        let infoSQLite = (try PerfgateProcess.run(["store", "--store", sqlite], in: dir))
        #expect(info.status == 0 && info.stdout.contains("schema pg-v1, pg-v2-server-samples-start") && !info.stdout.contains("perfgate:perfgate@"), "\(info)")
        #expect(info.stdout.split(separator: "\n").last == infoSQLite.stdout.split(separator: "\n").last, "\(info)\n\(infoSQLite)")
    }

    @Test("query on PostgreSQL is read-only for real: writes, several statements and long statements are refused as on SQLite")
    func queryIsReadOnly() throws {
        let dir = makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let sqlite = dir.appendingPathComponent("h.sqlite").path
        let postgres = PostgresServer.freshURL("readonly")
        try E2E.ingestHistory(into: sqlite, in: dir)
        try E2E.ingestHistory(into: postgres, in: dir)
        let before = try PerfgateProcess.run(["export", "--store", postgres, "--out", "-"], in: dir)
        #expect(before.status == 0)
        // The same refusal, word for word, on both stores.
        for sql in ["DELETE FROM run", "DROP VIEW runs", "UPDATE run SET branch = 'x'", "SELECT 1; DELETE FROM run", "BEGIN"] {
            let a = try E2E.outcome(["query", sql], store: sqlite, in: dir)
            let b = try E2E.outcome(["query", sql], store: postgres, in: dir)
            #expect(a == b && a.hasPrefix("64\n"), "\(sql)\n\(a)\n\(b)")
        }
        // What only PostgreSQL can express: a data-modifying WITH, a function that writes. The read-only
        // transaction refuses them, with the same message.
        for sql in [
            "WITH gone AS (DELETE FROM run RETURNING id) SELECT count(*) FROM gone",
            "SELECT nextval(pg_get_serial_sequence('run', 'id'))",
            "SELECT set_config('transaction_read_only', 'off', true)",
        ] {
            let r = try PerfgateProcess.run(["query", sql, "--store", postgres], in: dir)
            #expect(r.status == 64 && r.stdout.isEmpty, "\(sql): \(r)")
            #expect(r.stderr.split(separator: "\n").first.map { $0.hasPrefix("error: query refused:") || $0.hasPrefix("error: query failed:") } == true, "\(sql): \(r)")
        }
        let cte = try PerfgateProcess.run(
            ["query", "WITH gone AS (DELETE FROM run RETURNING id) SELECT count(*) FROM gone", "--store", postgres], in: dir)
        #expect(cte.stderr.hasPrefix("error: query refused: the statement would modify the store"), "\(cte)")
        // A statement that runs too long is stopped with SQLite's message and exit status.
        let endless = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c"
        let slowA = try E2E.outcome(["query", endless, "--timeout", "0.5"], store: sqlite, in: dir)
        let slowB = try E2E.outcome(["query", endless, "--timeout", "0.5"], store: postgres, in: dir)
        #expect(slowA == slowB && slowB.hasPrefix("64\n") && slowB.contains("query stopped after 0.5 s (--timeout 0.5)"), "\(slowA)\n\(slowB)")
        // An unknown column is the server's one-line reason.
        let typo = try PerfgateProcess.run(["query", "SELECT p96 FROM series_stats", "--store", postgres], in: dir)
        #expect(typo.status == 64 && typo.stderr.hasPrefix("error: query failed: column \"p96\" does not exist"), "\(typo)")
        // Nothing changed.
        let after = try PerfgateProcess.run(["export", "--store", postgres, "--out", "-"], in: dir)
        #expect(after.stdout == before.stdout)
    }

    @Test("ingest --attach-to on PostgreSQL prints and stores what it does on SQLite; a refusal changes nothing")
    func attachTo() throws {
        let dir = makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let sqlite = dir.appendingPathComponent("h.sqlite").path
        let postgres = PostgresServer.freshURL("attach")
        func ingest(_ files: [String], _ extra: [String], store: String) throws -> String {
            try E2E.outcome(
                ["ingest"] + files.map(Self.prometheus) + ["--commit", E2E.sha(9), "--branch", "main", "--environment", "ci", "--scenario", "api"]
                    + extra, store: store, in: dir)
        }
        let steps: [([String], [String])] = [
            (["noleak/k6.ndjson.gz"], []),
            (["noleak/memory.prom.json"], ["--attach-to", "99"]),
            (["noleak/memory.prom.json", "noleak/db.prom.json"], ["--attach-to", "1"]),
            (["noleak/memory.prom.json"], ["--attach-to", "1"]),
        ]
        var outcomes: [String] = []
        for (files, extra) in steps {
            let a = try ingest(files, extra, store: sqlite)
            let b = try ingest(files, extra, store: postgres)
            #expect(a == b, "\(files) \(extra)\n\(a)\n\(b)")
            outcomes.append(b)
        }
        #expect(outcomes[1].hasPrefix("64\n") && outcomes[1].contains("no stored run has that id"), "\(outcomes[1])")
        #expect(outcomes[2].hasPrefix("0\n") && outcomes[2].contains("attached 1 server series") && outcomes[2].contains("to run 1"), "\(outcomes[2])")
        #expect(outcomes[3].hasPrefix("65\n") && outcomes[3].contains("already has the series app_memory_bytes"), "\(outcomes[3])")
        for sql in [
            "SELECT name, unix_s, start_s, value FROM server_samples ORDER BY name, unix_s",
            "SELECT endpoint, metric, statistic, value, unit, direction FROM measurements WHERE endpoint = '' AND metric LIKE 'app_%' ORDER BY metric, statistic",
        ] {
            let a = try Self.query(sql, "csv", store: sqlite, in: dir)
            let b = try Self.query(sql, "csv", store: postgres, in: dir)
            #expect(a.status == 0 && a.stdout.split(separator: "\n").count > 10 && a.stdout == b.stdout, "\(sql)\n\(a)\n\(b)")
        }
        let show = try E2E.outcome(["show", "--format", "csv", "1"], store: sqlite, in: dir)
        #expect(show == (try E2E.outcome(["show", "--format", "csv", "1"], store: postgres, in: dir)))
    }

    @Test("a connection dropped in the middle of an ingest's transaction leaves no partial run, and says so once")
    func droppedConnectionLeavesNoPartialRun() throws {
        let dir = makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let name = "perfgate_drop_" + UUID().uuidString.prefix(8).lowercased()
        let postgres = PostgresServer.freshURL("drop")
        let ingestURL = postgres + "&application_name=" + name
        try E2E.ingestHistory(into: postgres, in: dir)
        func count(_ sql: String) throws -> String {
            let r = try Self.query(sql, "csv", store: postgres, in: dir)
            #expect(r.status == 0, "\(r)")
            return r.stdout
        }
        let runsBefore = try count("SELECT count(*) AS n FROM runs")
        let measurementsBefore = try count("SELECT count(*) AS n FROM measurements")
        // 600 native runs × 40 series in one ingest: one transaction of several seconds.
        var files: [String] = []
        for i in 0..<600 {
            let series = (0..<40).map { s in
                #"{"endpoint": "GET /e\#(s)", "metric": "http_req_duration", "unit": "ms", "direction": "lower", "stats": {"count": 100, "p50": \#(i + s), "p95": \#(2 * i + s)}}"#
            }
            let url = dir.appendingPathComponent("r\(i).json")
            try Data(#"{"format": "perfgate", "version": 1, "tool": "harness", "scenario": "drop", "series": [\#(series.joined(separator: ","))]}"#.utf8)
                .write(to: url)
            files.append(url.path)
        }
        let args = ["ingest"] + files + ["--store", ingestURL, "--commit", E2E.sha(8), "--branch", "main", "--environment", "ci"]
        // Once the ingest's transaction has written (it has a transaction id), end its backend from
        // another connection, as a server restart or a network failure would.
        let kill = """
            SELECT pg_terminate_backend(pid) AS killed FROM (SELECT pid FROM pg_stat_activity
            WHERE application_name = '\(name)' AND backend_xid IS NOT NULL OFFSET 0) AS t
            """
        let ingest = Mutex<(status: Int32, stdout: String, stderr: String)?>(nil)
        let killed = Atomic<Bool>(false)
        DispatchQueue.concurrentPerform(iterations: 2) { i in
            if i == 0 {
                let r = try? PerfgateProcess.run(args, in: dir)
                ingest.withLock { $0 = (r?.status ?? -1, r?.stdout ?? "", r?.stderr ?? "did not start") }
            } else {
                while !killed.load(ordering: .relaxed) && ingest.withLock({ $0 == nil }) {
                    let r = try? PerfgateProcess.run(["query", kill, "--format", "csv", "--store", postgres], in: dir)
                    if r?.stdout == "killed\n1\n" { killed.store(true, ordering: .relaxed) }
                }
            }
        }
        let r = try #require(ingest.withLock { $0 })
        let dropped = killed.load(ordering: .relaxed)
        #expect(dropped, "the ingest ended before its connection could be dropped: \(r)")
        #expect(r.status == 74, "\(r)")
        let errors = r.stderr.split(separator: "\n").filter { $0.contains("error:") }
        // Which words the client sees depends on timing: the server's FATAL reply when it arrives while a
        // statement is waiting, or the closed socket when it does not (both seen on a loaded machine).
        let reasons = ["terminating connection due to administrator command", "the connection to the server was closed"]
        #expect(errors.count == 1 && reasons.contains { errors[0].contains($0) }, "\(r)")
        #expect(errors.first?.contains("nothing was changed") == true, "\(r)")
        #expect(!r.stdout.contains("stored run"), "\(r)")
        #expect(try count("SELECT count(*) AS n FROM runs") == runsBefore)
        #expect(try count("SELECT count(*) AS n FROM measurements") == measurementsBefore)
        #expect(try count("SELECT count(*) AS n FROM runs r WHERE NOT EXISTS (SELECT 1 FROM measurements m WHERE m.run_id = r.run_id)") == "n\n0\n")
    }
}
