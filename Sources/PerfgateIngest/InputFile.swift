import CZlib
import Foundation
import PerfgateCore
import Synchronization

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
    public func readAll(limit: Int = Limits.maxDocumentBytes) throws -> Data {
        let reader = try makeReader()
        var data = Data()
        while case let chunk = try reader.next(), !chunk.isEmpty {
            data.append(contentsOf: chunk)
            if data.count > limit {
                throw IngestError.at(
                    displayPath, "file too large for a JSON document (over \(Limits.describe(limit)); see \"Limits\" in the README)")
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
    ///
    /// A line longer than `maxLineBytes` (``Limits/maxLineBytes``; the terminator and a trailing `\r`
    /// not counted) is refused as soon as that many bytes have been read without a newline, after the
    /// lines before it have been handed over: memory stays at about `blockSize + maxLineBytes` whatever
    /// the file holds (a 300 MB line inflated from a small .gz included).
    public func forEachLineBlock(
        blockSize: Int, maxLineBytes: Int = Limits.maxLineBytes, _ body: ([UInt8]) throws -> Void
    ) throws {
        let reader = try makeReader()
        let size = max(1, blockSize)
        var block: [UInt8] = []
        block.reserveCapacity(size + ByteReader.chunkSize)
        var scanned = 0  // bytes of `block` already searched for newlines
        var lineStart = 0  // where the current, unfinished line starts in `block`
        var linesBefore = 0  // complete lines before it, in the whole file
        func tooLong() -> IngestError {
            IngestError.at(
                displayPath, line: linesBefore + 1,
                "line is longer than \(Limits.describe(maxLineBytes)), the limit for a line (see \"Limits\" in the README)")
        }
        while case let chunk = try reader.next(), !chunk.isEmpty {
            block.append(contentsOf: chunk)
            // Every newline is found once (memchr), each line's length checked; a block is cut at the
            // first newline that makes it at least `size` bytes long.
            var cuts: [Int] = []
            var overlong = false
            block.withUnsafeBufferPointer { buf in
                guard let base = buf.baseAddress else { return }
                let n = buf.count
                var lastCut = 0
                var i = scanned
                while i < n, let hit = memchr(base + i, 10, n - i) {
                    let p = base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
                    var length = p - lineStart
                    if length > 0 && base[p - 1] == 13 { length -= 1 }
                    if length > maxLineBytes {
                        overlong = true
                        return
                    }
                    linesBefore += 1
                    lineStart = p + 1
                    if lineStart - lastCut >= size {
                        cuts.append(lineStart)
                        lastCut = lineStart
                    }
                    i = p + 1
                }
                // The unfinished line may still end in `\r`: one byte of grace until its newline comes.
                if n - lineStart > maxLineBytes + 1 { overlong = true }
            }
            var handed = 0
            for cut in cuts {
                try body(Array(block[handed..<cut]))
                handed = cut
            }
            if overlong {
                if lineStart > handed { try body(Array(block[handed..<lineStart])) }
                throw tooLong()
            }
            if handed > 0 {
                block.removeFirst(handed)
                lineStart -= handed
            }
            scanned = block.count
        }
        var last = block.count - lineStart
        if last > 0 && block[block.count - 1] == 13 { last -= 1 }
        if last > maxLineBytes {
            if lineStart > 0 { try body(Array(block[..<lineStart])) }
            throw tooLong()
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
    /// The zlib state was allocated (`inflateInit2_`) and must be freed, whether or not the stream ended.
    private var zlibOpen = false
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
            stream.zalloc = zlibAllocate
            stream.zfree = zlibFree
            let rc = inflateInit2_(&stream, 15 + 32, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
            guard rc == Z_OK else { throw IngestError.unreadable(path: file.displayPath, reason: "zlib init failed") }
            zlibOpen = true
            inflating = true
        }
    }

    deinit {
        // Not `inflating`: that is false once a stream has ended, and the state must be freed then too.
        if zlibOpen { inflateEnd(&stream) }
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
            // Uninitialised: zeroing a 1 MB chunk for a 7 KB summary file was measurable (ci/bench-small.sh).
            var n = 0
            out = [UInt8](unsafeUninitializedCapacity: ByteReader.chunkSize) { buffer, count in
                n = read(fd, buffer.baseAddress, ByteReader.chunkSize)
                count = max(n, 0)
            }
            if n < 0 { throw IngestError.unreadable(path: file.displayPath, reason: String(cString: strerror(errno))) }
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

/// Bytes zlib holds for the gzip readers of this process, now: the readers' zlib state is allocated
/// through ``zlibAllocate``/``zlibFree``, so a state that is never freed shows here (the fuzzing
/// finding in Tests/PerfgateIngestTests/FuzzFindingsTests.swift), whatever else the process allocates.
let zlibLiveBytes = Atomic<Int>(0)

/// zlib's allocator for the readers: malloc with the size kept in front of the block, counted in
/// ``zlibLiveBytes``.
private let zlibAllocate: alloc_func = { _, items, size in
    let bytes = Int(items) * Int(size)
    guard let raw = malloc(bytes + 16) else { return nil }
    raw.storeBytes(of: bytes, as: Int.self)
    zlibLiveBytes.add(bytes, ordering: .relaxed)
    return raw + 16
}

private let zlibFree: free_func = { _, address in
    guard let address else { return }
    let raw = address - 16
    zlibLiveBytes.subtract(raw.load(as: Int.self), ordering: .relaxed)
    free(raw)
}
