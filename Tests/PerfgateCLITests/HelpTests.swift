import ArgumentParser
import Foundation
import PerfgateCLI
import PerfgateTestSupport
import Testing

/// Every command's help carries one worked example, and the help shown by the binary says so.
@Suite("help")
struct HelpTests {
    static func allCommands(_ root: any ParsableCommand.Type) -> [any ParsableCommand.Type] {
        [root] + root.configuration.subcommands.flatMap { allCommands($0) }
    }

    @Test func everyCommandHasAWorkedExample() {
        let commands = Self.allCommands(PerfgateCommand.self)
        #expect(commands.count >= 15)
        for c in commands where c.configuration.subcommands.isEmpty || c == PerfgateCommand.self {
            let discussion = c.configuration.discussion
            #expect(discussion.contains("Example") && discussion.contains("perfgate "), "\(c._commandName) has no worked example")
        }
    }

    @Test func theBinaryPrintsHelpAndVersion() throws {
        let dir = makeTemporaryDirectory()
        let help = try PerfgateProcess.run(["--help"], in: dir)
        #expect(help.status == 0)
        #expect(help.stdout.contains("perfgate check --budget budgets.json"))
        let version = try PerfgateProcess.run(["--version"], in: dir)
        #expect(version.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == PerfgateVersion.current)
        let sub = try PerfgateProcess.run(["check", "--help"], in: dir)
        #expect(sub.stdout.contains("Exit codes"))
    }
}
