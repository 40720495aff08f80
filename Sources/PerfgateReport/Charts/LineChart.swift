import Foundation
import PerfgateCore

/// An SVG line chart drawn by perfgate itself: one polyline per statistic and branch over commit order,
/// hover points with `<title>` details (and commit links), budget lines, a baseline band and
/// change-point markers. Every piece of text from the input is escaped here; the result is inserted
/// into templates unescaped (`{{{chart}}}`), so nothing else may build it.
///
/// The y axis is fitted to the data (``fittedScale(low:high:)``), so a change shows as a step; a budget
/// far from the data is a labelled marker at the edge, not the scale. The x axis names commits (short
/// SHA and commit date). Lines and points of branches other than ``baseBranch`` carry the class
/// `other-branch` and stay hidden until the page's branch toggle shows them.
struct LineChart {
    struct Line {
        /// `p50`, `p95`, …; also the CSS class suffix (`s-p95`), so it must be a canonical statistic name.
        var statistic: String
        var branch: String
        /// (x index, value), x ascending.
        var points: [(x: Int, value: Double)]
    }

    struct HoverPoint {
        var x: Int
        var value: Double
        var branch: String
        /// Plain text; escaped when drawn.
        var title: String
        var url: String?
    }

    struct Rule {
        /// Plain text; escaped when drawn.
        var label: String
        var value: Double
    }

    struct Band {
        var low: Double
        var high: Double
        var label: String
        /// The x of the oldest run of the baseline window: the band spans the window and the newest run.
        var fromX: Int = 0
    }

    struct Marker {
        var x: Int
        var label: String
        var worse: Bool
    }

    /// A commit named under the x axis: short SHA over its commit date.
    struct XLabel: Equatable {
        var x: Int
        var sha: String
        var date: String
    }

    var accessibleTitle: String
    var unit: MetricUnit
    /// Number of x positions (runs, in commit order).
    var count: Int
    /// Lines of this branch are shown; every other branch's are drawn hidden (`other-branch`).
    var baseBranch: String = ""
    var lines: [Line] = []
    var hover: [HoverPoint] = []
    var budgets: [Rule] = []
    var band: Band?
    var markers: [Marker] = []
    /// Candidate commits for the x axis, x ascending; ``xAxisLabels(_:)`` keeps those that fit.
    var xLabels: [XLabel] = []

    static let width = 720.0
    static let height = 284.0
    static let left = 74.0
    static let right = 12.0
    static let top = 14.0
    static let bottom = 46.0
    static var plotWidth: Double { width - left - right }
    /// Minimum distance between two commit labels on the x axis (a label is about 75 px wide).
    static let xLabelPixels = 110.0
    /// Minimum vertical distance between two labels at the right edge (budget labels).
    static let labelGap = 15.0
    /// The y range is at least this fraction of the data's magnitude, so run-to-run noise of a few
    /// percent stays a small wiggle while a step of the size the gate cares about (5–10%) is plain.
    static let minimumRelativeSpan = 0.2

    /// Plot pixels per hover bucket: hover circles (radius 3) closer than this hide one another.
    static let hoverBucketPixels = 4.0

    /// Which of `points` (x index, value, branch) get a hover circle. Up to one bucket of
    /// ``hoverBucketPixels`` per branch keeps all its points; a denser history keeps the lowest and
    /// the highest value of each bucket (spikes and dips stay reachable; circles that would sit on
    /// top of one another are dropped), and always the newest point. Indices into `points`, ascending.
    static func hoverSelection(_ points: [(x: Int, value: Double, branch: String)], count: Int) -> [Int] {
        let buckets = max(1, Int(plotWidth / hoverBucketPixels))
        guard count > buckets else { return Array(points.indices) }
        struct Key: Hashable {
            var bucket: Int
            var branch: String
        }
        var low: [Key: Int] = [:]
        var high: [Key: Int] = [:]
        for (i, p) in points.enumerated() {
            let key = Key(bucket: p.x * buckets / count, branch: p.branch)
            if let j = low[key] { if p.value < points[j].value { low[key] = i } } else { low[key] = i }
            if let j = high[key] { if p.value > points[j].value { high[key] = i } } else { high[key] = i }
        }
        var keep = Set(low.values).union(high.values)
        if let newest = points.indices.max(by: { points[$0].x < points[$1].x }) { keep.insert(newest) }
        return keep.sorted()
    }

