import Foundation
import PerfgateCore
import Testing

@testable import PerfgateIngest

@Suite("Run timelines from k6 points and Locust history")
struct TimelineTests {
    func sum(_ buckets: [TimelineBucket], _ value: (TimelineBucket) -> Double) -> Double { buckets.reduce(0) { $0 + value($1) } }

    /// The whole run's buckets add up to the run's totals, per endpoint too, in both point formats.
    @Test(arguments: [(InputFormat.k6JSON, "generated/k6/points.ndjson"), (.k6CSV, "generated/k6/points.csv")])
    func k6BucketsAddUpToTheRun(format: InputFormat, path: String) throws {
        let run = try K6T.parse(format, path)
        let timeline = try #require(run.timeline)
        #expect(timeline.bucketSeconds == 1)
        let whole = timeline.wholeRun
        let latency = try #require(run.series(SeriesKey(endpoint: "", metric: SeriesKey.requestLatencyMetric)))
        let reqs = try #require(run.series(SeriesKey(endpoint: "", metric: "http_reqs")))
        #expect(sum(whole, \.requests) == reqs.stats[.count])
        #expect(sum(whole, \.errors) == latency.stats[.errors])
        #expect(timeline.endpoints == K6PointsTests.endpoints.sorted())
        for endpoint in timeline.endpoints {
            let s = try #require(run.series(SeriesKey(endpoint: endpoint, metric: SeriesKey.requestLatencyMetric)))
            let mine = timeline.buckets.filter { $0.endpoint == endpoint }
            #expect(sum(mine, \.errors) == s.stats[.errors], "\(endpoint)")
            #expect(mine.allSatisfy { $0.users == nil })
        }
        // Every bucket with requests has percentiles, p50 ≤ p95, within the run's min and max.
        for b in whole where b.requests > 0 {
            let p50 = try #require(b.p50), p95 = try #require(b.p95)
            #expect(p50 <= p95 && p95 <= latency.stats[.max]! * 1.01)
        }
        // Buckets span the run's requests (the file's last points, such as iteration times, may come
        // after its last request, within a second here).
        let last = try #require(whole.last)
        #expect(whole.first?.index == 0 && timeline.startSeconds(of: 0) == 0)
        #expect(timeline.endSeconds(of: last.index) > run.durationSeconds! - 1)
        #expect(whole.contains { $0.users != nil })
        let phases = try #require(timeline.phases)
        #expect(Double(run.load.vus ?? 0) == phases.peakUsers)
        #expect(phases.start <= phases.steadyStart && phases.steadyStart < phases.steadyEnd && phases.steadyEnd <= phases.end)
    }

    /// NDJSON (fractional times) and CSV (whole seconds) of one run give the same request buckets.
    @Test func ndjsonAndCSVAgree() throws {
        let a = try #require(try K6T.parse(.k6JSON, "generated/k6/points.ndjson").timeline)
        let b = try #require(try K6T.parse(.k6CSV, "generated/k6/points.csv").timeline)
        #expect(a.buckets.map(\.requests) == b.buckets.map(\.requests))
        #expect(a.buckets.map(\.errors) == b.buckets.map(\.errors))
    }

    @Test(arguments: ["generated/k6/points.ndjson", "corpus/k6-ndjson/joxtacy-experiments-results.json"])
    func blocksMergeLikeOnePass(path: String) throws {
        let onePass = try K6PointsAdapter(blockSize: 1 << 30).parse(InputSet(primary: K6T.file(path))).timeline
        #expect(onePass != nil)
        for size in [1, 700, 4096] {
            let blocks = try K6PointsAdapter(blockSize: size).parse(InputSet(primary: K6T.file(path))).timeline
            #expect(blocks == onePass, "block size \(size)")
        }
    }

    @Test func summaryFormatsHaveNoTimeline() throws {
        #expect(try K6T.parse(.k6Summary, "generated/k6/summary-export.json").timeline == nil)
    }

    /// A long run is bucketed coarser so it never has more than 300 buckets; totals are kept.
    @Test func longRunsCoarsen() {
        var builder = TimelineBuilder()
        let start: Int64 = 1_800_000_001
        for s in 0..<1000 {
            builder.update(second: start + Int64(s), endpoint: "") { c in
                c.requests += 2
                c.latency.record(Double(s))
                c.users = Double(min(s, 500) / 10)
            }
        }
        let t = builder.timeline(start: Double(start) + 0.25)!
        #expect(t.bucketSeconds == 4 && t.buckets.count <= RunTimeline.maxBuckets)
        #expect(t.buckets.reduce(0) { $0 + $1.requests } == 2000)
        #expect(t.offsetSeconds == -1.25 && t.startSeconds(of: 0) == 0)
        let phases = t.phases!
        #expect(phases.peakUsers == 50)
        // Users reach 50 at second 500, i.e. in the bucket starting at 498.75 s from the start.
        #expect(phases.steadyStart == 498.75 && phases.end == t.endSeconds(of: t.buckets.last!.index))
    }

