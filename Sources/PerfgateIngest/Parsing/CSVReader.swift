import Foundation
import PerfgateCore

/// A small RFC 4180 reader that streams records and knows each record's physical line number.
///
/// Tolerates `\r\n`, `\r\r\n` (Windows text mode), `\n`, quoted fields with commas, quotes and
/// embedded newlines. Fields are decoded as UTF-8; invalid UTF-8 is an error naming the line.
public struct CSVReader {
    public let file: InputFile

    public init(_ file: InputFile) { self.file = file }

    /// Calls `body` with each record's fields and the line on which the record starts.
    public func forEachRecord(_ body: ([String], Int) throws -> Void) throws {
        var fields: [String] = []
        try forEachRawRecord { record, line in
            fields.removeAll(keepingCapacity: true)
            for i in 0..<record.count {
                guard let s = record.string(i) else {
                    throw IngestError.at(file.displayPath, line: line, "invalid UTF-8 in field \(i + 1)")
                }
                fields.append(s)
            }
            try body(fields, line)
        }
    }

    /// Calls `body` with each record as bytes (valid only during the call) and the line on which the
    /// record starts; `delimiter` is `,` by default (JMeter can write `\t` or `;`). Lines without a
    /// quote are split in place, without copying; quoted fields are unescaped into a reused buffer.
    /// Trailing `\r`s of every field are dropped (`\r\r\n` line ends); blank lines are skipped.
    public func forEachRawRecord(delimiter: UInt8 = 44, _ body: (CSVRecord, Int) throws -> Void) throws {
        // All state lives in one struct fed line by line: one exclusivity check per line, not per byte.
        var state = RawCSVState(delimiter: delimiter)
        try file.forEachLine { line, number in
            try state.feed(line, number, body)
            // A quoted field spanning lines is held whole: the line limit applies to it too.
            if state.inQuotes && state.buffer.count > Limits.maxLineBytes {
                throw IngestError.at(
                    file.displayPath, line: state.recordLine,
                    "quoted field is longer than \(Limits.describe(Limits.maxLineBytes)), the limit for a line (see \"Limits\" in the README)")
            }
        }
        if state.inQuotes {
            throw IngestError.at(file.displayPath, line: state.recordLine, "unterminated quoted field (truncated file?)")
        }
    }
}

/// The state of ``CSVReader/forEachRawRecord(delimiter:_:)`` between lines.
struct RawCSVState {
    let delimiter: UInt8
    var bounds: [Int] = []  // start, end pairs
    var buffer: [UInt8] = []
    var inQuotes = false
    var recordLine = 1
    var fieldStart = 0

    /// The fast path's field bounds, reused from line to line.
    private var lineBounds: [Int] = []

    init(delimiter: UInt8) { self.delimiter = delimiter }

