import Foundation
import PerfgateCore

// Shared pieces of the four k6 adapters (formats.md §1): sniffing, metric typing, unit and
// direction rules, summary mapping, and the point aggregator used by the NDJSON and CSV adapters.

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
        if text.contains("\"format\"") && text.range(of: #""format"\s*:\s*"perfgate""#, options: .regularExpression) != nil {
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
        return line.range(of: #""type"\s*:\s*"(Metric|Point)""#, options: .regularExpression) != nil
            && line.contains("\"data\"")
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
        return String(name[..<brace]).trimmingCharacters(in: .whitespaces)
    }

    /// The tags of a submetric name as k6 parses them (`metrics/metric.go ParseMetricName`): split at
    /// commas, each at its first colon, keys and values trimmed of spaces and quotes. Nil for a plain name.
    static func submetricTags(of name: String) -> [String: String]? {
        guard let open = name.firstIndex(of: "{"), name.hasSuffix("}") else { return nil }
        let inner = name[name.index(after: open)..<name.index(before: name.endIndex)]
        var tags: [String: String] = [:]
        let trim = CharacterSet(charactersIn: " \t\"'")
        for part in inner.split(separator: ",") {
            guard let colon = part.firstIndex(of: ":") else { return nil }
            let key = part[..<colon].trimmingCharacters(in: trim)
            let value = part[part.index(after: colon)...].trimmingCharacters(in: trim)
            guard !key.isEmpty else { return nil }
            tags[key] = value
        }
        return tags
    }

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
        if p.contains("fail") || p.contains("error") || p.contains("dropped") { return .lowerIsBetter }
        switch type {
        case .trend: return .lowerIsBetter
        case .counter, .rate: return .higherIsBetter
        case .gauge: return (p == "vus" || p == "vus_max") ? .higherIsBetter : .lowerIsBetter
        }
    }
}

// MARK: - Summary mapping (summary-export and handleSummary)

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

// MARK: - Byte interning

/// Interns byte strings (tag values, metric names) to small integer ids without allocating a String per
/// occurrence: FNV-1a into an open-addressing table over one byte arena. A String is made once per
/// distinct value.
struct K6ByteInterner {
    private var arena: [UInt8] = []
    private var starts: [Int] = []
    private var lengths: [Int] = []
    private var hashes: [UInt64] = []
    private var slots: [Int32] = Array(repeating: -1, count: 256)
    private(set) var strings: [String] = []

    var count: Int { strings.count }

    /// True when `id` holds exactly these bytes (the one-entry caches use it).
    @inline(__always)
    func equals(_ id: Int32, _ p: UnsafePointer<UInt8>, _ n: Int) -> Bool {
        let i = Int(id)
        guard lengths[i] == n else { return false }
        if n == 0 { return true }
        return arena.withUnsafeBufferPointer { memcmp($0.baseAddress! + starts[i], p, n) == 0 }
    }

    mutating func intern(_ p: UnsafePointer<UInt8>, _ n: Int) -> Int32 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for k in 0..<n { h = (h ^ UInt64(p[k])) &* 0x0000_0100_0000_01b3 }
        let mask = slots.count - 1
        var slot = Int(truncatingIfNeeded: h ^ (h >> 29)) & mask
        while true {
            let id = slots[slot]
            if id < 0 { break }
            if hashes[Int(id)] == h && equals(id, p, n) { return id }
            slot = (slot + 1) & mask
        }
        let id = Int32(strings.count)
        starts.append(arena.count)
        lengths.append(n)
        hashes.append(h)
        arena.append(contentsOf: UnsafeBufferPointer(start: p, count: n))
        strings.append(String(decoding: UnsafeBufferPointer(start: p, count: n), as: UTF8.self))
        slots[slot] = id
        if strings.count * 2 > slots.count { rehash() }
        return id
    }

    mutating func intern(_ s: String) -> Int32 {
        var s = s
        return s.withUTF8 { buf in
            guard let base = buf.baseAddress else {
                var empty: UInt8 = 0
                return intern(&empty, 0)
            }
            return intern(base, buf.count)
        }
    }

    private mutating func rehash() {
        let size = slots.count * 2
        slots = Array(repeating: -1, count: size)
        for id in 0..<hashes.count {
            var slot = Int(truncatingIfNeeded: hashes[id] ^ (hashes[id] >> 29)) & (size - 1)
            while slots[slot] >= 0 { slot = (slot + 1) & (size - 1) }
            slots[slot] = Int32(id)
        }
    }
}

