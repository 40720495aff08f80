import Foundation
import PerfgateCore
import Testing

@testable import PerfgateIngest

/// The sniffers' byte-level marker searches (`SniffText`) answer what the Foundation string and
/// regular-expression searches they replaced answered, on every fixture's head and on spacing variants.
@Suite("sniff text")
struct SniffTextTests {
    static let markers = [
        "\"metrics\"", "\"root_group\"", "\"format\"", "\"benchmarks\"", "<testResults", "\"num_requests\"", "Benchmark",
        " ... bench:", "\"latencies\"", "\"status\"", "\n", "é", "\"",
    ]

    /// Every fixture file's head (as `InputFormat.detect` reads it).
    static func heads() throws -> [(String, [UInt8])] {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")
        var out: [(String, [UInt8])] = []
        let walker = FileManager.default.enumerator(at: root, includingPropertiesForKeys: [.isRegularFileKey])
        while let url = walker?.nextObject() as? URL {
            guard (try url.resourceValues(forKeys: [.isRegularFileKey])).isRegularFile == true else { continue }
            out.append((url.path, InputFile(path: url.path).head()))
        }
        return out
    }

    @Test func containsAgreesWithStringContainsOnEveryFixture() throws {
        let heads = try Self.heads()
        #expect(heads.count > 50)
        for (path, head) in heads {
            let text = Sniff.text(head)
            let string = String(decoding: head, as: UTF8.self)
            for marker in Self.markers {
                #expect(text.contains(marker) == string.contains(marker), "\(path): \(marker)")
            }
            #expect(text.hasPrefix("{") == string.hasPrefix("{"), "\(path)")
        }
    }

