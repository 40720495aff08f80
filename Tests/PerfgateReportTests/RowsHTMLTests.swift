import Foundation
import PerfgateCore
import Testing

@testable import PerfgateReport

@Suite struct RowsHTMLTests {
    /// `Formatting.fixed` computes with integers; it must give exactly what `String(format:)` gives.
    @Test func fixedMatchesStringFormat() {
        var edge: [Double] = [
            0, -0.0, 0.005, 1.005, 2.675, 0.125, 0.375, 0.5, 1.5, 2.5, -0.5, -2.5, 0.0005, 0.0015, 1e15, -1e15, 1e15 + 0.5,
            123_456.785, 9.995, 99.995, 999.9995, 0.045, -0.001, 1e-300, -1e-300, .leastNonzeroMagnitude, .leastNormalMagnitude,
            Double(UInt64.max), 1.8e19, 1.9e19, 1e300, -1e300, .greatestFiniteMagnitude, 4503599627370495.5,
            9007199254740992, 0.1, 0.2, 0.3, 1.0 / 3, 2.0 / 3,
        ]
        for k in 0..<2000 { edge.append(Double(k) / 1000 + 0.0005) }  // ties at the third decimal and near them
        for k in 0..<2000 { edge.append(Double(k) / 200) }  // ties at the second decimal
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<30_000 {
            edge.append(Double.random(in: -1000...1000, using: &rng))
            edge.append(Double.random(in: -1...1, using: &rng) * pow(10, Double.random(in: -8...16, using: &rng)))
            edge.append(Double(bitPattern: rng.next() & ~(0x7FF << 52) | (UInt64.random(in: 900...1200, using: &rng) << 52)))
        }
        var mismatches = 0
        for v in edge where v.isFinite {
            for d in 0...8 where Formatting.fixed(v, d) != String(format: "%.\(d)f", v) {
                mismatches += 1
                if mismatches < 10 { Issue.record("fixed(\(v), \(d)) = \(Formatting.fixed(v, d)), expected \(String(format: "%.\(d)f", v))") }
            }
        }
        #expect(mismatches == 0)
    }

    @Test func rowsEscapeEveryValue() {
        let payload = "<img src=x onerror=alert(1)>"
        let link = CommitLink(short: payload, sha: payload, url: "https://x/\"" + payload, hasURL: true, branch: payload, time: payload)
        let points = RowsHTML.seriesPoints([
            PointRow(commit: link, runHref: payload, runId: payload, branch: payload, time: payload, cells: [Cell(text: payload, cls: "")])
        ])
        let stats = RowsHTML.runStatistics([
            RunSeriesModel(
                role: .endpoint, title: payload, href: payload, hasHref: true, unit: payload, direction: payload,
                statistics: [NameValue(name: payload, value: payload)], distribution: "")
        ])
        let runs = RowsHTML.indexRuns([
            RunLinkRow(id: payload, href: payload, commit: link, scenario: payload, environment: payload, tool: payload, started: payload)
        ])
        for html in [points, stats, runs] {
            #expect(!html.contains("<img"))
            #expect(!html.contains("\"x"))
            #expect(html.contains("&lt;img src=x onerror=alert(1)&gt;"))
        }
    }
}
