import Foundation
import PerfgateCore
import Testing

@testable import PerfgateReport

@Suite struct CapacityChartTests {
    /// A staircase of four 6-second steps at 2, 4, 6 and 8 users: throughput grows 10 requests/s per user
    /// up to 4 users and stays at 40 beyond; p95 at 6 users is exactly 1.5 × its low-load level, which is
    /// not above it: only the throughput rule marks the knee.
    static func staircase() -> RunTimeline {
        var buckets: [TimelineBucket] = []
        for (step, users) in [2.0, 4, 6, 8].enumerated() {
            for i in 0..<6 {
                let rps = min(users, 4) * 10
                let p95 = users <= 4 ? 110.0 : 110 * users / 4
                buckets.append(TimelineBucket(index: step * 6 + i, requests: rps, errors: 0, p50: p95 * 0.9, p95: p95, users: users))
            }
        }
        return RunTimeline(bucketSeconds: 1, buckets: buckets)
    }

    @Test func aSteppedRunGetsTheLoadCurveWithTheKneeMarked() throws {
        let html = CapacityChart.html(runId: 3, timeline: Self.staircase())
        #expect(html.contains("<strong>knee between 4 and 6 users (throughput flat)</strong>"), "\(html)")
        // Both charts shade the knee's bracket and say what it is.
        #expect(html.components(separatedBy: "class=\"phase ramp knee\"").count == 3)
        #expect(html.contains("<title>knee between 4 and 6 users (throughput flat)</title>"))
        #expect(html.contains("8 users</text>"))
        // The table: one row per step, in the gate's words.
        #expect(html.components(separatedBy: "<td class=\"same\">within capacity</td>").count == 3)
        #expect(html.components(separatedBy: "<td class=\"warn\">past the knee</td>").count == 3)
    }

    @Test func theOverTimeNoteSaysAStaircaseIsSteps() {
        let html = TimelineCharts.html([TimelineCharts.Source(timeline: Self.staircase(), cls: "", name: "")])
        #expect(html.contains("The run climbs through 4 steady steps"), "\(html)")
        #expect(!TimelineCharts.html([TimelineCharts.Source(timeline: TimelineChartTests.ramped(), cls: "", name: "")]).contains("steady steps"))
    }

    @Test func aRunAtOneLoadLevelHasNoCapacitySection() {
        let flat = RunTimeline(bucketSeconds: 1, buckets: (0..<20).map { TimelineBucket(index: $0, requests: 10, errors: 0, p95: 100, users: 5) })
        #expect(CapacityChart.html(runId: 1, timeline: flat).isEmpty)
    }
}
