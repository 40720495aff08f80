import Foundation
import PerfgateCore

/// Conventions shared by the load-tool adapters (JMeter, Gatling, Artillery, wrk): every endpoint or
/// label is one `http_req_duration` series in milliseconds, lower is better, carrying the request
/// figures `count`, `errors`, `error_rate` and `throughput` as statistics, and `""` is the whole run.
enum LoadTool {
    static func series(endpoint: String, stats: [Statistic: Double], distribution: Distribution? = nil) -> SeriesResult {
        SeriesResult(
            key: SeriesKey(endpoint: endpoint, metric: SeriesKey.requestLatencyMetric), unit: .milliseconds,
            direction: .lowerIsBetter, stats: stats, distribution: distribution)
    }

    /// Adds `count`, `errors` and `error_rate` to `stats`.
    static func counts(_ stats: inout [Statistic: Double], requests: Double, errors: Double) {
        stats[.count] = requests
        stats[.errors] = errors
        stats[.errorRate] = requests > 0 ? errors / requests : 0
    }

    /// A non-negative whole number written in ASCII digits, or nil.
    @inline(__always)
    static func integer(_ p: UnsafeBufferPointer<UInt8>) -> Int64? {
        guard !p.isEmpty, p.count <= 18 else { return nil }
        var v: Int64 = 0
        for b in p {
            guard b >= 48 && b <= 57 else { return nil }
            v = v &* 10 &+ Int64(b &- 48)
        }
        return v
    }
}

/// Per-request latencies of one endpoint, exact and in memory bounded by the number of distinct
/// values (not of requests): each value is kept as a count per microsecond. Tools that write whole
/// milliseconds (JMeter, Gatling, ab) are therefore reproduced exactly, percentiles included.
struct RequestSamples {
    private(set) var count: UInt64 = 0
    private(set) var errors: UInt64 = 0
    private(set) var sum: Double = 0
    private(set) var minimum = Double.infinity
    private(set) var maximum = -Double.infinity
    /// Value in µs → number of requests.
    private var counts: [Int64: UInt64] = [:]
    /// Earliest start and latest end, in the tool's clock (ms), for throughput.
    private(set) var firstStart = Double.infinity
    private(set) var lastEnd = -Double.infinity

    /// Records one request of `ms` milliseconds; `failed` counts it as an error.
    @inline(__always)
    mutating func add(ms: Double, failed: Bool) {
        count += 1
        if failed { errors += 1 }
        sum += ms
        if ms < minimum { minimum = ms }
        if ms > maximum { maximum = ms }
        // Saturated, not trapping, for a value no Int64 count of µs holds (a corrupt file's 1e300 ms):
        // `maximum` and `sum` keep the value itself.
        let us = (ms * 1000).rounded()
        counts[us < 9.2e18 ? (us > -9.2e18 ? Int64(us) : Int64.min) : Int64.max, default: 0] += 1
    }

    /// Widens the time window the requests span (epoch ms).
    @inline(__always)
    mutating func span(startMs: Double, endMs: Double) {
        if startMs < firstStart { firstStart = startMs }
        if endMs > lastEnd { lastEnd = endMs }
    }

    mutating func merge(_ o: RequestSamples) {
        count += o.count
        errors += o.errors
        sum += o.sum
        minimum = Swift.min(minimum, o.minimum)
        maximum = Swift.max(maximum, o.maximum)
        counts.merge(o.counts, uniquingKeysWith: +)
        firstStart = Swift.min(firstStart, o.firstStart)
        lastEnd = Swift.max(lastEnd, o.lastEnd)
    }

    /// Seconds between the first start and the last end, when known and positive.
    var spanSeconds: Double? {
        guard firstStart.isFinite, lastEnd.isFinite, lastEnd > firstStart else { return nil }
        return (lastEnd - firstStart) / 1000
    }

    /// Distinct values (ms) with their counts, ascending.
    var weighted: [Stats.WeightedValue] {
        counts.keys.sorted().map { Stats.WeightedValue(Double($0) / 1000, count: counts[$0]!) }
    }

    /// `count`, `errors`, `error_rate`, `mean`, `min`, `max`, the `levels` (fractions) by `rule`,
    /// and `throughput` over the span when it is known.
    func stats(levels: [Double], rule: ([Stats.WeightedValue], Double) -> Double) -> [Statistic: Double] {
        var s: [Statistic: Double] = [:]
        LoadTool.counts(&s, requests: Double(count), errors: Double(errors))
        guard count > 0 else { return s }
        s[.mean] = sum / Double(count)
        s[.min] = minimum
        s[.max] = maximum
        let w = weighted
        for p in levels { s[.percentile(p * 100)] = rule(w, p) }
        if let seconds = spanSeconds { s[.throughput] = Double(count) / seconds }
        return s
    }

    /// The values as a perfgate distribution.
    var distribution: Distribution {
        var d = Distribution()
        for (v, c) in counts { d.record(Double(v) / 1000, count: c) }
        return d
    }
}

/// Error messages per endpoint with how often each happened, in first-seen order; at most 10,000
/// kinds are kept (a message with a request id in it would otherwise grow without bound).
struct ErrorTally {
    private(set) var errors: [ErrorResult] = []
    private var index: [String: Int] = [:]

    mutating func add(endpoint: String, message: String) {
        let key = endpoint + "\u{0}" + message
        if let i = index[key] {
            errors[i].occurrences += 1
        } else if errors.count < 10_000 {
            index[key] = errors.count
            errors.append(ErrorResult(endpoint: endpoint, message: message, occurrences: 1))
        }
    }
}
