/// Shell-style globs: `*` matches any run of characters (including `/`), `?` one character,
/// everything else itself. Used for endpoint, scenario, environment and tag selectors.
public enum Glob {
    public static func matches(_ pattern: String, _ text: String) -> Bool {
        let p = Array(pattern.unicodeScalars)
        let t = Array(text.unicodeScalars)
        var pi = 0
        var ti = 0
        var star = -1
        var mark = 0
        while ti < t.count {
            if pi < p.count && (p[pi] == "?" || p[pi] == t[ti]) {
                pi += 1
                ti += 1
            } else if pi < p.count && p[pi] == "*" {
                star = pi
                mark = ti
                pi += 1
            } else if star >= 0 {
                pi = star + 1
                mark += 1
                ti = mark
            } else {
                return false
            }
        }
        while pi < p.count && p[pi] == "*" { pi += 1 }
        return pi == p.count
    }
}

extension Selector {
    /// Whether this selector picks `key` in a run with these labels.
    public func matches(run: GateRun, key: SeriesKey) -> Bool {
        if let s = scenario, !Glob.matches(s, run.scenario) { return false }
        if let e = environment, !Glob.matches(e, run.environment) { return false }
        if key.metric != effectiveMetric && !Glob.matches(effectiveMetric, key.metric) { return false }
        if let ep = endpoint {
            if ep.isEmpty { if !key.endpoint.isEmpty { return false } } else if !Glob.matches(ep, key.endpoint) { return false }
        }
        for (k, v) in tags {
            guard let actual = run.tags[k], Glob.matches(v, actual) else { return false }
        }
        return true
    }
}
