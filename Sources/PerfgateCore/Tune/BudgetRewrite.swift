import Foundation

/// Writes new limits into a budget file's text: only the changed values are replaced, in place, so
/// the file keeps its layout, order and comments-free formatting and the change reads as a small diff.
public enum BudgetRewrite {
    /// The rules whose limit differs between `old` and `new` (same budgets, same rules, in order),
    /// with the new limit as it should be written (`"12%"`).
    public static func changes(from old: BudgetSet, to new: BudgetSet) -> [(path: String, rule: Rule, text: String)] {
        var out: [(String, Rule, String)] = []
        for (a, b) in zip(old.budgets, new.budgets) {
            for (r, s) in zip(a.rules, b.rules) where r.kind != s.kind {
                guard let v = Backtest.limitOf(s.kind) else { continue }
                out.append((r.path, s, text(v, rule: s)))
            }
        }
        var seen = Set<String>()
        return out.filter { seen.insert($0.0).inserted }
    }

    /// A limit as a budget file writes it: `12%` for relative and statistical rules, an absolute limit in
    /// the unit it was written in (`190ms`, `0.5%`, `450/s`, a plain number).
    static func text(_ v: Double, rule: Rule) -> String {
        guard case .absolute = rule.kind else { return Backtest.pct(v) }
        switch rule.unit {
        case .milliseconds: return BudgetNumber.format(v) + "ms"
        case .ratio: return Backtest.pct(v)
        case .perSecond: return BudgetNumber.format(v) + "/s"
        default: return BudgetNumber.format(v)
        }
    }

    /// `text` (the budget file) with the value at each path replaced. A value in a rule map becomes
    /// `"12%"`; an expression keeps its aggregation and operator and gets `+12%`.
    public static func rewrite(_ text: String, changes: [(path: String, rule: Rule, text: String)]) -> String {
        let bytes = Array(text.utf8)
        let spans = valueSpans(bytes)
        var edits: [(range: Range<Int>, text: String)] = []
        for c in changes {
            guard let span = spans[c.path] else { continue }
            let old = String(decoding: bytes[span], as: UTF8.self)
            if c.path.hasSuffix("]"), let raw = try? JSONSerialization.jsonObject(with: Data(old.utf8), options: [.fragmentsAllowed]) as? String,
                let e = try? BudgetExpression.parse(raw)
            {
                let sign = e.value.hasPrefix("+") || e.value.hasPrefix("-") ? "+" : ""
                let replaced = raw.replacingOccurrences(of: e.value, with: sign + c.text, options: .backwards)
                edits.append((span, quoted(replaced)))
            } else {
                edits.append((span, quoted(c.text)))
            }
        }
        var out = bytes
        for e in edits.sorted(by: { $0.range.lowerBound > $1.range.lowerBound }) {
            out.replaceSubrange(e.range, with: Array(e.text.utf8))
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func quoted(_ s: String) -> String {
        "\"" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }

    /// Byte ranges of every scalar value by JSON path (`budgets[0].regression.p95`, paths as the
    /// validator writes them).
    static func valueSpans(_ b: [UInt8]) -> [String: Range<Int>] {
        var spans: [String: Range<Int>] = [:]
        var i = 0
        func skipSpace() { while i < b.count, b[i] == 0x20 || b[i] == 0x0A || b[i] == 0x0D || b[i] == 0x09 { i += 1 } }
        func readString() -> String {
            let start = i
            i += 1
            while i < b.count, b[i] != UInt8(ascii: "\"") { i += b[i] == UInt8(ascii: "\\") ? 2 : 1 }
            i += 1
            let raw = String(decoding: b[start..<min(i, b.count)], as: UTF8.self)
            return (try? JSONSerialization.jsonObject(with: Data(raw.utf8), options: [.fragmentsAllowed]) as? String) ?? ""
        }
        func value(_ path: String) {
            skipSpace()
            guard i < b.count else { return }
            switch b[i] {
            case UInt8(ascii: "{"):
                i += 1
                while true {
                    skipSpace()
                    guard i < b.count else { return }
                    if b[i] == UInt8(ascii: "}") { i += 1; return }
                    if b[i] == UInt8(ascii: ",") { i += 1; continue }
                    let key = readString()
                    skipSpace()
                    if i < b.count, b[i] == UInt8(ascii: ":") { i += 1 }
                    value(JSONPath.child(path, key: key))
                }
            case UInt8(ascii: "["):
                i += 1
                var n = 0
                while true {
                    skipSpace()
                    guard i < b.count else { return }
                    if b[i] == UInt8(ascii: "]") { i += 1; return }
                    if b[i] == UInt8(ascii: ",") { i += 1; continue }
                    value(JSONPath.index(path, n))
                    n += 1
                }
            case UInt8(ascii: "\""):
                let start = i
                _ = readString()
                spans[path] = start..<i
            default:
                let start = i
                while i < b.count, ![UInt8(ascii: ","), UInt8(ascii: "}"), UInt8(ascii: "]"), 0x20, 0x0A, 0x0D, 0x09].contains(b[i]) { i += 1 }
                spans[path] = start..<i
            }
        }
        value("")
        return spans
    }

    /// A unified diff of two texts (whole-line hunks with 2 lines of context), `""` when equal.
    public static func unifiedDiff(_ a: String, _ b: String, name: String) -> String {
        let x = a.components(separatedBy: "\n")
        let y = b.components(separatedBy: "\n")
        guard x != y else { return "" }
        // The edits only replace values, so lines correspond one to one.
        guard x.count == y.count else { return "--- \(name)\n+++ \(name) (suggested)\n" + b }
        let changed = x.indices.filter { x[$0] != y[$0] }
        var out = "--- \(name)\n+++ \(name) (suggested)\n"
        var groups: [[Int]] = []
        for c in changed {
            if let last = groups.last?.last, c - last <= 4 { groups[groups.count - 1].append(c) } else { groups.append([c]) }
        }
        for g in groups {
            let lo = max(0, g.first! - 2)
            let hi = min(x.count - 1, g.last! + 2)
            out += "@@ -\(lo + 1),\(hi - lo + 1) +\(lo + 1),\(hi - lo + 1) @@\n"
            var k = lo
            while k <= hi {
                if x[k] == y[k] {
                    out += " \(x[k])\n"
                    k += 1
                    continue
                }
                var end = k
                while end + 1 <= hi, x[end + 1] != y[end + 1] { end += 1 }
                for j in k...end { out += "-\(x[j])\n" }
                for j in k...end { out += "+\(y[j])\n" }
                k = end + 1
            }
        }
        return out
    }
}
