import Foundation
import PerfgateCore
import PerfgateTestSupport
import Testing

@testable import PerfgateIngest

@Suite("JMeter adapters")
struct JMeterTests {
    let latency = SeriesKey.requestLatencyMetric
    static let jtl = "corpus/jmeter/blazedemo-results.jtl"
    static let statistics = "corpus/jmeter/blazedemo-report-statistics.json"

    func inline(_ text: String, _ name: String) -> InputFile { InputFile(data: Data(text.utf8), displayPath: name) }
    func claims(_ file: InputFile) -> [InputFormat] {
        InputFormat.allCases.filter { $0.adapter.sniff(head: file.head(), fileName: file.fileName) }
    }
    func stat(_ run: IngestedRun, _ endpoint: String, _ s: Statistic) -> Double? {
        run.series(SeriesKey(endpoint: endpoint, metric: latency))?.stats[s]
    }

    @Test func corpusFilesAreDetectedByContent() throws {
        #expect(try InputFormat.detect(K6T.file(Self.jtl)) == .jmeterCSV)
        #expect(try InputFormat.detect(K6T.file(Self.statistics)) == .jmeterStatistics)
        // The name does not matter.
        let bytes = try Data(contentsOf: K6T.url(Self.jtl))
        #expect(claims(InputFile(data: bytes, displayPath: "results.txt")) == [.jmeterCSV])
    }

    /// The JTL and the dashboard JMeter built from it agree on every figure the dashboard prints.
    @Test func csvMatchesTheDashboardOfTheSameRun() throws {
        let run = try K6T.parse(.jmeterCSV, Self.jtl)
        let dashboard = try JSONSerialization.jsonObject(with: Data(contentsOf: K6T.url(Self.statistics))) as! [String: [String: Any]]
        #expect(run.tool == "jmeter" && run.format == "jmeter-csv")
        #expect(Set(run.series.map(\.key.endpoint)) == Set(dashboard.keys.map { $0 == "Total" ? "" : $0 }))
        for (label, entry) in dashboard {
            let endpoint = label == "Total" ? "" : label
            func expected(_ key: String) -> Double { (entry[key] as! NSNumber).doubleValue }
            let pairs: [(Statistic, String)] = [
                (.count, "sampleCount"), (.errors, "errorCount"), (.mean, "meanResTime"), (.p50, "medianResTime"),
                (.min, "minResTime"), (.max, "maxResTime"), (.p90, "pct1ResTime"), (.p95, "pct2ResTime"),
                (.p99, "pct3ResTime"), (.throughput, "throughput"),
            ]
            for (s, key) in pairs {
                #expect(K6T.close(stat(run, endpoint, s), expected(key), rel: 1e-9), "\(label) \(key)")
            }
            #expect(K6T.close(stat(run, endpoint, .errorRate), expected("errorPct") / 100, rel: 1e-9), "\(label) errorPct")
        }
        // The label keeps its leading space, as JMeter writes it.
        #expect(run.series(SeriesKey(endpoint: " Simple Travel Agency!", metric: latency))?.distribution?.count == 100)
        #expect(run.startedAt == Date(timeIntervalSince1970: 1_741_409_092.999) && run.durationSeconds == 90.19)
        #expect(run.load.maxVUs == 100)
        // Failures keep their assertion message, per label.
        let booking = run.errors.filter { $0.endpoint == "Booking" }
        #expect(booking.reduce(0) { $0 + $1.occurrences } == 100)
    }

    @Test func dashboardStatisticsAreReadAsWritten() throws {
        let run = try K6T.parse(.jmeterStatistics, Self.statistics)
        #expect(run.series.count == 6)
        #expect(stat(run, "", .count) == 500 && stat(run, "", .errors) == 229)
        #expect(K6T.close(stat(run, "", .errorRate), 0.458, rel: 1e-12))
        #expect(stat(run, "CSVBooking", .p99) == 990.8999999999994)
        #expect(stat(run, " Simple Travel Agency!", .p90) == 1499.0000000000005)
    }

