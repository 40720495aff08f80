import Foundation
import PerfgateCore

/// Locust's `--csv=PREFIX` set: `PREFIX_stats.csv` is the primary file; the
/// companions `stats_history`, `failures` and `exceptions` add the run's start, duration, load and
/// error messages.
///
/// Every row of `_stats.csv` becomes one `http_req_duration` series (ms, lower is better) keyed by
/// `"Type Name"`; the `Aggregated` row is the whole run (`""`). Columns are read by header name,
/// percentile columns by the pattern `<number>%`, and `N/A` means "absent".
public struct LocustCSVAdapter: ResultAdapter {
    public init() {}

    /// Bytes of `stats_history` rows parsed per block on each thread (tests make it small).
    var historyBlockSize = 4 << 20
    /// False reads `stats_history` serially, as a file the blocks cannot read is (tests compare the two).
    var historyInParallel = true

    /// Companion roles and the file-name suffix that marks them.
    public static let companionSuffixes: [(role: String, suffix: String)] = [
        ("stats_history", "_stats_history.csv"), ("failures", "_failures.csv"), ("exceptions", "_exceptions.csv"),
    ]
    static let primarySuffix = "_stats.csv"

    public func sniff(head: [UInt8], fileName: String) -> Bool {
        // Only the stats file is a primary: a lone `_failures.csv` or `_stats_history.csv` is not a run.
        let cells = Sniff.firstLine(head).split(separator: ",", omittingEmptySubsequences: false).prefix(3).map {
            $0.trimmingCharacters(in: CharacterSet(charactersIn: "\" "))
        }
        return cells == ["Type", "Name", "Request Count"]
    }

    // MARK: grouping

    /// Groups result paths into input sets, in order: each `PREFIX_stats.csv` (also `.csv.gz`) becomes
    /// one set with its `PREFIX_stats_history.csv`, `PREFIX_failures.csv` and `PREFIX_exceptions.csv`
    /// (each also `.gz`) as companions keyed by role; every other path is a set of its own (a path
    /// given twice counts once). The one grouping of Locust sets: `ingest`, `check` and `compare`
    /// expand their paths through it.
    ///
    /// Companions come from `paths`, and a role missing there is looked up beside the stats file on
    /// disk with `FileManager.fileExists` — the only file-system access in this adapter. A companion
    /// whose `_stats.csv` is not in `paths` joins that stats file when it exists on disk (the set then
    /// stands where the companion stood); without one it is passed on as a set of its own, so that
    /// detection fails on it clearly (a companion alone is not a run). A set keeps the place of its
    /// stats file in `paths`.
    public static func groupSets(_ paths: [String]) -> [(primary: String, companions: [String: String])] {
        func split(_ path: String) -> (prefix: String, role: String?)? {
            let base = path.hasSuffix(".gz") ? String(path.dropLast(3)) : path
            for (role, suffix) in companionSuffixes where base.hasSuffix(suffix) {
                return (String(base.dropLast(suffix.count)), role)
            }
            if base.hasSuffix(primarySuffix) { return (String(base.dropLast(primarySuffix.count)), nil) }
            return nil
        }
        /// The first of `candidates` that exists on disk.
        func onDisk(_ candidates: [String]) -> String? { candidates.first { FileManager.default.fileExists(atPath: $0) } }
        var primaries: [String: String] = [:]
        for path in paths {
            if let (prefix, role) = split(path), role == nil, primaries[prefix] == nil { primaries[prefix] = path }
        }
        var companions: [String: [String: String]] = [:]
        // Each entry: a path standing alone, or the prefix of a Locust set.
        var order: [(path: String, prefix: String?)] = []
        var placed = Set<String>()
        var alone = Set<String>()
        for path in paths {
            guard let (prefix, role) = split(path) else {
                if alone.insert(path).inserted { order.append((path, nil)) }
                continue
            }
            guard let role else {
                if placed.insert(prefix).inserted { order.append((path, prefix)) }
                continue
            }
            if primaries[prefix] == nil, let stats = onDisk([prefix + primarySuffix, prefix + primarySuffix + ".gz"]) {
                primaries[prefix] = stats
            }
            guard primaries[prefix] != nil else {
                if alone.insert(path).inserted { order.append((path, nil)) }
                continue
            }
            if companions[prefix]?[role] == nil { companions[prefix, default: [:]][role] = path }
            if placed.insert(prefix).inserted { order.append((path, prefix)) }
        }
        return order.map { entry in
            guard let prefix = entry.prefix, let primary = primaries[prefix] else { return (entry.path, [:]) }
            var found = companions[prefix] ?? [:]
            for (role, suffix) in companionSuffixes where found[role] == nil {
                found[role] = onDisk([prefix + suffix, prefix + suffix + ".gz"])
            }
            return (primary, found)
        }
    }

