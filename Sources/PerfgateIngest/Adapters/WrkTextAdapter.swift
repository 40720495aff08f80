import Foundation
import PerfgateCore

/// wrk and wrk2 text output (docs/load-tools.md), ideally with `--latency`: one whole-run series
/// (`""`, wrk knows no endpoints) with the latency `mean`, `stddev` and `max` of the `Thread Stats`
/// table, the percentiles of the `Latency Distribution` table, `count` (the `N requests in T`
/// line), `errors` (socket errors plus `Non-2xx or 3xx responses`), `error_rate` and `throughput`
/// (`Requests/sec`). wrk2's `Detailed Percentile spectrum` becomes the series' distribution and its
/// `#[Mean = …, StdDeviation = …]` / `#[Max = …]` footers give the unrounded figures.
///
/// wrk scales every value for people (`us`, `ms`, `s`, `m`, `h`; `k`, `M`, `G`); perfgate converts
/// them back (latency to ms). Lines before `Running …` (a pasted command) and after are ignored.
struct WrkTextAdapter: ResultAdapter {
    func sniff(head: [UInt8], fileName: String) -> Bool {
        let lines = Sniff.text(head).string.split(separator: "\n", maxSplits: 4, omittingEmptySubsequences: false).prefix(4)
        return lines.contains { $0.hasPrefix("Running ") && $0.contains(" test @ ") }
    }

    /// A wrk duration (`1.20ms`, `706.00us`, `1.00m`) in milliseconds.
    static func milliseconds(_ text: Substring) -> Double? {
        let units: [(String, Double)] = [("us", 0.001), ("ms", 1), ("s", 1000), ("m", 60_000), ("h", 3_600_000)]
        for (suffix, factor) in units where text.hasSuffix(suffix) {
            guard let v = Locust.decimal(String(text.dropLast(suffix.count))) else { return nil }
            return v * factor
        }
        return nil
    }

    /// A wrk count (`8.33k`, `2378248`).
    static func count(_ text: Substring) -> Double? {
        let units: [(String, Double)] = [("k", 1e3), ("M", 1e6), ("G", 1e9)]
        for (suffix, factor) in units where text.hasSuffix(suffix) {
            return Locust.decimal(String(text.dropLast(suffix.count))).map { $0 * factor }
        }
        return Locust.decimal(String(text))
    }

    func parse(_ input: InputSet) throws -> IngestedRun {
        let file = input.primary
        let path = file.displayPath
        var run = IngestedRun(tool: "wrk", format: InputFormat.wrkText.rawValue)
        var stats: [Statistic: Double] = [:]
        var started = false
        var inDistribution = false
        var inSpectrum = false
        var spectrum = Distribution()
        var previousTotal: UInt64 = 0
        var errors = 0.0
        var sawRequests = false
        try file.forEachLine { bytes, line in
            guard let text = String(validating: bytes, as: UTF8.self) else {
                throw IngestError.at(path, line: line, "invalid UTF-8")
            }
            let t = text.trimmingCharacters(in: .whitespaces)
            let words = t.split(separator: " ", omittingEmptySubsequences: true)
            func bad(_ what: String) -> IngestError { IngestError.at(path, line: line, "\(what): \"\(t)\"") }
            if !started {
                if t.hasPrefix("Running ") && t.contains(" test @ ") {
                    started = true
                    run.tags["url"] = String(t[t.range(of: " test @ ")!.upperBound...])
                }
                return
            }
            if t.hasPrefix("Latency Distribution") {
                inDistribution = true
                if t.contains("HdrHistogram") { run.tool = "wrk2" }
                return
            }
            if t.hasPrefix("Detailed Percentile spectrum") {
                inDistribution = false
                inSpectrum = true
                return
            }
            if inDistribution {
                if words.count == 2, words[0].hasSuffix("%"), let level = Locust.decimal(String(words[0].dropLast())) {
                    guard let ms = Self.milliseconds(words[1]) else { throw bad("latency percentile is not a wrk duration") }
                    stats[.percentile(level)] = ms
                    return
                }
                inDistribution = false
            }
            if inSpectrum {
                if t.hasPrefix("Value") || t.isEmpty { return }
                if words.count == 4, let value = Locust.decimal(String(words[0])), let total = UInt64(words[2]) {
                    guard total >= previousTotal else { throw bad("spectrum TotalCount goes down") }
                    if total > previousTotal { spectrum.record(value, count: total - previousTotal) }
                    previousTotal = total
                    return
                }
                if t.hasPrefix("#[") {
                    // #[Mean    =        1.441, StdDeviation   =        0.706]
                    let pairs = t.dropFirst(2).dropLast().split(separator: ",").map {
                        $0.split(separator: "=").map { $0.trimmingCharacters(in: .whitespaces) }
                    }
                    for pair in pairs where pair.count == 2 {
                        guard let v = Locust.decimal(pair[1]) else { throw bad("spectrum footer value is not a number") }
                        switch pair[0] {
                        case "Mean": stats[.mean] = v
                        case "StdDeviation": stats[.stddev] = v
                        case "Max": stats[.max] = v
                        default: break
                        }
                    }
                    return
                }
                if t.hasPrefix("---") { inSpectrum = false }
                return
            }
            if t.hasPrefix("Latency ") && words.count >= 4 {
                guard let avg = Self.milliseconds(words[1]), let sd = Self.milliseconds(words[2]),
                    let max = Self.milliseconds(words[3])
                else { throw bad("Thread Stats latency values are not wrk durations") }
                if stats[.mean] == nil { stats[.mean] = avg }
                if stats[.stddev] == nil { stats[.stddev] = sd }
                if stats[.max] == nil { stats[.max] = max }
            } else if words.count >= 5 && words[1] == "requests" && words[2] == "in" {
                // 2378248 requests in 30.08s, 376.50MB read
                guard let n = Double(words[0]), let d = Self.milliseconds(words[3].dropLast(words[3].hasSuffix(",") ? 1 : 0)) else {
                    throw bad("expected \"N requests in DURATION, SIZE read\"")
                }
                stats[.count] = n
                run.durationSeconds = d / 1000
                sawRequests = true
            } else if t.hasPrefix("Socket errors:") {
                // Socket errors: connect 0, read 434, write 0, timeout 0
                for part in t.dropFirst("Socket errors:".count).split(separator: ",") {
                    let kv = part.split(separator: " ")
                    guard kv.count == 2, let v = Double(kv[1]) else { throw bad("unreadable socket error counts") }
                    errors += v
                }
            } else if t.hasPrefix("Non-2xx or 3xx responses:") {
                guard let v = Double(t.dropFirst("Non-2xx or 3xx responses:".count).trimmingCharacters(in: .whitespaces)) else {
                    throw bad("unreadable Non-2xx count")
                }
                errors += v
            } else if t.hasPrefix("Requests/sec:") {
                guard let v = Locust.decimal(t.dropFirst("Requests/sec:".count).trimmingCharacters(in: .whitespaces)) else {
                    throw bad("unreadable Requests/sec")
                }
                stats[.throughput] = v
            } else if t.hasPrefix("Thread calibration:") {
                run.tool = "wrk2"
            }
        }
        guard started else {
            throw IngestError.at(path, line: 1, "no \"Running … test @ URL\" line: not wrk output")
        }
        guard sawRequests, let n = stats[.count] else {
            throw IngestError.at(path, "no \"N requests in DURATION\" line: the wrk output is cut short")
        }
        LoadTool.counts(&stats, requests: n, errors: errors)
        run.series = [LoadTool.series(endpoint: "", stats: stats, distribution: spectrum.isEmpty ? nil : spectrum)]
        return run
    }
}
