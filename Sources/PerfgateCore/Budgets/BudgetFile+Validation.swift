import Foundation

extension BudgetFile {
    /// Turns the raw file into a ``BudgetSet``: every default filled in, every unit canonical, every
    /// statistic name checked. Collects all errors and throws them together as one ``BudgetsError``
    /// (exit 65), each naming its JSON path.
    public func validate() throws -> BudgetSet {
        var ignored: [Diagnostic] = []
        return try validate(warnings: &ignored)
    }

    /// ``validate()``, also returning warnings (a budget with no rules, defaults that apply to no budget).
    public func validate(warnings: inout [Diagnostic]) throws -> BudgetSet {
        var validator = BudgetValidator(file: file)
        let set = validator.validate(self)
        warnings.append(contentsOf: validator.warnings)
        if !validator.errors.isEmpty { throw BudgetsError(.malformedInput, diagnostics: validator.errors) }
        return set
    }
}

extension BudgetFile {
    /// Decodes and validates a budget file in one step; the same as ``BudgetSet/load(_:file:)``.
    public static func load(_ data: Data, file: String) throws -> BudgetSet {
        try decode(data, file: file).validate()
    }
}

extension BudgetSet {
    /// Decodes and validates a budget file in one step. `file` is the display path for diagnostics;
    /// the caller reads the bytes. Throws ``BudgetsError``.
    public static func load(_ data: Data, file: String) throws -> BudgetSet {
        try BudgetFile.decode(data, file: file).validate()
    }

    /// ``load(_:file:)``, also returning warnings.
    public static func load(_ data: Data, file: String, warnings: inout [Diagnostic]) throws -> BudgetSet {
        try BudgetFile.decode(data, file: file).validate(warnings: &warnings)
    }

    /// Number of rules over all budgets.
    public var ruleCount: Int { budgets.reduce(0) { $0 + $1.rules.count } }
}

/// What the validator knows about k6's built-in metrics, to check units before any run is seen.
/// Custom metrics are unknown here: their units are checked by the gate against the series.
enum KnownMetric {
    struct Info {
        var unit: MetricUnit
        var direction: Direction
        /// k6 counters: `rate` means per second (perSecond), not a pass fraction.
        var isCounter: Bool
    }

    static func info(_ metric: String) -> Info? {
        switch metric {
        case "http_req_duration", "http_req_waiting", "http_req_connecting", "http_req_tls_handshaking",
            "http_req_sending", "http_req_receiving", "http_req_blocked", "iteration_duration", "group_duration":
            return Info(unit: .milliseconds, direction: .lowerIsBetter, isCounter: false)
        case "http_req_failed": return Info(unit: .ratio, direction: .lowerIsBetter, isCounter: false)
        case "checks": return Info(unit: .ratio, direction: .higherIsBetter, isCounter: false)
        case "http_reqs", "iterations": return Info(unit: .count, direction: .higherIsBetter, isCounter: true)
        case "dropped_iterations": return Info(unit: .count, direction: .lowerIsBetter, isCounter: true)
        case "data_sent", "data_received": return Info(unit: .bytes, direction: .higherIsBetter, isCounter: true)
        case "vus", "vus_max": return Info(unit: .none, direction: .higherIsBetter, isCounter: false)
        default: return nil
        }
    }

    /// The canonical unit of `statistic` on `metric`, when it can be known without a run.
    static func unit(of statistic: Statistic, metric: String) -> MetricUnit? {
        if let info = info(metric) { return statistic.unit(seriesUnit: info.unit) }
        let a = statistic.unit(seriesUnit: .milliseconds)
        return a == statistic.unit(seriesUnit: .bytes) ? a : nil
    }

    /// The direction of `statistic` on `metric`, when it can be known without a run.
    static func direction(of statistic: Statistic, metric: String) -> Direction? {
        if let info = info(metric) { return statistic.direction(seriesDirection: info.direction) }
        let a = statistic.direction(seriesDirection: .lowerIsBetter)
        return a == statistic.direction(seriesDirection: .higherIsBetter) ? a : nil
    }
}

