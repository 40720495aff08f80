import Foundation

/// The readiness summary of one commit (docs/readiness.md): per scenario class (the runs' `--profile`
/// label), SLA compliance in the gate's words, the budget score, capacity and headroom against an
/// expected peak, the endurance runs' drift and the server-side peaks, each naming the runs it comes
/// from, and a verdict that is only as strong as its inputs. Pure: the caller evaluates the gate and
/// the capacity campaigns; this type only assembles and judges.
public enum Readiness {
    /// The class of runs ingested without `--profile`.
    public static let unlabelled = "unlabelled"
    /// The class whose runs are read for drift.
    public static let endurance = "endurance"
    /// The documented classes, in the order every output lists them; custom names follow, sorted, then
    /// ``unlabelled``.
    public static let knownClasses = ["normal", "peak", "stress", "spike", "endurance"]

    /// The class of a run: its profile label, else ``unlabelled``.
    public static func className(profile: String?) -> String {
        guard let p = profile, !p.isEmpty else { return unlabelled }
        return p
    }

    /// Class names in output order.
    public static func ordered(_ names: Set<String>) -> [String] {
        func rank(_ n: String) -> (Int, String) {
            if let i = knownClasses.firstIndex(of: n) { return (i, n) }
            return n == unlabelled ? (knownClasses.count + 1, n) : (knownClasses.count, n)
        }
        return names.sorted { rank($0) < rank($1) }
    }

    /// Run ids per class, the classes in output order: the one grouping every caller uses.
    public static func classes(_ runs: [(runId: Int64, profile: String?)]) -> [(name: String, runIds: [Int64])] {
        let groups = Dictionary(grouping: runs) { className(profile: $0.profile) }
        return ordered(Set(groups.keys)).map { name in (name, groups[name]!.map(\.runId).sorted()) }
    }

    /// One stored run with its profile label.
    public struct Run: Sendable, Hashable {
        public var detail: StoredRunDetail
        public var profile: String?
        public init(detail: StoredRunDetail, profile: String?) {
            self.detail = detail
            self.profile = profile
        }
    }

    /// The capacity analysis of one campaign of the commit (one scenario and environment, `perfgate capacity`).
    public struct Campaign: Sendable, Hashable {
        public var scenario: String
        public var environment: String
        public var analysis: CapacityAnalysis
        public init(scenario: String, environment: String, analysis: CapacityAnalysis) {
            self.scenario = scenario
            self.environment = environment
            self.analysis = analysis
        }
    }

    public struct Input: Sendable {
        public var commit: CommitInfo
        public var runs: [Run]
        /// The budget file's path; nil when none was given.
        public var budgetFile: String?
        /// The gate's outcome on each class's runs (keyed by class name), when a budget file was given.
        /// A class absent from the map had no rule of the budget file apply to it.
        public var gate: [String: GateOutcome]
        public var campaigns: [Campaign]
        /// Users the release must carry (`--expected-peak`).
        public var expectedPeak: Double?

        public init(
            commit: CommitInfo, runs: [Run], budgetFile: String?, gate: [String: GateOutcome], campaigns: [Campaign], expectedPeak: Double?
        ) {
            self.commit = commit
            self.runs = runs
            self.budgetFile = budgetFile
            self.gate = gate
            self.campaigns = campaigns
            self.expectedPeak = expectedPeak
        }
    }

    /// Assembles the summary. Classes come from the runs; a class without runs is never listed.
    public static func assess(_ input: Input) -> ReadinessReport {
        let groups = classes(input.runs.map { ($0.detail.run.id, $0.profile) })
        let byId = Dictionary(uniqueKeysWithValues: input.runs.map { ($0.detail.run.id, $0) })
        var out: [ReadinessClass] = []
        for (name, ids) in groups {
            let runs = ids.compactMap { byId[$0] }
            let sla = SLA(budgetFile: input.budgetFile, outcome: input.gate[name], runIds: ids)
            let keys = Set(runs.map { "\($0.detail.run.scenario)\u{0}\($0.detail.run.environment)" })
            let capacity = input.campaigns.filter { keys.contains("\($0.scenario)\u{0}\($0.environment)") }.map {
                CapacityLine(campaign: $0, expectedPeak: input.expectedPeak)
            }
            let drift: [DriftLine]? = name == endurance ? runs.flatMap(DriftLine.lines(of:)) : nil
            out.append(
                ReadinessClass(
                    name: name, runIds: ids, sla: sla, capacity: capacity, drift: drift, serverPeaks: ServerPeak.peaks(of: runs),
                    expectedPeak: input.expectedPeak))
        }
        return ReadinessReport(commit: input.commit, budgetFile: input.budgetFile, expectedPeak: input.expectedPeak, classes: out)
    }
}

