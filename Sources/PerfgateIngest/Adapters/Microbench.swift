import Foundation
import PerfgateCore

/// What the microbenchmark adapters (hyperfine, Go `testing`, Google Benchmark, pytest-benchmark,
/// Criterion.rs, package-benchmark, BMF) share: metric names, and one way to turn a benchmark's
/// samples and the statistics its tool reported into a series.
///
/// A benchmark is a series' endpoint (its name as the tool prints it), so a budget selects it with
/// `"benchmark": "BenchmarkParse*"` (or `endpoint`). Times are per iteration (per run for hyperfine)
/// in milliseconds, like every duration in perfgate.
enum Microbench {
    /// Wall-clock time per iteration (Go `ns/op`, Google Benchmark `real_time`, pytest-benchmark
    /// and Criterion times) or per run (hyperfine): milliseconds, lower is better.
    static let time = SeriesKey.benchmarkTimeMetric
    /// CPU time per iteration (Google Benchmark `cpu_time`).
    static let cpuTime = "cpu_time"
    /// hyperfine's mean user and system CPU time of a run.
    static let userTime = "user_time"
    static let systemTime = "system_time"
    /// Peak memory of a run (hyperfine `memory_usage_byte`): bytes.
    static let memory = "memory"
    /// Go `B/op`, `allocs/op`.
    static let bytesPerOp = "bytes_per_op"
    static let allocsPerOp = "allocs_per_op"
    /// Go `MB/s` (stored in bytes per second), Google Benchmark `bytes_per_second`.
    static let bytesPerSecond = "bytes_per_second"
    /// Google Benchmark `items_per_second`; pytest-benchmark `ops`.
    static let itemsPerSecond = "items_per_second"
    static let opsPerSecond = "ops_per_second"

    /// Loops measured, summed over the samples of a series.
    static let iterations = Statistic(rawValue: "iterations")

    /// Samples are kept as the series' distribution only when the distribution's resolution (one
    /// micro-unit: 1 µs for milliseconds) is within 1 % of every sample; nanosecond-scale samples
    /// keep their exact statistics and no distribution.
    static let smallestDistributionValue = 100 / Distribution.scale

    /// A series from `samples` (canonical unit) and the statistics the tool itself reported, which
    /// win over the ones computed here (so values match the tool's own summary).
    static func series(
        benchmark: String, metric: String, unit: MetricUnit, direction: Direction, samples: [Double],
        reported: [Statistic: Double] = [:]
    ) -> SeriesResult {
        var stats: [Statistic: Double] = [:]
        if !samples.isEmpty {
            let sorted = samples.sorted()
            stats[.count] = Double(sorted.count)
            stats[.mean] = Stats.mean(sorted)
            stats[.min] = sorted[0]
            stats[.max] = sorted[sorted.count - 1]
            stats[.p50] = Stats.Percentile.type7(sorted: sorted, 0.5)
            if sorted.count > 1 { stats[.stddev] = Stats.standardDeviation(sorted) }
        }
        stats.merge(reported) { _, tool in tool }
        var distribution: Distribution?
        if let low = samples.min(), low >= smallestDistributionValue {
            var d = Distribution()
            for v in samples { d.record(v) }
            distribution = d
        }
        return SeriesResult(
            key: SeriesKey(endpoint: benchmark, metric: metric), unit: unit, direction: direction, stats: stats,
            distribution: distribution)
    }

    /// The direction of a rate or per-operation unit: throughput (`…/s`, `…per_second`, `ops`) is
    /// higher-is-better, everything else lower-is-better.
    static func direction(ofUnit unit: String) -> Direction {
        let u = unit.lowercased()
        if u.hasSuffix("/s") || u.hasSuffix("per_second") || u.hasSuffix("/sec") || u == "ops" || u == "hz" {
            return .higherIsBetter
        }
        return .lowerIsBetter
    }

    /// Replaces the bare `NaN`, `Infinity` and `-Infinity` tokens that Google Benchmark and Python's
    /// `json` write (invalid JSON) by `null` outside strings, so the document parses and the value
    /// is reported as null where it matters. Line structure is kept.
    static func nullingNonFinite(_ data: Data) -> Data {
        let bytes = [UInt8](data)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var inString = false
        var escaped = false
        var i = 0
        let tokens: [[UInt8]] = [Array("-Infinity".utf8), Array("Infinity".utf8), Array("NaN".utf8)]
        outer: while i < bytes.count {
            let b = bytes[i]
            if inString {
                if escaped { escaped = false } else if b == 92 { escaped = true } else if b == 34 { inString = false }
                out.append(b)
                i += 1
                continue
            }
            if b == 34 {
                inString = true
            } else if b == UInt8(ascii: "N") || b == UInt8(ascii: "I") || b == UInt8(ascii: "-") {
                for t in tokens where i + t.count <= bytes.count && Array(bytes[i..<(i + t.count)]) == t {
                    out.append(contentsOf: Array("null".utf8))
                    i += t.count
                    continue outer
                }
            }
            out.append(b)
            i += 1
        }
        return Data(out)
    }
}
