import Foundation
import PerfgateCore

/// Report-specific text built on ``Formatting`` (the one number formatter): money, counts with
/// grouping, deltas with words. POSIX only, never the locale.
enum ReportFormatting {
    /// `1234567.891` → `1,234,567.89` (two decimals, `,` grouping).
    static func grouped(_ v: Double, decimals: Int = 2) -> String {
        guard v.isFinite else { return "—" }
        let s = Formatting.fixed(abs(v), decimals)
        let parts = s.split(separator: ".", omittingEmptySubsequences: false)
        var int = String(parts[0])
        var out = ""
        while int.count > 3 {
            out = "," + int.suffix(3) + out
            int = String(int.dropLast(3))
        }
        out = int + out
        if parts.count > 1 { out += "." + parts[1] }
        let negative = v < 0 && out.contains(where: { $0 != "0" && $0 != "." && $0 != "," })
        return (negative ? "-" : "") + out
    }

    /// `USD 1,234.50`, `-USD 12.00`, with the sign first.
    static func money(_ v: Double, currency: String) -> String {
        guard v.isFinite else { return "—" }
        let g = grouped(abs(v))
        return (v < 0 && g.contains(where: { $0 != "0" && $0 != "." && $0 != "," }) ? "-" : "") + currency + " " + g
    }

    /// Signed money for a change: `+USD 12.00`, `-USD 3.10`.
    static func signedMoney(_ v: Double, currency: String) -> String {
        let m = money(v, currency: currency)
        return m.hasPrefix("-") ? m : "+" + m
    }

    /// A signed change in a unit: `+9.333 ms`, `-1.20 ms`.
    static func signedValue(_ v: Double, _ unit: MetricUnit) -> String {
        let t = Formatting.value(v, unit: unit)
        return t.hasPrefix("-") || t == "—" ? t : "+" + t
    }

    /// A number at full precision (the shortest decimal that reads back as the same Double), grouped:
    /// `0.192`, `250,000,000`, `12.5`. Cost-model inputs are printed this way so every estimate reproduces.
    static func exact(_ v: Double) -> String {
        guard v.isFinite else { return "—" }
        if v == v.rounded() && abs(v) < 1e15 { return grouped(v, decimals: 0) }
        let text = "\(abs(v))"
        guard !text.contains("e"), let dot = text.firstIndex(of: ".") else { return (v < 0 ? "-" : "") + text }
        let int = grouped(Double(text[..<dot]) ?? 0, decimals: 0)
        return (v < 0 ? "-" : "") + int + String(text[dot...])
    }

    /// Milliseconds with three decimals (`27.333 ms`), the precision release estimates compute with.
    static func exactMilliseconds(_ v: Double) -> String { grouped(v, decimals: 3) + " ms" }

    /// `+9.333 ms`, `-1.200 ms`, `+0.000 ms`.
    static func signedExactMilliseconds(_ v: Double) -> String {
        let t = exactMilliseconds(v)
        return t.hasPrefix("-") ? t : "+" + t
    }

    /// A value or `—`.
    static func value(_ v: Double?, _ unit: MetricUnit) -> String { v.map { Formatting.value($0, unit: unit) } ?? "—" }

    /// A change in the statistic's own terms: percentage points for ratios, percent otherwise.
    static func delta(from a: Double?, to b: Double?, unit: MetricUnit) -> String {
        guard let a, let b else { return "—" }
        return unit == .ratio ? Formatting.percentagePoints(b - a) : Formatting.percentChange(current: b, baseline: a)
    }

    /// Whether `b` is worse than `a` beyond `tolerance` (a fraction; for ratios, an absolute difference).
    static func trend(from a: Double?, to b: Double?, unit: MetricUnit, direction: Direction, tolerance: Double = 0.01)
        -> Trend
    {
        guard let a, let b, a.isFinite, b.isFinite else { return .unknown }
        let change: Double
        if unit == .ratio {
            change = b - a
            if abs(change) < 0.0005 { return .same }
        } else {
            guard a != 0 else { return b == 0 ? .same : .unknown }
            change = b / a - 1
            if abs(change) < tolerance { return .same }
        }
        return change * direction.sign > 0 ? .worse : .better
    }

    enum Trend: String {
        case better, worse, same, unknown
    }

    /// `2026-11-02 00:00:00Z`, or `—` without a date.
    static func time(_ d: Date?) -> String { d.map(timestamp) ?? "—" }

    /// The same text as ``Formatting/timestamp(_:)`` (UTC, `yyyy-MM-dd HH:mm:ss'Z'`), computed with
    /// integer civil-date arithmetic: `Formatting.timestamp` builds an ICU `DateFormatter` per call,
    /// which dominated the time of a site with thousands of rows. A test keeps the two identical.
    static func timestamp(_ d: Date) -> String {
        let t = d.timeIntervalSince1970
        guard t.isFinite, abs(t) < 1e13 else { return Formatting.timestamp(d) }
        let secs = Int64(t.rounded(.down))
        var days = secs >= 0 ? secs / 86_400 : (secs - 86_399) / 86_400
        let rem = secs - days * 86_400
        // Howard Hinnant's days-from-civil inverse.
        days += 719_468
        let era = (days >= 0 ? days : days - 146_096) / 146_097
        let doe = days - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yoe + era * 400 + (month <= 2 ? 1 : 0)
        guard (0...9999).contains(year) else { return Formatting.timestamp(d) }
        func two(_ v: Int64) -> String { v < 10 ? "0\(v)" : "\(v)" }
        let y = String(year)
        return String(repeating: "0", count: max(0, 4 - y.count)) + y + "-" + two(month) + "-" + two(day) + " "
            + two(rem / 3600) + ":" + two(rem % 3600 / 60) + ":" + two(rem % 60) + "Z"
    }
}
