import Foundation
import PerfgateCore

/// k6 `--out json=FILE` NDJSON, plain or gzip: `Metric` lines declare type and value
/// kind, `Point` lines carry one sample each. Aggregated in constant memory: per-endpoint and whole-run
/// `http_req_duration` with exact count/mean/min/max and HDR percentiles, request failures, throughput,
/// every other metric whole-run, checks from `checks` points, error messages from the `error` tag.
///
/// Point lines go through a byte-level scanner (no Foundation JSON, no String per line). Anything the
/// scanner does not accept is re-read with `JSONSerialization`, which either handles it (unusual but
/// valid JSON) or yields the precise error with the line number.
struct K6PointsAdapter: ResultAdapter {
    /// Bytes of lines parsed as one unit of parallel work (tests use tiny blocks to cross boundaries).
    var blockSize = 2 << 20

    func sniff(head: [UInt8], fileName: String) -> Bool { K6Shape.classify(head) == .points }

    func parse(_ input: InputSet) throws -> IngestedRun {
        let file = input.primary
        let path = file.displayPath
        // Blocks of lines are parsed in parallel, each into its own aggregator seeded with the metric
        // declarations merged so far, and merged in file order. A block that aggregated a metric as a
        // type other than the one declared earlier in the file is parsed again (serially, seeded).
        let agg = K6PointAggregator(file: path)
        var state = K6PointsState(agg: agg)
        var linesBefore = 0
        var sawContent = false
        try ParallelBlocks.run(
            file, blockSize: blockSize,
            job: { K6BlockJob(bytes: $0, seed: agg.declarations) },
            work: { Self.parseBlock($0, file: path) },
            merge: { job, result in
                var block = result
                if agg.contradicts(block.state.agg) {
                    block = Self.parseBlock(K6BlockJob(bytes: job.bytes, seed: agg.declarations), file: path)
                }
                if let error = block.error {
                    throw (error as? IngestError)?.shiftingLines(by: linesBefore) ?? error
                }
                try agg.merge(block.state.agg, linesBefore: linesBefore)
                state.append(block.state, linesBefore: linesBefore)
                sawContent = sawContent || block.sawContent
                linesBefore += block.lines
            })
        guard sawContent else { throw IngestError.at(file.displayPath, line: 1, column: 1, "file is empty") }
        guard state.pointLines > 0 || state.metricLines > 0 else {
            throw IngestError.at(file.displayPath, line: 1, "no k6 Metric or Point lines")
        }
        var startedAt: Date?
        var duration: Double?
        if state.pointLines > 0 {
            guard let first = K6Time.parseRFC3339(state.firstTime) else {
                throw IngestError.at(file.displayPath, line: state.firstTimeLine, "invalid point time \"\(String(decoding: state.firstTime, as: UTF8.self))\"")
            }
            guard let last = K6Time.parseRFC3339(state.lastTime) else {
                throw IngestError.at(file.displayPath, line: state.lastTimeLine, "invalid point time \"\(String(decoding: state.lastTime, as: UTF8.self))\"")
            }
            startedAt = first
            duration = max(0, last.timeIntervalSince(first))
        }
        return agg.run(format: .k6JSON, startedAt: startedAt, durationSeconds: duration)
    }
}

/// One block of lines to parse on its own, with the metric declarations seen before it.
struct K6BlockJob: Sendable {
    let bytes: [UInt8]
    let seed: [K6Declaration]
}

/// What parsing one block gave: its state (line numbers relative to the block) or its first error.
final class K6BlockResult: @unchecked Sendable {
    let state: K6PointsState
    let lines: Int
    let sawContent: Bool
    let error: (any Error)?

    init(state: K6PointsState, lines: Int, sawContent: Bool, error: (any Error)?) {
        self.state = state
        self.lines = lines
        self.sawContent = sawContent
        self.error = error
    }
}

extension K6PointsAdapter {
    static func parseBlock(_ job: K6BlockJob, file: String) -> K6BlockResult {
        let agg = K6PointAggregator(file: file, exactEndpoints: .max)
        agg.seed(job.seed)
        var state = K6PointsState(agg: agg)
        var sawContent = false
        var lines = 0
        var failure: (any Error)?
        do {
            lines = try InputFile.forEachLine(in: job.bytes, after: 0) { line, number in
                guard let base = line.baseAddress, line.count > 0 else { return }
                sawContent = true
                var scan = K6LineScanner(base, line.count)
                if scan.scan() {
                    try state.fastPoint(&scan, line: number)
                } else {
                    if scan.isBlank { return }
                    try state.slowLine(line, number: number)
                }
            }
        } catch {
            failure = error
        }
        return K6BlockResult(state: state, lines: lines, sawContent: sawContent, error: failure)
    }
}

