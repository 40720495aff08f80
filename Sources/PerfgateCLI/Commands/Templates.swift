import ArgumentParser
import Foundation
import PerfgateCore
import PerfgateReport

extension PerfgateCommand {
    struct Templates: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "templates",
            abstract: "Work with the report templates.",
            subcommands: [Export.self])

        struct Export: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "export",
                abstract: "Write the built-in report templates into a directory, as a starting point for --templates.",
                discussion: """
                    Writes html/*.html.mustache and markdown/*.md.mustache. Edit any of them and pass the directory \
                    to `perfgate report --templates DIR`; files you delete fall back to the built-ins. Existing \
                    files are not overwritten unless --force is given. templates/README.md lists the fields each \
                    template receives.

                    Example:
                      perfgate templates export my-templates
                      perfgate report --out site --templates my-templates
                    """)

            @Argument(help: ArgumentHelp("Directory to write into.", valueName: "dir"))
            var directory: String

            @Flag(help: "Overwrite existing files.")
            var force = false

            func run() async throws {
                try await withDiagnostics {
                    let fm = FileManager.default
                    var written = 0
                    for file in TemplateLibrary.builtinFiles {
                        let path = URL(fileURLWithPath: directory).appendingPathComponent(file.path)
                        if fm.fileExists(atPath: path.path) && !force {
                            throw PerfgateError(.usage, "\(path.path) exists", notes: ["pass --force to overwrite it"])
                        }
                        do {
                            try fm.createDirectory(at: path.deletingLastPathComponent(), withIntermediateDirectories: true)
                            try Data(file.text.utf8).write(to: path)
                        } catch {
                            throw PerfgateError(.storeError, "cannot write the template: \(error.localizedDescription)", at: SourceLocation(file: path.path))
                        }
                        written += 1
                    }
                    Console.err("perfgate templates: wrote \(written) templates to \(directory)")
                }
            }
        }
    }
}