/// Collects errors and warnings while building a ``BudgetSet``.
struct BudgetValidator {
    let file: String
    var errors: [Diagnostic] = []
    var warnings: [Diagnostic] = []

    /// Statistic spellings offered by "did you mean".
    static let statisticNames = [
        "avg", "mean", "med", "median", "min", "max", "count", "value", "rate", "stddev", "p50", "p90", "p95", "p99",
        "error_rate", "errors", "throughput", "passes", "fails",
    ]

    /// Rule fields of an entry, for the messages about misplaced keys.
    static let selectorKeys = ["name", "scenario", "environment", "endpoint", "benchmark", "metric", "tags"]

    mutating func error(_ path: String?, _ message: String, notes: [String] = []) {
        errors.append(.budgetError(file: file, path: path, message, notes: notes))
    }

    mutating func warning(_ path: String?, _ message: String, notes: [String] = []) {
        warnings.append(.budgetWarning(file: file, path: path, message, notes: notes))
    }

    mutating func reportUnknown(_ keys: [BudgetFile.UnknownKey], explain: (String) -> String? = { _ in nil }) {
        for k in keys {
            if let message = explain(k.key) {
                error(k.path, message)
                continue
            }
            var message = "unknown key"
            if let hint = KeySuggestion.nearest(to: k.key, among: k.allowed) { message += " (did you mean '\(hint)'?)" }
            error(k.path, message, notes: ["allowed here: " + k.allowed.joined(separator: ", ")])
        }
    }

    // MARK: Top level

    mutating func validate(_ f: BudgetFile) -> BudgetSet {
        reportUnknown(f.unknownKeys)
        switch f.version {
        case nil:
            error(nil, "missing required key \"version\"", notes: ["add \"version\": \(BudgetFile.currentVersion) at the top of the file"])
        case let v? where v > BudgetFile.currentVersion:
            error(
                "version",
                "budget file version \(v) is newer than this perfgate, which reads version \(BudgetFile.currentVersion)")
        case let v? where v < 1:
            error("version", "unsupported budget file version \(v); the first version is 1")
        default: break
        }

        var set = BudgetSet(requireBaseline: f.requireBaseline ?? false)
        if let s = f.steadyState, let v = oneOf(s, SteadyState.Mode.self, path: "steadyState") { set.steadyState = v }
        if let b = f.baseline { set.baseline = baseline(b) }
        if let s = f.statistics { set.statistics = statistics(s) }
        if let s = f.score { set.score = score(s) }
        if let c = f.capacity { set.capacity = capacity(c) }

        let defaults = f.defaults.map { self.defaults($0) }
        // A file with only a capacity rule needs no budgets.
        if f.budgets == nil, f.capacity != nil { return set }
        guard let entries = f.budgets else {
            error(nil, "missing required key \"budgets\"", notes: ["add \"budgets\": [ { \"max\": { \"p95\": \"200ms\" } } ]"])
            return set
        }
        if entries.isEmpty {
            error("budgets", "no budgets: the list is empty, so nothing would be checked")
        }
        var defaultsUsed = false
        for (i, entry) in entries.enumerated() {
            if let budget = budget(entry, index: i, defaults: defaults, defaultsUsed: &defaultsUsed) {
                set.budgets.append(budget)
            }
        }
        if let defaults, !defaultsUsed, !entries.isEmpty, !defaults.drafts.isEmpty {
            warning(
                "defaults",
                "defaults apply to budgets of metric \"\(defaults.metric)\", and no budget selects that metric")
        }
        return set
    }

    mutating func baseline(_ b: BudgetFile.Baseline) -> BaselinePolicy {
        reportUnknown(b.unknownKeys)
        var p = BaselinePolicy()
        if let branch = b.branch {
            if branch.trimmingCharacters(in: .whitespaces).isEmpty {
                error("baseline.branch", "the branch is empty; write e.g. \"main\"")
            } else {
                p.branch = branch
            }
        }
        if let s = b.strategy {
            if let v = oneOf(s, BaselinePolicy.Strategy.self, path: "baseline.strategy") { p.strategy = v }
        }
        if let w = b.window {
            if w < 1 { error("baseline.window", "the window must be at least 1 run, found \(w)") } else { p.window = w }
        }
        if let a = b.aggregate {
            if let v = oneOf(a, BaselinePolicy.Aggregate.self, path: "baseline.aggregate") { p.aggregate = v }
        }
        if let m = b.allowEnvironmentMismatch { p.allowEnvironmentMismatch = m }
        return p
    }

