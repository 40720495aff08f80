import Foundation
import PerfgateCore

/// Conventions shared by the ApacheBench (`ab`) adapters. `ab` tests one URL, so every file is one
/// whole-run series (`""`); the text report keeps the URL as the tag `url`.
enum ApacheBench {
    static let tool = "ab"

    /// The levels of ab's "Percentage of the requests served within a certain time" table.
    static let levels: [Double] = [0.5, 0.66, 0.75, 0.8, 0.9, 0.95, 0.98, 0.99]
}

/// ApacheBench's text report (stdout): `Complete requests` is `count`; `errors` are the
/// `Non-2xx responses` plus the `Connect`, `Receive` and `Exceptions` failures (ab's `Length`
/// failures only mean that a body's length differed from the first response's, which dynamic pages
/// always do, so they are not errors); `throughput` is `Requests per second`; the `Total:` row of
/// `Connection Times (ms)` gives min, mean, stddev, median and max, and the percentage table the
/// percentiles (whole ms, as ab prints them).
struct ApacheBenchTextAdapter: ResultAdapter {
    func sniff(head: [UInt8], fileName: String) -> Bool {
        let text = Sniff.text(head)
        return text.hasPrefix("This is ApacheBench, Version") || text.contains("\nThis is ApacheBench, Version")
    }

    func parse(_ input: InputSet) throws -> IngestedRun {
        let file = input.primary
        let path = file.displayPath
        var run = IngestedRun(tool: ApacheBench.tool, format: InputFormat.abText.rawValue)
        var stats: [Statistic: Double] = [:]
        var complete: Double?
        var errors = 0.0
        var host = "", port = "", document = ""
        var inPercentages = false
        try file.forEachLine { bytes, line in
            guard let text = String(validating: bytes, as: UTF8.self) else {
                throw IngestError.at(path, line: line, "invalid UTF-8")
            }
            let t = text.trimmingCharacters(in: .whitespaces)
            func bad(_ what: String) -> IngestError { IngestError.at(path, line: line, "\(what): \"\(t)\"") }
            func value(after label: String) -> String {
                t.dropFirst(label.count).trimmingCharacters(in: .whitespaces)
            }
            func number(after label: String) throws -> Double {
                let v = value(after: label).split(separator: " ").first.map(String.init) ?? ""
                guard let d = Locust.decimal(v) else { throw bad("expected a number after \"\(label)\"") }
                return d
            }
            if inPercentages {
                let words = t.split(separator: " ", omittingEmptySubsequences: true)
                if words.count >= 2, words[0].hasSuffix("%"), let level = Double(words[0].dropLast()) {
                    guard let ms = Locust.decimal(String(words[1])) else { throw bad("percentage row without a time") }
                    if level == 100 { stats[.max] = ms } else { stats[.percentile(level)] = ms }
                    return
                }
                inPercentages = false
            }
            if t.hasPrefix("Server Hostname:") {
                host = value(after: "Server Hostname:")
            } else if t.hasPrefix("Server Port:") {
                port = value(after: "Server Port:")
            } else if t.hasPrefix("Document Path:") {
                document = value(after: "Document Path:")
            } else if t.hasPrefix("Complete requests:") {
                complete = try number(after: "Complete requests:")
            } else if t.hasPrefix("(Connect:") {
                // (Connect: 0, Receive: 0, Length: 20, Exceptions: 0)
                for part in t.dropFirst().dropLast().split(separator: ",") {
                    let kv = part.split(separator: ":").map { $0.trimmingCharacters(in: .whitespaces) }
                    guard kv.count == 2, let n = Double(kv[1]) else { throw bad("unreadable failure breakdown") }
                    if kv[0] != "Length" { errors += n }
                }
            } else if t.hasPrefix("Non-2xx responses:") {
                errors += try number(after: "Non-2xx responses:")
            } else if t.hasPrefix("Requests per second:") {
                stats[.throughput] = try number(after: "Requests per second:")
            } else if t.hasPrefix("Time taken for tests:") {
                run.durationSeconds = try number(after: "Time taken for tests:")
            } else if t.hasPrefix("Total:") {
                // Total:          5   10   6.0      8      43   (min mean sd median max)
                let cells = t.dropFirst("Total:".count).split(separator: " ").compactMap { Locust.decimal(String($0)) }
                guard cells.count == 5 else { throw bad("expected min, mean, sd, median and max") }
                stats[.min] = cells[0]
                stats[.mean] = cells[1]
                stats[.stddev] = cells[2]
                stats[.p50] = cells[3]
                stats[.max] = cells[4]
            } else if t.hasPrefix("Percentage of the requests served") {
                inPercentages = true
            }
        }
        guard let complete else {
            throw IngestError.at(path, "no \"Complete requests:\" line: the ab report is cut short (ab stopped before the end?)")
        }
        LoadTool.counts(&stats, requests: complete, errors: errors)
        if !host.isEmpty {
            run.tags["url"] = "http://\(host)" + (port.isEmpty || port == "80" ? "" : ":\(port)") + document
        }
        run.series = [LoadTool.series(endpoint: "", stats: stats)]
        return run
    }
}

