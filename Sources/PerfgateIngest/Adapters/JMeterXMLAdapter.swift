import Foundation
import PerfgateCore

/// JMeter XML JTL (`jmeter.save.saveservice.output_format=xml`, docs/load-tools.md), plain or gzip:
/// `<testResults>` holding `<httpSample>` and `<sample>` elements whose attributes are the CSV
/// columns (`t` elapsed ms, `ts` epoch ms, `s` success, `lb` label, `rc` code, `rm` message,
/// `na` all threads). Only top-level samples are requests: nested sub-samples (redirects, embedded
/// resources, Transaction Controller children) are part of their parent's time. Statistics are
/// those of the CSV reader.
struct JMeterXMLAdapter: ResultAdapter {
    func sniff(head: [UInt8], fileName: String) -> Bool {
        let text = Sniff.text(head)
        return text.contains("<testResults") && Sniff.firstByte(head) == UInt8(ascii: "<")
    }

    func parse(_ input: InputSet) throws -> IngestedRun {
        let file = input.primary
        let path = file.displayPath
        let data = [UInt8](try file.readAll())
        var acc = JMeter.Accumulator()
        var sawRoot = false
        var depth = 0  // open sample elements
        var rows = 0
        var line = 1
        var lineCounted = 0
        func lineAt(_ i: Int) -> Int {
            if i > lineCounted {
                for k in lineCounted..<i where data[k] == 10 { line += 1 }
                lineCounted = i
            }
            return line
        }
        func fail(_ i: Int, _ message: String) -> IngestError { IngestError.at(path, line: lineAt(i), message) }
        func find(_ needle: [UInt8], from: Int) -> Int? {
            var i = from
            while i + needle.count <= data.count {
                if data[i] == needle[0] && Array(data[i..<(i + needle.count)]) == needle { return i }
                i += 1
            }
            return nil
        }
        var i = 0
        let n = data.count
        while i < n {
            guard data[i] == UInt8(ascii: "<") else {
                i += 1
                continue
            }
            let tagStart = i
            if data[i...].starts(with: Array("<!--".utf8)) {
                guard let e = find(Array("-->".utf8), from: i + 4) else { throw fail(i, "unterminated comment") }
                i = e + 3
                continue
            }
            if data[i...].starts(with: Array("<![CDATA[".utf8)) {
                guard let e = find(Array("]]>".utf8), from: i + 9) else { throw fail(i, "unterminated CDATA section") }
                i = e + 3
                continue
            }
            if i + 1 < n && (data[i + 1] == UInt8(ascii: "?") || data[i + 1] == UInt8(ascii: "!")) {
                guard let e = find([UInt8(ascii: ">")], from: i + 1) else { throw fail(i, "unterminated declaration") }
                i = e + 1
                continue
            }
            let closing = i + 1 < n && data[i + 1] == UInt8(ascii: "/")
            var j = i + (closing ? 2 : 1)
            let nameStart = j
            while j < n && !Self.isSpace(data[j]) && data[j] != UInt8(ascii: ">") && data[j] != UInt8(ascii: "/") { j += 1 }
            let name = String(decoding: data[nameStart..<j], as: UTF8.self)
            // Attributes up to the end of the tag.
            var attributes: [String: String] = [:]
            var selfClosing = false
            while true {
                while j < n && Self.isSpace(data[j]) { j += 1 }
                guard j < n else { throw fail(tagStart, "unterminated <\(name)> tag (truncated file?)") }
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
                guard j < n, data[j] == UInt8(ascii: "=") else { throw fail(j, "attribute \"\(key)\" of <\(name)> has no value") }
                j += 1
                while j < n && Self.isSpace(data[j]) { j += 1 }
                guard j < n, data[j] == 34 || data[j] == 39 else { throw fail(j, "attribute \"\(key)\" of <\(name)> is not quoted") }
                let quote = data[j]
                let vStart = j + 1
                j = vStart
                while j < n && data[j] != quote { j += 1 }
                guard j < n else { throw fail(aStart, "unterminated value of attribute \"\(key)\" (truncated file?)") }
                guard let raw = String(validating: data[vStart..<j], as: UTF8.self) else {
                    throw fail(aStart, "attribute \"\(key)\" of <\(name)> is not valid UTF-8")
                }
                attributes[key] = Self.unescape(raw)
                j += 1
            }
            i = j
            let isSample = name == "httpSample" || name == "sample"
            if name == "testResults" { sawRoot = true }
            guard isSample else { continue }
            if closing {
                depth = max(0, depth - 1)
                continue
            }
            if depth == 0 {
                try add(attributes, to: &acc, at: lineAt(tagStart), path: path)
                rows += 1
            }
            if !selfClosing { depth += 1 }
        }
        guard sawRoot else { throw IngestError.at(path, line: 1, "no <testResults> element: not a JMeter XML JTL") }
        guard rows > 0 else { throw IngestError.at(path, line: lineAt(n), "no <httpSample> or <sample> elements") }
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

    private static func isSpace(_ b: UInt8) -> Bool { b == 32 || b == 9 || b == 10 || b == 13 }

    /// XML's five entities and character references.
    static func unescape(_ s: String) -> String {
        guard s.contains("&") else { return s }
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