    mutating func statistics(_ s: BudgetFile.Statistics) -> StatisticsPolicy {
        reportUnknown(s.unknownKeys)
        var p = StatisticsPolicy()
        if let alpha = s.alpha {
            if alpha > 0, alpha < 1 {
                p.alpha = alpha
            } else {
                error("statistics.alpha", "alpha must be between 0 and 1 (exclusive), found \(BudgetNumber.format(alpha))")
            }
        }
        if let c = s.correction {
            if let v = oneOf(c, StatisticsPolicy.Correction.self, path: "statistics.correction") { p.correction = v }
        }
        if let m = s.minHistory {
            if m < 2 {
                error("statistics.minHistory", "minHistory must be at least 2 runs, found \(m)")
            } else {
                p.minHistory = m
            }
        }
        if let f = s.singlePairCanFail { p.singlePairCanFail = f }
        return p
    }

    /// `capacity.knee`: `"-N%"`, the largest allowed move of the knee to a lower load (0 < N < 100).
    mutating func capacity(_ c: BudgetFile.CapacityRules) -> CapacityBudget? {
        reportUnknown(c.unknownKeys)
        guard let text = c.knee else {
            error("capacity", "missing key \"knee\"", notes: ["write \"capacity\": { \"knee\": \"-10%\" }"])
            return nil
        }
        let t = text.trimmingCharacters(in: .whitespaces)
        guard t.hasPrefix("-"), t.hasSuffix("%"), let n = Double(t.dropFirst().dropLast().trimmingCharacters(in: .whitespaces)),
            n > 0, n < 100
        else {
            error(
                "capacity.knee",
                "expected a drop like \"-10%\" (the knee may move to a lower load by at most 10 %), found \"\(text)\"")
            return nil
        }
        return CapacityBudget(kneeDrop: n / 100, source: t)
    }

    mutating func score(_ s: BudgetFile.Score) -> ScoreBands {
        reportUnknown(s.unknownKeys)
        var bands = ScoreBands()
        for (value, key) in [(s.pass, "pass"), (s.warn, "warn")] {
            guard let value else { continue }
            if !(0...100).contains(value) {
                error("score.\(key)", "a score band is between 0 and 100, found \(BudgetNumber.format(value))")
            } else if key == "pass" {
                bands.pass = value
            } else {
                bands.warn = value
            }
        }
        if bands.warn > bands.pass {
            error(
                "score.warn",
                "the warn band (\(BudgetNumber.format(bands.warn))) is above the pass band (\(BudgetNumber.format(bands.pass))); warn must be at most pass"
            )
        }
        return bands
    }

    /// A string that must be one of an enum's raw values.
    mutating func oneOf<E: RawRepresentable & CaseIterable>(_ text: String, _ type: E.Type, path: String) -> E?
    where E.RawValue == String {
        if let v = E(rawValue: text) { return v }
        let allowed = E.allCases.map(\.rawValue)
        var message = "unknown value \"\(text)\""
        if let hint = KeySuggestion.nearest(to: text, among: allowed) { message += " (did you mean '\(hint)'?)" }
        error(path, message + "; expected one of: " + allowed.map { "\"\($0)\"" }.joined(separator: ", "))
        return nil
    }

    // MARK: Entries

    /// A rule before weight and key are known, with the slot it occupies in its budget.
    struct Draft {
        var rule: Rule
        var slot: Slot
    }

    /// Two rules of one budget may not share a slot: one upper limit, one lower limit, one relative and
    /// one statistical rule per statistic and level. Budget rules override defaults in the same slot.
    struct Slot: Hashable {
        enum Kind: Int, Comparable {
            case upper, lower, relative, statistical, drift, steady
            static func < (a: Kind, b: Kind) -> Bool { a.rawValue < b.rawValue }
            var noun: String {
                switch self {
                case .upper: return "upper limit"
                case .lower: return "lower limit"
                case .relative: return "regression limit"
                case .statistical: return "significance rule"
                case .drift: return "drift limit"
                case .steady: return "steady-state rule"
                }
            }
        }
        var statistic: Statistic
        var level: Level
        var kind: Kind
    }

