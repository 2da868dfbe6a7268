// Shared machinery of the conformance suites: named checks reported through XCTest.

import XCTest

/// One named check of a conformance suite. Checks throw `ConformanceFailure` (or any
/// error) to fail; the runner reports the check's name with the message.
public struct ConformanceCheck<Subject>: Sendable {
    public let name: String
    public let body: @Sendable (Subject) throws -> Void

    public init(_ name: String, _ body: @escaping @Sendable (Subject) throws -> Void) {
        self.name = name; self.body = body
    }
}

/// A failed expectation inside a conformance check.
public struct ConformanceFailure: Error, CustomStringConvertible {
    public let message: String
    public let file: StaticString
    public let line: UInt
    public var description: String { "\(message) (\(file):\(line))" }
}

/// Fails the current check unless `condition` holds.
public func require(_ condition: @autoclosure () throws -> Bool, _ message: @autoclosure () -> String,
                    file: StaticString = #filePath, line: UInt = #line) throws
{
    if !(try condition()) { throw ConformanceFailure(message: message(), file: file, line: line) }
}

/// Fails unless `a == b`, printing both.
public func requireEqual<T: Equatable>(_ a: T, _ b: T, _ message: @autoclosure () -> String = "",
                                       file: StaticString = #filePath, line: UInt = #line) throws
{
    if a != b {
        throw ConformanceFailure(message: "\(message()) expected \(b), got \(a)", file: file, line: line)
    }
}

/// Fails unless `body` throws an error that `matches` accepts; returns that error.
@discardableResult
public func requireThrows<T>(_ what: String, _ body: () throws -> T,
                             matching matches: (Error) -> Bool = { _ in true },
                             file: StaticString = #filePath, line: UInt = #line) throws -> Error
{
    do {
        _ = try body()
    } catch {
        if matches(error) { return error }
        throw ConformanceFailure(message: "\(what): threw the wrong error: \(error)", file: file, line: line)
    }
    throw ConformanceFailure(message: "\(what): expected an error, none was thrown", file: file, line: line)
}

/// Runs every check on a fresh subject from `make`, reporting each failure with the
/// check's name through XCTFail; returns the names of failed checks. `only` restricts the
/// run to the named checks (handy when one check fails for a new backend).
@discardableResult
public func runConformance<Subject>(_ suite: String, checks: [ConformanceCheck<Subject>],
                                    only: Set<String>? = nil, make: () throws -> Subject,
                                    file: StaticString = #filePath, line: UInt = #line) -> [String]
{
    var failed: [String] = []
    for check in checks where only?.contains(check.name) ?? true {
        do {
            let subject = try make()
            try check.body(subject)
        } catch let f as ConformanceFailure {
            failed.append(check.name)
            XCTFail("\(suite) › \(check.name): \(f.message) [\(f.file):\(f.line)]", file: file, line: line)
        } catch {
            failed.append(check.name)
            XCTFail("\(suite) › \(check.name): unexpected error: \(error)", file: file, line: line)
        }
    }
    return failed
}
