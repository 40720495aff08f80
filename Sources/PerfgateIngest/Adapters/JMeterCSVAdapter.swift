import Foundation
import PerfgateCore

/// Conventions shared by the JMeter adapters (docs/load-tools.md).
enum JMeter {
    static let tool = "jmeter"

    /// The percentile levels JMeter's dashboard reports (`aggregate_rpt_pct1..3` defaults) plus the
    /// median; computed the way the dashboard does (Commons Math, type 6).
    static let levels: [Double] = [0.5, 0.9, 0.95, 0.99]

    /// Transaction Controller parent samples repeat their children's time; they carry this message.
    static let transactionMessagePrefix = "Number of samples in transaction"

    /// Per-label and whole-run accumulation shared by the CSV and XML readers.
    struct Accumulator {
        var labels = K6ByteInterner()
        var perLabel: [RequestSamples] = []
        var total = RequestSamples()
        var maxThreads: Int?
        /// Failure messages, interned; (label id << 32 | message id) → occurrences, first-seen order.
        var messages = K6ByteInterner()
        var errorOrder: [Int64] = []
        var errorCounts: [Int64: Int] = [:]
        var lastLabel: Int32 = -1

        @inline(__always)
        mutating func labelID(_ p: UnsafeBufferPointer<UInt8>) -> Int32 {
            let id: Int32
            if let base = p.baseAddress {
                if lastLabel >= 0 && labels.equals(lastLabel, base, p.count) { return lastLabel }
                id = labels.intern(base, p.count)
            } else {
                id = labels.intern("")
            }
            if Int(id) == perLabel.count { perLabel.append(RequestSamples()) }
            lastLabel = id
            return id
        }

        /// One sample: `elapsed` ms starting at `start` (epoch ms, when known).
        @inline(__always)
        mutating func add(label: Int32, elapsed: Double, start: Double?, failed: Bool, transaction: Bool) {
            perLabel[Int(label)].add(ms: elapsed, failed: failed)
            if let start { perLabel[Int(label)].span(startMs: start, endMs: start + elapsed) }
            // A Transaction Controller parent is its own label but not a request of the run.
            guard !transaction else { return }
            total.add(ms: elapsed, failed: failed)
            if let start { total.span(startMs: start, endMs: start + elapsed) }
        }

        /// Counts one failure of `label` with the message `bytes`.
        /// The last message id of each label: failures of one label mostly repeat one message.
        var lastMessage: [Int32] = []
        /// Distinct messages kept; failures with further messages are counted under one catch-all.
        static let messageCap = 10_000

        mutating func error(label: Int32, message bytes: UnsafeBufferPointer<UInt8>) {
            let l = Int(label)
            while lastMessage.count <= l { lastMessage.append(-1) }
            var empty: UInt8 = 0
            let id: Int32 = withUnsafePointer(to: &empty) { emptyPointer in
                let base = bytes.baseAddress ?? emptyPointer
                let cached = lastMessage[l]
                if cached >= 0 && messages.equals(cached, base, bytes.count) { return cached }
                if messages.count >= Self.messageCap {
                    return messages.intern("(more distinct failure messages than perfgate keeps)")
                }
                return messages.intern(base, bytes.count)
            }
            lastMessage[l] = id
            let key = Int64(label) << 32 | Int64(id)
            if errorCounts[key] == nil { errorOrder.append(key) }
            errorCounts[key, default: 0] += 1
        }

        mutating func error(label: Int32, message: String) {
            var m = message
            m.withUTF8 { error(label: label, message: $0) }
        }

        /// Adds `o`'s samples, threads and errors, matching labels and messages by text.
        mutating func merge(_ o: Accumulator) {
            for (i, samples) in o.perLabel.enumerated() {
                var name = o.labels.strings[i]
                let id = name.withUTF8 { labelID($0) }
                perLabel[Int(id)].merge(samples)
            }
            total.merge(o.total)
            if let t = o.maxThreads { maxThreads = max(maxThreads ?? t, t) }
            for key in o.errorOrder {
                let label = o.labels.strings[Int(key >> 32)]
                var lb = label
                let id = lb.withUTF8 { labelID($0) }
                var message = o.messages.strings[Int(key & 0xFFFF_FFFF)]
                let mid = message.withUTF8 { bytes -> Int32 in
                    if let base = bytes.baseAddress { return messages.intern(base, bytes.count) }
                    return messages.intern("")
                }
                let k = Int64(id) << 32 | Int64(mid)
                if errorCounts[k] == nil { errorOrder.append(k) }
                errorCounts[k, default: 0] += o.errorCounts[key]!
            }
        }

