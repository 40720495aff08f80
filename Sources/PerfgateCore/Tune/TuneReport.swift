import Foundation

/// What `perfgate tune` reports (docs/tune.md): the budget replayed over a base-branch history.
public struct TuneReport: Sendable, Hashable, Codable {
    public var budgetsFile: String
    public var branch: String
    public var environment: String?
    /// How the commits were ordered: `git first-parent`, `stored parent links` or `commit time`.
    public var order: String
    /// Commits of the history (with runs), and how many were replayed and gated (had a baseline).
    public var historyCommits: Int
    public var replayed: Int
    public var gated: Int
    public var minChange: Double
    public var targetFalseAlarms: Double
    /// Commits where the gate would have failed, and those with at least one false alarm.
    public var failedCommits: [String]
    public var falseAlarmCommits: [String]
    public var warnedCommits: [String]
    /// False-alarm commits per 100 gated commits.
    public var falseAlarmsPer100: Double
    /// Lasting regressions of at least `minChange` caught by any rule / all of them.
    public var caughtChanges: Int
    public var lastingChanges: Int
    public var commits: [CommitRow]
    public var rules: [RuleRow]
    public var alarms: [AlarmRow]
    public var changes: [ChangeRow]
    public var suggestions: [SuggestionRow]
    public var noise: [NoiseRow]
    /// The suggested budget replayed the same way, when there are suggestions.
    public var verification: Verification?
    public var notices: [String]

    public struct CommitRow: Sendable, Hashable, Codable {
        public var sha: String
        /// `fail`, `warn`, `pass`, `no baseline`, `skipped`, `not replayed`.
        public var outcome: String
        public var falseAlarm: Bool
        public var note: String?
        /// The commit's subject line, when git knows it.
        public var subject: String?
    }

    public struct RuleRow: Sendable, Hashable, Codable {
        public var budget: String
        public var ruleClass: String
        public var statistic: String
        public var path: String
        public var limit: String
        public var series: Int
        public var failed: [String]
        public var warned: [String]
        public var trueAlarms: [String]
        public var falseAlarms: [String]
        public var falseAlarmsPer100: Double
        /// Lasting regressions (≥ min change) of this statistic on this rule's series, and those it caught.
        public var changes: Int
        public var caught: Int
        public var perSeries: [SeriesCount]
    }

    public struct SeriesCount: Sendable, Hashable, Codable {
        public var series: String
        public var scenario: String
        public var failed: [String]
        public var warned: [String]
        public var falseAlarms: [String]
    }

    public struct AlarmRow: Sendable, Hashable, Codable {
        public var commit: String
        public var rule: String
        public var path: String
        public var scenario: String
        public var series: String
        public var statistic: String
        /// Worse by this fraction than what the rule compared with.
        public var worse: Double?
        /// `true alarm` (at a lasting regression, or the commit after it) or `false alarm`.
        public var kind: String
        public var changePoint: String?
    }

    public struct ChangeRow: Sendable, Hashable, Codable {
        public var commit: String
        public var scenario: String
        public var series: String
        public var statistic: String
        public var before: Double
        public var after: Double
        public var change: Double
        public var unit: MetricUnit
        public var regression: Bool
        /// A regression of at least min change: one a budget must catch.
        public var mustCatch: Bool
        public var settled: Bool
        public var caughtBy: [String]
    }

    public struct SuggestionRow: Sendable, Hashable, Codable {
        public var path: String
        public var rule: String
        /// Unit of the limits: `ratio` (fractions) for relative and statistical rules, the statistic's
        /// unit for absolute ones.
        public var unit: MetricUnit
        public var current: Double
        /// Smallest candidate limit whose false alarms stay within the target (nil: none does).
        public var quietAt: Double?
        /// Largest candidate limit that still catches every lasting regression ≥ min change
        /// (nil: no limit catches them all; `.infinity`: none to catch).
        public var catchesAllUpTo: Double?
        public var suggested: Double?
        public var conflict: Bool
        /// Minimum detectable effect at the history's noise (statistical rules; worst series).
        public var mde: Double?
        public var mdeSeries: String?
        public var note: String
    }

