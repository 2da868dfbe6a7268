// The Pareto front of a multi-objective study: COMPLETE trials in the plane of the first
// two objectives, the non-dominated ones highlighted and joined.

import HoneSearch

enum ParetoChart {
    static func render(_ ctx: ReportContext) -> String {
        guard !ctx.complete.isEmpty else { return Section.empty("No trial has completed yet.") }
        let front = ParetoFront.nonDominated(ctx.complete, directions: ctx.directions)
        let onFront = Set(front.map(\.number))
        let v0 = ctx.complete.map { $0.values![0] }, v1 = ctx.complete.map { $0.values![1] }
        var frame = PlotFrame(width: 620, height: 420, x: AxisScale.linear(covering: v0, start: 0, end: 1).kind,
                              y: AxisScale.linear(covering: v1, start: 0, end: 1).kind)
        frame.drawGrid()
        for (trial, (a, b)) in zip(ctx.complete, zip(v0, v1)) where !onFront.contains(trial.number) {
            frame.svg.circle(frame.x.position(a), frame.y.position(b), r: 3.5, fill: ColorScale.complete, opacity: 0.6,
                             title: "trial \(trial.number): \(ctx.valueText(trial))\n\(ReportContext.paramSummary(trial))")
        }
        if ctx.directions.count == 2 {
            let line = front.map { ($0.values![0], $0.values![1]) }.sorted { $0.0 < $1.0 }
                .map { Optional((frame.x.position($0.0), frame.y.position($0.1))) }
            frame.svg.path(line, stroke: ColorScale.front, width: 1.5, opacity: 0.8)
        }
        for trial in front {
            frame.svg.circle(frame.x.position(trial.values![0]), frame.y.position(trial.values![1]), r: 5, fill: ColorScale.front,
                             stroke: "#000000", title: "Pareto-optimal trial \(trial.number): \(ctx.valueText(trial))\n\(ReportContext.paramSummary(trial))")
        }
        frame.finish(xTitle: ctx.objectiveName(0), yTitle: ctx.objectiveName(1))
        Legend.draw(&frame, [("circle", ColorScale.front, "Pareto front (\(front.count))"), ("circle", ColorScale.complete, "dominated")])
        let note = ctx.directions.count > 2
            ? "<p class=\"note\">The study has \(ctx.directions.count) objectives; the plane of the first two is shown, the front is over all of them.</p>" : ""
        return frame.svg.render(label: "Pareto front") + note
    }
}
