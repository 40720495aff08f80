import Foundation
import PerfgateCore
import Testing

@testable import PerfgateReport

@Suite struct ReportFormattingTests {
    @Test(arguments: [
        (0.0, "0.00"), (999.5, "999.50"), (1234.5, "1,234.50"), (1_234_567.891, "1,234,567.89"), (-1234.5, "-1,234.50"),
        (-0.001, "0.00"),
    ])
    func groupsThousands(_ value: Double, _ text: String) {
        #expect(ReportFormatting.grouped(value) == text)
    }

    @Test func money() {
        #expect(ReportFormatting.money(3650, currency: "USD") == "USD 3,650.00")
        #expect(ReportFormatting.money(-93.333, currency: "EUR") == "-EUR 93.33")
        #expect(ReportFormatting.signedMoney(561.538, currency: "USD") == "+USD 561.54")
        #expect(ReportFormatting.signedMoney(-0.001, currency: "USD") == "+USD 0.00")
        #expect(ReportFormatting.money(.nan, currency: "USD") == "—")
    }

    @Test func deltasUsePointsForRates() {
        #expect(ReportFormatting.delta(from: 50, to: 70, unit: .milliseconds) == "+40.00%")
        #expect(ReportFormatting.delta(from: 0.001, to: 0.02, unit: .ratio) == "+1.90pp")
        #expect(ReportFormatting.delta(from: nil, to: 1, unit: .count) == "—")
        #expect(ReportFormatting.delta(from: 0, to: 1, unit: .milliseconds) == "?")
    }

    @Test func trendIsDirectionAware() {
        #expect(ReportFormatting.trend(from: 100, to: 120, unit: .milliseconds, direction: .lowerIsBetter) == .worse)
        #expect(ReportFormatting.trend(from: 100, to: 120, unit: .perSecond, direction: .higherIsBetter) == .better)
        #expect(ReportFormatting.trend(from: 100, to: 100.5, unit: .milliseconds, direction: .lowerIsBetter) == .same)
        #expect(ReportFormatting.trend(from: 0.01, to: 0.0102, unit: .ratio, direction: .lowerIsBetter) == .same)
        #expect(ReportFormatting.trend(from: nil, to: 1, unit: .ratio, direction: .lowerIsBetter) == .unknown)
    }

    @Test func chartScaleIsNice() {
        #expect(LineChart.niceStep(0) == 1)
        #expect(LineChart.niceStep(73.5) == 20)
        #expect(LineChart.niceStep(0.9) == 0.25)
        #expect(LineChart.niceStep(1234) == 500)
        #expect(LineChart.fittedScale(low: 0, high: 73.5) == (bottom: 0, top: 80, step: 20))
    }

    @Test func escapingCoversHTMLAndMarkdown() {
        #expect(Escape.html("<a href='x'>\"&\"</a>") == "&lt;a href=&#39;x&#39;&gt;&quot;&amp;&quot;&lt;/a&gt;")
        #expect(Escape.html("a\u{1}b") == "a\u{FFFD}b")
        // Newlines and tabs stay (hover titles use them); non-ASCII text passes through byte for byte.
        #expect(Escape.html("p95 ≥ 1 ms\n\tüñ\u{7}<") == "p95 ≥ 1 ms\n\tüñ\u{FFFD}&lt;")
        #expect(Escape.html("naïve · 東京") == "naïve · 東京")
        #expect(Escape.markdown("a|b <i>*x*</i> [l](u)") == "a\\|b &lt;i&gt;\\*x\\*&lt;/i&gt; \\[l\\](u)")
        // One escaper for the gate's summary and the report: a backslash before a pipe cannot end a cell.
        #expect(Escape.markdown("a\\|b #1 ~x") == "a\\\\\\|b \\#1 \\~x")
    }

    @Test func slugsAreSafeAndDistinct() {
        let a = ReportSeries(scenario: "s", environment: "e", key: SeriesKey(endpoint: "<img src=x onerror=alert(1)>", metric: "m"), unit: .milliseconds, direction: .lowerIsBetter)
        var b = a
        b.key.endpoint = "<img src=x onerror=alert(2)>"
        #expect(a.slug.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" })
        #expect(a.slug != b.slug)
        #expect(a.slug.hasPrefix("s-img-src-x-onerror-alert-1-m-"))
    }

    @Test func commitURLsNeedHexAndHTTP() {
        let c = ReportContext(generatedAt: Date(timeIntervalSince1970: 0), toolVersion: "t", commitURLTemplate: "https://h/c/{sha}")
        #expect(c.commitURL("abcdef1") == "https://h/c/abcdef1")
        #expect(c.commitURL("javascript:x") == nil)
        let bad = ReportContext(generatedAt: Date(timeIntervalSince1970: 0), toolVersion: "t", commitURLTemplate: "javascript:alert({sha})")
        #expect(bad.commitURL("abcdef1") == nil)
    }
}

@Suite struct ReportTimestampTests {
    @Test(arguments: [
        0.0, 1_800_000_000, 1_801_000_000.75, 951_782_400, 951_868_799, 4_102_444_800, -86_400.5, 1_709_164_800,
        253_402_300_799,
    ])
    func matchesTheCoreFormatter(_ t: Double) {
        let d = Date(timeIntervalSince1970: t)
        #expect(ReportFormatting.timestamp(d) == Formatting.timestamp(d))
    }
}
