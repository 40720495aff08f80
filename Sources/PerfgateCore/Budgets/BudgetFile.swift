import Foundation

/// The budget file exactly as written: a raw `Codable` mirror of `budgets.json` (version 1), with
/// optionals wherever the file may omit a key. ``validate()`` turns it into a ``BudgetSet``.
///
/// Decoding is the first of two steps (STYLE.md §6.8): ``decode(_:file:)`` checks the JSON syntax
/// (`file:line:col: error: invalid JSON`), the version, and the JSON types (`at budgets[0].weight:
/// expected a number, found "high"`). Keys the format does not know are not thrown here; they are
/// recorded in `unknownKeys` so that ``validate()`` reports all of them with the file's other problems.
public struct BudgetFile: Codable, Sendable, Hashable {
    /// The only version this perfgate reads and writes.
    public static let currentVersion = 1
    /// The `$schema` URL written by `budgets dump --effective`; any `$schema` value is accepted and ignored.
    public static let schemaURL = "https://perfgate.dev/schemas/budgets.schema.json"

    public var schema: String?
    public var version: Int?
    public var requireBaseline: Bool?
    public var baseline: Baseline?
    public var statistics: Statistics?
    public var score: Score?
    /// `capacity`: rules on the capacity curve of a campaign (docs/capacity.md).
    public var capacity: CapacityRules?
    /// Rule fields applied to every budget of the same metric (`metric`, default `http_req_duration`).
    public var defaults: Entry?
    public var budgets: [Entry]?

    /// The display path used in diagnostics; not part of the file.
    public var file: String = "budgets.json"
    /// Keys of the top-level object that the format does not know.
    public var unknownKeys: [UnknownKey] = []

    enum CodingKeys: String, CodingKey, CaseIterable {
        case schema = "$schema", version, requireBaseline, baseline, statistics, score, capacity, defaults, budgets
    }

    public init(
        schema: String? = nil, version: Int? = BudgetFile.currentVersion, requireBaseline: Bool? = nil,
        baseline: Baseline? = nil, statistics: Statistics? = nil, score: Score? = nil, defaults: Entry? = nil,
        budgets: [Entry]? = nil, file: String = "budgets.json", capacity: CapacityRules? = nil
    ) {
        self.capacity = capacity
        self.schema = schema
        self.version = version
        self.requireBaseline = requireBaseline
        self.baseline = baseline
        self.statistics = statistics
        self.score = score
        self.defaults = defaults
        self.budgets = budgets
        self.file = file
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let sink = BudgetDecodeProblems.of(decoder)
        schema = try c.lenient(String.self, forKey: .schema, sink)
        version = try c.lenientInteger(forKey: .version, sink)
        requireBaseline = try c.lenient(Bool.self, forKey: .requireBaseline, sink)
        baseline = try c.lenient(Baseline.self, forKey: .baseline, sink)
        statistics = try c.lenient(Statistics.self, forKey: .statistics, sink)
        score = try c.lenient(Score.self, forKey: .score, sink)
        capacity = try c.lenient(CapacityRules.self, forKey: .capacity, sink)
        defaults = try c.lenient(Entry.self, forKey: .defaults, sink)
        budgets = try c.lenientArray(Entry.self, forKey: .budgets, placeholder: Entry(), sink)
        unknownKeys = try UnknownKey.collect(decoder, known: CodingKeys.self)
    }

    /// `baseline`: where the baseline comes from.
    public struct Baseline: Codable, Sendable, Hashable {
        public var branch: String?
        public var strategy: String?
        public var window: Int?
        public var aggregate: String?
        public var allowEnvironmentMismatch: Bool?
        public var unknownKeys: [UnknownKey] = []

        enum CodingKeys: String, CodingKey, CaseIterable {
            case branch, strategy, window, aggregate, allowEnvironmentMismatch
        }

