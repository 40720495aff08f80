/// Why a budget file could not be used: it is missing or unreadable (exit 66), or its content is
/// malformed (exit 65). Content errors are collected, so one run shows every problem of the file.
public struct BudgetsError: DiagnosableError, CustomStringConvertible {
    /// Every error found, in file order; never empty.
    public var diagnostics: [Diagnostic]
    public var exitStatus: ExitStatus

    public init(_ status: ExitStatus, diagnostics: [Diagnostic]) {
        precondition(!diagnostics.isEmpty, "a BudgetsError carries at least one diagnostic")
        self.exitStatus = status
        self.diagnostics = diagnostics
    }

    /// The budget file is missing or cannot be read (exit 66). The CLI raises it; Core never reads files.
    public static func unreadable(file: String, reason: String = "cannot read budget file") -> BudgetsError {
        BudgetsError(.missingInput, diagnostics: [Diagnostic(.error, reason, at: SourceLocation(file: file))])
    }

    /// One content error at a JSON path (exit 65).
    public static func invalid(file: String, path: String?, _ message: String, notes: [String] = []) -> BudgetsError {
        BudgetsError(.malformedInput, diagnostics: [.budgetError(file: file, path: path, message, notes: notes)])
    }

    /// The first error, with a note counting the others, for callers that print one diagnostic.
    public var diagnostic: Diagnostic {
        var first = diagnostics[0]
        if diagnostics.count > 1 {
            let more = diagnostics.count - 1
            first.notes.append(
                "and \(more) more error\(more == 1 ? "" : "s"); run `perfgate budgets validate \(first.location?.file ?? "FILE")` to see all")
        }
        return first
    }

    public var description: String { diagnostics.map(\.rendered).joined(separator: "\n") }
}

extension Diagnostic {
    /// An error in a budget file at a JSON path (`at budgets[2].max.p95: …`).
    static func budgetError(file: String, path: String?, _ message: String, notes: [String] = []) -> Diagnostic {
        Diagnostic(.error, message, at: SourceLocation(file: file, jsonPath: path), notes: notes)
    }

    /// A warning in a budget file at a JSON path.
    static func budgetWarning(file: String, path: String?, _ message: String, notes: [String] = []) -> Diagnostic {
        Diagnostic(.warning, message, at: SourceLocation(file: file, jsonPath: path), notes: notes)
    }
}