    struct Defaults {
        var metric: String
        var drafts: [Draft]
        var weight: Double?
        var key: Bool?
    }

    mutating func defaults(_ e: BudgetFile.Entry) -> Defaults {
        reportUnknown(e.unknownKeys)
        let selectorsPresent: [(String, Bool)] = [
            ("name", e.name != nil), ("scenario", e.scenario != nil), ("environment", e.environment != nil),
            ("endpoint", e.endpoint != nil), ("benchmark", e.benchmark != nil), ("tags", e.tags != nil),
        ]
        for (key, present) in selectorsPresent where present {
            error(
                "defaults.\(key)",
                "\"\(key)\" is not allowed in defaults: defaults apply to every budget of their metric; put selectors in a budget entry"
            )
        }
        let metric = self.metric(e.metric, path: "defaults.metric")
        let drafts = entryDrafts(e, base: "defaults", metric: metric)
        return Defaults(metric: metric, drafts: drafts, weight: weight(e.weight, path: "defaults.weight"), key: e.key)
    }

    mutating func metric(_ m: String?, path: String) -> String {
        guard let m else { return SeriesKey.requestLatencyMetric }
        if m.trimmingCharacters(in: .whitespaces).isEmpty {
            error(path, "the metric name is empty; leave \"metric\" out for \(SeriesKey.requestLatencyMetric)")
            return SeriesKey.requestLatencyMetric
        }
        return m
    }

    mutating func weight(_ w: Double?, path: String) -> Double? {
        guard let w else { return nil }
        guard w.isFinite, w >= 0 else {
            error(path, "a weight is a number of at least 0, found \(BudgetNumber.format(w))")
            return nil
        }
        return w
    }

    mutating func budget(_ e: BudgetFile.Entry, index: Int, defaults: Defaults?, defaultsUsed: inout Bool) -> Budget? {
        let path = JSONPath.index("budgets", index)
        reportUnknown(e.unknownKeys)
        if e.endpoint != nil && e.benchmark != nil {
            error(
                path + ".benchmark",
                "give either \"endpoint\" or \"benchmark\", not both: they are the same selector (a benchmark is its series' endpoint)")
        }
        // A benchmark budget without a metric is about the benchmark's time per iteration.
        let metric = self.metric(
            e.metric ?? (e.benchmark != nil ? SeriesKey.benchmarkTimeMetric : nil), path: path + ".metric")
        let selector = Selector(
            scenario: e.scenario, environment: e.environment, endpoint: e.endpoint ?? e.benchmark, metric: metric,
            tags: e.tags ?? [:])
        var drafts = entryDrafts(e, base: path, metric: metric)
        let applies = defaults.map { $0.metric == metric } ?? false
        if applies, let defaults {
            defaultsUsed = true
            let own = Set(drafts.map(\.slot))
            drafts += defaults.drafts.filter { !own.contains($0.slot) }
        }
        let weight = self.weight(e.weight, path: path + ".weight") ?? (applies ? defaults?.weight : nil) ?? 1
        let key = e.key ?? (applies ? defaults?.key : nil) ?? false
        var rules = drafts.map { draft -> Rule in
            var r = draft.rule
            r.weight = weight
            r.key = key
            return r
        }
        rules.sort(by: Self.ruleOrder)
        if rules.isEmpty {
            warning(path, "this budget has no rules, so it checks nothing")
        }
        let name = e.name.flatMap { $0.isEmpty ? nil : $0 } ?? Self.describe(selector)
        return Budget(name: name, selector: selector, rules: rules, path: path)
    }

    /// The canonical rule order inside a budget: fail before warn, then upper, lower, relative,
    /// statistical, then by statistic.
    static func ruleOrder(_ a: Rule, _ b: Rule) -> Bool {
        let ka = slotKind(a)
        let kb = slotKind(b)
        if a.level != b.level { return a.level > b.level }
        if ka != kb { return ka < kb }
        if a.statistic != b.statistic { return a.statistic < b.statistic }
        return a.path < b.path
    }

