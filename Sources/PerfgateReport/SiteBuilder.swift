import Foundation
import PerfgateCore

/// What to put on the site besides the history itself.
public struct SiteOptions: Sendable {
    /// Budgets, for budget lines on the charts (their evaluation comes in `outcome`).
    public var budgets: BudgetSet?
    /// The gate's outcome for `outcomeCommit` (the newest commit), when a budget file was given.
    public var outcome: GateOutcome?
    public var outcomeCommit: CommitInfo?
    /// Why there is no outcome ("no budget file given").
    public var statusReason: String
    /// Full SHAs of the two commits to compare; nil compares the newest two.
    public var compare: (from: String, to: String)?
    /// The release summary to produce, if any.
    public var release: ReleaseRequest?
    /// The budget back-tested over the history (`perfgate tune`), for `tune.html`.
    public var tune: TuneReport?
    /// The newest commit's readiness summary (`perfgate readiness`), for `summary.md`.
    public var readiness: ReadinessReport?
    /// Reads the capacity campaigns of a commit (`to`) and of the commit it is compared with (`from`), for
    /// the compare page's capacity curves; nil draws none.
    public var capacityCurves: (@Sendable (_ to: String, _ from: String) throws -> [CapacityCurvePair])?

    public init(
        budgets: BudgetSet? = nil, outcome: GateOutcome? = nil, outcomeCommit: CommitInfo? = nil,
        statusReason: String = "no budget file given", compare: (from: String, to: String)? = nil,
        release: ReleaseRequest? = nil
    ) {
        self.budgets = budgets
        self.outcome = outcome
        self.outcomeCommit = outcomeCommit
        self.statusReason = statusReason
        self.compare = compare
        self.release = release
    }
}

/// What was written.
public struct SiteResult: Sendable, Hashable {
    /// Relative paths of the pages rendered and written, sorted.
    public var pages: [String]
    /// Relative paths of the pages kept from an earlier build (same inputs, file unchanged), sorted:
    /// neither read from the store, rendered nor written.
    public var kept: [String] = []
}

/// Builds the static site: `index.html`, `series/<slug>.html`, `runs/<id>.html`, `compare.html`,
/// `summary.md`, and with a release request `release.html` and `release.md`.
///
/// Series are read and rendered one at a time, and only a few numbers per series are kept for the
/// index, so memory does not grow with the length of the history.
public struct SiteBuilder {
    public var context: ReportContext
    public var templates: TemplateLibrary
    public var options: SiteOptions

    public init(context: ReportContext, templates: TemplateLibrary, options: SiteOptions = SiteOptions()) {
        self.context = context
        self.templates = templates
        self.options = options
    }

    func meta(_ title: String, root: String) -> PageMeta {
        PageMeta(
            title: title, root: root, generatedAt: ReportFormatting.time(context.generatedAt), toolVersion: context.toolVersion,
            baseBranch: context.baseBranch)
    }

    func link(_ c: CommitInfo) -> CommitLink {
        let url = context.commitURL(c.sha)
        return CommitLink(
            short: c.shortSha, sha: c.sha, url: url ?? "", hasURL: url != nil, branch: c.branch,
            time: ReportFormatting.time(c.committedAt))
    }

    static func runOrder(_ a: ReportRun, _ b: ReportRun) -> Bool {
        let ta = a.commit.committedAt ?? .distantPast
        let tb = b.commit.committedAt ?? .distantPast
        if ta != tb { return ta < tb }
        let sa = a.startedAt ?? .distantPast
        let sb = b.startedAt ?? .distantPast
        if sa != sb { return sa < sb }
        return a.id < b.id
    }

