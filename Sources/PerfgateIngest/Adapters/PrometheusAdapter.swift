import Foundation
import PerfgateCore

/// Prometheus HTTP API `query_range` responses (`GET /api/v1/query_range`, saved by `curl` in CI):
/// `{"status":"success","data":{"resultType":"matrix","result":[{"metric":{…},"values":[[t,"v"],…]}]}}`.
///
/// Each series becomes a server-side ``ServerSeries`` named by its metric name (or the file's name for
/// an expression such as `rate(…)`, which has no `__name__`), with `{label="value",…}` appended only
/// when several series of the file share a name. Units follow the name's suffix
/// (``ServerMetrics/unit(ofName:)``). `"status":"error"` is refused with Prometheus's own error text;
/// `vector`, `scalar` and `string` results (instant queries) are refused: they have no time axis.
/// Non-finite samples (`"NaN"`, `"+Inf"`: a ratio over zero) are skipped. The run this returns is not
/// stored on its own: the ingest attaches its series to a load-test run (docs/server-metrics.md).
public struct PrometheusQueryRangeAdapter: ResultAdapter {
    public init() {}

    public func sniff(head: [UInt8], fileName: String) -> Bool {
        guard Sniff.firstByte(head) == UInt8(ascii: "{") else { return false }
        let text = Sniff.text(head)
        guard text.hasMember("status", valuePrefix: "\"success\"") || text.hasMember("status", valuePrefix: "\"error\"") else {
            return false
        }
        return text.hasMember("resultType", valuePrefix: "\"") || text.hasMember("errorType", valuePrefix: "\"")
    }

    /// The tag under which Prometheus's `warnings` travel to the ingest, which prints them.
    public static let warningsTag = "prometheus.warnings"

    public func parse(_ input: InputSet) throws -> IngestedRun {
        let file = input.primary
        let root = try JSONNode.parse(try file.readAll(), file: file.displayPath)
        let status = try root.required("status")
        switch try status.string() {
        case "success": break
        case "error":
            let type = try root.optional("errorType").map { try $0.string() } ?? "error"
            let message = try root.optional("error").map { try $0.string() } ?? "(no message)"
            throw status.error("Prometheus answered with an error (\(type)): \(message)")
        case let other: throw status.error("unknown status \"\(other)\"; Prometheus writes \"success\" or \"error\"")
        }
        let data = try root.required("data")
        let resultType = try data.required("resultType")
        let kind = try resultType.string()
        guard kind == "matrix" else {
            throw resultType.error(
                "resultType is \"\(kind)\", not \"matrix\": an instant query has no time axis; save /api/v1/query_range (with start, end and step), not /api/v1/query")
        }
        struct Raw {
            var labels: [String: String]
            var node: JSONNode
            var samples: [(Double, Double)]
        }
        var raws: [Raw] = []
        for item in try data.required("result").array() {
            var labels: [String: String] = [:]
            if let m = try item.optional("metric") {
                for (k, v) in try m.members() { labels[k] = try v.string() }
            }
            guard let values = try item.optional("values") else {
                if try item.optional("histograms") != nil {
                    throw item.error("a native-histogram series: query a number from it, e.g. histogram_quantile(0.95, …)")
                }
                throw item.error("missing key \"values\"")
            }
            var samples: [(Double, Double)] = []
            for pair in try values.array() {
                let parts = try pair.array()
                guard parts.count == 2 else { throw pair.error("a sample is [unix_seconds, \"value\"], found \(parts.count) elements") }
                let t = try parts[0].number()
                let text = try parts[1].string()
                guard let v = Double(text) else { throw parts[1].error("not a number: \"\(text)\"") }
                if v.isFinite { samples.append((t, v)) }
            }
            raws.append(Raw(labels: labels, node: item, samples: samples))
        }
        guard !raws.isEmpty else {
            throw data.error("the query returned no series (data.result is empty): check the query and the time range")
        }
        let stem = Self.stem(file.fileName)
        let names = Self.names(raws.map(\.labels), fallback: stem)
        var run = IngestedRun(tool: "prometheus", format: InputFormat.prometheusQueryRange.rawValue)
        for (raw, name) in zip(raws, names) {
            let (unit, convert) = ServerMetrics.unit(ofName: name)
            let samples = raw.samples.sorted { $0.0 < $1.0 }.map { ServerSample(time: $0.0, value: convert($0.1)) }
            let series = ServerSeries(name: name, unit: unit, direction: ServerMetrics.direction(ofName: name), samples: samples)
            run.serverSeries = (run.serverSeries ?? []) + [series]
            if let summary = ServerMetrics.summary(series) { run.series.append(summary) }
        }
        let times = (run.serverSeries ?? []).flatMap { $0.samples.map(\.time) }
        if let lo = times.min(), let hi = times.max() {
            run.startedAt = Date(timeIntervalSince1970: lo)
            run.durationSeconds = hi - lo
        }
        if let warnings = try root.optional("warnings") {
            let texts = try warnings.array().map { try $0.string() }
            if !texts.isEmpty { run.tags[Self.warningsTag] = texts.joined(separator: "; ") }
        }
        run.series.sort { $0.key < $1.key }
        return run
    }

    /// `memory.prom.json` → `memory`: the name of a series without `__name__`.
    static func stem(_ fileName: String) -> String {
        var s = fileName
        for suffix in [".gz", ".json", ".prom"] where s.hasSuffix(suffix) { s.removeLast(suffix.count) }
        return s.isEmpty ? "query" : s
    }

    /// Names that are unique in the file: the bare name when it is; else with the labels other than
    /// `job` and `instance`; else with every label.
    static func names(_ labels: [[String: String]], fallback: String) -> [String] {
        func name(_ l: [String: String], dropping: Set<String>) -> String {
            let base = l["__name__"] ?? fallback
            let rest = l.filter { $0.key != "__name__" && !dropping.contains($0.key) }.sorted { $0.key < $1.key }
            guard !rest.isEmpty else { return base }
            return base + "{" + rest.map { "\($0.key)=\"\($0.value)\"" }.joined(separator: ",") + "}"
        }
        let bare = labels.map { $0["__name__"] ?? fallback }
        var result: [String] = []
        for (i, l) in labels.enumerated() {
            if bare.filter({ $0 == bare[i] }).count == 1 {
                result.append(bare[i])
                continue
            }
            let short = name(l, dropping: ["job", "instance"])
            let clash = labels.enumerated().contains { $0.offset != i && name($0.element, dropping: ["job", "instance"]) == short }
            result.append(clash ? name(l, dropping: []) : short)
        }
        return result
    }
}