    static func slotKind(_ r: Rule) -> Slot.Kind {
        switch r.kind {
        case .absolute(let op, _): return op == .lt || op == .le ? .upper : .lower
        case .relative: return .relative
        case .statistical: return .statistical
        case .drift: return .drift
        case .steady: return .steady
        }
    }

    /// A label for a budget without a name: `checkout · GET /api/* · http_req_duration`.
    static func describe(_ s: Selector) -> String {
        var parts: [String] = []
        if let scenario = s.scenario { parts.append(scenario) }
        if let environment = s.environment { parts.append("@" + environment) }
        switch s.endpoint {
        case nil: parts.append("all endpoints")
        case ""?: parts.append("whole run")
        case let e?: parts.append(e)
        }
        parts.append(s.effectiveMetric)
        for (k, v) in s.tags.sorted(by: { $0.key < $1.key }) { parts.append("\(k)=\(v)") }
        return parts.joined(separator: " · ")
    }

    // MARK: Rules

    mutating func entryDrafts(_ e: BudgetFile.Entry, base: String, metric: String) -> [Draft] {
        var drafts: [Draft] = []
        var seen: [Slot: String] = [:]
        ruleDrafts(e.rules, level: .fail, base: base, prefix: "", metric: metric, into: &drafts, seen: &seen)
        if let warn = e.warn {
            let warnPath = base + ".warn"
            reportUnknown(warn.unknownKeys) { key in
                switch key {
                case "weight", "key":
                    return "\"\(key)\" applies to every rule of the entry; put it beside \"warn\", not inside it"
                case "warn": return "\"warn\" cannot be nested; its rules are already warn level"
                case _ where Self.selectorKeys.contains(key):
                    return "\"\(key)\" is a selector of the entry; put it beside \"warn\", not inside it"
                default: return nil
                }
            }
            ruleDrafts(warn, level: .warn, base: warnPath, prefix: "warn.", metric: metric, into: &drafts, seen: &seen)
        }
        return drafts
    }

    /// The rule maps of a rules object, in the order they are read. A new kind of rule is a new case,
    /// and the compiler then points at the switch that turns it into a rule.
    enum RuleField: String, CaseIterable {
        case max, min, regression, significant, drift

        func limits(in r: BudgetFile.Rules) -> [String: BudgetFile.Value]? {
            switch self {
            case .max: return r.max
            case .min: return r.min
            case .regression: return r.regression
            case .significant: return r.significant
            case .drift: return r.drift
            }
        }
    }

