import Foundation

/// A pinned baseline, `Baselines/NAME.json`: reviewable in pull requests like code. Pretty-printed
/// with sorted keys and no timestamps, so a diff shows exactly which numbers moved.
public struct BaselineFile: Sendable, Hashable, Codable {
    public struct Series: Sendable, Hashable, Codable {
        public var endpoint: String
        public var metric: String
        public var unit: String
        public var direction: String
        /// Statistic → value (canonical units), aggregated over the source runs (median).
        public var stats: [String: Double]
    }

    public struct Scenario: Sendable, Hashable, Codable {
        public var tool: String
        public var series: [Series]
    }

    public var version: Int
    public var name: String
    /// Branch and commits the numbers come from, and how many runs were aggregated.
    public var branch: String
    public var commits: [String]
    public var runs: Int
    public var environment: String
    public var scenarios: [String: Scenario]

    public static let currentVersion = 1

    public init(name: String, branch: String, commits: [String], runs: Int, environment: String, scenarios: [String: Scenario]) {
        self.version = BaselineFile.currentVersion
        self.name = name
        self.branch = branch
        self.commits = commits
        self.runs = runs
        self.environment = environment
        self.scenarios = scenarios
    }

    /// Builds a baseline from stored runs (all of one environment), taking the median of each statistic.
    public static func from(name: String, branch: String, runs: [(scenario: String, tool: String, commit: String, series: [SeriesResult])], environment: String) -> BaselineFile {
        var scenarios: [String: Scenario] = [:]
        for scenario in Set(runs.map(\.scenario)).sorted() {
            let rs = runs.filter { $0.scenario == scenario }
            var byKey: [SeriesKey: (SeriesResult, [Statistic: [Double]])] = [:]
            for r in rs {
                for s in r.series {
                    var entry = byKey[s.key] ?? (s, [:])
                    for (k, v) in s.stats { entry.1[k, default: []].append(v) }
                    byKey[s.key] = entry
                }
            }
            let series = byKey.keys.sorted().compactMap { key -> Series? in
                guard let (s, values) = byKey[key] else { return nil }
                var stats: [String: Double] = [:]
                for (k, v) in values { stats[k.rawValue] = Gate.aggregate(v, .median) }
                return Series(endpoint: key.endpoint, metric: key.metric, unit: s.unit.rawValue, direction: s.direction.rawValue, stats: stats)
            }
            scenarios[scenario] = Scenario(tool: rs.first?.tool ?? "", series: series)
        }
        return BaselineFile(
            name: name, branch: branch, commits: Array(Set(runs.map(\.commit))).sorted(), runs: runs.count,
            environment: environment, scenarios: scenarios)
    }

    /// The file's bytes: pretty, sorted keys, trailing newline.
    public func encoded() -> Data {
        let e = JSONEncoder()
        e.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        var d = (try? e.encode(self)) ?? Data()
        d.append(0x0A)
        return d
    }

    /// Decodes and validates a baseline file; errors name the file and JSON path (exit 65).
    public static func decode(_ data: Data, file: String) throws -> BaselineFile {
        if let (loc, msg) = JSONLocator.syntaxError(in: data, file: file) {
            throw PerfgateError(.malformedInput, msg, at: loc)
        }
        do {
            let b = try JSONDecoder().decode(BaselineFile.self, from: data)
            guard b.version <= currentVersion else {
                throw PerfgateError(
                    .malformedInput, "baseline file version \(b.version) is newer than this perfgate reads (\(currentVersion))",
                    at: SourceLocation(file: file, jsonPath: "version"))
            }
            for (name, sc) in b.scenarios {
                for (i, s) in sc.series.enumerated() {
                    guard MetricUnit(rawValue: s.unit) != nil else {
                        throw PerfgateError(.malformedInput, "unknown unit '\(s.unit)'", at: SourceLocation(file: file, jsonPath: "scenarios[\"\(name)\"].series[\(i)].unit"))
                    }
                    guard Direction(rawValue: s.direction) != nil else {
                        throw PerfgateError(.malformedInput, "direction must be 'lower' or 'higher'", at: SourceLocation(file: file, jsonPath: "scenarios[\"\(name)\"].series[\(i)].direction"))
                    }
                }
            }
            return b
        } catch let e as PerfgateError {
            throw e
        } catch let DecodingError.keyNotFound(key, ctx) {
            throw PerfgateError(.malformedInput, "missing key '\(key.stringValue)'", at: SourceLocation(file: file, jsonPath: JSONPath.render(ctx.codingPath + [key])))
        } catch let DecodingError.typeMismatch(_, ctx) {
            throw PerfgateError(.malformedInput, ctx.debugDescription, at: SourceLocation(file: file, jsonPath: JSONPath.render(ctx.codingPath)))
        } catch let DecodingError.valueNotFound(_, ctx) {
            throw PerfgateError(.malformedInput, ctx.debugDescription, at: SourceLocation(file: file, jsonPath: JSONPath.render(ctx.codingPath)))
        } catch {
            throw PerfgateError(.malformedInput, "not a perfgate baseline file", at: SourceLocation(file: file))
        }
    }

    /// The baseline as gate runs, one per scenario.
    public func gateRuns() -> [GateRun] {
        scenarios.keys.sorted().map { name in
            let sc = scenarios[name]!
            let series = sc.series.map { s in
                SeriesResult(
                    key: SeriesKey(endpoint: s.endpoint, metric: s.metric), unit: MetricUnit(rawValue: s.unit) ?? .none,
                    direction: Direction(rawValue: s.direction) ?? .lowerIsBetter,
                    stats: Dictionary(uniqueKeysWithValues: s.stats.map { (Statistic(rawValue: $0.key), $0.value) }))
            }
            return GateRun(id: "baseline:\(self.name):\(name)", commitSha: commits.last ?? "", scenario: name, environment: environment, tool: sc.tool, series: series)
        }
    }
}
