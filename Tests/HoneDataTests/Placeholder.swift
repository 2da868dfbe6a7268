import XCTest

final class HoneDataTestsPlaceholder: XCTestCase {}