    mutating func ruleDrafts(
        _ r: BudgetFile.Rules, level: Level, base: String, prefix: String, metric: String, into drafts: inout [Draft],
        seen: inout [Slot: String]
    ) {
        func add(_ draft: Draft, into drafts: inout [Draft], seen: inout [Slot: String], validator: inout BudgetValidator) {
            if let other = seen[draft.slot] {
                validator.error(
                    draft.rule.path,
                    "\(draft.rule.statistic) already has a \(level.rawValue)-level \(draft.slot.kind.noun) at \(other)",
                    notes: ["keep one of the two rules"])
                return
            }
            seen[draft.slot] = draft.rule.path
            drafts.append(draft)
        }

        for field in RuleField.allCases {
            guard let map = field.limits(in: r) else { continue }
            let fieldPath = JSONPath.child(base, key: field.rawValue)
            for (statKey, value) in map.sorted(by: { $0.key < $1.key }) {
                let path = JSONPath.child(fieldPath, key: statKey)
                guard let statistic = statistic(statKey, metric: metric, path: path) else { continue }
                let source = "\(prefix)\(field.rawValue).\(statKey): \(value)"
                if field == .drift {
                    if let limit = driftLimit(value.description, statistic: statistic, statKey: statKey, metric: metric, path: path) {
                        add(
                            Draft(
                                rule: Rule(statistic: statistic, kind: .drift(limit: limit), level: level, source: source, path: path),
                                slot: Slot(statistic: statistic, level: level, kind: .drift)), into: &drafts, seen: &seen,
                            validator: &self)
                    }
                    continue
                }
                let quantity: BudgetQuantity
                do {
                    quantity = try BudgetQuantity.parse(value.description)
                } catch {
                    self.error(path, error.message)
                    continue
                }
                let context = RuleContext(statistic: statistic, metric: metric, raw: value.description, path: path)
                var draft: Draft?
                switch field {
                case .max, .min:
                    if let (limit, unit) = absoluteLimit(quantity, context, inExpression: false) {
                        let op: Comparison = field == .max ? .le : .ge
                        draft = Draft(
                            rule: Rule(
                                statistic: statistic, kind: .absolute(op: op, limit: limit), level: level, source: source,
                                path: path, unit: unit),
                            slot: Slot(statistic: statistic, level: level, kind: field == .max ? .upper : .lower))
                    }
                case .regression:
                    if quantity.sign == "-" {
                        error(
                            path,
                            "a regression limit is how much worse is allowed, never negative; write e.g. \"10%\" (the statistic's direction decides what worse means)"
                        )
                    } else if let (limit, amount, unit) = relativeLimit(quantity, context) {
                        draft = Draft(
                            rule: Rule(
                                statistic: statistic, kind: .relative(limit: limit, absoluteAmount: amount), level: level,
                                source: source, path: path, unit: unit),
                            slot: Slot(statistic: statistic, level: level, kind: .relative))
                    }
                case .significant:
                    if let effect = minimumEffect(quantity, context) {
                        draft = Draft(
                            rule: Rule(
                                statistic: statistic, kind: .statistical(minEffect: effect), level: level, source: source,
                                path: path),
                            slot: Slot(statistic: statistic, level: level, kind: .statistical))
                    }
                case .drift:
                    break
                }
                if let draft { add(draft, into: &drafts, seen: &seen, validator: &self) }
            }
        }

        if r.steady == true, metric != SeriesKey.requestLatencyMetric {
            error(
                JSONPath.child(base, key: "steady"), "a steady state is found in the latency of \(SeriesKey.requestLatencyMetric), not in \(metric)",
                notes: ["put \"steady\": true in a budget of metric \"\(SeriesKey.requestLatencyMetric)\" (the default metric)"])
        } else if r.steady == true {
            let path = JSONPath.child(base, key: "steady")
            add(
                Draft(
                    rule: Rule(statistic: .p95, kind: .steady, level: level, source: "\(prefix)steady: true", path: path),
                    slot: Slot(statistic: .p95, level: level, kind: .steady)), into: &drafts, seen: &seen, validator: &self)
        }

        for (j, text) in (r.expressions ?? []).enumerated() {
            let path = JSONPath.index(JSONPath.child(base, key: "expressions"), j)
            if let draft = expressionDraft(text, level: level, metric: metric, path: path) {
                add(draft, into: &drafts, seen: &seen, validator: &self)
            }
        }
    }

    /// A drift limit: a percentage of the level per hour, `"5%/h"`, on the statistic drift is measured
    /// on (`p95` of `http_req_duration` per time bucket, `value` of any other metric's samples).
    mutating func driftLimit(_ raw: String, statistic: Statistic, statKey: String, metric: String, path: String) -> Double? {
        let wanted: Statistic = metric == SeriesKey.requestLatencyMetric ? .p95 : .value
        guard statistic == wanted else {
            error(
                path, "drift is measured on the \(wanted) of \(metric), not on \(statKey)",
                notes: [
                    "write \"drift\": {\"\(wanted)\": \"5%/h\"}: the p95 of http_req_duration per time bucket, or the samples (value) of a server metric"
                ])
            return nil
        }
        let text = raw.trimmingCharacters(in: .whitespaces)
        let hint = "write the largest allowed growth per hour as a percentage of the level, e.g. \"5%/h\""
        guard text.lowercased().hasSuffix("/h") else {
            error(path, "\"\(raw)\" is not a drift limit", notes: [hint])
            return nil
        }
        guard let q = try? BudgetQuantity.parse(String(text.dropLast(2))), q.unit == .percentage, q.sign != "-", q.value > 0,
            q.value.isFinite
        else {
            error(path, "\"\(raw)\" is not a drift limit: the growth per hour is a positive percentage", notes: [hint])
            return nil
        }
        return q.value
    }

