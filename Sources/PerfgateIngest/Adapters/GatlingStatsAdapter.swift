import Foundation
import PerfgateCore

/// Gatling's report JSON (docs/load-tools.md; Gatling ≤ 3.13.4): `js/stats.json`, a tree of `GROUP`
/// and `REQUEST` nodes each with a `stats` object, or `js/global_stats.json`, the root `stats`
/// alone. Every `REQUEST` node becomes a series keyed by its `path` (`Group / request`) and the root
/// is the whole run (`""`); groups give no series (their time is not a request's), as for the log.
///
/// Gatling writes whole milliseconds (mean and standard deviation rounded) and `0` for missing
/// values; `percentiles1..4` are its default p50/p75/p95/p99 (`charting.indicators.percentile1..4`,
/// not recorded in the file); throughput is `meanNumberOfRequestsPerSecond.total`.
struct GatlingStatsAdapter: ResultAdapter {
    static let statsKeys = [
        "name", "numberOfRequests", "minResponseTime", "maxResponseTime", "meanResponseTime", "standardDeviation",
        "percentiles1", "percentiles2", "percentiles3", "percentiles4", "group1", "group2", "group3", "group4",
        "meanNumberOfRequestsPerSecond",
    ]
    static let nodeKeys = ["type", "name", "path", "pathFormatted", "stats", "contents"]

    func sniff(head: [UInt8], fileName: String) -> Bool {
        guard Sniff.firstByte(head) == UInt8(ascii: "{") else { return false }
        let text = Sniff.text(head)
        return text.contains("\"numberOfRequests\"") && text.contains("\"meanNumberOfRequestsPerSecond\"")
            || text.contains("\"numberOfRequests\"") && text.contains("\"pathFormatted\"")
    }

    func parse(_ input: InputSet) throws -> IngestedRun {
        let file = input.primary
        let root = try JSONNode.parse(try file.readAll(), file: file.displayPath)
        var run = IngestedRun(tool: Gatling.tool, format: InputFormat.gatlingJSON.rawValue)
        if try root.optional("numberOfRequests") != nil {
            // global_stats.json: the root statistics only.
            run.series = [try series("", root)]
            return run
        }
        try root.requireOnlyKeys(Self.nodeKeys)
        guard try root.required("type").string() == "GROUP" else {
            throw try root.required("type").error("the root of stats.json is a GROUP")
        }
        var out: [SeriesResult] = []
        try walk(root, into: &out)
        out.append(try series("", try root.required("stats")))
        run.series = out
        return run
    }

    private func walk(_ node: JSONNode, into out: inout [SeriesResult]) throws {
        guard let contents = try node.optional("contents") else { return }
        for (_, child) in try contents.members() {
            try child.requireOnlyKeys(Self.nodeKeys)
            let typeNode = try child.required("type")
            switch try typeNode.string() {
            case "REQUEST":
                let path = try child.required("path").string()
                out.append(try series(path.isEmpty ? try child.required("name").string() : path, try child.required("stats")))
            case "GROUP":
                try walk(child, into: &out)
            case let other:
                throw typeNode.error("expected \"REQUEST\" or \"GROUP\", found \"\(other)\"")
            }
        }
    }

    private func series(_ endpoint: String, _ stats: JSONNode) throws -> SeriesResult {
        try stats.requireOnlyKeys(Self.statsKeys)
        func total(_ key: String) throws -> Double { try stats.required(key).required("total").nonNegative() }
        let requests = try total("numberOfRequests")
        let ko = try stats.required("numberOfRequests").required("ko").nonNegative()
        var s: [Statistic: Double] = [:]
        LoadTool.counts(&s, requests: requests, errors: ko)
        s[.throughput] = try total("meanNumberOfRequestsPerSecond")
        if requests > 0 {
            s[.min] = try total("minResponseTime")
            s[.max] = try total("maxResponseTime")
            s[.mean] = try total("meanResponseTime")
            s[.stddev] = try total("standardDeviation")
            for (i, level) in Gatling.levels.enumerated() {
                s[.percentile(level * 100)] = try total("percentiles\(i + 1)")
            }
        }
        return LoadTool.series(endpoint: endpoint, stats: s)
    }
}
