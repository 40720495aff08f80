import Foundation
import PerfgateCore

/// The capacity section of a run page for a stepped run (docs/capacity.md): p95 and throughput against
/// the load level of each steady step, the knee's bracket shaded, and the steps as a table. Drawn like
/// ``TimelineChart`` (same viewBox, classes and escaping).
enum CapacityChart {
    /// One chart: `value` against users, the knee's bracket shaded when found.
    /// `baseline`, when given, is drawn on the same axes in a neutral dashed line (`s-users run-b`), its
    /// knee's bracket outlined, never shaded.
    static func svg(
        _ a: CapacityAnalysis, title: String, unit: MetricUnit, cls: String, baseline: CapacityAnalysis? = nil, value: (LoadLevel) -> Double?
    ) -> String {
        let w = TimelineChart.width
        let h = TimelineChart.height
        let top = TimelineChart.top
        let bottom = TimelineChart.bottom
        let left = TimelineChart.left
        let right = TimelineChart.right
        let plotW = w - left - right
        let plotH = h - top - bottom
        func curve(_ x: CapacityAnalysis) -> [(users: Double, value: Double)] {
            x.levels.compactMap { l in value(l).map { (users: l.users, value: $0) } }.filter { $0.value.isFinite }
        }
        let points = curve(a)
        let basePoints = baseline.map(curve) ?? []
        let maxUsers = Swift.max((a.levels + (baseline?.levels ?? [])).map(\.users).max() ?? 1, 1)
        let (yBottom, yTop, step) = LineChart.fittedScale(low: 0, high: (points + basePoints).map(\.value).max() ?? 1)
        func x(_ u: Double) -> Double { left + plotW * Swift.min(Swift.max(u / maxUsers, 0), 1) }
        func y(_ v: Double) -> Double { top + plotH * (1 - Swift.min(Swift.max((v - yBottom) / (yTop - yBottom), 0), 1)) }
        func f(_ v: Double) -> String { Formatting.fixed(v, 1) }
        var s = "<svg class=\"chart timeline capacity\" viewBox=\"0 0 \(Int(w)) \(Int(h))\" role=\"img\" preserveAspectRatio=\"xMidYMid meet\""
        s += " xmlns=\"http://www.w3.org/2000/svg\"><title>\(Escape.html(title))</title>\n"
        if case .found(let lastWithin, let firstPast, _) = a.knee {
            let x1 = x(lastWithin)
            let x2 = x(firstPast)
            s += "<rect class=\"phase ramp knee\" x=\"\(f(x1))\" y=\"\(f(top))\" width=\"\(f(Swift.max(x2 - x1, 1)))\" height=\"\(f(plotH))\">"
            s += "<title>\(Escape.html(a.knee.summary))</title></rect>\n"
            s += "<text class=\"phase-label\" x=\"\(f((x1 + x2) / 2))\" y=\"\(f(top - 8))\">knee</text>\n"
        }
        if let b = baseline, case .found(let lastWithin, let firstPast, _) = b.knee {
            for u in [lastWithin, firstPast] {
                s += "<line class=\"phase-edge\" x1=\"\(f(x(u)))\" x2=\"\(f(x(u)))\" y1=\"\(f(top))\" y2=\"\(f(top + plotH))\">"
                s += "<title>\(Escape.html("baseline: " + b.knee.summary))</title></line>\n"
            }
        }
        s += LineChart.yGrid(bottom: yBottom, top: yTop, step: step, unit: unit, y: y)
        let axisY = h - bottom
        let xStep = Swift.max(1, LineChart.niceStep(maxUsers * 4 / 5))
        var u = 0.0
        while u <= maxUsers + xStep * 1e-9 {
            let ux = x(u)
            let anchor = u == 0 ? " start" : u + xStep > maxUsers + xStep * 1e-9 && w - right - ux < 40 ? " end" : ""
            let label = Formatting.value(u, unit: .count) + (u + xStep > maxUsers + xStep * 1e-9 ? " users" : "")
            s += "<line class=\"xtick\" x1=\"\(f(ux))\" x2=\"\(f(ux))\" y1=\"\(f(axisY))\" y2=\"\(f(axisY + 4))\"/>"
            s += "<text class=\"xlabel\(anchor)\" x=\"\(f(ux))\" y=\"\(f(axisY + 18))\">\(Escape.html(label))</text>\n"
            u += xStep
        }
        if !basePoints.isEmpty {
            let pts = basePoints.map { "\(f(x($0.users))),\(f(y($0.value)))" }.joined(separator: " ")
            s += "<polyline class=\"line s-users run-b\" points=\"\(pts)\"><title>\(Escape.html("baseline: " + title))</title></polyline>\n"
        }
        if !points.isEmpty {
            let pts = points.map { "\(f(x($0.users))),\(f(y($0.value)))" }.joined(separator: " ")
            s += "<polyline class=\"line \(cls)\" points=\"\(pts)\"><title>\(Escape.html(title))</title></polyline>\n"
        }
        s += "</svg>"
        return s
    }

