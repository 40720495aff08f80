import Foundation
import PerfgateCore

/// pytest-benchmark JSON (`--benchmark-json=PATH` and the files `--benchmark-autosave`/`--benchmark-save`
/// store under `.benchmarks/`; docs/microbenchmarks.md): `{"machine_info", "commit_info", "benchmarks":
/// [{"fullname", "stats": {min, max, mean, stddev, median, q1, q3, rounds, iterations, ops, data?…}}],
/// "datetime", "version"}`, times in seconds per iteration.
///
/// Each test (`fullname`) is a benchmark whose `time` series has pytest-benchmark's own statistics
/// (median as `p50`, `q1`/`q3` as `p25`/`p75`, `rounds` as `count`) and, when `stats.data` holds
/// one time per round, those times as samples. `ops` becomes `ops_per_second` (higher is better).
/// A `data` array that does not hold `rounds` numbers (cut short by hand) is not used as samples.
/// The commit, branch and machine the file names become run tags (`commit`, `branch`, `dirty`,
/// `node`, `python_version`, …); the commit that stores the run is still the one perfgate resolves.
public struct PytestBenchmarkAdapter: ResultAdapter {
    public init() {}

    public func sniff(head: [UInt8], fileName: String) -> Bool {
        guard Sniff.firstByte(head) == UInt8(ascii: "{") else { return false }
        let text = Sniff.text(head)
        return text.contains("\"benchmarks\"")
            && (text.contains("\"machine_info\"") || (text.contains("\"fullname\"") && text.contains("\"stats\"")))
    }

    static let statKeys: [(String, Statistic)] = [
        ("min", .min), ("max", .max), ("mean", .mean), ("stddev", .stddev), ("median", .p50),
        ("q1", .percentile(25)), ("q3", .percentile(75)),
    ]

    public func parse(_ input: InputSet) throws -> IngestedRun {
        let file = input.primary
        let root = try JSONNode.parse(Microbench.nullingNonFinite(try file.readAll()), file: file.displayPath)
        try root.requireOnlyKeys(["machine_info", "commit_info", "benchmarks", "datetime", "version"])
        var run = IngestedRun(tool: "pytest-benchmark", format: InputFormat.pytestBenchmarkJSON.rawValue)
        run.toolVersion = try root.optional("version").map { try $0.string() }
        if let dt = try root.optional("datetime") {
            let text = try dt.string()
            guard let date = Self.date(text) else { throw dt.error("not an ISO 8601 date: \"\(text)\"") }
            run.startedAt = date
        }
        if let commit = try root.optional("commit_info") {
            for (key, tag) in [("id", "commit"), ("branch", "branch"), ("project", "project"), ("dirty", "dirty")] {
                guard let v = try commit.optional(key), !v.isNull else { continue }
                run.tags[tag] = (v.value as? String) ?? ((try? v.bool()).map { $0 ? "true" : "false" })
            }
        }
        if let machine = try root.optional("machine_info") {
            for key in ["node", "machine", "system", "python_implementation", "python_version"] {
                if let v = try machine.optional(key), let s = v.value as? String { run.tags[key] = s }
            }
            if let cpu = try machine.optional("cpu"), let brand = try cpu.optional("brand_raw"),
                let s = brand.value as? String
            {
                run.tags["cpu"] = s
            }
        }
        let benchmarks = try root.required("benchmarks").array()
        guard !benchmarks.isEmpty else { throw try root.required("benchmarks").error("no benchmark results") }
        var seen: [String: String] = [:]
        for b in benchmarks {
            let name = try (b.optional("fullname") ?? b.required("name")).string()
            if let first = seen[name] { throw b.error("benchmark \"\(name)\" appears twice (first at \(first))") }
            seen[name] = b.path
            let stats = try b.required("stats")
            var reported: [Statistic: Double] = [:]
            for (key, stat) in Self.statKeys {
                guard let n = try stats.optional(key) else { continue }
                reported[stat] = try n.nonNegative() * 1000
            }
            guard reported[.mean] != nil else { throw try stats.required("mean").error("missing required key") }
            let rounds = try stats.required("rounds").nonNegative()
            reported[.count] = rounds
            if let it = try stats.optional("iterations") {
                reported[Microbench.iterations] = try it.nonNegative() * rounds
            }
            var samples: [Double] = []
            if let data = try stats.optional("data") {
                let items = try data.array()
                let allNumbers = items.allSatisfy { (try? $0.number()) != nil }
                if allNumbers && Double(items.count) == rounds {
                    samples = try items.map { try $0.nonNegative() * 1000 }
                }
            }
            run.series.append(
                Microbench.series(
                    benchmark: name, metric: Microbench.time, unit: .milliseconds, direction: .lowerIsBetter,
                    samples: samples, reported: reported))
            if let ops = try stats.optional("ops") {
                run.series.append(
                    SeriesResult(
                        key: SeriesKey(endpoint: name, metric: Microbench.opsPerSecond), unit: .perSecond,
                        direction: .higherIsBetter, stats: [.mean: try ops.nonNegative()]))
            }
        }
        run.series.sort { $0.key < $1.key }
        return run
    }

    /// `2015-08-15T00:04:18.687119+00:00`, or naive (`2019-11-16T03:10:30.123456`, written in UTC by
    /// pytest-benchmark before 4.0): RFC 3339 as the native format reads it, naive times as UTC.
    static func date(_ text: String) -> Date? {
        NativeJSON.parseDate(text) ?? NativeJSON.parseDate(text + "Z")
    }
}
