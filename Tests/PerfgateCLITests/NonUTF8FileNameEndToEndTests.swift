import Foundation
import PerfgateTestSupport
import Testing

/// A result file whose name is not valid UTF-8 (byte 0xFF) cannot be opened through the command line
/// Swift hands over (invalid bytes are replaced): the error says so instead of "no such file".
@Suite("file names that are not UTF-8")
struct NonUTF8FileNameEndToEndTests {
    @Test func theErrorNamesTheEncodingNotAMissingFile() throws {
        let dir = makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let sample = Fixtures.repositoryRoot.appendingPathComponent("Tests/PerfgateIngestTests/Fixtures/generated/k6/summary-export.json")
        // sh makes the name from raw bytes; Swift strings cannot hold them.
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/sh")
        p.currentDirectoryURL = dir
        p.arguments = [
            "-c", #"name="$(printf 'run-\377.json')"; cp "$1" "$name" && exec "$0" ingest --store s.sqlite --commit "$2" --branch main "$name""#,
            PerfgateProcess.executable.path, sample.path, String(repeating: "a", count: 40),
        ]
        p.environment = ["PATH": "/usr/bin:/bin", "HOME": dir.path, "NO_COLOR": "1"]
        let err = Pipe()
        p.standardError = err
        p.standardOutput = Pipe()
        try p.run()
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        #expect(p.terminationStatus == 66, "\(stderr)")
        #expect(stderr.contains("its name is not valid UTF-8") && !stderr.contains("no such file"), "\(stderr)")
    }
}
