/// Where a diagnostic points: a file, and a line and column or a JSON path when known.
public struct SourceLocation: Sendable, Hashable, Codable, CustomStringConvertible {
    public var file: String
    public var line: Int?
    public var column: Int?
    /// A JSON path such as `metrics.http_req_duration.values["p(95)"]`.
    public var jsonPath: String?

    public init(file: String, line: Int? = nil, column: Int? = nil, jsonPath: String? = nil) {
        self.file = file
        self.line = line
        self.column = column
        self.jsonPath = jsonPath
    }

    /// Compiler style: `file:line:col`, `file:line` or `file`.
    public var description: String {
        var s = file
        if let line {
            s += ":\(line)"
            if let column { s += ":\(column)" }
        }
        return s
    }
}

/// One message for a person, printed compiler-style on stderr.
public struct Diagnostic: Sendable, Hashable, Codable {
    public enum Severity: String, Sendable, Hashable, Codable { case error, warning, note }

    public var severity: Severity
    public var location: SourceLocation?
    public var message: String
    public var notes: [String]

    public init(_ severity: Severity, _ message: String, at location: SourceLocation? = nil, notes: [String] = []) {
        self.severity = severity
        self.location = location
        self.message = message
        self.notes = notes
    }

    /// `file:line:col: error: at path: message` followed by `note:` lines.
    public var rendered: String {
        var s = ""
        if let location { s += TerminalText.escape("\(location)") + ": " }
        s += "\(severity.rawValue): "
        if let path = location?.jsonPath, !path.isEmpty { s += "at " + TerminalText.escape(path) + ": " }
        s += TerminalText.escape(message)
        for note in notes { s += "\nnote: " + TerminalText.escape(note) }
        return s
    }
}

/// Process exit codes, the user-facing contract (README "Exit codes").
public enum ExitStatus: Int32, Sendable, CaseIterable {
    /// Success; for `check`: passed, warnings allowed.
    case success = 0
    /// A bug or an unclassified failure.
    case internalError = 1
    /// The gate failed: a budget was exceeded or a regression found.
    case gateFailed = 2
    /// A baseline was required but none exists.
    case baselineMissing = 3
    /// Only improvements, with `--fail-on-improvement`.
    case improvementsOnly = 4
    /// Bad command line (EX_USAGE).
    case usage = 64
    /// Malformed input: result file, budget file, baseline, template (EX_DATAERR).
    case malformedInput = 65
    /// An input file is missing or unreadable (EX_NOINPUT).
    case missingInput = 66
    /// The store cannot be opened or written, or is newer than this perfgate (EX_IOERR).
    case storeError = 74
}

/// An error that knows how to explain itself and which exit code it maps to.
public protocol DiagnosableError: Error {
    var diagnostic: Diagnostic { get }
    var exitStatus: ExitStatus { get }
    /// Every problem, in file order, for errors that collect several (a budget or native file with
    /// more than one mistake); by default the one ``diagnostic``.
    var diagnostics: [Diagnostic] { get }
}

extension DiagnosableError {
    public var diagnostics: [Diagnostic] { [diagnostic] }
}

extension Diagnostic {
    /// At most this many diagnostics of one error are printed; the rest are counted.
    public static let printLimit = 20
}

/// A plain diagnosable error for cases that need no enum of their own.
public struct PerfgateError: DiagnosableError, CustomStringConvertible {
    public var diagnostic: Diagnostic
    public var exitStatus: ExitStatus

    public init(_ status: ExitStatus, _ message: String, at location: SourceLocation? = nil, notes: [String] = []) {
        self.diagnostic = Diagnostic(.error, message, at: location, notes: notes)
        self.exitStatus = status
    }

    public var description: String { diagnostic.rendered }
}
