import Foundation
import PerfgateCore
import Testing

@testable import PerfgateReport

@Suite struct TimelineChartTests {
    /// 12 one-second buckets: users 1…5 over four seconds, 5 for six, then 3 and 1; 10 requests a second
    /// with one error in bucket 7.
    static func ramped(latency: Double = 20) -> RunTimeline {
        let users: [Double] = [1, 2, 3, 4, 5, 5, 5, 5, 5, 5, 3, 1]
        return RunTimeline(
            bucketSeconds: 1, offsetSeconds: -0.5,
            buckets: users.enumerated().map { i, u in
                TimelineBucket(index: i, requests: 10, errors: i == 7 ? 1 : 0, p50: latency, p95: latency * 2, users: u)
            })
    }

    @Test func phasesFollowActiveUsers() throws {
        let p = try #require(Self.ramped().phases)
        // Steady state from the start of bucket 4 (3.5 s) to the end of bucket 9 (9.5 s).
        #expect(p.start == 0 && p.steadyStart == 3.5 && p.steadyEnd == 9.5 && p.end == 11.5 && p.peakUsers == 5)
        let phases = TimelineChart.phases(Self.ramped())
        #expect(phases.map(\.label) == ["ramp-up", "steady state (5 users)", "ramp-down"])
        var flat = Self.ramped()
        flat.buckets = flat.buckets.map { var b = $0; b.users = nil; return b }
        #expect(flat.phases == nil && TimelineChart.phases(flat).isEmpty)
    }

    @Test func runPageSectionDrawsFourPanelsWithPhasesAndItsNumbers() {
        let html = TimelineCharts.html([TimelineCharts.Source(timeline: Self.ramped(), cls: "", name: "")])
        #expect(html.components(separatedBy: "<figure class=\"timeline-panel\">").count - 1 == 4)
        for title in ["Latency over the run (p50, p95)", "Throughput over the run (requests/s)", "Error rate over the run", "Active users over the run"] {
            #expect(html.contains(title), "\(title)")
        }
        // Ramp-up and ramp-down shaded on each panel; the steady state named.
        #expect(html.components(separatedBy: "class=\"phase ramp\"").count - 1 == 8)
        #expect(html.contains(">steady state (5 users)</text>"))
        // The x axis is seconds from the start.
        #expect(html.contains(">0 s</text>") && html.contains(">10 s</text>"))
        // The numbers behind the charts: one row per bucket; the error bucket has 10%.
        #expect(html.contains("(12 buckets)") && html.contains("<td class=\"num\">10.00%</td>"))
        #expect(!html.contains("run-b"))
        // Deterministic.
        #expect(html == TimelineCharts.html([TimelineCharts.Source(timeline: Self.ramped(), cls: "", name: "")]))
    }

    @Test func compareOverlaysBothRunsWithBDashed() {
        let html = TimelineCharts.html([
            TimelineCharts.Source(timeline: Self.ramped(), cls: "", name: "A 11111111"),
            TimelineCharts.Source(timeline: Self.ramped(latency: 30), cls: "run-b", name: "B 22222222"),
        ])
        #expect(html.contains("<polyline class=\"line s-p95 run-b\""))
        #expect(html.contains("<span class=\"s-p95 run-b\">p95 (B 22222222)</span>"))
        #expect(html.contains("The numbers of A 11111111") && html.contains("The numbers of B 22222222"))
        // Both runs share one y axis: the highest p95 (60 ms) is on the scale.
        #expect(html.contains(">60.00 ms</text>"))
    }

    @Test func withoutUsersOrPercentilesTheNoteSaysSo() {
        var t = Self.ramped()
        t.buckets = t.buckets.map { var b = $0; b.users = nil; b.p50 = nil; b.p95 = nil; return b }
        let html = TimelineCharts.html([TimelineCharts.Source(timeline: t, cls: "", name: "")])
        #expect(html.components(separatedBy: "<figure class=\"timeline-panel\">").count - 1 == 2)
        #expect(!html.contains("phase ramp") && !html.contains("ramp-up / ramp-down"))
        #expect(html.contains("no active-user counts") && html.contains("no per-interval latency percentiles"))
    }
}