/// Per-parse state: the aggregator, tag caches, first/last point times.
struct K6PointsState {
    let agg: K6PointAggregator
    var metricCache = K6InternCache()
    var nameCache = K6InternCache()
    var methodCache = K6InternCache()
    var errorCache = K6InternCache()
    var checkCache = K6InternCache()
    var groupCache = K6InternCache()
    var firstTime: [UInt8] = []
    var firstTimeLine = 0
    var lastTime: [UInt8] = []
    var lastTimeLine = 0
    var pointLines = 0
    var metricLines = 0
    /// The last point time's bytes up to its seconds (`YYYY-MM-DDTHH:MM:SS`) and its epoch second:
    /// consecutive points share their second, so a time is parsed about once per second of the run.
    private var secondPrefix: [UInt8] = []
    private var cachedSecond: Int64?

    init(agg: K6PointAggregator) {
        self.agg = agg
        lastTime.reserveCapacity(64)
    }

    /// Takes over the counts and point times of the block that follows (its lines start after `linesBefore`).
    mutating func append(_ block: K6PointsState, linesBefore: Int) {
        pointLines += block.pointLines
        metricLines += block.metricLines
        guard block.pointLines > 0 else { return }
        if firstTimeLine == 0 {
            firstTime = block.firstTime
            firstTimeLine = block.firstTimeLine + linesBefore
        }
        lastTime = block.lastTime
        lastTimeLine = block.lastTimeLine + linesBefore
    }

    /// Interns a field's bytes (decoding JSON escapes first when it has any).
    @inline(__always)
    private static func intern(
        _ scan: K6LineScanner, _ f: K6LineScanner.Field, _ cache: inout K6InternCache,
        _ interner: inout K6ByteInterner
    ) -> Int32 {
        if !f.escaped { return cache.id(scan.p + f.start, f.length, in: &interner) }
        var bytes: [UInt8] = []
        K6LineScanner.unescape(scan.p + f.start, f.length, into: &bytes)
        return interner.intern(String(decoding: bytes, as: UTF8.self))
    }

    /// Epoch second of a point time (nil when it is not RFC 3339; the first and last times are
    /// checked separately and reported).
    private mutating func second(_ p: UnsafePointer<UInt8>, _ n: Int, escaped: Bool) -> Int64? {
        if !escaped && n >= 19 && secondPrefix.count == 19 && memcmp(p, secondPrefix, 19) == 0 { return cachedSecond }
        var bytes: [UInt8] = []
        if escaped {
            K6LineScanner.unescape(p, n, into: &bytes)
        } else {
            bytes = Array(UnsafeBufferPointer(start: p, count: n))
        }
        guard let time = K6Time.parseRFC3339(bytes) else { return nil }
        secondPrefix = bytes.count >= 19 ? Array(bytes.prefix(19)) : []
        cachedSecond = Int64(time.timeIntervalSince1970.rounded(.down))
        return cachedSecond
    }

    mutating func fastPoint(_ scan: inout K6LineScanner, line: Int) throws {
        let agg = self.agg
        let metric: Int
        let mf = scan.metric
        if mf.escaped {
            var bytes: [UInt8] = []
            K6LineScanner.unescape(scan.p + mf.start, mf.length, into: &bytes)
            metric = agg.metricID(String(decoding: bytes, as: UTF8.self))
        } else if metricCache.last >= 0 && agg.metricNames.equals(metricCache.last, scan.p + mf.start, mf.length) {
            metric = Int(metricCache.last)
        } else {
            metric = agg.metricID(scan.p + mf.start, mf.length)
            metricCache.last = Int32(metric)
        }
        var tags = K6PointTags()
        let m = agg.metrics[metric]
        if m.needsEndpointTags {
            if scan.name.start >= 0 {
                tags.name = Self.intern(scan, scan.name, &nameCache, &agg.tagValues)
                if scan.method.start >= 0 {
                    tags.method = Self.intern(scan, scan.method, &methodCache, &agg.tagValues)
                }
            }
            if m.role == .latency && scan.error.start >= 0 && scan.error.length > 0 {
                tags.error = Self.intern(scan, scan.error, &errorCache, &agg.tagValues)
            }
        } else if m.role == .checks && scan.check.start >= 0 {
            tags.check = Self.intern(scan, scan.check, &checkCache, &agg.tagValues)
            if scan.group.start >= 0 {
                tags.group = Self.intern(scan, scan.group, &groupCache, &agg.tagValues)
            }
        }
        let tf = scan.time
        agg.second = second(scan.p + tf.start, tf.length, escaped: tf.escaped)
        try agg.add(metric: metric, value: scan.value, tags: tags, line: line)
        pointLines += 1
        lastTime.removeAll(keepingCapacity: true)
        if tf.escaped {
            K6LineScanner.unescape(scan.p + tf.start, tf.length, into: &lastTime)
        } else {
            lastTime.append(contentsOf: UnsafeBufferPointer(start: scan.p + tf.start, count: tf.length))
        }
        lastTimeLine = line
        if firstTimeLine == 0 {
            firstTime = lastTime
            firstTimeLine = line
        }
    }

