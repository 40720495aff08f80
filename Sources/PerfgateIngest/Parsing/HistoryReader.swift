import Foundation
import PerfgateCore

/// Reads a perfgate history file (`perfgate export`) one run at a time: the file is scanned in blocks,
/// and only the run being decoded is held in memory, so memory does not grow with the file.
///
/// The document's skeleton (`{"format": …, "runs": [ … ], "version": …}`, in any key order) is checked
/// by a small scanner; each element of `runs` is cut out and parsed strictly (``JSONNode/parse(_:file:)``)
/// with its line numbers and JSON path (`runs[3].run…`) kept relative to the whole file.
///
/// A file that is not a history file (wrong or missing `format`, a newer `version`) is reported as
/// such even when `version` comes after the runs (exports sort their keys): after the first bad run,
/// the remaining runs are skipped, not decoded, and the error is thrown when the skeleton has been read.
public enum HistoryReader {
    public static let format = "perfgate-history"
    public static let version = 1

    /// One exported run: the native run document plus what the store knew about it.
    public struct Entry: Sendable {
        public var run: IngestedRun
        public var commit: CommitInfo
        public var scenario: String
        public var environment: String
        public var sources: [SourceFile]
        /// As written (`ingestedAt`); the caller parses it.
        public var ingestedAt: String?
        /// The run's `--profile` / `--workers` labels (`"load"` beside the run), if any.
        public var profile: String?
        public var workers: Int?
    }

    /// Calls `body` with each run of `file`, in file order, with its index in `runs`. Throws an
    /// ``IngestError`` naming the file and the line or JSON path for the first problem; errors thrown
    /// by `body` are passed on at once.
    public static func forEachRun(in file: InputFile, _ body: (Int, Entry) throws -> Void) throws {
        let name = file.displayPath
        let reader = try file.makeReader()
        var scanner = SkeletonScanner(file: name) { try reader.next() }
        var formatValue: [UInt8]?
        var versionValue: [UInt8]?
        var sawRuns = false
        var firstRunError: (any Error)?

        try scanner.skipWhitespace()
        try scanner.expect(UInt8(ascii: "{"), what: "a history file (a JSON object)")
        try scanner.skipWhitespace()
        var seenKeys: [String: (line: Int, column: Int)] = [:]
        if try scanner.peek() == UInt8(ascii: "}") {
            try scanner.advance()
        } else {
            while true {
                try scanner.skipWhitespace()
                let at = (line: scanner.line, column: scanner.column)
                let key = try scanner.readKey()
                if let first = seenKeys[key] {
                    // The same words as every other JSON reader (StrictJSON): both places are named.
                    throw scanner.error(
                        "invalid JSON: duplicate key \"\(key)\" in the same object (first at line \(first.line), column \(first.column))")
                }
                seenKeys[key] = at
                try scanner.skipWhitespace()
                try scanner.expect(UInt8(ascii: ":"), what: "':'")
                try scanner.skipWhitespace()
                switch key {
                case "runs":
                    sawRuns = true
                    try scanner.expect(UInt8(ascii: "["), what: "an array for \"runs\"")
                    try scanner.skipWhitespace()
                    if try scanner.peek() == UInt8(ascii: "]") {
                        try scanner.advance()
                        break
                    }
                    var index = 0
                    while true {
                        try scanner.skipWhitespace()
                        let (line, column) = (scanner.line, scanner.column)
                        if firstRunError != nil {
                            try scanner.value(capture: false)
                        } else {
                            let bytes = try scanner.value(capture: true)
                            let entry: Entry
                            do {
                                entry = try decodeEntry(bytes, index: index, file: name, line: line, column: column)
                            } catch {
                                firstRunError = error
                                index += 1
                                try scanner.skipWhitespace()
                                if try scanner.separator(close: UInt8(ascii: "]")) { continue } else { break }
                            }
                            try body(index, entry)
                        }
                        index += 1
                        try scanner.skipWhitespace()
                        if try scanner.separator(close: UInt8(ascii: "]")) { continue } else { break }
                    }
                case "format":
                    formatValue = try scanner.value(capture: true, limit: 1 << 16)
                case "version":
                    versionValue = try scanner.value(capture: true, limit: 1 << 16)
                default:
                    try scanner.value(capture: false)
                }
                try scanner.skipWhitespace()
                if try scanner.separator(close: UInt8(ascii: "}")) { continue } else { break }
            }
        }
        try scanner.skipWhitespace()
        if try scanner.peek() != nil { throw scanner.error("unexpected data after the end of the document") }

        let formatString = formatValue.flatMap { try? JSONDecoder().decode(String.self, from: Data($0)) }
        guard formatString == format else {
            throw IngestError.at(name, path: "format", "not a perfgate history file (expected \"format\": \"\(format)\")")
        }
        guard let versionValue, let v = try? JSONDecoder().decode(Double.self, from: Data(versionValue)) else {
            throw IngestError.at(name, path: "version", "expected a version number")
        }
        guard v <= Double(version) else {
            throw IngestError.at(name, path: "version", "history file version \(Int(exactly: v).map(String.init) ?? "\(v)") is newer than this perfgate reads (\(version))")
        }
        if let firstRunError { throw firstRunError }
        guard sawRuns else { throw IngestError.at(name, path: "runs", "missing key \"runs\"") }
    }

