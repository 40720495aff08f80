import PerfgateCore

/// Errors opening, reading or writing the store. All exit 74 except a refused query (65).
public enum StoreError: DiagnosableError, CustomStringConvertible {
    case cannotOpen(path: String, reason: String)
    case newerSchema(path: String)
    case writeFailed(path: String, reason: String)
    case queryRefused(String)
    case queryFailed(String)
    case seriesUnitConflict(series: String, stored: String, incoming: String)

    public var diagnostic: Diagnostic {
        switch self {
        case .cannotOpen(let path, let reason):
            return Diagnostic(.error, "cannot open the store: \(reason)", at: SourceLocation(file: path))
        case .newerSchema(let path):
            return Diagnostic(
                .error, "this store was written by a newer perfgate; refusing to touch it",
                at: SourceLocation(file: path), notes: ["upgrade perfgate, or point --store at another file"])
        case .writeFailed(let path, let reason):
            return Diagnostic(
                .error, "cannot write the store: \(reason); nothing was changed", at: SourceLocation(file: path))
        case .queryRefused(let reason):
            return Diagnostic(.error, "query refused: \(reason)", notes: ["perfgate query is read-only"])
        case .queryFailed(let reason):
            return Diagnostic(.error, "query failed: \(reason)", notes: ["see docs/query.md for the views"])
        case .seriesUnitConflict(let series, let stored, let incoming):
            return Diagnostic(
                .error, "series \(series) is stored in '\(stored)' but this run reports '\(incoming)'; nothing was changed")
        }
    }

    public var exitStatus: ExitStatus {
        switch self {
        case .queryRefused, .queryFailed: return .usage
        case .seriesUnitConflict: return .malformedInput
        default: return .storeError
        }
    }

    public var description: String { diagnostic.rendered }
}
