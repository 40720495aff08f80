/// The built-in report templates, compiled into the binary with SwiftPM `.embedInCode`.
///
/// Keys are the names `MustacheLibrary(directory:)` would give the same files (`html/index.html`),
/// so built-in and user templates (`--templates DIR`) are interchangeable. Every file under
/// `templates/` must be listed here and in Package.swift (a drift test checks it).
public enum PerfgateTemplates {
    public static let builtins: [String: String] = [
        "html/commit.html": String(decoding: PackageResources.commit_html_mustache, as: UTF8.self),
        "html/compare.html": String(decoding: PackageResources.compare_html_mustache, as: UTF8.self),
        "html/foot.html": String(decoding: PackageResources.foot_html_mustache, as: UTF8.self),
        "html/head.html": String(decoding: PackageResources.head_html_mustache, as: UTF8.self),
        "html/index.html": String(decoding: PackageResources.index_html_mustache, as: UTF8.self),
        "html/release.html": String(decoding: PackageResources.release_html_mustache, as: UTF8.self),
        "html/run.html": String(decoding: PackageResources.run_html_mustache, as: UTF8.self),
        "html/series.html": String(decoding: PackageResources.series_html_mustache, as: UTF8.self),
        "html/tune.html": String(decoding: PackageResources.tune_html_mustache, as: UTF8.self),
        "markdown/release.md": String(decoding: PackageResources.release_md_mustache, as: UTF8.self),
        "markdown/summary.md": String(decoding: PackageResources.summary_md_mustache, as: UTF8.self),
    ]

    /// The file a built-in comes from, relative to `templates/` (`html/index.html.mustache`).
    public static func fileName(of name: String) -> String { name + ".mustache" }
}
