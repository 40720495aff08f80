import Foundation

extension BudgetSet {
    /// The effective budget file: every default written out, `defaults` merged into each budget,
    /// every rule listed in its budget with canonical units (`ms`, `%`, `/s`, `B`, plain counts).
    ///
    /// Rules are written as `max` (`<=`), `min` (`>=`), `regression`, `significant`, `warn`; strict
    /// limits (`<`, `>`) as `expressions`. The result is itself a valid version-1 budget file that
    /// validates to a set equal to this one except for each rule's `source` and `path`, which then
    /// point into the effective file (compare with ``withoutRuleSources``).
    ///
    /// One entry is written per budget; a budget whose rules carry different weights or `key` flags
    /// (possible only in code, never from a file) is written as one entry per weight and key.
    public func effectiveFile() -> BudgetFile {
        var entries: [BudgetFile.Entry] = []
        for budget in budgets {
            var groups: [(weight: Double, key: Bool, rules: [Rule])] = []
            for rule in budget.rules {
                if let i = groups.firstIndex(where: { $0.weight == rule.weight && $0.key == rule.key }) {
                    groups[i].rules.append(rule)
                } else {
                    groups.append((rule.weight, rule.key, [rule]))
                }
            }
            if groups.isEmpty { groups = [(1, false, [])] }
            for group in groups {
                let fail = Self.fields(group.rules.filter { $0.level == .fail })
                let warn = Self.fields(group.rules.filter { $0.level == .warn })
                let s = budget.selector
                entries.append(
                    BudgetFile.Entry(
                        name: budget.name, scenario: s.scenario, environment: s.environment, endpoint: s.endpoint,
                        metric: s.effectiveMetric, tags: s.tags.isEmpty ? nil : s.tags, weight: group.weight,
                        key: group.key, rules: fail, warn: warn.isEmpty ? nil : warn))
            }
        }
        return BudgetFile(
            schema: BudgetFile.schemaURL, version: BudgetFile.currentVersion, requireBaseline: requireBaseline,
            baseline: BudgetFile.Baseline(
                branch: baseline.branch, strategy: baseline.strategy.rawValue, window: baseline.window,
                aggregate: baseline.aggregate.rawValue, allowEnvironmentMismatch: baseline.allowEnvironmentMismatch),
            statistics: BudgetFile.Statistics(
                alpha: statistics.alpha, correction: statistics.correction.rawValue, minHistory: statistics.minHistory,
                singlePairCanFail: statistics.singlePairCanFail),
            score: score.map { BudgetFile.Score(pass: $0.pass, warn: $0.warn) },
            budgets: entries.isEmpty && capacity != nil ? nil : entries,
            capacity: capacity.map { BudgetFile.CapacityRules(knee: $0.source) },
            // The default (`whole`) is left out, so files that never mention it dump as before.
            steadyState: steadyState == .whole ? nil : steadyState.rawValue)
    }

    /// ``effectiveFile()`` as pretty JSON with sorted keys and a final newline: what
    /// `perfgate budgets dump --effective` prints.
    public func effectiveJSON() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        var data = try encoder.encode(effectiveFile())
        data.append(UInt8(ascii: "\n"))
        return data
    }

    /// This set with every rule's `source` and `path` cleared: two sets that check the same things
    /// compare equal however their rules were written (`p(95)<200` or `"max": {"p95": …}`).
    public var withoutRuleSources: BudgetSet {
        var copy = self
        for b in copy.budgets.indices {
            for r in copy.budgets[b].rules.indices {
                copy.budgets[b].rules[r].source = ""
                copy.budgets[b].rules[r].path = ""
            }
        }
        return copy
    }

    static func fields(_ rules: [Rule]) -> BudgetFile.Rules {
        var max: [String: BudgetFile.Value] = [:]
        var min: [String: BudgetFile.Value] = [:]
        var regression: [String: BudgetFile.Value] = [:]
        var significant: [String: BudgetFile.Value] = [:]
        var drift: [String: BudgetFile.Value] = [:]
        var steady: Bool?
        var expressions: [String] = []
        for rule in rules {
            let stat = rule.statistic.rawValue
            switch rule.kind {
            case .absolute(let op, let limit):
                let value = EffectiveFormat.value(limit, unit: rule.unit)
                if op == .le, max[stat] == nil {
                    max[stat] = .string(value)
                } else if op == .ge, min[stat] == nil {
                    min[stat] = .string(value)
                } else {
                    expressions.append("\(stat) \(op.rawValue) \(value)")
                }
            case .relative(let limit, let absoluteAmount):
                if regression[stat] == nil {
                    regression[stat] = .string(
                        absoluteAmount ? EffectiveFormat.value(limit, unit: rule.unit) : EffectiveFormat.percent(limit))
                }
            case .statistical(let minEffect):
                if significant[stat] == nil { significant[stat] = .string(EffectiveFormat.percent(minEffect)) }
            case .drift(let limit):
                if drift[stat] == nil { drift[stat] = .string(EffectiveFormat.percent(limit) + "/h") }
            case .steady:
                steady = true
            }
        }
        return BudgetFile.Rules(
            max: max.isEmpty ? nil : max, min: min.isEmpty ? nil : min, regression: regression.isEmpty ? nil : regression,
            significant: significant.isEmpty ? nil : significant, expressions: expressions.isEmpty ? nil : expressions,
            drift: drift.isEmpty ? nil : drift, steady: steady)
    }
}

/// Canonical spellings of limits in the effective file, chosen to read back to the same `Double`.
enum EffectiveFormat {
    static func value(_ v: Double, unit: MetricUnit?) -> String {
        switch unit {
        case .milliseconds?: return BudgetNumber.format(v) + "ms"
        case .ratio?: return percent(v)
        case .perSecond?: return BudgetNumber.format(v) + "/s"
        case .bytes?: return BudgetNumber.format(v) + "B"
        case .percent?: return BudgetNumber.format(v) + "%"
        case .count?, .none?, nil: return BudgetNumber.format(v)
        }
    }

    /// A fraction as the shortest percentage that reads back to exactly the same fraction.
    static func percent(_ fraction: Double) -> String {
        for precision in 1...17 {
            let text = String(format: "%.\(precision)g", fraction * 100)
            if let d = Double(text), d / 100 == fraction {
                if let n = Double(text), n == n.rounded(), abs(n) < 1e15 { return BudgetNumber.format(n) + "%" }
                return text + "%"
            }
        }
        return "\(fraction * 100)%"
    }
}
