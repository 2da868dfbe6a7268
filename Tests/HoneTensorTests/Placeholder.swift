import XCTest

final class HoneTensorTestsPlaceholder: XCTestCase {}
