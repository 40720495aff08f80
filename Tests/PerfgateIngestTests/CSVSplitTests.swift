import Foundation
import Testing

@testable import PerfgateIngest

/// The unquoted-line splitter reads eight bytes at a time; these tests hold it to the obvious byte-by-byte
/// split (fields between delimiters, trailing `\r`s dropped) on lines where delimiters fall on every
/// position of a word, next to non-ASCII bytes, NULs and carriage returns.
@Suite("CSV line splitter")
struct CSVSplitTests {
    /// The reference: split at every delimiter, then drop each field's trailing `\r`s.
    static func reference(_ line: [UInt8], _ delimiter: UInt8) -> [[UInt8]] {
        line.split(separator: delimiter, omittingEmptySubsequences: false).map { field in
            var f = Array(field)
            while f.last == 13 { f.removeLast() }
            return f
        }
    }

    static func split(_ line: [UInt8], _ delimiter: UInt8) -> [[UInt8]] {
        var out = [Int](repeating: -1, count: 2 * (line.count + 1))
        return line.withUnsafeBufferPointer { b in
            // An empty line still has a base address here: the splitter is only ever given real lines.
            let base = b.baseAddress ?? UnsafePointer(bitPattern: 1)!
            let k = out.withUnsafeMutableBufferPointer { RawCSVState.splitUnquoted(base, line.count, delimiter, into: $0.baseAddress!, capacity: $0.count) }
            return stride(from: 0, to: k!, by: 2).map { Array(line[out[$0]..<out[$0 + 1]]) }
        }
    }

    @Test(arguments: [UInt8(44), 9, 59, 0x7C])
    func matchesTheByteByByteSplit(delimiter: UInt8) {
        // A fixed-seed generator: the same lines on every run.
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(delimiter)
        func next() -> UInt64 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return state >> 33
        }
        // Bytes that stress the zero-byte mask: the delimiter, its neighbours, high-bit bytes, NUL, CR.
        let alphabet: [UInt8] = [delimiter, delimiter, delimiter &+ 1, delimiter &- 1, delimiter | 0x80, 0x80, 0xFF, 0, 13, 13, 65, 97, 48, 0x2C ^ 0x80]
        for length in 0...70 {
            for _ in 0..<40 {
                let line = (0..<length).map { _ in alphabet[Int(next() % UInt64(alphabet.count))] }
                #expect(Self.split(line, delimiter) == Self.reference(line, delimiter), "line \(line)")
            }
        }
    }

    @Test func delimitersOnEveryPositionOfAWord() {
        for position in 0..<24 {
            var line = [UInt8](repeating: 120, count: 24)
            line[position] = 44
            #expect(Self.split(line, 44) == Self.reference(line, 44))
            line[23 - position] = 44
            #expect(Self.split(line, 44) == Self.reference(line, 44))
        }
        let allDelimiters = [UInt8](repeating: 44, count: 17)
        #expect(Self.split(allDelimiters, 44).count == 18)
        #expect(Self.split(allDelimiters, 44).allSatisfy { $0.isEmpty })
    }

    /// The bounds grow with the number of fields, never with the length of the line: a long line of few
    /// fields needs no more room than a short one, and a line of more fields than the room is split again.
    @Test func roomForTheFieldsNotTheBytes() throws {
        let line = [UInt8](repeating: 120, count: 5000) + [44] + [UInt8](repeating: 121, count: 5000)
        var out = [Int](repeating: -1, count: 4)
        let k = line.withUnsafeBufferPointer { b in
            out.withUnsafeMutableBufferPointer { RawCSVState.splitUnquoted(b.baseAddress!, line.count, 44, into: $0.baseAddress!, capacity: $0.count) }
        }
        #expect(k == 4 && out == [0, 5000, 5001, 10001])
        let wide = Array(repeating: "f", count: 1000).joined(separator: ",")
        let tooWide = Array(wide.utf8).withUnsafeBufferPointer { b in
            out.withUnsafeMutableBufferPointer { RawCSVState.splitUnquoted(b.baseAddress!, b.count, 44, into: $0.baseAddress!, capacity: $0.count) }
        }
        #expect(tooWide == nil)
        var records: [[String]] = []
        try CSVReader(InputFile(data: Data((wide + "\na,b\n" + wide + "\n").utf8), displayPath: "w.csv")).forEachRecord { fields, _ in records.append(fields) }
        #expect(records.map(\.count) == [1000, 2, 1000])
        #expect(records[0].allSatisfy { $0 == "f" } && records[2] == records[0])
    }

    @Test func theReaderSplitsUnquotedAndQuotedLinesAlike() throws {
        let text = "a,b,c\r\nlong-field-0123456789,x\r,,\r\n\"q,1\",\"say \"\"hi\"\"\",z\n,,,,,,,,,\n"
        var records: [[String]] = []
        try CSVReader(InputFile(data: Data(text.utf8), displayPath: "t.csv")).forEachRecord { fields, _ in records.append(fields) }
        #expect(records == [
            ["a", "b", "c"],
            ["long-field-0123456789", "x", "", ""],
            ["q,1", "say \"hi\"", "z"],
            Array(repeating: "", count: 10),
        ])
    }
}
