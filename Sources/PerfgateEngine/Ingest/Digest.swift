import Crypto
import Foundation
import PerfgateCore

/// SHA-256 of a file's bytes as stored (compressed files are hashed compressed), streamed.
public enum FileDigest {
    public static func sha256(path: String, cancelled: () -> Bool = { false }) throws -> (digest: String, bytes: Int64) {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else {
            throw PerfgateError(.missingInput, "cannot read file", at: SourceLocation(file: path))
        }
        defer { close(fd) }
        var hasher = SHA256()
        var total: Int64 = 0
        let size = 1 << 20
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: size, alignment: 16)
        defer { buffer.deallocate() }
        while !cancelled() {
            let n = read(fd, buffer.baseAddress, size)
            if n < 0 && errno == EINTR { continue }
            if n < 0 {
                throw PerfgateError(
                    .missingInput, "cannot read file: \(String(cString: strerror(errno)))", at: SourceLocation(file: path))
            }
            if n == 0 { break }
            hasher.update(bufferPointer: UnsafeRawBufferPointer(rebasing: buffer[..<n]))
            total += Int64(n)
        }
        return ("sha256:" + hex(hasher.finalize()), total)
    }

    public static func sha256(data: Data) -> String {
        "sha256:" + hex(SHA256.hash(data: data))
    }

    private static func hex(_ digest: SHA256.Digest) -> String { Hex.lowercase(digest) }
}

/// Digests of files computed on a thread of their own (a one-worker ``OrderedWorkPool``), so hashing
/// overlaps the parse of the same files instead of adding a second pass to the wall time.
final class BackgroundDigests {
    private typealias Digests = Result<[(digest: String, bytes: Int64)], any Error>
    private let inline: Digests?
    private let pool: OrderedWorkPool<[String], Digests>?

    /// Files smaller than this (together) are hashed at once on the calling thread: starting a
    /// thread costs more than hashing a small summary.
    static let inlineBytes: Int64 = 256 << 10

    init(paths: [String]) {
        var total: Int64 = 0
        let small = paths.allSatisfy { path in
            var info = stat()
            guard stat(path, &info) == 0 else { return false }
            total += Int64(info.st_size)
            return total < Self.inlineBytes
        }
        if small {
            inline = Result { try paths.map { try FileDigest.sha256(path: $0) } }
            pool = nil
            return
        }
        inline = nil
        let pool = OrderedWorkPool<[String], Digests>(workers: 1) { paths, cancelled in
            Result { try paths.map { try FileDigest.sha256(path: $0, cancelled: cancelled) } }
        }
        pool.submit(paths)
        pool.finishSubmitting()
        self.pool = pool
    }

    /// Waits for the digests, in the order of the paths.
    func wait() throws -> [(digest: String, bytes: Int64)] {
        guard let pool else { return try inline!.get() }
        let outcome = pool.next(wait: true)!
        pool.stop()
        return try outcome.get()
    }

    /// Stops early (the parse failed); waits for the thread.
    func cancel() {
        pool?.stop()
    }

    deinit { pool?.stop() }
}
