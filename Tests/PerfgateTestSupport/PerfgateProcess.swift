import Foundation

/// Runs the built `perfgate` executable, as a user would. Under `swift test` on Linux the products
/// directory is `Bundle.main.bundleURL` and the executable is already built there.
public struct PerfgateProcess {
    public struct Result: CustomStringConvertible {
        public var status: Int32
        public var stdout: String
        public var stderr: String
        public var description: String { "exit \(status)\n--- stdout\n\(stdout)\n--- stderr\n\(stderr)" }
        /// stdout read as a JSON array of objects (`perfgate query --format json`); empty when it is not one.
        public var jsonRows: [[String: Any]] {
            (try? JSONSerialization.jsonObject(with: Data(stdout.utf8))) as? [[String: Any]] ?? []
        }

        public init(status: Int32, stdout: String, stderr: String) {
            self.status = status
            self.stdout = stdout
            self.stderr = stderr
        }
    }

    public static var executable: URL {
        let candidates = [
            Bundle.main.bundleURL.appendingPathComponent("perfgate"),
            Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent("perfgate"),
        ]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) } ?? candidates[0]
    }

    /// Runs `perfgate args…` in `directory` with a clean environment (no CI variables leak in)
    /// plus `environment`.
    public static func run(
        _ args: [String], in directory: URL, environment: [String: String] = [:], stdin: Data? = nil
    ) throws -> Result {
        let p = Process()
        p.executableURL = executable
        p.arguments = args
        p.currentDirectoryURL = directory
        var env: [String: String] = [
            "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin",
            "HOME": directory.path,
            "GIT_CONFIG_NOSYSTEM": "1",
        ]
        for (k, v) in environment { env[k] = v }
        p.environment = env
        let out = Pipe()
        let err = Pipe()
        p.standardOutput = out
        p.standardError = err
        p.standardInput = FileHandle.nullDevice
        try p.run()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return Result(
            status: p.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
            stderr: String(decoding: errData, as: UTF8.self))
    }

    /// Bytes of a file, for "the store is unchanged" checks (nil when absent).
    public static func snapshot(_ url: URL) -> Data? { try? Data(contentsOf: url) }
}
