import Foundation
import PerfgateCore

/// The set of files one adapter reads for one run: the primary file and, for multi-file formats
/// (Locust's `--csv` set), companions keyed by role (`stats_history`, `failures`, `exceptions`).
public struct InputSet: Sendable {
    public var primary: InputFile
    public var companions: [String: InputFile]

    public init(primary: InputFile, companions: [String: InputFile] = [:]) {
        self.primary = primary
        self.companions = companions
    }

    /// Every file in the set, primary first, companions by role.
    public var allFiles: [InputFile] { [primary] + companions.keys.sorted().compactMap { companions[$0] } }
}

/// An input format reader. Adapters are pure: they read only through ``InputFile``, read no clock,
/// no environment and never touch the store.
public protocol ResultAdapter: Sendable {
    /// Cheap check used by auto-detection on the first (decompressed) bytes; must not throw.
    func sniff(head: [UInt8], fileName: String) -> Bool
    /// Parses the input into a normalised run, or throws an ``IngestError`` naming file and line/path.
    func parse(_ input: InputSet) throws -> IngestedRun
}

/// Every input format perfgate reads. The raw values are stable identifiers stored in the database.
public enum InputFormat: String, CaseIterable, Sendable, Codable {
    /// k6 `--summary-export` JSON (threshold booleans mean "failed").
    case k6Summary = "k6-summary"
    /// k6 `handleSummary` data written with `JSON.stringify(data)`.
    case k6HandleSummary = "k6-handle-summary"
    /// k6 `--out json` NDJSON points (plain or gzip).
    case k6JSON = "k6-json"
    /// k6 `--out csv` points (plain or gzip).
    case k6CSV = "k6-csv"
    /// Locust `--csv` set (`_stats`, `_stats_history`, `_failures`, `_exceptions`).
    case locustCSV = "locust-csv"
    /// Locust `--json` stdout or `--json-file` output.
    case locustJSON = "locust-json"
    // MARK: load tools (JMeter, Gatling, Artillery, wrk)
    /// JMeter CSV JTL (any save-service column set, header required; plain or gzip).
    case jmeterCSV = "jmeter-csv"
    /// JMeter XML JTL (`<httpSample>` / `<sample>`; plain or gzip).
    case jmeterXML = "jmeter-xml"
    /// JMeter HTML dashboard `statistics.json`.
    case jmeterStatistics = "jmeter-statistics"
    /// Gatling text `simulation.log` (3.0–3.12; plain or gzip).
    case gatlingLog = "gatling-log"
    /// Gatling report `js/stats.json` or `js/global_stats.json`.
    case gatlingJSON = "gatling-json"
    /// Artillery `run --output` JSON report (2.x and 1.x).
    case artilleryJSON = "artillery-json"
    /// wrk / wrk2 console output.
    case wrkText = "wrk"
    /// ApacheBench (`ab`) text report.
    case abText = "ab"
    /// ApacheBench `-e` percentage CSV.
    case abPercentiles = "ab-percentiles"
    /// ApacheBench `-g` gnuplot TSV (one row per request).
    case abGnuplot = "ab-gnuplot"
    /// hey text summary.
    case heyText = "hey"
    /// hey `-o csv` (one row per request).
    case heyCSV = "hey-csv"
    /// vegeta `report -type=json`.
    case vegetaReport = "vegeta-report"
    /// vegeta `encode --to json` (NDJSON, one result per line; plain or gzip).
    case vegetaEncode = "vegeta-json"
    /// vegeta `encode --to csv` (one result per record, no header; plain or gzip).
    case vegetaCSV = "vegeta-csv"
    // end of load tools
    /// perfgate's native JSON format (`schemas/perfgate-result.schema.json`).
    case native = "perfgate-json"
    /// Prometheus HTTP API `query_range` response: server-side series attached to a run.
    case prometheusQueryRange = "prometheus-query-range"

