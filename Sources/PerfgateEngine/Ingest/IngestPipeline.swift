import Foundation
import PerfgateCore
import PerfgateIngest

/// Turns command-line paths into parsed runs and stores them, all or nothing.
///
/// Every file is parsed before anything is written, so one bad file leaves the store untouched.
/// Files found by expanding a directory that are not result files at all (a `stderr.log` beside the
/// results) are skipped with one line each; a file named on the command line must be a result.
public struct IngestPipeline {
    public var format: InputFormat?
    /// How this command spells the format option, for hints (`--format`, `--input-format`).
    public var formatFlag = "--format"
    public var commits: CommitSource
    public var scenario: String?
    /// `--environment` or `PERFGATE_ENVIRONMENT`: wins over the environment a native file names.
    public var environmentOverride: String?
    /// Used when neither the flag, the variable nor the file names an environment.
    public var defaultEnvironment: String
    public var tags: [String: String]
    /// When the runs are ingested: the pipeline's clock, read once when it is made, so every run of one
    /// ingest has the same time.
    public var now: Date
    /// The perfgate version stored with every run.
    public var perfgateVersion: String
    /// Where skipped files, notes, warnings and progress go (the console, for the CLI).
    public var events: IngestEvents

    public init(
        format: InputFormat?, formatFlag: String = "--format", commits: CommitSource, scenario: String?, environmentOverride: String?,
        defaultEnvironment: String, tags: [String: String], clock: any WallClock, perfgateVersion: String,
        events: IngestEvents
    ) {
        self.format = format
        self.formatFlag = formatFlag
        self.commits = commits
        self.scenario = scenario
        self.environmentOverride = environmentOverride
        self.defaultEnvironment = defaultEnvironment
        self.tags = tags
        self.now = clock.now()
        self.perfgateVersion = perfgateVersion
        self.events = events
    }

    /// `ingest --profile` and `--workers`: the load label every run of this ingest gets.
    public var profile: String? = nil
    public var workers: Int? = nil
    /// `ingest --attach-to`: Prometheus files go to that stored run rather than to a run of the same call.
    public var attachTo: Int64? = nil

    /// Where the commit of each run comes from.
    public enum CommitSource {
        /// One commit for every file (`budgets validate --against`, which stores nothing).
        case fixed(CommitInfo)
        /// Flags, variables, CI, the file's own commit (native JSON), git: ``CommitResolver``.
        case resolve(CommitResolver, sha: String?, branch: String?, time: String?, revisions: RevisionResolver)
    }

    /// One parsed input set, ready to store.
    public struct Parsed {
        public var set: InputSet
        public var format: InputFormat
        public var run: IngestedRun
        public var context: RunContext

        /// The run as the store takes it.
        public var toStore: RunToStore { RunToStore(run: run, context: context) }

        /// The run as the gate will see it once stored (labels from the context, tags merged as the
        /// store merges them), so `check` can validate its budgets before anything is written.
        public var gateRun: GateRun {
            var tags = run.tags
            for (k, v) in context.tags { tags[k] = v }
            return GateRun(
                id: "", commitSha: context.commit.sha, scenario: context.scenario, environment: context.environment,
                tool: run.tool, tags: tags, series: run.series)
        }
    }

    /// An input set and whether the user named it (else it was found in a directory).
    public struct Collected {
        public var set: InputSet
        public var named: Bool
    }

    /// Expands directories (recursively, sorted, skipping hidden files) and groups Locust CSV sets.
    public static func collect(_ paths: [String]) throws -> [InputSet] { try collectMarked(paths).map(\.set) }

