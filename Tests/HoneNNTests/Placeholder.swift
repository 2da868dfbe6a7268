import XCTest

final class HoneNNTestsPlaceholder: XCTestCase {}
