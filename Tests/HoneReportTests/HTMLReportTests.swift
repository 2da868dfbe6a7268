// The HTML report's structure: every section present and drawn, user strings escaped,
// degenerate studies still rendered, large studies rendered fast.
import Foundation
import HoneSearch
import HoneTensor
import XCTest
@testable import HoneReport

final class HTMLReportTests: XCTestCase {
    /// The inner HTML of each `<section id=…>`.
    static func sections(of html: String) -> [String: String] {
        var out: [String: String] = [:]
        var rest = html[...]
        while let open = rest.range(of: "<section id=\"") {
            let idEnd = rest[open.upperBound...].firstIndex(of: "\"")!
            let id = String(rest[open.upperBound..<idEnd])
            let close = rest[idEnd...].range(of: "</section>")!
            out[id] = String(rest[idEnd..<close.lowerBound])
            rest = rest[close.upperBound...]
        }
        return out
    }

    func testEverySectionOfAFinishedStudyIsDrawn() throws {
        let study = try ReportFixtures.singleObjective()
        XCTAssertGreaterThan(try study.trialCount(states: [.pruned]), 0, "the fixture should prune some trials")
        let html = try HTMLReport.render(study: study)
        let sections = Self.sections(of: html)
        XCTAssertEqual(Set(sections.keys), ["summary", "history", "intermediate", "parallel", "slices", "contour", "importance", "trials"])
        for id in ["history", "intermediate", "parallel", "slices", "contour", "importance"] {
            let body = sections[id]!
            XCTAssertTrue(body.contains("<svg"), "section \(id) has no chart")
            XCTAssertFalse(body.contains("class=\"empty\""), "section \(id) is empty: \(body.prefix(300))")
        }
        // One slice per parameter, and a row per trial.
        XCTAssertEqual(sections["slices"]!.components(separatedBy: "<svg").count - 1, 5)
        XCTAssertEqual(sections["trials"]!.components(separatedBy: "<tr").count - 2, try study.trialCount())
        // Pruned trials are marked on the curves; the log parameter has a log axis.
        XCTAssertTrue(sections["intermediate"]!.contains("pruned: trial"))
        XCTAssertTrue(sections["slices"]!.contains("lr (log)"))
        XCTAssertTrue(sections["slices"]!.contains(">gelu</text>"), "categorical axes are labelled with their choices")
        // No scripts, no external resources.
        XCTAssertFalse(html.contains("<script"))
        XCTAssertFalse(html.contains("http://") && html.replacingOccurrences(of: "http://www.w3.org/2000/svg", with: "").contains("http://"))
        XCTAssertFalse(html.contains("https://"))
    }

    func testTwoObjectiveStudyHasAParetoFront() throws {
        let study = try ReportFixtures.twoObjective()
        let sections = Self.sections(of: try HTMLReport.render(study: study))
        XCTAssertNotNil(sections["pareto"])
        let front = try study.paretoFront()
        XCTAssertFalse(front.isEmpty)
        let marked = sections["pareto"]!.components(separatedBy: "Pareto-optimal trial ").count - 1
        XCTAssertEqual(marked, front.count)
        XCTAssertEqual(sections["importance"]!.components(separatedBy: "<svg").count - 1, 2, "one importance chart per objective")
        for id in ["history", "intermediate", "parallel", "slices", "contour", "pareto", "importance"] {
            XCTAssertFalse(sections[id]!.contains("class=\"empty\""), "section \(id) is empty")
        }
    }

