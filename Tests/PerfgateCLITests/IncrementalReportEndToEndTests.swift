import Foundation
import PerfgateTestSupport
import Testing

/// `perfgate report` into a directory an earlier report wrote (issue 15), on REAL k6 runs (the replay
/// fixtures, `Fixtures/replay/cNN/k6.ndjson.gz`): whatever was kept, the directory must end up with the
/// same bytes as a full build into an empty directory, and an unchanged run's page must be kept, not
/// rendered again. Each case compares against `perfgate report --full` into a fresh directory.
@Suite("incremental report end to end", .serialized)
struct IncrementalReportEndToEndTests {
    let dir = makeTemporaryDirectory()
    var store: String { dir.appendingPathComponent("h.sqlite").path }
    var site: String { dir.appendingPathComponent("site").path }
    static let environment = ["SOURCE_DATE_EPOCH": "1767225600"]
    static let manifest = ".perfgate-site.json"

    func perfgate(_ args: [String]) throws -> PerfgateProcess.Result {
        try PerfgateProcess.run(args, in: dir, environment: Self.environment)
    }

    static func sha(_ i: Int) -> String { String(repeating: "c0\(i)", count: 14).prefix(40).description }

    func ingest(_ i: Int) throws {
        let file = Fixtures.url("replay/c0\(i)/k6.ndjson.gz", target: "PerfgateCLITests").path
        let r = try perfgate([
            "ingest", file, "--store", store, "--commit", Self.sha(i), "--branch", "main", "--commit-time", "2026-01-0\(i)T12:00:00Z",
            "--environment", "ci", "--scenario", "api",
        ])
        #expect(r.status == 0, "\(r)")
    }

    func report(_ out: String, _ extra: [String] = []) throws -> PerfgateProcess.Result {
        let r = try perfgate(["report", "--store", store, "--out", out] + extra)
        #expect(r.status == 0, "\(r)")
        return r
    }

    /// Every file under `root` but the manifest: relative path → bytes.
    func files(_ root: String) -> [String: Data] {
        var out: [String: Data] = [:]
        for case let rel as String in FileManager.default.enumerator(atPath: root) ?? FileManager.DirectoryEnumerator() {
            var isDir: ObjCBool = false
            let path = root + "/" + rel
            guard rel != Self.manifest, FileManager.default.fileExists(atPath: path, isDirectory: &isDir), !isDir.boolValue else { continue }
            out[rel] = FileManager.default.contents(atPath: path)
        }
        return out
    }

    /// The site in `site` is byte for byte what a full build with `extra` writes into an empty directory.
    func expectSameAsFullBuild(_ extra: [String] = [], _ comment: Comment) throws {
        let fresh = dir.appendingPathComponent("full-\(UUID().uuidString)").path
        let r = try report(fresh, extra + ["--full"])
        #expect(r.stderr.contains("every page rendered: --full"), "\(r)")
        let (a, b) = (files(site), files(fresh))
        #expect(!b.isEmpty)
        #expect(a.keys.sorted() == b.keys.sorted(), comment)
        let differing = b.keys.filter { a[$0] != b[$0] }.sorted()
        #expect(differing.isEmpty, "\(comment): \(differing.prefix(5)) differ from a full build")
    }

