import Foundation
import PerfgateCore
import PerfgateTestSupport
import Testing

/// Helpers shared by the `Budget*Tests` suites.
enum BudgetTesting {
    static func fixture(_ name: String) throws -> Data {
        try Data(contentsOf: Fixtures.url("budgets/\(name)", target: "PerfgateCoreTests"))
    }

    static func example(_ name: String) throws -> Data {
        try Data(contentsOf: Fixtures.repositoryRoot.appendingPathComponent("ci/examples/\(name)"))
    }

    static func load(_ json: String, file: String = "budgets.json") throws -> BudgetSet {
        try BudgetSet.load(Data(json.utf8), file: file)
    }

    /// The rendered diagnostics of a document that must not validate (empty when it does).
    static func errors(_ json: String, file: String = "budgets.json") -> [String] {
        errors(Data(json.utf8), file: file)
    }

    static func errors(_ data: Data, file: String = "budgets.json") -> [String] {
        do {
            _ = try BudgetSet.load(data, file: file)
            return []
        } catch let e as BudgetsError {
            return e.diagnostics.map(\.rendered)
        } catch {
            return ["unexpected error type: \(error)"]
        }
    }

    /// A file with one budget made of the given JSON members.
    static func oneBudget(_ members: String) -> String {
        #"{ "version": 1, "budgets": [ { \#(members) } ] }"#
    }

    /// The rules of a file with one budget holding `expressions: [text]` on `metric`.
    static func expressionRules(_ text: String, metric: String? = nil) throws -> [Rule] {
        let metricMember = metric.map { #""metric": "\#($0)", "# } ?? ""
        let escaped = text.replacingOccurrences(of: "\"", with: "\\\"")
        let set = try load(oneBudget(#"\#(metricMember)"expressions": ["\#(escaped)"]"#))
        return set.budgets[0].rules
    }
}