    /// `hasMember(key, valuePrefix:)` is the regular expression `"key"\s*:\s*valuePrefix` the sniffers used.
    @Test func hasMemberAgreesWithTheRegularExpression() throws {
        let variants = [
            #"{"format":"perfgate"}"#, #"{ "format" : "perfgate" }"#, "{\n  \"format\":\n\t\"perfgate\"\n}", #"{"format": "other"}"#,
            #"{"formats": "perfgate"}"#, #"{"x": "format", "format": "perfgate"}"#, #"{"x": "\"format\"", "y": 1}"#,
            #"{"format" "perfgate"}"#, #"{"format":"#, #"{"format""#, #"{"$schema": "urn:perfgate:schema:result:v1"}"#,
            #"{"status":"success","data":{"resultType":"matrix"}}"#, #"{"status": "error", "errorType": "bad_data"}"#, #"{"metric":"vus","type":"Point","data":{}}"#,
        ]
        let cases: [(String, String, String)] = [
            ("format", "\"perfgate\"", #""format"\s*:\s*"perfgate""#),
            ("$schema", "\"urn:perfgate:schema:result:", #""\$schema"\s*:\s*"urn:perfgate:schema:result:"#),
            ("status", "\"success\"", #""status"\s*:\s*"success""#),
            ("resultType", "\"", #""resultType"\s*:\s*""#),
            ("errorType", "\"", #""errorType"\s*:\s*""#),
            ("type", "\"Point\"", #""type"\s*:\s*"Point""#),
        ]
        let texts = variants.map { Array($0.utf8) } + (try Self.heads()).map(\.1)
        var matched = 0
        for bytes in texts {
            let string = String(decoding: bytes, as: UTF8.self)
            for (key, value, pattern) in cases {
                let expected = string.range(of: pattern, options: .regularExpression) != nil
                #expect(Sniff.text(bytes).hasMember(key, valuePrefix: value) == expected, "\(string.prefix(80)) \(key)")
                if expected { matched += 1 }
            }
        }
        #expect(matched >= 6)
    }

    /// Bencher's structure check is the regular expression the BMF sniffer used.
    @Test func bencherStructureAgreesWithTheRegularExpression() throws {
        let string = #""(?:[^"\\]|\\.)*""#
        let number = #"-?[0-9][0-9.eE+-]*"#
        let member = #""(?:value|lower_value|upper_value)"\s*:\s*"# + number
        let pattern = #"^\s*\{\s*"# + string + #"\s*:\s*\{\s*"# + string + #"\s*:\s*\{\s*"# + member + #"(?:\s*,\s*"# + member
            + #")*\s*\}"#
        let variants = [
            #"{"b": {"latency": {"value": 1.5}}}"#, #"{ "b" : { "m" : { "value" : -2e3 , "lower_value": 1, "upper_value": 3 } } }"#,
            "{\n\t\"b\":{\r\n\"m\":{\"value\":1}}}", #"{"b": {"m": {"value": 1, "min": 0}}}"#, #"{"b": {"m": {"value": "1"}}}"#,
            #"{"b": {"m": {"value": .5}}}"#, #"{"b": {"m": {"value": 1,}}}"#, #"{"b": {"m": {}}}"#, #"{"b": {"m": {"value": 1"#,
            #"{"b\"q": {"m\\": {"value": 1}}}"#, #"{"b": {"m": {"lower_value": 1e-3, "value": 2E+1}}}"#, #"{"b": [{"value": 1}]}"#,
            #"{"a": {"value": 1}}"#, #"{"b": {"m": {"value": 1}}, "c": []}"#, "\u{FEFF}{\"b\": {\"m\": {\"value\": 1}}}", #"{"b": {"m": {"value": 1-}}}"#,
        ]
        let texts = variants.map { Array($0.utf8) } + (try Self.heads()).map(\.1)
        var matched = 0
        for bytes in texts {
            let text = String(decoding: bytes, as: UTF8.self)
            let expected = text.range(of: pattern, options: .regularExpression) != nil
            #expect(Sniff.text(bytes).opensWithTwoNamedObjectsOfNumbers(keys: BMFAdapter.measureKeys) == expected, "\(text.prefix(80))")
            if expected { matched += 1 }
        }
        #expect(matched >= 6)
    }
}

/// The JSON reader's values: integers keep every digit (Int64), other numbers are the exact Double,
/// booleans stay booleans, whatever order the decoder tries the kinds in.
@Suite("exact JSON values")
struct ExactJSONValueTests {
    @Test func everyKindDecodesToItsValue() throws {
        let text = #"{"i": 9007199254740993, "neg0": -0, "f": 0.1, "e": 1e2, "half": 2.5, "t": true, "s": "x", "n": null,"#
            + #" "o": {"a": [1, "b", false]}, "big": -9223372036854775808, "huge": 1e300}"#
        let root = try JSONNode.parse(Data(text.utf8), file: "t.json")
        let o = try #require(root.value as? [String: Any])
        #expect((o["i"] as? NSNumber)?.int64Value == 9_007_199_254_740_993)
        #expect((o["big"] as? NSNumber)?.int64Value == Int64.min)
        #expect((o["f"] as? NSNumber)?.doubleValue == 0.1)
        #expect((o["e"] as? NSNumber)?.doubleValue == 100)
        #expect((o["half"] as? NSNumber)?.doubleValue == 2.5)
        #expect((o["huge"] as? NSNumber)?.doubleValue == 1e300)
        #expect((o["neg0"] as? NSNumber)?.doubleValue == 0)
        let t = try root.required("t")
        #expect(try t.bool())
        #expect(throws: IngestError.self) { try root.required("i").bool() }
        #expect(o["s"] as? String == "x")
        #expect(o["n"] is NSNull)
        let inner = try #require((o["o"] as? [String: Any])?["a"] as? [Any])
        #expect(inner.count == 3 && (inner[0] as? NSNumber)?.intValue == 1 && inner[1] as? String == "b")
        #expect(try JSONNode(value: inner[2], path: "a[2]", file: "t.json").bool() == false)
    }
}

/// The byte-cheap trims answer what Foundation's `trimmingCharacters(in:)` answers.
@Suite("trimming")
struct TrimmingTests {
    @Test func trimsLikeFoundation() {
        let samples = [
            "", " ", "\t x \t", "x", " http_req_duration ", "\u{00A0}name\u{3000}", "\u{2009}a b\u{202F}", " é\u{301} ", "\n x \n",
            "\"'name'\"", " 'GET /api' ", "\t\"\"",
        ]
        let tagPadding = CharacterSet(charactersIn: " \t\"'")
        for s in samples {
            #expect(s.trimmedOfWhitespace == s.trimmingCharacters(in: .whitespaces), "\(s.debugDescription)")
            #expect(
                s.trimmed { $0 == " " || $0 == "\t" || $0 == "\"" || $0 == "'" } == s.trimmingCharacters(in: tagPadding),
                "\(s.debugDescription)")
            #expect(Substring(s).trimmedOfWhitespace == s.trimmingCharacters(in: .whitespaces))
        }
    }
}
