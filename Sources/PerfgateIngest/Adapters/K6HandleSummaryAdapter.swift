import Foundation
import PerfgateCore

/// k6 `handleSummary(data)` written with `JSON.stringify`: metrics carry `type`,
/// `contains`, `values` and `thresholds: {expr: {ok}}` (`ok: true` = passed); groups and checks are arrays.
struct K6HandleSummaryAdapter: ResultAdapter {
    func sniff(head: [UInt8], fileName: String) -> Bool { K6Shape.classify(head) == .handleSummary }

    func parse(_ input: InputSet) throws -> IngestedRun {
        let file = input.primary
        let root = try JSONNode.parse(try file.readAll(), file: file.displayPath)
        _ = try root.object()
        let metricsNode = try root.required("metrics")
        var metrics: [K6SummaryMetric] = []
        var thresholds: [ThresholdResult] = []
        for (name, node) in try metricsNode.members() {
            let typeNode = try node.required("type")
            guard let type = K6MetricType(rawValue: try typeNode.string()) else {
                throw typeNode.error("unknown k6 metric type \"\(try typeNode.string())\"")
            }
            var contains = K6Contains.default
            if let c = try node.optional("contains") {
                guard let parsed = K6Contains(rawValue: try c.string()) else {
                    throw c.error("unknown k6 value kind \"\(try c.string())\"")
                }
                contains = parsed
            }
            let values = try K6SummaryMapper.values(try node.required("values"))
            metrics.append(K6SummaryMetric(name: name, type: type, contains: contains, values: values))
            if let th = try node.optional("thresholds"), !th.isNull {
                for (expr, result) in try th.members() {
                    thresholds.append(
                        ThresholdResult(metric: name, expression: expr, passed: try result.required("ok").bool()))
                }
            }
        }
        var checks: [CheckResult] = []
        if let group = try root.optional("root_group"), !group.isNull {
            checks = try K6SummaryMapper.checks(group)
        }
        var duration: Double?
        if let state = try root.optional("state"), !state.isNull,
            let ms = try state.optional("testRunDurationMs"), !ms.isNull
        {
            duration = try ms.nonNegative() / 1000
        }
        return K6SummaryMapper.run(
            format: .k6HandleSummary, metrics: metrics, thresholds: thresholds, checks: checks,
            durationSeconds: duration)
    }
}