        func run(format: InputFormat) -> IngestedRun {
            var run = IngestedRun(tool: JMeter.tool, format: format.rawValue)
            var series: [SeriesResult] = []
            for (i, samples) in perLabel.enumerated() {
                series.append(JMeter.series(labels.strings[i], samples))
            }
            series.append(JMeter.series("", total))
            run.series = series
            if total.firstStart.isFinite {
                run.startedAt = Date(timeIntervalSince1970: total.firstStart / 1000)
                run.durationSeconds = total.spanSeconds
            }
            if let maxThreads { run.load = LoadProfile(maxVUs: maxThreads) }
            run.errors = errorOrder.map {
                ErrorResult(
                    endpoint: labels.strings[Int($0 >> 32)], message: messages.strings[Int($0 & 0xFFFF_FFFF)],
                    occurrences: errorCounts[$0]!)
            }
            return run
        }
    }

    static func series(_ endpoint: String, _ samples: RequestSamples) -> SeriesResult {
        LoadTool.series(
            endpoint: endpoint, stats: samples.stats(levels: levels, rule: { Stats.Percentile.type6(buckets: $0, $1) }),
            distribution: samples.count > 0 ? samples.distribution : nil)
    }
}

/// JMeter CSV JTL (docs/load-tools.md), plain or gzip, streamed in constant memory: any
/// `jmeter.save.saveservice.*` column set with its header line (required), read by column name;
/// `,`, `\t`, `;` or `|` as delimiter. `elapsed` and `label` are required; `success` (else a 2xx/3xx
/// `responseCode`) decides errors; `timeStamp` must be epoch milliseconds (JMeter's default).
///
/// One series per label plus the whole run (`""`), with JMeter's dashboard statistics: count,
/// errors, error rate, mean, min, max, median, p90/p95/p99 (type 6, as the dashboard computes them)
/// and throughput over first start to last end. Transaction Controller parent samples (message
/// `Number of samples in transaction…`) stay their own label but do not count in the whole run.
struct JMeterCSVAdapter: ResultAdapter {
    /// Bytes per parallel block (tests make it small to cross block boundaries).
    var blockSize = 4 << 20

    static let delimiters: [UInt8] = [44, 9, 59, 124]  // , \t ; |

    /// The delimiter whose split of `header` has both `elapsed` and `label`, if any.
    static func delimiter(ofHeader header: String) -> UInt8? {
        delimiters.first { d in
            let names = header.split(separator: Character(UnicodeScalar(d)), omittingEmptySubsequences: false).map {
                $0.trimmingCharacters(in: CharacterSet(charactersIn: "\" "))
            }
            return names.contains("elapsed") && names.contains("label")
        }
    }

    func sniff(head: [UInt8], fileName: String) -> Bool {
        Self.delimiter(ofHeader: Sniff.firstLine(head)) != nil
    }

    func parse(_ input: InputSet) throws -> IngestedRun {
        let file = input.primary
        let path = file.displayPath
        guard let delimiter = Self.delimiter(ofHeader: Sniff.firstLine(file.head(64 << 10))) else {
            throw IngestError.at(
                path, line: 1,
                "the first line is not a JMeter CSV header with \"elapsed\" and \"label\" columns (JMeter writes it unless jmeter.save.saveservice.print_field_names=false; set it to true)")
        }
        var parser = Parser(path: path)
        // The header, then the rows on several threads (``ParallelCSV``); serially when a quoted field
        // spans lines.
        var parallel = try ParallelCSV.header(file, delimiter: delimiter) { try parser.header($0) } && parser.width > 0
        if parallel {
            let template = parser
            var merged = template
            parallel = try ParallelCSV.run(
                file, delimiter: delimiter, blockSize: blockSize, make: { template },
                record: { parser, r, line in try parser.record(r, line) },
                merge: { block, _ in merged.merge(block) })
            if parallel { parser = merged }
        }
        if !parallel {
            parser = Parser(path: path)
            try CSVReader(file).forEachRawRecord(delimiter: delimiter) { r, line in try parser.record(r, line) }
        }
        guard parser.width > 0 else { throw IngestError.at(path, line: 1, column: 1, "file is empty") }
        guard parser.rows > 0 else { throw IngestError.at(path, line: 2, "no samples after the header") }
        return parser.acc.run(format: .jmeterCSV)
    }

