import HoneSearch
import HoneSearchConformance
import XCTest

final class InMemoryStorageTests: XCTestCase {
    func testStorageConformance() {
        StorageConformance.run { InMemoryStorage() }
    }
}
