import ArgumentParser
import Foundation
import PerfgateCore
import PerfgateEngine
import PerfgateIngest

extension PerfgateCommand {
    struct Budgets: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "budgets",
            abstract: "Check a budget file, or print it with every default applied.",
            discussion: """
                The format is described in docs/budgets.md and schemas/budgets.schema.json.

                Examples:
                  perfgate budgets validate budgets.json
                  perfgate budgets validate budgets.json --against results/
                """,
            subcommands: [Validate.self, Dump.self])
    }
}

extension PerfgateCommand.Budgets {
    struct Validate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "validate",
            abstract: "Validate a budget file, optionally against result files: exit 0 when valid, 65 with every error when not.",
            discussion: """
                Prints a one-line summary on stdout, and warnings and errors on stderr, each naming the \
                JSON path (and line and column for JSON syntax errors). A missing file exits 66.

                With --against FILE... (result files or directories, formats detected as by ingest), the \
                budgets are also matched against those results with the gate's own matching, and nothing is \
                stored: every budget that would match no series, every statistic that no matched series \
                reports and every limit whose unit does not fit its series is an error (exit 65), exactly \
                what `perfgate check` would refuse. Otherwise each budget is listed with the series it \
                matched. --scenario, --environment and --tag label the results as check would.

                Examples:
                  $ perfgate budgets validate budgets.json
                  6 budgets, 9 rules
                  $ perfgate budgets validate budgets.json --against results/k6.json
                  6 budgets, 9 rules
                  against 1 run (22 series): default ← results/k6.json
                    budgets[0] Latency vs main: 5 series (default: (all), /api/orders, /api/products, ...)
                    budgets[1] API: 4 series (default: /api/orders, /api/products, /api/search, /api/users)
                    ...
                """)

        @Argument(help: ArgumentHelp("The budget file.", valueName: "file")) var file: String = "budgets.json"

        @Option(
            name: .customLong("against"), parsing: .upToNextOption,
            help: ArgumentHelp("Result files or directories to match the budgets against (nothing is stored).", valueName: "file"))
        var against: [String] = []

        @Option(name: .customLong("input-format"), help: ArgumentHelp("Format of the --against files instead of detection.", valueName: "format"))
        var inputFormat: InputFormat?

        @Option(help: ArgumentHelp("Scenario of the --against results (default: the file's own, else 'default').", valueName: "name"))
        var scenario: String?

        @Option(help: ArgumentHelp("Environment of the --against results (default: as for check).", valueName: "name"))
        var environment: String?

        @Option(name: .customLong("tag"), help: ArgumentHelp("A run tag of the --against results, k=v (repeatable).", valueName: "k=v"))
        var tags: [String] = []

        func run() async throws {
            let status: ExitStatus = try await withDiagnostics {
                let (set, _) = try BudgetFileLoader.load(file)
                Console.out(BudgetFileLoader.summary(set))
                guard !against.isEmpty else { return .success }
                var labels = RunLabelOptions()
                labels.scenario = scenario
                labels.environment = environment
                labels.tags = tags
                let pipeline = IngestPipeline(
                    format: inputFormat, formatFlag: "--input-format", commits: .fixed(CommitInfo(sha: "0000000", branch: "")),
                    scenario: scenario, environmentOverride: labels.environmentOverride,
                    defaultEnvironment: EnvironmentFingerprint.current(), tags: try labels.parsedTags(), clock: SystemWallClock(), perfgateVersion: PerfgateVersion.current,
            events: .console)
                let parsed = try pipeline.parse(IngestPipeline.collect(against))
                let matches = BudgetMatches(budgets: set, budgetsFile: file, current: parsed.map(\.gateRun))
                let seriesCount = matches.current.count
                Console.out("against \(parsed.count) run\(parsed.count == 1 ? "" : "s") (\(seriesCount) series): "
                    + parsed.map { "\($0.context.scenario) ← \($0.set.primary.displayPath)" }.joined(separator: "; "))
                for (budget, ids) in zip(set.budgets, matches.matched) {
                    Console.out(TerminalText.escape("  \(budget.path) \(budget.name): \(Self.describe(ids))"))
                }
                for p in matches.problems { Console.print(p.diagnostic) }
                if !matches.problems.isEmpty {
                    let n = matches.problems.count
                    Console.note("\(n) error\(n == 1 ? "" : "s"): perfgate check would refuse \(file) for these results (exit 65)")
                    return .malformedInput
                }
                return .success
            }
            if status != .success { throw ExitCode(status.rawValue) }
        }

        /// `5 series (k6-api: /api/orders, /api/users, (all); locust-api: POST /api/orders)`.
        static func describe(_ ids: [MatchedSeries]) -> String {
            guard !ids.isEmpty else { return "no series" }
            var byScenario: [String: [String]] = [:]
            var order: [String] = []
            for id in ids {
                let scen = ids.contains { $0.scenario == id.scenario && $0.environment != id.environment }
                    ? "\(id.scenario) (\(id.environment))" : id.scenario
                if byScenario[scen] == nil { order.append(scen) }
                let ep = id.key.endpoint.isEmpty ? "(all)" : id.key.endpoint
                let metrics = Set(ids.map(\.key.metric))
                byScenario[scen, default: []].append(metrics.count > 1 ? "\(ep) \(id.key.metric)" : ep)
            }
            let parts = order.map { scen -> String in
                let eps = byScenario[scen] ?? []
                let shown = eps.prefix(6).joined(separator: ", ")
                return "\(scen): \(shown)\(eps.count > 6 ? ", +\(eps.count - 6) more" : "")"
            }
            return "\(ids.count) series (\(parts.joined(separator: "; ")))"
        }
    }

    struct Dump: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "dump",
            abstract: "Print a budget file as perfgate reads it (sorted keys); with --effective, every default applied.",
            discussion: """
                With --effective, defaults are merged into each budget, every setting is written out and every \
                rule is listed in canonical units (ms, %, /s, B). The output is itself a valid budget file.

                Example:
                  perfgate budgets dump --effective budgets.json > budgets.effective.json
                """)

        @Flag(help: "Apply every default: the rules exactly as the gate will use them.") var effective = false
        @Argument(help: ArgumentHelp("The budget file.", valueName: "file")) var file: String = "budgets.json"

        func run() async throws {
            try await withDiagnostics {
                let (set, raw) = try BudgetFileLoader.load(file)
                let data: Data
                if effective {
                    data = try set.effectiveJSON()
                } else {
                    let encoder = JSONEncoder()
                    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
                    data = try encoder.encode(raw)
                }
                Console.out(String(decoding: data, as: UTF8.self))
            }
        }
    }
}