    /// Locust's history: per-second growth of the cumulative totals, users per row; its percentile
    /// columns are cumulative without `--csv-full-history`, so they are not bucket percentiles.
    @Test(arguments: ["corpus/locust/bitcoin-api/results", "corpus/locust/performance-testing-demo/reports"])
    func locustHistory(prefix: String) throws {
        var set = InputSet(primary: ingestFixture(prefix + "_stats.csv"))
        set.companions["stats_history"] = ingestFixture(prefix + "_stats_history.csv")
        let run = try LocustCSVAdapter().parse(set)
        let t = try #require(run.timeline)
        let whole = t.wholeRun
        #expect(whole.count <= RunTimeline.maxBuckets && t.endpoints.isEmpty)
        let history = try String(contentsOf: K6T.url(prefix + "_stats_history.csv"), encoding: .utf8)
        let last = history.split(whereSeparator: \.isNewline).last!.split(separator: ",", omittingEmptySubsequences: false)
        #expect(sum(whole, \.requests) == Double(last[17]))
        #expect(sum(whole, \.errors) == Double(last[18]))
        #expect(whole.allSatisfy { $0.p50 == nil && $0.p95 == nil })
        #expect(t.phases?.peakUsers == Double(run.load.maxVUs ?? -1))
    }

    /// With `--csv-full-history` Locust's percentile columns are its ~10 s window, per entry; in
    /// the first seconds, before the window has a start, it writes 0 in every column. Those rows
    /// are "unknown", never a 0 ms latency (the demo's bundled run, made by ci/gen-fixtures.sh).
    @Test func locustFullHistoryWindowPercentiles() throws {
        let samples = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../Sources/PerfgateCLI/Samples").standardized
        let stats = samples.appendingPathComponent("locust-run1_stats.csv")
        let history = samples.appendingPathComponent("locust-run1_stats_history.csv")
        var set = InputSet(primary: InputFile(data: try Data(contentsOf: stats), displayPath: stats.path))
        set.companions["stats_history"] = InputFile(data: try Data(contentsOf: history), displayPath: history.path)
        let t = try #require(try LocustCSVAdapter().parse(set).timeline)
        let rows = try String(contentsOf: history, encoding: .utf8).split(whereSeparator: \.isNewline).dropFirst()
            .map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        let aggregated = rows.filter { $0[3] == "Aggregated" && $0[6] != "N/A" }
        // The file does start with all-zero windows after requests were seen (what this test is about).
        #expect(aggregated.contains { $0[6] == "0" && $0[11] == "0" && Double($0[22])! >= 1 })
        #expect(t.wholeRun.allSatisfy { $0.p50 != 0 && $0.p95 != 0 })
        // Every known window is the file's value, for the whole run and per endpoint.
        let last = try #require(aggregated.last)
        #expect(t.wholeRun.last(where: { $0.p95 != nil })?.p95 == Double(last[11]))
        #expect(t.endpoints.sorted() == ["GET /api/products", "GET /api/search", "GET /api/users", "POST /api/orders"])
    }

    /// Every bucket holds a latency histogram, so a run with more than `RunTimeline.maxEndpoints`
    /// endpoints keeps only the whole run's buckets — whether the endpoints arrive in one builder or
    /// in parallel blocks that are merged — and no endpoint is ever half-covered.
    @Test func perEndpointBucketsOnlyForFewEndpoints() {
        func builder(_ endpoints: Range<Int>) -> TimelineBuilder {
            var b = TimelineBuilder()
            for e in endpoints {
                for s in Int64(0)..<3 {
                    b.update(second: 1_000 + s, endpoint: "") { $0.requests += 1 }
                    b.update(second: 1_000 + s, endpoint: "GET /e\(e)") { $0.requests += 1; $0.latency.record(10) }
                }
            }
            return b
        }
        let few = builder(0..<RunTimeline.maxEndpoints).timeline(start: 1_000)!
        #expect(few.endpoints.count == RunTimeline.maxEndpoints)
        let many = builder(0..<(RunTimeline.maxEndpoints + 1))
        #expect(many.endpointsDropped && many.timeline(start: 1_000)!.endpoints.isEmpty)
        #expect(many.timeline(start: 1_000)!.wholeRun.reduce(0) { $0 + $1.requests } == Double(3 * (RunTimeline.maxEndpoints + 1)))
        var merged = builder(0..<12)
        merged.merge(builder(12..<24))
        #expect(merged.timeline(start: 1_000)!.endpoints.isEmpty)
    }
}
