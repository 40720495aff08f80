import Foundation

/// A run over time: fixed-width buckets from the run's start, for the whole run and per endpoint.
///
/// Filled from per-request or periodic data (k6 points, Locust `_stats_history.csv`); summary formats
/// have none. A timeline is small: adapters choose `bucketSeconds` (1 s, doubled as often as needed)
/// so a run has at most ``maxBuckets`` buckets, whatever its length or request count.
public struct RunTimeline: Sendable, Hashable, Codable {
    /// The most buckets a timeline holds per endpoint.
    public static let maxBuckets = 300
    /// Runs with more endpoints than this keep the whole run's buckets only: every bucket holds a
    /// latency histogram, so per-endpoint buckets cost endpoints × buckets of them (docs/limits.md).
    public static let maxEndpoints = 20

    /// Width of every bucket in seconds.
    public var bucketSeconds: Double
    /// Start of bucket 0 relative to the run's start, in seconds (≤ 0: buckets are aligned to
    /// whole multiples of their width, so the first one can begin before the first request).
    public var offsetSeconds: Double
    /// Whole-run buckets (endpoint `""`) and per-endpoint buckets, sorted by endpoint then index.
    public var buckets: [TimelineBucket]

    public init(bucketSeconds: Double, offsetSeconds: Double = 0, buckets: [TimelineBucket]) {
        self.bucketSeconds = bucketSeconds
        self.offsetSeconds = offsetSeconds
        self.buckets = buckets.sorted { ($0.endpoint, $0.index) < ($1.endpoint, $1.index) }
    }

    /// The whole run's buckets, by index.
    public var wholeRun: [TimelineBucket] { buckets.filter { $0.endpoint.isEmpty } }

    /// Endpoints that have buckets of their own, sorted.
    public var endpoints: [String] {
        var seen: [String] = []
        for b in buckets where !b.endpoint.isEmpty && seen.last != b.endpoint { seen.append(b.endpoint) }
        return seen
    }

    /// Seconds from the run's start to the start of bucket `index` (never before 0).
    public func startSeconds(of index: Int) -> Double { max(0, offsetSeconds + Double(index) * bucketSeconds) }

    /// Seconds from the run's start to the end of bucket `index`.
    public func endSeconds(of index: Int) -> Double { offsetSeconds + Double(index + 1) * bucketSeconds }

    /// Ramp-up, steady state and ramp-down, derived from the whole run's active users: steady state is
    /// the span from the first to the last bucket where users are at their maximum, ramp-up is before
    /// it and ramp-down after it. Nil when no bucket carries a user count.
    public var phases: TimelinePhases? {
        let run = wholeRun.filter { $0.users != nil }
        guard let peak = run.compactMap(\.users).max(), peak > 0,
            let first = run.first(where: { $0.users == peak }), let last = run.last(where: { $0.users == peak })
        else { return nil }
        let start = run.first.map { startSeconds(of: $0.index) } ?? 0
        let end = run.last.map { endSeconds(of: $0.index) } ?? 0
        return TimelinePhases(
            start: start, steadyStart: startSeconds(of: first.index), steadyEnd: endSeconds(of: last.index), end: end,
            peakUsers: peak)
    }
}

/// One time bucket of one endpoint (`""` = the whole run).
public struct TimelineBucket: Sendable, Hashable, Codable {
    public var endpoint: String
    /// Bucket number; it covers `offsetSeconds + index·bucketSeconds` for `bucketSeconds`.
    public var index: Int
    /// Requests completed in the bucket.
    public var requests: Double
    /// Failed requests in the bucket.
    public var errors: Double
    /// Median and 95th percentile latency (ms) of the bucket's requests; nil when it had none.
    public var p50: Double?
    public var p95: Double?
    /// Most active virtual users / users seen in the bucket (whole run only).
    public var users: Double?

    public init(
        endpoint: String = "", index: Int, requests: Double, errors: Double, p50: Double? = nil, p95: Double? = nil,
        users: Double? = nil
    ) {
        self.endpoint = endpoint
        self.index = index
        self.requests = requests
        self.errors = errors
        self.p50 = p50
        self.p95 = p95
        self.users = users
    }
}

/// The load phases of a run, in seconds from its start.
public struct TimelinePhases: Sendable, Hashable {
    public var start: Double
    /// Ramp-up is `start..<steadyStart` (empty when users start at their peak).
    public var steadyStart: Double
    public var steadyEnd: Double
    /// Ramp-down is `steadyEnd..<end`.
    public var end: Double
    public var peakUsers: Double
}

