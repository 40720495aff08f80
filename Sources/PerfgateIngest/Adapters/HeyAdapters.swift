import Foundation
import PerfgateCore

/// hey's text summary (docs/load-tools.md): one whole-run series (`""`; hey tests one URL) with
/// `Slowest`/`Fastest`/`Average` (seconds, converted to ms) as max/min/mean, the `Latency
/// distribution` percentiles, `Requests/sec` as throughput, `count` = the responses of the `Status
/// code distribution` plus the requests of the `Error distribution`, and `errors` = non-2xx/3xx
/// responses plus those errors (each error message is kept).
struct HeyTextAdapter: ResultAdapter {
    func sniff(head: [UInt8], fileName: String) -> Bool {
        let lines = Sniff.text(head).string.split(separator: "\n", maxSplits: 4, omittingEmptySubsequences: false).prefix(4)
        return lines.first { !$0.trimmingCharacters(in: .whitespaces).isEmpty } == "Summary:"
            && lines.contains { $0.trimmingCharacters(in: .whitespaces).hasPrefix("Total:") }
    }

    func parse(_ input: InputSet) throws -> IngestedRun {
        let file = input.primary
        let path = file.displayPath
        var run = IngestedRun(tool: "hey", format: InputFormat.heyText.rawValue)
        var stats: [Statistic: Double] = [:]
        var section = ""
        var responses = 0.0, failures = 0.0
        var sawSummary = false
        try file.forEachLine { bytes, line in
            guard let text = String(validating: bytes, as: UTF8.self) else { throw IngestError.at(path, line: line, "invalid UTF-8") }
            let t = text.trimmingCharacters(in: .whitespaces)
            func bad(_ what: String) -> IngestError { IngestError.at(path, line: line, "\(what): \"\(t)\"") }
            if t.isEmpty { return }
            if !text.hasPrefix(" ") && t.hasSuffix(":") {
                section = t
                if t == "Summary:" { sawSummary = true }
                return
            }
            func seconds(_ s: Substring) throws -> Double {
                guard let v = Locust.decimal(String(s.trimmingCharacters(in: .whitespaces))) else { throw bad("expected seconds") }
                return v * 1000
            }
            switch section {
            case "Summary:":
                let kv = t.split(separator: "\t", maxSplits: 1)
                guard kv.count == 2 else { return }
                let value = kv[1].replacingOccurrences(of: " secs", with: "")
                switch kv[0] {
                case "Total:": run.durationSeconds = try seconds(Substring(value)) / 1000
                case "Slowest:": stats[.max] = try seconds(Substring(value))
                case "Fastest:": stats[.min] = try seconds(Substring(value))
                case "Average:": stats[.mean] = try seconds(Substring(value))
                case "Requests/sec:":
                    guard let v = Locust.decimal(value.trimmingCharacters(in: .whitespaces)) else { throw bad("expected a rate") }
                    stats[.throughput] = v
                default: break
                }
            case "Latency distribution:":
                // 10% in 0.0051 secs
                let words = t.split(separator: " ")
                guard words.count == 4, words[0].hasSuffix("%"), let level = Double(words[0].dropLast()) else {
                    throw bad("expected \"P% in S secs\"")
                }
                stats[.percentile(level)] = try seconds(words[2])
            case "Status code distribution:":
                // [200]	180 responses
                let parts = t.split(whereSeparator: { $0 == "\t" || $0 == " " })
                guard parts.count >= 2, parts[0].hasPrefix("["), let code = Int(parts[0].dropFirst().dropLast()),
                    let n = Double(parts[1])
                else { throw bad("expected \"[CODE]\tN responses\"") }
                responses += n
                if code >= 400 { failures += n }
            case "Error distribution:":
                // [20]	Get "http://…": dial tcp …
                guard t.hasPrefix("["), let close = t.firstIndex(of: "]"), let n = Int(t[t.index(after: t.startIndex)..<close]) else {
                    throw bad("expected \"[N]\tMESSAGE\"")
                }
                failures += Double(n)
                responses += Double(n)
                run.errors.append(
                    ErrorResult(endpoint: "", message: t[t.index(after: close)...].trimmingCharacters(in: .whitespaces), occurrences: n))
            default: break
            }
        }
        guard sawSummary, stats[.throughput] != nil else {
            throw IngestError.at(path, "no \"Summary:\" with \"Requests/sec:\": the hey output is cut short")
        }
        LoadTool.counts(&stats, requests: responses, errors: failures)
        run.series = [LoadTool.series(endpoint: "", stats: stats)]
        return run
    }
}

/// hey `-o csv`: one row per request, `response-time` in seconds (0.1 ms resolution), the
/// `status-code` and `offset` from the start (s). Requests that got no response are not in the file.
/// Percentiles follow hey's rule (``Stats/Percentile/heyRule(buckets:_:)``); a status ≥ 400 is an error.
struct HeyCSVAdapter: ResultAdapter {
    static let header = "response-time,DNS+dialup,DNS,Request-write,Response-delay,Response-read,status-code,offset"
    static let levels: [Double] = [0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99]

    func sniff(head: [UInt8], fileName: String) -> Bool { Sniff.firstLine(head) == Self.header }

    func parse(_ input: InputSet) throws -> IngestedRun {
        let file = input.primary
        let path = file.displayPath
        var samples = RequestSamples()
        var header: CSVHeader?
        var col = (time: 0, status: 0, offset: 0)
        try CSVReader(file).forEachRecord { f, line in
            guard let h = header else {
                let h = CSVHeader(f, file: path)
                col = (try h.require("response-time"), try h.require("status-code"), try h.require("offset"))
                header = h
                return
            }
            guard f.count == h.names.count else {
                throw IngestError.at(path, line: line, "expected \(h.names.count) fields as in the header, found \(f.count)")
            }
            guard let s = Locust.decimal(f[col.time]), s >= 0, let code = Int(f[col.status]), let offset = Locust.decimal(f[col.offset])
            else {
                throw IngestError.at(path, line: line, "expected seconds in response-time and offset and a status code")
            }
            samples.add(ms: s * 1000, failed: code >= 400)
            samples.span(startMs: offset * 1000, endMs: offset * 1000 + s * 1000)
        }
        guard samples.count > 0 else { throw IngestError.at(path, line: 2, "no requests after the header") }
        var run = IngestedRun(tool: "hey", format: InputFormat.heyCSV.rawValue)
        run.durationSeconds = samples.spanSeconds
        run.series = [
            LoadTool.series(
                endpoint: "", stats: samples.stats(levels: Self.levels, rule: { Stats.Percentile.heyRule(buckets: $0, $1) }),
                distribution: samples.distribution)
        ]
        return run
    }
}