    /// The Locust sets of ``groupSets(_:)`` only: the paths that are no `_stats.csv` set are left out.
    public static func group(_ paths: [String]) -> [(primary: String, companions: [String: String])] {
        groupSets(paths).filter { set in
            let base = set.primary.hasSuffix(".gz") ? String(set.primary.dropLast(3)) : set.primary
            return base.hasSuffix(primarySuffix)
        }
    }

    // MARK: parsing

    public func parse(_ input: InputSet) throws -> IngestedRun {
        for role in input.companions.keys where !Self.companionSuffixes.contains(where: { $0.role == role }) {
            throw IngestError.at(
                input.companions[role]!.displayPath,
                "unknown Locust companion role \"\(role)\" (expected stats_history, failures or exceptions)")
        }
        var run = IngestedRun(tool: Locust.tool, format: InputFormat.locustCSV.rawValue)
        run.series = try parseStats(input.primary)
        if let history = input.companions["stats_history"] { try parseHistory(history, into: &run) }
        if let failures = input.companions["failures"] { run.errors += try parseFailures(failures) }
        if let exceptions = input.companions["exceptions"] { run.errors += try parseExceptions(exceptions) }
        return run
    }

    /// Reads a CSV file: the header, then each record with its line. Checks the field count.
    private func read(_ file: InputFile, required: [String], body: (CSVHeader, [String], Int) throws -> Void)
        throws -> CSVHeader
    {
        var header: CSVHeader?
        try CSVReader(file).forEachRecord { fields, line in
            guard let h = header else {
                let h = CSVHeader(fields, file: file.displayPath)
                for name in required { _ = try h.require(name) }
                header = h
                return
            }
            // A single empty field is a blank line some writers leave at the end.
            if fields.count == 1 && fields[0].isEmpty { return }
            guard fields.count == h.names.count else {
                throw IngestError.at(
                    file.displayPath, line: line,
                    "expected \(h.names.count) fields as in the header, found \(fields.count)")
            }
            try body(h, fields, line)
        }
        guard let header else { throw IngestError.at(file.displayPath, line: 1, column: 1, "file is empty") }
        return header
    }

    /// A non-negative number, or nil for `N/A`.
    private static func number(_ text: String, column: String, file: InputFile, line: Int) throws -> Double? {
        if text == "N/A" { return nil }
        guard let d = Locust.decimal(text) else {
            throw IngestError.at(file.displayPath, line: line, "column \"\(column)\": expected a number, found \"\(text)\"")
        }
        guard d >= 0 else {
            throw IngestError.at(file.displayPath, line: line, "column \"\(column)\": negative value \(text)")
        }
        return d
    }

    /// ``number(_:column:file:line:)`` on a field's bytes: plain decimals (the history's every cell) are
    /// read without a `String`, exactly as `Double` reads them; anything else goes through the text.
    private static func number(_ bytes: UnsafeBufferPointer<UInt8>, column: String, file: InputFile, line: Int) throws -> Double? {
        // A leading digit: never N/A and never negative, so a plain number needs none of the text checks.
        if let first = bytes.first, first >= 48 && first <= 57, let d = ByteNumber.plain(bytes), d.isFinite { return d }
        return try number(String(decoding: bytes, as: UTF8.self), column: column, file: file, line: line)
    }

