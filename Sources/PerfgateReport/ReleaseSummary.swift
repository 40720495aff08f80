import Foundation
import PerfgateCore

/// A release summary between two commits (`perfgate report --release FROM..TO`).
public struct ReleaseRequest: Sendable {
    public var from: CommitInfo
    public var to: CommitInfo
    /// How the user named them (a tag such as `v1.2.0`, or a SHA).
    public var fromLabel: String
    public var toLabel: String
    public var costModel: CostModel?
    /// The gate's outcome at TO, when a budget file was given.
    public var outcome: GateOutcome?
    /// Why there is no outcome.
    public var outcomeReason: String
    /// The readiness summary of TO (`perfgate readiness`), when it was computed.
    public var readiness: ReadinessReport?
    /// TO's capacity campaigns beside FROM's, for the capacity curves.
    public var capacityCurves: [CapacityCurvePair] = []

    public init(
        from: CommitInfo, to: CommitInfo, fromLabel: String, toLabel: String, costModel: CostModel? = nil,
        outcome: GateOutcome? = nil, outcomeReason: String = "no budget file given"
    ) {
        self.from = from
        self.to = to
        self.fromLabel = fromLabel
        self.toLabel = toLabel
        self.costModel = costModel
        self.outcome = outcome
        self.outcomeReason = outcomeReason
    }
}

// MARK: view models (release.html, release.md)

struct ReleaseModel {
    var meta: PageMeta
    var title: String
    var from: CommitLink
    var to: CommitLink
    var fromLabel: String
    var toLabel: String
    var commitsInRange: String
    var headline: String
    var endpoints: [ReleaseEndpointRow]
    var hasEndpoints: Bool
    /// Custom metrics.
    var others: [ReleaseOtherRow]
    var hasOthers: Bool
    /// Whole-run totals and tool internals, folded; never counted as endpoints.
    var internals: [ReleaseOtherRow]
    var hasInternals: Bool
    var internalCount: String
    /// How the per-endpoint decisions were made (or why there are none).
    var comparisonNote: String
    var hasOutcome: Bool
    var outcomeReason: String
    var verdict: String
    var verdictClass: String
    var score: String
    var compliance: String
    var findings: [FindingRow]
    var hasFindings: Bool
    var introduced: [ReleaseChangeRow]
    var hasIntroduced: Bool
    var fixed: [ReleaseChangeRow]
    var hasFixed: Bool
    var improvements: [ReleaseChangeRow]
    var hasImprovements: Bool
    /// Shown when no change point for the worse lies in the range (and says so next to a failing gate).
    var noChangePointNote: String
    var capacity: [ReleaseEstimate]
    var hasCostModel: Bool
    var costModelInputs: [NameValue]
    var estimates: [ReleaseEstimate]
    var hasEstimates: Bool
    var noCostModel: String
    var caveats: [String]
    /// Pre-rendered: the readiness section (HTML or Markdown, as the page), empty without one.
    var readiness: String = ""
    /// Pre-escaped HTML: TO's capacity curves beside FROM's (release.html only).
    var capacityCurves: String = ""
}

struct ReleaseEndpointRow {
    var series: String
    var href: String
    var p50: ReleaseDelta
    var p95: ReleaseDelta
    var p99: ReleaseDelta
    var errorRate: ReleaseDelta
    var throughput: ReleaseDelta
}

struct ReleaseDelta {
    var from: String
    var to: String
    var delta: String
    /// The comparison's decision in words (``FindingDescription/symbolLabel``): `✗ slower, significant`,
    /// `~ no significant change`, `? not tested`.
    var word: String
    /// ``FindingDescription/cssClass``; also the cell's `data-decision`.
    var cls: String
}

struct ReleaseOtherRow {
    var series: String
    var href: String
    var statistic: String
    var value: ReleaseDelta
}

struct ReleaseChangeRow {
    var series: String
    var href: String
    var statistic: String
    var commit: CommitLink
    var before: String
    var after: String
    var change: String
    var pValue: String
}

/// An estimate with the formula that produced it and the numbers that went in.
struct ReleaseEstimate {
    var name: String
    var result: String
    var formula: String
    var substituted: String
    var inputs: [NameValue]
}

