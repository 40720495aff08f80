import Foundation
import Synchronization
import PerfgateTestSupport
import Testing

/// The built binary against a real PostgreSQL server (`PERFGATE_TEST_POSTGRES`, as `ci/postgres.sh start`
/// prints it; without it these tests are reported as skipped, with the reason): every command prints
/// what it prints on a SQLite store of the same history, export/import move the history both ways, and
/// 8 processes ingesting at once lose nothing.
@Suite(.enabled(if: PostgresServer.url != nil, PostgresServer.skipReason), .serialized)
struct PostgresBackendEndToEndTests {
    static let samples = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Sources/PerfgateCLI/Samples")
    static let budgets = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("ci/e2e/budgets.json")

    static func sha(_ i: Int) -> String { String(format: "%040d", i) }

    /// The bundled k6 and Locust samples as six commits of main.
    static func ingestHistory(into store: String, in dir: URL) throws {
        for i in 1...6 {
            let files = ["k6-run\(i).json", "locust-run\(i)_stats.csv", "locust-run\(i)_stats_history.csv"].map {
                samples.appendingPathComponent($0).path
            }
            let r = try PerfgateProcess.run(
                ["ingest"] + files + [
                    "--store", store, "--commit", sha(i), "--branch", "main", "--commit-time", "2026-01-0\(i)T00:00:00Z",
                    "--environment", "ci",
                ], in: dir)
            #expect(r.status == 0, "\(r)")
        }
    }

    /// stdout, stderr and exit status, with the store's own location written as STORE.
    static func outcome(_ args: [String], store: String, in dir: URL) throws -> String {
        let r = try PerfgateProcess.run(args + ["--store", store], in: dir)
        let quoted = "'" + store + "'"
        return "\(r.status)\n\(r.stdout)\n\(r.stderr)"
            .replacingOccurrences(of: quoted, with: "STORE")
            .replacingOccurrences(of: PostgresServer.redacted(store), with: "STORE")
            .replacingOccurrences(of: store, with: "STORE")
    }

    @Test("every command prints the same on PostgreSQL as on SQLite for the same history")
    func sameOutputOnBothBackends() throws {
        let dir = makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let sqlite = dir.appendingPathComponent("h.sqlite").path
        let postgres = PostgresServer.freshURL("e2e")
        try Self.ingestHistory(into: sqlite, in: dir)
        try Self.ingestHistory(into: postgres, in: dir)
        let commands: [[String]] = [
            ["runs"], ["log"], ["log", "--endpoint", "GET *", "--stat", "p50"], ["compare", "00000000", Self.sha(6)],
            ["check", "--commit", Self.sha(6), "--branch", "main", "--environment", "ci", "--budget", Self.budgets.path],
            ["check", "--commit", Self.sha(6), "--branch", "main", "--environment", "ci", "--budget", Self.budgets.path, "--json"],
            ["detect", "--dry-run"], ["detect"], ["capacity", Self.sha(6)], ["baseline", "show"], ["show", "--format", "csv", Self.sha(6)],
        ]
        var checked = 0
        for args in commands {
            let a = try Self.outcome(args, store: sqlite, in: dir)
            let b = try Self.outcome(args, store: postgres, in: dir)
            #expect(a == b, "perfgate \(args.joined(separator: " "))")
            checked += 1
        }
        // The gate's verdict itself: the sixth commit's /api/orders regression fails on both.
        #expect(try Self.outcome(commands[4], store: postgres, in: dir).hasPrefix("2\n"))
        #expect(checked == commands.count)
    }