/// ApacheBench `-e FILE`: the CSV `Percentage served,Time in ms` with one row per percent 0…100
/// (ab's own percentiles, µs resolution). No counts: the series has min (0 %), max (100 %) and the
/// percentiles of ab's text table.
struct ApacheBenchPercentilesAdapter: ResultAdapter {
    func sniff(head: [UInt8], fileName: String) -> Bool { Sniff.firstLine(head) == "Percentage served,Time in ms" }

    func parse(_ input: InputSet) throws -> IngestedRun {
        let file = input.primary
        let path = file.displayPath
        var byLevel: [Int: Double] = [:]
        var header = true
        try CSVReader(file).forEachRecord { fields, line in
            if header {
                header = false
                return
            }
            guard fields.count == 2, let level = Int(fields[0]), (0...100).contains(level), let ms = Locust.decimal(fields[1]),
                ms >= 0
            else {
                throw IngestError.at(path, line: line, "expected \"PERCENT,MILLISECONDS\" (0…100), found \"\(fields.joined(separator: ","))\"")
            }
            guard byLevel[level] == nil else { throw IngestError.at(path, line: line, "percentage \(level) appears twice") }
            byLevel[level] = ms
        }
        guard byLevel.count == 101 else {
            throw IngestError.at(path, "expected the 101 rows 0…100 that ab -e writes, found \(byLevel.count) (truncated file?)")
        }
        var stats: [Statistic: Double] = [.min: byLevel[0]!, .max: byLevel[100]!]
        for p in ApacheBench.levels { stats[.percentile(p * 100)] = byLevel[Int((p * 100).rounded())]! }
        var run = IngestedRun(tool: ApacheBench.tool, format: InputFormat.abPercentiles.rawValue)
        run.series = [LoadTool.series(endpoint: "", stats: stats)]
        return run
    }
}

/// ApacheBench `-g FILE`: gnuplot TSV, one row per request (`starttime`, `seconds` epoch,
/// `ctime`, `dtime`, `ttime`, `wait` in whole ms). `ttime` is the request's time; percentiles
/// follow ab's rule (`sorted[⌊n·p⌋]`), so they equal its text table. The file records no status:
/// the series has no error figures.
struct ApacheBenchGnuplotAdapter: ResultAdapter {
    static let header = "starttime\tseconds\tctime\tdtime\tttime\twait"

    func sniff(head: [UInt8], fileName: String) -> Bool { Sniff.firstLine(head) == Self.header }

    func parse(_ input: InputSet) throws -> IngestedRun {
        let file = input.primary
        let path = file.displayPath
        var samples = RequestSamples()
        try file.forEachLine { bytes, line in
            if line == 1 || bytes.isEmpty { return }
            guard let text = String(validating: bytes, as: UTF8.self) else { throw IngestError.at(path, line: line, "invalid UTF-8") }
            let f = text.split(separator: "\t", omittingEmptySubsequences: false)
            guard f.count == 6, let seconds = Double(f[1]), let ttime = Double(f[4]), ttime >= 0 else {
                throw IngestError.at(path, line: line, "expected 6 tab-separated fields (starttime, seconds, ctime, dtime, ttime, wait)")
            }
            samples.add(ms: ttime, failed: false)
            samples.span(startMs: seconds * 1000, endMs: seconds * 1000 + ttime)
        }
        guard samples.count > 0 else { throw IngestError.at(path, line: 2, "no requests after the header") }
        var stats = samples.stats(levels: ApacheBench.levels, rule: { Stats.Percentile.locustRule(buckets: $0, $1) })
        // One-second timestamps make a throughput meaningless for short runs.
        stats[.throughput] = nil
        for s in [Statistic.errors, .errorRate] { stats[s] = nil }
        var run = IngestedRun(tool: ApacheBench.tool, format: InputFormat.abGnuplot.rawValue)
        if samples.firstStart.isFinite { run.startedAt = Date(timeIntervalSince1970: samples.firstStart / 1000) }
        run.series = [LoadTool.series(endpoint: "", stats: stats, distribution: samples.distribution)]
        return run
    }
}