/// Builds a ``RunTimeline`` from samples in constant memory per bucket: buckets are aligned to whole
/// multiples of their width (epoch seconds), and the width doubles whenever the span would exceed
/// ``RunTimeline/maxBuckets``. Two builders over parts of one run merge to the builder over all of it.
public struct TimelineBuilder: Sendable {
    public struct Cell: Sendable {
        public var requests = 0.0
        public var errors = 0.0
        public var latency = Distribution()
        public var users: Double?
        /// Percentiles a tool reported for the bucket (Locust's sliding-window columns), used when no
        /// latencies were recorded; the latest report in the bucket wins.
        public var reported: (p50: Double?, p95: Double?)?
        public init() {}

        mutating func add(_ o: Cell) {
            requests += o.requests
            errors += o.errors
            latency.merge(o.latency)
            if let u = o.users { users = max(users ?? u, u) }
            if let r = o.reported { reported = r }
        }
    }

    /// Bucket width in seconds (a power of two).
    public private(set) var width: Int64 = 1
    /// Cells by (bucket number since the epoch, endpoint); endpoint `""` is the whole run.
    public private(set) var cells: [Int64: [String: Cell]] = [:]
    /// Endpoints with cells; once more than ``RunTimeline/maxEndpoints`` are seen, per-endpoint cells are
    /// dropped for good (`endpointsDropped`), so memory stays bounded and no endpoint is half-covered.
    private var endpointNames: Set<String> = []
    public private(set) var endpointsDropped = false
    private var low = Int64.max
    private var high = Int64.min

    public init() {}

    public var isEmpty: Bool { cells.isEmpty }

    /// The cell of `endpoint` at `second` (epoch seconds), created when missing.
    public mutating func update(second: Int64, endpoint: String, _ body: (inout Cell) -> Void) {
        if !endpoint.isEmpty {
            if endpointsDropped { return }
            if endpointNames.insert(endpoint).inserted && endpointNames.count > RunTimeline.maxEndpoints {
                dropEndpoints()
                return
            }
        }
        var key = floorDiv(second, width)
        if key < low || key > high {
            low = min(low, key)
            high = max(high, key)
            while high - low + 1 > Int64(RunTimeline.maxBuckets) { coarsen() }
            key = floorDiv(second, width)
        }
        body(&cells[key, default: [:]][endpoint, default: Cell()])
    }

    /// Adds the cells of another builder (any width).
    public mutating func merge(_ other: TimelineBuilder) {
        if other.endpointsDropped { dropEndpoints() }
        guard !other.isEmpty else { return }
        for (key, byEndpoint) in other.cells {
            let second = key * other.width
            for (endpoint, cell) in byEndpoint {
                update(second: second, endpoint: endpoint) { $0.add(cell) }
            }
        }
    }

    /// The timeline of a run that started at `start` (epoch seconds); nil when nothing was recorded.
    public func timeline(start: Double) -> RunTimeline? {
        guard !cells.isEmpty else { return nil }
        var buckets: [TimelineBucket] = []
        for (key, byEndpoint) in cells {
            let index = Int(key - low)
            for (endpoint, c) in byEndpoint {
                let has = !c.latency.isEmpty
                buckets.append(
                    TimelineBucket(
                        endpoint: endpoint, index: index,
                        // Files without request counters (no `http_reqs`) count latency samples.
                        requests: c.requests > 0 ? c.requests : Double(c.latency.count), errors: c.errors,
                        p50: has ? c.latency.value(atPercentile: 50) : c.reported?.p50,
                        p95: has ? c.latency.value(atPercentile: 95) : c.reported?.p95, users: endpoint.isEmpty ? c.users : nil))
            }
        }
        let origin = Double(low * width)
        return RunTimeline(
            bucketSeconds: Double(width), offsetSeconds: min(0, origin - start), buckets: buckets)
    }

    private mutating func dropEndpoints() {
        endpointsDropped = true
        endpointNames = []
        for key in cells.keys { cells[key] = cells[key]!.filter { $0.key.isEmpty } }
    }

    private mutating func coarsen() {
        var next: [Int64: [String: Cell]] = [:]
        for (key, byEndpoint) in cells {
            let k = floorDiv(key, 2)
            for (endpoint, cell) in byEndpoint {
                next[k, default: [:]][endpoint, default: Cell()].add(cell)
            }
        }
        cells = next
        width *= 2
        low = floorDiv(low, 2)
        high = floorDiv(high, 2)
    }

    private func floorDiv(_ a: Int64, _ b: Int64) -> Int64 { a >= 0 ? a / b : -((-a + b - 1) / b) }
}
