import Foundation
import PerfgateCore

/// Everything a report depends on besides its data: the clock and the version are injected so the same
/// history always renders to the same bytes (golden tests pass fixed values).
public struct ReportContext: Sendable, Hashable {
    /// Shown as "generated at"; never read from the clock inside the renderer.
    public var generatedAt: Date
    /// The perfgate version shown in every footer.
    public var toolVersion: String
    /// A commit link template such as `https://github.com/org/repo/commit/{sha}`; nil for no links.
    public var commitURLTemplate: String?
    /// The base branch: change points, sparklines, the baseline band and the summary use its runs.
    public var baseBranch: String
    /// Base-branch runs before the newest that form the baseline band and the summary's history.
    public var baselineWindow: Int

    public init(
        generatedAt: Date, toolVersion: String, commitURLTemplate: String? = nil, baseBranch: String = "main",
        baselineWindow: Int = 10
    ) {
        self.generatedAt = generatedAt
        self.toolVersion = toolVersion
        self.commitURLTemplate = commitURLTemplate
        self.baseBranch = baseBranch
        self.baselineWindow = baselineWindow
    }

    /// The commit's URL, or nil without a template. The SHA is validated hex, so it needs no encoding;
    /// anything else is refused rather than spliced into a URL.
    public func commitURL(_ sha: String) -> String? {
        guard let t = commitURLTemplate, !t.isEmpty, sha.allSatisfy(\.isHexDigit) else { return nil }
        let lower = t.lowercased()
        guard lower.hasPrefix("https://") || lower.hasPrefix("http://") else { return nil }
        return t.replacingOccurrences(of: "{sha}", with: sha).replacingOccurrences(of: "{short}", with: String(sha.prefix(8)))
    }
}
