// Replays every file of bench/fuzz/corpus/<target>/ through its target's harness, and
// every other target's corpus too (a CSV is a fine hostile NPY file), in a normal debug
// build: the fuzzers' findings stay fixed without a sanitizer build.
import Foundation
import HoneFuzzTargets
import XCTest

final class CorpusReplayTests: XCTestCase {
    static let corpus = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("corpus")

    static func files(_ directory: URL) -> [URL] {
        ((try? FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: nil)) ?? [])
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
    }

    func testEveryTargetHasACorpus() {
        XCTAssertTrue(FuzzTarget.libhoneLoaded, "c-api-options needs \(FuzzTarget.libhonePath): run `swift build` first")
        for target in FuzzTarget.all {
            XCTAssertFalse(Self.files(Self.corpus.appendingPathComponent(target.name)).isEmpty, "no corpus for \(target.name)")
        }
    }

    func testOwnCorpora() throws {
        for target in FuzzTarget.all {
            for file in Self.files(Self.corpus.appendingPathComponent(target.name)) {
                try replay(file, target)
            }
        }
    }

    func testEveryCorpusThroughEveryTarget() throws {
        let all = FuzzTarget.all.flatMap { Self.files(Self.corpus.appendingPathComponent($0.name)) }
        for target in FuzzTarget.all {
            for file in all where file.deletingLastPathComponent().lastPathComponent != target.name {
                try replay(file, target)
            }
        }
    }

    private func replay(_ file: URL, _ target: FuzzTarget) throws {
        let bytes = [UInt8](try Data(contentsOf: file))
        do {
            try target.run(bytes)
        } catch {
            XCTFail("\(target.name) \(file.deletingLastPathComponent().lastPathComponent)/\(file.lastPathComponent): \(error)")
        }
    }
}