/// Collects what the release summary needs from each series while the site is built, then renders.
///
/// Every "faster", "slower", count and estimate comes from the statistical comparison of FROM and TO
/// (``Gate/compare(baseline:current:label:metrics:endpoint:statistics:)``, what `perfgate compare FROM TO`
/// runs): a raw difference that the test cannot tell from noise counts as no change. Money figures are
/// computed from the numbers the page prints, so each one reproduces from the inputs beside it.
struct ReleaseCollector {
    var request: ReleaseRequest
    /// The comparison FROM → TO.
    var comparison: FindingIndex
    /// Why there is no comparison ("" when there is one).
    var comparisonReason: String

    struct Entry {
        var series: ReportSeries
        var role: SeriesRole
        var href: String
        var from: SeriesPoint
        var to: SeriesPoint
        var primary: Statistic
    }

    struct Change {
        var series: String
        var href: String
        var statistic: String
        var unit: MetricUnit
        var commit: CommitInfo
        var cp: DetectedChangePoint
        var worse: Bool
        var fixesEarlier: Bool
    }

    var entries: [Entry] = []
    var changes: [Change] = []
    var commitsInRange = 0

    init(request: ReleaseRequest, comparison: FindingIndex = FindingIndex(nil), comparisonReason: String = "no comparison") {
        self.request = request
        self.comparison = comparison
        self.comparisonReason = comparisonReason
    }

    mutating func add(_ a: SeriesAnalysis, href: String, commits: [CommitInfo]) {
        let position = Dictionary(commits.enumerated().map { ($1.sha, $0) }, uniquingKeysWith: { a, _ in a })
        guard let lo = position[request.from.sha], let hi = position[request.to.sha] else { return }
        commitsInRange = max(0, hi - lo)
        let role = SeriesRole.of(a.series.key)
        if let f = a.valuesAt(commit: request.from.sha), let t = a.valuesAt(commit: request.to.sha) {
            entries.append(Entry(series: a.series, role: role, href: href, from: f, to: t, primary: a.primary))
        }
        // Change points of endpoints and custom metrics only: a tool's bookkeeping is not a regression.
        guard role.leads else { return }
        var sawWorse = false
        for cp in a.changePoints {
            let c = a.commit(cp)
            let worse = cp.isRegression
            if let p = position[c.sha], p > lo, p <= hi {
                changes.append(
                    Change(
                        series: a.series.title, href: href, statistic: a.primary.rawValue, unit: a.unit(a.primary), commit: c, cp: cp,
                        worse: worse, fixesEarlier: !worse && sawWorse))
            }
            if worse { sawWorse = true }
        }
    }

    /// Endpoint latency series present at both commits (never totals or tool internals).
    var endpointEntries: [Entry] { entries.filter { SeriesRole.isEndpointLatency($0.series.key) } }

    /// One endpoint's contribution to an estimate: FROM and TO values and whether the change is significant.
    struct Term {
        var series: String
        var from: Double
        var to: Double
        var weight: Double
        var significant: Bool
        /// The value counted at TO: TO when the change is significant, else FROM (no change).
        var counted: Double { significant ? to : from }
    }

    /// Throughput per endpoint, rounded to the 0.01/s the page prints.
    func throughputTerms() -> [Term] {
        endpointEntries.compactMap { e in
            guard let f = e.from.throughput, let t = e.to.throughput else { return nil }
            let d = comparison.comparing(e.series, .throughput)
            return Term(series: e.series.title, from: Self.round(f, 2), to: Self.round(t, 2), weight: 1, significant: d.isChange)
        }
    }

    /// Mean latency (p50 where no mean) per endpoint, rounded to the 0.001 ms the page prints, weighted by
    /// the request count at TO.
    func latencyTerms() -> [Term] {
        endpointEntries.compactMap { e in
            let stat: Statistic = e.from.mean != nil && e.to.mean != nil ? .mean : .p50
            guard let w = e.to.count ?? e.from.count, w > 0, let f = e.from.get(stat), let t = e.to.get(stat) else { return nil }
            let d = comparison.comparing(e.series, stat)
            return Term(series: e.series.title + " " + stat.rawValue, from: Self.round(f, 3), to: Self.round(t, 3), weight: w, significant: d.isChange)
        }
    }

    static func round(_ v: Double, _ decimals: Int) -> Double {
        let m = pow(10, Double(decimals))
        return (v * m).rounded() / m
    }