        public init(
            branch: String? = nil, strategy: String? = nil, window: Int? = nil, aggregate: String? = nil,
            allowEnvironmentMismatch: Bool? = nil
        ) {
            self.branch = branch
            self.strategy = strategy
            self.window = window
            self.aggregate = aggregate
            self.allowEnvironmentMismatch = allowEnvironmentMismatch
        }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            let sink = BudgetDecodeProblems.of(decoder)
            branch = try c.lenient(String.self, forKey: .branch, sink)
            strategy = try c.lenient(String.self, forKey: .strategy, sink)
            window = try c.lenientInteger(forKey: .window, sink)
            aggregate = try c.lenient(String.self, forKey: .aggregate, sink)
            allowEnvironmentMismatch = try c.lenient(Bool.self, forKey: .allowEnvironmentMismatch, sink)
            unknownKeys = try UnknownKey.collect(decoder, known: CodingKeys.self)
        }
    }

    /// `statistics`: defaults of the statistical rules.
    public struct Statistics: Codable, Sendable, Hashable {
        public var alpha: Double?
        public var correction: String?
        public var minHistory: Int?
        public var singlePairCanFail: Bool?
        public var unknownKeys: [UnknownKey] = []

        enum CodingKeys: String, CodingKey, CaseIterable { case alpha, correction, minHistory, singlePairCanFail }

        public init(alpha: Double? = nil, correction: String? = nil, minHistory: Int? = nil, singlePairCanFail: Bool? = nil) {
            self.alpha = alpha
            self.correction = correction
            self.minHistory = minHistory
            self.singlePairCanFail = singlePairCanFail
        }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            let sink = BudgetDecodeProblems.of(decoder)
            alpha = try c.lenient(Double.self, forKey: .alpha, sink)
            correction = try c.lenient(String.self, forKey: .correction, sink)
            minHistory = try c.lenientInteger(forKey: .minHistory, sink)
            singlePairCanFail = try c.lenient(Bool.self, forKey: .singlePairCanFail, sink)
            unknownKeys = try UnknownKey.collect(decoder, known: CodingKeys.self)
        }
    }

    /// `capacity`: `{"knee": "-10%"}` fails when the knee moves to a lower load by more than 10 %.
    public struct CapacityRules: Codable, Sendable, Hashable {
        public var knee: String?
        public var unknownKeys: [UnknownKey] = []

        enum CodingKeys: String, CodingKey, CaseIterable { case knee }

        public init(knee: String? = nil) { self.knee = knee }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            let sink = BudgetDecodeProblems.of(decoder)
            knee = try c.lenient(String.self, forKey: .knee, sink)
            unknownKeys = try UnknownKey.collect(decoder, known: CodingKeys.self)
        }
    }

    /// `score`: pass and warn bands on 0–100.
    public struct Score: Codable, Sendable, Hashable {
        public var pass: Double?
        public var warn: Double?
        public var unknownKeys: [UnknownKey] = []

        enum CodingKeys: String, CodingKey, CaseIterable { case pass, warn }

        public init(pass: Double? = nil, warn: Double? = nil) {
            self.pass = pass
            self.warn = warn
        }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            let sink = BudgetDecodeProblems.of(decoder)
            pass = try c.lenient(Double.self, forKey: .pass, sink)
            warn = try c.lenient(Double.self, forKey: .warn, sink)
            unknownKeys = try UnknownKey.collect(decoder, known: CodingKeys.self)
        }
    }

    /// The rule fields of one level: `max`, `min`, `regression`, `significant`, `expressions`.
    /// The `warn` object of an entry is one of these.
    public struct Rules: Codable, Sendable, Hashable {
        /// Absolute upper limits: the statistic must be at most the limit.
        public var max: [String: Value]?
        /// Absolute lower limits: the statistic must be at least the limit.
        public var min: [String: Value]?
        /// Relative limits: at most this much worse than the baseline (`"10%"` or `"20ms"`).
        public var regression: [String: Value]?
        /// Statistical rules: worse by at least this percentage and significant.
        public var significant: [String: Value]?
        /// k6-style expressions: `p(95)<200`, `avg < 100ms`, `p95 <= +10%`.
        public var expressions: [String]?
        public var unknownKeys: [UnknownKey] = []

        enum CodingKeys: String, CodingKey, CaseIterable { case max, min, regression, significant, expressions }

        public init(
            max: [String: Value]? = nil, min: [String: Value]? = nil, regression: [String: Value]? = nil,
            significant: [String: Value]? = nil, expressions: [String]? = nil
        ) {
            self.max = max
            self.min = min
            self.regression = regression
            self.significant = significant
            self.expressions = expressions
        }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            let sink = BudgetDecodeProblems.of(decoder)
            max = try c.lenientDictionary(Value.self, forKey: .max, sink)
            min = try c.lenientDictionary(Value.self, forKey: .min, sink)
            regression = try c.lenientDictionary(Value.self, forKey: .regression, sink)
            significant = try c.lenientDictionary(Value.self, forKey: .significant, sink)
            expressions = try c.lenient([String].self, forKey: .expressions, sink)
            unknownKeys = try UnknownKey.collect(decoder, known: CodingKeys.self)
        }

        /// True when no rule field is present.
        public var isEmpty: Bool {
            (max ?? [:]).isEmpty && (min ?? [:]).isEmpty && (regression ?? [:]).isEmpty && (significant ?? [:]).isEmpty
                && (expressions ?? []).isEmpty
        }
    }

    /// One entry of `budgets` (and the shape of `defaults`): selectors, weight, key, fail-level rule
    /// fields and a `warn` object with warn-level rule fields.
    public struct Entry: Codable, Sendable, Hashable {
        public var name: String?
        public var scenario: String?
        public var environment: String?
        public var endpoint: String?
        /// The same selector as `endpoint`, for microbenchmarks: a glob on the benchmark name; the
        /// metric then defaults to `time` (``SeriesKey/benchmarkTimeMetric``).
        public var benchmark: String?
        public var metric: String?
        public var tags: [String: String]?
        public var weight: Double?
        public var key: Bool?
        public var max: [String: Value]?
        public var min: [String: Value]?
        public var regression: [String: Value]?
        public var significant: [String: Value]?
        public var expressions: [String]?
        public var warn: Rules?
        public var unknownKeys: [UnknownKey] = []

        enum CodingKeys: String, CodingKey, CaseIterable {
            case name, scenario, environment, endpoint, benchmark, metric, tags, weight, key
            case max, min, regression, significant, expressions, warn
        }

        public init(
            name: String? = nil, scenario: String? = nil, environment: String? = nil, endpoint: String? = nil,
            benchmark: String? = nil, metric: String? = nil, tags: [String: String]? = nil, weight: Double? = nil,
            key: Bool? = nil, rules: Rules = Rules(), warn: Rules? = nil
        ) {
            self.name = name
            self.scenario = scenario
            self.environment = environment
            self.endpoint = endpoint
            self.benchmark = benchmark
            self.metric = metric
            self.tags = tags
            self.weight = weight
            self.key = key
            self.max = rules.max
            self.min = rules.min
            self.regression = rules.regression
            self.significant = rules.significant
            self.expressions = rules.expressions
            self.warn = warn
        }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            let sink = BudgetDecodeProblems.of(decoder)
            name = try c.lenient(String.self, forKey: .name, sink)
            scenario = try c.lenient(String.self, forKey: .scenario, sink)
            environment = try c.lenient(String.self, forKey: .environment, sink)
            endpoint = try c.lenient(String.self, forKey: .endpoint, sink)
            benchmark = try c.lenient(String.self, forKey: .benchmark, sink)
            metric = try c.lenient(String.self, forKey: .metric, sink)
            tags = try c.lenientDictionary(String.self, forKey: .tags, sink)
            weight = try c.lenient(Double.self, forKey: .weight, sink)
            key = try c.lenient(Bool.self, forKey: .key, sink)
            max = try c.lenientDictionary(Value.self, forKey: .max, sink)
            min = try c.lenientDictionary(Value.self, forKey: .min, sink)
            regression = try c.lenientDictionary(Value.self, forKey: .regression, sink)
            significant = try c.lenientDictionary(Value.self, forKey: .significant, sink)
            expressions = try c.lenient([String].self, forKey: .expressions, sink)
            warn = try c.lenient(Rules.self, forKey: .warn, sink)
            unknownKeys = try UnknownKey.collect(decoder, known: CodingKeys.self)
        }

        /// The fail-level rule fields of this entry.
        public var rules: Rules {
            Rules(max: max, min: min, regression: regression, significant: significant, expressions: expressions)
        }
    }

    /// A limit as written: a string with a unit (`"200ms"`, `"10%"`, `"500/s"`) or a plain number.
    public enum Value: Codable, Sendable, Hashable, CustomStringConvertible {
        case string(String)
        case number(Double)

        public init(from decoder: any Decoder) throws {
            let c = try decoder.singleValueContainer()
            if let s = try? c.decode(String.self) {
                self = .string(s)
            } else if !c.decodeNil(), let b = try? c.decode(Bool.self) {
                _ = b
                throw DecodingError.typeMismatch(
                    Value.self, DecodingError.Context(codingPath: decoder.codingPath, debugDescription: "boolean"))
            } else if let d = try? c.decode(Double.self) {
                self = .number(d)
            } else {
                throw DecodingError.typeMismatch(
                    Value.self, DecodingError.Context(codingPath: decoder.codingPath, debugDescription: "not a limit"))
            }
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.singleValueContainer()
            switch self {
            case .string(let s): try c.encode(s)
            case .number(let d): try c.encode(d)
            }
        }

        /// The text as written (numbers in their shortest form).
        public var description: String {
            switch self {
            case .string(let s): return s
            case .number(let d): return BudgetNumber.format(d)
            }
        }
    }

    /// A key the format does not know, with the JSON path of the object that holds it.
    public struct UnknownKey: Codable, Sendable, Hashable {
        /// The JSON path of the object (`budgets[0]`, `""` for the top level).
        public var objectPath: String
        public var key: String
        /// The keys that object accepts, for the "did you mean" hint.
        public var allowed: [String]

        public init(objectPath: String, key: String, allowed: [String]) {
            self.objectPath = objectPath
            self.key = key
            self.allowed = allowed
        }

        /// The JSON path of the key itself (`budgets[0].regresion`).
        public var path: String { BudgetPath.child(objectPath, key: key) }

        static func collect<K: CodingKey & CaseIterable>(_ decoder: any Decoder, known: K.Type) throws -> [UnknownKey] {
            let allowed = K.allCases.map(\.stringValue)
            let any = try decoder.container(keyedBy: AnyKey.self)
            let objectPath = BudgetPath.render(decoder.codingPath)
            return any.allKeys.map(\.stringValue).filter { !allowed.contains($0) }.sorted().map {
                UnknownKey(objectPath: objectPath, key: $0, allowed: allowed)
            }
        }
    }
}

