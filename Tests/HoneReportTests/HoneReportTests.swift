import XCTest
@testable import HoneReport
