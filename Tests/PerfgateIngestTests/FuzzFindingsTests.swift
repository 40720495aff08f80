import Foundation
import PerfgateCore
import PerfgateTestSupport
import Synchronization
import Testing

@testable import PerfgateIngest

/// Inputs the fuzzer (ci/fuzz.sh, docs/fuzzing.md) found mishandled, each kept as a regression test.
@Suite("fuzz findings", .serialized)
struct FuzzFindingsTests {
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
        // Counted where zlib allocates (not the process's resident memory, which the tests running
        // alongside move by tens of MB): leaking, 5,000 reads keep about 35 MB of zlib state (7 KB each); freed,
        // none.
        // Other tests' readers open at this moment hold at most a few states.
        let before = zlibLiveBytes.load(ordering: .relaxed)
        for _ in 0..<5000 { try readThrough() }
        let after = zlibLiveBytes.load(ordering: .relaxed)
        #expect(after - before < 8 << 20, "zlib holds \((after - before) >> 10) KB more after 5,000 gzip reads")
    }

    /// libFuzzer, from the Gatling seed: a REQUEST ending at 169090541810827348 (a digit too many) made a
    /// 1.7e17 ms request, whose µs value no Int64 holds: the adapter trapped. Now the time is refused
    /// at its line, as epoch milliseconds must fit a Double exactly (≤ 2^53).
    @Test func aGatlingTimeTooLargeForEpochMillisecondsIsAnErrorAtItsLine() throws {
        let log = """
            RUN\tcom.gatling.tests.OHRMAdminLogin\tohrmadminlogin\t1690905408090\tAdmin Login\t3.6.1
            USER\tOHRMAdminLogin\tSTART\t1690905410091
            REQUEST\t\trequest_0\t1690905410114\t1690905413024\tOK\t\u{20}
            REQUEST\t\tfavicon.ico?v=1688731390829\t1690905413115\t169090541810827348\tOK\t\u{20}

            """
        let (loc, message) = try #require(K6T.errorLocation { _ = try K6T.parse(.gatlingLog, bytes: Array(log.utf8), name: "simulation.log") })
        #expect(loc.file == "simulation.log" && loc.line == 4, "\(loc)")
        #expect(message.contains("must be epoch milliseconds"), "\(message)")
    }

    /// The same overflow reached through every adapter that counts requests per µs (hey's CSV here):
    /// a response time of 1e300 s no longer traps; the run keeps the value as its maximum.
    @Test func aRequestTooLongForMicrosecondCountsDoesNotTrap() throws {
        let csv = """
            response-time,DNS+dialup,DNS,Request-write,Response-delay,Response-read,status-code,offset
            0.0295,0.0001,0.0000,0.0000,0.0293,0.0000,200,0.0025
            1e300,0.0035,0.0000,0.0000,0.0260,0.0001,200,0.0006

            """
        do {
            let run = try K6T.parse(.heyCSV, bytes: Array(csv.utf8), name: "hey.csv")
            #expect(!run.series.isEmpty)
            try run.validate(file: "hey.csv")
        } catch let e as IngestError {
            #expect("\(e)".contains("hey.csv"), "\(e)")
        }
    }
}