    func testUserStringsAreEscaped() throws {
        let study = try Study.create(name: "<script>alert('x')</script>&", directions: [.maximize], seed: 3)
        try study.optimize({ trial in
            let a = try trial.suggestFloat("a<b>\"c\"", 0, 1)
            let choice = try trial.suggestCategorical("kind&", ["<i>x</i>", "y"])
            return a + (choice == "y" ? 1 : 0)
        }, nTrials: 12)
        let html = try HTMLReport.render(study: study, title: "T & <b>")
        XCTAssertFalse(html.contains("<script"))
        XCTAssertFalse(html.contains("<b>"))
        XCTAssertFalse(html.contains("<i>"))
        XCTAssertFalse(html.contains("a<b"))
        XCTAssertTrue(html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;"))
        XCTAssertTrue(html.contains("<title>T &amp; &lt;b&gt;</title>"))
        XCTAssertTrue(html.contains("a&lt;b&gt;&quot;c&quot;"))
        XCTAssertTrue(html.contains("&lt;i&gt;x&lt;/i&gt;"))
        XCTAssertEqual(HTMLText.escape("<a href=\"x\">&'"), "&lt;a href=&quot;x&quot;&gt;&amp;&#39;")
    }

    func testStudyWithoutCompletedTrialsStillRenders() throws {
        let empty = try Study.create(name: "empty", seed: 4)
        let sections = Self.sections(of: try HTMLReport.render(study: empty))
        XCTAssertEqual(sections.count, 8)
        for (id, body) in sections where id != "summary" {
            XCTAssertTrue(body.contains("class=\"empty\""), "section \(id) should say why it is empty")
        }
        let failing = try Study.create(name: "failing", seed: 5)
        try failing.optimize({ (trial: Trial) -> Double in _ = try trial.suggestFloat("x", 0, 1); throw TrialPruned() }, nTrials: 3)
        XCTAssertNoThrow(try HTMLReport.render(study: failing))
    }

    func testWriteCreatesTheFileAndReportsBadPaths() throws {
        let study = try ReportFixtures.singleObjective(trials: 8, name: "small")
        let path = NSTemporaryDirectory() + "hone-report-\(getpid()).html"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try HTMLReport.write(study: study, to: path)
        let text = try String(contentsOfFile: path, encoding: .utf8)
        XCTAssertTrue(text.hasPrefix("<!DOCTYPE html>"))
        XCTAssertThrowsError(try HTMLReport.write(study: study, to: "/nonexistent-dir/x/report.html")) { error in
            XCTAssertTrue("\(error)".contains("/nonexistent-dir/x/report.html"), "\(error)")
        }
    }

    func testNumbersHaveSixSignificantDigitsLikePrintf() {
        var rng = RandomGenerator(seed: 4)
        for _ in 0..<2000 {
            let x = (rng.uniform() - 0.5) * pow(10, Double(rng.int(below: 14)) - 5)
            let expected = String(format: "%.6g", x)
            // printf may round up into the next decade (9.999996 → 10); accept the same value.
            let ours = HTMLText.number(x)
            XCTAssertEqual(Double(ours)!, Double(expected)!, accuracy: abs(Double(expected)!) * 1e-12, "\(x): \(ours) vs \(expected)")
            if !expected.contains("e") { XCTAssertEqual(ours, expected, "\(x)") }
        }
        XCTAssertEqual(HTMLText.number(0.00138661), "0.00138661")
        XCTAssertEqual(HTMLText.number(-2.5), "-2.5")
        XCTAssertEqual(HTMLText.number(3), "3")
        XCTAssertEqual(HTMLText.coordinate(-0.04), "0")
        XCTAssertEqual(HTMLText.coordinate(-0.26), "-0.3")
        XCTAssertEqual(HTMLText.coordinate(12.34), "12.3")
    }

    func testLinearAndLogTicks() {
        let linear = AxisScale.linearTicks(0, 1, target: 5).map(\.value)
        XCTAssertEqual(linear, [0, 0.2, 0.4, 0.6, 0.8, 1].map { $0 }, accuracy: 1e-12)
        let log = AxisScale.logTicks(1e-4, 1e-1).map(\.value)
        XCTAssertEqual(log, [1e-4, 1e-3, 1e-2, 1e-1], accuracy: 1e-15)
        let axis = AxisScale(kind: .log(low: 1e-4, high: 1e-1), start: 0, end: 300)
        XCTAssertEqual(axis.position(1e-3), 100, accuracy: 1e-9, "a log axis spaces decades evenly")
    }
}

private func XCTAssertEqual(_ a: [Double], _ b: [Double], accuracy: Double, file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(a.count, b.count, "\(a) vs \(b)", file: file, line: line)
    for (x, y) in zip(a, b) { XCTAssertEqual(x, y, accuracy: accuracy, "\(a) vs \(b)", file: file, line: line) }
}

final class HTMLReportTimingTests: XCTestCase {
    /// A larger study renders completely and in bounded time. The bound is for debug
    /// builds; the release timing of 1000 trials (`hone report`) is measured separately.
    func testLargeStudyReport() throws {
        let study = try ReportFixtures.large(trials: 300, steps: 10)
        let start = Date()
        let html = try HTMLReport.render(study: study)
        let elapsed = Date().timeIntervalSince(start)
        print("HTMLReport.render: 300 trials in \(String(format: "%.3f", elapsed)) s (debug build), \(html.utf8.count / 1024) KiB")
        XCTAssertLessThan(elapsed, 10)
        let sections = HTMLReportTests.sections(of: html)
        XCTAssertEqual(sections["trials"]!.components(separatedBy: "<tr").count - 2, 300)
        XCTAssertFalse(sections.values.contains { $0.contains("class=\"empty\"") })
    }
}
