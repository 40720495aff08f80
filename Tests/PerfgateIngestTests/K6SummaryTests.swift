import Foundation
import PerfgateCore
import Testing

@testable import PerfgateIngest

@Suite("k6 summary-export and handleSummary")
struct K6SummaryTests {
    static let exports = [
        "andreposman-qr-code-generator", "itzaddddd-ticket-reserve", "kocaaydin-basicslab-summary",
        "nikoyangar-apigateway", "sweet-poision-rate-limiter-heavy", "sweet-poision-rate-limiter-low",
        "sweet-poision-rate-limiter-medium",
    ]
    static let handles = [
        "kocaaydin-port-exhaustion", "mn1809-k6-summary", "unknowntpo-spring-redis-demo",
        "wildananugrah-spring-learning",
    ]

    /// Every real k6 file is claimed by exactly one adapter, the right one.
    @Test(arguments: [
        ("corpus/k6-ndjson/joxtacy-experiments-results.json", InputFormat.k6JSON),
        ("corpus/k6-ndjson/trello-cypress-results-2021.head400.json", .k6JSON),
        ("corpus/k6-csv/kar98-perf-compare-file.csv", .k6CSV),
        ("corpus/k6-csv/trello-cypress-results-2021.csv", .k6CSV),
        ("generated/k6/summary-export.json", .k6Summary),
        ("generated/k6/handle-summary.json", .k6HandleSummary),
        ("generated/k6/points.ndjson", .k6JSON),
        ("generated/k6/points.ndjson.gz", .k6JSON),
        ("generated/k6/points.csv", .k6CSV),
        ("generated/k6/points.csv.gz", .k6CSV),
    ] + exports.map { ("corpus/k6-summary-export/\($0).json", InputFormat.k6Summary) }
        + handles.map { ("corpus/k6-handlesummary/\($0).json", InputFormat.k6HandleSummary) })
    func sniffClaimsExactlyOne(path: String, format: InputFormat) throws {
        #expect(try InputFormat.detect(K6T.file(path)) == format)
    }