/// Ready, not ready, or unknown: never stronger than the inputs.
public enum ReadinessVerdict: String, Sendable, Hashable, Codable, Comparable {
    case ready
    case notReady = "not ready"
    case unknown

    /// Worst first: not ready, unknown, ready.
    var rank: Int {
        switch self {
        case .notReady: return 0
        case .unknown: return 1
        case .ready: return 2
        }
    }

    public static func < (a: ReadinessVerdict, b: ReadinessVerdict) -> Bool { a.rank < b.rank }

    /// `perfgate readiness`'s exit status, the same codes as `check`: 0 ready, 2 not ready, 3 unknown.
    public var exitStatus: ExitStatus {
        switch self {
        case .ready: return .success
        case .notReady: return .gateFailed
        case .unknown: return .baselineMissing
        }
    }
}

/// SLA compliance of a class: the budget rules that apply to its runs as the gate decided them.
public struct SLA: Sendable, Hashable {
    public struct Rule: Sendable, Hashable {
        public var finding: Finding
        /// ``FindingDescription/label``: the gate's words.
        public var label: String
        /// `api (all) p95 < 500.00 ms`.
        public var rule: String
    }

    public var budgetFile: String?
    public var rules: [Rule]
    /// The runs the gate read.
    public var runIds: [Int64]
    /// The gate's notices (a baseline from another environment, …).
    public var notices: [String]

    public init(budgetFile: String?, outcome: GateOutcome?, runIds: [Int64]) {
        self.budgetFile = budgetFile
        self.runIds = runIds
        notices = outcome?.notices ?? []
        rules = (outcome?.findings ?? []).sorted { $0.severityRank < $1.severityRank }.map { f in
            let series = (f.scenario.isEmpty ? "" : f.scenario + " ") + f.seriesLabel
            return Rule(finding: f, label: FindingDescription(f).label, rule: series + (f.limit.isEmpty ? "" : " " + f.limit))
        }
    }

    /// Pass, improved (the rule held).
    public var passed: Int { rules.filter { $0.finding.verdict == .pass || $0.finding.verdict == .improved }.count }
    public var warned: Int { rules.filter { $0.finding.verdict == .warn }.count }
    public var failed: Int { rules.filter { $0.finding.verdict == .fail }.count }
    /// Insufficient data and no baseline: not evaluated, never counted as passed.
    public var insufficient: Int { rules.filter { $0.finding.verdict == .insufficientData || $0.finding.verdict == .noBaseline }.count }
    /// Rules the gate decided (pass, improved, warn, fail).
    public var evaluated: Int { passed + warned + failed }

    /// `2 pass, 1 FAIL, 1 insufficient data` or why there is nothing to say.
    public var summary: String {
        guard budgetFile != nil else { return "unknown: no budget file" }
        guard !rules.isEmpty else { return "unknown: no rule of the budget file applies to these runs" }
        var parts: [String] = []
        if failed > 0 { parts.append("\(failed) FAIL") }
        if warned > 0 { parts.append("\(warned) warn") }
        if passed > 0 { parts.append("\(passed) pass") }
        let noBaseline = rules.filter { $0.finding.verdict == .noBaseline }.count
        if insufficient - noBaseline > 0 { parts.append("\(insufficient - noBaseline) insufficient data") }
        if noBaseline > 0 { parts.append("\(noBaseline) no baseline") }
        return parts.joined(separator: ", ")
    }

