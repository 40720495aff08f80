import Foundation
import PerfgateCore

// Point aggregation (NDJSON and CSV): declarations, tags and the aggregator.

/// A metric's declared type, carried from one block of a file to the next.
struct K6Declaration: Sendable {
    let name: String
    let type: K6MetricType
    let contains: K6Contains
}

/// Interned tag ids of one point; -1 when absent or not needed.
struct K6PointTags {
    var name: Int32 = -1
    var method: Int32 = -1
    var error: Int32 = -1
    var check: Int32 = -1
    var group: Int32 = -1
}

/// Aggregates k6 points into a run in constant memory (per metric and per endpoint, never per point).
///
/// Each aggregator and its accumulators belong to one thread at a time (a parallel block's own, then
/// merged in order on one thread), and no method touches a property while another access to it is under
/// way, so the stored properties skip Swift's run-time exclusivity checks (`@exclusivity(unchecked)`):
/// on this per-point path those checks were 5–9 % of a k6 ingest's CPU (k6 CSV −15 %, NDJSON −8 % without
/// them, the stores byte-identical).
final class K6PointAggregator {
    let file: String
    @exclusivity(unchecked) var metricNames = K6ByteInterner()
    @exclusivity(unchecked) var tagValues = K6ByteInterner()
    @exclusivity(unchecked) private(set) var metrics: [K6MetricAcc] = []
    @exclusivity(unchecked) private var endpointIndex: [Int64: Int] = [:]
    @exclusivity(unchecked) private var endpoints: [K6EndpointAcc] = []
    @exclusivity(unchecked) private var lastEndpointKey: Int64 = -1
    @exclusivity(unchecked) private var lastEndpoint = -1
    @exclusivity(unchecked) private var errorCounts: [Int64: Int] = [:]
    @exclusivity(unchecked) private var checkCounts: [Int64: (passes: Int, fails: Int)] = [:]
    @exclusivity(unchecked) private var checkOrder: [Int64] = []
    @exclusivity(unchecked) var points: UInt64 = 0
    /// The run over time; points are placed by ``second`` (epoch seconds of the point being added,
    /// nil when the caller has no time for it).
    @exclusivity(unchecked) var timeline = TimelineBuilder()
    @exclusivity(unchecked) var second: Int64?
    @exclusivity(unchecked) private var endpointNames: [String?] = []
    /// Endpoints whose exact samples are kept (the rest use the histogram only). A block of a larger
    /// file keeps them for every endpoint (bounded by its line count): which endpoints are among the
    /// file's first is only known when blocks are merged in order.
    let exactEndpoints: Int

    init(file: String, exactEndpoints: Int = 256) {
        self.file = file
        self.exactEndpoints = exactEndpoints
    }

    /// Id of a metric by name bytes, creating its accumulator (type inferred from the name) on first sight.
    @inline(__always)
    func metricID(_ p: UnsafePointer<UInt8>, _ n: Int) -> Int {
        let id = Int(metricNames.intern(p, n))
        if id == metrics.count { metrics.append(K6MetricAcc(name: metricNames.strings[id])) }
        return id
    }

    func metricID(_ name: String) -> Int {
        let id = Int(metricNames.intern(name))
        if id == metrics.count { metrics.append(K6MetricAcc(name: name)) }
        return id
    }

    /// A `Metric` line's declaration: the real type and value kind.
    func declare(_ name: String, type: K6MetricType, contains: K6Contains) {
        let m = metrics[metricID(name)]
        m.type = type
        m.contains = contains
        m.declared = true
        m.declaredHere = true
    }

    /// Declarations merged from earlier blocks, given to a block's aggregator before it parses.
    func seed(_ declarations: [K6Declaration]) {
        for d in declarations {
            let m = metrics[metricID(d.name)]
            m.type = d.type
            m.contains = d.contains
            m.declared = true
            m.seeded = (d.type, d.contains)
        }
    }

    /// Every declared metric, to seed the aggregator of a later block.
    var declarations: [K6Declaration] {
        metrics.filter(\.declared).map { K6Declaration(name: $0.name, type: $0.type, contains: $0.contains) }
    }