    /// ``count(_:column:file:line:)`` on a field's bytes: up to 15 digits are read directly.
    private static func count(_ bytes: UnsafeBufferPointer<UInt8>, column: String, file: InputFile, line: Int) throws -> Int {
        if !bytes.isEmpty && bytes.count <= 15 && bytes.allSatisfy({ $0 >= 48 && $0 <= 57 }) {
            return bytes.reduce(0) { $0 * 10 + Int($1 - 48) }
        }
        return try count(String(decoding: bytes, as: UTF8.self), column: column, file: file, line: line)
    }

    private static func count(_ text: String, column: String, file: InputFile, line: Int) throws -> Int {
        guard let d = Locust.decimal(text), d >= 0, d == d.rounded(), d < 9e15 else {
            throw IngestError.at(
                file.displayPath, line: line, "column \"\(column)\": expected a whole non-negative count, found \"\(text)\"")
        }
        return Int(d)
    }

    private func parseStats(_ file: InputFile) throws -> [SeriesResult] {
        let required = [
            "Type", "Name", "Request Count", "Failure Count", "Median Response Time", "Average Response Time",
            "Min Response Time", "Max Response Time", "Requests/s",
        ]
        var series: [SeriesResult] = []
        var seen: [String: Int] = [:]
        var percentileColumns: [(Int, Statistic, String)]?
        var sawAggregated = false
        _ = try read(file, required: required) { h, f, line in
            if percentileColumns == nil {
                percentileColumns = h.names.enumerated().compactMap { i, name in
                    guard name.hasSuffix("%"), Locust.decimal(String(name.dropLast())) != nil,
                        let stat = Statistic.parse(name)
                    else { return nil }
                    return (i, stat, name)
                }
            }
            let method = f[try h.require("Type")]
            let name = f[try h.require("Name")]
            let endpoint = Locust.endpoint(method: method, name: name)
            if endpoint.isEmpty { sawAggregated = true }
            if let first = seen[endpoint] {
                throw IngestError.at(
                    file.displayPath, line: line, "duplicate row for \"\(method) \(name)\" (first on line \(first))")
            }
            seen[endpoint] = line
            func value(_ column: String) throws -> Double? {
                try Self.number(f[try h.require(column)], column: column, file: file, line: line)
            }
            let requests = try Self.count(f[try h.require("Request Count")], column: "Request Count", file: file, line: line)
            let failures = try Self.count(f[try h.require("Failure Count")], column: "Failure Count", file: file, line: line)
            var stats: [Statistic: Double] = [
                .count: Double(requests), .errors: Double(failures),
                .errorRate: requests > 0 ? Double(failures) / Double(requests) : 0,
            ]
            stats[.throughput] = try value("Requests/s")
            let median = try value("Median Response Time")
            let mean = try value("Average Response Time")
            let minimum = try value("Min Response Time")
            let maximum = try value("Max Response Time")
            var percentiles: [Statistic: Double] = [:]
            for (i, stat, column) in percentileColumns ?? [] {
                percentiles[stat] = try Self.number(f[i], column: column, file: file, line: line)
            }
            // An entry without requests has 0 / 0.0 placeholders, not measurements.
            if requests > 0 {
                stats[.mean] = mean
                stats[.min] = minimum
                stats[.max] = maximum
                stats.merge(percentiles) { a, _ in a }
                if stats[.p50] == nil { stats[.p50] = median }
            }
            series.append(Locust.series(endpoint: endpoint, stats: stats))
        }
        guard sawAggregated else {
            throw IngestError.at(
                file.displayPath, "no \"Aggregated\" row: Locust always writes it last (truncated file?)")
        }
        return series
    }