    /// `3/4 rules passed (1 insufficient data, not counted)`; `—` without rules.
    public var score: String {
        guard budgetFile != nil, !rules.isEmpty else { return "—" }
        var s = "\(passed + warned)/\(evaluated) rules passed"
        var notes: [String] = []
        if warned > 0 { notes.append("\(warned) with a warning") }
        if insufficient > 0 { notes.append("\(insufficient) not evaluated (insufficient data or no baseline), not counted") }
        if !notes.isEmpty { s += " (" + notes.joined(separator: "; ") + ")" }
        return s
    }
}

/// The knee of one campaign and the headroom it leaves over the expected peak.
public struct CapacityLine: Sendable, Hashable {
    public var scenario: String
    public var environment: String
    public var knee: Knee
    /// The runs whose levels form the curve.
    public var runIds: [Int64]
    public var headroom: Headroom

    public init(campaign c: Readiness.Campaign, expectedPeak: Double?) {
        scenario = c.scenario
        environment = c.environment
        knee = c.analysis.knee
        runIds = Array(Set(c.analysis.levels.flatMap(\.runIds))).sorted()
        headroom = Headroom(knee: c.analysis.knee, levels: c.analysis.levels.count, expectedPeak: expectedPeak)
    }
}

/// Capacity over the expected peak: `capacity ÷ expected peak`, where the knee allows it.
public struct Headroom: Sendable, Hashable {
    /// capacity ÷ expected peak, or its lower bound when the knee was not reached; nil when unknown.
    public var ratio: Double?
    /// True when `ratio` is a lower bound (no knee up to the highest load measured).
    public var atLeast: Bool
    /// What it means for readiness: ready (enough), not ready (the knee is at or below the peak), unknown.
    public var verdict: ReadinessVerdict
    public var text: String

    public init(knee: Knee, levels: Int, expectedPeak: Double?) {
        func users(_ u: Double) -> String { Formatting.value(u, unit: .count) + " users" }
        func times(_ r: Double) -> String { Formatting.fixed(r, 2) + "×" }
        atLeast = false
        ratio = nil
        guard levels >= 2 else {
            verdict = .unknown
            text = "unknown: no capacity campaign (\(levels == 1 ? "one load level" : "no load level"); a knee needs at least two)"
            return
        }
        guard let peak = expectedPeak else {
            verdict = .unknown
            text = "unknown: no expected peak (--expected-peak USERS)"
            return
        }
        switch knee {
        case .notMeasured(let reason):
            verdict = .unknown
            text = "unknown: knee not measured (\(reason))"
        case .found(let within, let past, _):
            let r = within / peak
            ratio = r
            if within >= peak {
                verdict = .ready
                text = "\(times(r)) the expected peak (capacity \(users(within)) ÷ \(users(peak)))"
            } else if past <= peak {
                verdict = .notReady
                text = "\(times(r)): the knee (between \(users(within)) and \(users(past))) is at or below the expected peak of \(users(peak))"
            } else {
                ratio = nil
                verdict = .unknown
                text = "unknown: the expected peak of \(users(peak)) lies inside the knee's bracket (\(users(within)) to \(users(past)))"
            }
        case .notReached(let highest):
            if highest >= peak {
                ratio = highest / peak
                atLeast = true
                verdict = .ready
                text = "at least \(times(highest / peak)) the expected peak (no knee up to \(users(highest)) ÷ \(users(peak)))"
            } else {
                verdict = .unknown
                text = "unknown: no knee up to \(users(highest)), below the expected peak of \(users(peak))"
            }
        }
    }
}

/// The drift verdict of one series of an endurance run, at the default minimum (5 %/h).
public struct DriftLine: Sendable, Hashable {
    public var runId: Int64
    /// `latency p95` or the server metric's name.
    public var series: String
    public var verdict: Drift.Verdict
    /// ``Drift/words(_:minimum:)``.
    public var words: String

