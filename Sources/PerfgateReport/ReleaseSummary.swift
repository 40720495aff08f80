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
    var others: [ReleaseOtherRow]
    var hasOthers: Bool
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
    var capacity: [ReleaseEstimate]
    var hasCostModel: Bool
    var costModelInputs: [NameValue]
    var estimates: [ReleaseEstimate]
    var hasEstimates: Bool
    var noCostModel: String
    var caveats: [String]
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
    /// `faster`, `slower`, `unchanged`, `better`, `worse` or `—`.
    var word: String
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
struct ReleaseCollector {
    var request: ReleaseRequest

    struct Entry {
        var series: ReportSeries
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

    init(request: ReleaseRequest) { self.request = request }

    mutating func add(_ a: SeriesAnalysis, href: String, commits: [CommitInfo]) {
        let position = Dictionary(commits.enumerated().map { ($1.sha, $0) }, uniquingKeysWith: { a, _ in a })
        guard let lo = position[request.from.sha], let hi = position[request.to.sha] else { return }
        commitsInRange = max(0, hi - lo)
        if let f = a.valuesAt(commit: request.from.sha), let t = a.valuesAt(commit: request.to.sha) {
            entries.append(Entry(series: a.series, href: href, from: f, to: t, primary: a.primary))
        }
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

    /// Request-weighted mean latency over the endpoint series at both commits (weights: request counts at TO).
    func weightedLatency() -> (from: Double, to: Double, requests: Double, series: Int)? {
        let latency = entries.filter { $0.series.key.metric == SeriesKey.requestLatencyMetric && $0.series.unit == .milliseconds }
        let endpoints = latency.contains { !$0.series.key.endpoint.isEmpty } ? latency.filter { !$0.series.key.endpoint.isEmpty } : latency
        var wsum = 0.0
        var f = 0.0
        var t = 0.0
        var n = 0
        for e in endpoints {
            guard let w = e.to.count ?? e.from.count, w > 0,
                let lf = e.from.mean ?? e.from.p50, let lt = e.to.mean ?? e.to.p50
            else { continue }
            wsum += w
            f += w * lf
            t += w * lt
            n += 1
        }
        guard wsum > 0 else { return nil }
        return (f / wsum, t / wsum, wsum, n)
    }

    /// Summed throughput over the endpoint series present at both commits.
    func totalThroughput() -> (from: Double, to: Double, series: Int)? {
        let withTp = entries.filter { $0.from.throughput != nil && $0.to.throughput != nil }
        let endpoints = withTp.contains { !$0.series.key.endpoint.isEmpty } ? withTp.filter { !$0.series.key.endpoint.isEmpty } : withTp
        let f = endpoints.compactMap(\.from.throughput).reduce(0, +)
        let t = endpoints.compactMap(\.to.throughput).reduce(0, +)
        guard !endpoints.isEmpty, f > 0, t > 0 else { return nil }
        return (f, t, endpoints.count)
    }

    func delta(_ a: Double?, _ b: Double?, _ unit: MetricUnit, _ dir: Direction, latency: Bool) -> ReleaseDelta {
        let trend = ReportFormatting.trend(from: a, to: b, unit: unit, direction: dir)
        let word: String
        switch trend {
        case .better: word = latency ? "faster" : "better"
        case .worse: word = latency ? "slower" : "worse"
        case .same: word = "unchanged"
        case .unknown: word = "—"
        }
        return ReleaseDelta(
            from: ReportFormatting.value(a, unit), to: ReportFormatting.value(b, unit),
            delta: ReportFormatting.delta(from: a, to: b, unit: unit), word: word, cls: trend.rawValue)
    }

    func finish(builder: SiteBuilder) -> (html: ReleaseModel, markdown: ReleaseModel) {
        let html = model(builder: builder, esc: { $0 }, root: "")
        let md = model(builder: builder, esc: Escape.markdown, root: "")
        return (html, md)
    }

    func model(builder: SiteBuilder, esc: (String) -> String, root: String) -> ReleaseModel {
        let r = request
        var endpoints: [ReleaseEndpointRow] = []
        var others: [ReleaseOtherRow] = []
        for e in entries.sorted(by: { $0.series < $1.series }) {
            let s = e.series
            let dir = s.direction
            if e.primary == .p95 {
                endpoints.append(
                    ReleaseEndpointRow(
                        series: esc(s.title), href: e.href,
                        p50: escape(delta(e.from.p50, e.to.p50, s.unit, dir, latency: s.unit == .milliseconds), esc),
                        p95: escape(delta(e.from.p95, e.to.p95, s.unit, dir, latency: s.unit == .milliseconds), esc),
                        p99: escape(delta(e.from.p99, e.to.p99, s.unit, dir, latency: s.unit == .milliseconds), esc),
                        errorRate: escape(delta(e.from.errorRate, e.to.errorRate, .ratio, .lowerIsBetter, latency: false), esc),
                        throughput: escape(delta(e.from.throughput, e.to.throughput, .perSecond, .higherIsBetter, latency: false), esc)))
            } else {
                let st = e.primary
                others.append(
                    ReleaseOtherRow(
                        series: esc(s.title), href: e.href, statistic: esc(st.rawValue),
                        value: escape(delta(e.from.get(st), e.to.get(st), st.unit(seriesUnit: s.unit), st.direction(seriesDirection: dir), latency: false), esc)))
            }
        }
        func changeRow(_ c: Change) -> ReleaseChangeRow {
            var l = builder.link(c.commit)
            l.branch = esc(l.branch)
            return ReleaseChangeRow(
                series: esc(c.series), href: c.href, statistic: c.statistic, commit: l,
                before: esc(Formatting.value(c.cp.before, unit: c.unit)), after: esc(Formatting.value(c.cp.after, unit: c.unit)),
                change: esc(Formatting.signedPercent(c.cp.relativeChange)), pValue: esc(ReportFormatting.p(c.cp.pValue)))
        }
        let ordered = changes.sorted { a, b in
            let ta = a.commit.committedAt ?? .distantPast
            let tb = b.commit.committedAt ?? .distantPast
            return ta != tb ? ta < tb : a.series < b.series
        }
        let introduced = ordered.filter(\.worse).map(changeRow)
        let fixed = ordered.filter { !$0.worse && $0.fixesEarlier }.map(changeRow)
        let improvements = ordered.filter { !$0.worse && !$0.fixesEarlier }.map(changeRow)

        // Capacity and money.
        var capacity: [ReleaseEstimate] = []
        var estimates: [ReleaseEstimate] = []
        var caveats: [String] = []
        let tp = totalThroughput()
        let lat = weightedLatency()
        if let tp {
            let ratio = tp.to / tp.from
            capacity.append(
                ReleaseEstimate(
                    name: esc("Capacity (throughput per instance)"),
                    result: esc("\(Formatting.value(tp.to, unit: .perSecond)) per instance (\(Formatting.signedPercent(ratio - 1)))"),
                    formula: esc("capacity change = T_to ÷ T_from − 1"),
                    substituted: esc("\(Formatting.value(tp.to, unit: .perSecond)) ÷ \(Formatting.value(tp.from, unit: .perSecond)) − 1 = \(Formatting.signedPercent(ratio - 1))"),
                    inputs: [
                        NameValue(name: esc("T_from (summed throughput of \(tp.series) endpoints at \(r.from.shortSha))"), value: esc(Formatting.value(tp.from, unit: .perSecond))),
                        NameValue(name: esc("T_to (the same endpoints at \(r.to.shortSha))"), value: esc(Formatting.value(tp.to, unit: .perSecond))),
                    ]))
            caveats.append(esc("Throughput is what the load test measured on one instance under test; it stands for capacity only when the test drives the service to saturation."))
        }
        if let lat {
            capacity.append(
                ReleaseEstimate(
                    name: esc("Request-weighted mean latency"),
                    result: esc("\(Formatting.value(lat.to, unit: .milliseconds)) (\(ReportFormatting.signedValue(lat.to - lat.from, .milliseconds)))"),
                    formula: esc("L = Σ(count_i × mean_i) ÷ Σ count_i over endpoints, with the counts at TO for both commits"),
                    substituted: esc("L_from = \(Formatting.value(lat.from, unit: .milliseconds)), L_to = \(Formatting.value(lat.to, unit: .milliseconds)), ΔL = \(ReportFormatting.signedValue(lat.to - lat.from, .milliseconds))"),
                    inputs: [
                        NameValue(name: esc("endpoints"), value: String(lat.series)),
                        NameValue(name: esc("requests at TO (weights)"), value: esc(ReportFormatting.grouped(lat.requests, decimals: 0))),
                    ]))
        }
        var inputs: [NameValue] = []
        if let m = r.costModel {
            let cur = m.currency
            inputs = [
                NameValue(name: "traffic per month (requests)", value: ReportFormatting.grouped(m.trafficPerMonth, decimals: 0)),
                NameValue(name: "cost per instance-hour", value: ReportFormatting.money(m.costPerInstanceHour, currency: cur)),
                NameValue(name: "instances (at FROM)", value: ReportFormatting.grouped(m.instances, decimals: m.instances == m.instances.rounded() ? 0 : 2)),
                NameValue(name: "value of 100 ms of latency per month", value: ReportFormatting.money(m.valueOf100msPerMonth, currency: cur)),
                NameValue(name: "hours per month", value: ReportFormatting.grouped(m.hoursPerMonth, decimals: 0)),
            ].map { NameValue(name: esc($0.name), value: esc($0.value)) }
            let base = m.instances * m.costPerInstanceHour * m.hoursPerMonth
            var costDelta: Double?
            if let tp {
                let needed = m.instances * tp.from / tp.to
                let after = needed * m.costPerInstanceHour * m.hoursPerMonth
                costDelta = after - base
                estimates.append(
                    ReleaseEstimate(
                        name: esc("Monthly infrastructure cost"),
                        result: esc("\(ReportFormatting.money(after, currency: cur)) per month (\(ReportFormatting.signedMoney(after - base, currency: cur)))"),
                        formula: esc("cost = N × (T_from ÷ T_to) × C × H; change = cost − N × C × H"),
                        substituted: esc("\(fmt(m.instances)) × (\(Formatting.value(tp.from, unit: .perSecond)) ÷ \(Formatting.value(tp.to, unit: .perSecond))) × \(ReportFormatting.money(m.costPerInstanceHour, currency: cur)) × \(fmt(m.hoursPerMonth)) h = \(ReportFormatting.money(after, currency: cur)); before: \(fmt(m.instances)) × \(ReportFormatting.money(m.costPerInstanceHour, currency: cur)) × \(fmt(m.hoursPerMonth)) h = \(ReportFormatting.money(base, currency: cur))"),
                        inputs: [
                            NameValue(name: "N (instances)", value: fmt(m.instances)),
                            NameValue(name: "C (cost per instance-hour)", value: ReportFormatting.money(m.costPerInstanceHour, currency: cur)),
                            NameValue(name: "H (hours per month)", value: fmt(m.hoursPerMonth)),
                            NameValue(name: "T_from, T_to (capacity above)", value: "\(Formatting.value(tp.from, unit: .perSecond)), \(Formatting.value(tp.to, unit: .perSecond))"),
                        ].map { NameValue(name: esc($0.name), value: esc($0.value)) }))
                if m.trafficPerMonth > 0 {
                    let perMillionBefore = base / m.trafficPerMonth * 1_000_000
                    let perMillionAfter = after / m.trafficPerMonth * 1_000_000
                    estimates.append(
                        ReleaseEstimate(
                            name: esc("Cost per million requests"),
                            result: esc("\(ReportFormatting.money(perMillionAfter, currency: cur)) (was \(ReportFormatting.money(perMillionBefore, currency: cur)))"),
                            formula: esc("cost per million = monthly cost ÷ R × 1,000,000"),
                            substituted: esc("\(ReportFormatting.money(after, currency: cur)) ÷ \(ReportFormatting.grouped(m.trafficPerMonth, decimals: 0)) × 1,000,000 = \(ReportFormatting.money(perMillionAfter, currency: cur))"),
                            inputs: [NameValue(name: esc("R (traffic per month)"), value: esc(ReportFormatting.grouped(m.trafficPerMonth, decimals: 0)))]))
                }
            } else {
                caveats.append(esc("No cost estimate: no throughput was measured at both commits."))
            }
            var valueDelta: Double?
            if let lat {
                let dl = lat.to - lat.from
                let value = -(dl / 100) * m.valueOf100msPerMonth
                valueDelta = value
                estimates.append(
                    ReleaseEstimate(
                        name: esc("Value of the latency change"),
                        result: esc("\(ReportFormatting.signedMoney(value, currency: cur)) per month (\(value >= 0 ? "a gain" : "a loss"))"),
                        formula: esc("value = −(ΔL ÷ 100 ms) × V"),
                        substituted: esc("−(\(ReportFormatting.signedValue(dl, .milliseconds)) ÷ 100 ms) × \(ReportFormatting.money(m.valueOf100msPerMonth, currency: cur)) = \(ReportFormatting.signedMoney(value, currency: cur))"),
                        inputs: [
                            NameValue(name: "ΔL (request-weighted mean latency change)", value: ReportFormatting.signedValue(dl, .milliseconds)),
                            NameValue(name: "V (value of 100 ms per month)", value: ReportFormatting.money(m.valueOf100msPerMonth, currency: cur)),
                        ].map { NameValue(name: esc($0.name), value: esc($0.value)) }))
            } else {
                caveats.append(esc("No latency value: no request latency with counts was measured at both commits."))
            }
            if let c = costDelta, let v = valueDelta {
                let net = v - c
                estimates.append(
                    ReleaseEstimate(
                        name: esc("Net monthly effect"),
                        result: esc("\(ReportFormatting.signedMoney(net, currency: cur)) per month"),
                        formula: esc("net = value of the latency change − cost change"),
                        substituted: esc("\(ReportFormatting.signedMoney(v, currency: cur)) − (\(ReportFormatting.signedMoney(c, currency: cur))) = \(ReportFormatting.signedMoney(net, currency: cur))"),
                        inputs: []))
            }
        }
        // Compliance at TO.
        var findings: [FindingRow] = []
        var verdict = ""
        var verdictClass = ""
        var score = ""
        var compliance = ""
        if let o = r.outcome {
            verdict = o.verdict == .fail ? "FAIL" : o.verdict == .warn ? "WARN" : "PASS"
            verdictClass = o.verdict == .fail ? "fail" : o.verdict == .warn ? "warn" : "pass"
            score = Formatting.fixed(o.score, 0)
            let counted = o.findings.filter { $0.verdict == .pass || $0.verdict == .warn || $0.verdict == .fail || $0.verdict == .improved }
            let ok = counted.filter { $0.verdict != .fail }.count
            compliance = "\(ok) of \(counted.count) evaluated rules within budget"
            findings = o.findings.filter { $0.verdict != .pass }.sorted(by: SiteBuilder.findingOrder).map { f in
                let row = builder.findingRow(f)
                return FindingRow(
                    series: esc(row.series), statistic: esc(row.statistic), baseline: esc(row.baseline), current: esc(row.current),
                    delta: esc(row.delta), limit: esc(row.limit), verdict: esc(row.verdict), verdictClass: row.verdictClass,
                    evidence: esc(row.evidence))
            }
        }
        let slower = endpoints.filter { $0.p95.cls == "worse" }.count
        let faster = endpoints.filter { $0.p95.cls == "better" }.count
        let headline = "\(faster) endpoint\(faster == 1 ? "" : "s") faster and \(slower) slower at p95; \(introduced.count) regression\(introduced.count == 1 ? "" : "s") introduced, \(fixed.count) fixed"
        var from = builder.link(r.from)
        var to = builder.link(r.to)
        from.branch = esc(from.branch)
        to.branch = esc(to.branch)
        return ReleaseModel(
            meta: builder.meta("Release \(r.fromLabel) → \(r.toLabel)", root: root),
            title: esc("Release \(r.fromLabel) → \(r.toLabel)"), from: from, to: to, fromLabel: esc(r.fromLabel),
            toLabel: esc(r.toLabel), commitsInRange: String(commitsInRange), headline: esc(headline), endpoints: endpoints,
            hasEndpoints: !endpoints.isEmpty, others: others, hasOthers: !others.isEmpty, hasOutcome: r.outcome != nil,
            outcomeReason: esc(r.outcomeReason), verdict: verdict, verdictClass: verdictClass, score: score,
            compliance: esc(compliance), findings: findings, hasFindings: !findings.isEmpty, introduced: introduced,
            hasIntroduced: !introduced.isEmpty, fixed: fixed, hasFixed: !fixed.isEmpty, improvements: improvements,
            hasImprovements: !improvements.isEmpty, capacity: capacity, hasCostModel: r.costModel != nil,
            costModelInputs: inputs, estimates: estimates, hasEstimates: !estimates.isEmpty,
            noCostModel: "No cost model given (--cost-model FILE), so no money estimate is shown.", caveats: caveats)
    }

    func fmt(_ v: Double) -> String { ReportFormatting.grouped(v, decimals: v == v.rounded() ? 0 : 2) }

    func escape(_ d: ReleaseDelta, _ esc: (String) -> String) -> ReleaseDelta {
        ReleaseDelta(from: esc(d.from), to: esc(d.to), delta: esc(d.delta), word: esc(d.word), cls: d.cls)
    }
}
