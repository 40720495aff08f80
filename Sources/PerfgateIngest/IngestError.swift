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
    /// No adapter recognises the file (exit 65); `looksLike` says what it seems to be
    /// (``ContentSketch``).
    case unknownFormat(path: String, looksLike: String)
    /// More than one adapter claims the file (exit 65).
    case ambiguousFormat(path: String, formats: [InputFormat])
    /// Several errors in one file, in file order (exit 65); never empty.
    case several([IngestError])

    public var diagnostic: Diagnostic {
        switch self {
        case .malformed(let loc, let msg):
            return Diagnostic(.error, msg, at: loc)
        case .missing(let path) where path.unicodeScalars.contains("\u{FFFD}"):
            // The command line arrives as UTF-8 with invalid bytes replaced, so such a name cannot be opened.
            return Diagnostic(
                .error, "cannot open the file: its name is not valid UTF-8 (shown with \u{FFFD} for the bytes that are not)",
                at: SourceLocation(file: path), notes: ["perfgate opens UTF-8 file names only: rename the file"])
        case .missing(let path):
            return Diagnostic(.error, "no such file", at: SourceLocation(file: path))
        case .unreadable(let path, let reason):
            return Diagnostic(.error, "cannot read file: \(reason)", at: SourceLocation(file: path))
        case .unknownFormat(let path, let looksLike):
            return Diagnostic(
                .error, "unknown result format: the file looks like \(looksLike)", at: SourceLocation(file: path),
                notes: Self.unknownFormatNotes)
        case .ambiguousFormat(let path, let formats):
            return Diagnostic(
                .error, "format is ambiguous (\(formats.map(\.rawValue).joined(separator: ", ")))", at: SourceLocation(file: path),
                notes: ["name the format with \(IngestError.formatOptionPlaceholder) \(formats[0].rawValue)"])
        case .several(let errors):
            return errors.first?.diagnostic ?? Diagnostic(.error, "malformed input")
        }
    }

    /// Every diagnostic: one per error, several for ``several(_:)``.
    public var diagnostics: [Diagnostic] {
        if case .several(let errors) = self { return errors.flatMap(\.diagnostics) }
        return [diagnostic]
    }

    /// The way forward for a file no adapter reads.
    public static let unknownFormatNotes = [
        "perfgate reads: " + InputFormat.allCases.map { "\($0.rawValue) (\($0.summary))" }.joined(separator: "; "),
        "for another tool, write its numbers as perfgate native JSON: see docs/native-format.md (schemas/perfgate-result.schema.json)",
        "or ask for the format to be supported (an issue with a sample file)",
    ]

    /// Stands for the format option in messages; the CLI puts in the command's own spelling
    /// (`--format` for ingest, `--input-format` for check).
    public static let formatOptionPlaceholder = "--format"

    public var exitStatus: ExitStatus {
        switch self {
        case .malformed, .unknownFormat, .ambiguousFormat, .several: return .malformedInput
        case .missing, .unreadable: return .missingInput
        }
    }

    public var description: String { diagnostic.rendered }

    /// The same error with its line number moved down by `lines` (for a block parsed on its own).
    public func shiftingLines(by lines: Int) -> IngestError {
        if case .several(let errors) = self { return .several(errors.map { $0.shiftingLines(by: lines) }) }
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