    /// A `stats_history` has a row per second (per entry with `--csv-full-history`): its rows are read as
    /// bytes on several threads (``ParallelCSV``), each into a ``HistoryRow``, and folded into the timeline
    /// in file order. Serially (``CSVReader``) when the header is not plain UTF-8 without a byte order mark,
    /// or a quoted field spans two blocks; both ways read rows and fold them the same way.
    private func parseHistory(_ file: InputFile, into run: inout IngestedRun) throws {
        var fold = HistoryFold(file: file)
        if try !(historyInParallel && parseHistoryInParallel(file, into: &fold)) {
            fold = HistoryFold(file: file)
            var columns: HistoryColumns?
            var names = EndpointNames()
            var slots: [Int] = []
            try CSVReader(file).forEachRawRecord { r, line in
                guard let c = columns else {
                    columns = try HistoryColumns(header: r, line: line, file: file)
                    return
                }
                guard let row = try HistoryRow(r, line: line, columns: c, names: &names, file: file) else { return }
                if row.endpoint >= slots.count { slots += fold.slots(for: names, from: slots.count) }
                try fold.add(row, names: names, slots: slots)
            }
            guard columns != nil else { throw IngestError.at(file.displayPath, line: 1, column: 1, "file is empty") }
        }
        fold.finish(into: &run)
    }

    /// The parallel read; false when the file must be read serially.
    private func parseHistoryInParallel(_ file: InputFile, into fold: inout HistoryFold) throws -> Bool {
        let head = file.head(1 << 20)
        let byteOrderMark: [UInt8] = [0xEF, 0xBB, 0xBF]
        let firstLine = head.prefix { $0 != 10 }
        guard !head.starts(with: byteOrderMark), String(validating: firstLine, as: UTF8.self) != nil else { return false }
        var header: HistoryColumns?
        let plainHeader = try ParallelCSV.header(file, delimiter: 44) { header = try HistoryColumns(header: $0, line: 1, file: file) }
        guard plainHeader, let columns = header else { return false }
        return try ParallelCSV.run(
            file, delimiter: 44, blockSize: historyBlockSize, make: { HistoryBlock() },
            record: { block, r, line in
                guard block.error == nil else { return }
                do {
                    if let row = try HistoryRow(r, line: line, columns: columns, names: &block.names, file: file) { block.rows.append(row) }
                } catch {
                    block.error = error  // thrown after the block's earlier rows are folded
                }
            },
            merge: { block, linesBefore in
                let slots = fold.slots(for: block.names)
                for var row in block.rows {
                    row.line += linesBefore
                    if let pending = row.pending { row.pending = (pending as? IngestError)?.shiftingLines(by: linesBefore) ?? pending }
                    try fold.add(row, names: block.names, slots: slots)
                }
                if let error = block.error { throw (error as? IngestError)?.shiftingLines(by: linesBefore) ?? error }
            })
    }

    /// One block's rows, with the entry names seen in it.
    private struct HistoryBlock {
        var rows: [HistoryRow] = []
        var names = EndpointNames()
        var error: (any Error)?
    }

    /// One row of a `stats_history`, read left to right as Locust writes it. An error after the timestamp
    /// waits in `pending` until the fold has checked the timestamp's order, which comes first.
    private struct HistoryRow {
        var line: Int
        var timestamp: Double
        var endpoint = 0
        var users = 0
        var requests = 0.0
        var failures = 0.0
        var p50: Double?
        var p95: Double?
        var p100: Double?
        var maxSoFar = 0.0
        var pending: (any Error)?

