// swift-tools-version: 6.2
import PackageDescription

// Warnings are errors on CI (CI=true), warnings locally.
let isCI = Context.environment["CI"] != nil
let settings: [SwiftSetting] =
    [
        .enableUpcomingFeature("ExistentialAny"),
        .enableUpcomingFeature("MemberImportVisibility"),
    ] + (isCI ? [.treatAllWarnings(as: .error)] : [])

let package = Package(
    name: "perfgate",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "perfgate", targets: ["perfgate"]),
        .library(name: "PerfgateCore", targets: ["PerfgateCore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.0.0"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.1.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.0.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.0.0"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.100.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.0"),
    ],
    targets: [
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .target(
            name: "PerfgateCore",
            dependencies: [.product(name: "Histogram", package: "hdrhistogram-swift")],
            swiftSettings: settings
        ),
        .target(name: "PerfgateIngest", dependencies: ["PerfgateCore", "CZlib"], swiftSettings: settings),
        // The use cases (ingest, commit and baseline resolution, check, tune) behind ports: HistoryStore,
        // GitRepository. Never imports a store, git or ArgumentParser (docs/architecture.md).
        .target(
            name: "PerfgateEngine",
            dependencies: ["PerfgateCore", "PerfgateIngest", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: settings
        ),
        .target(
            name: "PerfgateStore",
            dependencies: [
                "PerfgateCore", "PerfgateEngine", .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
            ],
            swiftSettings: settings
        ),
        // The PostgreSQL history store (docs/postgres.md): the same HistoryStore port over postgres-nio.
        .target(
            name: "PerfgatePostgres",
            dependencies: [
                "PerfgateCore", "PerfgateEngine", .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: settings
        ),
        // Built-in templates, embedded in the binary; one resource line per template file.
        .target(
            name: "PerfgateTemplates",
            path: "templates",
            exclude: ["README.md"],
            sources: ["PerfgateTemplates.swift"],
            resources: [
                .embedInCode("html/commit.html.mustache"),
                .embedInCode("html/compare.html.mustache"),
                .embedInCode("html/foot.html.mustache"),
                .embedInCode("html/head.html.mustache"),
                .embedInCode("html/index.html.mustache"),
                .embedInCode("html/release.html.mustache"),
                .embedInCode("html/run.html.mustache"),
                .embedInCode("html/series.html.mustache"),
                .embedInCode("html/tune.html.mustache"),
                .embedInCode("markdown/release.md.mustache"),
                .embedInCode("markdown/summary.md.mustache"),
            ],
            swiftSettings: settings
        ),
        .target(
            name: "PerfgateReport",
            dependencies: [
                "PerfgateCore", "PerfgateTemplates", .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: settings
        ),
        .target(
            name: "PerfgateCLI",
            dependencies: [
                "PerfgateCore", "PerfgateIngest", "PerfgateEngine", "PerfgateStore", "PerfgatePostgres", "PerfgateReport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            exclude: ["Samples/README.md", "Samples/.gitattributes"],
            resources: [
                .embedInCode("Samples/k6-run1.json"),
                .embedInCode("Samples/k6-run2.json"),
                .embedInCode("Samples/k6-run3.json"),
                .embedInCode("Samples/k6-run4.json"),
                .embedInCode("Samples/k6-run5.json"),
                .embedInCode("Samples/k6-run6.json"),
                .embedInCode("Samples/locust-run1_stats.csv"),
                .embedInCode("Samples/locust-run1_stats_history.csv"),
                .embedInCode("Samples/locust-run2_stats.csv"),
                .embedInCode("Samples/locust-run2_stats_history.csv"),
                .embedInCode("Samples/locust-run3_stats.csv"),
                .embedInCode("Samples/locust-run3_stats_history.csv"),
                .embedInCode("Samples/locust-run4_stats.csv"),
                .embedInCode("Samples/locust-run4_stats_history.csv"),
                .embedInCode("Samples/locust-run5_stats.csv"),
                .embedInCode("Samples/locust-run5_stats_history.csv"),
                .embedInCode("Samples/locust-run6_stats.csv"),
                .embedInCode("Samples/locust-run6_stats_history.csv")
            ],
            swiftSettings: settings
        ),
        .executableTarget(name: "perfgate", dependencies: ["PerfgateCLI"], swiftSettings: settings),
        // Benchmarks: `swift run -c release perfgate-bench --help`. Never run by `swift test`.
        .executableTarget(
            name: "perfgate-bench",
            dependencies: ["PerfgateCore", "PerfgateIngest", "PerfgateEngine", "PerfgateStore"],
            swiftSettings: settings
        ),

        .target(
            name: "PerfgateTestSupport",
            dependencies: ["PerfgateCore", "PerfgateEngine"],
            path: "Tests/PerfgateTestSupport",
            swiftSettings: settings
        ),
        .testTarget(
            name: "PerfgateCoreTests",
            dependencies: ["PerfgateCore", "PerfgateTestSupport"],
            exclude: ["Fixtures"],
            swiftSettings: settings
        ),
        .testTarget(
            name: "PerfgateIngestTests",
            dependencies: ["PerfgateIngest", "PerfgateCore", "PerfgateTestSupport"],
            exclude: ["Fixtures"],
            swiftSettings: settings
        ),
        .testTarget(
            name: "PerfgateEngineTests",
            dependencies: ["PerfgateEngine", "PerfgateCore", "PerfgateIngest", "PerfgateTestSupport"],
            swiftSettings: settings
        ),
        .testTarget(
            name: "PerfgateStoreTests",
            dependencies: ["PerfgateStore", "PerfgateEngine", "PerfgateIngest", "PerfgateCore", "PerfgateTestSupport"],
            exclude: ["Golden"],
            swiftSettings: settings
        ),
        .testTarget(
            name: "PerfgatePostgresTests",
            dependencies: ["PerfgatePostgres", "PerfgateEngine", "PerfgateCore", "PerfgateTestSupport"],
            swiftSettings: settings
        ),
        .testTarget(
            name: "PerfgateReportTests",
            dependencies: ["PerfgateReport", "PerfgateCore", "PerfgateTestSupport"],
            exclude: ["Golden"],
            swiftSettings: settings
        ),
        .testTarget(
            name: "PerfgateCLITests",
            dependencies: ["PerfgateCLI", "PerfgateCore", "PerfgateIngest", "PerfgateTestSupport"],
            exclude: ["Fixtures"],
            swiftSettings: settings
        ),
    ]
)

// The libFuzzer harness (ci/fuzz.sh, docs/fuzzing.md): declared only when PERFGATE_FUZZ is set, because
// it links libFuzzer's `main` (-sanitize=fuzzer) and cannot link in an ordinary build.
if Context.environment["PERFGATE_FUZZ"] != nil {
    package.targets.append(
        .executableTarget(
            name: "perfgate-fuzz",
            dependencies: ["PerfgateCore", "PerfgateIngest"],
            path: "ci/fuzz/harness",
            swiftSettings: settings + [.unsafeFlags(["-parse-as-library"])]
        ))
}
