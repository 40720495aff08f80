import Foundation
import PerfgateCore

/// A strict, allocation-free scanner for one k6 `Point` line. `scan()` returns true only for a
/// syntactically valid JSON object with `"type":"Point"`, a `metric` string, and `data` holding a
/// `time` string, a numeric `value` and `tags` (string values or null). It validates UTF-8 and JSON
/// syntax of everything it skips. Any other line returns false (the caller re-reads it carefully).
struct K6LineScanner {
    struct Field {
        var start = -1
        var length = 0
        var escaped = false
    }

    let p: UnsafePointer<UInt8>
    let n: Int
    var i = 0
    var isPoint = false
    var metric = Field()
    var time = Field()
    var value = 0.0
    var hasValue = false
    var name = Field()
    var method = Field()
    var error = Field()
    var check = Field()
    var group = Field()
    private let cls: UnsafePointer<UInt8>

    init(_ p: UnsafePointer<UInt8>, _ n: Int) {
        self.p = p
        self.n = n
        self.cls = K6LineScanner.classes
    }

    /// Byte classes inside strings: 0 plain, 1 quote, 2 backslash, 3 control, 4 non-ASCII.
    nonisolated(unsafe) static let classes: UnsafePointer<UInt8> = {
        let t = UnsafeMutablePointer<UInt8>.allocate(capacity: 256)
        for b in 0..<256 {
            t[b] = b == 34 ? 1 : b == 92 ? 2 : b < 0x20 ? 3 : b >= 0x80 ? 4 : 0
        }
        return UnsafePointer(t)
    }()

    var isBlank: Bool {
        for k in 0..<n where !(p[k] == 32 || p[k] == 9 || p[k] == 13) { return false }
        return true
    }

    @inline(__always) private mutating func ws() {
        while i < n {
            let b = p[i]
            if b == 32 || b == 9 || b == 13 || b == 10 { i += 1 } else { break }
        }
    }

    @inline(__always) private mutating func consume(_ c: UInt8) -> Bool {
        guard i < n, p[i] == c else { return false }
        i += 1
        return true
    }

    @inline(__always) private func equals(_ f: Field, _ a: UInt8, _ rest: StaticString) -> Bool {
        guard !f.escaped, f.length == rest.utf8CodeUnitCount + 1, p[f.start] == a else { return false }
        return memcmp(p + f.start + 1, rest.utf8Start, rest.utf8CodeUnitCount) == 0
    }

    mutating func scan() -> Bool {
        ws()
        guard consume(123) else { return false }
        ws()
        if consume(125) { return false }
        var sawType = false
        while true {
            guard let key = string() else { return false }
            ws()
            guard consume(58) else { return false }
            ws()
            if equals(key, 116, "ype") {  // type
                guard let t = string() else { return false }
                guard equals(t, 80, "oint") else { return false }  // Point (Metric → careful path)
                sawType = true
            } else if equals(key, 109, "etric") {  // metric
                guard let m = string() else { return false }
                metric = m
            } else if equals(key, 100, "ata") {  // data
                guard data() else { return false }
            } else {
                guard skipValue(0) else { return false }
            }
            ws()
            if consume(44) {
                ws()
                continue
            }
            guard consume(125) else { return false }
            break
        }
        ws()
        isPoint = sawType
        return i == n && sawType && metric.start >= 0 && time.start >= 0 && hasValue
    }

    private mutating func data() -> Bool {
        guard consume(123) else { return false }
        ws()
        if consume(125) { return true }
        while true {
            guard let key = string() else { return false }
            ws()
            guard consume(58) else { return false }
            ws()
            if equals(key, 116, "ime") {
                guard let t = string() else { return false }
                time = t
            } else if equals(key, 118, "alue") {
                guard let v = number() else { return false }
                value = v
                hasValue = true
            } else if equals(key, 116, "ags") {
                guard tags() else { return false }
            } else {
                guard skipValue(1) else { return false }
            }
            ws()
            if consume(44) {
                ws()
                continue
            }
            return consume(125)
        }
    }

    private mutating func tags() -> Bool {
        if i < n && p[i] == 110 { return literal(110, "ull") }
        guard consume(123) else { return false }
        ws()
        if consume(125) { return true }
        while true {
            guard let key = string() else { return false }
            ws()
            guard consume(58) else { return false }
            ws()
            guard let v = string() else { return false }
            if !key.escaped {
                switch key.length {
                case 4: if equals(key, 110, "ame") { name = v }
                case 6: if equals(key, 109, "ethod") { method = v }
                case 5:
                    if equals(key, 101, "rror") {
                        error = v
                    } else if equals(key, 99, "heck") {
                        check = v
                    } else if equals(key, 103, "roup") {
                        group = v
                    }
                default: break
                }
            }
            ws()
            if consume(44) {
                ws()
                continue
            }
            return consume(125)
        }
    }

