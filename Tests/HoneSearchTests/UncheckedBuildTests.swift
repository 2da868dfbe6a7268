// Targets compiled with -Ounchecked in release (Package.swift's `fast` settings) do not
// evaluate `precondition`, `assert` or their failure forms: a check written with them
// never runs in the build users get. Argument checks there throw; internal invariants
// that guard memory use `fatalError` (HoneTensor's `require`, HoneSearch's `invariant`).
// This test keeps it that way for every target Package.swift builds with `fast`.

import Foundation
import XCTest

final class UncheckedBuildTests: XCTestCase {
    func testNoPreconditionInUncheckedTargets() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let manifest = try String(contentsOf: root.appendingPathComponent("Package.swift"), encoding: .utf8)
        // The setting lists that pass -Ounchecked (`let fast: [SwiftSetting] = [… "-Ounchecked" …]`),
        // then the library targets using one (`.target(name: "X", …, swiftSettings: fast)` on one line).
        let lists = try NSRegularExpression(pattern: #"let (\w+): \[SwiftSetting\] = \[[^\]]*-Ounchecked"#)
            .matches(in: manifest, range: NSRange(manifest.startIndex..., in: manifest))
            .map { String(manifest[Range($0.range(at: 1), in: manifest)!]) }
        let targets = manifest.split(separator: "\n").compactMap { line -> String? in
            guard line.contains(".target(name: \""), lists.contains(where: { line.contains("swiftSettings: \($0)") }) else { return nil }
            return line.components(separatedBy: ".target(name: \"")[1].components(separatedBy: "\"")[0]
        }
        if targets.isEmpty { throw XCTSkip("no library target is built with -Ounchecked (setting lists: \(lists))") }
        let forbidden = ["precondition(", "preconditionFailure(", "assert(", "assertionFailure("]
        var found: [String] = []
        for target in targets {
            let dir = root.appendingPathComponent("Sources/\(target)")
            guard let files = FileManager.default.enumerator(at: dir, includingPropertiesForKeys: nil) else { continue }
            for case let file as URL in files where file.pathExtension == "swift" {
                let lines = try String(contentsOf: file, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
                for (i, line) in lines.enumerated() {
                    let code = line.components(separatedBy: "//")[0]
                    for f in forbidden where code.range(of: "(^|[^A-Za-z_.])" + NSRegularExpression.escapedPattern(for: f),
                                                        options: .regularExpression) != nil {
                        found.append("Sources/\(target)/\(file.lastPathComponent):\(i + 1): \(line.trimmingCharacters(in: .whitespaces))")
                    }
                }
            }
        }
        XCTAssert(found.isEmpty, "checks that -Ounchecked does not evaluate (throw for input, fatalError for invariants):\n"
                  + found.joined(separator: "\n"))
    }
}
