import Foundation
import PerfgateCore

/// A parsed JSON value that remembers its path, so every type error names where it happened:
/// `results/summary.json: error: at metrics.http_req_duration.values["p(95)"]: expected a number`.
public struct JSONNode {
    public let value: Any
    /// Path from the document root, e.g. `metrics["http_req_duration{name:x}"].values.avg`.
    public let path: String
    public let file: String

    /// Parses a whole document; syntax errors carry `line:col`.
    public static func parse(_ data: Data, file: String) throws -> JSONNode {
        // JSONDecoder parses numbers exactly; JSONSerialization on Linux can be one ulp off. The
        // document is decoded first: only one it refuses is parsed again to locate the syntax error.
        let decoded = try? JSONDecoder().decode(ExactJSON.self, from: data).value
        if decoded == nil, let (loc, msg) = JSONLocator.syntaxError(in: data, file: file) {
            throw IngestError.malformed(loc, msg)
        }
        if let (offset, message) = StrictJSON.firstProblem(in: data) {
            let (line, column) = JSONLocator.lineColumn(in: data, offset: offset)
            throw IngestError.malformed(SourceLocation(file: file, line: line, column: column), message)
        }
        guard String(data: data, encoding: .utf8) != nil else {
            throw IngestError.at(file, "file is not valid UTF-8")
        }
        guard let decoded else { throw IngestError.at(file, "invalid JSON") }
        return JSONNode(value: decoded, path: "", file: file)
    }

    public init(value: Any, path: String, file: String) {
        self.value = value
        self.path = path
        self.file = file
    }

    public func error(_ message: String) -> IngestError {
        IngestError.at(file, path: path.isEmpty ? "(root)" : path, message)
    }

    public var isNull: Bool { value is NSNull }

    public var asObject: [String: Any]? { value as? [String: Any] }
    public var asArray: [Any]? { value as? [Any] }

    /// Keys of an object, sorted (deterministic order).
    public func keys() throws -> [String] { try object().keys.sorted() }

    public func object() throws -> [String: Any] {
        guard let o = value as? [String: Any] else { throw error("expected an object, found \(kind)") }
        return o
    }

    public func array() throws -> [JSONNode] {
        guard let a = value as? [Any] else { throw error("expected an array, found \(kind)") }
        return a.enumerated().map { JSONNode(value: $0.element, path: JSONPath.index(path, $0.offset), file: file) }
    }

    /// The member `key`, or nil when absent.
    public func optional(_ key: String) throws -> JSONNode? {
        guard let v = try object()[key] else { return nil }
        return JSONNode(value: v, path: JSONPath.child(path, key: key), file: file)
    }

    /// The member `key`; an error naming the path when absent.
    public func required(_ key: String) throws -> JSONNode {
        guard let n = try optional(key) else {
            throw IngestError.at(file, path: JSONPath.child(path, key: key), "missing required key")
        }
        return n
    }

    /// Members as (key, node), sorted by key.
    public func members() throws -> [(String, JSONNode)] {
        let o = try object()
        return o.keys.sorted().map { ($0, JSONNode(value: o[$0]!, path: JSONPath.child(path, key: $0), file: file)) }
    }

    /// A finite number. `null` (what `JSON.stringify` makes of NaN) is an error.
    public func number() throws -> Double {
        if value is NSNull { throw error("expected a number, found null (NaN or Infinity in the tool's output?)") }
        if isBoolNumber { throw error("expected a number, found a boolean") }
        guard let n = value as? NSNumber else { throw error("expected a number, found \(kind)") }
        let d = n.doubleValue
        guard d.isFinite else { throw error("expected a finite number, found \(d)") }
        return d
    }

    /// A finite number that is not negative.
    public func nonNegative() throws -> Double {
        let d = try number()
        guard d >= 0 else { throw error("expected a non-negative number, found \(d)") }
        return d
    }

    public func string() throws -> String {
        guard let s = value as? String else { throw error("expected a string, found \(kind)") }
        return s
    }

    public func bool() throws -> Bool {
        if isBoolNumber, let b = value as? Bool { return b }
        throw error("expected true or false, found \(kind)")
    }

    /// JSON `true`/`false`. On Linux, Foundation gives booleans objCType "c" and `1` also casts to Bool,
    /// so the type code is the only reliable test.
    private var isBoolNumber: Bool {
        guard let n = value as? NSNumber else { return false }
        return String(cString: n.objCType) == "c"
    }

    var kind: String {
        switch value {
        case is NSNull: return "null"
        case is String: return "a string"
        case is [Any]: return "an array"
        case is [String: Any]: return "an object"
        case is NSNumber: return isBoolNumber ? "a boolean" : "a number"
        default: return "a value"
        }
    }
}

/// Decodes any JSON value into the Foundation shapes `JSONNode` works with (`[String: Any]`, `[Any]`,
/// `String`, `NSNumber`, `NSNull`), with numbers parsed exactly.
struct ExactJSON: Decodable {
    let value: Any

    struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    /// Each refused attempt costs JSONDecoder an error with its coding path, so the most common kind
    /// in result files, a number, is tried first (ci/bench-small.sh). The values are those of trying
    /// object, array, null, Bool, Int64, Double and String in that order.
    init(from decoder: any Decoder) throws {
        let single = try decoder.singleValueContainer()
        if single.decodeNil() {
            value = NSNull()
        } else if let d = try? single.decode(Double.self) {
            // An integral number may have been written as an integer: Int64 keeps every digit of it.
            if d.rounded(.towardZero) == d, let i = try? single.decode(Int64.self) {
                value = NSNumber(value: i)
            } else {
                value = NSNumber(value: d)
            }
        } else if let b = try? single.decode(Bool.self) {
            value = NSNumber(value: b)
        } else if let string = try? single.decode(String.self) {
            value = string
        } else if let i = try? single.decode(Int64.self) {
            value = NSNumber(value: i)
        } else if let object = try? decoder.container(keyedBy: Key.self) {
            var out: [String: Any] = [:]
            for key in object.allKeys { out[key.stringValue] = try object.decode(ExactJSON.self, forKey: key).value }
            value = out
        } else {
            var array = try decoder.unkeyedContainer()
            var out: [Any] = []
            if let n = array.count { out.reserveCapacity(n) }
            while !array.isAtEnd { out.append(try array.decode(ExactJSON.self).value) }
            value = out
        }
    }
}
