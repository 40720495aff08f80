import Foundation
import PerfgateCore
import PerfgateTestSupport
import Testing

@testable import PerfgateIngest

/// The streaming reader behind `perfgate import`: what it reads, and that every problem is one error
/// with the whole file's line and column or the run's JSON path.
@Suite("history reader")
struct HistoryReaderTests {
    static func run(sha: String, p50: Double) -> String {
        """
        {"inputFormat": "k6-summary", "ingestedAt": "2026-05-01T10:00:00Z",
         "run": {"format": "perfgate", "version": 1, "tool": "k6", "scenario": "api", "environment": "ci",
          "commit": {"sha": "\(sha)", "branch": "main"},
          "series": [{"endpoint": "GET /", "metric": "http_req_duration", "unit": "ms", "direction": "lower",
                      "stats": {"count": 10, "p50": \(p50)}}]},
         "sources": [{"path": "k6.json", "digest": "abc", "bytes": 12}]}
        """
    }

    static func history(_ runs: [String], version: String = "1", format: String = "\"perfgate-history\"") -> String {
        "{\"format\": \(format),\n \"runs\": [\n" + runs.joined(separator: ",\n") + "\n],\n \"version\": \(version)}\n"
    }

    func read(_ text: String, name: String = "h.json") throws -> [HistoryReader.Entry] {
        try HistoryReader.read(InputFile(data: Data(text.utf8), displayPath: name))
    }

    func failure(_ text: String) -> IngestError? {
        do {
            _ = try read(text)
            return nil
        } catch let e as IngestError {
            return e
        } catch {
            return nil
        }
    }

    @Test func readsEveryRunInOrderWithItsContext() throws {
        let entries = try read(Self.history([Self.run(sha: "aaaaaaa1", p50: 1), Self.run(sha: "bbbbbbb2", p50: 2)]))
        #expect(entries.map(\.commit.sha) == ["aaaaaaa1", "bbbbbbb2"])
        #expect(entries[1].run.series.first?.stats[.p50] == 2)
        #expect(entries[0].run.format == "k6-summary")
        #expect(entries[0].scenario == "api" && entries[0].environment == "ci" && entries[0].commit.branch == "main")
        #expect(entries[0].sources == [SourceFile(path: "k6.json", digest: "abc", bytes: 12)])
        #expect(entries[0].ingestedAt == "2026-05-01T10:00:00Z")
        #expect(try read(Self.history([])).isEmpty)
    }

    @Test func keysInAnyOrderAndUnknownTopLevelKeysAreRead() throws {
        let text = #"{"version": 1, "note": {"a": [1, "]", {"b": "}"}]}, "runs": ["# + Self.run(sha: "aaaaaaa1", p50: 1) + #"], "format": "perfgate-history"}"#
        #expect(try read(text).count == 1)
    }

    @Test func aSyntaxErrorInALateRunNamesTheLineAndColumnInTheWholeFile() throws {
        let bad = Self.run(sha: "bbbbbbb2", p50: 2).replacingOccurrences(of: "\"count\": 10", with: "\"count\": 10,,")
        let text = Self.history([Self.run(sha: "aaaaaaa1", p50: 1), bad])
        let e = try #require(failure(text))
        guard case .malformed(let loc, _) = e else { Issue.record("\(e)"); return }
        let lines = text.components(separatedBy: "\n")
        let line = try #require(lines.firstIndex { $0.contains("10,,") }) + 1
        #expect(loc.file == "h.json" && loc.line == line, "\(e)")
        // The second comma of ",,", 1-based, on its line of the whole file.
        let bytes = Array(lines[line - 1].utf8)
        let commas = try #require(bytes.indices.first { bytes[$0] == UInt8(ascii: ",") && bytes[$0 + 1] == UInt8(ascii: ",") })
        #expect(loc.column == commas + 2, "\(e)")
    }

    @Test func aBadRunNamesItsJSONPath() throws {
        let bad = Self.run(sha: "bbbbbbb2", p50: 2).replacingOccurrences(of: "\"p50\": 2.0", with: "\"p50\": \"fast\"")
        let e = try #require(failure(Self.history([Self.run(sha: "aaaaaaa1", p50: 1), bad])))
        #expect("\(e)".contains("h.json") && "\(e)".contains("runs[1].run.series[0]"), "\(e)")
    }

    @Test func aNewerVersionAfterTheRunsIsReportedRatherThanARunError() throws {
        let e = try #require(failure(Self.history([#"{"run": {"format": "perfgate-9"}}"#], version: "2")))
        #expect("\(e)".contains("version 2 is newer"), "\(e)")
        let huge = try #require(failure(Self.history([Self.run(sha: "aaaaaaa1", p50: 1)], version: "1e300")))
        #expect("\(huge)".contains("is newer"), "\(huge)")
        let other = try #require(failure(Self.history([#"{"run": {}}"#], format: "\"something-else\"")))
        #expect("\(other)".contains("not a perfgate history file"), "\(other)")
    }

    @Test func structuralDamageIsOneErrorWithALocation() throws {
        let good = Self.history([Self.run(sha: "aaaaaaa1", p50: 1)])
        for text in [
            "", "[]", "{", #"{"runs": [1}"#, #"{"runs": [{"run": {]}]}"#, good + "x", String(good.dropLast(3)),
            #"{"runs": [], "runs": []}"#, #"{"format": "perfgate-history", "version": 1, "runs": [}"#, "{\"a\u{1}\": 1}",
        ] {
            let e = failure(text)
            #expect(e != nil, "accepted: \(text.prefix(60))")
            if case .malformed(let loc, _)? = e { #expect(loc.file == "h.json") }
        }
    }

    /// A duplicated top-level key is named with both places, in the words of every other JSON reader.
    @Test func aDuplicateKeyNamesBothPlaces() throws {
        let e = try #require(failure(#"{"runs": [], "runs": []}"#))
        #expect(e.description == #"h.json:1:20: error: invalid JSON: duplicate key "runs" in the same object (first at line 1, column 2)"#)
    }

    @Test func aHugeSourceByteCountDoesNotTrap() throws {
        let text = Self.history([Self.run(sha: "aaaaaaa1", p50: 1).replacingOccurrences(of: "\"bytes\": 12", with: "\"bytes\": 1e300")])
        #expect(try read(text).first?.sources.first?.bytes == 9_000_000_000_000_000)
    }
}
