import Foundation
import PerfgateCore

/// Criterion.rs on-disk results (docs/microbenchmarks.md): `target/criterion/<id>/new/estimates.json`
/// with its siblings `sample.json` and `benchmark.json` (companions `sample` and `benchmark`, found
/// beside it by `ingest`).
///
/// `estimates.json` holds bootstrap estimates in nanoseconds per iteration: `mean`, `median`,
/// `std_dev`, `median_abs_dev`, `slope` (capitalised `Mean`, `Median`, `StdDev`, … before 0.3.3),
/// each `{"point_estimate", "standard_error", "confidence_interval"}`. The benchmark is
/// `benchmark.json`'s `full_id`, else the directories between `criterion/` and `new/` (or `base/`).
/// Its `time` series has Criterion's mean, median (`p50`) and standard deviation, and, from
/// `sample.json` (`{"iters", "times"}`, or `[[iters…], [times…]]` before 0.3.3), one time per sample
/// (`times[i] / iters[i]`) with `iters` summed as `iterations`. A `sample.json` given alone is read
/// the same way without the estimates.
///
/// The other files of a benchmark directory given on their own stand for the run they belong to
/// (``runSet(for:)``): `benchmark.json` and `tukey.json` for the `estimates.json` beside them,
/// `change/estimates.json` (relative changes between two runs, not a run) for `../new/estimates.json`.
/// When that file is not there, the error names the path to pass.
public struct CriterionAdapter: ResultAdapter {
    public init() {}

    public func sniff(head: [UInt8], fileName: String) -> Bool {
        let text = Sniff.text(head)
        switch Sniff.firstByte(head) {
        case UInt8(ascii: "{"):
            if text.contains("\"point_estimate\"") && text.contains("\"confidence_interval\"") {
                return text.contains("\"mean\"") || text.contains("\"Mean\"")
            }
            if Self.benchmarkIDKeys.allSatisfy({ text.contains("\"\($0)\"") }) { return true }
            return text.contains("\"sampling_mode\"") && text.contains("\"iters\"") && text.contains("\"times\"")
        case UInt8(ascii: "["):
            let compact = text.string.filter { !$0.isWhitespace }
            if Self.isTukey(compact) { return true }
            // Pre-0.3.3 sample.json: two arrays of numbers.
            return compact.hasPrefix("[[") && compact.dropFirst(2).first.map { $0.isNumber } == true
                && compact.contains("],[")
        default:
            return false
        }
    }

    /// The keys of Criterion's `benchmark.json` (the benchmark's id, no measurements).
    static let benchmarkIDKeys = ["group_id", "function_id", "full_id", "directory_name"]

    /// `tukey.json`: Tukey's four outlier fences, `[low severe, low mild, high mild, high severe]`.
    static func isTukey(_ compact: String) -> Bool {
        guard compact.hasPrefix("["), compact.hasSuffix("]"), !compact.hasPrefix("[[") else { return false }
        let numbers = compact.dropFirst().dropLast().split(separator: ",", omittingEmptySubsequences: false).map { Double($0) }
        return numbers.count == 4 && numbers.allSatisfy { $0 != nil } && zip(numbers, numbers.dropFirst()).allSatisfy { $0! <= $1! }
    }

    /// What a `benchmark.json`, `tukey.json` or `change/estimates.json` given alone stands for: the
    /// run's `estimates.json` with its `sample.json` and `benchmark.json` siblings; nil for any other
    /// file. Throws, naming the path to pass, when that `estimates.json` is not there.
    public static func runSet(for input: InputSet) throws -> InputSet? {
        let primary = input.primary
        let head = primary.head()
        let compact = Sniff.text(head).string.filter { !$0.isWhitespace }
        let dirName = ((primary.displayPath as NSString).deletingLastPathComponent as NSString).lastPathComponent
        let what: String
        let runDir: String?  // the run's directory beside the file's (nil: the file's own)
        if compact.hasPrefix("{") && benchmarkIDKeys.allSatisfy({ compact.contains("\"\($0)\"") }) {
            (what, runDir) = ("benchmark.json (the benchmark's id, no measurements)", nil)
        } else if isTukey(compact) {
            (what, runDir) = ("tukey.json (outlier fences, no measurements)", nil)
        } else if primary.fileName == "estimates.json" && dirName == "change" {
            (what, runDir) = ("change/estimates.json (relative changes between two runs, not a run)", "new")
        } else {
            return nil
        }
        func resolve(_ path: String) -> String {
            var dir = (path as NSString).deletingLastPathComponent
            if let runDir { dir = ((dir as NSString).deletingLastPathComponent as NSString).appendingPathComponent(runDir) }
            return (dir as NSString).appendingPathComponent("estimates.json")
        }
        let display = resolve(primary.displayPath)
        guard case .path(let path) = primary.backing, FileManager.default.fileExists(atPath: resolve(path)) else {
            throw IngestError.at(
                primary.displayPath,
                "this is Criterion's \(what); its run is \(display), which is not there: ingest that file (or the benchmark's directory) once `cargo bench` has written it")
        }
        var set = InputSet(primary: InputFile(path: resolve(path), displayPath: display))
        for (name, role) in [("sample.json", "sample"), ("benchmark.json", "benchmark")] {
            let sibling = ((resolve(path) as NSString).deletingLastPathComponent as NSString).appendingPathComponent(name)
            let shown = ((display as NSString).deletingLastPathComponent as NSString).appendingPathComponent(name)
            if FileManager.default.fileExists(atPath: sibling) { set.companions[role] = InputFile(path: sibling, displayPath: shown) }
        }
        return set
    }