    @Test("export from SQLite, import into PostgreSQL, export again: the same history, and back")
    func exportImportBothWays() throws {
        let dir = makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let sqlite = dir.appendingPathComponent("h.sqlite").path
        let postgres = PostgresServer.freshURL("xfer")
        let back = dir.appendingPathComponent("back.sqlite").path
        try Self.ingestHistory(into: sqlite, in: dir)
        let one = dir.appendingPathComponent("one.json").path
        let two = dir.appendingPathComponent("two.json").path
        #expect(try PerfgateProcess.run(["export", "--store", sqlite, "--out", one], in: dir).status == 0)
        let imported = try PerfgateProcess.run(["import", one, "--store", postgres], in: dir)
        #expect(imported.status == 0 && imported.stdout.contains("imported 12 runs"), "\(imported)")
        #expect(try PerfgateProcess.run(["export", "--store", postgres, "--out", two], in: dir).status == 0)
        #expect(try Data(contentsOf: URL(fileURLWithPath: one)) == Data(contentsOf: URL(fileURLWithPath: two)))
        #expect(try PerfgateProcess.run(["import", two, "--store", back], in: dir).status == 0)
        for args in [["runs"], ["log"]] {
            let a = try Self.outcome(args, store: sqlite, in: dir)
            #expect(a == (try Self.outcome(args, store: postgres, in: dir)), "\(args)")
            #expect(a == (try Self.outcome(args, store: back, in: dir)), "\(args)")
        }
        // Importing the same history again changes nothing.
        let again = try PerfgateProcess.run(["import", one, "--store", postgres], in: dir)
        #expect(again.stdout.contains("imported 0 runs; 12 were already present"), "\(again)")
    }

    @Test("8 processes × 50 runs into one new database at once: 400 runs, 0 lost, 0 errors")
    func eightProcessesAtOnce() throws {
        let dir = makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let postgres = PostgresServer.freshURL("procs")
        // 50 native runs per process, each its own content (so none is a duplicate of another).
        var batches: [[String]] = []
        for p in 0..<8 {
            var files: [String] = []
            for i in 0..<50 {
                let n = p * 50 + i
                let url = dir.appendingPathComponent("p\(p)-\(i).json")
                let doc = """
                    {"format": "perfgate", "version": 1, "tool": "harness", "scenario": "writer-\(p)",
                     "series": [{"endpoint": "GET /x", "metric": "http_req_duration", "unit": "ms", "direction": "lower",
                                 "stats": {"count": 100, "p95": \(100 + n)}}]}
                    """
                try Data(doc.utf8).write(to: url)
                files.append(url.path)
            }
            batches.append(files)
        }
        let commands = batches
        let results = Mutex<[(status: Int32, output: String)]>([])
        DispatchQueue.concurrentPerform(iterations: 8) { p in
            let r = try? PerfgateProcess.run(
                ["ingest"] + commands[p] + ["--store", postgres, "--commit", Self.sha(7), "--branch", "main", "--environment", "ci"], in: dir)
            let outcome = r.map { (status: $0.status, output: $0.description) } ?? (status: -1, output: "did not start")
            results.withLock { $0.append(outcome) }
        }
        let all = results.withLock { $0 }
        #expect(all.count == 8)
        #expect(all.allSatisfy { $0.status == 0 }, "\(all.filter { $0.status != 0 }.map(\.output))")
        let runs = try PerfgateProcess.run(["runs", "--store", postgres, "--format", "csv"], in: dir)
        #expect(runs.stdout.split(separator: "\n").count == 401, "header + 400 runs: \(runs.stdout.prefix(400))")
    }
}

/// The test server's URL and a fresh schema per test, so that every test starts from an empty store.
enum PostgresServer {
    static let url = ProcessInfo.processInfo.environment["PERFGATE_TEST_POSTGRES"].flatMap { $0.isEmpty ? nil : $0 }
    static let skipReason: Comment =
        "no PostgreSQL server: PERFGATE_TEST_POSTGRES is not set (start one with: eval \"$(bash ci/postgres.sh start)\")"

    static func freshURL(_ label: String) -> String {
        let schema = "perfgate_cli_\(label)_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(12)
        return url! + (url!.contains("?") ? "&" : "?") + "schema=" + schema
    }

    /// The URL as perfgate shows it: no password, every parameter spelled out.
    static func redacted(_ url: String) -> String {
        guard let c = URLComponents(string: url), let host = c.host, let user = c.user else { return url }
        let items = c.queryItems ?? []
        let ssl = items.first { $0.name == "sslmode" }?.value ?? "prefer"
        var s = "postgres://\(user)@\(host):\(c.port ?? 5432)/\(c.path.dropFirst())?sslmode=\(ssl)"
        if let schema = items.first(where: { $0.name == "schema" })?.value { s += "&schema=\(schema)" }
        return s
    }
}
