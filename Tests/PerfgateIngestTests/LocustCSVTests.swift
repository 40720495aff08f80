import Foundation
import PerfgateCore
import PerfgateTestSupport
import Testing

@testable import PerfgateIngest

/// A file from `Fixtures/<relative>`.
func ingestFixture(_ relative: String) -> InputFile {
    let url = Fixtures.url(relative, target: "PerfgateIngestTests")
    return InputFile(path: url.path, displayPath: relative)
}

func inline(_ text: String, _ name: String) -> InputFile { InputFile(data: Data(text.utf8), displayPath: name) }

/// The rendered message of the error `body` throws.
func ingestMessage(_ body: () throws -> Void) -> String {
    do {
        try body()
        return "(no error)"
    } catch let e as IngestError {
        return e.description
    } catch {
        return "unexpected error \(error)"
    }
}

let locustStatsHeader =
    "Type,Name,Request Count,Failure Count,Median Response Time,Average Response Time,Min Response Time,Max Response Time,Average Content Size,Requests/s,Failures/s,50%,66%,75%,80%,90%,95%,98%,99%,99.9%,99.99%,100%"

@Suite("Locust CSV adapter")
struct LocustCSVTests {
    let adapter = LocustCSVAdapter()
    let latency = SeriesKey.requestLatencyMetric

    func parse(_ prefix: String, companions: [String] = ["stats_history", "failures", "exceptions"]) throws
        -> IngestedRun
    {
        var set = InputSet(primary: ingestFixture(prefix + "_stats.csv"))
        for role in companions { set.companions[role] = ingestFixture("\(prefix)_\(role).csv") }
        return try adapter.parse(set)
    }

    @Test func bitcoinSetWithCRCRLF() throws {
        let run = try parse("corpus/locust/bitcoin-api/results")
        #expect(run.tool == "locust" && run.format == "locust-csv")
        #expect(run.series.count == 9)
        let s = try #require(run.series(SeriesKey(endpoint: "GET /api/v1/blocks/latest", metric: latency)))
        #expect(s.unit == .milliseconds && s.direction == .lowerIsBetter)
        #expect(s.stats[.count] == 240 && s.stats[.errors] == 236)
        #expect(s.stats[.errorRate] == 236.0 / 240.0)
        #expect(s.stats[.mean] == 38.2137987568664)
        #expect(s.stats[.min] == 2.6827999390661716 && s.stats[.max] == 2065.287899924442)
        #expect(s.stats[.throughput] == 4.051209197452155)
        #expect(s.stats[.p50] == 3 && s.stats[.percentile(66)] == 3 && s.stats[.p90] == 5)
        #expect(s.stats[.percentile(99.9)] == 2100 && s.stats[.percentile(99.99)] == 2100)
        #expect(s.stats[.percentile(100)] == 2100)
        #expect(run.series(SeriesKey(endpoint: "", metric: latency)) != nil)
        // History: first and last timestamps, users.
        #expect(run.startedAt == Date(timeIntervalSince1970: 1_772_849_612))
        #expect((run.durationSeconds ?? 0) > 0)
        #expect(run.load.maxVUs != nil && run.load.vus != nil)
        #expect(run.errors.count == 7)
        #expect(run.errors[0].endpoint == "GET /api/v1/mempool/info" && run.errors[0].occurrences == 123)
        #expect(run.errors[0].message.hasPrefix("HTTPError('429"))
    }