    /// ``collect(_:)``, remembering which sets were named on the command line.
    public static func collectMarked(_ paths: [String]) throws -> [Collected] {
        var files: [String] = []
        var named = Set<String>()
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
                named.insert(p)
            }
        }
        let sets = LocustCSVAdapter.groupSets(files).map { group in
            InputSet(primary: InputFile(path: group.primary), companions: group.companions.mapValues { InputFile(path: $0) })
        }
        return groupCriterionSets(sets, named: named).map {
            Collected(set: $0, named: $0.allFiles.contains { f in named.contains(f.displayPath) })
        }
    }

    static let criterionCompanions = ["sample.json": "sample", "benchmark.json": "benchmark"]

    /// Criterion.rs directories (`target/criterion/<id>/{new,base,change}/`): each `estimates.json`
    /// gets its `sample.json` and `benchmark.json` siblings as companions, and those siblings (and
    /// `tukey.json`) do not stand alone beside it. Found in a directory, `base/` (Criterion's saved
    /// baseline, an older run) and `change/` (relative changes, not a run) are left out when `new/`
    /// is there; named on the command line they are read (a `change/` file then fails clearly).
    static func groupCriterionSets(_ sets: [InputSet], named: Set<String>) -> [InputSet] {
        let fm = FileManager.default
        var out: [InputSet] = []
        for set in sets {
            guard set.companions.isEmpty, case .path(let path) = set.primary.backing else {
                out.append(set)
                continue
            }
            let dir = (path as NSString).deletingLastPathComponent
            let file = (path as NSString).lastPathComponent
            let dirName = (dir as NSString).lastPathComponent
            let hasEstimates = fm.fileExists(atPath: (dir as NSString).appendingPathComponent("estimates.json"))
            let criterionDir = hasEstimates && ["new", "base", "change"].contains(dirName)
            guard criterionDir else {
                out.append(set)
                continue
            }
            let newDir = ((dir as NSString).deletingLastPathComponent as NSString).appendingPathComponent("new")
            if !named.contains(path), dirName != "new", fm.fileExists(atPath: newDir) { continue }
            if file != "estimates.json" {
                if named.contains(path) && !sets.contains(where: { $0.primary.displayPath == (dir as NSString).appendingPathComponent("estimates.json") }) {
                    // A side file named alone stands for its run: the same set (and content digest) as the
                    // benchmark's directory gives, so ingesting the directory later is a duplicate, not a repeat.
                    out.append((try? CriterionAdapter.runSet(for: set)).flatMap { $0 } ?? set)
                }
                continue
            }
            var companions: [String: InputFile] = [:]
            for (name, role) in criterionCompanions {
                let sibling = (dir as NSString).appendingPathComponent(name)
                if fm.fileExists(atPath: sibling) { companions[role] = InputFile(path: sibling) }
            }
            out.append(InputSet(primary: set.primary, companions: companions))
        }
        return out
    }

    /// Parses every set; throws on the first bad file (nothing is stored).
    public func parse(_ sets: [InputSet]) throws -> [Parsed] {
        try parse(sets.map { Collected(set: $0, named: true) })
    }

    /// Parses every set; throws on the first bad result file (nothing is stored). A set found in a
    /// directory that no adapter claims (or an empty file whose name is not a result's) is skipped
    /// with one line on stderr.
    public func parse(_ sets: [Collected]) throws -> [Parsed] {
        var defaultCommit: CommitInfo?
        var out: [Parsed] = []
        for item in sets {
            var set = item.set
            let fmt: InputFormat
            do {
                fmt = try format ?? InputFormat.detect(set.primary)
            } catch let e as IngestError {
                if !item.named, let why = Self.notAResult(e, file: set.primary) {
                    events.skipped("skipped \(set.primary.displayPath): not a result file (\(why))")
                    continue
                }
                // A JSON document cut short says where, rather than "unknown format".
                if case .unknownFormat(_, let looksLike) = e, looksLike.contains("JSON"), !looksLike.hasPrefix("NDJSON"),
                    let data = try? set.primary.readAll(limit: 64 << 20)
                {
                    do { _ = try JSONNode.parse(data, file: set.primary.displayPath) } catch let syntax as IngestError { throw syntax }
                }
                throw respell(e)
            }
            let bar = events.progress(set.primary.fileName, set.primary.byteSize)
            set.primary.progress = bar.update
            defer { bar.finish() }
            // Files on disk are hashed on another thread while they are parsed.
            let paths = set.allFiles.compactMap { file -> String? in
                if case .path(let p) = file.backing { return p }
                return nil
            }
            let hashing = BackgroundDigests(paths: paths)
            let run: IngestedRun
            var fileCommit: CommitResolver.FileCommit?
            var fileEnvironment: String?
            do {
                if fmt == .native {
                    let doc = try NativeJSON.decode(set.primary)
                    run = doc.run
                    fileCommit = doc.commit.map {
                        CommitResolver.FileCommit(sha: $0.sha, branch: $0.branch, time: $0.time, parent: $0.parent, path: set.primary.displayPath)
                    }
                    fileEnvironment = doc.environment.flatMap { $0.isEmpty ? nil : $0 }
                } else {
                    run = try fmt.adapter.parse(set)
                }
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
            try run.validate(file: set.primary.displayPath)
            let commit: CommitInfo
            switch commits {
            case .fixed(let c): commit = c
            case .resolve(let resolver, let sha, let branch, let time, let revisions):
                if fileCommit == nil, let c = defaultCommit {
                    commit = c
                } else {
                    var notes: [String] = []
                    commit = try resolver.resolve(sha: sha, branch: branch, time: time, file: fileCommit, revisions: revisions, notes: &notes)
                    for n in notes { events.diagnostic(Diagnostic(.note, n)) }
                    if fileCommit == nil { defaultCommit = commit }
                }
            }
            let context = RunContext(
                commit: commit, scenario: scenario ?? run.scenario ?? run.tool,
                environment: environmentOverride ?? fileEnvironment ?? defaultEnvironment,
                tags: tags, sources: sources, ingestedAt: now, perfgateVersion: perfgateVersion,
                profile: profile, workers: workers)
            out.append(Parsed(set: set, format: fmt, run: run, context: context))
        }
        return out
    }

    /// Why a file found in a directory is not a result file at all, or nil when it may be a broken
    /// one: an empty `summary.json` is a failed test, and a JSON document that does not parse (cut
    /// off while k6 was writing it) or that has a `metrics` key is a result perfgate must not skip.
    public static func notAResult(_ e: IngestError, file: InputFile) -> String? {
        let name = file.fileName.lowercased()
        let resultish = [".json", ".ndjson", ".jsonl", ".csv", ".gz"].contains { name.hasSuffix($0) }
        switch e {
        case .unknownFormat(_, let looksLike):
            if looksLike.contains("JSON") {
                guard let data = try? file.readAll(limit: 64 << 20) else { return nil }
                if looksLike.hasPrefix("NDJSON") {
                    // Every line must be a JSON document.
                    let ok = data.split(separator: UInt8(ascii: "\n")).allSatisfy {
                        $0.allSatisfy { $0 == 32 || $0 == 13 || $0 == 9 } || (try? JSONSerialization.jsonObject(with: Data($0))) != nil
                    }
                    return ok ? "looks like \(looksLike)" : nil
                }
                guard let doc = try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]) else { return nil }
                if let o = doc as? [String: Any], o["metrics"] != nil || o["root_group"] != nil { return nil }
            }
            return "looks like \(looksLike)"
        case .malformed(_, let message) where message == "file is empty":
            return resultish ? nil : "empty"
        default: return nil
        }
    }

    /// The error with this command's spelling of the format option.
    public func respell(_ e: IngestError) -> any Error {
        guard case .ambiguousFormat = e, formatFlag != IngestError.formatOptionPlaceholder else { return e }
        var d = e.diagnostic
        d.notes = d.notes.map { $0.replacingOccurrences(of: IngestError.formatOptionPlaceholder, with: formatFlag) }
        return RespelledError(diagnostic: d, exitStatus: e.exitStatus)
    }

    public struct RespelledError: DiagnosableError {
        public var diagnostic: Diagnostic
        public var exitStatus: ExitStatus
    }

    /// The one commit of `parsed` (what `check FILE…` evaluates); files naming different commits are a
    /// usage error.
    public static func commonCommit(_ parsed: [Parsed]) throws -> CommitInfo {
        guard let first = parsed.first?.context.commit else {
            throw PerfgateError(.missingInput, "no result files to evaluate")
        }
        let others = parsed.filter { $0.context.commit.sha != first.sha }
        if let other = others.first {
            throw PerfgateError(
                .usage,
                "the result files belong to different commits (\(first.shortSha) and \(other.context.commit.shortSha)); check evaluates one commit",
                notes: ["\(other.set.primary.displayPath) names commit \(other.context.commit.shortSha) in its \"commit\"; pass --commit SHA to store them all under one commit, or check them separately"])
        }
        return first
    }

    /// One run per test execution: files that are the same execution exported twice (k6 summary and
    /// handleSummary, Locust CSV and JSON) become one run — the one with more detail — whose sources
    /// list every file. Returns the runs and one line per merge.
    public static func mergeSameExecutions(_ parsed: [Parsed]) -> (runs: [Parsed], notes: [String]) {
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
    public func parseRuns(_ paths: [String]) throws -> [Parsed] {
        let collected = try Self.collectMarked(paths)
        let (merged, notes) = Self.mergeSameExecutions(try parse(collected))
        for n in notes { events.diagnostic(Diagnostic(.note, n)) }
        // Server-side metrics (Prometheus query_range) join the load-test run they overlap in time
        // (ServerMetricsAttach.swift); with --attach-to they stay apart for Ingest to attach.
        var (runs, server) = try Self.attachByTime(merged, keepUnattached: attachTo != nil, events: events)
        // Drift over the steady state (docs/drift.md), once every server series has joined its run.
        for i in runs.indices { Drift.annotate(&runs[i].run) }
        let parsed = runs + server
        guard !parsed.isEmpty else {
            throw PerfgateError(
                .missingInput, "no result files in \(paths.joined(separator: ", "))",
                notes: collected.isEmpty ? ["the directory is empty"] : ["every file was skipped as not a result file (above)"])
        }
        if let w = Self.k6SummaryWithoutEndpoints(parsed) { events.diagnostic(w) }
        return parsed
    }

    /// k6 `--summary-export` and `handleSummary` carry values per endpoint (per `name` tag) only for
    /// submetrics a threshold names; without them a run has whole-test numbers only. Said once.
    public static func k6SummaryWithoutEndpoints(_ parsed: [Parsed]) -> Diagnostic? {
        let bare = parsed.filter {
            ($0.format == .k6Summary || $0.format == .k6HandleSummary) && !$0.run.series.contains { !$0.key.endpoint.isEmpty }
        }
        guard let first = bare.first else { return nil }
        let files = bare.map(\.set.primary.displayPath)
        return Diagnostic(
            .warning,
            "\(files.count == 1 ? files[0] : files.joined(separator: ", ")): k6 summary with no per-endpoint values; only whole-test numbers are stored (\(first.run.series.count) series, 0 endpoints)",
            notes: [
                "k6 writes a value per endpoint into its summary only for submetrics a threshold names",
                "fix: add a threshold per request name in the k6 script, e.g. thresholds: { 'http_req_duration{name:/api/orders}': ['p(95)<500'] }",
                "or also write the raw points: k6 run --out json=results/k6.ndjson.gz … (perfgate reads them, every endpoint with its distribution)",
            ])
    }

    /// One line per stored run, for people.
    public static func describe(_ p: Parsed, _ o: InsertOutcome) -> String {
        let endpoints = Set(p.run.series.map(\.key.endpoint).filter { !$0.isEmpty }).count
        let what = TerminalText.escape(
            "\(p.set.primary.displayPath) (\(p.format.rawValue), \(endpoints) endpoints, \(p.run.series.count) series)")
        let at = TerminalText.escape(
            "commit \(p.context.commit.shortSha) on \(p.context.commit.branch), scenario \(p.context.scenario), environment \(p.context.environment)")
        switch o {
        case .inserted(let id, let attempt):
            let rep = attempt > 1 ? " as repeat #\(attempt)" : ""
            return "stored run \(id)\(rep): \(what) for \(at)"
        case .duplicate(let id):
            return "already stored as run \(id); nothing changed: \(what) for \(at)"
        }
    }
}

/// Where the ingest pipeline reports what it does besides its result: the CLI prints to stderr, tests
/// collect.
public struct IngestEvents: Sendable {
    /// A note or a warning (a file's commit overridden, two files merged, a k6 summary without endpoints).
    public var diagnostic: @Sendable (Diagnostic) -> Void
    /// One line for a file found in a directory that is not a result file.
    public var skipped: @Sendable (String) -> Void
    /// Progress of parsing one file: its name and size (nil when unknown).
    public var progress: @Sendable (_ fileName: String, _ bytes: Int64?) -> Progress

    public struct Progress: Sendable {
        /// Bytes read so far.
        public var update: @Sendable (Int64) -> Void
        public var finish: @Sendable () -> Void

        public init(update: @escaping @Sendable (Int64) -> Void, finish: @escaping @Sendable () -> Void) {
            self.update = update
            self.finish = finish
        }
    }

    public init(
        diagnostic: @escaping @Sendable (Diagnostic) -> Void, skipped: @escaping @Sendable (String) -> Void,
        progress: @escaping @Sendable (_ fileName: String, _ bytes: Int64?) -> Progress
    ) {
        self.diagnostic = diagnostic
        self.skipped = skipped
        self.progress = progress
    }
}
