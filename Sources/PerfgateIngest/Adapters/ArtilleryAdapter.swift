import Foundation
import PerfgateCore

/// Artillery `run --output report.json` (docs/load-tools.md): `{"aggregate": Report, "intermediate":
/// [Report]}`, in the 2.x shape (`counters`, `rates`, `summaries`) or the legacy 1.x shape
/// (`latency`, `rps`, `codes`, `errors`, raw `latencies` in the intermediate reports).
///
/// The aggregate gives the whole-run series (`""`): 2.x `summaries["http.response_time"]` (ms,
/// Artillery's DDSketch quantiles as printed), `count` = `http.requests`, `errors` = `errors.*`
/// counters plus 4xx/5xx `http.codes.*`, `throughput` = `rates["http.request_rate"]`. With the
/// `metrics-by-endpoint` plugin, each `plugins.metrics-by-endpoint.response_time.<name>` summary
/// is an endpoint series with its own codes and errors. 1.x: `latency` (ms), `requestsCompleted`
/// plus `errors`, `codes`, `rps.mean`; its raw `[time, id, latency ns, code]` samples become the
/// distribution and the mean. The intermediate reports give the start of the run.
struct ArtilleryAdapter: ResultAdapter {
    static let endpointPrefix = "plugins.metrics-by-endpoint."

    func sniff(head: [UInt8], fileName: String) -> Bool {
        guard Sniff.firstByte(head) == UInt8(ascii: "{") else { return false }
        let keys = ContentSketch.topLevelKeys(head)
        guard keys.first == "aggregate" || keys.first == "intermediate" else { return false }
        let text = Sniff.text(head)
        return text.contains("\"counters\"") || text.contains("\"scenariosCreated\"")
    }

    func parse(_ input: InputSet) throws -> IngestedRun {
        let file = input.primary
        let root = try JSONNode.parse(try file.readAll(), file: file.displayPath)
        try root.requireOnlyKeys(["aggregate", "intermediate"])
        let aggregate = try root.required("aggregate")
        let intermediate = try root.optional("intermediate")?.array() ?? []
        if try aggregate.optional("counters") != nil || aggregate.optional("summaries") != nil {
            return try modern(aggregate, intermediate)
        }
        if try aggregate.optional("latency") != nil {
            return try legacy(aggregate, intermediate)
        }
        throw aggregate.error("neither Artillery 2.x (\"counters\", \"summaries\") nor 1.x (\"latency\") report keys")
    }

    // MARK: 2.x

    private func modern(_ aggregate: JSONNode, _ intermediate: [JSONNode]) throws -> IngestedRun {
        var run = IngestedRun(tool: "artillery", format: InputFormat.artilleryJSON.rawValue)
        let counters = try aggregate.optional("counters")
        var counts: [String: Double] = [:]
        for (key, node) in try counters?.members() ?? [] { counts[key] = try node.nonNegative() }
        let summaries = try aggregate.optional("summaries") ?? aggregate.optional("histograms")
        let rates = try aggregate.optional("rates")
        func failures(prefix: String) -> Double {
            counts.filter { key, _ in
                guard key.hasPrefix(prefix) else { return false }
                let rest = key.dropFirst(prefix.count)
                if rest.hasPrefix("errors.") { return true }
                if rest.hasPrefix("codes."), let code = Int(rest.dropFirst("codes.".count)) { return code >= 400 }
                return false
            }.values.reduce(0, +)
        }
        func latency(_ summary: JSONNode) throws -> [Statistic: Double] {
            var s: [Statistic: Double] = [:]
            for (key, node) in try summary.members() {
                if node.isNull { continue }  // JSON.stringify writes NaN as null
                let v = try node.nonNegative()
                switch key {
                case "min": s[.min] = v
                case "max": s[.max] = v
                case "mean": s[.mean] = v
                case "median": s[.p50] = v
                case "count": break
                default:
                    // p50, p75, p90, p95, p99, p999 (= 99.9)
                    guard key.hasPrefix("p"), let digits = Double(key.dropFirst()) else {
                        throw summary.error("unknown summary statistic \"\(key)\"")
                    }
                    let level = key.count > 3 ? digits / 10 : digits
                    s[.percentile(level)] = v
                }
            }
            return s
        }
        // Whole run.
        var whole: [Statistic: Double] = [:]
        if let rt = try summaries?.optional("http.response_time") { whole = try latency(rt) }
        let requests = counts["http.requests"] ?? 0
        LoadTool.counts(&whole, requests: requests, errors: failures(prefix: "http.") + counts.filter { $0.key.hasPrefix("errors.") }.values.reduce(0, +))
        if let rate = try rates?.optional("http.request_rate"), !rate.isNull { whole[.throughput] = try rate.nonNegative() }
        // Endpoints from metrics-by-endpoint.
        var endpoints: [SeriesResult] = []
        let rtPrefix = Self.endpointPrefix + "response_time."
        for (key, node) in try summaries?.members() ?? [] where key.hasPrefix(rtPrefix) {
            let name = String(key.dropFirst(rtPrefix.count))
            var s = try latency(node)
            let prefix = Self.endpointPrefix + name + "."
            let responses = counts.filter { $0.key.hasPrefix(prefix + "codes.") }.values.reduce(0, +)
            let errors = counts.filter { $0.key.hasPrefix(prefix + "errors.") }.values.reduce(0, +)
            LoadTool.counts(&s, requests: responses + errors, errors: failures(prefix: prefix))
            endpoints.append(LoadTool.series(endpoint: name, stats: s))
        }
        run.series = endpoints + [LoadTool.series(endpoint: "", stats: whole)]
        for (key, n) in counts.sorted(by: { $0.key < $1.key }) where key.hasPrefix("errors.") {
            run.errors.append(ErrorResult(endpoint: "", message: String(key.dropFirst("errors.".count)), occurrences: Int(n)))
        }
        if let first = try aggregate.optional("firstMetricAt"), let last = try aggregate.optional("lastMetricAt") {
            let a = try first.nonNegative()
            run.startedAt = Date(timeIntervalSince1970: a / 1000)
            run.durationSeconds = max(0, try last.nonNegative() - a) / 1000
        }
        if let created = counts["vusers.created"] { run.load = LoadProfile(maxVUs: Int(created)) }
        _ = intermediate
        return run
    }

