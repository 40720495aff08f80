import Foundation
import PerfgateCore

/// The findings of a gate outcome or of a comparison, looked up by series and statistic, so that every
/// page colours a row only from a statistical or budget decision (``FindingDescription``), never from a
/// raw percentage.
struct FindingIndex {
    private var byKey: [String: Finding] = [:]
    /// The outcome the findings come from (nil: no decision available).
    var outcome: GateOutcome?

    init(_ outcome: GateOutcome?) {
        self.outcome = outcome
        for f in outcome?.findings ?? [] {
            let k = Self.key(f.scenario, f.environment, f.endpoint, f.metric, f.statistic)
            if let old = byKey[k], !Self.prefer(f, over: old) { continue }
            byKey[k] = f
        }
    }

    static func key(_ scenario: String, _ environment: String, _ endpoint: String, _ metric: String, _ statistic: String) -> String {
        [scenario, environment, endpoint, metric, statistic].joined(separator: "\u{1F}")
    }

    /// Several rules on one statistic: the most severe decides; between equals, the statistical one.
    static func prefer(_ a: Finding, over b: Finding) -> Bool {
        if a.severityRank != b.severityRank { return a.severityRank < b.severityRank }
        return a.ruleClass == .statistical && b.ruleClass != .statistical
    }

    func finding(_ series: ReportSeries, _ statistic: Statistic) -> Finding? {
        byKey[Self.key(series.scenario, series.environment, series.key.endpoint, series.key.metric, statistic.rawValue)]
    }

    /// How a comparison decided one cell; "not tested" without a comparison or without a finding.
    func comparing(_ series: ReportSeries, _ statistic: Statistic) -> FindingDescription {
        finding(series, statistic).map { FindingDescription(comparing: $0) } ?? .untested
    }
}

extension SiteBuilder {
    /// Runs ``Gate/compare(baseline:current:label:metrics:endpoint:statistics:)`` (what `perfgate compare A B`
    /// runs) between two commits of the source. Returns the outcome, or nil and the reason.
    static func comparison(_ source: any ReportSource, from a: CommitInfo, to b: CommitInfo) -> (GateOutcome?, String) {
        do {
            let runsA = try source.gateRuns(commit: a.sha)
            let runsB = try source.gateRuns(commit: b.sha)
            guard !runsA.isEmpty, !runsB.isEmpty else { return (nil, "no runs to test") }
            // One comparison per metric, as `perfgate compare A B --metric M` runs it: the same rows in the
            // same Benjamini–Hochberg family, so the page and the command agree on every q.
            let metrics = Set(runsA.flatMap { $0.series.keys.map(\.metric) }).intersection(runsB.flatMap { $0.series.keys.map(\.metric) })
            var merged: GateOutcome?
            for metric in metrics.sorted() {
                guard let o = try Gate.compare(baseline: runsA, current: runsB, label: "commit \(a.shortSha)", metrics: [metric]) else { continue }
                if merged == nil { merged = o } else { merged?.findings += o.findings }
            }
            guard let merged else { return (nil, "the two commits share no tested statistic") }
            return (merged, "")
        } catch {
            return (nil, "the comparison could not run (\(error))")
        }
    }

    /// The decision behind a series' trend on the index and in summary.md: the gate's finding on the
    /// charted statistic when a budget covers it, else the history test of the newest value against the
    /// baseline window (significant when p < 0.05 and the change is at least 5 %).
    func trendDescription(_ a: SeriesAnalysis, gate: FindingIndex) -> FindingDescription {
        if let f = gate.finding(a.series, a.primary) { return FindingDescription(f) }
        let unit = a.unit(a.primary)
        guard let test = a.historyTest else {
            return .trend(significant: nil, orientedChange: 0, statistic: a.primary.rawValue, unit: unit)
        }
        let change = test.ratio - 1
        return .trend(
            significant: test.pValue < Self.trendAlpha && abs(change) >= Self.trendMinEffect,
            orientedChange: change * a.direction(a.primary).sign, statistic: a.primary.rawValue, unit: unit)
    }

    static let trendAlpha = 0.05
    static let trendMinEffect = 0.05
}
