/// What `perfgate store` shows of a store, whichever backend holds it: where it is
/// (``HistoryStore/location``), its schema and how many rows it holds.
public protocol StoreInventory: HistoryStore {
    /// Applied migration identifiers, oldest first.
    func appliedMigrations() throws -> [String]
    func counts() throws -> (commits: Int, runs: Int, series: Int, measurements: Int)
}
