import Foundation
import PerfgateCore

/// Go `testing` benchmark text (`go test -bench . [-benchmem] [-count N]`; the Go benchmark data
/// format of golang.org/design/14313, which benchstat reads; docs/microbenchmarks.md):
///
///     goos: linux
///     pkg: index/suffixarray
///     BenchmarkNew/text=opticks/size=100K/bits=32-8   295   4052123 ns/op   24.68 MB/s   401490 B/op   2 allocs/op
///
/// Each benchmark (its name without the `-GOMAXPROCS` suffix, qualified by `pkg` only when the file
/// holds several packages) gets one series per unit, and every result line is one sample (with
/// `-count N`, N samples, as benchstat uses them): `ns/op` → `time` (ms), `B/op` → `bytes_per_op`,
/// `allocs/op` → `allocs_per_op`, `MB/s` → `bytes_per_second` (higher is better), any other unit
/// (`b.ReportMetric`) → a series named by the unit, higher is better when it ends in `/s`.
/// `key: value` configuration lines become run tags when the whole file agrees on them. Other
/// lines (`PASS`, `ok`, test logs) are skipped, as benchstat does.
public struct GoBenchAdapter: ResultAdapter {
    public init() {}

    public func sniff(head: [UInt8], fileName: String) -> Bool {
        let text = Sniff.text(head)
        if Self.isTest2JSON(head) { return text.contains("\"Output\":\"Benchmark") }
        guard text.contains("Benchmark") else { return false }
        for line in text.string.split(separator: "\n").prefix(200) where line.hasPrefix("Benchmark") {
            let f = Self.fields(line)
            if f.count >= 4, Int(f[1]) != nil, Double(f[2]) != nil { return true }
        }
        return false
    }

    static func fields<S: StringProtocol>(_ line: S) -> [Substring] {
        line.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" }).map { Substring($0) }
    }

    struct Measurement {
        var samples: [Double] = []
        var iterations = 0.0
        var unit: String
    }

    /// `go test -json` (test2json) events: NDJSON objects with `Action` (and `Package`, `Time`).
    static func isTest2JSON(_ head: [UInt8]) -> Bool {
        guard Sniff.firstByte(head) == UInt8(ascii: "{") else { return false }
        let first = Sniff.firstLine(head)
        return first.contains("\"Action\"") && (first.contains("\"Package\"") || first.contains("\"Time\""))
    }

