import Foundation
import PerfgateTestSupport
import Testing

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// `perfgate check` end to end on the demo history (six real k6 and Locust runs; the sixth has
/// POST /api/orders about 30 % slower). Every exit code of the contract is exercised here.
@Suite("check end to end", .serialized)
struct CheckEndToEndTests {
    let dir: URL
    let store: String

    init() throws {
        dir = makeTemporaryDirectory()
        store = dir.appendingPathComponent("demo.sqlite").path
        let r = try PerfgateProcess.run(["demo", "--store", store], in: dir)
        precondition(r.status == 0, "demo failed: \(r)")
    }

    func perfgate(_ args: [String], env: [String: String] = [:]) throws -> PerfgateProcess.Result {
        try PerfgateProcess.run(args + ["--store", store], in: dir, environment: env)
    }

    /// The sha of demo commit `i` (1…6), read from the store.
    func sha(_ i: Int) throws -> String {
        let r = try perfgate(["query", "SELECT DISTINCT commit_sha, committed_at FROM runs ORDER BY committed_at", "--format", "csv"])
        let lines = r.stdout.split(separator: "\n").dropFirst()
        return String(lines[lines.startIndex + i - 1].split(separator: ",")[0])
    }

    func budget(_ json: String, name: String = "budgets.json") throws -> String {
        let url = dir.appendingPathComponent(name)
        try Data(json.utf8).write(to: url)
        return url.path
    }

