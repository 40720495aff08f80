import Foundation
import PerfgateCore
import Testing

@testable import PerfgateIngest

@Suite("k6 NDJSON and CSV points")
struct K6PointsTests {
    static let endpoints = ["POST /api/orders", "GET /api/products", "GET /api/search", "GET /api/users"]

    /// The key cross-check: points from one real k6 run agree with that run's --summary-export.
    @Test(arguments: [
        (InputFormat.k6JSON, "generated/k6/points.ndjson"), (.k6JSON, "generated/k6/points.ndjson.gz"),
        (.k6CSV, "generated/k6/points.csv"), (.k6CSV, "generated/k6/points.csv.gz"),
    ])
    func pointsMatchTheRunsSummaryExport(format: InputFormat, path: String) throws {
        let points = try K6T.parse(format, path)
        let export = try K6T.parse(.k6Summary, "generated/k6/summary-export.json")
        func compare(_ pointKey: SeriesKey, _ exportKey: SeriesKey) throws {
            let p = try #require(points.series(pointKey), "\(pointKey) missing")
            let e = try #require(export.series(exportKey), "\(exportKey) missing in export")
            #expect(p.unit == e.unit, "\(pointKey)")
            for stat in [Statistic.count, .mean, .min, .max] {
                #expect(K6T.close(p.stats[stat], e.stats[stat], rel: 1e-6), "\(pointKey) \(stat)")
            }
            for stat in [Statistic.p50, .p90, .p95, .p99] {
                #expect(K6T.close(p.stats[stat], e.stats[stat], rel: 0.01), "\(pointKey) \(stat)")
            }
            if pointKey.metric == "http_req_duration" { #expect(p.distribution?.count == UInt64(p.stats[.count] ?? -1)) }
        }
        try compare(SeriesKey(endpoint: "", metric: "http_req_duration"), SeriesKey(endpoint: "", metric: "http_req_duration"))
        for ep in Self.endpoints {
            // The export knows only the name tag; points also know the method.
            let name = String(ep.split(separator: " ", maxSplits: 1)[1])
            try compare(SeriesKey(endpoint: ep, metric: "http_req_duration"), SeriesKey(endpoint: name, metric: "http_req_duration"))
        }
        for metric in ["http_req_waiting", "http_req_blocked", "iteration_duration", "group_duration"] {
            try compare(SeriesKey(endpoint: "", metric: metric), SeriesKey(endpoint: "", metric: metric))
        }
        let whole = try #require(points.series(SeriesKey(endpoint: "", metric: "http_req_duration")))
        #expect(whole.stats[.errors] == 2)
        #expect(K6TestHelpers_close(whole.stats[.errorRate], 2.0 / 120))
        #expect(whole.stats[.throughput] != nil)
        let perEndpointErrors = Self.endpoints.compactMap { points.series(SeriesKey(endpoint: $0, metric: "http_req_duration"))?.stats[.errors] }
        #expect(perEndpointErrors.reduce(0, +) == 2)
        for (metric, stat) in [("http_reqs", Statistic.count), ("iterations", .count), ("data_received", .count), ("data_sent", .count),
                               ("checks", .passes), ("checks", .fails), ("http_req_failed", .passes)] {
            #expect(points.series(SeriesKey(endpoint: "", metric: metric))?.stats[stat]
                == export.series(SeriesKey(endpoint: "", metric: metric))?.stats[stat], "\(metric) \(stat)")
        }
        #expect(Set(points.checks) == Set(export.checks))
        #expect(points.load == export.load)
        #expect(points.startedAt != nil && (points.durationSeconds ?? -1) >= 0)
        #expect(points.format == format.rawValue)
    }

    @Test func gzipAndPlainAreIdentical() throws {
        #expect(try K6T.parse(.k6JSON, "generated/k6/points.ndjson") == K6T.parse(.k6JSON, "generated/k6/points.ndjson.gz"))
        #expect(try K6T.parse(.k6CSV, "generated/k6/points.csv") == K6T.parse(.k6CSV, "generated/k6/points.csv.gz"))
    }

