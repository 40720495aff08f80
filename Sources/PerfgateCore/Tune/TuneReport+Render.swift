import Foundation

extension TuneReport {
    /// One line each: what was replayed and the headline counts.
    var headline: [String] {
        var out: [String] = []
        out.append(
            "perfgate tune: \(budgetsFile) replayed over \(replayed) commit\(replayed == 1 ? "" : "s") of \(branch)"
                + (environment.map { " (environment \($0))" } ?? "") + " in \(order) order; \(gated) had a baseline")
        out.append(
            "gate failed on \(failedCommits.count) commit\(failedCommits.count == 1 ? "" : "s"), warned on \(warnedCommits.count); "
                + "false alarms on \(falseAlarmCommits.count) (\(Formatting.fixed(falseAlarmsPer100, 1)) per 100 replayed commits, target ≤ \(Formatting.fixed(targetFalseAlarms * 100, 1))); "
                + "lasting regressions ≥ \(Backtest.pct(minChange)) caught: \(caughtChanges) of \(lastingChanges)")
        // How far a short history can vouch for a low false-alarm rate (95 % upper bound, exact binomial).
        if replayed > 0 {
            let bound = 1 - pow(0.05, 1 / Double(replayed))
            if falseAlarmCommits.isEmpty && bound > targetFalseAlarms {
                out.append(
                    "note: \(replayed) replayed commits with no false alarm bound the rate only below \(Formatting.fixed(bound * 100, 1)) per 100 (95 %); "
                        + "about \(Int((log(0.05) / log(1 - targetFalseAlarms)).rounded(.up))) commits are needed to show \(Formatting.fixed(targetFalseAlarms * 100, 1)) per 100")
            }
        }
        return out
    }

    func short(_ sha: String) -> String {
        let s = String(sha.prefix(8))
        guard let subject = commits.first(where: { $0.sha == sha })?.subject, !subject.isEmpty else { return s }
        return s + " " + (subject.count > 28 ? String(subject.prefix(27)) + "…" : subject)
    }

    func commitList(_ shas: [String], most: Int = 6) -> String {
        if shas.isEmpty { return "—" }
        let names = shas.map { sha in commits.first(where: { $0.sha == sha })?.subject.flatMap { $0.split(separator: ":").first.map(String.init) } ?? String(sha.prefix(8)) }
        return names.prefix(most).joined(separator: " ") + (names.count > most ? " +\(names.count - most)" : "")
    }

    static func align(_ header: [String], _ rows: [[String]], numeric: Set<Int> = []) -> [String] {
        var widths = header.map(\.count)
        for r in rows { for (i, c) in r.enumerated() where i < widths.count { widths[i] = max(widths[i], c.count) } }
        func line(_ cells: [String]) -> String {
            var s = cells.enumerated().map { i, c in
                let pad = String(repeating: " ", count: max(0, widths[i] - c.count))
                return numeric.contains(i) ? pad + c : c + pad
            }.joined(separator: "  ")
            while s.utf8.last == 0x20 { s.removeLast() }
            return s
        }
        return [line(header), line(widths.map { String(repeating: "-", count: $0) })] + rows.map(line)
    }

    /// One table of the report, as text cells: the words of `perfgate tune`, shared by the console
    /// table, the Markdown and the HTML report (`perfgate report --tune`).
    public struct TextSection: Sendable, Hashable {
        /// Short name, for an anchor (`rules`, `failures`, …).
        public var id: String
        public var title: String
        public var header: [String]
        public var rows: [[String]]
        /// Columns that hold numbers (right-aligned).
        public var numeric: Set<Int> = []
        /// Shown instead of an empty table.
        public var empty: String
    }
    typealias Section = TextSection

    /// The headline lines of the table: what was replayed and the counts.
    public var headlineLines: [String] { headline }

    /// The sections of the table, with the per-series counts of every rule after Rules.
    public var textSections: [TextSection] {
        var s = sections(diff: nil)
        s.insert(perSeriesSection, at: min(1, s.count))
        return s
    }

