import HoneSearch
import XCTest

final class DistributionTests: XCTestCase {
    /// Asserts that validating `d` as parameter "p" fails with a message containing `fragment`.
    private func assertInvalid(_ d: Distribution, _ fragment: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try d.validate(name: "p"), file: file, line: line) { error in
            guard case SearchSpaceError.invalidDistribution(let name, let reason) = error else {
                return XCTFail("wrong error \(error)", file: file, line: line)
            }
            XCTAssertEqual(name, "p", file: file, line: line)
            XCTAssertTrue(reason.contains(fragment), "\"\(reason)\" should mention \"\(fragment)\"", file: file, line: line)
            XCTAssertTrue("\(error)".contains("\"p\""), "message should name the parameter: \(error)", file: file, line: line)
        }
    }

    func testEveryValidationError() {
        assertInvalid(.float(2, 1), "must not exceed")
        assertInvalid(.int(5, 1), "must not exceed")
        assertInvalid(.float(0, 1, log: true), "low > 0")
        assertInvalid(.float(-1, 1, log: true), "low > 0")
        assertInvalid(.int(0, 10, log: true), "low ≥ 1")
        assertInvalid(.float(0, 1, step: 0.3), "does not divide")
        assertInvalid(.int(0, 10, step: 3), "does not divide")
        assertInvalid(.float(0, 1, step: 0), "positive")
        assertInvalid(.float(0, 1, step: -0.5), "positive")
        assertInvalid(.int(0, 10, step: 0), "positive")
        assertInvalid(.categorical([]), "at least one choice")
        assertInvalid(.categorical(["a", "a"]), "duplicates")
        assertInvalid(.categorical([.float(.nan)]), "finite")
        assertInvalid(.float(.nan, 1), "finite")
        assertInvalid(.float(0, .nan), "finite")
        assertInvalid(.float(0, .infinity), "finite")
        assertInvalid(.float(-.infinity, 0), "finite")
        assertInvalid(.float(1, 10, log: true, step: 1), "log=true cannot be combined with step")
        assertInvalid(.int(1, 10, log: true, step: 3), "log=true cannot be combined with step")
        assertInvalid(.fixed(.float(.infinity)), "finite")
        assertInvalid(.int(Int.min, Int.max), "too wide")
    }

    func testValidDistributionsPass() throws {
        for d: Distribution in [.float(0, 1), .float(1, 1), .float(1e-8, 1, log: true), .float(0, 1, step: 0.1),
                                .float(-1, 1, step: 0.25), .int(0, 0), .int(1, 1024, log: true), .int(-10, 10, step: 5),
                                .categorical([1, "a", true, 2.5]), .fixed("x")]
        {
            XCTAssertNoThrow(try d.validate(name: "ok"), "\(d)")
        }
    }

    func testInternalRepresentationRoundTrips() {
        let cases: [(Distribution, ParamValue, Double)] = [
            (.float(0, 1), .float(0.25), 0.25), (.int(-3, 3), .int(-2), -2),
            (.categorical(["a", "b", "c"]), "c", 2), (.fixed(.int(4)), .int(4), 0),
        ]
        for (d, v, x) in cases {
            XCTAssertEqual(d.toInternal(v), x, "\(d)")
            XCTAssertEqual(d.toExternal(x), v, "\(d)")
        }
        XCTAssertNil(Distribution.int(0, 10, step: 5).toInternal(.int(3)))
        XCTAssertNil(Distribution.categorical(["a"]).toInternal("b"))
        XCTAssertEqual(Distribution.int(0, 10, step: 5).toExternal(6.9), .int(5))
        XCTAssertEqual(Distribution.float(0, 1, step: 0.25).toExternal(0.6), .float(0.5))
        XCTAssertEqual(Distribution.float(0, 1).toExternal(7), .float(1))
    }

    func testUnitMapping() {
        // Log dimensions map in log space: the geometric middle sits at 0.5.
        let lr = Distribution.float(1e-4, 1, log: true)
        XCTAssertEqual(lr.toUnit(1e-2), 0.5, accuracy: 1e-12)
        XCTAssertEqual(lr.fromUnit(0.5), 1e-2, accuracy: 1e-12)
        XCTAssertEqual(lr.fromUnit(0), 1e-4)
        XCTAssertEqual(lr.fromUnit(1), 1)
        // Ints: the unit interval splits into equal shares per value; fromUnit rounds.
        let k = Distribution.int(0, 3)
        XCTAssertEqual((0..<100).map { k.fromUnit(Double($0) / 100) }.filter { $0 == 0 }.count, 25)
        XCTAssertEqual(k.fromUnit(1), 3)
        // Steps snap; log ints stay admissible.
        let s = Distribution.float(0, 1, step: 0.25)
        for u in stride(from: 0.0, through: 1.0, by: 0.01) {
            XCTAssertTrue(s.contains(s.toExternal(s.fromUnit(u))))
            let w = Distribution.int(3, 1000, log: true)
            XCTAssertTrue(w.contains(w.toExternal(w.fromUnit(u))))
        }
        // Categorical indices and out-of-range input.
        let c = Distribution.categorical(["a", "b", "c", "d"])
        XCTAssertEqual(c.fromUnit(0.99), 3)
        XCTAssertEqual(c.toUnit(0), 0.125, accuracy: 1e-12)
        XCTAssertEqual(c.fromUnit(-5), 0)
        XCTAssertEqual(c.fromUnit(.nan), 2)
    }

    func testCodableRoundTrips() throws {
        for d: Distribution in [.float(1e-5, 1, log: true), .float(0, 1, step: 0.5), .int(2, 8, step: 2),
                                .categorical([1, 1.0, "1", true]), .fixed(.float(3))]
        {
            XCTAssertEqual(try Distribution(jsonText: d.jsonText), d, d.jsonText)
        }
        // 1 and 1.0 stay apart as categorical choices.
        if case .categorical(let c) = try Distribution(jsonText: Distribution.categorical([1, 1.0]).jsonText) {
            XCTAssertEqual(c.choices, [.int(1), .float(1)])
        } else { XCTFail() }
        XCTAssertThrowsError(try Distribution(jsonText: #"{"type":"gaussian"}"#))
        let attrs: JSONValue = ["a": [1, "x", nil, true], "b": ["c": 2.5]]
        XCTAssertEqual(try JSONValue(jsonText: attrs.jsonText), attrs)
    }

    /// One non-finite number (a diverged loss, say) is written as a string and reads back
    /// as the number; the rest of the document is untouched (it once became `null` whole).
    func testNonFiniteNumbersKeepTheDocument() throws {
        let doc: JSONValue = ["test_loss": .number(.infinity), "low": .number(-.infinity), "acc": 0.5, "x": [.number(.nan), 1]]
        XCTAssertEqual(doc.jsonText, #"{"acc":0.5,"low":"-Infinity","test_loss":"Infinity","x":["NaN",1]}"#)
        let back = try JSONValue(jsonText: doc.jsonText)
        guard case .object(let o) = back else { return XCTFail("not an object: \(back)") }
        XCTAssertEqual(o["test_loss"], .number(.infinity))
        XCTAssertEqual(o["low"], .number(-.infinity))
        XCTAssertEqual(o["acc"], 0.5)
        XCTAssertTrue(o["x"].flatMap { if case .array(let a) = $0 { return a[0].numberValue?.isNaN } else { return nil } } ?? false)
    }

    func testSearchSpaceIsOrderedByName() {
        var s = SearchSpace()
        s.set("zeta", .float(0, 1)); s.set("alpha", .int(0, 1)); s.set("mid", .fixed(1))
        XCTAssertEqual(s.names, ["alpha", "mid", "zeta"])
        XCTAssertEqual(s.map(\.name), ["alpha", "mid", "zeta"])
        XCTAssertEqual(s.searchable.names, ["alpha", "zeta"])
        s.remove("mid")
        XCTAssertEqual(s.names, ["alpha", "zeta"])
    }
}
