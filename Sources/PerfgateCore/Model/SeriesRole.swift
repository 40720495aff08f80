import Foundation

/// What a series is to the people reading a report: an endpoint, a metric the test defined, a whole-run
/// total, or a load tool's own bookkeeping. Endpoints and custom metrics lead every page; totals and tool
/// internals are folded away and never counted as endpoints.
public enum SeriesRole: String, Sendable, Hashable, Codable, CaseIterable, Comparable {
    /// Request latency (with its error rate and throughput) of one endpoint.
    case endpoint
    /// A metric the load test defined itself (a k6 custom Trend, Counter, Rate or Gauge, a native metric).
    case custom
    /// A whole-run request figure: `http_req_duration`, `http_reqs` or `http_req_failed` over every
    /// endpoint (k6's untagged metrics, Locust's `Aggregated` row).
    case total
    /// A load tool's internal metric (k6 connection phases, bytes, iterations, VUs, checks…).
    case toolInternal = "tool-internal"

    /// k6 built-in metrics that describe the load generator or the connection, not the service's
    /// endpoints (https://grafana.com/docs/k6/latest/using-k6/metrics/reference/). A closed set.
    public static let toolInternalMetrics: Set<String> = [
        "http_req_blocked", "http_req_connecting", "http_req_tls_handshaking", "http_req_sending", "http_req_waiting",
        "http_req_receiving", "data_sent", "data_received", "iterations", "iteration_duration", "dropped_iterations",
        "vus", "vus_max", "group_duration", "checks",
    ]

    /// Request metrics whose untagged series is a whole-run total.
    public static let requestMetrics: Set<String> = [SeriesKey.requestLatencyMetric, "http_reqs", "http_req_failed"]

    /// The one classification every report page uses. A k6 submetric that is not an endpoint
    /// (`http_req_duration{expected_response:true}`, `checks{group:::x}`) is classed by its parent metric.
    public static func of(_ key: SeriesKey) -> SeriesRole {
        let metric = key.metric.firstIndex(of: "{").map { String(key.metric[..<$0]) } ?? key.metric
        if toolInternalMetrics.contains(metric) { return .toolInternal }
        if requestMetrics.contains(metric) { return key.endpoint.isEmpty || metric != key.metric ? .total : .endpoint }
        return .custom
    }

    /// Endpoints and custom metrics: what a page shows first.
    public var leads: Bool { self == .endpoint || self == .custom }

    /// True for an endpoint's request latency series: the only series counted as "endpoints".
    public static func isEndpointLatency(_ key: SeriesKey) -> Bool {
        of(key) == .endpoint && key.metric == SeriesKey.requestLatencyMetric
    }

    private var rank: Int {
        switch self {
        case .endpoint: return 0
        case .custom: return 1
        case .total: return 2
        case .toolInternal: return 3
        }
    }

    public static func < (a: SeriesRole, b: SeriesRole) -> Bool { a.rank < b.rank }
}