    /// The two charts of a curve — p95 and requests/s by load level — each when some level has it, with
    /// `baseline`'s curve beside it when given.
    static func figures(_ a: CapacityAnalysis, baseline: CapacityAnalysis?) -> String {
        var s = ""
        for (title, unit, cls, value) in [
            ("p95 by load level", MetricUnit.milliseconds, "s-p95", { (l: LoadLevel) in l.p95 }),
            ("Throughput by load level (requests/s)", MetricUnit.perSecond, "s-rps", { (l: LoadLevel) in l.requestsPerSecond }),
        ] where a.levels.contains(where: { value($0) != nil }) {
            s += "<figure class=\"timeline-panel\"><figcaption>\(Escape.html(title))</figcaption>"
            s += "<div class=\"chart-scroll from-start\">\(svg(a, title: title, unit: unit, cls: cls, baseline: baseline, value: value))</div></figure>\n"
        }
        return s
    }

    /// The section's HTML (pre-escaped, inserted with `{{{…}}}`); empty unless the run has two or more steps.
    static func html(runId: Int64, timeline: RunTimeline) -> String {
        let steps = Capacity.steps(of: timeline, runId: runId)
        guard !steps.isEmpty else { return "" }
        let a = Capacity.analyse(steps)
        var s = "<p id=\"knee\"><strong>\(Escape.html(a.knee.summary))</strong>. "
        let low = a.lowLoadP95.map { " (" + Formatting.value($0, unit: .milliseconds) + ")" } ?? ""
        s += Escape.html(
            "Each steady step of the run is a load level. Past the knee: p95 above \(Formatting.value(a.rule.p95Factor, unit: .count)) × the lowest level's p95\(low), or throughput growing by less than \(Formatting.value(a.rule.throughputGain * 100, unit: .count))% of the load's growth. The command perfgate capacity prints the same analysis.")
        s += "</p>\n<div class=\"legend\"><span class=\"s-p95\">p95</span><span class=\"s-rps\">requests/s</span>"
        if a.knee.capacity != nil { s += "<span class=\"band\">knee (between two measured levels)</span>" }
        s += "</div>\n"
        s += figures(a, baseline: nil)
        s += "<div class=\"scroll\"><table id=\"capacity-levels\"><thead><tr><th>step</th><th class=\"num\">users</th>"
        s += "<th class=\"num\">requests/s</th><th class=\"num\">p50</th><th class=\"num\">p95</th><th class=\"num\">error rate</th><th>assessment</th></tr></thead><tbody>\n"
        for l in a.levels {
            let span = l.span.map { "\(Formatting.fixed($0.lowerBound, 0))–\(Formatting.fixed($0.upperBound, 0)) s" } ?? ""
            let assessment = a.assessment(of: l)
            let cls = assessment == .pastKnee ? "warn" : "same"
            s += "<tr data-decision=\"\(cls)\"><td>\(Escape.html(span))</td><td class=\"num\">\(Escape.html(Formatting.value(l.users, unit: .count)))</td>"
            s += "<td class=\"num\">\(Escape.html(l.requestsPerSecond.map { Formatting.fixed($0, 1) } ?? "—"))</td>"
            s += "<td class=\"num\">\(Escape.html(l.p50.map { Formatting.value($0, unit: .milliseconds) } ?? "—"))</td>"
            s += "<td class=\"num\">\(Escape.html(l.p95.map { Formatting.value($0, unit: .milliseconds) } ?? "—"))</td>"
            s += "<td class=\"num\">\(Escape.html(l.errorRate.map { Formatting.value($0, unit: .ratio) } ?? "—"))</td>"
            s += "<td class=\"\(cls)\">\(Escape.html(assessment.rawValue))</td></tr>\n"
        }
        s += "</tbody></table></div>\n"
        return s
    }
}

