import Foundation
import PerfgateCore

/// perfgate's own result format, version 1 (`docs/native-format.md`,
/// `schemas/perfgate-result.schema.json`): run metadata, aggregates, raw samples or histograms, and
/// any custom metric with its unit and direction. Read strictly: an unknown key is an error naming
/// its JSON path, with a suggestion when a known key is close.
public enum NativeJSON {
    /// The newest version this perfgate reads and the one it writes.
    public static let version = 1
    /// Written as `$schema` first in every exported file (sorted keys put it first), so a file is
    /// recognised even when long arrays push `format` beyond the sniffed head.
    public static let schemaID = "urn:perfgate:schema:result:1"

    /// The commit a native file names (`commit`); the CLI turns it into its own commit record.
    public struct Commit: Sendable, Hashable {
        public var sha: String
        public var branch: String?
        public var time: Date?
        public var parent: String?

        public init(sha: String, branch: String? = nil, time: Date? = nil, parent: String? = nil) {
            self.sha = sha
            self.branch = branch
            self.time = time
            self.parent = parent
        }
    }

    /// A decoded native file: the run plus what ``IngestedRun`` leaves to the caller.
    public struct Document: Sendable, Hashable {
        public var run: IngestedRun
        public var commit: Commit?
        public var environment: String?
    }

    static let topKeys = [
        "$schema", "format", "version", "tool", "toolVersion", "scenario", "environment", "commit", "startedAt",
        "durationSeconds", "load", "tags", "series", "thresholds", "checks", "errors", "timeline",
    ]
    static let seriesKeys = ["endpoint", "metric", "unit", "direction", "stats", "samples", "histogram"]

    /// Statistics whose values are not in the series unit (never unit-converted).
    static let unitlessStats: Set<Statistic> = [.count, .errors, .passes, .fails, .errorRate, .rate, .throughput]
    /// Statistics perfgate computes and stores with a run, which an exported run carries
    /// (docs/drift.md, docs/server-metrics.md): the drift fit (fractions of the level per hour, signed;
    /// its points and seconds) is never unit-converted; `growth_per_hour` is in the series unit, signed.
    static let derivedStats: [String: Statistic] = Dictionary(
        uniqueKeysWithValues: [
            Drift.slope, Drift.low, Drift.high, Drift.points, Drift.seconds, ServerMetrics.growthPerHour, SteadyState.warmUp,
            SteadyState.start, SteadyState.seconds, SteadyState.status,
        ].map { ($0.rawValue, $0) })

    // MARK: decoding

    /// Collects the errors of one file so that one run reports all of them.
    final class Problems {
        var errors: [IngestError] = []

        /// Runs `body`; an error is recorded and gives nil (JSONNode throws only ``IngestError``).
        func attempt<T>(_ body: () throws -> T) -> T? {
            do {
                return try body()
            } catch let e as IngestError {
                if case .several(let inner) = e { errors += inner } else { errors.append(e) }
                return nil
            } catch {
                errors.append(.malformed(SourceLocation(file: ""), "\(error)"))
                return nil
            }
        }
    }

    /// Decodes a native file, reporting every problem in one pass (an ``IngestError/several(_:)``
    /// when there are more than one). Only a file that is not a perfgate file at all — invalid JSON,
    /// no `"format": "perfgate"`, a newer version — stops at the first error.
    public static func decode(_ input: InputFile) throws -> Document {
        try decode(JSONNode.parse(try input.readAll(), file: input.displayPath))
    }

