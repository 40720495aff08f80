import Foundation

/// What a file that no adapter claims looks like, in a few words, for "unknown result format" and
/// "skipped …: not a result file" lines: `CSV with header "a,b,c"`, `JSON with top-level keys "x", "y"`,
/// `NDJSON`, `text`, `binary data`. Reads only the sniffed head.
public enum ContentSketch {
    public static func describe(head: [UInt8]) -> String {
        if head.isEmpty { return "an empty file" }
        if let known = recognisedLoadTool(head) { return known }
        if head.contains(0) || String(validatingUTF8CString: head) == nil { return "binary data" }
        let text = Sniff.text(head).string
        let first = Sniff.firstByte(head)
        // microbenchmarks: tool outputs that summarise or compare runs rather than hold one
        if let micro = microbenchmarkSketch(text) { return micro }
        if first == UInt8(ascii: "{") {
            let lines = text.split(separator: "\n", omittingEmptySubsequences: true)
            if lines.count > 1, let l0 = lines.first, l0.hasSuffix("}"), let l1 = lines.dropFirst().first, l1.hasPrefix("{") {
                return "NDJSON (one JSON object per line) with keys " + quoted(topLevelKeys(Array(l0.utf8)))
            }
            let keys = topLevelKeys(head)
            return keys.isEmpty ? "a JSON object" : "JSON with top-level keys " + quoted(keys)
        }
        if first == UInt8(ascii: "[") { return "a JSON array" }
        let line = Sniff.firstLine(head)
        for sep: Character in [",", ";", "\t"] {
            let fields = line.split(separator: sep, omittingEmptySubsequences: false)
            let secondLine = text.split(separator: "\n").dropFirst().first.map(String.init) ?? ""
            if fields.count >= 3, secondLine.isEmpty || secondLine.split(separator: sep, omittingEmptySubsequences: false).count == fields.count {
                let header = line.count > 80 ? String(line.prefix(80)) + "…" : line
                return (sep == "\t" ? "TSV" : "CSV") + " with header \"\(header)\""
            }
        }
        if text.hasPrefix("<?xml") || first == UInt8(ascii: "<") { return "XML or HTML" }
        return "text"
    }

