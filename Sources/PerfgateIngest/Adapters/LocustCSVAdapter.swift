import PerfgateCore

/// Placeholder until the adapter lands; it claims nothing and refuses to parse.
struct LocustCSVAdapter: ResultAdapter {
    func sniff(head: [UInt8], fileName: String) -> Bool { false }
    func parse(_ input: InputSet) throws -> IngestedRun {
        throw IngestError.at(input.primary.displayPath, "this format is not implemented yet")
    }
}
