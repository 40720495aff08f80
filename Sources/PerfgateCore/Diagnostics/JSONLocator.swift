import Foundation

/// Finds where a JSON document is broken, for messages that name `line:col`.
///
/// `JSONDecoder` on Linux reports only "not valid JSON"; `JSONSerialization` reports
/// "around character N". This turns that into a line and column, and falls back to
/// a small scanner of its own when no offset is given (for example a truncated document).
public enum JSONLocator {
    /// Validates `data` as JSON; returns nil if it parses, else a location and a message.
    public static func syntaxError(in data: Data, file: String) -> (location: SourceLocation, message: String)? {
        if data.isEmpty { return (SourceLocation(file: file, line: 1, column: 1), "file is empty") }
        do {
            _ = try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
            return nil
        } catch {
            if let (offset, message) = StrictJSON.lexicalProblem(in: data) {
                let (line, col) = lineColumn(in: data, offset: offset)
                return (SourceLocation(file: file, line: line, column: col), message)
            }
            let text = String(describing: error)
            var offset: Int?
            if let r = text.range(of: "around character ") {
                let digits = text[r.upperBound...].prefix { $0.isNumber }
                offset = Int(digits)
            } else if let r = text.range(of: "around line ") {
                _ = r
            }
            let (line, col) = lineColumn(in: data, offset: offset ?? scanForError(data))
            let message: String
            if let off = offset, off >= data.count {
                message = "invalid JSON: unexpected end of file (truncated?)"
            } else if offset == nil && scanForError(data) >= data.count {
                message = "invalid JSON: unexpected end of file (truncated?)"
            } else {
                message = "invalid JSON"
            }
            return (SourceLocation(file: file, line: line, column: col), message)
        }
    }

    /// 1-based line and column of a byte offset.
    public static func lineColumn(in data: Data, offset: Int) -> (Int, Int) {
        var line = 1
        var col = 1
        var i = 0
        for byte in data {
            if i >= offset { break }
            if byte == UInt8(ascii: "\n") {
                line += 1
                col = 1
            } else {
                col += 1
            }
            i += 1
        }
        return (line, col)
    }

    /// A tiny bracket/string scanner: returns the offset of the first structural problem, or the
    /// end of data when the document simply ends too early.
    static func scanForError(_ data: Data) -> Int {
        var depth: [UInt8] = []
        var inString = false
        var escaped = false
        var i = 0
        for b in data {
            defer { i += 1 }
            if inString {
                if escaped { escaped = false } else if b == UInt8(ascii: "\\") { escaped = true } else if b == UInt8(ascii: "\"") { inString = false }
                continue
            }
            switch b {
            case UInt8(ascii: "\""): inString = true
            case UInt8(ascii: "{"), UInt8(ascii: "["): depth.append(b)
            case UInt8(ascii: "}"):
                if depth.last != UInt8(ascii: "{") { return i }
                depth.removeLast()
            case UInt8(ascii: "]"):
                if depth.last != UInt8(ascii: "[") { return i }
                depth.removeLast()
            default: break
            }
        }
        return data.count
    }
}
