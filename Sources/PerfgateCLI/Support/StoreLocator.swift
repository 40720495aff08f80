import Foundation

/// Where the store is: `--store`, else `PERFGATE_STORE`, else `.perfgate/history.sqlite` at the
/// repository root (or the working directory outside a repository).
enum StoreLocator {
    static func path(flag: String?, environment: [String: String], git: GitCLI) -> String {
        if let f = flag { return f }
        if let e = environment["PERFGATE_STORE"], !e.isEmpty { return e }
        let root = git.topLevel ?? FileManager.default.currentDirectoryPath
        return root + "/.perfgate/history.sqlite"
    }
}
