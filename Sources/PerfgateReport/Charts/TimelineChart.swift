import Foundation
import PerfgateCore

/// An SVG chart of one quantity over a run (or two runs overlaid): x is seconds from the run's start,
/// ramp-up and ramp-down are shaded and the steady state is labelled. Drawn like ``LineChart`` (same
/// viewBox width, text size and escaping), so it reads at 375 px and opens from file://.
struct TimelineChart {
    struct Line {
        /// CSS class of the line (`s-p50`, `s-p95`, `s-rps`, `s-err`, `s-users`, plus `run-b` for the
        /// second run of a comparison); fixed names, never input.
        var cls: String
        /// Plain text; escaped when drawn.
        var label: String
        /// (seconds from the start, value), ascending.
        var points: [(t: Double, value: Double)]
    }

    /// A load phase as a span of seconds.
    struct Phase {
        var from: Double
        var to: Double
        /// `ramp` (shaded) or `steady` (labelled, not shaded).
        var kind: String
        var label: String
    }

    var accessibleTitle: String
    var unit: MetricUnit
    /// Seconds shown on the x axis, from 0.
    var duration: Double
    var lines: [Line] = []
    var phases: [Phase] = []

    static let width = LineChart.width
    static let height = 200.0
    static let left = LineChart.left
    static let right = LineChart.right
    static let top = 26.0
    static let bottom = 30.0
    /// Approximate width of one label character in viewBox units (13 px system-ui).
    static let charWidth = 7.5

    /// The phases of `timeline` (ramp-up, steady state, ramp-down), empty without active users.
    static func phases(_ timeline: RunTimeline) -> [Phase] {
        guard let p = timeline.phases else { return [] }
        var out: [Phase] = []
        let users = Formatting.value(p.peakUsers, unit: .count)
        if p.steadyStart > p.start { out.append(Phase(from: p.start, to: p.steadyStart, kind: "ramp", label: "ramp-up")) }
        out.append(Phase(from: p.steadyStart, to: p.steadyEnd, kind: "steady", label: "steady state (\(users) users)"))
        if p.end > p.steadyEnd { out.append(Phase(from: p.steadyEnd, to: p.end, kind: "ramp", label: "ramp-down")) }
        return out
    }

    func svg() -> String {
        let w = Self.width
        let h = Self.height
        let plotW = w - Self.left - Self.right
        let plotH = h - Self.top - Self.bottom
        let span = Swift.max(duration, 1)
        var hi = 0.0
        for l in lines { for p in l.points where p.value.isFinite { hi = Swift.max(hi, p.value) } }
        let (yBottom, yTop, step) = LineChart.fittedScale(low: 0, high: hi, zeroSpan: unit == .ratio ? 0.01 : 1)
        func x(_ t: Double) -> Double { Self.left + plotW * Swift.min(Swift.max(t / span, 0), 1) }
        func y(_ v: Double) -> Double { Self.top + plotH * (1 - Swift.min(Swift.max((v - yBottom) / (yTop - yBottom), 0), 1)) }
        func f(_ v: Double) -> String { Formatting.fixed(v, 1) }

        var s = "<svg class=\"chart timeline\" viewBox=\"0 0 \(Int(w)) \(Int(h))\" role=\"img\" preserveAspectRatio=\"xMidYMid meet\""
        s += " xmlns=\"http://www.w3.org/2000/svg\"><title>\(Escape.html(accessibleTitle))</title>\n"
        // Phases first, under everything: ramps shaded, every phase named above the plot when it fits.
        var labelRight = -Double.infinity
        for p in phases where p.to > p.from {
            let x1 = x(p.from)
            let x2 = x(p.to)
            if p.kind == "ramp" {
                s += "<rect class=\"phase ramp\" x=\"\(f(x1))\" y=\"\(f(Self.top))\" width=\"\(f(Swift.max(x2 - x1, 1)))\" height=\"\(f(plotH))\">"
                s += "<title>\(Escape.html(p.label))</title></rect>\n"
            } else {
                s += "<line class=\"phase-edge\" x1=\"\(f(x1))\" x2=\"\(f(x1))\" y1=\"\(f(Self.top))\" y2=\"\(f(Self.top + plotH))\"/>"
                s += "<line class=\"phase-edge\" x1=\"\(f(x2))\" x2=\"\(f(x2))\" y1=\"\(f(Self.top))\" y2=\"\(f(Self.top + plotH))\"/>\n"
            }
            let textWidth = Double(p.label.count) * Self.charWidth
            let cx = Swift.min(Swift.max((x1 + x2) / 2, Self.left + textWidth / 2), w - Self.right - textWidth / 2)
            if x2 - x1 >= textWidth * 0.6 && cx - textWidth / 2 > labelRight + 6 {
                s += "<text class=\"phase-label\" x=\"\(f(cx))\" y=\"\(f(Self.top - 8))\">\(Escape.html(p.label))</text>\n"
                labelRight = cx + textWidth / 2
            }
        }
        s += LineChart.yGrid(bottom: yBottom, top: yTop, step: step, unit: unit, y: y)
        // x axis: seconds from the start, at most five intervals.
        let axisY = h - Self.bottom
        let xStep = Swift.max(1, LineChart.niceStep(span * 4 / 5))
        var t = 0.0
        while t <= span + xStep * 1e-9 {
            let tx = x(t)
            let anchor = t == 0 ? " start" : t + xStep > span + xStep * 1e-9 && w - Self.right - tx < 30 ? " end" : ""
            s += "<line class=\"xtick\" x1=\"\(f(tx))\" x2=\"\(f(tx))\" y1=\"\(f(axisY))\" y2=\"\(f(axisY + 4))\"/>"
            s += "<text class=\"xlabel\(anchor)\" x=\"\(f(tx))\" y=\"\(f(axisY + 18))\">\(Escape.html(Self.seconds(t)))</text>\n"
            t += xStep
        }
        for l in lines where !l.points.isEmpty {
            let pts = l.points.filter { $0.value.isFinite }.map { "\(f(x($0.t))),\(f(y($0.value)))" }.joined(separator: " ")
            s += "<polyline class=\"line \(l.cls)\" points=\"\(pts)\"><title>\(Escape.html(l.label))</title></polyline>\n"
        }
        s += "</svg>"
        return s
    }

