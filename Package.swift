// swift-tools-version:6.0
// swdock: a Docker-class container engine for one Linux host.
// Layering (lower layers never import higher ones) is described in docs/DESIGN.md.
import PackageDescription

/// Swift 6 language mode everywhere; strict concurrency is the default there.
let swiftSettings: [SwiftSetting] = [.swiftLanguageMode(.v6)]

let package = Package(
    name: "swdock",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "swdock", targets: ["swdock"]),
        .executable(name: "swdockd", targets: ["swdockd"]),
        .executable(name: "swdock-shim", targets: ["swdock-shim"]),
        .executable(name: "swdock-runtime", targets: ["swdock-runtime"]),
        .executable(name: "swdock-init", targets: ["swdock-init"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
    ],
    targets: [
        // ── C: system libraries found through pkg-config ──────────────────────
        .systemLibrary(name: "CArchive", path: "Sources/CArchive", pkgConfig: "libarchive",
                       providers: [.apt(["libarchive-dev"])]),
        .systemLibrary(name: "CCurl", path: "Sources/CCurl", pkgConfig: "libcurl",
                       providers: [.apt(["libcurl4-openssl-dev"])]),
        .systemLibrary(name: "CSeccomp", path: "Sources/CSeccomp", pkgConfig: "libseccomp",
                       providers: [.apt(["libseccomp-dev"])]),
        .systemLibrary(name: "CCap", path: "Sources/CCap", pkgConfig: "libcap",
                       providers: [.apt(["libcap-dev"])]),
        .systemLibrary(name: "CNftables", path: "Sources/CNftables", pkgConfig: "libnftables",
                       providers: [.apt(["libnftables-dev"])]),
        .systemLibrary(name: "CSQLite", path: "Sources/CSQLite", pkgConfig: "sqlite3",
                       providers: [.apt(["libsqlite3-dev"])]),

        // ── C: our own code where Swift cannot be correct ─────────────────────
        /// Thin wrappers for what Swift cannot import: variadic syscalls, ioctl macros, clone3, openat2, pidfd.
        .target(name: "CSwdockSys", path: "Sources/CSwdockSys"),
        /// The only code between clone() and execve(): async-signal-safe C that performs a flat bootstrap.
        .target(name: "CSwdockInit", path: "Sources/CSwdockInit"),

        // ── OS ───────────────────────────────────────────────────────────────
        .target(name: "SwdockOS", dependencies: ["CSwdockSys"], swiftSettings: swiftSettings),

        // ── formats ──────────────────────────────────────────────────────────
        .target(name: "SwdockOCI",
                dependencies: [.product(name: "Crypto", package: "swift-crypto")],
                swiftSettings: swiftSettings),

        // ── images ───────────────────────────────────────────────────────────
        .target(name: "SwdockContent",
                dependencies: ["SwdockOS", "SwdockOCI", .product(name: "Crypto", package: "swift-crypto")],
                swiftSettings: swiftSettings),
        .target(name: "SwdockRegistry", dependencies: ["CCurl", "SwdockOS", "SwdockOCI", "SwdockContent"],
                swiftSettings: swiftSettings),
        .target(name: "SwdockArchive", dependencies: ["CArchive", "CSwdockSys", "SwdockOS", "SwdockOCI",
                                                    .product(name: "Crypto", package: "swift-crypto")],
                swiftSettings: swiftSettings),
        .target(name: "SwdockSnapshot", dependencies: ["CSwdockSys", "SwdockOS", "SwdockOCI"], swiftSettings: swiftSettings),

        // ── host ─────────────────────────────────────────────────────────────
        .target(name: "SwdockCgroups", dependencies: ["SwdockOS", "SwdockOCI"], swiftSettings: swiftSettings),
        .target(name: "SwdockSeccomp", dependencies: ["CSeccomp", "SwdockOS", "SwdockOCI"], swiftSettings: swiftSettings),
        .target(name: "SwdockNetwork", dependencies: ["CSwdockSys", "CNftables", "SwdockOS"], swiftSettings: swiftSettings),

        // ── runtime ──────────────────────────────────────────────────────────
        .target(name: "SwdockRuntime",
                dependencies: ["CSwdockInit", "CCap", "SwdockOS", "SwdockOCI", "SwdockCgroups", "SwdockSeccomp"],
                swiftSettings: swiftSettings),

        // ── engine ───────────────────────────────────────────────────────────
        .target(name: "SwdockMetadata", dependencies: ["CSQLite", "SwdockOS"], swiftSettings: swiftSettings),
        /// The shim protocol and the shim itself: no Foundation (one shim runs per container).
        .target(name: "SwdockShimCore", dependencies: ["SwdockOS"], swiftSettings: swiftSettings),
        .target(name: "SwdockEngine",
                dependencies: ["SwdockOS", "SwdockOCI", "SwdockContent", "SwdockRegistry", "SwdockArchive",
                               "SwdockSnapshot", "SwdockNetwork", "SwdockMetadata", "SwdockShimCore",
                               "SwdockSeccomp", "SwdockCgroups"],
                swiftSettings: swiftSettings),

        // ── API ──────────────────────────────────────────────────────────────
        .target(name: "SwdockAPI", dependencies: ["SwdockOS", "SwdockOCI"], swiftSettings: swiftSettings),
        .target(name: "SwdockServer",
                dependencies: ["SwdockAPI", "SwdockEngine", "SwdockOS", "SwdockCgroups", "CSwdockSys",
                               .product(name: "NIOCore", package: "swift-nio"),
                               .product(name: "NIOPosix", package: "swift-nio"),
                               .product(name: "NIOHTTP1", package: "swift-nio"),
                               .product(name: "Logging", package: "swift-log")],
                swiftSettings: swiftSettings),
        .target(name: "SwdockClient", dependencies: ["SwdockAPI", "SwdockOS"], swiftSettings: swiftSettings),

        // ── commands ─────────────────────────────────────────────────────────
        .target(name: "SwdockCommands",
                dependencies: ["SwdockClient", "SwdockAPI", "SwdockOCI", "SwdockOS", "SwdockArchive",
                               .product(name: "ArgumentParser", package: "swift-argument-parser")],
                swiftSettings: swiftSettings),

        // ── executables: a few lines each ────────────────────────────────────
        /// Swift stdlib and Foundation linked statically: the CLI starts for every command, and
        /// loading and relocating a dozen shared Swift libraries (Foundation and ICU among them)
        /// was most of its start-up time. glibc stays shared (a fully static binary started
        /// slower here).
        .executableTarget(name: "swdock", dependencies: ["SwdockCommands"], swiftSettings: swiftSettings,
                          linkerSettings: [.unsafeFlags(["-static-stdlib"]),
                                           .linkedLibrary("_FoundationCollections"), .linkedLibrary("_FoundationCShims"),
                                           .linkedLibrary("swiftSynchronization"),
                                           .unsafeFlags(["-Xlinker", "--gc-sections", "-Xlinker", "-s"],
                                                        .when(configuration: .release))]),
        /// Swift stdlib and Foundation (with ICU) linked statically, unused sections dropped: the
        /// shared Swift libraries' resident pages were 20.4 MiB of an idle daemon's RSS;
        /// statically linked it is 53.6 MiB against 56.6 MiB (one measurement, after a `run --rm`).
        .executableTarget(name: "swdockd",
                          dependencies: ["SwdockServer", "SwdockEngine", "SwdockMetadata", "SwdockAPI", "SwdockOCI", "SwdockSnapshot", "SwdockNetwork",
                                         .product(name: "Logging", package: "swift-log"),
                                         .product(name: "ArgumentParser", package: "swift-argument-parser")],
                          swiftSettings: swiftSettings,
                          linkerSettings: [.unsafeFlags(["-static-stdlib"]),
                                           .linkedLibrary("_FoundationCollections"), .linkedLibrary("_FoundationCShims"),
                                           .linkedLibrary("CoreFoundation"), .linkedLibrary("_FoundationICU"), .linkedLibrary("stdc++"),
                                           .linkedLibrary("swiftSynchronization"),
                                           .unsafeFlags(["-Xlinker", "--gc-sections", "-Xlinker", "-s"],
                                                        .when(configuration: .release))]),
        /// Fully static (Swift stdlib and glibc): no dynamic loader and shared libraries to map,
        /// which is most of an idle shim's resident memory.
        .executableTarget(name: "swdock-shim", dependencies: ["SwdockShimCore"], swiftSettings: swiftSettings,
                          linkerSettings: [.unsafeFlags(["-static-executable"]),
                                           .unsafeFlags(["-Xlinker", "--gc-sections", "-Xlinker", "-s"],
                                                        .when(configuration: .release))]),
        /// PID 1 of `--init` containers; fully static, since it runs inside any image's root.
        .executableTarget(name: "swdock-init", dependencies: ["SwdockOS"], swiftSettings: swiftSettings,
                          linkerSettings: [.unsafeFlags(["-static-executable"]),
                                           .unsafeFlags(["-Xlinker", "--gc-sections", "-Xlinker", "-s"],
                                                        .when(configuration: .release))]),
        /// Fully static (Swift runtime, glibc, libseccomp, libcap): every `create`/`run`/`exec`
        /// starts this binary twice (the re-exec from the read-only copy), and the dynamic
        /// loader's work was most of each start (bench/runtime/RESULTS.md). No Foundation
        /// (FoundationEssentials only), no NSS lookups (static glibc cannot load NSS modules).
        .executableTarget(name: "swdock-runtime",
                          dependencies: ["SwdockRuntime",
                                         .product(name: "ArgumentParser", package: "swift-argument-parser")],
                          swiftSettings: swiftSettings,
                          linkerSettings: [.unsafeFlags(["-static-executable"]),
                                           .linkedLibrary("_FoundationCollections"), .linkedLibrary("_FoundationCShims"),
                                           .linkedLibrary("swiftSynchronization"),
                                           .unsafeFlags(["-Xlinker", "--gc-sections", "-Xlinker", "-s"],
                                                        .when(configuration: .release))]),

        /// bench/unpack: applies or digests one layer blob and prints the time (not a product).
        .executableTarget(name: "swdock-unpack-bench", dependencies: ["SwdockArchive", "SwdockOS"],
                          path: "bench/unpack/swdock-unpack-bench", swiftSettings: swiftSettings),

        /// bench/network: attach/detach time and TCP throughput over the bridge (not a product).
        .executableTarget(name: "swdock-network-bench", dependencies: ["SwdockNetwork", "SwdockOS"],
                          path: "bench/network/swdock-network-bench", swiftSettings: swiftSettings),

        // ── tests ────────────────────────────────────────────────────────────
        /// Shared harness: temp dirs, root checks, the fixture registry, private daemons, cleanup.
        .target(name: "SwdockTestSupport",
                dependencies: ["SwdockOS", "SwdockOCI", "CSwdockSys", "SwdockNetwork", .product(name: "Crypto", package: "swift-crypto")],
                path: "Tests/SwdockTestSupport",
                swiftSettings: swiftSettings),
        .testTarget(name: "SwdockOSTests", dependencies: ["SwdockOS", "SwdockTestSupport"],
                    swiftSettings: swiftSettings),
        .testTarget(name: "SwdockFixtureTests", dependencies: ["SwdockTestSupport", "SwdockOCI", "SwdockOS", "CSwdockSys"],
                    swiftSettings: swiftSettings),
        .testTarget(name: "SwdockExecutableTests", dependencies: ["SwdockTestSupport"],
                    swiftSettings: swiftSettings),
        .testTarget(name: "SwdockOCITests", dependencies: ["SwdockOCI", "SwdockTestSupport"],
                    swiftSettings: swiftSettings),
        .testTarget(name: "SwdockContentTests", dependencies: ["SwdockContent", "SwdockTestSupport"],
                    swiftSettings: swiftSettings),
        .testTarget(name: "SwdockRegistryTests",
                    dependencies: ["SwdockRegistry", "SwdockContent", "SwdockOCI", "SwdockTestSupport"],
                    swiftSettings: swiftSettings),
        .testTarget(name: "SwdockArchiveTests",
                    dependencies: ["SwdockArchive", "SwdockSnapshot", "SwdockOCI", "SwdockOS", "CSwdockSys", "SwdockTestSupport"],
                    swiftSettings: swiftSettings),
        .testTarget(name: "SwdockSnapshotTests", dependencies: ["SwdockSnapshot", "SwdockOS", "CSwdockSys", "SwdockTestSupport"],
                    swiftSettings: swiftSettings),
        .testTarget(name: "SwdockCgroupsTests", dependencies: ["SwdockCgroups", "SwdockOCI", "SwdockOS", "SwdockTestSupport"],
                    swiftSettings: swiftSettings),
        .testTarget(name: "SwdockNetworkTests", dependencies: ["SwdockNetwork", "SwdockOS", "SwdockTestSupport"],
                    swiftSettings: swiftSettings),
        .testTarget(name: "SwdockSeccompTests", dependencies: ["SwdockSeccomp", "SwdockOCI", "SwdockTestSupport"],
                    swiftSettings: swiftSettings),
        /// The container side end to end as root: ContainerService with real shims, runtimes and
        /// overlay snapshots, and the API server driven by the docker CLI and docker-py.
        .testTarget(name: "SwdockContainerTests",
                    dependencies: ["SwdockEngine", "SwdockServer", "SwdockAPI", "SwdockSnapshot", "SwdockArchive", "SwdockNetwork",
                                   "SwdockMetadata", "SwdockOCI", "SwdockOS", "SwdockShimCore", "SwdockTestSupport", "SwdockContent", "SwdockRegistry",
                                   .product(name: "Logging", package: "swift-log")],
                    swiftSettings: swiftSettings),
        .testTarget(name: "SwdockMetadataTests", dependencies: ["SwdockMetadata", "SwdockTestSupport"],
                    swiftSettings: swiftSettings),
        .testTarget(name: "SwdockServerTests",
                    dependencies: ["SwdockServer", "SwdockAPI", "SwdockClient", "SwdockEngine", "SwdockTestSupport",
                                   .product(name: "NIOCore", package: "swift-nio"),
                                   .product(name: "NIOPosix", package: "swift-nio")],
                    swiftSettings: swiftSettings),
        /// The image service against the fixture registries: pull, unpack, references, removal, GC; routes through swdockd.
        .testTarget(name: "SwdockImageTests",
                    dependencies: ["SwdockEngine", "SwdockSnapshot", "SwdockContent", "SwdockMetadata", "SwdockRegistry",
                                   "SwdockOCI", "SwdockOS", "SwdockTestSupport"],
                    swiftSettings: swiftSettings),
        .testTarget(name: "SwdockClientTests", dependencies: ["SwdockClient", "SwdockAPI", "SwdockTestSupport"],
                    swiftSettings: swiftSettings),
        /// The CLI: flags → request bodies, output formatting, templates; end to end against a daemon.
        .testTarget(name: "SwdockCommandsTests",
                    dependencies: ["SwdockCommands", "SwdockClient", "SwdockAPI", "SwdockTestSupport"],
                    swiftSettings: swiftSettings),
        .testTarget(name: "SwdockShimTests", dependencies: ["SwdockShimCore", "SwdockOS", "SwdockTestSupport"],
                    swiftSettings: swiftSettings),
        .testTarget(name: "SwdockAPITests", dependencies: ["SwdockAPI", "SwdockOCI"], swiftSettings: swiftSettings),
        .testTarget(name: "SwdockEngineTests",
                    dependencies: ["SwdockEngine", "SwdockOCI", "SwdockSeccomp", "SwdockSnapshot", "CSwdockSys", "SwdockTestSupport"],
                    exclude: ["Fixtures"], swiftSettings: swiftSettings),
        .testTarget(name: "SwdockRuntimeTests", dependencies: ["SwdockRuntime", "SwdockOCI", "SwdockTestSupport"],
                    swiftSettings: swiftSettings),
        /// The same bundles under runc, crun and swdock-runtime; dockerd, containerd and podman driving a runtime.
        .testTarget(name: "SwdockRuntimeInteropTests", dependencies: ["SwdockTestSupport", "SwdockOCI"],
                    swiftSettings: swiftSettings),
        /// Engine benchmarks against dockerd and podman; run only with SWDOCK_BENCH=1 (bench/engine/run.sh).
        .testTarget(name: "SwdockBenchmarks", dependencies: ["SwdockTestSupport", "SwdockNetwork"], swiftSettings: swiftSettings),
    ]
)
