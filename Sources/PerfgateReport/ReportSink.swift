import Foundation
import PerfgateCore

/// Where pages go: a directory on disk, or a dictionary in tests.
public protocol ReportSink {
    mutating func write(_ content: String, to relativePath: String) throws
}

/// Writes pages under a directory, creating subdirectories as needed.
public struct DirectorySink: ReportSink {
    public var root: URL
    private var created: Set<String> = []

    public init(root: URL) { self.root = root }

    public mutating func write(_ content: String, to relativePath: String) throws {
        let url = root.appendingPathComponent(relativePath)
        let dir = url.deletingLastPathComponent().path
        do {
            if !created.contains(dir) {
                try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
                created.insert(dir)
            }
            try Self.writeFile(content, path: url.path)
        } catch {
            throw ReportError.cannotWrite(path: url.path, reason: error.localizedDescription)
        }
    }
}

extension DirectorySink {
    /// Writes the bytes with plain POSIX calls: a report is rebuilt from the store at will, so pages are
    /// not fsynced one by one (Foundation's `Data.write` syncs every file, which dominated large sites).
    static func writeFile(_ content: String, path: String) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o666)  // less the umask
        guard fd >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        defer { close(fd) }
        var content = content
        try content.withUTF8 { bytes in
            var offset = 0
            while offset < bytes.count {
                let n = Foundation.write(fd, bytes.baseAddress! + offset, bytes.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO)
                }
                offset += n
            }
        }
    }
}

/// Keeps pages in memory, for tests.
public struct MemorySink: ReportSink {
    public var pages: [String: String] = [:]
    public init() {}
    public mutating func write(_ content: String, to relativePath: String) throws { pages[relativePath] = content }
}
