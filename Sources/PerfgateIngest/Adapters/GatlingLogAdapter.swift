import Foundation
import PerfgateCore

/// Conventions shared by the Gatling adapters (docs/load-tools.md).
enum Gatling {
    static let tool = "gatling"

    /// The endpoint of a request: its groups and name joined by `" / "`, as Gatling's report paths
    /// (`Group / request`) write them.
    static func endpoint(groups: [String], name: String) -> String { (groups + [name]).joined(separator: " / ") }

    /// The percentile levels of Gatling's report (`charting.indicators.percentile1..4` defaults).
    static let levels: [Double] = [0.5, 0.75, 0.95, 0.99]
}

/// Gatling's text `simulation.log` (3.0–3.12; docs/load-tools.md), plain or gzip, streamed: one
/// `REQUEST` record per request with its start and end (epoch ms), so per-request samples.
///
/// One series per request (groups and name, `Group / name`) plus the whole run (`""`), with the
/// statistics Gatling's report shows: count, KO count (errors), mean, standard deviation, min, max,
/// p50/p75/p95/p99 (linear interpolation, type 7; Gatling prints them rounded to whole ms) and mean
/// requests per second over the run's whole seconds, as Gatling computes it. `GROUP` records are
/// not requests and give no series; KO messages and `ERROR` records become errors. Gatling 3.13+
/// writes a binary log instead, which perfgate refuses with the way forward (see ``ContentSketch``).
struct GatlingLogAdapter: ResultAdapter {
    func sniff(head: [UInt8], fileName: String) -> Bool { Sniff.firstLine(head).hasPrefix("RUN\t") }

    private struct Requests {
        var samples = RequestSamples()
        var squares: Double = 0

        mutating func add(_ ms: Double, failed: Bool) {
            samples.add(ms: ms, failed: failed)
            squares += ms * ms
        }

        mutating func merge(_ o: Requests) {
            samples.merge(o.samples)
            squares += o.squares
        }
    }

