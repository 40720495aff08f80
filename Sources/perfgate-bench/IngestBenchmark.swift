import Foundation
import PerfgateCore
import PerfgateIngest

/// `perfgate-bench ingest-ndjson [--size-mb 1024] [--source FILE]`: builds a large k6 NDJSON file by
/// repeating a real k6 `--out json` sample, times `wc -l` on it (the I/O floor), times the k6-json
/// adapter in-process, prints MB/s and peak RSS, then deletes the file.
///
/// `perfgate-bench ingest-jtl [--size-mb 1024] [--source FILE]`: the same for the JMeter CSV JTL
/// adapter, repeating the sample rows of the real corpus JTL under its header.
enum IngestBenchmark {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    static func run(_ args: [String]) {
        run(
            args, format: .k6JSON, name: "points.ndjson",
            source: repository.appendingPathComponent("Tests/PerfgateIngestTests/Fixtures/generated/k6/points.ndjson").path
        ) { _, line in line.range(of: Data(#""type":"Metric""#.utf8)) != nil }
    }

    static func runJTL(_ args: [String]) {
        run(
            args, format: .jmeterCSV, name: "results.jtl",
            source: repository.appendingPathComponent("Tests/PerfgateIngestTests/Fixtures/corpus/jmeter/blazedemo-results.jtl").path
        ) { index, _ in index == 0 }
    }

    /// Builds the file from `source`: lines for which `keepOnce(index, line)` holds are written once
    /// at the top, the others repeated up to the size; then times `wc -l` and the `format` adapter.
    static func run(
        _ args: [String], format: InputFormat, name: String, source defaultSource: String,
        keepOnce: (Int, Data) -> Bool
    ) {
        var sizeMB = 1024
        var source = defaultSource
        var i = 1
        while i < args.count {
            switch args[i] {
            case "--size-mb" where i + 1 < args.count: sizeMB = Int(args[i + 1]) ?? sizeMB; i += 2
            case "--source" where i + 1 < args.count: source = args[i + 1]; i += 2
            default: print("usage: perfgate-bench \(args[0]) [--size-mb N] [--source FILE]"); exit(64)
            }
        }
        guard var sample = FileManager.default.contents(atPath: source), !sample.isEmpty else {
            print("cannot read sample \(source)"); exit(66)
        }
        if sample.last != 10 { sample.append(10) }
        // Keep the header lines once; repeat the others.
        let lines = sample.split(separator: 10, omittingEmptySubsequences: true)
        var head = Data(), body = Data()
        for (index, l) in lines.enumerated() {
            if keepOnce(index, Data(l)) { head.append(l); head.append(10) } else { body.append(l); body.append(10) }
        }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("perfgate-bench-\(getpid())")
        try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let path = dir.appendingPathComponent(name).path
        defer { try? FileManager.default.removeItem(at: dir) }
        _ = FileManager.default.createFile(atPath: path, contents: nil)
        guard let out = FileHandle(forWritingAtPath: path) else { print("cannot write \(path)"); exit(73) }
        var block = Data()
        while block.count < 8 << 20 { block.append(body) }
        let target = Int64(sizeMB) << 20
        var written = Int64(head.count)
        out.write(head)
        while written < target {
            out.write(block)
            written += Int64(block.count)
        }
        try? out.close()
        let mb = Double(written) / 1_048_576
        print(String(format: "file: %.0f MB (%@ repeated), %@", mb, (source as NSString).lastPathComponent, path))

        // Floor: wc -l (best of two, page cache warm).
        var wcBest = Double.infinity
        var wcCPUBest = Double.infinity
        for _ in 0..<2 {
            let c0 = cpuSeconds(RUSAGE_CHILDREN)
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/usr/bin/wc")
            p.arguments = ["-l", path]
            p.standardOutput = FileHandle.nullDevice
            let t0 = DispatchTime.now().uptimeNanoseconds
            try? p.run()
            p.waitUntilExit()
            wcBest = min(wcBest, Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9)
            wcCPUBest = min(wcCPUBest, cpuSeconds(RUSAGE_CHILDREN) - c0)
        }
        // Wall time suffers on a shared machine; CPU time (user + system) is the steadier figure.
        print(String(format: "wc -l:   wall %.2f s  %.0f MB/s | cpu %.2f s  %.0f MB/s", wcBest, mb / wcBest, wcCPUBest, mb / wcCPUBest))

        let rssBefore = peakRSSKB()
        let t0 = DispatchTime.now().uptimeNanoseconds
        let cpu0 = cpuSeconds(RUSAGE_SELF)
        let run: IngestedRunSummary
        do {
            let r = try format.adapter.parse(InputSet(primary: InputFile(path: path)))
            let count = r.series.first { $0.key.endpoint.isEmpty && $0.key.metric == "http_req_duration" }?.stats[.count] ?? 0
            run = IngestedRunSummary(series: r.series.count, requests: count)
        } catch {
            print("parse failed: \(error)"); exit(1)
        }
        let secs = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
        let cpu = cpuSeconds(RUSAGE_SELF) - cpu0
        print(String(format: "parser:  wall %.2f s  %.0f MB/s | cpu %.2f s  %.0f MB/s  (%d series, %.0f requests)", secs, mb / secs, cpu, mb / cpu, run.series, run.requests))
        print(String(format: "peak RSS: %.1f MB before parse, %.1f MB after", Double(rssBefore) / 1024, Double(peakRSSKB()) / 1024))
    }

    struct IngestedRunSummary {
        var series: Int
        var requests: Double
    }

    static func cpuSeconds(_ who: __rusage_who) -> Double {
        var u = rusage()
        getrusage(who.rawValue, &u)
        return Double(u.ru_utime.tv_sec + u.ru_stime.tv_sec) + Double(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6
    }

    static func peakRSSKB() -> Int {
        var u = rusage()
        #if os(Linux)
            getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &u)
        #else
            getrusage(RUSAGE_SELF.rawValue, &u)
        #endif
        return Int(u.ru_maxrss)
    }
}