    @Test func gzipGivesTheSameRun() throws {
        let plain = try K6T.parse(.jmeterCSV, Self.jtl)
        let gz = try K6T.gzip(Data(contentsOf: K6T.url(Self.jtl)))
        let file = InputFile(data: gz, displayPath: "results.jtl.gz")
        #expect(try InputFormat.detect(file) == .jmeterCSV)
        #expect(try JMeterCSVAdapter().parse(InputSet(primary: file)).series == plain.series)
    }

    /// Parallel blocks of a few lines give the serial result, also when a quoted multi-line message
    /// straddles two blocks, and errors keep their line numbers.
    @Test func smallParallelBlocksGiveTheSameRun() throws {
        let whole = try K6T.parse(.jmeterCSV, Self.jtl)
        let small = try JMeterCSVAdapter(blockSize: 300).parse(InputSet(primary: K6T.file(Self.jtl)))
        #expect(small.series == whole.series && small.errors == whole.errors && small.load == whole.load)
        var text = "timeStamp,elapsed,label,success,failureMessage\n"
        for i in 0..<40 { text += "\(1000 + i),\(i),a,\(i % 3 == 0 ? "false" : "true"),\(i % 3 == 0 ? "\"line one\nline two, \"\"quoted\"\"\"" : "")\n" }
        let run = try JMeterCSVAdapter(blockSize: 50).parse(InputSet(primary: inline(text, "multi.jtl")))
        #expect(stat(run, "a", .count) == 40 && stat(run, "a", .errors) == 14)
        #expect(run.errors.first?.message == "line one\nline two, \"quoted\"")
        let bad = K6T.errorLocation {
            _ = try JMeterCSVAdapter(blockSize: 40).parse(InputSet(primary: inline(
                "timeStamp,elapsed,label,success\n" + (0..<30).map { "\(1000 + $0),5,a,true\n" }.joined() + "1,oops,a,true\n", "bad.jtl")))
        }
        #expect(bad?.0.line == 32)
    }

    @Test func anyColumnSetTabsQuotedLabelsAndTransactions() throws {
        let text = """
            timeStamp\telapsed\tlabel\tresponseCode\tresponseMessage\tsuccess
            1000\t10\t"GET /a, b"\t200\tOK\ttrue
            1005\t30\t"GET /a, b"\t500\tServer Error\tfalse
            1010\t40\tTx\t200\tNumber of samples in transaction : 2, number of failing samples : 1\tfalse

            """
        let file = inline(text, "tabs.jtl")
        #expect(claims(file) == [.jmeterCSV])
        let run = try JMeterCSVAdapter().parse(InputSet(primary: file))
        #expect(stat(run, "GET /a, b", .count) == 2 && stat(run, "GET /a, b", .errors) == 1)
        #expect(stat(run, "GET /a, b", .p50) == 20)
        // The transaction is its own label but not counted twice in the whole run.
        #expect(stat(run, "Tx", .count) == 1 && stat(run, "", .count) == 2)
        #expect(stat(run, "", .throughput) == 2 / 0.035)
        #expect(run.errors.map(\.message).contains("500 Server Error"))
        // Without a success column, the response code decides.
        let codes = try JMeterCSVAdapter().parse(
            InputSet(primary: inline("elapsed,label,responseCode\n5,a,200\n7,a,404\n9,a,302\n", "codes.csv")))
        #expect(stat(codes, "a", .errors) == 1 && stat(codes, "", .throughput) == nil)
    }

    @Test func badRowsNameTheLine() throws {
        func location(_ text: String) -> (PerfgateCore.SourceLocation, String)? {
            K6T.errorLocation { _ = try JMeterCSVAdapter().parse(InputSet(primary: inline(text, "bad.jtl"))) }
        }
        let header = "timeStamp,elapsed,label,success\n"
        let elapsed = location(header + "1000,5,a,true\n1001,x5,a,true\n")
        #expect(elapsed?.0.file == "bad.jtl" && elapsed?.0.line == 3 && elapsed?.1.contains("elapsed") == true)
        let width = location(header + "1000,5,a,true\n1001,5,a\n")
        #expect(width?.0.line == 3 && width?.1.contains("expected 4 fields") == true)
        let date = location(header + "2024/01/01 10:00:00.000,5,a,true\n")
        #expect(date?.0.line == 2 && date?.1.contains("timestamp_format=ms") == true)
        let success = location(header + "1000,5,a,yes\n")
        #expect(success?.0.line == 2 && success?.1.contains("true or false") == true)
        let empty = location(header)
        #expect(empty?.0.line == 2)
    }

