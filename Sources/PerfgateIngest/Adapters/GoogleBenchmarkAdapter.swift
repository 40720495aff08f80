import Foundation
import PerfgateCore

/// Google Benchmark JSON (`--benchmark_format=json` or `--benchmark_out=F --benchmark_out_format=json`;
/// docs/microbenchmarks.md): `{"context": {…}, "benchmarks": [{"name", "run_name", "run_type", "iterations",
/// "real_time", "cpu_time", "time_unit", <counters>…}]}`.
///
/// A benchmark is its `run_name` (its `name` in files older than `run_name`). Every `iteration`
/// entry (one per repetition) is a sample of `time` (`real_time`) and `cpu_time`, converted from
/// `time_unit` to milliseconds per iteration, and of each user counter (`bytes_per_second`,
/// `items_per_second` and other `…_per_second` counters are rates, higher is better; other counters
/// lower is better). The library's `mean`, `median` and `stddev` aggregates are kept as the
/// series' statistics; with `--benchmark_report_aggregates_only` they are all the series has.
/// Complexity fits (`BigO`, `RMS`), `cv` and user-defined aggregates are not measurements and are
/// skipped. Entries with `error_occurred` count as `errors` of their benchmark; `skipped` ones are
/// left out. The bare `NaN`/`Infinity` the library can write are read as null.
public struct GoogleBenchmarkAdapter: ResultAdapter {
    public init() {}

    static let knownKeys: Set<String> = [
        "name", "family_index", "per_family_instance_index", "run_name", "run_type", "repetitions",
        "repetition_index", "threads", "aggregate_name", "aggregate_unit", "error_occurred", "error_message",
        "skipped", "skip_message", "iterations", "real_time", "cpu_time", "time_unit", "label", "big_o",
        "cpu_coefficient", "real_coefficient", "rms",
    ]

    public func sniff(head: [UInt8], fileName: String) -> Bool {
        guard Sniff.firstByte(head) == UInt8(ascii: "{") else { return false }
        let text = Sniff.text(head)
        return text.contains("\"benchmarks\"") && !text.contains("\"machine_info\"")
            && (text.contains("\"real_time\"") || text.contains("\"run_type\""))
    }

    struct Collected {
        var order: [String] = []
        var samples: [String: [String: [Double]]] = [:]  // benchmark → metric → samples
        var reported: [String: [String: [Statistic: Double]]] = [:]
        var units: [String: [String: (MetricUnit, Direction)]] = [:]
        var iterations: [String: Double] = [:]
        var errors: [String: Int] = [:]

        mutating func touch(_ b: String) {
            if samples[b] == nil && reported[b] == nil && errors[b] == nil { order.append(b) }
        }
    }

    public func parse(_ input: InputSet) throws -> IngestedRun {
        let file = input.primary
        let root = try JSONNode.parse(Microbench.nullingNonFinite(try file.readAll()), file: file.displayPath)
        try root.requireOnlyKeys(["context", "benchmarks"])
        var run = IngestedRun(tool: "google-benchmark", format: InputFormat.googleBenchmarkJSON.rawValue)
        if let context = try root.optional("context") {
            for (key, value) in try context.members() {
                if let s = value.value as? String, !s.isEmpty {
                    run.tags[key] = s
                } else if ["num_cpus", "mhz_per_cpu"].contains(key), let n = try? value.number() {
                    run.tags[key] = String(Int(n))
                }
            }
            if let version = run.tags["library_version"] { run.toolVersion = version }
        }
        let entries = try root.required("benchmarks").array()
        var c = Collected()
        for e in entries {
            _ = try e.object()
            let runType = try e.optional("run_type").map { try $0.string() } ?? "iteration"
            guard runType == "iteration" || runType == "aggregate" else {
                throw try e.required("run_type").error("expected \"iteration\" or \"aggregate\", found \"\(runType)\"")
            }
            let name = try (e.optional("run_name") ?? e.required("name")).string()
            guard !name.isEmpty else { throw e.error("empty benchmark name") }
            if let skipped = try e.optional("skipped"), (try? skipped.bool()) == true || (try? skipped.number()) ?? 0 > 0 {
                continue
            }
            if let failed = try e.optional("error_occurred"), try failed.bool() {
                c.touch(name)
                c.errors[name, default: 0] += 1
                continue
            }
            let aggregate = try e.optional("aggregate_name").map { try $0.string() }
            if runType == "aggregate", let aggregate {
                let stat: Statistic
                switch aggregate {
                case "mean": stat = .mean
                case "median": stat = .p50
                case "stddev": stat = .stddev
                default: continue  // BigO, RMS, cv, user-defined statistics
                }
                if let unit = try e.optional("aggregate_unit"), try unit.string() != "time" { continue }
                c.touch(name)
                for (metric, value, unit, direction) in try measurements(e) {
                    c.reported[name, default: [:]][metric, default: [:]][stat] = value
                    c.units[name, default: [:]][metric] = (unit, direction)
                }
                continue
            }
            c.touch(name)
            for (metric, value, unit, direction) in try measurements(e) {
                c.samples[name, default: [:]][metric, default: []].append(value)
                c.units[name, default: [:]][metric] = (unit, direction)
            }
            if let it = try e.optional("iterations") { c.iterations[name, default: 0] += try it.nonNegative() }
        }
        guard !c.order.isEmpty else { throw try root.required("benchmarks").error("no benchmark results") }
        for name in c.order {
            let metrics = Set((c.samples[name] ?? [:]).keys).union((c.reported[name] ?? [:]).keys)
            for metric in metrics.sorted() {
                let (unit, direction) = c.units[name]![metric]!
                var s = Microbench.series(
                    benchmark: name, metric: metric, unit: unit, direction: direction,
                    samples: c.samples[name]?[metric] ?? [], reported: c.reported[name]?[metric] ?? [:])
                if metric == Microbench.time {
                    if let it = c.iterations[name] { s.stats[Microbench.iterations] = it }
                    s.stats[.errors] = Double(c.errors[name] ?? 0)
                }
                run.series.append(s)
            }
            if metrics.isEmpty, let n = c.errors[name] {
                run.errors.append(ErrorResult(endpoint: name, message: "error_occurred", occurrences: n))
            }
        }
        run.series.sort { $0.key < $1.key }
        return run
    }

    /// `time`, `cpu_time` (per iteration, in ms) and the counters of one entry.
    private func measurements(_ e: JSONNode) throws -> [(String, Double, MetricUnit, Direction)] {
        let unitNode = try e.optional("time_unit")
        let unitText = try unitNode?.string() ?? "ns"
        guard ["ns", "us", "ms", "s"].contains(unitText) else {
            throw unitNode!.error("unknown time_unit \"\(unitText)\" (expected ns, us, ms or s)")
        }
        func ms(_ key: String) throws -> Double {
            MetricUnit.normalise(try e.required(key).nonNegative(), unit: unitText)!.0
        }
        var out: [(String, Double, MetricUnit, Direction)] = [
            (Microbench.time, try ms("real_time"), .milliseconds, .lowerIsBetter),
            (Microbench.cpuTime, try ms("cpu_time"), .milliseconds, .lowerIsBetter),
        ]
        for (key, value) in try e.members() where !Self.knownKeys.contains(key) {
            if value.isNull { continue }  // NaN/Infinity written bare by the library
            let v = try value.number()
            let direction = Microbench.direction(ofUnit: key)
            let unit: MetricUnit =
                direction == .higherIsBetter ? .perSecond : key.contains("bytes") ? .bytes : .none
            out.append((key, v, unit, direction))
        }
        return out
    }
}