    func parse(_ input: InputSet) throws -> IngestedRun {
        let file = input.primary
        let path = file.displayPath
        var run = IngestedRun(tool: Gatling.tool, format: InputFormat.gatlingLog.rawValue)
        var legacy = false  // 3.0–3.3: USER and REQUEST records carry a user id
        var sawRun = false
        var order: [String] = []
        var perEndpoint: [String: Requests] = [:]
        var firstMs = Double.infinity
        var lastMs = -Double.infinity
        var errorTally = ErrorTally()
        var activeUsers = 0
        var peakUsers = 0
        func addError(_ endpoint: String, _ message: String) { errorTally.add(endpoint: endpoint, message: message) }
        try file.forEachLine { bytes, line in
            if bytes.isEmpty { return }
            guard let text = String(validating: bytes, as: UTF8.self) else {
                throw IngestError.at(path, line: line, "invalid UTF-8")
            }
            let f = text.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            func time(_ i: Int, _ what: String) throws -> Double {
                guard i < f.count, let v = Int64(f[i]), v >= 0, v <= 1 << 53 else {
                    throw IngestError.at(
                        path, line: line, "\(f[0]) record: \(what) (field \(i + 1)) must be epoch milliseconds, found \(i < f.count ? "\"\(f[i])\"" : "nothing")")
                }
                return Double(v)
            }
            func need(_ n: Int) throws {
                guard f.count >= n else {
                    throw IngestError.at(path, line: line, "\(f[0]) record with \(f.count) fields, expected \(n) (truncated line?)")
                }
            }
            func seen(_ t: Double) {
                firstMs = min(firstMs, t)
                lastMs = max(lastMs, t)
            }
            if !sawRun {
                guard f[0] == "RUN" else { throw IngestError.at(path, line: line, "expected the RUN record first") }
            }
            switch f[0] {
            case "RUN":
                guard !sawRun else { throw IngestError.at(path, line: line, "a second RUN record") }
                try need(6)
                sawRun = true
                run.startedAt = Date(timeIntervalSince1970: try time(3, "start") / 1000)
                let version = f[f.count - 1]
                run.toolVersion = version
                let parts = version.split(separator: ".").compactMap { Int($0) }
                legacy = parts.count >= 2 && parts[0] == 3 && parts[1] < 4
            case "USER":
                try need(legacy ? 6 : 4)
                let t = try time(legacy ? 4 : 3, "time")
                seen(t)
                if legacy { seen(try time(5, "end")) }
                switch f[legacy ? 3 : 2] {
                case "START":
                    activeUsers += 1
                    peakUsers = max(peakUsers, activeUsers)
                case "END": activeUsers -= 1
                case let other: throw IngestError.at(path, line: line, "USER record: expected START or END, found \"\(other)\"")
                }
            case "REQUEST":
                let o = legacy ? 1 : 0
                try need(6 + o)
                let groups = f[1 + o].isEmpty ? [] : f[1 + o].split(separator: ",").map(String.init)
                let name = f[2 + o]
                let start = try time(3 + o, "start")
                let end = try time(4 + o, "end")
                guard end >= start else {
                    throw IngestError.at(path, line: line, "REQUEST record ends (\(Int64(end))) before it starts (\(Int64(start)))")
                }
                let failed: Bool
                switch f[5 + o] {
                case "OK": failed = false
                case "KO": failed = true
                case let other: throw IngestError.at(path, line: line, "REQUEST record: expected OK or KO, found \"\(other)\"")
                }
                seen(start)
                seen(end)
                let endpoint = Gatling.endpoint(groups: groups, name: name)
                if perEndpoint[endpoint] == nil { order.append(endpoint) }
                perEndpoint[endpoint, default: Requests()].add(end - start, failed: failed)
                if failed {
                    let message = f.count > 6 + o ? f[6 + o].trimmingCharacters(in: .whitespaces) : ""
                    addError(endpoint, message.isEmpty ? "KO" : message)
                }
            case "GROUP":
                try need(6)
                seen(try time(2, "start"))
                seen(try time(3, "end"))
            case "ERROR":
                try need(3)
                seen(try time(f.count - 1, "time"))
                addError("", f[1].trimmingCharacters(in: .whitespaces))
            case "ASSERTION":
                break
            case let other:
                throw IngestError.at(
                    path, line: line, "unknown record type \"\(other)\" (expected RUN, USER, REQUEST, GROUP, ERROR or ASSERTION)")
            }
        }
        guard sawRun else { throw IngestError.at(path, line: 1, column: 1, "file is empty") }
        guard !order.isEmpty else { throw IngestError.at(path, "no REQUEST records: the simulation sent no requests") }
        // Gatling counts the run in whole seconds, from the first record's second to the last's.
        let seconds = (lastMs / 1000).rounded(.down) - (firstMs / 1000).rounded(.down) + 1
        var total = Requests()
        func series(_ endpoint: String, _ r: Requests) -> SeriesResult {
            var stats = r.samples.stats(levels: Gatling.levels, rule: { Stats.Percentile.type7(buckets: $0, $1) })
            let n = Double(r.samples.count)
            if let mean = stats[.mean] {
                // Population standard deviation, as Gatling's report.
                stats[.stddev] = (max(0, r.squares / n - mean * mean)).squareRoot()
            }
            stats[.throughput] = n / seconds
            return LoadTool.series(endpoint: endpoint, stats: stats, distribution: r.samples.distribution)
        }
        for endpoint in order {
            let r = perEndpoint[endpoint]!
            total.merge(r)
            run.series.append(series(endpoint, r))
        }
        run.series.append(series("", total))
        run.durationSeconds = (lastMs - firstMs) / 1000
        run.load = LoadProfile(maxVUs: peakUsers)
        run.errors = errorTally.errors
        return run
    }
}