    @Test func xmlCountsTopLevelSamplesOnly() throws {
        let xml = """
            <?xml version="1.0" encoding="UTF-8"?>
            <testResults version="1.2">
            <httpSample t="120" it="0" lt="100" ct="5" ts="1700000000000" s="true" lb="GET /a &amp; b" rc="200" rm="OK" tn="TG 1-1" dt="text" by="10" sby="5" ng="1" na="3">
              <httpSample t="60" ts="1700000000000" s="true" lb="GET /a &amp; b-0" rc="302" rm="Found"/>
              <httpSample t="60" ts="1700000000060" s="true" lb="GET /a &amp; b-1" rc="200" rm="OK"/>
              <responseData class="java.lang.String"><![CDATA[<html> not a <sample t="9"/> </html>]]></responseData>
            </httpSample>
            <sample t="80" ts="1700000000100" s="false" lb="JDBC" rc="500" rm="boom" na="2"/>
            <!-- <sample t="1" lb="x"/> -->
            </testResults>

            """
        let file = inline(xml, "results.xml")
        #expect(claims(file) == [.jmeterXML])
        let run = try JMeterXMLAdapter().parse(InputSet(primary: file))
        #expect(Set(run.series.map(\.key.endpoint)) == ["GET /a & b", "JDBC", ""])
        #expect(stat(run, "", .count) == 2 && stat(run, "", .errors) == 1 && stat(run, "", .max) == 120)
        #expect(stat(run, "", .throughput) == 2 / 0.180)
        #expect(run.load.maxVUs == 3)
        let bad = K6T.errorLocation {
            _ = try JMeterXMLAdapter().parse(InputSet(primary: inline("<testResults>\n\n<sample t=\"x\" lb=\"a\"/>\n</testResults>", "bad.xml")))
        }
        #expect(bad?.0.line == 3 && bad?.1.contains("\"t\"") == true)
    }

