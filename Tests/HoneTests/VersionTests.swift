import XCTest
import Foundation
@testable import Hone

final class VersionTests: XCTestCase {
    /// The header's macros and the library's answers must agree.
    func testHeaderMatchesLibrary() throws {
        let header = try String(contentsOfFile: packageRoot() + "/include/hone.h", encoding: .utf8)
        XCTAssertTrue(header.contains("#define HONE_VERSION_STRING \"\(HoneVersion.string)\""))
        XCTAssertTrue(header.contains("#define HONE_ABI_VERSION \(HoneVersion.abi)"))
        XCTAssertEqual(String(cString: hone_version()), HoneVersion.string)
        XCTAssertEqual(hone_abi_version(), HoneVersion.abi)
    }
}

func packageRoot(file: String = #filePath) -> String {
    var url = URL(fileURLWithPath: file)
    while url.path != "/" {
        url.deleteLastPathComponent()
        if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) { return url.path }
    }
    return FileManager.default.currentDirectoryPath
}
