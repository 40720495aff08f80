import Foundation

/// Renders a ``GateOutcome`` for people and machines. Deterministic: no clock, sorted input.
public struct GateReport: Sendable {
    public var outcome: GateOutcome
    /// The commit under test.
    public var commit: CommitInfo
    public var toolVersion: String

    public init(outcome: GateOutcome, commit: CommitInfo, toolVersion: String) {
        self.outcome = outcome
        self.commit = commit
        self.toolVersion = toolVersion
    }

    // MARK: cells shared by every format

    public static func valueText(_ v: Double?, _ unit: MetricUnit) -> String { v.map { Formatting.value($0, unit: unit) } ?? "—" }

    /// Delta column: `+13.88%`, `+0.20pp` for ratios, `~` for a statistical change that is not significant.
    public static func deltaText(_ f: Finding) -> String {
        guard let b = f.baseline, let c = f.current else { return "" }
        let raw = f.unit == .ratio ? Formatting.percentagePoints(c - b) : Formatting.percentChange(current: c, baseline: b)
        if f.ruleClass == .statistical, let e = f.evidence, e.p != nil, !e.significant { return "~ (\(raw))" }
        return raw
    }

    /// `p=0.012 q=0.031 n=20+1 history log-t, ±2.1%, MDE 6.3%`.
    /// The one evidence text of a finding: the check table, Markdown, JUnit and annotations print it, and
    /// `compare` and the report's compare page print its first parts (``significanceText(_:)``,
    /// ``sampleSizeText(_:)``).
    public static func evidenceText(_ f: Finding) -> String {
        guard let e = f.evidence else { return f.reasons.joined(separator: "; ") }
        let significance = significanceText(e)
        var s = (significance.isEmpty ? "" : significance + " ") + sampleSizeText(e) + " " + e.method
        if let spread = e.baselineSpread, let b = f.baseline {
            s += ", baseline \(valueText(b, f.unit)) ±\(Formatting.fixed(spread * 100, 1))%"
        }
        if let lo = e.ciLow, let hi = e.ciHigh {
            s += ", CI [\(Formatting.signedPercent(lo - 1)), \(Formatting.signedPercent(hi - 1))]"
        }
        if let m = e.mde { s += ", MDE \(Formatting.fixed(m * 100, 1))%" }
        if !f.reasons.isEmpty { s += "; " + f.reasons.joined(separator: "; ") }
        return s
    }

    /// `p=0.012 q=0.031`: the test's p and q values, each when there is one.
    public static func significanceText(_ e: StatisticalEvidence) -> String {
        var parts: [String] = []
        if let p = e.p { parts.append("p=" + Formatting.pValue(p)) }
        if let q = e.q { parts.append("q=" + Formatting.pValue(q)) }
        return parts.joined(separator: " ")
    }

    /// `n=20` when both sides have as many values, else `n=20+1` (baseline + current).
    public static func sampleSizeText(_ e: StatisticalEvidence) -> String {
        "n=" + (e.nBaseline == e.nCurrent ? "\(e.nBaseline)" : "\(e.nBaseline)+\(e.nCurrent)")
    }

    /// The verdict column: ``FindingDescription/label`` (`FAIL · slower, significant`), the same words
    /// in every output.
    public static func verdictText(_ f: Finding) -> String { FindingDescription(f).label }

    var headerLines: [String] {
        var lines = ["perfgate \(toolVersion)  commit \(commit.shortSha) on \(commit.branch)"]
        lines.append("baseline: " + (outcome.baseline?.description ?? "none"))
        lines.append("statistics: alpha=\(Formatting.fixed(outcome.alpha, 2)), \(outcome.correction.uppercased()) correction over \(outcome.findings.filter { $0.evidence?.p != nil }.count) tests")
        return lines
    }

    // MARK: console

    /// The lines above the console table (commit, baseline, statistics, one per notice), escaped for a terminal.
    public var consoleHeader: [String] {
        headerLines.map(TerminalText.escape) + outcome.notices.map { "note: " + TerminalText.escape($0) }
    }

