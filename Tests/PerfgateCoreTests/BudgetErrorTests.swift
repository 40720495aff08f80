import Foundation
import PerfgateCore
import Testing

@Suite("Budget file: errors")
struct BudgetErrorTests {
    @Test func syntaxErrorNamesLineAndColumn() throws {
        let errors = BudgetTesting.errors(try BudgetTesting.fixture("syntax-error.json"), file: "budgets.json")
        #expect(errors.count == 1)
        #expect(errors.first?.hasPrefix("budgets.json:5:3: error: invalid JSON") == true, "\(errors)")
    }

    @Test func trailingCommaIsRejected() throws {
        let errors = BudgetTesting.errors(try BudgetTesting.fixture("trailing-comma.json"))
        #expect(errors == ["budgets.json:4:30: error: invalid JSON: trailing comma (budget files are plain JSON)"])
    }

    @Test func duplicateKeyIsRejected() {
        let errors = BudgetTesting.errors(#"{ "version": 1, "budgets": [ { "max": { "p95": "1s" }, "max": { "p99": "2s" } } ] }"#)
        #expect(errors == [#"budgets.json:1:56: error: invalid JSON: duplicate key "max" in the same object (first at line 1, column 32)"#])
    }

    @Test func emptyFile() {
        #expect(BudgetTesting.errors("") == ["budgets.json:1:1: error: file is empty"])
    }

    @Test func topLevelMustBeAnObject() {
        #expect(
            BudgetTesting.errors("[1]") == [
                #"budgets.json: error: expected an object with "version" and "budgets" at the top level, found an array"#
            ])
    }

    @Test func versionMissing() {
        // Reported with every other problem of the file, not alone.
        let errors = BudgetTesting.errors(#"{ "budgets": [] }"#)
        #expect(
            errors == [
                "budgets.json: error: missing required key \"version\"\nnote: add \"version\": 1 at the top of the file",
                "budgets.json: error: at budgets: no budgets: the list is empty, so nothing would be checked",
            ], "\(errors)")
    }

