import Foundation
import PerfgateCore
import PerfgateTestSupport
import Testing

@testable import PerfgateIngest

/// vegeta is not packaged for Debian or PyPI and no public vegeta file was found, so
/// these documents follow vegeta's documented JSON (docs/load-tools.md, `lib/metrics.go`, `lib/results.go`).
@Suite("vegeta adapters")
struct VegetaTests {
    let latency = SeriesKey.requestLatencyMetric

    func stat(_ run: IngestedRun, _ endpoint: String, _ s: Statistic) -> Double? {
        run.series(SeriesKey(endpoint: endpoint, metric: latency))?.stats[s]
    }
    func file(_ text: String, _ name: String) -> InputFile { InputFile(data: Data(text.utf8), displayPath: name) }

    static let report = """
        {"latencies":{"total":3013854000,"mean":10046180,"50th":9893180,"90th":12000000,"95th":13500000,"99th":20000000,"max":25000000,"min":5100000},
         "bytes_in":{"total":13500,"mean":45},"bytes_out":{"total":0,"mean":0},
         "earliest":"2024-05-01T10:00:00.123456789Z","latest":"2024-05-01T10:00:02.99Z","end":"2024-05-01T10:00:03Z",
         "duration":2990000000,"wait":10000000,"requests":300,"rate":100.33444816053512,"throughput":99.0,"success":0.99,
         "status_codes":{"200":297,"500":3},"errors":["500 Internal Server Error"]}
        """

    @Test func reportNanosecondsBecomeMilliseconds() throws {
        let f = file(Self.report, "report.json")
        #expect(try InputFormat.detect(f) == .vegetaReport)
        let run = try VegetaReportAdapter().parse(InputSet(primary: f))
        #expect(stat(run, "", .mean) == 10.04618 && stat(run, "", .p50) == 9.89318 && stat(run, "", .min) == 5.1)
        #expect(stat(run, "", .p99) == 20 && stat(run, "", .max) == 25)
        #expect(stat(run, "", .count) == 300 && stat(run, "", .errors) == 3 && K6T.close(stat(run, "", .errorRate), 0.01, rel: 1e-12))
        #expect(stat(run, "", .throughput) == 100.33444816053512 && run.durationSeconds == 2.99)
        #expect(run.startedAt.map { abs($0.timeIntervalSince1970 - 1_714_557_600.123457) < 1e-6 } == true)
        #expect(run.errors.map(\.message) == ["500 Internal Server Error"])
        let bad = K6T.errorLocation {
            _ = try VegetaReportAdapter().parse(InputSet(primary: file(Self.report.replacingOccurrences(of: "\"success\":0.99", with: "\"success\":99"), "r.json")))
        }
        #expect(bad?.0.jsonPath == "success")
    }

    @Test func encodedResultsArePerRequest() throws {
        let lines = (0..<10).map { i in
            let code = i == 9 ? 500 : 200
            let url = i % 2 == 0 ? "http://127.0.0.1:8080/api/users" : "https://prod.example.com/api/search?q=x"
            return #"{"attack":"","seq":\#(i),"code":\#(code),"timestamp":"2024-05-01T10:00:0\#(i).5Z","latency":\#((i + 1) * 1_000_000),"bytes_out":0,"bytes_in":45,"error":"\#(code == 500 ? "500 Internal Server Error" : "")","body":null,"method":"GET","url":"\#(url)","headers":null}"#
        }
        let f = file(lines.joined(separator: "\n") + "\n", "results.json")
        #expect(try InputFormat.detect(f) == .vegetaEncode)
        let run = try VegetaEncodeAdapter().parse(InputSet(primary: f))
        #expect(Set(run.series.map(\.key.endpoint)) == ["GET /api/users", "GET /api/search?q=x", ""])
        #expect(stat(run, "", .count) == 10 && stat(run, "", .errors) == 1 && stat(run, "", .max) == 10)
        #expect(stat(run, "", .p50) == 5.5 && stat(run, "GET /api/search?q=x", .errors) == 1)
        #expect(run.durationSeconds.map { abs($0 - 9.01) < 1e-9 } == true)
        let bad = K6T.errorLocation {
            _ = try VegetaEncodeAdapter().parse(InputSet(primary: file(lines[0] + "\n" + lines[1].replacingOccurrences(of: "\"latency\":2000000", with: "\"latency\":-2"), "results.json")))
        }
        #expect(bad?.0.line == 2 && bad?.0.jsonPath == "latency")
        let syntax = K6T.errorLocation { _ = try VegetaEncodeAdapter().parse(InputSet(primary: file(lines[0] + "\n{\"seq\": 1,\n", "results.json"))) }
        #expect(syntax?.0.line == 2)
    }