    static let estimateKeys: [(new: String, old: String, stat: Statistic)] = [
        ("mean", "Mean", .mean), ("median", "Median", .p50), ("std_dev", "StdDev", .stddev),
    ]

    public func parse(_ input: InputSet) throws -> IngestedRun {
        if input.companions.isEmpty, let set = try Self.runSet(for: input) { return try parse(set) }
        let primary = input.primary
        let root = try JSONNode.parse(try primary.readAll(), file: primary.displayPath)
        var run = IngestedRun(tool: "criterion", format: InputFormat.criterion.rawValue)
        var reported: [Statistic: Double] = [:]
        var samples: (values: [Double], iterations: Double)?
        if root.asObject?["iters"] != nil || root.asArray != nil {
            samples = try Self.samples(root)
        } else {
            let keys = try root.keys()
            let isChange = !keys.contains { ["std_dev", "StdDev", "median_abs_dev", "MedianAbsDev"].contains($0) }
            if isChange {
                throw root.error(
                    "this is Criterion's change/estimates.json (relative changes between two runs), not a run: ingest new/estimates.json beside sample.json")
            }
            for (new, old, stat) in Self.estimateKeys {
                guard let node = try root.optional(new) ?? root.optional(old) else {
                    throw IngestError.at(primary.displayPath, path: new, "missing required key")
                }
                reported[stat] = MetricUnit.normalise(try node.required("point_estimate").nonNegative(), unit: "ns")!.0
            }
            if let sampleFile = input.companions["sample"] {
                samples = try Self.samples(try JSONNode.parse(try sampleFile.readAll(), file: sampleFile.displayPath))
            }
        }
        let name = try Self.benchmarkName(input)
        var series = Microbench.series(
            benchmark: name, metric: Microbench.time, unit: .milliseconds, direction: .lowerIsBetter,
            samples: samples?.values ?? [], reported: reported)
        if let samples { series.stats[Microbench.iterations] = samples.iterations }
        run.series = [series]
        return run
    }

    /// Per-iteration times (ms) and the total iteration count of a `sample.json`.
    static func samples(_ node: JSONNode) throws -> (values: [Double], iterations: Double) {
        let iters: [JSONNode]
        let times: [JSONNode]
        if node.asArray != nil {
            let parts = try node.array()
            guard parts.count == 2 else { throw node.error("expected [[iters…], [times…]], found \(parts.count) arrays") }
            (iters, times) = (try parts[0].array(), try parts[1].array())
        } else {
            try node.requireOnlyKeys(["sampling_mode", "iters", "times"])
            (iters, times) = (try node.required("iters").array(), try node.required("times").array())
        }
        guard iters.count == times.count, !iters.isEmpty else {
            throw node.error("\(iters.count) iteration counts for \(times.count) times")
        }
        var values: [Double] = []
        var total = 0.0
        for (i, t) in zip(iters, times) {
            let n = try i.nonNegative()
            guard n > 0 else { throw i.error("an iteration count must be positive") }
            values.append(MetricUnit.normalise(try t.nonNegative() / n, unit: "ns")!.0)
            total += n
        }
        return (values, total)
    }

