import Foundation

/// One k6-style expression of the `expressions` array, split into its three parts but not yet
/// interpreted: `p(95)<200` → aggregation `p(95)`, operator `<`, value `200`.
///
/// The grammar is k6's threshold syntax, `<aggregation> <operator> <value>` with optional whitespace.
/// Operators are `<`, `<=`, `>`, `>=`; `==`, `===` and `!=` are refused with a clear message, because a
/// budget is a limit. The value is a number, optionally with a unit (`100ms`, `1%`, `500/s`), or a
/// signed percentage or amount (`+10%`, `+20ms`, `-5%`) for a rule relative to the baseline.
public struct BudgetExpression: Sendable, Hashable, CustomStringConvertible {
    /// The aggregation as written: `p(95)`, `avg`, `error_rate`.
    public var aggregation: String
    public var op: Comparison
    /// The value as written: `200`, `100ms`, `+10%`.
    public var value: String

    public init(aggregation: String, op: Comparison, value: String) {
        self.aggregation = aggregation
        self.op = op
        self.value = value
    }

    /// Why an expression could not be split.
    public struct ParseError: Error, Sendable, Hashable, CustomStringConvertible {
        public var message: String
        public var description: String { message }
    }

    /// Splits an expression; throws ``ParseError`` with a message for people.
    public static func parse(_ text: String) throws(ParseError) -> BudgetExpression {
        let operatorCharacters: Set<Character> = ["<", ">", "=", "!"]
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty else { throw ParseError(message: "empty expression; write e.g. \"p(95)<200\"") }
        guard let start = trimmed.firstIndex(where: { operatorCharacters.contains($0) }) else {
            throw ParseError(
                message: "\"\(text)\" has no comparison; write <aggregation> <operator> <value>, e.g. \"p(95)<200\"")
        }
        let end = trimmed[start...].firstIndex { !operatorCharacters.contains($0) } ?? trimmed.endIndex
        let opText = String(trimmed[start..<end])
        let lhs = trimmed[..<start].trimmingCharacters(in: .whitespaces)
        let rhs = trimmed[end...].trimmingCharacters(in: .whitespaces)
        let op: Comparison
        switch opText {
        case "<": op = .lt
        case "<=": op = .le
        case ">": op = .gt
        case ">=": op = .ge
        case "==", "===", "=", "!=", "!==":
            throw ParseError(
                message: "operator '\(opText)' is not supported in \"\(text)\": a budget is a limit; use <, <=, > or >=")
        case "=<", "=>":
            let fixed = opText == "=<" ? "<=" : ">="
            throw ParseError(message: "unknown operator '\(opText)' in \"\(text)\" (did you mean '\(fixed)'?)")
        default:
            throw ParseError(message: "unknown operator '\(opText)' in \"\(text)\"; use <, <=, > or >=")
        }
        guard !lhs.isEmpty else {
            throw ParseError(message: "missing aggregation before '\(opText)' in \"\(text)\", e.g. \"p(95)<200\"")
        }
        guard !rhs.isEmpty else {
            throw ParseError(message: "missing value after '\(opText)' in \"\(text)\", e.g. \"p(95)<200\"")
        }
        return BudgetExpression(aggregation: lhs, op: op, value: rhs)
    }

    public var description: String { "\(aggregation) \(op.rawValue) \(value)" }
}

/// A number with the unit it was written in, read from a budget value: `"200ms"`, `"1%"`, `"+10%"`,
/// `"500/s"`, `"512MB"`, `"1000"`. The value is converted to the canonical unit (milliseconds,
/// a fraction for `%`, bytes, per second).
public struct BudgetQuantity: Sendable, Hashable {
    /// The kind of unit written.
    public enum WrittenUnit: String, Sendable, Hashable, CaseIterable {
        case plain, duration, percentage, perSecond, bytes

        /// The canonical unit of values written this way; nil for a plain number.
        public var canonical: MetricUnit? {
            switch self {
            case .plain: return nil
            case .duration: return .milliseconds
            case .percentage: return .ratio
            case .perSecond: return .perSecond
            case .bytes: return .bytes
            }
        }

        var noun: String {
            switch self {
            case .plain: return "a plain number"
            case .duration: return "a duration"
            case .percentage: return "a percentage"
            case .perSecond: return "a rate per second"
            case .bytes: return "a size"
            }
        }
    }

    /// The value in the canonical unit (`"1s"` → 1000, `"1%"` → 0.01, `"1KB"` → 1024).
    public var value: Double
    public var unit: WrittenUnit
    /// The explicit sign written before the number, if any: `+` or `-`.
    public var sign: Character?

