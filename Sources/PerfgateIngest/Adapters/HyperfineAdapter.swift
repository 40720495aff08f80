import Foundation
import PerfgateCore

/// hyperfine `--export-json` (docs/microbenchmarks.md): `{"results": [{"command", "mean", "stddev",
/// "median", "user", "system", "min", "max", "times", "exit_codes"?, "memory_usage_byte"?,
/// "parameters"?}]}`, every time in seconds.
///
/// Each command is one benchmark: `time` holds the wall-clock time of every run (`times`, the
/// samples) with hyperfine's own mean, median, stddev, min and max; `user_time` and `system_time`
/// hyperfine's mean CPU times; `memory` the peak memory of the runs (hyperfine 1.20+). Runs that
/// exited non-zero (`exit_codes`, or the ` [ERROR]` suffix of hyperfine before 1.12) are counted
/// as `errors` of the `time` series.
public struct HyperfineAdapter: ResultAdapter {
    public init() {}

    static let resultKeys = [
        "command", "mean", "stddev", "median", "user", "system", "min", "max", "times", "exit_codes",
        "memory_usage_byte", "parameters",
    ]
    static let errorSuffix = " [ERROR]"

    public func sniff(head: [UInt8], fileName: String) -> Bool {
        guard Sniff.firstByte(head) == UInt8(ascii: "{") else { return false }
        let text = Sniff.text(head)
        return text.contains("\"results\"") && text.contains("\"command\"") && text.contains("\"mean\"")
            && text.contains("\"user\"") && text.contains("\"system\"")
    }

    public func parse(_ input: InputSet) throws -> IngestedRun {
        let file = input.primary
        let root = try JSONNode.parse(try file.readAll(), file: file.displayPath)
        try root.requireOnlyKeys(["results"])
        let results = try root.required("results").array()
        guard !results.isEmpty else { throw try root.required("results").error("no benchmark results") }
        var run = IngestedRun(tool: "hyperfine", format: InputFormat.hyperfineJSON.rawValue)
        var seen: [String: String] = [:]
        for r in results {
            try r.requireOnlyKeys(Self.resultKeys)
            var command = try r.required("command").string()
            var failedMarker = false
            if command.hasSuffix(Self.errorSuffix) {
                command = String(command.dropLast(Self.errorSuffix.count)).trimmingCharacters(in: .whitespaces)
                failedMarker = true
            }
            guard !command.isEmpty else { throw try r.required("command").error("empty command") }
            if let first = seen[command] {
                throw r.error("command \"\(command)\" appears twice (first at \(first))")
            }
            seen[command] = r.path
            func seconds(_ key: String) throws -> Double { try r.required(key).nonNegative() * 1000 }
            let timesNode = try r.required("times")
            let times = try timesNode.array().map { try $0.nonNegative() * 1000 }
            guard !times.isEmpty else { throw timesNode.error("no run times") }
            var reported: [Statistic: Double] = [
                .mean: try seconds("mean"), .p50: try seconds("median"), .min: try seconds("min"),
                .max: try seconds("max"),
            ]
            // A single run has no standard deviation: hyperfine writes null.
            if let sd = try r.optional("stddev"), !sd.isNull { reported[.stddev] = try sd.nonNegative() * 1000 }
            var failed = failedMarker ? 1 : 0
            if let codes = try r.optional("exit_codes") {
                let items = try codes.array()
                guard items.count == times.count else {
                    throw codes.error("\(items.count) exit codes for \(times.count) runs")
                }
                // null: the command was killed by a signal.
                failed = try items.filter { try $0.isNull || $0.number() != 0 }.count
            }
            reported[.errors] = Double(failed)
            reported[.errorRate] = Double(failed) / Double(times.count)
            run.series.append(
                Microbench.series(
                    benchmark: command, metric: Microbench.time, unit: .milliseconds, direction: .lowerIsBetter,
                    samples: times, reported: reported))
            for (key, metric) in [("user", Microbench.userTime), ("system", Microbench.systemTime)] {
                run.series.append(
                    SeriesResult(
                        key: SeriesKey(endpoint: command, metric: metric), unit: .milliseconds,
                        direction: .lowerIsBetter, stats: [.mean: try seconds(key)]))
            }
            if let memoryNode = try r.optional("memory_usage_byte") {
                let memory = try memoryNode.array().map { try $0.nonNegative() }
                if !memory.isEmpty {
                    run.series.append(
                        Microbench.series(
                            benchmark: command, metric: Microbench.memory, unit: .bytes, direction: .lowerIsBetter,
                            samples: memory))
                }
            }
            // `-P`/`-L` scans: the values are already substituted into `command`, which names the benchmark.
            if let params = try r.optional("parameters") { _ = try params.object() }
        }
        run.series.sort { $0.key < $1.key }
        return run
    }
}
