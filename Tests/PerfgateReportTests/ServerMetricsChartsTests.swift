import Foundation
import PerfgateCore
import Testing

@testable import PerfgateReport

@Suite struct ServerMetricsChartsTests {
    static let start = Date(timeIntervalSince1970: 1_000_000)

    /// Memory growing 1 MB a second for 12 samples, one per second from the run's start.
    static func memory(name: String = "app_memory_bytes") -> ServerSeries {
        ServerSeries(
            name: name, unit: .bytes, direction: .lowerIsBetter,
            samples: (0..<12).map { ServerSample(time: 1_000_000 + Double($0), value: 64_000_000 + 1_000_000 * Double($0)) })
    }

    @Test func oneChartPerSeriesOnTheClientsTimeAxisWithTheRampsShaded() {
        let timeline = TimelineChartTests.ramped()
        let html = ServerMetricsCharts.html(
            [Self.memory(), Self.memory(name: "b<script>_bytes")], startedAt: Self.start, timeline: timeline, durationSeconds: 11)
        #expect(html.components(separatedBy: "<figure class=\"timeline-panel server-metric\">").count - 1 == 2)
        // The same x axis as the client's charts (0 … 10 s of the 11.5 s timeline) and the same ramps.
        let client = TimelineCharts.html([TimelineCharts.Source(timeline: timeline, cls: "", name: "")])
        for tick in [">0 s</text>", ">5 s</text>", ">10 s</text>"] { #expect(html.contains(tick) && client.contains(tick), "\(tick)") }
        #expect(html.components(separatedBy: "class=\"phase ramp\"").count - 1 == 4)
        // The first sample is drawn at x = the plot's left edge (t = 0 s from the run's start).
        #expect(html.contains("points=\"\(Formatting.fixed(TimelineChart.left, 1)),"))
        // Names are escaped; the caption carries mean, max and the trend.
        #expect(!html.contains("b<script>") && html.contains("b&lt;script&gt;_bytes"))
        // mean 69.5e6 B, max 75e6 B, +11e6 B over 11 s = 3.6e9 B/h, in binary units as perfgate prints bytes.
        #expect(html.contains("app_memory_bytes — mean 66.3 MB, max 71.5 MB, trend +10.5 MB over 11 s (+3.4 GB/h)"), "\(html)")
    }

    @Test func nothingWithoutSeriesOrStart() {
        #expect(ServerMetricsCharts.html([], startedAt: Self.start, timeline: nil, durationSeconds: 10).isEmpty)
        #expect(ServerMetricsCharts.html([Self.memory()], startedAt: nil, timeline: nil, durationSeconds: 10).isEmpty)
    }
}