    /// True when `later` (a block parsed on its own) aggregated a metric as a type other than the one
    /// declared before it in the file; that block has to be parsed again with the declarations.
    func contradicts(_ later: K6PointAggregator) -> Bool {
        for m in later.metrics {
            // The type the block aggregated with: guessed from the name, or seeded from earlier blocks
            // (a seed can be stale when a block merged since then redeclared the metric).
            guard let used = m.assumed ?? (m.declaredHere ? nil : m.seeded),
                let t = metrics.first(where: { $0.name == m.name }), t.declared
            else { continue }
            if t.type != used.type || t.contains != used.contains { return true }
        }
        return false
    }

    /// Adds the aggregates of the block that follows this one in the file (same result as one pass).
    /// Adds a later block's aggregator; `linesBefore` are the lines before that block (for errors).
    func merge(_ o: K6PointAggregator, linesBefore: Int) throws {
        points &+= o.points
        timeline.merge(o.timeline)
        for m in o.metrics where m.samples > 0 || m.declaredHere {
            let t = metrics[metricID(m.name)]
            if m.declaredHere {
                t.type = m.type
                t.contains = m.contains
                t.declared = true
                t.declaredHere = true
            }
            guard m.samples > 0 else { continue }
            if t.samples == 0 && !t.declared { t.assumed = m.assumed }
            t.samples &+= m.samples
            t.trend.merge(m.trend)
            t.sum += m.sum
            t.passes &+= m.passes
            t.last = m.last
            t.gaugeMin = Swift.min(t.gaugeMin, m.gaugeMin)
            t.gaugeMax = Swift.max(t.gaugeMax, m.gaugeMax)
        }
        let tagMap = o.tagValues.strings.map { tagValues.intern($0) }
        func tag(_ id: Int32) -> Int32 { id >= 0 ? tagMap[Int(id)] : -1 }
        var slotMap: [Int] = []
        for e in o.endpoints {
            var tags = K6PointTags()
            tags.name = tag(e.nameID)
            tags.method = tag(e.methodID)
            let slot = try endpointSlot(tags, line: e.firstLine.map { $0 + linesBefore })
            slotMap.append(slot)
            let t = endpoints[slot]
            t.latency.merge(e.latency)
            t.failures &+= e.failures
            t.failSamples &+= e.failSamples
            t.requests += e.requests
            t.requestSamples &+= e.requestSamples
        }
        for (key, count) in o.errorCounts {
            let slot = Int(key >> 32) - 1
            let mapped = slot >= 0 ? Int64(slotMap[slot]) : -1
            errorCounts[(mapped + 1) << 32 | Int64(tag(Int32(key & 0xFFFF_FFFF))), default: 0] += count
        }
        for key in o.checkOrder {
            let c = o.checkCounts[key]!
            let mapped = (Int64(tag(Int32(key >> 32) - 1)) + 1) << 32 | Int64(tag(Int32(key & 0xFFFF_FFFF)))
            if checkCounts[mapped] == nil { checkOrder.append(mapped) }
            checkCounts[mapped, default: (0, 0)].passes += c.passes
            checkCounts[mapped, default: (0, 0)].fails += c.fails
        }
    }

