import PerfgateCore

/// Errors of the report renderer, each with its exit status (templates and cost models are input: 65).
public enum ReportError: DiagnosableError, Sendable, Equatable {
    /// A template failed to parse: `file:line:column: error: message`.
    case templateSyntax(file: String, line: Int, column: Int, message: String)
    /// A template the renderer needs is missing (a user template directory can only add or replace).
    case templateNotFound(String)
    /// The cost model file is not valid.
    case costModel(file: String, message: String)
    /// A page could not be written.
    case cannotWrite(path: String, reason: String)

    public var diagnostic: Diagnostic {
        switch self {
        case .templateSyntax(let file, let line, let column, let message):
            return Diagnostic(
                .error, message, at: SourceLocation(file: file, line: line, column: column),
                notes: ["run `perfgate templates export DIR` to see the built-in templates"])
        case .templateNotFound(let name):
            return Diagnostic(.error, "template \(name) not found", notes: ["built-in names are listed in templates/README.md"])
        case .costModel(let file, let message):
            return Diagnostic(.error, message, at: SourceLocation(file: file), notes: ["the format is described in docs/cost-model.md"])
        case .cannotWrite(let path, let reason):
            return Diagnostic(.error, "cannot write the report: \(reason)", at: SourceLocation(file: path))
        }
    }

    public var exitStatus: ExitStatus {
        switch self {
        case .templateSyntax, .costModel: return .malformedInput
        case .templateNotFound: return .malformedInput
        case .cannotWrite: return .storeError
        }
    }
}