    @Test func generatedRunSet() throws {
        let run = try parse("generated/locust/run")
        #expect(run.series.map(\.key.endpoint) == ["POST /api/orders", "GET /api/products", "GET /api/search", "GET /api/users", ""])
        let search = try #require(run.series(SeriesKey(endpoint: "GET /api/search", metric: latency)))
        #expect(search.stats[.count] == 30 && search.stats[.errors] == 2)
        #expect(run.load == LoadProfile(vus: 3, maxVUs: 3))
        // 2.44+ failures with First Seen / Last Seen columns.
        #expect(run.errors == [
            ErrorResult(
                endpoint: "GET /api/search",
                message: "HTTPError('500 Server Error: Internal Server Error for url: /api/search')", occurrences: 2)
        ])
    }

    @Test func floatMediansAndCRLFAndQuotedNames() throws {
        let old = try parse("corpus/locust/locust-framework/results", companions: ["stats_history"])
        let s = try #require(old.series(SeriesKey(endpoint: "GET /api/users?page=2", metric: latency)))
        #expect(s.stats[.p50] == 130)
        let llm = try parse("corpus/locust/llm-inference-platform/results", companions: [])
        #expect(llm.series(SeriesKey(endpoint: "POST /api/chat", metric: latency))?.stats[.percentile(98)] == 2000)
        let demo = try parse("corpus/locust/performance-testing-demo/results", companions: ["failures"])
        #expect(demo.series.contains { $0.key.endpoint.contains(",") })
        #expect(demo.errors.contains { $0.message.contains(",") })
        let reports = try parse("corpus/locust/performance-testing-demo/reports")
        #expect(reports.series(SeriesKey(endpoint: "GET /", metric: latency))?.stats[.percentile(100)] == 390_000)
    }

    @Test func notAvailableIsAbsentAndEmptyEntriesHaveNoTimes() throws {
        let csv = locustStatsHeader + "\r\nGET,/idle,0,0,0,0.0,0,0,0,0.0,0.0,N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A\r\n"
            + ",Aggregated,0,0,0,0.0,0,0,0,0.0,0.0,N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A\r\n"
        let run = try adapter.parse(InputSet(primary: inline(csv, "x_stats.csv")))
        let s = try #require(run.series.first)
        #expect(s.stats == [.count: 0, .errors: 0, .errorRate: 0, .throughput: 0])
    }

    @Test func customPercentileColumnsByHeaderNotPosition() throws {
        let csv = "Name,Type,Failure Count,Request Count,Median Response Time,Average Response Time,Min Response Time,Max Response Time,Requests/s,99.5%,50%\n"
            + "/a,GET,1,4,10,11.5,9,15,2.0,15,10\nAggregated,,1,4,10,11.5,9,15,2.0,15,10\n"
        let run = try adapter.parse(InputSet(primary: inline(csv, "x_stats.csv")))
        let s = try #require(run.series(SeriesKey(endpoint: "GET /a", metric: latency)))
        #expect(s.stats[.count] == 4 && s.stats[.errors] == 1 && s.stats[.errorRate] == 0.25)
        #expect(s.stats[.percentile(99.5)] == 15 && s.stats[.p50] == 10)
    }

    @Test func medianColumnWhenNoFiftyPercentColumn() throws {
        let csv = "Type,Name,Request Count,Failure Count,Median Response Time,Average Response Time,Min Response Time,Max Response Time,Requests/s\n"
            + "GET,/a,4,0,12,11.5,9,15,2.0\n,Aggregated,4,0,12,11.5,9,15,2.0\n"
        let run = try adapter.parse(InputSet(primary: inline(csv, "x_stats.csv")))
        #expect(run.series.first?.stats[.p50] == 12)
    }

    @Test func sniffClaimsOnlyTheStatsFile() throws {
        func sniff(_ path: String) -> [InputFormat] {
            let head = ingestFixture(path).head()
            return InputFormat.allCases.filter { $0.adapter.sniff(head: head, fileName: path) }
        }
        #expect(sniff("corpus/locust/bitcoin-api/results_stats.csv").contains(.locustCSV))
        #expect(!sniff("corpus/locust/bitcoin-api/results_failures.csv").contains(.locustCSV))
        #expect(!sniff("corpus/locust/bitcoin-api/results_stats_history.csv").contains(.locustCSV))
        #expect(!sniff("corpus/locust/bitcoin-api/results_exceptions.csv").contains(.locustCSV))
        #expect(adapter.sniff(head: Array("\"Type\",\"Name\",\"Request Count\"\n".utf8), fileName: "a"))
        #expect(!adapter.sniff(head: Array("metric_name,timestamp,metric_value\n".utf8), fileName: "a"))
    }

    @Test func groupsByPrefixAndFindsSiblingsOfALoneStatsFile() throws {
        let groups = LocustCSVAdapter.group([
            "out/a_failures.csv", "out/a_stats.csv", "out/b_stats.csv", "out/a_stats_history.csv", "k6.json",
            "out/c_failures.csv",
        ])
        #expect(groups.count == 2)
        #expect(groups[0].primary == "out/a_stats.csv")
        #expect(groups[0].companions == ["failures": "out/a_failures.csv", "stats_history": "out/a_stats_history.csv"])
        #expect(groups[1].primary == "out/b_stats.csv" && groups[1].companions.isEmpty)
        let dir = Fixtures.url("corpus/locust/bitcoin-api", target: "PerfgateIngestTests").path
        let lone = LocustCSVAdapter.group([dir + "/results_stats.csv"])
        #expect(lone.count == 1)
        #expect(lone[0].companions == [
            "stats_history": dir + "/results_stats_history.csv", "failures": dir + "/results_failures.csv",
            "exceptions": dir + "/results_exceptions.csv",
        ])
    }

    @Test func exceptionsAreSummedPerMessage() throws {
        let stats = inline(locustStatsHeader.components(separatedBy: ",50%")[0] + "\n,Aggregated,1,0,1,1,1,1,0,1,0\n", "p_stats.csv")
        let exceptions = inline(
            "Count,Message,Traceback,Nodes\n2,ValueError('x'),\"Traceback:\n  line 1\",\"w1, w2\"\n3,ValueError('x'),t,w3\n1,KeyError('k'),t,\n",
            "p_exceptions.csv")
        let run = try adapter.parse(InputSet(primary: stats, companions: ["exceptions": exceptions]))
        #expect(run.errors == [
            ErrorResult(endpoint: "", message: "ValueError('x')", occurrences: 5),
            ErrorResult(endpoint: "", message: "KeyError('k')", occurrences: 1),
        ])
    }

    // MARK: bad input

    func statsError(_ body: String) -> String {
        ingestMessage { _ = try adapter.parse(InputSet(primary: inline(locustStatsHeader + "\n" + body, "bad_stats.csv"))) }
    }

    @Test func badStatsRowsNameFileAndLine() {
        let ok = ",Aggregated,1,0,1,1,1,1,0,1,0,1,1,1,1,1,1,1,1,1,1,1\n"
        #expect(statsError("GET,/a,1,0,1,-1,1,1,0,1,0,1,1,1,1,1,1,1,1,1,1,1\n" + ok).hasPrefix("bad_stats.csv:2: error: column \"Average Response Time\": negative value"))
        #expect(statsError("GET,/a,1,0,1,nan,1,1,0,1,0,1,1,1,1,1,1,1,1,1,1,1\n" + ok).contains("bad_stats.csv:2: error: column \"Average Response Time\": expected a number, found \"nan\""))
        #expect(statsError("GET,/a,x,0,1,1,1,1,0,1,0,1,1,1,1,1,1,1,1,1,1,1\n" + ok).contains("bad_stats.csv:2:"))
        #expect(statsError("GET,/a,1,0\n" + ok).contains("bad_stats.csv:2: error: expected 22 fields"))
        #expect(statsError(ok + "GET,/a,1,0,1,1,1,1,0,1,0,1,1,1,1,1,1,1,1,1,1,1\n" + "GET,/a,1,0,1,1,1,1,0,1,0,1,1,1,1,1,1,1,1,1,1,1\n").contains("bad_stats.csv:4: error: duplicate row"))
        #expect(statsError("GET,/a,1,0,1,1,1,1,0,1,0,1,1,1,1,1,1,1,1,1,1,1\n").contains("no \"Aggregated\" row"))
        let invalidUTF8 = ingestMessage {
            var bytes = Array((locustStatsHeader + "\nGET,/").utf8) + [0xFF] + Array(",1,0,1,1,1,1,0,1,0,1,1,1,1,1,1,1,1,1,1,1\n".utf8)
            bytes += Array(ok.utf8)
            _ = try adapter.parse(InputSet(primary: InputFile(data: Data(bytes), displayPath: "bad_stats.csv")))
        }
        #expect(invalidUTF8.contains("bad_stats.csv:2: error: invalid UTF-8"))
        let missing = ingestMessage {
            _ = try adapter.parse(InputSet(primary: inline("Type,Name,Request Count\n", "bad_stats.csv")))
        }
        #expect(missing.contains("bad_stats.csv:1: error: missing column \"Failure Count\""))
    }

    /// The history is read as bytes (plain decimals without a `String`, entry names made once): what it
    /// reads must be what the text says, whatever the spelling, and its errors the text path's.
    @Test func historyCellsReadAsBytesKeepTheirMeaning() throws {
        let stats = ingestFixture("generated/locust/run_stats.csv")
        func history(_ rows: String) throws -> IngestedRun {
            let text = "Timestamp,User Count,Type,Name,Total Request Count,Total Failure Count,50%,95%,100%,Total Max Response Time\n" + rows
            return try adapter.parse(InputSet(primary: stats, companions: ["stats_history": inline(text, "run_stats_history.csv")]))
        }
        // Entries cycle every second; a new one (non-ASCII) joins in the middle; leading zeros, a
        // fraction, an exponent and "+" spell ordinary numbers.
        let run = try history(
            """
            1000,002,GET,/a,10,0,5,9,12,12
            1000,002,GET,/b,4,1,5,9,12,12
            1000,2,,Aggregated,14,1,5,9,12,12
            1001.5,3,GET,/a,1.5e1,0,5,9,12,12
            1001.5,3,GET,/b,+7,1,5,9,12,12
            1001.5,3,POST,/café,3,3,5,9,12,12
            1001.5,0003,,Aggregated,25,4,5,9,12,12

            """)
        let t = try #require(run.timeline)
        func requests(_ endpoint: String) -> [Double] { t.buckets.filter { $0.endpoint == endpoint }.sorted { $0.index < $1.index }.map(\.requests) }
        #expect(requests("GET /a") == [10, 5])
        #expect(requests("GET /b") == [4, 3])
        #expect(requests("POST /café") == [3])
        #expect(requests("") == [14, 11])
        #expect(t.buckets.filter { $0.endpoint == "POST /café" }.map(\.errors) == [3])
        #expect(run.load.maxVUs == 3 && run.load.vus == 3 && run.durationSeconds == 1.5)
        // Errors name the file, line and column as before.
        func message(_ rows: String) -> String { ingestMessage { _ = try history(rows) } }
        #expect(message("1000,1,,Aggregated,1e400,0,1,1,1,1\n").contains("run_stats_history.csv:2: error: column \"Total Request Count\": expected a number, found \"1e400\""))
        #expect(message("1000,1,,Aggregated,-1,0,1,1,1,1\n").contains("run_stats_history.csv:2: error: column \"Total Request Count\": negative value -1"))
        #expect(message("1000,1.5,,Aggregated,1,0,1,1,1,1\n").contains("run_stats_history.csv:2: error: column \"User Count\": expected a whole non-negative count, found \"1.5\""))
        #expect(message("N/A,1,,Aggregated,1,0,1,1,1,1\n").contains("run_stats_history.csv:2: error: column \"Timestamp\": N/A is not a time"))
        #expect(message("1000,1,,Aggregated,1,0\n").contains("run_stats_history.csv:2: error: expected 10 fields as in the header, found 6"))
        let invalidUTF8 = ingestMessage {
            let bytes = Array("Timestamp,User Count,Type,Name\n1000,1,GET,/".utf8) + [0xFF] + Array("\n".utf8)
            _ = try adapter.parse(InputSet(primary: stats, companions: ["stats_history": InputFile(data: Data(bytes), displayPath: "run_stats_history.csv")]))
        }
        #expect(invalidUTF8.contains("run_stats_history.csv:2: error: invalid UTF-8 in field 4"))
        #expect(message("").contains("(no error)"))
    }

    /// The history is parsed in blocks on several threads and folded in file order: with blocks of a few
    /// lines the run is the same as in one block, and an error in a later block names its line in the file.
    @Test func historyBlocksFoldLikeOnePass() throws {
        let samples = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../Sources/PerfgateCLI/Samples").standardized
        let histories = [
            ("generated/locust/run_stats.csv", ingestFixture("generated/locust/run_stats_history.csv")),
            ("corpus/locust/performance-testing-demo/reports_stats.csv", ingestFixture("corpus/locust/performance-testing-demo/reports_stats_history.csv")),
            ("corpus/locust/bitcoin-api/results_stats.csv", ingestFixture("corpus/locust/bitcoin-api/results_stats_history.csv")),
            ("generated/locust/run_stats.csv", InputFile(data: try Data(contentsOf: samples.appendingPathComponent("locust-run1_stats_history.csv")), displayPath: "run1_stats_history.csv")),
        ]
        for (stats, history) in histories {
            let set = InputSet(primary: ingestFixture(stats), companions: ["stats_history": history])
            let whole = try LocustCSVAdapter().parse(set)
            var small = LocustCSVAdapter()
            small.historyBlockSize = 300
            let blocked = try small.parse(set)
            #expect(blocked.timeline == whole.timeline && blocked.timeline != nil, "\(history.displayPath)")
            #expect(blocked.startedAt == whole.startedAt && blocked.durationSeconds == whole.durationSeconds && blocked.load == whole.load)
        }
        var small = LocustCSVAdapter()
        small.historyBlockSize = 64
        let rows = (0..<40).map { "\(1000 + $0),1,,Aggregated" }
        /// The error of the 40 rows with some rows (by index) replaced.
        func message(_ replaced: [Int: String]) -> String {
            ingestMessage {
                let lines = rows.indices.map { replaced[$0] ?? rows[$0] }
                let text = "Timestamp,User Count,Type,Name\n" + lines.joined(separator: "\n") + "\n"
                _ = try small.parse(InputSet(primary: ingestFixture("generated/locust/run_stats.csv"), companions: ["stats_history": inline(text, "h_stats_history.csv")]))
            }
        }
        #expect(message([30: "999,1,,Aggregated"]).contains("h_stats_history.csv:32: error: Timestamp goes backwards (999.0 after 1029.0)"))
        #expect(message([35: "1035,x,,Aggregated"]).contains("h_stats_history.csv:37: error: column \"User Count\""))
        // The first problem in file order wins, whichever block finds it.
        #expect(message([35: "1035,x,,Aggregated", 20: "1,1,,Aggregated"]).contains("h_stats_history.csv:22: error: Timestamp goes backwards"))
        // A later cell's error waits for the timestamp's order check, as reading left to right does.
        #expect(message([25: "5,x,,Aggregated"]).contains("h_stats_history.csv:27: error: Timestamp goes backwards"))
    }

    /// Blocks number the entries they see each in their own order: here the second half of the history lists
    /// /b before /a, so a block that starts there numbers them the other way round. Each entry's requests per
    /// second are the growth of its own cumulative total, whichever block its rows fall in, and the serial
    /// read (for files the blocks cannot read) agrees. Two spellings of one endpoint (Type "GET", Name "/c"
    /// and Type "", Name "GET /c") are one entry on every path.
    @Test func historyBlocksThatSeeEntriesInAnotherOrderFoldLikeOnePass() throws {
        var lines = ["Timestamp,User Count,Type,Name,Total Request Count,Total Failure Count"]
        for second in 0..<60 {
            let a = "\(1000 + second),5,GET,/a,\(100 * (second + 1)),0"
            let b = "\(1000 + second),5,GET,/b,\(second + 1),\(second / 10)"
            let c = second % 2 == 0 ? "\(1000 + second),5,GET,/c,\(7 * (second + 1)),0" : "\(1000 + second),5,,GET /c,\(7 * (second + 1)),0"
            lines += second < 30 ? [a, b, c] : [c, b, a]
            lines.append("\(1000 + second),5,,Aggregated,\(108 * (second + 1)),\(second / 10)")
        }
        let set = InputSet(
            primary: ingestFixture("generated/locust/run_stats.csv"),
            companions: ["stats_history": inline(lines.joined(separator: "\n") + "\n", "order_stats_history.csv")])
        let whole = try LocustCSVAdapter().parse(set)
        var serial = LocustCSVAdapter()
        serial.historyInParallel = false
        #expect(try serial.parse(set).timeline == whole.timeline && whole.timeline != nil)
        // /c gains 7 requests a second whichever spelling its row uses.
        let cells = whole.timeline?.buckets.filter { $0.endpoint == "GET /c" } ?? []
        #expect(cells.count == 60 && cells.dropFirst().allSatisfy { $0.requests == 7 })
        for blockSize in [64, 200, 700] {
            var small = LocustCSVAdapter()
            small.historyBlockSize = blockSize
            let blocked = try small.parse(set)
            #expect(blocked.timeline == whole.timeline && blocked.timeline != nil, "blocks of \(blockSize) bytes")
        }
    }

    @Test func companionsAreValidatedStrictly() {
        let stats = ingestFixture("generated/locust/run_stats.csv")
        func companion(_ role: String, _ text: String) -> String {
            ingestMessage {
                _ = try adapter.parse(InputSet(primary: stats, companions: [role: inline(text, "run_\(role).csv")]))
            }
        }
        #expect(companion("failures", "Method,Name,Occurrences\n").contains("run_failures.csv:1: error: missing column \"Error\""))
        #expect(companion("failures", "Method,Name,Error,Occurrences\nGET,/a,boom,-3\n").contains("run_failures.csv:2:"))
        #expect(companion("stats_history", "Timestamp,Type,Name\n").contains("run_stats_history.csv:1: error: missing column \"User Count\""))
        #expect(companion("stats_history", "Timestamp,User Count,Type,Name\n10,1,,Aggregated\n9,1,,Aggregated\n").contains("run_stats_history.csv:3: error: Timestamp goes backwards"))
        #expect(companion("stats_history", "Timestamp,User Count,Type,Name\n10,x,,Aggregated\n").contains("run_stats_history.csv:2:"))
        #expect(companion("exceptions", "Count,Message\n").contains("run_exceptions.csv:1: error: missing column \"Traceback\""))
        #expect(companion("exceptions", "Count,Message,Traceback,Nodes\n1.5,m,t,n\n").contains("run_exceptions.csv:2:"))
        #expect(companion("exceptions", "Count,Message,Traceback,Nodes\n1,\"m,t,n\n").contains("unterminated quoted field"))
        #expect(companion("other", "x\n").contains("unknown Locust companion role"))
    }
}
