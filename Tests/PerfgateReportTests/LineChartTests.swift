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
