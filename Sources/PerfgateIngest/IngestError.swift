import PerfgateCore

/// Everything that can go wrong reading a result file. Each case names the file and, where it can,
/// the line and column or the JSON path.
public enum IngestError: DiagnosableError, CustomStringConvertible {
    /// The content is not what the format requires (exit 65).
    case malformed(SourceLocation, String)
    /// The file does not exist (exit 66).
    case missing(path: String)
    /// The file exists but cannot be read (exit 66).
    case unreadable(path: String, reason: String)
    /// No adapter recognises the file (exit 65).
    case unknownFormat(path: String)

    public var diagnostic: Diagnostic {
        switch self {
        case .malformed(let loc, let msg):
            return Diagnostic(.error, msg, at: loc)
        case .missing(let path):
            return Diagnostic(.error, "no such file", at: SourceLocation(file: path))
        case .unreadable(let path, let reason):
            return Diagnostic(.error, "cannot read file: \(reason)", at: SourceLocation(file: path))
        case .unknownFormat(let path):
            return Diagnostic(
                .error, "unknown result format", at: SourceLocation(file: path),
                notes: [
                    "perfgate reads: " + InputFormat.allCases.map(\.rawValue).joined(separator: ", "),
                    "name the format with --format if detection is wrong",
                ])
        }
    }

    public var exitStatus: ExitStatus {
        switch self {
        case .malformed, .unknownFormat: return .malformedInput
        case .missing, .unreadable: return .missingInput
        }
    }

    public var description: String { diagnostic.rendered }

    /// The same error with its line number moved down by `lines` (for a block parsed on its own).
    public func shiftingLines(by lines: Int) -> IngestError {
        guard case .malformed(var loc, let msg) = self, let line = loc.line else { return self }
        loc.line = line + lines
        return .malformed(loc, msg)
    }

    /// Shorthand for adapters.
    public static func at(_ file: String, line: Int? = nil, column: Int? = nil, path: String? = nil, _ message: String)
        -> IngestError
    {
        .malformed(SourceLocation(file: file, line: line, column: column, jsonPath: path), message)
    }
}
