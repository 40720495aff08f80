import Foundation
import PerfgateCore

/// ordo-one package-benchmark's `--format metricP90AbsoluteThresholds` files (docs/microbenchmarks.md):
/// `<target>.<benchmark>.p90.json` holding `{ "<metric>": <p90 as an integer>, … }`.
///
/// The file carries no name, so the benchmark is taken from the name package-benchmark gives the
/// file (the target becomes the run tag `target`); detection is by content (every key a
/// package-benchmark metric, every value a number). Each metric is a series with its `p90`: time
/// metrics (`wallClock`, `cpuUser`, `cpuSystem`, `cpuTotal`) in nanoseconds → ms, memory and I/O
/// byte metrics in bytes, `throughput` per second (higher is better), the rest counts.
public struct PackageBenchmarkAdapter: ResultAdapter {
    public init() {}

    static let timeMetrics: Set<String> = ["cpuUser", "cpuSystem", "cpuTotal", "wallClock"]
    static let byteMetrics: Set<String> = [
        "peakMemoryResident", "peakMemoryResidentDelta", "peakMemoryVirtual", "allocatedResidentMemory",
        "memoryLeaked", "readBytesLogical", "writeBytesLogical", "readBytesPhysical", "writeBytesPhysical",
    ]
    static let countMetrics: Set<String> = [
        "mallocCountSmall", "mallocCountLarge", "mallocCountTotal", "syscalls", "contextSwitches", "threads",
        "threadsRunning", "readSyscalls", "writeSyscalls", "instructions", "retainCount", "releaseCount",
        "retainReleaseDelta", "objectAllocCount",
    ]
    static var knownMetrics: Set<String> { timeMetrics.union(byteMetrics).union(countMetrics).union(["throughput"]) }

    public func sniff(head: [UInt8], fileName: String) -> Bool {
        guard Sniff.firstByte(head) == UInt8(ascii: "{") else { return false }
        let keys = ContentSketch.topLevelKeys(head)
        guard !keys.isEmpty, keys.allSatisfy(Self.knownMetrics.contains) else { return false }
        // Values are plain numbers: no nested object or array.
        let text = Sniff.text(head)
        return text.bytes.filter { $0 == UInt8(ascii: "{") }.count == 1 && !text.contains("[")
    }

    public func parse(_ input: InputSet) throws -> IngestedRun {
        let file = input.primary
        let root = try JSONNode.parse(try file.readAll(), file: file.displayPath)
        let fileName = file.fileName
        let suffix = ".p90.json"
        guard fileName.hasSuffix(suffix), let dot = fileName.firstIndex(of: "."),
            fileName.distance(from: dot, to: fileName.endIndex) > suffix.count + 1
        else {
            throw IngestError.at(
                file.displayPath,
                "cannot tell the benchmark's name: a metricP90AbsoluteThresholds file holds only metrics; keep the name package-benchmark gave it (<target>.<benchmark>.p90.json)")
        }
        let target = String(fileName[..<dot])
        let benchmark = String(fileName[fileName.index(after: dot)..<fileName.index(fileName.endIndex, offsetBy: -suffix.count)])
        var run = IngestedRun(tool: "package-benchmark", format: InputFormat.packageBenchmarkP90.rawValue)
        run.tags["target"] = target
        for (metric, node) in try root.members() {
            let value = try node.nonNegative()
            let (unit, direction, canonical): (MetricUnit, Direction, Double) =
                if Self.timeMetrics.contains(metric) {
                    (.milliseconds, .lowerIsBetter, MetricUnit.normalise(value, unit: "ns")!.0)
                } else if Self.byteMetrics.contains(metric) {
                    (.bytes, .lowerIsBetter, value)
                } else if metric == "throughput" {
                    (.perSecond, .higherIsBetter, value)
                } else {
                    (.count, .lowerIsBetter, value)
                }
            run.series.append(
                SeriesResult(
                    key: SeriesKey(endpoint: benchmark, metric: metric), unit: unit, direction: direction,
                    stats: [.p90: canonical]))
        }
        guard !run.series.isEmpty else { throw root.error("no metrics") }
        return run
    }
}