    /// The byte scanner and the JSONSerialization path agree: re-encode every line with sorted keys,
    /// pretty spacing and escaped slashes (`\/`), which forces escape decoding and other key orders.
    @Test func fastPathMatchesReencodedLines() throws {
        let original = try Data(contentsOf: K6T.url("generated/k6/points.ndjson"))
        var out = Data()
        for line in original.split(separator: UInt8(ascii: "\n")) {
            let obj = try JSONSerialization.jsonObject(with: Data(line))
            out.append(try JSONSerialization.data(withJSONObject: obj, options: [.sortedKeys, .prettyPrinted]).filter { $0 != 10 })
            out.append(10)
        }
        #expect(out.contains("\\/api".data(using: .utf8)!))
        let a = try K6T.parse(.k6JSON, "generated/k6/points.ndjson")
        let b = try K6T.parse(.k6JSON, bytes: Array(out))
        #expect(a.series.count == b.series.count)
        for s in a.series {
            let o = try #require(b.series(s.key), "\(s.key)")
            for (stat, v) in s.stats { #expect(K6T.close(o.stats[stat], v, rel: 1e-12), "\(s.key) \(stat)") }
        }
        #expect(a.checks == b.checks && a.startedAt == b.startedAt && a.durationSeconds == b.durationSeconds)
    }

    /// Blocks parsed in parallel and merged give what one pass over the file gives: tiny blocks put
    /// block boundaries everywhere (endpoints, checks, errors, first/last times split across blocks).
    @Test(arguments: [
        "generated/k6/points.ndjson", "corpus/k6-ndjson/joxtacy-experiments-results.json",
        "corpus/k6-ndjson/trello-cypress-results-2021.head400.json",
    ])
    func blocksMergeLikeOnePass(path: String) throws {
        let onePass = try K6PointsAdapter(blockSize: 1 << 30).parse(InputSet(primary: K6T.file(path)))
        for size in [1, 700, 4096] {
            try Self.expectSameRun(try K6PointsAdapter(blockSize: size).parse(InputSet(primary: K6T.file(path))), onePass, "block size \(size)")
        }
    }

    /// Blocks merged give the one-pass run: the same series, statistics (sums are added in another order,
    /// so a mean may differ in its last bits), distributions, checks, errors, times, load and timeline.
    static func expectSameRun(_ blocks: IngestedRun, _ onePass: IngestedRun, _ label: String) throws {
        #expect(blocks.series.map(\.key) == onePass.series.map(\.key), "\(label)")
        for s in onePass.series {
            let o = try #require(blocks.series(s.key))
            #expect(o.stats.keys.sorted() == s.stats.keys.sorted(), "\(label) \(s.key)")
            for (stat, v) in s.stats { #expect(K6T.close(o.stats[stat], v, rel: 1e-12), "\(label) \(s.key) \(stat)") }
            #expect(o.distribution == s.distribution, "\(label) \(s.key)")
            #expect(o.unit == s.unit && o.direction == s.direction)
        }
        #expect(blocks.checks == onePass.checks && blocks.errors == onePass.errors, "\(label)")
        #expect(blocks.startedAt == onePass.startedAt && blocks.durationSeconds == onePass.durationSeconds, "\(label)")
        #expect(blocks.load == onePass.load && blocks.timeline == onePass.timeline, "\(label)")
    }

    /// k6 CSV rows read in parallel blocks give what one block gives, on the real CSV files (tiny
    /// blocks split endpoints, checks, errors and the first and last times across blocks).
    @Test(arguments: [
        "generated/k6/points.csv", "generated/k6/points.csv.gz", "corpus/k6-csv/kar98-perf-compare-file.csv",
        "corpus/k6-csv/trello-cypress-results-2021.csv",
    ])
    func csvBlocksMergeLikeOnePass(path: String) throws {
        let onePass = try K6CSVAdapter(blockSize: 1 << 30).parse(InputSet(primary: K6T.file(path)))
        #expect(onePass.series.count > 2)
        for size in [1, 300, 4096] {
            try Self.expectSameRun(try K6CSVAdapter(blockSize: size).parse(InputSet(primary: K6T.file(path))), onePass, "block size \(size)")
        }
    }

    /// A quoted field spanning lines (it may straddle two blocks) is read serially, with the same result;
    /// an error in a later block names its line in the file; a byte order mark before the header is skipped.
    @Test func csvQuotedLinesErrorsAndByteOrderMark() throws {
        let header = "metric_name,timestamp,metric_value,check,error,group,method,name,status\n"
        var rows: [String] = []
        for i in 0..<40 {
            rows.append("http_req_duration,\(1_700_000_000 + i / 10),\(Double(i) + 0.5),,,,GET,/a,200")
        }
        rows.insert("http_req_duration,1700000002,7.25,,\"timeout,\nretrying\",,GET,/a,500", at: 20)
        let text = header + rows.joined(separator: "\n") + "\n"
        func parse(_ text: String, _ size: Int, name: String = "q.csv") throws -> IngestedRun {
            try K6CSVAdapter(blockSize: size).parse(InputSet(primary: InputFile(data: Data(text.utf8), displayPath: name)))
        }
        let whole = try parse(text, 1 << 30)
        for size in [1, 64, 500] {
            let run = try parse(text, size)
            #expect(run.series.map(\.key) == whole.series.map(\.key) && run.errors == whole.errors, "block size \(size)")
            #expect(run.series(SeriesKey(endpoint: "GET /a", metric: "http_req_duration"))?.stats[.count] == 41)
        }
        #expect(whole.errors.contains { $0.message.contains("retrying") })

        let plain = header + rows.filter { !$0.contains("\"") }.joined(separator: "\n") + "\n"
        var broken = plain.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        broken[31] = "http_req_duration,1700000003,not-a-number,,,,GET,/a,200"
        for size in [1, 64, 1 << 30] {
            let bad = K6T.errorLocation { _ = try parse(broken.joined(separator: "\n"), size, name: "b.csv") }
            #expect(bad?.0.line == 32 && bad?.1 == "metric_value is not a number", "block size \(size)")
        }
        let withMark = try parse("\u{FEFF}" + plain, 64)
        #expect(withMark.series.map(\.key) == (try parse(plain, 64)).series.map(\.key))
    }

    /// Exact percentiles are kept for the file's first 256 endpoints whatever the blocks: an endpoint
    /// first seen late in one block is still among the file's first.
    @Test func exactPercentilesSurviveBlocksWithManyEndpoints() throws {
        var lines: [String] = []
        for round in 0..<3 {
            for e in 0..<300 {
                let v = Double(e) + Double(round) * 0.37
                lines.append(#"{"metric":"http_req_duration","type":"Point","data":{"time":"2024-01-01T00:00:00Z","value":\#(v),"tags":{"name":"/e\#(e)","method":"GET"}}}"#)
            }
        }
        let bytes = Array(lines.joined(separator: "\n").utf8)
        func parse(_ size: Int) throws -> IngestedRun {
            try K6PointsAdapter(blockSize: size).parse(InputSet(primary: InputFile(data: Data(bytes), displayPath: "many.ndjson")))
        }
        let onePass = try parse(1 << 30)
        for size in [1, 5000, 40_000] {
            let blocks = try parse(size)
            for s in onePass.series {
                let o = try #require(blocks.series(s.key))
                #expect(o.stats.keys.sorted() == s.stats.keys.sorted())
                // Percentiles exactly (exact samples, not the histogram); sums may differ in the last bits.
                for (stat, v) in s.stats { #expect(K6T.close(o.stats[stat], v, rel: 1e-12), "block size \(size): \(s.key) \(stat)") }
            }
        }
        // /e0 has three exact values: k6's interpolated p50 is the middle one.
        #expect(K6T.stat(onePass, "GET /e0", "http_req_duration", .percentile(50)) == 0.37)
    }

    /// A read error (a truncated gzip stream) after a bad line: the bad line is reported, as a
    /// one-pass parse would.
    @Test func aBadLineBeforeATruncatedGzipTailIsReportedFirst() throws {
        let good = #"{"metric":"http_req_duration","type":"Point","data":{"time":"2024-01-01T00:00:00Z","value":1,"tags":{"name":"/a"}}}"#
        var lines = Array(repeating: good, count: 2000)
        lines[10] = #"{"metric":"http_req_duration","type":"Point""#
        let plain = Data(lines.joined(separator: "\n").utf8)
        let gz = try K6T.gzip(plain)
        let truncated = gz.prefix(gz.count * 3 / 4)
        let err = try #require(K6T.errorLocation {
            _ = try K6PointsAdapter(blockSize: 1000).parse(InputSet(primary: InputFile(data: Data(truncated), displayPath: "t.ndjson.gz")))
        })
        #expect(err.0.line == 11, "\(err)")
    }

    /// A custom metric's type comes from its `Metric` line, which may sit blocks before its points:
    /// blocks that guessed the type from the name are parsed again with the declaration.
    @Test func declarationsReachLaterBlocks() throws {
        var lines = [#"{"type":"Metric","data":{"name":"orders_placed","type":"counter","contains":"default"},"metric":"orders_placed"}"#]
        for i in 0..<300 {
            lines.append(#"{"metric":"orders_placed","type":"Point","data":{"time":"2024-01-01T00:00:\#(String(format: "%02d", i % 60))Z","value":2,"tags":null}}"#)
        }
        let bytes = Array(lines.joined(separator: "\n").utf8)
        for size in [1, 512, 1 << 20] {
            let run = try K6PointsAdapter(blockSize: size).parse(
                InputSet(primary: InputFile(data: Data(bytes), displayPath: "custom.ndjson")))
            let s = try #require(run.series(SeriesKey(endpoint: "", metric: "orders_placed")))
            #expect(s.stats[.count] == 600, "block size \(size): \(s.stats)")  // a counter sums, a trend would count 300
            #expect(s.stats[.mean] == nil)
        }
    }

    /// An error deep in the file names its line in the whole file, not in its block.
    @Test func errorLinesCountAcrossBlocks() throws {
        let good = #"{"metric":"http_req_duration","type":"Point","data":{"time":"2024-01-01T00:00:00Z","value":1,"tags":{"name":"/a"}}}"#
        var lines = Array(repeating: good, count: 999)
        lines.append(#"{"metric":"http_req_duration","type":"Point","data":{"time":"2024-01-01T00:00:00Z","value":-1,"tags":{"name":"/a"}}}"#)
        lines.append(#"{"metric":"http_req_duration","type":"Point"#)
        let bytes = Array(lines.joined(separator: "\n").utf8)
        for size in [1, 1000, 1 << 20] {
            let err = try #require(K6T.errorLocation {
                _ = try K6PointsAdapter(blockSize: size).parse(
                    InputSet(primary: InputFile(data: Data(bytes), displayPath: "deep.ndjson")))
            })
            #expect(err.0.line == 1000 && err.1.contains("negative duration"), "block size \(size): \(err)")
        }
    }

    @Test func escapedTagsAndErrors() throws {
        let lines = [
            #"{"type":"Metric","data":{"name":"http_req_duration","type":"trend","contains":"time"},"metric":"http_req_duration"}"#,
            #"{"metric":"http_req_duration","type":"Point","data":{"time":"2024-01-01T00:00:00Z","value":5,"tags":{"name":"/q?a=1\u0026b=\"2\"","method":"POST","error":"dial: i/o timeout"}}}"#,
            #"{"metric":"http_req_failed","type":"Point","data":{"time":"2024-01-01T00:00:01Z","value":1,"tags":{"name":"/q?a=1&b=\"2\"","method":"POST"}}}"#,
            #" { "data" : { "tags" : { "method" : "POST" , "name" : "/q?a=1&b=\"2\"" } , "value" : 7.5e0 , "time" : "2024-01-01T01:00:00.5+01:00" } , "type" : "Point" , "metric" : "http_req_duration" } "#,
            "",
        ]
        let run = try K6T.parse(.k6JSON, bytes: Array(lines.joined(separator: "\n").utf8))
        let s = try #require(run.series(SeriesKey(endpoint: #"POST /q?a=1&b="2""#, metric: "http_req_duration")))
        #expect(s.stats[.count] == 2 && s.stats[.mean] == 6.25 && s.stats[.errors] == 1 && s.stats[.errorRate] == 1)
        #expect(run.errors == [ErrorResult(endpoint: #"POST /q?a=1&b="2""#, message: "dial: i/o timeout", occurrences: 1)])
        #expect(run.durationSeconds == 0.5)  // first 00:00:00Z, last 01:00:00.5+01:00
    }

    @Test(arguments: ["joxtacy-experiments-results.json", "trello-cypress-results-2021.head400.json"])
    func corpusNDJSON(name: String) throws {
        let run = try K6T.parse(.k6JSON, "corpus/k6-ndjson/\(name)")
        let whole = try #require(run.series(SeriesKey(endpoint: "", metric: "http_req_duration")))
        #expect((whole.stats[.count] ?? 0) > 0 && whole.distribution != nil)
        #expect(run.series.contains { $0.key.metric == "http_req_duration" && $0.key.endpoint.hasPrefix("GET ") })
        #expect(run.startedAt != nil && (run.durationSeconds ?? 0) > 0)
        #expect(run.checks.isEmpty == (name == "joxtacy-experiments-results.json"))  // that script has no checks
    }

    @Test func oldEnvelopeOffsetTimestamps() throws {
        let run = try K6T.parse(.k6JSON, "corpus/k6-ndjson/trello-cypress-results-2021.head400.json")
        // 2021-05-01T23:04:28.866972-04:00
        #expect(run.startedAt == Date(timeIntervalSince1970: 1_619_924_668.866972))
    }

    @Test(arguments: ["kar98-perf-compare-file.csv", "trello-cypress-results-2021.csv"])
    func corpusCSV(name: String) throws {
        let run = try K6T.parse(.k6CSV, "corpus/k6-csv/\(name)")
        let whole = try #require(run.series(SeriesKey(endpoint: "", metric: "http_req_duration")))
        #expect((whole.stats[.count] ?? 0) > 0)
        #expect(run.startedAt != nil)
    }

    @Test func malformedNDJSONNamesTheLine() throws {
        let cases: [(String, Int, String)] = [
            ("k6/points-bad-line-17.ndjson", 17, "invalid JSON"),
            ("k6/points-negative-duration-line-5.ndjson", 5, "negative duration"),
            ("k6/points-null-value-line-3.ndjson", 3, "null"),
            ("k6/points-not-k6-line-7.ndjson", 7, "not a k6 Metric or Point"),
            ("k6/points-invalid-utf8-line-10.ndjson", 10, "UTF-8"),
            ("k6/empty.ndjson", 1, "empty"),
        ]
        for (path, line, text) in cases {
            let err = try #require(K6T.errorLocation { _ = try K6T.parse(.k6JSON, path) }, "\(path) parsed")
            #expect(err.0.line == line, "\(path): \(err)")
            #expect(err.0.file == path)
            #expect(err.1.contains(text), "\(path): \(err.1)")
        }
        #expect(try K6T.parse(.k6JSON, "k6/points-minimal.ndjson").series(SeriesKey(endpoint: "GET /a", metric: "http_req_duration"))?.stats[.count] == 19)
    }

    @Test func malformedLinesFromBytes() throws {
        let good = #"{"metric":"m","type":"Point","data":{"time":"2024-01-01T00:00:00Z","value":1,"tags":null}}"#
        let bad = [
            #"{"metric":"m","type":"Point","data":{"time":"2024-01-01T00:00:00Z","value":1,"tags":null}} x"#,
            #"{"metric":"m","type":"Point","data":{"time":"2024-01-01T00:00:00Z","tags":null}}"#,
            #"{"metric":"m","type":"Point","data":{"time":"2024-01-01T00:00:00Z","value":"1"}}"#,
            #"{"metric":"m","type":"Point","data":{"time":"2024-01-01T00:00:00Z","value":01}}"#,
            #"[1,2,3]"#,
            #"{"metric":"m","type":"Point","data":{"time":"yesterday","value":1}}"#,
        ]
        for b in bad {
            let text = good + "\n" + good + "\n" + b + "\n"
            let err = try #require(K6T.errorLocation { _ = try K6T.parse(.k6JSON, bytes: Array(text.utf8)) }, "accepted: \(b)")
            #expect(err.0.line == 3, "\(b): \(err)")
        }
    }

    @Test func malformedCSV() throws {
        let missing = try #require(K6T.errorLocation { _ = try K6T.parse(.k6CSV, "k6/points-missing-columns.csv") })
        #expect(missing.0.line == 1 && missing.1.contains("timestamp"))
        let nan = try #require(K6T.errorLocation { _ = try K6T.parse(.k6CSV, "k6/points-nan-line-5.csv") })
        #expect(nan.0.line == 5)
        let header = "metric_name,timestamp,metric_value,name,method\n"
        let neg = try #require(K6T.errorLocation {
            _ = try K6T.parse(.k6CSV, bytes: Array((header + "http_req_duration,1,1.0,/a,GET\nhttp_req_duration,1,-2.0,/a,GET\n").utf8))
        })
        #expect(neg.0.line == 3 && neg.1.contains("negative"))
        let empty = try #require(K6T.errorLocation { _ = try K6T.parse(.k6CSV, bytes: []) })
        #expect(empty.0.line == 1)
        let run = try K6T.parse(.k6CSV, bytes: Array((header + "http_req_duration,2024-01-01T00:00:00.5Z,3.0,/a,GET\n").utf8))
        #expect(run.startedAt == Date(timeIntervalSince1970: 1_704_067_200.5))
    }

    @Test func exactPercentilesLikeK6() {
        let acc = K6TrendAcc()
        for v in [1.0, 2, 3, 4, 10] { acc.add(v) }
        let s = acc.stats()
        #expect(s[.p50] == 3 && K6T.close(s[.p90], 7.6, rel: 1e-12) && s[.count] == 5 && s[.mean] == 4)
        let big = K6TrendAcc()
        for k in 0..<100_000 { big.add(Double(k % 1000) + 0.5) }
        let p95 = big.stats()[.p95] ?? 0
        #expect(abs(p95 - 950.0) / 950 < 0.01)
    }

    @Test func timestampParser() {
        #expect(K6Time.parseRFC3339(Array("2024-02-21T16:43:55.731642359Z".utf8))?.timeIntervalSince1970 == 1_708_533_835.731642359)
        #expect(K6Time.parseRFC3339(Array("2024-02-21T16:43:55Z".utf8))?.timeIntervalSince1970 == 1_708_533_835)
        #expect(K6Time.parseRFC3339(Array("2024-02-21T16:43:55.5".utf8)) == nil)
        #expect(K6Time.parseCSV("1727650508")?.timeIntervalSince1970 == 1_727_650_508)
        #expect(K6Time.parseCSV("1727650508123")?.timeIntervalSince1970 == 1_727_650_508.123)
    }
}

private func K6TestHelpers_close(_ a: Double?, _ b: Double) -> Bool { K6T.close(a, b, rel: 1e-12) }
