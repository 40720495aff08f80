import Foundation

/// A git commit as perfgate knows it.
public struct CommitInfo: Sendable, Hashable, Codable {
    /// Full hexadecimal SHA (7–64 characters; full 40 or 64 preferred).
    public var sha: String
    public var branch: String
    /// Commit time (committer date), when known.
    public var committedAt: Date?
    /// First parent SHA, when known.
    public var parentSha: String?

    public init(sha: String, branch: String, committedAt: Date? = nil, parentSha: String? = nil) {
        self.sha = sha
        self.branch = branch
        self.committedAt = committedAt
        self.parentSha = parentSha
    }

    /// True for 7–64 hexadecimal characters.
    public static func isValidSha(_ s: String) -> Bool {
        (7...64).contains(s.count) && s.allSatisfy { $0.isHexDigit }
    }

    public var shortSha: String { String(sha.prefix(8)) }
}

/// A result file a run came from.
public struct SourceFile: Sendable, Hashable, Codable {
    public var path: String
    /// `sha256:<hex>` of the file's bytes as stored on disk.
    public var digest: String
    public var bytes: Int64

    public init(path: String, digest: String, bytes: Int64) {
        self.path = path
        self.digest = digest
        self.bytes = bytes
    }
}

/// Everything the caller decides about a run that the file itself does not say.
public struct RunContext: Sendable, Hashable {
    public var commit: CommitInfo
    public var scenario: String
    public var environment: String
    public var tags: [String: String]
    public var sources: [SourceFile]
    public var ingestedAt: Date
    public var perfgateVersion: String
    /// `--profile`: the load profile's label (normal, peak, stress, spike, endurance or any name).
    public var profile: String?
    /// `--workers`: workers or instances serving the load, as the user stated.
    public var workers: Int?

    public init(
        commit: CommitInfo, scenario: String, environment: String, tags: [String: String] = [:],
        sources: [SourceFile] = [], ingestedAt: Date, perfgateVersion: String, profile: String? = nil,
        workers: Int? = nil
    ) {
        self.profile = profile
        self.workers = workers
        self.commit = commit
        self.scenario = scenario
        self.environment = environment
        self.tags = tags
        self.sources = sources
        self.ingestedAt = ingestedAt
        self.perfgateVersion = perfgateVersion
    }

    /// The identity of the content: equal for a re-ingest of the same files.
    public var contentDigest: String {
        sources.map(\.digest).sorted().joined(separator: "+")
    }
}

/// A run as stored: its identity, context and provenance (statistics are fetched separately).
public struct StoredRun: Sendable, Hashable, Codable {
    public var id: Int64
    public var commit: CommitInfo
    public var scenario: String
    public var environment: String
    public var tool: String
    public var toolVersion: String?
    public var format: String
    public var startedAt: Date?
    public var durationSeconds: Double?
    public var vus: Int?
    public var maxVUs: Int?
    public var ingestedAt: Date
    /// 1 for the first run of this commit, scenario and environment, 2 for the first repeat, …
    public var attempt: Int
    public var tags: [String: String]
    public var sources: [SourceFile]

    public init(
        id: Int64, commit: CommitInfo, scenario: String, environment: String, tool: String, toolVersion: String?,
        format: String, startedAt: Date?, durationSeconds: Double?, vus: Int?, maxVUs: Int?, ingestedAt: Date,
        attempt: Int, tags: [String: String], sources: [SourceFile]
    ) {
        self.id = id
        self.commit = commit
        self.scenario = scenario
        self.environment = environment
        self.tool = tool
        self.toolVersion = toolVersion
        self.format = format
        self.startedAt = startedAt
        self.durationSeconds = durationSeconds
        self.vus = vus
        self.maxVUs = maxVUs
        self.ingestedAt = ingestedAt
        self.attempt = attempt
        self.tags = tags
        self.sources = sources
    }
}

/// A stored run together with all its results.
public struct StoredRunDetail: Sendable, Hashable {
    public var run: StoredRun
    public var result: IngestedRun

    public init(run: StoredRun, result: IngestedRun) {
        self.run = run
        self.result = result
    }
}