/// Bencher Metric Format (BMF) JSON, what `bencher run` and its adapters produce:
/// `{"<benchmark>": {"<measure>": {"value": v, "lower_value"?: l, "upper_value"?: u}}}`.
///
/// Each benchmark and measure is a series whose `mean` is `value`, with `lower_value` and
/// `upper_value` kept as statistics of those names. Bencher's built-in measures are normalised:
/// `latency` (nanoseconds) is `time` in ms, `build-time` (seconds) is `build_time` in ms,
/// `file-size` is `file_size` in bytes, `throughput` is per second and higher is better. Other
/// measures keep their slug, unit-less, higher is better when the slug names a throughput or rate.
public struct BMFAdapter: ResultAdapter {
    public init() {}

    /// The keys of a measure object.
    static let measureKeys = ["value", "lower_value", "upper_value"]

    public func sniff(head: [UInt8], fileName: String) -> Bool {
        guard Sniff.firstByte(head) == UInt8(ascii: "{") else { return false }
        let text = Sniff.text(head)
        // `{ "<benchmark>": { "<measure>": { "value": v[, "lower_value": l][, "upper_value": u] }`: the
        // first measure object holds only those keys (a k6 gauge's `{"value", "min", "max"}` does not).
        return !text.contains("\"root_group\"") && text.opensWithTwoNamedObjectsOfNumbers(keys: Self.measureKeys)
    }

    public func parse(_ input: InputSet) throws -> IngestedRun {
        let file = input.primary
        let root = try JSONNode.parse(Microbench.nullingNonFinite(try file.readAll()), file: file.displayPath)
        var run = IngestedRun(tool: "bencher", format: InputFormat.bmf.rawValue)
        for (benchmark, measures) in try root.members() {
            guard !benchmark.isEmpty else { throw measures.error("empty benchmark name") }
            for (measure, node) in try measures.members() {
                try node.requireOnlyKeys(Self.measureKeys)
                let (metric, unit, direction, convert) = Self.measure(measure)
                var stats: [Statistic: Double] = [.mean: convert(try node.required("value").number())]
                for key in ["lower_value", "upper_value"] {
                    if let bound = try node.optional(key) { stats[Statistic(rawValue: key)] = convert(try bound.number()) }
                }
                if let lo = stats[Statistic(rawValue: "lower_value")], let hi = stats[Statistic(rawValue: "upper_value")], lo > hi {
                    throw node.error("lower_value (\(lo)) is above upper_value (\(hi))")
                }
                run.series.append(
                    SeriesResult(
                        key: SeriesKey(endpoint: benchmark, metric: metric), unit: unit, direction: direction, stats: stats))
            }
        }
        guard !run.series.isEmpty else { throw root.error("no benchmarks") }
        run.series.sort { $0.key < $1.key }
        return run
    }

    static func measure(_ slug: String) -> (String, MetricUnit, Direction, @Sendable (Double) -> Double) {
        switch slug {
        case "latency": return (Microbench.time, .milliseconds, .lowerIsBetter, { MetricUnit.normalise($0, unit: "ns")!.0 })
        case "build-time": return ("build_time", .milliseconds, .lowerIsBetter, { MetricUnit.normalise($0, unit: "s")!.0 })
        case "file-size": return ("file_size", .bytes, .lowerIsBetter, { $0 })
        case "throughput": return ("throughput", .perSecond, .higherIsBetter, { $0 })
        default:
            let higher = slug.contains("throughput") || Microbench.direction(ofUnit: slug) == .higherIsBetter
            return (slug, .none, higher ? .higherIsBetter : .lowerIsBetter, { $0 })
        }
    }
}
