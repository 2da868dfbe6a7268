// The fuzz targets of bench/fuzz: one harness function per input format, shared by the
// libFuzzer driver (bench/fuzz/Driver, built with -sanitize=fuzzer,address by
// bench/fuzz/run.sh) and the corpus replay test (bench/fuzz/Tests, part of `swift test`).
//
// A harness feeds one input to a reader. A thrown error that names what is wrong is a
// correct answer; a crash, a trap, a hang or a broken invariant (checked with `expect`,
// which throws FuzzFailure) is a finding.

/// A fuzz target: a name (the corpus directory bench/fuzz/corpus/<name>) and its harness.
public struct FuzzTarget: Sendable {
    public let name: String
    /// Runs one input; throws FuzzFailure when an invariant breaks (input errors are
    /// caught inside and checked to carry a message).
    public let run: @Sendable ([UInt8]) throws -> Void

    public init(_ name: String, _ run: @escaping @Sendable ([UInt8]) throws -> Void) {
        self.name = name
        self.run = run
    }

    /// Every target, in the order bench/fuzz/run.sh runs them.
    public static let all: [FuzzTarget] = [
        FuzzTarget("csv") { try CSVFuzz.run($0) },
        FuzzTarget("npy") { try NPYFuzz.run($0) },
        FuzzTarget("idx") { try IDXFuzz.run($0) },
        FuzzTarget("safetensors") { try SafetensorsFuzz.run($0) },
        FuzzTarget("gzip") { try GzipFuzz.run($0) },
        FuzzTarget("json-options") { try JSONOptionsFuzz.run($0) },
        FuzzTarget("storage-url") { try StorageURLFuzz.run($0) },
        FuzzTarget("study-script") { try StudyScriptFuzz.run($0) },
        FuzzTarget("lua-pattern") { try LuaPatternFuzz.run($0) },
        FuzzTarget("c-api-options") { try CAPIOptionsFuzz.run($0) },
        FuzzTarget("optuna-journal") { try OptunaJournalFuzz.run($0) },
    ]

    public static func named(_ name: String) -> FuzzTarget? { all.first { $0.name == name } }

    /// The libhone.so the c-api-options target loads, and whether it could.
    public static var libhonePath: String { CAPIOptionsFuzz.path }
    public static var libhoneLoaded: Bool { CAPIOptionsFuzz.library != nil }
}

/// A broken invariant: what the harness expected and what it saw.
public struct FuzzFailure: Error, CustomStringConvertible {
    public let description: String
}

func expect(_ condition: Bool, _ message: @autoclosure () -> String) throws {
    if !condition { throw FuzzFailure(description: message()) }
}

/// An input error must say what is wrong: a non-empty message, naming the input when the
/// API was given a name for it.
func expectNamed(_ error: Error, _ name: String? = nil) throws {
    let text = String(describing: error)
    try expect(!text.isEmpty, "an error with an empty message: \(type(of: error))")
    if let name, !name.isEmpty { try expect(text.contains(name), "an error that does not name the input '\(name)': \(text)") }
}

/// The name harnesses give inputs, so error messages can be checked to name them.
let inputName = "fuzz-input"