    public struct NoiseRow: Sendable, Hashable, Codable {
        public var scenario: String
        public var series: String
        public var statistic: String
        public var tool: String
        public var runs: Int
        public var segments: Int
        /// σ of ln(value) between runs within stable segments (≈ CV).
        public var cv: Double?
        public var level: Double
        public var unit: MetricUnit
        /// One resolution step at the level, in the unit and as a fraction of the level.
        public var resolution: Double
        public var resolutionFraction: Double
        /// History length the MDE assumes.
        public var historyRuns: Int
        public var mde: Double?
        public var runsFor5: Int?
        public var runsFor10: Int?
    }

    public struct Verification: Sendable, Hashable, Codable {
        public var falseAlarmCommits: [String]
        public var falseAlarmsPer100: Double
        public var caughtChanges: Int
        public var lastingChanges: Int
        public var failedCommits: [String]

        /// What a replay of the suggested budget (`check`) did.
        public init(replay check: TuneReport) {
            falseAlarmCommits = check.falseAlarmCommits
            falseAlarmsPer100 = check.falseAlarmsPer100
            caughtChanges = check.caughtChanges
            lastingChanges = check.lastingChanges
            failedCommits = check.failedCommits
        }
    }
}

extension Backtest {
    /// Change points of every history (ChangePointDetection as `perfgate detect` runs it, over the whole
    /// replayed history).
    public static func changePoints(_ histories: [SeriesHistory], branch: String) -> [DetectedChangePoint] {
        histories.flatMap { h in
            ChangePointDetection.detect(
                h.points.map { ChangePointDetection.Observation(commitSha: $0.sha, value: $0.value) }, direction: h.direction,
                lastCommits: Int.max,
                label: (h.series.scenario, h.series.environment, branch, h.series.endpoint, h.series.metric, h.statistic.rawValue))
        }
    }

