import PerfgateCore

/// Reads the unit and direction strings a store keeps, the same way for every backend: a value this
/// perfgate does not know is ``StoreError/unreadableRow(path:what:)`` naming the row, never a guessed
/// default.
package enum StoredValue {
    /// The row a stored value was read from, as the error names it.
    package enum Row: CustomStringConvertible, Sendable {
        case series(Int64)
        case serverSeries(name: String, run: Int64)

        package var description: String {
            switch self {
            case .series(let id): return "series \(id)"
            case .serverSeries(let name, let run): return "server series \(name) of run \(run)"
            }
        }
    }

    /// `store` is the store's location as shown to the user (a path, a redacted URL).
    package static func unit(_ raw: String, row: Row, store: String) throws -> MetricUnit {
        try parse(raw, "unit", row: row, store: store)
    }

    package static func direction(_ raw: String, row: Row, store: String) throws -> Direction {
        try parse(raw, "direction", row: row, store: store)
    }

    /// A server series' unit and direction. Samples without summary statistics have no series row
    /// (both nil): a plain, lower-is-better series.
    package static func serverSeries(
        unit: String?, direction: String?, name: String, run: Int64, store: String
    ) throws -> (unit: MetricUnit, direction: Direction) {
        let row = Row.serverSeries(name: name, run: run)
        return (
            try unit.map { try Self.unit($0, row: row, store: store) } ?? .none,
            try direction.map { try Self.direction($0, row: row, store: store) } ?? .lowerIsBetter
        )
    }

    private static func parse<Value: RawRepresentable<String>>(
        _ raw: String, _ field: String, row: Row, store: String
    ) throws -> Value {
        guard let value = Value(rawValue: raw) else {
            throw StoreError.unreadableRow(path: store, what: "\(row) has \(field) '\(raw)'")
        }
        return value
    }
}