    func add(metric id: Int, value: Double, tags: K6PointTags, line: Int) throws {
        let m = metrics[id]
        if !m.declared && m.samples == 0 { m.assumed = (m.type, m.contains) }
        guard value.isFinite else {
            throw IngestError.at(file, line: line, "\(m.name): value is not a finite number")
        }
        points &+= 1
        m.samples &+= 1
        switch m.type {
        case .trend:
            if value < 0 && m.contains == .time {
                throw IngestError.at(file, line: line, "\(m.name): negative duration \(value)")
            }
            m.trend.add(value)
        case .counter:
            m.sum += value
        case .rate:
            if value != 0 { m.passes &+= 1 }
        case .gauge:
            m.last = value
            if value < m.gaugeMin { m.gaugeMin = value }
            if value > m.gaugeMax { m.gaugeMax = value }
        }
        if let second, m.role != .other, m.role != .checks, m.role != .vusMax { try addToTimeline(m, value, tags, second, line: line) }
        switch m.role {
        case .latency:
            if tags.name >= 0 { try endpoint(tags, line: line).latency.add(value) }
            if tags.error >= 0 {
                let epIndex = tags.name >= 0 ? Int64(try endpointSlot(tags, line: line)) : -1
                errorCounts[(epIndex + 1) << 32 | Int64(tags.error), default: 0] += 1
            }
        case .failed:
            if tags.name >= 0 {
                let e = try endpoint(tags, line: line)
                e.failSamples &+= 1
                if value != 0 { e.failures &+= 1 }
            }
        case .reqs:
            if tags.name >= 0 {
                let e = try endpoint(tags, line: line)
                e.requests += value
                e.requestSamples &+= 1
            }
        case .checks:
            if tags.check >= 0 {
                let key = (Int64(tags.group) + 1) << 32 | Int64(tags.check)
                if checkCounts[key] == nil { checkOrder.append(key) }
                if value != 0 {
                    checkCounts[key, default: (0, 0)].passes += 1
                } else {
                    checkCounts[key, default: (0, 0)].fails += 1
                }
            }
        case .vus, .vusMax, .other:
            break
        }
    }

    private func addToTimeline(_ m: K6MetricAcc, _ value: Double, _ tags: K6PointTags, _ second: Int64, line: Int) throws {
        let role = m.role
        if role == .latency && m.type != .trend { return }
        func apply(_ c: inout TimelineBuilder.Cell) {
            switch role {
            case .latency: c.latency.record(value)
            case .failed: if value != 0 { c.errors += 1 }
            case .reqs: c.requests += value
            case .vus: c.users = max(c.users ?? value, value)
            case .vusMax, .checks, .other: break
            }
        }
        timeline.update(second: second, endpoint: "", apply)
        guard role != .vus, tags.name >= 0 else { return }
        let slot = try endpointSlot(tags, line: line)
        while endpointNames.count <= slot { endpointNames.append(nil) }
        let name = endpointNames[slot] ?? endpointName(endpoints[slot])
        endpointNames[slot] = name
        timeline.update(second: second, endpoint: name, apply)
    }

    @inline(__always)
    private func endpointSlot(_ tags: K6PointTags, line: Int? = nil) throws -> Int {
        let key = Int64(tags.name) << 32 | Int64(UInt32(bitPattern: tags.method))
        if key == lastEndpointKey { return lastEndpoint }
        let slot: Int
        if let s = endpointIndex[key] {
            slot = s
        } else {
            slot = endpoints.count
            // Each endpoint is at least one series: refuse runaway cardinality before it costs memory.
            try IngestedRun.checkSeriesCount(slot + 1, file: file, line: line)
            try IngestedRun.checkNameLength(tagValues.strings[Int(tags.name)], "endpoint", file: file, line: line)
            // Exact samples for the first endpoints only, so memory stays bounded with many URLs.
            endpoints.append(
                K6EndpointAcc(nameID: tags.name, methodID: tags.method, keepExact: slot < exactEndpoints, firstLine: line))
            endpointIndex[key] = slot
        }
        lastEndpointKey = key
        lastEndpoint = slot
        return slot
    }

    @inline(__always)
    private func endpoint(_ tags: K6PointTags, line: Int) throws -> K6EndpointAcc { endpoints[try endpointSlot(tags, line: line)] }

    private func endpointName(_ e: K6EndpointAcc) -> String {
        K6.endpoint(name: tagValues.strings[Int(e.nameID)], method: e.methodID >= 0 ? tagValues.strings[Int(e.methodID)] : nil)
    }

