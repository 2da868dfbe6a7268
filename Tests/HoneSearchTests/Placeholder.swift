import XCTest

final class HoneSearchTestsPlaceholder: XCTestCase {}