    /// The latency series first, then each server series by name; series that carry no drift statistics
    /// (no time series) say so.
    static func lines(of run: Readiness.Run) -> [DriftLine] {
        let r = run.detail.result
        let id = run.detail.run.id
        var out: [DriftLine] = []
        func add(_ name: String, _ key: SeriesKey) {
            let rel = r.series(key).flatMap { Drift.Relative(statistics: $0.stats) }
            out.append(
                DriftLine(
                    runId: id, series: name, verdict: rel?.verdict(minimum: Drift.defaultMinimum) ?? .notEnoughData,
                    words: Drift.words(rel)))
        }
        add("latency p95", SeriesKey(endpoint: "", metric: SeriesKey.requestLatencyMetric))
        for s in (r.serverSeries ?? []).sorted(by: { $0.name < $1.name }) { add(s.name, SeriesKey(endpoint: "", metric: s.name)) }
        return out
    }
}

/// The highest p95 and maximum of one server metric over a class's runs.
public struct ServerPeak: Sendable, Hashable {
    public var metric: String
    public var unit: MetricUnit
    public var p95: Double?
    public var p95RunId: Int64?
    public var max: Double?
    public var maxRunId: Int64?

    /// `app_memory_bytes p95 85.3 MB (run 3), max 90.1 MB (run 3)`.
    public var text: String {
        var parts: [String] = []
        if let v = p95, let id = p95RunId { parts.append("p95 \(Formatting.value(v, unit: unit)) (run \(id))") }
        if let v = max, let id = maxRunId { parts.append("max \(Formatting.value(v, unit: unit)) (run \(id))") }
        return metric + " " + parts.joined(separator: ", ")
    }

    static func peaks(of runs: [Readiness.Run]) -> [ServerPeak] {
        var byName: [String: ServerPeak] = [:]
        for run in runs.sorted(by: { $0.detail.run.id < $1.detail.run.id }) {
            for s in run.detail.result.serverSeries ?? [] {
                guard let stats = run.detail.result.series(SeriesKey(endpoint: "", metric: s.name)) else { continue }
                var peak = byName[s.name] ?? ServerPeak(metric: s.name, unit: stats.unit)
                let id = run.detail.run.id
                if let v = stats.stats[.p95], peak.p95.map({ v > $0 }) ?? true { (peak.p95, peak.p95RunId) = (v, id) }
                if let v = stats.stats[.max], peak.max.map({ v > $0 }) ?? true { (peak.max, peak.maxRunId) = (v, id) }
                byName[s.name] = peak
            }
        }
        return byName.keys.sorted().map { byName[$0]! }
    }
}

/// One class's row of the summary.
public struct ReadinessClass: Sendable, Hashable {
    public var name: String
    public var runIds: [Int64]
    public var sla: SLA
    public var capacity: [CapacityLine]
    /// The drift lines of an endurance class; nil for every other class.
    public var drift: [DriftLine]?
    public var serverPeaks: [ServerPeak]
    public var verdict: ReadinessVerdict
    /// Why the verdict is what it is, one short clause each.
    public var reasons: [String]

    init(name: String, runIds: [Int64], sla: SLA, capacity: [CapacityLine], drift: [DriftLine]?, serverPeaks: [ServerPeak], expectedPeak: Double?) {
        self.name = name
        self.runIds = runIds
        self.sla = sla
        self.capacity = capacity
        self.drift = drift
        self.serverPeaks = serverPeaks
        var notReady: [String] = []
        var unknown: [String] = []
        if sla.failed > 0 { notReady.append("\(sla.failed) rule\(sla.failed == 1 ? "" : "s") FAIL") }
        if sla.budgetFile == nil {
            unknown.append("no budget file")
        } else if sla.rules.isEmpty {
            unknown.append("no rule applies")
        } else if sla.insufficient > 0 {
            unknown.append("\(sla.insufficient) rule\(sla.insufficient == 1 ? "" : "s") not evaluated")
        }
        if expectedPeak != nil {
            if capacity.isEmpty { unknown.append("no capacity campaign") }
            for c in capacity {
                let label = capacity.count > 1 ? " (\(c.scenario))" : ""
                if c.headroom.verdict == .notReady { notReady.append("capacity below the expected peak" + label) }
                if c.headroom.verdict == .unknown { unknown.append("headroom unknown" + label) }
            }
        }
        verdict = !notReady.isEmpty ? .notReady : !unknown.isEmpty ? .unknown : .ready
        reasons = verdict == .ready ? (expectedPeak == nil ? ["every rule held; capacity not judged (no expected peak)"] : ["every rule held, capacity above the expected peak"]) : notReady + unknown
    }