        /// nil for a blank line (a single empty field some writers leave at the end).
        init?(_ r: CSVRecord, line: Int, columns c: HistoryColumns, names: inout EndpointNames, file: InputFile) throws {
            if !r.isASCII {
                for i in 0..<r.count where r.string(i) == nil {
                    throw IngestError.at(file.displayPath, line: line, "invalid UTF-8 in field \(i + 1)")
                }
            }
            if r.count == 1 && r.bytes(0).isEmpty { return nil }
            guard r.count == c.width else {
                throw IngestError.at(file.displayPath, line: line, "expected \(c.width) fields as in the header, found \(r.count)")
            }
            guard let t = try LocustCSVAdapter.number(r.bytes(c.timestamp), column: "Timestamp", file: file, line: line) else {
                throw IngestError.at(file.displayPath, line: line, "column \"Timestamp\": N/A is not a time")
            }
            self.line = line
            timestamp = t
            do {
                func optional(_ column: (index: Int, name: String)?) throws -> Double? {
                    guard let column else { return nil }
                    return try LocustCSVAdapter.number(r.bytes(column.index), column: column.name, file: file, line: line)
                }
                users = try LocustCSVAdapter.count(r.bytes(c.users), column: "User Count", file: file, line: line)
                endpoint = names.index(type: r.bytes(c.type), name: r.bytes(c.name))
                requests = try optional(c.requests) ?? 0
                failures = try optional(c.failures) ?? 0
                p50 = try optional(c.p50)
                p95 = try optional(c.p95)
                p100 = try optional(c.p100)
                maxSoFar = try optional(c.maxSoFar) ?? 0
            } catch {
                pending = error
            }
        }
    }

    /// The run's start, duration, load and timeline, from the history's rows in file order.
    private struct HistoryFold {
        let file: InputFile
        var first: Double?
        var last: Double?
        var lastUsers: Int?
        var maxUsers: Int?
        // The timeline: requests and failures per bucket are the growth of the cumulative totals
        // between rows of one entry. Percentile columns are per-interval (a sliding window) only with
        // `--csv-full-history`, which is when per-entry rows exist; otherwise they are cumulative since
        // the start and are left out.
        var timeline = TimelineBuilder()
        /// Each entry's cumulative totals on its previous row, by its slot (no hashing per row).
        var previous: [(requests: Double, failures: Double)] = []
        /// Each entry's slot in ``previous``: blocks read in parallel number their entries each their own way.
        var slots: [String: Int] = [:]
        var fullHistory = false

        init(file: InputFile) { self.file = file }

        /// The slot of each of `names`' entries from index `start` on, by its index there (an entry is
        /// its endpoint's spelling: two that spell the same endpoint share a slot).
        mutating func slots(for names: EndpointNames, from start: Int = 0) -> [Int] {
            (start..<names.count).map { i in
                let name = names[i]
                if let slot = slots[name] { return slot }
                slots[name] = previous.count
                previous.append((0, 0))
                return previous.count - 1
            }
        }

        /// Folds in `row`; `slots` are ``slots(for:)`` of `names`, the names its entry index refers to.
        mutating func add(_ row: HistoryRow, names: EndpointNames, slots: [Int]) throws {
            let t = row.timestamp
            if let previous = last, t < previous {
                throw IngestError.at(file.displayPath, line: row.line, "Timestamp goes backwards (\(t) after \(previous))")
            }
            if let pending = row.pending { throw pending }
            let endpoint = names[row.endpoint]
            let users = row.users
            if first == nil { first = t }
            last = t
            if !endpoint.isEmpty { fullHistory = true }
            let slot = slots[row.endpoint]
            let before = previous[slot]
            previous[slot] = (row.requests, row.failures)
            // Locust writes 0 in every percentile column while its ~10 s window has no cached start
            // yet (the first seconds of a run): with responses of 1 ms or more seen, that is "unknown".
            let p100: Double = row.p100 ?? 0
            let noWindowYet: Bool = row.p50 == 0 && row.p95 == 0 && p100 == 0 && row.maxSoFar >= 1
            let window: (p50: Double?, p95: Double?) = noWindowYet ? (nil, nil) : (row.p50, row.p95)
            let perEntry = fullHistory
            timeline.update(second: Int64(t.rounded(.down)), endpoint: endpoint) { c in
                c.requests += max(0, row.requests - before.requests)
                c.errors += max(0, row.failures - before.failures)
                if endpoint.isEmpty { c.users = max(c.users ?? Double(users), Double(users)) }
                // Entry rows precede the Aggregated row of their second, so by the first row with
                // requests it is known whether the percentiles are per-window.
                if perEntry { c.reported = window }
            }
            lastUsers = users
            maxUsers = Swift.max(maxUsers ?? 0, users)
        }

