import ArgumentParser
import Foundation
import PerfgateCore
import PerfgateEngine
import PerfgateIngest
import PerfgateStore

/// The history file written by `export` and read by `import`: native run documents plus what the
/// store knows about each run (commit, environment, sources with digests, ingest time), so an
/// import reproduces the same runs and importing twice adds nothing.
enum HistoryFile {
    static let format = "perfgate-history"
    static let version = 1

    static func encode(_ details: [StoredRunDetail]) throws -> Data {
        var runs: [[String: Any]] = []
        for d in details {
            let r = d.run
            let native = NativeJSON.encode(
                d.result,
                commit: NativeJSON.Commit(sha: r.commit.sha, branch: r.commit.branch, time: r.commit.committedAt, parent: r.commit.parentSha),
                environment: r.environment)
            let doc = try JSONNode.parse(native, file: "export").value
            runs.append([
                "run": doc,
                "ingestedAt": Formatting.iso(r.ingestedAt) ?? "",
                "inputFormat": r.format,
                "sources": r.sources.map { ["path": $0.path, "digest": $0.digest, "bytes": $0.bytes] },
            ])
        }
        let top: [String: Any] = ["format": format, "version": version, "runs": runs]
        return try JSONSerialization.data(withJSONObject: top, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
    }

    /// A run's statistics as one canonical string (series sorted by key; values exactly), the identity
    /// `import` compares: the same numbers are the same run, whatever optional fields came with them.
    static func contentKey(_ series: [SeriesResult]) -> String {
        series.sorted { ($0.key.endpoint, $0.key.metric) < ($1.key.endpoint, $1.key.metric) }.map { s in
            "\(s.key.endpoint)\u{1F}\(s.key.metric)\u{1F}\(s.unit.rawValue)\u{1F}"
                + s.stats.sorted { $0.key < $1.key }.map { "\($0.key.rawValue)=\($0.value.bitPattern)" }.joined(separator: ",")
        }.joined(separator: "\u{1E}")
    }

    static func decode(_ data: Data, file: String) throws -> [(IngestedRun, RunContext)] {
        let root = try JSONNode.parse(data, file: file)
        guard try root.required("format").string() == format else {
            throw root.error("not a perfgate history file (expected \"format\": \"\(format)\")")
        }
        let v = try root.required("version").number()
        guard v <= Double(version) else {
            throw IngestError.at(file, path: "version", "history file version \(Int(v)) is newer than this perfgate reads (\(version))")
        }
        var out: [(IngestedRun, RunContext)] = []
        for entry in try root.required("runs").array() {
            let runNode = try entry.required("run")
            // The run is decoded from the parsed tree itself: no serialising and re-parsing per run, and
            // errors name the history file and the run's JSON path.
            let doc = try NativeJSON.decode(runNode)
            guard let c = doc.commit, let branch = c.branch, let env = doc.environment else {
                throw runNode.error("an exported run needs commit.sha, commit.branch and environment")
            }
            let sources = try (entry.optional("sources")?.array() ?? []).map {
                SourceFile(path: try $0.required("path").string(), digest: try $0.required("digest").string(), bytes: Int64(try $0.required("bytes").number()))
            }
            let ingestedAt = try entry.optional("ingestedAt").flatMap { parseDate(try $0.string()) } ?? Date()
            var run = doc.run
            // What `ingest` refuses (NUL names, limits, negative durations) is refused here too.
            try run.validate(file: "\(file) \(runNode.path)")
            if let original = try entry.optional("inputFormat")?.string() { run.format = original }
            out.append(
                (
                    run,
                    RunContext(
                        commit: CommitInfo(sha: c.sha, branch: branch, committedAt: c.time, parentSha: c.parent),
                        scenario: doc.run.scenario ?? "default", environment: env, tags: [:], sources: sources,
                        ingestedAt: ingestedAt, perfgateVersion: PerfgateVersion.current)
                ))
        }
        return out
    }
}

extension PerfgateCommand {
    struct Export: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "export",
            abstract: "Write history (all, or filtered) as a perfgate history JSON file.",
            discussion: """
                The file holds native run documents (docs/native-format.md) with their commit, environment and \
                source digests; `perfgate import` merges it into another store idempotently, e.g. to combine \
                the stores of parallel CI jobs.

                Example:
                  perfgate export --branch main --out history.json
                """)
        @Option(help: "Only this branch.") var branch: String?
        @Option(help: "Only this scenario.") var scenario: String?
        @Option(help: "Only this environment.") var environment: String?
        @Option(help: ArgumentHelp("Only commits in FROM..TO by commit time (SHAs or prefixes, inclusive).", valueName: "from..to"))
        var range: String?
        @Option(help: ArgumentHelp("Output file ('-' for stdout).", valueName: "file")) var out: String = "-"
        @OptionGroup var storeOptions: StoreOptions