    // MARK: encode --to csv

    @Test func csvResultsAreReadLikeTheJSONEncoding() throws {
        let f = K6T.file("generated/vegeta/results.csv")
        #expect(try InputFormat.detect(f) == .vegetaCSV)
        let run = try VegetaCSVAdapter().parse(InputSet(primary: f))
        #expect(run.format == "vegeta-csv" && run.tool == "vegeta")
        #expect(Set(run.series.map(\.key.endpoint)) == ["GET /api/users", "POST /api/search?q=x", ""])
        // NumPy on the twelve latencies (generated/vegeta/SOURCES.md).
        #expect(stat(run, "", .count) == 12 && stat(run, "", .errors) == 2 && stat(run, "", .max) == 11 && stat(run, "", .min) == 0.3)
        #expect(K6T.close(stat(run, "", .mean), 5.525, rel: 1e-12) && K6T.close(stat(run, "", .p50), 5.5, rel: 1e-12))
        #expect(K6T.close(stat(run, "", .p90), 9.9, rel: 1e-12) && K6T.close(stat(run, "", .p99), 10.89, rel: 1e-12))
        #expect(stat(run, "GET /api/users", .mean) == 6 && stat(run, "GET /api/users", .errors) == 0)
        #expect(K6T.close(stat(run, "POST /api/search?q=x", .mean), 5.05, rel: 1e-12) && stat(run, "POST /api/search?q=x", .errors) == 2)
        #expect(run.durationSeconds.map { abs($0 - 5.500313574) < 1e-6 } == true)
        #expect(run.startedAt?.timeIntervalSince1970 == 1_714_557_600)
        // The quoted error text is kept whole; a 500 without its own text would read "HTTP 500".
        #expect(run.errors.map(\.message).contains(#"Post "https://prod.example.com/api/search?q=x": dial tcp 10.0.0.7:443: connect: connection refused"#))
        #expect(run.errors.map(\.message).contains("500 Internal Server Error"))
    }

    @Test func csvErrorsNameTheLineAndColumn() throws {
        let good = try String(contentsOf: K6T.url("generated/vegeta/results.csv"), encoding: .utf8).split(separator: "\n").map(String.init)
        func location(_ lines: [String]) -> (PerfgateCore.SourceLocation, String)? {
            K6T.errorLocation { _ = try VegetaCSVAdapter().parse(InputSet(primary: file(lines.joined(separator: "\n") + "\n", "results.csv"))) }
        }
        let latency = location([good[0], good[1].replacingOccurrences(of: ",2000000,", with: ",2ms,")])
        #expect(latency?.0.line == 2 && latency?.1.contains("latency (column 3)") == true && latency?.1.contains("\"2ms\"") == true)
        let short = location([good[0], good[1], "1714557600000000000,200,1000000"])
        #expect(short?.0.line == 3 && short?.1.contains("expected the 12 columns") == true)
        // A JMeter or hey CSV (a header row) is not claimed.
        #expect(!VegetaCSVAdapter().sniff(head: Array("timeStamp,elapsed,label,responseCode\n".utf8), fileName: "x.csv"))
    }
}