    /// A tick step of 1, 2, 2.5 or 5 × 10^k giving at most four intervals over `span`.
    static func niceStep(_ span: Double) -> Double {
        guard span > 0, span.isFinite else { return 1 }
        let raw = span / 4
        let magnitude = pow(10, floor(log10(raw)))
        return [1.0, 2, 2.5, 5, 10].map { $0 * magnitude }.first { $0 >= raw * (1 - 1e-9) } ?? 10 * magnitude
    }

    /// The y axis for data from `low` to `high`: padded by 5% of the span, the span at least
    /// ``minimumRelativeSpan`` of the data's magnitude (`zeroSpan` when every value is zero), widened to
    /// whole ticks, never below zero for data that is not.
    static func fittedScale(low: Double, high: Double, zeroSpan: Double = 1) -> (bottom: Double, top: Double, step: Double) {
        guard low.isFinite, high.isFinite, low <= high else { return (0, 1, 0.25) }
        let magnitude = max(abs(low), abs(high))
        var span = max(high - low, minimumRelativeSpan * magnitude)
        if span == 0 { span = zeroSpan }
        let centre = (low + high) / 2
        var lo = min(low, centre - span / 2) - 0.05 * span
        let hi = max(high, centre + span / 2) + 0.05 * span
        if low >= 0 && lo < 0 { lo = 0 }
        let step = niceStep(hi - lo)
        return (floor(lo / step + 1e-9) * step, ceil(hi / step - 1e-9) * step, step)
    }

    /// Which commit labels fit under the axis: evenly spread over `candidates`, the first and the newest
    /// always, none closer than ``xLabelPixels`` to the previous one.
    static func xAxisLabels(_ candidates: [XLabel], count: Int) -> [XLabel] {
        guard !candidates.isEmpty else { return [] }
        func px(_ i: Int) -> Double { count <= 1 ? plotWidth / 2 : plotWidth * Double(i) / Double(count - 1) }
        let slots = max(1, Int(plotWidth / xLabelPixels))
        var picked: [XLabel] = []
        let last = candidates[candidates.count - 1]
        for k in 0...slots {
            let c = candidates[Int((Double(k) * Double(candidates.count - 1) / Double(slots)).rounded())]
            if let p = picked.last, p == c || px(c.x) - px(p.x) < xLabelPixels { continue }
            if c != last, px(last.x) - px(c.x) < xLabelPixels { continue }
            picked.append(c)
        }
        if picked.last != last {
            if let p = picked.last, px(last.x) - px(p.x) < xLabelPixels { picked.removeLast() }
            picked.append(last)
        }
        return picked
    }

    /// Spreads labels wanted at `ys` (any order) at least ``labelGap`` apart within `lo`…`hi`, keeping
    /// their order; returns the drawn y of each, in the order given.
    static func spread(_ ys: [Double], lo: Double, hi: Double) -> [Double] {
        let order = ys.indices.sorted { ys[$0] < ys[$1] }
        var placed = [Double](repeating: 0, count: ys.count)
        var previous = -Double.infinity
        for i in order {
            let y = max(ys[i], previous + labelGap, lo)
            placed[i] = y
            previous = y
        }
        // Pushed past the bottom: shift the run back up, keeping the gaps.
        var limit = hi
        for i in order.reversed() {
            if placed[i] > limit { placed[i] = limit }
            limit = placed[i] - labelGap
        }
        return placed
    }

    /// Grid lines across the plot and their y labels, from `bottom` to `top` every `step`; `y` maps a
    /// value to its pixel row. Shared by every chart with a y axis.
    static func yGrid(bottom: Double, top: Double, step: Double, unit: MetricUnit, y: (Double) -> Double) -> String {
        func f(_ v: Double) -> String { Formatting.fixed(v, 1) }
        var s = ""
        var tick = bottom
        while tick <= top + step / 2 {
            let ty = y(tick)
            s += "<line class=\"grid\" x1=\"\(f(left))\" x2=\"\(f(width - right))\" y1=\"\(f(ty))\" y2=\"\(f(ty))\"/>"
            s += "<text class=\"ylabel\" x=\"\(f(left - 6))\" y=\"\(f(ty + 4))\">\(Escape.html(Formatting.value(tick, unit: unit)))</text>\n"
            tick += step
        }
        return s
    }

