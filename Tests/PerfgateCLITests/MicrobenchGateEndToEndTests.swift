import Foundation
import PerfgateTestSupport
import Testing

/// A microbenchmark history gated end to end: six commits of real `go test -bench -count 5` and
/// `hyperfine --export-json` output (`Fixtures/microbench-history/`, made by
/// `ci/gen-microbench-fixtures.sh`); commit 6 has `BenchmarkWait` at 4 ms instead of 1 ms and the
/// hyperfine command `sleep-100ms` at 200 ms. The budget file and the exit codes are the ones load
/// tests use (CheckEndToEndTests).
@Suite("microbenchmark gate end to end", .serialized)
struct MicrobenchGateEndToEndTests {
    let dir = makeTemporaryDirectory()
    var store: String { dir.appendingPathComponent("micro.sqlite").path }

    func sha(_ i: Int) -> String { String(format: "%040x", 0x6b0000 + i) }

    func history(_ i: Int, _ file: String) -> String {
        Fixtures.url("microbench-history/c\(i)/\(file)", target: "PerfgateCLITests").path
    }

    func perfgate(_ args: [String]) throws -> PerfgateProcess.Result {
        try PerfgateProcess.run(args + ["--store", store], in: dir)
    }

    func ingestHistory(through last: Int = 6) throws {
        for i in 1...last {
            let time = String(format: "2026-04-%02dT12:00:00Z", i)
            let r = try perfgate(
                ["ingest", history(i, "go.txt"), history(i, "hyperfine.json"), "--commit", sha(i), "--branch", "main",
                 "--commit-time", time, "--environment", "ci"])
            #expect(r.status == 0, "\(r)")
        }
    }

    func budget(_ json: String) throws -> String {
        let url = dir.appendingPathComponent("budgets.json")
        try Data(json.utf8).write(to: url)
        return url.path
    }