    struct RuleContext {
        var statistic: Statistic
        var metric: String
        var raw: String
        var path: String
        var expected: MetricUnit? { KnownMetric.unit(of: statistic, metric: metric) }
        var subject: String { "\(statistic) of \(metric)" }
    }

    mutating func expressionDraft(_ text: String, level: Level, metric: String, path: String) -> Draft? {
        let expression: BudgetExpression
        let quantity: BudgetQuantity
        do {
            expression = try BudgetExpression.parse(text)
            quantity = try BudgetQuantity.parse(expression.value)
        } catch {
            self.error(path, error.message)
            return nil
        }
        guard let statistic = statistic(expression.aggregation, metric: metric, path: path) else { return nil }
        let context = RuleContext(statistic: statistic, metric: metric, raw: expression.value, path: path)
        let isUpper = expression.op == .lt || expression.op == .le

        // A signed percentage or amount is relative to the baseline (Keptn style): `p95 <= +10%`.
        if quantity.sign != nil, quantity.unit != .plain {
            let direction = KnownMetric.direction(of: statistic, metric: metric)
            let formOK = (isUpper && quantity.sign == "+") || (!isUpper && quantity.sign == "-")
            let magnitude = BudgetNumber.format(abs(quantity.value) * (quantity.unit == .percentage ? 100 : 1))
            let shown = quantity.unit == .percentage ? "\(magnitude)%" : expression.value.trimmingCharacters(in: ["+", "-"])
            if !formOK {
                error(
                    path,
                    "\"\(text)\" does not state how much worse is allowed: write \"\(expression.aggregation) <= +\(shown)\" where lower is better, or \"\(expression.aggregation) >= -\(shown)\" where higher is better"
                )
                return nil
            }
            if let direction, (direction == .lowerIsBetter) != isUpper {
                let better = direction == .lowerIsBetter ? "lower" : "higher"
                let fixed =
                    direction == .lowerIsBetter
                    ? "\(expression.aggregation) <= +\(shown)" : "\(expression.aggregation) >= -\(shown)"
                error(path, "\(statistic) of \(metric) is better when \(better); write \"\(fixed)\" (at most \(shown) worse)")
                return nil
            }
            var unsigned = quantity
            unsigned.value = abs(quantity.value)
            guard let (limit, amount, unit) = relativeLimit(unsigned, context) else { return nil }
            return Draft(
                rule: Rule(
                    statistic: statistic, kind: .relative(limit: limit, absoluteAmount: amount), level: level, source: text,
                    path: path, unit: unit),
                slot: Slot(statistic: statistic, level: level, kind: .relative))
        }

        guard let (limit, unit) = absoluteLimit(quantity, context, inExpression: true) else { return nil }
        return Draft(
            rule: Rule(
                statistic: statistic, kind: .absolute(op: expression.op, limit: limit), level: level, source: text,
                path: path, unit: unit),
            slot: Slot(statistic: statistic, level: level, kind: isUpper ? .upper : .lower))
    }

    /// Parses a statistic name, or reports why it is not one. `rate` of a k6 counter is its throughput.
    mutating func statistic(_ text: String, metric: String, path: String) -> Statistic? {
        let t = text.trimmingCharacters(in: .whitespaces)
        if let first = t.first, first.isNumber {
            error(path, "\"\(text)\" is not a statistic; write a percentile as p(\(t.trimmingCharacters(in: ["%"]))) or p\(t.trimmingCharacters(in: ["%"]))")
            return nil
        }
        if let s = Statistic.parse(t) {
            if s == .rate, KnownMetric.info(metric)?.isCounter == true { return .throughput }
            return s
        }
        let lower = t.lowercased()
        var body = Substring(lower)
        if body.hasPrefix("p(") {
            body = body.dropFirst(2)
            if body.hasSuffix(")") { body = body.dropLast() }
        } else if body.hasPrefix("p"), body.dropFirst().first.map({ $0.isNumber || $0 == "." }) == true {
            body = body.dropFirst()
        } else {
            body = ""
        }
        if !body.isEmpty || lower.hasPrefix("p(") {
            if let level = Double(body), level.isFinite {
                error(path, "percentile \"\(text)\" is out of range: the level is between 0 and 100, e.g. p(95) or p99.9")
            } else {
                error(path, "\"\(text)\" is not a valid percentile; write e.g. p(95), p95 or p99.9")
            }
            return nil
        }
        var message = "unknown statistic \"\(text)\""
        if let hint = KeySuggestion.nearest(to: t, among: Self.statisticNames) { message += " (did you mean '\(hint)'?)" }
        error(
            path, message,
            notes: ["statistics: avg, min, med, max, p(N), count, rate, value, error_rate, errors, throughput, stddev"])
        return nil
    }