extension CapacityChart {
    /// The charts' numbers: each load level's p95 and requests/s on both sides, and where it stands at `label`.
    static func levelsTable(_ a: CapacityAnalysis, baseline: CapacityAnalysis?, label: String, baselineLabel: String) -> String {
        func byUsers(_ x: CapacityAnalysis?) -> [Double: LoadLevel] {
            // The knee's curve (one worker count) is what the charts draw; a merged level per load.
            Dictionary(x?.levels.map { ($0.users, $0) } ?? [], uniquingKeysWith: { first, _ in first })
        }
        let cur = byUsers(a)
        let base = byUsers(baseline)
        let l = Escape.html(label)
        let b = Escape.html(baselineLabel)
        var s = "<div class=\"scroll\"><table class=\"capacity-compare\"><thead><tr><th class=\"num\">users</th>"
        s += "<th class=\"num\">p95 \(l)</th>" + (baseline != nil ? "<th class=\"num\">p95 \(b)</th>" : "")
        s += "<th class=\"num\">requests/s \(l)</th>" + (baseline != nil ? "<th class=\"num\">requests/s \(b)</th>" : "")
        s += "<th>at \(l)</th></tr></thead><tbody>\n"
        func ms(_ v: Double?) -> String { Escape.html(v.map { Formatting.value($0, unit: .milliseconds) } ?? "—") }
        func rps(_ v: Double?) -> String { Escape.html(v.map { Formatting.fixed($0, 1) } ?? "—") }
        for u in Set(cur.keys).union(base.keys).sorted() {
            let c = cur[u]
            let o = base[u]
            s += "<tr><td class=\"num\">\(Escape.html(Formatting.value(u, unit: .count)))</td><td class=\"num\">\(ms(c?.p95))</td>"
            if baseline != nil { s += "<td class=\"num\">\(ms(o?.p95))</td>" }
            s += "<td class=\"num\">\(rps(c?.requestsPerSecond))</td>"
            if baseline != nil { s += "<td class=\"num\">\(rps(o?.requestsPerSecond))</td>" }
            s += "<td>\(Escape.html(c.map { a.assessment(of: $0).rawValue } ?? "not measured"))</td></tr>\n"
        }
        return s + "</tbody></table></div>\n"
    }

    /// A side with at least two load levels: a curve to draw.
    static func campaign(_ a: CapacityAnalysis?) -> CapacityAnalysis? { a.flatMap { $0.levels.count >= 2 ? $0 : nil } }

    /// The release page's capacity curves (pre-escaped): per campaign, p95 and requests/s by load level at
    /// `label`, the `baselineLabel` commit's curve beside it on the same axes (neutral, dashed), each knee
    /// in words, and which side has no campaign. Empty when neither side of any pair has one.
    static func comparisonHTML(_ pairs: [CapacityCurvePair], label: String, baselineLabel: String) -> String {
        var s = ""
        var neither: [String] = []
        for p in pairs {
            let current = campaign(p.current)
            let baseline = campaign(p.baseline)
            guard current != nil || baseline != nil else {
                neither.append("\(p.scenario) · \(p.environment)")
                continue
            }
            func knee(_ a: CapacityAnalysis?, _ at: String) -> String {
                a.map { "\(at): \($0.knee.summary)" } ?? "\(at): no capacity campaign (fewer than two load levels)"
            }
            s += "<h3>\(Escape.html("\(p.scenario) · \(p.environment)"))</h3>\n"
            s += "<p class=\"capacity-knees\">\(Escape.html(knee(current, label)))<br>\(Escape.html(knee(baseline, baselineLabel)))</p>\n"
            guard let a = current else { continue }
            s += "<div class=\"legend\"><span class=\"s-p95\">\(Escape.html(label))</span>"
            if baseline != nil { s += "<span class=\"s-users run-b\">\(Escape.html(baselineLabel))</span>" }
            if a.knee.capacity != nil { s += "<span class=\"band\">knee at \(Escape.html(label)) (between two measured levels)</span>" }
            s += "</div>\n"
            s += figures(a, baseline: baseline)
            s += levelsTable(a, baseline: baseline, label: label, baselineLabel: baselineLabel)
        }
        // Only worth saying beside a curve: without any, the page has no capacity curves at all.
        if !s.isEmpty && !neither.isEmpty {
            s += "<p class=\"muted\" id=\"no-capacity-campaign\">\(Escape.html("No capacity campaign (two or more load levels) at either commit: " + neither.joined(separator: ", ") + "."))</p>\n"
        }
        return s
    }
}