    /// Per rule and series, the series that would have failed or warned.
    var perSeriesSection: TextSection {
        TextSection(
            id: "per-series", title: "Rules per series (series that would have failed or warned)",
            header: ["rule", "series", "failed", "true", "false", "warned", "false alarms at"],
            rows: rules.flatMap { r in
                r.perSeries.map { p in
                    [
                        "\(r.budget) · \(r.ruleClass) \(r.statistic)", (p.scenario.isEmpty ? "" : p.scenario + " ") + p.series, String(p.failed.count),
                        String(p.failed.count - p.falseAlarms.count), String(p.falseAlarms.count), String(p.warned.count), commitList(p.falseAlarms),
                    ]
                }
            }, numeric: [2, 3, 4, 5], empty: "(no commit would have failed or warned)")
    }

    func sections(diff: String?) -> [Section] {
        var s: [Section] = []
        s.append(
            Section(
                id: "rules", title: "Rules", header: ["rule", "path", "limit", "series", "failed", "true", "false", "FA/100", "warned", "caught", "false alarms at"],
                rows: rules.map { r in
                    [
                        "\(r.budget) · \(r.ruleClass) \(r.statistic)", r.path, r.limit, String(r.series), String(r.failed.count), String(r.trueAlarms.count),
                        String(r.falseAlarms.count), Formatting.fixed(r.falseAlarmsPer100, 1), String(r.warned.count),
                        r.changes == 0 ? "—" : "\(r.caught)/\(r.changes)", commitList(r.falseAlarms),
                    ]
                }, numeric: [3, 4, 5, 6, 7, 8], empty: "(no rule evaluated)"))
        s.append(
            Section(
                id: "failures", title: "Failures (true alarm: at a lasting regression or the commit after it)",
                header: ["commit", "series", "rule", "worse by", "kind", "change point"],
                rows: alarms.map { a in
                    [short(a.commit), (a.scenario.isEmpty ? "" : a.scenario + " ") + a.series + " " + a.statistic, a.rule, a.worse.map(Formatting.signedPercent) ?? "—", a.kind, a.changePoint ?? ""]
                }, numeric: [3], empty: "(no commit would have failed)"))
        let relevant = changes.filter { $0.regression || !$0.caughtBy.isEmpty }
        s.append(
            Section(
                id: "lasting-regressions", title: "Lasting regressions (change points over the whole history; must catch: ≥ \(Backtest.pct(minChange)))",
                header: ["commit", "series", "before", "after", "change", "must catch", "caught by"],
                rows: relevant.map { c in
                    [
                        short(c.commit), (c.scenario.isEmpty ? "" : c.scenario + " ") + c.series + " " + c.statistic, Formatting.value(c.before, unit: c.unit),
                        Formatting.value(c.after, unit: c.unit), Formatting.signedPercent(c.change), c.mustCatch ? "yes" : "no",
                        c.caughtBy.isEmpty ? (c.mustCatch ? "MISSED" : "—") : c.caughtBy.joined(separator: "; "),
                    ]
                }, numeric: [2, 3, 4], empty: "(no lasting regression found)"))
        s.append(
            Section(
                id: "suggestions", title: "Suggestions (false alarms ≤ \(Formatting.fixed(targetFalseAlarms * 100, 1)) per 100 commits; catch every lasting regression ≥ \(Backtest.pct(minChange)))",
                header: ["path", "rule", "now", "quiet from", "catches all up to", "suggested", "MDE", "note"],
                rows: suggestions.map { g in
                    [
                        g.path, g.rule, g.text(g.current), g.quietAt.map(g.text) ?? "none",
                        g.catchesAllUpTo.map { $0.isInfinite ? "any" : g.text($0) } ?? "none", g.suggested.map(g.text) ?? "—",
                        g.mde.map(Backtest.pct) ?? "", g.note,
                    ]
                }, numeric: [2, 3, 4, 5, 6], empty: "(no relative or statistical rule to tune)"))
        s.append(
            Section(
                id: "noise", title: "Noise profile (run-to-run spread within stable segments)",
                header: ["series", "stat", "tool", "runs", "segments", "CV", "resolution", "MDE", "runs for 5%", "runs for 10%"],
                rows: noise.map { n in
                    [
                        (n.scenario.isEmpty ? "" : n.scenario + " ") + n.series, n.statistic, n.tool, String(n.runs), String(n.segments),
                        n.cv.map { Formatting.fixed($0 * 100, 1) + "%" } ?? "—",
                        n.resolution > 0 ? "\(Formatting.value(n.resolution, unit: n.unit)) (\(Formatting.fixed(n.resolutionFraction * 100, 1))%)" : "—",
                        n.mde.map { Backtest.pct(($0 * 1000).rounded() / 1000) + " (n=\(n.historyRuns))" } ?? "—",
                        n.runsFor5.map(String.init) ?? ">100", n.runsFor10.map(String.init) ?? ">100",
                    ]
                }, numeric: [3, 4, 5, 7, 8, 9], empty: "(no series)"))
        return s
    }

