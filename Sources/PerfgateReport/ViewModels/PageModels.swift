import PerfgateCore

// View models: structs of pre-formatted strings, booleans and arrays, no dictionaries (their order is
// undefined). Templates only place them; every number is formatted in Swift. templates/README.md lists
// the fields each template gets.

/// Shared by every page: the title, the relative path to the site root, and the footer.
struct PageMeta {
    var title: String
    /// `""` for pages at the root, `"../"` for pages one level down.
    var root: String
    var generatedAt: String
    var toolVersion: String
    var baseBranch: String
}

/// A link to a commit: its short SHA, and the URL when a commit-URL template was given.
struct CommitLink {
    var short: String
    var sha: String
    /// The link target ("" when `hasURL` is false).
    var url: String
    var hasURL: Bool
    var branch: String
    var time: String
}

/// A text cell with an optional CSS class (`worse`, `better`, `same`).
struct Cell {
    var text: String
    var cls: String
}

struct NameValue {
    var name: String
    var value: String
}

// MARK: index.html

struct IndexPage {
    var meta: PageMeta
    var status: StatusModel
    var newest: CommitLink?
    var hasNewest: Bool
    /// Endpoints and custom metrics (``SeriesRole/leads``).
    var series: [IndexSeriesRow]
    var hasSeries: Bool
    /// Whole-run totals and tool internals, folded.
    var internalSeries: [IndexSeriesRow]
    var hasInternalSeries: Bool
    var internalCount: String
    var changePoints: [ChangePointRow]
    var hasChangePoints: Bool
    var internalChangePoints: [ChangePointRow]
    var hasInternalChangePoints: Bool
    var runs: [RunLinkRow]
    /// `runs` as pre-escaped `<tr>` rows (`RowsHTML.indexRuns`).
    var runsRowsHTML: String
    var runCount: String
    var compareHref: String
    var hasCompare: Bool
    var releaseHref: String
    var hasRelease: Bool
    var tuneHref: String
    var hasTune: Bool
}

/// The gate's verdict on the newest commit, or the reason there is none.
struct StatusModel {
    var hasOutcome: Bool
    /// Shown when `hasOutcome` is false: "no budget file given".
    var reason: String
    /// True when no budget file was given: the page suggests `--budget`.
    var suggestBudget: Bool
    var verdict: String
    /// `pass`, `warn`, `fail`.
    var verdictClass: String
    var score: String
    var headline: String
    var baseline: String
    var baselineMissing: Bool
    var notices: [String]
    var findings: [FindingRow]
    var hasFindings: Bool
    var passingCount: String
}

struct FindingRow {
    var series: String
    var statistic: String
    var baseline: String
    var current: String
    var delta: String
    var limit: String
    /// ``FindingDescription/symbolLabel``: `✗ FAIL · slower, significant`.
    var verdict: String
    /// ``FindingDescription/cssClass``; also the row's `data-decision`.
    var verdictClass: String
    var evidence: String
}

struct IndexSeriesRow {
    var title: String
    var href: String
    var metric: String
    var environment: String
    var statistic: String
    var sparkline: String
    var first: String
    var low: String
    var high: String
    var latest: String
    var baseline: String
    var delta: String
    /// The decision's colour class (``FindingDescription/cssClass``), never the raw change's.
    var trendClass: String
    /// ``FindingDescription/symbolLabel`` of the decision: `~ no significant change`.
    var change: String
    /// The row's `data-decision` (same as `trendClass`).
    var decision: String
    var points: String
    var changePoints: String
}

struct ChangePointRow {
    var series: String
    var href: String
    var statistic: String
    var commit: CommitLink
    var before: String
    var after: String
    var change: String
    var pValue: String
    /// `regression` or `improvement`.
    var kind: String
    var kindClass: String
}

struct RunLinkRow {
    var id: String
    var href: String
    var commit: CommitLink
    var scenario: String
    var environment: String
    var tool: String
    var started: String
}

// MARK: series/<slug>.html

struct SeriesPage {
    var meta: PageMeta
    var title: String
    var scenario: String
    var environment: String
    var endpoint: String
    var metric: String
    /// What the series is (``SeriesRole``): `endpoint`, `custom metric`, `whole-run total`, `tool-internal metric`.
    var role: String
    var unit: String
    var direction: String
    var charts: [ChartModel]
    var branches: [BranchOption]
    var hasBranchFilter: Bool
    var budgets: [String]
    var hasBudgets: Bool
    var band: String
    var hasBand: Bool
    var changePoints: [ChangePointRow]
    var hasChangePoints: Bool
    var columns: [String]
    var rows: [PointRow]
    /// `rows` as pre-escaped `<tr>` rows (`RowsHTML.seriesPoints`).
    var rowsHTML: String
}

