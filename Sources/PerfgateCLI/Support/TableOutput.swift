import ArgumentParser
import Foundation
import PerfgateCore

/// `--format table|csv|json` for history commands.
enum TabularFormat: String, ExpressibleByArgument, CaseIterable {
    case table, csv, json
}

/// A cell: text for tables and CSV, typed for JSON.
enum Cell: Encodable {
    case text(String)
    case number(Double)
    case integer(Int64)
    case bool(Bool)
    case null

    var display: String {
        switch self {
        case .text(let s): return s
        case .number(let d): return d == d.rounded() && abs(d) < 1e15 ? String(Int64(d)) : String(d)
        case .integer(let i): return String(i)
        case .bool(let b): return b ? "true" : "false"
        case .null: return ""
        }
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .text(let s): try c.encode(s)
        case .number(let d): if d.isFinite { try c.encode(d) } else { try c.encodeNil() }
        case .integer(let i): try c.encode(i)
        case .bool(let b): try c.encode(b)
        case .null: try c.encodeNil()
        }
    }
}

/// Rows with named columns, rendered as an aligned table, RFC 4180 CSV, or a JSON array of objects.
struct Tabular {
    var columns: [String]
    /// Display strings for the table (formatted with units).
    var rows: [[String]]
    /// Machine values for CSV and JSON (raw numbers in canonical units).
    var values: [[Cell]]
    /// Columns right-aligned in tables.
    var numeric: Set<Int> = []

    func render(_ format: TabularFormat) -> String {
        switch format {
        case .table: return table()
        case .csv: return csv()
        case .json: return json()
        }
    }

    /// Aligned columns for people; every cell escaped for the terminal (``TerminalText``).
    func table() -> String {
        if rows.isEmpty { return "(no rows)" }
        let columns = columns.map(TerminalText.escape)
        let rows = rows.map { $0.map(TerminalText.escape) }
        var widths = columns.map(\.count)
        for r in rows { for (i, c) in r.enumerated() where i < widths.count { widths[i] = max(widths[i], c.count) } }
        func line(_ cells: [String]) -> String {
            let joined = cells.enumerated().map { i, c in
                let pad = String(repeating: " ", count: max(0, widths[i] - c.count))
                return numeric.contains(i) ? pad + c : c + pad
            }.joined(separator: "  ")
            var trimmed = joined
            while trimmed.utf8.last == 0x20 { trimmed.removeLast() }
            return trimmed
        }
        var out = [line(columns), line(widths.map { String(repeating: "-", count: $0) })]
        out += rows.map(line)
        return out.joined(separator: "\n")
    }

    func csv() -> String {
        var out = [Self.csvLine(columns)]
        out += values.map { Self.csvLine($0.map(\.display)) }
        return out.joined(separator: "\n")
    }

    /// One RFC 4180 CSV line (fields with a comma, quote or line break quoted).
    static func csvLine(_ fields: [String]) -> String {
        fields.map { s in
            s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" })
                ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
        }.joined(separator: ",")
    }

    func json() -> String {
        encodeJSON(values.map { JSONRow(columns: columns, cells: $0) })
    }

    /// One row as a JSON object (keys sorted by the encoder).
    struct JSONRow: Encodable {
        let columns: [String]
        let cells: [Cell]
        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: Key.self)
            for (k, v) in zip(columns, cells) { try c.encode(v, forKey: Key(k)) }
        }
        struct Key: CodingKey {
            var stringValue: String
            var intValue: Int? { nil }
            init(_ s: String) { stringValue = s }
            init?(stringValue: String) { self.stringValue = stringValue }
            init?(intValue: Int) { nil }
        }
    }
}

/// Pretty, sorted-key JSON, slashes unescaped.
func encodeJSON<T: Encodable>(_ value: T) -> String {
    let e = JSONEncoder()
    e.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    e.dateEncodingStrategy = .iso8601
    guard let data = try? e.encode(value) else { return "null" }
    return String(decoding: data, as: UTF8.self)
}
