import Foundation
import PerfgateCore

/// The server-side series of a run (Prometheus `query_range`, docs/server-metrics.md), one small chart
/// each under the client's "Over time" charts, on the same time axis: seconds from the run's start,
/// the same span and the same ramp shading.
enum ServerMetricsCharts {
    /// Pre-escaped HTML (inserted with `{{{…}}}`); empty when the run has no server series or no start.
    /// `drift`: each series' drift line by name (``Drift/words(_:minimum:)``), appended to its caption.
    static func html(
        _ series: [ServerSeries], startedAt: Date?, timeline: RunTimeline?, durationSeconds: Double?, drift: [String: String] = [:]
    ) -> String {
        guard !series.isEmpty, let start = startedAt?.timeIntervalSince1970 else { return "" }
        // The client's charts span the timeline's buckets; the server's use the same span.
        let duration = timeline.flatMap { t in t.wholeRun.last.map { t.endSeconds(of: $0.index) } } ?? durationSeconds ?? 0
        let phases = timeline.map(TimelineChart.phases) ?? []
        var s = "<h3 id=\"server-metrics\">Server-side metrics</h3>\n"
        for m in series.sorted(by: { $0.name < $1.name }) {
            let points = m.samples.map { (t: $0.time - start, value: $0.value) }
            let line = TimelineChart.Line(cls: "s-server", label: m.name, points: points)
            let chart = TimelineChart(
                accessibleTitle: "\(m.name) over the run", unit: m.unit, duration: duration, lines: [line], phases: phases)
            s += "<figure class=\"timeline-panel server-metric\"><figcaption>\(Escape.html(caption(m) + (drift[m.name].map { " — drift: " + $0 } ?? "")))</figcaption>"
            s += "<div class=\"chart-scroll from-start\">\(chart.svg())</div></figure>\n"
        }
        var note = "Scraped by Prometheus and attached to this run; samples outside the run's window were dropped at ingest."
        if series.contains(where: { ServerMetrics.isCounter($0.name) }) {
            note += " A name ending in _total, _count or _sum is a counter (a running total): query rate(…) for one per second."
        }
        s += "<p class=\"muted\">\(Escape.html(note))</p>\n"
        return s
    }

    /// `app_memory_bytes — mean 85.3 MB, max 106.8 MB, trend +44.6 MB over 20 s (+8.0 GB/h)`.
    static func caption(_ m: ServerSeries) -> String {
        guard let r = ServerMetrics.summary(m) else { return m.name }
        func v(_ x: Double?) -> String { x.map { Formatting.value($0, unit: m.unit) } ?? "—" }
        var parts = ["mean \(v(r.stats[.mean]))", "max \(v(r.stats[.max]))"]
        // The least-squares trend over the samples' span; per hour too, except for fractions, where an
        // hour's extrapolation of a short run reads as nonsense (+8760 %/h).
        if let g = r.stats[ServerMetrics.growthPerHour], g != 0, let first = m.samples.first, let last = m.samples.last {
            let span = last.time - first.time
            let sign = g > 0 ? "+" : "−"
            var trend = "trend \(sign)\(v(abs(g) * span / 3600)) over \(TimelineChart.seconds(span))"
            if m.unit != .ratio { trend += " (\(sign)\(v(abs(g)))/h)" }
            parts.append(trend)
        }
        return "\(m.name) — " + parts.joined(separator: ", ")
    }
}
