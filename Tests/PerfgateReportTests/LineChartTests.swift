import Foundation
import PerfgateCore
import Testing

@testable import PerfgateReport

@Suite struct LineChartTests {
    /// A long history keeps at most two hover circles per bucket of plot width, and the spike, the
    /// dip and the newest point are always among them; a short history keeps every point.
    @Test func hoverPointsAreThinnedButExtremesStay() {
        var points: [(x: Int, value: Double, branch: String)] = (0..<1000).map { ($0, 100 + Double($0 % 7), "main") }
        points[500].value = 1000  // spike
        points[700].value = 1  // dip
        let kept = LineChart.hoverSelection(points, count: 1000)
        let buckets = Int((LineChart.width - LineChart.left - LineChart.right) / LineChart.hoverBucketPixels)
        #expect(kept.count <= 2 * buckets + 1 && kept.count >= buckets, "\(kept.count)")
        #expect(kept.contains(500) && kept.contains(700) && kept.contains(999))
        #expect(kept == kept.sorted() && Set(kept).count == kept.count)

        let short = Array(points.prefix(100))
        #expect(LineChart.hoverSelection(short, count: 100) == Array(0..<100))
    }

    /// Each branch is thinned on its own, so a feature branch's few points are all kept.
    @Test func everyBranchKeepsItsPoints() {
        var points: [(x: Int, value: Double, branch: String)] = (0..<1000).map { ($0, 100, "main") }
        for i in stride(from: 900, to: 1000, by: 20) { points[i].branch = "feature" }
        let kept = LineChart.hoverSelection(points, count: 1000)
        let feature = points.indices.filter { points[$0].branch == "feature" }
        #expect(feature.allSatisfy(kept.contains), "\(feature.filter { !kept.contains($0) })")
    }
}

@Suite struct LineChartScaleTests {
    func ys(_ svg: String, _ cls: String) -> [String] {
        svg.components(separatedBy: "<text class=\"\(cls)\"").dropFirst().compactMap { $0.split(separator: ">").dropFirst().first?.split(separator: "<").first.map(String.init) }
    }

    /// The y axis is fitted to the data: a series around 100 ms with a step to 130 ms is not drawn from
    /// zero, so the step fills a good part of the chart.
    @Test func theYAxisIsFittedToTheData() {
        let (bottom, top, step) = LineChart.fittedScale(low: 98, high: 131)
        #expect(bottom >= 80 && bottom <= 98, "\(bottom)")
        #expect(top >= 131 && top <= 150, "\(top)")
        #expect(((top - bottom) / step).rounded() <= 6)
        // Noise of ±1% around 100 stays a small wiggle: the range is at least 20% of the magnitude.
        let noise = LineChart.fittedScale(low: 99, high: 101)
        #expect(noise.top - noise.bottom >= 20, "\(noise)")
        // Data at or above zero never gets a negative axis; an all-zero error rate still has a range.
        #expect(LineChart.fittedScale(low: 0.5, high: 3).bottom == 0)
        let zero = LineChart.fittedScale(low: 0, high: 0)
        #expect(zero.bottom == 0 && zero.top > 0)
    }

    /// A budget far above the data is a labelled marker at the top edge, not the scale; a budget near
    /// the data is a line on the scale.
    @Test func aFarBudgetIsAnOffScaleMarker() {
        let line = LineChart.Line(statistic: "p95", branch: "main", points: (0..<20).map { ($0, 100 + Double($0 % 3)) })
        var chart = LineChart(accessibleTitle: "t", unit: .milliseconds, count: 20, lines: [line])
        chart.budgets = [LineChart.Rule(label: "fail p95 < 2.00 s", value: 2000)]
        let far = chart.svg()
        #expect(far.contains("<g class=\"budget off-scale\">"))
        #expect(far.contains("↑ fail p95 &lt; 2.00 s (above the chart)"))
        #expect(!ys(far, "ylabel").contains { $0.hasSuffix(" s") }, "the scale stays in the data's range: \(ys(far, "ylabel"))")
        chart.budgets = [LineChart.Rule(label: "fail p95 < 110 ms", value: 110)]
        let near = chart.svg()
        #expect(near.contains("<g class=\"budget\"><line"))
        #expect(!near.contains("off-scale"))
    }

    /// Commit labels under the axis never come closer than the room a label needs, and the oldest and the
    /// newest commit are named.
    @Test func commitLabelsDoNotOverlap() {
        let candidates = (0..<1000).map { LineChart.XLabel(x: $0, sha: String(format: "%08x", $0), date: "2026-01-01") }
        let shown = LineChart.xAxisLabels(candidates, count: 1000)
        #expect(shown.first == candidates.first && shown.last == candidates.last)
        #expect(shown.count >= 4)
        let px = shown.map { LineChart.plotWidth * Double($0.x) / 999 }
        #expect(zip(px, px.dropFirst()).allSatisfy { $1 - $0 >= LineChart.xLabelPixels }, "\(px)")
        // Two commits only: both named.
        #expect(LineChart.xAxisLabels(Array(candidates.prefix(2)), count: 2).count == 2)
    }

    /// Labels at the right edge (budgets with close limits) are spread at least a line apart.
    @Test func budgetLabelsAreSpread() {
        let placed = LineChart.spread([100, 101, 99, 180], lo: 20, hi: 200)
        let sorted = placed.sorted()
        #expect(zip(sorted, sorted.dropFirst()).allSatisfy { $1 - $0 >= LineChart.labelGap - 1e-9 }, "\(placed)")
        #expect(placed[2] < placed[0] && placed[0] < placed[1], "order kept: \(placed)")
        let crowded = LineChart.spread([195, 196, 197], lo: 20, hi: 200)
        #expect(crowded.allSatisfy { $0 <= 200 })
    }
}
