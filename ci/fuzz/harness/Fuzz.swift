// libFuzzer harness over every reader of untrusted bytes: built only by ci/fuzz.sh (PERFGATE_FUZZ=1,
// -sanitize=fuzzer,address), never by `swift build`. See docs/fuzzing.md.
//
// PERFGATE_FUZZ_TARGET picks what the bytes are fed to:
//   ingest (default)  format detection, then that adapter, then `IngestedRun.validate` — what
//                     `perfgate ingest FILE` does with a file's bytes
//   <format>          one adapter named by its `--format` value (k6-summary, locust-csv, …), sniffing skipped
//   budgets           budgets.json decoding and validation
//   native            the native JSON reader (NativeJSON.decode)
//   history           the history-file reader `perfgate import` streams
// The invariant: a run that passes validation or a thrown IngestError (BudgetsError for budgets).
// Anything else — a trap, a crash, another error type, a hang (-timeout), unbounded memory
// (-rss_limit_mb) — is a finding.
import Foundation
import PerfgateCore
import PerfgateIngest

enum FuzzTarget {
    case ingest
    case format(InputFormat)
    case budgets
    case native
    case history

    static let current: FuzzTarget = {
        let name = ProcessInfo.processInfo.environment["PERFGATE_FUZZ_TARGET"] ?? "ingest"
        switch name {
        case "ingest": return .ingest
        case "budgets": return .budgets
        case "native": return .native
        case "history": return .history
        default:
            guard let format = InputFormat(rawValue: name) else {
                fatalError("PERFGATE_FUZZ_TARGET: unknown target \(name)")
            }
            return .format(format)
        }
    }()
}

func unexpected(_ error: any Error) -> Never {
    fatalError("not an IngestError: \(type(of: error)): \(error)")
}

func checkIngest(_ data: Data, format: InputFormat?) {
    let file = InputFile(data: data, displayPath: "fuzz-input")
    do {
        let fmt = try format ?? InputFormat.detect(file)
        let run: IngestedRun
        if fmt == .native {
            run = try NativeJSON.decode(file).run
        } else {
            run = try fmt.adapter.parse(InputSet(primary: file))
        }
        try run.validate(file: "fuzz-input")
    } catch is IngestError {
    } catch {
        unexpected(error)
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ start: UnsafeRawPointer?, _ count: Int) -> CInt {
    let data = start.map { Data(bytes: $0, count: count) } ?? Data()
    switch FuzzTarget.current {
    case .ingest: checkIngest(data, format: nil)
    case .format(let format): checkIngest(data, format: format)
    case .native: checkIngest(data, format: .native)
    case .budgets:
        do {
            _ = try BudgetSet.load(data, file: "budgets.json")
        } catch is BudgetsError {
        } catch {
            unexpected(error)
        }
    case .history:
        do {
            try HistoryReader.forEachRun(in: InputFile(data: data, displayPath: "history.json")) { _, entry in
                try entry.run.validate(file: "history.json")
            }
        } catch is IngestError {
        } catch {
            unexpected(error)
        }
    }
    return 0
}

// A debug `swift build` links an executable with `--defsym main=perfgate_fuzz_main` (testable
// executables), so libFuzzer's own `main` is never pulled in: this is that entry point, handing over
// to libFuzzer's driver (its documented `LLVMFuzzerRunDriver`).
@_silgen_name("LLVMFuzzerRunDriver")
func runFuzzerDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafeRawPointer?, Int) -> CInt
) -> CInt

@_cdecl("perfgate_fuzz_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var count = argc
    var arguments = argv
    return runFuzzerDriver(&count, &arguments) { fuzzOne($0, $1) }
}
