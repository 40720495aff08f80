/// Which way a metric gets better. Latency and error rates improve downwards, throughput upwards.
public enum Direction: String, Sendable, Hashable, Codable, CaseIterable {
    case lowerIsBetter = "lower"
    case higherIsBetter = "higher"

    /// +1 when a larger value is worse, -1 when a larger value is better.
    public var sign: Double { self == .lowerIsBetter ? 1 : -1 }
}
