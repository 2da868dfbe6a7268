import HoneSearch
import XCTest

final class TrialTests: XCTestCase {
    private func study(seed: UInt64 = 1) throws -> Study { try Study.create(seed: seed) }

    func testSameNameTwiceReturnsTheSameValue() throws {
        let st = try study()
        let t = try st.ask()
        let a = try t.suggestFloat("lr", 1e-4, 1, log: true)
        XCTAssertEqual(try t.suggestFloat("lr", 1e-4, 1, log: true), a)
        let c = try t.suggestCategorical("act", ["relu", "tanh"])
        XCTAssertEqual(try t.suggestCategorical("act", ["relu", "tanh"]), c)
        let n = try t.suggestInt("n", 1, 9, step: 2)
        XCTAssertEqual(try t.suggestInt("n", 1, 9, step: 2), n)
        XCTAssertTrue([1, 3, 5, 7, 9].contains(n))
    }

    func testDifferentDistributionForTheSameNameIsAnError() throws {
        let t = try study().ask()
        _ = try t.suggestFloat("x", 0, 1)
        XCTAssertThrowsError(try t.suggestFloat("x", 0, 2)) { e in
            guard case SearchSpaceError.conflictingDistribution(let name, _, _) = e else { return XCTFail("\(e)") }
            XCTAssertEqual(name, "x")
            XCTAssertTrue("\(e)".contains("\"x\""))
        }
        XCTAssertThrowsError(try t.suggestInt("x", 0, 1))
        XCTAssertThrowsError(try t.suggestCategorical("x", ["a"]))
    }

    func testSuggestRejectsInvalidRangesNamingTheParameter() throws {
        let t = try study().ask()
        let bad: [(String, () throws -> Any)] = [
            ("low>high", { try t.suggestFloat("low>high", 2, 1) }),
            ("logzero", { try t.suggestFloat("logzero", 0, 1, log: true) }),
            ("badstep", { try t.suggestFloat("badstep", 0, 1, step: 0.3) }),
            ("intstep", { try t.suggestInt("intstep", 0, 10, step: 4) }),
            ("intlog", { try t.suggestInt("intlog", 0, 10, log: true) }),
            ("logstep", { try t.suggestFloat("logstep", 1, 10, log: true, step: 1) }),
            ("empty", { try t.suggestCategorical("empty", [String]()) }),
            ("nan", { try t.suggestFloat("nan", .nan, 1) }),
            ("inf", { try t.suggestFloat("inf", 0, .infinity) }),
        ]
        for (name, call) in bad {
            XCTAssertThrowsError(try call(), name) { e in
                XCTAssertTrue("\(e)".contains("\"\(name)\""), "message should name \(name): \(e)")
            }
        }
        XCTAssertThrowsError(try t.suggestFloat("", 0, 1)) { XCTAssertEqual($0 as? SearchSpaceError, .emptyName) }
        // A rejected suggestion leaves no trace.
        XCTAssertTrue(t.parameters.isEmpty)
    }

    func testConditionalSpaces() throws {
        let st = try study(seed: 7)
        try st.optimize({ t in
            let n = try t.suggestInt("n_layers", 1, 3)
            var s = 0.0
            for i in 0..<n { s += Double(try t.suggestInt("width_\(i)", 8, 128, log: true)) }
            if try t.suggestCategorical("kind", ["a", "b"]) == "a" { s += try t.suggestFloat("only_a", 0, 1) }
            return s
        }, nTrials: 60)
        var layerCounts = Set<Int>()
        for t in try st.trials() {
            let n = t.params["n_layers"]!.intValue!
            layerCounts.insert(n)
            XCTAssertEqual(Set(t.params.keys.filter { $0.hasPrefix("width_") }), Set((0..<n).map { "width_\($0)" }))
            XCTAssertEqual(t.params["only_a"] != nil, t.params["kind"] == "a")
        }
        XCTAssertEqual(layerCounts, [1, 2, 3])
        // The study records the union of everything seen.
        XCTAssertEqual(try st.searchSpace().names, ["kind", "n_layers", "only_a", "width_0", "width_1", "width_2"])
        XCTAssertEqual(try st.searchSpace()["width_2"], .int(8, 128, log: true))
    }