    // MARK: microbenchmarks (a series per benchmark; Adapters/Microbench.swift)
    /// hyperfine `--export-json`.
    case hyperfineJSON = "hyperfine-json"
    /// Go `testing` benchmark text (`go test -bench`, benchstat's input).
    case goBench = "go-bench"
    /// Google Benchmark `--benchmark_format=json` / `--benchmark_out_format=json`.
    case googleBenchmarkJSON = "google-benchmark-json"
    /// pytest-benchmark `--benchmark-json` and saved `.benchmarks/` files.
    case pytestBenchmarkJSON = "pytest-benchmark-json"
    /// Criterion.rs `target/criterion/<id>/new/estimates.json` (+ `sample.json`, `benchmark.json`).
    case criterion = "criterion"
    /// Criterion `--output-format bencher` / libtest `cargo bench` text lines.
    case bencherText = "bencher-text"
    /// ordo-one package-benchmark `--format metricP90AbsoluteThresholds` files.
    case packageBenchmarkP90 = "package-benchmark-p90"
    /// Bencher Metric Format JSON.
    case bmf = "bmf"

    /// The adapter for this format.
    public var adapter: any ResultAdapter {
        switch self {
        case .k6Summary: K6SummaryAdapter()
        case .k6HandleSummary: K6HandleSummaryAdapter()
        case .k6JSON: K6PointsAdapter()
        case .k6CSV: K6CSVAdapter()
        case .locustCSV: LocustCSVAdapter()
        case .locustJSON: LocustJSONAdapter()
        // load tools
        case .jmeterCSV: JMeterCSVAdapter()
        case .jmeterXML: JMeterXMLAdapter()
        case .jmeterStatistics: JMeterStatisticsAdapter()
        case .gatlingLog: GatlingLogAdapter()
        case .gatlingJSON: GatlingStatsAdapter()
        case .artilleryJSON: ArtilleryAdapter()
        case .wrkText: WrkTextAdapter()
        case .abText: ApacheBenchTextAdapter()
        case .abPercentiles: ApacheBenchPercentilesAdapter()
        case .abGnuplot: ApacheBenchGnuplotAdapter()
        case .heyText: HeyTextAdapter()
        case .heyCSV: HeyCSVAdapter()
        case .vegetaReport: VegetaReportAdapter()
        case .vegetaEncode: VegetaEncodeAdapter()
        case .vegetaCSV: VegetaCSVAdapter()
        case .native: NativeJSONAdapter()
        case .prometheusQueryRange: PrometheusQueryRangeAdapter()
        // microbenchmarks
        case .hyperfineJSON: HyperfineAdapter()
        case .goBench: GoBenchAdapter()
        case .googleBenchmarkJSON: GoogleBenchmarkAdapter()
        case .pytestBenchmarkJSON: PytestBenchmarkAdapter()
        case .criterion: CriterionAdapter()
        case .bencherText: BencherTextAdapter()
        case .packageBenchmarkP90: PackageBenchmarkAdapter()
        case .bmf: BMFAdapter()
        }
    }