// MARK: - Decoding

extension BudgetFile {
    /// Decodes a budget file: JSON syntax, then `version`, then types. Throws ``BudgetsError`` (exit 65)
    /// naming `file:line:col` for syntax errors and the JSON path otherwise. Does not validate content;
    /// call ``validate()`` next, or use ``BudgetSet/load(_:file:)`` for both steps.
    ///
    /// Trailing commas and comments are rejected, as `JSONSerialization` rejects them: the file is plain JSON.
    public static func decode(_ data: Data, file: String) throws -> BudgetFile {
        if let (location, message) = JSONLocator.syntaxError(in: data, file: file) {
            throw BudgetsError(.malformedInput, diagnostics: [Diagnostic(.error, message, at: location)])
        }
        if let (offset, message) = StrictJSON.firstProblem(in: data, trailingCommaNote: "budget files are plain JSON") {
            let (line, column) = JSONLocator.lineColumn(in: data, offset: offset)
            throw BudgetsError(
                .malformedInput,
                diagnostics: [Diagnostic(.error, message, at: SourceLocation(file: file, line: line, column: column))])
        }
        let tree = try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
        guard let top = tree as? [String: Any] else {
            throw BudgetsError.invalid(
                file: file, path: nil,
                "expected an object with \"version\" and \"budgets\" at the top level, found \(BudgetPath.describe(tree))")
        }
        try checkVersion(top["version"], file: file)
        do {
            let problems = BudgetDecodeProblems()
            let decoder = JSONDecoder()
            decoder.userInfo[BudgetDecodeProblems.key] = problems
            var decoded = try decoder.decode(BudgetFile.self, from: data)
            decoded.file = file
            if !problems.errors.isEmpty {
                throw BudgetsError(.malformedInput, diagnostics: decoded.diagnostics(typeErrors: problems.errors, tree: tree))
            }
            return decoded
        } catch let error as DecodingError {
            throw BudgetsError(.malformedInput, diagnostics: [BudgetPath.diagnostic(for: error, tree: tree, file: file)])
        }
    }

