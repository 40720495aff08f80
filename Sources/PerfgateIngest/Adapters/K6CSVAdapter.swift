import Foundation
import PerfgateCore

/// k6 `--out csv=FILE`, plain or gzip: one sample per row, columns read by header
/// name (`metric_name`, `timestamp`, `metric_value`, then tag columns such as `name`, `method`,
/// `error`, `check`, `group`). The file has no metric types, so they are inferred from the name
/// (built-ins) and custom metrics are treated as trends. Aggregation is the same as for NDJSON.
///
/// Rows are read as bytes (no `String` per field) in parallel blocks of whole lines (``ParallelCSV``),
/// each into an aggregator of its own, merged in file order as the NDJSON reader merges its blocks.
struct K6CSVAdapter: ResultAdapter {
    /// Bytes per parallel block (tests make it small to cross block boundaries).
    var blockSize = 2 << 20

    func sniff(head: [UInt8], fileName: String) -> Bool { K6Shape.classify(head) == .csv }

    func parse(_ input: InputSet) throws -> IngestedRun {
        let file = input.primary
        let path = file.displayPath
        var columns: Columns?
        var parsed: Rows?
        if try ParallelCSV.header(file, delimiter: 44, { columns = try Columns($0, file: path) }), let columns {
            var merged = Rows(file: path, columns: columns, exactEndpoints: 256)
            if try ParallelCSV.run(
                file, delimiter: 44, blockSize: blockSize, make: { Rows(file: path, columns: columns, exactEndpoints: .max) },
                record: { rows, r, line in try rows.record(r, line) },
                merge: { block, linesBefore in try merged.merge(block, linesBefore: linesBefore) })
            {
                parsed = merged
            }
        }
        if parsed == nil {
            // A header or field spanning lines: the whole file, serially.
            var rows: Rows?
            try CSVReader(file).forEachRawRecord { r, line in
                if rows != nil {
                    try rows!.record(r, line)
                } else {
                    rows = Rows(file: path, columns: try Columns(r, file: path), exactEndpoints: 256)
                }
            }
            parsed = rows
        }
        guard let rows = parsed else { throw IngestError.at(path, line: 1, column: 1, "file is empty") }
        guard rows.count > 0 else { throw IngestError.at(path, line: 2, "no samples after the header") }
        // Timestamps default to whole seconds; the run spans first to last (inclusive of that second's
        // resolution is not knowable, so the plain difference is used).
        return rows.agg.run(
            format: .k6CSV, startedAt: Date(timeIntervalSince1970: rows.minTime), durationSeconds: rows.maxTime - rows.minTime)
    }

    /// Where the columns k6 writes are.
    struct Columns: Sendable {
        var width: Int
        var metric: Int, time: Int, value: Int
        var name = -1, method = -1, error = -1, check = -1, group = -1

        init(_ header: CSVRecord, file: String) throws {
            var names: [String] = []
            for i in 0..<header.count {
                guard var s = header.string(i) else { throw IngestError.at(file, line: 1, "invalid UTF-8 in field \(i + 1)") }
                if i == 0 && s.hasPrefix("\u{FEFF}") { s.removeFirst() }  // a byte order mark
                names.append(s)
            }
            let h = CSVHeader(names, file: file)
            width = h.names.count
            metric = try h.require("metric_name")
            time = try h.require("timestamp")
            value = try h.require("metric_value")
            name = h.column("name") ?? -1
            method = h.column("method") ?? -1
            error = h.column("error") ?? -1
            check = h.column("check") ?? -1
            group = h.column("group") ?? -1
        }
    }

    /// The rows of a file, or of one block of it: aggregated points, count and time span. A struct, so
    /// that a row's updates need no run-time exclusivity checks.
    struct Rows {
        let file: String
        let columns: Columns
        let agg: K6PointAggregator
        var count = 0
        var minTime = Double.infinity
        var maxTime = -Double.infinity
        private var metricCache = K6InternCache()
        private var nameCache = K6InternCache()
        private var methodCache = K6InternCache()
        private var errorCache = K6InternCache()
        private var checkCache = K6InternCache()
        private var groupCache = K6InternCache()
        /// The last timestamp's bytes and its time: consecutive rows mostly share their second.
        private var lastStamp: [UInt8] = []
        private var lastTime = 0.0

