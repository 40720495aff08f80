import Foundation
import PerfgateCore
import PerfgateTestSupport
import Testing

@testable import PerfgateIngest

/// The documented limits (``Limits``), each refused while streaming with the file and line, from
/// real tool output with one field blown up at test time.
@Suite("limits")
struct LimitsTests {
    /// The lines of a real fixture, without `\n` (a `\r` before it is kept).
    private func lines(_ relative: String) throws -> [String] {
        // Split on the byte: Locust writes CRLF, which Swift strings treat as one character.
        var out = try Data(contentsOf: K6T.url(relative)).split(separator: 10, omittingEmptySubsequences: false)
            .map { String(decoding: $0, as: UTF8.self) }
        if out.last == "" { out.removeLast() }
        return out
    }

    private func malformed(_ body: () throws -> Void) -> (PerfgateCore.SourceLocation, String)? {
        do {
            try body()
        } catch IngestError.malformed(let loc, let message) {
            return (loc, message)
        } catch {
            Issue.record("unexpected error \(error)")
        }
        return nil
    }

    /// Line `number` (1-based) of `fixture` with its `name` value (`"/api/users"`) made `bytes` longer.
    private func blowingUpName(_ fixture: String, line number: Int, by bytes: Int) throws -> [UInt8] {
        var all = try lines(fixture)
        #expect(all[number - 1].contains("/api/users"))
        all[number - 1] = all[number - 1].replacingOccurrences(of: "/api/users", with: "/api/users" + String(repeating: "x", count: bytes))
        return Array((all.joined(separator: "\n") + "\n").utf8)
    }

    @Test func aK6LineOverTheLimitInsideGzipIsRefusedAtItsLine() throws {
        // Line 2 of the real NDJSON names /api/users twice (name and url tags).
        let bytes = try blowingUpName("generated/k6/points.ndjson", line: 2, by: Limits.maxLineBytes / 2 + 1)
        let gz = try K6T.gzip(Data(bytes))
        #expect(gz.count < 100_000)
        let (loc, message) = try #require(malformed { _ = try K6T.parse(.k6JSON, bytes: Array(gz), name: "points.ndjson.gz") })
        #expect(loc.file == "points.ndjson.gz" && loc.line == 2, "\(loc)")
        #expect(message.contains("line is longer than 1 MiB"), "\(message)")
    }

    @Test func aNameOverTheLimitOnAShortLineIsRefusedAtItsLine() throws {
        let bytes = try blowingUpName("generated/k6/points.ndjson", line: 21, by: Limits.maxNameBytes)
        let (loc, message) = try #require(malformed { _ = try K6T.parse(.k6JSON, bytes: bytes) })
        #expect(loc.line == 21, "\(loc)")
        #expect(message.contains("over the limit of 4 KiB for a name"), "\(message)")
    }

    @Test func aK6CSVRowOverTheLimitIsRefusedAtItsLine() throws {
        let bytes = try blowingUpName("generated/k6/points.csv", line: 3, by: Limits.maxLineBytes)
        let (loc, message) = try #require(malformed { _ = try K6T.parse(.k6CSV, bytes: bytes, name: "points.csv") })
        #expect(loc.line == 3 && message.contains("line is longer than 1 MiB"), "\(loc) \(message)")
    }

    @Test func aLocustCSVRowOverTheLimitIsRefusedAtItsLine() throws {
        var rows = try lines("generated/locust/run_stats.csv")
        rows[2] = rows[2].replacingOccurrences(of: "/api/products", with: "/api/products" + String(repeating: "y", count: Limits.maxLineBytes))
        let data = Data((rows.joined(separator: "\n") + "\n").utf8)
        let (loc, message) = try #require(
            malformed { _ = try InputFormat.locustCSV.adapter.parse(InputSet(primary: InputFile(data: data, displayPath: "run_stats.csv"))) })
        #expect(loc.line == 3 && message.contains("line is longer than 1 MiB"), "\(loc) \(message)")
    }

    @Test func theLineReaderHandsOverTheLinesBeforeALongOneAndCountsCRLF() throws {
        let limit = 100
        func blocks(_ text: String) throws -> (handed: [String], error: PerfgateCore.SourceLocation?) {
            var handed: [String] = []
            do {
                try InputFile(data: Data(text.utf8), displayPath: "t.txt").forEachLineBlock(blockSize: 16, maxLineBytes: limit) {
                    handed.append(String(decoding: $0, as: UTF8.self))
                }
            } catch IngestError.malformed(let loc, _) {
                return (handed, loc)
            }
            return (handed, nil)
        }
        let exact = String(repeating: "b", count: limit)
        let over = String(repeating: "c", count: limit + 1)
        // Exactly the limit, with CRLF or without a final newline, is accepted.
        #expect(try blocks("a\n\(exact)\r\n\(exact)").error == nil)
        #expect(try blocks("a\n\(exact)\r\n\(exact)").handed.joined() == "a\n\(exact)\r\n\(exact)")
        // One byte over: refused at its line, after the earlier lines were handed over.
        let r = try blocks("a\n\(exact)\r\n\(over)\nd\n")
        #expect(r.error?.line == 3 && r.handed.joined() == "a\n\(exact)\r\n")
        let last = try blocks("a\nb\n\(over)")
        #expect(last.error?.line == 3 && last.handed.joined() == "a\nb\n")
        // Far longer than a block and the limit: refused without reading to the end of the line.
        #expect(try blocks("a\n" + String(repeating: "z", count: 10 * limit)).error?.line == 2)
    }

    @Test func moreSeriesThanTheLimitAreRefusedWhileStreaming() throws {
        // The real file, then one request per new endpoint until the limit is passed.
        var all = try lines("generated/k6/points.ndjson")
        let template = all[20]  // a real http_reqs Point line naming /api/users
        #expect(template.contains("\"metric\":\"http_reqs\""))
        let before = all.count
        for i in 0...Limits.maxSeriesPerRun {
            all.append(template.replacingOccurrences(of: "/api/users", with: "/api/items/\(i)"))
        }
        let bytes = Array((all.joined(separator: "\n") + "\n").utf8)
        let (loc, message) = try #require(malformed { _ = try K6T.parse(.k6JSON, bytes: bytes) })
        #expect(message.contains("more than 10000 series"), "\(message)")
        let line = try #require(loc.line)
        #expect(line > before && line <= all.count, "\(loc)")
    }

    @Test func validateRefusesAnOversizedRunFromAnyAdapter() throws {
        var run = try K6T.parse(.k6Summary, "generated/k6/summary-export.json")
        #expect(throws: Never.self) { try run.validate(file: "s.json") }
        let one = run.series[0]
        run.series = (0...Limits.maxSeriesPerRun).map { i in
            var s = one
            s.key = SeriesKey(endpoint: "e\(i)", metric: one.key.metric)
            return s
        }
        #expect(performing: { try run.validate(file: "s.json") }, throws: { "\($0)".contains("more than 10000 series") })
        run.series = [one]
        run.tags = ["build": String(repeating: "t", count: Limits.maxNameBytes + 1)]
        #expect(performing: { try run.validate(file: "s.json") }, throws: { "\($0)".contains("tag value") })
    }
}