    /// Decodes a native document already parsed, such as one run of a history file (errors then
    /// name that file and the run's JSON path).
    public static func decode(_ root: JSONNode) throws -> Document {
        _ = try root.object()
        let p = Problems()
        // Problems are counted and capped when printed (Diagnostic.printLimit); every one is kept.
        p.errors += try root.unknownKeys(topKeys)
        let format = try root.required("format")
        guard try format.string() == "perfgate" else {
            throw format.error("expected \"perfgate\", found \"\(try format.string())\"")
        }
        let versionNode = try root.required("version")
        let v = try versionNode.number()
        guard v == v.rounded(), v >= 1 else { throw versionNode.error("expected a whole version number ≥ 1, found \(v)") }
        guard v <= Double(version) else {
            throw versionNode.error(
                "this file is perfgate native format version \(Int(v)); this perfgate reads version \(version) only: upgrade perfgate to read it"
            )
        }
        p.attempt { if let s = try root.optional("$schema") { _ = try s.string() } }

        var run = IngestedRun(tool: p.attempt { try nonEmpty(try root.required("tool")) } ?? "", format: InputFormat.native.rawValue)
        run.toolVersion = p.attempt { try root.optional("toolVersion")?.string() } ?? nil
        run.scenario = p.attempt { try root.optional("scenario")?.string() } ?? nil
        let environment = p.attempt { try root.optional("environment")?.string() } ?? nil
        var commit: Commit?
        p.attempt {
            guard let c = try root.optional("commit") else { return }
            _ = try c.object()
            p.errors += try c.unknownKeys(["sha", "branch", "time", "parent"])
            let sha = p.attempt { () throws -> String in
                let shaNode = try c.required("sha")
                let sha = try shaNode.string()
                guard isSha(sha) else { throw shaNode.error("expected 7–64 hexadecimal characters, found \"\(sha)\"") }
                return sha
            }
            let parent = p.attempt { () throws -> String? in
                guard let pn = try c.optional("parent") else { return nil }
                let parent = try pn.string()
                guard isSha(parent) else { throw pn.error("expected 7–64 hexadecimal characters") }
                return parent
            } ?? nil
            let branch = p.attempt { try c.optional("branch")?.string() } ?? nil
            let time = p.attempt { try c.optional("time").map(date) } ?? nil
            if let sha { commit = Commit(sha: sha, branch: branch, time: time, parent: parent) }
        }
        run.startedAt = p.attempt { try root.optional("startedAt").map(date) } ?? nil
        run.durationSeconds = p.attempt { try root.optional("durationSeconds")?.nonNegative() } ?? nil
        p.attempt {
            guard let load = try root.optional("load") else { return }
            p.errors += try load.unknownKeys(["vus", "maxVUs"])
            run.load = LoadProfile(
                vus: p.attempt { try load.optional("vus").map(count) } ?? nil,
                maxVUs: p.attempt { try load.optional("maxVUs").map(count) } ?? nil)
        }
        p.attempt {
            guard let tags = try root.optional("tags") else { return }
            for (k, n) in try tags.members() { p.attempt { run.tags[k] = try n.string() } }
        }
        var seen: [SeriesKey: String] = [:]
        p.attempt {
            for node in try root.required("series").array() {
                guard let s = p.attempt({ try series(node, problems: p) }) ?? nil else { continue }
                if let first = seen[s.key] {
                    p.errors.append(node.error("duplicate series \"\(s.key)\" (first at \(first))"))
                    continue
                }
                seen[s.key] = node.path
                run.series.append(s)
            }
        }
        p.attempt {
            for node in try root.optional("thresholds")?.array() ?? [] {
                p.attempt {
                    p.errors += try node.unknownKeys(["metric", "expression", "passed"])
                    run.thresholds.append(
                        ThresholdResult(
                            metric: try nonEmpty(try node.required("metric")),
                            expression: try node.required("expression").string(), passed: try node.required("passed").bool()))
                }
            }
        }
        p.attempt {
            for node in try root.optional("checks")?.array() ?? [] {
                p.attempt {
                    p.errors += try node.unknownKeys(["group", "name", "passes", "fails"])
                    run.checks.append(
                        CheckResult(
                            group: try node.optional("group")?.string() ?? "", name: try node.required("name").string(),
                            passes: try count(try node.required("passes")), fails: try count(try node.required("fails"))))
                }
            }
        }
        p.attempt {
            for node in try root.optional("errors")?.array() ?? [] {
                p.attempt {
                    p.errors += try node.unknownKeys(["endpoint", "message", "occurrences"])
                    run.errors.append(
                        ErrorResult(
                            endpoint: try node.optional("endpoint")?.string() ?? "", message: try node.required("message").string(),
                            occurrences: try count(try node.required("occurrences"))))
                }
            }
        }
        run.timeline = p.attempt { try root.optional("timeline").map { try timeline($0, problems: p) } } ?? nil
        if p.errors.count == 1 { throw p.errors[0] }
        if p.errors.count > 1 { throw IngestError.several(p.errors) }
        return Document(run: run, commit: commit, environment: environment)
    }

