import Foundation
import PerfgateCore
import PerfgateReport
import PerfgateTestSupport
import Testing

@Suite struct ReportSiteTests {
    @Test func writesEveryPage() throws {
        let pages = try SyntheticHistory.render()
        let names = pages.keys.sorted()
        #expect(names.contains("index.html"))
        #expect(names.contains("summary.md"))
        #expect(names.contains("compare.html"))
        #expect(names.contains("release.html"))
        #expect(names.contains("release.md"))
        #expect(names.filter { $0.hasPrefix("series/") }.count == 4)
        #expect(names.filter { $0.hasPrefix("runs/") }.count == 32)
    }

    @Test func siteMatchesGoldenFiles() throws {
        let pages = try SyntheticHistory.render()
        let cart = "series/" + SyntheticHistory.cart.slug + ".html"
        for (page, golden) in [
            ("index.html", "html/index.html"), (cart, "html/series-cart.html"), ("runs/1.html", "html/run-1.html"),
            ("compare.html", "html/compare.html"), ("release.html", "html/release.html"),
            ("summary.md", "markdown/summary.md"), ("release.md", "markdown/release.md"),
        ] {
            assertGolden(try #require(pages[page]), named: golden, target: "PerfgateReportTests")
        }
    }

    @Test func renderingIsDeterministic() throws {
        #expect(try SyntheticHistory.render() == SyntheticHistory.render())
    }

    @Test func xssPayloadIsEscapedEverywhere() throws {
        let pages = try SyntheticHistory.render()
        for (name, text) in pages {
            #expect(!text.contains("<img"), "raw payload in \(name)")
            #expect(!text.contains("<b>bold"), "raw branch name in \(name)")
            #expect(!text.contains("onerror=alert(1)>"), "unescaped payload in \(name)")
        }
        #expect(pages["index.html"]?.contains("&lt;img src=x onerror=alert(1)&gt;") == true)
        #expect(pages["runs/1.html"]?.contains("HTTP 500 &lt;img src=x onerror=alert(1)&gt;") == true)
        #expect(pages["summary.md"]?.contains("&lt;img src=x onerror=alert(1)&gt;") == true)
        // The hostile series page: title, SVG <title>s and data attributes are all escaped.
        let hostile = try #require(pages["series/" + SyntheticHistory.hostile.slug + ".html"])
        #expect(hostile.contains("<h1 id=\"title\">checkout · &lt;img src=x onerror=alert(1)&gt;</h1>"))
        #expect(hostile.contains("data-branch=\"feature/&lt;b&gt;bold&lt;/b&gt;\""))
        // Names never reach the script.
        let script = try #require(hostile.components(separatedBy: "<script>").last)
        #expect(!script.contains("alert"))
    }

    @Test func seriesPageHasChartTableBudgetAndChangePoint() throws {
        let h = SyntheticHistory()
        var budgets = BudgetSet()
        budgets.budgets = [
            Budget(
                name: "cart", selector: Selector(endpoint: "GET /api/*"),
                rules: [Rule(statistic: .p95, kind: .absolute(op: .lt, limit: 90), level: .fail, source: "p(95)<90", path: "budgets[0].rules[0]")],
                path: "budgets[0]")
        ]
        var sink = MemorySink()
        _ = try SiteBuilder(context: SyntheticHistory.context, templates: TemplateLibrary(), options: SiteOptions(budgets: budgets))
            .build(from: h, into: &sink)
        let page = try #require(sink.pages["series/" + SyntheticHistory.cart.slug + ".html"])
        #expect(page.contains("<svg class=\"chart\""))
        #expect(page.contains("class=\"line s-p95\""))
        #expect(page.contains("<g class=\"budget\">"))
        #expect(page.contains("fail p95 &lt; 90.00 ms (cart)"))
        #expect(page.contains("<rect class=\"band\""))
        #expect(page.contains("<g class=\"cp worse\" data-decision=\"worse\">"))
        #expect(page.contains("href=\"https://example.com/repo/commit/\(SyntheticHistory.sha(20, branch: "main"))\""))
        #expect(page.contains("<table id=\"points\">"))
        // The base branch is drawn; the feature branch is drawn hidden until the toggle shows it.
        #expect(page.contains("<input type=\"checkbox\" id=\"branch-toggle\">"))
        #expect(page.contains("data-branch=\"main\" points="))
        #expect(page.contains("data-branch=\"feature/&lt;b&gt;bold&lt;/b&gt;\" data-other=\"1\""))
        #expect(!page.contains("data-branch=\"main\" data-other"))
        // The x axis names commits by short SHA and date; change points are listed with their statistic.
        #expect(page.contains("<text class=\"xlabel start\""))
        #expect(page.contains("<text class=\"xlabel date"))
        #expect(page.contains("<th>kind</th><th>stat</th>"))
        let index = try #require(sink.pages["index.html"])
        #expect(index.contains("regression"))
        #expect(index.contains("No verdict: no budget file given"))
    }

    @Test func summaryListsChangedSeriesFirstAndFoldsTheRest() throws {
        let md = try #require(try SyntheticHistory.render()["summary.md"])
        let lines = md.split(separator: "\n").map(String.init)
        let details = try #require(lines.firstIndex { $0.hasPrefix("<details>") })
        let cart = try #require(lines.firstIndex { $0.contains("GET /api/cart") })
        #expect(cart < details)
        #expect(md.contains(", significant**") || md.contains("No series changed"))
        #expect(md.contains("p="))
    }

    @Test func generatedAtAndVersionAreInjected() throws {
        let index = try #require(try SyntheticHistory.render()["index.html"])
        #expect(index.contains("perfgate 9.9.9-test at 2027-01-26 21:46:40Z"))
    }
}
