import Foundation
import HoneSearch
import XCTest
@testable import HoneReport

final class ExportJSONLinesTests: XCTestCase {
    /// Each line parses with JSONSerialization and holds what was stored.
    func testLinesParseBack() throws {
        let trials = ExportFixtures.trials().sorted { $0.number < $1.number }
        let text = TrialJSONLines.render(trials: ExportFixtures.trials())
        XCTAssertTrue(text.hasSuffix("\n"))
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        XCTAssertEqual(lines.count, trials.count)
        for (trial, line) in zip(trials, lines) {
            let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], String(line))
            XCTAssertEqual(object["number"] as? Int, trial.number)
            XCTAssertEqual(object["state"] as? String, trial.state.rawValue)
            if let values = trial.values {
                let read = try XCTUnwrap(object["values"] as? [Any])
                XCTAssertEqual(read.count, values.count)
                for (x, r) in zip(values, read) { XCTAssertTrue(ExportFixtures.same(Self.number(r), x), "\(r) vs \(x)") }
            } else {
                XCTAssertTrue(object["values"] is NSNull)
            }
            let params = try XCTUnwrap(object["params"] as? [String: Any])
            XCTAssertEqual(Set(params.keys), Set(trial.params.keys))
            for (name, value) in trial.params {
                switch value {
                case .float(let x): XCTAssertTrue(ExportFixtures.same(Self.number(params[name]!), x), name)
                case .int(let i): XCTAssertEqual(params[name] as? Int, i)
                case .string(let s): XCTAssertEqual(params[name] as? String, s)
                case .bool(let b): XCTAssertEqual((params[name] as? NSNumber)?.boolValue, b)
                case .null: XCTAssertTrue(params[name] is NSNull, name)
                }
            }
            let reports = try XCTUnwrap(object["intermediate_values"] as? [[String: Any]])
            let keys = trial.intermediateValues.keys.sorted()
            XCTAssertEqual(reports.map { $0["step"] as? Int }, keys.map(\.step), "reports in step order")
            for (key, report) in zip(keys, reports) {
                let values = try XCTUnwrap(report["values"] as? [Any])
                XCTAssertTrue(ExportFixtures.same(Self.number(values[0]), trial.intermediateValues[key]![0]))
            }
            XCTAssertEqual(object["fail_reason"] as? String, trial.failReason)
            XCTAssertEqual(object["worker_id"] as? String, trial.workerId)
            XCTAssertEqual(object["datetime_start"] as? String, trial.startedAt.map(ExportText.time))
        }
        let first = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: Any])
        XCTAssertEqual(first["user_attrs"] as? NSDictionary,
                       ["note": "a,b", "n": 3, "list": [1, "x"], "ratio": 0.5] as NSDictionary)
        XCTAssertEqual((first["system_attrs"] as? [String: Any])?["seed"] as? Int, 42)
        let third = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(lines[2].utf8)) as? [String: Any])
        XCTAssertEqual((third["user_attrs"] as? [String: Any])?["note"] as? String, "é \u{1F600}\ttab\nnext line")
    }

    func testKeysInDocumentedOrderAndOutputStable() {
        let line = String(TrialJSONLines.render(trials: ExportFixtures.trials()).split(separator: "\n")[0])
        // Hone's one trial encoding (TrialEncoding.swift), as hone_study_trials_json.
        let keys = ["number", "state", "values", "params", "distributions", "intermediate_values", "user_attrs",
                    "system_attrs", "datetime_start", "datetime_complete", "duration_s", "fail_reason", "worker_id"]
        let positions = keys.map { line.range(of: "\"\($0)\":")?.lowerBound }
        XCTAssertFalse(positions.contains(nil), line)
        XCTAssertEqual(positions.map { $0! }, positions.map { $0! }.sorted(), line)
        XCTAssertEqual(TrialJSONLines.render(trials: ExportFixtures.trials().reversed()),
                       TrialJSONLines.render(trials: ExportFixtures.trials()))
    }

    func testIntsStayIntsAndNonFiniteNumbersAreStrings() {
        let text = TrialJSONLines.render(trials: ExportFixtures.trials())
        XCTAssertTrue(text.contains("\"width\":64"))
        XCTAssertTrue(text.contains("\"lr\":1.0"), "a float param keeps its point")
        XCTAssertTrue(text.contains("\"lr\":5e-324"))
        XCTAssertTrue(text.contains("{\"step\":3,\"fold\":0,\"values\":[\"NaN\"]}"))
        XCTAssertTrue(text.contains("{\"step\":0,\"fold\":0,\"values\":[\"-Infinity\"]}"))
        XCTAssertTrue(text.contains("\"fail_reason\":\"boom, \\\"bad\\\"\\r\\nsecond line\""))
    }

    private static func number(_ any: Any) -> Double? {
        if let s = any as? String { return ExportFixtures.number(s) }
        return (any as? NSNumber)?.doubleValue
    }
}
