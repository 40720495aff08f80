import Foundation
import PerfgateCore
import PerfgateTestSupport
import Testing

@testable import PerfgateIngest

@Suite("Gatling adapters")
struct GatlingTests {
    let latency = SeriesKey.requestLatencyMetric
    static let runs = ["orangehrm-ohrmadminlogin-20230801155648090", "orangehrm-ohrmbuzzfeature-20230909160457860"]

    func stat(_ run: IngestedRun, _ endpoint: String, _ s: Statistic) -> Double? {
        run.series(SeriesKey(endpoint: endpoint, metric: latency))?.stats[s]
    }
    /// Java's `Math.round`, which Gatling's report applies to every time it prints.
    func javaRound(_ x: Double?) -> Double? { x.map { ($0 + 0.5).rounded(.down) } }

    @Test func corpusFilesAreDetectedByContent() throws {
        for run in Self.runs {
            #expect(try InputFormat.detect(K6T.file("corpus/gatling/\(run)/simulation.log")) == .gatlingLog)
            #expect(try InputFormat.detect(K6T.file("corpus/gatling/\(run)/js/stats.json")) == .gatlingJSON)
            #expect(try InputFormat.detect(K6T.file("corpus/gatling/\(run)/js/global_stats.json")) == .gatlingJSON)
        }
        #expect(try InputFormat.detect(K6T.file("corpus/gatling/lomap-es3c-loadTestResult/simulation.head600.log")) == .gatlingLog)
        #expect(try InputFormat.detect(K6T.file("corpus/gatling/lomap-es3c-loadTestResult/js/global_stats.json")) == .gatlingJSON)
    }

    /// The log's per-request samples reproduce every figure of the report Gatling built from it.
    @Test func simulationLogMatchesTheReportOfTheSameRun() throws {
        for dir in Self.runs {
            let log = try K6T.parse(.gatlingLog, "corpus/gatling/\(dir)/simulation.log")
            let report = try JSONSerialization.jsonObject(
                with: Data(contentsOf: K6T.url("corpus/gatling/\(dir)/js/stats.json"))) as! [String: Any]
            #expect(log.tool == "gatling" && log.toolVersion == "3.6.1")
            var nodes: [(String, [String: Any])] = [("", report["stats"] as! [String: Any])]
            for case let node as [String: Any] in (report["contents"] as! [String: Any]).values where node["type"] as? String == "REQUEST" {
                nodes.append((node["path"] as! String, node["stats"] as! [String: Any]))
            }
            #expect(log.series.count == nodes.count)
            for (endpoint, stats) in nodes {
                func total(_ key: String) -> Double { ((stats[key] as! [String: Any])["total"] as! NSNumber).doubleValue }
                let ko = ((stats["numberOfRequests"] as! [String: Any])["ko"] as! NSNumber).doubleValue
                #expect(stat(log, endpoint, .count) == total("numberOfRequests"), "\(dir) \(endpoint)")
                #expect(stat(log, endpoint, .errors) == ko)
                #expect(stat(log, endpoint, .min) == total("minResponseTime"))
                #expect(stat(log, endpoint, .max) == total("maxResponseTime"))
                #expect(javaRound(stat(log, endpoint, .mean)) == total("meanResponseTime"), "\(dir) \(endpoint) mean")
                #expect(javaRound(stat(log, endpoint, .stddev)) == total("standardDeviation"), "\(dir) \(endpoint) stddev")
                for (i, s) in [Statistic.p50, .percentile(75), .p95, .p99].enumerated() {
                    #expect(javaRound(stat(log, endpoint, s)) == total("percentiles\(i + 1)"), "\(dir) \(endpoint) \(s)")
                }
                #expect(K6T.close(stat(log, endpoint, .throughput), total("meanNumberOfRequestsPerSecond"), rel: 1e-12))
            }
            // The JSON export of the same run reads as the same execution.
            let json = try K6T.parse(.gatlingJSON, "corpus/gatling/\(dir)/js/stats.json")
            #expect(json.series.count == log.series.count)
            #expect(stat(json, "", .count) == stat(log, "", .count))
        }
    }

