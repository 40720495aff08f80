import Foundation
import PerfgateCore
import PerfgateIngest
import PerfgateStore

/// Turns command-line paths into parsed runs and stores them, all or nothing.
///
/// Every file is parsed before anything is written, so one bad file leaves the store untouched.
struct IngestPipeline {
    var format: InputFormat?
    var commit: CommitInfo
    var scenario: String?
    var environment: String
    var tags: [String: String]
    var now: Date

    /// One parsed input set, ready to store.
    struct Parsed {
        var set: InputSet
        var format: InputFormat
        var run: IngestedRun
        var context: RunContext

        /// The run as the gate will see it once stored (labels from the context, tags merged as the
        /// store merges them), so `check` can validate its budgets before anything is written.
        var gateRun: GateRun {
            var tags = run.tags
            for (k, v) in context.tags { tags[k] = v }
            return GateRun(
                id: "", commitSha: context.commit.sha, scenario: context.scenario, environment: context.environment,
                tool: run.tool, tags: tags, series: run.series)
        }
    }

    /// Expands directories (recursively, sorted, skipping hidden files) and groups Locust CSV sets.
    static func collect(_ paths: [String]) throws -> [InputSet] {
        var files: [String] = []
        let fm = FileManager.default
        for p in paths {
            var isDir: ObjCBool = false
            guard fm.fileExists(atPath: p, isDirectory: &isDir) else { throw IngestError.missing(path: p) }
            if isDir.boolValue {
                guard let e = fm.enumerator(atPath: p) else {
                    throw IngestError.unreadable(path: p, reason: "cannot list directory")
                }
                var found: [String] = []
                for case let rel as String in e {
                    let name = (rel as NSString).lastPathComponent
                    if name.hasPrefix(".") { continue }
                    let full = (p as NSString).appendingPathComponent(rel)
                    var d: ObjCBool = false
                    if fm.fileExists(atPath: full, isDirectory: &d), !d.boolValue { found.append(full) }
                }
                files += found.sorted()
            } else {
                files.append(p)
            }
        }
        return groupLocustSets(files)
    }

    static let locustCompanionSuffixes = ["_stats_history.csv": "stats_history", "_failures.csv": "failures",
        "_exceptions.csv": "exceptions"]

    /// Groups `PREFIX_stats.csv` with its `_stats_history`, `_failures` and `_exceptions` siblings
    /// (given on the command line or present beside it). Companions never stand alone when their
    /// `_stats.csv` is there; without it they are passed on and fail detection with a clear error.
    static func groupLocustSets(_ files: [String]) -> [InputSet] {
        var byPrefix: [String: [String: String]] = [:]
        var primaries: [String: String] = [:]
        var order: [String] = []
        for f in files {
            if f.hasSuffix("_stats.csv") {
                let prefix = String(f.dropLast("_stats.csv".count))
                primaries[prefix] = f
            }
        }
        for f in files {
            if let (suffix, role) = locustCompanionSuffixes.first(where: { f.hasSuffix($0.key) }) {
                let prefix = String(f.dropLast(suffix.count))
                if primaries[prefix] != nil || FileManager.default.fileExists(atPath: prefix + "_stats.csv") {
                    byPrefix[prefix, default: [:]][role] = f
                    if primaries[prefix] == nil {
                        primaries[prefix] = prefix + "_stats.csv"
                        order.append(prefix + "_stats.csv")
                    }
                    continue
                }
            }
            order.append(f)
        }
        var seen = Set<String>()
        var sets: [InputSet] = []
        for f in order where seen.insert(f).inserted {
            if f.hasSuffix("_stats.csv") {
                let prefix = String(f.dropLast("_stats.csv".count))
                var companions = byPrefix[prefix] ?? [:]
                for (suffix, role) in locustCompanionSuffixes where companions[role] == nil {
                    if FileManager.default.fileExists(atPath: prefix + suffix) { companions[role] = prefix + suffix }
                }
                sets.append(
                    InputSet(
                        primary: InputFile(path: f), companions: companions.mapValues { InputFile(path: $0) }))
            } else {
                sets.append(InputSet(primary: InputFile(path: f)))
            }
        }
        return sets
    }

