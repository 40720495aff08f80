import Foundation
import PerfgateCore

/// Locust `--json` (stdout) and `--json-file` output: an array of raw `StatsEntry`
/// dicts, one per `(method, name)`, each with a bucketed response-time histogram.
///
/// Every entry becomes one `http_req_duration` series keyed by `"method name"`; the whole run (`""`)
/// is the merge of all entries, as Locust's `Aggregated` entry is. Percentiles are computed from the
/// histogram exactly as Locust computes the CSV columns (`calculate_response_time_percentile`), the
/// median clamped into [min, max] as Locust's `median_response_time` is, and the histogram is kept
/// as the series' ``Distribution``.
///
/// stdout captured from `--json` may start with lines the locustfile printed; the array is found
/// after them. A truncated array is an error.
public struct LocustJSONAdapter: ResultAdapter {
    public init() {}

    public func sniff(head: [UInt8], fileName: String) -> Bool {
        guard let start = Self.arrayStarts(in: head).first else { return false }
        let text = Sniff.text(Array(head[start...]))
        guard text.contains("\"num_requests\"") else { return false }
        // `response_times` may lie beyond the sniffed head in very long entries; the min/max keys
        // precede it in Locust's key order.
        return text.contains("\"response_times\"")
            || (text.contains("\"max_response_time\"") && text.contains("\"num_none_requests\""))
    }

    /// Byte offsets of lines whose first non-blank character is `[` followed (after blanks) by `{`,
    /// `]` or the end of the line: where a JSON array of objects may begin.
    static func arrayStarts(in bytes: [UInt8]) -> [Int] {
        var out: [Int] = []
        var lineStart = 0
        var skip = 0
        if bytes.count >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF { skip = 3 }
        while lineStart < bytes.count {
            var i = Swift.max(lineStart, skip)
            while i < bytes.count && (bytes[i] == 32 || bytes[i] == 9) { i += 1 }
            if i < bytes.count && bytes[i] == UInt8(ascii: "[") {
                var j = i + 1
                while j < bytes.count && (bytes[j] == 32 || bytes[j] == 9 || bytes[j] == 13) { j += 1 }
                if j >= bytes.count || bytes[j] == 10 || bytes[j] == UInt8(ascii: "{") || bytes[j] == UInt8(ascii: "]") {
                    out.append(i)
                }
            }
            while i < bytes.count && bytes[i] != 10 { i += 1 }
            lineStart = i + 1
        }
        return out
    }

    /// Offset just past the bracket that closes the array starting at `start`, or nil when the
    /// document ends first (truncated).
    static func arrayEnd(in bytes: [UInt8], from start: Int) -> Int? {
        var depth = 0
        var inString = false
        var escaped = false
        var i = start
        while i < bytes.count {
            let b = bytes[i]
            if inString {
                if escaped {
                    escaped = false
                } else if b == 92 {
                    escaped = true
                } else if b == 34 {
                    inString = false
                }
            } else if b == 34 {
                inString = true
            } else if b == 91 || b == 123 {
                depth += 1
            } else if b == 93 || b == 125 {
                depth -= 1
                if depth == 0 { return i + 1 }
            }
            i += 1
        }
        return nil
    }

