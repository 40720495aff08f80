import ArgumentParser
import Foundation
import PerfgateCore
import PerfgateEngine
import PerfgateIngest

/// The history file written by `export` and read by `import`: native run documents plus what the
/// store knows about each run (commit, environment, sources with digests, ingest time), so an
/// import reproduces the same runs and importing twice adds nothing.
enum HistoryFile {
    static let format = HistoryReader.format
    static let version = HistoryReader.version

    /// `loads`: the `--profile`/`--workers` labels by run id, written as `"load"` beside the run.
    static func encode(_ details: [StoredRunDetail], loads: [Int64: RunLoadLabel] = [:]) throws -> Data {
        var runs: [[String: Any]] = []
        for d in details {
            let r = d.run
            let native = NativeJSON.encode(
                d.result,
                commit: NativeJSON.Commit(sha: r.commit.sha, branch: r.commit.branch, time: r.commit.committedAt, parent: r.commit.parentSha),
                environment: r.environment)
            let doc = try JSONNode.parse(native, file: "export").value
            var entry: [String: Any] = [
                "run": doc,
                "ingestedAt": Formatting.iso(r.ingestedAt) ?? "",
                "inputFormat": r.format,
                "sources": r.sources.map { ["path": $0.path, "digest": $0.digest, "bytes": $0.bytes] },
            ]
            if let l = loads[r.id] {
                var load: [String: Any] = [:]
                if let p = l.profile { load["profile"] = p }
                if let w = l.workers { load["workers"] = w }
                entry["load"] = load
            }
            runs.append(entry)
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

    /// A run of a history file as `import` stores it (``HistoryReader/Entry`` plus the store's context).
    static func item(_ e: HistoryReader.Entry) -> (IngestedRun, RunContext) {
        let ingestedAt = e.ingestedAt.flatMap(parseDate) ?? Date()
        return (
            e.run,
            RunContext(
                commit: e.commit, scenario: e.scenario, environment: e.environment, tags: [:], sources: e.sources,
                ingestedAt: ingestedAt, perfgateVersion: PerfgateVersion.current, profile: e.profile, workers: e.workers)
        )
    }

    /// Every run of a history file in memory (tests and small files; `import` streams).
    static func decode(_ data: Data, file: String) throws -> [(IngestedRun, RunContext)] {
        try HistoryReader.read(InputFile(data: data, displayPath: file)).map(item)
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
                let store: any HistoryStore = try storeOptions.openForReading()
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
                let data = try HistoryFile.encode(details, loads: try store.loadLabels(runIds: details.map(\.run.id)))
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
                All files are read and checked first, then stored in one transaction: a bad run anywhere leaves \
                the store unchanged. Runs already present (same commit, scenario, environment and content) are \
                skipped, so importing twice adds nothing. Files are read run by run (twice: once to check, once \
                to store), so memory does not grow with the file.

                Example:
                  perfgate import job-1/history.json job-2/history.json
                """)
        @Argument(help: ArgumentHelp("History files.", valueName: "file")) var files: [String]
        @OptionGroup var storeOptions: StoreOptions

        func run() async throws {
            try await withDiagnostics {
                for f in files {
                    guard FileManager.default.fileExists(atPath: f) else { throw IngestError.missing(path: f) }
                    if let tooLarge = Limits.fileSizeError(path: f, limit: Limits.maxHistoryFileBytes, what: "history file") {
                        throw tooLarge
                    }
                }
                // Pass 1: read and check every run of every file, keeping only each run's identity (commit,
                // scenario, environment and a digest of its statistics), not the run.
                var candidates: [[Candidate]] = []
                for f in files {
                    var list: [Candidate] = []
                    try HistoryReader.forEachRun(in: InputFile(path: f)) { index, e in
                        let key = HistoryFile.contentKey(e.run.series)
                        list.append(
                            Candidate(
                                index: index, sha: e.commit.sha, scenario: e.scenario, environment: e.environment,
                                keyDigest: FileDigest.sha256(data: Data(key.utf8))))
                    }
                    candidates.append(list)
                }
                let store: any HistoryStore = try storeOptions.openForWriting()
                // Idempotent by content, not by an optional field: a run whose statistics equal those of
                // a stored run of the same commit, scenario and environment is already present, with or
                // without its `sources`. A run without sources is keyed by a digest of its statistics.
                var present = 0
                // The new runs of each file by index, with the digest of their statistics (pass 2 names a
                // run without sources by it rather than computing it again).
                var fresh: [[Int: String]] = Array(repeating: [:], count: files.count)
                // Identities of the runs already taken from the files, so each run is compared once
                // (not with every earlier one again: quadratic in the file's runs).
                var taken = Set<[String]>()
                var storedKeys: [[String]: Set<String>] = [:]
                for (i, list) in candidates.enumerated() {
                    for c in list {
                        let place = [c.sha, c.scenario, c.environment]
                        let identity = place + [c.keyDigest]
                        if taken.contains(identity) {
                            present += 1
                            continue
                        }
                        if storedKeys[place] == nil {
                            let stored = try store.runRefs(RunRefQuery(scenario: c.scenario, environment: c.environment, commit: c.sha))
                            let series = stored.isEmpty ? [:] : try store.series(runIds: stored.map(\.id), withDistributions: false)
                            storedKeys[place] = Set(series.values.map { FileDigest.sha256(data: Data(HistoryFile.contentKey($0).utf8)) })
                        }
                        if storedKeys[place]?.contains(c.keyDigest) == true {
                            present += 1
                            continue
                        }
                        taken.insert(identity)
                        fresh[i][c.index] = c.keyDigest
                    }
                }
                candidates = []
                // Pass 2: read the files again and store the new runs, one at a time, in ONE transaction.
                var added = 0
                var duplicates = 0
                try store.insertEach { insert in
                    for (i, f) in files.enumerated() where !fresh[i].isEmpty {
                        try HistoryReader.forEachRun(in: InputFile(path: f)) { index, e in
                            guard let keyDigest = fresh[i][index] else { return }
                            let (run, stored) = HistoryFile.item(e)
                            var context = stored
                            if context.sources.isEmpty {
                                context.sources = [SourceFile(path: "(imported run)", digest: "content-" + keyDigest, bytes: 0)]
                            }
                            if case .inserted = try insert(RunToStore(run: run, context: context)) { added += 1 } else { duplicates += 1 }
                        }
                    }
                }
                Console.out("imported \(added) runs; \(present + duplicates) were already present")
            }
        }

        /// What pass 1 keeps of a run: where it would go and a digest of its statistics.
        struct Candidate {
            var index: Int
            var sha: String
            var scenario: String
            var environment: String
            var keyDigest: String
        }
    }
}
