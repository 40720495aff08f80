import Foundation
import PerfgateCore
import PerfgateTestSupport
import Testing

@testable import PerfgateIngest

/// Real k6 output altered the way a hostile or broken producer would: every alteration is refused
/// with its location, never read differently from what jq, Python or the tool itself would read.
@Suite("hostile input")
struct HostileInputTests {
    let summary = try! String(contentsOf: K6T.url("generated/k6/summary-export.json"), encoding: .utf8)

    private func parseSummary(_ text: String) throws -> IngestedRun {
        try K6T.parse(.k6Summary, bytes: Array(text.utf8), name: "summary.json")
    }

    /// 1-based line and column (in bytes) of the `occurrence`-th `needle` in `text`.
    private func lineColumn(of needle: String, in text: String, occurrence: Int = 1) -> (Int, Int) {
        let bytes = Array(text.utf8)
        var from = 0
        var at = 0
        for _ in 0..<occurrence {
            at = bytes[from...].firstRange(of: Array(needle.utf8))!.lowerBound
            from = at + 1
        }
        let line = bytes[..<at].filter { $0 == UInt8(ascii: "\n") }.count + 1
        let lineStart = (bytes[..<at].lastIndex(of: UInt8(ascii: "\n")) ?? -1) + 1
        return (line, at - lineStart + 1)
    }

    @Test func aDuplicatedMetricKeyIsAnErrorNamingBothPlaces() throws {
        // The same metric twice, the second with p(95) 999999: Foundation would keep the first, jq the last.
        let key = #""http_req_duration{name:/api/orders}": {"#
        let forged = summary.replacingOccurrences(of: key, with: key.replacingOccurrences(of: "{\"", with: "") + #""p(95)": 999999, "count": 1}, "# + key)
        #expect(forged.components(separatedBy: key.dropLast(3)).count == 3)
        let (loc, message) = try #require(K6T.errorLocation { _ = try parseSummary(forged) })
        let second = lineColumn(of: #""http_req_duration{name:/api/orders}""#, in: forged, occurrence: 2)
        let first = lineColumn(of: #""http_req_duration{name:/api/orders}""#, in: forged, occurrence: 1)
        #expect(message.contains("duplicate key \"http_req_duration{name:/api/orders}\""), "\(message)")
        #expect(loc.line == second.0 && loc.column == second.1, "\(loc) vs \(second)")
        #expect(message.contains("first at line \(first.0), column \(first.1)"), "\(message)")
    }

    @Test func aNumberTooLargeForADoubleIsReportedAtTheNumber() throws {
        let forged = summary.replacingOccurrences(of: #""count": 120,"#, with: #""count": 1e309,"#)
        let (loc, message) = try #require(K6T.errorLocation { _ = try parseSummary(forged) })
        let at = lineColumn(of: "1e309", in: forged)
        #expect(message.contains("1e309 does not fit a 64-bit float"), "\(message)")
        #expect(loc.line == at.0 && loc.column == at.1, "\(loc) vs \(at)")
    }

    @Test func invalidUTF8IsReportedAtItsByte() throws {
        var bytes = Array(summary.utf8)
        let at = lineColumn(of: "iterations", in: summary)
        let offset = Array(summary.utf8).firstRange(of: Array("iterations".utf8))!.lowerBound
        bytes[offset] = 0xFF
        let (loc, message) = try #require(K6T.errorLocation { _ = try K6T.parse(.k6Summary, bytes: bytes, name: "summary.json") })
        #expect(message.contains("invalid UTF-8 (byte 0xFF)"), "\(message)")
        #expect(loc.line == at.0 && loc.column == at.1, "\(loc) vs \(at)")
    }

    @Test func aK6CSVCutInsideItsLastRowsIsRefusedWithTheLine() throws {
        let full = Array(try Data(contentsOf: K6T.url("generated/k6/points.csv")))
        #expect(try K6T.parse(.k6CSV, bytes: full, name: "points.csv").series.isEmpty == false)
        let rowStarts = [0] + full.indices.filter { full[$0] == UInt8(ascii: "\n") && $0 + 1 < full.count }.map { $0 + 1 }
        // Cut each of the last 20 rows two bytes into its metric_value (the third field): the row ends
        // with a cut number, which must never be read as a sample.
        for row in (rowStarts.count - 20)..<rowStarts.count {
            let start = rowStarts[row]
            let commas = full[start...].indices.filter { full[$0] == UInt8(ascii: ",") }.prefix(2)
            let cut = Array(full[..<(commas.last! + 3)])
            #expect(performing: { _ = try K6T.parse(.k6CSV, bytes: cut, name: "points.csv") }, throws: { error in
                guard case IngestError.malformed(let loc, let message) = error else { return false }
                return loc.line == row + 1 && message.contains("truncated")
            })
        }
    }

    @Test func namesWithNULNegativeDurationsAndOverflowsNeverReachTheStore() throws {
        let cases: [(String, String, String)] = [
            (#""http_req_duration{name:/api/orders}""#, #""http_req_duration{name:/api/or\u0000ders}""#, "NUL byte"),
            (#""min": 0.002455"#, #""min": -0.002455"#, "is negative"),
        ]
        for (from, to, expected) in cases {
            let forged = summary.replacingOccurrences(of: from, with: to)
            #expect(forged != summary)
            let run = try parseSummary(forged)
            #expect(performing: { try run.validate(file: "summary.json") }, throws: { error in
                guard let e = error as? IngestError else { return false }
                return e.diagnostic.message.contains(expected) && e.exitStatus == .malformedInput
            })
        }
        #expect(throws: Never.self) { try parseSummary(summary).validate(file: "summary.json") }
    }
}