    /// Renders every page into `sink`, but for the series and run pages the sink has from an earlier
    /// build with the same inputs (``ReportSink/reusablePages()``): those are kept as they are.
    public func build(from source: any ReportSource, into sink: inout some ReportSink) throws -> SiteResult {
        var written: [String] = []
        var kept: [String] = []
        func write(_ text: String, _ path: String) throws {
            try sink.write(text, to: path)
            written.append(path)
        }
        let reusable = sink.reusablePages()
        let site = siteInputs()
        let runs = try source.runs().sorted(by: Self.runOrder)
        var order: [Int64: Int] = [:]
        for (i, r) in runs.enumerated() { order[r.id] = i }
        let allSeries = try source.series().sorted()

        // Commits, oldest first, and the pair to compare.
        var commits: [CommitInfo] = []
        var seen: Set<String> = []
        for r in runs where seen.insert(r.commit.sha).inserted { commits.append(r.commit) }
        let comparePair: (CommitInfo, CommitInfo)? = {
            if let (a, b) = options.compare {
                guard let ca = commits.first(where: { $0.sha == a }), let cb = commits.first(where: { $0.sha == b }) else { return nil }
                return (ca, cb)
            }
            guard commits.count >= 2 else { return nil }
            return (commits[commits.count - 2], commits[commits.count - 1])
        }()
        // Decisions: the gate's on the newest commit, and `perfgate compare`'s for the pair and the release.
        let gate = FindingIndex(options.outcome)
        let (compareOutcome, compareReason) = comparePair.map { Self.comparison(source, from: $0.0, to: $0.1) } ?? (nil, "")
        var release = options.release.map { r -> ReleaseCollector in
            let (o, reason) = Self.comparison(source, from: r.from, to: r.to)
            return ReleaseCollector(request: r, comparison: FindingIndex(o), comparisonReason: reason)
        }

        var indexRows: [(SeriesRole, IndexSeriesRow)] = []
        var changeRows: [(Date, String, SeriesRole, ChangePointRow)] = []
        var summaryRows: [(role: SeriesRole, rank: Int, severity: Double, row: SummaryRow)] = []
        var fallbackCompareRows: [(SeriesRole, CompareRow)] = []
        var slugs: [String: String] = [:]

        // Series pages and run pages are rendered on every core, a few pages ahead of the one being
        // written (so memory stays bounded), and written in order.
        let seriesSite = seriesSiteInputs(site)
        try OrderedParallel.forEach(allSeries, inFlight: OrderedParallel.defaultWorkers) { s -> (SeriesAnalysis, String?, String)? in
            let a = SeriesAnalysis(series: s, points: try source.points(of: s), runOrder: order, runs: runs, context: context)
            guard !a.points.isEmpty else { return nil }
            let inputs = Self.seriesInputs(a, site: seriesSite)
            if reusable["series/\(s.slug).html"] == inputs { return (a, nil, inputs) }
            return (a, try templates.render(seriesPage(a), template: "html/series.html"), inputs)
        } consume: { s, rendered in
            guard let (a, html, inputs) = rendered else { return }
            let slug = s.slug
            let role = SeriesRole.of(s.key)
            slugs[Self.identity(s.scenario, s.environment, s.key)] = slug
            let href = "series/\(slug).html"
            if let html { try write(html, href) } else { kept.append(href) }
            sink.record(href, inputs: inputs)
            let trend = trendDescription(a, gate: gate)
            indexRows.append((role, indexRow(a, href: href, trend: trend)))
            for (st, cp) in a.allChangePoints {
                let c = a.commit(cp)
                changeRows.append((c.committedAt ?? .distantPast, s.title, role, changePointRow(a, st, cp, href: href, root: "")))
            }
            let sr = summaryRow(a, trend: trend)
            summaryRows.append((role, sr.rank, sr.severity, sr.row))
            if compareOutcome == nil, let (ca, cb) = comparePair {
                fallbackCompareRows += self.compareRows(a, ca.sha, cb.sha, href: href).map { (role, $0) }
            }
            release?.add(a, href: href, commits: commits)
        }

        let slugsByIdentity = slugs
        // Timelines of the compared commits' runs, for the compare page's overlay (run ids ascending).
        var compareTimelines: [(run: ReportRun, timeline: RunTimeline)] = []
        let compareShas = comparePair.map { [$0.0.sha, $0.1.sha] } ?? []
        // A run page is kept when the store's stamp of the run and everything site-wide are unchanged; the
        // compared commits' runs are still read, for their timelines.
        let runSite = Self.runSiteInputs(site, slugs: slugsByIdentity)
        var inputsByRun: [Int64: String] = [:]
        for (id, stamp) in try source.runStamps() ?? [:] { inputsByRun[id] = Fingerprint(runSite, String(id), stamp).value }
        let runInputs = inputsByRun  // read by the render threads
        try OrderedParallel.forEach(runs, inFlight: 8 * OrderedParallel.defaultWorkers) { r -> (html: String?, timeline: RunTimeline?)? in
            let keep = runInputs[r.id].map { reusable["runs/\(r.id).html"] == $0 } ?? false
            if keep && !compareShas.contains(r.commit.sha) { return (nil, nil) }
            guard let d = try source.detail(runId: r.id) else { return nil }
            return (keep ? nil : try templates.render(runPage(d, slugs: slugsByIdentity), template: "html/run.html"), d.result.timeline)
        } consume: { r, rendered in
            guard let rendered else { return }
            let path = "runs/\(r.id).html"
            if let html = rendered.html { try write(html, path) } else { kept.append(path) }
            if let inputs = runInputs[r.id] { sink.record(path, inputs: inputs) }
            if let t = rendered.timeline, compareShas.contains(r.commit.sha) { compareTimelines.append((r, t)) }
        }

        if let (ca, cb) = comparePair {
            let rows = compareOutcome.map { compareRows($0, slugs: slugsByIdentity) } ?? fallbackCompareRows
            let lead = rows.filter { $0.0.leads }.map(\.1)
            let folded = rows.filter { !$0.0.leads }.map(\.1)
            let changed = rows.filter { $0.1.decision != "same" && $0.1.decision != "unknown" }.count
            let note =
                compareOutcome != nil
                ? "A and B are the medians of each commit's runs. Each row is tested as `perfgate compare \(ca.shortSha) \(cb.shortSha) --metric METRIC` tests it (Benjamini–Hochberg over all rows); a row is a change, and coloured, only when the change is significant and at least 5% (5 percentage points for error rates). ~ is no significant change. \(changed) of \(rows.count) rows changed."
                : "Medians of the runs at each commit. No statistical comparison: \(compareReason); no row is coloured."
            var page = ComparePage(
                meta: meta("Compare \(ca.shortSha) → \(cb.shortSha)", root: ""), a: link(ca), b: link(cb), rows: lead,
                hasRows: !lead.isEmpty, internalRows: folded, hasInternalRows: !folded.isEmpty, internalCount: String(folded.count),
                note: note)
            page.timelineCaption = compareOverlay(compareTimelines, ca, cb, html: &page.timelineHTML)
            if let curves = try options.capacityCurves?(cb.sha, ca.sha) {
                page.capacityCurves = CapacityChart.comparisonHTML(curves, label: cb.shortSha, baselineLabel: ca.shortSha)
            }
            try write(try templates.render(page, template: "html/compare.html"), "compare.html")
        }

        if let report = options.tune {
            let page = TunePage(meta: meta("How this budget would have performed", root: ""), report: report)
            try write(try templates.render(page, template: "html/tune.html"), "tune.html")
        }

        var releaseWritten = false
        if let collector = release {
            let model = collector.finish(builder: self)
            try write(try templates.render(model.html, template: "html/release.html"), "release.html")
            try write(try templates.render(model.markdown, template: "markdown/release.md"), "release.md")
            releaseWritten = true
        }

        var summary = summaryModel(summaryRows)
        summary.readiness = options.readiness?.markdown(headingLevel: 4) ?? ""
        try write(try templates.render(summary, template: "markdown/summary.md"), "summary.md")

        changeRows.sort { ($0.0, $0.1) > ($1.0, $1.1) }
        // Endpoints, then custom metrics; the order of the series within each.
        let leadSeries = indexRows.enumerated().filter { $0.element.0.leads }
            .sorted { ($0.element.0, $0.offset) < ($1.element.0, $1.offset) }.map(\.element.1)
        let foldedSeries = indexRows.filter { !$0.0.leads }.map(\.1)
        let leadChanges = changeRows.filter { $0.2.leads }.map(\.3)
        let foldedChanges = changeRows.filter { !$0.2.leads }.map(\.3)
        let newest = runs.last { $0.commit.branch == context.baseBranch } ?? runs.last
        let runLinks = runs.reversed().map { runLink($0, root: "") }
        let index = IndexPage(
            meta: meta("perfgate report", root: ""), status: statusModel(), newest: newest.map { link($0.commit) },
            hasNewest: newest != nil, series: leadSeries, hasSeries: !leadSeries.isEmpty, internalSeries: foldedSeries,
            hasInternalSeries: !foldedSeries.isEmpty, internalCount: String(foldedSeries.count), changePoints: leadChanges,
            hasChangePoints: !leadChanges.isEmpty, internalChangePoints: foldedChanges,
            hasInternalChangePoints: !foldedChanges.isEmpty,
            runs: runLinks, runsRowsHTML: RowsHTML.indexRuns(runLinks), runCount: String(runs.count), compareHref: "compare.html",
            hasCompare: comparePair != nil, releaseHref: "release.html", hasRelease: releaseWritten, tuneHref: "tune.html",
            hasTune: options.tune != nil)
        try write(try templates.render(index, template: "html/index.html"), "index.html")
        try sink.finish()
        return SiteResult(pages: written.sorted(), kept: kept.sorted())
    }