    /// Splits a line without quotes at `delimiter` into start, end pairs in `out`, trailing `\r`s dropped
    /// from each field; returns the number of Ints written, nil when they need more than `capacity`.
    /// Eight bytes at a time (SWAR): each delimiter found by a zero-byte mask of the word XOR the
    /// delimiter repeated, instead of a compare per byte (the splitter was a quarter of a k6 CSV ingest).
    @inline(__always)
    static func splitUnquoted(
        _ base: UnsafePointer<UInt8>, _ n: Int, _ delimiter: UInt8, into out: UnsafeMutablePointer<Int>, capacity: Int
    ) -> Int? {
        let pattern = UInt64(delimiter) &* 0x0101_0101_0101_0101
        let low7: UInt64 = 0x7F7F_7F7F_7F7F_7F7F
        let raw = UnsafeRawPointer(base)
        var k = 0
        var start = 0
        var full = false
        @inline(__always) func field(_ end: Int) {
            var e = end
            while e > start && base[e - 1] == 13 { e -= 1 }
            if k + 2 <= capacity {
                out[k] = start
                out[k + 1] = e
            } else {
                full = true
            }
            k += 2
            start = end + 1
        }
        var i = 0
        while i + 8 <= n {
            let x = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)) ^ pattern
            // The high bit of each byte of x that is zero, exactly (no carries between bytes).
            var zeros = ~(((x & low7) &+ low7) | x | low7)
            while zeros != 0 {
                field(i + zeros.trailingZeroBitCount >> 3)
                zeros &= zeros &- 1
            }
            i += 8
        }
        while i < n {
            if base[i] == delimiter { field(i) }
            i += 1
        }
        field(n)
        return full ? nil : k
    }

    private mutating func endField() {
        var end = buffer.count
        while end > fieldStart && buffer[end - 1] == 13 { end -= 1 }
        bounds.append(fieldStart)
        bounds.append(end)
        fieldStart = buffer.count
    }

    mutating func feed(_ line: UnsafeBufferPointer<UInt8>, _ number: Int, _ body: (CSVRecord, Int) throws -> Void) throws {
        if !inQuotes {
            recordLine = number
            if line.isEmpty { return }  // blank line between records
            guard let base = line.baseAddress else { return }
            if memchr(base, 34, line.count) == nil {
                // Fast path: no quotes, split in place (``splitUnquoted``).
                let n = line.count
                if lineBounds.isEmpty { lineBounds = [Int](repeating: 0, count: 256) }
                while true {
                    let split = try lineBounds.withUnsafeMutableBufferPointer { b -> Bool in
                        guard let k = Self.splitUnquoted(base, n, delimiter, into: b.baseAddress!, capacity: b.count) else { return false }
                        try body(CSVRecord(data: line, bounds: UnsafeBufferPointer(start: b.baseAddress, count: k)), number)
                        return true
                    }
                    if split { return }
                    // More fields than room: twice the room (it grows with the widest record, not the longest line).
                    lineBounds = [Int](repeating: 0, count: 2 * lineBounds.count)
                }
            }
            bounds.removeAll(keepingCapacity: true)
            buffer.removeAll(keepingCapacity: true)
            fieldStart = 0
        } else {
            buffer.append(10)  // the newline inside a quoted field
        }
        var i = 0
        let n = line.count
        while i < n {
            let b = line[i]
            if inQuotes {
                if b == 34 {
                    if i + 1 < n && line[i + 1] == 34 {
                        buffer.append(34)
                        i += 2
                        continue
                    }
                    inQuotes = false
                } else {
                    buffer.append(b)
                }
            } else if b == 34 && buffer.count == fieldStart {
                inQuotes = true
            } else if b == delimiter {
                endField()
            } else {
                buffer.append(b)
            }
            i += 1
        }
        if !inQuotes {
            endField()
            try buffer.withUnsafeBufferPointer { data in
                try bounds.withUnsafeBufferPointer { b in
                    try body(CSVRecord(data: data, bounds: b), recordLine)
                }
            }
        }
    }
}

/// One CSV record as bytes: valid only inside the ``CSVReader/forEachRawRecord(delimiter:_:)`` call.
public struct CSVRecord {
    let data: UnsafeBufferPointer<UInt8>
    /// start, end pairs into `data`.
    let bounds: UnsafeBufferPointer<Int>

    /// Number of fields.
    public var count: Int { bounds.count / 2 }

    /// True when every byte of the record is ASCII (then every field is valid UTF-8), checked 8 bytes at a time.
    public var isASCII: Bool {
        guard let base = data.baseAddress else { return true }
        let raw = UnsafeRawPointer(base)
        var i = 0
        var high: UInt64 = 0
        while i + 8 <= data.count {
            high |= raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            i += 8
        }
        while i < data.count {
            high |= UInt64(data[i])
            i += 1
        }
        return high & 0x8080_8080_8080_8080 == 0
    }

    /// The bytes of field `i` (0-based).
    @inline(__always)
    public func bytes(_ i: Int) -> UnsafeBufferPointer<UInt8> {
        let s = bounds[2 * i]
        let e = bounds[2 * i + 1]
        guard let base = data.baseAddress, e > s else { return UnsafeBufferPointer(start: nil, count: 0) }
        return UnsafeBufferPointer(start: base + s, count: e - s)
    }

    /// Field `i` as a string; nil when it is not valid UTF-8.
    public func string(_ i: Int) -> String? { String(validating: bytes(i), as: UTF8.self) }

    /// True when field `i` is exactly `text` (ASCII).
    @inline(__always)
    public func equals(_ i: Int, _ text: StaticString) -> Bool {
        let b = bytes(i)
        guard b.count == text.utf8CodeUnitCount else { return false }
        if b.isEmpty { return true }
        return memcmp(b.baseAddress!, text.utf8Start, b.count) == 0
    }
}

/// A CSV header that maps column names to indices, so adapters read by name, never by position.
public struct CSVHeader {
    public let names: [String]
    private let index: [String: Int]
    public let file: String

    public init(_ names: [String], file: String) {
        self.names = names.map { $0.trimmingCharacters(in: .whitespaces) }
        var idx: [String: Int] = [:]
        for (i, n) in self.names.enumerated() where idx[n] == nil { idx[n] = i }
        self.index = idx
        self.file = file
    }

    public func has(_ name: String) -> Bool { index[name] != nil }
    public func column(_ name: String) -> Int? { index[name] }

    /// Index of a column that must exist; the error names the file, line 1 and the column.
    public func require(_ name: String) throws -> Int {
        guard let i = index[name] else {
            throw IngestError.at(file, line: 1, "missing column \"\(name)\" in the header")
        }
        return i
    }
}
