import Foundation

/// The one place numbers become text for people (tables, Markdown, HTML). POSIX formatting only,
/// never the locale, so outputs are deterministic.
public enum Formatting {
    /// A value with its unit: `41.20 ms`, `1.23 s`, `0.32%`, `1,234.5/s`, `12.0 MB`, `1,200`.
    public static func value(_ v: Double, unit: MetricUnit) -> String {
        guard v.isFinite else { return "—" }
        switch unit {
        case .milliseconds:
            if abs(v) >= 10_000 { return fixed(v / 1000, 2) + " s" }
            return fixed(v, abs(v) < 10 ? 3 : 2) + " ms"
        case .ratio: return fixed(v * 100, abs(v) < 0.001 && v != 0 ? 3 : 2) + "%"
        case .percent: return fixed(v, 2) + "%"
        case .perSecond: return fixed(v, 2) + "/s"
        case .bytes:
            let units = ["B", "KB", "MB", "GB", "TB"]
            var x = v
            var i = 0
            while abs(x) >= 1024 && i < units.count - 1 {
                x /= 1024
                i += 1
            }
            return (i == 0 ? fixed(x, 0) : fixed(x, 1)) + " " + units[i]
        case .count: return v == v.rounded() && abs(v) < 1e15 ? String(Int64(v)) : fixed(v, 2)
        case .none: return v == v.rounded() && abs(v) < 1e15 ? String(Int64(v)) : fixed(v, 3)
        }
    }

    /// Fixed decimals, `.` separator, no grouping. The same text as `String(format: "%.<decimals>f", v)`
    /// (exact binary value, ties to even, `-` for any negative sign, including `-0.00`), computed with
    /// integer arithmetic; values too large for 64 bits and non-finite values go through `String(format:)`.
    public static func fixed(_ v: Double, _ decimals: Int) -> String {
        guard v.isFinite, decimals >= 0, decimals < powersOfTen.count else { return String(format: "%.\(decimals)f", v) }
        let scale = powersOfTen[decimals]
        let a = abs(v)
        // a = m · 2^e exactly.
        let m: UInt64 = a.isSubnormal || a == 0 ? a.significandBitPattern : a.significandBitPattern | (1 << 52)
        let e = a.isSubnormal || a == 0 ? -1074 : Int(a.exponent) - 52
        var q: UInt64
        if e >= 0 {
            guard e < 11 else { return String(format: "%.\(decimals)f", v) }  // a < 2^64
            let (scaled, overflow) = (m << UInt64(e)).multipliedReportingOverflow(by: scale)
            guard !overflow else { return String(format: "%.\(decimals)f", v) }
            q = scaled
        } else {
            let (n, overflow) = m.multipliedReportingOverflow(by: scale)
            guard !overflow else { return String(format: "%.\(decimals)f", v) }
            let shift = -e
            if shift > 64 {
                q = 0  // n < 2^64 ≤ half: rounds down
            } else if shift == 64 {
                q = n > (1 << 63) ? 1 : 0  // a tie (n == 2^63) rounds to the even 0
            } else {
                q = n >> UInt64(shift)
                let r = n & ((1 << UInt64(shift)) - 1)
                let half: UInt64 = 1 << UInt64(shift - 1)
                if r > half || (r == half && q & 1 == 1) { q += 1 }
            }
        }
        var out = v.sign == .minus ? "-" : ""
        out += String(q / scale)
        if decimals > 0 {
            let frac = String(q % scale)
            out += "."
            if frac.count < decimals { out += String(repeating: "0", count: decimals - frac.count) }
            out += frac
        }
        return out
    }

    private static let powersOfTen: [UInt64] = [1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000]

    /// A signed percentage change: `+13.88%`, `-1.30%`; `?` when the baseline is 0.
    public static func percentChange(current: Double, baseline: Double) -> String {
        guard baseline != 0, current.isFinite, baseline.isFinite else { return "?" }
        return signedPercent(current / baseline - 1)
    }

    /// `+0.1388` → `+13.88%`.
    public static func signedPercent(_ fraction: Double) -> String {
        guard fraction.isFinite else { return "?" }
        let s = fixed(fraction * 100, 2)
        return (fraction >= 0 && !s.hasPrefix("-") ? "+" : "") + s + "%"
    }

    /// Percentage points for rates: `+0.20pp`.
    public static func percentagePoints(_ delta: Double) -> String {
        guard delta.isFinite else { return "?" }
        let s = fixed(delta * 100, 2)
        return (delta >= 0 && !s.hasPrefix("-") ? "+" : "") + s + "pp"
    }

    /// A p or q value: three decimals, `<0.001` below that.
    public static func pValue(_ p: Double) -> String { p < 0.001 ? "<0.001" : fixed(p, 3) }

    /// UTC timestamp `2026-05-01 12:00:00Z`.
    public static func timestamp(_ d: Date?) -> String {
        guard let d else { return "" }
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = "yyyy-MM-dd HH:mm:ss'Z'"
        return f.string(from: d)
    }

    /// ISO 8601 for machine outputs.
    public static func iso(_ d: Date?) -> String? {
        guard let d else { return nil }
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return f.string(from: d)
    }
}
