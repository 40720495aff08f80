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

    @Test func theBaselineCurveIsDrawnBesideItOnTheSameAxesInANeutralStyle() throws {
        let current = Capacity.analyse(Capacity.steps(of: Self.staircase(), runId: 3))
        // The baseline held 10 users without a knee: the x axis reaches its highest load.
        let baseline = Capacity.analyse((1...5).map { k in
            LoadLevel(users: Double(2 * k), requests: 100, requestsPerSecond: Double(20 * k), p50: 90, p95: 100, errorRate: 0, runIds: [1])
        })
        let html = CapacityChart.comparisonHTML(
            [
                CapacityCurvePair(scenario: "api", environment: "ci", current: current, baseline: baseline),
                CapacityCurvePair(scenario: "soak", environment: "ci", current: nil, baseline: nil),
                CapacityCurvePair(scenario: "new", environment: "ci", current: current, baseline: nil),
            ], label: "v2", baselineLabel: "v1")
        #expect(html.contains("v2: knee between 4 and 6 users (throughput flat)<br>v1: knee not reached up to 10 users"), "\(html)")
        #expect(html.contains("v1: no capacity campaign (fewer than two load levels)"))
        #expect(html.contains("No capacity campaign (two or more load levels) at either commit: soak · ci."))
        // Two charts per campaign; only the api campaign has a baseline line, never green or red.
        #expect(html.components(separatedBy: "<polyline class=\"line s-users run-b\"").count == 3)
        #expect(html.components(separatedBy: "<polyline class=\"line s-p95\"").count == 3)
        #expect(html.components(separatedBy: "<polyline class=\"line s-rps\"").count == 3)
        #expect(!html.contains("better") && !html.contains("fail"))
        #expect(html.contains("10 users</text>"))
        // Every chart's numbers in a table: the baseline's 10 users were not measured at v2.
        #expect(html.contains("<th class=\"num\">p95 v1</th>"))
        #expect(html.contains("<tr><td class=\"num\">10</td><td class=\"num\">—</td><td class=\"num\">100.00 ms</td>"), "\(html)")
        #expect(html.contains("<td>past the knee</td>"))
        // The run page's chart is unchanged without a baseline.
        #expect(!CapacityChart.html(runId: 3, timeline: Self.staircase()).contains("run-b"))
    }
}