    func svg() -> String {
        let w = Self.width
        let h = Self.height
        let plotW = Self.plotWidth
        let plotH = h - Self.top - Self.bottom
        var lo = Double.infinity
        var hi = -Double.infinity
        for l in lines { for p in l.points where p.value.isFinite { lo = Swift.min(lo, p.value); hi = Swift.max(hi, p.value) } }
        if let band { lo = Swift.min(lo, band.low); hi = Swift.max(hi, band.high) }
        if lo > hi { lo = 0; hi = 1 }
        // A budget near the data joins the scale; one more than a data span away is drawn at the edge
        // (data that never moved from zero, such as an error rate of 0%, has its budget on the scale).
        let dataSpan = Swift.max(hi - lo, Self.minimumRelativeSpan * Swift.max(abs(lo), abs(hi)), lo == 0 && hi == 0 ? .infinity : 0)
        var onScale: [Rule] = []
        var above: [Rule] = []
        var below: [Rule] = []
        for b in budgets {
            if b.value > hi + dataSpan { above.append(b) } else if b.value < lo - dataSpan { below.append(b) } else {
                onScale.append(b)
                lo = Swift.min(lo, b.value)
                hi = Swift.max(hi, b.value)
            }
        }
        // An all-zero ratio (no errors) gets 0–1%, not 0–100%.
        let (yBottom, yTop, step) = Self.fittedScale(low: lo, high: hi, zeroSpan: unit == .ratio ? 0.01 : 1)
        func x(_ i: Int) -> Double {
            count <= 1 ? Self.left + plotW / 2 : Self.left + plotW * Double(i) / Double(count - 1)
        }
        func y(_ v: Double) -> Double { Self.top + plotH * (1 - Swift.min(Swift.max((v - yBottom) / (yTop - yBottom), 0), 1)) }
        func f(_ v: Double) -> String { Formatting.fixed(v, 1) }
        func branchAttributes(_ branch: String) -> String {
            let other = !baseBranch.isEmpty && branch != baseBranch
            return " data-branch=\"\(Escape.html(branch))\"" + (other ? " data-other=\"1\"" : "")
        }

        var s = "<svg class=\"chart\" viewBox=\"0 0 \(Int(w)) \(Int(h))\" role=\"img\" preserveAspectRatio=\"xMidYMid meet\""
        s += " xmlns=\"http://www.w3.org/2000/svg\"><title>\(Escape.html(accessibleTitle))</title>\n"
        s += Self.yGrid(bottom: yBottom, top: yTop, step: step, unit: unit, y: y)
        // x axis: commits by short SHA and date.
        let axisY = h - Self.bottom
        let shown = Self.xAxisLabels(xLabels, count: count)
        for (i, l) in shown.enumerated() {
            let lx = x(l.x)
            let anchor = shown.count > 1 && i == 0 ? " start" : shown.count > 1 && i == shown.count - 1 ? " end" : ""
            s += "<line class=\"xtick\" x1=\"\(f(lx))\" x2=\"\(f(lx))\" y1=\"\(f(axisY))\" y2=\"\(f(axisY + 4))\"/>"
            s += "<text class=\"xlabel\(anchor)\" x=\"\(f(lx))\" y=\"\(f(axisY + 17))\">\(Escape.html(l.sha))</text>"
            s += "<text class=\"xlabel date\(anchor)\" x=\"\(f(lx))\" y=\"\(f(axisY + 33))\">\(Escape.html(l.date))</text>\n"
        }
        if let band {
            let y1 = y(band.high)
            let y2 = y(band.low)
            let x1 = count <= 1 ? Self.left : x(Swift.min(Swift.max(band.fromX, 0), count - 1))
            s += "<rect class=\"band\" x=\"\(f(x1))\" y=\"\(f(y1))\" width=\"\(f(Swift.max(w - Self.right - x1, 2)))\" height=\"\(f(Swift.max(y2 - y1, 1)))\">"
            s += "<title>\(Escape.html(band.label))</title></rect>\n"
        }
        // Budget labels sit at the right edge, spread so that none overlaps another.
        let edgeRules = onScale.map { ($0, y($0.value), "") } + above.map { ($0, Self.top, "↑ ") } + below.map { ($0, Self.top + plotH, "↓ ") }
        let labelYs = Self.spread(edgeRules.map { $0.1 - 4 }, lo: Self.top + 11, hi: Self.top + plotH - 4)
        for (k, (b, by, arrow)) in edgeRules.enumerated() {
            let offScale = !arrow.isEmpty
            s += "<g class=\"budget\(offScale ? " off-scale" : "")\">"
            if offScale {
                // An arrow at the edge, pointing out of the chart towards the budget.
                let dir = arrow == "↑ " ? 1.0 : -1.0
                let ax = w - Self.right - 8
                s += "<path d=\"M\(f(ax - 6)),\(f(by + 8 * dir)) L\(f(ax + 6)),\(f(by + 8 * dir)) L\(f(ax)),\(f(by)) Z\"/>"
            } else {
                s += "<line x1=\"\(f(Self.left))\" x2=\"\(f(w - Self.right))\" y1=\"\(f(by))\" y2=\"\(f(by))\"/>"
            }
            let text = arrow + b.label + (offScale ? (arrow == "↑ " ? " (above the chart)" : " (below the chart)") : "")
            s += "<text x=\"\(f(w - Self.right - (offScale ? 18 : 4)))\" y=\"\(f(labelYs[k] + (offScale && arrow == "↑ " ? 10 : 0)))\">\(Escape.html(text))</text>"
            s += "<title>\(Escape.html(text))</title></g>\n"
        }
        for m in markers {
            let mx = x(m.x)
            // A change point is a decision of the detector: its colour is that decision's.
            let kind = m.worse ? "worse" : "better"
            s += "<g class=\"cp \(kind)\" data-decision=\"\(kind)\"><line x1=\"\(f(mx))\" x2=\"\(f(mx))\" y1=\"\(f(Self.top))\" y2=\"\(f(axisY))\"/>"
            s += "<path d=\"M\(f(mx - 5)),\(f(Self.top - 8)) L\(f(mx + 5)),\(f(Self.top - 8)) L\(f(mx)),\(f(Self.top)) Z\"/>"
            s += "<title>\(Escape.html(m.label))</title></g>\n"
        }
        for l in lines where !l.points.isEmpty {
            let pts = l.points.map { "\(f(x($0.x))),\(f(y($0.value)))" }.joined(separator: " ")
            s += "<polyline class=\"line s-\(Escape.html(l.statistic))\"\(branchAttributes(l.branch)) points=\"\(pts)\"/>\n"
        }
        for p in hover {
            var dot = "<circle class=\"pt\" cx=\"\(f(x(p.x)))\" cy=\"\(f(y(p.value)))\" r=\"3\" tabindex=\"0\">"
            dot += "<title>\(Escape.html(p.title))</title></circle>"
            if let url = p.url {
                s += "<a href=\"\(Escape.html(url))\"\(branchAttributes(p.branch))>\(dot)</a>\n"
            } else {
                s += "<g\(branchAttributes(p.branch))>\(dot)</g>\n"
            }
        }
        s += "</svg>"
        return s
    }
}

