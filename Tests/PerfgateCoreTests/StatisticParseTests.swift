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
}