    /// Every problem of a file with type errors, in one pass: the type errors, then what validation
    /// finds in the rest (unknown keys at every level, a missing version, bad units…). Validation
    /// problems at or under a value that failed to decode are left out: they would only echo it.
    func diagnostics(typeErrors: [DecodingError], tree: Any?) -> [Diagnostic] {
        let typeDiagnostics = typeErrors.map { BudgetPath.diagnostic(for: $0, tree: tree, file: file) }
        let invalid = typeDiagnostics.compactMap { $0.location?.jsonPath }
        func related(_ path: String) -> Bool {
            invalid.contains { p in
                p == path || path.hasPrefix(p + ".") || path.hasPrefix(p + "[") || p.hasPrefix(path + ".") || p.hasPrefix(path + "[")
            }
        }
        var validator = BudgetValidator(file: file)
        _ = validator.validate(self)
        let rest = validator.errors.filter { d in
            if let path = d.location?.jsonPath, !path.isEmpty { return !related(path) }
            // "missing required key "budgets"" when "budgets" was there but not an array.
            return !(invalid.contains("budgets") && d.message.contains("\"budgets\""))
        }
        return typeDiagnostics + rest
    }

    /// `version` is checked before anything else, so a newer file gets one clear message. A missing
    /// version is left to validation, which reports it with every other problem (a misspelled
    /// `"versoin"` is named there with its suggestion).
    private static func checkVersion(_ raw: Any?, file: String) throws {
        guard let raw else { return }
        guard let number = raw as? NSNumber, !BudgetPath.isBool(number), number.doubleValue == number.doubleValue.rounded()
        else {
            throw BudgetsError.invalid(
                file: file, path: "version", "expected an integer, found \(BudgetPath.describe(raw))",
                notes: ["this perfgate reads \"version\": \(currentVersion)"])
        }
        let version = number.intValue
        if version > currentVersion {
            throw BudgetsError.invalid(
                file: file, path: "version",
                "budget file version \(version) is newer than this perfgate, which reads version \(currentVersion)",
                notes: ["upgrade perfgate, or write the file for version \(currentVersion)"])
        }
        if version < 1 {
            throw BudgetsError.invalid(
                file: file, path: "version", "unsupported budget file version \(version); the first version is 1")
        }
    }
}

