import Foundation
import PerfgateCore

/// k6 `--summary-export=FILE`: `root_group` (groups and checks as objects) plus a flat
/// `metrics` map without `type`/`contains`. Threshold booleans are `true` when the threshold FAILED.
struct K6SummaryAdapter: ResultAdapter {
    func sniff(head: [UInt8], fileName: String) -> Bool { K6Shape.classify(head) == .summaryExport }

    func parse(_ input: InputSet) throws -> IngestedRun {
        let file = input.primary
        let root = try JSONNode.parse(try file.readAll(), file: file.displayPath)
        _ = try root.object()
        let metricsNode = try root.required("metrics")
        var metrics: [K6SummaryMetric] = []
        var thresholds: [ThresholdResult] = []
        for (name, node) in try metricsNode.members() {
            let values = try K6SummaryMapper.values(node, skipping: ["thresholds"])
            let keys = Set(values.keys)
            let type: K6MetricType
            if keys.contains("passes") && keys.contains("fails") {
                type = .rate
            } else if keys.contains("count") && keys.contains("rate") && keys.isSubset(of: ["count", "rate"]) {
                type = .counter
            } else if keys == ["value", "min", "max"] {
                type = .gauge
            } else {
                type = .trend
            }
            if type == .trend, values.isEmpty {
                throw node.error("metric has no values")
            }
            metrics.append(
                K6SummaryMetric(name: name, type: type, contains: K6.inferredContains(name), values: values))
            if let th = try node.optional("thresholds"), !th.isNull {
                for (expr, failed) in try th.members() {
                    // Export polarity: true means the threshold was crossed.
                    thresholds.append(ThresholdResult(metric: name, expression: expr, passed: !(try failed.bool())))
                }
            }
        }
        var checks: [CheckResult] = []
        if let group = try root.optional("root_group"), !group.isNull {
            checks = try K6SummaryMapper.checks(group)
        }
        return K6SummaryMapper.run(
            format: .k6Summary, metrics: metrics, thresholds: thresholds, checks: checks, durationSeconds: nil)
    }
}