    /// Parses every set; throws on the first bad file (nothing is stored).
    func parse(_ sets: [InputSet]) throws -> [Parsed] {
        try sets.map { set in
            var set = set
            let fmt = try format ?? InputFormat.detect(set.primary)
            let bar = ProgressBar(label: set.primary.fileName, total: set.primary.byteSize)
            set.primary.progress = { bar.update($0) }
            defer { bar.finish() }
            // Files on disk are hashed on another thread while they are parsed.
            let paths = set.allFiles.compactMap { file -> String? in
                if case .path(let p) = file.backing { return p }
                return nil
            }
            let hashing = BackgroundDigests(paths: paths)
            let run: IngestedRun
            do {
                run = try fmt.adapter.parse(set)
            } catch {
                hashing.cancel()
                throw error
            }
            var digests = try hashing.wait()[...]
            let sources = set.allFiles.map { file -> SourceFile in
                switch file.backing {
                case .data(let d):
                    return SourceFile(path: file.displayPath, digest: FileDigest.sha256(data: d), bytes: Int64(d.count))
                case .path:
                    let (digest, bytes) = digests.removeFirst()
                    return SourceFile(path: file.displayPath, digest: digest, bytes: bytes)
                }
            }
            guard !run.series.isEmpty else {
                throw IngestError.at(set.primary.displayPath, "the file holds no results (no metrics or requests)")
            }
            let context = RunContext(
                commit: commit, scenario: scenario ?? run.scenario ?? run.tool, environment: environment,
                tags: tags, sources: sources, ingestedAt: now, perfgateVersion: PerfgateVersion.current)
            return Parsed(set: set, format: fmt, run: run, context: context)
        }
    }

    /// One run per test execution: files that are the same execution exported twice (k6 summary and
    /// handleSummary, Locust CSV and JSON) become one run — the one with more detail — whose sources
    /// list every file. Returns the runs and one line per merge.
    static func mergeSameExecutions(_ parsed: [Parsed]) -> (runs: [Parsed], notes: [String]) {
        var kept: [Parsed] = []
        var notes: [String] = []
        func detail(_ p: Parsed) -> Int { p.run.series.count + p.run.series.filter { $0.distribution != nil }.count * 1000 }
        for p in parsed {
            if let i = kept.firstIndex(where: { $0.context.scenario == p.context.scenario && $0.run.isSameExecution(as: p.run) }) {
                var (richer, other) = detail(p) > detail(kept[i]) ? (p, kept[i]) : (kept[i], p)
                richer.context.sources += other.context.sources
                notes.append(
                    "\(other.set.primary.displayPath) is the same \(p.run.tool) run as \(richer.set.primary.displayPath) "
                        + "(same requests, mean and max per endpoint): stored once, from \(richer.set.primary.displayPath)")
                kept[i] = richer
            } else {
                kept.append(p)
            }
        }
        return (kept, notes)
    }

    /// Collects and parses the files under `paths`, one run per test execution (merges are noted on stderr).
    func parseRuns(_ paths: [String]) throws -> [Parsed] {
        let (parsed, notes) = Self.mergeSameExecutions(try parse(Self.collect(paths)))
        for n in notes { Console.note(n) }
        return parsed
    }

    /// Parses and stores; returns each parsed set with its outcome.
    func ingest(_ paths: [String], into store: PerfgateStore) throws -> [(Parsed, InsertOutcome)] {
        let parsed = try parseRuns(paths)
        let outcomes = try store.insertAll(parsed.map { ($0.run, $0.context) })
        return Array(zip(parsed, outcomes))
    }

    /// One line per stored run, for people.
    static func describe(_ p: Parsed, _ o: InsertOutcome) -> String {
        let endpoints = Set(p.run.series.map(\.key.endpoint).filter { !$0.isEmpty }).count
        let what = "\(p.set.primary.displayPath) (\(p.format.rawValue), \(endpoints) endpoints, \(p.run.series.count) series)"
        let at = "commit \(p.context.commit.shortSha) on \(p.context.commit.branch), scenario \(p.context.scenario), environment \(p.context.environment)"
        switch o {
        case .inserted(let id, let attempt):
            let rep = attempt > 1 ? " as repeat #\(attempt)" : ""
            return "stored run \(id)\(rep): \(what) for \(at)"
        case .duplicate(let id):
            return "already stored as run \(id); nothing changed: \(what) for \(at)"
        }
    }
}
