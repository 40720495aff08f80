import Foundation
import PerfgateCore
import PerfgateEngine

/// Real k6 and Locust results bundled into the binary (see Samples/README.md): six test runs of the
/// same service at six commits; the sixth has `POST /api/orders` about 30 % slower.
enum Samples {
    struct Sample {
        let name: String
        let bytes: [UInt8]
        let commitIndex: Int
        let scenario: String
        /// Locust's `_stats_history.csv` of the same run (the run over time), if kept.
        var history: (name: String, bytes: [UInt8])? = nil
    }

    static let all: [Sample] = [
        Sample(name: "k6-run1.json", bytes: PackageResources.k6_run1_json, commitIndex: 1, scenario: "checkout-k6"),
        Sample(name: "k6-run2.json", bytes: PackageResources.k6_run2_json, commitIndex: 2, scenario: "checkout-k6"),
        Sample(name: "k6-run3.json", bytes: PackageResources.k6_run3_json, commitIndex: 3, scenario: "checkout-k6"),
        Sample(name: "k6-run4.json", bytes: PackageResources.k6_run4_json, commitIndex: 4, scenario: "checkout-k6"),
        Sample(name: "k6-run5.json", bytes: PackageResources.k6_run5_json, commitIndex: 5, scenario: "checkout-k6"),
        Sample(name: "k6-run6.json", bytes: PackageResources.k6_run6_json, commitIndex: 6, scenario: "checkout-k6"),
        Sample(
            name: "locust-run1_stats.csv", bytes: PackageResources.locust_run1_stats_csv, commitIndex: 1, scenario: "checkout-locust",
            history: ("locust-run1_stats_history.csv", PackageResources.locust_run1_stats_history_csv)),
        Sample(
            name: "locust-run2_stats.csv", bytes: PackageResources.locust_run2_stats_csv, commitIndex: 2, scenario: "checkout-locust",
            history: ("locust-run2_stats_history.csv", PackageResources.locust_run2_stats_history_csv)),
        Sample(
            name: "locust-run3_stats.csv", bytes: PackageResources.locust_run3_stats_csv, commitIndex: 3, scenario: "checkout-locust",
            history: ("locust-run3_stats_history.csv", PackageResources.locust_run3_stats_history_csv)),
        Sample(
            name: "locust-run4_stats.csv", bytes: PackageResources.locust_run4_stats_csv, commitIndex: 4, scenario: "checkout-locust",
            history: ("locust-run4_stats_history.csv", PackageResources.locust_run4_stats_history_csv)),
        Sample(
            name: "locust-run5_stats.csv", bytes: PackageResources.locust_run5_stats_csv, commitIndex: 5, scenario: "checkout-locust",
            history: ("locust-run5_stats_history.csv", PackageResources.locust_run5_stats_history_csv)),
        Sample(
            name: "locust-run6_stats.csv", bytes: PackageResources.locust_run6_stats_csv, commitIndex: 6, scenario: "checkout-locust",
            history: ("locust-run6_stats_history.csv", PackageResources.locust_run6_stats_history_csv)),
    ]

    static let commitCount = 6

    /// A stable fake commit for sample index `i` (1-based): 40 hex digits, one day apart.
    static func commit(_ i: Int) -> CommitInfo {
        let sha = FileDigest.sha256(data: Data("perfgate-demo-commit-\(i)".utf8)).dropFirst("sha256:".count).prefix(40)
        let parent = i > 1 ? String(commit(i - 1).sha) : nil
        return CommitInfo(
            sha: String(sha), branch: "main", committedAt: Date(timeIntervalSince1970: 1_793_491_200 + Double(i) * 86_400),
            parentSha: parent)
    }
}