    /// Counts, classifications and suggestions. `order` is every commit of the history in replay order
    /// (oldest first); `records` the replayed ones (a subset, same order).
    public static func analyse(
        budgets: BudgetSet, budgetsFile: String, branch: String, environment: String?, orderName: String, order: [String],
        records: [CommitRecord], histories: [SeriesHistory], changePoints: [DetectedChangePoint], options: Options,
        subjects: [String: String] = [:]
    ) -> TuneReport {
        let position = Dictionary(order.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
        let short = { (sha: String) in String(sha.prefix(8)) }
        func sid(_ c: DetectedChangePoint) -> SeriesID { SeriesID(scenario: c.scenario, environment: c.environment, endpoint: c.endpoint, metric: c.metric) }
        // Regression change points by series and commit position.
        var regressionAt: [SeriesID: [Int: [DetectedChangePoint]]] = [:]
        for c in changePoints where c.isRegression {
            if let p = position[c.commitSha] { regressionAt[sid(c), default: [:]][p, default: []].append(c) }
        }
        /// The regression change point a fail at `sha` on `series` coincides with (at it or one commit after).
        func coinciding(_ series: SeriesID, _ sha: String) -> DetectedChangePoint? {
            guard let p = position[sha], let at = regressionAt[series] else { return nil }
            return (at[p] ?? at[p - 1])?.max { abs($0.relativeChange) < abs($1.relativeChange) }
        }
        // Absolute rules gate a commit without a baseline too: every replayed commit counts.
        let gated = records.filter { $0.evaluated && !$0.baselineMissing }
        let evaluated = records.filter(\.evaluated)
        let gatedCount = max(evaluated.count, 1)

        // Rules and their series.
        var ruleSeries: [RuleID: Set<SeriesID>] = [:]
        var limits: [RuleID: String] = [:]
        for r in records {
            for c in r.coverage { ruleSeries[c.rule, default: []].insert(c.series) }
        }
        let allRules = budgets.budgets.flatMap(\.rules)
        func rule(at path: String) -> Rule? { allRules.first { $0.path == path } }
        for id in ruleSeries.keys { limits[id] = rule(at: id.path).map { $0.source } ?? "" }

        // Every fail, classified.
        var alarms: [TuneReport.AlarmRow] = []
        var falseAlarmCommits: [String] = []
        var failedCommits: [String] = []
        var warnedCommits: [String] = []
        var caughtBy: [String: Set<String>] = [:]  // change key -> rule labels
        func changeKey(_ s: SeriesID, _ stat: String, _ sha: String) -> String { "\(s.scenario)\u{1}\(s.environment)\u{1}\(s.endpoint)\u{1}\(s.metric)\u{1}\(stat)\u{1}\(sha)" }
        var ruleTrue: [RuleID: Set<String>] = [:]
        var ruleFalse: [RuleID: Set<String>] = [:]
        var seriesFalse: [RuleID: [SeriesID: Set<String>]] = [:]
        for r in records where r.evaluated {
            var anyFalse = false
            for a in r.alarms where a.verdict == .fail {
                let cp = coinciding(a.series, r.sha)
                if cp != nil {
                    ruleTrue[a.rule, default: []].insert(r.sha)
                    // Every regression change point of the series at this commit or the one before is caught.
                    if let p = position[r.sha] {
                        for c in (regressionAt[a.series]?[p] ?? []) + (regressionAt[a.series]?[p - 1] ?? []) {
                            caughtBy[changeKey(a.series, c.statistic, c.commitSha), default: []].insert(a.rule.label)
                        }
                    }
                } else {
                    anyFalse = true
                    ruleFalse[a.rule, default: []].insert(r.sha)
                    seriesFalse[a.rule, default: [:]][a.series, default: []].insert(r.sha)
                }
                alarms.append(
                    TuneReport.AlarmRow(
                        commit: r.sha, rule: a.rule.label, path: a.rule.path, scenario: a.series.scenario, series: a.series.label,
                        statistic: a.rule.statistic, worse: a.worse, kind: cp == nil ? "false alarm" : "true alarm",
                        changePoint: cp.map { "\(short($0.commitSha)) \($0.statistic) \(Formatting.signedPercent($0.relativeChange))" }))
            }
            if r.verdict == .fail { failedCommits.append(r.sha) }
            if r.verdict == .warn { warnedCommits.append(r.sha) }
            if anyFalse { falseAlarmCommits.append(r.sha) }
        }

        // Lasting changes.
        let units = Dictionary(histories.map { ("\($0.series.scenario)\u{1}\($0.series.environment)\u{1}\($0.series.endpoint)\u{1}\($0.series.metric)\u{1}\($0.statistic.rawValue)", $0.statistic.unit(seriesUnit: $0.unit)) }, uniquingKeysWith: { a, _ in a })
        var changes: [TuneReport.ChangeRow] = []
        for c in changePoints {
            let s = sid(c)
            let key = changeKey(s, c.statistic, c.commitSha)
            changes.append(
                TuneReport.ChangeRow(
                    commit: c.commitSha, scenario: c.scenario, series: s.label, statistic: c.statistic, before: c.before, after: c.after,
                    change: c.relativeChange, unit: units["\(c.scenario)\u{1}\(c.environment)\u{1}\(c.endpoint)\u{1}\(c.metric)\u{1}\(c.statistic)"] ?? .none,
                    regression: c.isRegression, mustCatch: c.isRegression && abs(c.relativeChange) >= options.minChange - 1e-12,
                    settled: c.settled, caughtBy: (caughtBy[key] ?? []).sorted()))
        }
        changes.sort { (position[$0.commit] ?? 0, $0.scenario, $0.series, $0.statistic) < (position[$1.commit] ?? 0, $1.scenario, $1.series, $1.statistic) }
        let mustCatch = changes.filter(\.mustCatch)
        let replayedSet = Set(records.filter(\.evaluated).map(\.sha))
        // Only changes the replay could have seen (the change commit or the one after it was replayed).
        let catchable = mustCatch.filter { c in
            guard let p = position[c.commit] else { return false }
            return replayedSet.contains(c.commit) || (p + 1 < order.count && replayedSet.contains(order[p + 1]))
        }

        // Per rule.
        var ruleRows: [TuneReport.RuleRow] = []
        for id in ruleSeries.keys.sorted() {
            let series = ruleSeries[id] ?? []
            var failed: Set<String> = []
            var warned: Set<String> = []
            var perFailed: [SeriesID: Set<String>] = [:]
            var perWarned: [SeriesID: Set<String>] = [:]
            for r in records where r.evaluated {
                for a in r.alarms where a.rule == id {
                    if a.verdict == .fail { failed.insert(r.sha); perFailed[a.series, default: []].insert(r.sha) }
                    if a.verdict == .warn { warned.insert(r.sha); perWarned[a.series, default: []].insert(r.sha) }
                }
            }
            let mine = catchable.filter { c in c.statistic == id.statistic && series.contains { $0.scenario == c.scenario && $0.label == c.series } }
            let caught = mine.filter { $0.caughtBy.contains(id.label) }.count
            let inOrder = { (s: Set<String>) in s.sorted { (position[$0] ?? 0) < (position[$1] ?? 0) } }
            let per = series.sorted().compactMap { s -> TuneReport.SeriesCount? in
                let f = perFailed[s] ?? []
                let w = perWarned[s] ?? []
                if f.isEmpty && w.isEmpty { return nil }
                return TuneReport.SeriesCount(
                    series: s.label, scenario: s.scenario, failed: inOrder(f), warned: inOrder(w), falseAlarms: inOrder(seriesFalse[id]?[s] ?? []))
            }
            ruleRows.append(
                TuneReport.RuleRow(
                    budget: id.budget, ruleClass: id.ruleClass.rawValue, statistic: id.statistic, path: id.path, limit: limits[id] ?? "",
                    series: series.count, failed: inOrder(failed), warned: inOrder(warned), trueAlarms: inOrder(ruleTrue[id] ?? []),
                    falseAlarms: inOrder(ruleFalse[id] ?? []), falseAlarmsPer100: 100 * Double(ruleFalse[id]?.count ?? 0) / Double(gatedCount),
                    changes: mine.count, caught: caught, perSeries: per))
        }

        let noise = noiseProfile(histories: histories, changePoints: changePoints, budgets: budgets)
        var perCommit: [String: [String: Double]] = [:]  // series+statistic -> commit -> median of its runs
        for h in histories {
            var runs: [String: [Double]] = [:]
            for p in h.points { runs[p.sha, default: []].append(p.value) }
            perCommit["\(h.series.scenario)\u{1}\(h.series.environment)\u{1}\(h.series.endpoint)\u{1}\(h.series.metric)\u{1}\(h.statistic.rawValue)"] =
                runs.mapValues { Gate.aggregate($0, .median) ?? .nan }
        }
        let suggestions = suggest(
            budgets: budgets, records: evaluated, ruleSeries: ruleSeries, catchable: catchable, position: position, order: order,
            coinciding: { coinciding($0, $1) != nil }, noise: noise, options: options,
            value: { s, stat, sha in perCommit["\(s.scenario)\u{1}\(s.environment)\u{1}\(s.endpoint)\u{1}\(s.metric)\u{1}\(stat)"]?[sha] })

        let bySha = Dictionary(records.map { ($0.sha, $0) }, uniquingKeysWith: { a, _ in a })
        let falseSet = Set(falseAlarmCommits)
        let commitRows = order.map { sha -> TuneReport.CommitRow in
            var row = TuneReport.CommitRow(sha: sha, outcome: "not replayed", falseAlarm: false, subject: subjects[sha])
            guard let r = bySha[sha] else { return row }
            if !r.evaluated {
                row.outcome = r.skipped == nil ? "not replayed" : "skipped"
                row.note = r.skipped
            } else if r.baselineMissing && r.verdict != .fail {
                row.outcome = "no baseline"
            } else {
                row.outcome = r.verdict?.rawValue ?? "pass"
                row.falseAlarm = falseSet.contains(sha)
            }
            return row
        }
        return TuneReport(
            budgetsFile: budgetsFile, branch: branch, environment: environment, order: orderName, historyCommits: order.count,
            replayed: records.filter(\.evaluated).count, gated: gated.count, minChange: options.minChange,
            targetFalseAlarms: options.targetFalseAlarms, failedCommits: failedCommits, falseAlarmCommits: falseAlarmCommits,
            warnedCommits: warnedCommits, falseAlarmsPer100: 100 * Double(falseAlarmCommits.count) / Double(gatedCount),
            caughtChanges: catchable.filter { !$0.caughtBy.isEmpty }.count, lastingChanges: catchable.count, commits: commitRows,
            rules: ruleRows, alarms: alarms, changes: changes, suggestions: suggestions, noise: noise, verification: nil, notices: [])
    }

    /// Suggested limits for each tunable fail-level rule (docs/tune.md "Suggestions").
    static func suggest(
        budgets: BudgetSet, records: [CommitRecord], ruleSeries: [RuleID: Set<SeriesID>], catchable: [TuneReport.ChangeRow],
        position: [String: Int], order: [String], coinciding: (SeriesID, String) -> Bool, noise: [TuneReport.NoiseRow], options: Options,
        value: (SeriesID, String, String) -> Double? = { _, _, _ in nil }
    ) -> [TuneReport.SuggestionRow] {
        let allowed = Int((options.targetFalseAlarms * Double(records.count) + 1e-9).rounded(.down))
        var rows: [TuneReport.SuggestionRow] = []
        var seen = Set<String>()
        for b in budgets.budgets {
            for rule in b.rules where rule.level == .fail && isSuggested(rule) && seen.insert(rule.path).inserted {
                guard let current = limitOf(rule.kind) else { continue }
                let ids = Set(ruleSeries.keys.filter { $0.path == rule.path })
                let label = ids.map(\.label).sorted().first ?? "\(b.name) \(classOf(rule).rawValue) \(rule.statistic.rawValue)"
                let series = ids.reduce(into: Set<SeriesID>()) { $0.formUnion(ruleSeries[$1] ?? []) }
                if case .absolute(let op, _) = rule.kind {
                    if let row = absolute(
                        rule: rule, op: op, current: current, label: label, series: series, records: records, catchable: catchable, position: position,
                        order: order, coinciding: coinciding, options: options, value: value)
                    {
                        rows.append(row)
                    }
                    continue
                }
                // Per gated commit: the largest limit at which a false alarm of this rule would still fire.
                var falseAt: [Double] = []
                var probeBySeriesCommit: [SeriesID: [String: Double]] = [:]
                for r in records {
                    var worst: Double?
                    for a in r.probeFails where ids.contains(a.rule) {
                        let w = a.worse ?? 0
                        probeBySeriesCommit[a.series, default: [:]][r.sha] = max(probeBySeriesCommit[a.series]?[r.sha] ?? -.infinity, w)
                        if !coinciding(a.series, r.sha) { worst = max(worst ?? -.infinity, w) }
                    }
                    if let worst { falseAt.append(worst) }
                }
                let quietAt = options.candidates.first { l in falseAt.filter { $0 > l }.count <= allowed }
                // Every lasting regression ≥ min change of this statistic on the rule's series: the largest
                // limit that still fails at the change commit or the one after it.
                let mine = catchable.filter { c in c.statistic == rule.statistic.rawValue && series.contains { $0.scenario == c.scenario && $0.label == c.series } }
                var catchLimit: Double? = .infinity
                var uncatchable: [String] = []
                for c in mine {
                    guard let s = series.first(where: { $0.scenario == c.scenario && $0.label == c.series }), let p = position[c.commit] else { continue }
                    let next = p + 1 < order.count ? order[p + 1] : nil
                    let w = [c.commit, next].compactMap { $0.flatMap { probeBySeriesCommit[s]?[$0] } }.max()
                    if let w {
                        let largest = options.candidates.last { $0 < w }
                        if let largest { catchLimit = catchLimit.map { min($0, largest) } } else { catchLimit = nil; uncatchable.append("\(c.series) \(c.statistic) at \(c.commit.prefix(8))") }
                    } else {
                        catchLimit = nil
                        uncatchable.append("\(c.series) \(c.statistic) at \(c.commit.prefix(8))")
                    }
                }
                if !uncatchable.isEmpty { catchLimit = nil }
                var conflict = false
                var note: String
                // Within the safe range [quiet from, catches all up to], the candidate nearest its
                // geometric middle: a margin against both noise the history did not show and changes
                // a little smaller than those it did. With nothing to catch, the current limit stays
                // unless it is too noisy.
                var suggested = quietAt
                if let q = quietAt, let c = catchLimit, q <= c {
                    if c.isInfinite {
                        suggested = max(q, current)
                    } else {
                        let middle = (q * c).squareRoot()
                        suggested = options.candidates.filter { $0 >= q && $0 <= c }.min { abs(log($0 / middle)) < abs(log($1 / middle)) } ?? q
                    }
                }
                if let q = quietAt, let c = catchLimit, q > c {
                    conflict = true
                    note = "conflict: a limit quiet enough (≥ \(pct(q))) misses a lasting regression only ≤ \(pct(c)) catches; more runs per commit (noise profile) or a statistical rule"
                } else if quietAt == nil {
                    conflict = true
                    suggested = nil
                    note = "no candidate limit up to \(pct(options.candidates.last ?? 1)) keeps false alarms within the target"
                } else if !uncatchable.isEmpty {
                    conflict = true
                    note = "no limit catches " + uncatchable.joined(separator: ", ") + " (the gate's noise tests hold it back)"
                } else if mine.isEmpty {
                    note = "no lasting regression ≥ \(pct(options.minChange)) on its series to catch"
                } else {
                    note = "catches \(mine.count) lasting regression\(mine.count == 1 ? "" : "s") ≥ \(pct(options.minChange))"
                }
                if let s = suggested, abs(s - current) < 1e-9 { note = "keep; " + note }
                // Statistical rules: the smallest effect the history's noise lets the test see (worst series).
                var mde: Double?
                var mdeSeries: String?
                if case .statistical = rule.kind {
                    for n in noise where n.statistic == rule.statistic.rawValue && series.contains(where: { $0.scenario == n.scenario && $0.label == n.series }) {
                        if let m = n.mde, m > (mde ?? -1) { mde = m; mdeSeries = "\(n.series) \(n.statistic)" }
                    }
                    if let m = mde, let s = suggested, s < m { note += "; below the MDE (\(pct(m))): changes between them are seen only by chance" }
                }
                rows.append(
                    TuneReport.SuggestionRow(
                        path: rule.path, rule: label, unit: .ratio, current: current, quietAt: quietAt, catchesAllUpTo: catchLimit, suggested: suggested,
                        conflict: conflict, mde: mde, mdeSeries: mdeSeries, note: note))
            }
        }
        return rows
    }

    /// An absolute limit (`max`/`min`): its verdict is the commit's value against the limit, so the
    /// history's values say exactly where it would have failed.
    static func absolute(
        rule: Rule, op: Comparison, current: Double, label: String, series: Set<SeriesID>, records: [CommitRecord],
        catchable: [TuneReport.ChangeRow], position: [String: Int], order: [String], coinciding: (SeriesID, String) -> Bool,
        options: Options, value: (SeriesID, String, String) -> Double?
    ) -> TuneReport.SuggestionRow? {
        let upper = op == .lt || op == .le
        let stat = rule.statistic.rawValue
        // "Worse" as a number that grows: the value for a maximum, its negative for a minimum.
        let worse = { (v: Double) in upper ? v : -v }
        let allowed = Int((options.targetFalseAlarms * Double(records.count) + 1e-9).rounded(.down))
        var falseAt: [Double] = []
        for r in records {
            let vs = series.filter { !coinciding($0, r.sha) }.compactMap { value($0, stat, r.sha) }.filter(\.isFinite).map(worse)
            if let m = vs.max() { falseAt.append(m) }
        }
        guard !falseAt.isEmpty else { return nil }
        falseAt.sort(by: >)
        // The limit must hold the (allowed+1)-th worst value of a commit without a lasting change.
        let hold = allowed < falseAt.count ? falseAt[allowed] : -Double.infinity
        var quiet: Double? = hold.isFinite ? (upper ? nice(hold, up: true) : -nice(-hold, up: false)) : nil
        if let q = quiet, !op.holds(upper ? hold : -hold, q) { quiet = upper ? q * 1.01 : q * 0.99 }
        let unit = rule.statistic.unit(seriesUnit: rule.unit ?? .milliseconds)
        var catchLimit: Double? = .infinity
        var uncatchable: [String] = []
        let mine = catchable.filter { c in c.statistic == stat && series.contains { $0.scenario == c.scenario && $0.label == c.series } }
        for c in mine {
            guard let s = series.first(where: { $0.scenario == c.scenario && $0.label == c.series }), let p = position[c.commit] else { continue }
            let next = p + 1 < order.count ? order[p + 1] : nil
            guard let w = [c.commit, next].compactMap({ $0.flatMap { value(s, stat, $0) } }).map(worse).max() else { continue }
            // The largest limit the value still breaks.
            let l = upper ? nice(w, up: false) : -nice(-w, up: true)
            let broken = !op.holds(upper ? w : -w, l) ? l : (upper ? l * 0.99 : l * 1.01)
            if let cl = catchLimit { catchLimit = cl.isInfinite ? broken : (upper ? min(cl, broken) : max(cl, broken)) }
            if upper ? broken <= 0 : false { uncatchable.append("\(c.series) \(stat) at \(c.commit.prefix(8))") }
        }
        var conflict = false
        var suggested = quiet
        var note: String
        let text = { (v: Double) in Formatting.value(v, unit: unit) }
        if let q = quiet, let c = catchLimit, c.isFinite, upper ? q > c : q < c {
            conflict = true
            note = "conflict: a limit quiet enough (\(upper ? "≥" : "≤") \(text(q))) does not catch a lasting regression only \(upper ? "≤" : "≥") \(text(c)) catches"
        } else if quiet == nil {
            note = "no limit keeps false alarms within the target"
        } else if mine.isEmpty {
            // Nothing lasting to catch: keep the limit unless it raises false alarms.
            if let q = quiet, op.holds(upper ? hold : -hold, current) || (upper ? current >= q : current <= q) { suggested = current }
            note = "no lasting regression ≥ \(pct(options.minChange)) of \(stat) on its series to catch"
        } else {
            note = "catches \(mine.count) lasting regression\(mine.count == 1 ? "" : "s") ≥ \(pct(options.minChange))"
        }
        if let s = suggested, abs(s - current) < 1e-9 { note = "keep; " + note }
        return TuneReport.SuggestionRow(
            path: rule.path, rule: label, unit: unit, current: current, quietAt: quiet, catchesAllUpTo: catchLimit, suggested: suggested,
            conflict: conflict, mde: nil, mdeSeries: nil, note: note)
    }

    static func pct(_ v: Double) -> String {
        guard v.isFinite else { return "∞" }
        let x = v * 100
        return (abs(x - x.rounded()) < 1e-9 ? String(Int(x.rounded())) : Formatting.fixed(x, 1)) + "%"
    }

    /// Run-to-run spread of p50 and p95 (and the statistics of statistical rules) within stable segments.
    static func noiseProfile(histories: [SeriesHistory], changePoints: [DetectedChangePoint], budgets: BudgetSet) -> [TuneReport.NoiseRow] {
        let wanted: Set<Statistic> = Set([.p50, .p95] + budgets.budgets.flatMap(\.rules).filter { if case .statistical = $0.kind { return true } else { return false } }.map(\.statistic))
        var rows: [TuneReport.NoiseRow] = []
        for h in histories where wanted.contains(h.statistic) && h.statistic != .errorRate {
            let values = h.points.map(\.value)
            guard values.count >= 2 else { continue }
            let cuts = Set(changePoints.filter {
                $0.scenario == h.series.scenario && $0.environment == h.series.environment && $0.endpoint == h.series.endpoint
                    && $0.metric == h.series.metric && $0.statistic == h.statistic.rawValue
            }.map(\.commitSha))
            var segments: [[Double]] = [[]]
            var previous: String?
            for (sha, v) in h.points {
                if sha != previous, cuts.contains(sha), !(segments.last ?? []).isEmpty { segments.append([]) }
                previous = sha
                if v > 0, v.isFinite { segments[segments.count - 1].append(log(v)) }
            }
            var ss = 0.0
            var df = 0
            for s in segments where s.count >= 2 {
                ss += Stats.sumOfSquares(s)
                df += s.count - 1
            }
            let sigma: Double? = df > 0 ? (ss / Double(df)).squareRoot() : nil
            let level = Stats.median(Array(values.suffix(max(segments.last?.count ?? 1, 1))))
            let step = Gate.resolution(tool: h.tool, unit: h.unit, at: level, observed: values)
            let stepFraction = level > 0 ? step / level : 0
            let n = max(2, min(budgets.baseline.window, segments.last?.count ?? 2))
            let alpha = budgets.statistics.alpha
            // Rounding to the resolution adds step/√12 per value (the gate's σ_q floor).
            let eff = sigma.map { max($0, stepFraction / 12.0.squareRoot()) }
            rows.append(
                TuneReport.NoiseRow(
                    scenario: h.series.scenario, series: h.series.label, statistic: h.statistic.rawValue, tool: h.tool, runs: values.count,
                    segments: segments.count, cv: sigma, level: level, unit: h.statistic.unit(seriesUnit: h.unit), resolution: step,
                    resolutionFraction: stepFraction, historyRuns: n, mde: eff.map { Stats.Noise.mde(sigma: $0, history: n, current: 1, alpha: alpha) },
                    runsFor5: eff.flatMap { Stats.Noise.runsNeeded(sigma: $0, history: n, target: 0.05, alpha: alpha) },
                    runsFor10: eff.flatMap { Stats.Noise.runsNeeded(sigma: $0, history: n, target: 0.10, alpha: alpha) }))
        }
        return rows.sorted { ($0.scenario, $0.series, $0.statistic) < ($1.scenario, $1.series, $1.statistic) }
    }
}