    @Test func globalStatsIsTheWholeRun() throws {
        let run = try K6T.parse(.gatlingJSON, "corpus/gatling/lomap-es3c-loadTestResult/js/global_stats.json")
        #expect(run.series.count == 1)
        #expect(stat(run, "", .count) == 8051 && stat(run, "", .errors) == 1295)
        #expect(stat(run, "", .p50) == 14342 && stat(run, "", .p99) == 39527 && stat(run, "", .max) == 60018)
        #expect(stat(run, "", .throughput) == 18.810747663551403)
        #expect(K6T.close(stat(run, "", .errorRate), 1295.0 / 8051, rel: 1e-12))
    }

    @Test func truncatedLogOfAnotherVersionWithErrorRecords() throws {
        let run = try K6T.parse(.gatlingLog, "corpus/gatling/lomap-es3c-loadTestResult/simulation.head600.log")
        #expect(run.toolVersion == "3.9.3")
        #expect(stat(run, "", .count) == 547 && stat(run, "", .errors) == 20)
        // 22 ERROR records (requests that could not be built) are kept as run errors.
        #expect(run.errors.filter { $0.endpoint.isEmpty }.reduce(0) { $0 + $1.occurrences } == 22)
        #expect(run.errors.contains { $0.message == "status.find.is(404), but actually found 200" })
        #expect(run.startedAt == Date(timeIntervalSince1970: 1_682_984_382.035))
    }

    @Test func binaryLogAndAssertionFilesAreRefusedWithTheWayForward() throws {
        let binary = K6T.file("corpus/gatling/gatling-repo-known_stats/simulation.log.bin")
        do {
            _ = try InputFormat.detect(binary)
            Issue.record("the binary log was accepted")
        } catch let IngestError.unknownFormat(path, looksLike) {
            #expect(path.hasSuffix("simulation.log.bin"))
            #expect(looksLike.contains("Gatling binary simulation.log (version 3.12.1"))
            #expect(looksLike.contains("js/stats.json"))
        }
        for name in ["orangehrm-ohrmadminlogin-20230801155648090/js/assertions.json", "lomap-es3c-loadTestResult/js/assertions.json"] {
            #expect(throws: IngestError.self) { try InputFormat.detect(K6T.file("corpus/gatling/\(name)")) }
            #expect(ContentSketch.describe(head: K6T.file("corpus/gatling/\(name)").head()).contains("Gatling assertions.json"))
        }
        let xml = K6T.file("corpus/gatling/orangehrm-ohrmadminlogin-20230801155648090/js/assertions.xml")
        #expect(ContentSketch.describe(head: xml.head()).contains("JUnit XML"))
    }

    @Test func groupsAndLegacyUserIdsAndBadRecords() throws {
        let log = """
            RUN\tSim\tsim\t1000\t \t3.3.1
            USER\tScn\t1\tSTART\t1000\t0
            REQUEST\t1\tG1,G2\tlogin\t1000\t1100\tOK\t 
            REQUEST\t1\t\thome\t1100\t1130\tKO\tstatus 500
            GROUP\tG1,G2\t1000\t1100\t100\tOK
            USER\tScn\t1\tEND\t1000\t1200

            """
        let run = try GatlingLogAdapter().parse(InputSet(primary: InputFile(data: Data(log.utf8), displayPath: "simulation.log")))
        #expect(Set(run.series.map(\.key.endpoint)) == ["G1 / G2 / login", "home", ""])
        #expect(stat(run, "home", .errors) == 1 && stat(run, "", .count) == 2)
        #expect(run.load.maxVUs == 1)
        func location(_ text: String) -> (PerfgateCore.SourceLocation, String)? {
            K6T.errorLocation {
                _ = try GatlingLogAdapter().parse(InputSet(primary: InputFile(data: Data(text.utf8), displayPath: "s.log")))
            }
        }
        let head = "RUN\tSim\tsim\t1000\t \t3.9.3\n"
        let status = location(head + "REQUEST\t\ta\t1000\t1010\tMAYBE\t \n")
        #expect(status?.0.line == 2 && status?.1.contains("OK or KO") == true)
        let time = location(head + "REQUEST\t\ta\t1000\t10x0\tOK\t \n")
        #expect(time?.0.line == 2 && time?.1.contains("end") == true)
        let unknown = location(head + "REQUEST\t\ta\t1000\t1010\tOK\t \nBOGUS\tx\n")
        #expect(unknown?.0.line == 3 && unknown?.1.contains("BOGUS") == true)
    }
}
