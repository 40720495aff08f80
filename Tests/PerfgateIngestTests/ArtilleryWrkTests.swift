import Foundation
import PerfgateCore
import PerfgateTestSupport
import Testing

@testable import PerfgateIngest

@Suite("Artillery and wrk adapters")
struct ArtilleryWrkTests {
    let latency = SeriesKey.requestLatencyMetric

    func stat(_ run: IngestedRun, _ endpoint: String, _ s: Statistic) -> Double? {
        run.series(SeriesKey(endpoint: endpoint, metric: latency))?.stats[s]
    }
    func inline(_ text: String, _ name: String) -> InputSet { InputSet(primary: InputFile(data: Data(text.utf8), displayPath: name)) }

    // MARK: Artillery

    @Test func artilleryCorpusIsDetectedByContent() throws {
        for name in ["lambda-authorizer-requestAuthorizerGo.json", "lambda-authorizer-requestAuthorizerJava.json", "fyp-server-artillery-1.x-report.json"] {
            #expect(try InputFormat.detect(K6T.file("corpus/artillery/\(name)")) == .artilleryJSON, "\(name)")
        }
    }

    @Test func artillery2AggregateAsArtilleryPrintsIt() throws {
        let run = try K6T.parse(.artilleryJSON, "corpus/artillery/lambda-authorizer-requestAuthorizerJava.json")
        #expect(run.tool == "artillery" && run.series.count == 1)
        #expect(stat(run, "", .count) == 100 && stat(run, "", .errors) == 0 && stat(run, "", .errorRate) == 0)
        #expect(stat(run, "", .min) == 54 && stat(run, "", .max) == 2271 && stat(run, "", .p50) == 83.9)
        #expect(stat(run, "", .percentile(75)) == 399.5 && stat(run, "", .p90) == 1826.6 && stat(run, "", .p95) == 2018.7)
        #expect(stat(run, "", .p99) == 2231 && stat(run, "", .percentile(99.9)) == 2231)
        #expect(stat(run, "", .throughput) == 13)
        #expect(run.startedAt == Date(timeIntervalSince1970: 1_669_747_638.453) && run.durationSeconds == 9.92)
        let go = try K6T.parse(.artilleryJSON, "corpus/artillery/lambda-authorizer-requestAuthorizerGo.json")
        #expect(stat(go, "", .p95) == 108.9 && stat(go, "", .throughput) == 10 && go.load.maxVUs == 100)
    }

    @Test func artillery1KeepsItsPercentilesAndRawSamples() throws {
        let run = try K6T.parse(.artilleryJSON, "corpus/artillery/fyp-server-artillery-1.x-report.json")
        #expect(stat(run, "", .count) == 60 && stat(run, "", .errors) == 0)
        #expect(stat(run, "", .p50) == 106.2 && stat(run, "", .p95) == 308.5 && stat(run, "", .p99) == 363.3)
        #expect(stat(run, "", .min) == 76.2 && stat(run, "", .max) == 363.3 && stat(run, "", .throughput) == 1.01)
        // The 60 raw latencies (nanoseconds) give the mean and the distribution.
        #expect(K6T.close(stat(run, "", .mean), 120.46381271666667, rel: 1e-9))
        #expect(run.series.first?.distribution?.count == 60)
        #expect(run.startedAt == Date(timeIntervalSince1970: 1_520_869_180.404))
    }