    func testFixedAndEnqueuedValues() throws {
        let st = try study()
        try st.enqueueTrial(["x": .int(1), "n": .float(4), "c": "b"])    // 1 → 1.0 and 4.0 → 4 are accepted
        let t = try st.ask()
        XCTAssertEqual(try t.suggestFloat("x", 0, 2), 1.0)
        XCTAssertEqual(try t.suggestInt("n", 0, 8), 4)
        XCTAssertEqual(try t.suggestCategorical("c", ["a", "b"]), "b")
        XCTAssertEqual(try t.suggestFixed("seed", .int(3)), .int(3))
        try st.tell(t, value: 1)
        try st.enqueueTrial(["x": .float(5)])
        let u = try st.ask()
        XCTAssertThrowsError(try u.suggestFloat("x", 0, 2)) { e in
            guard case SearchSpaceError.valueOutsideDistribution(let name, _, _) = e else { return XCTFail("\(e)") }
            XCTAssertEqual(name, "x")
        }
    }

    func testReportsAndAttributesAreStored() throws {
        let st = try study()
        let t = try st.ask()
        _ = try t.suggestFloat("x", 0, 1)
        try t.report(0.5, step: 1)
        try t.report(0.4, step: 2, fold: 1)
        try t.setUserAttribute("note", "hello")
        t.setSystemAttribute("bracket", 2)
        XCTAssertThrowsError(try t.report(.nan, step: 3))
        XCTAssertThrowsError(try t.report([1, 2], step: 3))   // one objective
        let stored = try st.storage.trial(id: t.id)!
        XCTAssertEqual(stored.intermediateValues, [IntermediateKey(step: 1): [0.5], IntermediateKey(step: 2, fold: 1): [0.4]])
        XCTAssertNotNil(stored.params["x"], "params are flushed with the first report")
        XCTAssertEqual(stored.userAttrs["note"], "hello")
        let done = try st.tell(t, value: 1)
        XCTAssertEqual(done.systemAttrs["bracket"], 2)
        XCTAssertEqual(try st.storage.trial(id: t.id)?.systemAttrs["bracket"], 2)
        XCTAssertThrowsError(try t.suggestFloat("y", 0, 1)) { e in
            XCTAssertEqual(e as? StudyError, .alreadyFinished(trialNumber: 0, state: .complete))
        }
    }

    func testRandomStreamsDependOnSeedNumberAndKeyOnly() throws {
        let a = try Study.create(seed: 99), b = try Study.create(seed: 99)
        let ta = try a.ask(), tb = try b.ask()
        var ra = ta.random(for: "x"), rb = tb.random(for: "x"), rc = ta.random(for: "y")
        let xa = ra.next(), xb = rb.next(), xc = rc.next()
        XCTAssertEqual(xa, xb)
        XCTAssertNotEqual(xa, xc)
        XCTAssertEqual(stableHash(""), 0xcbf2_9ce4_8422_2325)                            // FNV-1a offset basis
        XCTAssertEqual(stableHash("a"), 0xaf63_dc4c_8601_ec8c)                           // FNV-1a("a")
    }
}

final class EnqueuedCategoricalTests: XCTestCase {
    /// Bindings store categorical choices as strings; an enqueued 64 means the choice "64".
    func testEnqueuedNumberMatchesItsStringChoice() throws {
        let study = try Study.create(sampler: RandomSampler(), seed: 0)
        try study.enqueueTrial(["units": .int(64), "flag": .bool(true)])
        let trial = try study.ask()
        XCTAssertEqual(try trial.suggestCategorical("units", ["32", "64"]), "64")
        XCTAssertEqual(try trial.suggestCategorical("flag", ["True", "False"]), "True")
        try study.enqueueTrial(["units": .int(128)])
        XCTAssertThrowsError(try study.ask().suggestCategorical("units", ["32", "64"]))
    }

    /// The other way round (typed choices since 0.4.0): an enqueued "64" or "None" means
    /// the choice 64 or null when exactly one choice is spelt so.
    func testEnqueuedStringMatchesItsTypedChoice() throws {
        let study = try Study.create(sampler: RandomSampler(), seed: 0)
        try study.enqueueTrial(["units": "64", "act": "None", "lr": "0.5"])
        let trial = try study.ask()
        XCTAssertEqual(try trial.suggestCategorical("units", [32, 64]), .int(64))
        XCTAssertEqual(try trial.suggestCategorical("act", [.null, "relu"]), .null)
        XCTAssertEqual(try trial.suggestCategorical("lr", [0.5, 0.25]), .float(0.5))
        // Ambiguous (64 and "64" both choices) or absent: refused, not guessed.
        try study.enqueueTrial(["units": .float(64)])
        XCTAssertThrowsError(try study.ask().suggestCategorical("units", [64, "64"]))
        try study.enqueueTrial(["units": "65"])
        XCTAssertThrowsError(try study.ask().suggestCategorical("units", [32, 64]))
    }
}