    /// "wrote N files to DIR (S series, R runs); kept K unchanged pages" → (S, R, K); K is nil after a full build.
    func counts(_ r: PerfgateProcess.Result) throws -> (series: Int, runs: Int, kept: Int?) {
        let line = try #require(r.stderr.split(separator: "\n").first { $0.hasPrefix("perfgate report: wrote") }.map(String.init), "\(r)")
        func number(before word: String) -> Int? {
            guard let range = line.range(of: " " + word) else { return nil }
            return Int(line[..<range.lowerBound].split(whereSeparator: { $0 == " " || $0 == "(" || $0 == ";" }).last ?? "")
        }
        return (try #require(number(before: "series,")), try #require(number(before: "runs)")), number(before: "unchanged pages"))
    }

    @Test func addingOneCommitRendersOnlyItsRunAndTheSeriesAndMatchesAFullBuild() throws {
        for i in 1...3 { try ingest(i) }
        let first = try report(site)
        #expect(first.stderr.contains("every page rendered: empty directory"), "\(first)")
        let (seriesCount, runCount, _) = try counts(first)
        #expect(seriesCount > 0 && runCount == 3)
        #expect(FileManager.default.fileExists(atPath: site + "/" + Self.manifest))

        // Nothing changed: every series and run page is kept, the site pages are written again.
        let again = try counts(try report(site))
        #expect(again.series == 0 && again.runs == 0 && again.kept == seriesCount + runCount, "\(again)")
        try expectSameAsFullBuild([], "unchanged history")

        // One more commit: its run page and the series (every one has a new point) are rendered; the three
        // older run pages are kept, including the compared commit's (read for its timeline only).
        try ingest(4)
        let added = try counts(try report(site))
        #expect(added.runs == 1 && added.series == seriesCount && added.kept == 3, "\(added)")
        try expectSameAsFullBuild([], "after adding one commit")
    }

    @Test func aServerSeriesAttachedToAStoredRunRendersThatRunsPageAgain() throws {
        // REAL k6 and Prometheus runs (ci/gen-prom-fixtures.sh): the second commit has the memory series
        // from the start, so attaching the first run's changes that run's stamp and nothing site-wide.
        func fixture(_ rel: String) -> String { Fixtures.url("prometheus/" + rel, target: "PerfgateIngestTests").path }
        for (i, files) in [["noleak/k6.ndjson.gz"], ["leak/k6.ndjson.gz", "leak/memory.prom.json"]].enumerated() {
            let r = try perfgate(
                ["ingest"] + files.map(fixture) + [
                    "--store", store, "--commit", Self.sha(i + 1), "--branch", "main", "--commit-time", "2026-01-0\(i + 1)T12:00:00Z",
                    "--environment", "ci", "--scenario", "api",
                ])
            #expect(r.status == 0, "\(r)")
        }
        let first = try counts(try report(site))
        let attached = try perfgate([
            "ingest", fixture("noleak/memory.prom.json"), "--store", store, "--attach-to", "1", "--commit", Self.sha(1), "--branch", "main",
            "--environment", "ci", "--scenario", "api",
        ])
        #expect(attached.status == 0, "\(attached)")
        let after = try counts(try report(site))
        // Run 1's page (now with the memory chart) and the memory series (a new point) are rendered again.
        #expect(after.runs == 1 && after.series == 1 && after.kept == first.series + first.runs - 2, "\(after)")
        try expectSameAsFullBuild([], "after ingest --attach-to")
    }

    @Test func changedOptionsTemplatesDeletedPagesAndABrokenManifestStillGiveAFullBuildsBytes() throws {
        for i in 1...3 { try ingest(i) }
        _ = try report(site)

        // A commit URL shows on every page: nothing may be kept.
        let url = ["--commit-url", "https://example.com/r/commit/{sha}"]
        let linked = try counts(try report(site, url))
        #expect(linked.kept == 0 && linked.runs == 3, "\(linked)")
        try expectSameAsFullBuild(url, "changed --commit-url")

        // A template overlay that changes the run page.
        let templates = dir.appendingPathComponent("templates").path
        #expect(try perfgate(["templates", "export", templates]).status == 0)
        let runTemplate = templates + "/html/run.html.mustache"
        let text = try #require(FileManager.default.contents(atPath: runTemplate))
        try (text + Data("<!-- overlay -->\n".utf8)).write(to: URL(fileURLWithPath: runTemplate))
        let overlaid = try counts(try report(site, url + ["--templates", templates]))
        #expect(overlaid.kept == 0 && overlaid.runs == 3, "\(overlaid)")
        try expectSameAsFullBuild(url + ["--templates", templates], "changed template overlay")
        let runPage = try #require(FileManager.default.contents(atPath: site + "/runs/1.html"))
        #expect(String(decoding: runPage, as: UTF8.self).contains("<!-- overlay -->"))

        // A deleted page and an edited page are written again; the rest is kept.
        let options = url + ["--templates", templates]
        try FileManager.default.removeItem(atPath: site + "/runs/2.html")
        let edited = site + "/runs/3.html"
        try (try #require(FileManager.default.contents(atPath: edited)) + Data("edited".utf8)).write(to: URL(fileURLWithPath: edited))
        let repaired = try counts(try report(site, options))
        #expect(repaired.runs == 2 && repaired.series == 0, "\(repaired)")
        try expectSameAsFullBuild(options, "deleted and edited pages")

        // A corrupted manifest: every page is rendered.
        try Data("{\"format\": 1, \"pages\": ".utf8).write(to: URL(fileURLWithPath: site + "/" + Self.manifest))
        let broken = try report(site, options)
        #expect(broken.stderr.contains("every page rendered: .perfgate-site.json cannot be read"), "\(broken)")
        #expect(try counts(broken).runs == 3)
        try expectSameAsFullBuild(options, "corrupted manifest")

        // A file the manifest does not know: every page is rendered, the file is left alone, and it is
        // known (not a reason for a full build) the next time.
        let stray = site + "/runs/99.html"
        try Data("not ours".utf8).write(to: URL(fileURLWithPath: stray))
        let unknown = try report(site, options)
        #expect(unknown.stderr.contains("every page rendered: 1 file the manifest does not list (runs/99.html)"), "\(unknown)")
        #expect(FileManager.default.contents(atPath: stray) == Data("not ours".utf8))
        let all = try counts(unknown)
        let next = try counts(try report(site, options))
        #expect(next.runs == 0 && next.series == 0 && next.kept == all.runs + all.series, "\(next)")

        // A killed build leaves no manifest behind: the next one is a full one.
        try FileManager.default.removeItem(atPath: site + "/" + Self.manifest)
        let missing = try report(site, options)
        #expect(missing.stderr.contains("every page rendered: no .perfgate-site.json in the directory"), "\(missing)")
    }
}
