import Foundation

/// What a file that no adapter claims looks like, in a few words, for "unknown result format" and
/// "skipped …: not a result file" lines: `CSV with header "a,b,c"`, `JSON with top-level keys "x", "y"`,
/// `NDJSON`, `text`, `binary data`. Reads only the sniffed head.
public enum ContentSketch {
    public static func describe(head: [UInt8]) -> String {
        if head.isEmpty { return "an empty file" }
        if let known = recognisedLoadTool(head) { return known }
        if head.contains(0) || String(validatingUTF8CString: head) == nil { return "binary data" }
        let text = Sniff.text(head)
        let first = Sniff.firstByte(head)
        if first == UInt8(ascii: "{") {
            let lines = text.split(separator: "\n", omittingEmptySubsequences: true)
            if lines.count > 1, let l0 = lines.first, l0.hasSuffix("}"), let l1 = lines.dropFirst().first, l1.hasPrefix("{") {
                return "NDJSON (one JSON object per line) with keys " + quoted(topLevelKeys(Array(l0.utf8)))
            }
            let keys = topLevelKeys(head)
            return keys.isEmpty ? "a JSON object" : "JSON with top-level keys " + quoted(keys)
        }
        if first == UInt8(ascii: "[") { return "a JSON array" }
        let line = Sniff.firstLine(head)
        for sep: Character in [",", ";", "\t"] {
            let fields = line.split(separator: sep, omittingEmptySubsequences: false)
            let secondLine = text.split(separator: "\n").dropFirst().first.map(String.init) ?? ""
            if fields.count >= 3, secondLine.isEmpty || secondLine.split(separator: sep, omittingEmptySubsequences: false).count == fields.count {
                let header = line.count > 80 ? String(line.prefix(80)) + "…" : line
                return (sep == "\t" ? "TSV" : "CSV") + " with header \"\(header)\""
            }
        }
        if text.hasPrefix("<?xml") || first == UInt8(ascii: "<") { return "XML or HTML" }
        return "text"
    }

    // MARK: load tools

    /// Files of load tools that perfgate recognises but does not read, with the way forward.
    static func recognisedLoadTool(_ head: [UInt8]) -> String? {
        // Gatling 3.13+ binary simulation.log: record 0 (RUN), a big-endian length, the version.
        if head.count >= 8, head[0] == 0, head[1] == 0, head[2] == 0, head[3] == 0, head[4] > 0, head[4] < 32,
            head.count >= 5 + Int(head[4]),
            let version = String(bytes: head[5..<(5 + Int(head[4]))], encoding: .ascii),
            version.first?.isNumber == true, version.allSatisfy({ $0.isNumber || $0 == "." || $0.isLetter || $0 == "-" })
        {
            return "a Gatling binary simulation.log (version \(version); Gatling 3.13+ writes a binary log perfgate does not "
                + "read): ingest the report's js/stats.json or js/global_stats.json instead (Gatling up to 3.13.4), or a "
                + "simulation.log from Gatling 3.12 or older"
        }
        let text = Sniff.text(head)
        if Sniff.firstByte(head) == UInt8(ascii: "{"), text.contains("\"simulationId\""), text.contains("\"assertions\"") {
            return "a Gatling assertions.json (assertion outcomes, no measurements): ingest js/stats.json or simulation.log of the same run"
        }
        if text.hasPrefix("<testsuite"), text.contains("tests=") {
            return "a JUnit XML file (Gatling's js/assertions.xml or a test report; no measurements): ingest the run's result file instead"
        }
        return nil
    }

    static func quoted(_ keys: [String]) -> String {
        let shown = keys.prefix(8).map { "\"\($0)\"" }.joined(separator: ", ")
        return keys.count > 8 ? shown + ", … (\(keys.count) keys)" : shown
    }

    /// Keys of the outermost object, in order of appearance, from a possibly truncated document.
    static func topLevelKeys(_ bytes: [UInt8]) -> [String] {
        var keys: [String] = []
        var depth = 0
        var inString = false
        var escaped = false
        var start = 0
        var expectKey = false
        for (i, b) in bytes.enumerated() {
            if inString {
                if escaped { escaped = false }
                else if b == UInt8(ascii: "\\") { escaped = true }
                else if b == UInt8(ascii: "\"") {
                    inString = false
                    if depth == 1 && expectKey {
                        keys.append(String(decoding: bytes[(start + 1)..<i], as: UTF8.self))
                        expectKey = false
                    }
                }
                continue
            }
            switch b {
            case UInt8(ascii: "\""):
                inString = true
                start = i
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                depth += 1
                if depth == 1 { expectKey = true }
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                depth -= 1
            case UInt8(ascii: ","):
                if depth == 1 { expectKey = true }
            default: break
            }
        }
        return keys
    }
}

extension String {
    /// Non-nil when `bytes` are valid UTF-8 (a cut multi-byte sequence at the very end is allowed).
    init?(validatingUTF8CString bytes: [UInt8]) {
        var b = bytes
        for _ in 0..<4 {
            if let s = String(bytes: b, encoding: .utf8) {
                self = s
                return
            }
            guard !b.isEmpty, b.last! >= 0x80 else { return nil }
            b.removeLast()
        }
        return nil
    }
}
