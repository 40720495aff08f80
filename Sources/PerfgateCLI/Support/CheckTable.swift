import Foundation
import PerfgateCore

/// The table `perfgate check` prints on the console: it fits `width` columns (120 by default) by
/// giving each finding's evidence and limit a line of their own, indented under its row (`--wide` puts
/// them back in columns), and colours the verdict of FAIL, warn and improved (``FindingDescription``'s
/// label, the same words as every other output) when `color` is set (a terminal, no `NO_COLOR`).
/// The cells themselves come from ``GateReport``, the one place a finding becomes text.
struct CheckTable {
    var report: GateReport
    var width = 120
    var wide = false
    var color = false

    static let columns = ["series", "stat", "baseline", "current", "delta", "verdict"]
    /// Right-aligned columns: baseline, current, delta.
    static let numeric: Set<Int> = [2, 3, 4]
    /// The verdict column.
    static let verdictColumn = 5

    func render() -> String {
        // The header (commit, baseline, statistics, notes) is GateReport's.
        var out: [String] = []
        for line in report.consoleHeader {
            out += wide ? [line] : Self.wrap(line, width: width, indent: line.hasPrefix("note: ") ? "      " : "  ")
        }
        out.append("")
        let findings = report.outcome.findings
        var rows: [[String]] = []
        for f in findings {
            let series = TerminalText.escape(
                (f.scenario.isEmpty ? "" : f.scenario + " ") + (f.endpoint.isEmpty ? "(all)" : f.endpoint)
                    + (f.metric == SeriesKey.requestLatencyMetric ? "" : " " + f.metric))
            rows.append([
                series, f.statistic, GateReport.valueText(f.baseline, f.unit), GateReport.valueText(f.current, f.unit),
                GateReport.deltaText(f), GateReport.verdictText(f),
            ])
        }
        let evidence = findings.map { TerminalText.escape(GateReport.evidenceText($0)) }
        // Narrow: the evidence, then the limit, on an indented line under the row.
        let detail = findings.indices.map { i in
            [evidence[i], "limit " + findings[i].limit].filter { !$0.isEmpty }.joined(separator: " · ")
        }
        var cols = Self.columns
        if wide {
            cols += ["limit", "evidence"]
            for i in rows.indices { rows[i] += [findings[i].limit, evidence[i]] }
        }
        var widths = cols.map(\.count)
        for r in rows { for (i, c) in r.enumerated() { widths[i] = max(widths[i], c.count) } }
        // Too wide: the series column gives way; a longer name gets a line of its own above its row.
        if !wide {
            let rest = widths.dropFirst().reduce(0, +) + 2 * (widths.count - 1)
            widths[0] = min(widths[0], max(cols[0].count, width - rest))
        }
        func line(_ cells: [String], verdict: Verdict? = nil) -> String {
            let joined = cells.enumerated().map { i, c in
                let pad = String(repeating: " ", count: max(0, widths[i] - c.count))
                let text = Self.numeric.contains(i) ? pad + c : c + pad
                if i == Self.verdictColumn, let verdict, color, let code = Self.colorCode(verdict) {
                    return code + c + "\u{1B}[0m" + pad
                }
                return text
            }.joined(separator: "  ")
            var trimmed = joined
            while trimmed.utf8.last == 0x20 { trimmed.removeLast() }
            return trimmed
        }
        out.append(line(cols))
        out.append(line(widths.map { String(repeating: "-", count: $0) }))
        for (i, r) in rows.enumerated() {
            var cells = r
            if cells[0].count > widths[0] {
                out.append(cells[0])
                cells[0] = ""
            }
            out.append(line(cells, verdict: findings[i].verdict))
            if !wide { out += Self.wrap(detail[i], width: width, indent: "    ", first: "    ") }
        }
        out.append("")
        let result = "RESULT " + report.outcome.headline
        if color, let code = Self.colorCode(report.outcome.verdict) {
            out.append(code + result + "\u{1B}[0m")
        } else {
            out.append(result)
        }
        return out.joined(separator: "\n")
    }

    static func colorCode(_ v: Verdict) -> String? {
        switch v {
        case .fail: return "\u{1B}[1;31m"
        case .warn: return "\u{1B}[33m"
        case .improved: return "\u{1B}[32m"
        default: return nil
        }
    }

    /// Word-wraps `text` to `width` columns; continuation lines start with `indent`.
    static func wrap(_ text: String, width: Int, indent: String, first: String = "") -> [String] {
        var lines: [String] = []
        var current = first
        var currentHasWord = false
        for word in text.split(separator: " ", omittingEmptySubsequences: false) {
            let w = String(word)
            if currentHasWord && current.count + 1 + w.count > width {
                lines.append(current)
                current = indent + w
            } else {
                current += (currentHasWord ? " " : "") + w
            }
            currentHasWord = true
        }
        lines.append(current)
        return lines
    }
}