struct ChartModel {
    var title: String
    var svg: String
    var legend: [LegendItem]
}

struct LegendItem {
    var name: String
    /// The statistic name; CSS class `s-<name>`.
    var cls: String
}

struct BranchOption {
    var name: String
}

struct PointRow {
    var commit: CommitLink
    var runHref: String
    var runId: String
    var branch: String
    var time: String
    var cells: [Cell]
}

// MARK: runs/<id>.html

struct RunPage {
    var meta: PageMeta
    var id: String
    var commit: CommitLink
    var facts: [NameValue]
    var tags: [NameValue]
    var hasTags: Bool
    var sources: [NameValue]
    var hasSources: Bool
    var series: [RunSeriesModel]
    /// The endpoints' and custom metrics' `statistics` as pre-escaped `<tr>` rows (`RowsHTML.runStatistics`).
    var statisticsRowsHTML: String
    /// Whole-run totals' and tool internals' rows, folded.
    var internalStatisticsRowsHTML: String
    var hasInternalStatistics: Bool
    var internalCount: String
    var thresholds: [ThresholdRow]
    var hasThresholds: Bool
    var checks: [CheckRow]
    var hasChecks: Bool
    var errors: [ErrorRow]
    var hasErrors: Bool
    /// The "over time" charts (`TimelineCharts.html`), pre-escaped; empty without a timeline.
    var timelineHTML: String = ""
    var hasTimeline: Bool { !timelineHTML.isEmpty }
    /// The capacity section of a stepped run (`CapacityChart.html`), pre-escaped; empty otherwise.
    var capacityHTML: String = ""
    var hasCapacity: Bool { !capacityHTML.isEmpty }
}

struct RunSeriesModel {
    var role: SeriesRole
    var title: String
    var href: String
    var hasHref: Bool
    var unit: String
    var direction: String
    var statistics: [NameValue]
    var distribution: String
}

struct ThresholdRow {
    var metric: String
    var expression: String
    var result: String
    var cls: String
}

struct CheckRow {
    var group: String
    var name: String
    var passes: String
    var fails: String
    var rate: String
    var cls: String
}

struct ErrorRow {
    var endpoint: String
    var message: String
    var occurrences: String
}

// MARK: compare.html

struct ComparePage {
    var meta: PageMeta
    var a: CommitLink
    var b: CommitLink
    /// Endpoints and custom metrics.
    var rows: [CompareRow]
    var hasRows: Bool
    /// Whole-run totals and tool internals, folded.
    var internalRows: [CompareRow]
    var hasInternalRows: Bool
    var internalCount: String
    var note: String
    /// The two runs' timelines overlaid (`TimelineCharts.html`), pre-escaped; empty unless both have one.
    var timelineHTML: String = ""
    var timelineCaption: String = ""
    var hasTimeline: Bool { !timelineHTML.isEmpty }
    /// B's capacity curves with A's beside them (`CapacityChart.comparisonHTML`), pre-escaped; empty without a campaign.
    var capacityCurves: String = ""
}

struct CompareRow {
    var series: String
    var href: String
    var statistic: String
    var a: String
    var b: String
    var delta: String
    /// ``FindingDescription/symbolLabel`` of the comparison's decision.
    var trend: String
    var trendClass: String
    /// The row's `data-decision`.
    var decision: String
    /// `p=0.012 q=0.031`, or empty.
    var evidence: String
}

// MARK: summary.md

struct SummaryModel {
    var headline: String
    var icon: String
    var context: String
    var method: String
    var notices: [String]
    var changed: [SummaryRow]
    var hasChanged: Bool
    var unchanged: [SummaryRow]
    var hasUnchanged: Bool
    var unchangedCount: String
    /// Whole-run totals and tool internals (without a budget), folded.
    var internals: [SummaryRow]
    var hasInternals: Bool
    var internalsCount: String
    var toolVersion: String
    var generatedAt: String
    /// The newest commit's readiness section (``ReadinessReport/markdown(headingLevel:)``), pre-escaped; empty without one.
    var readiness: String = ""
}

struct SummaryRow {
    var series: String
    var statistic: String
    var baseline: String
    var current: String
    var delta: String
    var confidence: String
    var verdict: String
}
