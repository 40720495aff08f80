import PerfgateCore
import PerfgateEngine
import Testing

/// Both stores read stored units and directions through `StoredValue`: an unknown one is an
/// unreadable row naming the store and the row, never a default.
@Suite("stored unit and direction")
struct StoredValueTests {
    @Test func knownValuesAreRead() throws {
        #expect(try StoredValue.unit("ms", row: .series(3), store: "h.sqlite") == .milliseconds)
        #expect(try StoredValue.direction("higher", row: .series(3), store: "h.sqlite") == .higherIsBetter)
    }

    @Test func anUnknownValueNamesTheStoreAndTheRow() {
        func message(_ read: () throws -> Void) -> (String, String?) {
            do {
                try read()
            } catch let e as StoreError {
                #expect(e.exitStatus == .storeError)
                return (e.diagnostic.message, e.diagnostic.location?.file)
            } catch {
                Issue.record("not a StoreError: \(error)")
            }
            return ("", nil)
        }
        let unit = message { _ = try StoredValue.unit("furlongs", row: .series(12), store: "h.sqlite") }
        #expect(unit.0 == "the store holds a row this perfgate cannot read: series 12 has unit 'furlongs'")
        #expect(unit.1 == "h.sqlite")
        let direction = message {
            _ = try StoredValue.serverSeries(unit: "B", direction: "sideways", name: "rss", run: 4, store: "postgres://db/x")
        }
        #expect(direction.0 == "the store holds a row this perfgate cannot read: server series rss of run 4 has direction 'sideways'")
        #expect(direction.1 == "postgres://db/x")
    }

    @Test func aServerSeriesWithoutASeriesRowIsPlainAndLowerIsBetter() throws {
        let read = try StoredValue.serverSeries(unit: nil, direction: nil, name: "rss", run: 4, store: "h.sqlite")
        #expect(read.unit == MetricUnit.none)
        #expect(read.direction == .lowerIsBetter)
    }
}
