import Foundation
import PerfgateCore

/// JMeter XML JTL (`jmeter.save.saveservice.output_format=xml`, docs/load-tools.md), plain or gzip:
/// `<testResults>` holding `<httpSample>` and `<sample>` elements whose attributes are the CSV
/// columns (`t` elapsed ms, `ts` epoch ms, `s` success, `lb` label, `rc` code, `rm` message,
/// `na` all threads). Only top-level samples are requests: nested sub-samples (redirects, embedded
/// resources, Transaction Controller children) are part of their parent's time. Statistics are
/// those of the CSV reader. The file is streamed (``JTLScanner``): memory holds one tag at a time,
/// whatever the file's size.
struct JMeterXMLAdapter: ResultAdapter {
    func sniff(head: [UInt8], fileName: String) -> Bool {
        let text = Sniff.text(head)
        return text.contains("<testResults") && Sniff.firstByte(head) == UInt8(ascii: "<")
    }

    func parse(_ input: InputSet) throws -> IngestedRun {
        let file = input.primary
        let reader = try file.makeReader()
        var scan = JTLScanner(path: file.displayPath)
        var acc = JMeter.Accumulator()
        while true {
            let chunk = try reader.next()
            scan.append(chunk)
            try scan.run(eof: chunk.isEmpty) { attributes, line in
                try add(attributes, to: &acc, at: line, path: file.displayPath)
            }
            if chunk.isEmpty { break }
        }
        guard scan.sawRoot else { throw IngestError.at(file.displayPath, line: 1, "no <testResults> element: not a JMeter XML JTL") }
        guard scan.rows > 0 else { throw IngestError.at(file.displayPath, line: scan.endLine, "no <httpSample> or <sample> elements") }
        return acc.run(format: .jmeterXML)
    }

    private func add(_ a: [String: String], to acc: inout JMeter.Accumulator, at line: Int, path: String) throws {
        guard let t = a["t"], let elapsed = Int64(t), elapsed >= 0 else {
            throw IngestError.at(path, line: line, "attribute \"t\" (elapsed ms): expected a whole number, found \(a["t"].map { "\"\($0)\"" } ?? "none")")
        }
        guard let label = a["lb"] else { throw IngestError.at(path, line: line, "sample without a label (attribute \"lb\")") }
        var start: Double?
        if let ts = a["ts"] {
            guard let v = Int64(ts) else {
                throw IngestError.at(path, line: line, "attribute \"ts\": expected epoch milliseconds, found \"\(ts)\"")
            }
            start = Double(v)
        }
        let failed: Bool
        switch a["s"] {
        case "true": failed = false
        case "false": failed = true
        case nil:
            let code = a["rc"] ?? ""
            failed = !(code.count == 3 && (code.hasPrefix("2") || code.hasPrefix("3")))
        case let other?:
            throw IngestError.at(path, line: line, "attribute \"s\": expected true or false, found \"\(other)\"")
        }
        let message = a["rm"] ?? ""
        var utf8 = Array(label.utf8)
        let id = utf8.withUnsafeMutableBufferPointer { acc.labelID(UnsafeBufferPointer($0)) }
        acc.add(
            label: id, elapsed: Double(elapsed), start: start, failed: failed,
            transaction: message.hasPrefix(JMeter.transactionMessagePrefix))
        if let na = a["na"], let threads = Int(na) { acc.maxThreads = max(acc.maxThreads ?? 0, threads) }
        if failed { acc.error(label: id, message: [a["rc"] ?? "", message].filter { !$0.isEmpty }.joined(separator: " ")) }
    }

    /// The attributes of a sample that ``add(_:to:at:path:)`` reads.
    static let attributesRead: Set<String> = ["t", "ts", "s", "lb", "rc", "rm", "na"]

    /// XML's five entities and character references.
    static func unescape(_ s: String) -> String {
        guard s.utf8.contains(UInt8(ascii: "&")) else { return s }
        var out = ""
        var rest = Substring(s)
        while let amp = rest.firstIndex(of: "&") {
            out += rest[..<amp]
            guard let semi = rest[amp...].firstIndex(of: ";") else { break }
            let entity = rest[rest.index(after: amp)..<semi]
            switch entity {
            case "amp": out += "&"
            case "lt": out += "<"
            case "gt": out += ">"
            case "quot": out += "\""
            case "apos": out += "'"
            default:
                var scalar: UInt32?
                if entity.hasPrefix("#x") { scalar = UInt32(entity.dropFirst(2), radix: 16) }
                else if entity.hasPrefix("#") { scalar = UInt32(entity.dropFirst()) }
                if let scalar, let u = UnicodeScalar(scalar) { out.unicodeScalars.append(u) } else { out += rest[amp...semi] }
            }
            rest = rest[rest.index(after: semi)...]
        }
        return out + rest
    }
}