    /// Every run of a history file held in memory (tests and small files).
    public static func read(_ file: InputFile) throws -> [Entry] {
        var out: [Entry] = []
        try forEachRun(in: file) { out.append($1) }
        return out
    }

    /// One exported server series (`{"name", "unit", "direction", "samples": [[unix_s, value], …]}`);
    /// errors name the history file and the JSON path.
    static func serverSeries(_ node: JSONNode) throws -> ServerSeries {
        let name = try node.required("name").string()
        let unitNode = try node.required("unit")
        guard let unit = MetricUnit(rawValue: try unitNode.string()) else {
            throw unitNode.error("unknown unit; expected one of \(MetricUnit.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let directionNode = try node.required("direction")
        guard let direction = Direction(rawValue: try directionNode.string()) else {
            throw directionNode.error("expected \"lower\" or \"higher\"")
        }
        let samples = try node.required("samples").array().map { pair -> ServerSample in
            let xs = try pair.array()
            guard xs.count == 2 else { throw pair.error("a sample is [unix seconds, value]") }
            return ServerSample(time: try xs[0].number(), value: try xs[1].number())
        }
        return ServerSeries(name: name, unit: unit, direction: direction, samples: samples)
    }

    static func decodeEntry(_ bytes: [UInt8], index: Int, file: String, line: Int, column: Int) throws -> Entry {
        let parsed: JSONNode
        do {
            parsed = try JSONNode.parse(Data(bytes), file: file)
        } catch IngestError.malformed(let loc, let message) where loc.line != nil {
            // Line and column relative to the whole file, not to the run's text.
            let l = loc.line ?? 1
            throw IngestError.malformed(
                SourceLocation(file: file, line: l + line - 1, column: l == 1 ? (loc.column ?? 1) + column - 1 : loc.column), message)
        }
        let entry = JSONNode(value: parsed.value, path: "runs[\(index)]", file: file)
        let runNode = try entry.required("run")
        // Decoded from the parsed tree itself; errors name the history file and the run's JSON path.
        let doc = try NativeJSON.decode(runNode)
        guard let c = doc.commit, let branch = c.branch, let env = doc.environment else {
            throw runNode.error("an exported run needs commit.sha, commit.branch and environment")
        }
        let sources = try (entry.optional("sources")?.array() ?? []).map {
            SourceFile(path: try $0.required("path").string(), digest: try $0.required("digest").string(), bytes: Int64(min(try $0.required("bytes").nonNegative(), 9e15)))
        }
        let ingestedAt = try entry.optional("ingestedAt")?.string()
        var run = doc.run
        // What `ingest` refuses (NUL names, limits, negative durations) is refused here too.
        try run.validate(file: "\(file) \(runNode.path)")
        if let original = try entry.optional("inputFormat")?.string() { run.format = original }
        let load = try entry.optional("load")
        let profile = try load?.optional("profile")?.string()
        let workers = try load?.optional("workers")?.number()
        if let w = workers, w < 1 || w != w.rounded() || w > Double(Int32.max) {
            throw entry.error("load.workers must be a positive whole number")
        }
        if let server = try entry.optional("serverSeries") {
            run.serverSeries = try server.array().map(serverSeries)
        }
        return Entry(
            run: run, commit: CommitInfo(sha: c.sha, branch: branch, committedAt: c.time, parentSha: c.parent),
            scenario: doc.run.scenario ?? "default", environment: env, sources: sources, ingestedAt: ingestedAt,
            profile: profile, workers: workers.map { Int($0) })
    }
}

/// The structural scanner under ``HistoryReader``: reads blocks on demand, tracks line and column,
/// and cuts out (or skips) one JSON value at a time without building it.
struct SkeletonScanner {
    let file: String
    let nextBlock: () throws -> [UInt8]
    var buffer: [UInt8] = []
    var position = 0
    var atEnd = false
    private(set) var line = 1
    private(set) var column = 1

    init(file: String, nextBlock: @escaping () throws -> [UInt8]) {
        self.file = file
        self.nextBlock = nextBlock
    }

    func error(_ message: String) -> IngestError {
        IngestError.malformed(SourceLocation(file: file, line: line, column: column), message)
    }

    mutating func peek() throws -> UInt8? {
        if position < buffer.count { return buffer[position] }
        while !atEnd {
            let block = try nextBlock()
            if block.isEmpty {
                atEnd = true
                return nil
            }
            buffer = block
            position = 0
            return buffer[0]
        }
        return nil
    }

    mutating func advance() throws {
        guard let b = try peek() else { return }
        position += 1
        if b == 10 {
            line += 1
            column = 1
        } else if b & 0xC0 != 0x80 {
            column += 1
        }
    }

    mutating func skipWhitespace() throws {
        while let b = try peek(), b == 32 || b == 9 || b == 10 || b == 13 { try advance() }
    }

    mutating func expect(_ byte: UInt8, what: String) throws {
        guard try peek() == byte else { throw error(try peek() == nil ? "unexpected end of file: expected \(what)" : "expected \(what)") }
        try advance()
    }

    /// After a member or element: true on ',' (another follows), false on the closing bracket.
    mutating func separator(close: UInt8) throws -> Bool {
        switch try peek() {
        case UInt8(ascii: ","): try advance(); return true
        case close: try advance(); return false
        case nil: throw error("unexpected end of file: expected ',' or '\(Character(UnicodeScalar(close)))'")
        default: throw error("expected ',' or '\(Character(UnicodeScalar(close)))'")
        }
    }

    mutating func readKey() throws -> String {
        guard try peek() == UInt8(ascii: "\"") else { throw error("expected a key (a string)") }
        let raw = try value(capture: true, limit: 1 << 16)
        guard let key = try? JSONDecoder().decode(String.self, from: Data(raw)) else { throw error("invalid key") }
        return key
    }

    /// Reads one JSON value, returning its bytes when `capture` is set (empty otherwise). Brackets
    /// must match; a captured value is parsed strictly by the caller, a skipped one is only scanned.
    @discardableResult
    mutating func value(capture: Bool, limit: Int = Limits.maxDocumentBytes) throws -> [UInt8] {
        var out: [UInt8] = []
        guard let first = try peek() else { throw error("unexpected end of file: expected a value") }
        if first == UInt8(ascii: "{") || first == UInt8(ascii: "[") || first == UInt8(ascii: "\"") {
            var closers: [UInt8] = []
            var inString = false
            var escaped = false
            repeat {
                guard let b = try peek() else { throw error("unexpected end of file inside a value") }
                if inString {
                    if escaped {
                        escaped = false
                    } else if b == UInt8(ascii: "\\") {
                        escaped = true
                    } else if b == UInt8(ascii: "\"") {
                        inString = false
                    } else if b < 0x20 {
                        throw error("control character in a string")
                    }
                } else {
                    switch b {
                    case UInt8(ascii: "\""): inString = true
                    case UInt8(ascii: "{"): closers.append(UInt8(ascii: "}"))
                    case UInt8(ascii: "["): closers.append(UInt8(ascii: "]"))
                    case UInt8(ascii: "}"), UInt8(ascii: "]"):
                        guard closers.popLast() == b else { throw error("unexpected '\(Character(UnicodeScalar(b)))'") }
                    default: break
                    }
                }
                try take(b, into: &out, capture: capture, limit: limit)
            } while inString || !closers.isEmpty
            return out
        }
        var taken = 0
        while let b = try peek(), !(b == UInt8(ascii: ",") || b == UInt8(ascii: "}") || b == UInt8(ascii: "]") || b == 32 || b == 9 || b == 10 || b == 13) {
            guard taken < 1 << 16 else { throw error("value too long") }
            try take(b, into: &out, capture: capture, limit: limit)
            taken += 1
        }
        if taken == 0 { throw error("expected a value") }
        return out
    }

    private mutating func take(_ b: UInt8, into out: inout [UInt8], capture: Bool, limit: Int) throws {
        if capture {
            guard out.count < limit else { throw error("value longer than the limit of \(limit >> 20) MiB") }
            out.append(b)
        }
        try advance()
    }
}