    @Test func artilleryEndpointsCodesAndErrors() throws {
        let report = """
            {"aggregate": {"counters": {"http.requests": 10, "http.codes.200": 7, "http.codes.503": 1, "http.responses": 8,
               "errors.ETIMEDOUT": 2, "plugins.metrics-by-endpoint./a.codes.200": 7, "plugins.metrics-by-endpoint./a.codes.503": 1,
               "plugins.metrics-by-endpoint./a.errors.ETIMEDOUT": 2},
             "rates": {"http.request_rate": 5}, "firstMetricAt": 1000, "lastMetricAt": 3000,
             "summaries": {"http.response_time": {"min": 1, "max": 9, "count": 8, "mean": 4.5, "p50": 4, "median": 4, "p999": 9},
               "plugins.metrics-by-endpoint.response_time./a": {"min": 1, "max": 9, "count": 8, "p50": 4, "median": 4}}},
             "intermediate": []}
            """
        let run = try ArtilleryAdapter().parse(inline(report, "report.json"))
        #expect(stat(run, "", .count) == 10 && stat(run, "", .errors) == 3 && stat(run, "", .errorRate) == 0.3)
        #expect(stat(run, "/a", .count) == 10 && stat(run, "/a", .errors) == 3 && stat(run, "/a", .p50) == 4)
        #expect(stat(run, "", .percentile(99.9)) == 9 && stat(run, "", .mean) == 4.5)
        #expect(run.errors == [ErrorResult(endpoint: "", message: "ETIMEDOUT", occurrences: 2)])
        let bad = K6T.errorLocation {
            _ = try ArtilleryAdapter().parse(inline(#"{"aggregate": {"counters": {"http.requests": -1}}}"#, "r.json"))
        }
        #expect(bad?.0.jsonPath == #"aggregate.counters["http.requests"]"#)
    }

    // MARK: wrk

    @Test func wrkLatencyReport() throws {
        let file = K6T.file("corpus/wrk/noear-solon_jetty-wrk-latency.txt")
        #expect(try InputFormat.detect(file) == .wrkText)
        let run = try WrkTextAdapter().parse(InputSet(primary: file))
        #expect(run.tool == "wrk" && run.tags["url"] == "http://127.0.0.1:8080/?name=test")
        #expect(stat(run, "", .count) == 2_378_248 && stat(run, "", .errors) == 434)
        #expect(stat(run, "", .throughput) == 79069.79 && run.durationSeconds == 30.08)
        #expect(stat(run, "", .mean) == 19.23 && stat(run, "", .stddev) == 40.16 && stat(run, "", .max) == 495.02)
        #expect(stat(run, "", .p50) == 1.20 && stat(run, "", .percentile(75)) == 15.43)
        #expect(stat(run, "", .p90) == 69.95 && stat(run, "", .p99) == 193.67)
    }

    @Test func wrk2SpectrumBecomesTheDistribution() throws {
        let file = K6T.file("corpus/wrk/polis-highload-dht-wrk2-allocGet.txt")
        #expect(try InputFormat.detect(file) == .wrkText)
        let run = try WrkTextAdapter().parse(InputSet(primary: file))
        #expect(run.tool == "wrk2")
        #expect(stat(run, "", .count) == 119_714 && stat(run, "", .errors) == 0 && stat(run, "", .throughput) == 1995.22)
        #expect(run.durationSeconds == 60)
        // The footers' unrounded figures win over the Thread Stats table.
        #expect(stat(run, "", .mean) == 1.441 && stat(run, "", .stddev) == 0.706 && stat(run, "", .max) == 12.92)
        #expect(stat(run, "", .percentile(99.999)) == 12.68 && stat(run, "", .percentile(100)) == 12.93)
        let d = try #require(run.series.first?.distribution)
        #expect(d.count == 99_357)
        #expect(abs(d.value(atPercentile: 50) - 1.371) / 1.371 < 0.01)
    }

    @Test func wrkUnitsAndBrokenOutput() throws {
        #expect(WrkTextAdapter.milliseconds("706.00us") == 0.706 && WrkTextAdapter.milliseconds("1.50s") == 1500)
        #expect(WrkTextAdapter.milliseconds("2.00m") == 120_000 && WrkTextAdapter.count("8.33k") == 8330)
        let text = """
            Running 10s test @ http://127.0.0.1:9/
              1 threads and 1 connections
              Thread Stats   Avg      Stdev     Max   +/- Stdev
                Latency    abc   1ms 2ms   50%

            """
        let bad = K6T.errorLocation { _ = try WrkTextAdapter().parse(inline(text, "wrk.txt")) }
        #expect(bad?.0.line == 4 && bad?.1.contains("wrk durations") == true)
        let cut = K6T.errorLocation { _ = try WrkTextAdapter().parse(inline("Running 10s test @ http://x/\n", "wrk.txt")) }
        #expect(cut?.1.contains("cut short") == true)
        let non2xx = """
            Running 1s test @ http://x/
              10 requests in 1.00s, 1.00KB read
              Non-2xx or 3xx responses: 4
            Requests/sec:     10.00

            """
        let run = try WrkTextAdapter().parse(inline(non2xx, "wrk.txt"))
        #expect(stat(run, "", .errors) == 4 && stat(run, "", .errorRate) == 0.4)
    }
}
