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
        var field: [UInt8] = []
        var inQuotes = false
        var recordLine = 1
        var pendingRecord = false
        func finishField(_ line: Int) throws {
            // Drop stray CRs at the end of unquoted fields (\r\r\n).
            while field.last == 13 { field.removeLast() }
            guard let s = String(validating: field, as: UTF8.self) else {
                throw IngestError.at(file.displayPath, line: line, "invalid UTF-8 in field \(fields.count + 1)")
            }
            fields.append(s)
            field.removeAll(keepingCapacity: true)
        }
        try file.forEachLine { line, number in
            if !inQuotes {
                recordLine = number
                if line.isEmpty { return }  // blank line between records
            } else {
                field.append(10)  // the newline inside a quoted field
                // A quoted field spanning lines is held whole: the line limit applies to it too.
                if field.count + line.count > Limits.maxLineBytes {
                    throw IngestError.at(
                        file.displayPath, line: recordLine,
                        "quoted field is longer than \(Limits.describe(Limits.maxLineBytes)), the limit for a line (see \"Limits\" in the README)")
                }
            }
            var i = 0
            let n = line.count
            while i < n {
                let b = line[i]
                if inQuotes {
                    if b == 34 {
                        if i + 1 < n && line[i + 1] == 34 {
                            field.append(34)
                            i += 2
                            continue
                        }
                        inQuotes = false
                    } else {
                        field.append(b)
                    }
                } else if b == 34 && field.isEmpty {
                    inQuotes = true
                } else if b == 44 {
                    try finishField(number)
                } else {
                    field.append(b)
                }
                i += 1
            }
            pendingRecord = true
            if !inQuotes {
                try finishField(number)
                let record = fields
                fields.removeAll(keepingCapacity: true)
                pendingRecord = false
                try body(record, recordLine)
            }
        }
        if inQuotes {
            throw IngestError.at(file.displayPath, line: recordLine, "unterminated quoted field (truncated file?)")
        }
        if pendingRecord {
            try finishField(recordLine)
            try body(fields, recordLine)
        }
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
