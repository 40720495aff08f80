import Foundation

/// JSON paths in messages, one spelling for every JSON reader (budgets, result files, baselines):
/// `budgets[2].max.p95`, `[0].response_times["120.0"]`, `thresholds["p(95)"]`. A key that is an
/// identifier (ASCII letter, digit, `_` or `$`, not starting with a digit) follows a dot; any other key
/// is quoted in brackets with `\` and `"` escaped, so the path can be pasted into jq or JavaScript.
public enum JSONPath {
    /// `parent.key` or `parent["key"]`; a key at the root has no dot.
    public static func child(_ parent: String, key: String) -> String {
        // An ASCII identifier: a letter, `_` or `$`, then letters, digits, `_` or `$` (checked on bytes:
        // every member of every JSON document read gets a path, so this runs per value).
        func identifierByte(_ b: UInt8, first: Bool) -> Bool {
            (b >= 65 && b <= 90) || (b >= 97 && b <= 122) || b == 95 || b == 36 || (!first && b >= 48 && b <= 57)
        }
        var isIdentifier = !key.isEmpty
        for (i, b) in key.utf8.enumerated() where !identifierByte(b, first: i == 0) {
            isIdentifier = false
            break
        }
        if isIdentifier { return parent.isEmpty ? key : parent + "." + key }
        var escaped = ""
        for scalar in key.unicodeScalars {
            if scalar == "\\" || scalar == "\"" { escaped.unicodeScalars.append("\\") }
            escaped.unicodeScalars.append(scalar)
        }
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