    /// The table printed by `perfgate check`, ordered by severity.
    public func table() -> String {
        var out = consoleHeader
        out.append("")
        let cols = ["series", "stat", "baseline", "current", "delta", "limit", "verdict", "evidence"]
        var rows: [[String]] = []
        for f in outcome.findings {
            let series = TerminalText.escape(
                (f.scenario.isEmpty ? "" : f.scenario + " ") + (f.endpoint.isEmpty ? "(all)" : f.endpoint)
                    + (f.metric == SeriesKey.requestLatencyMetric ? "" : " " + f.metric))
            rows.append([series, f.statistic, Self.valueText(f.baseline, f.unit), Self.valueText(f.current, f.unit), Self.deltaText(f), f.limit, Self.verdictText(f), Self.evidenceText(f)])
        }
        var widths = cols.map(\.count)
        for r in rows { for (i, c) in r.enumerated() { widths[i] = max(widths[i], c.count) } }
        func line(_ cells: [String]) -> String {
            let joined = cells.enumerated().map { i, c in
                let pad = String(repeating: " ", count: max(0, widths[i] - c.count))
                return (2...4).contains(i) ? pad + c : c + pad
            }.joined(separator: "  ")
            var trimmed = joined
            while trimmed.utf8.last == 0x20 { trimmed.removeLast() }
            return trimmed
        }
        out.append(line(cols))
        out.append(line(widths.map { String(repeating: "-", count: $0) }))
        out += rows.map(line)
        out.append("")
        out.append("RESULT " + outcome.headline)
        return out.joined(separator: "\n")
    }

    // MARK: Markdown

    /// For `$GITHUB_STEP_SUMMARY` and pull-request comments: the verdict line, changed series only,
    /// the rest folded.
    public func markdown() -> String {
        let icon = outcome.verdict == .fail ? "❌" : outcome.verdict == .warn ? "⚠️" : "✅"
        var out = ["### \(icon) perfgate: \(Escape.markdown(outcome.headline))", ""]
        out.append("Commit `\(commit.shortSha)` on `\(Escape.markdown(commit.branch))` against **\(Escape.markdown(outcome.baseline?.description ?? "no baseline"))**.")
        for n in outcome.notices { out.append("") ; out.append("> **Note:** \(Escape.markdown(n))") }
        out.append("")
        let changed = outcome.findings.filter { $0.verdict != .pass }
        let unchanged = outcome.findings.filter { $0.verdict == .pass }
        let head = "| Series | Baseline | Current | Δ | Limit | Verdict | Evidence |\n|---|---:|---:|---:|---|---|---|"
        func row(_ f: Finding) -> String {
            let series = Escape.markdown((f.scenario.isEmpty ? "" : f.scenario + " · ") + f.seriesLabel)
            let delta = Self.deltaText(f)
            let d = f.verdict == .fail ? "**\(Escape.markdown(delta))**" : Escape.markdown(delta)
            let v = f.verdict == .fail ? "**\(Self.verdictText(f))**" : Self.verdictText(f)
            return "| \(series) | \(Escape.markdown(Self.valueText(f.baseline, f.unit))) | \(Escape.markdown(Self.valueText(f.current, f.unit))) | \(d) | \(Escape.markdown(f.limit)) | \(v) | \(Escape.markdown(Self.evidenceText(f))) |"
        }
        if changed.isEmpty {
            out.append("No series changed beyond its budget.")
        } else {
            out.append(head)
            out += changed.map(row)
        }
        if !unchanged.isEmpty {
            out.append("")
            out.append("<details><summary>\(unchanged.count) passing checks</summary>")
            out.append("")
            out.append(head)
            out += unchanged.map(row)
            out.append("")
            out.append("</details>")
        }
        out.append("")
        out.append("<sub>perfgate \(toolVersion) · `~` = no significant change · q = \(outcome.correction.uppercased())-adjusted p at α = \(Formatting.fixed(outcome.alpha, 2))</sub>")
        return out.joined(separator: "\n") + "\n"
    }

    // MARK: JUnit