    /// A JSON string at `i`; the field excludes the quotes. Validates escapes, control bytes and UTF-8.
    /// Works on locals (the cursor is written back once) so the loop stays in registers.
    @inline(__always) private mutating func string() -> Field? {
        let p = self.p
        let n = self.n
        let cls = self.cls
        var j = i
        guard j < n, p[j] == 34 else { return nil }
        j += 1
        let start = j
        var escaped = false
        while true {
            // Eight bytes at a time while none is a quote, backslash, control byte or non-ASCII (SWAR).
            while j + 8 <= n {
                let w = UnsafeRawPointer(p + j).loadUnaligned(as: UInt64.self)
                let q = w ^ 0x2222_2222_2222_2222
                let b = w ^ 0x5C5C_5C5C_5C5C_5C5C
                let special =
                    ((q &- 0x0101_0101_0101_0101) & ~q) | ((b &- 0x0101_0101_0101_0101) & ~b)
                    | ((w &- 0x2020_2020_2020_2020) & ~w) | w
                if special & 0x8080_8080_8080_8080 != 0 { break }
                j += 8
            }
            // Then byte by byte up to the special byte.
            var c: UInt8 = 0
            while j < n {
                c = cls[Int(p[j])]
                if c != 0 { break }
                j += 1
            }
            guard j < n else { return nil }
            switch c {
            case 1:
                i = j + 1
                return Field(start: start, length: j - start, escaped: escaped)
            case 2:
                escaped = true
                j += 1
                guard j < n else { return nil }
                switch p[j] {
                case 34, 92, 47, 98, 102, 110, 114, 116: j += 1
                case 117:
                    guard j + 4 < n, isHex(p[j + 1]), isHex(p[j + 2]), isHex(p[j + 3]), isHex(p[j + 4]) else {
                        return nil
                    }
                    j += 5
                default: return nil
                }
            case 3: return nil
            default:
                i = j
                guard utf8() else { return nil }
                j = i
            }
        }
    }

    @inline(__always) private func isHex(_ b: UInt8) -> Bool {
        (b >= 48 && b <= 57) || (b >= 65 && b <= 70) || (b >= 97 && b <= 102)
    }

    /// One multi-byte UTF-8 sequence at `i` (RFC 3629: no overlongs, no surrogates, ≤ U+10FFFF).
    private mutating func utf8() -> Bool {
        let b0 = p[i]
        func cont(_ k: Int, _ lo: UInt8 = 0x80, _ hi: UInt8 = 0xBF) -> Bool {
            i + k < n && p[i + k] >= lo && p[i + k] <= hi
        }
        switch b0 {
        case 0xC2...0xDF:
            guard cont(1) else { return false }
            i += 2
        case 0xE0:
            guard cont(1, 0xA0), cont(2) else { return false }
            i += 3
        case 0xE1...0xEC, 0xEE...0xEF:
            guard cont(1), cont(2) else { return false }
            i += 3
        case 0xED:
            guard cont(1, 0x80, 0x9F), cont(2) else { return false }
            i += 3
        case 0xF0:
            guard cont(1, 0x90), cont(2), cont(3) else { return false }
            i += 4
        case 0xF1...0xF3:
            guard cont(1), cont(2), cont(3) else { return false }
            i += 4
        case 0xF4:
            guard cont(1, 0x80, 0x8F), cont(2), cont(3) else { return false }
            i += 4
        default: return false
        }
        return true
    }

    /// A JSON number (``ByteNumber/parse(_:_:_:)``).
    @inline(__always) private mutating func number() -> Double? { ByteNumber.parse(p, n, &i) }

    private mutating func literal(_ first: UInt8, _ rest: StaticString) -> Bool {
        let len = rest.utf8CodeUnitCount
        guard i + 1 + len <= n, p[i] == first, memcmp(p + i + 1, rest.utf8Start, len) == 0
        else { return false }
        i += 1 + len
        return true
    }

    private mutating func skipValue(_ depth: Int) -> Bool {
        guard i < n, depth < 64 else { return false }
        switch p[i] {
        case 34: return string() != nil
        case 123:
            i += 1
            ws()
            if consume(125) { return true }
            while true {
                guard string() != nil else { return false }
                ws()
                guard consume(58) else { return false }
                ws()
                guard skipValue(depth + 1) else { return false }
                ws()
                if consume(44) {
                    ws()
                    continue
                }
                return consume(125)
            }
        case 91:
            i += 1
            ws()
            if consume(93) { return true }
            while true {
                guard skipValue(depth + 1) else { return false }
                ws()
                if consume(44) {
                    ws()
                    continue
                }
                return consume(93)
            }
        case 116: return literal(116, "rue")
        case 102: return literal(102, "alse")
        case 110: return literal(110, "ull")
        default: return number() != nil
        }
    }

    /// Decodes JSON escapes of a validated string body into `out` (UTF-8).
    static func unescape(_ p: UnsafePointer<UInt8>, _ n: Int, into out: inout [UInt8]) {
        var i = 0
        func hex(_ k: Int) -> UInt32 {
            var v: UInt32 = 0
            for j in 0..<4 {
                let b = p[k + j]
                let d: UInt32 = b <= 57 ? UInt32(b - 48) : b <= 70 ? UInt32(b - 55) : UInt32(b - 87)
                v = v << 4 | d
            }
            return v
        }
        func append(_ scalar: UInt32) {
            let s = Unicode.Scalar(scalar) ?? "\u{FFFD}"
            out.append(contentsOf: String(Character(s)).utf8)
        }
        while i < n {
            let b = p[i]
            guard b == 92 else {
                out.append(b)
                i += 1
                continue
            }
            let e = p[i + 1]
            i += 2
            switch e {
            case 98: out.append(8)
            case 102: out.append(12)
            case 110: out.append(10)
            case 114: out.append(13)
            case 116: out.append(9)
            case 117:
                var u = hex(i)
                i += 4
                if u >= 0xD800 && u < 0xDC00 && i + 6 <= n && p[i] == 92 && p[i + 1] == 117 {
                    let lo = hex(i + 2)
                    if lo >= 0xDC00 && lo < 0xE000 {
                        u = 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00)
                        i += 6
                    }
                }
                append(u)
            default: out.append(e)
            }
        }
    }
}