    /// `runs 1, 2, 3`.
    public var runsText: String { Readiness.runsText(runIds) }
    public var capacityText: String {
        guard !capacity.isEmpty else { return "unknown: no capacity campaign" }
        return capacity.map { c in
            (capacity.count > 1 ? c.scenario + ": " : "") + c.knee.summary + " (" + Readiness.runsText(c.runIds) + ")"
        }.joined(separator: "; ")
    }
    public var headroomText: String {
        guard !capacity.isEmpty else { return "unknown: no capacity campaign" }
        return capacity.map { (capacity.count > 1 ? $0.scenario + ": " : "") + $0.headroom.text }.joined(separator: "; ")
    }
    /// The drift lines, or why there are none.
    public var driftText: String {
        guard let drift else { return "— (drift is read on endurance runs)" }
        if drift.isEmpty { return "no endurance run: drift unknown" }
        return drift.map { "\($0.series): \($0.words) (run \($0.runId))" }.joined(separator: "; ")
    }
    public var serverPeaksText: String {
        serverPeaks.isEmpty ? "none attached" : serverPeaks.map(\.text).joined(separator: "; ")
    }
    /// `not ready: 1 rule FAIL`.
    public var verdictText: String { verdict.rawValue + ": " + reasons.joined(separator: "; ") }
}

/// The whole summary: every output (table, Markdown, JSON, the release page) renders this, in these words.
public struct ReadinessReport: Sendable, Hashable {
    public var commit: CommitInfo
    public var budgetFile: String?
    public var expectedPeak: Double?
    public var classes: [ReadinessClass]

    public init(commit: CommitInfo, budgetFile: String?, expectedPeak: Double?, classes: [ReadinessClass]) {
        self.commit = commit
        self.budgetFile = budgetFile
        self.expectedPeak = expectedPeak
        self.classes = classes
    }

    /// The worst class verdict; unknown without classes.
    public var verdict: ReadinessVerdict { classes.map(\.verdict).min() ?? .unknown }

    /// `no endurance run: drift unknown` when no class is an endurance class.
    public var driftNote: String? {
        classes.contains { $0.name == Readiness.endurance } ? nil : "no endurance run: drift unknown"
    }

    /// `overall: not ready — stress: 1 rule FAIL; endurance: headroom unknown`.
    public var overall: String {
        var s = "overall: " + verdict.rawValue
        let against = classes.filter { $0.verdict == verdict && verdict != .ready }
        if !against.isEmpty { s += " — " + against.map { "\($0.name): \($0.reasons.joined(separator: ", "))" }.joined(separator: "; ") }
        if verdict == .ready && expectedPeak == nil { s += " — capacity not judged (no expected peak)" }
        if let d = driftNote { s += " · " + d }
        return s
    }

    /// `readiness · commit 1a1a1a1a on main · budget b.json · expected peak 200 users`.
    public var header: String {
        var s = "readiness · commit \(commit.shortSha) on \(commit.branch)"
        s += " · " + (budgetFile.map { "budget \($0)" } ?? "no budget file")
        s += " · " + (expectedPeak.map { "expected peak \(Formatting.value($0, unit: .count)) users" } ?? "no expected peak")
        return s
    }

    /// The rows every output prints per class, label and text: the one place their words are chosen.
    public static func rows(_ c: ReadinessClass) -> [(label: String, text: String)] {
        [
            ("runs", c.runsText), ("SLA compliance", c.sla.summary), ("budget score", c.sla.score), ("capacity", c.capacityText),
            ("headroom", c.headroomText), ("drift", c.driftText), ("server peaks", c.serverPeaksText), ("verdict", c.verdictText),
        ]
    }
}

extension Readiness {
    /// `run 3`, `runs 1, 2, 3`, `no runs`.
    public static func runsText(_ ids: [Int64]) -> String {
        if ids.isEmpty { return "no runs" }
        return (ids.count == 1 ? "run " : "runs ") + ids.map(String.init).joined(separator: ", ")
    }
}
