// The HTML report of a finished study renders in headless Chromium with every section
// non-empty: the sections are laid out with visible charts (read back from the rendered
// DOM), the page logs nothing to the console, and a screenshot has ink in every section.
import Foundation
import HoneSearch
import XCTest
@testable import HoneReport

final class ReportBrowserTests: XCTestCase {
    private static let width = 1280
    /// Taller than the fixtures' pages (about 4000 and 5000 pixels).
    private static let height = 6400
    /// Screenshot pixels per CSS pixel: half resolution still shows every chart and keeps
    /// the PNG small enough to decode quickly in a debug build.
    private static let scale = 0.5

    private func chromium() throws -> String {
        for path in ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"]
        where FileManager.default.isExecutableFile(atPath: path) { return path }
        throw XCTSkip("chromium is not installed (scripts/setup.sh installs it): the browser rendering test cannot run")
    }

    /// Runs the browser headless on `page`; returns stdout and stderr.
    private func run(_ browser: String, _ arguments: [String], page: URL, directory: URL) throws -> (out: String, err: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: browser)
        process.arguments = ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--force-device-scale-factor=\(Self.scale)",
                             "--enable-logging=stderr", "--v=0", "--no-first-run", "--user-data-dir=\(directory.path)/profile"]
            + arguments + [page.absoluteString]
        let outURL = directory.appendingPathComponent("stdout.txt"), errURL = directory.appendingPathComponent("stderr.txt")
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: outURL)
        process.standardError = try FileHandle(forWritingTo: errURL)
        try process.run()
        let deadline = Date().addingTimeInterval(90)
        while process.isRunning && Date() < deadline { usleep(50_000) }
        if process.isRunning { process.terminate(); XCTFail("chromium did not finish within 90 s") }
        process.waitUntilExit()
        let out = try String(contentsOf: outURL, encoding: .utf8), err = try String(contentsOf: errURL, encoding: .utf8)
        // The report has no scripts and loads nothing: any console message (an uncaught
        // error, a blocked resource) means something is wrong with the page.
        let console = err.split(separator: "\n").filter { $0.contains(":CONSOLE") || $0.contains("Uncaught") }
        XCTAssertTrue(console.isEmpty, "console output while rendering the report:\n" + console.joined(separator: "\n"))
        return (out, err)
    }

    private struct Layout: Decodable {
        struct Rect: Decodable { let x, y, w, h: Double }
        struct Box: Decodable { let id: String; let x, y, w, h: Double; let charts: [Rect]; let empty, marks: Int }
        let sections: [Box]
        let height: Double
    }

    /// A copy of the report with a probe that writes each section's box into the DOM, for
    /// `--dump-dom` to return. The report itself has no script; only this copy does.
    private static let probe = """
    <script>(function(){var out=[];document.querySelectorAll('section').forEach(function(s){var r=s.getBoundingClientRect();
    var charts=Array.prototype.map.call(s.querySelectorAll('svg'),function(g){var b=g.getBoundingClientRect();return {x:b.left+scrollX,y:b.top+scrollY,w:b.width,h:b.height};});
    out.push({id:s.id,x:r.left+scrollX,y:r.top+scrollY,w:r.width,h:r.height,charts:charts,empty:s.querySelectorAll('.empty').length,
    marks:s.querySelectorAll('circle,path,rect,tr').length});});
    var pre=document.createElement('pre');pre.id='layout';pre.textContent=JSON.stringify({sections:out,height:Math.ceil(document.body.getBoundingClientRect().height)});
    document.body.appendChild(pre);})();</script>
    """

    private func check(_ study: Study, expected: [String], file: StaticString = #filePath, line: UInt = #line) throws {
        let browser = try chromium()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("hone-report-browser-\(getpid())-\(study.name)")
        try? FileManager.default.removeItem(at: directory)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { if ProcessInfo.processInfo.environment["HONE_KEEP_REPORT"] == nil { try? FileManager.default.removeItem(at: directory) } }
        let report = directory.appendingPathComponent("report.html")
        try HTMLReport.write(study: study, to: report.path)
        let html = try String(contentsOf: report, encoding: .utf8)
        let probed = directory.appendingPathComponent("probe.html")
        try html.replacingOccurrences(of: "</body>", with: Self.probe + "</body>").write(to: probed, atomically: true, encoding: .utf8)

        // One browser run: the DOM after load (with the probe's layout) and a screenshot of
        // a window taller than the page, so the whole page is in it.
        let png = directory.appendingPathComponent("report.png")
        var clock = Date()
        func lap(_ what: String) { print("browser test \(study.name): \(what) \(String(format: "%.2f", Date().timeIntervalSince(clock))) s"); clock = Date() }
        let dom = try run(browser, ["--dump-dom", "--screenshot=\(png.path)", "--window-size=\(Self.width),\(Self.height)"],
                          page: probed, directory: directory).out

        lap("chromium")
        // 1. The DOM as rendered: every section there, laid out, with visible charts.
        guard let start = dom.range(of: "<pre id=\"layout\">"), let end = dom.range(of: "</pre>", range: start.upperBound..<dom.endIndex) else {
            return XCTFail("the rendered DOM has no layout probe; chromium output:\n\(dom.prefix(500))", file: file, line: line)
        }
        let json = dom[start.upperBound..<end.lowerBound].replacingOccurrences(of: "&quot;", with: "\"")
            .replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">").replacingOccurrences(of: "&amp;", with: "&")
        let layout = try JSONDecoder().decode(Layout.self, from: Data(json.utf8))
        XCTAssertEqual(layout.sections.map(\.id), expected, file: file, line: line)
        XCTAssertLessThanOrEqual(layout.height, Double(Self.height), "the page is taller than the screenshot window", file: file, line: line)
        for box in layout.sections {
            XCTAssertGreaterThan(box.h, 60, "section \(box.id) is collapsed", file: file, line: line)
            XCTAssertEqual(box.empty, 0, "section \(box.id) says it has nothing to show", file: file, line: line)
            if box.id != "summary" && box.id != "trials" {
                XCTAssertFalse(box.charts.isEmpty, "section \(box.id) shows no chart", file: file, line: line)
                for chart in box.charts {
                    XCTAssertTrue(chart.w > 100 && chart.h > 60, "a chart of section \(box.id) is laid out \(chart.w)×\(chart.h)", file: file, line: line)
                }
            }
            XCTAssertGreaterThanOrEqual(box.marks, 3, "section \(box.id) draws almost nothing", file: file, line: line)
        }

        // 2. The pixels: ink in every section's box of the screenshot.
        let image = try PNGImage(data: Data(contentsOf: png))
        lap("PNG decode")
        XCTAssertEqual(image.width, Int(Double(Self.width) * Self.scale), file: file, line: line)
        XCTAssertEqual(image.height, Int(Double(Self.height) * Self.scale), file: file, line: line)
        for box in layout.sections {
            // Skip the heading: the content below it must be drawn.
            func px(_ v: Double) -> Int { Int(v * Self.scale) }
            let content = image.content(x: px(box.x + 2), y: px(box.y + 44), width: px(box.w - 4), height: px(box.h - 48))
            XCTAssertGreaterThan(content.share, 0.01, "section \(box.id) is blank in the screenshot", file: file, line: line)
            // Every chart is drawn: lines, marks and labels in several colours.
            for (i, chart) in box.charts.enumerated() {
                let drawn = image.content(x: px(chart.x), y: px(chart.y), width: px(chart.w), height: px(chart.h))
                XCTAssertGreaterThan(drawn.share, 0.03, "chart \(i) of section \(box.id) is blank in the screenshot", file: file, line: line)
                XCTAssertGreaterThan(drawn.colours, 6, "chart \(i) of section \(box.id) has too few colours", file: file, line: line)
            }
        }
        lap("pixel checks")
    }

    func testSingleObjectiveReportRendersInChromium() throws {
        let study = try ReportFixtures.singleObjective(name: "browser-single")
        XCTAssertGreaterThan(try study.trialCount(states: [.pruned]), 0)
        try check(study, expected: ["summary", "history", "intermediate", "parallel", "slices", "contour", "importance", "trials"])
    }

    func testTwoObjectiveReportRendersInChromium() throws {
        let study = try ReportFixtures.twoObjective()
        try check(study, expected: ["summary", "history", "intermediate", "parallel", "slices", "contour", "pareto", "importance", "trials"])
    }
}
