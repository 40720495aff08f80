import Foundation
import PerfgateCore
import PerfgateTestSupport
import Testing

@testable import PerfgateIngest

/// REAL Prometheus 2.42 `query_range` responses (ci/gen-prom-fixtures.sh): Prometheus scraped
/// ci/fixtures/server.py's /metrics every second while k6 (4 VUs, 20 s) loaded it. `leak/` ran the
/// server with `--leak-bytes 65536` (app_memory_bytes grows 64 KiB per request), `noleak/` without.
@Suite("Prometheus query_range")
struct PrometheusTests {
    func fixture(_ rel: String) -> InputFile {
        let url = Fixtures.url("prometheus/" + rel, target: "PerfgateIngestTests")
        return InputFile(path: url.path, displayPath: "prometheus/" + rel)
    }
    func parse(_ rel: String) throws -> IngestedRun { try PrometheusQueryRangeAdapter().parse(InputSet(primary: fixture(rel))) }
    func server(_ run: IngestedRun, _ name: String) -> ServerSeries? { run.serverSeries?.first { $0.name == name } }
    func stat(_ run: IngestedRun, _ name: String, _ s: Statistic) -> Double? {
        run.series(SeriesKey(endpoint: "", metric: name))?.stats[s]
    }
    static let base = 67_108_864.0  // the server's 64 MiB before any leak

    func file(_ text: String, _ name: String = "q.prom.json") -> InputFile { InputFile(data: Data(text.utf8), displayPath: name) }

    @Test func realFilesAreDetectedAndOthersAreNot() throws {
        for rel in ["leak/memory.prom.json", "leak/db.prom.json", "noleak/cpu.prom.json", "error.prom.json", "vector.prom.json"] {
            #expect(try InputFormat.detect(fixture(rel)) == .prometheusQueryRange, "\(rel)")
        }
        let other = Array(#"{"status":"success","data":{"items":[]}}"#.utf8)
        #expect(!PrometheusQueryRangeAdapter().sniff(head: other, fileName: "x.json"))
    }

    @Test func memoryIsBytesAndTheInjectedLeakIsGrowth() throws {
        let leak = try parse("leak/memory.prom.json")
        let s = try #require(server(leak, "app_memory_bytes"))
        #expect(s.unit == .bytes && s.direction == .lowerIsBetter && leak.tool == "prometheus")
        #expect(s.samples.count >= 25 && s.samples.first!.value == Self.base)
        #expect(zip(s.samples, s.samples.dropFirst()).allSatisfy { $0.time < $1.time && $0.value <= $1.value })
        // Every step of the gauge is a whole number of 64 KiB requests.
        #expect(s.samples.allSatisfy { ($0.value - Self.base).truncatingRemainder(dividingBy: 65536) == 0 })
        #expect(stat(leak, "app_memory_bytes", .max) == s.samples.last!.value)
        #expect(stat(leak, "app_memory_bytes", .value) == s.samples.last!.value)
        #expect(stat(leak, "app_memory_bytes", .min) == Self.base)
        #expect((stat(leak, "app_memory_bytes", ServerMetrics.growthPerHour) ?? 0) > 0)
        let flat = try parse("noleak/memory.prom.json")
        #expect(stat(flat, "app_memory_bytes", ServerMetrics.growthPerHour) == 0)
        #expect(stat(flat, "app_memory_bytes", .max) == Self.base)
        // The run of the file spans its samples.
        #expect(leak.startedAt?.timeIntervalSince1970 == s.samples.first!.time)
        #expect(leak.durationSeconds == s.samples.last!.time - s.samples.first!.time)
    }

    @Test func seriesOfOneFileAreNamedByMetricAndUnitsFollowTheSuffix() throws {
        let db = try parse("leak/db.prom.json")
        #expect(db.serverSeries?.map(\.name) == ["app_db_connections_in_use", "app_db_connections_pool_size"])
        #expect(stat(db, "app_db_connections_pool_size", .max) == 8 && stat(db, "app_db_connections_pool_size", .min) == 8)
        let inUse = try #require(stat(db, "app_db_connections_in_use", .max))
        #expect(inUse >= 1 && inUse <= 4)  // 4 k6 VUs hold at most 4 connections
        let cache = try #require(server(try parse("leak/cache.prom.json"), "app_cache_hit_ratio"))
        #expect(cache.unit == .ratio && cache.direction == .higherIsBetter && cache.samples.allSatisfy { (0...1).contains($0.value) })
        let cpu = try #require(server(try parse("leak/cpu.prom.json"), "app_cpu_ratio"))
        #expect(cpu.unit == .ratio && cpu.samples.contains { $0.value > 0 })
        let requests = try #require(server(try parse("leak/requests.prom.json"), "app_requests_total"))
        #expect(requests.unit == MetricUnit.none && ServerMetrics.isCounter(requests.name))
    }

    @Test func prometheusErrorsAndInstantQueriesAreRefusedWithTheirPath() throws {
        let err = K6T.errorLocation { _ = try parse("error.prom.json") }
        #expect(err?.0.jsonPath == "status" && err?.1.contains("bad_data") == true && err?.1.contains("parse error") == true)
        let vector = K6T.errorLocation { _ = try parse("vector.prom.json") }
        #expect(vector?.0.jsonPath == "data.resultType" && vector?.1.contains("/api/v1/query_range") == true)
    }

    /// Shapes the real files above do not show, in the documented format
    /// (https://prometheus.io/docs/prometheus/latest/querying/api/#range-queries).
    @Test func documentedShapes() throws {
        let two = #"""
            {"status":"success","warnings":["query hit max samples"],"data":{"resultType":"matrix","result":[
              {"metric":{"__name__":"http_request_duration_seconds","pool":"a","instance":"h:1","job":"j"},"values":[[100,"0.25"],[101,"NaN"],[102,"0.5"]]},
              {"metric":{"__name__":"http_request_duration_seconds","pool":"b","instance":"h:1","job":"j"},"values":[[100,"1"]]},
              {"metric":{"instance":"h:1"},"values":[[100,"53"]]}]}}
            """#
        let run = try PrometheusQueryRangeAdapter().parse(InputSet(primary: file(two, "cpu_percent.prom.json")))
        #expect(
            run.serverSeries?.map(\.name) == [
                #"http_request_duration_seconds{pool="a"}"#, #"http_request_duration_seconds{pool="b"}"#, "cpu_percent",
            ])
        let a = try #require(run.serverSeries?[0])
        #expect(a.unit == .milliseconds && a.samples.map(\.value) == [250, 500])  // NaN skipped, seconds → ms
        #expect(run.serverSeries?[2].unit == .ratio && run.serverSeries?[2].samples.first?.value == 0.53)
        #expect(run.tags[PrometheusQueryRangeAdapter.warningsTag] == "query hit max samples")

        let bad = two.replacingOccurrences(of: #"[102,"0.5"]"#, with: #"[102,"half"]"#)
        let e = K6T.errorLocation { _ = try PrometheusQueryRangeAdapter().parse(InputSet(primary: file(bad))) }
        #expect(e?.0.jsonPath?.hasSuffix("result[0].values[2][1]") == true, "\(String(describing: e))")
        let empty = #"{"status":"success","data":{"resultType":"matrix","result":[]}}"#
        let none = K6T.errorLocation { _ = try PrometheusQueryRangeAdapter().parse(InputSet(primary: file(empty))) }
        #expect(none?.0.jsonPath == "data" && none?.1.contains("no series") == true)
    }
}
