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
        #expect(try store.appliedMigrations() == ["pg-v1", "pg-v2-server-samples-start"])
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
        // The millisecond, as GRDB reads the SQLite store's text back (through a UTC calendar).
        #expect(run.ingestedAt == PostgresStore.utcCalendar.date(from: DateComponents(
            year: 2026, month: 5, day: 28, hour: 20, minute: 28, second: 20, nanosecond: 123_000_000)))
        #expect((run.ingestedAt.timeIntervalSince1970 * 1000).rounded() == 1_780_000_100_123)
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
        #expect(runs == 1 && migrations == Int64(PostgresSchema.all.count) + 1)
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
        #expect(l.applicationName == "perfgate" && l.connectTimeout == 10)
        let named = try PostgresLocation("postgres://ci@h/perf?application_name=ci-runner-7&connect_timeout=3", environment: [:])
        #expect(named.applicationName == "ci-runner-7" && named.connectTimeout == 3)
        for bad in [
            "postgres://localhost/perf", "postgres://u@h/d?sslmode=maybe", "postgres://u@h/d?schema=a-b", "postgres://u@h/d?search_path=x",
            "postgres://u@h/d?connect_timeout=0", "postgres://u@h/d?connect_timeout=soon", "postgres://u@h/d?application_name=",
        ] {
            #expect(throws: StoreError.self) { try PostgresLocation(bad, environment: [:]) }
        }
    }
}

@Suite(.enabled(if: TestServer.url != nil, TestServer.skipReason), .serialized)
struct PostgresQueryTests {
    func rows(_ store: PostgresStore, _ sql: String, timeout: Double = 10) async throws -> QueryResult {
        var result = QueryResult(columns: [], rows: [])
        try await store.query(sql, limits: QueryLimits(timeout: timeout), columns: { result.columns = $0 }, row: { result.rows.append($0) })
        return result
    }

    @Test("values come out as the SQLite store gives them: integers, reals, 0/1 flags, UTC text times, blobs, NULL")
    func valueMapping() async throws {
        let store = try TestServer.freshStore("qv")
        defer { store.close() }
        let r = try await rows(
            store,
            """
            SELECT 7::int2 AS a, 8::int4 AS b, 9000000000::int8 AS c, 1.5::float4 AS d, 0.1::float8 AS e, 2.25::numeric AS f,
                   true AS g, false AS h, '2026-01-02 03:04:05.678+00'::timestamptz AS i, '\\x0102ff'::bytea AS j,
                   NULL::text AS k, 'ü'::varchar AS l, '6f9619ff-8b86-d011-b42d-00cf4fc964ff'::uuid AS m;
            """)
        #expect(r.columns == ["a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l", "m"])
        #expect(
            r.rows == [
                [
                    .integer(7), .integer(8), .integer(9_000_000_000), .real(1.5), .real(0.1), .real(2.25), .integer(1), .integer(0),
                    .text("2026-01-02 03:04:05.678"), .blob(Data([1, 2, 255])), .null, .text("ü"),
                    .text("6f9619ff-8b86-d011-b42d-00cf4fc964ff"),
                ]
            ])
        // A type with no SQLite counterpart is an error that says what to do, not a guessed rendering.
        await #expect(throws: StoreError.self) { try await rows(store, "SELECT interval '1 day' AS span") }
        do {
            _ = try await rows(store, "SELECT interval '1 day' AS span")
        } catch let e as StoreError {
            #expect(e.description.contains("span::text") && e.exitStatus == .usage, "\(e)")
        }
    }

    @Test("an empty result still names its columns; the connection is usable after refusals and timeouts")
    func columnsAndRecovery() async throws {
        let store = try TestServer.freshStore("qc")
        defer { store.close() }
        let empty = try await rows(store, "SELECT run_id, commit_sha, p95 FROM series_stats WHERE p95 > 0 -- none yet")
        #expect(empty.columns == ["run_id", "commit_sha", "p95"] && empty.rows.isEmpty)
        for (sql, expected) in [
            ("INSERT INTO \"commit\"(sha) VALUES ('abcdef0')", "the statement would modify the store"),
            ("WITH x AS (INSERT INTO \"commit\"(sha) VALUES ('abcdef0') RETURNING sha) SELECT * FROM x", "the statement would modify the store"),
            ("SELECT 1; SELECT 2", "one statement at a time"),
        ] {
            do {
                _ = try await rows(store, sql)
                Issue.record("\(sql) ran")
            } catch let e as StoreError {
                #expect(e.description.contains("query refused: \(expected)") && e.exitStatus == .usage, "\(sql): \(e)")
            }
        }
        do {
            _ = try await rows(store, "SELECT pg_sleep(5)", timeout: 0.2)
            Issue.record("pg_sleep(5) was not stopped")
        } catch let e as StoreError {
            #expect(e.description.contains("query stopped after 0.2 s (--timeout 0.2)"), "\(e)")
        }
        // The same connection goes on: the port's reads, and nothing was written.
        #expect(try store.counts().commits == 0)
        #expect(try await rows(store, "SELECT 1 AS one").rows == [[.integer(1)]])
    }

    @Test("times are kept to the nearest millisecond, as the SQLite store keeps them")
    func nearestMillisecond() throws {
        let store = try TestServer.freshStore("ms")
        defer { store.close() }
        var item = PostgresStoreTests.run(1, p95: 80)
        item.run.startedAt = Date(timeIntervalSince1970: 1_796_269_671.123_967_21)  // k6's nanoseconds
        guard case .inserted(let id, _) = try store.insertAll([item])[0] else {
            Issue.record("not inserted")
            return
        }
        let started = try #require(try store.run(id: id)?.startedAt)
        #expect((started.timeIntervalSince1970 * 1000).rounded() == 1_796_269_671_124)
        let shown = try store.execute("SELECT to_char(startedAt AT TIME ZONE 'UTC', 'SS.MS') FROM run").first?.decode(String.self)
        #expect(shown == "51.124")
    }

    @Test("series ids of a run are found and created in one batch; another unit is refused, nothing stored")
    func seriesBatch() throws {
        let store = try TestServer.freshStore("qs")
        defer { store.close() }
        let series = (0..<30).map { i in
            SeriesResult(
                key: SeriesKey(endpoint: "GET /e\(i)", metric: "http_req_duration"), unit: .milliseconds, direction: .lowerIsBetter,
                stats: [.p95: Double(i)])
        }
        let first = try store.transaction { try store.seriesIDs(series, scenario: "s") }
        #expect(Set(first).count == 30)
        let again = try store.transaction { try store.seriesIDs(series.reversed(), scenario: "s") }
        #expect(again == first.reversed())
        var clash = series
        clash[3].unit = .bytes
        do {
            _ = try store.transaction { try store.seriesIDs(clash + [SeriesResult(key: SeriesKey(endpoint: "new", metric: "m"), unit: .count, direction: .lowerIsBetter, stats: [:])], scenario: "s") }
            Issue.record("a unit change was stored")
        } catch let e as StoreError {
            #expect(e.description.contains("s/GET /e3") && e.description.contains("'ms'"), "\(e)")
        }
        #expect(try store.counts().series == 30)
    }
}