    // MARK: 1.x

    private func legacy(_ aggregate: JSONNode, _ intermediate: [JSONNode]) throws -> IngestedRun {
        var run = IngestedRun(tool: "artillery", format: InputFormat.artilleryJSON.rawValue)
        var s: [Statistic: Double] = [:]
        let latency = try aggregate.required("latency")
        for (key, node) in try latency.members() where !node.isNull {
            let v = try node.nonNegative()
            switch key {
            case "min": s[.min] = v
            case "max": s[.max] = v
            case "median": s[.p50] = v
            case "p95": s[.p95] = v
            case "p99": s[.p99] = v
            default: throw node.error("unknown latency statistic")
            }
        }
        let completed = try aggregate.required("requestsCompleted").nonNegative()
        var transportErrors = 0.0
        for (message, node) in try aggregate.optional("errors")?.members() ?? [] {
            let n = try node.nonNegative()
            transportErrors += n
            run.errors.append(ErrorResult(endpoint: "", message: message, occurrences: Int(n)))
        }
        var badCodes = 0.0
        for (code, node) in try aggregate.optional("codes")?.members() ?? [] {
            guard let c = Int(code) else { throw node.error("status code key \"\(code)\" is not a number") }
            if c >= 400 { badCodes += try node.nonNegative() }
        }
        LoadTool.counts(&s, requests: completed + transportErrors, errors: transportErrors + badCodes)
        if let mean = try aggregate.optional("rps")?.optional("mean"), !mean.isNull { s[.throughput] = try mean.nonNegative() }
        // Raw samples: [epoch ms, id, latency ns, code] in the intermediate reports.
        var samples = RequestSamples()
        var first = Double.infinity
        for report in intermediate {
            for entry in try report.optional("latencies")?.array() ?? [] {
                let fields = try entry.array()
                guard fields.count >= 3 else { throw entry.error("expected [time, id, latency ns, code]") }
                let ns = try fields[2].nonNegative()
                first = min(first, try fields[0].nonNegative())
                samples.add(ms: ns / 1e6, failed: false)
            }
        }
        var distribution: Distribution?
        if samples.count > 0 && Double(samples.count) == completed {
            s[.mean] = samples.sum / Double(samples.count)
            distribution = samples.distribution
        }
        run.series = [LoadTool.series(endpoint: "", stats: s, distribution: distribution)]
        if first.isFinite { run.startedAt = Date(timeIntervalSince1970: first / 1000) }
        if let created = try aggregate.optional("scenariosCreated") { run.load = LoadProfile(maxVUs: Int(try created.nonNegative())) }
        return run
    }
}