    @Test func sniffLeavesOtherFormatsAlone() {
        let others = [
            #"[{"name":"/","method":"GET","num_requests":3,"response_times":{}}]"#,
            "Type,Name,Request Count,Failure Count,Median Response Time\n",
            #"{"perfgateVersion":1,"metrics":{"http_reqs":{}},"root_group":{}}"#,
            #"{"format":"perfgate","root_group":{},"metrics":{}}"#,
            #"{"config":{},"metadata":{"k6_version":"2.2.0"},"results":{"metrics":[]},"version":"1.0.0"}"#,
        ]
        let k6: [InputFormat] = [.k6Summary, .k6HandleSummary, .k6JSON, .k6CSV]
        for text in others {
            for f in k6 { #expect(!f.adapter.sniff(head: Array(text.utf8), fileName: "x"), "\(f) claimed \(text)") }
        }
    }

    @Test(arguments: exports)
    func corpusExportsParse(name: String) throws {
        let run = try K6T.parse(.k6Summary, "corpus/k6-summary-export/\(name).json")
        let latency = try #require(run.series(SeriesKey(endpoint: "", metric: "http_req_duration")))
        #expect(latency.unit == .milliseconds && latency.direction == .lowerIsBetter)
        #expect(latency.stats[.mean] != nil && latency.stats[.p50] != nil && latency.stats[.max] != nil)
        #expect(latency.stats[.throughput] != nil)
        #expect(run.format == "k6-summary" && run.tool == "k6")
        #expect((run.durationSeconds ?? 0) > 0)
    }

    @Test func exportThresholdPolarityIsFailedWhenTrue() throws {
        let run = try K6T.parse(.k6Summary, "corpus/k6-summary-export/nikoyangar-apigateway.json")
        // fast_latency p(95)=137.3 > 50 → the export says true → it FAILED.
        let fast = try #require(run.thresholds.first { $0.metric == "fast_latency" })
        #expect(fast.expression == "p(95)<50" && !fast.passed)
        let yarp = try #require(run.thresholds.first { $0.metric == "yarp_latency" })
        #expect(yarp.passed)
        // A submetric on a non-name tag stays a whole-run series with its full name.
        let sub = try #require(run.series(SeriesKey(endpoint: "", metric: "http_req_failed{gateway:fast}")))
        #expect(sub.unit == .ratio && sub.direction == .lowerIsBetter)
        #expect(sub.stats[.fails] == 202261 && sub.stats[.passes] == 0 && sub.stats[.rate] == 0)
        #expect(run.checks.count == 3)
        #expect(run.checks.contains(CheckResult(group: "", name: "status is 200 (yarp)", passes: 206626, fails: 0)))
    }

    @Test func exportCustomTrendStats() throws {
        let run = try K6T.parse(.k6Summary, "corpus/k6-summary-export/andreposman-qr-code-generator.json")
        let latency = try #require(run.series(SeriesKey(endpoint: "", metric: "http_req_duration")))
        #expect(latency.stats[.percentile(99.9)] == 787.1129890000226)
        #expect(latency.stats[.p99] == 348.6492700000003)
        #expect(latency.stats[.count] == 493168)
        #expect(latency.stats[.p95] == nil)  // not in summaryTrendStats; never invented
        #expect(run.load.maxVUs != nil && run.load.vus == 149)
        let vus = try #require(run.series(SeriesKey(endpoint: "", metric: "vus")))
        #expect(vus.stats[.value] == 1 && vus.stats[.max] == 149)
        let data = try #require(run.series(SeriesKey(endpoint: "", metric: "data_received")))
        #expect(data.unit == .bytes && data.direction == .higherIsBetter)
    }

    @Test func generatedExport() throws {
        let run = try K6T.parse(.k6Summary, "generated/k6/summary-export.json")
        let whole = try #require(run.series(SeriesKey(endpoint: "", metric: "http_req_duration")))
        #expect(whole.stats[.count] == 120)
        #expect(whole.stats[.errors] == 2)  // http_req_failed passes = failures
        #expect(K6T.close(whole.stats[.errorRate], 2.0 / 120, rel: 1e-12))
        #expect(whole.stats[.throughput] == 28.07645653269459)
        #expect(K6T.close(run.durationSeconds, 120 / 28.07645653269459, rel: 1e-12))
        for ep in ["/api/orders", "/api/products", "/api/search", "/api/users"] {
            let s = try #require(run.series(SeriesKey(endpoint: ep, metric: "http_req_duration")), "\(ep)")
            #expect(s.stats[.count] == 30 && s.stats[.p99] != nil)
        }
        #expect(run.series(SeriesKey(endpoint: "", metric: "http_req_duration{expected_response:true}")) != nil)
        let orders = try #require(run.thresholds.first { $0.metric == "http_req_duration{name:/api/orders}" })
        #expect(orders.expression == "p(95)<50" && !orders.passed)
        let products = try #require(run.thresholds.first { $0.metric == "http_req_duration{name:/api/products}" })
        #expect(products.passed)
        #expect(run.checks.contains(CheckResult(group: "::browse", name: "status is 200", passes: 60, fails: 0)))
        #expect(run.checks.contains(CheckResult(group: "", name: "status is 200", passes: 58, fails: 2)))
        let group = try #require(run.series(SeriesKey(endpoint: "", metric: "group_duration")))
        #expect(group.unit == .milliseconds)
    }

    @Test func generatedHandleSummaryAgreesWithExport() throws {
        let hs = try K6T.parse(.k6HandleSummary, "generated/k6/handle-summary.json")
        let ex = try K6T.parse(.k6Summary, "generated/k6/summary-export.json")
        #expect(K6T.close(hs.durationSeconds, 4.274043623, rel: 1e-12))
        #expect(hs.format == "k6-handle-summary")
        #expect(Set(hs.series.map(\.key)) == Set(ex.series.map(\.key)))
        for s in ex.series {
            let other = try #require(hs.series(s.key))
            #expect(other.unit == s.unit, "\(s.key)")
            for (stat, v) in s.stats where stat != .throughput {
                #expect(K6T.close(other.stats[stat], v, rel: 1e-9), "\(s.key) \(stat)")
            }
        }
        #expect(Set(hs.thresholds) == Set(ex.thresholds))
        #expect(Set(hs.checks) == Set(ex.checks))
        #expect(hs.load == ex.load)
    }

    @Test(arguments: handles)
    func corpusHandleSummariesParse(name: String) throws {
        let run = try K6T.parse(.k6HandleSummary, "corpus/k6-handlesummary/\(name).json")
        #expect(run.series(SeriesKey(endpoint: "", metric: "http_req_duration")) != nil)
        #expect((run.durationSeconds ?? 0) > 0)
    }

    @Test func handleSummaryPolarityAndUnits() throws {
        let run = try K6T.parse(.k6HandleSummary, "corpus/k6-handlesummary/wildananugrah-spring-learning.json")
        #expect(run.thresholds.contains(ThresholdResult(metric: "http_req_duration", expression: "p(95)<3000", passed: true)))
        #expect(run.checks.count == 4)
        let whole = try #require(run.series(SeriesKey(endpoint: "", metric: "http_req_duration")))
        #expect(whole.stats[.errors] == 0 && whole.stats[.errorRate] == 0 && whole.stats[.count] == 108)
        #expect(K6T.close(run.durationSeconds, 30.793046, rel: 1e-12))
        #expect(run.load == LoadProfile(vus: 1, maxVUs: 1))
        // A custom trend without isTime is unit-less.
        let demo = try K6T.parse(.k6HandleSummary, "corpus/k6-handlesummary/unknowntpo-spring-redis-demo.json")
        let custom = try #require(demo.series.first { $0.key.metric.hasPrefix("without_cache_duration") })
        #expect(custom.unit == MetricUnit.none)
    }

    @Test func errorsNameThePath() throws {
        let empty = K6T.errorLocation {
            _ = try K6T.parse(.k6Summary, bytes: [], name: "e.json")
        }
        #expect(empty?.0.line == 1)
        let truncated = try #require(K6T.errorLocation { _ = try K6T.parse(.k6Summary, "k6/summary-export-truncated.json") })
        #expect(truncated.0.line != nil && truncated.1.contains("end of file"))
        let null = try #require(K6T.errorLocation { _ = try K6T.parse(.k6HandleSummary, "k6/handle-summary-null-value.json") })
        #expect(null.0.jsonPath == #"metrics.http_req_duration.values["p(95)"]"#)
        let badBool = try #require(K6T.errorLocation {
            _ = try K6T.parse(.k6Summary, bytes: Array(#"{"root_group":{},"metrics":{"x":{"avg":1,"thresholds":{"avg<2":"no"}}}}"#.utf8))
        })
        #expect(badBool.0.jsonPath == #"metrics.x.thresholds["avg<2"]"#)
        let noMetrics = try #require(K6T.errorLocation { _ = try K6T.parse(.k6Summary, bytes: Array(#"{"root_group":{}}"#.utf8)) })
        #expect(noMetrics.0.jsonPath == "metrics")
        let badType = try #require(K6T.errorLocation {
            _ = try K6T.parse(.k6HandleSummary, bytes: Array(#"{"metrics":{"x":{"type":"histogram","values":{}}}}"#.utf8))
        })
        #expect(badType.0.jsonPath == "metrics.x.type")
    }

    @Test func endpointNaming() {
        #expect(K6.endpoint(name: "/a", method: "GET") == "GET /a")
        #expect(K6.endpoint(name: "GET /a", method: "GET") == "GET /a")
        #expect(K6.endpoint(name: "/a", method: nil) == "/a")
        #expect(K6.endpointOfSubmetric("http_req_duration{name:/a}") == "/a")
        #expect(K6.endpointOfSubmetric("http_req_duration{ name: 'https://x/y' , method:POST}") == "POST https://x/y")
        #expect(K6.endpointOfSubmetric("http_req_duration{name:/a,status:200}") == nil)
        #expect(K6.endpointOfSubmetric("http_req_duration{expected_response:true}") == nil)
    }
}