        func finish(into run: inout IngestedRun) {
            guard let first, let last else { return }
            run.startedAt = Date(timeIntervalSince1970: first)
            run.durationSeconds = last - first
            run.load = LoadProfile(vus: lastUsers, maxVUs: maxUsers)
            run.timeline = timeline.timeline(start: first)
        }
    }

    /// The `stats_history` columns the timeline reads, found once in the header.
    private struct HistoryColumns {
        let width: Int
        let timestamp: Int, users: Int, type: Int, name: Int
        let requests, failures, p50, p95, p100, maxSoFar: (index: Int, name: String)?

        /// The header record; its required columns, in the order they are reported missing.
        init(header r: CSVRecord, line: Int, file: InputFile) throws {
            for i in 0..<r.count where r.string(i) == nil {
                throw IngestError.at(file.displayPath, line: line, "invalid UTF-8 in field \(i + 1)")
            }
            let h = CSVHeader((0..<r.count).map { r.string($0)! }, file: file.displayPath)
            width = h.names.count
            timestamp = try h.require("Timestamp")
            users = try h.require("User Count")
            type = try h.require("Type")
            name = try h.require("Name")
            func optional(_ name: String) -> (index: Int, name: String)? { h.column(name).map { ($0, name) } }
            requests = optional("Total Request Count")
            failures = optional("Total Failure Count")
            p50 = optional("50%")
            p95 = optional("95%")
            p100 = optional("100%")
            maxSoFar = optional("Total Max Response Time")
        }
    }

    /// Entry names (`Type`, `Name` as bytes) made into endpoint strings once each. A history repeats its
    /// entries in the same order every second, so the entry after the last one found is tried first.
    private struct EndpointNames {
        private var known: [(type: [UInt8], name: [UInt8], endpoint: String)] = []
        private var last = -1

        subscript(index: Int) -> String { known[index].endpoint }
        var count: Int { known.count }

        mutating func index(type: UnsafeBufferPointer<UInt8>, name: UnsafeBufferPointer<UInt8>) -> Int {
            func matches(_ i: Int) -> Bool { known[i].type.elementsEqual(type) && known[i].name.elementsEqual(name) }
            if !known.isEmpty {
                let next = (last + 1) % known.count
                if matches(next) {
                    last = next
                    return next
                }
                if let i = known.indices.first(where: matches) {
                    last = i
                    return i
                }
            }
            let endpoint = Locust.endpoint(method: String(decoding: type, as: UTF8.self), name: String(decoding: name, as: UTF8.self))
            known.append((Array(type), Array(name), endpoint))
            last = known.count - 1
            return last
        }
    }

    private func parseFailures(_ file: InputFile) throws -> [ErrorResult] {
        var out: [ErrorResult] = []
        _ = try read(file, required: ["Method", "Name", "Error", "Occurrences"]) { h, f, line in
            out.append(
                ErrorResult(
                    endpoint: Locust.endpoint(method: f[try h.require("Method")], name: f[try h.require("Name")]),
                    message: f[try h.require("Error")],
                    occurrences: try Self.count(
                        f[try h.require("Occurrences")], column: "Occurrences", file: file, line: line)))
        }
        return out
    }

    private func parseExceptions(_ file: InputFile) throws -> [ErrorResult] {
        var order: [String] = []
        var counts: [String: Int] = [:]
        _ = try read(file, required: ["Count", "Message", "Traceback", "Nodes"]) { h, f, line in
            let message = f[try h.require("Message")]
            let n = try Self.count(f[try h.require("Count")], column: "Count", file: file, line: line)
            if counts[message] == nil { order.append(message) }
            counts[message, default: 0] += n
        }
        return order.map { ErrorResult(endpoint: "", message: $0, occurrences: counts[$0]!) }
    }
}