    /// benchstat's comparison tables (text or `-format csv`) and other microbenchmark outputs that
    /// are not one run: what they are and the file to ingest instead.
    static func microbenchmarkSketch(_ text: String) -> String? {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: true).prefix(40)
        let benchstatText = lines.contains { $0.contains("│") && ($0.contains("sec/op") || $0.contains("vs base")) }
        let benchstatCSV = lines.contains { $0.hasPrefix(",sec/op,") || $0.hasPrefix(",B/op,") || $0.hasPrefix(",B/s,") }
        if benchstatText || benchstatCSV {
            let inputs = benchstatInputs(text.split(separator: "\n")[...], csv: benchstatCSV)
            let read = inputs.isEmpty ? "the `go test -bench` output it read" : "the `go test -bench` files it read (\(inputs.joined(separator: ", ")))"
            return "benchstat output (\(benchstatCSV ? "-format csv" : "text")): medians and confidence intervals comparing runs, without the samples a run needs: ingest \(read) (format go-bench)"
        }
        let first = lines.first.map(String.init) ?? ""
        let compact = text.filter { !$0.isWhitespace }
        if first.hasPrefix("{") && first.contains("\"Action\"") && (first.contains("\"Package\"") || first.contains("\"Time\"")) {
            return "`go test -json` events without benchmark results (format go-bench reads them when they hold `Benchmark…` output)"
        }
        if first.hasPrefix("command,mean,stddev,median,user,system,min,max") {
            return "hyperfine --export-csv (aggregates only): export with --export-json instead (format hyperfine-json)"
        }
        if first.hasPrefix("name,iterations,real_time,cpu_time,time_unit") {
            return "Google Benchmark CSV output: write --benchmark_out_format=json instead (format google-benchmark-json)"
        }
        if first.hasPrefix("group,function,value,throughput_num,throughput_type,sample_measured_value") {
            return "Criterion's raw.csv: ingest the benchmark's directory (new/estimates.json with sample.json, format criterion)"
        }
        if compact.hasPrefix("[{") && compact.contains("\"primaryMetric\"") && compact.contains("\"benchmark\"") {
            return "JMH JSON (package-benchmark --format jmh), not read yet: export --format metricP90AbsoluteThresholds (format package-benchmark-p90)"
        }
        return nil
    }

    /// The column labels of a benchstat table (its input files, or the names given with `-col`),
    /// in order: the first header row of each text table (`│ crc-old.txt │`), or the first row of a
    /// CSV table (`,old.txt,,new.txt,,,`).
    static func benchstatInputs(_ lines: ArraySlice<Substring>, csv: Bool) -> [String] {
        var labels: [String] = []
        func add<S: StringProtocol>(_ fields: [S]) {
            for f in fields.map({ $0.trimmingCharacters(in: .whitespaces) }) where !f.isEmpty && !labels.contains(f) { labels.append(f) }
        }
        if csv {
            if let row = lines.first(where: { $0.hasPrefix(",") }) { add(row.split(separator: ",")) }
            return labels
        }
        var previousWasHeader = false
        for line in lines {
            let isHeader = line.trimmingCharacters(in: .whitespaces).hasPrefix("│")
            if isHeader && !previousWasHeader { add(line.split(separator: "│")) }
            previousWasHeader = isHeader
        }
        return labels
    }

    // MARK: load tools

    /// Files of load tools that perfgate recognises but does not read, with the way forward.
    static func recognisedLoadTool(_ head: [UInt8]) -> String? {
        // Gatling 3.13+ binary simulation.log: record 0 (RUN), a big-endian length, the version.
        if head.count >= 8, head[0] == 0, head[1] == 0, head[2] == 0, head[3] == 0, head[4] > 0, head[4] < 32,
            head.count >= 5 + Int(head[4]),
            let version = String(bytes: head[5..<(5 + Int(head[4]))], encoding: .ascii),
            version.first?.isNumber == true, version.allSatisfy({ $0.isNumber || $0 == "." || $0.isLetter || $0 == "-" })
        {
            return "a Gatling binary simulation.log (version \(version); Gatling 3.13+ writes a binary log perfgate does not "
                + "read): ingest the report's js/stats.json or js/global_stats.json instead (Gatling up to 3.13.4), or a "
                + "simulation.log from Gatling 3.12 or older"
        }
        let text = Sniff.text(head)
        if Sniff.firstByte(head) == UInt8(ascii: "{"), text.contains("\"simulationId\""), text.contains("\"assertions\"") {
            return "a Gatling assertions.json (assertion outcomes, no measurements): ingest js/stats.json or simulation.log of the same run"
        }
        if text.hasPrefix("<testsuite"), text.contains("tests=") {
            return "a JUnit XML file (Gatling's js/assertions.xml or a test report; no measurements): ingest the run's result file instead"
        }
        return nil
    }

    static func quoted(_ keys: [String]) -> String {
        let shown = keys.prefix(8).map { "\"\($0)\"" }.joined(separator: ", ")
        return keys.count > 8 ? shown + ", … (\(keys.count) keys)" : shown
    }

    /// Keys of the outermost object, in order of appearance, from a possibly truncated document.
    static func topLevelKeys(_ bytes: [UInt8]) -> [String] {
        var keys: [String] = []
        var depth = 0
        var inString = false
        var escaped = false
        var start = 0
        var expectKey = false
        for (i, b) in bytes.enumerated() {
            if inString {
                if escaped { escaped = false }
                else if b == UInt8(ascii: "\\") { escaped = true }
                else if b == UInt8(ascii: "\"") {
                    inString = false
                    if depth == 1 && expectKey {
                        keys.append(String(decoding: bytes[(start + 1)..<i], as: UTF8.self))
                        expectKey = false
                    }
                }
                continue
            }
            switch b {
            case UInt8(ascii: "\""):
                inString = true
                start = i
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                depth += 1
                if depth == 1 { expectKey = true }
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                depth -= 1
            case UInt8(ascii: ","):
                if depth == 1 { expectKey = true }
            default: break
            }
        }
        return keys
    }
}

extension String {
    /// Non-nil when `bytes` are valid UTF-8 (a cut multi-byte sequence at the very end is allowed).
    init?(validatingUTF8CString bytes: [UInt8]) {
        var b = bytes
        for _ in 0..<4 {
            if let s = String(bytes: b, encoding: .utf8) {
                self = s
                return
            }
            guard !b.isEmpty, b.last! >= 0x80 else { return nil }
            b.removeLast()
        }
        return nil
    }
}
