// swift-tools-version:6.0
// Hone: hyperparameter optimization for neural networks. Layout and layering: ../shared/design.md.
import PackageDescription

// Hot loops are written against unsafe buffers and checked by the tests; in release
// builds the remaining bounds and exclusivity checks cost more than they catch — where
// measured (BENCHMARKS.md, "Unchecked builds"): the tensor kernels (HoneTensor) and the
// samplers' numerics (HoneSearch: TPE asks 32 % and GP asks 38 % slower with the checks),
// not HoneData or HoneNN (the trainer within noise), which keep them. Bench targets and
// HoneReport's exports keep -Ounchecked too.
let fast: [SwiftSetting] = [
    .unsafeFlags(["-Ounchecked", "-enforce-exclusivity=unchecked"], .when(configuration: .release)),
]

/// The package's directory: linker flags need absolute paths.
let packageRoot = String(#filePath.dropLast("/Package.swift".count))

/// libhone.so carries the Swift runtime and Foundation inside itself (the toolchain's
/// usr/lib/swift_static archives), so C and Python users need no Swift installation and
/// nothing is read from the toolchain at run time (tests/native/no-toolchain.sh hides it
/// and runs the C examples and the Python package). `-static-stdlib` links the runtime
/// and the Foundation modules Hone imports; the archives those depend on are not named by
/// any autolink entry, so they are listed here, in one linker group because they refer
/// to each other. The version script keeps every one of their symbols internal
/// (`--exclude-libs ALL` in static-stdlib-args.lnk hides them from the dynamic table too).
/// Cost: the library grows from 14 MB to 84 MB (ICU's data is 38 MB of it).
/// (Defined before libhoneLinking: a manifest's globals are set in order.)
/// `-z defs` makes a symbol left undefined a link error instead of a load error.
let swiftRuntimeStatically: [String] = ["-static-stdlib"] + (["--start-group"] + [
    "-lFoundation", "-lFoundationEssentials", "-lFoundationInternationalization", "-lCoreFoundation",
    "-l_FoundationICU", "-l_FoundationCShims", "-l_FoundationCollections", "-lswiftSynchronization",
    "-lswiftDispatch", "-ldispatch", "-lBlocksRuntime", "-lswiftCore",
] + ["--end-group", "-z", "defs"]).flatMap { ["-Xlinker", $0] }

/// libhone.so: only the symbols of include/hone.h are exported (the version script), and
/// its SONAME carries HONE_ABI_VERSION. Every product that links the Hone target gets
/// these flags, so only the library product may link it (tests link libhone.so as C does).
let libhoneABI = "1"
let libhoneLinking: [LinkerSetting] = [
    .unsafeFlags(["-Xlinker", "--version-script=\(packageRoot)/Sources/Hone/exports.map",
                  "-Xlinker", "-soname=libhone.so.\(libhoneABI)"]),
    .unsafeFlags(swiftRuntimeStatically),
]

/// The hone.h calls a native plugin makes (defined in HonePlugins).
let pluginCalls = ["hone_registry_add_sampler", "hone_registry_add_pruner", "hone_registry_add_objective", "hone_registry_add_dataset",
                   "hone_context_directions", "hone_context_trial_number", "hone_context_n_completed", "hone_context_completed_value",
                   "hone_context_completed_param", "hone_context_intermediate", "hone_context_random"]

let package = Package(
    name: "Hone",
    products: [
        // libhone.so: the stable C API of include/hone.h.
        .library(name: "hone", type: .dynamic, targets: ["Hone"]),
        .executable(name: "hone-cli", targets: ["hone"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        // System libraries (Debian -dev packages).
        .systemLibrary(name: "CLua", pkgConfig: "lua5.4", providers: [.apt(["liblua5.4-dev"])]),
        .systemLibrary(name: "CBLAS", pkgConfig: "openblas", providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),
        .systemLibrary(name: "CPostgres", pkgConfig: "libpq", providers: [.apt(["libpq-dev"])]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .target(name: "HoneLuaShim", dependencies: ["CLua"]),
        // include/hone.h as a module: the Hone target checks its @_cdecl functions against it.
        .systemLibrary(name: "CHoneHeader"),

        // The core, each target depending only on those above it.
        // Elementwise kernels in C, built for AVX-512, AVX2 and baseline x86-64 and chosen at run time.
        .target(name: "HoneKernels"),
        .target(name: "HoneTensor", dependencies: ["CBLAS", "HoneKernels"], swiftSettings: fast),
        .target(name: "HoneData", dependencies: ["HoneTensor", "CZlib"]),
        .target(name: "HoneNN", dependencies: ["HoneTensor", "HoneData"]),
        .target(name: "HoneSearch", dependencies: ["HoneTensor", "CBLAS"], swiftSettings: fast),
        // The contracts in tests: suites every Storage, Sampler and Pruner must pass (used by
        // HoneSearchTests and by the test targets of other backends and algorithms).
        .target(name: "HoneSearchConformance", dependencies: ["HoneSearch"]),
        // Standard test functions with known minima (Branin, Hartmann, Rosenbrock) for the
        // search benchmark and the sampler tests.
        .target(name: "HoneSearchProblems"),
        .target(name: "HoneTuning", dependencies: ["HoneSearch", "HoneNN", "HoneData", "HoneTensor"]),
        .target(name: "HoneStorage", dependencies: ["HoneSearch", "CSQLite", "CPostgres"]),
        // Importance, HTML reports and exports of finished studies.
        .target(name: "HoneReport", dependencies: ["HoneSearch", "HoneTensor"], swiftSettings: fast),
        .target(name: "HoneScript", dependencies: ["CLua", "HoneLuaShim", "HoneSearch", "HoneStorage", "HoneNN", "HoneData", "HoneTuning"]),
        // The C boundary (status codes, thread-local messages, token handles, checked C values)
        // and plugins (native .so and Lua): loader, registry and context calls; shared by libhone and the CLI.
        // Executables that link it (the CLI, its tests) export its hone_* calls so a dlopen'd plugin finds them.
        .target(name: "HonePlugins", dependencies: ["CHoneHeader", "HoneSearch", "HoneData", "HoneScript", "HoneTensor", "HoneNN", "HoneStorage", "HoneTuning"],
                linkerSettings: [.unsafeFlags(pluginCalls.flatMap { ["-Xlinker", "--export-dynamic-symbol=\($0)"] })]),
        .target(name: "Hone", dependencies: ["CHoneHeader", "HoneTensor", "HoneData", "HoneNN", "HoneSearch", "HoneStorage", "HoneScript", "HoneReport", "HoneTuning", "HonePlugins"],
                exclude: ["exports.map"], linkerSettings: libhoneLinking),
        // The command (installed as `hone` by scripts/install.sh) carries the Swift runtime
        // too, so it keeps working when the toolchain it was built with is replaced.
        .executableTarget(name: "hone", dependencies: [
            "HoneTensor", "HoneData", "HoneNN", "HoneSearch", "HoneStorage", "HoneScript", "HoneReport", "HoneTuning", "HonePlugins",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ], linkerSettings: [.unsafeFlags(swiftRuntimeStatically)]),

        .executableTarget(name: "hone-bench-trainer", dependencies: ["HoneTensor", "HoneData", "HoneNN"],
                          path: "bench/trainer/Swift", swiftSettings: fast),
        .executableTarget(name: "hone-bench-search", dependencies: ["HoneSearch", "HoneSearchProblems"],
                          path: "bench/search/Swift", swiftSettings: fast),
        .executableTarget(name: "hone-bench-storage", dependencies: ["HoneSearch", "HoneStorage"], path: "bench/storage/Swift"),
        // A worker process the storage tests spawn (crash and multi-process concurrency tests).
        .executableTarget(name: "hone-storage-worker", dependencies: ["HoneStorage", "HoneSearch"], path: "Tests/HoneStorageWorker"),
        // Fuzzing (bench/fuzz): one harness per input format, the libFuzzer driver (built
        // with -sanitize=fuzzer by bench/fuzz/run.sh; a corpus replayer otherwise) and the
        // corpus replay test.
        .target(name: "HoneFuzzTargets", dependencies: ["HoneData", "HoneSearch", "HoneStorage", "HoneScript", "CLua", "HoneLuaShim"],
                path: "bench/fuzz/Targets"),
        .executableTarget(name: "hone-fuzz", dependencies: ["HoneFuzzTargets"], path: "bench/fuzz/Driver"),

        // No test target depends on Hone (its linker flags would apply to the test
        // bundle): libhone.so is tested from C, by tests/native/run.sh.
        .testTarget(name: "HoneTensorTests", dependencies: ["HoneTensor"]),
        .testTarget(name: "HoneDataTests", dependencies: ["HoneData"]),
        .testTarget(name: "HoneNNTests", dependencies: ["HoneNN", "HoneData"]),
        .testTarget(name: "HoneSearchTests", dependencies: ["HoneSearch", "HoneSearchConformance", "HoneSearchProblems"]),
        .testTarget(name: "HoneTuningTests", dependencies: ["HoneTuning", "HoneSearch", "HoneNN", "HoneData", "HoneSearchConformance"]),
        .testTarget(name: "HoneStorageTests", dependencies: ["HoneStorage", "HoneSearch", "HoneSearchConformance"]),
        .testTarget(name: "HoneScriptTests", dependencies: ["HoneScript", "HoneSearchConformance"]),
        .testTarget(name: "HonePluginsTests", dependencies: ["HonePlugins", "HoneSearch", "HoneSearchConformance"]),
        .testTarget(name: "HoneReportTests", dependencies: ["HoneReport", "HoneSearch", "CZlib"]),
        .testTarget(name: "HoneFuzzTests", dependencies: ["HoneFuzzTargets"], path: "bench/fuzz/Tests"),
    ],
    swiftLanguageModes: [.v5]
)
