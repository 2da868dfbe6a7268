import Foundation
import HoneData
import HoneSearch
import HoneTuning
import XCTest

/// The one data reader (DataSpec): every source, its keys, defaults, limits and errors.
/// C (tests/c/checks_data.c) and Lua (TrainingScriptTests) reach it through their own
/// spellings; here it is read directly.
final class DataSpecTests: XCTestCase {
    private func spec(_ fields: [String: JSONValue]) throws -> DataSpec {
        try DataSpec.read(AlgorithmOptions(fields, context: "data"))
    }

    private func refused(_ fields: [String: JSONValue], _ needle: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try spec(fields).load(), file: file, line: line) {
            XCTAssertTrue("\($0)".contains(needle), "message \"\($0)\" lacks \"\(needle)\"", file: file, line: line)
        }
    }

    private func scratchCSV(_ name: String, _ rows: [String]) throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("hone-dataspec-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent(name).path
        try (["a,b,label"] + rows).joined(separator: "\n").write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func testSyntheticDataIsSeededAndCounted() throws {
        let a = try spec(["synthetic": "spirals", "count": 300, "classes": 3, "seed": 5]).load()
        let b = try spec(["synthetic": "spirals", "count": 300, "classes": 3, "seed": 5]).load()
        XCTAssertEqual(a.train.count, 300)
        XCTAssertEqual(a.train.classCount, 3)
        XCTAssertNil(a.test)
        XCTAssertEqual(a.train.features, b.train.features, "same seed, same data")
        let c = try spec(["synthetic": "spirals", "count": 300, "classes": 3, "seed": 6]).load()
        XCTAssertNotEqual(a.train.features, c.train.features)
        XCTAssertEqual(try spec(["synthetic": "moons"]).load().train.count, 1000, "count's default")
        XCTAssertEqual(try spec(["synthetic": "blobs", "count": 90]).load().train.classCount, 3, "blobs' default centres")
        XCTAssertEqual(try spec(["synthetic": "moons", "count": 500, "max_samples": 40]).load().train.count, 40)
    }

    func testCSVWithATestFileAndTheTask() throws {
        let train = try scratchCSV("train.csv", (0..<40).map { "\($0),\($0 % 5),\($0 % 2)" })
        let test = try scratchCSV("test.csv", (0..<10).map { "\($0),\($0 % 3),\($0 % 2)" })
        let both = try spec(["name": .string(train), "target": "label", "test": .string(test)]).load()
        XCTAssertEqual(both.train.count, 40)
        XCTAssertEqual(both.test?.count, 10)
        XCTAssertTrue(both.train.isClassification)
        let regression = try spec(["name": .string(train), "target": "label", "task": "regression"]).load()
        XCTAssertFalse(regression.train.isClassification)
        XCTAssertNil(regression.test)
        // The command line's flags read the same keys.
        let cli = try DataSpec.forCommandLine(data: train, target: "label", test: test, task: .auto)
        XCTAssertEqual(cli.source, .csv(path: train, target: "label", test: test))
    }

    func testBadDescriptionsNameWhatIsWrong() throws {
        refused([:], "\"name\"")
        refused(["name": "moons.csv", "synthetic": "moons"], "not both")
        refused(["synthetic": "circles"], "unknown synthetic data set 'circles'")
        refused(["synthetic": "moons", "classes": 4], "moons has two classes")
        refused(["synthetic": "moons", "target": "y"], "\"target\" is not an option of synthetic data")
        refused(["synthetic": "moons", "count": 0], "\"count\"")
        refused(["synthetic": "moons", "count": 1e15], "\"count\"")
        refused(["name": "fashion-mnist", "target": "y"], "\"target\" is not an option of data set 'fashion-mnist'")
        refused(["name": "fashion-mnist", "seed": 1], "\"seed\" is not an option")
        refused(["name": "table.csv"], "name its label column with \"target\"")
        refused(["name": "x.npy"], "\"labels\"")
        refused(["name": "table.csv", "target": "y", "colour": "red"], "unknown option \"colour\"")
        refused(["name": "table.csv", "target": "y", "task": "ranking"], "\"task\"")
        refused(["name": "/no/such/table.csv", "target": "y"], "no such file")
        refused(["name": "no-such-data-set"], "no data set named 'no-such-data-set'")
        XCTAssertThrowsError(try spec(["name": "/no/such/table.csv", "target": "y"]).load()) {
            XCTAssertTrue(($0 as? DataError)?.isNotFound == true, "a missing file is not-found (HONE_NOT_FOUND in C)")
        }
        let notData = try scratchCSV("notes.txt", ["1,2,3"])
        refused(["name": .string(notData)], "unknown file type")
    }
}
