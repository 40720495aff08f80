import Foundation
import PerfgateCore

/// The readiness section of the release page (pre-escaped HTML, inserted with `{{{…}}}`): the same rows
/// and words as `perfgate readiness` (``ReadinessReport/rows(_:)``), one column per class. Only the rules'
/// gate decisions are coloured (``FindingDescription/cssClass``); a class verdict is words.
enum ReadinessHTML {
    static func html(_ r: ReadinessReport) -> String {
        var s = "<p id=\"readiness-header\" class=\"muted\">\(Escape.html(r.header))</p>\n"
        guard !r.classes.isEmpty else { return s + "<p class=\"muted\">No runs.</p>\n" }
        s += "<div class=\"scroll\"><table id=\"readiness\" class=\"wide\"><thead><tr><th></th>"
        for c in r.classes { s += "<th>\(Escape.html(c.name))</th>" }
        s += "</tr></thead><tbody>\n"
        let rows = r.classes.map(ReadinessReport.rows)
        for (i, (label, _)) in rows[0].enumerated() {
            s += "<tr><th scope=\"row\">\(Escape.html(label))</th>"
            for (c, row) in zip(r.classes, rows) {
                s += "<td>"
                s += label == "verdict" ? "<strong>\(Escape.html(row[i].text))</strong>" : Escape.html(row[i].text)
                if label == "SLA compliance" && !c.sla.rules.isEmpty {
                    s += "<ul class=\"readiness-rules\">"
                    for rule in c.sla.rules {
                        let d = FindingDescription(rule.finding)
                        // The rule's decision on its row, as every other table's row carries it.
                        s += "<li data-decision=\"\(d.cssClass)\"><span class=\"\(d.cssClass)\">\(Escape.html(rule.label))</span> \(Escape.html(rule.rule))</li>"
                    }
                    s += "</ul>"
                }
                s += "</td>"
            }
            s += "</tr>\n"
        }
        s += "</tbody></table></div>\n"
        s += "<p id=\"readiness-overall\"><strong>\(Escape.html(r.overall))</strong></p>\n"
        return s
    }
}
