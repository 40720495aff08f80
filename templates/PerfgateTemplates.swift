/// The built-in report templates, compiled into the binary with SwiftPM `.embedInCode`.
///
/// Keys are the names `MustacheLibrary(directory:)` would give the same files (`html/index.html`),
/// so built-in and user templates (`--templates DIR`) are interchangeable.
public enum PerfgateTemplates {
    public static let builtins: [String: String] = [
        "html/placeholder.html": String(decoding: PackageResources.placeholder_html_mustache, as: UTF8.self)
    ]
}
