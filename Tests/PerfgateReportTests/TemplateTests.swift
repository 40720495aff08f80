import Foundation
import PerfgateCore
import PerfgateReport
import PerfgateTestSupport
import Testing

@Suite struct TemplateTests {
    static let templatesDir = Fixtures.repositoryRoot.appendingPathComponent("templates")

    /// Drift: every file under templates/ is a registered built-in and the other way round.
    @Test func everyTemplateFileIsRegistered() throws {
        let files = (FileManager.default.enumerator(atPath: Self.templatesDir.path)?.compactMap { $0 as? String } ?? [])
            .filter { $0.hasSuffix(".mustache") }.sorted()
        let registered = TemplateLibrary.builtinFiles.map(\.path)
        for f in files where !registered.contains(f) {
            Issue.record("template \(f) is not registered in Package.swift/PerfgateTemplates.swift")
        }
        #expect(registered == files)
        let package = try String(contentsOf: Fixtures.repositoryRoot.appendingPathComponent("Package.swift"), encoding: .utf8)
        for f in files { #expect(package.contains(".embedInCode(\"\(f)\")"), "\(f) missing from Package.swift") }
    }

    @Test func markdownTemplatesAreText() {
        for f in TemplateLibrary.builtinFiles where f.path.hasPrefix("markdown/") {
            #expect(f.text.hasPrefix("{{%CONTENT_TYPE: TEXT}}"), "\(f.path)")
        }
    }

    @Test func userTemplatesOverlayTheBuiltins() throws {
        let dir = makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("html"), withIntermediateDirectories: true)
        try Data("custom {{meta.toolVersion}} {{#series}}[{{title}}]{{/series}}".utf8)
            .write(to: dir.appendingPathComponent("html/index.html.mustache"))
        let library = try TemplateLibrary(overlay: dir.path)
        #expect(library.overridden == ["html/index.html"])
        let pages = try SyntheticHistory.render(templates: library)
        let index = try #require(pages["index.html"])
        #expect(index.hasPrefix("custom 9.9.9-test [checkout · &lt;img src=x onerror=alert(1)&gt;]"))
        #expect(pages["compare.html"]?.contains("<!doctype html>") == true)
    }

    @Test func aTemplateSyntaxErrorNamesFileLineAndColumn() throws {
        let dir = makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("html"), withIntermediateDirectories: true)
        let file = dir.appendingPathComponent("html/series.html.mustache")
        try Data("<h1>{{title}}</h1>\n<p>\n  {{#rows}}{{x}}{{/cells}}\n".utf8).write(to: file)
        do {
            _ = try TemplateLibrary(overlay: dir.path)
            Issue.record("expected a syntax error")
        } catch let e as ReportError {
            #expect(e.exitStatus.rawValue == 65)
            let text = e.diagnostic.rendered
            #expect(text.hasPrefix("\(dir.path)/html/series.html.mustache:3:"), "\(text)")
            #expect(text.contains("error: a section is closed with a different name"))
        }
    }
}