    /// `45 s`, `2 min`, `1 min 30 s`.
    static func seconds(_ t: Double) -> String {
        let whole = Int(t.rounded())
        guard whole >= 60 else { return "\(whole) s" }
        let m = whole / 60
        let r = whole % 60
        return r == 0 ? "\(m) min" : "\(m) min \(r) s"
    }
}

/// The four "over time" charts of a run (or of two runs overlaid on the compare page).
enum TimelineCharts {
    /// One run's timeline to draw, with its CSS class suffix (`""` or `run-b`) and legend name.
    struct Source {
        var timeline: RunTimeline
        var cls: String
        var name: String
        /// The p95's drift over the steady state in ``Drift/words(_:minimum:)`` (the run page only).
        var drift: String? = nil
    }

    struct Panel {
        var title: String
        var chart: String
        var lines: [TimelineChart.Line]
    }

    /// Latency p50/p95, throughput, error rate and active users, in that order; a panel with no data
    /// in any run is left out. Phases come from the first source.
    static func panels(_ sources: [Source]) -> [Panel] {
        guard let first = sources.first else { return [] }
        let duration = sources.map { t in
            t.timeline.wholeRun.last.map { t.timeline.endSeconds(of: $0.index) } ?? 0
        }.max() ?? 0
        let phases = TimelineChart.phases(first.timeline)
        func mid(_ t: RunTimeline, _ b: TimelineBucket) -> Double { (t.startSeconds(of: b.index) + t.endSeconds(of: b.index)) / 2 }
        func suffix(_ s: Source) -> String { sources.count > 1 ? " (\(s.name))" : "" }
        func line(_ s: Source, _ cls: String, _ label: String, _ value: (TimelineBucket) -> Double?) -> TimelineChart.Line {
            let points = s.timeline.wholeRun.compactMap { b in value(b).map { (t: mid(s.timeline, b), value: $0) } }
            return TimelineChart.Line(cls: cls + (s.cls.isEmpty ? "" : " " + s.cls), label: label + suffix(s), points: points)
        }
        var out: [Panel] = []
        func add(_ title: String, _ unit: MetricUnit, _ lines: [TimelineChart.Line]) {
            let drawn = lines.filter { !$0.points.isEmpty }
            guard !drawn.isEmpty else { return }
            let chart = TimelineChart(accessibleTitle: title, unit: unit, duration: duration, lines: drawn, phases: phases)
            out.append(Panel(title: title, chart: chart.svg(), lines: drawn))
        }
        let drift = sources.count == 1 ? first.drift.map { " — p95 drift: " + $0 } ?? "" : ""
        add(
            "Latency over the run (p50, p95)" + drift, .milliseconds,
            sources.flatMap { s in [line(s, "s-p50", "p50", \.p50), line(s, "s-p95", "p95", \.p95)] })
        add(
            "Throughput over the run (requests/s)", .perSecond,
            sources.map { s in line(s, "s-rps", "requests/s", { $0.requests / s.timeline.bucketSeconds }) })
        add(
            "Error rate over the run", .ratio,
            sources.map { s in line(s, "s-err", "error rate", { $0.requests > 0 ? $0.errors / $0.requests : nil }) })
        add("Active users over the run", .count, sources.map { s in line(s, "s-users", "active users", \.users) })
        return out
    }
}