    /// The same shape of budget file as the load tests': relative and statistical rules with a warn
    /// level, selected by benchmark glob.
    var budgets: String {
        get throws {
            try budget(
                #"""
                {"version": 1,
                 "budgets": [
                   {"name": "Go wait", "benchmark": "BenchmarkWait*", "regression": {"p50": "25%"}, "warn": {"regression": {"p50": "10%"}}},
                   {"name": "hyperfine sleep", "benchmark": "sleep-*", "regression": {"p50": "25%"}}
                 ]}
                """#)
        }
    }

    func check(_ i: Int, _ budgetPath: String, _ extra: [String] = []) throws -> PerfgateProcess.Result {
        try perfgate(["check", "--budget", budgetPath, "--commit", sha(i), "--branch", "main", "--environment", "ci"] + extra)
    }

    @Test func theRegressedCommitFailsWithExit2NamingBothBenchmarks() throws {
        try ingestHistory()
        let json = dir.appendingPathComponent("result.json").path
        let r = try check(6, try budgets, ["--json", json])
        #expect(r.status == 2, "\(r)")
        #expect(r.stdout.contains("BenchmarkWait") && r.stdout.contains("sleep-100ms") && r.stdout.contains("RESULT FAIL"), "\(r)")
        let result = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: json))) as? [String: Any]
        #expect(result?["exitCode"] as? Int == 2 && result?["verdict"] as? String == "fail")
    }

    @Test func anUnchangedCommitPassesWithExit0() throws {
        try ingestHistory(through: 5)
        let r = try check(5, try budgets)
        #expect(r.status == 0, "\(r)")
        #expect(r.stdout.contains("BenchmarkWait"), "\(r)")
    }

    @Test func theStatisticalRuleUsesTheRepetitionsAndTheHistorysSpread() throws {
        try ingestHistory()
        let significant = try budget(
            #"{"version": 1, "budgets": [{"benchmark": "BenchmarkWait*", "significant": {"p50": "10%"}}, {"benchmark": "sleep-*", "significant": {"p50": "10%"}}]}"#)
        // Commit 5 against commits 1–4: the five `-count` lines and ten hyperfine runs are the
        // samples of a Mann–Whitney test, tested against the run-to-run spread of the history.
        let pass = try check(5, significant)
        #expect(pass.status == 0, "\(pass)")
        #expect(pass.stdout.contains("Mann–Whitney U + run-to-run σ") && pass.stdout.contains("n=5 "), "\(pass)")
        let fail = try check(6, significant)
        #expect(fail.status == 2, "\(fail)")
        #expect(fail.stdout.contains("history log-t") && fail.stdout.contains("RESULT FAIL: 2 fail"), "\(fail)")
    }

    @Test func noBaselineExits3WhenOneIsRequired() throws {
        try ingestHistory(through: 1)
        let r = try check(1, try budgets, ["--require-baseline"])
        #expect(r.status == 3, "\(r)")
    }

    @Test func aBenchmarkGlobThatMatchesNothingExits65() throws {
        try ingestHistory(through: 2)
        let r = try check(2, try budget(#"{"version": 1, "budgets": [{"benchmark": "BenchmarkParze*", "regression": {"p50": "10%"}}]}"#))
        #expect(r.status == 65, "\(r)")
        #expect(r.stderr.contains("budgets[0]") && r.stderr.contains("matches no series"), "\(r)")
    }
}

/// `ingest` of a Criterion.rs directory: `estimates.json` with its `sample.json` as one run, the
/// saved `base/` and the `change/` estimates left out, the bencher text beside it a second run.
@Suite("criterion directory ingest")
struct CriterionDirectoryIngestTests {
    @Test func aCriterionDirectoryIsOneRunPerEstimatesFile() throws {
        let dir = makeTemporaryDirectory()
        let store = dir.appendingPathComponent("c.sqlite").path
        let criterion = Fixtures.url("corpus/criterion", target: "PerfgateIngestTests").path
        let r = try PerfgateProcess.run(
            ["ingest", criterion, "--store", store, "--commit", String(repeating: "c", count: 40), "--branch", "main"], in: dir)
        #expect(r.status == 0, "\(r)")
        let q = try PerfgateProcess.run(
            ["query", "--store", store, "--format", "csv",
             "SELECT endpoint, value FROM measurements WHERE metric = 'time' AND statistic = 'count' ORDER BY endpoint"], in: dir)
        #expect(q.stdout.contains("book-Fibonacci-Iterative,100"), "\(q)")
        let runs = try PerfgateProcess.run(["query", "--store", store, "--format", "csv", "SELECT count(*) AS n FROM runs"], in: dir)
        #expect(runs.stdout.split(separator: "\n").last == "2", "estimates (new/) and the bencher text: \(runs)")
    }

    /// A side file (`tukey.json`) named alone is stored as its run — estimates, samples and id — so the
    /// benchmark's own files given later are the same content: a duplicate, not a repeat.
    @Test func aSideFileNamedAloneIsTheSameRunAsItsDirectory() throws {
        let dir = makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let store = dir.appendingPathComponent("c.sqlite").path
        let base = Fixtures.url("corpus/criterion/book-Fibonacci-Iterative/base", target: "PerfgateIngestTests").path
        let commit = ["--store", store, "--commit", String(repeating: "d", count: 40), "--branch", "main"]
        let first = try PerfgateProcess.run(["ingest", base + "/tukey.json"] + commit, in: dir)
        #expect(first.status == 0 && first.stdout.contains("stored run 1:") && first.stdout.contains("base/estimates.json"), "\(first)")
        let sources = try PerfgateProcess.run(["show", "--store", store, "--format", "json", String(repeating: "d", count: 8)], in: dir)
        #expect(sources.stdout.contains("estimates.json") && sources.stdout.contains("sample.json"), "\(sources)")
        let again = try PerfgateProcess.run(["ingest", base + "/estimates.json"] + commit, in: dir)
        #expect(again.status == 0 && again.stdout.contains("already stored as run 1; nothing changed"), "\(again)")
    }
}
