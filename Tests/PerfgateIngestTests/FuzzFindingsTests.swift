import Foundation
import PerfgateCore
import PerfgateTestSupport
import Testing

@testable import PerfgateIngest

/// Inputs the fuzzer (ci/fuzz.sh, docs/fuzzing.md) found mishandled, each kept as a regression test.
@Suite("fuzz findings", .serialized)
struct FuzzFindingsTests {
    /// Resident memory of this process, from /proc (Linux only).
    static func residentBytes() -> Int? {
        #if os(Linux)
            guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return nil }
            let fields = text.split(separator: " ")
            guard fields.count > 1, let pages = Int(fields[1]) else { return nil }
            return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
        #else
            return nil
        #endif
    }

    /// LeakSanitizer, on the seed `generated/k6/points.csv.gz`: a gzip stream read to its end kept its
    /// zlib state (about 40 KB) forever, because the reader freed it only while still inflating.
    @Test func readingAGzipFileToItsEndFreesTheZlibState() throws {
        let gz = try Data(contentsOf: K6T.url("generated/k6/points.csv.gz"))
        func readThrough() throws {
            let reader = try InputFile(data: gz, displayPath: "points.csv.gz").makeReader()
            #expect(reader.isGzip)
            var total = 0
            while true {
                let block = try reader.next()
                if block.isEmpty { break }
                total += block.count
            }
            #expect(total == 131_725)
        }
        for _ in 0..<50 { try readThrough() }  // warm up allocator caches
        guard let before = Self.residentBytes() else { return }
        for _ in 0..<1000 { try readThrough() }
        let after = try #require(Self.residentBytes())
        // Leaking, 1,000 reads keep about 40 MB; freed, the same memory is reused.
        #expect(after - before < 16 << 20, "resident memory grew by \((after - before) >> 20) MB over 1,000 gzip reads")
    }
}