    /// A cell: the values and the comparison's decision on that statistic.
    func delta(_ e: Entry, _ stat: Statistic, _ unit: MetricUnit) -> ReleaseDelta {
        let a = e.from.get(stat)
        let b = e.to.get(stat)
        guard a != nil || b != nil else { return ReleaseDelta(from: "—", to: "—", delta: "—", word: "", cls: "unknown") }
        let d = comparison.comparing(e.series, stat)
        return ReleaseDelta(
            from: ReportFormatting.value(a, unit), to: ReportFormatting.value(b, unit),
            delta: ReportFormatting.delta(from: a, to: b, unit: unit), word: d.symbolLabel, cls: d.cssClass)
    }

    func finish(builder: SiteBuilder) -> (html: ReleaseModel, markdown: ReleaseModel) {
        var html = model(builder: builder, esc: { $0 }, root: "")
        var md = model(builder: builder, esc: Escape.markdown, root: "")
        // The readiness section from the one model, in the page's own markup; the curves on the page only.
        if let readiness = request.readiness {
            html.readiness = ReadinessHTML.html(readiness)
            md.readiness = readiness.markdown(headingLevel: 3)
        }
        html.capacityCurves = CapacityChart.comparisonHTML(request.capacityCurves, label: request.toLabel, baselineLabel: request.fromLabel)
        return (html, md)
    }

