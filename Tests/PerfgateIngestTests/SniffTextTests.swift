import Foundation
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
            #"{"status":"success","data":{"resultType":"matrix"}}"#, #"{"status": "error", "errorType": "bad_data"}"#,
        ]
        let cases: [(String, String, String)] = [
            ("format", "\"perfgate\"", #""format"\s*:\s*"perfgate""#),
            ("$schema", "\"urn:perfgate:schema:result:", #""\$schema"\s*:\s*"urn:perfgate:schema:result:"#),
            ("status", "\"success\"", #""status"\s*:\s*"success""#),
            ("resultType", "\"", #""resultType"\s*:\s*""#),
            ("errorType", "\"", #""errorType"\s*:\s*""#),
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
}
