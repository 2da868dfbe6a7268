import Foundation
import HoneSearch
import XCTest
@testable import HoneReport

final class ExportCSVTests: XCTestCase {
    func testFieldsAreQuotedOnlyWhenNeeded() {
        XCTAssertEqual(TrialCSV.field("plain"), "plain")
        XCTAssertEqual(TrialCSV.field(""), "")
        XCTAssertEqual(TrialCSV.field("a,b"), "\"a,b\"")
        XCTAssertEqual(TrialCSV.field("say \"hi\""), "\"say \"\"hi\"\"\"")
        XCTAssertEqual(TrialCSV.field("two\nlines"), "\"two\nlines\"")
        XCTAssertEqual(TrialCSV.field("cr\r"), "\"cr\r\"")
    }

    func testHeaderColumnsInStableOrder() {
        let csv = TrialCSV(study: ExportFixtures.study, trials: ExportFixtures.trials())
        XCTAssertEqual(csv.header, [
            "number", "state", "value", "datetime_start", "datetime_complete", "duration_s",
            "params_activation", "params_lr", "params_only, here", "params_width",
            "user_attrs_list", "user_attrs_n", "user_attrs_note", "user_attrs_ratio", "system_attrs_seed",
            "intermediate_last_step", "intermediate_last_value", "fail_reason", "worker_id",
        ])
        XCTAssertEqual(csv.rows.map { $0[0] }, ["0", "1", "2", "3"], "rows in trial-number order")
        XCTAssertTrue(csv.text.hasSuffix("\r\n"))
    }

    /// Written, read back by an independent RFC 4180 parser: every cell is what was stored,
    /// floats bit for bit.
    func testRoundTripThroughParser() throws {
        let trials = ExportFixtures.trials().sorted { $0.number < $1.number }
        let csv = TrialCSV(study: ExportFixtures.study, trials: trials)
        let records = ExportFixtures.parseCSV(csv.text)
        guard records.count == trials.count + 1, records.allSatisfy({ $0.count == csv.header.count }) else {
            return XCTFail("the parser reads \(records.map(\.count)) fields per record; want \(csv.header.count) in \(trials.count + 1) records")
        }
        XCTAssertEqual(records[0], csv.header)
        let column = Dictionary(uniqueKeysWithValues: csv.header.enumerated().map { ($1, $0) })
        for (trial, record) in zip(trials, records.dropFirst()) {
            func cell(_ name: String) -> String { record[column[name]!] }
            XCTAssertEqual(Int(cell("number")), trial.number)
            XCTAssertEqual(cell("state"), trial.state.rawValue)
            XCTAssertTrue(ExportFixtures.same(ExportFixtures.number(cell("value")), trial.values?.first),
                          "trial \(trial.number) value \(cell("value"))")
            XCTAssertTrue(ExportFixtures.same(ExportFixtures.number(cell("duration_s")), trial.duration))
            for (name, value) in trial.params {
                let text = cell("params_" + name)
                switch value {
                case .float(let x): XCTAssertTrue(ExportFixtures.same(ExportFixtures.number(text), x), "\(name): \(text)")
                case .int(let i): XCTAssertEqual(text, String(i))
                case .string(let s): XCTAssertEqual(text, s)
                case .bool(let b): XCTAssertEqual(text, b ? "true" : "false")
                case .null: XCTAssertEqual(text, "")
                }
            }
            for name in ["activation", "lr", "only, here", "width"] where trial.params[name] == nil {
                XCTAssertEqual(cell("params_" + name), "", "absent parameter leaves an empty cell")
            }
            XCTAssertEqual(cell("fail_reason"), trial.failReason ?? "")
            let last = trial.lastIntermediate
            XCTAssertEqual(cell("intermediate_last_step"), last.map { String($0.key.step) } ?? "")
            XCTAssertTrue(ExportFixtures.same(ExportFixtures.number(cell("intermediate_last_value")), last?.values.first))
        }
        let first = records[1]
        XCTAssertEqual(first[column["user_attrs_note"]!], "a,b")
        XCTAssertEqual(first[column["user_attrs_n"]!], "3")
        XCTAssertEqual(first[column["user_attrs_ratio"]!], "0.5")
        XCTAssertEqual(first[column["user_attrs_list"]!], "[1,\"x\"]")
        XCTAssertEqual(first[column["system_attrs_seed"]!], "42")
        XCTAssertEqual(first[column["datetime_start"]!], "2026-11-29T07:13:30.616877Z")
        XCTAssertEqual(records[2][column["value"]!], "", "a failed trial has no value")
        XCTAssertEqual(records[3][column["value"]!], "-0.0")
        XCTAssertEqual(records[3][column["user_attrs_note"]!], "é \u{1F600}\ttab\nnext line")
        XCTAssertEqual(records[2][column["intermediate_last_value"]!], "NaN")
    }

    func testSeveralObjectivesAndFoldsGetTheirOwnColumns() {
        let study = StudyRecord(id: 2, name: "mo", directions: [.minimize, .maximize], createdAt: ExportFixtures.start)
        let trial = FrozenTrial(id: 1, studyId: 2, number: 0, state: .complete, values: [1.5, Double.infinity],
                                intermediateValues: [IntermediateKey(step: 2, fold: 1): [3, 4], IntermediateKey(step: 2, fold: 0): [1, 2]])
        let csv = TrialCSV(study: study, trials: [trial])
        XCTAssertEqual(csv.header, ["number", "state", "values_0", "values_1", "datetime_start", "datetime_complete",
                                    "duration_s", "intermediate_last_step", "intermediate_last_fold",
                                    "intermediate_last_values_0", "intermediate_last_values_1", "fail_reason", "worker_id"])
        XCTAssertEqual(csv.rows[0], ["0", "COMPLETE", "1.5", "Infinity", "", "", "", "2", "1", "3.0", "4.0", "", ""])
    }

    func testTimesAreUTCToTheMicrosecond() {
        XCTAssertEqual(ExportText.time(Date(timeIntervalSince1970: 0)), "1970-01-01T00:00:00.000000Z")
        XCTAssertEqual(ExportText.time(Date(timeIntervalSince1970: 951_782_400.5)), "2000-02-29T00:00:00.500000Z")
        XCTAssertEqual(ExportText.time(Date(timeIntervalSince1970: -1.25)), "1969-12-31T23:59:58.750000Z")
        // Against Foundation's formatter (milliseconds) across two centuries, leap days included.
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        var t = -2_208_988_800.0  // 1900-01-01
        while t < 4_102_444_800 {  // 2100-01-01
            let date = Date(timeIntervalSince1970: t)
            let ours = ExportText.time(date)
            XCTAssertEqual(String(ours.prefix(23)) + "Z", formatter.string(from: date), "t = \(t)")
            t += 3_196_811.125  // about 37 days, wandering through hours and seconds
        }
    }
}
