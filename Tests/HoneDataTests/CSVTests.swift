import XCTest
import HoneData

final class CSVTests: XCTestCase {
    var directory = ""

    override func setUpWithError() throws {
        directory = try makeTemporaryDirectory(self)
    }

    func load(_ text: String, target: String = "label", task: TaskKind = .auto, classNames: [String]? = nil,
              delimiter: UInt8 = UInt8(ascii: ","), file: String = "data.csv") throws -> Dataset {
        let path = directory + "/" + file
        try writeText(text, to: path)
        return try CSV.loadDataset(path: path, target: target, task: task, classNames: classNames, delimiter: delimiter)
    }

    func testRoundTripOfAGeneratedTable() throws {
        // Write a table with the target in the middle, read it back, compare every value.
        let original = try Synthetic.blobs(count: 60, centers: 3, featureCount: 4, seed: 5)
        var text = "f0,f1,label,f2,f3\n"
        for i in 0..<original.count {
            let row = original.features[(i * 4)..<(i * 4 + 4)].map { "\($0)" }
            text += "\(row[0]),\(row[1]),class\(original.labels![i]),\(row[2]),\(row[3])\n"
        }
        let d = try load(text)
        XCTAssertEqual(d.count, 60)
        XCTAssertEqual(d.featureShape, [4])
        XCTAssertEqual(d.featureNames, ["f0", "f1", "f2", "f3"])
        XCTAssertEqual(d.features, original.features, "Float's description round-trips exactly")
        XCTAssertEqual(d.classNames, ["class0", "class1", "class2"])
        XCTAssertEqual(d.labels, original.labels)
    }

    func testQuotingPerRFC4180() throws {
        let text = "\u{FEFF}\"x, first\",\"say \"\"hi\"\"\",label\r\n" +
                   "1,\"2.5\",\"multi\nline\"\r\n" +
                   "\r\n" +                       // blank line: skipped
                   " 3 ,4,\"a,b\"\r\n" +
                   "5,6,plain"                    // no final newline
        let d = try load(text)
        XCTAssertEqual(d.featureNames, ["x, first", "say \"hi\""])
        XCTAssertEqual(d.features, [1, 2.5, 3, 4, 5, 6])
        XCTAssertEqual(d.classNames, ["a,b", "multi\nline", "plain"])
        XCTAssertEqual(d.labels, [1, 0, 2])

        var records: [(Int, [String])] = []
        try CSV.forEachRecord(Array("a,\"b\nc\",d\n\ne,,\n".utf8), name: "t.csv") { line, fields in
            records.append((line, (0..<fields.count).map { fields[$0] }))
        }
        XCTAssertEqual(records.map(\.0), [1, 4])
        XCTAssertEqual(records.map(\.1), [["a", "b\nc", "d"], ["e", "", ""]])
        XCTAssertEqual(CSV.escape("plain"), "plain")
        XCTAssertEqual(CSV.escape("a \"b\", c"), "\"a \"\"b\"\", c\"")
    }

    func testLabelMappingIsSortedAndStable() throws {
        // Text labels: sorted by Unicode scalars, whatever their order in the file.
        let text = try load("a,label\n1,dog\n2,cat\n3,emu\n4,cat\n")
        XCTAssertEqual(text.classNames, ["cat", "dog", "emu"])
        XCTAssertEqual(text.labels, [1, 0, 2, 0])
        // Integer labels: numeric order, so 10 comes after 9, and "03" is the class 3.
        let ints = try load("a,label\n1,10\n2,9\n3,03\n4,3\n")
        XCTAssertEqual(ints.classNames, ["3", "9", "10"])
        XCTAssertEqual(ints.labels, [2, 1, 0, 0])
        let floats = try load("a,label\n1,10.0\n2,2.0\n3,0.5\n4,2\n", task: .classification)
        XCTAssertEqual(floats.classNames, ["0.5", "2", "10"])
        XCTAssertEqual(floats.labels, [2, 1, 0, 1])
        // A fixed class list gives a test file the training file's indices.
        let fixed = try load("a,label\n1,emu\n", classNames: ["cat", "dog", "emu"])
        XCTAssertEqual(fixed.classCount, 3)
        XCTAssertEqual(fixed.labels, [2])
        XCTAssertEqual(try load("a,label\n1,3.0\n2,03\n", classNames: ["1", "3"]).labels, [1, 1])
        assertDataError(try load("a,label\n1,emu\n2,yak\n", classNames: ["cat", "emu"]),
                        contains: ["data.csv:3:", "target column 'label'", "'yak' is not one of the known classes 'cat', 'emu'"])
    }