    /// The optional `timeline`: bucket width, start of bucket 0, and buckets per endpoint.
    static func timeline(_ node: JSONNode, problems p: Problems) throws -> RunTimeline {
        p.errors += try node.unknownKeys(["bucketSeconds", "offsetSeconds", "buckets"])
        let widthNode = try node.required("bucketSeconds")
        let width = try widthNode.number()
        guard width > 0 else { throw widthNode.error("expected a positive number of seconds, found \(width)") }
        let offset = try node.optional("offsetSeconds")?.number() ?? 0
        var buckets: [TimelineBucket] = []
        var seen: Set<String> = []
        for b in try node.required("buckets").array() {
            p.attempt {
                p.errors += try b.unknownKeys(["endpoint", "index", "requests", "errors", "p50", "p95", "users"])
                let bucket = TimelineBucket(
                    endpoint: try b.optional("endpoint")?.string() ?? "", index: try count(try b.required("index")),
                    requests: try b.required("requests").nonNegative(), errors: try b.required("errors").nonNegative(),
                    p50: try b.optional("p50")?.nonNegative(), p95: try b.optional("p95")?.nonNegative(),
                    users: try b.optional("users")?.nonNegative())
                guard seen.insert("\(bucket.index) \(bucket.endpoint)").inserted else {
                    throw b.error("duplicate bucket \(bucket.index) of \"\(bucket.endpoint)\"")
                }
                buckets.append(bucket)
            }
        }
        return RunTimeline(bucketSeconds: width, offsetSeconds: offset, buckets: buckets)
    }

