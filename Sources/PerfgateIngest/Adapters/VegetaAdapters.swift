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

/// The per-request results of `vegeta encode` (JSON or CSV), folded into a run: one series per
/// `METHOD path` (the URL's path and query, so that runs against different hosts key alike) plus the
/// whole run (`""`); a request fails when `code` is 0 or ≥ 400 or `error` is set. Percentiles are
/// type 7 on the exact latencies (vegeta's report estimates them, so they may differ slightly).
struct VegetaResults {
    static let levels: [Double] = [0.5, 0.9, 0.95, 0.99]

    private var order: [String] = []
    private var per: [String: RequestSamples] = [:]
    private var total = RequestSamples()
    private var errors = ErrorTally()

    /// `METHOD /path?query` of a URL.
    static func endpoint(method: String, url: String) -> String {
        guard let c = URLComponents(string: url), c.host != nil else { return method.isEmpty ? url : method + " " + url }
        var path = c.percentEncodedPath.isEmpty ? "/" : c.percentEncodedPath
        if let q = c.percentEncodedQuery { path += "?" + q }
        return method.isEmpty ? path : method + " " + path
    }

    /// One result: its status `code`, `latencyNs`, `error` ("" when none), request and start (epoch ms).
    mutating func add(code: Double, latencyNs: Double, error: String, method: String, url: String, startMs: Double) {
        let failed = code == 0 || code >= 400 || !error.isEmpty
        let ms = latencyNs / 1e6
        let endpoint = Self.endpoint(method: method, url: url)
        if per[endpoint] == nil { order.append(endpoint) }
        per[endpoint, default: RequestSamples()].add(ms: ms, failed: failed)
        per[endpoint]!.span(startMs: startMs, endMs: startMs + ms)
        total.add(ms: ms, failed: failed)
        total.span(startMs: startMs, endMs: startMs + ms)
        if failed { errors.add(endpoint: endpoint, message: error.isEmpty ? "HTTP \(Int(code))" : error) }
    }

    /// The run, or an error naming `path` when no result was added.
    func run(format: InputFormat, path: String) throws -> IngestedRun {
        guard total.count > 0 else { throw IngestError.at(path, line: 1, column: 1, "file is empty") }
        func series(_ endpoint: String, _ s: RequestSamples) -> SeriesResult {
            LoadTool.series(
                endpoint: endpoint, stats: s.stats(levels: Self.levels, rule: { Stats.Percentile.type7(buckets: $0, $1) }),
                distribution: s.distribution)
        }
        var run = IngestedRun(tool: "vegeta", format: format.rawValue)
        run.errors = errors.errors
        run.series = order.map { series($0, per[$0]!) } + [series("", total)]
        run.startedAt = Date(timeIntervalSince1970: total.firstStart / 1000)
        run.durationSeconds = total.spanSeconds
        return run
    }
}

/// vegeta `encode --to json` (NDJSON, one result per line: `code`, `timestamp`, `latency` ns,
/// `error`, `method`, `url`, …), plain or gzip, streamed: per-request samples (``VegetaResults``).
struct VegetaEncodeAdapter: ResultAdapter {
    func sniff(head: [UInt8], fileName: String) -> Bool {
        let line = Sniff.firstLine(head)
        return line.hasPrefix("{") && line.contains("\"seq\"") && line.contains("\"latency\"") && line.contains("\"attack\"")
    }

    func parse(_ input: InputSet) throws -> IngestedRun {
        let file = input.primary
        let path = file.displayPath
        var results = VegetaResults()
        try file.forEachLine { bytes, line in
            if bytes.isEmpty { return }
            let node: JSONNode
            do {
                node = try JSONNode.parse(Data(bytes), file: path)
            } catch let e as IngestError {
                throw e.shiftingLines(by: line - 1)
            }
            do {
                let code = try node.required("code").nonNegative()
                let ns = try node.required("latency").nonNegative()
                let error = try node.optional("error")?.string() ?? ""
                let method = try node.optional("method")?.string() ?? ""
                let url = try node.optional("url")?.string() ?? ""
                let timestamp = try node.required("timestamp")
                let t = try timestamp.string()
                guard let date = K6Time.parseRFC3339(Array(t.utf8)) else { throw timestamp.error("not an RFC 3339 time: \"\(t)\"") }
                results.add(code: code, latencyNs: ns, error: error, method: method, url: url, startMs: date.timeIntervalSince1970 * 1000)
            } catch let IngestError.malformed(loc, msg) {
                var l = loc
                l.line = line
                throw IngestError.malformed(l, msg)
            }
        }
        return try results.run(format: .vegetaEncode, path: path)
    }
}

/// vegeta `encode --to csv` (`lib/results.go`): one result per record, no header, twelve columns
/// `timestamp` (Unix ns), `code`, `latency` (ns), `bytes_out`, `bytes_in`, `error`, `body` (base64),
/// `attack`, `seq`, `method`, `url`, `headers` (base64); plain or gzip, streamed. Detected by content
/// (the first record has that shape); read as ``VegetaResults`` like `encode --to json`.
struct VegetaCSVAdapter: ResultAdapter {
    static let columns = [
        "timestamp", "code", "latency", "bytes_out", "bytes_in", "error", "body", "attack", "seq", "method", "url", "headers",
    ]

    func sniff(head: [UInt8], fileName: String) -> Bool {
        let line = Sniff.firstLine(head)
        guard let first = line.utf8.first, first >= UInt8(ascii: "0"), first <= UInt8(ascii: "9") else { return false }
        var record: [String]?
        try? CSVReader(InputFile(data: Data(line.utf8), displayPath: fileName)).forEachRecord { f, _ in record = f }
        guard let f = record, f.count == Self.columns.count else { return false }
        let integers = [0, 1, 2, 3, 4, 8].allSatisfy { UInt64(f[$0]) != nil }
        return integers && f[0].count >= 16 && f[9].allSatisfy { $0.isLetter && $0.isUppercase }
    }

    func parse(_ input: InputSet) throws -> IngestedRun {
        let file = input.primary
        let path = file.displayPath
        var results = VegetaResults()
        try CSVReader(file).forEachRecord { f, line in
            guard f.count == Self.columns.count else {
                throw IngestError.at(
                    path, line: line,
                    "expected the \(Self.columns.count) columns of `vegeta encode --to csv` (\(Self.columns.joined(separator: ","))), found \(f.count)")
            }
            func integer(_ i: Int) throws -> Double {
                guard let v = UInt64(f[i]) else {
                    throw IngestError.at(path, line: line, "\(Self.columns[i]) (column \(i + 1)): expected a non-negative integer, found \"\(f[i])\"")
                }
                return Double(v)
            }
            let timestamp = try integer(0), code = try integer(1), latency = try integer(2)
            results.add(code: code, latencyNs: latency, error: f[5], method: f[9], url: f[10], startMs: timestamp / 1e6)
        }
        return try results.run(format: .vegetaCSV, path: path)
    }
}