    @Test func aMisspelledTopLevelKeyIsNamedWithItsSuggestion() {
        let errors = BudgetTesting.errors(#"{ "versoin": 1, "budgets": [ { "max": { "p95": "200ms" } } ] }"#)
        #expect(errors.count == 2, "\(errors)")
        #expect(errors.first?.hasPrefix("budgets.json: error: at versoin: unknown key (did you mean 'version'?)") == true, "\(errors)")
        #expect(errors.last?.hasPrefix("budgets.json: error: missing required key \"version\"") == true, "\(errors)")
    }

    @Test func typeErrorsAreCollectedWithTheRestOfTheFile() {
        let errors = BudgetTesting.errors(
            #"{ "version": 1, "budgets": [ { "weight": "high", "max": { "p95": true, "p99": "1 parsec" } }, 3, { "mx": {} } ] }"#)
        let paths = errors.map { String($0.dropFirst("budgets.json: error: at ".count).prefix { $0 != ":" }) }
        #expect(paths == ["budgets[0].weight", "budgets[0].max.p95", "budgets[1]", "budgets[0].max.p99", "budgets[2].mx"], "\(errors)")
    }

    @Test func versionNewer() throws {
        let errors = BudgetTesting.errors(try BudgetTesting.fixture("version-2.json"))
        #expect(errors.count == 1)
        #expect(
            errors.first?.hasPrefix(
                "budgets.json: error: at version: budget file version 2 is newer than this perfgate, which reads version 1") == true)
    }

    @Test func versionWrongType() {
        let errors = BudgetTesting.errors(#"{ "version": "1", "budgets": [] }"#)
        #expect(errors.first?.hasPrefix(#"budgets.json: error: at version: expected an integer, found the string "1""#) == true)
    }

    @Test func unknownKeySuggests() {
        let errors = BudgetTesting.errors(BudgetTesting.oneBudget(#""regresion": { "p95": "10%" }"#))
        #expect(
            errors == [
                "budgets.json: error: at budgets[0].regresion: unknown key (did you mean 'regression'?)\nnote: allowed here: name, scenario, environment, endpoint, benchmark, metric, tags, weight, key, max, min, regression, significant, expressions, drift, steady, warn"
            ])
    }

    static let unknownKeys: [(String, String)] = [
        (#"{ "version": 1, "budget": [] }"#, "at budget: unknown key (did you mean 'budgets'?)"),
        (#"{ "version": 1, "baseline": { "stratgy": "window" }, "budgets": [ {} ] }"#, "at baseline.stratgy: unknown key (did you mean 'strategy'?)"),
        (#"{ "version": 1, "statistics": { "alfa": 0.1 }, "budgets": [ {} ] }"#, "at statistics.alfa: unknown key (did you mean 'alpha'?)"),
        (#"{ "version": 1, "score": { "passs": 90 }, "budgets": [ {} ] }"#, "at score.passs: unknown key (did you mean 'pass'?)"),
        (#"{ "version": 1, "defaults": { "mx": {} }, "budgets": [ {} ] }"#, "at defaults.mx: unknown key (did you mean 'max'?)"),
        (#"{ "version": 1, "budgets": [ { "warn": { "expresions": [] } } ] }"#, "at budgets[0].warn.expresions: unknown key (did you mean 'expressions'?)"),
        (#"{ "version": 1, "budgets": [ { "warn": { "weight": 2 } } ] }"#, "at budgets[0].warn.weight: \"weight\" applies to every rule of the entry"),
        (#"{ "version": 1, "defaults": { "scenario": "x" }, "budgets": [ {} ] }"#, "at defaults.scenario: \"scenario\" is not allowed in defaults"),
        (#"{ "version": 1, "budgets": [ { "polarity": "x" } ] }"#, "at budgets[0].polarity: unknown key\n"),
    ]

    @Test(arguments: unknownKeys)
    func unknownKeysAnywhere(_ json: String, _ expected: String) {
        let errors = BudgetTesting.errors(json)
        #expect(errors.contains { $0.contains(expected) }, "\(errors)")
    }

    static let wrongTypes: [(String, String)] = [
        (BudgetTesting.oneBudget(#""weight": "high""#), #"at budgets[0].weight: expected a number, found the string "high""#),
        (BudgetTesting.oneBudget(#""key": 1"#), "at budgets[0].key: expected true or false, found 1"),
        (BudgetTesting.oneBudget(#""max": ["p95"]"#), "at budgets[0].max: expected an object, found an array"),
        (BudgetTesting.oneBudget(#""max": { "p95": true }"#), #"at budgets[0].max.p95: expected a string with a unit such as "200ms" or "10%", found true"#),
        (BudgetTesting.oneBudget(#""expressions": "p(95)<200""#), #"at budgets[0].expressions: expected an array, found the string "p(95)<200""#),
        (BudgetTesting.oneBudget(#""tags": { "team": 3 }"#), "at budgets[0].tags.team: expected a string, found 3"),
        (#"{ "version": 1, "baseline": { "window": 30.5 }, "budgets": [ {} ] }"#, "at baseline.window: expected an integer, found 30.5"),
        (#"{ "version": 1, "budgets": {} }"#, "at budgets: expected an array, found an object"),
        (#"{ "version": 1, "budgets": [ 3 ] }"#, "at budgets[0]: expected an object, found 3"),
        (#"{ "version": 1, "requireBaseline": "yes", "budgets": [ {} ] }"#, #"at requireBaseline: expected true or false, found the string "yes""#),
    ]

    @Test(arguments: wrongTypes)
    func wrongTypesNamePathAndExpectedType(_ json: String, _ expected: String) {
        let errors = BudgetTesting.errors(json)
        #expect(errors == ["budgets.json: error: " + expected], "\(errors)")
    }

    static let content: [(String, String)] = [
        (#"{ "version": 1, "budgets": [] }"#, "at budgets: no budgets: the list is empty"),
        (#"{ "version": 1 }"#, "missing required key \"budgets\""),
        (#"{ "version": 1, "score": { "pass": 70, "warn": 80 }, "budgets": [ {} ] }"#, "at score.warn: the warn band (80) is above the pass band (70)"),
        (#"{ "version": 1, "score": { "pass": 170 }, "budgets": [ {} ] }"#, "at score.pass: a score band is between 0 and 100, found 170"),
        (#"{ "version": 1, "baseline": { "strategy": "windw" }, "budgets": [ {} ] }"#, "at baseline.strategy: unknown value \"windw\" (did you mean 'window'?)"),
        (#"{ "version": 1, "statistics": { "correction": "bonferroni" }, "budgets": [ {} ] }"#, "at statistics.correction: unknown value \"bonferroni\""),
        (#"{ "version": 1, "statistics": { "alpha": 5 }, "budgets": [ {} ] }"#, "at statistics.alpha: alpha must be between 0 and 1"),
        (#"{ "version": 1, "baseline": { "window": 0 }, "budgets": [ {} ] }"#, "at baseline.window: the window must be at least 1 run"),
        (BudgetTesting.oneBudget(#""max": { "p95": "5%" }"#), #"at budgets[0].max.p95: "5%" is a percentage but p95 of http_req_duration is a duration; write e.g. "200ms""#),
        (BudgetTesting.oneBudget(#""min": { "throughput": "500" }"#), #"at budgets[0].min.throughput: 500 has no unit but throughput of http_req_duration is a rate per second; write e.g. "500/s""#),
        (BudgetTesting.oneBudget(#""max": { "avgg": "100ms" }"#), "at budgets[0].max.avgg: unknown statistic \"avgg\" (did you mean 'avg'?)"),
        (BudgetTesting.oneBudget(#""max": { "p101": "100ms" }"#), "at budgets[0].max.p101: percentile \"p101\" is out of range"),
        (BudgetTesting.oneBudget(#""max": { "p(abc)": "100ms" }"#), #"at budgets[0].max["p(abc)"]: "p(abc)" is not a valid percentile"#),
        (BudgetTesting.oneBudget(#""regression": { "p95": "-10%" }"#), "at budgets[0].regression.p95: a regression limit is how much worse is allowed, never negative"),
        (BudgetTesting.oneBudget(#""regression": { "p95": "10" }"#), "at budgets[0].regression.p95: 10 has no unit; write a percentage of the baseline like \"10%\" or an amount like \"200ms\""),
        (BudgetTesting.oneBudget(#""significant": { "p95": "20ms" }"#), #"at budgets[0].significant.p95: "20ms" is a duration; a significance rule takes the minimum effect as a percentage"#),
        (BudgetTesting.oneBudget(#""weight": -1"#), "at budgets[0].weight: a weight is a number of at least 0, found -1"),
        (BudgetTesting.oneBudget(#""metric": """#), "at budgets[0].metric: the metric name is empty"),
        (BudgetTesting.oneBudget(#""max": { "p95": "200ms" }, "expressions": ["p95 <= 300ms"]"#), "at budgets[0].expressions[0]: p95 already has a fail-level upper limit at budgets[0].max.p95"),
    ]

    @Test(arguments: content)
    func contentErrors(_ json: String, _ expected: String) {
        let errors = BudgetTesting.errors(json)
        #expect(errors.count == 1, "\(errors)")
        #expect(errors.first?.hasPrefix("budgets.json: error: " + expected) == true, "\(errors)")
    }

    @Test func severalErrorsAreCollected() throws {
        let errors = BudgetTesting.errors(try BudgetTesting.fixture("many-errors.json"))
        let paths = errors.map { line in
            String(line.dropFirst("budgets.json: error: at ".count).prefix { $0 != ":" })
        }
        #expect(
            paths == [
                "baseline.strategi", "score.warn", "budgets[0].regresion", "budgets[1].max.avgg", "budgets[1].max.p95",
                "budgets[2].expressions[0]", "budgets[2].expressions[1]",
            ], "\(errors)")
    }

    @Test func oneDiagnosticSummarisesTheRest() throws {
        do {
            _ = try BudgetSet.load(try BudgetTesting.fixture("many-errors.json"), file: "b.json")
            Issue.record("expected an error")
        } catch let e as BudgetsError {
            #expect(e.exitStatus == .malformedInput)
            #expect(e.diagnostic.notes.last == "and 6 more errors; run `perfgate budgets validate b.json` to see all")
        }
    }

    @Test func unreadableIsExit66() {
        let e = BudgetsError.unreadable(file: "nope.json", reason: "no such budget file")
        #expect(e.exitStatus == .missingInput)
        #expect(e.diagnostic.rendered == "nope.json: error: no such budget file")
    }
}