    /// An absolute limit in the statistic's canonical unit. A plain number is accepted for counts and
    /// unit-less metrics, for custom metrics (read in the metric's own unit), and in expressions (k6).
    mutating func absoluteLimit(_ q: BudgetQuantity, _ c: RuleContext, inExpression: Bool) -> (Double, MetricUnit?)? {
        let expected = c.expected
        guard let written = q.unit.canonical else {
            guard let expected else { return (q.value, nil) }
            if expected == .count || expected == .none || inExpression { return (q.value, expected) }
            error(
                c.path,
                "\(c.raw) has no unit but \(c.subject) is \(Self.noun(expected)); write e.g. \(Self.example(expected))",
                notes: ["a number without a unit is read in the metric's own unit only in \"expressions\", as in k6"])
            return nil
        }
        if let expected, expected != written {
            error(
                c.path,
                "\"\(c.raw)\" is \(q.unit.noun) but \(c.subject) is \(Self.noun(expected)); write e.g. \(Self.example(expected))")
            return nil
        }
        if written == .ratio, expected == .ratio, !(0...1).contains(q.value) {
            error(c.path, "\"\(c.raw)\" is out of range: \(c.subject) is between 0% and 100%")
            return nil
        }
        return (q.value, written)
    }

    /// A relative limit: a percentage is a fraction of the baseline, anything else an absolute amount.
    mutating func relativeLimit(_ q: BudgetQuantity, _ c: RuleContext) -> (Double, Bool, MetricUnit?)? {
        if q.unit == .percentage { return (q.value, false, nil) }
        let expected = c.expected
        guard let written = q.unit.canonical else {
            if expected == nil || expected == .count || expected == MetricUnit.none { return (q.value, true, expected) }
            error(
                c.path,
                "\(c.raw) has no unit; write a percentage of the baseline like \"10%\" or an amount like \(Self.example(expected ?? .milliseconds))"
            )
            return nil
        }
        if let expected, expected != written {
            error(
                c.path,
                "\"\(c.raw)\" is \(q.unit.noun) but \(c.subject) is \(Self.noun(expected)); write a percentage like \"10%\" or an amount like \(Self.example(expected))"
            )
            return nil
        }
        return (q.value, true, written)
    }

    /// The minimum effect of a statistical rule: a percentage only.
    mutating func minimumEffect(_ q: BudgetQuantity, _ c: RuleContext) -> Double? {
        guard q.unit == .percentage else {
            error(c.path, "\"\(c.raw)\" is \(q.unit.noun); a significance rule takes the minimum effect as a percentage, e.g. \"10%\"")
            return nil
        }
        guard q.sign != "-" else {
            error(c.path, "the minimum effect is how much worse, never negative; write e.g. \"10%\"")
            return nil
        }
        return q.value
    }

    static func noun(_ unit: MetricUnit) -> String {
        switch unit {
        case .milliseconds: return "a duration"
        case .bytes: return "a size"
        case .count: return "a count"
        case .perSecond: return "a rate per second"
        case .ratio: return "a rate (a percentage)"
        case .percent: return "a percentage"
        case .none: return "a plain number"
        }
    }

    static func example(_ unit: MetricUnit) -> String {
        switch unit {
        case .milliseconds: return "\"200ms\""
        case .bytes: return "\"512MB\""
        case .count: return "\"1000\""
        case .perSecond: return "\"500/s\""
        case .ratio, .percent: return "\"1%\""
        case .none: return "\"10\""
        }
    }
}