    /// The text `go test` printed, from its `-json` events: the `Output` of `output` events, per
    /// package in order (test2json may split one printed line over several events), each package's
    /// text starting with its `pkg:` line.
    static func test2JSONText(_ data: Data, file: String) throws -> String {
        var order: [String] = []
        var outputs: [String: String] = [:]
        var lineNumber = 0
        for line in data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            lineNumber += 1
            if line.allSatisfy({ $0 == 32 || $0 == 9 || $0 == 13 }) { continue }
            let event: JSONNode
            do {
                event = try JSONNode.parse(Data(line), file: file)
            } catch {
                throw IngestError.at(file, line: lineNumber, "not a go test -json event (invalid JSON)")
            }
            guard let action = try? event.required("Action").string() else {
                throw IngestError.at(file, line: lineNumber, "not a go test -json event (no \"Action\")")
            }
            guard action == "output", let output = try event.optional("Output") else { continue }
            let package = (try event.optional("Package")?.string()) ?? ""
            if outputs[package] == nil {
                order.append(package)
                outputs[package] = package.isEmpty ? "" : "pkg: \(package)\n"
            }
            outputs[package]! += try output.string()
        }
        return order.map { outputs[$0]! }.joined(separator: "\n")
    }

    public func parse(_ input: InputSet) throws -> IngestedRun {
        let file = input.primary
        let data = try file.readAll()
        let text: String
        if Self.isTest2JSON([UInt8](data.prefix(4096))) {
            text = try Self.test2JSONText(data, file: file.displayPath)
        } else if let plain = String(data: data, encoding: .utf8) {
            text = plain
        } else {
            throw IngestError.at(file.displayPath, "file is not valid UTF-8")
        }
        var config: [String: String] = [:]
        var configValues: [String: Set<String>] = [:]
        // (pkg, name, unit) in order of first appearance.
        var order: [(pkg: String, name: String, unit: String)] = []
        var found: [String: Measurement] = [:]
        var lineNumber = 0
        for rawLine in text.split(separator: "\n", omittingEmptySubsequences: false) {
            lineNumber += 1
            let line = rawLine.hasSuffix("\r") ? rawLine.dropLast() : rawLine
            if let colon = line.firstIndex(of: ":"), Self.isConfigKey(line[..<colon]) {
                let key = String(line[..<colon])
                let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
                config[key] = value
                configValues[key, default: []].insert(value)
                continue
            }
            guard line.hasPrefix("Benchmark") else { continue }
            let f = Self.fields(line)
            // A name alone (a benchmark that logged before its result) or log text: not a result.
            guard f.count >= 2, let iterations = Int(f[1]) else { continue }
            let pairs = f.dropFirst(2)
            guard !pairs.isEmpty else {
                throw IngestError.at(file.displayPath, line: lineNumber, "benchmark result without a value and unit")
            }
            guard pairs.count % 2 == 0 else {
                throw IngestError.at(
                    file.displayPath, line: lineNumber, "value without a unit: \"\(pairs.last!)\" (expected value-unit pairs)")
            }
            let name = Self.stripProcs(String(f[0]))
            var i = pairs.startIndex
            while i < pairs.endIndex {
                let valueText = pairs[i]
                let unit = String(pairs[i + 1])
                guard let value = Double(valueText), value.isFinite else {
                    throw IngestError.at(
                        file.displayPath, line: lineNumber, "\"\(valueText)\" is not a number (before unit \"\(unit)\")")
                }
                let pkg = config["pkg"] ?? ""
                let id = pkg + "\u{0}" + name + "\u{0}" + unit
                if found[id] == nil {
                    found[id] = Measurement(unit: unit)
                    order.append((pkg, name, unit))
                }
                found[id]!.samples.append(value)
                found[id]!.iterations += Double(iterations)
                i += 2
            }
        }
        guard !order.isEmpty else {
            throw IngestError.at(
                file.displayPath, line: 1,
                "no Go benchmark result lines (\"BenchmarkName-8  1000  123 ns/op\")")
        }
        let qualify = Set(order.map(\.pkg)).count > 1
        var run = IngestedRun(tool: "go", format: InputFormat.goBench.rawValue)
        for key in configValues.keys.sorted() where configValues[key]!.count == 1 {
            run.tags[key] = configValues[key]!.first!
        }
        for (pkg, name, unit) in order {
            let m = found[pkg + "\u{0}" + name + "\u{0}" + unit]!
            let benchmark = qualify && !pkg.isEmpty ? pkg + "." + name : name
            let (metric, canonical, direction) = Self.metric(unit)
            var series = Microbench.series(
                benchmark: benchmark, metric: metric, unit: canonical, direction: direction,
                samples: m.samples.map { Self.convert($0, unit: unit) })
            series.stats[Microbench.iterations] = m.iterations
            run.series.append(series)
        }
        run.series.sort { $0.key < $1.key }
        return run
    }

    /// Series name, canonical unit and direction of a Go benchmark unit.
    static func metric(_ unit: String) -> (String, MetricUnit, Direction) {
        switch unit {
        case "ns/op": return (Microbench.time, .milliseconds, .lowerIsBetter)
        case "B/op": return (Microbench.bytesPerOp, .bytes, .lowerIsBetter)
        case "allocs/op": return (Microbench.allocsPerOp, .count, .lowerIsBetter)
        case "MB/s": return (Microbench.bytesPerSecond, .perSecond, .higherIsBetter)
        default: return (unit, .none, Microbench.direction(ofUnit: unit))
        }
    }

    /// A value of `unit` in its series' canonical unit (ns → ms; MB/s → bytes/s, Go's MB being 10^6 bytes).
    static func convert(_ value: Double, unit: String) -> Double {
        switch unit {
        case "ns/op": return MetricUnit.normalise(value, unit: "ns")!.0
        case "MB/s": return value * 1e6
        default: return value
        }
    }

    /// A configuration key: starts with a lower-case letter, no spaces or upper-case letters.
    static func isConfigKey(_ key: Substring) -> Bool {
        guard let first = key.first, first.isLowercase, first.isLetter else { return false }
        return key.allSatisfy { !$0.isWhitespace && !$0.isUppercase }
    }

    /// `BenchmarkX/sub-8` → `BenchmarkX/sub`: the `-GOMAXPROCS` suffix differs between machines.
    static func stripProcs(_ name: String) -> String {
        guard let dash = name.lastIndex(of: "-") else { return name }
        let digits = name[name.index(after: dash)...]
        guard !digits.isEmpty, digits.allSatisfy(\.isASCII), digits.allSatisfy(\.isNumber) else { return name }
        return String(name[..<dash])
    }
}