    /// The careful path: Metric lines, and any line the scanner refused.
    mutating func slowLine(_ line: UnsafeBufferPointer<UInt8>, number: Int) throws {
        let file = agg.file
        let data = Data(buffer: line)
        guard String(validating: line, as: UTF8.self) != nil else {
            throw IngestError.at(file, line: number, "invalid UTF-8")
        }
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
        } catch {
            let column = JSONLocator.syntaxError(in: data, file: file)?.location.column
            throw IngestError.at(file, line: number, column: column, "invalid JSON (truncated line?)")
        }
        guard let dict = object as? [String: Any], let type = dict["type"] as? String,
            type == "Metric" || type == "Point"
        else {
            throw IngestError.at(file, line: number, "JSON but not a k6 Metric or Point object")
        }
        guard let body = dict["data"] as? [String: Any] else {
            throw IngestError.at(file, line: number, path: "data", "\(type) line without a data object")
        }
        if type == "Metric" {
            metricLines += 1
            guard let name = (body["name"] as? String) ?? (dict["metric"] as? String) else {
                throw IngestError.at(file, line: number, path: "data.name", "Metric line without a name")
            }
            guard let t = body["type"] as? String, let mt = K6MetricType(rawValue: t) else {
                throw IngestError.at(file, line: number, path: "data.type", "unknown k6 metric type")
            }
            let contains = (body["contains"] as? String).flatMap(K6Contains.init(rawValue:)) ?? .default
            agg.declare(name, type: mt, contains: contains)
            return
        }
        guard let name = dict["metric"] as? String else {
            throw IngestError.at(file, line: number, path: "metric", "Point line without a metric name")
        }
        guard let time = body["time"] as? String else {
            throw IngestError.at(file, line: number, path: "data.time", "Point line without a time")
        }
        guard let raw = body["value"], !(raw is NSNull) else {
            throw IngestError.at(file, line: number, path: "data.value", "value is null or missing (NaN in k6?)")
        }
        guard let num = raw as? NSNumber, String(cString: num.objCType) != "c" else {
            throw IngestError.at(file, line: number, path: "data.value", "value is not a number")
        }
        let value = num.doubleValue
        var rawTags: [String: String] = [:]
        if let t = body["tags"] as? [String: Any] {
            for (k, v) in t { rawTags[k] = (v as? String) ?? "\(v)" }
        } else if let t = body["tags"], !(t is NSNull) {
            throw IngestError.at(file, line: number, path: "data.tags", "tags is not an object")
        }
        let metric = agg.metricID(name)
        let m = agg.metrics[metric]
        var tags = K6PointTags()
        if m.needsEndpointTags, let n = rawTags["name"] {
            tags.name = agg.tagValues.intern(n)
            if let method = rawTags["method"] { tags.method = agg.tagValues.intern(method) }
        }
        if m.role == .latency, let e = rawTags["error"], !e.isEmpty { tags.error = agg.tagValues.intern(e) }
        if m.role == .checks, let c = rawTags["check"] {
            tags.check = agg.tagValues.intern(c)
            if let g = rawTags["group"] { tags.group = agg.tagValues.intern(g) }
        }
        let timeBytes = Array(time.utf8)
        agg.second = timeBytes.withUnsafeBufferPointer { b in
            b.baseAddress.flatMap { second($0, b.count, escaped: false) }
        }
        try agg.add(metric: metric, value: value, tags: tags, line: number)
        pointLines += 1
        lastTime = timeBytes
        lastTimeLine = number
        if firstTimeLine == 0 {
            firstTime = lastTime
            firstTimeLine = number
        }
    }
}
