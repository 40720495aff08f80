import Foundation
import Testing

@testable import PerfgateCore

/// `Statistic.parse` reads the names users write in budgets and `--stat` (aliases, `p(95)`, `P99.9`), with
/// surrounding blanks trimmed as Foundation's `.whitespaces` trims them (tab and every space separator).
@Suite struct StatisticParseTests {
    @Test func aliasesAndPercentiles() {
        #expect(Statistic.parse("p95") == .p95)
        #expect(Statistic.parse("P(95)") == .p95)
        #expect(Statistic.parse("avg") == .mean && Statistic.parse("Median") == .p50)
        #expect(Statistic.parse("rps") == .throughput && Statistic.parse("fail_ratio") == .errorRate)
        #expect(Statistic.parse("p99.9")?.rawValue == "p99.9")
        #expect(Statistic.parse("p") == nil && Statistic.parse("") == nil && Statistic.parse("p101") == nil)
    }

    @Test func blanksAroundANameAreTrimmedLikeFoundation() {
        let names = ["p95", "mean", "p(99)", "error_rate", "P90", "nonsense"]
        let pads = ["", " ", "\t", "\u{00A0}", "\u{2003}", " \t ", "\u{3000}"]
        for name in names {
            for left in pads {
                for right in pads {
                    let text = left + name + right
                    #expect(Statistic.parse(text) == Statistic.parse(text.trimmingCharacters(in: .whitespaces)), "\(text.debugDescription)")
                    #expect(Statistic.parse(text) == Statistic.parse(name), "\(text.debugDescription)")
                }
            }
        }
        // A line break is not a blank here: "p95\n" is not a statistic.
        #expect(Statistic.parse("p95\n") == nil)
    }

    /// `percentileLevel` reads canonical spellings without `Double(String)`; every spelling must give what
    /// `Double` reads from the text after the "p" (bit for bit), in 0...100, or nil.
    @Test func percentileLevelIsWhatDoubleReads() {
        func reference(_ raw: String) -> Double? {
            guard raw.hasPrefix("p"), let v = Double(raw.dropFirst()), (0...100).contains(v) else { return nil }
            return v
        }
        var spellings = [
            "p50", "p99.9", "p99.99", "p0", "p100", "p100.0", "p.5", "p5.", "p095", "p1e2", "p101", "p-1", "p", "p.", "p..5",
            "pinf", "pnan", "p12345678901234567", "p99.999999999999999", "p99.9999999999999", "p0.000000000000001", "p 5",
            "mean", "count", "P95", "p+5", "p5x",
        ]
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2000 {
            let whole = Int.random(in: 0...120, using: &generator)
            let fraction = String((0..<Int.random(in: 0...14, using: &generator)).map { _ in Character(String(Int.random(in: 0...9, using: &generator))) })
            spellings.append("p\(whole)" + (fraction.isEmpty ? "" : "." + fraction))
        }
        for raw in spellings {
            let got = Statistic(rawValue: raw).percentileLevel
            #expect(got?.bitPattern == reference(raw)?.bitPattern, "\(raw)")
        }
    }
}
