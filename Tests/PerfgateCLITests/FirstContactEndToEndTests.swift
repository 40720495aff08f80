import Foundation
import PerfgateTestSupport
import Testing

/// What a newcomer meets in the first ten minutes (issue "First contact"), end to end on the built
/// binary: real k6 summaries without per-endpoint values, percent units, the commit a native file
/// names, stray files in a results folder, revisions, unknown formats, budget and native files with
/// many mistakes.
@Suite("first contact end to end", .serialized)
struct FirstContactEndToEndTests {
    let dir = makeTemporaryDirectory()
    var store: String { dir.appendingPathComponent("h.sqlite").path }
    static let sha = String(repeating: "ab", count: 20)
    let commitArgs = ["--commit", FirstContactEndToEndTests.sha, "--branch", "main", "--environment", "test"]

    func fixture(_ rel: String) -> URL { Fixtures.url(rel, target: "PerfgateIngestTests") }

    func perfgate(_ args: [String], env: [String: String] = [:]) throws -> PerfgateProcess.Result {
        try PerfgateProcess.run(args, in: dir, environment: env)
    }

    func write(_ text: String, _ name: String) throws -> URL {
        let url = dir.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: url)
        return url
    }

    func copy(_ rel: String, to name: String) throws -> URL {
        let url = dir.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: fixture(rel), to: url)
        return url
    }

    @discardableResult
    func git(_ args: [String], date: Int = 1) throws -> String {
        let r = try runGit(args, in: dir, date: date)
        #expect(r.status == 0, "git \(args)")
        return r.output
    }

    // MARK: k6 summaries without per-endpoint values

    @Test func aK6SummaryWithoutPerEndpointValuesIsSaidOnceWithTheFix() throws {
        // Real --summary-export files from public repositories (Fixtures/corpus/k6-summary-export/README.md):
        // no threshold names a request, so the files carry whole-test numbers only.
        let results = dir.appendingPathComponent("results")
        for f in ["andreposman-qr-code-generator.json", "itzaddddd-ticket-reserve.json"] {
            _ = try copy("corpus/k6-summary-export/" + f, to: "results/" + f)
        }
        let r = try perfgate(["ingest", results.path, "--store", store] + commitArgs)
        #expect(r.status == 0, "\(r)")
        let warnings = r.stderr.components(separatedBy: "no per-endpoint values").count - 1
        #expect(warnings == 1, "said once for the whole ingest: \(r)")
        #expect(r.stderr.contains("andreposman-qr-code-generator.json") && r.stderr.contains("itzaddddd-ticket-reserve.json"), "\(r)")
        #expect(r.stderr.contains("'http_req_duration{name:/api/orders}'") && r.stderr.contains("--out json=results/k6.ndjson.gz"), "\(r)")
        // check ingests through the same pipeline, so it says so too.
        let budget = try write(#"{"version": 1, "budgets": [{"endpoint": "", "max": {"p95": "10s"}}]}"#, "b.json")
        let c = try perfgate(["check", "--budget", budget.path, results.path, "--store", store] + commitArgs)
        #expect([0, 2].contains(c.status), "\(c)")
        #expect(c.stderr.components(separatedBy: "no per-endpoint values").count - 1 == 1, "\(c)")
        // A summary whose thresholds name endpoints is not warned about.
        let named = try perfgate(["ingest", fixture("generated/k6/summary-export.json").path, "--store", store] + commitArgs)
        #expect(named.status == 0 && !named.stderr.contains("no per-endpoint values"), "\(named)")
    }

    // MARK: percent units

    static func cpuRun(_ percent: Double) -> String {
        """
        {"format": "perfgate", "version": 1, "tool": "harness", "scenario": "api",
         "series": [{"metric": "cpu", "unit": "%", "direction": "lower", "stats": {"mean": \(percent), "max": \(percent + 10)}}]}
        """
    }

    @Test func aPercentMetricIsComparedInPercent() throws {
        let budget = try write(#"{"version": 1, "budgets": [{"name": "cpu", "metric": "cpu", "endpoint": "", "max": {"mean": "70%"}}]}"#, "b.json")
        let ok = try write(Self.cpuRun(53), "ok.json")
        let pass = try perfgate(["check", "--budget", budget.path, ok.path, "--store", store] + commitArgs)
        #expect(pass.status == 0, "53 % is under 70 %: \(pass)")
        #expect(pass.stdout.contains("53.00%") && pass.stdout.contains("70.00%"), "shown as percentages: \(pass.stdout)")
        let hot = try write(Self.cpuRun(75), "hot.json")
        let fail = try perfgate(
            ["check", "--budget", budget.path, hot.path, "--store", store, "--commit", String(repeating: "cd", count: 20), "--branch", "main", "--environment", "test"])
        #expect(fail.status == 2, "75 % is over 70 %: \(fail)")
        let shown = try perfgate(["show", String(repeating: "cd", count: 4), "--store", store, "--format", "json"])
        #expect(shown.stdout.contains("\"unit\" : \"ratio\"") || shown.stdout.contains("\"unit\":\"ratio\""), "\(shown.stdout)")
    }

    // MARK: the commit a native file names

    static func nativeRun(commit: String, branch: String, environment: String) -> String {
        """
        {"format": "perfgate", "version": 1, "tool": "harness", "scenario": "api", "environment": "\(environment)",
         "commit": {"sha": "\(commit)", "branch": "\(branch)", "time": "2026-05-01T10:15:00Z"},
         "series": [{"endpoint": "GET /api/items", "metric": "http_req_duration", "unit": "ms", "direction": "lower",
                     "stats": {"count": 100, "p50": 10, "p95": 20}}]}
        """
    }

    func storedRuns() throws -> [[String: Any]] {
        let runs = try perfgate(["runs", "--store", store, "--format", "json"])
        return try #require(try JSONSerialization.jsonObject(with: Data(runs.stdout.utf8)) as? [[String: Any]])
    }

    @Test func aNativeFilesCommitBranchAndEnvironmentAreHonouredOutsideGit() throws {
        let sha = String(repeating: "9f", count: 20)
        let file = try write(Self.nativeRun(commit: sha, branch: "release/2", environment: "bench-1"), "run.json")
        // No flags, no CI, not in git: the file says it all (this was "cannot tell which commit").
        let r = try perfgate(["ingest", file.path, "--store", store])
        #expect(r.status == 0, "\(r)")
        #expect(r.stdout.contains("commit 9f9f9f9f on release/2") && r.stdout.contains("environment bench-1"), "\(r)")
        let run = try #require(try storedRuns().first)
        #expect("\(run)".contains(sha), "\(run)")
    }

    @Test func flagsVariablesAndCIOverrideTheFile() throws {
        let fileSha = String(repeating: "9f", count: 20)
        let file = try write(Self.nativeRun(commit: fileSha, branch: "release/2", environment: "bench-1"), "run.json")
        let flag = try perfgate(["ingest", file.path, "--store", store, "--commit", Self.sha, "--branch", "main", "--environment", "lab"])
        #expect(flag.status == 0, "\(flag)")
        #expect(flag.stdout.contains("commit abababab on main") && flag.stdout.contains("environment lab"), "\(flag)")
        #expect(flag.stderr.contains("names commit 9f9f9f9f; stored under abababab from --commit"), "said once: \(flag)")
        let ciSha = String(repeating: "c", count: 40)
        let ci = try perfgate(
            ["ingest", file.path, "--store", store],
            env: ["GITHUB_ACTIONS": "true", "GITHUB_SHA": ciSha, "GITHUB_REF_NAME": "feature/x", "PERFGATE_ENVIRONMENT": "ci-env"])
        #expect(ci.status == 0, "\(ci)")
        #expect(ci.stdout.contains("commit cccccccc on feature/x") && ci.stdout.contains("environment ci-env"), "\(ci)")
        let branchOnly = try perfgate(["ingest", file.path, "--store", store], env: ["PERFGATE_BRANCH": "hotfix"])
        #expect(branchOnly.status == 0 && branchOnly.stdout.contains("commit 9f9f9f9f on hotfix"), "\(branchOnly)")
    }

    // MARK: stray files in a results folder

    @Test func aFolderIngestSkipsFilesThatAreNotResults() throws {
        _ = try copy("generated/k6/summary-export.json", to: "results/k6.json")
        _ = try write("time=2026-05-01 level=warning msg=\"Request Failed\"\n", "results/stderr.log")
        _ = try write("name,value,unit\ncpu,53,%\nmem,512,MB\n", "results/machine.csv")
        _ = try write(#"{"started": "2026-05-01", "runner": "gha"}"#, "results/meta.json")
        let r = try perfgate(["ingest", dir.appendingPathComponent("results").path, "--store", store] + commitArgs)
        #expect(r.status == 0, "\(r)")
        #expect(r.stderr.contains("skipped \(dir.appendingPathComponent("results/stderr.log").path): not a result file (looks like text)"), "\(r)")
        #expect(r.stderr.contains(#"machine.csv: not a result file (looks like CSV with header "name,value,unit")"#), "\(r)")
        #expect(r.stderr.contains(#"meta.json: not a result file (looks like JSON with top-level keys "started", "runner")"#), "\(r)")
        #expect(r.stdout.contains("stored run 1"), "\(r)")
        // Named on the command line, a non-result is still an error.
        let named = try perfgate(["ingest", dir.appendingPathComponent("results/stderr.log").path, "--store", store] + commitArgs)
        #expect(named.status == 65, "\(named)")
        #expect(named.stderr.contains("unknown result format: the file looks like text"), "\(named)")
    }

    @Test func aMalformedResultInAFolderStillStoresNothing() throws {
        _ = try copy("generated/k6/summary-export.json", to: "results/a.json")
        let whole = try String(contentsOf: fixture("generated/k6/summary-export.json"), encoding: .utf8)
        _ = try write(String(whole.prefix(whole.count / 2)), "results/b.json")
        _ = try write("log line\n", "results/stderr.log")
        let r = try perfgate(["ingest", dir.appendingPathComponent("results").path, "--store", store] + commitArgs)
        #expect(r.status == 65, "a truncated k6 JSON is a broken result, not a stray file: \(r)")
        #expect(r.stderr.contains("b.json"), "\(r)")
        let nothing = try !FileManager.default.fileExists(atPath: store) || storedRuns().isEmpty
        #expect(nothing, "nothing stored")
    }

    // MARK: unknown formats

    @Test func anUnknownFormatSaysWhatTheFileLooksLikeAndTheWayForward() throws {
        // A CSV of a home-grown tool (JMeter's JTL, which this test once used, is read now).
        let homegrown = try write("ts,latency_ms,route,code\n1714557600000,41,GET /api,200\n", "results.csv")
        let r = try perfgate(["ingest", homegrown.path, "--store", store] + commitArgs)
        #expect(r.status == 65, "\(r)")
        #expect(r.stderr.contains(#"unknown result format: the file looks like CSV with header "ts,latency_ms,route,code""#), "\(r)")
        #expect(r.stderr.contains("docs/native-format.md") && r.stderr.contains("ask for the format"), "\(r)")
        #expect(!r.stderr.contains("--format"), "no hint that leads to other errors: \(r)")
        let budget = try write(#"{"version": 1, "budgets": [{"max": {"p95": "1s"}}]}"#, "b.json")
        let c = try perfgate(["check", "--budget", budget.path, homegrown.path, "--store", store] + commitArgs)
        #expect(c.status == 65 && !c.stderr.contains("--format"), "check calls it --input-format: \(c)")
    }

    // MARK: revisions

    @Test func compareShowLogAndCheckAcceptRevisionsInGit() throws {
        try git(["init", "-q", "-b", "main"])
        try git(["commit", "-q", "--allow-empty", "-m", "c1"], date: 1)
        let c1 = try git(["rev-parse", "HEAD"])
        try git(["commit", "-q", "--allow-empty", "-m", "c2"], date: 2)
        let c2 = try git(["rev-parse", "HEAD"])
        let f = try write(NativeFixture.itemsRun(p50: 100), "r1.json")
        #expect(try perfgate(["ingest", f.path, "--store", store, "--commit", "HEAD~1", "--environment", "t"]).status == 0)
        let g = try write(NativeFixture.itemsRun(p50: 130), "r2.json")
        #expect(try perfgate(["ingest", g.path, "--store", store, "--environment", "t"]).status == 0)
        let cmp = try perfgate(["compare", "HEAD~1", "main", "--store", store])
        #expect(cmp.status == 0, "\(cmp)")
        #expect(cmp.stdout.contains("A: commit \(c1.prefix(8)) (HEAD~1)") && cmp.stdout.contains("B: commit \(c2.prefix(8)) (main)"), "\(cmp)")
        let show = try perfgate(["show", "HEAD~1", "--store", store])
        #expect(show.status == 0 && show.stdout.contains(c1), "\(show)")
        let log = try perfgate(["log", "HEAD~1", "--store", store, "--stat", "p50", "--format", "csv"])
        #expect(log.status == 0 && log.stdout.contains(c1) && !log.stdout.contains(c2), "history up to HEAD~1: \(log)")
        let budget = try write(#"{"version": 1, "budgets": [{"max": {"p50": "1s"}}]}"#, "b.json")
        let check = try perfgate(["check", "--budget", budget.path, "--store", store, "--commit", String(c1.prefix(7)), "--environment", "t"])
        #expect(check.status == 0, "\(check)")
        let base = try perfgate(["check", "--budget", budget.path, "--store", store, "--baseline-commit", "HEAD~1", "--environment", "t"])
        #expect(base.status == 0 && base.stdout.contains(String(c1.prefix(8))), "\(base)")
    }

    @Test func storedShortShasWorkOutsideGit() throws {
        let f = try write(NativeFixture.itemsRun(p50: 100), "r1.json")
        #expect(try perfgate(["ingest", f.path, "--store", store] + commitArgs).status == 0)
        let budget = try write(#"{"version": 1, "budgets": [{"max": {"p50": "1s"}}]}"#, "b.json")
        let check = try perfgate(["check", "--budget", budget.path, "--store", store, "--commit", "abababa", "--branch", "main", "--environment", "test"])
        #expect(check.status == 0, "was: no results stored for commit abababa: \(check)")
        #expect(try perfgate(["show", "abababa", "--store", store]).status == 0)
        #expect(try perfgate(["compare", "ababab", "abababab", "--store", store]).status == 0)
        let unknown = try perfgate(["compare", "main", "abababa", "--store", store])
        #expect(unknown.status == 64, "\(unknown)")
        #expect(unknown.stderr.contains("unknown commit 'main'") && unknown.stderr.contains("not inside a git repository"), "\(unknown)")
        #expect(unknown.stderr.contains("`perfgate runs --store \(store)` lists the stored commits"), "\(unknown)")
    }

    // MARK: budget and native files with many mistakes

    @Test func aMisspelledVersionIsNamedBesideTheMissingOne() throws {
        let budget = try write(#"{"versoin": 1, "budgets": [{"max": {"p95": "200ms"}}]}"#, "b.json")
        let r = try perfgate(["budgets", "validate", budget.path])
        #expect(r.status == 65, "\(r)")
        #expect(r.stderr.contains("at versoin: unknown key (did you mean 'version'?)"), "\(r)")
        #expect(r.stderr.contains(#"missing required key "version""#), "\(r)")
    }

    @Test func everyErrorIsReportedUpToTwentyThenCounted() throws {
        let entries = (0..<25).map { i in #"{"max": {"p95": "200ms"}, "wieght\#(i)": 1}"# }.joined(separator: ", ")
        let budget = try write(#"{"version": 1, "budgets": [\#(entries)]}"#, "b.json")
        let f = try write(NativeFixture.itemsRun(p50: 100), "r.json")
        let r = try perfgate(["check", "--budget", budget.path, f.path, "--store", store] + commitArgs)
        #expect(r.status == 65, "\(r)")
        #expect(r.stderr.components(separatedBy: "error: at budgets[").count - 1 == 20, "\(r)")
        #expect(r.stderr.contains("and 5 more errors (25 in all)"), "\(r)")
        #expect(!FileManager.default.fileExists(atPath: store), "nothing stored")
    }

    @Test func everyErrorOfANativeFileInOnePass() throws {
        let native = try write(
            """
            {"format": "perfgate", "version": 1, "tool": "h", "scenaro": "x",
             "series": [{"metric": "cpu", "unit": "%", "direction": "lowr", "stats": {"mean": 53}},
                        {"metric": "lat", "unit": "ms", "direction": "lower", "stats": {"p(95)": 3, "avgg": 1}}]}
            """, "n.json")
        let r = try perfgate(["ingest", native.path, "--store", store] + commitArgs)
        #expect(r.status == 65, "\(r)")
        for expected in [
            #"at scenaro: unknown key "scenaro"; did you mean "scenario"?"#, #"at series[0].direction: expected "lower" or "higher""#,
            #"at series[1].stats["p(95)"]: unknown statistic "p(95)"; write it as "p95""#, #"at series[1].stats.avgg: unknown statistic"#,
        ] {
            #expect(r.stderr.contains(expected), "\(expected): \(r)")
        }
    }

    // MARK: terminal

    func demoStore() throws -> (store: String, budget: String) {
        let r = try perfgate(["demo"])
        #expect(r.status == 0, "\(r)")
        return (".perfgate/demo/history.sqlite", ".perfgate/demo/budgets.json")
    }

    @Test func theCheckTableFits120ColumnsAndIsPlainWhenPiped() throws {
        let (s, b) = try demoStore()
        let args = ["check", "--store", s, "--budget", b, "--commit", "70a336e6", "--branch", "main", "--environment", "demo"]
        let r = try perfgate(args)
        #expect(r.status == 2, "\(r)")
        let widest = r.stdout.split(separator: "\n").map(\.count).max() ?? 0
        #expect(widest <= 120, "widest line \(widest): \(r.stdout)")
        #expect(r.stdout.contains("\n    p=<0.001 q=<0.001"), "evidence on its own indented line: \(r.stdout)")
        #expect(!r.stdout.contains("\u{1B}["), "no colour when piped")
        let wide = try perfgate(args + ["--wide"])
        #expect(wide.stdout.contains("evidence") && (wide.stdout.split(separator: "\n").map(\.count).max() ?? 0) > 120, "\(wide)")
        let tty = try perfgate(args, env: ["PERFGATE_FORCE_TTY": "1"])
        // The verdict cell, in FindingDescription's words, is red; a passing row is not coloured.
        #expect(tty.stdout.contains("\u{1B}[1;31mFAIL · slower, significant\u{1B}[0m"), "FAIL in red on a terminal: \(tty.stdout)")
        #expect(!tty.stdout.contains("\u{1B}[1;31mpass"), "\(tty.stdout)")
        let noColor = try perfgate(args, env: ["PERFGATE_FORCE_TTY": "1", "NO_COLOR": "1"])
        #expect(!noColor.stdout.contains("\u{1B}[") && !noColor.stderr.contains("\u{1B}["), "NO_COLOR: \(noColor)")
    }

    @Test func theProgressBarShowsTotalRateAndETAOnATerminalOnly() throws {
        // A 5 MB k6 NDJSON (over the 4 MB threshold) built from the real points fixture's lines.
        let src = try String(contentsOf: fixture("generated/k6/points.ndjson"), encoding: .utf8)
        var big = ""
        while big.utf8.count < 5 << 20 { big += src.hasSuffix("\n") ? src : src + "\n" }
        let f = try write(big, "big.ndjson")
        let tty = try perfgate(["ingest", f.path, "--store", store] + commitArgs, env: ["PERFGATE_FORCE_TTY": "1"])
        #expect(tty.status == 0, "\(tty)")
        #expect(tty.stderr.contains(" MB/s") && tty.stderr.contains(" ETA ") && tty.stderr.contains("/5 MB"), "\(tty.stderr.suffix(400))")
        let piped = try perfgate(["ingest", f.path, "--store", store, "--scenario", "again"] + commitArgs)
        #expect(piped.status == 0 && !piped.stderr.contains("MB/s"), "\(piped)")
    }
}
