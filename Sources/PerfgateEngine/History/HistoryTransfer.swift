import Foundation
import PerfgateCore
import PerfgateIngest

/// The history file written by `export` and read by `import`: native run documents plus what the
/// store knows about each run (commit, environment, sources with digests, ingest time), so an
/// import reproduces the same runs and importing twice adds nothing.
package enum HistoryFile {
    package static let format = HistoryReader.format
    package static let version = HistoryReader.version

    /// `loads`: the `--profile`/`--workers` labels by run id, written as `"load"` beside the run.
    package static func encode(_ details: [StoredRunDetail], loads: [Int64: RunLoadLabel] = [:]) throws -> Data {
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
            if let server = d.result.serverSeries, !server.isEmpty {
                // The samples behind the server series' statistics (which are in the run's series), so an
                // import draws the same charts and keeps the same drift inputs. Additive: older readers skip it.
                entry["serverSeries"] = server.map { s in
                    [
                        "name": s.name, "unit": s.unit.rawValue, "direction": s.direction.rawValue,
                        "samples": s.samples.map { [$0.time, $0.value] },
                    ] as [String: Any]
                }
            }
            runs.append(entry)
        }
        let top: [String: Any] = ["format": format, "version": version, "runs": runs]
        return try JSONSerialization.data(withJSONObject: top, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
    }

    /// A run's statistics as one canonical string (series sorted by key; values exactly), the identity
    /// `import` compares: the same numbers are the same run, whatever optional fields came with them.
    package static func contentKey(_ series: [SeriesResult]) -> String {
        series.sorted { ($0.key.endpoint, $0.key.metric) < ($1.key.endpoint, $1.key.metric) }.map { s in
            "\(s.key.endpoint)\u{1F}\(s.key.metric)\u{1F}\(s.unit.rawValue)\u{1F}"
                + s.stats.sorted { $0.key < $1.key }.map { "\($0.key.rawValue)=\($0.value.bitPattern)" }.joined(separator: ",")
        }.joined(separator: "\u{1E}")
    }

    /// A run of a history file as `import` stores it (``HistoryReader/Entry`` plus the store's context);
    /// a run without `ingestedAt` is stamped `now`.
    package static func item(_ e: HistoryReader.Entry, now: Date, perfgateVersion: String) -> (IngestedRun, RunContext) {
        let ingestedAt = e.ingestedAt.flatMap(parseDate) ?? now
        return (
            e.run,
            RunContext(
                commit: e.commit, scenario: e.scenario, environment: e.environment, tags: [:], sources: e.sources,
                ingestedAt: ingestedAt, perfgateVersion: perfgateVersion, profile: e.profile, workers: e.workers)
        )
    }
}

/// `perfgate export`: which runs go into the history file, and the file's bytes.
package enum HistoryExport {
    /// The runs matching the filters, oldest id first, with their details; `range` is `FROM..TO`
    /// (SHAs or prefixes), kept by commit time, both ends included.
    package static func select(
        store: any HistoryStore, branch: String?, scenario: String?, environment: String?, range: String?
    ) throws -> [StoredRunDetail] {
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
        return try runs.sorted { $0.id < $1.id }.compactMap { try store.detail(runId: $0.id) }
    }

    /// The history file of `details`, with their load labels from `store`.
    package static func encode(_ details: [StoredRunDetail], store: any HistoryStore) throws -> Data {
        try HistoryFile.encode(details, loads: try store.loadLabels(runIds: details.map(\.run.id)))
    }
}

/// `perfgate import`: history files merged into a store, idempotently. ``read(_:)`` reads and checks
/// every file before the store is opened (a bad file leaves the store untouched); ``apply(to:now:perfgateVersion:)``
/// stores the runs not already present in one transaction. Files are read run by run, twice, so memory
/// does not grow with them.
package struct HistoryImport {
    /// What pass 1 keeps of a run: where it would go and a digest of its statistics.
    struct Candidate {
        var index: Int
        var sha: String
        var scenario: String
        var environment: String
        var keyDigest: String
    }

    package let files: [String]
    private let candidates: [[Candidate]]

    /// Pass 1: checks that every file exists and is not too large, then reads and checks every run of
    /// every file, keeping only each run's identity (commit, scenario, environment and a digest of its
    /// statistics), not the run.
    package static func read(_ files: [String]) throws -> HistoryImport {
        for f in files {
            guard FileManager.default.fileExists(atPath: f) else { throw IngestError.missing(path: f) }
            if let tooLarge = Limits.fileSizeError(path: f, limit: Limits.maxHistoryFileBytes, what: "history file") {
                throw tooLarge
            }
        }
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
        return HistoryImport(files: files, candidates: candidates)
    }

    /// Pass 2: stores the runs that are not in `store` yet, in one transaction. `now` stamps a run
    /// whose file does not say when it was ingested. Returns how many runs were added and how many were
    /// already present.
    package func apply(to store: any HistoryStore, now: Date, perfgateVersion: String) throws -> (added: Int, present: Int) {
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
        // Pass 2: read the files again and store the new runs, one at a time, in ONE transaction.
        var added = 0
        var duplicates = 0
        try store.insertEach { insert in
            for (i, f) in files.enumerated() where !fresh[i].isEmpty {
                try HistoryReader.forEachRun(in: InputFile(path: f)) { index, e in
                    guard let keyDigest = fresh[i][index] else { return }
                    let (run, stored) = HistoryFile.item(e, now: now, perfgateVersion: perfgateVersion)
                    var context = stored
                    if context.sources.isEmpty {
                        context.sources = [SourceFile(path: "(imported run)", digest: "content-" + keyDigest, bytes: 0)]
                    }
                    if case .inserted = try insert(RunToStore(run: run, context: context)) { added += 1 } else { duplicates += 1 }
                }
            }
        }
        return (added, present + duplicates)
    }
}