/// A streaming scanner for the simple XML of a JTL: it is fed the file chunk by chunk and reports
/// each top-level `<httpSample>` / `<sample>` start tag with its (unescaped) attributes and line.
/// Comments, CDATA sections, declarations and text are skipped without being kept, so memory holds
/// at most one tag (up to ``Limits/maxLineBytes``) plus one chunk.
struct JTLScanner {
    let path: String
    private(set) var sawRoot = false
    private(set) var rows = 0
    /// Open sample elements.
    private var depth = 0
    private var data: [UInt8] = []
    /// The next byte to scan in `data`.
    private var i = 0
    /// The line of `data[lineCounted]`.
    private var line = 1
    private var lineCounted = 0
    /// Inside a comment, CDATA section or declaration: its terminator, what it is and its line.
    private var skipping: (terminator: [UInt8], what: String, line: Int)?

    init(path: String) { self.path = path }

    /// The line the scan has reached.
    var endLine: Int { line }

    private mutating func lineAt(_ k: Int) -> Int {
        if k > lineCounted {
            line += data[lineCounted..<k].reduce(0) { $0 + ($1 == 10 ? 1 : 0) }
            lineCounted = k
        }
        return line
    }

    /// Adds the next chunk, dropping what has been scanned.
    mutating func append(_ chunk: [UInt8]) {
        if i > 0 {
            _ = lineAt(i)
            data.removeFirst(i)
            lineCounted -= i
            i = 0
        }
        data.append(contentsOf: chunk)
    }

    private func find(_ needle: [UInt8], from: Int) -> Int? {
        var k = from
        while k + needle.count <= data.count {
            if data[k] == needle[0] && data[k..<(k + needle.count)].elementsEqual(needle) { return k }
            k += 1
        }
        return nil
    }

    private func starts(_ prefix: String, at k: Int) -> Bool { data[k...].starts(with: prefix.utf8) }

    private static func isSpace(_ b: UInt8) -> Bool { b == 32 || b == 9 || b == 10 || b == 13 }

    /// Scans what has been appended; stops at an incomplete tag unless `eof`, when it is an error.
    mutating func run(eof: Bool, sample: ([String: String], Int) throws -> Void) throws {
        let n = data.count
        while i < n {
            if let skip = skipping {
                if let e = find(skip.terminator, from: i) {
                    i = e + skip.terminator.count
                    skipping = nil
                    continue
                }
                if eof { throw IngestError.at(path, line: skip.line, "unterminated \(skip.what)") }
                i = max(i, n - (skip.terminator.count - 1))
                return
            }
            guard data[i] == UInt8(ascii: "<") else {
                i = data[i..<n].firstIndex(of: UInt8(ascii: "<")) ?? n
                continue
            }
            if n - i < 9 && !eof { return }  // too short to tell a comment or CDATA from a tag
            if starts("<!--", at: i) {
                skipping = (Array("-->".utf8), "comment", lineAt(i))
                i += 4
            } else if starts("<![CDATA[", at: i) {
                skipping = (Array("]]>".utf8), "CDATA section", lineAt(i))
                i += 9
            } else if i + 1 < n && (data[i + 1] == UInt8(ascii: "?") || data[i + 1] == UInt8(ascii: "!")) {
                skipping = ([UInt8(ascii: ">")], "declaration", lineAt(i))
                i += 2
            } else if let end = try tag(at: i, eof: eof, sample: sample) {
                i = end
            } else {
                if n - i > Limits.maxLineBytes {
                    throw IngestError.at(
                        path, line: lineAt(i),
                        "a tag longer than \(Limits.describe(Limits.maxLineBytes)), the limit for a line (see \"Limits\" in the README)")
                }
                return
            }
        }
    }

