import Foundation
import PerfgateCore

/// Runs `git` in a directory. Missing git or a non-repository simply yields nil.
struct GitClient: Sendable {
    var directory: String

    init(directory: String = FileManager.default.currentDirectoryPath) { self.directory = directory }

    /// The trimmed stdout of `git args…`, or nil when git fails.
    func run(_ args: [String]) -> String? {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["git", "-C", directory] + args
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        p.standardInput = FileHandle.nullDevice
        do { try p.run() } catch { return nil }
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else { return nil }
        let s = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return s.isEmpty ? nil : s
    }

    var topLevel: String? { run(["rev-parse", "--show-toplevel"]) }
    func resolve(_ rev: String) -> String? { run(["rev-parse", "--verify", "--quiet", rev + "^{commit}"]) }
    func commitTime(_ sha: String) -> Date? {
        run(["show", "-s", "--format=%cI", sha]).flatMap { ISO8601DateFormatter().date(from: $0) }
    }
    func parent(_ sha: String) -> String? { run(["rev-parse", "--verify", "--quiet", sha + "^1"]) }
    var currentBranch: String? {
        guard let b = run(["rev-parse", "--abbrev-ref", "HEAD"]), b != "HEAD" else { return nil }
        return b
    }
    func mergeBase(_ a: String, _ b: String) -> String? { run(["merge-base", a, b]) }
    func isAncestor(_ a: String, of b: String) -> Bool {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["git", "-C", directory, "merge-base", "--is-ancestor", a, b]
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        do { try p.run() } catch { return false }
        p.waitUntilExit()
        return p.terminationStatus == 0
    }
    /// First-parent history of `rev`, newest first, at most `limit` commits.
    func firstParentHistory(_ rev: String, limit: Int) -> [String] {
        run(["rev-list", "--first-parent", "--max-count=\(limit)", rev])?.split(separator: "\n").map(String.init) ?? []
    }
}