/// Type errors met while decoding a budget file, collected so that one run reports all of them: a
/// field that fails to decode is recorded here and read as absent. Without one (a plain
/// `JSONDecoder`), the first type error is thrown as usual.
final class BudgetDecodeProblems: @unchecked Sendable {
    var errors: [DecodingError] = []
    static let key = CodingUserInfoKey(rawValue: "perfgate.budgetDecodeProblems")!

    static func of(_ decoder: any Decoder) -> BudgetDecodeProblems? { decoder.userInfo[key] as? BudgetDecodeProblems }
}

/// Decodes anything, to step over an array element that failed.
private struct SkipValue: Decodable {
    init(from decoder: any Decoder) throws {}
}

extension KeyedDecodingContainer {
    /// `decodeIfPresent`, but a type error is recorded in `sink` and read as nil.
    func lenient<T: Decodable>(_ type: T.Type, forKey key: Key, _ sink: BudgetDecodeProblems?) throws -> T? {
        try collecting(sink) { try decodeIfPresent(T.self, forKey: key) }
    }

    func lenientInteger(forKey key: Key, _ sink: BudgetDecodeProblems?) throws -> Int? {
        try collecting(sink) { try decodeIntegerIfPresent(forKey: key) }
    }

    /// An object of `V` values, each value checked on its own (every bad value is reported).
    func lenientDictionary<V: Decodable>(_ type: V.Type, forKey key: Key, _ sink: BudgetDecodeProblems?) throws -> [String: V]? {
        guard contains(key) else { return nil }
        guard let nested = try collecting(sink, { try nestedContainer(keyedBy: AnyKey.self, forKey: key) }) else { return nil }
        var out: [String: V] = [:]
        for k in nested.allKeys.sorted(by: { $0.stringValue < $1.stringValue }) {
            if let v = try nested.collecting(sink, { try nested.decode(V.self, forKey: k) }) { out[k.stringValue] = v }
        }
        return out
    }

