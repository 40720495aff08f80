import Foundation
@testable import PerfgateCore
import PerfgateReport
import Testing

/// One check outcome rendered into every output — the `check` table, Markdown, JUnit, JSON, GitHub
/// annotations, the report's index, summary.md and release pages — says the same thing about every
/// finding, in the words of ``FindingDescription``; and no page colours a row its decision does not.
@Suite struct FindingAgreementTests {
    static func evidence(p: Double, significant: Bool) -> StatisticalEvidence {
        StatisticalEvidence(
            method: "history log-t", tier: "B", p: p, q: p, ciLow: nil, ciHigh: nil, baselineSpread: nil, nBaseline: 10,
            nCurrent: 1, mde: nil, significant: significant)
    }

    static func finding(
        _ endpoint: String, _ verdict: Verdict, _ rule: Finding.RuleClass, evidence: StatisticalEvidence? = nil, key: Bool = false,
        statistic: Statistic = .p95
    ) -> Finding {
        Finding(
            scenario: "checkout", environment: "ci", endpoint: endpoint, metric: SeriesKey.requestLatencyMetric,
            statistic: statistic.rawValue, unit: .milliseconds, direction: .lowerIsBetter, ruleClass: rule, budget: "b",
            limit: rule == .absolute ? "< 200.00 ms" : "≥ +10.00% worse and significant", baseline: 100, current: 130, change: 0.3,
            verdict: verdict, levelHit: verdict == .fail ? .fail : verdict == .warn ? .warn : nil, key: key, weight: 1,
            reasons: verdict == .insufficientData ? ["too few requests"] : [], evidence: evidence, rulePath: "budgets[0].\(endpoint)")
    }

    /// Every kind of decision, one endpoint each.
    static let findings: [Finding] = [
        finding("GET /fail", .fail, .statistical, evidence: evidence(p: 0.001, significant: true), key: true),
        finding("GET /warn", .warn, .relative),
        finding("GET /over", .fail, .absolute),
        finding("GET /better", .improved, .statistical, evidence: evidence(p: 0.002, significant: true)),
        finding("GET /noise", .pass, .statistical, evidence: evidence(p: 0.4, significant: false)),
        finding("GET /ok", .pass, .absolute),
        finding("GET /few", .insufficientData, .statistical),
        finding("GET /new", .noBaseline, .relative),
    ]

    static let outcome = GateOutcome(
        verdict: .fail, score: 40, scoreBands: nil, findings: findings, baseline: BaselineInfo(description: "main, last 10 runs", notices: ["merge-base has no results"]),
        baselineMissing: false, requireBaseline: false, correction: "bh", alpha: 0.05, notices: ["merge-base has no results"])

    static let commit = CommitInfo(sha: SyntheticHistory.sha(30, branch: "main"), branch: "main")

    static func site() throws -> [String: String] {
        let h = SyntheticHistory()
        let options = SiteOptions(
            outcome: outcome, outcomeCommit: commit,
            release: ReleaseRequest(
                from: h.runList[14].commit, to: h.runList[29].commit, fromLabel: "v1.0.0", toLabel: "v1.1.0", outcome: outcome))
        var sink = MemorySink()
        _ = try SiteBuilder(context: SyntheticHistory.context, templates: TemplateLibrary(), options: options).build(from: h, into: &sink)
        return sink.pages
    }

    /// The lines of `text` that mention `endpoint` (as a whole name).
    static func lines(_ text: String, _ endpoint: String) -> [String] {
        text.split(separator: "\n").map(String.init).filter { $0.contains(endpoint + " ") || $0.contains(endpoint + "<") || $0.contains(endpoint + "\"") }
    }

