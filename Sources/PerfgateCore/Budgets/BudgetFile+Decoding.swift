import Foundation

// Decoding budgets.json: syntax, version and JSON types, with every problem at its JSON path.

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

/// Helpers of the budget decoder.
enum BudgetPath {
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
            return .budgetError(file: file, path: JSONPath.render(context.codingPath), "expected \(expected(type)), found \(found)")
        case .dataCorrupted(let context):
            let found = value(at: context.codingPath, in: tree)
            if let n = found as? NSNumber, !isBool(n) {
                return .budgetError(
                    file: file, path: JSONPath.render(context.codingPath), "expected an integer, found \(describe(found))")
            }
            return .budgetError(file: file, path: JSONPath.render(context.codingPath), context.debugDescription)
        case .keyNotFound(let key, let context):
            return .budgetError(file: file, path: JSONPath.render(context.codingPath), "missing required key \"\(key.stringValue)\"")
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