    public func parse(_ input: InputSet) throws -> IngestedRun {
        let file = input.primary
        let data = try file.readAll()
        let bytes = [UInt8](data)
        if let bad = Self.firstInvalidUTF8Line(bytes) {
            throw IngestError.at(file.displayPath, line: bad, "invalid UTF-8")
        }
        let starts = Self.arrayStarts(in: bytes)
        guard !starts.isEmpty else {
            throw IngestError.at(
                file.displayPath, line: 1, column: 1, "no JSON array found (expected Locust --json output)")
        }
        var entries: [JSONNode]?
        for start in starts {
            guard let end = Self.arrayEnd(in: bytes, from: start) else {
                let (line, col) = JSONLocator.lineColumn(in: data, offset: start)
                throw IngestError.at(
                    file.displayPath, line: line, column: col,
                    "the JSON array starting here never closes: unexpected end of file (truncated?)")
            }
            let slice = Data(bytes[start..<end])
            if let (loc, message) = JSONLocator.syntaxError(in: slice, file: file.displayPath) {
                // Text that merely looks like an array start; a later one may be the real output.
                if start != starts.last { continue }
                let (baseLine, baseCol) = JSONLocator.lineColumn(in: data, offset: start)
                let line = baseLine + (loc.line ?? 1) - 1
                let col = (loc.line ?? 1) == 1 ? baseCol + (loc.column ?? 1) - 1 : loc.column
                throw IngestError.at(file.displayPath, line: line, column: col, message)
            }
            let node = try JSONNode.parse(slice, file: file.displayPath)
            let items = try node.array()
            let looksLikeLocust = items.allSatisfy { ($0.asObject?["num_requests"]) != nil }
            if looksLikeLocust || start == starts.last {
                entries = items
                break
            }
        }
        guard let entries else {
            throw IngestError.at(file.displayPath, "no Locust stats array found")
        }
        guard !entries.isEmpty else {
            throw IngestError.at(
                file.displayPath, path: "(root)",
                "the Locust stats array is empty: no requests were recorded (or --json and --json-file were used together, which leaves the second output empty)"
            )
        }
        return try build(entries, file: file)
    }

    /// 1-based line of the first invalid UTF-8 sequence, or nil.
    static func firstInvalidUTF8Line(_ bytes: [UInt8]) -> Int? {
        if String(validating: bytes, as: UTF8.self) != nil { return nil }
        var line = 1
        var start = 0
        for i in 0...bytes.count where i == bytes.count || bytes[i] == 10 {
            if String(validating: bytes[start..<i], as: UTF8.self) == nil { return line }
            line += 1
            start = i + 1
        }
        return line
    }

    /// One entry as read, in Locust's units (ms, unix seconds).
    struct Entry {
        var endpoint: String
        var requests: Int
        var noneRequests: Int
        var failures: Int
        var totalResponseTime: Double?
        var minimum: Double?
        var maximum: Double?
        var startTime: Double?
        var lastRequest: Double?
        var buckets: [Double: Int]
    }

    private func build(_ nodes: [JSONNode], file: InputFile) throws -> IngestedRun {
        var entries: [Entry] = []
        var seen: [String: String] = [:]
        for node in nodes {
            let e = try entry(node)
            if let first = seen[e.endpoint] {
                throw node.error("duplicate entry for \"\(e.endpoint)\" (first at \(first))")
            }
            seen[e.endpoint] = node.path
            entries.append(e)
        }
        var total = Entry(
            endpoint: "", requests: 0, noneRequests: 0, failures: 0, totalResponseTime: 0, minimum: nil,
            maximum: nil, startTime: nil, lastRequest: nil, buckets: [:])
        for e in entries {
            total.requests += e.requests
            total.noneRequests += e.noneRequests
            total.failures += e.failures
            total.totalResponseTime = (total.totalResponseTime ?? 0) + (e.totalResponseTime ?? 0)
            if let m = e.minimum { total.minimum = Swift.min(total.minimum ?? m, m) }
            if let m = e.maximum { total.maximum = Swift.max(total.maximum ?? m, m) }
            if let s = e.startTime { total.startTime = Swift.min(total.startTime ?? s, s) }
            if let l = e.lastRequest { total.lastRequest = Swift.max(total.lastRequest ?? l, l) }
            total.buckets.merge(e.buckets, uniquingKeysWith: +)
        }
        var run = IngestedRun(tool: Locust.tool, format: InputFormat.locustJSON.rawValue)
        run.series = entries.map(series) + [series(total)]
        if let start = total.startTime {
            run.startedAt = Date(timeIntervalSince1970: start)
            if let last = total.lastRequest, last >= start { run.durationSeconds = last - start }
        }
        return run
    }

