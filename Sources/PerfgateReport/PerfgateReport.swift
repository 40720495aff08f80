import PerfgateCore
import PerfgateTemplates

/// Report rendering (HTML site, summary.md, release summary). The only target that uses Mustache.
public enum PerfgateReportInfo {
    public static let templateCount = PerfgateTemplates.builtins.count
}
