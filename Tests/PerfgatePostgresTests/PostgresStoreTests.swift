import Foundation
import Synchronization
import PerfgateCore
import PerfgateEngine
@testable import PerfgatePostgres
import PostgresNIO
import PerfgateTestSupport
import Testing

/// The PostgreSQL server the tests use: `PERFGATE_TEST_POSTGRES`, as `ci/postgres.sh start` prints it.
/// Without it every test here is reported as skipped, with the reason.
enum TestServer {
    static let url = ProcessInfo.processInfo.environment["PERFGATE_TEST_POSTGRES"].flatMap { $0.isEmpty ? nil : $0 }
    static let skipReason: Comment =
        "no PostgreSQL server: PERFGATE_TEST_POSTGRES is not set (start one with: eval \"$(bash ci/postgres.sh start)\")"

    /// A store in a schema of its own, so that every test starts empty.
    static func freshStore(_ label: String = "t") throws -> PostgresStore {
        try PostgresStore(location(schema: freshSchema(label)))
    }

    static func freshSchema(_ label: String) -> String {
        "perfgate_test_\(label)_\(UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(16))"
    }

    static func location(schema: String) throws -> PostgresLocation {
        let separator = url!.contains("?") ? "&" : "?"
        return try PostgresLocation(url! + separator + "schema=" + schema)
    }
}

@Suite(.enabled(if: TestServer.url != nil, TestServer.skipReason), .serialized)
struct PostgresHistoryStoreConformanceTests {
    @Test(arguments: HistoryStoreConformance.checks)
    func postgres(_ check: HistoryStoreConformance.Check) throws {
        let store = try TestServer.freshStore("conf")
        defer { store.close() }
        try check.run(store)
    }
}

@Suite(.enabled(if: TestServer.url != nil, TestServer.skipReason), .serialized)
struct PostgresStoreTests {
    static func run(_ n: Int, p95: Double) -> RunToStore {
        let sha = HistoryStoreConformance.sha(n % 5 + 1)
        var result = IngestedRun(
            tool: "k6", toolVersion: "1.1.0", format: "k6-summary", startedAt: Date(timeIntervalSince1970: 1_780_000_000 + Double(n)),
            durationSeconds: 30, load: LoadProfile(vus: 4, maxVUs: 4), tags: ["writer": "\(n)"],
            series: [
                SeriesResult(
                    key: SeriesKey(endpoint: "GET /api/orders", metric: "http_req_duration"), unit: .milliseconds,
                    direction: .lowerIsBetter, stats: [.p95: p95, .p50: p95 / 2, .count: 100])
            ])
        result.timeline = RunTimeline(
            bucketSeconds: 1, offsetSeconds: 0,
            buckets: [
                TimelineBucket(endpoint: "", index: 0, requests: 10, errors: 0, p50: nil, p95: p95, users: 4),
                TimelineBucket(endpoint: "", index: 1, requests: 12, errors: 1, p50: p95 / 2, p95: p95, users: nil),
            ])
        let context = RunContext(
            commit: CommitInfo(sha: sha, branch: "main", committedAt: Date(timeIntervalSince1970: 1_780_000_000)),
            scenario: "load", environment: "ci", sources: [SourceFile(path: "k6-\(n).json", digest: "sha256:\(n)", bytes: 100)],
            ingestedAt: Date(timeIntervalSince1970: 1_780_000_100.123_456), perfgateVersion: "test")
        return RunToStore(run: result, context: context)
    }

    @Test("8 writers × 50 runs at once into one new database: 400 runs stored, 0 lost, 0 errors, attempts without gaps")
    func concurrentWriters() throws {
        let schema = TestServer.freshSchema("conc")
        let location = try TestServer.location(schema: schema)
        let failures = Mutex<[String]>([])
        DispatchQueue.concurrentPerform(iterations: 8) { writer in
            do {
                // Every writer opens the new database itself: the first use migrates it once.
                let store = try PostgresStore(location)
                defer { store.close() }
                for i in 0..<50 {
                    _ = try store.insertAll([Self.run(writer * 50 + i, p95: Double(writer * 50 + i))])
                }
            } catch {
                failures.withLock { $0.append("writer \(writer): \(error)") }
            }
        }
        #expect(failures.withLock { $0 } == [])
        let store = try PostgresStore(location)
        defer { store.close() }
        let refs = try store.runRefs(RunRefQuery(limit: 10_000))
        #expect(refs.count == 400)
        for n in 1...5 {
            let attempts = try store.runs(branch: "main", environment: "ci").filter { $0.commit.sha == HistoryStoreConformance.sha(n) }
                .map(\.attempt).sorted()
            #expect(attempts == Array(1...80), "commit \(n): attempts \(attempts)")
        }
        #expect(try store.appliedMigrations() == ["pg-v1"])
    }

