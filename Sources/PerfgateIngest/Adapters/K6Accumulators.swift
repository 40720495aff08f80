import Foundation
import PerfgateCore

// The accumulators of point aggregation (NDJSON and CSV): one trend, one metric, one endpoint. Like
// ``K6PointAggregator``, which owns them, each is used by one thread at a time: their stored properties
// skip the run-time exclusivity checks (`@exclusivity(unchecked)`), a per-point cost.

/// Streaming accumulator for one trend: exact count/sum/min/max plus an HDR distribution. The first
/// ``exactLimit`` values are also kept, so small runs get k6's exact percentiles (sort + linear
/// interpolation); beyond that percentiles come from the histogram (≤ 1 % error). Memory is bounded.
final class K6TrendAcc {
    static let exactLimit = 4096

    @exclusivity(unchecked) var count: UInt64 = 0
    @exclusivity(unchecked) var sum = 0.0
    @exclusivity(unchecked) var min = Double.infinity
    @exclusivity(unchecked) var max = -Double.infinity
    @exclusivity(unchecked) var distribution = Distribution()
    @exclusivity(unchecked) var distributionOK = true
    @exclusivity(unchecked) private(set) var exact: [Double] = []
    @exclusivity(unchecked) private(set) var exactOK: Bool

    init(keepExact: Bool = true) { exactOK = keepExact }

    @inline(__always)
    func add(_ v: Double) {
        count &+= 1
        sum += v
        if v < min { min = v }
        if v > max { max = v }
        if distributionOK && !distribution.record(v) { distributionOK = false }
        if exactOK {
            if exact.count < K6TrendAcc.exactLimit {
                exact.append(v)
            } else {
                exactOK = false
                exact = []
            }
        }
    }

    /// Adds another accumulator's values (merging endpoints that spell the same).
    func merge(_ o: K6TrendAcc) {
        guard o.count > 0 else { return }
        count += o.count
        sum += o.sum
        min = Swift.min(min, o.min)
        max = Swift.max(max, o.max)
        if o.distributionOK { distribution.merge(o.distribution) } else { distributionOK = false }
        if exactOK && o.exactOK && exact.count + o.exact.count <= K6TrendAcc.exactLimit {
            exact += o.exact
        } else {
            exactOK = false
            exact = []
        }
    }

    static let percentiles: [Double] = [50, 90, 95, 99, 99.9]

    func stats() -> [Statistic: Double] {
        guard count > 0 else { return [.count: 0] }
        var s: [Statistic: Double] = [.count: Double(count), .mean: sum / Double(count), .min: min, .max: max]
        if exactOK && exact.count == Int(count) {
            let sorted = exact.sorted()
            // k6's percentile: type 7 with k6's interpolation.
            for level in K6TrendAcc.percentiles {
                s[.percentile(level)] = Stats.Percentile.type7(sorted: sorted, level / 100, interpolation: .k6)
            }
        } else if distributionOK {
            for level in K6TrendAcc.percentiles {
                // HDR reports the top of a bucket; clamp into the exact range.
                s[.percentile(level)] = Swift.min(max, Swift.max(min, distribution.value(atPercentile: level)))
            }
        }
        return s
    }
}

final class K6MetricAcc {
    enum Role { case latency, failed, reqs, checks, vus, vusMax, other }

    let name: String
    let role: Role
    @exclusivity(unchecked) var type: K6MetricType
    @exclusivity(unchecked) var contains: K6Contains
    /// True once a `Metric` line (or a seed from earlier blocks) gave the real type.
    @exclusivity(unchecked) var declared = false
    /// True when a `Metric` line of this aggregator's own input declared it (not a seed).
    @exclusivity(unchecked) var declaredHere = false
    /// The type a seed from earlier blocks gave, checked against the merged state when merging.
    @exclusivity(unchecked) var seeded: (type: K6MetricType, contains: K6Contains)?
    /// The type and value kind the first sample was aggregated as, when that came before any declaration.
    @exclusivity(unchecked) var assumed: (type: K6MetricType, contains: K6Contains)?
    @exclusivity(unchecked) var samples: UInt64 = 0
    let trend = K6TrendAcc()
    @exclusivity(unchecked) var sum = 0.0
    @exclusivity(unchecked) var passes: UInt64 = 0
    @exclusivity(unchecked) var last = 0.0
    @exclusivity(unchecked) var gaugeMin = Double.infinity
    @exclusivity(unchecked) var gaugeMax = -Double.infinity

    init(name: String) {
        self.name = name
        type = K6.inferredType(name)
        contains = K6.inferredContains(name)
        switch name {
        case K6.latency: role = .latency
        case K6.failed: role = .failed
        case K6.reqs: role = .reqs
        case "checks": role = .checks
        case "vus": role = .vus
        case "vus_max": role = .vusMax
        default: role = .other
        }
    }

    var needsEndpointTags: Bool { role == .latency || role == .failed || role == .reqs }
}

final class K6EndpointAcc {
    let nameID: Int32
    let methodID: Int32
    let latency: K6TrendAcc
    @exclusivity(unchecked) var failures: UInt64 = 0
    @exclusivity(unchecked) var failSamples: UInt64 = 0
    @exclusivity(unchecked) var requests = 0.0
    @exclusivity(unchecked) var requestSamples: UInt64 = 0
    /// The line that first named it (relative to the block for a block's aggregator), for errors.
    let firstLine: Int?

    init(nameID: Int32, methodID: Int32, keepExact: Bool, firstLine: Int?) {
        self.nameID = nameID
        self.methodID = methodID
        self.firstLine = firstLine
        latency = K6TrendAcc(keepExact: keepExact)
    }
}