/// A one-entry cache in front of an interner: consecutive points mostly repeat the same tag value.
struct K6InternCache {
    var last: Int32 = -1

    @inline(__always)
    mutating func id(_ p: UnsafePointer<UInt8>, _ n: Int, in interner: inout K6ByteInterner) -> Int32 {
        if last >= 0 && interner.equals(last, p, n) { return last }
        last = interner.intern(p, n)
        return last
    }
}

// MARK: - Timestamps

enum K6Time {
    /// RFC 3339 with 0–9 fractional digits and `Z` or `±hh:mm` (Go `time.Time` JSON). Nil when malformed.
    static func parseRFC3339(_ bytes: [UInt8]) -> Date? {
        let n = bytes.count
        var i = 0
        func digits(_ count: Int) -> Int? {
            guard i + count <= n else { return nil }
            var v = 0
            for k in 0..<count {
                let b = bytes[i + k]
                guard b >= 48 && b <= 57 else { return nil }
                v = v * 10 + Int(b - 48)
            }
            i += count
            return v
        }
        func expect(_ c: UInt8) -> Bool {
            guard i < n, bytes[i] == c else { return false }
            i += 1
            return true
        }
        guard let year = digits(4), expect(45), let month = digits(2), expect(45), let day = digits(2),
            i < n, bytes[i] == 84 || bytes[i] == 116 || bytes[i] == 32
        else { return nil }
        i += 1
        guard let hour = digits(2), expect(58), let minute = digits(2), expect(58), let second = digits(2) else {
            return nil
        }
        guard (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61 else { return nil }
        var fraction = 0.0
        if i < n && bytes[i] == 46 {
            i += 1
            var scale = 0.1
            var any = false
            while i < n, bytes[i] >= 48 && bytes[i] <= 57 {
                fraction += Double(bytes[i] - 48) * scale
                scale /= 10
                i += 1
                any = true
            }
            guard any else { return nil }
        }
        var offset = 0
        guard i < n else { return nil }
        if bytes[i] == 90 || bytes[i] == 122 {
            i += 1
        } else if bytes[i] == 43 || bytes[i] == 45 {
            let sign = bytes[i] == 45 ? -1 : 1
            i += 1
            guard let oh = digits(2), expect(58), let om = digits(2) else { return nil }
            offset = sign * (oh * 3600 + om * 60)
        } else {
            return nil
        }
        guard i == n else { return nil }
        // Days from civil (Howard Hinnant).
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        let days = era * 146_097 + doe - 719_468
        let seconds = Double(days * 86400 + hour * 3600 + minute * 60 + second - offset) + fraction
        return Date(timeIntervalSince1970: seconds)
    }

    /// A CSV `timestamp`: unix seconds/ms/µs/ns (told apart by magnitude) or RFC 3339.
    static func parseCSV(_ text: String) -> Date? {
        if let v = Double(text), v.isFinite, !text.contains("e"), !text.contains("E") {
            let a = abs(v)
            let seconds = a < 1e11 ? v : a < 1e14 ? v / 1e3 : a < 1e17 ? v / 1e6 : v / 1e9
            return Date(timeIntervalSince1970: seconds)
        }
        return parseRFC3339(Array(text.utf8))
    }
}

// MARK: - Point aggregation (NDJSON and CSV)

/// Streaming accumulator for one trend: exact count/sum/min/max plus an HDR distribution. The first
/// ``exactLimit`` values are also kept, so small runs get k6's exact percentiles (sort + linear
/// interpolation); beyond that percentiles come from the histogram (≤ 1 % error). Memory is bounded.
final class K6TrendAcc {
    static let exactLimit = 4096

    var count: UInt64 = 0
    var sum = 0.0
    var min = Double.infinity
    var max = -Double.infinity
    var distribution = Distribution()
    var distributionOK = true
    private(set) var exact: [Double] = []
    private(set) var exactOK: Bool

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

