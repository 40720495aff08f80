import Foundation

extension ReadinessReport {
    /// `perfgate readiness`'s table: the header, one block per class (its rows, then each rule with the
    /// gate's words), and the overall line.
    public func table() -> String {
        var out = [TerminalText.escape(header), ""]
        let width = Self.rows(classes.first ?? Self.placeholder).map(\.label.count).max() ?? 0
        for c in classes {
            out.append("class " + TerminalText.escape(c.name))
            for (label, text) in Self.rows(c) {
                out.append("  " + label + String(repeating: " ", count: width - label.count) + "  " + TerminalText.escape(text))
                if label == "SLA compliance" {
                    for r in c.sla.rules { out.append("    " + TerminalText.escape(r.label + "  " + r.rule)) }
                    for n in c.sla.notices { out.append("    note: " + TerminalText.escape(n)) }
                }
            }
            out.append("")
        }
        if classes.isEmpty { out.append("no runs") }
        out.append(TerminalText.escape(overall))
        return out.joined(separator: "\n")
    }

    /// The Markdown section (`perfgate readiness --format markdown`, the report's `summary.md`): one
    /// table row per class, then each class's rules.
    public func markdown(headingLevel: Int = 3) -> String {
        let h = String(repeating: "#", count: headingLevel)
        var out = ["\(h) Readiness", "", Escape.markdown(header), ""]
        let labels = Self.rows(Self.placeholder).map(\.label)
        out.append("| class | " + labels.map(Escape.markdown).joined(separator: " | ") + " |")
        out.append("|---|" + labels.map { _ in "---" }.joined(separator: "|") + "|")
        for c in classes {
            out.append("| " + Escape.markdown(c.name) + " | " + Self.rows(c).map { Escape.markdown($0.text) }.joined(separator: " | ") + " |")
        }
        for c in classes where !c.sla.rules.isEmpty {
            out.append("")
            out.append("Rules of **\(Escape.markdown(c.name))** (\(Escape.markdown(c.runsText))):")
            out.append("")
            for r in c.sla.rules { out.append("- \(Escape.markdown(r.label)): \(Escape.markdown(r.rule))") }
        }
        out.append("")
        out.append("**\(Escape.markdown(overall))**")
        return out.joined(separator: "\n") + "\n"
    }

    /// `--format json`: the same facts, typed, every number with its runs.
    public func json() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let data = (try? encoder.encode(JSONReport(self))) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    /// Only for the row labels.
    static let placeholder = ReadinessClass(
        name: "", runIds: [], sla: SLA(budgetFile: nil, outcome: nil, runIds: []), capacity: [], drift: nil, serverPeaks: [], expectedPeak: nil)

    struct JSONReport: Encodable {
        var commit: String
        var branch: String
        var budgetFile: String?
        var expectedPeak: Double?
        var verdict: String
        var overall: String
        var driftNote: String?
        var classes: [JSONClass]

        init(_ r: ReadinessReport) {
            commit = r.commit.sha
            branch = r.commit.branch
            budgetFile = r.budgetFile
            expectedPeak = r.expectedPeak
            verdict = r.verdict.rawValue
            overall = r.overall
            driftNote = r.driftNote
            classes = r.classes.map(JSONClass.init)
        }
    }

    struct JSONClass: Encodable {
        struct Rule: Encodable {
            var rule: String
            var verdict: String
            var label: String
            var budget: String
            var rulePath: String
            var current: Double?
            var baseline: Double?
        }
        struct SLAJSON: Encodable {
            var summary: String
            var passed, warned, failed, insufficient, evaluated: Int
            var score: String
            var runIds: [Int64]
            var rules: [Rule]
        }
        struct CapacityJSON: Encodable {
            var scenario: String
            var environment: String
            var knee: String
            var capacity: Double?
            var runIds: [Int64]
            var headroom: Double?
            var headroomIsLowerBound: Bool
            var headroomVerdict: String
            var headroomText: String
        }
        struct DriftJSON: Encodable {
            var runId: Int64
            var series: String
            var verdict: String
            var words: String
        }
        struct PeakJSON: Encodable {
            var metric: String
            var unit: String
            var p95: Double?
            var p95RunId: Int64?
            var max: Double?
            var maxRunId: Int64?
            var text: String
        }
        var name: String
        var runIds: [Int64]
        var sla: SLAJSON
        var capacity: [CapacityJSON]
        var capacityText: String
        var headroomText: String
        var drift: [DriftJSON]?
        var driftText: String
        var serverPeaks: [PeakJSON]
        var verdict: String
        var reasons: [String]
        /// ``ReadinessClass/verdictText``, as the table prints it.
        var verdictText: String
        var serverPeaksText: String

        init(_ c: ReadinessClass) {
            name = c.name
            runIds = c.runIds
            sla = SLAJSON(
                summary: c.sla.summary, passed: c.sla.passed, warned: c.sla.warned, failed: c.sla.failed, insufficient: c.sla.insufficient,
                evaluated: c.sla.evaluated, score: c.sla.score, runIds: c.sla.runIds,
                rules: c.sla.rules.map {
                    Rule(
                        rule: $0.rule, verdict: $0.finding.verdict.rawValue, label: $0.label, budget: $0.finding.budget,
                        rulePath: $0.finding.rulePath, current: $0.finding.current, baseline: $0.finding.baseline)
                })
            capacity = c.capacity.map {
                CapacityJSON(
                    scenario: $0.scenario, environment: $0.environment, knee: $0.knee.summary, capacity: $0.knee.capacity, runIds: $0.runIds,
                    headroom: $0.headroom.ratio, headroomIsLowerBound: $0.headroom.atLeast, headroomVerdict: $0.headroom.verdict.rawValue,
                    headroomText: $0.headroom.text)
            }
            capacityText = c.capacityText
            headroomText = c.headroomText
            drift = c.drift?.map { DriftJSON(runId: $0.runId, series: $0.series, verdict: $0.verdict.rawValue, words: $0.words) }
            driftText = c.driftText
            serverPeaks = c.serverPeaks.map {
                PeakJSON(metric: $0.metric, unit: $0.unit.rawValue, p95: $0.p95, p95RunId: $0.p95RunId, max: $0.max, maxRunId: $0.maxRunId, text: $0.text)
            }
            verdict = c.verdict.rawValue
            reasons = c.reasons
            verdictText = c.verdictText
            serverPeaksText = c.serverPeaksText
        }
    }
}