    private func entry(_ node: JSONNode) throws -> Entry {
        _ = try node.object()
        func count(_ key: String) throws -> Int {
            let n = try node.required(key)
            let d = try n.nonNegative()
            guard d == d.rounded(), d < 9e15 else { throw n.error("expected a whole number, found \(d)") }
            return Int(d)
        }
        func optionalTime(_ key: String) throws -> Double? {
            guard let n = try node.optional(key), !n.isNull else { return nil }
            return try n.nonNegative()
        }
        let method = try node.required("method").string()
        let name = try node.required("name").string()
        let requests = try count("num_requests")
        let none = try node.optional("num_none_requests") == nil ? 0 : try count("num_none_requests")
        let failures = try count("num_failures")
        guard none <= requests else {
            throw IngestError.at(
                node.file, path: JSONPath.child(node.path, key: "num_none_requests"),
                "num_none_requests (\(none)) exceeds num_requests (\(requests))")
        }
        let histogram = try node.required("response_times")
        var buckets: [Double: Int] = [:]
        for (key, value) in try histogram.members() {
            guard let bucket = Locust.decimal(key) else {
                throw value.error("histogram key \"\(key)\" is not a response time")
            }
            guard bucket >= 0 else { throw value.error("negative response time \(key)") }
            let c = try value.nonNegative()
            guard c == c.rounded(), c < 9e15 else { throw value.error("expected a whole count, found \(c)") }
            buckets[bucket, default: 0] += Int(c)
        }
        let timed = buckets.values.reduce(0, +)
        guard timed == requests - none else {
            throw histogram.error(
                "the histogram holds \(timed) responses but num_requests − num_none_requests = \(requests - none)")
        }
        let start = try optionalTime("start_time")
        let last = try optionalTime("last_request_timestamp")
        return Entry(
            endpoint: Locust.endpoint(method: method, name: name), requests: requests, noneRequests: none,
            failures: failures, totalResponseTime: try optionalTime("total_response_time"),
            minimum: try optionalTime("min_response_time"), maximum: try optionalTime("max_response_time"),
            startTime: (start ?? 0) > 0 ? start : nil, lastRequest: last, buckets: buckets)
    }

    /// Percentiles exactly as Locust reports them from this histogram (before clamping the median).
    static func locustPercentiles(buckets: [Double: Int]) -> [Statistic: Double] {
        let list = buckets.map { Stats.WeightedValue($0.key, count: UInt64($0.value)) }
        var out: [Statistic: Double] = [:]
        for p in Locust.reportedPercentiles {
            out[Locust.statistic(fraction: p)] = Stats.Percentile.locustRule(buckets: list, p)
        }
        return out
    }

    private func series(_ e: Entry) -> SeriesResult {
        var stats: [Statistic: Double] = [
            .count: Double(e.requests), .errors: Double(e.failures),
            .errorRate: e.requests > 0 ? Double(e.failures) / Double(e.requests) : 0,
        ]
        let timed = e.requests - e.noneRequests
        var distribution: Distribution?
        if timed > 0 {
            if let total = e.totalResponseTime { stats[.mean] = total / Double(timed) }
            stats[.min] = e.minimum
            stats[.max] = e.maximum
            stats.merge(Self.locustPercentiles(buckets: e.buckets)) { a, _ in a }
            // `median_response_time`: the 50th percentile clamped into [min, max].
            if var median = stats[.p50] {
                if let mx = e.maximum, median > mx {
                    median = mx
                } else if let mn = e.minimum, median < mn {
                    median = mn
                }
                stats[.p50] = median
            }
            var d = Distribution()
            for (value, count) in e.buckets where count > 0 { d.record(value, count: UInt64(count)) }
            distribution = d
        }
        if let start = e.startTime, let last = e.lastRequest, last > start {
            stats[.throughput] = Double(e.requests) / (last - start)
        }
        return Locust.series(endpoint: e.endpoint, stats: stats, distribution: distribution)
    }
}