    /// An array of `T`, each element checked on its own; a bad element is reported and replaced by
    /// `placeholder`, so later elements keep their index (`budgets[2]` stays `budgets[2]`).
    func lenientArray<T: Decodable>(_ type: T.Type, forKey key: Key, placeholder: T, _ sink: BudgetDecodeProblems?) throws -> [T]? {
        guard contains(key) else { return nil }
        guard var nested = try collecting(sink, { try nestedUnkeyedContainer(forKey: key) }) else { return nil }
        var out: [T] = []
        while !nested.isAtEnd {
            do {
                out.append(try nested.decode(T.self))
            } catch let e as DecodingError {
                guard let sink else { throw e }
                sink.errors.append(e)
                out.append(placeholder)
                _ = try? nested.decode(SkipValue.self)
            }
        }
        return out
    }

    /// Runs `body`; a `DecodingError` is recorded in `sink` and gives nil, or is thrown without one.
    func collecting<T>(_ sink: BudgetDecodeProblems?, _ body: () throws -> T?) throws -> T? {
        do {
            return try body()
        } catch let e as DecodingError {
            guard let sink else { throw e }
            sink.errors.append(e)
            return nil
        }
    }

    /// An integer, with a type error naming the key for `30.5` (JSONDecoder reports that with no path).
    func decodeIntegerIfPresent(forKey key: Key) throws -> Int? {
        guard let d = try decodeIfPresent(Double.self, forKey: key) else { return nil }
        guard d == d.rounded(), abs(d) < 1e15 else {
            throw DecodingError.typeMismatch(
                Int.self, DecodingError.Context(codingPath: codingPath + [key], debugDescription: "not an integer"))
        }
        return Int(d)
    }
}

/// A dynamic coding key, to list every key of an object.
struct AnyKey: CodingKey {
    var stringValue: String
    var intValue: Int?
    init(stringValue: String) { self.stringValue = stringValue }
    init(intValue: Int) {
        self.stringValue = String(intValue)
        self.intValue = intValue
    }
}

/// JSON paths for messages: `budgets[2].max.p95`, `budgets[0].max["p(95)"]`.
enum BudgetPath {
    static func render(_ codingPath: [any CodingKey]) -> String {
        var path = ""
        for key in codingPath {
            if let index = key.intValue, key.stringValue == String(index) || key.stringValue.hasPrefix("Index ") {
                path += "[\(index)]"
            } else {
                path = child(path, key: key.stringValue)
            }
        }
        return path
    }

