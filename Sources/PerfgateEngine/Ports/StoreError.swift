import PerfgateCore

/// Errors opening, reading or writing the store (any backend: SQLite, PostgreSQL). All exit 74 except a refused query (65).
public enum StoreError: DiagnosableError, CustomStringConvertible {
    case cannotOpen(path: String, reason: String)
    /// `unknown`: the store's migrations this perfgate does not have; `newest`: this perfgate's newest.
    case newerSchema(path: String, unknown: [String], newest: String)
    /// The file is not a perfgate store (`what` says what it is); it was not modified.
    case notAStore(path: String, what: String)
    case writeFailed(path: String, reason: String)
    case queryRefused(String)
    case queryFailed(String)
    /// The statement ran past `perfgate query --timeout` (seconds) and was stopped.
    case queryTimedOut(seconds: Double)
    case seriesUnitConflict(series: String, stored: String, incoming: String)
    /// A stored row this perfgate cannot read (a unit or direction it does not know): an error, never
    /// a guessed default.
    case unreadableRow(path: String, what: String)

    public var diagnostic: Diagnostic {
        switch self {
        case .cannotOpen(let path, let reason):
            return Diagnostic(.error, "cannot open the store: \(reason)", at: SourceLocation(file: path))
        case .newerSchema(let path, let unknown, let newest):
            return Diagnostic(
                .error,
                "this store was written by a newer perfgate (schema \(unknown.joined(separator: ", ")); this perfgate knows up to \(newest)); refusing to touch it",
                at: SourceLocation(file: path), notes: ["upgrade perfgate, or point --store at another file"])
        case .notAStore(let path, let what):
            return Diagnostic(
                .error, "not a perfgate store: \(what); it was not modified", at: SourceLocation(file: path),
                notes: ["point --store (or PERFGATE_STORE) at a perfgate store, or at a path that does not exist yet"])
        case .writeFailed(let path, let reason):
            return Diagnostic(
                .error, "cannot write the store: \(reason); nothing was changed", at: SourceLocation(file: path))
        case .queryRefused(let reason):
            return Diagnostic(.error, "query refused: \(reason)", notes: ["perfgate query is read-only"])
        case .queryTimedOut(let seconds):
            let shown = seconds == seconds.rounded() ? "\(Int(seconds))" : "\(seconds)"
            return Diagnostic(
                .error, "query stopped after \(shown) s (--timeout \(shown))",
                notes: ["narrow the query (WHERE, LIMIT), or raise --timeout"])
        case .queryFailed(let reason):
            return Diagnostic(.error, "query failed: \(reason)", notes: ["see docs/query.md for the views"])
        case .seriesUnitConflict(let series, let stored, let incoming):
            return Diagnostic(
                .error, "series \(series) is stored in '\(stored)' but this run reports '\(incoming)'; nothing was changed")
        case .unreadableRow(let path, let what):
            return Diagnostic(
                .error, "the store holds a row this perfgate cannot read: \(what)", at: SourceLocation(file: path),
                notes: ["was the store edited by another program? restore it from a backup or an export"])
        }
    }

    public var exitStatus: ExitStatus {
        switch self {
        case .queryRefused, .queryFailed, .queryTimedOut: return .usage
        case .seriesUnitConflict: return .malformedInput
        default: return .storeError
        }
    }

    public var description: String { diagnostic.rendered }
}
