import Foundation
import PerfgateCore
import PerfgateReport
import Testing

@Suite struct ReleaseSummaryTests {
    // From main commit 15 (mean 35 ms, 100/s) to main commit 30 (mean 49 ms, 80/s), two endpoints.

    @Test func costFormulaShowsInputsAndResult() throws {
        let md = try #require(try SyntheticHistory.render()["release.md"])
        // Capacity: T_from = 100 + 50 = 150/s; GET /api/cart measured 80/s at TO, but a single pair of runs has
        // no noise model for throughput, so the change is not testable and T_to counts it at its FROM value.
        #expect(md.contains("capacity change = T\\_to ÷ T\\_from − 1"))
        #expect(md.contains("150.00/s ÷ 150.00/s − 1 = +0.00%"))
        #expect(md.contains("significant changes used: none: T\\_to = T\\_from"))
        #expect(md.contains("100.00/s → 80.00/s (-20.00%, ? not testable: effect only (no noise model))"))
        // Cost: 10 × (150 ÷ 150) × 0.5 × 730 = 3,650.00, the inputs at full precision.
        #expect(md.contains("cost = N × (T\\_from ÷ T\\_to) × C × H"))
        #expect(md.contains("USD 3,650.00 per month (+USD 0.00)"))
        #expect(md.contains("before: 10 × USD 0.5 × 730 h = USD 3,650.00"))
    }

    @Test func latencyValueFormula() throws {
        let md = try #require(try SyntheticHistory.render()["release.md"])
        // Weighted mean latency: (1000 × 35 + 500 × 12) / 1500 = 27.333 ms → (1000 × 49 + 500 × 12) / 1500 =
        // 36.667 ms (the cart's mean changed significantly; the other endpoint's did not change).
        #expect(md.contains("value = −(ΔL ÷ 100 ms) × V"))
        #expect(md.contains("significant: checkout · GET /api/cart mean: 35.000 ms → 49.000 ms (1,000 requests)"))
        #expect(md.contains("−(+9.334 ms ÷ 100 ms) × USD 1,000 = -USD 93.34"))
        #expect(md.contains("Net monthly effect: -USD 93.34 per month"))
        #expect(md.contains("R (traffic per month, requests): 100,000,000"))
    }

    /// Every money figure is recomputed here from the numbers the page prints beside it.
    @Test func moneyReproducesFromThePrintedInputs() throws {
        let model = CostModel(trafficPerMonth: 250_000_000, costPerInstanceHour: 0.192, instances: 12, valueOf100msPerMonth: 4000)
        let md = try #require(try SyntheticHistory.render(costModel: model)["release.md"])
        #expect(md.contains("C (cost per instance-hour): USD 0.192"))
        func number(_ s: Substring) -> Double { Double(s.filter { $0.isNumber || $0 == "." || $0 == "-" }) ?? .nan }
        // "−(+9.334 ms ÷ 100 ms) × USD 4,000 = -USD 373.36"
        let value = try #require(md.split(separator: "\n").first { $0.contains("÷ 100 ms) × USD") })
        let dlText = try #require(value.range(of: #"\(([-+][0-9.]+) ms"#, options: .regularExpression))
        let dl = number(value[dlText])
        let result = number(Substring(try #require(value.components(separatedBy: "= ").last)))
        #expect(abs(-(dl / 100) * 4000 - result) < 0.005, "\(value)")
        // "12 × (150.00/s ÷ 150.00/s) × USD 0.192 × 730 h = USD 1,681.92; before: …"
        let cost = try #require(md.split(separator: "\n").first { $0.contains("h = USD") && $0.contains("before:") })
        #expect(cost.contains("12 × (150.00/s ÷ 150.00/s) × USD 0.192 × 730 h = USD 1,681.92"), "\(cost)")
        #expect(abs(12 * 0.192 * 730 - 1681.92) < 0.005)
    }

    @Test func noMoneyWithoutACostModel() throws {
        let pages = try SyntheticHistory.render(costModel: nil)
        for name in ["release.md", "release.html"] {
            let text = try #require(pages[name])
            #expect(!text.contains("USD"), "\(name) shows money without a cost model")
            #expect(text.contains("No cost model given"))
        }
    }

    @Test func regressionIntroducedInRange() throws {
        let md = try #require(try SyntheticHistory.render()["release.md"])
        #expect(md.contains("- introduced: checkout · GET /api/cart p95 at `\(SyntheticHistory.sha(20, branch: "main").prefix(8))`"))
        #expect(md.contains("slower"))
    }

    @Test func costModelDecodesAndRejectsBadFiles() throws {
        let ok = try CostModel.decode(
            Data(#"{"version":1,"currency":"EUR","trafficPerMonth":1e6,"costPerInstanceHour":0.2,"instances":3,"valueOf100msPerMonth":500}"#.utf8),
            file: "cm.json")
        #expect(ok.currency == "EUR" && ok.instances == 3 && ok.hoursPerMonth == 730)
        func message(_ json: String) -> String? {
            do {
                _ = try CostModel.decode(Data(json.utf8), file: "cm.json")
                return nil
            } catch let e as ReportError {
                return e.diagnostic.rendered
            } catch {
                return "\(error)"
            }
        }
        let base = #""costPerInstanceHour":0.2,"instances":3,"valueOf100msPerMonth":500"#
        #expect(message(#"{"trafic":1,\#(base)}"#)?.contains(#"at trafic: unknown key; did you mean "trafficPerMonth"?"#) != true)
        #expect(message(#"{"trafficPerMonht":1,\#(base)}"#)?.contains(#"did you mean "trafficPerMonth"?"#) == true)
        #expect(message("{\(base)}")?.contains("at trafficPerMonth: missing") == true)
        #expect(message(#"{"trafficPerMonth":-1,\#(base)}"#)?.contains("must not be negative") == true)
        #expect(message(#"{"trafficPerMonth":true,\#(base)}"#)?.contains("expected a number") == true)
        #expect(message("[1]")?.contains("expected a JSON object") == true)
        #expect(message("{")?.contains("not valid JSON") == true)
        #expect(message(#"{"trafficPerMonth":1,"costPerInstanceHour":0.2,"instances":0,"valueOf100msPerMonth":500}"#)?.contains("at least 1") == true)
    }

    @Test func shippedExampleCostModelIsValid() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("ci/examples/cost-model.json")
        _ = try CostModel.decode(try Data(contentsOf: url), file: url.path)
    }
}