    public init(value: Double, unit: WrittenUnit, sign: Character? = nil) {
        self.value = value
        self.unit = unit
        self.sign = sign
    }

    /// The units people may write, for messages and "did you mean".
    public static let unitSpellings = ["ns", "us", "µs", "ms", "s", "min", "%", "/s", "rps", "B", "KB", "MB", "GB"]

    /// Parses a value; throws a message for people on failure.
    public static func parse(_ text: String) throws(BudgetExpression.ParseError) -> BudgetQuantity {
        let t = text.trimmingCharacters(in: .whitespaces)
        var rest = Substring(t)
        var sign: Character?
        if let first = rest.first, first == "+" || first == "-" {
            sign = first
            rest = rest.dropFirst()
        }
        var numberEnd = rest.startIndex
        var seenDigit = false
        var i = rest.startIndex
        while i < rest.endIndex, rest[i].isASCII, rest[i].isNumber || rest[i] == "." {
            if rest[i].isNumber { seenDigit = true }
            i = rest.index(after: i)
        }
        numberEnd = i
        // An exponent only when digits follow (`1e3`), so a unit starting with "e" is never eaten.
        if seenDigit, i < rest.endIndex, rest[i] == "e" || rest[i] == "E" {
            var j = rest.index(after: i)
            if j < rest.endIndex, rest[j] == "+" || rest[j] == "-" { j = rest.index(after: j) }
            if j < rest.endIndex, rest[j].isASCII, rest[j].isNumber {
                while j < rest.endIndex, rest[j].isASCII, rest[j].isNumber { j = rest.index(after: j) }
                numberEnd = j
            }
        }
        let numberText = rest[rest.startIndex..<numberEnd]
        guard seenDigit, let magnitude = Double(numberText), magnitude.isFinite else {
            throw BudgetExpression.ParseError(
                message: "\"\(text)\" is not a number with a unit; write e.g. \"200ms\", \"1%\" or \"500/s\"")
        }
        let unitText = rest[numberEnd...].trimmingCharacters(in: .whitespaces)
        let signed = sign == "-" ? -magnitude : magnitude
        let unit: WrittenUnit
        let value: Double
        switch unitText.lowercased() {
        case "":
            (unit, value) = (.plain, signed)
        case "%":
            (unit, value) = (.percentage, signed / 100)
        case "/s", "rps", "req/s", "ops/s":
            (unit, value) = (.perSecond, signed)
        case "ns", "us", "µs", "μs", "ms", "s", "min":
            (unit, value) = (.duration, MetricUnit.normalise(signed, unit: unitText)?.0 ?? signed)
        case "b", "kb", "mb", "gb":
            (unit, value) = (.bytes, MetricUnit.normalise(signed, unit: unitText)?.0 ?? signed)
        default:
            var message = "unknown unit \"\(unitText)\" in \"\(text)\""
            if let hint = KeySuggestion.nearest(to: unitText, among: unitSpellings) {
                message += " (did you mean '\(hint)'?)"
            }
            message += "; units: " + unitSpellings.joined(separator: ", ")
            throw BudgetExpression.ParseError(message: message)
        }
        return BudgetQuantity(value: value, unit: unit, sign: sign)
    }
}

/// "Did you mean" by edit distance, as ArgumentParser suggests option names. Shared by the budget
/// file and the native result format.
package enum KeySuggestion {
    /// The closest candidate when it is within `limit(candidate length, word length)` edits
    /// (case-insensitive). With `transpositions`, swapping two adjacent letters counts as one edit.
    package static func nearest(
        to word: String, among candidates: [String], transpositions: Bool = false,
        limit: (Int, Int) -> Int = { c, w in Swift.max(1, Swift.min(3, Swift.max(c, w) / 2)) }
    ) -> String? {
        let w = Array(word.lowercased())
        var best: (String, Int)?
        for c in candidates {
            let d = distance(w, Array(c.lowercased()), transpositions: transpositions)
            if d <= limit(c.count, w.count), d < (best?.1 ?? Int.max) { best = (c, d) }
        }
        return best?.0
    }

    /// Levenshtein distance, optionally with adjacent transpositions (optimal string alignment).
    package static func distance(_ a: [Character], _ b: [Character], transpositions: Bool = false) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        var beforePrevious = previous
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                current[j] = Swift.min(
                    previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
                if transpositions && i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                    current[j] = Swift.min(current[j], beforePrevious[j - 2] + 1)
                }
            }
            beforePrevious = previous
            swap(&previous, &current)
        }
        return previous[b.count]
    }
}