    @Test func everyOutputUsesTheSameWordsForEveryFinding() throws {
        let report = GateReport(outcome: Self.outcome, commit: Self.commit, toolVersion: "9.9.9-test")
        let table = report.table()
        let markdown = report.markdown()
        let junit = report.junit()
        let json = report.json(exitStatus: .gateFailed)
        let annotations = report.githubAnnotations(budgetsFile: "budgets.json").joined(separator: "\n")
        let pages = try Self.site()
        let index = try #require(pages["index.html"])
        let summary = try #require(pages["summary.md"])
        let release = try #require(pages["release.html"])
        let releaseMD = try #require(pages["release.md"])

        let decoded = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        let jsonFindings = try #require(decoded["findings"] as? [[String: Any]])

        for f in Self.findings {
            let d = FindingDescription(f)
            let ep = f.endpoint
            #expect(Self.lines(table, ep).contains { $0.contains(d.label) }, "check table: \(ep) lacks '\(d.label)'")
            #expect(Self.lines(markdown, ep).contains { $0.contains(Escape.markdown(d.label)) }, "Markdown: \(ep) lacks '\(d.label)'")
            let testcase = try #require(junit.components(separatedBy: "<testcase").first { $0.contains("name=\"\(ep) ") })
            #expect(testcase.contains(d.label), "JUnit: \(ep) lacks '\(d.label)'")
            let j = try #require(jsonFindings.first { $0["endpoint"] as? String == ep })
            let jd = try #require(j["description"] as? [String: Any])
            #expect(jd["label"] as? String == d.label && jd["cssClass"] as? String == d.cssClass, "JSON: \(ep)")
            if f.verdict == .fail || f.verdict == .warn {
                #expect(Self.lines(annotations, ep).contains { $0.contains(d.label.replacingOccurrences(of: ",", with: "%2C")) }, "annotations: \(ep)")
            }
            // summary.md lists every finding, changed ones first; the status block and the release page list the non-passing ones.
            #expect(Self.lines(summary, ep).contains { $0.contains(d.label) }, "summary.md: \(ep) lacks '\(d.label)'")
            if f.verdict != .pass {
                for (name, page) in [("index.html", index), ("release.html", release)] {
                    let row = Self.lines(page, ep).first { $0.hasPrefix("<tr data-decision=") }
                    #expect(row?.contains("data-decision=\"\(d.cssClass)\"") == true, "\(name): \(ep) row class")
                    #expect(row?.contains(d.symbolLabel) == true, "\(name): \(ep) lacks '\(d.symbolLabel)'")
                }
                #expect(Self.lines(releaseMD, ep).contains { $0.contains(d.symbolLabel) }, "release.md: \(ep)")
            }
        }
    }

    @Test func wordsOfEachDecision() {
        let words = Self.findings.map { FindingDescription($0).symbolLabel }
        #expect(
            words == [
                "✗ FAIL (key) · slower, significant", "✗ warn · slower beyond its limit", "✗ FAIL · beyond its limit",
                "✓ improved · faster, significant", "~ pass · no significant change", "= pass · within budget",
                "? insufficient data", "∅ no baseline",
            ])
        #expect(Self.findings.map { FindingDescription($0).isChange } == [true, true, true, true, false, false, false, false])
    }

    @Test func baselineNoticesAppearOnce() throws {
        let pages = try Self.site()
        let index = try #require(pages["index.html"])
        let summary = try #require(pages["summary.md"])
        #expect(index.components(separatedBy: "merge-base has no results").count == 2)
        #expect(summary.components(separatedBy: "merge-base has no results").count == 2)
    }

    @Test func aFailingGateIsNeverSummedUpAsNoRegression() throws {
        let pages = try Self.site()
        for name in ["release.html", "release.md"] {
            let text = try #require(pages[name])
            #expect(text.contains("v1.1.0 fails its budget (2 failing rules)"), "\(name)")
            #expect(!text.contains("0 regressions"), "\(name)")
            #expect(!text.contains("No regression introduced"), "\(name)")
        }
    }

    @Test func noBudgetHintWhenABudgetWasGiven() throws {
        let h = SyntheticHistory()
        var budgets = BudgetSet()
        budgets.budgets = []
        var sink = MemorySink()
        let options = SiteOptions(budgets: budgets, statusReason: "the budget could not be evaluated for abc (no baseline)")
        _ = try SiteBuilder(context: SyntheticHistory.context, templates: TemplateLibrary(), options: options).build(from: h, into: &sink)
        let index = try #require(sink.pages["index.html"])
        #expect(index.contains("No verdict: the budget could not be evaluated"))
        #expect(!index.contains("Pass <code>--budget"))
        let plain = try #require(try SyntheticHistory.render()["index.html"])
        #expect(plain.contains("Pass <code>--budget"))
    }

    /// Every element with a colour class sits in a row or cell whose `data-decision` is that colour; a
    /// row or cell decided "same" or "unknown" holds no colour at all.
    static func colourProblems(_ html: String) -> [String] {
        let coloured = ["fail", "warn", "worse", "better"]
        var problems: [String] = []
        for line in html.split(separator: "\n").map(String.init) where line.hasPrefix("<tr") {
            let segments = line.components(separatedBy: "data-decision=\"")
            for (i, seg) in segments.enumerated() {
                let decision = i == 0 ? nil : String(seg.prefix { $0 != "\"" })
                for c in coloured where seg.range(of: "class=\"([^\"]* )?\(c)( [^\"]*)?\"", options: .regularExpression) != nil {
                    if decision != c { problems.append("\(c) under decision \(decision ?? "none"): \(line.prefix(160))") }
                }
            }
        }
        return problems
    }

    @Test func noPageColoursARowItsDecisionDoesNot() throws {
        for pages in [try SyntheticHistory.render(), try Self.site()] {
            for (name, text) in pages where name.hasSuffix(".html") {
                let problems = Self.colourProblems(text)
                #expect(problems.isEmpty, "\(name): \(problems.prefix(3))")
            }
        }
    }
}

