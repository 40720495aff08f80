import PerfgateCore
import Testing

@Suite struct SeriesRoleTests {
    @Test func classifiesK6AndLocustSeries() {
        func role(_ endpoint: String, _ metric: String) -> SeriesRole { SeriesRole.of(SeriesKey(endpoint: endpoint, metric: metric)) }
        #expect(role("GET /api/cart", "http_req_duration") == .endpoint)
        #expect(role("GET /api/cart", "http_reqs") == .endpoint)
        #expect(role("", "http_req_duration") == .total)  // k6 untagged, Locust "Aggregated"
        #expect(role("", "http_reqs") == .total)
        #expect(role("", "http_req_failed") == .total)
        for m in ["http_req_blocked", "http_req_connecting", "http_req_tls_handshaking", "http_req_sending", "http_req_waiting",
                  "http_req_receiving", "data_sent", "data_received", "iterations", "iteration_duration", "vus", "vus_max",
                  "group_duration", "checks"] {
            #expect(role("", m) == .toolInternal, "\(m)")
            #expect(role("GET /x", m) == .toolInternal, "\(m) per endpoint")
        }
        #expect(role("", "http_req_duration{expected_response:true}") == .total)
        #expect(role("", "http_req_blocked{expected_response:true}") == .toolInternal)
        #expect(role("", "checks{group:::login}") == .toolInternal)
        #expect(role("", "cart_latency") == .custom)
        #expect(role("", "cart_latency{step:pay}") == .custom)
        #expect(role("", "memory") == .custom)
        #expect(SeriesRole.isEndpointLatency(SeriesKey(endpoint: "GET /x", metric: "http_req_duration")))
        #expect(!SeriesRole.isEndpointLatency(SeriesKey(endpoint: "GET /x", metric: "http_reqs")))
        #expect(!SeriesRole.isEndpointLatency(SeriesKey(endpoint: "", metric: "http_req_duration")))
        #expect(SeriesRole.allCases.filter(\.leads) == [.endpoint, .custom])
    }
}
