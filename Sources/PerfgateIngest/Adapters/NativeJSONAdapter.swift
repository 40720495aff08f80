import Foundation
import PerfgateCore

/// perfgate's native JSON format (``NativeJSON``). The commit and environment a file names are
/// available through ``NativeJSON/decode(_:)``; this adapter returns the run alone.
public struct NativeJSONAdapter: ResultAdapter {
    public init() {}

    /// An object with `"format": "perfgate"` (or the `$schema` perfgate writes first) in its head.
    public func sniff(head: [UInt8], fileName: String) -> Bool {
        guard Sniff.firstByte(head) == UInt8(ascii: "{") else { return false }
        let text = Sniff.text(head)
        return text.hasMember("format", valuePrefix: "\"perfgate\"")
            || text.hasMember("$schema", valuePrefix: "\"urn:perfgate:schema:result:")
    }

    public func parse(_ input: InputSet) throws -> IngestedRun { try NativeJSON.decode(input.primary).run }
}
