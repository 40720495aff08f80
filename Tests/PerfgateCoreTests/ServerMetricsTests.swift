import Foundation
import Testing

@testable import PerfgateCore

@Suite("server metrics")
struct ServerMetricsTests {
    func series(_ values: [(Double, Double)], name: String = "m_bytes") -> ServerSeries {
        ServerSeries(name: name, unit: .bytes, direction: .lowerIsBetter, samples: values.map { ServerSample(time: $0.0, value: $0.1) })
    }

    @Test func statisticsAndGrowthPerHour() throws {
        // 10 B per second for 20 samples = 36 000 B per hour.
        let s = series((0..<20).map { (1000 + Double($0), 500 + 10 * Double($0)) })
        let r = try #require(ServerMetrics.summary(s))
        #expect(r.key == SeriesKey(endpoint: "", metric: "m_bytes") && r.unit == .bytes)
        #expect(r.stats[.min] == 500 && r.stats[.max] == 690 && r.stats[.value] == 690 && r.stats[.mean] == 595)
        #expect(abs((r.stats[.p95] ?? 0) - Stats.Percentile.type7(s.samples.map(\.value), 0.95)) < 1e-9)
        #expect(abs((r.stats[ServerMetrics.growthPerHour] ?? 0) - 36_000) < 1e-6)
        // One sample: no growth.
        #expect(ServerMetrics.summary(series([(5, 1)]))?.stats[ServerMetrics.growthPerHour] == nil)
        #expect(ServerMetrics.summary(series([])) == nil)
    }

    @Test func windowDropsSamplesOutsideTheRunInclusively() {
        let s = series((0..<10).map { (100 + Double($0), Double($0)) })
        let (kept, dropped) = ServerMetrics.window([s, series([(50, 1)], name: "early")], start: Date(timeIntervalSince1970: 102), duration: 5)
        #expect(kept.map(\.name) == ["m_bytes"] && kept[0].samples.map(\.time) == [102, 103, 104, 105, 106, 107])
        #expect(dropped == 5)
        #expect(ServerMetrics.overlap([s], start: Date(timeIntervalSince1970: 105), duration: 100) == 4)
        #expect(ServerMetrics.overlap([s], start: Date(timeIntervalSince1970: 200), duration: 100) == 0)
    }

    @Test func unitsByPrometheusNamingConventions() {
        #expect(ServerMetrics.unit(ofName: "process_resident_memory_bytes").0 == .bytes)
        #expect(ServerMetrics.unit(ofName: "gc_pause_seconds{gen=\"0\"}").0 == .milliseconds)
        #expect(ServerMetrics.unit(ofName: "gc_pause_seconds").1(0.25) == 250)
        #expect(ServerMetrics.unit(ofName: "cache_hit_ratio").0 == .ratio)
        #expect(ServerMetrics.unit(ofName: "cpu_percent").1(80) == 0.8)
        #expect(ServerMetrics.unit(ofName: "process_cpu_seconds_total").0 == MetricUnit.none)
        #expect(ServerMetrics.isCounter("process_cpu_seconds_total") && !ServerMetrics.isCounter("cpu_ratio"))
        #expect(ServerMetrics.direction(ofName: "cache_hit_ratio") == .higherIsBetter)
        #expect(ServerMetrics.direction(ofName: "db_connections_in_use") == .lowerIsBetter)
    }
}