    // MARK: inputs of the pages kept from an earlier build

    /// What every page shows besides its own data: the version, the generation time (as shown), the commit
    /// links, the base branch, the baseline window and every template's text.
    func siteInputs() -> String {
        Fingerprint(
            "perfgate site", context.toolVersion, ReportFormatting.time(context.generatedAt), context.commitURLTemplate ?? "-",
            context.baseBranch, String(context.baselineWindow), templates.digest
        ).value
    }

    /// …and for series pages the budgets (their lines and texts).
    func seriesSiteInputs(_ site: String) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        // A budget set that cannot be encoded never matches an earlier build.
        let budgets = options.budgets.map { b in (try? encoder.encode(b)).map { String(decoding: $0, as: UTF8.self) } ?? UUID().uuidString }
        return Fingerprint(site, "series pages", budgets ?? "-").value
    }

    /// A series page's inputs: the series and every point with its run and commit, in the page's order.
    static func seriesInputs(_ a: SeriesAnalysis, site: String) -> String {
        let s = a.series
        var f = Fingerprint(
            site, s.scenario, s.environment, s.key.endpoint, s.key.metric, s.unit.rawValue, String(describing: s.direction),
            String(a.points.count))
        for p in a.points {
            let r = p.run
            f.add(String(r.id))
            f.add(r.commit.sha)
            f.add(r.commit.branch)
            f.add(r.commit.committedAt)
            f.add(r.startedAt)
            f.add(r.scenario)
            f.add(r.environment)
            f.add(r.tool)
            for st in SeriesPoint.statistics { f.add(p.stats.get(st)) }
        }
        return f.value
    }

    /// …and for run pages the series pages they link to.
    static func runSiteInputs(_ site: String, slugs: [String: String]) -> String {
        var f = Fingerprint(site, "run pages")
        for (identity, slug) in slugs.sorted(by: { $0.key < $1.key }) {
            f.add(identity)
            f.add(slug)
        }
        return f.value
    }

    static func identity(_ scenario: String, _ environment: String, _ key: SeriesKey) -> String {
        [scenario, environment, key.endpoint, key.metric].joined(separator: "\u{1F}")
    }

    func runLink(_ r: ReportRun, root: String) -> RunLinkRow {
        RunLinkRow(
            id: String(r.id), href: "\(root)runs/\(r.id).html", commit: link(r.commit), scenario: r.scenario,
            environment: r.environment, tool: r.tool, started: ReportFormatting.time(r.startedAt))
    }

    // MARK: status

    func statusModel() -> StatusModel {
        guard let o = options.outcome else {
            // The "pass --budget" hint only when no budget file was given (with one, the reason says what failed).
            return StatusModel(
                hasOutcome: false, reason: options.statusReason, suggestBudget: options.budgets == nil, verdict: "",
                verdictClass: "", score: "", headline: "", baseline: "", baselineMissing: false, notices: [], findings: [],
                hasFindings: false, passingCount: "")
        }
        let word = o.verdict == .fail ? "FAIL" : o.verdict == .warn ? "WARN" : "PASS"
        let cls = o.verdict == .fail ? "fail" : o.verdict == .warn ? "warn" : "pass"
        let rows = o.findings.filter { $0.verdict != .pass }.sorted(by: Self.findingOrder).map(findingRow)
        // The gate's notices already carry the baseline's notices and the no-baseline notice: shown once.
        return StatusModel(
            hasOutcome: true, reason: "", suggestBudget: false, verdict: word, verdictClass: cls, score: Formatting.fixed(o.score, 0),
            headline: o.headline, baseline: o.baseline?.description ?? "none", baselineMissing: o.baselineMissing,
            notices: o.notices, findings: rows, hasFindings: !rows.isEmpty,
            passingCount: String(o.findings.filter { $0.verdict == .pass }.count))
    }

    static func findingOrder(_ a: Finding, _ b: Finding) -> Bool {
        (a.severityRank, a.scenario, a.endpoint, a.metric, a.statistic, a.rulePath)
            < (b.severityRank, b.scenario, b.endpoint, b.metric, b.statistic, b.rulePath)
    }

    /// A gate finding as every page shows it: the cells `perfgate check` prints (``GateReport``), the
    /// verdict in the words of ``FindingDescription`` and its colour class.
    func findingRow(_ f: Finding) -> FindingRow {
        let d = FindingDescription(f)
        return FindingRow(
            series: (f.scenario.isEmpty ? "" : f.scenario + " · ") + (f.endpoint.isEmpty ? "(all)" : f.endpoint)
                + (f.metric == SeriesKey.requestLatencyMetric ? "" : " · " + f.metric),
            statistic: f.statistic, baseline: GateReport.valueText(f.baseline, f.unit),
            current: GateReport.valueText(f.current, f.unit), delta: GateReport.deltaText(f), limit: f.limit,
            verdict: d.symbolLabel, verdictClass: d.cssClass, evidence: GateReport.evidenceText(f))
    }

    // MARK: index rows

    /// A series on the index. Its colour (Δ cell, sparkline) is the decision's (``trendDescription(_:gate:)``),
    /// never the raw change.
    func indexRow(_ a: SeriesAnalysis, href: String, trend: FindingDescription) -> IndexSeriesRow {
        let u = a.unit(a.primary)
        let values = a.base.compactMap { $0.stats.get(a.primary) }
        let baseline = a.baselineMedian
        let branchNote = a.baseIsBranch ? context.baseBranch : "all branches"
        let title = "\(a.series.title) \(a.primary.rawValue) on \(branchNote): \(values.count) points, newest \(ReportFormatting.value(a.latest, u))"
        return IndexSeriesRow(
            title: a.series.title, href: href, metric: a.series.key.metric, environment: a.series.environment,
            statistic: a.primary.rawValue,
            sparkline: Sparkline(values: values, title: title, worse: [.fail, .warn, .worse].contains(trend.kind)).svg(),
            first: ReportFormatting.value(values.first, u), low: ReportFormatting.value(values.min(), u),
            high: ReportFormatting.value(values.max(), u), latest: ReportFormatting.value(a.latest, u),
            baseline: ReportFormatting.value(baseline, u),
            delta: ReportFormatting.delta(from: baseline, to: a.latest, unit: u), trendClass: trend.cssClass,
            change: trend.symbolLabel, decision: trend.cssClass, points: String(values.count),
            changePoints: String(a.allChangePoints.count))
    }

    func changePointRow(_ a: SeriesAnalysis, _ st: Statistic, _ cp: DetectedChangePoint, href: String, root: String) -> ChangePointRow {
        let u = a.unit(st)
        let worse = cp.isRegression
        return ChangePointRow(
            series: a.series.title, href: root + href, statistic: st.rawValue, commit: link(a.commit(cp)),
            before: ReportFormatting.value(cp.before, u), after: ReportFormatting.value(cp.after, u),
            change: Formatting.signedPercent(cp.relativeChange), pValue: Formatting.pValue(cp.pValue),
            kind: worse ? "regression" : "improvement", kindClass: worse ? "worse" : "better")
    }

    // MARK: series page

    func seriesPage(_ a: SeriesAnalysis) -> SeriesPage {
        let s = a.series
        let root = "../"
        let u = a.unit(a.primary)
        // Budget lines: absolute rules on a drawn statistic whose selector picks this series.
        var budgetRules: [(statistic: Statistic, rule: LineChart.Rule)] = []
        var budgetTexts: [String] = []
        if let set = options.budgets {
            let run = GateRun(id: "", commitSha: "", scenario: s.scenario, environment: s.environment, tool: "", series: [])
            for b in set.budgets where b.selector.matches(run: run, key: s.key) {
                for r in b.rules {
                    let ru = r.statistic.unit(seriesUnit: s.unit)
                    switch r.kind {
                    case .absolute(let op, let limit):
                        let text = "\(r.level.rawValue) \(r.statistic.rawValue) \(op.rawValue) \(Formatting.value(limit, unit: ru)) (\(b.name))"
                        budgetTexts.append(text)
                        budgetRules.append((r.statistic, LineChart.Rule(label: text, value: limit)))
                    case .relative(let limit, let amount):
                        let l = amount ? Formatting.value(limit, unit: ru) : Formatting.fixed(limit * 100, 1) + "%"
                        budgetTexts.append("\(r.level.rawValue) \(r.statistic.rawValue) at most \(l) worse than the baseline (\(b.name))")
                    case .statistical(let minEffect):
                        budgetTexts.append(
                            "\(r.level.rawValue) \(r.statistic.rawValue) worse by ≥ \(Formatting.fixed(minEffect * 100, 1))% and significant (\(b.name))")
                    case .drift(let limit):
                        budgetTexts.append(
                            "\(r.level.rawValue) \(r.statistic.rawValue) drifting up by more than \(Formatting.fixed(limit * 100, 1))%/h within a run (\(b.name))")
                    case .steady:
                        budgetTexts.append("\(r.level.rawValue) a steady state reached within a run (\(b.name))")
                    }
                }
            }
        }
        let branchNote = a.baseIsBranch ? "\(context.baseBranch) runs" : "runs (all branches; \(context.baseBranch) has none)"
        // x positions: index in this series' points (every branch, commit order).
        var xOfOrder: [Int: Int] = [:]
        var xOfCommit: [String: Int] = [:]
        for (i, p) in a.points.enumerated() {
            xOfOrder[p.order] = i
            if xOfCommit[p.run.commit.sha] == nil || p.run.commit.branch == context.baseBranch { xOfCommit[p.run.commit.sha] = i }
        }
        var band: LineChart.Band?
        var bandText = ""
        if a.drawn.contains(a.primary), a.baselineWindow.count >= 2, let lo = a.baselineWindow.min(), let hi = a.baselineWindow.max() {
            bandText = "Baseline band: \(a.primary.rawValue) from \(Formatting.value(lo, unit: u)) to \(Formatting.value(hi, unit: u)) over the last \(a.baselineWindow.count) \(branchNote) before the newest (median \(ReportFormatting.value(a.baselineMedian, u))), the window the newest run is tested against."
            band = LineChart.Band(low: lo, high: hi, label: bandText, fromX: a.baselineStart.flatMap { xOfOrder[$0] } ?? 0)
        }
        let detected = Dictionary(a.changePointsByStatistic.map { ($0.statistic, $0.changePoints) }, uniquingKeysWith: { x, _ in x })
        func markers(_ stats: [Statistic]) -> [LineChart.Marker] {
            stats.flatMap { st in
                (detected[st] ?? []).map { cp in
                    let su = a.unit(st)
                    return LineChart.Marker(
                        x: xOfCommit[cp.commitSha] ?? 0,
                        label: "\(cp.isRegression ? "regression" : "improvement") of \(st.rawValue) at \(String(cp.commitSha.prefix(8))): \(Formatting.value(cp.before, unit: su)) → \(Formatting.value(cp.after, unit: su)) (\(Formatting.signedPercent(cp.relativeChange)), p=\(Formatting.pValue(cp.pValue)))\(cp.settled ? "" : ", not settled yet")",
                        worse: cp.isRegression)
                }
            }
        }
        // The x axis names base-branch commits (every branch's when the base branch has none here) by
        // commit date, or by time of day when they all share one date.
        let times = a.base.map { ReportFormatting.time($0.run.commit.committedAt) }
        let oneDay = Set(times.map { $0.prefix(10) }).count == 1
        let xLabels = zip(a.base, times).compactMap { p, t -> LineChart.XLabel? in
            xOfOrder[p.order].map {
                LineChart.XLabel(x: $0, sha: p.run.commit.shortSha, date: oneDay && t.count >= 16 ? String(t.dropFirst(11).prefix(5)) + " UTC" : String(t.prefix(10)))
            }
        }
        let branches = Array(Set(a.points.map(\.run.commit.branch))).sorted()
        let shownBranch = a.baseIsBranch ? context.baseBranch : ""
        let otherBranches = a.baseIsBranch ? branches.filter { $0 != context.baseBranch } : []
        func lines(_ stats: [Statistic]) -> [LineChart.Line] {
            var out: [LineChart.Line] = []
            for st in stats {
                for br in branches {
                    let pts = a.points.enumerated().compactMap { i, p -> (x: Int, value: Double)? in
                        guard p.run.commit.branch == br, let v = p.stats.get(st) else { return nil }
                        return (i, v)
                    }
                    if !pts.isEmpty { out.append(LineChart.Line(statistic: st.rawValue, branch: br, points: pts)) }
                }
            }
            return out
        }
        func hover(_ st: Statistic, _ shown: [Statistic]) -> [LineChart.HoverPoint] {
            let candidates = a.points.enumerated().compactMap { i, p -> (x: Int, value: Double, branch: String)? in
                p.stats.get(st).map { (i, $0, p.run.commit.branch) }
            }
            return LineChart.hoverSelection(candidates, count: a.points.count).map { k in
                let (i, v, _) = candidates[k]
                let p = a.points[i]
                let values = shown.compactMap { s in p.stats.get(s).map { "\(s.rawValue) \(Formatting.value($0, unit: a.unit(s)))" } }
                let title = "commit \(p.run.commit.shortSha) · \(p.run.commit.branch) · \(ReportFormatting.time(p.run.commit.committedAt))\n"
                    + values.joined(separator: " · ") + "\nrun \(p.run.id) (\(p.run.scenario), \(p.run.environment))"
                return LineChart.HoverPoint(
                    x: i, value: v, branch: p.run.commit.branch, title: title,
                    url: context.commitURL(p.run.commit.sha) ?? "\(root)runs/\(p.run.id).html")
            }
        }
        // One chart for the percentiles (or the primary), one each for error rate and throughput; each
        // with the budget lines of its own statistics and the change points of every statistic it draws.
        var groups: [[Statistic]] = [a.drawn]
        for extra in [Statistic.errorRate, .throughput] where !a.drawn.contains(extra) && a.points.contains(where: { $0.stats.get(extra) != nil }) {
            groups.append([extra])
        }
        let charts = groups.map { stats -> ChartModel in
            let title = stats.map(\.rawValue).joined(separator: " / ")
            let chart = LineChart(
                accessibleTitle: "\(s.title): \(stats.map(\.rawValue).joined(separator: ", ")) over \(a.points.count) runs",
                unit: a.unit(stats[0]), count: a.points.count, baseBranch: shownBranch, lines: lines(stats),
                hover: hover(stats.contains(a.primary) ? a.primary : stats[0], stats),
                budgets: budgetRules.filter { stats.contains($0.statistic) }.map(\.rule),
                band: stats.contains(a.primary) ? band : nil, markers: markers(stats), xLabels: xLabels)
            return ChartModel(title: title, svg: chart.svg(), legend: stats.map { LegendItem(name: $0.rawValue, cls: $0.rawValue) })
        }
        let shownStats: [Statistic] = SeriesPoint.statistics.filter { st in a.points.contains { $0.stats.get(st) != nil } }
        let rows = a.points.reversed().map { p in
            PointRow(
                commit: link(p.run.commit), runHref: "\(root)runs/\(p.run.id).html", runId: String(p.run.id),
                branch: p.run.commit.branch, time: ReportFormatting.time(p.run.commit.committedAt),
                cells: shownStats.map { Cell(text: ReportFormatting.value(p.stats.get($0), a.unit($0)), cls: "") })
        }
        let cps = a.allChangePoints.sorted { a.commit($0.changePoint).committedAt ?? .distantPast > a.commit($1.changePoint).committedAt ?? .distantPast }
            .map { changePointRow(a, $0.statistic, $0.changePoint, href: "series/\(s.slug).html", root: root) }
        return SeriesPage(
            meta: meta(s.title, root: root), title: s.title, scenario: s.scenario, environment: s.environment,
            endpoint: s.key.endpoint.isEmpty ? "(all requests)" : s.key.endpoint, metric: s.key.metric,
            role: Self.roleWords(SeriesRole.of(s.key)),
            unit: s.unit == .none ? "none" : s.unit.rawValue,
            direction: s.direction == .lowerIsBetter ? "lower is better" : "higher is better", charts: charts,
            branches: otherBranches.map { BranchOption(name: $0) },
            hasBranchFilter: !otherBranches.isEmpty, budgets: budgetTexts, hasBudgets: !budgetTexts.isEmpty, band: bandText,
            hasBand: !bandText.isEmpty, changePoints: cps, hasChangePoints: !cps.isEmpty,
            columns: shownStats.map(\.rawValue), rows: rows, rowsHTML: RowsHTML.seriesPoints(rows))
    }

    static func roleWords(_ r: SeriesRole) -> String {
        switch r {
        case .endpoint: return "endpoint"
        case .custom: return "custom metric"
        case .total: return "whole-run total (every endpoint together)"
        case .toolInternal: return "load-tool internal metric (not an endpoint)"
        }
    }

    // MARK: run page

    func runPage(_ d: StoredRunDetail, slugs: [String: String]) -> RunPage {
        let r = d.run
        let root = "../"
        var facts: [NameValue] = [
            NameValue(name: "scenario", value: r.scenario), NameValue(name: "environment", value: r.environment),
            NameValue(name: "tool", value: r.tool + (r.toolVersion.map { " " + $0 } ?? "")),
            NameValue(name: "format", value: r.format), NameValue(name: "started", value: ReportFormatting.time(r.startedAt)),
        ]
        if let dur = r.durationSeconds { facts.append(NameValue(name: "duration", value: Formatting.fixed(dur, 1) + " s")) }
        if let v = r.vus { facts.append(NameValue(name: "VUs", value: String(v))) }
        if let v = r.maxVUs { facts.append(NameValue(name: "max VUs", value: String(v))) }
        facts.append(NameValue(name: "attempt", value: String(r.attempt)))
        facts.append(NameValue(name: "ingested", value: ReportFormatting.time(r.ingestedAt)))
        let series = d.result.series.sorted { (SeriesRole.of($0.key), $0.key) < (SeriesRole.of($1.key), $1.key) }.map { sr -> RunSeriesModel in
            let slug = slugs[Self.identity(r.scenario, r.environment, sr.key)]
            let title = (sr.key.endpoint.isEmpty ? "(all requests)" : sr.key.endpoint)
                + (sr.key.metric == SeriesKey.requestLatencyMetric ? "" : " · " + sr.key.metric)
            var dist = ""
            if let dd = sr.distribution { dist = "distribution kept: \(dd.count) values" }
            return RunSeriesModel(
                role: SeriesRole.of(sr.key), title: title, href: slug.map { "\(root)series/\($0).html" } ?? "", hasHref: slug != nil,
                unit: sr.unit == .none ? "none" : sr.unit.rawValue,
                direction: sr.direction == .lowerIsBetter ? "lower is better" : "higher is better",
                statistics: sr.stats.keys.sorted().map { NameValue(name: $0.rawValue, value: Formatting.value(sr.stats[$0] ?? .nan, unit: $0.unit(seriesUnit: sr.unit))) },
                distribution: dist)
        }
        let thresholds = d.result.thresholds.sorted { ($0.metric, $0.expression) < ($1.metric, $1.expression) }.map {
            ThresholdRow(metric: $0.metric, expression: $0.expression, result: $0.passed ? "passed" : "failed", cls: $0.passed ? "pass" : "fail")
        }
        let checks = d.result.checks.sorted { ($0.group, $0.name) < ($1.group, $1.name) }.map { c -> CheckRow in
            let total = c.passes + c.fails
            return CheckRow(
                group: c.group, name: c.name, passes: String(c.passes), fails: String(c.fails),
                rate: total > 0 ? Formatting.value(Double(c.passes) / Double(total), unit: .ratio) : "—", cls: c.fails > 0 ? "fail" : "pass")
        }
        let errors = d.result.errors.sorted { ($1.occurrences, $0.endpoint, $0.message) < ($0.occurrences, $1.endpoint, $1.message) }.map {
            ErrorRow(endpoint: $0.endpoint.isEmpty ? "(run)" : $0.endpoint, message: $0.message, occurrences: String($0.occurrences))
        }
        let tags = r.tags.keys.sorted().map { NameValue(name: $0, value: r.tags[$0] ?? "") }
        // Drift over the steady state, from the statistics stored with the run (docs/drift.md), in the gate's words.
        func driftWords(_ metric: String) -> String? {
            d.result.series.first { $0.key == SeriesKey(endpoint: "", metric: metric) }
                .flatMap { Drift.Relative(statistics: $0.stats) }.map { Drift.words($0) }
        }
        // …followed by the warm-up and steady state, the error-rate rise and, for a stepped run, saturation
        // (docs/steady-state.md), in the words of the steady rule and `perfgate capacity`.
        var withinRun: [String] = []
        if let s = d.result.series.first(where: { $0.key == SeriesKey(endpoint: "", metric: SeriesKey.requestLatencyMetric) }),
            let detection = SteadyState.Detection(statistics: s.stats)
        {
            withinRun.append(detection.words)
        }
        if let t = d.result.timeline {
            if let rise = ErrorRise.assess(t) { withinRun.append(rise.words) }
            let steps = Capacity.steps(of: t, runId: r.id)
            if !steps.isEmpty { withinRun.append(Saturation.find(steps).words) }
        }
        let latencyDrift = driftWords(SeriesKey.requestLatencyMetric).map { ([$0] + withinRun).joined(separator: " — ") }
        var serverDrift: [String: String] = [:]
        for m in d.result.serverSeries ?? [] { serverDrift[m.name] = driftWords(m.name) }
        let sources = r.sources.sorted { $0.path < $1.path }.map { NameValue(name: $0.path, value: "\($0.digest), \($0.bytes) bytes") }
        return RunPage(
            meta: meta("Run \(r.id) · \(r.scenario) @ \(r.commit.shortSha)", root: root), id: String(r.id), commit: link(r.commit),
            facts: facts, tags: tags, hasTags: !tags.isEmpty, sources: sources, hasSources: !sources.isEmpty, series: series,
            statisticsRowsHTML: RowsHTML.runStatistics(series.filter { $0.role.leads }),
            internalStatisticsRowsHTML: RowsHTML.runStatistics(series.filter { !$0.role.leads }),
            hasInternalStatistics: series.contains { !$0.role.leads }, internalCount: String(series.filter { !$0.role.leads }.count),
            thresholds: thresholds, hasThresholds: !thresholds.isEmpty, checks: checks, hasChecks: !checks.isEmpty,
            errors: errors, hasErrors: !errors.isEmpty,
            timelineHTML: (d.result.timeline.map {
                TimelineCharts.html([TimelineCharts.Source(timeline: $0, cls: "", name: "", drift: latencyDrift)])
            } ?? "")
                + ServerMetricsCharts.html(
                    d.result.serverSeries ?? [], startedAt: d.result.startedAt, timeline: d.result.timeline,
                    durationSeconds: d.result.durationSeconds, drift: serverDrift),
            capacityHTML: d.result.timeline.map { CapacityChart.html(runId: r.id, timeline: $0) } ?? "")
    }

    // MARK: compare

    /// Overlays the newest run with a timeline at `a` and the newest at `b` of the same scenario and
    /// environment (the first such pair by scenario, environment); sets `html` and returns the caption
    /// naming both runs, or leaves `html` empty when no such pair exists.
    func compareOverlay(
        _ timelines: [(run: ReportRun, timeline: RunTimeline)], _ a: CommitInfo, _ b: CommitInfo, html: inout String
    ) -> String {
        let sorted = timelines.sorted { ($0.run.scenario, $0.run.environment, $1.run.id) < ($1.run.scenario, $1.run.environment, $0.run.id) }
        for ra in sorted where ra.run.commit.sha == a.sha {
            guard
                let rb = sorted.first(where: {
                    $0.run.commit.sha == b.sha && $0.run.scenario == ra.run.scenario && $0.run.environment == ra.run.environment
                })
            else { continue }
            html = TimelineCharts.html([
                TimelineCharts.Source(timeline: ra.timeline, cls: "", name: "A " + a.shortSha),
                TimelineCharts.Source(timeline: rb.timeline, cls: "run-b", name: "B " + b.shortSha),
            ])
            return "Run \(ra.run.id) (A) and run \(rb.run.id) (B), scenario \(ra.run.scenario), environment \(ra.run.environment)."
        }
        return ""
    }

    /// The compare page's rows: every finding of the comparison, in the words of
    /// ``FindingDescription/init(comparing:)``; endpoints first.
    func compareRows(_ o: GateOutcome, slugs: [String: String]) -> [(SeriesRole, CompareRow)] {
        let findings = o.findings.filter { $0.baseline != nil && $0.current != nil }.sorted { a, b in
            let ra = SeriesRole.of(SeriesKey(endpoint: a.endpoint, metric: a.metric))
            let rb = SeriesRole.of(SeriesKey(endpoint: b.endpoint, metric: b.metric))
            return (ra, a.scenario, a.environment, a.metric, a.endpoint, Statistic(rawValue: a.statistic))
                < (rb, b.scenario, b.environment, b.metric, b.endpoint, Statistic(rawValue: b.statistic))
        }
        return findings.map { f in
            let key = SeriesKey(endpoint: f.endpoint, metric: f.metric)
            let d = FindingDescription(comparing: f)
            let slug = slugs[Self.identity(f.scenario, f.environment, key)]
            var evidence = ""
            if let e = f.evidence, e.p != nil { evidence = GateReport.significanceText(e) }
            return (
                SeriesRole.of(key),
                CompareRow(
                    series: ReportSeries.title(scenario: f.scenario, key: key), href: slug.map { "series/\($0).html" } ?? "",
                    statistic: f.statistic, a: GateReport.valueText(f.baseline, f.unit), b: GateReport.valueText(f.current, f.unit),
                    delta: ReportFormatting.delta(from: f.baseline, to: f.current, unit: f.unit), trend: d.symbolLabel,
                    trendClass: d.cssClass, decision: d.cssClass, evidence: evidence)
            )
        }
    }

    /// Without a comparison: the medians side by side, untested and uncoloured.
    func compareRows(_ a: SeriesAnalysis, _ from: String, _ to: String, href: String) -> [CompareRow] {
        guard let va = a.valuesAt(commit: from), let vb = a.valuesAt(commit: to) else { return [] }
        var out: [CompareRow] = []
        let d = FindingDescription.untested
        for st in [Statistic.p50, .p95, .p99, .mean, .value, .errorRate, .throughput] {
            guard let x = va.get(st), let y = vb.get(st) else { continue }
            let u = a.unit(st)
            out.append(
                CompareRow(
                    series: a.series.title, href: href, statistic: st.rawValue, a: Formatting.value(x, unit: u),
                    b: Formatting.value(y, unit: u), delta: ReportFormatting.delta(from: x, to: y, unit: u),
                    trend: d.symbolLabel, trendClass: d.cssClass, decision: d.cssClass, evidence: ""))
        }
        return out
    }

    // MARK: summary.md

    /// A series in summary.md without a budget: the trend decision (``trendDescription(_:gate:)``) in its words.
    func summaryRow(_ a: SeriesAnalysis, trend: FindingDescription) -> (rank: Int, severity: Double, row: SummaryRow) {
        let u = a.unit(a.primary)
        let base = a.baselineMedian
        var confidence = "—"
        var severity = 0.0
        if let test = a.historyTest {
            confidence = "p=\(Formatting.pValue(test.pValue)), 95% CI [\(Formatting.signedPercent(test.ciLower - 1)), \(Formatting.signedPercent(test.ciUpper - 1))]"
            severity = abs(test.ratio - 1)
        }
        let rank: Int
        switch trend.kind {
        case .fail, .warn, .worse: rank = 0
        case .better: rank = 1
        case .unchanged, .withinLimit: rank = 2
        case .insufficientData, .noBaseline: rank = 3
        }
        let row = SummaryRow(
            series: a.series.title, statistic: a.primary.rawValue, baseline: ReportFormatting.value(base, u),
            current: ReportFormatting.value(a.latest, u), delta: ReportFormatting.delta(from: base, to: a.latest, unit: u),
            confidence: confidence, verdict: trend.label)
        return (rank, severity, row)
    }

    func summaryModel(_ rows: [(role: SeriesRole, rank: Int, severity: Double, row: SummaryRow)]) -> SummaryModel {
        let footer = (context.toolVersion, ReportFormatting.time(context.generatedAt))
        if let o = options.outcome {
            let commit = options.outcomeCommit
            let sorted = o.findings.sorted(by: Self.findingOrder)
            func row(_ f: Finding) -> SummaryRow {
                let r = findingRow(f)
                return SummaryRow(
                    series: r.series, statistic: r.statistic, baseline: r.baseline, current: r.current,
                    delta: r.delta.isEmpty ? "—" : r.delta, confidence: r.evidence, verdict: FindingDescription(f).label)
            }
            let changed = sorted.filter { $0.verdict != .pass }.map(row)
            let unchanged = sorted.filter { $0.verdict == .pass }.map(row)
            // The gate's notices already include the baseline's: shown once.
            return SummaryModel(
                headline: o.headline, icon: o.verdict == .fail ? "❌" : o.verdict == .warn ? "⚠️" : "✅",
                context: "Commit `\(commit?.shortSha ?? "?")` on `\(Escape.markdown(commit?.branch ?? ""))` against \(Escape.markdown(o.baseline?.description ?? "no baseline")).",
                method: "Verdicts from the budget file (absolute, relative and statistical rules; \(o.correction.uppercased()) correction at α = \(Formatting.fixed(o.alpha, 2))).",
                notices: o.notices.map(Escape.markdown), changed: changed.map(Self.mdRow),
                hasChanged: !changed.isEmpty, unchanged: unchanged.map(Self.mdRow), hasUnchanged: !unchanged.isEmpty,
                unchangedCount: String(unchanged.count), internals: [], hasInternals: false, internalsCount: "0",
                toolVersion: footer.0, generatedAt: footer.1)
        }
        let sorted = rows.sorted { a, b in
            if a.rank != b.rank { return a.rank < b.rank }
            if a.severity != b.severity { return a.severity > b.severity }
            return (a.row.series, a.row.statistic) < (b.row.series, b.row.statistic)
        }
        // Endpoints and custom metrics lead; whole-run totals and tool internals are folded whatever they did.
        let lead = sorted.filter { $0.role.leads }
        let internals = sorted.filter { !$0.role.leads }.map(\.row)
        let changed = lead.filter { $0.rank < 2 }.map(\.row)
        let unchanged = lead.filter { $0.rank >= 2 }.map(\.row)
        let regressed = lead.filter { $0.rank == 0 }.count
        let improved = lead.filter { $0.rank == 1 }.count
        let word = regressed > 0 ? "REGRESSED" : improved > 0 ? "IMPROVED" : "UNCHANGED"
        return SummaryModel(
            headline: "\(word): \(regressed) significantly worse, \(improved) significantly better, \(unchanged.count) with no significant change or not testable",
            icon: regressed > 0 ? "⚠️" : "✅",
            context: "Newest \(Escape.markdown(context.baseBranch)) run of each endpoint and custom metric against the \(context.baselineWindow) runs before it. No budget file given, so there is no pass/fail verdict.",
            method: "History log-t test of the newest value against the baseline window; a series changed when p < 0.05 and the change is at least 5%.",
            notices: [], changed: changed.map(Self.mdRow), hasChanged: !changed.isEmpty, unchanged: unchanged.map(Self.mdRow),
            hasUnchanged: !unchanged.isEmpty, unchangedCount: String(unchanged.count), internals: internals.map(Self.mdRow),
            hasInternals: !internals.isEmpty, internalsCount: String(internals.count), toolVersion: footer.0,
            generatedAt: footer.1)
    }

    static func mdRow(_ r: SummaryRow) -> SummaryRow {
        SummaryRow(
            series: Escape.markdown(r.series), statistic: Escape.markdown(r.statistic), baseline: Escape.markdown(r.baseline),
            current: Escape.markdown(r.current), delta: Escape.markdown(r.delta), confidence: Escape.markdown(r.confidence),
            verdict: Escape.markdown(r.verdict))
    }
}