        init(file: String, columns: Columns, exactEndpoints: Int) {
            self.file = file
            self.columns = columns
            agg = K6PointAggregator(file: file, exactEndpoints: exactEndpoints)
            lastStamp.reserveCapacity(32)
        }

        /// Adds the next block's rows (its lines start after `linesBefore`).
        mutating func merge(_ block: Rows, linesBefore: Int) throws {
            try agg.merge(block.agg, linesBefore: linesBefore)
            count += block.count
            minTime = min(minTime, block.minTime)
            maxTime = max(maxTime, block.maxTime)
        }

        mutating func record(_ r: CSVRecord, _ line: Int) throws {
            if !r.isASCII {
                for i in 0..<r.count where r.string(i) == nil {
                    throw IngestError.at(file, line: line, "invalid UTF-8 in field \(i + 1)")
                }
            }
            if r.count == 1 && r.bytes(0).isEmpty { return }  // a blank line
            // k6 writes every column on every row: a shorter row is a cut file (the value it ends
            // with may be a cut number), never data.
            guard r.count == columns.width else {
                throw IngestError.at(file, line: line, "row has \(r.count) of the header's \(columns.width) columns (truncated file?)")
            }
            let metricName = r.bytes(columns.metric)
            guard let metricBase = metricName.baseAddress, !metricName.isEmpty else {
                throw IngestError.at(file, line: line, "missing metric_name (row has \(r.count) of \(columns.width) columns)")
            }
            let rawValue = r.bytes(columns.value)
            guard let value = ByteNumber.double(rawValue) else {
                throw IngestError.at(file, line: line, "metric_value is not a number")
            }
            guard value.isFinite else {
                throw IngestError.at(file, line: line, "metric_value \(String(decoding: rawValue, as: UTF8.self)) is not a finite number")
            }
            let t = try time(r.bytes(columns.time), line: line)
            minTime = min(minTime, t)
            maxTime = max(maxTime, t)
            let id: Int
            if metricCache.last >= 0 && agg.metricNames.equals(metricCache.last, metricBase, metricName.count) {
                id = Int(metricCache.last)
            } else {
                id = agg.metricID(metricBase, metricName.count)
                metricCache.last = Int32(id)
            }
            let m = agg.metrics[id]
            var tags = K6PointTags()
            if m.needsEndpointTags, let n = nonEmpty(r, columns.name) {
                tags.name = Self.intern(agg, n, &nameCache)
                if let method = nonEmpty(r, columns.method) { tags.method = Self.intern(agg, method, &methodCache) }
            }
            if m.role == .latency, let e = nonEmpty(r, columns.error) { tags.error = Self.intern(agg, e, &errorCache) }
            if m.role == .checks, let c = nonEmpty(r, columns.check) {
                tags.check = Self.intern(agg, c, &checkCache)
                if columns.group >= 0 { tags.group = Self.intern(agg, r.bytes(columns.group), &groupCache) }
            }
            agg.second = Int64(t.rounded(.down))
            try agg.add(metric: id, value: value, tags: tags, line: line)
            count += 1
        }

        /// A row's time in epoch seconds (``K6Time/parseCSV(_:)``), parsed once per distinct timestamp.
        private mutating func time(_ stamp: UnsafeBufferPointer<UInt8>, line: Int) throws -> Double {
            if stamp.count == lastStamp.count, let base = stamp.baseAddress, memcmp(base, lastStamp, stamp.count) == 0 { return lastTime }
            guard let time = K6Time.parseCSV(stamp) else { throw IngestError.at(file, line: line, "invalid timestamp") }
            lastStamp.removeAll(keepingCapacity: true)
            lastStamp.append(contentsOf: stamp)
            lastTime = time.timeIntervalSince1970
            return lastTime
        }

        private func nonEmpty(_ r: CSVRecord, _ column: Int) -> UnsafeBufferPointer<UInt8>? {
            guard column >= 0 else { return nil }
            let b = r.bytes(column)
            return b.isEmpty ? nil : b
        }

        private static func intern(_ agg: K6PointAggregator, _ b: UnsafeBufferPointer<UInt8>, _ cache: inout K6InternCache) -> Int32 {
            guard let base = b.baseAddress, !b.isEmpty else { return agg.tagValues.intern("") }
            return cache.id(base, b.count, in: &agg.tagValues)
        }
    }
}
