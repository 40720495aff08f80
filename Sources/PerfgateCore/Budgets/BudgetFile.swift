import Foundation

/// The budget file exactly as written: a raw `Codable` mirror of `budgets.json` (version 1), with
/// optionals wherever the file may omit a key. ``validate()`` turns it into a ``BudgetSet``.
///
/// Decoding is the first of two steps: ``decode(_:file:)`` checks the JSON syntax
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
    /// `"auto"`: the gate reads each run's steady state instead of the whole run (docs/steady-state.md).
    public var steadyState: String?
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
        case schema = "$schema", version, requireBaseline, steadyState, baseline, statistics, score, capacity, defaults, budgets
    }

    public init(
        schema: String? = nil, version: Int? = BudgetFile.currentVersion, requireBaseline: Bool? = nil,
        baseline: Baseline? = nil, statistics: Statistics? = nil, score: Score? = nil, defaults: Entry? = nil,
        budgets: [Entry]? = nil, file: String = "budgets.json", capacity: CapacityRules? = nil, steadyState: String? = nil
    ) {
        self.steadyState = steadyState
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
        steadyState = try c.lenient(String.self, forKey: .steadyState, sink)
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
        /// Within-run drift limits: at most this much growth per hour over the steady state (`"5%/h"`),
        /// on the current run alone (docs/drift.md).
        public var drift: [String: Value]?
        /// `true`: the current run must reach a steady state (docs/steady-state.md).
        public var steady: Bool?
        public var unknownKeys: [UnknownKey] = []

        enum CodingKeys: String, CodingKey, CaseIterable { case max, min, regression, significant, expressions, drift, steady }

        public init(
            max: [String: Value]? = nil, min: [String: Value]? = nil, regression: [String: Value]? = nil,
            significant: [String: Value]? = nil, expressions: [String]? = nil, drift: [String: Value]? = nil, steady: Bool? = nil
        ) {
            self.steady = steady
            self.max = max
            self.min = min
            self.regression = regression
            self.significant = significant
            self.expressions = expressions
            self.drift = drift
        }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            let sink = BudgetDecodeProblems.of(decoder)
            max = try c.lenientDictionary(Value.self, forKey: .max, sink)
            min = try c.lenientDictionary(Value.self, forKey: .min, sink)
            regression = try c.lenientDictionary(Value.self, forKey: .regression, sink)
            significant = try c.lenientDictionary(Value.self, forKey: .significant, sink)
            expressions = try c.lenient([String].self, forKey: .expressions, sink)
            drift = try c.lenientDictionary(Value.self, forKey: .drift, sink)
            steady = try c.lenient(Bool.self, forKey: .steady, sink)
            unknownKeys = try UnknownKey.collect(decoder, known: CodingKeys.self)
        }

        /// True when no rule field is present.
        public var isEmpty: Bool {
            (max ?? [:]).isEmpty && (min ?? [:]).isEmpty && (regression ?? [:]).isEmpty && (significant ?? [:]).isEmpty
                && (expressions ?? []).isEmpty && (drift ?? [:]).isEmpty && steady == nil
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
        public var drift: [String: Value]?
        public var steady: Bool?
        public var warn: Rules?
        public var unknownKeys: [UnknownKey] = []

        enum CodingKeys: String, CodingKey, CaseIterable {
            case name, scenario, environment, endpoint, benchmark, metric, tags, weight, key
            case max, min, regression, significant, expressions, drift, steady, warn
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
            self.drift = rules.drift
            self.steady = rules.steady
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
            drift = try c.lenientDictionary(Value.self, forKey: .drift, sink)
            steady = try c.lenient(Bool.self, forKey: .steady, sink)
            warn = try c.lenient(Rules.self, forKey: .warn, sink)
            unknownKeys = try UnknownKey.collect(decoder, known: CodingKeys.self)
        }

        /// The fail-level rule fields of this entry.
        public var rules: Rules {
            Rules(
                max: max, min: min, regression: regression, significant: significant, expressions: expressions, drift: drift,
                steady: steady)
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
        public var path: String { JSONPath.child(objectPath, key: key) }

        static func collect<K: CodingKey & CaseIterable>(_ decoder: any Decoder, known: K.Type) throws -> [UnknownKey] {
            let allowed = K.allCases.map(\.stringValue)
            let any = try decoder.container(keyedBy: AnyKey.self)
            let objectPath = JSONPath.render(decoder.codingPath)
            return any.allKeys.map(\.stringValue).filter { !allowed.contains($0) }.sorted().map {
                UnknownKey(objectPath: objectPath, key: $0, allowed: allowed)
            }
        }
    }
}
