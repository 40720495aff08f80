import Foundation
import PerfgateCore
import Testing

@Suite("Budget expressions (k6 syntax)")
struct BudgetExpressionTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var text: String
        var metric: String?
        var statistic: Statistic
        var kind: Rule.Kind
        var unit: MetricUnit?
        var testDescription: String { "\(text) on \(metric ?? "http_req_duration")" }
    }

    static let valid: [Case] = [
        Case(text: "p(95)<200", statistic: .p95, kind: .absolute(op: .lt, limit: 200), unit: .milliseconds),
        Case(text: "p(95) < 200", statistic: .p95, kind: .absolute(op: .lt, limit: 200), unit: .milliseconds),
        Case(text: "  p(90)<=300  ", statistic: .p90, kind: .absolute(op: .le, limit: 300), unit: .milliseconds),
        Case(text: "p(99.9)<1500", statistic: .percentile(99.9), kind: .absolute(op: .lt, limit: 1500), unit: .milliseconds),
        Case(text: "avg<100", statistic: .mean, kind: .absolute(op: .lt, limit: 100), unit: .milliseconds),
        Case(text: "med>=10", statistic: .p50, kind: .absolute(op: .ge, limit: 10), unit: .milliseconds),
        Case(text: "min > 1", statistic: .min, kind: .absolute(op: .gt, limit: 1), unit: .milliseconds),
        Case(text: "avg < 100ms", statistic: .mean, kind: .absolute(op: .lt, limit: 100), unit: .milliseconds),
        Case(text: "max<1s", statistic: .max, kind: .absolute(op: .lt, limit: 1000), unit: .milliseconds),
        Case(text: "p95 < 250us", statistic: .p95, kind: .absolute(op: .lt, limit: 0.25), unit: .milliseconds),
        Case(text: "p(95)<1e3", statistic: .p95, kind: .absolute(op: .lt, limit: 1000), unit: .milliseconds),
        Case(text: "error_rate < 1%", statistic: .errorRate, kind: .absolute(op: .lt, limit: 0.01), unit: .ratio),
        Case(text: "error_rate<0.01", statistic: .errorRate, kind: .absolute(op: .lt, limit: 0.01), unit: .ratio),
        Case(text: "count>1000", statistic: .count, kind: .absolute(op: .gt, limit: 1000), unit: .count),
        Case(text: "throughput>=500/s", statistic: .throughput, kind: .absolute(op: .ge, limit: 500), unit: .perSecond),
        Case(text: "rps > 500 rps", statistic: .throughput, kind: .absolute(op: .gt, limit: 500), unit: .perSecond),
        // Keptn-style relative rules.
        Case(text: "p95 <= +10%", statistic: .p95, kind: .relative(limit: 0.1, absoluteAmount: false), unit: nil),
        Case(text: "p(95)<+10%", statistic: .p95, kind: .relative(limit: 0.1, absoluteAmount: false), unit: nil),
        Case(text: "p95 < +20ms", statistic: .p95, kind: .relative(limit: 20, absoluteAmount: true), unit: .milliseconds),
        Case(text: "throughput >= -5%", statistic: .throughput, kind: .relative(limit: 0.05, absoluteAmount: false), unit: nil),
        Case(text: "error_rate <= +0.5%", statistic: .errorRate, kind: .relative(limit: 0.005, absoluteAmount: false), unit: nil),
        // k6 metrics: `rate` of a counter is per second, of a Rate metric a fraction.
        Case(text: "rate>500", metric: "http_reqs", statistic: .throughput, kind: .absolute(op: .gt, limit: 500), unit: .perSecond),
        Case(text: "count>100", metric: "http_reqs", statistic: .count, kind: .absolute(op: .gt, limit: 100), unit: .count),
        Case(text: "rate<0.01", metric: "http_req_failed", statistic: .rate, kind: .absolute(op: .lt, limit: 0.01), unit: .ratio),
        Case(text: "rate>0.99", metric: "checks", statistic: .rate, kind: .absolute(op: .gt, limit: 0.99), unit: .ratio),
        Case(text: "value<100", metric: "vus", statistic: .value, kind: .absolute(op: .lt, limit: 100), unit: MetricUnit.none),
        Case(text: "p(95)<2000", metric: "iteration_duration", statistic: .p95, kind: .absolute(op: .lt, limit: 2000), unit: .milliseconds),
        // Custom metrics: the unit is unknown until the gate sees the series.
        Case(text: "max<80%", metric: "cpu", statistic: .max, kind: .absolute(op: .lt, limit: 0.8), unit: .ratio),
        Case(text: "value<5", metric: "queue_depth", statistic: .value, kind: .absolute(op: .lt, limit: 5), unit: nil),
        Case(text: "max < 1GB", metric: "rss", statistic: .max, kind: .absolute(op: .lt, limit: 1_073_741_824), unit: .bytes),
        Case(text: "p95 <= +10%", metric: "custom_trend", statistic: .p95, kind: .relative(limit: 0.1, absoluteAmount: false), unit: nil),
        Case(text: "p95 >= -10%", metric: "custom_trend", statistic: .p95, kind: .relative(limit: 0.1, absoluteAmount: false), unit: nil),
    ]

    @Test(arguments: valid)
    func parses(_ c: Case) throws {
        let rules = try BudgetTesting.expressionRules(c.text, metric: c.metric)
        let rule = try #require(rules.first)
        #expect(rules.count == 1)
        #expect(rule.statistic == c.statistic)
        #expect(rule.kind == c.kind)
        #expect(rule.unit == c.unit)
        #expect(rule.level == .fail)
        #expect(rule.source == c.text)
        #expect(rule.path == "budgets[0].expressions[0]")
    }

    static let invalid: [(String, String)] = [
        ("p95 == 200", "operator '==' is not supported"),
        ("p95 === 200", "operator '===' is not supported"),
        ("p95 != 200", "operator '!=' is not supported"),
        ("p95 =< 200", "did you mean '<='?"),
        ("p95", "has no comparison"),
        ("< 200", "missing aggregation"),
        ("p95 <", "missing value"),
        ("", "empty expression"),
        ("avgg < 100", "unknown statistic \"avgg\" (did you mean 'avg'?)"),
        ("p101 < 100", "percentile \"p101\" is out of range"),
        ("p(101)<100", "out of range"),
        ("p(abc) < 100", "\"p(abc)\" is not a valid percentile"),
        ("95 < 100", "is not a statistic; write a percentile as p(95)"),
        ("p95 < 5%", "\"5%\" is a percentage but p95 of http_req_duration is a duration; write e.g. \"200ms\""),
        ("error_rate < 5ms", "\"5ms\" is a duration but error_rate of http_req_duration is a rate"),
        ("error_rate < 150%", "out of range"),
        ("p95 < 200 msec", "unknown unit \"msec\""),
        ("p95 < fast", "is not a number with a unit"),
        ("p95 >= +10%", "does not state how much worse is allowed"),
        ("p95 <= -10%", "does not state how much worse is allowed"),
        ("throughput <= +10%", "throughput of http_req_duration is better when higher; write \"throughput >= -10%\""),
        ("p95 <= +20%/s", "unknown unit"),
        ("p95 <= +5/s", "is a rate per second but p95 of http_req_duration is a duration"),
    ]

    @Test(arguments: invalid)
    func rejects(_ text: String, _ expected: String) {
        let escaped = text.replacingOccurrences(of: "\"", with: "\\\"")
        let errors = BudgetTesting.errors(BudgetTesting.oneBudget(#""expressions": ["\#(escaped)"]"#))
        #expect(errors.count == 1, "\(errors)")
        let message = errors.first ?? ""
        #expect(message.contains(expected), "\(message)")
        #expect(message.hasPrefix("budgets.json: error: at budgets[0].expressions[0]: "), "\(message)")
    }

    @Test func splitsWithoutInterpreting() throws {
        let e = try BudgetExpression.parse("p(95) <= +10%")
        #expect(e.aggregation == "p(95)")
        #expect(e.op == .le)
        #expect(e.value == "+10%")
        #expect(throws: BudgetExpression.ParseError.self) { try BudgetExpression.parse("p95 = 3") }
    }

    @Test func warnLevelExpressions() throws {
        let set = try BudgetTesting.load(
            BudgetTesting.oneBudget(#""expressions": ["p(95)<500"], "warn": { "expressions": ["p(95)<300"] }"#))
        let rules = set.budgets[0].rules
        #expect(rules.map(\.level) == [.fail, .warn])
        #expect(rules[1].path == "budgets[0].warn.expressions[0]")
        #expect(rules[1].kind == .absolute(op: .lt, limit: 300))
    }
}

@Suite("Budget units")
struct BudgetUnitTests {
    static let cases: [(String, Double, BudgetQuantity.WrittenUnit)] = [
        ("200ms", 200, .duration), ("200 ms", 200, .duration), ("1s", 1000, .duration), ("1.5 s", 1500, .duration),
        ("250us", 0.25, .duration), ("250µs", 0.25, .duration), ("5ns", 0.000005, .duration), ("2min", 120_000, .duration),
        ("1%", 0.01, .percentage), ("0.5%", 0.005, .percentage), ("100%", 1, .percentage),
        ("500/s", 500, .perSecond), ("500rps", 500, .perSecond), ("500 req/s", 500, .perSecond),
        ("512B", 512, .bytes), ("1KB", 1024, .bytes), ("2MB", 2_097_152, .bytes), ("1GB", 1_073_741_824, .bytes),
        ("1000", 1000, .plain), ("0.01", 0.01, .plain), ("1e3", 1000, .plain), ("-5", -5, .plain),
    ]

    @Test(arguments: cases)
    func converts(_ text: String, _ value: Double, _ unit: BudgetQuantity.WrittenUnit) throws {
        let q = try BudgetQuantity.parse(text)
        #expect(abs(q.value - value) <= 1e-12 * max(1, abs(value)), "\(text) → \(q.value)")
        #expect(q.unit == unit)
    }

    @Test func signs() throws {
        #expect(try BudgetQuantity.parse("+10%").sign == "+")
        #expect(try BudgetQuantity.parse("-5%").value == -0.05)
        #expect(try BudgetQuantity.parse("10%").sign == nil)
    }

    @Test func unknownUnitSuggests() {
        #expect(throws: BudgetExpression.ParseError.self) { try BudgetQuantity.parse("200 msec") }
        do {
            _ = try BudgetQuantity.parse("3 secs")
        } catch {
            #expect(error.message.contains("unknown unit \"secs\""))
        }
    }

    @Test func mapValuesNeedUnits() {
        let errors = BudgetTesting.errors(BudgetTesting.oneBudget(#""max": { "p95": 200 }"#))
        #expect(
            errors == [
                "budgets.json: error: at budgets[0].max.p95: 200 has no unit but p95 of http_req_duration is a duration; write e.g. \"200ms\"\nnote: a number without a unit is read in the metric's own unit only in \"expressions\", as in k6"
            ])
    }

    @Test func plainNumbersForCounts() throws {
        let set = try BudgetTesting.load(BudgetTesting.oneBudget(#""min": { "count": 1000 }, "max": { "errors": "5" }"#))
        let rules = set.budgets[0].rules
        #expect(rules.contains { $0.statistic == .count && $0.kind == .absolute(op: .ge, limit: 1000) && $0.unit == .count })
        #expect(rules.contains { $0.statistic == .errors && $0.kind == .absolute(op: .le, limit: 5) })
    }

    @Test func regressionAmountsAndFractions() throws {
        let set = try BudgetTesting.load(
            BudgetTesting.oneBudget(#""regression": { "p95": "10%", "p99": "20ms", "throughput": "+5%" }"#))
        let byStat = Dictionary(uniqueKeysWithValues: set.budgets[0].rules.map { ($0.statistic, $0) })
        #expect(byStat[.p95]?.kind == .relative(limit: 0.1, absoluteAmount: false))
        #expect(byStat[.p99]?.kind == .relative(limit: 20, absoluteAmount: true))
        #expect(byStat[.p99]?.unit == .milliseconds)
        #expect(byStat[.throughput]?.kind == .relative(limit: 0.05, absoluteAmount: false))
    }

    @Test func customMetricsAcceptAnyWellFormedUnit() throws {
        let set = try BudgetTesting.load(
            BudgetTesting.oneBudget(#""metric": "db_pool", "max": { "p95": "5ms", "max": "80%", "value": "12" }"#))
        let units = set.budgets[0].rules.map(\.unit)
        #expect(Set(units) == [.milliseconds, .ratio, nil])
    }
}
