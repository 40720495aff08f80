import Foundation
import PerfgateCore
import PerfgateTestSupport
import Testing

@testable import PerfgateIngest

@Suite("Native JSON format")
struct NativeJSONTests {
    let adapter = NativeJSONAdapter()

    func parse(_ text: String) throws -> IngestedRun { try adapter.parse(InputSet(primary: inline(text, "run.json"))) }
    func error(_ text: String) -> String { ingestMessage { _ = try parse(text) } }
    func doc(_ series: String, extra: String = "") -> String {
        "{\"format\": \"perfgate\", \"version\": 1, \"tool\": \"t\"\(extra), \"series\": [\(series)]}"
    }

    @Test func customMetricsWithUnitsConverted() throws {
        let d = try NativeJSON.decode(ingestFixture("native/custom-metrics.json"))
        let run = d.run
        #expect(run.tool == "custom-harness" && run.toolVersion == "2.3.0" && run.scenario == "checkout")
        #expect(d.environment == "gha-ubuntu-4cpu")
        #expect(d.commit?.sha == "9f1c2b7e4d5a6b8c9d0e1f2a3b4c5d6e7f809112" && d.commit?.branch == "main")
        #expect(d.commit?.time == Date(timeIntervalSince1970: 1_777_623_300))
        #expect(run.startedAt == Date(timeIntervalSince1970: 1_777_623_600.25))
        #expect(run.load == LoadProfile(vus: 50, maxVUs: 50) && run.tags["region"] == "eu-west-1")
        let cart = try #require(run.series(SeriesKey(endpoint: "GET /api/cart", metric: "http_req_duration")))
        #expect(cart.unit == .milliseconds && cart.stats[.p95] == 188 && cart.stats[.max] == 1200)
        #expect(cart.stats[.count] == 12000 && cart.stats[.throughput] == 40 && cart.stats[.errorRate] == 0.002)
        let memory = try #require(run.series(SeriesKey(endpoint: "", metric: "memory")))
        #expect(memory.unit == .bytes && memory.stats[.max] == 512 * 1024 * 1024)
        // "%" is stored as a fraction, the unit "70%" in a budget means: 63.5 % → 0.635.
        let cpu = try #require(run.series(SeriesKey(endpoint: "", metric: "cpu")))
        #expect(cpu.unit == .ratio && abs((cpu.stats[.mean] ?? 0) - 0.635) < 1e-12 && abs((cpu.stats[.max] ?? 0) - 0.91) < 1e-12)
        let hit = try #require(run.series(SeriesKey(endpoint: "", metric: "cache_hit_rate")))
        #expect(hit.unit == .ratio && hit.direction == .higherIsBetter && hit.stats[.value] == 0.93)
        #expect(run.thresholds == [ThresholdResult(metric: "http_req_duration", expression: "p(95)<200", passed: true)])
        #expect(run.checks == [CheckResult(group: "", name: "status is 200", passes: 11976, fails: 24)])
        #expect(run.errors == [ErrorResult(endpoint: "GET /api/cart", message: "HTTP 503", occurrences: 24)])
    }

    @Test func rawSamplesGiveExactStatsAndADistribution() throws {
        let run = try adapter.parse(InputSet(primary: ingestFixture("native/raw-samples.json")))
        let wall = try #require(run.series.first)
        #expect(wall.unit == .milliseconds && wall.distribution?.count == 10)
        #expect(wall.stats[.count] == 10 && wall.stats[.min] == 395 && wall.stats[.max] == 421)
        #expect(abs((wall.stats[.mean] ?? 0) - 406.8) < 1e-9)
        // numpy: np.percentile([...]*1000, 95) = 419.2 (type 7).
        #expect(abs((wall.stats[.p95] ?? 0) - 419.2) < 1e-9)
        #expect(abs((wall.stats[.p50] ?? 0) - 406.5) < 1e-9)
        let rss = try #require(run.series.last)
        #expect(rss.unit == .bytes && rss.stats[.p95] == 2048 * 1024)  // given stats win
        #expect(rss.stats[.max] == 2_048_000.0, "\(String(describing: rss.stats[.max]))")
    }

    @Test func histogramBuckets() throws {
        let run = try adapter.parse(InputSet(primary: ingestFixture("native/histogram.json")))
        let s = try #require(run.series.first)
        #expect(s.distribution?.count == 30 && s.stats[.count] == 30 && s.stats[.p95] == 61)
    }

