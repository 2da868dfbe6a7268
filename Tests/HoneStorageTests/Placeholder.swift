import XCTest

final class HoneStorageTestsPlaceholder: XCTestCase {}