    func testTaskSelection() throws {
        let csv = "a,b,y\n0,1,0.5\n1,0,1.5\n2,2,2.5\n"
        let auto = try load(csv, target: "y")
        XCTAssertEqual(auto.targets, .regression(values: [0.5, 1.5, 2.5], outputCount: 1))
        XCTAssertEqual(auto.features, [0, 1, 1, 0, 2, 2])
        // Few distinct integers: classification by default, regression when asked.
        let small = "a,y\n0,1\n1,2\n2,1\n"
        XCTAssertTrue(try load(small, target: "y").isClassification)
        XCTAssertEqual(try load(small, target: "y", task: .regression).targets, .regression(values: [1, 2, 1], outputCount: 1))
        // Many distinct integers: regression under .auto.
        let many = "a,y\n" + (0..<60).map { "\($0),\($0 * 3)" }.joined(separator: "\n")
        XCTAssertFalse(try load(many, target: "y").isClassification)
        XCTAssertEqual(try load(many, target: "y", task: .classification).classCount, 60)
        // Semicolon-separated files.
        XCTAssertEqual(try load("a;label\n1.5;x\n", delimiter: UInt8(ascii: ";")).features, [1.5])
        assertDataError(try load("a;label\n1,5;x\n", delimiter: UInt8(ascii: ";")),
                        contains: ["data.csv:2: column 'a': cannot parse '1,5' as a number"])
    }

    func testBadCellNamesFileLineAndColumn() throws {
        let text = "age,height,label\n30,1.8,a\n31,1.7,b\n" + String(repeating: "40,1.6,a\n", count: 13) + "abc,1.9,b\n"
        let message = assertDataError(try load(text), contains: ["data.csv:17: column 'age': cannot parse 'abc' as a number"])
        XCTAssertTrue(message?.hasPrefix(directory) ?? false, "the message names the file as given")
        assertDataError(try load("age,label\n30,a\n,b\n"), contains: ["data.csv:3:", "column 'age'", "empty value"])
        assertDataError(try load("age,label\n30,a\nnan,b\n"), contains: ["data.csv:3:", "column 'age'", "'nan' is not a finite number"])
        assertDataError(try load("age,y\n1,2\n2,x\n", target: "y", task: .regression),
                        contains: ["data.csv:3:", "target column 'y'", "cannot parse 'x'"])
        assertDataError(try load("age,y\n1,2\n2,\n", target: "y"), contains: ["data.csv:3:", "target column 'y': empty value"])
    }

    func testRaggedRows() throws {
        assertDataError(try load("a,b,label\n1,2,x\n1,2\n"), contains: ["data.csv:3:", "expected 3 fields as in the header, found 2"])
        assertDataError(try load("a,b,label\n1,2,x,4\n"), contains: ["data.csv:2:", "expected 3 fields", "found 4"])
    }

    func testMissingTargetColumnListsColumns() throws {
        assertDataError(try load("a,b,c\n1,2,3\n", target: "label"),
                        contains: ["data.csv:1:", "no target column named 'label'", "'a', 'b', 'c'"])
        assertDataError(try load("a,label,label\n1,2,3\n"), contains: ["appears 2 times"])
        assertDataError(try load("label\n1\n"), contains: ["no feature columns"])
    }

    func testEmptyAndHeaderOnlyFiles() throws {
        assertDataError(try load(""), contains: ["data.csv: file is empty"])
        assertDataError(try load("\n\n"), contains: ["data.csv: file is empty"])
        assertDataError(try load("a,label\n"), contains: ["data.csv: the file has a header but no data rows"])
        assertDataError(try CSV.loadDataset(path: directory + "/missing.csv", target: "label"),
                        contains: ["missing.csv: cannot open file: No such file or directory"])
    }

    func testQuotingErrors() throws {
        assertDataError(try load("a,label\n1,\"open\n2,x\n"), contains: ["data.csv:2:", "opens a quote that is never closed"])
        assertDataError(try load("a,label\n1,\"x\"y\n"), contains: ["data.csv:2:", "field 2", "unexpected 'y' after a closing quote"])
    }
}
