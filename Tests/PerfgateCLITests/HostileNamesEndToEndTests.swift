import Foundation
import PerfgateTestSupport
import Testing

/// Names from input never reach a terminal or a CI log raw: a real k6 summary whose endpoint name
/// carries a line break followed by a GitHub Actions workflow command, an ANSI colour sequence and a
/// right-to-left override is ingested, gated, listed and compared; no output line starts a workflow
/// command, no escape byte or bidi control appears, and the name is shown with visible escapes.
@Suite("hostile names in console output", .serialized)
struct HostileNamesEndToEndTests {
    let dir: URL
    let store: String
    let hostile = "/api/orders\n::error title=injected::pwned\u{1B}[31mred\u{202E}txt"

    init() throws {
        dir = makeTemporaryDirectory()
        store = dir.appendingPathComponent("history.sqlite").path
        let sample = Fixtures.repositoryRoot.appendingPathComponent("Sources/PerfgateCLI/Samples/k6-run6.json")
        var text = try String(contentsOf: sample, encoding: .utf8)
        // The name as JSON writes it: \n, \u001b and \u202e escapes inside the metric key.
        let encoded = String(decoding: try JSONEncoder().encode(hostile), as: UTF8.self).dropFirst().dropLast()
        text = text.replacingOccurrences(of: "{name:/api/orders}", with: "{name:\(encoded)}")
        for (i, sha) in ["1111111111111111", "2222222222222222"].enumerated() {
            let file = dir.appendingPathComponent("k6-\(i).json")
            try Data(text.utf8).write(to: file)
            let r = try PerfgateProcess.run(
                ["ingest", "--store", store, "--commit", sha, "--branch", "main", "--environment", "ci", file.path], in: dir)
            precondition(r.status == 0, "ingest failed: \(r)")
        }
    }

    private func assertClean(_ r: PerfgateProcess.Result, _ command: String) {
        for (stream, text) in [("stdout", r.stdout), ("stderr", r.stderr)] {
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
            #expect(!lines.contains { $0.trimmingCharacters(in: .whitespaces).hasPrefix("::") }, "\(command) \(stream): a line starts a workflow command:\n\(text)")
            #expect(!text.unicodeScalars.contains { $0.value == 0x1B || $0.value == 0x202E }, "\(command) \(stream): raw escape or bidi control")
        }
    }

    @Test func everyConsoleTableShowsTheNameWithVisibleEscapes() throws {
        let budget = dir.appendingPathComponent("budgets.json")
        try Data(#"{"version": 1, "budgets": [{"max": {"p95": "10s"}}]}"#.utf8).write(to: budget)
        let commands: [[String]] = [
            ["check", "--budget", budget.path, "--commit", "2222222222222222", "--branch", "main", "--environment", "ci"],
            ["log", "--endpoint", "*orders*"],
            ["show", "2222222"],
            ["runs"],
            ["compare", "1111111", "2222222"],
            ["query", "SELECT DISTINCT endpoint FROM series_stats WHERE endpoint LIKE '%orders%'"],
        ]
        for args in commands {
            let r = try PerfgateProcess.run(args + ["--store", store], in: dir, environment: ["GITHUB_ACTIONS": "true"])
            #expect(r.status == 0, "\(args): \(r)")
            assertClean(r, args[0])
            if args[0] != "runs" {
                #expect(r.stdout.contains(#"/api/orders\n::error title=injected::pwned\x1b[31mred\u{202E}txt"#), "\(args[0]):\n\(r.stdout)")
            }
        }
    }

    @Test func anErrorQuotingTheNameIsEscapedToo() throws {
        let budget = dir.appendingPathComponent("typo.json")
        try Data(#"{"version": 1, "budgets": [{"endpoint": "*orders*", "max": {"p42": "10s"}}]}"#.utf8).write(to: budget)
        let r = try PerfgateProcess.run(
            ["check", "--budget", budget.path, "--commit", "2222222222222222", "--branch", "main", "--environment", "ci", "--store", store],
            in: dir, environment: ["GITHUB_ACTIONS": "true"])
        #expect(r.status != 0)
        assertClean(r, "check")
    }
}
