import Foundation

/// The time, as a port: ingest stamps runs with it and `detect` its change points, and tests fix it.
/// (Named so as not to shadow the standard library's `Clock`, which measures durations.)
public protocol WallClock: Sendable {
    func now() -> Date
}

/// The system's clock.
public struct SystemWallClock: WallClock {
    public init() {}
    public func now() -> Date { Date() }
}

/// A clock that always says the same time: for tests and reproducible runs.
public struct FixedWallClock: WallClock {
    public var date: Date
    public init(_ date: Date) { self.date = date }
    public func now() -> Date { date }
}
