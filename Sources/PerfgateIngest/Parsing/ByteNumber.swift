import Foundation

/// Decimal numbers read from bytes, as the standard library reads them from text, without a `String`
/// or `strtod` for the common case: the k6 NDJSON scanner and the k6 CSV reader use it.
enum ByteNumber {
    static let pow10: [Double] = (0...22).map { Double("1e\($0)")! }

    /// The JSON number at `p[i]` (`i` is left after it); nil when there is none. Exact (Clinger's fast
    /// path) for a mantissa below 2^53 and |exp| ≤ 22, otherwise the standard library parses the text.
    @inline(__always) static func parse(_ p: UnsafePointer<UInt8>, _ n: Int, _ i: inout Int) -> Double? {
        let start = i
        var negative = false
        if i < n && p[i] == 45 {
            negative = true
            i += 1
        }
        guard i < n, p[i] >= 48 && p[i] <= 57 else { return nil }
        var mantissa: UInt64 = 0
        var significant = 0
        var exponent = 0
        var exact = true
        if p[i] == 48 {
            i += 1
        } else {
            while i < n, p[i] >= 48 && p[i] <= 57 {
                if significant < 18 {
                    mantissa = mantissa &* 10 &+ UInt64(p[i] - 48)
                    significant += 1
                } else {
                    exact = false
                }
                i += 1
            }
        }
        if i < n && p[i] == 46 {
            i += 1
            guard i < n, p[i] >= 48 && p[i] <= 57 else { return nil }
            while i < n, p[i] >= 48 && p[i] <= 57 {
                let d = UInt64(p[i] - 48)
                if significant < 18 {
                    mantissa = mantissa &* 10 &+ d
                    if mantissa != 0 { significant += 1 }
                    exponent -= 1
                } else if d != 0 {
                    exact = false
                }
                i += 1
            }
        }
        if i < n && (p[i] == 101 || p[i] == 69) {
            i += 1
            var expNegative = false
            if i < n && (p[i] == 43 || p[i] == 45) {
                expNegative = p[i] == 45
                i += 1
            }
            guard i < n, p[i] >= 48 && p[i] <= 57 else { return nil }
            var e = 0
            while i < n, p[i] >= 48 && p[i] <= 57 {
                if e < 100_000 { e = e * 10 + Int(p[i] - 48) }
                i += 1
            }
            exponent += expNegative ? -e : e
        }
        if exact && mantissa < (1 << 53) && exponent >= -22 && exponent <= 22 {
            var d = Double(mantissa)
            d = exponent < 0 ? d / pow10[-exponent] : d * pow10[exponent]
            return negative ? -d : d
        }
        let text = String(decoding: UnsafeBufferPointer(start: p + start, count: i - start), as: UTF8.self)
        return Double(text)
    }

    /// A whole field as `Double(String)` reads it: the fast path when the field is exactly a JSON-style
    /// number (both are then the correctly rounded value), the standard library for anything else
    /// (`+1`, `.5`, `1.`, `inf`, `0x1p3`, surrounding text), nil when that refuses it too.
    static func double(_ b: UnsafeBufferPointer<UInt8>) -> Double? {
        plain(b) ?? Double(String(decoding: b, as: UTF8.self))
    }

    /// A whole field that is exactly a JSON-style number, read without a `String` (the correctly rounded
    /// value, as `Double(String)` gives it); nil for anything else, which callers read their own way.
    static func plain(_ b: UnsafeBufferPointer<UInt8>) -> Double? {
        guard let base = b.baseAddress else { return nil }
        var i = 0
        guard let v = parse(base, b.count, &i), i == b.count else { return nil }
        return v
    }
}
