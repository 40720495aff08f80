/// What happened to an ingested run when it was stored (`HistoryStore.insertAll`).
public enum InsertOutcome: Sendable, Hashable {
    /// Stored as a new run; `attempt` > 1 means a repeat of the same commit, scenario and environment.
    case inserted(runId: Int64, attempt: Int)
    /// Identical content was already stored for this commit, scenario and environment; nothing changed.
    case duplicate(runId: Int64)
}
