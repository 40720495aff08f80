import Foundation
import PerfgateCore

/// One series' history, ordered and analysed: which statistic leads, the base-branch points, change
/// points, the baseline window and the newest value. Built once per series and then dropped.
struct SeriesAnalysis {
    struct Point {
        var run: ReportRun
        /// Position of the run in the global run order (commit time, start time, id).
        var order: Int
        var stats: SeriesPoint
    }

    var series: ReportSeries
    /// Every point, oldest first.
    var points: [Point]
    /// The statistic charted and tested: `p95` for latency-like series, else the first one present.
    var primary: Statistic
    /// Statistics drawn in the main chart (p50, p95, p99 where present; else the primary alone).
    var drawn: [Statistic]
    /// Points of the base branch (all points when the base branch never measured this series).
    var base: [Point]
    /// Whether `base` is the base branch (false: it fell back to every branch).
    var baseIsBranch: Bool
    /// Change points of the primary statistic over `base`, one point per commit, as `perfgate detect`
    /// finds them.
    var changePoints: [DetectedChangePoint]
    /// Change points of every statistic `perfgate detect` analyses by default
    /// (``ChangePointDetection/defaultStatistics``) that the series has, and of the primary: in that order.
    var changePointsByStatistic: [(statistic: Statistic, changePoints: [DetectedChangePoint])]
    /// Base values before the newest, the last `window` of them.
    var baselineWindow: [Double]
    /// The run order (``Point/order``) of the oldest run in `baselineWindow`.
    var baselineStart: Int?
    /// The newest base point's primary value.
    var latest: Double?

    static let primaryOrder: [Statistic] = [.p95, .value, .mean, .p50, .max, .throughput, .errorRate, .count]

    init(series: ReportSeries, points raw: [SeriesPoint], runOrder: [Int64: Int], runs: [ReportRun], context: ReportContext) {
        self.series = series
        var pts: [Point] = []
        pts.reserveCapacity(raw.count)
        for p in raw {
            guard let o = runOrder[p.runId] else { continue }
            pts.append(Point(run: runs[o], order: o, stats: p))
        }
        pts.sort { $0.order < $1.order }
        points = pts
        primary = Self.primaryOrder.first { s in pts.contains { $0.stats.get(s) != nil } } ?? .p95
        let percentiles: [Statistic] = [.p50, .p95, .p99]
        drawn = primary == .p95 ? percentiles.filter { s in pts.contains { $0.stats.get(s) != nil } } : [primary]
        let onBase = pts.filter { $0.run.commit.branch == context.baseBranch }
        baseIsBranch = !onBase.isEmpty
        base = onBase.isEmpty ? pts : onBase
        let primary = primary
        let base = base
        func detect(_ st: Statistic) -> [DetectedChangePoint] {
            let observations = base.compactMap { p in
                p.stats.get(st).map { ChangePointDetection.Observation(commitSha: p.run.commit.sha, value: $0) }
            }
            return ChangePointDetection.detect(
                observations, direction: st.direction(seriesDirection: series.direction),
                label: (series.scenario, series.environment, context.baseBranch, series.key.endpoint, series.key.metric, st.rawValue))
        }
        var analysed = ChangePointDetection.defaultStatistics.filter { st in pts.contains { $0.stats.get(st) != nil } }
        if !analysed.contains(primary) { analysed.insert(primary, at: 0) }
        changePointsByStatistic = analysed.map { ($0, detect($0)) }
        changePoints = changePointsByStatistic.first { $0.statistic == primary }?.changePoints ?? []
        latest = base.last?.stats.get(primary)
        let before = base.dropLast().filter { $0.stats.get(primary) != nil }.suffix(context.baselineWindow)
        baselineWindow = before.compactMap { $0.stats.get(primary) }
        baselineStart = before.first.map(\.order)
    }

    /// Unit of a statistic of this series.
    func unit(_ s: Statistic) -> MetricUnit { s.unit(seriesUnit: series.unit) }

    func direction(_ s: Statistic) -> Direction { s.direction(seriesDirection: series.direction) }

    /// Every change point with its statistic, statistics in ``changePointsByStatistic`` order.
    var allChangePoints: [(statistic: Statistic, changePoint: DetectedChangePoint)] {
        changePointsByStatistic.flatMap { st, cps in cps.map { (st, $0) } }
    }

    /// The commit a change point starts at (it is always one of the base points' commits).
    func commit(_ cp: DetectedChangePoint) -> CommitInfo {
        base.first { $0.run.commit.sha == cp.commitSha }?.run.commit ?? CommitInfo(sha: cp.commitSha, branch: cp.branch)
    }

    /// The median of the baseline window, or nil.
    var baselineMedian: Double? { Median.of(baselineWindow) }

    /// The history log-t test of the newest base value against the baseline window (nil when it cannot run).
    var historyTest: Stats.HistoryLogTResult? {
        guard let latest, latest > 0, baselineWindow.count >= 2, baselineWindow.allSatisfy({ $0 > 0 }) else { return nil }
        return Stats.History.logT(history: baselineWindow, current: [latest])
    }

    /// Median of each kept statistic over the runs of `sha` (nil when the commit has no run of this series).
    func valuesAt(commit sha: String) -> SeriesPoint? {
        let at = points.filter { $0.run.commit.sha == sha }
        guard !at.isEmpty else { return nil }
        var out = SeriesPoint(runId: at[at.count - 1].run.id)
        for s in SeriesPoint.statistics {
            if let m = Median.of(at.compactMap { $0.stats.get(s) }) { out.set(s, m) }
        }
        return out
    }
}

enum Median {
    static func of(_ xs: [Double]) -> Double? {
        guard !xs.isEmpty else { return nil }
        let s = xs.sorted()
        return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
    }
}
