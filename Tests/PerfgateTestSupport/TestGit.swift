import Foundation

/// `git -C directory args…` with a fixed author and author/committer date (2026-03-`date` 12:00 UTC),
/// so commit SHAs and times are reproducible in end-to-end tests. Returns the exit status and stdout,
/// trimmed; stderr is discarded.
public func runGit(_ args: [String], in directory: URL, date: Int = 1) throws -> (status: Int32, output: String) {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    p.arguments = ["git", "-C", directory.path] + args
    let stamp = String(format: "2026-03-%02dT12:00:00Z", date)
    p.environment = ProcessInfo.processInfo.environment.merging(
        [
            "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t",
            "GIT_COMMITTER_EMAIL": "t@example.com", "GIT_AUTHOR_DATE": stamp, "GIT_COMMITTER_DATE": stamp,
        ], uniquingKeysWith: { $1 })
    let out = Pipe()
    p.standardOutput = out
    p.standardError = FileHandle.nullDevice
    try p.run()
    let data = out.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return (p.terminationStatus, String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
}