/// Reads, decodes and validates a budget file for the `budgets` commands: every error is printed
/// (not only the first), warnings too; the exit code is 66 for a missing file, 65 for bad content.
enum BudgetFileLoader {
    static func load(_ path: String) throws -> (BudgetSet, BudgetFile) {
        let data = try read(path)
        do {
            let raw = try BudgetFile.decode(data, file: path)
            var warnings: [Diagnostic] = []
            let set = try raw.validate(warnings: &warnings)
            for w in warnings { Console.print(w) }
            return (set, raw)
        } catch let e as BudgetsError {
            Console.printAll(e.diagnostics)
            throw e.exitStatus.exitCode
        }
    }

    static func read(_ path: String) throws -> Data {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw BudgetsError.unreadable(file: path, reason: "no such budget file")
        }
        if let tooLarge = Limits.fileSizeError(path: path, limit: Limits.maxBudgetFileBytes, what: "budget file") {
            throw tooLarge
        }
        guard !isDirectory.boolValue, let data = FileManager.default.contents(atPath: path) else {
            throw BudgetsError.unreadable(file: path, reason: "cannot read budget file")
        }
        return data
    }

    static func summary(_ set: BudgetSet) -> String {
        let b = set.budgets.count
        let r = set.ruleCount
        return "\(b) budget\(b == 1 ? "" : "s"), \(r) rule\(r == 1 ? "" : "s")"
    }
}