    @Test func roundTripThroughTheAdapter() throws {
        let commit = NativeJSON.Commit(sha: "abcdef1234567", branch: "main", time: Date(timeIntervalSince1970: 1_700_000_000.5))
        var runs = [
            try LocustJSONAdapter().parse(InputSet(primary: ingestFixture("generated/locust/run.json"))),
            try LocustCSVAdapter().parse(
                InputSet(
                    primary: ingestFixture("generated/locust/run_stats.csv"),
                    companions: [
                        "stats_history": ingestFixture("generated/locust/run_stats_history.csv"),
                        "failures": ingestFixture("generated/locust/run_failures.csv"),
                    ])),
            try NativeJSON.decode(ingestFixture("native/custom-metrics.json")).run,
        ]
        runs[2].thresholds.append(ThresholdResult(metric: "x", expression: "rate>0.9", passed: false))
        runs[2].checks.append(CheckResult(group: "::browse", name: "ok", passes: 1, fails: 0))
        for run in runs {
            let data = NativeJSON.encode(run, commit: commit, environment: "ci")
            let file = InputFile(data: data, displayPath: "export.json")
            #expect(InputFormat.allCases.filter { $0.adapter.sniff(head: file.head(), fileName: "export.json") } == [.native])
            let back = try NativeJSON.decode(file)
            var expected = run
            expected.format = "perfgate-json"
            // Exact except for stats, compared to 1e-12 relative: Foundation's JSONSerialization on
            // Linux can read decimal text one ulp off the nearest Double (the encoder writes the
            // shortest round-trip text; the reader, shared with every JSON adapter, loses the ulp).
            var withoutStats = back.run
            withoutStats.series = withoutStats.series.map { var s = $0; s.stats = [:]; return s }
            var expectedWithoutStats = expected
            expectedWithoutStats.series = expected.series.map { var s = $0; s.stats = [:]; return s }
            #expect(withoutStats == expectedWithoutStats)
            for (a, b) in zip(back.run.series, expected.series) {
                #expect(Set(a.stats.keys) == Set(b.stats.keys))
                for (k, v) in b.stats { #expect(abs((a.stats[k] ?? .nan) - v) <= 1e-12 * abs(v), "\(b.key) \(k)") }
            }
            #expect(back.commit == commit && back.environment == "ci")
        }
        let text = String(decoding: NativeJSON.encode(runs[0]), as: UTF8.self)
        #expect(text.hasPrefix("{\n  \"$schema\" : \"urn:perfgate:schema:result:1\""))
        #expect(text.contains("\"GET /api/users\""))
    }

    @Test func datesKeepTheirFraction() {
        for t in [0.0, 1_795_478_295.3422282, 1_700_000_000.000001, -1.25] {
            let d = Date(timeIntervalSince1970: t)
            #expect(NativeJSON.parseDate(NativeJSON.formatDate(d)) == d)
        }
        #expect(NativeJSON.parseDate("2026-05-01T10:15:00+02:00") == Date(timeIntervalSince1970: 1_777_623_300))
        #expect(NativeJSON.parseDate("2026-05-01") == nil)
    }

    @Test func sniffing() {
        #expect(adapter.sniff(head: Array(doc("").utf8), fileName: "x"))
        #expect(!adapter.sniff(head: Array("{\"metrics\": {}, \"root_group\": {}}".utf8), fileName: "x"))
        #expect(!adapter.sniff(head: Array("[{\"format\": \"perfgate\"}]".utf8), fileName: "x"))
    }

    // MARK: bad input

    @Test func strictKeysWithSuggestions() {
        #expect(error(doc("", extra: ", \"scenaro\": \"x\"")).contains("at scenaro: unknown key \"scenaro\"; did you mean \"scenario\"?"))
        #expect(error(doc("{\"metric\": \"m\", \"unit\": \"ms\", \"direction\": \"lower\", \"stat\": {}}"))
            .contains("at series[0].stat: unknown key \"stat\"; did you mean \"stats\"?"))
        #expect(error(doc("", extra: ", \"commit\": {\"sha\": \"abcdef1\", \"brnch\": \"x\"}")).contains("at commit.brnch"))
        #expect(error(doc("{\"metric\": \"m\", \"unit\": \"ms\", \"direction\": \"lower\", \"stats\": {\"p(95)\": 1}}"))
            .contains("at series[0].stats[\"p(95)\"]: unknown statistic \"p(95)\"; write it as \"p95\""))
        #expect(error(doc("{\"metric\": \"m\", \"unit\": \"ms\", \"direction\": \"lower\", \"stats\": {\"maen\": 1}}"))
            .contains("did you mean \"mean\"?"))
    }

    @Test func versionFormatAndRequiredKeys() {
        #expect(error("{\"format\": \"perfgate\", \"version\": 2, \"tool\": \"t\", \"series\": []}")
            .contains("at version: this file is perfgate native format version 2; this perfgate reads version 1 only"))
        #expect(error("{\"format\": \"k6\", \"version\": 1, \"tool\": \"t\", \"series\": []}").contains("at format: expected \"perfgate\""))
        #expect(error("{\"format\": \"perfgate\", \"version\": 1, \"series\": []}").contains("at tool: missing required key"))
        #expect(error("{\"format\": \"perfgate\", \"version\": 1.5, \"tool\": \"t\", \"series\": []}").contains("at version:"))
        #expect(error("{\"format\": \"perfgate\", \"version\": 1, \"tool\": \"t\", \"series\": [").contains("run.json:1:"))
    }

    @Test func badSeriesValuesNameThePath() {
        func series(_ body: String) -> String { error(doc("{\"metric\": \"m\", " + body + "}")) }
        #expect(series("\"unit\": \"msec\", \"direction\": \"lower\", \"stats\": {\"mean\": 1}")
            .contains("at series[0].unit: unknown unit \"msec\""))
        #expect(series("\"unit\": \"ms\", \"direction\": \"down\", \"stats\": {\"mean\": 1}").contains("at series[0].direction: expected \"lower\" or \"higher\""))
        #expect(series("\"unit\": \"ms\", \"direction\": \"lower\", \"stats\": {\"mean\": -1}").contains("at series[0].stats.mean: mean cannot be negative"))
        #expect(series("\"unit\": \"ms\", \"direction\": \"lower\", \"stats\": {\"mean\": null}").contains("at series[0].stats.mean: expected a number, found null"))
        #expect(series("\"unit\": \"ms\", \"direction\": \"lower\", \"stats\": {\"mean\": \"3\"}").contains("found a string"))
        #expect(series("\"unit\": \"ms\", \"direction\": \"lower\", \"stats\": {\"error_rate\": 5}").contains("fraction in 0…1"))
        #expect(series("\"unit\": \"ms\", \"direction\": \"lower\", \"samples\": [1, -2]").contains("at series[0].samples[1]: samples cannot be negative"))
        #expect(series("\"unit\": \"ms\", \"direction\": \"lower\", \"samples\": []").contains("samples is empty"))
        #expect(series("\"unit\": \"ms\", \"direction\": \"lower\", \"histogram\": {\"buckets\": [[1]]}").contains("at series[0].histogram.buckets[0]: expected [value, count]"))
        #expect(series("\"unit\": \"ms\", \"direction\": \"lower\", \"histogram\": {\"buckets\": [[1, 0.5]]}").contains("at series[0].histogram.buckets[0][1]"))
        #expect(series("\"unit\": \"ms\", \"direction\": \"lower\"").contains("needs \"stats\", \"samples\" or \"histogram\""))
        #expect(series("\"unit\": \"ms\", \"direction\": \"lower\", \"samples\": [1], \"histogram\": {\"buckets\": [[1, 1]]}").contains("not both"))
        #expect(error(doc("{\"metric\": \"m\", \"unit\": \"ms\", \"direction\": \"lower\", \"stats\": {\"mean\": 1}}, {\"metric\": \"m\", \"unit\": \"ms\", \"direction\": \"lower\", \"stats\": {\"mean\": 1}}"))
            .contains("at series[1]: duplicate series"))
        #expect(error(doc("", extra: ", \"startedAt\": \"yesterday\"")).contains("at startedAt: expected an RFC 3339 time"))
        #expect(error(doc("", extra: ", \"commit\": {\"sha\": \"xyz\"}")).contains("at commit.sha: expected 7–64 hexadecimal"))
        #expect(error(doc("", extra: ", \"load\": {\"vus\": -1}")).contains("at load.vus"))
        #expect(error(doc("", extra: ", \"tags\": {\"a\": 1}")).contains("at tags.a: expected a string"))
        let utf8 = ingestMessage {
            let bytes = Array("{\"format\": \"perfgate\", \"tool\": \"".utf8) + [0xC3, 0x28] + Array("\"}".utf8)
            _ = try adapter.parse(InputSet(primary: InputFile(data: Data(bytes), displayPath: "run.json")))
        }
        #expect(utf8.contains("run.json"))
    }
}
