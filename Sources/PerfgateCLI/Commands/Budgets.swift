import ArgumentParser
import Foundation
import PerfgateCore

extension PerfgateCommand {
    struct Budgets: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "budgets",
            abstract: "Check a budget file, or print it with every default applied.",
            discussion: """
                The format is described in docs/budgets.md and schemas/budgets.schema.json.

                Example:
                  perfgate budgets validate budgets.json
                """,
            subcommands: [Validate.self, Dump.self])
    }
}

extension PerfgateCommand.Budgets {
    struct Validate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "validate",
            abstract: "Validate a budget file: exit 0 when it is valid, 65 with every error when it is not.",
            discussion: """
                Prints a one-line summary on stdout, and warnings and errors on stderr, each naming the \
                JSON path (and line and column for JSON syntax errors). A missing file exits 66.

                Example:
                  $ perfgate budgets validate budgets.json
                  8 budgets, 10 rules
                """)

        @Argument(help: ArgumentHelp("The budget file.", valueName: "file")) var file: String = "budgets.json"

        func run() async throws {
            try await withDiagnostics {
                let (set, _) = try BudgetFileLoader.load(file)
                Console.out(BudgetFileLoader.summary(set))
            }
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
            for d in e.diagnostics { Console.print(d) }
            if e.diagnostics.count > 1 { Console.note("\(e.diagnostics.count) errors in \(path)") }
            throw e.exitStatus.exitCode
        }
    }

    static func read(_ path: String) throws -> Data {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw BudgetsError.unreadable(file: path, reason: "no such budget file")
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
