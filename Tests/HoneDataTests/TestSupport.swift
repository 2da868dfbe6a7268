import Foundation
import XCTest
import HoneData

/// A fresh directory under the system temporary directory, removed by the test's
/// teardown block.
func makeTemporaryDirectory(_ test: XCTestCase) throws -> String {
    let path = NSTemporaryDirectory() + "hone-data-tests-" + UUID().uuidString
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    test.addTeardownBlock { try? FileManager.default.removeItem(atPath: path) }
    return path
}

func writeBytes(_ bytes: [UInt8], to path: String) throws {
    try Data(bytes).write(to: URL(fileURLWithPath: path))
}

func writeText(_ text: String, to path: String) throws {
    try writeBytes(Array(text.utf8), to: path)
}

/// Asserts that `expression` throws a `DataError` whose description contains every one of
/// `fragments`, and returns the description for further checks.
@discardableResult
func assertDataError<T>(_ expression: @autoclosure () throws -> T, contains fragments: [String],
                        file: StaticString = #filePath, line: UInt = #line) -> String? {
    do {
        _ = try expression()
        XCTFail("expected a DataError containing \(fragments), but nothing was thrown", file: file, line: line)
        return nil
    } catch let error as DataError {
        let text = error.description
        for fragment in fragments where !text.contains(fragment) {
            XCTFail("error \(text.debugDescription) does not contain \(fragment.debugDescription)", file: file, line: line)
        }
        return text
    } catch {
        XCTFail("expected a DataError, got \(type(of: error)): \(error)", file: file, line: line)
        return nil
    }
}

/// Little-endian bytes of a fixed-width integer, for building files by hand.
func le<T: FixedWidthInteger>(_ value: T) -> [UInt8] {
    withUnsafeBytes(of: value.littleEndian) { Array($0) }
}

/// Big-endian bytes of a fixed-width integer (IDX is big-endian).
func be<T: FixedWidthInteger>(_ value: T) -> [UInt8] {
    withUnsafeBytes(of: value.bigEndian) { Array($0) }
}