    /// One line for `--help`.
    public var summary: String {
        switch self {
        case .k6Summary: "k6 --summary-export JSON"
        case .k6HandleSummary: "k6 handleSummary JSON"
        case .k6JSON: "k6 --out json NDJSON (.gz ok)"
        case .k6CSV: "k6 --out csv (.gz ok)"
        case .locustCSV: "Locust --csv set (_stats.csv + siblings)"
        case .locustJSON: "Locust --json / --json-file"
        // load tools
        case .jmeterCSV: "JMeter CSV JTL (.gz ok)"
        case .jmeterXML: "JMeter XML JTL (.gz ok)"
        case .jmeterStatistics: "JMeter dashboard statistics.json"
        case .gatlingLog: "Gatling text simulation.log, 3.0-3.12 (.gz ok)"
        case .gatlingJSON: "Gatling js/stats.json or js/global_stats.json"
        case .artilleryJSON: "Artillery --output JSON report"
        case .wrkText: "wrk / wrk2 console output"
        case .abText: "ApacheBench (ab) report"
        case .abPercentiles: "ab -e percentage CSV"
        case .abGnuplot: "ab -g per-request TSV"
        case .heyText: "hey summary"
        case .heyCSV: "hey -o csv"
        case .vegetaReport: "vegeta report -type=json"
        case .vegetaEncode: "vegeta encode --to json (.gz ok)"
        case .vegetaCSV: "vegeta encode --to csv (.gz ok)"
        case .native: "perfgate native JSON"
        case .prometheusQueryRange: "Prometheus query_range JSON (server-side metrics, attached to a run)"
        // microbenchmarks
        case .hyperfineJSON: "hyperfine --export-json"
        case .goBench: "go test -bench text (benchstat input)"
        case .googleBenchmarkJSON: "Google Benchmark JSON"
        case .pytestBenchmarkJSON: "pytest-benchmark JSON"
        case .criterion: "Criterion.rs estimates.json (+ sample.json)"
        case .bencherText: "Criterion --output-format bencher / cargo bench text"
        case .packageBenchmarkP90: "package-benchmark metricP90AbsoluteThresholds JSON"
        case .bmf: "Bencher Metric Format (BMF) JSON"
        }
    }

    /// Detects the format of `file` from its first bytes. Throws `unknownFormat` when nothing (or
    /// more than one adapter) claims it.
    public static func detect(_ file: InputFile) throws -> InputFormat {
        let head = file.head()
        if head.isEmpty {
            if file.byteSize == nil, case .path = file.backing {
                _ = try file.makeReader()  // surfaces missing/unreadable
            }
            throw IngestError.at(file.displayPath, line: 1, column: 1, "file is empty")
        }
        let name = file.fileName
        // The four k6 shapes come from one classifier: run it once, not once per k6 format.
        let k6 = K6Shape.classify(head)
        let claims = allCases.filter { format in
            switch format {
            case .k6Summary: k6 == .summaryExport
            case .k6HandleSummary: k6 == .handleSummary
            case .k6JSON: k6 == .points
            case .k6CSV: k6 == .csv
            default: format.adapter.sniff(head: head, fileName: name)
            }
        }
        guard claims.count == 1, let format = claims.first else {
            if claims.count > 1 { throw IngestError.ambiguousFormat(path: file.displayPath, formats: claims) }
            throw IngestError.unknownFormat(path: file.displayPath, looksLike: ContentSketch.describe(head: head))
        }
        return format
    }
}

/// Helpers for sniffers.
enum Sniff {
    /// The head as sniffers read it (they only look for markers).
    static func text(_ head: [UInt8]) -> SniffText { SniffText(bytes: head) }

    /// First non-whitespace byte.
    static func firstByte(_ head: [UInt8]) -> UInt8? {
        var i = 0
        // Skip a UTF-8 BOM.
        if head.count >= 3 && head[0] == 0xEF && head[1] == 0xBB && head[2] == 0xBF { i = 3 }
        while i < head.count {
            let b = head[i]
            if b != 32 && b != 9 && b != 10 && b != 13 { return b }
            i += 1
        }
        return nil
    }

    /// The first line, without terminator.
    static func firstLine(_ head: [UInt8]) -> String {
        var line = head.prefix { $0 != 10 }
        if line.last == 13 { line = line.dropLast() }
        var s = String(decoding: line, as: UTF8.self)
        if s.hasPrefix("\u{FEFF}") { s.removeFirst() }
        return s
    }
}

/// A file's head as the sniffers read it. Every format's sniffer runs on every file, so marker
/// searches compare bytes: Foundation's `String.contains` goes through NSString and UTF-16 and was a
/// quarter of a small file's ingest (ci/bench-small.sh).
struct SniffText {
    let bytes: [UInt8]

    /// The head decoded lossily, for sniffers that read it line by line.
    var string: String { String(decoding: bytes, as: UTF8.self) }

