import Foundation
import PerfgateCore

/// vegeta `report -type=json` (docs/load-tools.md; `lib/metrics.go`): one whole-run series (`""`).
/// Every duration is integer nanoseconds (converted to ms): `latencies.mean`, `min`, `max`,
/// `50th`/`90th`/`95th`/`99th` (vegeta's estimates, as printed); `count` is `requests`, `error_rate`
/// is `1 − success`, `errors` the matching count, `throughput` the request `rate`; `earliest` is the
/// start and `duration` the attack's length; the `errors` strings are kept.
struct VegetaReportAdapter: ResultAdapter {
    func sniff(head: [UInt8], fileName: String) -> Bool {
        guard Sniff.firstByte(head) == UInt8(ascii: "{") else { return false }
        let text = Sniff.text(head)
        return text.contains("\"latencies\"") && text.contains("\"status_codes\"")
    }

    static let latencyKeys: [String: Statistic] = [
        "mean": .mean, "min": .min, "max": .max, "50th": .p50, "90th": .p90, "95th": .p95, "99th": .p99,
    ]

    func parse(_ input: InputSet) throws -> IngestedRun {
        let file = input.primary
        let root = try JSONNode.parse(try file.readAll(), file: file.displayPath)
        var run = IngestedRun(tool: "vegeta", format: InputFormat.vegetaReport.rawValue)
        var stats: [Statistic: Double] = [:]
        let latencies = try root.required("latencies")
        for (key, node) in try latencies.members() {
            if key == "total" { continue }
            guard let stat = Self.latencyKeys[key] else { throw node.error("unknown latency statistic \"\(key)\"") }
            stats[stat] = try node.nonNegative() / 1e6
        }
        let requests = try root.required("requests").nonNegative()
        let successNode = try root.required("success")
        let success = try successNode.nonNegative()
        guard success <= 1 else { throw successNode.error("expected a fraction 0…1, found \(success)") }
        LoadTool.counts(&stats, requests: requests, errors: (requests * (1 - success)).rounded())
        stats[.errorRate] = 1 - success
        stats[.throughput] = try root.required("rate").nonNegative()
        if requests == 0 { for s in Self.latencyKeys.values { stats[s] = nil } }
        if let earliest = try root.optional("earliest") {
            let text = try earliest.string()
            guard let date = K6Time.parseRFC3339(Array(text.utf8)) else { throw earliest.error("not an RFC 3339 time: \"\(text)\"") }
            run.startedAt = date
        }
        if let duration = try root.optional("duration") { run.durationSeconds = try duration.nonNegative() / 1e9 }
        if let errors = try root.optional("errors"), !errors.isNull {
            // vegeta lists each distinct error once, without a count.
            for node in try errors.array() { run.errors.append(ErrorResult(endpoint: "", message: try node.string(), occurrences: 1)) }
        }
        run.series = [LoadTool.series(endpoint: "", stats: stats)]
        return run
    }
}

/// vegeta `encode --to json` (NDJSON, one result per line: `code`, `timestamp`, `latency` ns,
/// `error`, `method`, `url`, …), plain or gzip, streamed: per-request samples. One series per
/// `METHOD path` (the URL's path and query, so that runs against different hosts key alike) plus
/// the whole run (`""`); a request fails when `code` is 0 or ≥ 400 or `error` is set. Percentiles
/// are type 7 on the exact latencies (vegeta's report estimates them, so they may differ slightly).
struct VegetaEncodeAdapter: ResultAdapter {
    func sniff(head: [UInt8], fileName: String) -> Bool {
        let line = Sniff.firstLine(head)
        return line.hasPrefix("{") && line.contains("\"seq\"") && line.contains("\"latency\"") && line.contains("\"attack\"")
    }

    static let levels: [Double] = [0.5, 0.9, 0.95, 0.99]

    /// `METHOD /path?query` of a URL.
    static func endpoint(method: String, url: String) -> String {
        guard let c = URLComponents(string: url), c.host != nil else { return method.isEmpty ? url : method + " " + url }
        var path = c.percentEncodedPath.isEmpty ? "/" : c.percentEncodedPath
        if let q = c.percentEncodedQuery { path += "?" + q }
        return method.isEmpty ? path : method + " " + path
    }

    func parse(_ input: InputSet) throws -> IngestedRun {
        let file = input.primary
        let path = file.displayPath
        var order: [String] = []
        var per: [String: RequestSamples] = [:]
        var total = RequestSamples()
        var errorIndex: [String: Int] = [:]
        var run = IngestedRun(tool: "vegeta", format: InputFormat.vegetaEncode.rawValue)
        try file.forEachLine { bytes, line in
            if bytes.isEmpty { return }
            let node: JSONNode
            do {
                node = try JSONNode.parse(Data(bytes), file: path)
            } catch let e as IngestError {
                throw e.shiftingLines(by: line - 1)
            }
            func located(_ body: () throws -> Void) throws {
                do { try body() } catch let IngestError.malformed(loc, msg) {
                    var l = loc
                    l.line = line
                    throw IngestError.malformed(l, msg)
                }
            }
            try located {
                let code = try node.required("code").nonNegative()
                let ns = try node.required("latency").nonNegative()
                let error = try node.optional("error")?.string() ?? ""
                let method = try node.optional("method")?.string() ?? ""
                let url = try node.optional("url")?.string() ?? ""
                let timestamp = try node.required("timestamp")
                let t = try timestamp.string()
                guard let date = K6Time.parseRFC3339(Array(t.utf8)) else { throw timestamp.error("not an RFC 3339 time: \"\(t)\"") }
                let failed = code == 0 || code >= 400 || !error.isEmpty
                let ms = ns / 1e6
                let startMs = date.timeIntervalSince1970 * 1000
                let endpoint = Self.endpoint(method: method, url: url)
                if per[endpoint] == nil { order.append(endpoint) }
                per[endpoint, default: RequestSamples()].add(ms: ms, failed: failed)
                per[endpoint]!.span(startMs: startMs, endMs: startMs + ms)
                total.add(ms: ms, failed: failed)
                total.span(startMs: startMs, endMs: startMs + ms)
                if failed {
                    let message = error.isEmpty ? "HTTP \(Int(code))" : error
                    let key = endpoint + "\u{0}" + message
                    if let i = errorIndex[key] {
                        run.errors[i].occurrences += 1
                    } else if run.errors.count < 10_000 {
                        errorIndex[key] = run.errors.count
                        run.errors.append(ErrorResult(endpoint: endpoint, message: message, occurrences: 1))
                    }
                }
            }
        }
        guard total.count > 0 else { throw IngestError.at(path, line: 1, column: 1, "file is empty") }
        func series(_ endpoint: String, _ s: RequestSamples) -> SeriesResult {
            LoadTool.series(
                endpoint: endpoint, stats: s.stats(levels: Self.levels, rule: { Stats.Percentile.type7(buckets: $0, $1) }),
                distribution: s.distribution)
        }
        run.series = order.map { series($0, per[$0]!) } + [series("", total)]
        run.startedAt = Date(timeIntervalSince1970: total.firstStart / 1000)
        run.durationSeconds = total.spanSeconds
        return run
    }
}
