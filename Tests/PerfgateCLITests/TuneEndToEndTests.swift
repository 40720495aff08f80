import Foundation
import PerfgateTestSupport
import Testing

/// `perfgate tune` on the replay history (ci/replay/history.json, real k6 results in
/// Fixtures/replay/): the main branch's 12 commits ingested one by one in a throwaway git repository,
/// as ci/replay.py builds it, then replayed. c08 makes POST /api/orders 25 % slower for good; c10
/// makes GET /api/search 30 % faster; c06 is a noisy runner; c11 makes GET /api/users 6 % slower.
@Suite("tune end to end", .serialized)
struct TuneEndToEndTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let fixtures = root.appendingPathComponent("Tests/PerfgateCLITests/Fixtures/replay")
    static let mainCommits = (1...12).map { String(format: "c%02d", $0) }
    static var gitAvailable: Bool {
        (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":").contains {
            FileManager.default.isExecutableFile(atPath: "\($0)/git")
        }
    }

    let dir = makeTemporaryDirectory()
    var store: String { dir.appendingPathComponent("history.sqlite").path }

    @discardableResult
    func git(_ args: [String], date: Int = 0) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["git", "-C", dir.path, "-c", "commit.gpgsign=false"] + args
        let stamp = "@\(1_735_725_600 + 3600 * date) +0000"
        p.environment = [
            "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin", "HOME": dir.path, "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com",
            "GIT_AUTHOR_DATE": stamp, "GIT_COMMITTER_DATE": stamp,
        ]
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        try #require(p.terminationStatus == 0, "git \(args)")
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The main branch of the replay history, one k6 summary per commit; returns sha by commit id.
    func makeHistory() throws -> [String: String] {
        let history = try JSONSerialization.jsonObject(with: Data(contentsOf: Self.root.appendingPathComponent("ci/replay/history.json"))) as? [String: Any]
        let messages = Dictionary(
            uniqueKeysWithValues: ((history?["commits"] as? [[String: Any]]) ?? []).compactMap { c -> (String, String)? in
                guard let id = c["id"] as? String, let m = c["message"] as? String else { return nil }
                return (id, m)
            })
        try git(["init", "-q", "-b", "main"])
        var sha: [String: String] = [:]
        for (i, id) in Self.mainCommits.enumerated() {
            try git(["commit", "-q", "--allow-empty", "-m", messages[id] ?? id], date: i)
            sha[id] = try git(["rev-parse", "HEAD"])
            let file = Self.fixtures.appendingPathComponent("\(id)/k6-summary.json").path
            let r = try PerfgateProcess.run(["ingest", file, "--store", store, "--commit", sha[id]!, "--branch", "main", "--environment", "replay"], in: dir)
            try #require(r.status == 0, "\(r)")
        }
        return sha
    }

    func tune(_ budget: String, _ extra: [String] = []) throws -> (doc: [String: Any], result: PerfgateProcess.Result) {
        let r = try PerfgateProcess.run(["tune", "--budget", budget, "--store", store, "--format", "json"] + extra, in: dir)
        try #require(r.status == 0, "\(r)")
        let doc = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any], "\(r)")
        return (doc, r)
    }

    static func alarms(_ doc: [String: Any]) -> [[String: Any]] { doc["alarms"] as? [[String: Any]] ?? [] }

    /// Relative limits of 2 % (the gate's run-to-run noise test turns most such breaches into
    /// warnings) and a GET p95 maximum of 110 ms, which GET /api/search (~120 ms) and the noisy c06 break.
    func writeTightBudget() throws -> URL {
        let tight = dir.appendingPathComponent("tight.json")
        try Data(
            #"""
            {
              "version": 1,
              "baseline": { "branch": "main" },
              "budgets": [
                { "name": "tight", "endpoint": "* /*", "regression": { "p50": "2%", "p95": "2%" } },
                { "name": "GET max", "endpoint": "GET *", "max": { "p95": "110ms" } }
              ]
            }
            """#.utf8
        ).write(to: tight)
        return tight
    }

    @Test(.enabled(if: gitAvailable, "needs git"))
    func replayBudgetCatchesTheOrdersRegressionAndMissesNothing() throws {
        let sha = try makeHistory()
        let budget = Self.root.appendingPathComponent("ci/replay/budgets.json").path
        let (doc, r) = try tune(budget)
        #expect((doc["order"] as? String)?.hasPrefix("git first-parent") == true)
        #expect(doc["replayed"] as? Int == 12)
        let trueAt = Self.alarms(doc).filter { $0["kind"] as? String == "true alarm" }
        #expect(
            trueAt.contains { $0["commit"] as? String == sha["c08"] && $0["series"] as? String == "POST /api/orders" },
            "no true alarm on POST /api/orders at c08:\n\(r.stdout)")
        let changes = doc["changes"] as? [[String: Any]] ?? []
        let must = changes.filter { $0["mustCatch"] as? Bool == true }
        #expect(must.contains { $0["commit"] as? String == sha["c08"] && $0["series"] as? String == "POST /api/orders" }, "\(changes)")
        let missed = must.filter { ($0["caughtBy"] as? [String] ?? []).isEmpty }
        #expect(missed.isEmpty, "missed: \(missed)")
        #expect(doc["caughtChanges"] as? Int == doc["lastingChanges"] as? Int)
        // Improvements are not alarms: nothing fails on GET /api/search at c10.
        #expect(!Self.alarms(doc).contains { $0["commit"] as? String == sha["c10"] && $0["series"] as? String == "GET /api/search" })
    }

    @Test(.enabled(if: gitAvailable, "needs git"))
    func aTightBudgetCountsFalseAlarmsAndTheSuggestionFixesThem() throws {
        let sha = try makeHistory()
        let tight = try writeTightBudget()
        let (doc, r) = try tune(tight.path)
        let noChange = ["c01", "c02", "c03", "c04", "c05", "c06", "c07", "c09", "c12"].compactMap { sha[$0] }
        let falseCommits = doc["falseAlarmCommits"] as? [String] ?? []
        #expect(Set(noChange).intersection(falseCommits).count >= 3, "a tight budget should fail no-change commits:\n\(r.stdout)")
        #expect((doc["falseAlarmsPer100"] as? Double ?? 0) > 20, "\(r.stdout)")
        // The orders regression itself is a true alarm, never a false one.
        #expect(!Self.alarms(doc).contains { $0["series"] as? String == "POST /api/orders" && $0["kind"] as? String == "false alarm" })
        #expect(Self.alarms(doc).contains { $0["commit"] as? String == sha["c08"] && $0["series"] as? String == "POST /api/orders" && $0["kind"] as? String == "true alarm" })

        // The suggested budget, written and replayed again: no false alarm, c08 still caught.
        let suggested = dir.appendingPathComponent("suggested.json")
        let (doc1, r1) = try tune(tight.path, ["--write-suggestions", suggested.path])
        #expect(r1.stderr.contains("wrote the suggested budget"), "\(r1)")
        #expect((doc1["suggestedDiff"] as? String)?.contains("+") == true)
        let original = try String(contentsOf: tight, encoding: .utf8)
        #expect(original.contains(#""p95": "110ms""#), "the input is never modified")
        let (doc2, r2) = try tune(suggested.path)
        #expect((doc2["falseAlarmCommits"] as? [String] ?? []).isEmpty, "suggested budget still has false alarms:\n\(r2.stdout)")
        #expect(
            Self.alarms(doc2).contains { $0["commit"] as? String == sha["c08"] && $0["series"] as? String == "POST /api/orders" && $0["kind"] as? String == "true alarm" },
            "suggested budget misses c08:\n\(r2.stdout)")
        #expect(doc2["caughtChanges"] as? Int == doc2["lastingChanges"] as? Int)
        // The in-command verification says the same.
        let verification = doc1["verification"] as? [String: Any]
        #expect((verification?["falseAlarmCommits"] as? [String])?.isEmpty == true, "\(r1.stdout)")
    }

    @Test(.enabled(if: gitAvailable, "needs git"))
    func tableAndMarkdownAndRefusals() throws {
        _ = try makeHistory()
        let budget = Self.root.appendingPathComponent("ci/replay/budgets.json").path
        let t = try PerfgateProcess.run(["tune", "--budget", budget, "--store", store], in: dir)
        #expect(t.status == 0, "\(t)")
        for heading in ["Rules", "Failures", "Lasting regressions", "Suggestions", "Noise profile"] {
            #expect(t.stdout.contains(heading), "\(heading) missing:\n\(t.stdout)")
        }
        let m = try PerfgateProcess.run(["tune", "--budget", budget, "--store", store, "--format", "markdown", "--last", "5"], in: dir)
        #expect(m.status == 0 && m.stdout.hasPrefix("### perfgate tune"), "\(m)")
        let same = try PerfgateProcess.run(["tune", "--budget", budget, "--store", store, "--write-suggestions", budget], in: dir)
        #expect(same.status == 64, "\(same)")
        let none = try PerfgateProcess.run(["tune", "--budget", budget, "--store", store, "--branch", "nope"], in: dir)
        #expect(none.status == 66, "\(none)")
    }

    /// `perfgate report --budget FILE --tune` writes tune.html, linked from the index, with the words of
    /// `perfgate tune`'s table: its headline, every rule row, the per-series counts and every false alarm.
    @Test(.enabled(if: gitAvailable, "needs git"))
    func reportTunePageSaysWhatTuneSays() throws {
        let sha = try makeHistory()
        let tight = try writeTightBudget()
        let table = try PerfgateProcess.run(["tune", "--budget", tight.path, "--store", store], in: dir)
        try #require(table.status == 0, "\(table)")
        let (doc, _) = try tune(tight.path)

        let site = dir.appendingPathComponent("site")
        let r = try PerfgateProcess.run(["report", "--out", site.path, "--budget", tight.path, "--tune", "--store", store], in: dir)
        try #require(r.status == 0, "\(r)")
        let page = try String(contentsOf: site.appendingPathComponent("tune.html"), encoding: .utf8)
        // Mustache escapes & < > " '; the words are compared unescaped.
        let text = page.replacingOccurrences(of: "&#39;", with: "'").replacingOccurrences(of: "&quot;", with: "\"")
            .replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">").replacingOccurrences(of: "&amp;", with: "&")
        let lines = table.stdout.split(separator: "\n").map(String.init)
        // The headline: what was replayed, failures, false alarms per 100 commits, caught lasting regressions.
        for line in lines.prefix(2) { #expect(text.contains("<p>\(line)</p>"), "headline line missing from tune.html: \(line)") }
        // Every rule of the table, with its counts in the same order.
        let rules = doc["rules"] as? [[String: Any]] ?? []
        #expect(!rules.isEmpty)
        for rule in rules {
            let name = "\(rule["budget"] as? String ?? "") · \(rule["ruleClass"] as? String ?? "") \(rule["statistic"] as? String ?? "")"
            let failed = (rule["failed"] as? [String] ?? []).count
            let falseAlarms = (rule["falseAlarms"] as? [String] ?? []).count
            let row = "<tr><td>\(name)</td><td>\(rule["path"] as? String ?? "")</td>"
            #expect(text.contains(row), "rule row missing: \(row)")
            #expect(
                text.contains(
                    "<td class=\"num\">\(rule["series"] as? Int ?? -1)</td><td class=\"num\">\(failed)</td><td class=\"num\">\((rule["trueAlarms"] as? [String] ?? []).count)</td><td class=\"num\">\(falseAlarms)</td>"
                ), "counts of \(name) differ from perfgate tune")
        }
        // Per series: every series a rule failed on, and the sections of the table.
        for title in ["Rules", "Rules per series", "Failures (true alarm", "Lasting regressions", "Suggestions", "Noise profile"] {
            #expect(text.contains("\">\(title)"), "section \(title) missing")
        }
        for alarm in Self.alarms(doc) where alarm["kind"] as? String == "false alarm" {
            #expect(text.contains(alarm["series"] as? String ?? "?"), "\(alarm)")
        }
        #expect(!(doc["falseAlarmCommits"] as? [String] ?? []).isEmpty)
        #expect(text.contains(String(sha["c08"]!.prefix(8))), "the c08 true alarm is not listed")
        if let v = lines.first(where: { $0.hasPrefix("suggested budget replayed:") }) { #expect(text.contains(v)) }
        let index = try String(contentsOf: site.appendingPathComponent("index.html"), encoding: .utf8)
        #expect(index.contains("href=\"tune.html\""), "index.html does not link tune.html")

        // Opt-in: without --tune there is no page and no link; --tune needs a budget.
        let plain = dir.appendingPathComponent("plain")
        let p = try PerfgateProcess.run(["report", "--out", plain.path, "--budget", tight.path, "--store", store], in: dir)
        #expect(p.status == 0, "\(p)")
        #expect(!FileManager.default.fileExists(atPath: plain.appendingPathComponent("tune.html").path))
        #expect(try !String(contentsOf: plain.appendingPathComponent("index.html"), encoding: .utf8).contains("tune.html"))
        let bad = try PerfgateProcess.run(["report", "--out", plain.path, "--tune", "--store", store], in: dir)
        #expect(bad.status == 64, "\(bad)")
    }
}