    /// One series; problems are added to `problems`, and nil is returned when the series is unusable.
    static func series(_ node: JSONNode, problems p: Problems = Problems()) throws -> SeriesResult? {
        _ = try node.object()
        let before = p.errors.count
        p.errors += try node.unknownKeys(seriesKeys)
        let endpoint = p.attempt { try node.optional("endpoint")?.string() ?? "" }
        let metric = p.attempt { try nonEmpty(try node.required("metric")) }
        let unitNode = try node.required("unit")
        let unitText = try unitNode.string()
        guard let (factor, unit) = MetricUnit.normalise(1, unit: unitText) else {
            let known = ["ms", "s", "us", "ns", "B", "KB", "MB", "GB", "count", "/s", "%", "ratio", ""]
            var message = "unknown unit \"\(unitText)\" (use one of: \(known.map { "\"\($0)\"" }.joined(separator: ", ")))"
            if let hint = StrictKeys.suggestion(for: unitText, among: known) { message += "; did you mean \"\(hint)\"?" }
            throw unitNode.error(message)
        }
        let direction = p.attempt { () throws -> Direction in
            let directionNode = try node.required("direction")
            guard let direction = Direction(rawValue: try directionNode.string()) else {
                throw directionNode.error("expected \"lower\" or \"higher\", found \"\(try directionNode.string())\"")
            }
            return direction
        }
        var result = SeriesResult(
            key: SeriesKey(endpoint: endpoint ?? "", metric: metric ?? ""), unit: unit, direction: direction ?? .lowerIsBetter)
        let mustBeNonNegative = unit == .milliseconds || unit == .bytes || unit == .count || unit == .perSecond
        // A percentage is stored as a fraction ("%": 53 → 0.53), the unit budgets write "70%" in.

        if let statsNode = try node.optional("stats") {
            for (key, valueNode) in try statsNode.members() {
                p.attempt {
                    if let derived = Self.derivedStats[key] {
                        let value = try valueNode.number()
                        result.stats[derived] = derived == ServerMetrics.growthPerHour ? value * factor : value
                        return
                    }
                    // A steady-state statistic (`steady_p95`) is read by the rules of the one it stands for.
                    let windowed = SteadyState.base(of: Statistic(rawValue: key)).map { (Statistic(rawValue: key), $0) }
                    guard let (stored, stat) = windowed ?? Statistic.parse(key).map({ ($0, $0) }), stored.rawValue == key else {
                        var message = "unknown statistic \"\(key)\""
                        if let stat = Statistic.parse(key) {
                            message += "; write it as \"\(stat.rawValue)\""
                        } else if let hint = StrictKeys.suggestion(for: key, among: canonicalStatNames) {
                            message += "; did you mean \"\(hint)\"?"
                        }
                        throw valueNode.error(message)
                    }
                    var value = try valueNode.number()
                    if unitlessStats.contains(stat) {
                        guard value >= 0 else { throw valueNode.error("\(key) cannot be negative, found \(value)") }
                        if stat == .errorRate || stat == .rate, value > 1 {
                            throw valueNode.error("\(key) is a fraction in 0…1, found \(value) (write 1% as 0.01)")
                        }
                    } else {
                        guard !(mustBeNonNegative || stat == .stddev) || value >= 0 else {
                            throw valueNode.error("\(key) cannot be negative in unit \"\(unitText)\", found \(value)")
                        }
                        value *= factor
                    }
                    result.stats[stored] = value
                }
            }
        }
        let samplesNode = try node.optional("samples")
        let histogramNode = try node.optional("histogram")
        if samplesNode != nil && histogramNode != nil {
            throw node.error("give either \"samples\" or \"histogram\", not both")
        }
        if let samplesNode {
            var values: [Double] = []
            for n in try samplesNode.array() {
                let v = try n.number()
                guard v >= 0 else { throw n.error("samples cannot be negative (a distribution holds values ≥ 0), found \(v)") }
                values.append(v * factor)
            }
            guard !values.isEmpty else { throw samplesNode.error("samples is empty; leave it out instead") }
            var d = Distribution()
            for v in values { d.record(v) }
            result.distribution = d
            let sorted = values.sorted()
            var computed: [Statistic: Double] = [
                .count: Double(sorted.count), .mean: sorted.reduce(0, +) / Double(sorted.count), .min: sorted[0],
                .max: sorted[sorted.count - 1],
            ]
            for p in [0.50, 0.90, 0.95, 0.99] {
                computed[.percentile(p * 100)] = Stats.Percentile.type7(sorted: sorted, p)
            }
            result.stats.merge(computed) { given, _ in given }
        }
        if let histogramNode {
            try histogramNode.requireOnlyKeys(["buckets"])
            var d = Distribution()
            for pair in try histogramNode.required("buckets").array() {
                let items = try pair.array()
                guard items.count == 2 else { throw pair.error("expected [value, count], found \(items.count) items") }
                let v = try items[0].nonNegative() * factor
                let c = try items[1].number()
                guard c == c.rounded(), c >= 1, c < 9e15 else {
                    throw items[1].error("expected a whole count ≥ 1, found \(c)")
                }
                guard d.record(v, count: UInt64(c)) else { throw items[0].error("value \(v) cannot be recorded") }
            }
            guard !d.isEmpty else { throw histogramNode.error("histogram has no buckets; leave it out instead") }
            result.distribution = d
            if result.stats[.count] == nil { result.stats[.count] = Double(d.count) }
        }
        if result.stats.isEmpty && result.distribution == nil && p.errors.count == before {
            throw node.error("a series needs \"stats\", \"samples\" or \"histogram\"")
        }
        return p.errors.count == before ? result : nil
    }

    static let canonicalStatNames = [
        "count", "mean", "min", "max", "stddev", "value", "errors", "error_rate", "throughput", "rate", "passes", "fails",
        "p50", "p90", "p95", "p99", "p99.9",
    ]

    static func nonEmpty(_ node: JSONNode) throws -> String {
        let s = try node.string()
        guard !s.isEmpty else { throw node.error("must not be empty") }
        return s
    }

    static func count(_ node: JSONNode) throws -> Int {
        let d = try node.nonNegative()
        guard d == d.rounded(), d < 9e15 else { throw node.error("expected a whole number, found \(d)") }
        return Int(d)
    }

    static func isSha(_ s: String) -> Bool { (7...64).contains(s.count) && s.allSatisfy(\.isHexDigit) }

    // MARK: RFC 3339

    static func date(_ node: JSONNode) throws -> Date {
        let text = try node.string()
        guard let d = parseDate(text) else {
            throw node.error("expected an RFC 3339 time such as \"2026-05-01T12:00:00Z\", found \"\(text)\"")
        }
        return d
    }

    /// RFC 3339 `date-time` with any number of fraction digits and a `Z` or `±hh:mm` offset.
    static func parseDate(_ text: String) -> Date? {
        let chars = Array(text)
        guard chars.count >= 20, chars[10] == "T" || chars[10] == "t" || chars[10] == " " else { return nil }
        var i = 19
        var fraction = ""
        if chars[i] == "." {
            i += 1
            while i < chars.count, chars[i].isASCII, chars[i].isNumber {
                fraction.append(chars[i])
                i += 1
            }
            guard !fraction.isEmpty else { return nil }
        }
        let zone = String(chars[i...]).uppercased()
        let base = String(chars[0..<10]) + "T" + String(chars[11..<19]) + zone
        guard let whole = ISO8601Formatters.internet.date(from: base) else { return nil }
        let frac = fraction.isEmpty ? 0 : Double("0." + fraction) ?? 0
        return Date(timeIntervalSinceReferenceDate: whole.timeIntervalSinceReferenceDate + frac)
    }

    /// RFC 3339 in UTC, with as many fraction digits as needed to read back the same `Date`.
    static func formatDate(_ date: Date) -> String {
        let r = date.timeIntervalSinceReferenceDate
        let whole = r.rounded(.down)
        let frac = r - whole
        var s = ISO8601Formatters.internet.string(from: Date(timeIntervalSinceReferenceDate: whole))
        guard frac > 0 else { return s }
        var digits = "\(frac)"
        if digits.contains("e") || !digits.hasPrefix("0.") {
            digits = String(format: "%.9f", frac)
        }
        s.removeLast()  // "Z"
        return s + String(digits.dropFirst(1)) + "Z"
    }

    // MARK: encoding

    /// The run as a native file: pretty, sorted keys, units written out, distributions as histogram
    /// buckets. Reads back through ``NativeJSONAdapter`` to the same ``IngestedRun``.
    /// Non-finite statistics (never produced by an adapter) are left out.
    public static func encode(_ run: IngestedRun, commit: Commit? = nil, environment: String? = nil) -> Data {
        let doc = EncodedRun(
            schema: schemaID, format: "perfgate", version: version, tool: run.tool, toolVersion: run.toolVersion,
            scenario: run.scenario, environment: environment,
            commit: commit.map {
                EncodedCommit(sha: $0.sha, branch: $0.branch, time: $0.time.map(formatDate), parent: $0.parent)
            },
            startedAt: run.startedAt.map(formatDate), durationSeconds: run.durationSeconds,
            load: run.load.vus == nil && run.load.maxVUs == nil ? nil : EncodedLoad(vus: run.load.vus, maxVUs: run.load.maxVUs),
            tags: run.tags.isEmpty ? nil : run.tags,
            series: run.series.map { s in
                let stats = s.stats.filter { $0.value.isFinite }
                return EncodedSeries(
                    endpoint: s.key.endpoint.isEmpty ? nil : s.key.endpoint, metric: s.key.metric, unit: s.unit.rawValue,
                    direction: s.direction.rawValue,
                    stats: stats.isEmpty ? nil : Dictionary(uniqueKeysWithValues: stats.map { ($0.key.rawValue, $0.value) }),
                    histogram: s.distribution.map { d in
                        EncodedHistogram(buckets: d.buckets.map { EncodedBucket(value: $0.value, count: $0.count) })
                    })
            },
            thresholds: run.thresholds.isEmpty
                ? nil : run.thresholds.map { EncodedThreshold(metric: $0.metric, expression: $0.expression, passed: $0.passed) },
            checks: run.checks.isEmpty
                ? nil
                : run.checks.map { EncodedCheck(group: $0.group.isEmpty ? nil : $0.group, name: $0.name, passes: $0.passes, fails: $0.fails) },
            errors: run.errors.isEmpty
                ? nil
                : run.errors.map {
                    EncodedError(endpoint: $0.endpoint.isEmpty ? nil : $0.endpoint, message: $0.message, occurrences: $0.occurrences)
                },
            timeline: run.timeline.map { t in
                EncodedTimeline(
                    bucketSeconds: t.bucketSeconds, offsetSeconds: t.offsetSeconds,
                    buckets: t.buckets.map {
                        EncodedTimelineBucket(
                            endpoint: $0.endpoint.isEmpty ? nil : $0.endpoint, index: $0.index, requests: $0.requests,
                            errors: $0.errors, p50: $0.p50, p95: $0.p95, users: $0.users)
                    })
            })
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        var data = (try? encoder.encode(doc)) ?? Data()
        data.append(UInt8(ascii: "\n"))
        return data
    }

    struct EncodedRun: Encodable {
        var schema: String
        var format: String
        var version: Int
        var tool: String
        var toolVersion: String?
        var scenario: String?
        var environment: String?
        var commit: EncodedCommit?
        var startedAt: String?
        var durationSeconds: Double?
        var load: EncodedLoad?
        var tags: [String: String]?
        var series: [EncodedSeries]
        var thresholds: [EncodedThreshold]?
        var checks: [EncodedCheck]?
        var errors: [EncodedError]?
        var timeline: EncodedTimeline?

        enum CodingKeys: String, CodingKey {
            case schema = "$schema"
            case format, version, tool, toolVersion, scenario, environment, commit, startedAt, durationSeconds, load,
                tags, series, thresholds, checks, errors, timeline
        }
    }

    struct EncodedTimeline: Encodable {
        var bucketSeconds: Double
        var offsetSeconds: Double
        var buckets: [EncodedTimelineBucket]
    }

    struct EncodedTimelineBucket: Encodable {
        var endpoint: String?
        var index: Int
        var requests: Double
        var errors: Double
        var p50: Double?
        var p95: Double?
        var users: Double?
    }
    struct EncodedCommit: Encodable {
        var sha: String
        var branch: String?
        var time: String?
        var parent: String?
    }
    struct EncodedLoad: Encodable {
        var vus: Int?
        var maxVUs: Int?
    }
    struct EncodedSeries: Encodable {
        var endpoint: String?
        var metric: String
        var unit: String
        var direction: String
        var stats: [String: Double]?
        var histogram: EncodedHistogram?
    }
    struct EncodedHistogram: Encodable { var buckets: [EncodedBucket] }
    struct EncodedBucket: Encodable {
        var value: Double
        var count: UInt64
        func encode(to encoder: any Encoder) throws {
            var c = encoder.unkeyedContainer()
            try c.encode(value)
            try c.encode(count)
        }
    }
    struct EncodedThreshold: Encodable {
        var metric: String
        var expression: String
        var passed: Bool
    }
    struct EncodedCheck: Encodable {
        var group: String?
        var name: String
        var passes: Int
        var fails: Int
    }
    struct EncodedError: Encodable {
        var endpoint: String?
        var message: String
        var occurrences: Int
    }
}