    /// k6's percentile: rank `p × (n − 1)` in the sorted values, linearly interpolated.
    static func interpolated(_ sorted: [Double], _ level: Double) -> Double {
        if sorted.count == 1 { return sorted[0] }
        let rank = level / 100 * Double(sorted.count - 1)
        let lo = Int(rank.rounded(.down))
        let hi = Swift.min(lo + 1, sorted.count - 1)
        return sorted[lo] + (sorted[hi] - sorted[lo]) * (rank - Double(lo))
    }

    func stats() -> [Statistic: Double] {
        guard count > 0 else { return [.count: 0] }
        var s: [Statistic: Double] = [.count: Double(count), .mean: sum / Double(count), .min: min, .max: max]
        if exactOK && exact.count == Int(count) {
            let sorted = exact.sorted()
            for level in K6TrendAcc.percentiles { s[.percentile(level)] = K6TrendAcc.interpolated(sorted, level) }
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
    var type: K6MetricType
    var contains: K6Contains
    /// True once a `Metric` line (or a seed from earlier blocks) gave the real type.
    var declared = false
    /// True when a `Metric` line of this aggregator's own input declared it (not a seed).
    var declaredHere = false
    /// The type a seed from earlier blocks gave, checked against the merged state when merging.
    var seeded: (type: K6MetricType, contains: K6Contains)?
    /// The type and value kind the first sample was aggregated as, when that came before any declaration.
    var assumed: (type: K6MetricType, contains: K6Contains)?
    var samples: UInt64 = 0
    let trend = K6TrendAcc()
    var sum = 0.0
    var passes: UInt64 = 0
    var last = 0.0
    var gaugeMin = Double.infinity
    var gaugeMax = -Double.infinity

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
    var failures: UInt64 = 0
    var failSamples: UInt64 = 0
    var requests = 0.0
    var requestSamples: UInt64 = 0
    /// The line that first named it (relative to the block for a block's aggregator), for errors.
    let firstLine: Int?

    init(nameID: Int32, methodID: Int32, keepExact: Bool, firstLine: Int?) {
        self.nameID = nameID
        self.methodID = methodID
        self.firstLine = firstLine
        latency = K6TrendAcc(keepExact: keepExact)
    }
}

/// A metric's declared type, carried from one block of a file to the next.
struct K6Declaration: Sendable {
    let name: String
    let type: K6MetricType
    let contains: K6Contains
}

/// Interned tag ids of one point; -1 when absent or not needed.
struct K6PointTags {
    var name: Int32 = -1
    var method: Int32 = -1
    var error: Int32 = -1
    var check: Int32 = -1
    var group: Int32 = -1
}

/// Aggregates k6 points into a run in constant memory (per metric and per endpoint, never per point).
final class K6PointAggregator {
    let file: String
    var metricNames = K6ByteInterner()
    var tagValues = K6ByteInterner()
    private(set) var metrics: [K6MetricAcc] = []
    private var endpointIndex: [Int64: Int] = [:]
    private var endpoints: [K6EndpointAcc] = []
    private var lastEndpointKey: Int64 = -1
    private var lastEndpoint = -1
    private var errorCounts: [Int64: Int] = [:]
    private var checkCounts: [Int64: (passes: Int, fails: Int)] = [:]
    private var checkOrder: [Int64] = []
    var points: UInt64 = 0
    /// The run over time; points are placed by ``second`` (epoch seconds of the point being added,
    /// nil when the caller has no time for it).
    var timeline = TimelineBuilder()
    var second: Int64?
    private var endpointNames: [String?] = []
    /// Endpoints whose exact samples are kept (the rest use the histogram only). A block of a larger
    /// file keeps them for every endpoint (bounded by its line count): which endpoints are among the
    /// file's first is only known when blocks are merged in order.
    let exactEndpoints: Int

    init(file: String, exactEndpoints: Int = 256) {
        self.file = file
        self.exactEndpoints = exactEndpoints
    }

    /// Id of a metric by name bytes, creating its accumulator (type inferred from the name) on first sight.
    @inline(__always)
    func metricID(_ p: UnsafePointer<UInt8>, _ n: Int) -> Int {
        let id = Int(metricNames.intern(p, n))
        if id == metrics.count { metrics.append(K6MetricAcc(name: metricNames.strings[id])) }
        return id
    }

    func metricID(_ name: String) -> Int {
        let id = Int(metricNames.intern(name))
        if id == metrics.count { metrics.append(K6MetricAcc(name: name)) }
        return id
    }

    /// A `Metric` line's declaration: the real type and value kind.
    func declare(_ name: String, type: K6MetricType, contains: K6Contains) {
        let m = metrics[metricID(name)]
        m.type = type
        m.contains = contains
        m.declared = true
        m.declaredHere = true
    }

    /// Declarations merged from earlier blocks, given to a block's aggregator before it parses.
    func seed(_ declarations: [K6Declaration]) {
        for d in declarations {
            let m = metrics[metricID(d.name)]
            m.type = d.type
            m.contains = d.contains
            m.declared = true
            m.seeded = (d.type, d.contains)
        }
    }

    /// Every declared metric, to seed the aggregator of a later block.
    var declarations: [K6Declaration] {
        metrics.filter(\.declared).map { K6Declaration(name: $0.name, type: $0.type, contains: $0.contains) }
    }

    /// True when `later` (a block parsed on its own) aggregated a metric as a type other than the one
    /// declared before it in the file; that block has to be parsed again with the declarations.
    func contradicts(_ later: K6PointAggregator) -> Bool {
        for m in later.metrics {
            // The type the block aggregated with: guessed from the name, or seeded from earlier blocks
            // (a seed can be stale when a block merged since then redeclared the metric).
            guard let used = m.assumed ?? (m.declaredHere ? nil : m.seeded),
                let t = metrics.first(where: { $0.name == m.name }), t.declared
            else { continue }
            if t.type != used.type || t.contains != used.contains { return true }
        }
        return false
    }

    /// Adds the aggregates of the block that follows this one in the file (same result as one pass).
    /// Adds a later block's aggregator; `linesBefore` are the lines before that block (for errors).
    func merge(_ o: K6PointAggregator, linesBefore: Int) throws {
        points &+= o.points
        timeline.merge(o.timeline)
        for m in o.metrics where m.samples > 0 || m.declaredHere {
            let t = metrics[metricID(m.name)]
            if m.declaredHere {
                t.type = m.type
                t.contains = m.contains
                t.declared = true
                t.declaredHere = true
            }
            guard m.samples > 0 else { continue }
            if t.samples == 0 && !t.declared { t.assumed = m.assumed }
            t.samples &+= m.samples
            t.trend.merge(m.trend)
            t.sum += m.sum
            t.passes &+= m.passes
            t.last = m.last
            t.gaugeMin = Swift.min(t.gaugeMin, m.gaugeMin)
            t.gaugeMax = Swift.max(t.gaugeMax, m.gaugeMax)
        }
        let tagMap = o.tagValues.strings.map { tagValues.intern($0) }
        func tag(_ id: Int32) -> Int32 { id >= 0 ? tagMap[Int(id)] : -1 }
        var slotMap: [Int] = []
        for e in o.endpoints {
            var tags = K6PointTags()
            tags.name = tag(e.nameID)
            tags.method = tag(e.methodID)
            let slot = try endpointSlot(tags, line: e.firstLine.map { $0 + linesBefore })
            slotMap.append(slot)
            let t = endpoints[slot]
            t.latency.merge(e.latency)
            t.failures &+= e.failures
            t.failSamples &+= e.failSamples
            t.requests += e.requests
            t.requestSamples &+= e.requestSamples
        }
        for (key, count) in o.errorCounts {
            let slot = Int(key >> 32) - 1
            let mapped = slot >= 0 ? Int64(slotMap[slot]) : -1
            errorCounts[(mapped + 1) << 32 | Int64(tag(Int32(key & 0xFFFF_FFFF))), default: 0] += count
        }
        for key in o.checkOrder {
            let c = o.checkCounts[key]!
            let mapped = (Int64(tag(Int32(key >> 32) - 1)) + 1) << 32 | Int64(tag(Int32(key & 0xFFFF_FFFF)))
            if checkCounts[mapped] == nil { checkOrder.append(mapped) }
            checkCounts[mapped, default: (0, 0)].passes += c.passes
            checkCounts[mapped, default: (0, 0)].fails += c.fails
        }
    }

    func add(metric id: Int, value: Double, tags: K6PointTags, line: Int) throws {
        let m = metrics[id]
        if !m.declared && m.samples == 0 { m.assumed = (m.type, m.contains) }
        guard value.isFinite else {
            throw IngestError.at(file, line: line, "\(m.name): value is not a finite number")
        }
        points &+= 1
        m.samples &+= 1
        switch m.type {
        case .trend:
            if value < 0 && m.contains == .time {
                throw IngestError.at(file, line: line, "\(m.name): negative duration \(value)")
            }
            m.trend.add(value)
        case .counter:
            m.sum += value
        case .rate:
            if value != 0 { m.passes &+= 1 }
        case .gauge:
            m.last = value
            if value < m.gaugeMin { m.gaugeMin = value }
            if value > m.gaugeMax { m.gaugeMax = value }
        }
        if let second, m.role != .other, m.role != .checks, m.role != .vusMax { try addToTimeline(m, value, tags, second, line: line) }
        switch m.role {
        case .latency:
            if tags.name >= 0 { try endpoint(tags, line: line).latency.add(value) }
            if tags.error >= 0 {
                let epIndex = tags.name >= 0 ? Int64(try endpointSlot(tags, line: line)) : -1
                errorCounts[(epIndex + 1) << 32 | Int64(tags.error), default: 0] += 1
            }
        case .failed:
            if tags.name >= 0 {
                let e = try endpoint(tags, line: line)
                e.failSamples &+= 1
                if value != 0 { e.failures &+= 1 }
            }
        case .reqs:
            if tags.name >= 0 {
                let e = try endpoint(tags, line: line)
                e.requests += value
                e.requestSamples &+= 1
            }
        case .checks:
            if tags.check >= 0 {
                let key = (Int64(tags.group) + 1) << 32 | Int64(tags.check)
                if checkCounts[key] == nil { checkOrder.append(key) }
                if value != 0 {
                    checkCounts[key, default: (0, 0)].passes += 1
                } else {
                    checkCounts[key, default: (0, 0)].fails += 1
                }
            }
        case .vus, .vusMax, .other:
            break
        }
    }

    private func addToTimeline(_ m: K6MetricAcc, _ value: Double, _ tags: K6PointTags, _ second: Int64, line: Int) throws {
        let role = m.role
        if role == .latency && m.type != .trend { return }
        func apply(_ c: inout TimelineBuilder.Cell) {
            switch role {
            case .latency: c.latency.record(value)
            case .failed: if value != 0 { c.errors += 1 }
            case .reqs: c.requests += value
            case .vus: c.users = max(c.users ?? value, value)
            case .vusMax, .checks, .other: break
            }
        }
        timeline.update(second: second, endpoint: "", apply)
        guard role != .vus, tags.name >= 0 else { return }
        let slot = try endpointSlot(tags, line: line)
        while endpointNames.count <= slot { endpointNames.append(nil) }
        let name = endpointNames[slot] ?? endpointName(endpoints[slot])
        endpointNames[slot] = name
        timeline.update(second: second, endpoint: name, apply)
    }

    @inline(__always)
    private func endpointSlot(_ tags: K6PointTags, line: Int? = nil) throws -> Int {
        let key = Int64(tags.name) << 32 | Int64(UInt32(bitPattern: tags.method))
        if key == lastEndpointKey { return lastEndpoint }
        let slot: Int
        if let s = endpointIndex[key] {
            slot = s
        } else {
            slot = endpoints.count
            // Each endpoint is at least one series: refuse runaway cardinality before it costs memory.
            try IngestedRun.checkSeriesCount(slot + 1, file: file, line: line)
            try IngestedRun.checkNameLength(tagValues.strings[Int(tags.name)], "endpoint", file: file, line: line)
            // Exact samples for the first endpoints only, so memory stays bounded with many URLs.
            endpoints.append(
                K6EndpointAcc(nameID: tags.name, methodID: tags.method, keepExact: slot < exactEndpoints, firstLine: line))
            endpointIndex[key] = slot
        }
        lastEndpointKey = key
        lastEndpoint = slot
        return slot
    }

    @inline(__always)
    private func endpoint(_ tags: K6PointTags, line: Int) throws -> K6EndpointAcc { endpoints[try endpointSlot(tags, line: line)] }

    private func endpointName(_ e: K6EndpointAcc) -> String {
        K6.endpoint(name: tagValues.strings[Int(e.nameID)], method: e.methodID >= 0 ? tagValues.strings[Int(e.methodID)] : nil)
    }

    func run(format: InputFormat, startedAt: Date?, durationSeconds: Double?) -> IngestedRun {
        var series: [SeriesResult] = []
        let duration = durationSeconds.flatMap { $0 > 0 ? $0 : nil }
        let failedMetric = metrics.first { $0.role == .failed && $0.samples > 0 }
        let reqsMetric = metrics.first { $0.role == .reqs && $0.samples > 0 }

        for m in metrics where m.samples > 0 {
            var s = SeriesResult(
                key: SeriesKey(endpoint: "", metric: m.name), unit: K6.unit(type: m.type, contains: m.contains),
                direction: K6.direction(name: m.name, type: m.type))
            switch m.type {
            case .trend:
                s.stats = m.trend.stats()
                if m.trend.distributionOK { s.distribution = m.trend.distribution }
            case .counter:
                s.stats[.count] = m.sum
                if let duration { s.stats[.throughput] = m.sum / duration }
            case .rate:
                s.stats[.rate] = Double(m.passes) / Double(m.samples)
                s.stats[.passes] = Double(m.passes)
                s.stats[.fails] = Double(m.samples - m.passes)
            case .gauge:
                s.stats[.value] = m.last
                s.stats[.min] = m.gaugeMin
                s.stats[.max] = m.gaugeMax
            }
            if m.role == .latency && m.type == .trend {
                if let f = failedMetric {
                    s.stats[.errors] = Double(f.passes)
                    s.stats[.errorRate] = Double(f.passes) / Double(f.samples)
                }
                let requests = reqsMetric?.sum ?? Double(m.trend.count)
                if let duration { s.stats[.throughput] = requests / duration }
            }
            series.append(s)
        }

        // Per-endpoint latency series; (name, method) pairs that spell the same endpoint are merged.
        var byEndpoint: [String: [K6EndpointAcc]] = [:]
        for e in endpoints { byEndpoint[endpointName(e), default: []].append(e) }
        for (name, group) in byEndpoint {
            let acc = K6TrendAcc()
            var failures: UInt64 = 0
            var failSamples: UInt64 = 0
            var requests = 0.0
            var requestSamples: UInt64 = 0
            for e in group {
                acc.merge(e.latency)
                failures += e.failures
                failSamples += e.failSamples
                requests += e.requests
                requestSamples += e.requestSamples
            }
            guard acc.count > 0 || requestSamples > 0 else { continue }
            var s = SeriesResult(
                key: SeriesKey(endpoint: name, metric: K6.latency), unit: .milliseconds, direction: .lowerIsBetter)
            s.stats = acc.stats()
            if acc.count > 0 && acc.distributionOK { s.distribution = acc.distribution }
            if failSamples > 0 {
                s.stats[.errors] = Double(failures)
                s.stats[.errorRate] = Double(failures) / Double(failSamples)
            }
            let reqCount = requestSamples > 0 ? requests : Double(acc.count)
            if let duration { s.stats[.throughput] = reqCount / duration }
            series.append(s)
        }
        series.sort { $0.key < $1.key }

        var errors: [ErrorResult] = []
        for (key, count) in errorCounts {
            let slot = Int(key >> 32) - 1
            let message = tagValues.strings[Int(key & 0xFFFF_FFFF)]
            errors.append(
                ErrorResult(endpoint: slot >= 0 ? endpointName(endpoints[slot]) : "", message: message, occurrences: count))
        }
        errors.sort { ($0.endpoint, $0.message) < ($1.endpoint, $1.message) }

        let checks = checkOrder.map { key -> CheckResult in
            let groupID = Int(key >> 32) - 1
            let c = checkCounts[key]!
            return CheckResult(
                group: groupID >= 0 ? tagValues.strings[groupID] : "", name: tagValues.strings[Int(key & 0xFFFF_FFFF)],
                passes: c.passes, fails: c.fails)
        }

        var load = LoadProfile()
        for m in metrics where m.samples > 0 && m.type == .gauge {
            if m.role == .vus { load.vus = Int(m.gaugeMax.rounded()) }
            if m.role == .vusMax { load.maxVUs = Int(m.gaugeMax.rounded()) }
        }
        return IngestedRun(
            tool: K6.tool, format: format.rawValue, startedAt: startedAt, durationSeconds: durationSeconds, load: load,
            series: series, checks: checks, errors: errors,
            timeline: startedAt.flatMap { timeline.timeline(start: $0.timeIntervalSince1970) })
    }
}