    /// The tag at `start`: the index after it, or nil when it is not complete yet (and not `eof`).
    private mutating func tag(at start: Int, eof: Bool, sample: ([String: String], Int) throws -> Void) throws -> Int? {
        let n = data.count
        func fail(_ k: Int, _ message: String) -> IngestError { IngestError.at(path, line: lineAt(k), message) }
        let closing = start + 1 < n && data[start + 1] == UInt8(ascii: "/")
        var j = start + (closing ? 2 : 1)
        let nameStart = j
        while j < n && !Self.isSpace(data[j]) && data[j] != UInt8(ascii: ">") && data[j] != UInt8(ascii: "/") { j += 1 }
        let name = String(decoding: data[nameStart..<j], as: UTF8.self)
        let isSample = name == "httpSample" || name == "sample"
        // Attributes up to the end of the tag; only a sample's attributes that are read are kept.
        var attributes: [String: String] = [:]
        var selfClosing = false
        while true {
            while j < n && Self.isSpace(data[j]) { j += 1 }
            guard j < n else {
                if !eof { return nil }
                throw fail(start, "unterminated <\(name)> tag (truncated file?)")
            }
            if data[j] == UInt8(ascii: ">") {
                j += 1
                break
            }
            if data[j] == UInt8(ascii: "/") && j + 1 < n && data[j + 1] == UInt8(ascii: ">") {
                selfClosing = true
                j += 2
                break
            }
            let aStart = j
            while j < n && data[j] != UInt8(ascii: "=") && !Self.isSpace(data[j]) && data[j] != UInt8(ascii: ">") { j += 1 }
            let key = String(decoding: data[aStart..<j], as: UTF8.self)
            while j < n && Self.isSpace(data[j]) { j += 1 }
            if j >= n && !eof { return nil }
            guard j < n, data[j] == UInt8(ascii: "=") else { throw fail(j, "attribute \"\(key)\" of <\(name)> has no value") }
            j += 1
            while j < n && Self.isSpace(data[j]) { j += 1 }
            if j >= n && !eof { return nil }
            guard j < n, data[j] == 34 || data[j] == 39 else { throw fail(j, "attribute \"\(key)\" of <\(name)> is not quoted") }
            let quote = data[j]
            let vStart = j + 1
            j = vStart
            while j < n && data[j] != quote { j += 1 }
            guard j < n else {
                if !eof { return nil }
                throw fail(aStart, "unterminated value of attribute \"\(key)\" (truncated file?)")
            }
            if isSample && JMeterXMLAdapter.attributesRead.contains(key) {
                guard let raw = String(validating: data[vStart..<j], as: UTF8.self) else {
                    throw fail(aStart, "attribute \"\(key)\" of <\(name)> is not valid UTF-8")
                }
                attributes[key] = JMeterXMLAdapter.unescape(raw)
            }
            j += 1
        }
        if name == "testResults" { sawRoot = true }
        guard isSample else { return j }
        if closing {
            depth = max(0, depth - 1)
            return j
        }
        if depth == 0 {
            try sample(attributes, lineAt(start))
            rows += 1
        }
        if !selfClosing { depth += 1 }
        return j
    }
}
