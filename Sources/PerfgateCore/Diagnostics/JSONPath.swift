import Foundation

/// JSON paths in messages, one spelling for every JSON reader (budgets, result files, baselines):
/// `budgets[2].max.p95`, `[0].response_times["120.0"]`, `thresholds["p(95)"]`. A key that is an
/// identifier (ASCII letter, digit, `_` or `$`, not starting with a digit) follows a dot; any other key
/// is quoted in brackets with `\` and `"` escaped, so the path can be pasted into jq or JavaScript.
public enum JSONPath {
    /// `parent.key` or `parent["key"]`; a key at the root has no dot.
    public static func child(_ parent: String, key: String) -> String {
        let isIdentifier =
            !key.isEmpty && key.first.map { $0.isLetter || $0 == "_" || $0 == "$" } == true
            && key.allSatisfy { ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "$") && $0.isASCII }
        if isIdentifier { return parent.isEmpty ? key : parent + "." + key }
        let escaped = key.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
        return parent + "[\"\(escaped)\"]"
    }

    /// The path of a `Decoder`'s coding path: `budgets[0].max["p(95)"]`.
    public static func render(_ codingPath: [any CodingKey]) -> String {
        var path = ""
        for key in codingPath {
            if let i = key.intValue, key.stringValue == String(i) || key.stringValue.hasPrefix("Index ") {
                path = index(path, i)
            } else {
                path = child(path, key: key.stringValue)
            }
        }
        return path
    }

    /// `parent[i]`.
    public static func index(_ parent: String, _ i: Int) -> String { parent + "[\(i)]" }
}
