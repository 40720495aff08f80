import Foundation
import PerfgateCore

// Summary mapping (summary-export and handleSummary).

/// One metric of a summary document, already read and validated.
struct K6SummaryMetric {
    var name: String
    var type: K6MetricType
    var contains: K6Contains
    /// Value keys as k6 wrote them (`avg`, `p(95)`, `count`, `rate`, `passes`…).
    var values: [String: Double]
}

enum K6SummaryMapper {
    /// Builds the run from summary metrics. `durationSeconds` nil → derived from a counter.
    static func run(
        format: InputFormat, metrics: [K6SummaryMetric], thresholds: [ThresholdResult], checks: [CheckResult],
        durationSeconds: Double?
    ) -> IngestedRun {
        let byName = Dictionary(metrics.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        var series: [SeriesKey: SeriesResult] = [:]

        for m in metrics {
            let parent = K6.parent(of: m.name)
            let key: SeriesKey
            if let ep = K6.endpointOfSubmetric(m.name) {
                key = SeriesKey(endpoint: ep, metric: parent)
            } else {
                key = SeriesKey(endpoint: "", metric: m.name)
            }
            var s = SeriesResult(
                key: key, unit: K6.unit(type: m.type, contains: m.contains), direction: K6.direction(name: m.name, type: m.type))
            s.stats = stats(of: m)
            series[key] = s
        }

        // Request figures on the latency series: whole run and each endpoint.
        for (key, var s) in series where key.metric == K6.latency {
            let suffix = key.endpoint.isEmpty ? nil : endpointSuffixes(metrics: byName.keys, parent: K6.latency, endpoint: key.endpoint)
            func companion(_ parent: String) -> K6SummaryMetric? {
                if key.endpoint.isEmpty { return byName[parent] }
                guard let suffix else { return nil }
                return byName[parent + suffix]
            }
            if let reqs = companion(K6.reqs) {
                if s.stats[.count] == nil, let c = reqs.values["count"] { s.stats[.count] = c }
                if let r = reqs.values["rate"] { s.stats[.throughput] = r }
            }
            if let failed = companion(K6.failed) {
                // For http_req_failed a "pass" is a failed request.
                if let p = failed.values["passes"] { s.stats[.errors] = p }
                if let r = failed.values["rate"] ?? failed.values["value"] { s.stats[.errorRate] = r }
            }
            series[key] = s
        }

        var load = LoadProfile()
        if let vus = byName["vus"] { load.vus = (vus.values["max"] ?? vus.values["value"]).map { Int($0.rounded()) } }
        if let mx = byName["vus_max"] { load.maxVUs = (mx.values["max"] ?? mx.values["value"]).map { Int($0.rounded()) } }

        var duration = durationSeconds
        if duration == nil {
            for name in [K6.reqs, "iterations", "data_received", "data_sent"] {
                if let m = byName[name], let c = m.values["count"], let r = m.values["rate"], r > 0, c > 0 {
                    duration = c / r
                    break
                }
            }
        }

        return IngestedRun(
            tool: K6.tool, format: format.rawValue, durationSeconds: duration, load: load,
            series: series.values.sorted { $0.key < $1.key }, thresholds: thresholds, checks: checks)
    }

    /// The exact `{…}` suffix under which `parent` was recorded for `endpoint` (e.g. `{name:/x}`), so the
    /// companions `http_reqs{name:/x}` and `http_req_failed{name:/x}` can be found with the same spelling.
    private static func endpointSuffixes(metrics: Dictionary<String, K6SummaryMetric>.Keys, parent: String, endpoint: String)
        -> String?
    {
        for name in metrics where K6.parent(of: name) == parent && K6.endpointOfSubmetric(name) == endpoint {
            if let brace = name.firstIndex(of: "{") { return String(name[brace...]) }
        }
        return nil
    }

    static func stats(of m: K6SummaryMetric) -> [Statistic: Double] {
        var out: [Statistic: Double] = [:]
        switch m.type {
        case .trend:
            for (k, v) in m.values {
                if let st = Statistic.parse(k), st == .mean || st == .min || st == .max || st == .count || st.isPercentile {
                    out[st] = v
                }
            }
        case .counter:
            if let c = m.values["count"] { out[.count] = c }
            if let r = m.values["rate"] { out[.throughput] = r }
        case .rate:
            if let r = m.values["rate"] ?? m.values["value"] { out[.rate] = r }
            if let p = m.values["passes"] { out[.passes] = p }
            if let f = m.values["fails"] { out[.fails] = f }
        case .gauge:
            if let v = m.values["value"] { out[.value] = v }
            if let v = m.values["min"] { out[.min] = v }
            if let v = m.values["max"] { out[.max] = v }
        }
        return out
    }

    /// Reads a metric's value map: every member a finite number (null = NaN in JS → error with path).
    static func values(_ node: JSONNode, skipping: Set<String> = []) throws -> [String: Double] {
        var out: [String: Double] = [:]
        for (k, v) in try node.members() where !skipping.contains(k) {
            out[k] = try v.number()
        }
        return out
    }

    /// Walks a root group (objects in the export, arrays in handleSummary) collecting checks.
    static func checks(_ group: JSONNode) throws -> [CheckResult] {
        var out: [CheckResult] = []
        try walk(group, into: &out)
        return out
    }

    private static func walk(_ group: JSONNode, into out: inout [CheckResult]) throws {
        let path = try group.optional("path").map { try $0.string() } ?? ""
        func children(_ key: String) throws -> [JSONNode] {
            guard let n = try group.optional(key), !n.isNull else { return [] }
            if n.asArray != nil { return try n.array() }
            return try n.members().map(\.1)
        }
        for check in try children("checks") {
            let name = try check.required("name").string()
            let passes = try check.required("passes").nonNegative()
            let fails = try check.required("fails").nonNegative()
            out.append(CheckResult(group: path, name: name, passes: Int(passes), fails: Int(fails)))
        }
        for sub in try children("groups") { try walk(sub, into: &out) }
    }
}
