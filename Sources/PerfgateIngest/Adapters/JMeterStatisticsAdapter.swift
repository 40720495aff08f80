import Foundation
import PerfgateCore

/// JMeter's HTML dashboard `statistics.json` (docs/load-tools.md): an object keyed by label plus
/// `"Total"` (the whole run, `""`), each with the dashboard's figures in ms, req/s and percent.
/// `pct1/2/3ResTime` are JMeter's default p90/p95/p99 (`aggregate_rpt_pct1..3`); the file does not
/// say which levels were configured, so a dashboard built with other levels must not be ingested.
struct JMeterStatisticsAdapter: ResultAdapter {
    static let keys = [
        "transaction", "sampleCount", "errorCount", "errorPct", "meanResTime", "medianResTime", "minResTime",
        "maxResTime", "pct1ResTime", "pct2ResTime", "pct3ResTime", "throughput", "receivedKBytesPerSec",
        "sentKBytesPerSec",
    ]

    func sniff(head: [UInt8], fileName: String) -> Bool {
        guard Sniff.firstByte(head) == UInt8(ascii: "{") else { return false }
        let text = Sniff.text(head)
        return text.contains("\"sampleCount\"") && text.contains("\"pct1ResTime\"") && text.contains("\"transaction\"")
    }

    func parse(_ input: InputSet) throws -> IngestedRun {
        let file = input.primary
        let root = try JSONNode.parse(try file.readAll(), file: file.displayPath)
        var run = IngestedRun(tool: JMeter.tool, format: InputFormat.jmeterStatistics.rawValue)
        var sawTotal = false
        for (label, entry) in try root.members() {
            try entry.requireOnlyKeys(Self.keys)
            let transaction = try entry.required("transaction").string()
            guard transaction == label else {
                throw try entry.required("transaction").error("is \"\(transaction)\" under the key \"\(label)\"")
            }
            func number(_ key: String) throws -> Double {
                try entry.required(key).nonNegative()
            }
            let count = try number("sampleCount")
            var stats: [Statistic: Double] = [:]
            LoadTool.counts(&stats, requests: count, errors: try number("errorCount"))
            _ = try number("errorPct")
            stats[.throughput] = try number("throughput")
            if count > 0 {
                stats[.mean] = try number("meanResTime")
                stats[.p50] = try number("medianResTime")
                stats[.min] = try number("minResTime")
                stats[.max] = try number("maxResTime")
                stats[.p90] = try number("pct1ResTime")
                stats[.p95] = try number("pct2ResTime")
                stats[.p99] = try number("pct3ResTime")
            }
            let endpoint = label == "Total" ? "" : label
            if endpoint.isEmpty { sawTotal = true }
            run.series.append(LoadTool.series(endpoint: endpoint, stats: stats))
        }
        guard sawTotal else {
            throw root.error("no \"Total\" entry: JMeter's dashboard always writes one (truncated file?)")
        }
        return run
    }
}
