import Crypto
import Foundation
import PerfgateCore

/// SHA-256 of a file's bytes as stored (compressed files are hashed compressed), streamed.
enum FileDigest {
    static func sha256(path: String) throws -> (digest: String, bytes: Int64) {
        guard let h = FileHandle(forReadingAtPath: path) else {
            throw PerfgateError(.missingInput, "cannot read file", at: SourceLocation(file: path))
        }
        defer { try? h.close() }
        var hasher = SHA256()
        var total: Int64 = 0
        while true {
            let chunk = try h.read(upToCount: 4 << 20) ?? Data()
            if chunk.isEmpty { break }
            hasher.update(data: chunk)
            total += Int64(chunk.count)
        }
        let hex = hasher.finalize().map { String(format: "%02x", $0) }.joined()
        return ("sha256:" + hex, total)
    }

    static func sha256(data: Data) -> String {
        "sha256:" + SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
    }
}