    func contains(_ marker: String) -> Bool {
        firstOffset(of: marker, from: 0) != nil
    }

    func hasPrefix(_ marker: String) -> Bool { bytes.starts(with: marker.utf8) }

    /// True when some `"key"` is followed by optional whitespace, a colon, optional whitespace and
    /// `valuePrefix`: the regular expression `"key"\s*:\s*valuePrefix` without a regex engine.
    func hasMember(_ key: String, valuePrefix: String) -> Bool {
        let quotedKey = "\"" + key + "\""
        let value = Array(valuePrefix.utf8)
        var from = 0
        while let at = firstOffset(of: quotedKey, from: from) {
            var i = at + quotedKey.utf8.count
            i = skipSpace(i)
            if i < bytes.count, bytes[i] == UInt8(ascii: ":") {
                i = skipSpace(i + 1)
                if bytes[i...].starts(with: value) { return true }
            }
            from = at + 1
        }
        return false
    }

    /// True when the head opens as `{ "<name>": { "<name>": { "<key>": <number>, … }`, every key of the
    /// innermost object one of `keys` and every value a plain number (`-?[0-9][0-9.eE+-]*`): the structure
    /// of Bencher's metric format, checked without a regex engine. Blanks are JSON's four.
    func opensWithTwoNamedObjectsOfNumbers(keys: [String]) -> Bool {
        var i = skipSpace(0)
        func expect(_ byte: Character) -> Bool {
            guard i < bytes.count, bytes[i] == byte.asciiValue! else { return false }
            i = skipSpace(i + 1)
            return true
        }
        /// A string (any escape but a line break after a backslash); its bytes, and `i` after the closing quote.
        func string() -> ArraySlice<UInt8>? {
            guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") else { return nil }
            var j = i + 1
            while j < bytes.count {
                switch bytes[j] {
                case UInt8(ascii: "\""):
                    defer { i = skipSpace(j + 1) }
                    return bytes[(i + 1)..<j]
                case UInt8(ascii: "\\"):
                    guard j + 1 < bytes.count, bytes[j + 1] != 10, bytes[j + 1] != 13 else { return nil }
                    j += 2
                default:
                    j += 1
                }
            }
            return nil
        }
        func number() -> Bool {
            if i < bytes.count, bytes[i] == UInt8(ascii: "-") { i += 1 }
            guard i < bytes.count, (48...57).contains(bytes[i]) else { return false }
            while i < bytes.count, (48...57).contains(bytes[i]) || "+-.eE".utf8.contains(bytes[i]) { i += 1 }
            i = skipSpace(i)
            return true
        }
        for _ in 0..<2 {
            guard expect("{"), string() != nil, expect(":") else { return false }
        }
        guard expect("{") else { return false }
        repeat {
            guard let key = string(), keys.contains(String(decoding: key, as: UTF8.self)), expect(":"), number() else { return false }
        } while expect(",")
        return expect("}")
    }

    private func skipSpace(_ start: Int) -> Int {
        var i = start
        while i < bytes.count, bytes[i] == 32 || bytes[i] == 9 || bytes[i] == 10 || bytes[i] == 13 { i += 1 }
        return i
    }

    private func firstOffset(of marker: String, from start: Int) -> Int? {
        var marker = marker
        return marker.withUTF8 { needle -> Int? in
            guard let first = needle.first else { return start }
            return bytes.withUnsafeBufferPointer { hay -> Int? in
                guard let base = hay.baseAddress else { return nil }
                var i = start
                let last = hay.count - needle.count
                while i <= last {
                    guard let hit = memchr(base + i, Int32(first), last - i + 1) else { return nil }
                    let at = UnsafeRawPointer(base).distance(to: UnsafeRawPointer(hit))
                    if memcmp(base + at, needle.baseAddress!, needle.count) == 0 { return at }
                    i = at + 1
                }
                return nil
            }
        }
    }
}
