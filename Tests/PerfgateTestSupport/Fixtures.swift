import Foundation

/// Locates test fixtures in the source tree, relative to the calling test file's target.
public enum Fixtures {
    /// The repository root, found from this file's location.
    public static let repositoryRoot: URL = {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
    }()

    /// `Tests/<target>/Fixtures/<relative>`.
    public static func url(_ relative: String, target: String) -> URL {
        repositoryRoot.appendingPathComponent("Tests/\(target)/Fixtures/\(relative)")
    }

    /// The shared public corpus (`../shared/corpus/public`), when present beside the repository.
    public static func corpus(_ relative: String) -> URL {
        let candidates = [
            repositoryRoot.deletingLastPathComponent().appendingPathComponent("shared/corpus/public"),
            repositoryRoot.appendingPathComponent("../shared/corpus/public"),
        ]
        let base = candidates.first { FileManager.default.fileExists(atPath: $0.path) } ?? candidates[0]
        return base.appendingPathComponent(relative)
    }
}

/// Native-format result documents for end-to-end tests.
public enum NativeFixture {
    /// One run of scenario `api` with one series, `GET /api/items` latency at `p50` (p95 = 1.6 × p50).
    public static func itemsRun(p50: Double) -> String {
        """
        {"format": "perfgate", "version": 1, "tool": "harness", "scenario": "api",
         "series": [{"endpoint": "GET /api/items", "metric": "http_req_duration", "unit": "ms", "direction": "lower",
                     "stats": {"count": 5000, "p50": \(p50), "p95": \(p50 * 1.6), "error_rate": 0.001, "throughput": 200}}]}
        """
    }
}