        func run() async throws {
            try await withDiagnostics {
                let store = try storeOptions.openForReading()
                var runs = try store.runs(RunFilter(branch: branch, scenario: scenario, environment: environment)).reversed() as [StoredRun]
                if let range {
                    let parts = range.components(separatedBy: "..")
                    guard parts.count == 2 else { throw PerfgateError(.usage, "--range expects FROM..TO") }
                    func time(_ s: String) throws -> Date? {
                        let shas = try store.commits(matching: s)
                        guard shas.count == 1 else { throw PerfgateError(.usage, "unknown or ambiguous commit '\(s)' in --range") }
                        return try store.runs(RunFilter(commit: shas[0], limit: 1)).first?.commit.committedAt
                    }
                    let from = try time(parts[0]) ?? .distantPast
                    let to = try time(parts[1]) ?? .distantFuture
                    runs = runs.filter { ($0.commit.committedAt ?? .distantPast) >= from && ($0.commit.committedAt ?? .distantFuture) <= to }
                }
                let details = try runs.sorted { $0.id < $1.id }.compactMap { try store.detail(runId: $0.id) }
                let data = try HistoryFile.encode(details)
                if out == "-" {
                    FileHandle.standardOutput.write(data + Data("\n".utf8))
                } else {
                    try data.write(to: URL(fileURLWithPath: out))
                    Console.err("exported \(details.count) runs to \(out)")
                }
            }
        }
    }

    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "import",
            abstract: "Merge history files written by `perfgate export` into the store (idempotent).",
            discussion: """
                All files are read and checked first, then stored in one transaction. Runs already present \
                (same commit, scenario, environment and content) are skipped, so importing twice adds nothing.

                Example:
                  perfgate import job-1/history.json job-2/history.json
                """)
        @Argument(help: ArgumentHelp("History files.", valueName: "file")) var files: [String]
        @OptionGroup var storeOptions: StoreOptions

        func run() async throws {
            try await withDiagnostics {
                var items: [(IngestedRun, RunContext)] = []
                for f in files {
                    guard FileManager.default.fileExists(atPath: f) else { throw IngestError.missing(path: f) }
                    if let tooLarge = Limits.fileSizeError(path: f, limit: Limits.maxHistoryFileBytes, what: "history file") {
                        throw tooLarge
                    }
                    guard let data = FileManager.default.contents(atPath: f) else { throw IngestError.unreadable(path: f, reason: "cannot read") }
                    items += try HistoryFile.decode(data, file: f)
                }
                let store = try storeOptions.openForWriting()
                // Idempotent by content, not by an optional field: a run whose statistics equal those of
                // a stored run of the same commit, scenario and environment is already present, with or
                // without its `sources`. A run without sources is keyed by a digest of its statistics.
                var present = 0
                var fresh: [(IngestedRun, RunContext)] = []
                // Identities of the runs already taken from the files, so each run is compared once
                // (not with every earlier one again: quadratic in the file's runs).
                var taken = Set<[String]>()
                for (run, context) in items {
                    let key = HistoryFile.contentKey(run.series)
                    let identity = [context.commit.sha, context.scenario, context.environment, key]
                    let stored = try store.runRefs(
                        branch: nil, scenario: context.scenario, environment: context.environment, commit: context.commit.sha)
                    let storedSeries = stored.isEmpty ? [:] : try store.series(runIds: stored.map(\.id), withDistributions: false)
                    if taken.contains(identity) || storedSeries.values.contains(where: { HistoryFile.contentKey($0) == key }) {
                        present += 1
                        continue
                    }
                    var context = context
                    if context.sources.isEmpty {
                        context.sources = [
                            SourceFile(path: "(imported run)", digest: "content-" + FileDigest.sha256(data: Data(key.utf8)), bytes: 0)
                        ]
                    }
                    taken.insert(identity)
                    fresh.append((run, context))
                }
                let outcomes = try store.insertAll(fresh)
                let added = outcomes.filter { if case .inserted = $0 { return true } else { return false } }.count
                Console.out("imported \(added) runs; \(present + outcomes.count - added) were already present")
            }
        }
    }
}
