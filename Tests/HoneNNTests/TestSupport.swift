import Foundation
import HoneData
import HoneNN
import HoneTensor
import XCTest

/// Every state tensor's values as raw bit patterns, for bit-for-bit comparisons.
func weightBits(_ model: Sequential) -> [String: [UInt32]] {
    var out: [String: [UInt32]] = [:]
    for item in model.state { out[item.name] = item.tensor.scalars.map(\.bitPattern) }
    return out
}

/// A fresh path in the temporary directory, removed at the end of the test.
func temporaryPath(_ name: String, testCase: XCTestCase) -> String {
    let path = NSTemporaryDirectory() + "hone-nn-\(getpid())-\(UInt64.random(in: 0..<UInt64.max))-\(name)"
    testCase.addTeardownBlock { try? FileManager.default.removeItem(atPath: path) }
    return path
}

/// Tiny images, 1×8×8: class 0 has a bright horizontal bar, class 1 a vertical bar, at a
/// random position, over noise. A convolution finds this at once; it is a smoke test.
func barImages(count: Int, seed: UInt64) throws -> Dataset {
    var rng = RandomGenerator(seed: seed)
    var features = [Float](repeating: 0, count: count * 64)
    var labels = [Int32]()
    for s in 0..<count {
        let label = s % 2
        let position = 1 + rng.int(below: 6)
        for i in 0..<64 { features[s * 64 + i] = Float(rng.normal()) * 0.2 }
        for k in 0..<8 {
            let index = label == 0 ? position * 8 + k : k * 8 + position
            features[s * 64 + index] += 1
        }
        labels.append(Int32(label))
    }
    return try Dataset(features: features, featureShape: [1, 8, 8], targets: .classes(labels: labels, classCount: 2, classNames: nil))
}

/// Asserts that `body` throws a HoneNNError (or DataError) whose message contains every fragment.
func assertThrowsMessage(_ fragments: [String], file: StaticString = #filePath, line: UInt = #line,
                         _ body: () throws -> Void) {
    do {
        try body()
        XCTFail("expected an error mentioning \(fragments)", file: file, line: line)
    } catch {
        let message = "\(error)"
        for fragment in fragments where !message.contains(fragment) {
            XCTFail("error \"\(message)\" does not mention \"\(fragment)\"", file: file, line: line)
        }
    }
}

func XCTAssertContains(_ text: String?, _ part: String, file: StaticString = #filePath, line: UInt = #line) {
    guard let text else { return XCTFail("no text (expected one containing \"\(part)\")", file: file, line: line) }
    XCTAssertTrue(text.contains(part), "\"\(text)\" does not contain \"\(part)\"", file: file, line: line)
}