/// A small trend line for the index: no axes, the newest point marked, a `<title>` with the range.
struct Sparkline {
    var values: [Double]
    var title: String
    var worse: Bool

    static let width = 140.0
    static let height = 32.0

    func svg() -> String {
        let w = Self.width
        let h = Self.height
        func f(_ v: Double) -> String { Formatting.fixed(v, 1) }
        var s = "<svg class=\"spark\(worse ? " worse" : "")\" viewBox=\"0 0 \(Int(w)) \(Int(h))\" width=\"\(Int(w))\" height=\"\(Int(h))\" role=\"img\" xmlns=\"http://www.w3.org/2000/svg\">"
        s += "<title>\(Escape.html(title))</title>"
        guard !values.isEmpty else { return s + "</svg>" }
        let lo = values.min() ?? 0
        let hi = values.max() ?? 1
        let span = hi - lo > 0 ? hi - lo : Swift.max(abs(hi), 1)
        func x(_ i: Int) -> Double { values.count == 1 ? w / 2 : 2 + (w - 4) * Double(i) / Double(values.count - 1) }
        func y(_ v: Double) -> Double { hi - lo > 0 ? 3 + (h - 6) * (1 - (v - lo) / span) : h / 2 }
        // Long histories are thinned to at most 200 vertices, keeping the last point.
        let stride = Swift.max(1, values.count / 200)
        var idx = Array(Swift.stride(from: 0, to: values.count, by: stride))
        if idx.last != values.count - 1 { idx.append(values.count - 1) }
        s += "<polyline points=\"" + idx.map { "\(f(x($0))),\(f(y(values[$0])))" }.joined(separator: " ") + "\"/>"
        s += "<circle cx=\"\(f(x(values.count - 1)))\" cy=\"\(f(y(values[values.count - 1])))\" r=\"2.5\"/></svg>"
        return s
    }
}