    static func child(_ path: String, key: String) -> String {
        let isIdentifier =
            !key.isEmpty && key.first.map { $0.isLetter || $0 == "_" || $0 == "$" } == true
            && key.allSatisfy { ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "$") && $0.isASCII }
        if isIdentifier { return path.isEmpty ? key : path + "." + key }
        let escaped = key.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
        return path + "[\"\(escaped)\"]"
    }

    static func index(_ path: String, _ i: Int) -> String { path + "[\(i)]" }

    static func isBool(_ n: NSNumber) -> Bool {
        #if canImport(Darwin)
            return CFGetTypeID(n) == CFBooleanGetTypeID()
        #else
            return String(describing: type(of: n)).contains("Boolean")
        #endif
    }

    /// A short description of a JSON value for "found …".
    static func describe(_ value: Any?) -> String {
        switch value {
        case nil: return "nothing"
        case is NSNull: return "null"
        case let s as String: return "the string \"\(s.count > 40 ? String(s.prefix(40)) + "…" : s)\""
        case let n as NSNumber:
            if isBool(n) { return n.boolValue ? "true" : "false" }
            return BudgetNumber.format(n.doubleValue)
        case is [Any]: return "an array"
        case is [String: Any]: return "an object"
        default: return "a value"
        }
    }

    /// The value at a coding path in the parsed tree.
    static func value(at codingPath: [any CodingKey], in tree: Any?) -> Any? {
        var node = tree
        for key in codingPath {
            if let array = node as? [Any], let i = key.intValue {
                node = i < array.count ? array[i] : nil
            } else if let object = node as? [String: Any] {
                node = object[key.stringValue]
            } else {
                return nil
            }
        }
        return node
    }

    static func expected(_ type: Any.Type) -> String {
        if type == String.self { return "a string" }
        if type == Int.self { return "an integer" }
        if type == Double.self { return "a number" }
        if type == Bool.self { return "true or false" }
        if type == BudgetFile.Value.self { return "a string with a unit such as \"200ms\" or \"10%\"" }
        let name = String(describing: type)
        if name.hasPrefix("Dictionary") || name.hasPrefix("[String") || type == BudgetFile.Entry.self
            || type == BudgetFile.Rules.self || name.contains("Baseline") || name.contains("Statistics")
            || name.contains("Score")
        {
            return "an object"
        }
        if name.hasPrefix("Array") || name.hasPrefix("[") { return "an array" }
        return "a value of type \(name)"
    }

    static func diagnostic(for error: DecodingError, tree: Any?, file: String) -> Diagnostic {
        switch error {
        case .typeMismatch(let type, let context), .valueNotFound(let type, let context):
            let found = describe(value(at: context.codingPath, in: tree))
            return .budgetError(file: file, path: render(context.codingPath), "expected \(expected(type)), found \(found)")
        case .dataCorrupted(let context):
            let found = value(at: context.codingPath, in: tree)
            if let n = found as? NSNumber, !isBool(n) {
                return .budgetError(
                    file: file, path: render(context.codingPath), "expected an integer, found \(describe(found))")
            }
            return .budgetError(file: file, path: render(context.codingPath), context.debugDescription)
        case .keyNotFound(let key, let context):
            return .budgetError(file: file, path: render(context.codingPath), "missing required key \"\(key.stringValue)\"")
        @unknown default:
            return .budgetError(file: file, path: nil, "\(error)")
        }
    }
}

/// Number formatting shared by messages and `dump --effective`: integers without `.0`, others in
/// the shortest form that reads back to the same `Double`.
enum BudgetNumber {
    static func format(_ v: Double) -> String {
        if v == v.rounded(), abs(v) < 1e15 { return String(Int64(v)) }
        return "\(v)"
    }
}