    /// The result of replaying the suggested budget, in one line.
    public var verificationLine: String? {
        guard let v = verification else { return nil }
        return "suggested budget replayed: false alarms on \(v.falseAlarmCommits.count) commit\(v.falseAlarmCommits.count == 1 ? "" : "s") "
            + "(\(Formatting.fixed(v.falseAlarmsPer100, 1)) per 100), lasting regressions caught: \(v.caughtChanges) of \(v.lastingChanges)"
            + (v.falseAlarmCommits.isEmpty ? "" : "; false alarms at " + commitList(v.falseAlarmCommits))
    }

    /// The console table.
    public func table(diff: String?) -> String {
        var out = headline
        for n in notices { out.append("note: \(n)") }
        for sec in sections(diff: diff) {
            out.append("")
            out.append(sec.title)
            if sec.rows.isEmpty { out.append(sec.empty) } else { out += Self.align(sec.header, sec.rows, numeric: sec.numeric) }
        }
        if let v = verificationLine {
            out.append("")
            out.append(v)
        }
        if let d = diff, !d.isEmpty {
            out.append("")
            out.append("Suggested budget (diff)")
            out.append(d.hasSuffix("\n") ? String(d.dropLast()) : d)
        }
        return out.joined(separator: "\n") + "\n"
    }

    /// Markdown for a pull request or a wiki page.
    public func markdown(diff: String?) -> String {
        let md = Escape.markdown
        var out = ["### perfgate tune: \(md(budgetsFile)) on `\(md(branch))`", ""]
        out += headline.dropFirst().map { md($0) }
        out.append("")
        out.append(md(headline[0]) + ".")
        for n in notices { out.append(""); out.append("> **Note:** \(md(n))") }
        for sec in sections(diff: diff) {
            out.append("")
            out.append("#### \(md(sec.title))")
            out.append("")
            if sec.rows.isEmpty { out.append(md(sec.empty)); continue }
            out.append("| " + sec.header.map(md).joined(separator: " | ") + " |")
            out.append("|" + sec.header.indices.map { sec.numeric.contains($0) ? "---:" : "---" }.joined(separator: "|") + "|")
            for r in sec.rows { out.append("| " + r.map(md).joined(separator: " | ") + " |") }
        }
        if let v = verificationLine {
            out.append("")
            out.append(md(v))
        }
        if let d = diff, !d.isEmpty {
            out.append("")
            out.append("```diff")
            out.append(d.hasSuffix("\n") ? String(d.dropLast()) : d)
            out.append("```")
        }
        return out.joined(separator: "\n") + "\n"
    }

    /// The report as JSON (sorted keys), with the suggested budget's diff.
    public func json(diff: String?) -> String {
        struct Shape: Encodable {
            var report: TuneReport
            var diff: String?
            func encode(to encoder: any Encoder) throws {
                try report.encode(to: encoder)
                enum K: String, CodingKey { case suggestedDiff }
                var c = encoder.container(keyedBy: K.self)
                try c.encodeIfPresent(diff, forKey: .suggestedDiff)
            }
        }
        let e = JSONEncoder()
        e.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        e.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        return String(decoding: (try? e.encode(Shape(report: self, diff: diff))) ?? Data(), as: UTF8.self) + "\n"
    }
}

extension TuneReport.SuggestionRow {
    /// A limit in the row's unit: `12%` for fractions, `190.00 ms` for an absolute latency limit.
    func text(_ v: Double) -> String { unit == .ratio ? Backtest.pct(v) : Formatting.value(v, unit: unit) }
}