extension TimelineCharts {
    /// The "Over time" section: one figure per panel with its legend, then what the shading means.
    /// Pre-escaped HTML (inserted with `{{{…}}}`); empty when there is nothing to draw.
    static func html(_ sources: [Source]) -> String {
        let panels = panels(sources)
        guard !panels.isEmpty, let first = sources.first else { return "" }
        var s = ""
        var legend: [(cls: String, name: String)] = []
        for l in panels.flatMap(\.lines) where !legend.contains(where: { $0.cls == l.cls }) { legend.append((l.cls, l.label)) }
        s += "<div class=\"legend\">"
        s += legend.map { "<span class=\"\($0.cls)\">\(Escape.html($0.name))</span>" }.joined()
        if TimelineChart.phases(first.timeline).contains(where: { $0.kind == "ramp" }) {
            s += "<span class=\"band\">ramp-up / ramp-down</span>"
        }
        s += "</div>\n"
        for p in panels {
            s += "<figure class=\"timeline-panel\"><figcaption>\(Escape.html(p.title))</figcaption>"
            s += "<div class=\"chart-scroll from-start\">\(p.chart)</div></figure>\n"
        }
        let width = Formatting.value(first.timeline.bucketSeconds, unit: .none)
        var note = "Buckets of \(width) s from the run's start; p50 and p95 are each bucket's latency percentiles (k6: of the bucket's own requests; Locust: of its ~10 s window)."
        if sources.count > 1 { note += " Both runs are drawn from their own start; B is dashed." }
        if TimelineChart.phases(first.timeline).isEmpty {
            note += " The file has no active-user counts, so no ramp-up or steady state is marked."
        } else {
            note += " Steady state is where active users stay at their peak\(sources.count > 1 ? " (of \(first.name))" : ""); the shaded spans before and after it are ramp-up and ramp-down."
        }
        if sources.count == 1, case let steps = Capacity.steps(of: first.timeline, runId: 0), !steps.isEmpty {
            note += " The run climbs through \(steps.count) steady steps, so the span before its last step is marked as ramp-up; each step is a load level under Capacity below."
        }
        if !panels.contains(where: { $0.title.hasPrefix("Latency") }) {
            note += " The file has no per-interval latency percentiles (Locust writes them only with --csv-full-history)."
        }
        s += "<p class=\"muted\">\(Escape.html(note))</p>\n"
        for source in sources { s += numbers(source, named: sources.count > 1) }
        return s
    }

    /// The numbers behind the charts, one folded row per whole-run bucket.
    static func numbers(_ source: Source, named: Bool) -> String {
        let t = source.timeline
        let buckets = t.wholeRun
        func cell(_ v: Double?, _ unit: MetricUnit) -> String { v.map { Formatting.value($0, unit: unit) } ?? "—" }
        var s = "<details class=\"timeline-numbers\"><summary>The numbers\(named ? " of " + Escape.html(source.name) : "") (\(buckets.count) buckets)</summary>"
        s += "<div class=\"scroll\"><table><thead><tr><th class=\"num\">from</th><th class=\"num\">to</th><th class=\"num\">requests</th>"
        s += "<th class=\"num\">requests/s</th><th class=\"num\">errors</th><th class=\"num\">error rate</th><th class=\"num\">p50</th>"
        s += "<th class=\"num\">p95</th><th class=\"num\">active users</th></tr></thead><tbody>\n"
        for b in buckets {
            let cells = [
                TimelineChart.seconds(t.startSeconds(of: b.index)), TimelineChart.seconds(t.endSeconds(of: b.index)),
                cell(b.requests, .count), cell(b.requests / t.bucketSeconds, .perSecond), cell(b.errors, .count),
                cell(b.requests > 0 ? b.errors / b.requests : nil, .ratio), cell(b.p50, .milliseconds), cell(b.p95, .milliseconds),
                cell(b.users, .count),
            ]
            s += "<tr>" + cells.map { "<td class=\"num\">\(Escape.html($0))</td>" }.joined() + "</tr>\n"
        }
        s += "</tbody></table></div></details>\n"
        return s
    }
}
