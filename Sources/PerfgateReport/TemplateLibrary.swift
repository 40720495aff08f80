import Foundation
internal import Mustache
import PerfgateTemplates

/// The built-in templates, optionally overlaid with a user directory (`--templates DIR`): a user file
/// `DIR/html/index.html.mustache` replaces the built-in `html/index.html`; new files become partials.
public struct TemplateLibrary: Sendable {
    private var library: MustacheLibrary
    /// Names of the templates that came from the user directory, sorted.
    public private(set) var overridden: [String] = []
    /// A fingerprint of every template's text (built-in and overlaid), for the site's manifest.
    private(set) var digest: String

    /// The built-in templates as files relative to a template directory (`html/index.html.mustache`),
    /// sorted by path: what `perfgate templates export` writes.
    public static var builtinFiles: [(path: String, text: String)] {
        PerfgateTemplates.builtins.keys.sorted().map { (PerfgateTemplates.fileName(of: $0), PerfgateTemplates.builtins[$0] ?? "") }
    }

    /// The built-ins only.
    public init() throws {
        library = MustacheLibrary()
        var fingerprint = Fingerprint("templates")
        for name in PerfgateTemplates.builtins.keys.sorted() {
            let text = PerfgateTemplates.builtins[name] ?? ""
            try Self.register(text, named: name, file: "templates/\(name).mustache", into: &library)
            fingerprint.add(name)
            fingerprint.add(text)
        }
        digest = fingerprint.value
    }

    /// The built-ins overlaid with every `*.mustache` file under `directory`.
    public init(overlay directory: String) throws {
        try self.init()
        let root = directory.hasSuffix("/") ? String(directory.dropLast()) : directory
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: root, isDirectory: &isDir), isDir.boolValue else {
            throw ReportError.templateNotFound("\(root) (not a directory)")
        }
        let files = (FileManager.default.enumerator(atPath: root)?.compactMap { $0 as? String } ?? [])
            .filter { $0.hasSuffix(".mustache") }.sorted()
        for relative in files {
            let path = root + "/" + relative
            guard let data = FileManager.default.contents(atPath: path) else {
                throw ReportError.cannotWrite(path: path, reason: "cannot read the template")
            }
            let name = String(relative.dropLast(".mustache".count))
            let text = String(decoding: data, as: UTF8.self)
            try Self.register(text, named: name, file: path, into: &library)
            overridden.append(name)
            digest = Fingerprint(digest, "overlay", name, text).value
        }
    }

    private static func register(_ text: String, named name: String, file: String, into library: inout MustacheLibrary) throws {
        do {
            library.register(try MustacheTemplate(string: text), named: name)
        } catch let e as MustacheTemplate.ParserError {
            throw ReportError.templateSyntax(
                file: file, line: e.context.lineNumber, column: e.context.columnNumber, message: describe(e.error))
        }
    }

    static func describe(_ error: any Error) -> String {
        guard let e = error as? MustacheTemplate.Error else { return "cannot parse the template: \(error)" }
        switch e {
        case .sectionCloseNameIncorrect: return "a section is closed with a different name than it was opened"
        case .unfinishedName: return "a tag is not closed (expected `}}`)"
        case .expectedSectionEnd: return "a section is never closed (expected `{{/name}}`)"
        case .invalidSetDelimiter: return "invalid set-delimiter tag"
        case .invalidConfigVariableSyntax: return "invalid pragma (expected `{{%NAME: VALUE}}`)"
        case .unrecognisedConfigVariable: return "unknown pragma or content type"
        default: return "cannot parse the template: \(e)"
        }
    }

    /// Renders the view model `model` with the template `name`.
    func render(_ model: Any, template name: String) throws -> String {
        guard let out = library.render(model, withTemplate: name) else { throw ReportError.templateNotFound(name) }
        return out
    }
}