    func run(format: InputFormat, startedAt: Date?, durationSeconds: Double?) -> IngestedRun {
        var series: [SeriesResult] = []
        let duration = durationSeconds.flatMap { $0 > 0 ? $0 : nil }
        let failedMetric = metrics.first { $0.role == .failed && $0.samples > 0 }
        let reqsMetric = metrics.first { $0.role == .reqs && $0.samples > 0 }

        for m in metrics where m.samples > 0 {
            var s = SeriesResult(
                key: SeriesKey(endpoint: "", metric: m.name), unit: K6.unit(type: m.type, contains: m.contains),
                direction: K6.direction(name: m.name, type: m.type))
            switch m.type {
            case .trend:
                s.stats = m.trend.stats()
                if m.trend.distributionOK { s.distribution = m.trend.distribution }
            case .counter:
                s.stats[.count] = m.sum
                if let duration { s.stats[.throughput] = m.sum / duration }
            case .rate:
                s.stats[.rate] = Double(m.passes) / Double(m.samples)
                s.stats[.passes] = Double(m.passes)
                s.stats[.fails] = Double(m.samples - m.passes)
            case .gauge:
                s.stats[.value] = m.last
                s.stats[.min] = m.gaugeMin
                s.stats[.max] = m.gaugeMax
            }
            if m.role == .latency && m.type == .trend {
                if let f = failedMetric {
                    s.stats[.errors] = Double(f.passes)
                    s.stats[.errorRate] = Double(f.passes) / Double(f.samples)
                }
                let requests = reqsMetric?.sum ?? Double(m.trend.count)
                if let duration { s.stats[.throughput] = requests / duration }
            }
            series.append(s)
        }

        // Per-endpoint latency series; (name, method) pairs that spell the same endpoint are merged.
        var byEndpoint: [String: [K6EndpointAcc]] = [:]
        for e in endpoints { byEndpoint[endpointName(e), default: []].append(e) }
        for (name, group) in byEndpoint {
            let acc = K6TrendAcc()
            var failures: UInt64 = 0
            var failSamples: UInt64 = 0
            var requests = 0.0
            var requestSamples: UInt64 = 0
            for e in group {
                acc.merge(e.latency)
                failures += e.failures
                failSamples += e.failSamples
                requests += e.requests
                requestSamples += e.requestSamples
            }
            guard acc.count > 0 || requestSamples > 0 else { continue }
            var s = SeriesResult(
                key: SeriesKey(endpoint: name, metric: K6.latency), unit: .milliseconds, direction: .lowerIsBetter)
            s.stats = acc.stats()
            if acc.count > 0 && acc.distributionOK { s.distribution = acc.distribution }
            if failSamples > 0 {
                s.stats[.errors] = Double(failures)
                s.stats[.errorRate] = Double(failures) / Double(failSamples)
            }
            let reqCount = requestSamples > 0 ? requests : Double(acc.count)
            if let duration { s.stats[.throughput] = reqCount / duration }
            series.append(s)
        }
        series.sort { $0.key < $1.key }

        var errors: [ErrorResult] = []
        for (key, count) in errorCounts {
            let slot = Int(key >> 32) - 1
            let message = tagValues.strings[Int(key & 0xFFFF_FFFF)]
            errors.append(
                ErrorResult(endpoint: slot >= 0 ? endpointName(endpoints[slot]) : "", message: message, occurrences: count))
        }
        errors.sort { ($0.endpoint, $0.message) < ($1.endpoint, $1.message) }

        let checks = checkOrder.map { key -> CheckResult in
            let groupID = Int(key >> 32) - 1
            let c = checkCounts[key]!
            return CheckResult(
                group: groupID >= 0 ? tagValues.strings[groupID] : "", name: tagValues.strings[Int(key & 0xFFFF_FFFF)],
                passes: c.passes, fails: c.fails)
        }

        var load = LoadProfile()
        for m in metrics where m.samples > 0 && m.type == .gauge {
            if m.role == .vus { load.vus = Int(m.gaugeMax.rounded()) }
            if m.role == .vusMax { load.maxVUs = Int(m.gaugeMax.rounded()) }
        }
        return IngestedRun(
            tool: K6.tool, format: format.rawValue, startedAt: startedAt, durationSeconds: durationSeconds, load: load,
            series: series, checks: checks, errors: errors,
            timeline: startedAt.flatMap { timeline.timeline(start: $0.timeIntervalSince1970) })
    }
}