    func model(builder: SiteBuilder, esc: (String) -> String, root: String) -> ReleaseModel {
        let r = request
        var endpoints: [ReleaseEndpointRow] = []
        var others: [ReleaseOtherRow] = []
        var internals: [ReleaseOtherRow] = []
        var slower = 0
        var faster = 0
        var unchanged = 0
        var untested = 0
        let ordered = entries.sorted { ($0.role, $0.series) < ($1.role, $1.series) }
        for e in ordered {
            let s = e.series
            if SeriesRole.isEndpointLatency(s.key) {
                let p95 = comparison.comparing(s, .p95)
                switch p95.kind {
                case .fail, .warn, .worse: slower += 1
                case .better: faster += 1
                case .unchanged, .withinLimit: unchanged += 1
                case .insufficientData, .noBaseline: untested += 1
                }
                endpoints.append(
                    ReleaseEndpointRow(
                        series: esc(s.title), href: e.href, p50: escape(delta(e, .p50, s.unit), esc), p95: escape(delta(e, .p95, s.unit), esc),
                        p99: escape(delta(e, .p99, s.unit), esc), errorRate: escape(delta(e, .errorRate, .ratio), esc),
                        throughput: escape(delta(e, .throughput, .perSecond), esc)))
            } else {
                let st = e.primary
                let row = ReleaseOtherRow(
                    series: esc(s.title), href: e.href, statistic: esc(st.rawValue),
                    value: escape(delta(e, st, st.unit(seriesUnit: s.unit)), esc))
                if e.role.leads { others.append(row) } else { internals.append(row) }
            }
        }
        func changeRow(_ c: Change) -> ReleaseChangeRow {
            var l = builder.link(c.commit)
            l.branch = esc(l.branch)
            return ReleaseChangeRow(
                series: esc(c.series), href: c.href, statistic: c.statistic, commit: l,
                before: esc(Formatting.value(c.cp.before, unit: c.unit)), after: esc(Formatting.value(c.cp.after, unit: c.unit)),
                change: esc(Formatting.signedPercent(c.cp.relativeChange)), pValue: esc(Formatting.pValue(c.cp.pValue)))
        }
        let byTime = changes.sorted { a, b in
            let ta = a.commit.committedAt ?? .distantPast
            let tb = b.commit.committedAt ?? .distantPast
            return ta != tb ? ta < tb : a.series < b.series
        }
        let introduced = byTime.filter(\.worse).map(changeRow)
        let fixed = byTime.filter { !$0.worse && $0.fixesEarlier }.map(changeRow)
        let improvements = byTime.filter { !$0.worse && !$0.fixesEarlier }.map(changeRow)

        // Compliance at TO.
        var findings: [FindingRow] = []
        var verdict = ""
        var verdictClass = ""
        var score = ""
        var compliance = ""
        var failing = 0
        if let o = r.outcome {
            verdict = o.verdict == .fail ? "FAIL" : o.verdict == .warn ? "WARN" : "PASS"
            verdictClass = o.verdict == .fail ? "fail" : o.verdict == .warn ? "warn" : "pass"
            score = Formatting.fixed(o.score, 0)
            let counted = o.findings.filter { $0.verdict == .pass || $0.verdict == .warn || $0.verdict == .fail || $0.verdict == .improved }
            failing = counted.filter { $0.verdict == .fail }.count
            compliance = "\(counted.count - failing) of \(counted.count) evaluated rules within budget"
            findings = o.findings.filter { $0.verdict != .pass }.sorted(by: SiteBuilder.findingOrder).map { f in
                let row = builder.findingRow(f)
                return FindingRow(
                    series: esc(row.series), statistic: esc(row.statistic), baseline: esc(row.baseline), current: esc(row.current),
                    delta: esc(row.delta), limit: esc(row.limit), verdict: esc(row.verdict), verdictClass: row.verdictClass,
                    evidence: esc(row.evidence))
            }
        }

        // The headline: the gate's verdict first, then counts from significant decisions only.
        var parts: [String] = []
        if let o = r.outcome {
            let warned = o.findings.filter { $0.verdict == .warn }.count
            parts.append(
                o.verdict == .fail ? "\(r.toLabel) fails its budget (\(failing) failing rule\(failing == 1 ? "" : "s"))"
                    : o.verdict == .warn ? "\(r.toLabel) passes its budget with \(warned) warning\(warned == 1 ? "" : "s")" : "\(r.toLabel) is within its budget")
        }
        let n = endpoints.count
        if comparison.outcome != nil {
            parts.append(
                "p95 from \(r.fromLabel) to \(r.toLabel): \(slower) of \(n) endpoint\(n == 1 ? "" : "s") significantly slower, \(faster) significantly faster, \(unchanged) with no significant change"
                    + (untested > 0 ? ", \(untested) not testable" : ""))
        } else {
            parts.append("\(n) endpoint\(n == 1 ? "" : "s") at both commits, not compared statistically (\(comparisonReason))")
        }
        parts.append(
            "\(introduced.count) change point\(introduced.count == 1 ? "" : "s") for the worse in the range, \(fixed.count) fixed")
        let headline = parts.joined(separator: "; ")
        var noChangePoint = "No change point for the worse between the two commits."
        if r.outcome?.verdict == .fail {
            noChangePoint += " The budget check at \(r.toLabel) fails all the same (above): a change point needs several runs on each side of it."
        }
        let comparisonNote =
            comparison.outcome != nil
            ? "Each cell compares the runs at \(r.fromLabel) with those at \(r.toLabel) as `perfgate compare \(r.from.shortSha) \(r.to.shortSha)` does (Benjamini–Hochberg over all rows); it is coloured, and counted as faster or slower, only when the change is significant and at least 5%. ~ is no significant change."
            : "No statistical comparison (\(comparisonReason)): no cell is coloured and no change is counted."

        // Capacity and money, from significant changes only.
        var capacity: [ReleaseEstimate] = []
        var estimates: [ReleaseEstimate] = []
        var caveats: [String] = []
        let tpTerms = throughputTerms()
        let latTerms = latencyTerms()
        let perSecond = { (v: Double) in Formatting.value(v, unit: .perSecond) }
        let ms = { (v: Double) in ReportFormatting.exactMilliseconds(v) }
        var tp: (from: Double, to: Double)?
        if !tpTerms.isEmpty {
            let f = Self.round(tpTerms.map(\.from).reduce(0, +), 2)
            let t = Self.round(tpTerms.map(\.counted).reduce(0, +), 2)
            if f > 0 && t > 0 {
                tp = (f, t)
                let used = tpTerms.filter(\.significant)
                var inputs = [
                    NameValue(name: esc("T_from (summed throughput of \(tpTerms.count) endpoints at \(r.from.shortSha))"), value: esc(perSecond(f))),
                    NameValue(
                        name: esc("T_to (the same endpoints at \(r.to.shortSha); an endpoint whose throughput did not change significantly counts at its FROM value)"),
                        value: esc(perSecond(t))),
                ]
                inputs += used.map { NameValue(name: esc("significant: \($0.series)"), value: esc("\(perSecond($0.from)) → \(perSecond($0.to))")) }
                if used.isEmpty { inputs.append(NameValue(name: esc("significant changes used"), value: esc("none: T_to = T_from"))) }
                capacity.append(
                    ReleaseEstimate(
                        name: esc("Capacity (throughput per instance)"),
                        result: esc("\(perSecond(t)) per instance (\(Formatting.signedPercent(t / f - 1)))"),
                        formula: esc("capacity change = T_to ÷ T_from − 1"),
                        substituted: esc("\(perSecond(t)) ÷ \(perSecond(f)) − 1 = \(Formatting.signedPercent(t / f - 1))"),
                        inputs: inputs))
                caveats.append(esc("Throughput is what the load test measured on one instance under test; it stands for capacity only when the test drives the service to saturation."))
            }
        }
        var lat: (from: Double, to: Double)?
        let wsum = latTerms.map(\.weight).reduce(0, +)
        if wsum > 0 {
            let f = Self.round(latTerms.map { $0.weight * $0.from }.reduce(0, +) / wsum, 3)
            let t = Self.round(latTerms.map { $0.weight * $0.counted }.reduce(0, +) / wsum, 3)
            lat = (f, t)
            let used = latTerms.filter(\.significant)
            var inputs = [
                NameValue(name: esc("endpoints"), value: String(latTerms.count)),
                NameValue(name: esc("requests at TO (weights)"), value: esc(ReportFormatting.grouped(wsum, decimals: 0))),
            ]
            inputs += used.map {
                NameValue(name: esc("significant: \($0.series)"), value: esc("\(ms($0.from)) → \(ms($0.to)) (\(ReportFormatting.grouped($0.weight, decimals: 0)) requests)"))
            }
            if used.isEmpty { inputs.append(NameValue(name: esc("significant changes used"), value: esc("none: L_to = L_from"))) }
            capacity.append(
                ReleaseEstimate(
                    name: esc("Request-weighted mean latency"),
                    result: esc("\(ms(t)) (\(ReportFormatting.signedExactMilliseconds(t - f)))"),
                    formula: esc("L = Σ(count_i × mean_i) ÷ Σ count_i over endpoints, with the counts at TO for both commits; an endpoint whose latency did not change significantly counts at its FROM value"),
                    substituted: esc("L_from = \(ms(f)), L_to = \(ms(t)), ΔL = \(ReportFormatting.signedExactMilliseconds(t - f))"),
                    inputs: inputs))
        }
        var costInputs: [NameValue] = []
        if let m = r.costModel {
            let cur = m.currency
            let money = { (v: Double) in ReportFormatting.money(v, currency: cur) }
            let exactMoney = { (v: Double) in cur + " " + ReportFormatting.exact(v) }
            let exact = ReportFormatting.exact
            costInputs = [
                NameValue(name: "R (traffic per month, requests)", value: exact(m.trafficPerMonth)),
                NameValue(name: "C (cost per instance-hour)", value: exactMoney(m.costPerInstanceHour)),
                NameValue(name: "N (instances at FROM)", value: exact(m.instances)),
                NameValue(name: "V (value of 100 ms of latency per month)", value: exactMoney(m.valueOf100msPerMonth)),
                NameValue(name: "H (hours per month)", value: exact(m.hoursPerMonth)),
            ].map { NameValue(name: esc($0.name), value: esc($0.value)) }
            // Each result is rounded to the cent it is printed with before it feeds another one.
            let base = Self.round(m.instances * m.costPerInstanceHour * m.hoursPerMonth, 2)
            var costDelta: Double?
            if let tp {
                let after = Self.round(m.instances * (tp.from / tp.to) * m.costPerInstanceHour * m.hoursPerMonth, 2)
                costDelta = Self.round(after - base, 2)
                estimates.append(
                    ReleaseEstimate(
                        name: esc("Monthly infrastructure cost"),
                        result: esc("\(money(after)) per month (\(ReportFormatting.signedMoney(after - base, currency: cur)))"),
                        formula: esc("cost = N × (T_from ÷ T_to) × C × H; change = cost − N × C × H"),
                        substituted: esc("\(exact(m.instances)) × (\(perSecond(tp.from)) ÷ \(perSecond(tp.to))) × \(exactMoney(m.costPerInstanceHour)) × \(exact(m.hoursPerMonth)) h = \(money(after)); before: \(exact(m.instances)) × \(exactMoney(m.costPerInstanceHour)) × \(exact(m.hoursPerMonth)) h = \(money(base))"),
                        inputs: [
                            NameValue(name: "N, C, H", value: "from the cost model above"),
                            NameValue(name: "T_from, T_to (capacity above, significant changes only)", value: "\(perSecond(tp.from)), \(perSecond(tp.to))"),
                        ].map { NameValue(name: esc($0.name), value: esc($0.value)) }))
                if m.trafficPerMonth > 0 {
                    let perMillionBefore = Self.round(base / m.trafficPerMonth * 1_000_000, 2)
                    let perMillionAfter = Self.round(after / m.trafficPerMonth * 1_000_000, 2)
                    estimates.append(
                        ReleaseEstimate(
                            name: esc("Cost per million requests"),
                            result: esc("\(money(perMillionAfter)) (was \(money(perMillionBefore)))"),
                            formula: esc("cost per million = monthly cost ÷ R × 1,000,000"),
                            substituted: esc("\(money(after)) ÷ \(exact(m.trafficPerMonth)) × 1,000,000 = \(money(perMillionAfter)); before: \(money(base)) ÷ \(exact(m.trafficPerMonth)) × 1,000,000 = \(money(perMillionBefore))"),
                            inputs: []))
                }
            } else {
                caveats.append(esc("No cost estimate: no endpoint throughput was measured at both commits."))
            }
            var valueDelta: Double?
            if let lat {
                let dl = Self.round(lat.to - lat.from, 3)
                let value = Self.round(-(dl / 100) * m.valueOf100msPerMonth, 2)
                valueDelta = value
                estimates.append(
                    ReleaseEstimate(
                        name: esc("Value of the latency change"),
                        result: esc("\(ReportFormatting.signedMoney(value, currency: cur)) per month (\(value > 0 ? "a gain" : value < 0 ? "a loss" : "no significant change"))"),
                        formula: esc("value = −(ΔL ÷ 100 ms) × V"),
                        substituted: esc("−(\(ReportFormatting.signedExactMilliseconds(dl)) ÷ 100 ms) × \(exactMoney(m.valueOf100msPerMonth)) = \(ReportFormatting.signedMoney(value, currency: cur))"),
                        inputs: [
                            NameValue(name: "ΔL (request-weighted mean latency change, significant changes only)", value: ReportFormatting.signedExactMilliseconds(dl))
                        ].map { NameValue(name: esc($0.name), value: esc($0.value)) }))
            } else {
                caveats.append(esc("No latency value: no endpoint latency with request counts was measured at both commits."))
            }
            if let c = costDelta, let v = valueDelta {
                let net = Self.round(v - c, 2)
                estimates.append(
                    ReleaseEstimate(
                        name: esc("Net monthly effect"),
                        result: esc("\(ReportFormatting.signedMoney(net, currency: cur)) per month"),
                        formula: esc("net = value of the latency change − cost change"),
                        substituted: esc("\(ReportFormatting.signedMoney(v, currency: cur)) − (\(ReportFormatting.signedMoney(c, currency: cur))) = \(ReportFormatting.signedMoney(net, currency: cur))"),
                        inputs: []))
            }
            if comparison.outcome == nil {
                caveats.append(esc("Without a statistical comparison no change counts as significant, so every estimate shows no change."))
            }
        }
        var from = builder.link(r.from)
        var to = builder.link(r.to)
        from.branch = esc(from.branch)
        to.branch = esc(to.branch)
        return ReleaseModel(
            meta: builder.meta("Release \(r.fromLabel) → \(r.toLabel)", root: root),
            title: esc("Release \(r.fromLabel) → \(r.toLabel)"), from: from, to: to, fromLabel: esc(r.fromLabel),
            toLabel: esc(r.toLabel), commitsInRange: String(commitsInRange), headline: esc(headline), endpoints: endpoints,
            hasEndpoints: !endpoints.isEmpty, others: others, hasOthers: !others.isEmpty, internals: internals,
            hasInternals: !internals.isEmpty, internalCount: String(internals.count), comparisonNote: esc(comparisonNote),
            hasOutcome: r.outcome != nil,
            outcomeReason: esc(r.outcomeReason), verdict: verdict, verdictClass: verdictClass, score: score,
            compliance: esc(compliance), findings: findings, hasFindings: !findings.isEmpty, introduced: introduced,
            hasIntroduced: !introduced.isEmpty, fixed: fixed, hasFixed: !fixed.isEmpty, improvements: improvements,
            hasImprovements: !improvements.isEmpty, noChangePointNote: esc(noChangePoint), capacity: capacity,
            hasCostModel: r.costModel != nil, costModelInputs: costInputs, estimates: estimates, hasEstimates: !estimates.isEmpty,
            noCostModel: "No cost model given (--cost-model FILE), so no money estimate is shown.", caveats: caveats)
    }

    func escape(_ d: ReleaseDelta, _ esc: (String) -> String) -> ReleaseDelta {
        ReleaseDelta(from: esc(d.from), to: esc(d.to), delta: esc(d.delta), word: esc(d.word), cls: d.cls)
    }
}