    /// JUnit XML: one test case per rule and series; failures for FAIL, skipped for no baseline or
    /// insufficient data, warnings in system-out. Loads in GitLab and Jenkins test tabs.
    public func junit() -> String {
        let groups = Dictionary(grouping: outcome.findings, by: \.scenario)
        let failures = outcome.findings.filter { $0.verdict == .fail }.count
        let skipped = outcome.findings.filter { $0.verdict == .noBaseline || $0.verdict == .insufficientData }.count
        var out = [#"<?xml version="1.0" encoding="UTF-8"?>"#]
        out.append(#"<testsuites name="perfgate" tests="\#(outcome.findings.count)" failures="\#(failures)" errors="0" skipped="\#(skipped)">"#)
        for scenario in groups.keys.sorted() {
            let fs = groups[scenario] ?? []
            let sf = fs.filter { $0.verdict == .fail }.count
            let ss = fs.filter { $0.verdict == .noBaseline || $0.verdict == .insufficientData }.count
            out.append(#"  <testsuite name="perfgate.\#(Escape.html(scenario))" tests="\#(fs.count)" failures="\#(sf)" errors="0" skipped="\#(ss)">"#)
            for f in fs {
                let name = "\(f.seriesLabel) \(f.limit)"
                let described = FindingDescription(f)
                let detail = "current \(Self.valueText(f.current, f.unit)), baseline \(Self.valueText(f.baseline, f.unit)), delta \(Self.deltaText(f)); \(Self.evidenceText(f))"
                out.append(#"    <testcase classname="perfgate.\#(Escape.html(scenario)).\#(Escape.html(f.metric))" name="\#(Escape.html(name))" time="0">"#)
                switch f.verdict {
                case .fail:
                    out.append(#"      <failure message="\#(Escape.html(f.seriesLabel + ": " + described.label + ", " + Self.valueText(f.current, f.unit) + " (limit " + f.limit + ")"))" type="\#(f.ruleClass.rawValue)">\#(Escape.html(detail))</failure>"#)
                case .noBaseline, .insufficientData:
                    out.append(#"      <skipped message="\#(Escape.html(described.label + (f.reasons.isEmpty ? "" : ": " + f.reasons.joined(separator: "; "))))"/>"#)
                case .warn, .improved, .pass:
                    out.append(#"      <system-out>\#(Escape.html(described.label + ": " + detail))</system-out>"#)
                }
                out.append("    </testcase>")
            }
            out.append("  </testsuite>")
        }
        out.append("</testsuites>")
        return out.joined(separator: "\n") + "\n"
    }

    // MARK: JSON

    struct JSONShape: Encodable {
        let perfgateVersion: String
        let commit: CommitInfo
        let verdict: String
        let score: Double
        let headline: String
        let baseline: BaselineInfo?
        let baselineMissing: Bool
        let notices: [String]
        let exitCode: Int32
        let findings: [DescribedFinding]
    }

    /// A finding in the JSON output: its fields plus `description` (``FindingDescription``), so machines
    /// read the same words, symbol and class as people.
    struct DescribedFinding: Encodable {
        let finding: Finding
        enum Key: String, CodingKey { case description }
        func encode(to encoder: any Encoder) throws {
            try finding.encode(to: encoder)
            var c = encoder.container(keyedBy: Key.self)
            try c.encode(Description(FindingDescription(finding)), forKey: .description)
        }
    }

    struct Description: Encodable {
        let kind: String
        let label: String
        let words: String
        let symbol: String
        let cssClass: String
        let isChange: Bool
        init(_ d: FindingDescription) {
            kind = d.kind.rawValue
            label = d.label
            words = d.words
            symbol = d.symbol
            cssClass = d.cssClass
            isChange = d.isChange
        }
    }

    /// The machine-readable result, sorted keys.
    public func json(exitStatus: ExitStatus) -> String {
        let shape = JSONShape(
            perfgateVersion: toolVersion, commit: commit, verdict: outcome.verdict.rawValue, score: outcome.score,
            headline: outcome.headline, baseline: outcome.baseline, baselineMissing: outcome.baselineMissing,
            notices: outcome.notices, exitCode: exitStatus.rawValue, findings: outcome.findings.map(DescribedFinding.init))
        let e = JSONEncoder()
        e.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        e.dateEncodingStrategy = .iso8601
        e.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        return String(decoding: (try? e.encode(shape)) ?? Data(), as: UTF8.self) + "\n"
    }

    // MARK: GitHub annotations

    static func ghData(_ s: String) -> String {
        s.replacingOccurrences(of: "%", with: "%25").replacingOccurrences(of: "\r", with: "%0D").replacingOccurrences(of: "\n", with: "%0A")
    }

    static func ghProperty(_ s: String) -> String { ghData(s).replacingOccurrences(of: ":", with: "%3A").replacingOccurrences(of: ",", with: "%2C") }

    /// `::error`/`::warning` workflow commands for failed and warned rules.
    public func githubAnnotations(budgetsFile: String) -> [String] {
        outcome.findings.compactMap { f in
            let kind: String
            switch f.verdict {
            case .fail: kind = "error"
            case .warn: kind = "warning"
            default: return nil
            }
            let msg = "\(f.seriesLabel): \(Self.valueText(f.current, f.unit)) vs baseline \(Self.valueText(f.baseline, f.unit)) (\(Self.deltaText(f))), limit \(f.limit). \(Self.evidenceText(f))"
            return "::\(kind) file=\(Self.ghProperty(budgetsFile)),title=\(Self.ghProperty("perfgate " + FindingDescription(f).label + ": " + f.seriesLabel))::\(Self.ghData(msg))"
        }
    }
}
