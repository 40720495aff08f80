import Foundation
import PerfgateCore

// Shared pieces of the four k6 adapters: sniffing, metric typing, unit and direction rules. The
// summary mapping is in K6SummaryMapper.swift; the NDJSON and CSV adapters' point aggregation in
// K6PointAggregator.swift, K6Accumulators.swift, K6ByteInterner.swift and K6Time.swift.

// MARK: - Sniffing

/// Which k6 output a file's head looks like. One classifier for all four adapters, so at most one
/// k6 adapter ever claims a file.
enum K6Shape {
    case summaryExport, handleSummary, points, csv

    static func classify(_ head: [UInt8]) -> K6Shape? {
        let first = Sniff.firstLine(head)
        if first.hasPrefix("metric_name,timestamp,metric_value") { return .csv }
        guard Sniff.firstByte(head) == UInt8(ascii: "{") else { return nil }
        let text = Sniff.text(head)
        // perfgate's own files and k6's machine-readable summary are not ours.
        if text.contains("\"perfgateVersion\"") || text.contains("\"k6_version\"") { return nil }
        if matchesPointLine(first) { return .points }
        if text.hasMember("format", valuePrefix: "\"perfgate\"") {
            return nil
        }
        let handleMarkers =
            text.contains("\"testRunDurationMs\"") || text.contains("\"summaryTrendStats\"")
            || (text.contains("\"values\"") && text.contains("\"contains\"") && text.contains("\"metrics\""))
        if handleMarkers && (text.contains("\"metrics\"") || text.contains("\"root_group\"")) {
            return .handleSummary
        }
        if text.contains("\"root_group\"") || (text.contains("\"metrics\"") && text.contains("\"http_reqs\"")) {
            return .summaryExport
        }
        return nil
    }

    /// `{"type":"Metric"…}` / `{"type":"Point"…}` on the first line, any key order and spacing.
    private static func matchesPointLine(_ line: String) -> Bool {
        guard line.hasPrefix("{") || line.drop(while: { $0 == " " || $0 == "\t" }).hasPrefix("{") else {
            return false
        }
        let text = SniffText(bytes: Array(line.utf8))
        return (text.hasMember("type", valuePrefix: "\"Metric\"") || text.hasMember("type", valuePrefix: "\"Point\""))
            && text.contains("\"data\"")
    }
}

// MARK: - Metric typing

enum K6MetricType: String {
    case counter, gauge, rate, trend
}

enum K6Contains: String {
    case `default`, time, data
}

enum K6 {
    static let tool = "k6"
    static let latency = SeriesKey.requestLatencyMetric
    static let failed = "http_req_failed"
    static let reqs = "http_reqs"

    /// `"METHOD name"` unless the name already starts with the method; `name` when there is no method.
    static func endpoint(name: String, method: String?) -> String {
        guard let method, !method.isEmpty else { return name }
        if name.hasPrefix(method + " ") { return name }
        return method + " " + name
    }

    /// The parent of a submetric name (`http_req_duration{name:x}` → `http_req_duration`).
    static func parent(of name: String) -> String {
        guard let brace = name.firstIndex(of: "{") else { return name }
        return name[..<brace].trimmedOfWhitespace
    }

    /// The tags of a submetric name as k6 parses them (`metrics/metric.go ParseMetricName`): split at
    /// commas, each at its first colon, keys and values trimmed of spaces and quotes. Nil for a plain name.
    static func submetricTags(of name: String) -> [String: String]? {
        guard let open = name.firstIndex(of: "{"), name.hasSuffix("}") else { return nil }
        let inner = name[name.index(after: open)..<name.index(before: name.endIndex)]
        var tags: [String: String] = [:]
        for part in inner.split(separator: ",") {
            guard let colon = part.firstIndex(of: ":") else { return nil }
            let key = part[..<colon].trimmed(where: Self.isTagPadding)
            let value = part[part.index(after: colon)...].trimmed(where: Self.isTagPadding)
            guard !key.isEmpty else { return nil }
            tags[key] = value
        }
        return tags
    }

    private static func isTagPadding(_ s: Unicode.Scalar) -> Bool { s == " " || s == "\t" || s == "\"" || s == "'" }

    /// When a submetric selects exactly one endpoint (`{name:X}` or `{name:X, method:M}`), that endpoint.
    static func endpointOfSubmetric(_ name: String) -> String? {
        guard let tags = submetricTags(of: name), let n = tags["name"], !n.isEmpty else { return nil }
        switch Set(tags.keys) {
        case ["name"]: return n
        case ["name", "method"]: return endpoint(name: n, method: tags["method"])
        default: return nil
        }
    }

    /// Metric type from the name alone (CSV, export files, points before their Metric line).
    static func inferredType(_ name: String) -> K6MetricType {
        switch parent(of: name) {
        case "http_reqs", "iterations", "data_sent", "data_received", "dropped_iterations": return .counter
        case "http_req_failed", "checks": return .rate
        case "vus", "vus_max": return .gauge
        default: return .trend
        }
    }

    /// Value kind from the name alone (summary-export has no `contains`).
    static func inferredContains(_ name: String) -> K6Contains {
        let p = parent(of: name)
        if p == "http_req_failed" { return .default }
        if p.hasPrefix("http_req_") || p == "iteration_duration" || p == "group_duration" { return .time }
        if p.hasPrefix("data_") { return .data }
        return .default
    }

    static func unit(type: K6MetricType, contains: K6Contains) -> MetricUnit {
        switch type {
        case .rate: return .ratio
        case .counter: return contains == .data ? .bytes : .count
        case .trend, .gauge:
            switch contains {
            case .time: return .milliseconds
            case .data: return .bytes
            case .default: return .none
            }
        }
    }

    static func direction(name: String, type: K6MetricType) -> Direction {
        let p = parent(of: name).lowercased()
        // A byte search (``SniffText``): this runs per metric, and both Foundation's NSString search and the
        // standard library's `contains` on UTF-8 views (a generic searcher) were a sixth of a small summary's ingest.
        let text = SniffText(bytes: Array(p.utf8))
        if ["fail", "error", "dropped"].contains(where: { text.contains($0) }) { return .lowerIsBetter }
        switch type {
        case .trend: return .lowerIsBetter
        case .counter, .rate: return .higherIsBetter
        case .gauge: return (p == "vus" || p == "vus_max") ? .higherIsBetter : .lowerIsBetter
        }
    }
}
