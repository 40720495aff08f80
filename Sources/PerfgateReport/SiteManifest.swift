import Crypto
import Foundation
import PerfgateCore

/// The fingerprint of what a page is rendered from: SHA-256 over its input fields, each followed by U+001F.
struct Fingerprint {
    private var hasher = SHA256()

    init(_ fields: String...) { for f in fields { add(f) } }

    mutating func add(_ field: String) {
        var f = field
        f.withUTF8 { hasher.update(bufferPointer: UnsafeRawBufferPointer($0)) }
        hasher.update(data: [0x1F])
    }

    /// Exactly (its bit pattern); "-" for nil.
    mutating func add(_ value: Double?) { add(value.map { String($0.bitPattern) } ?? "-") }
    mutating func add(_ date: Date?) { add(date?.timeIntervalSince1970) }

    var value: String { Hex.lowercase(hasher.finalize()) }
}

/// `.perfgate-site.json`: what the last `perfgate report` into a directory wrote there, so the next one
/// can keep the pages whose inputs did not change (docs/architecture.md, "Incremental report").
struct SiteManifest: Codable, Equatable {
    static let fileName = ".perfgate-site.json"
    static let currentFormat = 1

    struct Page: Codable, Equatable {
        /// The fingerprint of the page's inputs; empty for a page rebuilt every time (index, summary…).
        var inputs: String
        /// Size and modification time (nanoseconds since 1970) of the file as written: a page whose file
        /// no longer has both is rebuilt.
        var bytes: Int64
        var modified: Int64
    }

    var format: Int
    var perfgateVersion: String
    /// Every page the build wrote or kept, by path relative to the directory.
    var pages: [String: Page]
    /// The other files in the directory after that build (pages of runs no longer stored, the user's own
    /// files): known, never read.
    var others: [String]
}

/// The manifest side of a ``DirectorySink``: the earlier build's pages that may be kept, and this build's.
struct ManifestState {
    let root: URL
    let toolVersion: String
    /// The earlier build's pages; nil when none may be kept.
    let previous: [String: SiteManifest.Page]?
    /// Why every page is built, when it is.
    let fullBuildReason: String?
    /// The files in the directory before this build (relative paths, the manifest left out).
    let present: Set<String>
    var pages: [String: SiteManifest.Page] = [:]
    var removedOld = false

    var manifestPath: String { root.appendingPathComponent(SiteManifest.fileName).path }

    init(root: URL, toolVersion: String, reuse: Bool) {
        self.root = root
        self.toolVersion = toolVersion
        let files = Self.files(under: root.path)
        present = files.subtracting([SiteManifest.fileName, SiteManifest.fileName + ".tmp"])
        let path = root.appendingPathComponent(SiteManifest.fileName).path
        var reason: String?
        var manifest: SiteManifest?
        if !reuse {
            reason = "--full"
        } else if !files.contains(SiteManifest.fileName) {
            reason = present.isEmpty ? "empty directory" : "no \(SiteManifest.fileName) in the directory"
        } else if let data = FileManager.default.contents(atPath: path),
            let m = try? JSONDecoder().decode(SiteManifest.self, from: data), m.format == SiteManifest.currentFormat
        {
            manifest = m
            if m.perfgateVersion != toolVersion { reason = "\(SiteManifest.fileName) is from perfgate \(m.perfgateVersion)" }
        } else {
            reason = "\(SiteManifest.fileName) cannot be read"
        }
        if reason == nil, let m = manifest {
            let unknown = present.subtracting(m.pages.keys).subtracting(m.others).sorted()
            if let first = unknown.first {
                reason = "\(unknown.count) file\(unknown.count == 1 ? "" : "s") the manifest does not list (\(first))"
            }
        }
        fullBuildReason = reason
        previous = reason == nil ? manifest?.pages : nil
    }

    /// The earlier build's pages whose files still have the recorded size and modification time.
    func reusablePages() -> [String: String] {
        var out: [String: String] = [:]
        for (path, page) in previous ?? [:] where !page.inputs.isEmpty {
            if let s = Self.stamp(root.appendingPathComponent(path).path), s == (page.bytes, page.modified) { out[path] = page.inputs }
        }
        return out
    }

    /// Before the first write: the old manifest goes, so a build killed half-way leaves none (and the
    /// next build is a full one).
    mutating func willWrite() {
        guard !removedOld else { return }
        removedOld = true
        unlink(manifestPath)
    }

    mutating func wrote(_ path: String, bytes: Int64, modified: Int64) {
        pages[path] = SiteManifest.Page(inputs: "", bytes: bytes, modified: modified)
    }

    /// A page written or kept by this build, built from `inputs`.
    mutating func record(_ path: String, inputs: String) {
        if pages[path] != nil {
            pages[path]?.inputs = inputs
        } else if let old = previous?[path] {
            pages[path] = SiteManifest.Page(inputs: inputs, bytes: old.bytes, modified: old.modified)
        }
    }

    /// Writes the manifest, last and atomically (a temporary file renamed over it).
    mutating func finish() throws {
        willWrite()
        let manifest = SiteManifest(
            format: SiteManifest.currentFormat, perfgateVersion: toolVersion, pages: pages,
            others: present.subtracting(pages.keys).sorted())
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let tmp = manifestPath + ".tmp"
        do {
            try DirectorySink.writeFile(String(decoding: try encoder.encode(manifest), as: UTF8.self), path: tmp)
            guard rename(tmp, manifestPath) == 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        } catch {
            throw ReportError.cannotWrite(path: manifestPath, reason: error.localizedDescription)
        }
    }

    /// Size and modification time (ns) of a regular file; nil when it is not one.
    static func stamp(_ path: String) -> (Int64, Int64)? {
        var st = stat()
        guard stat(path, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else { return nil }
        return sizeAndTime(st)
    }

    static func sizeAndTime(_ st: stat) -> (Int64, Int64) {
        (Int64(st.st_size), Int64(st.st_mtim.tv_sec) * 1_000_000_000 + Int64(st.st_mtim.tv_nsec))
    }

    /// Relative paths of every file under `root` (not directories), recursively; empty when it is missing.
    static func files(under root: String) -> Set<String> {
        var out: Set<String> = []
        func walk(_ dir: String, _ prefix: String) {
            guard let d = opendir(dir) else { return }
            defer { closedir(d) }
            while let e = readdir(d) {
                let name = withUnsafePointer(to: &e.pointee.d_name) {
                    String(cString: UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self))
                }
                if name == "." || name == ".." { continue }
                var isDir = Int32(e.pointee.d_type) == Int32(DT_DIR)
                if Int32(e.pointee.d_type) == Int32(DT_UNKNOWN) {
                    var st = stat()
                    isDir = lstat(dir + "/" + name, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR
                }
                if isDir { walk(dir + "/" + name, prefix + name + "/") } else { out.insert(prefix + name) }
            }
        }
        walk(root, "")
        return out
    }
}
