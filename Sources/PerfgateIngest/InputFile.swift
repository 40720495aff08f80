import CZlib
import Foundation
import PerfgateCore

/// A result file handed to an adapter: a display path and where its bytes come from.
///
/// Adapters never open files themselves; they read through this value, which streams in fixed-size
/// chunks and decompresses gzip transparently (detected by the `1f 8b` magic, not the name).
public struct InputFile: Sendable {
    public enum Backing: Sendable {
        case path(String)
        case data(Data)
    }

    public let displayPath: String
    public let backing: Backing
    /// Called with the number of (compressed) bytes consumed so far; for progress bars.
    public var progress: (@Sendable (Int64) -> Void)?

    public init(path: String, displayPath: String? = nil) {
        self.backing = .path(path)
        self.displayPath = displayPath ?? path
    }

    public init(data: Data, displayPath: String) {
        self.backing = .data(data)
        self.displayPath = displayPath
    }

    /// File name without directories.
    public var fileName: String { (displayPath as NSString).lastPathComponent }

    /// Size on disk (compressed size for gzip), when known.
    public var byteSize: Int64? {
        switch backing {
        case .data(let d): return Int64(d.count)
        case .path(let p):
            return (try? FileManager.default.attributesOfItem(atPath: p)[.size] as? NSNumber)?.int64Value
        }
    }

    /// Opens a streaming reader over the (decompressed) content.
    public func makeReader() throws -> ByteReader { try ByteReader(self) }

    /// The first `count` decompressed bytes (for format sniffing). Never throws; empty on failure.
    public func head(_ count: Int = 8192) -> [UInt8] {
        guard let reader = try? makeReader() else { return [] }
        var out: [UInt8] = []
        while out.count < count, let chunk = (try? reader.next()) ?? nil, !chunk.isEmpty {
            out.append(contentsOf: chunk.prefix(count - out.count))
        }
        return out
    }

    /// The whole decompressed content; for document formats (JSON). Refuses more than `limit` bytes.
    public func readAll(limit: Int = 1 << 30) throws -> Data {
        let reader = try makeReader()
        var data = Data()
        while case let chunk = try reader.next(), !chunk.isEmpty {
            data.append(contentsOf: chunk)
            if data.count > limit {
                throw IngestError.at(displayPath, "file too large for a JSON document (over \(limit >> 20) MB)")
            }
        }
        return data
    }

    /// Calls `body` with each line (without the line terminator; a trailing `\r` is removed) and its
    /// 1-based line number, streaming in constant memory. Invalid UTF-8 is the adapter's concern.
    public func forEachLine(_ body: (UnsafeBufferPointer<UInt8>, Int) throws -> Void) throws {
        var lineNumber = 0
        try forEachLineBlock(blockSize: 1 << 20) { block in
            lineNumber = try InputFile.forEachLine(in: block, after: lineNumber, body)
        }
    }

    /// Calls `body` with the content in blocks of whole lines, in order: about `blockSize` bytes each
    /// (longer when a single line is), every block but the last ending with `\n`. Blocks can be parsed
    /// independently (in parallel) and their results combined in order.
    public func forEachLineBlock(blockSize: Int, _ body: ([UInt8]) throws -> Void) throws {
        let reader = try makeReader()
        let size = max(1, blockSize)
        var block: [UInt8] = []
        block.reserveCapacity(size + ByteReader.chunkSize)
        // Where the search for the cutting newline resumes: bytes before it hold none past the size.
        var searchFrom = 0
        while case let chunk = try reader.next(), !chunk.isEmpty {
            block.append(contentsOf: chunk)
            // Cut at the first newline at or after `size` bytes, as often as the buffer allows; the
            // partial line starts the next block. Each byte is searched once (long lines stay linear).
            var start = 0
            while block.count - start >= size {
                let from = max(start + size - 1, searchFrom)
                let cut: Int? = block.withUnsafeBufferPointer { buf in
                    guard from < buf.count, let hit = memchr(buf.baseAddress! + from, 10, buf.count - from) else { return nil }
                    return buf.baseAddress!.distance(to: hit.assumingMemoryBound(to: UInt8.self)) + 1
                }
                guard let cut else {
                    searchFrom = block.count
                    break
                }
                if start == 0 && cut * 2 >= block.count {
                    // Hand over the buffer itself and copy the (shorter) rest.
                    var rest: [UInt8] = []
                    rest.reserveCapacity(size + ByteReader.chunkSize)
                    rest.append(contentsOf: block[cut...])
                    block.removeSubrange(cut...)
                    try body(block)
                    block = rest
                    searchFrom = 0
                } else {
                    try body(Array(block[start..<cut]))
                    start = cut
                    searchFrom = cut
                }
            }
            if start > 0 {
                block.removeFirst(start)
                searchFrom -= start
            }
        }
        if !block.isEmpty { try body(block) }
    }

