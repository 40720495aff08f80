import Foundation
import PerfgateCore
import PerfgateReport
import Testing

@Suite struct ReleaseSummaryTests {
    // From main commit 15 (mean 35 ms, 100/s) to main commit 30 (mean 49 ms, 80/s), two endpoints.

    @Test func costFormulaShowsInputsAndResult() throws {
        let md = try #require(try SyntheticHistory.render()["release.md"])
        // Capacity: T_from = 100 + 50 = 150/s, T_to = 80 + 50 = 130/s.
        #expect(md.contains("capacity change = T\\_to ÷ T\\_from − 1"))
        #expect(md.contains("130.00/s ÷ 150.00/s − 1 = -13.33%"))
        // Cost: 10 × (150 ÷ 130) × 0.50 × 730 = 4,211.54; before 10 × 0.50 × 730 = 3,650.00.
        #expect(md.contains("cost = N × (T\\_from ÷ T\\_to) × C × H"))
        #expect(md.contains("USD 4,211.54 per month (+USD 561.54)"))
        #expect(md.contains("before: 10 × USD 0.50 × 730 h = USD 3,650.00"))
    }

    @Test func latencyValueFormula() throws {
        let md = try #require(try SyntheticHistory.render()["release.md"])
        // Weighted mean latency: (1000 × 35 + 500 × 12) / 1500 = 27.333 ms → (1000 × 49 + 500 × 12) / 1500 = 36.667 ms.
        #expect(md.contains("value = −(ΔL ÷ 100 ms) × V"))
        #expect(md.contains("−(+9.333 ms ÷ 100 ms) × USD 1,000.00 = -USD 93.33"))
        #expect(md.contains("Net monthly effect: -USD 654.87 per month"))
        #expect(md.contains("traffic per month (requests): 100,000,000"))
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