    @Test("the same content ingested by 8 writers at once is stored once")
    func concurrentDuplicates() throws {
        let location = try TestServer.location(schema: TestServer.freshSchema("dup"))
        let outcomes = Mutex<[InsertOutcome]>([])
        let failures = Mutex<[String]>([])
        DispatchQueue.concurrentPerform(iterations: 8) { writer in
            do {
                let store = try PostgresStore(location)
                defer { store.close() }
                let o = try store.insertAll([Self.run(7, p95: 120)])
                outcomes.withLock { $0 += o }
            } catch {
                failures.withLock { $0.append("writer \(writer): \(error)") }
            }
        }
        #expect(failures.withLock { $0 } == [])
        let all = outcomes.withLock { $0 }
        #expect(all.count == 8)
        #expect(all.filter { if case .inserted = $0 { true } else { false } }.count == 1)
        let store = try PostgresStore(location)
        defer { store.close() }
        #expect(try store.runRefs(RunRefQuery()).count == 1)
    }

    @Test("a timeline with missing values, a source and millisecond times read back as the SQLite store keeps them")
    func valuesReadBack() throws {
        let store = try TestServer.freshStore("vals")
        defer { store.close() }
        let item = Self.run(3, p95: 80)
        guard case .inserted(let id, 1) = try store.insertAll([item])[0] else {
            Issue.record("not inserted")
            return
        }
        let run = try #require(try store.run(id: id))
        #expect(run.ingestedAt == Date(timeIntervalSince1970: 1_780_000_100.123))
        #expect(run.sources == [SourceFile(path: "k6-3.json", digest: "sha256:3", bytes: 100)])
        #expect(run.tags == ["writer": "3"])
        #expect(run.vus == 4 && run.maxVUs == 4 && run.durationSeconds == 30)
    }

    @Test("a database migrated by a newer perfgate is refused (exit 74) and left as it was")
    func newerSchemaRefused() throws {
        let schema = TestServer.freshSchema("newer")
        let location = try TestServer.location(schema: schema)
        let store = try PostgresStore(location)
        _ = try store.insertAll([Self.run(1, p95: 100)])
        try store.execute("INSERT INTO perfgate_migrations(identifier) VALUES ('pg-v999-from-the-future')")
        store.close()
        do {
            _ = try PostgresStore(location)
            Issue.record("a newer schema was opened")
        } catch let e as StoreError {
            #expect(e.exitStatus == .storeError)
            #expect(e.description.contains("written by a newer perfgate (schema pg-v999-from-the-future"))
        }
        let other = try TestServer.freshStore("look")
        defer { other.close() }
        let runs = try other.execute(PostgresQuery(unsafeSQL: "SELECT count(*) FROM \(schema).run")).first?.decode(Int64.self)
        let migrations = try other.execute(PostgresQuery(unsafeSQL: "SELECT count(*) FROM \(schema).perfgate_migrations")).first?.decode(Int64.self)
        #expect(runs == 1 && migrations == 2)
    }
}

/// Connection strings need no server.
struct PostgresLocationTests {
    @Test("no server at the address: one line saying where and why, exit 74")
    func noServer() throws {
        do {
            _ = try PostgresStore(PostgresLocation("postgres://perfgate@127.0.0.1:1/perfgate?sslmode=disable", environment: [:]))
            Issue.record("a store opened at port 1")
        } catch let e as StoreError {
            #expect(e.exitStatus == .storeError)
            #expect(e.description.contains("no PostgreSQL server answers at 127.0.0.1:1 (connection refused)"), "\(e)")
        }
    }

    @Test("connection strings: sslmode and schema are read, unknown parameters and bad values refused, passwords never shown")
    func connectionStrings() throws {
        let l = try PostgresLocation("postgres://ci:s%40cret@db.example:6543/perf?sslmode=verify-full&schema=team_a", environment: [:])
        #expect(l.host == "db.example" && l.port == 6543 && l.user == "ci" && l.password == "s@cret" && l.database == "perf")
        #expect(l.sslMode == .verifyFull && l.schema == "team_a")
        #expect(!l.redacted.contains("cret"))
        let env = try PostgresLocation("postgresql://ci@localhost/perf", environment: ["PGPASSWORD": "pw"])
        #expect(env.password == "pw" && env.port == 5432 && env.sslMode == .prefer)
        for bad in ["postgres://localhost/perf", "postgres://u@h/d?sslmode=maybe", "postgres://u@h/d?schema=a-b", "postgres://u@h/d?search_path=x"] {
            #expect(throws: StoreError.self) { try PostgresLocation(bad, environment: [:]) }
        }
    }
}
