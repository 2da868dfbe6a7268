// Optimization history: every COMPLETE trial's value by trial number, and the best so far.

enum HistoryChart {
    static func render(_ ctx: ReportContext) -> String {
        guard !ctx.complete.isEmpty else { return Section.empty("No trial has completed yet.") }
        return ctx.directions.indices.map { chart(ctx, objective: $0) }.joined()
    }

    private static func chart(_ ctx: ReportContext, objective k: Int) -> String {
        let values = ctx.complete.map { $0.values![k] }
        let numbers = ctx.trials.map { Double($0.number) }
        let xs = AxisScale.linear(covering: numbers, start: 0, end: 1, pad: 0.02)
        let ys = AxisScale.linear(covering: values, start: 0, end: 1)
        var frame = PlotFrame(width: 760, height: 340, x: xs.kind, y: ys.kind)
        frame.drawGrid()
        // The best value so far as a step line, drawn first so the points stay on top.
        let direction = ctx.directions[k]
        var best: Double?
        var steps: [(Double, Double)?] = []
        for (trial, value) in zip(ctx.complete, values) {
            if let b = best, !direction.isBetter(value, than: b) { continue }
            let x = frame.x.position(Double(trial.number))
            if let b = best { steps.append((x, frame.y.position(b))) }
            steps.append((x, frame.y.position(value)))
            best = value
        }
        if let b = best, let last = ctx.trials.last { steps.append((frame.x.position(Double(last.number)), frame.y.position(b))) }
        frame.svg.path(steps, stroke: ColorScale.best, width: 2, title: "best value so far")
        for (trial, value) in zip(ctx.complete, values) {
            frame.svg.circle(frame.x.position(Double(trial.number)), frame.y.position(value), r: 3.5, fill: ColorScale.complete,
                             opacity: 0.8, title: "trial \(trial.number): \(HTMLText.number(value))\n\(ReportContext.paramSummary(trial))")
        }
        frame.finish(xTitle: "trial number", yTitle: ctx.objectiveName(k))
        Legend.draw(&frame, [("circle", ColorScale.complete, "COMPLETE trial"), ("line", ColorScale.best, "best so far")])
        return frame.svg.render(label: "optimization history of \(ctx.objectiveName(k))")
    }
}

/// A small legend in the top-right corner of a plot.
enum Legend {
    static func draw(_ frame: inout PlotFrame, _ entries: [(mark: String, color: String, label: String)]) {
        let width = 14 + 7.0 * Double(entries.map(\.label.count).max() ?? 0) + 16
        let x = frame.right - width - 6, y = frame.top + 6
        frame.svg.rect(x, y, width, Double(entries.count) * 16 + 6, fill: "#ffffff", stroke: "#cccccc")
        for (i, e) in entries.enumerated() {
            let cy = y + 11 + Double(i) * 16
            switch e.mark {
            case "line": frame.svg.line(x + 4, cy, x + 18, cy, stroke: e.color, width: 2)
            case "cross": frame.svg.cross(x + 11, cy, size: 4, stroke: e.color)
            default: frame.svg.circle(x + 11, cy, r: 4, fill: e.color)
            }
            frame.svg.text(x + 24, cy + 4, e.label)
        }
    }
}