    /// `benchmark.json`'s `full_id`, else the path between `criterion/` and `new/`/`base/`.
    static func benchmarkName(_ input: InputSet) throws -> String {
        if let file = input.companions["benchmark"] {
            let node = try JSONNode.parse(try file.readAll(), file: file.displayPath)
            let id = try node.required("full_id").string()
            if !id.isEmpty { return id }
        }
        var parts = input.primary.displayPath.split(separator: "/").map(String.init).dropLast()
        if let last = parts.last, ["new", "base"].contains(last) { parts = parts.dropLast() }
        if let i = parts.lastIndex(of: "criterion") { parts = parts[(i + 1)...] }
        guard let name = parts.last.map({ _ in parts.joined(separator: "/") }), !name.isEmpty else {
            throw IngestError.at(
                input.primary.displayPath,
                "cannot tell the benchmark's name: give the file as target/criterion/<benchmark>/new/estimates.json (or beside benchmark.json)")
        }
        return name
    }
}

/// Criterion's `--output-format bencher` text (also libtest's `cargo bench`):
/// `test <name> ... bench: <median> ns/iter (+/- <deviation>)`. The value is the median (`p50`);
/// the deviation is Criterion's standard deviation (`stddev`; libtest prints max − min there).
/// Thousands separators are allowed. Other lines (warnings, blank lines) are skipped.
public struct BencherTextAdapter: ResultAdapter {
    public init() {}

    public func sniff(head: [UInt8], fileName: String) -> Bool {
        let text = Sniff.text(head)
        // Every bencher line has the marker: most files are turned away by one byte search.
        guard text.contains(" ... bench:") else { return false }
        return text.string.split(separator: "\n").prefix(200).contains { Self.match($0) != nil }
    }

    /// (name, value, unit, deviation) of a bencher line.
    static func match<S: StringProtocol>(_ line: S) -> (String, String, String, String)? {
        guard line.hasPrefix("test "), let dots = line.range(of: " ... bench:") else { return nil }
        let name = String(line[line.index(line.startIndex, offsetBy: 5)..<dots.lowerBound])
        let rest = line[dots.upperBound...].split(separator: " ", omittingEmptySubsequences: true)
        // <value> <unit>/iter (+/- <dev>)
        guard rest.count >= 4, rest[1].hasSuffix("/iter"), rest[2] == "(+/-", rest[3].hasSuffix(")") else { return nil }
        return (name, String(rest[0]), String(rest[1].dropLast("/iter".count)), String(rest[3].dropLast()))
    }

    public func parse(_ input: InputSet) throws -> IngestedRun {
        let file = input.primary
        guard let text = String(data: try file.readAll(), encoding: .utf8) else {
            throw IngestError.at(file.displayPath, "file is not valid UTF-8")
        }
        var run = IngestedRun(tool: "criterion", format: InputFormat.bencherText.rawValue)
        var seen: [String: Int] = [:]
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.hasSuffix("\r") ? raw.dropLast() : raw
            guard let (name, valueText, unit, devText) = Self.match(line) else {
                if line.hasPrefix("test ") && line.contains(" ... bench:") {
                    throw IngestError.at(file.displayPath, line: index + 1, "expected \"bench: <value> ns/iter (+/- <deviation>)\"")
                }
                continue
            }
            func number(_ s: String) throws -> Double {
                guard let v = Double(s.replacingOccurrences(of: ",", with: "")), v.isFinite, v >= 0 else {
                    throw IngestError.at(file.displayPath, line: index + 1, "\"\(s)\" is not a number")
                }
                return v
            }
            guard let (value, canonical) = MetricUnit.normalise(try number(valueText), unit: unit),
                canonical == .milliseconds
            else {
                throw IngestError.at(file.displayPath, line: index + 1, "unknown time unit \"\(unit)\" (expected ns, us, ms or s)")
            }
            if let first = seen[name] {
                throw IngestError.at(file.displayPath, line: index + 1, "benchmark \"\(name)\" appears twice (first on line \(first))")
            }
            seen[name] = index + 1
            let dev = MetricUnit.normalise(try number(devText), unit: unit)!.0
            run.series.append(
                SeriesResult(
                    key: SeriesKey(endpoint: name, metric: Microbench.time), unit: .milliseconds, direction: .lowerIsBetter,
                    stats: [.p50: value, .stddev: dev]))
        }
        guard !run.series.isEmpty else {
            throw IngestError.at(file.displayPath, line: 1, "no \"test <name> ... bench: <value> ns/iter\" lines")
        }
        run.series.sort { $0.key < $1.key }
        return run
    }
}
