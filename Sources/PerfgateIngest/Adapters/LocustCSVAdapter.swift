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
    private func number(_ text: String, column: String, file: InputFile, line: Int) throws -> Double? {
        if text == "N/A" { return nil }
        guard let d = Locust.decimal(text) else {
            throw IngestError.at(file.displayPath, line: line, "column \"\(column)\": expected a number, found \"\(text)\"")
        }
        guard d >= 0 else {
            throw IngestError.at(file.displayPath, line: line, "column \"\(column)\": negative value \(text)")
        }
        return d
    }

    private func count(_ text: String, column: String, file: InputFile, line: Int) throws -> Int {
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
                try number(f[try h.require(column)], column: column, file: file, line: line)
            }
            let requests = try count(f[try h.require("Request Count")], column: "Request Count", file: file, line: line)
            let failures = try count(f[try h.require("Failure Count")], column: "Failure Count", file: file, line: line)
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
                percentiles[stat] = try number(f[i], column: column, file: file, line: line)
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

    private func parseHistory(_ file: InputFile, into run: inout IngestedRun) throws {
        var first: Double?
        var last: Double?
        var lastUsers: Int?
        var maxUsers: Int?
        // The timeline: requests and failures per bucket are the growth of the cumulative totals
        // between rows of one entry. Percentile columns are per-interval (a sliding window) only with
        // `--csv-full-history`, which is when per-entry rows exist; otherwise they are cumulative since
        // the start and are left out.
        var timeline = TimelineBuilder()
        var previous: [String: (requests: Double, failures: Double)] = [:]
        var windowPercentiles: [String: (p50: Double?, p95: Double?)] = [:]
        var fullHistory = false
        _ = try read(file, required: ["Timestamp", "User Count", "Type", "Name"]) { h, f, line in
            guard let t = try number(f[try h.require("Timestamp")], column: "Timestamp", file: file, line: line) else {
                throw IngestError.at(file.displayPath, line: line, "column \"Timestamp\": N/A is not a time")
            }
            if let previous = last, t < previous {
                throw IngestError.at(file.displayPath, line: line, "Timestamp goes backwards (\(t) after \(previous))")
            }
            let users = try count(f[try h.require("User Count")], column: "User Count", file: file, line: line)
            if first == nil { first = t }
            last = t
            let endpoint = Locust.endpoint(method: f[try h.require("Type")], name: f[try h.require("Name")])
            if !endpoint.isEmpty { fullHistory = true }
            func optional(_ column: String) throws -> Double? {
                guard let i = h.column(column) else { return nil }
                return try number(f[i], column: column, file: file, line: line)
            }
            let requests = try optional("Total Request Count") ?? 0
            let failures = try optional("Total Failure Count") ?? 0
            let before = previous[endpoint] ?? (0, 0)
            previous[endpoint] = (requests, failures)
            // Locust writes 0 in every percentile column while its ~10 s window has no cached start
            // yet (the first seconds of a run): with responses of 1 ms or more seen, that is "unknown".
            let p50 = try optional("50%"), p95 = try optional("95%"), p100 = try optional("100%")
            let maxSoFar = try optional("Total Max Response Time") ?? 0
            let noWindowYet = p50 == 0 && p95 == 0 && (p100 ?? 0) == 0 && maxSoFar >= 1
            windowPercentiles[endpoint] = noWindowYet ? (nil, nil) : (p50, p95)
            timeline.update(second: Int64(t.rounded(.down)), endpoint: endpoint) { c in
                c.requests += max(0, requests - before.requests)
                c.errors += max(0, failures - before.failures)
                if endpoint.isEmpty { c.users = max(c.users ?? Double(users), Double(users)) }
                // Entry rows precede the Aggregated row of their second, so by the first row with
                // requests it is known whether the percentiles are per-window.
                if fullHistory { c.reported = windowPercentiles[endpoint] }
            }
            lastUsers = users
            maxUsers = Swift.max(maxUsers ?? 0, users)
        }
        if let first, let last {
            run.startedAt = Date(timeIntervalSince1970: first)
            run.durationSeconds = last - first
            run.load = LoadProfile(vus: lastUsers, maxVUs: maxUsers)
            run.timeline = timeline.timeline(start: first)
        }
    }

    private func parseFailures(_ file: InputFile) throws -> [ErrorResult] {
        var out: [ErrorResult] = []
        _ = try read(file, required: ["Method", "Name", "Error", "Occurrences"]) { h, f, line in
            out.append(
                ErrorResult(
                    endpoint: Locust.endpoint(method: f[try h.require("Method")], name: f[try h.require("Name")]),
                    message: f[try h.require("Error")],
                    occurrences: try count(
                        f[try h.require("Occurrences")], column: "Occurrences", file: file, line: line)))
        }
        return out
    }

    private func parseExceptions(_ file: InputFile) throws -> [ErrorResult] {
        var order: [String] = []
        var counts: [String: Int] = [:]
        _ = try read(file, required: ["Count", "Message", "Traceback", "Nodes"]) { h, f, line in
            let message = f[try h.require("Message")]
            let n = try count(f[try h.require("Count")], column: "Count", file: file, line: line)
            if counts[message] == nil { order.append(message) }
            counts[message, default: 0] += n
        }
        return order.map { ErrorResult(endpoint: "", message: $0, occurrences: counts[$0]!) }
    }
}
