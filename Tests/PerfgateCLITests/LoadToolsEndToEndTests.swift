import Foundation
import PerfgateTestSupport
import Testing

/// End-to-end: the built binary ingests every load-tool file of the corpus, refuses bad input with
/// exit 65 and a file:line error, and leaves the store byte-identical.
@Suite("load-tool formats end to end", .serialized)
struct LoadToolsEndToEndTests {
    let dir = makeTemporaryDirectory()
    var store: String { dir.appendingPathComponent("h.sqlite").path }
    let commitArgs = ["--commit", String(repeating: "cd", count: 20), "--branch", "main", "--environment", "test"]

    func fixture(_ rel: String) -> String { Fixtures.url(rel, target: "PerfgateIngestTests").path }
    func perfgate(_ args: [String]) throws -> PerfgateProcess.Result { try PerfgateProcess.run(args, in: dir) }

    @Test func everyLoadToolFileIngestsAndBadInputChangesNothing() throws {
        let files = [
            "corpus/jmeter/blazedemo-results.jtl", "corpus/jmeter/blazedemo-report-statistics.json",
            "corpus/gatling/orangehrm-ohrmbuzzfeature-20230909160457860/simulation.log",
            "corpus/gatling/orangehrm-ohrmbuzzfeature-20230909160457860/js/stats.json",
            "corpus/gatling/lomap-es3c-loadTestResult/js/global_stats.json",
            "corpus/artillery/fyp-server-artillery-1.x-report.json", "corpus/artillery/lambda-authorizer-requestAuthorizerGo.json",
            "corpus/wrk/noear-solon_jetty-wrk-latency.txt", "corpus/wrk/polis-highload-dht-wrk2-allocGet.txt",
            "generated/ab/report.txt", "generated/ab/gnuplot.tsv", "generated/ab/percentages.csv",
            "generated/hey/summary.txt", "generated/hey/requests.csv",
        ]
        for (i, f) in files.enumerated() {
            let r = try perfgate(["ingest", fixture(f), "--store", store, "--scenario", "s\(i)"] + commitArgs)
            #expect(r.status == 0 && r.stdout.contains("stored run"), "\(f): \(r)")
        }
        let before = try Data(contentsOf: URL(fileURLWithPath: store))
        let bad = dir.appendingPathComponent("bad.jtl")
        try Data("timeStamp,elapsed,label,success\n1000,5,a,true\n1001,5x,a,true\n".utf8).write(to: bad)
        let r = try perfgate(["ingest", bad.path, "--store", store] + commitArgs)
        #expect(r.status == 65 && r.stderr.contains("bad.jtl:3"), "\(r)")
        let binary = try perfgate(["ingest", fixture("corpus/gatling/gatling-repo-known_stats/simulation.log.bin"), "--store", store] + commitArgs)
        #expect(binary.status == 65 && binary.stderr.contains("Gatling binary simulation.log"), "\(binary)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: store)) == before)
    }

    /// A Gatling results directory holds the run three times (`simulation.log`, `js/stats.json`,
    /// `js/global_stats.json`): it is stored once, from the log (the one with every request), with
    /// the reports listed as its sources.
    @Test func aGatlingResultsDirectoryIsOneRunFromItsLog() throws {
        let run = "corpus/gatling/orangehrm-ohrmadminlogin-20230801155648090"
        let r = try perfgate(["ingest", fixture(run), "--store", store, "--scenario", "gatling-dir"] + commitArgs)
        #expect(r.status == 0, "\(r)")
        let stored = r.stdout.split(separator: "\n").filter { $0.contains("stored run") }
        #expect(stored.count == 1 && stored.first?.contains("simulation.log (gatling-log") == true, "\(r)")
        for report in ["js/stats.json", "js/global_stats.json"] {
            #expect(r.stderr.contains("\(report) is the same gatling run as"), "\(report): \(r.stderr)")
        }
        let runs = try perfgate(["runs", "--store", store, "--format", "csv"])
        #expect(runs.status == 0 && runs.stdout.split(separator: "\n").filter { $0.contains("gatling-dir") }.count == 1, "\(runs)")
    }
}

