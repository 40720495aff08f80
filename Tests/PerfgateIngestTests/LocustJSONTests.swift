import Foundation
import PerfgateCore
import PerfgateTestSupport
import Testing

@testable import PerfgateIngest

@Suite("Locust JSON adapter")
struct LocustJSONTests {
    let adapter = LocustJSONAdapter()
    let latency = SeriesKey.requestLatencyMetric

    func parse(_ path: String) throws -> IngestedRun { try adapter.parse(InputSet(primary: ingestFixture(path))) }
    func parseText(_ text: String) throws -> IngestedRun { try adapter.parse(InputSet(primary: inline(text, "out.json"))) }

    func entry(
        _ name: String = "/a", method: String = "GET", requests: Int = 4, none: Int = 0, failures: Int = 0,
        buckets: String = "{\"10\": 2, \"20\": 1, \"120.0\": 1}", min: String = "9.5", max: String = "121.0",
        total: String = "160", start: String = "100.0", last: String = "102.0"
    ) -> String {
        """
        {"name": "\(name)", "method": "\(method)", "last_request_timestamp": \(last), "start_time": \(start),
         "num_requests": \(requests), "num_none_requests": \(none), "num_failures": \(failures),
         "total_response_time": \(total), "max_response_time": \(max), "min_response_time": \(min),
         "total_content_length": 0, "response_times": \(buckets), "num_reqs_per_sec": {}, "num_fail_per_sec": {}}
        """
    }

