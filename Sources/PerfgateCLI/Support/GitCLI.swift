import Foundation
import PerfgateCore
import PerfgateEngine

/// The engine's ``GitRepository``: runs `git` in a directory. Missing git or a non-repository simply
/// yields nil.
///
/// `git` is started with `posix_spawnp` (no shell, no `env`), and not at all when no `.git` exists
/// in the directory or above it (and `GIT_DIR` is unset): a gate run outside a repository, or one
/// whose commits git does not know, pays nothing for git.
struct GitCLI: GitRepository, Sendable {
    var directory: String
    /// False when git could not find a repository here, so running it would only fail.
    let mayBeRepository: Bool

    init(directory: String = FileManager.default.currentDirectoryPath) {
        self.directory = directory
        mayBeRepository = GitCLI.repositoryMarkerExists(above: directory)
    }

    static func repositoryMarkerExists(above directory: String) -> Bool {
        if ProcessInfo.processInfo.environment["GIT_DIR"] != nil { return true }
        var dir = URL(fileURLWithPath: directory).standardizedFileURL.path
        while true {
            if access(dir + "/.git", F_OK) == 0 { return true }
            guard dir != "/" && !dir.isEmpty else { return false }
            dir = (dir as NSString).deletingLastPathComponent
        }
    }

    /// The trimmed stdout of `git args…`, or nil when git fails.
    func run(_ args: [String]) -> String? {
        guard let (status, data) = spawn(args, captureOutput: true), status == 0 else { return nil }
        let s = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return s.isEmpty ? nil : s
    }

    /// Runs `git -C directory args…` with stdin and stderr on /dev/null; the wait status and stdout.
    private func spawn(_ args: [String], captureOutput: Bool) -> (Int32, [UInt8])? {
        guard mayBeRepository else { return nil }
        #if os(Linux)
            return posixSpawn(args, captureOutput: captureOutput)
        #else
            return foundationSpawn(args, captureOutput: captureOutput)
        #endif
    }

    #if !os(Linux)
        /// Elsewhere (macOS development builds), Foundation's `Process`.
        private func foundationSpawn(_ args: [String], captureOutput: Bool) -> (Int32, [UInt8])? {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            p.arguments = ["git", "-C", directory] + args
            let out = Pipe()
            p.standardOutput = captureOutput ? out : FileHandle.nullDevice
            p.standardError = FileHandle.nullDevice
            p.standardInput = FileHandle.nullDevice
            do { try p.run() } catch { return nil }
            let data = captureOutput ? out.fileHandleForReading.readDataToEndOfFile() : Data()
            p.waitUntilExit()
            return (p.terminationStatus, [UInt8](data))
        }
    #endif

    #if os(Linux)
        private func posixSpawn(_ args: [String], captureOutput: Bool) -> (Int32, [UInt8])? {
            var fds: [Int32] = [-1, -1]
            guard pipe(&fds) == 0 else { return nil }
            for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
            var actions = posix_spawn_file_actions_t()
            posix_spawn_file_actions_init(&actions)
            defer { posix_spawn_file_actions_destroy(&actions) }
            posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
            if captureOutput {
                posix_spawn_file_actions_adddup2(&actions, fds[1], 1)
            } else {
                posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
            }
            posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
            let argv = ["git", "-C", directory] + args
            var cargs: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) } + [nil]
            defer { for a in cargs { free(a) } }
            var pid: pid_t = 0
            let rc = posix_spawnp(&pid, "git", &actions, nil, &cargs, environ)
            close(fds[1])
            defer { close(fds[0]) }
            guard rc == 0 else { return nil }
            var output: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 16 << 10)
            while true {
                let n = buffer.withUnsafeMutableBytes { read(fds[0], $0.baseAddress, $0.count) }
                if n > 0 {
                    output.append(contentsOf: buffer[..<n])
                } else if n == 0 || errno != EINTR {
                    break
                }
            }
            var status: Int32 = 0
            while waitpid(pid, &status, 0) < 0 {
                guard errno == EINTR else { return nil }
            }
            return (status, output)
        }
    #endif

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
        spawn(["merge-base", "--is-ancestor", a, b], captureOutput: false)?.0 == 0
    }
    /// First-parent history of `rev`, newest first, at most `limit` commits.
    func firstParentHistory(_ rev: String, limit: Int) -> [String] {
        run(["rev-list", "--first-parent", "--max-count=\(limit)", rev])?.split(separator: "\n").map(String.init) ?? []
    }
    func firstParentSubjects(_ rev: String) -> [String: String] {
        var subjects: [String: String] = [:]
        for line in run(["log", "--first-parent", "--format=%H%x09%s", rev])?.split(separator: "\n") ?? [] {
            let parts = line.split(separator: "\t", maxSplits: 1).map(String.init)
            if parts.count == 2 { subjects[parts[0]] = parts[1] }
        }
        return subjects
    }
}
