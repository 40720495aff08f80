import ArgumentParser
import Foundation
import PerfgateCore

/// Runs a command body; a ``DiagnosableError`` is printed compiler-style and turned into its exit
/// code, any other error is printed as an internal error (exit 1). Core code never calls `exit()`.
func withDiagnostics<T>(_ body: () async throws -> T) async throws -> T {
    do {
        return try await body()
    } catch let e as any DiagnosableError {
        Console.printAll(e.diagnostics)
        throw ExitCode(e.exitStatus.rawValue)
    } catch let e as ExitCode {
        throw e
    } catch let e as CleanExit {
        throw e
    } catch let e as ValidationError {
        throw e
    } catch {
        Console.print(
            Diagnostic(
                .error, "internal error: \(error)", notes: ["this is a bug in perfgate; please report it"]))
        throw ExitCode(ExitStatus.internalError.rawValue)
    }
}

extension ExitStatus {
    var exitCode: ExitCode { ExitCode(rawValue) }
}
