import Foundation
import PerfgateCore

/// An SVG line chart drawn by perfgate itself: one polyline per statistic and branch over commit order,
/// hover points with `<title>` details (and commit links), budget lines, a baseline band and
/// change-point markers. Every piece of text from the input is escaped here; the result is inserted
/// into templates unescaped (`{{{chart}}}`), so nothing else may build it.
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
    }

    struct Marker {
        var x: Int
        var label: String
        var worse: Bool
    }

    var accessibleTitle: String
    var unit: MetricUnit
    /// Number of x positions (commits).
    var count: Int
    var lines: [Line] = []
    var hover: [HoverPoint] = []
    var budgets: [Rule] = []
    var band: Band?
    var markers: [Marker] = []

    static let width = 720.0
    static let height = 260.0
    static let left = 74.0
    static let right = 12.0
    static let top = 12.0
    static let bottom = 28.0

    /// Plot pixels per hover bucket: hover circles (radius 3) closer than this hide one another.
    static let hoverBucketPixels = 4.0

    /// Which of `points` (x index, value, branch) get a hover circle. Up to one bucket of
    /// ``hoverBucketPixels`` per branch keeps all its points; a denser history keeps the lowest and
    /// the highest value of each bucket (spikes and dips stay reachable; circles that would sit on
    /// top of one another are dropped), and always the newest point. Indices into `points`, ascending.
    static func hoverSelection(_ points: [(x: Int, value: Double, branch: String)], count: Int) -> [Int] {
        let plotWidth = width - left - right
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

    /// A tick step of 1, 2, 2.5 or 5 × 10^k giving about four intervals up to `maxValue`.
    static func niceScale(_ maxValue: Double) -> (top: Double, step: Double) {
        guard maxValue > 0, maxValue.isFinite else { return (1, 0.25) }
        let raw = maxValue / 4
        let magnitude = pow(10, floor(log10(raw)))
        let step = [1.0, 2, 2.5, 5, 10].map { $0 * magnitude }.first { $0 >= raw } ?? 10 * magnitude
        return (ceil(maxValue / step - 1e-9) * step, step)
    }

    func svg() -> String {
        let w = Self.width
        let h = Self.height
        let plotW = w - Self.left - Self.right
        let plotH = h - Self.top - Self.bottom
        var maxV = 0.0
        for l in lines { for p in l.points { maxV = Swift.max(maxV, p.value) } }
        for b in budgets { maxV = Swift.max(maxV, b.value) }
        if let band { maxV = Swift.max(maxV, band.high) }
        let (yTop, step) = Self.niceScale(maxV * 1.05)
        func x(_ i: Int) -> Double {
            count <= 1 ? Self.left + plotW / 2 : Self.left + plotW * Double(i) / Double(count - 1)
        }
        func y(_ v: Double) -> Double { Self.top + plotH * (1 - Swift.min(Swift.max(v / yTop, 0), 1)) }
        func f(_ v: Double) -> String { Formatting.fixed(v, 1) }

        var s = "<svg class=\"chart\" viewBox=\"0 0 \(Int(w)) \(Int(h))\" role=\"img\" preserveAspectRatio=\"xMidYMid meet\""
        s += " xmlns=\"http://www.w3.org/2000/svg\"><title>\(Escape.html(accessibleTitle))</title>\n"
        // Grid and y labels.
        var tick = 0.0
        while tick <= yTop + step / 2 {
            let ty = y(tick)
            s += "<line class=\"grid\" x1=\"\(f(Self.left))\" x2=\"\(f(w - Self.right))\" y1=\"\(f(ty))\" y2=\"\(f(ty))\"/>"
            s += "<text class=\"ylabel\" x=\"\(f(Self.left - 6))\" y=\"\(f(ty + 4))\">\(Escape.html(Formatting.value(tick, unit: unit)))</text>\n"
            tick += step
        }
        s += "<text class=\"xlabel\" x=\"\(f(Self.left))\" y=\"\(f(h - 8))\">oldest</text>"
        s += "<text class=\"xlabel end\" x=\"\(f(w - Self.right))\" y=\"\(f(h - 8))\">newest (\(count) commits)</text>\n"
        if let band {
            let y1 = y(band.high)
            let y2 = y(band.low)
            s += "<rect class=\"band\" x=\"\(f(Self.left))\" y=\"\(f(y1))\" width=\"\(f(plotW))\" height=\"\(f(Swift.max(y2 - y1, 1)))\">"
            s += "<title>\(Escape.html(band.label))</title></rect>\n"
        }
        for b in budgets {
            let by = y(b.value)
            s += "<g class=\"budget\"><line x1=\"\(f(Self.left))\" x2=\"\(f(w - Self.right))\" y1=\"\(f(by))\" y2=\"\(f(by))\"/>"
            s += "<text x=\"\(f(w - Self.right - 4))\" y=\"\(f(by - 4))\">\(Escape.html(b.label))</text>"
            s += "<title>\(Escape.html(b.label))</title></g>\n"
        }
        for m in markers {
            let mx = x(m.x)
            s += "<g class=\"cp \(m.worse ? "worse" : "better")\"><line x1=\"\(f(mx))\" x2=\"\(f(mx))\" y1=\"\(f(Self.top))\" y2=\"\(f(h - Self.bottom))\"/>"
            s += "<path d=\"M\(f(mx - 5)),\(f(Self.top)) L\(f(mx + 5)),\(f(Self.top)) L\(f(mx)),\(f(Self.top + 8)) Z\"/>"
            s += "<title>\(Escape.html(m.label))</title></g>\n"
        }
        for l in lines where !l.points.isEmpty {
            let pts = l.points.map { "\(f(x($0.x))),\(f(y($0.value)))" }.joined(separator: " ")
            s += "<polyline class=\"line s-\(Escape.html(l.statistic))\" data-branch=\"\(Escape.html(l.branch))\" points=\"\(pts)\"/>\n"
        }
        for p in hover {
            var dot = "<circle class=\"pt\" data-branch=\"\(Escape.html(p.branch))\" cx=\"\(f(x(p.x)))\" cy=\"\(f(y(p.value)))\" r=\"3\" tabindex=\"0\">"
            dot += "<title>\(Escape.html(p.title))</title></circle>"
            if let url = p.url {
                s += "<a href=\"\(Escape.html(url))\" data-branch=\"\(Escape.html(p.branch))\">\(dot)</a>\n"
            } else {
                s += dot + "\n"
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