    /// The XML JTL of the corpus JTL's 500 samples (generated/jmeter/SOURCES.md) gives the CSV
    /// reader's statistics exactly, and the streamed scanner finds the same samples however the file
    /// is cut into chunks.
    @Test func xmlJTLOfTheCorpusSamplesMatchesTheCSVReaderAndStreamsInAnyChunks() throws {
        let xmlPath = "generated/jmeter/blazedemo-results.xml"
        #expect(try InputFormat.detect(K6T.file(xmlPath)) == .jmeterXML)
        let xml = try K6T.parse(.jmeterXML, xmlPath)
        let csv = try K6T.parse(.jmeterCSV, Self.jtl)
        #expect(xml.series.count == csv.series.count && xml.series.count > 1)
        for s in csv.series {
            let other = try #require(xml.series(s.key), "\(s.key)")
            #expect(other.stats == s.stats, "\(s.key)")
            #expect(other.distribution == s.distribution, "\(s.key)")
        }
        #expect(stat(xml, "", .count) == 500 && xml.load.maxVUs == csv.load.maxVUs && xml.durationSeconds == csv.durationSeconds)
        // Fed in chunks of 1 to 13 bytes (the first 40 samples; a tag cut in two is scanned again
        // when the rest arrives) or of 4 KiB (the whole file), every sample is found once, on its line.
        let file = Array(try Data(contentsOf: K6T.url(xmlPath)))
        func samples(_ bytes: [UInt8], chunk: Int) throws -> [String] {
            var scan = JTLScanner(path: xmlPath)
            var found: [String] = []
            var k = 0
            while true {
                let piece = Array(bytes[min(k, bytes.count)..<min(k + chunk, bytes.count)])
                k += chunk
                scan.append(piece)
                try scan.run(eof: piece.isEmpty) { a, line in found.append("\(line) \(a["ts"] ?? "") \(a["lb"] ?? "")") }
                if piece.isEmpty { break }
            }
            return found
        }
        let whole = try samples(file, chunk: file.count)
        #expect(whole.count == 500 && whole.first == "3 1741409093090  Simple Travel Agency!")
        #expect(try samples(file, chunk: 4096) == whole)
        let end = Array("</httpSample>\n".utf8)
        var cut = 0
        for _ in 0..<40 { cut = (cut..<file.count).first { file[$0...].starts(with: end) }! + end.count }
        let prefix = Array(file[..<cut]) + Array("</testResults>\n".utf8)
        for chunk in [1, 2, 7, 13] { #expect(try samples(prefix, chunk: chunk) == Array(whole.prefix(40)), "chunk \(chunk)") }
        // A file cut inside a tag, a comment or a CDATA section says so at the line it starts.
        for (cut, what) in [("<httpSample t=\"1", "unterminated value"), ("<!-- x", "unterminated comment"), ("<x><![CDATA[ y", "unterminated CDATA")] {
            let e = K6T.errorLocation {
                _ = try JMeterXMLAdapter().parse(InputSet(primary: inline("<testResults>\n<sample t=\"1\" lb=\"a\"/>\n" + cut, "cut.xml")))
            }
            #expect(e?.0.line == 3 && e?.1.contains(what) == true, "\(cut): \(String(describing: e))")
        }
    }

    @Test func statisticsWithoutTotalOrWithUnknownKeysIsRefused() throws {
        let noTotal = K6T.errorLocation {
            _ = try JMeterStatisticsAdapter().parse(InputSet(primary: inline(
                #"{"a": {"transaction": "a", "sampleCount": 1, "errorCount": 0, "errorPct": 0, "meanResTime": 1, "medianResTime": 1, "minResTime": 1, "maxResTime": 1, "pct1ResTime": 1, "pct2ResTime": 1, "pct3ResTime": 1, "throughput": 1, "receivedKBytesPerSec": 1, "sentKBytesPerSec": 1}}"#,
                "statistics.json")))
        }
        #expect(noTotal?.1.contains("Total") == true)
        let typo = K6T.errorLocation {
            _ = try JMeterStatisticsAdapter().parse(InputSet(primary: inline(
                #"{"Total": {"transaction": "Total", "sampleCount": 1, "errorCont": 0}}"#, "statistics.json")))
        }
        #expect(typo?.0.jsonPath == "Total.errorCont" && typo?.1.contains("errorCount") == true)
    }
}

@Suite("Weighted percentile rules")
struct WeightedPercentileTests {
    @Test func weightedRulesEqualTheRulesOnTheExpandedSample() {
        let values: [Double] = [3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8, 9, 7, 9, 3, 2, 3, 8, 4]
        var counts: [Double: UInt64] = [:]
        for v in values { counts[v, default: 0] += 1 }
        let buckets = counts.map { Stats.WeightedValue($0.key, count: $0.value) }
        for p in [0.0, 0.01, 0.25, 0.5, 0.9, 0.95, 0.99, 1.0] {
            #expect(abs(Stats.Percentile.type7(buckets: buckets, p) - Stats.Percentile.type7(values, p)) < 1e-12, "p=\(p)")
        }
        // Gatling's order of operations: 10 samples, p95 falls half-way between 425 and 455.
        let gatling = [1, 1, 2, 2, 2, 2, 3, 4, 425, 455].map { Stats.WeightedValue($0, count: 1) }
        #expect(Stats.Percentile.type7(buckets: gatling, 0.95) >= 441.5)
        // Type 6 on 1…100: median 50.5, p90 at rank 90.9 → 90.9, p99 at 99.99 → 99.99, extremes clamp.
        let hundred = (1...100).map { Stats.WeightedValue(Double($0), count: 1) }
        #expect(Stats.Percentile.type6(buckets: hundred, 0.5) == 50.5)
        #expect(abs(Stats.Percentile.type6(buckets: hundred, 0.9) - 90.9) < 1e-9)
        #expect(Stats.Percentile.type6(buckets: hundred, 0.001) == 1 && Stats.Percentile.type6(buckets: hundred, 1) == 100)
        #expect(Stats.Percentile.type6(buckets: [], 0.5).isNaN)
    }
}
