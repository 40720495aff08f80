import Foundation
import PerfgateCore

/// The user's cost model for the release summary (docs/cost-model.md). Every money figure the report
/// prints is computed from these numbers and shown with its formula; without a cost model none appears.
public struct CostModel: Sendable, Hashable {
    /// Requests served per month.
    public var trafficPerMonth: Double
    /// What one instance costs per hour.
    public var costPerInstanceHour: Double
    /// Instances running at the FROM commit.
    public var instances: Double
    /// What 100 ms of latency (on every request) is worth per month.
    public var valueOf100msPerMonth: Double
    /// Hours in a month for the cost arithmetic (730 by default).
    public var hoursPerMonth: Double
    /// Currency label printed before amounts (`USD` by default).
    public var currency: String

    public init(
        trafficPerMonth: Double, costPerInstanceHour: Double, instances: Double, valueOf100msPerMonth: Double,
        hoursPerMonth: Double = 730, currency: String = "USD"
    ) {
        self.trafficPerMonth = trafficPerMonth
        self.costPerInstanceHour = costPerInstanceHour
        self.instances = instances
        self.valueOf100msPerMonth = valueOf100msPerMonth
        self.hoursPerMonth = hoursPerMonth
        self.currency = currency
    }

    static let required = ["trafficPerMonth", "costPerInstanceHour", "instances", "valueOf100msPerMonth"]
    static let optional = ["version", "currency", "hoursPerMonth", "$schema", "description"]

    /// Reads and validates a cost model: a JSON object with the four required numbers; unknown keys,
    /// missing keys, non-numbers and negative values are errors naming the key.
    public static func decode(_ data: Data, file: String) throws -> CostModel {
        let dict: [String: JSONValue]
        do {
            _ = try JSONSerialization.jsonObject(with: data)
        } catch {
            throw ReportError.costModel(file: file, message: "not valid JSON: \(Self.jsonMessage(error))")
        }
        guard let decoded = try? JSONDecoder().decode([String: JSONValue].self, from: data) else {
            throw ReportError.costModel(file: file, message: "expected a JSON object of numbers and strings")
        }
        dict = decoded
        for key in dict.keys.sorted() where !required.contains(key) && !optional.contains(key) {
            let hint = (required + optional).first { Self.close($0, key) }
            throw ReportError.costModel(
                file: file, message: "at \(key): unknown key\(hint.map { "; did you mean \"\($0)\"?" } ?? "")")
        }
        if let v = dict["version"], v != .number(1) {
            throw ReportError.costModel(file: file, message: "at version: expected 1")
        }
        func number(_ key: String, default d: Double? = nil) throws -> Double {
            guard let v = dict[key] else {
                if let d { return d }
                throw ReportError.costModel(file: file, message: "at \(key): missing (required: \(required.joined(separator: ", ")))")
            }
            guard case .number(let n) = v, n.isFinite else {
                throw ReportError.costModel(file: file, message: "at \(key): expected a number")
            }
            guard n >= 0 else { throw ReportError.costModel(file: file, message: "at \(key): must not be negative") }
            return n
        }
        var currency = "USD"
        if let c = dict["currency"] {
            guard case .string(let s) = c, !s.isEmpty, s.count <= 8 else {
                throw ReportError.costModel(file: file, message: "at currency: expected a short label such as \"USD\"")
            }
            currency = s
        }
        let model = CostModel(
            trafficPerMonth: try number("trafficPerMonth"), costPerInstanceHour: try number("costPerInstanceHour"),
            instances: try number("instances"), valueOf100msPerMonth: try number("valueOf100msPerMonth"),
            hoursPerMonth: try number("hoursPerMonth", default: 730), currency: currency)
        guard model.instances > 0 else { throw ReportError.costModel(file: file, message: "at instances: must be at least 1") }
        guard model.hoursPerMonth > 0 else { throw ReportError.costModel(file: file, message: "at hoursPerMonth: must be positive") }
        return model
    }

    static func jsonMessage(_ error: any Error) -> String {
        let info = (error as NSError).userInfo
        return (info[NSDebugDescriptionErrorKey] as? String) ?? "\(error)"
    }

    /// A JSON value of a cost model; booleans are kept apart from numbers.
    enum JSONValue: Decodable, Equatable {
        case bool(Bool), number(Double), string(String), other

        init(from decoder: any Decoder) throws {
            let c = try decoder.singleValueContainer()
            if let b = try? c.decode(Bool.self) {
                self = .bool(b)
            } else if let d = try? c.decode(Double.self) {
                self = .number(d)
            } else if let s = try? c.decode(String.self) {
                self = .string(s)
            } else {
                self = .other
            }
        }
    }

    /// Same letters in another case, or within two edits of lengths at most one apart.
    static func close(_ a: String, _ b: String) -> Bool {
        let x = Array(a.lowercased())
        let y = Array(b.lowercased())
        return abs(x.count - y.count) <= 1 && KeySuggestion.distance(x, y) <= 2
    }
}
