import Foundation
import PerfgateCore

/// k6 `--out csv=FILE`, plain or gzip: one sample per row, columns read by header
/// name (`metric_name`, `timestamp`, `metric_value`, then tag columns such as `name`, `method`,
/// `error`, `check`, `group`). The file has no metric types, so they are inferred from the name
/// (built-ins) and custom metrics are treated as trends. Aggregation is the same as for NDJSON.
struct K6CSVAdapter: ResultAdapter {
    func sniff(head: [UInt8], fileName: String) -> Bool { K6Shape.classify(head) == .csv }

    func parse(_ input: InputSet) throws -> IngestedRun {
        let file = input.primary
        let path = file.displayPath
        let agg = K6PointAggregator(file: path)
        var header: CSVHeader?
        var columns = (metric: 0, time: 0, value: 0, name: -1, method: -1, error: -1, check: -1, group: -1)
        var firstTime: Date?
        var minTime = Double.infinity
        var maxTime = -Double.infinity
        var rows = 0
        try CSVReader(file).forEachRecord { fields, line in
            guard let h = header else {
                let h = CSVHeader(fields, file: path)
                columns.metric = try h.require("metric_name")
                columns.time = try h.require("timestamp")
                columns.value = try h.require("metric_value")
                columns.name = h.column("name") ?? -1
                columns.method = h.column("method") ?? -1
                columns.error = h.column("error") ?? -1
                columns.check = h.column("check") ?? -1
                columns.group = h.column("group") ?? -1
                header = h
                return
            }
            if fields.count == 1 && fields[0].isEmpty { return }  // a blank line
            // k6 writes every column on every row: a shorter row is a cut file (the value it ends
            // with may be a cut number), never data.
            guard fields.count == h.names.count else {
                throw IngestError.at(
                    path, line: line, "row has \(fields.count) of the header's \(h.names.count) columns (truncated file?)")
            }
            func field(_ index: Int) -> String? { index >= 0 && index < fields.count ? fields[index] : nil }
            guard let metricName = field(columns.metric), !metricName.isEmpty else {
                throw IngestError.at(path, line: line, "missing metric_name (row has \(fields.count) of \(h.names.count) columns)")
            }
            guard let rawValue = field(columns.value), let value = Double(rawValue) else {
                throw IngestError.at(path, line: line, "metric_value is not a number")
            }
            guard value.isFinite else {
                throw IngestError.at(path, line: line, "metric_value \(rawValue) is not a finite number")
            }
            guard let rawTime = field(columns.time), let time = K6Time.parseCSV(rawTime) else {
                throw IngestError.at(path, line: line, "invalid timestamp")
            }
            let t = time.timeIntervalSince1970
            if firstTime == nil { firstTime = time }
            minTime = min(minTime, t)
            maxTime = max(maxTime, t)
            let id = agg.metricID(metricName)
            let m = agg.metrics[id]
            var tags = K6PointTags()
            if m.needsEndpointTags, let n = field(columns.name), !n.isEmpty {
                tags.name = agg.tagValues.intern(n)
                if let method = field(columns.method), !method.isEmpty { tags.method = agg.tagValues.intern(method) }
            }
            if m.role == .latency, let e = field(columns.error), !e.isEmpty { tags.error = agg.tagValues.intern(e) }
            if m.role == .checks, let c = field(columns.check), !c.isEmpty {
                tags.check = agg.tagValues.intern(c)
                if let g = field(columns.group) { tags.group = agg.tagValues.intern(g) }
            }
            agg.second = Int64(t.rounded(.down))
            try agg.add(metric: id, value: value, tags: tags, line: line)
            rows += 1
        }
        guard header != nil else { throw IngestError.at(path, line: 1, column: 1, "file is empty") }
        guard rows > 0 else { throw IngestError.at(path, line: 2, "no samples after the header") }
        // Timestamps default to whole seconds; the run spans first to last (inclusive of that second's
        // resolution is not knowable, so the plain difference is used).
        let startedAt = Date(timeIntervalSince1970: minTime)
        _ = firstTime
        return agg.run(format: .k6CSV, startedAt: startedAt, durationSeconds: maxTime - minTime)
    }
}
