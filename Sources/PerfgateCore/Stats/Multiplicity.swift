import Foundation

extension Stats {
    /// p-value adjustment over one gate run's family.
    public enum Adjustment: String, Sendable, Hashable, Codable, CaseIterable {
        /// Benjamini–Hochberg (default).
        case bh
        /// Benjamini–Yekutieli, `c(m) = Σ 1/i`.
        case by
        /// Holm step-down.
        case holm
        /// No adjustment.
        case none
    }

    /// Adjusted q-values in input order; NaN p-values stay NaN and are excluded from m.
    public static func adjust(_ p: [Double], method: Adjustment = .bh) -> [Double] {
        let idx = p.indices.filter { !p[$0].isNaN }
        var q = [Double](repeating: .nan, count: p.count)
        let m = idx.count
        guard m > 0 else { return q }
        // Stable sort by p.
        let order = idx.sorted { p[$0] < p[$1] || (p[$0] == p[$1] && $0 < $1) }
        let mm = Double(m)
        switch method {
        case .none:
            for i in idx { q[i] = p[i] }
        case .bh, .by:
            let cm: Double = method == .by ? (1...m).reduce(0.0) { $0 + 1 / Double($1) } : 1
            var running = 1.0
            for r in stride(from: m, through: 1, by: -1) {
                let i = order[r - 1]
                running = min(running, min(1, cm * mm * p[i] / Double(r)))
                q[i] = running
            }
        case .holm:
            var running = 0.0
            for s in 1...m {
                let i = order[s - 1]
                running = max(running, min(1, (mm - Double(s) + 1) * p[i]))
                q[i] = running
            }
        }
        return q
    }

    /// Noise budget helpers.
    public enum Noise {
        /// Minimum detectable relative effect of T1:
        /// `exp((t_{1−α/2,N−1} + t_{power,N−1})·σ·√(1/k + 1/N)) − 1`.
        public static func mde(sigma: Double, history n: Int, current k: Int = 1, alpha: Double = 0.05, power: Double = 0.8) -> Double {
            guard n >= 2, k >= 1 else { return .nan }
            let df = Double(n - 1)
            let tq = Special.studentTPPF(1 - alpha / 2, df: df) + Special.studentTPPF(power, df: df)
            return expm1(tq * sigma * (1 / Double(k) + 1 / Double(n)).squareRoot())
        }

        /// Smallest k ≤ `maxRuns` with `mde ≤ target`; nil if none.
        public static func runsNeeded(
            sigma: Double, history n: Int, target: Double, alpha: Double = 0.05, power: Double = 0.8, maxRuns: Int = 100
        ) -> Int? {
            guard maxRuns >= 1 else { return nil }
            for k in 1...maxRuns where mde(sigma: sigma, history: n, current: k, alpha: alpha, power: power) <= target {
                return k
            }
            return nil
        }
    }

    /// Hampel filter: keeps `|y − median| ≤ k·1.4826·MAD`; MAD = 0 keeps everything.
    /// Returns a keep-mask in input order.
    public static func hampelKeep(_ y: [Double], k: Double = 5) -> [Bool] {
        guard !y.isEmpty else { return [] }
        let med = median(y)
        let mad = median(y.map { abs($0 - med) })
        guard mad > 0 else { return y.map { _ in true } }
        let limit = k * 1.4826 * mad
        return y.map { abs($0 - med) <= limit }
    }
}
