import Foundation
import PerfgateCore

/// Timestamps of k6 points: RFC 3339 text and CSV epoch numbers.
enum K6Time {
    /// RFC 3339 with 0–9 fractional digits and `Z` or `±hh:mm` (Go `time.Time` JSON). Nil when malformed.
    static func parseRFC3339(_ bytes: [UInt8]) -> Date? {
        let n = bytes.count
        var i = 0
        func digits(_ count: Int) -> Int? {
            guard i + count <= n else { return nil }
            var v = 0
            for k in 0..<count {
                let b = bytes[i + k]
                guard b >= 48 && b <= 57 else { return nil }
                v = v * 10 + Int(b - 48)
            }
            i += count
            return v
        }
        func expect(_ c: UInt8) -> Bool {
            guard i < n, bytes[i] == c else { return false }
            i += 1
            return true
        }
        guard let year = digits(4), expect(45), let month = digits(2), expect(45), let day = digits(2),
            i < n, bytes[i] == 84 || bytes[i] == 116 || bytes[i] == 32
        else { return nil }
        i += 1
        guard let hour = digits(2), expect(58), let minute = digits(2), expect(58), let second = digits(2) else {
            return nil
        }
        guard (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61 else { return nil }
        var fraction = 0.0
        if i < n && bytes[i] == 46 {
            i += 1
            var scale = 0.1
            var any = false
            while i < n, bytes[i] >= 48 && bytes[i] <= 57 {
                fraction += Double(bytes[i] - 48) * scale
                scale /= 10
                i += 1
                any = true
            }
            guard any else { return nil }
        }
        var offset = 0
        guard i < n else { return nil }
        if bytes[i] == 90 || bytes[i] == 122 {
            i += 1
        } else if bytes[i] == 43 || bytes[i] == 45 {
            let sign = bytes[i] == 45 ? -1 : 1
            i += 1
            guard let oh = digits(2), expect(58), let om = digits(2) else { return nil }
            offset = sign * (oh * 3600 + om * 60)
        } else {
            return nil
        }
        guard i == n else { return nil }
        // Days from civil (Howard Hinnant).
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        let days = era * 146_097 + doe - 719_468
        let seconds = Double(days * 86400 + hour * 3600 + minute * 60 + second - offset) + fraction
        return Date(timeIntervalSince1970: seconds)
    }

    /// A CSV `timestamp`: unix seconds/ms/µs/ns (told apart by magnitude) or RFC 3339.
    static func parseCSV(_ text: String) -> Date? {
        var text = text
        return text.withUTF8 { parseCSV($0) }
    }

    /// ``parseCSV(_:)`` of a field's bytes.
    static func parseCSV(_ bytes: UnsafeBufferPointer<UInt8>) -> Date? {
        if !bytes.contains(UInt8(ascii: "e")) && !bytes.contains(UInt8(ascii: "E")),
            let v = ByteNumber.double(bytes), v.isFinite
        {
            let a = abs(v)
            let seconds = a < 1e11 ? v : a < 1e14 ? v / 1e3 : a < 1e17 ? v / 1e6 : v / 1e9
            return Date(timeIntervalSince1970: seconds)
        }
        return parseRFC3339(Array(bytes))
    }
}