/// Endpoints and custom metrics lead every page; whole-run totals and tool internals are folded and never
/// counted as endpoints (``SeriesRole``).
@Suite struct EndpointsFirstTests {
    static let internalName = "http_req_blocked"

    /// The text of `page` from `start` up to `end` (or the end).
    static func section(_ page: String, from start: String, to end: String? = nil) -> String {
        guard let a = page.range(of: start) else { return "" }
        let rest = page[a.lowerBound...]
        if let end, let b = rest.range(of: end) { return String(rest[..<b.lowerBound]) }
        return String(rest)
    }

    @Test func internalsAreFoldedOnEveryPage() throws {
        let pages = try SyntheticHistory.render()
        let index = try #require(pages["index.html"])
        #expect(!Self.section(index, from: "id=\"series-table\"", to: "</table>").contains(Self.internalName))
        #expect(Self.section(index, from: "<details id=\"internal-series\"", to: "</details>").contains(Self.internalName))
        let compare = try #require(pages["compare.html"])
        #expect(!Self.section(compare, from: "id=\"compare\"", to: "</table>").contains(Self.internalName))
        #expect(Self.section(compare, from: "<details id=\"internal-compare\"", to: "</details>").contains(Self.internalName))
        let release = try #require(pages["release.html"])
        #expect(!Self.section(release, from: "id=\"endpoints\"", to: "</table>").contains(Self.internalName))
        #expect(Self.section(release, from: "<details id=\"internal-release\"", to: "</details>").contains(Self.internalName))
        #expect(release.contains("of 2 endpoints significantly slower"))
        let summary = try #require(pages["summary.md"])
        let folded = try #require(summary.range(of: "whole-run totals and load-tool internals"))
        let mention = try #require(summary.range(of: "http\\_req\\_blocked"))
        #expect(folded.lowerBound < mention.lowerBound)
        let run = try #require(pages["runs/1.html"])
        #expect(!Self.section(run, from: "id=\"statistics\"", to: "</table>").contains(Self.internalName))
        #expect(Self.section(run, from: "<details id=\"internal-statistics\"", to: "</details>").contains(Self.internalName))
        let series = try #require(pages["series/" + SyntheticHistory.blocked.slug + ".html"])
        #expect(series.contains("load-tool internal metric"))
    }

    @Test func aRawJumpThatIsNotSignificantIsNotColoured() throws {
        // http_req_blocked jumps by 140 % at the newest commit: the index shows the number, but colours it
        // only if its test says so; the compare page the same.
        let pages = try SyntheticHistory.render()
        let index = try #require(pages["index.html"])
        let row = try #require(index.split(separator: "\n").first { $0.contains(Self.internalName) && $0.hasPrefix("<tr") })
        #expect(row.contains("+140"))
        #expect(FindingAgreementTests.colourProblems(index).isEmpty)
    }
}
