import Foundation
import PerfgateCore

/// Where pages go: a directory on disk, or a dictionary in tests.
public protocol ReportSink {
    mutating func write(_ content: String, to relativePath: String) throws
    /// Pages an earlier build left in place and unchanged since: relative path → the fingerprint of the
    /// inputs it was rendered from. A page whose inputs have the same fingerprint now is kept: neither
    /// read from the store, rendered nor written. The default has none.
    func reusablePages() -> [String: String]
    /// Records that the page at `relativePath`, written or kept by this build, was rendered from inputs
    /// with the fingerprint `inputs`.
    mutating func record(_ relativePath: String, inputs: String)
    /// Called once, after the last page.
    mutating func finish() throws
}

extension ReportSink {
    public func reusablePages() -> [String: String] { [:] }
    public mutating func record(_ relativePath: String, inputs: String) {}
    public mutating func finish() throws {}
}

/// Writes pages under a directory, creating subdirectories as needed; with a manifest
/// (``init(root:toolVersion:reuse:)``), keeps the pages an earlier build wrote from the same inputs.
public struct DirectorySink: ReportSink {
    public var root: URL
    private var created: Set<String> = []
    private var manifest: ManifestState?

    /// Writes every page; reads and writes no manifest.
    public init(root: URL) { self.root = root }

    /// Writes `.perfgate-site.json` after the last page. With `reuse`, a page the manifest in `root`
    /// lists with the same inputs, whose file still has the recorded size and modification time, is
    /// kept; without a readable manifest of this `toolVersion`, or when `root` holds a file the manifest
    /// does not list, every page is built (``fullBuildReason`` says why).
    public init(root: URL, toolVersion: String, reuse: Bool) {
        self.root = root
        manifest = ManifestState(root: root, toolVersion: toolVersion, reuse: reuse)
    }

    /// Why every page is built (`--full`, no manifest, …); nil when pages may be kept.
    public var fullBuildReason: String? { manifest?.fullBuildReason }

    public func reusablePages() -> [String: String] { manifest?.reusablePages() ?? [:] }

    public mutating func record(_ relativePath: String, inputs: String) { manifest?.record(relativePath, inputs: inputs) }

    public mutating func finish() throws { try manifest?.finish() }

    public mutating func write(_ content: String, to relativePath: String) throws {
        let url = root.appendingPathComponent(relativePath)
        let dir = url.deletingLastPathComponent().path
        do {
            if !created.contains(dir) {
                try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
                created.insert(dir)
            }
            manifest?.willWrite()
            let (bytes, modified) = try Self.writeFile(content, path: url.path)
            manifest?.wrote(relativePath, bytes: bytes, modified: modified)
        } catch {
            throw ReportError.cannotWrite(path: url.path, reason: error.localizedDescription)
        }
    }
}

extension DirectorySink {
    /// Writes the bytes with plain POSIX calls: a report is rebuilt from the store at will, so pages are
    /// not fsynced one by one (Foundation's `Data.write` syncs every file, which dominated large sites).
    /// Returns the file's size and modification time (nanoseconds since 1970) as written.
    @discardableResult
    static func writeFile(_ content: String, path: String) throws -> (bytes: Int64, modified: Int64) {
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
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        return ManifestState.sizeAndTime(st)
    }
}

/// Keeps pages in memory, for tests.
public struct MemorySink: ReportSink {
    public var pages: [String: String] = [:]
    public init() {}
    public mutating func write(_ content: String, to relativePath: String) throws { pages[relativePath] = content }
}