    var relative: String {
        get throws {
            try budget(
                #"""
                {"version": 1,
                 "budgets": [
                   {"name": "k6 latency", "scenario": "checkout-k6", "regression": {"p50": "20%"}, "warn": {"regression": {"p50": "10%"}}}
                 ]}
                """#)
        }
    }

    func check(_ commit: Int, _ budgetPath: String, _ extra: [String] = []) throws -> PerfgateProcess.Result {
        try perfgate(["check", "--budget", budgetPath, "--commit", try sha(commit), "--branch", "main", "--environment", "demo"] + extra)
    }

    @Test func aRegressedCommitFailsWithExit2AndAMarkdownSummaryNamingTheEndpoint() throws {
        let md = dir.appendingPathComponent("summary.md").path
        let junit = dir.appendingPathComponent("perf.xml").path
        let json = dir.appendingPathComponent("result.json").path
        let r = try check(6, try relative, ["--markdown", md, "--junit", junit, "--json", json])
        #expect(r.status == 2, "\(r)")
        #expect(r.stdout.contains("/api/orders"), "\(r)")
        #expect(r.stdout.contains("RESULT FAIL"), "\(r)")
        let summary = try String(contentsOfFile: md, encoding: .utf8)
        #expect(summary.contains("❌ perfgate: FAIL"))
        // The delta is against main's level at the baseline commit (docs/gate.md "The reference level").
        #expect(summary.contains("/api/orders") && summary.contains("+33."), "names the endpoint and the delta:\n\(summary)")
        // The JUnit file is well-formed XML with one failure.
        let parser = XMLParser(data: try Data(contentsOf: URL(fileURLWithPath: junit)))
        #expect(parser.parse(), "JUnit must parse as XML")
        let xml = try String(contentsOfFile: junit, encoding: .utf8)
        #expect(xml.contains("<failure"))
        let result = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: json))) as? [String: Any]
        #expect(result?["exitCode"] as? Int == 2)
        #expect(result?["verdict"] as? String == "fail")
    }

    @Test func anUnchangedCommitPassesWithExit0() throws {
        let r = try check(5, try relative)
        #expect(r.status == 0, "\(r)")
        #expect(r.stdout.contains("RESULT PASS") || r.stdout.contains("RESULT WARN"), "\(r)")
    }

    @Test func aFirstRunHasNoBaselineAndExit3OnlyWhenRequired() throws {
        let r = try check(1, try relative)
        #expect(r.status == 0, "\(r)")
        #expect(r.stdout.contains("no baseline"), "the missing baseline is stated plainly: \(r)")
        let required = try check(1, try relative, ["--require-baseline"])
        #expect(required.status == 3, "\(required)")
        let inFile = try budget(#"{"version": 1, "requireBaseline": true, "budgets": [{"scenario": "checkout-k6", "regression": {"p50": "20%"}}]}"#, name: "req.json")
        #expect(try check(1, inFile).status == 3)
    }

    @Test func improvementsOnlyExit4WithTheFlag() throws {
        let r = try check(5, try relative, ["--baseline-commit", try sha(6), "--fail-on-improvement"])
        #expect(r.status == 4, "\(r)")
        #expect(r.stdout.contains("improved"), "\(r)")
        #expect(try check(5, try relative, ["--baseline-commit", try sha(6)]).status == 0)
    }

    @Test func aBudgetTypoExits65NamingTheJSONPath() throws {
        let typo = try budget(#"{"version": 1, "budgets": [{"scenario": "checkout-k6", "regresion": {"p50": "20%"}}]}"#, name: "typo.json")
        let r = try check(6, typo)
        #expect(r.status == 65, "\(r)")
        #expect(r.stderr.contains("budgets[0].regresion"), "\(r)")
        #expect(r.stderr.contains("regression"), "did-you-mean hint: \(r)")
    }

    @Test func aBudgetThatMatchesNothingIsAnErrorNotASilentPass() throws {
        let none = try budget(#"{"version": 1, "budgets": [{"endpoint": "GET /api/userz", "max": {"p95": "200ms"}}]}"#, name: "none.json")
        let r = try check(6, none)
        #expect(r.status == 65, "\(r)")
        #expect(r.stderr.contains("matches no series") && r.stderr.contains("budgets[0]"), "\(r)")
    }

    @Test func aMissingBudgetFileExits66() throws {
        let r = try check(6, dir.appendingPathComponent("nope.json").path)
        #expect(r.status == 66, "\(r)")
    }

    @Test func aBadFlagExits64() throws {
        let r = try perfgate(["check", "--budget", try relative, "--no-such-flag"])
        #expect(r.status == 64, "\(r)")
    }

    @Test func aBrokenStoreExits74() throws {
        let broken = dir.appendingPathComponent("broken.sqlite")
        try Data("this is not a database".utf8).write(to: broken)
        let r = try PerfgateProcess.run(
            ["check", "--budget", try relative, "--commit", try sha(6), "--branch", "main", "--store", broken.path], in: dir)
        #expect(r.status == 74, "\(r)")
    }

    @Test func anInternalErrorExits1() throws {
        let r = try PerfgateProcess.run(["check", "--budget", try relative, "--debug-internal-error"], in: dir)
        #expect(r.status == 1, "\(r)")
        #expect(r.stderr.contains("internal error"), "\(r)")
    }

    @Test func theStatisticalRuleFailsTheRegressedEndpointOnlyWithFiveRunsOfHistory() throws {
        let stat = try budget(
            #"{"version": 1, "budgets": [{"scenario": "checkout-k6", "endpoint": "/api/*", "significant": {"p50": "10%"}}]}"#, name: "stat.json")
        let r = try check(6, stat, ["--baseline-window", "5"])
        #expect(r.status == 2, "\(r)")
        let failing = r.stdout.split(separator: "\n").filter { $0.contains("FAIL") && !$0.hasPrefix("RESULT") }
        #expect(failing.count == 1 && failing.first?.contains("/api/orders") == true, "only the slowed endpoint fails: \(r)")
        #expect(r.stdout.contains("history log-t"), "the method is shown: \(r)")
        #expect(r.stdout.contains("q="), "p and q are shown: \(r)")
        // The same commit one step earlier (noise only) does not fail.
        #expect(try check(5, stat, ["--baseline-window", "5"]).status == 0)
    }

    @Test func aTailPercentileWithTooFewRequestsIsInsufficientDataNotAVerdict() throws {
        let stat = try budget(
            #"{"version": 1, "budgets": [{"scenario": "checkout-k6", "endpoint": "/api/*", "significant": {"p95": "10%"}}]}"#, name: "p95.json")
        let r = try check(6, stat, ["--baseline-window", "5"])
        #expect(r.status == 0, "\(r)")
        #expect(r.stdout.contains("insufficient-data") && r.stdout.contains("too few requests"), "\(r)")
    }

    @Test func githubAnnotationsInGitHubActions() throws {
        let r = try check(6, try relative, [])
        #expect(!r.stdout.contains("::error"))
        let gh = try perfgate(
            ["check", "--budget", try relative, "--commit", try sha(6), "--branch", "main", "--environment", "demo"],
            env: ["GITHUB_ACTIONS": "true"])
        #expect(gh.stdout.contains("::error file="), "\(gh)")
    }
}