    /// Calls `body` with each line of `block` (terminator and a trailing `\r` removed), numbering them
    /// from `after + 1`; a final line without `\n` counts. Returns the number of the last line.
    @discardableResult
    public static func forEachLine(
        in block: [UInt8], after: Int, _ body: (UnsafeBufferPointer<UInt8>, Int) throws -> Void
    ) throws -> Int {
        var lineNumber = after
        try block.withUnsafeBufferPointer { buf in
            guard let base = buf.baseAddress else { return }
            let n = buf.count
            var start = 0
            while start < n {
                // memchr is far faster than a Swift loop for long lines.
                let end: Int
                if let hit = memchr(base + start, Int32(UInt8(ascii: "\n")), n - start) {
                    end = base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
                } else {
                    end = n
                }
                lineNumber += 1
                var len = end - start
                if len > 0 && base[start + len - 1] == 13 { len -= 1 }
                try body(UnsafeBufferPointer(start: base + start, count: len), lineNumber)
                start = end + 1
            }
        }
        return lineNumber
    }
}

/// Reads an ``InputFile`` in chunks of up to 1 MiB, inflating gzip (including concatenated members).
public final class ByteReader {
    static let chunkSize = 1 << 20
    private let file: InputFile
    private var fd: Int32 = -1
    private var memory: Data?
    private var memoryOffset = 0
    private var consumed: Int64 = 0
    private var gzip = false
    private var stream = z_stream()
    private var inflating = false
    private var inBuffer: [UInt8] = []
    private var pending: [UInt8] = []
    private var rawEOF = false

    init(_ file: InputFile) throws {
        self.file = file
        switch file.backing {
        case .data(let d): memory = d
        case .path(let p):
            var isDir: ObjCBool = false
            guard FileManager.default.fileExists(atPath: p, isDirectory: &isDir) else {
                throw IngestError.missing(path: file.displayPath)
            }
            if isDir.boolValue { throw IngestError.unreadable(path: file.displayPath, reason: "is a directory") }
            fd = open(p, O_RDONLY)
            if fd < 0 {
                throw IngestError.unreadable(path: file.displayPath, reason: String(cString: strerror(errno)))
            }
        }
        // Peek at the magic bytes.
        let first = try readRaw()
        pending = first
        if first.count >= 2 && first[0] == 0x1f && first[1] == 0x8b {
            gzip = true
            inBuffer = first
            pending = []
            stream = z_stream()
            let rc = inflateInit2_(&stream, 15 + 32, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
            guard rc == Z_OK else { throw IngestError.unreadable(path: file.displayPath, reason: "zlib init failed") }
            inflating = true
        }
    }

    deinit {
        if inflating { inflateEnd(&stream) }
        if fd >= 0 { close(fd) }
    }

    /// True when the content was gzip-compressed.
    public var isGzip: Bool { gzip }

    private func readRaw() throws -> [UInt8] {
        if rawEOF { return [] }
        var out: [UInt8]
        if let memory {
            let end = min(memory.count, memoryOffset + ByteReader.chunkSize)
            out = [UInt8](memory[memory.startIndex + memoryOffset..<memory.startIndex + end])
            memoryOffset = end
        } else {
            out = [UInt8](repeating: 0, count: ByteReader.chunkSize)
            let n = out.withUnsafeMutableBytes { read(fd, $0.baseAddress, ByteReader.chunkSize) }
            if n < 0 { throw IngestError.unreadable(path: file.displayPath, reason: String(cString: strerror(errno))) }
            out.removeLast(ByteReader.chunkSize - n)
        }
        if out.isEmpty { rawEOF = true }
        consumed += Int64(out.count)
        file.progress?(consumed)
        return out
    }

    /// The next chunk of content; empty at the end.
    public func next() throws -> [UInt8] {
        if !gzip {
            if !pending.isEmpty {
                defer { pending = [] }
                return pending
            }
            return try readRaw()
        }
        var out = [UInt8](repeating: 0, count: ByteReader.chunkSize)
        var produced = 0
        while produced == 0 {
            if inBuffer.isEmpty {
                inBuffer = try readRaw()
                if inBuffer.isEmpty {
                    if inflating {
                        throw IngestError.at(file.displayPath, "gzip stream ends early (truncated file?)")
                    }
                    return []
                }
            }
            if !inflating {
                // A further gzip member follows (concatenated gzip).
                inflateReset(&stream)
                inflating = true
            }
            let consumedIn: Int
            var rc: Int32 = Z_OK
            (consumedIn, produced, rc) = inBuffer.withUnsafeMutableBufferPointer { inb in
                out.withUnsafeMutableBufferPointer { outb in
                    stream.next_in = inb.baseAddress
                    stream.avail_in = UInt32(inb.count)
                    stream.next_out = outb.baseAddress
                    stream.avail_out = UInt32(outb.count)
                    let r = inflate(&stream, Z_NO_FLUSH)
                    return (inb.count - Int(stream.avail_in), outb.count - Int(stream.avail_out), r)
                }
            }
            inBuffer.removeFirst(consumedIn)
            if rc == Z_STREAM_END {
                inflating = false
                // Skip trailing zero padding some writers leave.
                if inBuffer.allSatisfy({ $0 == 0 }) { inBuffer = [] }
            } else if rc != Z_OK && rc != Z_BUF_ERROR {
                throw IngestError.at(file.displayPath, "corrupt gzip data (zlib error \(rc))")
            }
            if produced == 0 && rc == Z_STREAM_END && inBuffer.isEmpty {
                // Loop again to read more raw input or finish.
                let more = try readRaw()
                if more.isEmpty { return [] }
                inBuffer = more
            }
        }
        out.removeLast(out.count - produced)
        return out
    }
}
