import Foundation
import PerfgateCore
import Testing

@Suite("Budget file: dump --effective")
struct BudgetEffectiveTests {
    static let files: [(String, Bool)] = [
        ("budgets.json", true), ("budgets-k6-style.json", true), ("canonical.json", false),
    ]

    static func load(_ name: String, example: Bool) throws -> BudgetSet {
        let data = example ? try BudgetTesting.example(name) : try BudgetTesting.fixture(name)
        return try BudgetSet.load(data, file: name)
    }

    @Test(arguments: files)
    func roundTrips(_ name: String, _ example: Bool) throws {
        let set = try Self.load(name, example: example)
        let dumped = try set.effectiveJSON()
        var warnings: [Diagnostic] = []
        let again = try BudgetSet.load(dumped, file: "effective.json", warnings: &warnings)
        #expect(warnings.isEmpty)
        #expect(again.withoutRuleSources == set.withoutRuleSources)
        // A fixed point: dumping the effective file again changes nothing.
        #expect(String(decoding: try again.effectiveJSON(), as: UTF8.self) == String(decoding: dumped, as: UTF8.self))
    }

    @Test func canonicalFileRoundTripsExactly() throws {
        let set = try Self.load("canonical.json", example: false)
        let again = try BudgetSet.load(try set.effectiveJSON(), file: "canonical.json")
        #expect(again == set)
    }

    @Test func effectiveFileIsCanonicalAndComplete() throws {
        let set = try Self.load("budgets-k6-style.json", example: true)
        let text = String(decoding: try set.effectiveJSON(), as: UTF8.self)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        #expect(object["version"] as? Int == 1)
        #expect(object["$schema"] as? String == BudgetFile.schemaURL)
        #expect(object["defaults"] == nil)
        let baseline = try #require(object["baseline"] as? [String: Any])
        #expect(baseline["strategy"] as? String == "merge-base")
        #expect(baseline["window"] as? Int == 30)
        let statistics = try #require(object["statistics"] as? [String: Any])
        #expect(statistics["correction"] as? String == "bh")
        let budgets = try #require(object["budgets"] as? [[String: Any]])
        let get = budgets[0]
        #expect(get["metric"] as? String == "http_req_duration")
        #expect(get["weight"] as? Double == 1)
        #expect(get["key"] as? Bool == false)
        #expect(get["regression"] as? [String: String] == ["p50": "15%"])
        #expect(((get["warn"] as? [String: Any])?["regression"] as? [String: String]) == ["p95": "15%"])
        #expect(get["expressions"] as? [String] == ["mean < 150ms", "p95 < 200ms"])
        let failed = budgets[2]
        #expect(failed["key"] as? Bool == true)
        #expect(failed["expressions"] as? [String] == ["error_rate < 2%"])
        #expect((failed["warn"] as? [String: Any])?["expressions"] as? [String] == ["error_rate < 1%"])
        #expect(budgets[3]["expressions"] as? [String] == ["throughput > 10/s"])
        #expect(text.hasSuffix("}\n"))
    }

    @Test func slaExampleUsesMaxMinAndCanonicalUnits() throws {
        let set = try Self.load("budgets.json", example: true)
        let object = try #require(try JSONSerialization.jsonObject(with: try set.effectiveJSON()) as? [String: Any])
        let budgets = try #require(object["budgets"] as? [[String: Any]])
        #expect(budgets[2]["max"] as? [String: String] == ["p95": "500ms"])
        #expect(budgets[4]["max"] as? [String: String] == ["error_rate": "2%"])
        #expect(budgets[4]["key"] as? Bool == true)
        #expect(budgets[5]["min"] as? [String: String] == ["throughput": "10/s"])
        #expect(budgets[0]["significant"] as? [String: String] == ["p95": "10%"])
        #expect(object["score"] == nil)
    }

    @Test func percentagesReadBackExactly() throws {
        for text in ["0.1%", "1%", "2.5%", "33.3%", "0.001%", "12.345%", "99.99%"] {
            let set = try BudgetTesting.load(BudgetTesting.oneBudget(#""max": { "error_rate": "\#(text)" }"#))
            let again = try BudgetSet.load(try set.effectiveJSON(), file: "e.json")
            #expect(again.withoutRuleSources == set.withoutRuleSources, "\(text)")
            #expect(again.budgets[0].rules[0].source == "max.error_rate: \(text)")
        }
    }

    @Test func rulesWithDifferentWeightsAreSplit() throws {
        let rules = [
            Rule(statistic: .p95, kind: .absolute(op: .le, limit: 200), level: .fail, weight: 1, source: "a", path: "a", unit: .milliseconds),
            Rule(statistic: .p99, kind: .absolute(op: .le, limit: 400), level: .fail, weight: 2, key: true, source: "b", path: "b", unit: .milliseconds),
        ]
        let set = BudgetSet(budgets: [Budget(name: "x", selector: Selector(), rules: rules, path: "budgets[0]")])
        let again = try BudgetSet.load(try set.effectiveJSON(), file: "e.json")
        #expect(again.budgets.count == 2)
        #expect(again.budgets.flatMap(\.rules).map(\.weight) == [1, 2])
        #expect(again.budgets.flatMap(\.rules).map(\.key) == [false, true])
    }
}