    @Test func locustPercentileRuleMatchesLocustSource() throws {
        // 1..100 one request each: Locust returns sorted[min(int(n·p), n−1)].
        // The adapter uses Core's rule, the one checked against SciPy vectors (StatsVectorTests).
        let buckets = (1...100).map { Stats.WeightedValue(Double($0), count: 1) }
        #expect(Stats.Percentile.locustRule(buckets: buckets, 0.95) == 96)
        #expect(Stats.Percentile.locustRule(buckets: buckets, 0.5) == 51)
        #expect(Stats.Percentile.locustRule(buckets: buckets, 1.0) == 100)
        #expect(Stats.Percentile.locustRule(buckets: [], 0.5).isNaN)
        #expect(Stats.Percentile.locustRule(buckets: [Stats.WeightedValue(3, count: 1)], 0.99) == 3)
        // A bucket of count 0 is walked as Locust walks it: at p = 1 the largest key is returned.
        let withEmptyTop = [Stats.WeightedValue(1, count: 2), Stats.WeightedValue(9, count: 0)]
        #expect(Stats.Percentile.locustRule(buckets: withEmptyTop, 1.0) == 9)
        #expect(Stats.Percentile.locustRule(buckets: withEmptyTop, 0.5) == 1)
        let run = try parseText("[" + entry(requests: 1, buckets: #"{"10": 1, "20": 0}"#, min: "10", max: "10", total: "10") + "]")
        #expect(run.series[0].stats[.percentile(100)] == 20)
    }

    @Test func entryStatisticsFromTheHistogram() throws {
        let run = try parseText("[" + entry() + "]")
        let s = try #require(run.series(SeriesKey(endpoint: "GET /a", metric: latency)))
        #expect(s.stats[.count] == 4 && s.stats[.errors] == 0 && s.stats[.errorRate] == 0)
        #expect(s.stats[.mean] == 40 && s.stats[.min] == 9.5 && s.stats[.max] == 121)
        #expect(s.stats[.throughput] == 2)
        // n = 4: p50 → index 2 → 20; p66 → int(2.64) = 2 → 20; p75 → 3 → 120; p100 → 120.
        #expect(s.stats[.p50] == 20 && s.stats[.percentile(66)] == 20 && s.stats[.percentile(75)] == 120)
        #expect(s.stats[.percentile(99.99)] == 120 && s.stats[.percentile(100)] == 120)
        #expect(Set(s.stats.keys.filter(\.isPercentile).map(\.rawValue))
            == ["p50", "p66", "p75", "p80", "p90", "p95", "p98", "p99", "p99.9", "p99.99", "p100"])
        #expect(s.distribution?.count == 4)
        #expect(run.startedAt == Date(timeIntervalSince1970: 100) && run.durationSeconds == 2)
    }

    @Test func medianIsClampedIntoMinMaxLikeLocust() throws {
        // One request of 0.4 ms lands in bucket 0; Locust reports the median as the exact min.
        let run = try parseText("[" + entry(requests: 1, buckets: "{\"0\": 1}", min: "0.4", max: "0.4", total: "0.4") + "]")
        let s = try #require(run.series.first)
        #expect(s.stats[.p50] == 0.4)
        #expect(s.stats[.p90] == 0)  // other percentiles are not clamped
    }

    @Test func noneRequestsAndAggregatedMerge() throws {
        let text = "[" + entry(requests: 5, none: 1, failures: 1)
            + "," + entry("/b", method: "POST", requests: 2, buckets: "{\"10\": 1, \"10.0\": 1}", min: "10", max: "10", total: "20", start: "99", last: "104")
            + "]"
        let run = try parseText(text)
        let a = try #require(run.series(SeriesKey(endpoint: "GET /a", metric: latency)))
        #expect(a.stats[.mean] == 40 && a.stats[.errorRate] == 0.2 && a.stats[.count] == 5)
        let all = try #require(run.series(SeriesKey(endpoint: "", metric: latency)))
        #expect(all.stats[.count] == 7 && all.stats[.errors] == 1)
        #expect(all.stats[.mean] == 180.0 / 6.0)
        #expect(all.stats[.min] == 9.5 && all.stats[.max] == 121)
        #expect(all.stats[.throughput] == 7.0 / 5.0)
        #expect(all.distribution?.count == 6)
        #expect(run.series.last?.key.endpoint == "")
    }

    @Test func realStdoutWithMixedIntAndFloatKeys() throws {
        let run = try parse("corpus/locust-json/mrt-locust-sample.json")
        #expect(run.format == "locust-json" && run.tool == "locust")
        #expect(run.series.count >= 2)
        for s in run.series {
            #expect(s.distribution != nil)
            #expect((s.stats[.p50] ?? -1) >= (s.stats[.min] ?? 0))
        }
    }

    @Test func stdoutWithPrintedLinesBeforeTheArray() throws {
        let text = "[setup] seeding users\nstarting... [ok]\n[\n" + entry() + "\n]\nbye\n"
        let run = try parseText(text)
        #expect(run.series.count == 2)
        let generated = try parse("generated/locust/stdout.json")
        #expect(generated.series(SeriesKey(endpoint: "GET /api/search", metric: latency))?.stats[.errors] == 1)
        #expect(generated.series(SeriesKey(endpoint: "", metric: latency))?.stats[.count] == 84)
    }

    @Test func sniffing() throws {
        func claims(_ path: String) -> [InputFormat] {
            let head = ingestFixture(path).head()
            return InputFormat.allCases.filter { $0.adapter.sniff(head: head, fileName: path) }
        }
        #expect(claims("generated/locust/run.json") == [.locustJSON])
        #expect(claims("generated/locust/stdout.json") == [.locustJSON])
        #expect(claims("corpus/locust-json/mrt-locust-sample.json") == [.locustJSON])
        #expect(adapter.sniff(head: Array(("hello\n[\n" + entry()).utf8), fileName: "x"))
        #expect(!adapter.sniff(head: Array("{\"metrics\": {}, \"root_group\": {}}".utf8), fileName: "x"))
        #expect(!adapter.sniff(head: Array("[{\"a\": 1}]".utf8), fileName: "x"))
    }

    /// Cross-check against the CSV of the SAME run: Locust computes both from the same histogram.
    ///
    /// The generator idles the users for the last 2 s so the final 1-second CSV write sees every
    /// request (README in `Fixtures/generated`); counts must therefore agree, and with them every
    /// percentile. What legitimately differs: the CSV's
    /// `Requests/s` divides by the whole run's interval (global `start_time`/`last_request_timestamp`)
    /// while the JSON has only each entry's own interval, so throughput is not compared.
    @Test func percentilesEqualTheCSVOfTheSameRun() throws {
        let json = try parse("generated/locust/run.json")
        let csv = try LocustCSVAdapter().parse(InputSet(primary: ingestFixture("generated/locust/run_stats.csv")))
        #expect(json.series.map(\.key).sorted() == csv.series.map(\.key).sorted())
        let data = try Data(contentsOf: Fixtures.url("generated/locust/run_stats.csv", target: "PerfgateIngestTests"))
        let medianColumn = Dictionary(uniqueKeysWithValues: String(decoding: data, as: UTF8.self)
            .split(whereSeparator: \.isNewline).dropFirst().map { line -> (String, Double) in
                let f = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
                return (Locust.endpoint(method: f[0], name: f[1]), Double(f[4])!)
            })
        for c in csv.series {
            let j = try #require(json.series(c.key))
            for stat in [Statistic.count, .errors, .errorRate] {
                #expect(j.stats[stat] == c.stats[stat], "\(c.key) \(stat)")
            }
            // Same decimal text in both files, but Foundation's JSONSerialization on Linux does not
            // always round decimal text to the nearest Double (16.066799999975956 reads back one ulp
            // off), so exact float fields are compared to 1e-12 relative.
            for stat in [Statistic.min, .max, .mean] {
                let (a, b) = (j.stats[stat] ?? .nan, c.stats[stat] ?? .nan)
                #expect(abs(a - b) <= 1e-12 * abs(b), "\(c.key) \(stat)")
            }
            for stat in c.stats.keys where stat.isPercentile && stat != .p50 {
                #expect(j.stats[stat] == c.stats[stat], "\(c.key) \(stat)")
            }
            // The CSV `50%` column is the unclamped percentile, `Median Response Time` the clamped one.
            let median = try #require(medianColumn[c.key.endpoint])
            #expect(abs((j.stats[.p50] ?? .nan) - median) <= 1e-12 * median, "\(c.key) median")
            let raw = LocustJSONAdapter.locustPercentiles(buckets: bucketMap(j.distribution))
            #expect(raw[.p50] == c.stats[.p50], "\(c.key) 50%")
        }
    }

    /// The Locust histogram back from the distribution (bucket values are integers in 2.47).
    func bucketMap(_ d: Distribution?) -> [Double: Int] {
        var out: [Double: Int] = [:]
        for b in d?.buckets ?? [] { out[b.value.rounded(), default: 0] += Int(b.count) }
        return out
    }

    // MARK: bad input

    func error(_ text: String) -> String { ingestMessage { _ = try parseText(text) } }

    @Test func badInputNamesThePath() {
        #expect(error("[" + entry(min: "-1") + "]").contains("at [0].min_response_time: expected a non-negative number"))
        #expect(error("[" + entry(total: "null") + "]").contains("[0].total_response_time") == false)
        #expect(error("[" + entry(buckets: "{\"10\": 2, \"-5\": 1, \"20\": 1}") + "]").contains("at [0].response_times[\"-5\"]"))
        #expect(error("[" + entry(buckets: "{\"abc\": 4}") + "]").contains("at [0].response_times.abc: histogram key"))
        #expect(error("[" + entry(buckets: "{\"10\": 3}") + "]").contains("at [0].response_times: the histogram holds 3"))
        #expect(error("[" + entry(requests: 1, none: 2, buckets: "{}") + "]").contains("num_none_requests (2) exceeds"))
        #expect(error("[" + entry().replacingOccurrences(of: "\"num_requests\": 4", with: "\"num_requests\": \"4\"") + "]")
            .contains("at [0].num_requests: expected a number, found a string"))
        #expect(error("[" + entry().replacingOccurrences(of: "\"num_requests\": 4", with: "\"num_requests\": true") + "]")
            .contains("found a boolean"))
        #expect(error("[" + entry().replacingOccurrences(of: "\"num_requests\": 4,", with: "") + "]")
            .contains("at [0].num_requests: missing required key"))
        #expect(error("[" + entry() + "," + entry() + "]").contains("at [1]: duplicate entry for \"GET /a\""))
        #expect(error("[]").contains("empty"))
        #expect(error("hello\n").contains("out.json:1:1: error: no JSON array found"))
        #expect(error("line one\n[\n" + entry()).contains("out.json:2:1: error: the JSON array starting here never closes"))
        #expect(error("[" + entry(max: "NaN") + "]").contains("out.json:"))
        let utf8 = ingestMessage {
            let bytes = Array("[\n".utf8) + [0xC3, 0x28] + Array("\n]".utf8)
            _ = try adapter.parse(InputSet(primary: InputFile(data: Data(bytes), displayPath: "out.json")))
        }
        #expect(utf8.contains("out.json:2: error: invalid UTF-8"))
    }
}
