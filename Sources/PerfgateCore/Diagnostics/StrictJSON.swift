import Foundation

/// What `JSONSerialization` and `JSONDecoder` let through or misplace, and perfgate refuses in every
/// JSON it reads (result files, budget files, histories):
///
/// - duplicate keys in one object: readers disagree (Foundation keeps the first, jq, Python and
///   JavaScript the last), so a repeated `"p(95)"` or `"runs"` would be read differently by
///   perfgate and by the tool that wrote it; the message names both places;
/// - trailing commas (other JSON tools and the JSON Schema check reject them);
/// - and, for a document that does not parse, the two problems Foundation reports at the wrong place:
///   invalid UTF-8 (at its byte) and a number too large for a 64-bit float (`1e309`, at the number).
public enum StrictJSON {
    /// The first duplicate key or trailing comma of a document that already parses: its byte offset
    /// and a message (`trailingCommaNote` is added to the trailing-comma message).
    public static func firstProblem(in data: Data, trailingCommaNote: String? = nil) -> (offset: Int, message: String)? {
        struct Frame {
            var isObject: Bool
            var keys: [[UInt8]: Int] = [:]
        }
        var stack: [Frame] = []
        var lastSignificant: UInt8 = 0
        var lastCommaOffset = 0
        var inString = false
        var escaped = false
        var stringStart = 0
        var isKey = false
        return data.withUnsafeBytes { (bytes: UnsafeRawBufferPointer) -> (offset: Int, message: String)? in
            var i = 0
            while i < bytes.count {
                let b = bytes[i]
                if inString {
                    if escaped {
                        escaped = false
                    } else if b == UInt8(ascii: "\\") {
                        escaped = true
                    } else if b == UInt8(ascii: "\"") {
                        inString = false
                        if isKey, !stack.isEmpty {
                            let key = Array(bytes[(stringStart + 1)..<i])
                            if let first = stack[stack.count - 1].keys[key] {
                                let name = String(decoding: key, as: UTF8.self)
                                let (line, column) = JSONLocator.lineColumn(in: data, offset: first)
                                return (
                                    stringStart,
                                    "invalid JSON: duplicate key \"\(name)\" in the same object (first at line \(line), column \(column))"
                                )
                            }
                            stack[stack.count - 1].keys[key] = stringStart
                        }
                        lastSignificant = b
                    }
                    i += 1
                    continue
                }
                switch b {
                case UInt8(ascii: "\""):
                    inString = true
                    stringStart = i
                    isKey =
                        stack.last?.isObject == true
                        && (lastSignificant == UInt8(ascii: "{") || lastSignificant == UInt8(ascii: ","))
                case UInt8(ascii: "{"), UInt8(ascii: "["):
                    stack.append(Frame(isObject: b == UInt8(ascii: "{")))
                    lastSignificant = b
                case UInt8(ascii: "}"), UInt8(ascii: "]"):
                    if lastSignificant == UInt8(ascii: ",") {
                        return (lastCommaOffset, "invalid JSON: trailing comma" + (trailingCommaNote.map { " (\($0))" } ?? ""))
                    }
                    if !stack.isEmpty { stack.removeLast() }
                    lastSignificant = b
                case UInt8(ascii: ","):
                    lastCommaOffset = i
                    lastSignificant = b
                case UInt8(ascii: " "), UInt8(ascii: "\n"), UInt8(ascii: "\r"), UInt8(ascii: "\t"):
                    break
                default:
                    lastSignificant = b
                }
                i += 1
            }
            return nil
        }
    }

    /// In a document that does not parse: the first byte that is not UTF-8, or the first number that
    /// does not fit a 64-bit float; nil when the problem is something else.
    static func lexicalProblem(in data: Data) -> (offset: Int, message: String)? {
        if let bad = firstInvalidUTF8(data) {
            return (bad, String(format: "invalid UTF-8 (byte 0x%02X)", data[data.startIndex + bad]))
        }
        return data.withUnsafeBytes { (bytes: UnsafeRawBufferPointer) -> (offset: Int, message: String)? in
            var i = 0
            var inString = false
            var escaped = false
            while i < bytes.count {
                let b = bytes[i]
                if inString {
                    if escaped { escaped = false } else if b == UInt8(ascii: "\\") { escaped = true } else if b == UInt8(ascii: "\"") { inString = false }
                    i += 1
                    continue
                }
                if b == UInt8(ascii: "\"") {
                    inString = true
                    i += 1
                } else if b == UInt8(ascii: "-") || (b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9")) {
                    let start = i
                    while i < bytes.count, Self.isNumberByte(bytes[i]) { i += 1 }
                    let token = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<i]), as: UTF8.self)
                    if let v = Double(token), !v.isFinite {
                        return (start, "number \(token) does not fit a 64-bit float")
                    }
                } else {
                    i += 1
                }
            }
            return nil
        }
    }

    private static func isNumberByte(_ b: UInt8) -> Bool {
        (b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9")) || b == UInt8(ascii: "-") || b == UInt8(ascii: "+")
            || b == UInt8(ascii: ".") || b == UInt8(ascii: "e") || b == UInt8(ascii: "E")
    }

    /// Offset of the first byte that is not part of valid UTF-8, or nil.
    static func firstInvalidUTF8(_ data: Data) -> Int? {
        var offset = 0
        var iterator = data.makeIterator()
        var decoder = UTF8()
        while true {
            switch decoder.decode(&iterator) {
            case .scalarValue(let u):
                offset += UTF8.width(u)
            case .emptyInput:
                return nil
            case .error:
                return offset
            }
        }
    }
}