    /// The parse state, fed one record at a time (one exclusivity check per record).
    private struct Parser {
        let path: String
        var acc = JMeter.Accumulator()
        var col = (elapsed: 0, label: 0, time: -1, success: -1, code: -1, message: -1, failure: -1, threads: -1)
        var width = 0
        var rows = 0
        /// Reused buffer for "code message" error texts.
        var scratch: [UInt8] = []

        init(path: String) { self.path = path }

        /// Adds another block's rows (in file order: first-seen orders are kept).
        mutating func merge(_ o: Parser) {
            rows += o.rows
            acc.merge(o.acc)
        }

        mutating func header(_ r: CSVRecord) throws {
            var names: [String] = []
            for i in 0..<r.count { names.append(r.string(i) ?? "") }
            let h = CSVHeader(names, file: path)
            col.elapsed = try h.require("elapsed")
            col.label = try h.require("label")
            col.time = h.column("timeStamp") ?? -1
            col.success = h.column("success") ?? -1
            col.code = h.column("responseCode") ?? -1
            col.message = h.column("responseMessage") ?? -1
            col.failure = h.column("failureMessage") ?? -1
            col.threads = h.column("allThreads") ?? -1
            if col.success < 0 && col.code < 0 {
                throw IngestError.at(path, line: 1, "neither a \"success\" nor a \"responseCode\" column: errors cannot be told apart")
            }
            width = h.names.count
        }

        mutating func record(_ r: CSVRecord, _ line: Int) throws {
            guard width > 0 else { return try header(r) }
            guard r.count == width else {
                throw IngestError.at(path, line: line, "expected \(width) fields as in the header, found \(r.count)")
            }
            guard let elapsed = LoadTool.integer(r.bytes(col.elapsed)) else {
                throw IngestError.at(
                    path, line: line, "column \"elapsed\": expected whole milliseconds, found \"\(r.string(col.elapsed) ?? "?")\"")
            }
            var start: Double?
            if col.time >= 0 {
                guard let t = LoadTool.integer(r.bytes(col.time)) else {
                    throw IngestError.at(
                        path, line: line,
                        "column \"timeStamp\": expected epoch milliseconds, found \"\(r.string(col.time) ?? "?")\" (set jmeter.save.saveservice.timestamp_format=ms)")
                }
                start = Double(t)
            }
            let failed: Bool
            if col.success >= 0 {
                if r.equals(col.success, "true") {
                    failed = false
                } else if r.equals(col.success, "false") {
                    failed = true
                } else {
                    throw IngestError.at(
                        path, line: line, "column \"success\": expected true or false, found \"\(r.string(col.success) ?? "?")\"")
                }
            } else {
                let code = r.bytes(col.code)
                failed = !(code.count == 3 && (code[0] == 50 || code[0] == 51))
            }
            var transaction = false
            if col.message >= 0 {
                let m = r.bytes(col.message)
                transaction = m.count >= 32 && m.first == 78 && (r.string(col.message)?.hasPrefix(JMeter.transactionMessagePrefix) ?? false)
            }
            let label = acc.labelID(r.bytes(col.label))
            acc.add(label: label, elapsed: Double(elapsed), start: start, failed: failed, transaction: transaction)
            if col.threads >= 0, let n = LoadTool.integer(r.bytes(col.threads)) {
                if Int(n) > acc.maxThreads ?? -1 { acc.maxThreads = Int(n) }
            }
            if failed {
                let failure = col.failure >= 0 ? r.bytes(col.failure) : UnsafeBufferPointer(start: nil, count: 0)
                if !failure.isEmpty {
                    acc.error(label: label, message: failure)
                } else {
                    // "responseCode responseMessage"
                    scratch.removeAll(keepingCapacity: true)
                    if col.code >= 0 { scratch.append(contentsOf: r.bytes(col.code)) }
                    if col.message >= 0, !r.bytes(col.message).isEmpty {
                        if !scratch.isEmpty { scratch.append(32) }
                        scratch.append(contentsOf: r.bytes(col.message))
                    }
                    let label = label
                    scratch.withUnsafeBufferPointer { acc.error(label: label, message: $0) }
                }
            }
            rows += 1
        }
    }
}
