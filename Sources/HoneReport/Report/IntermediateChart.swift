// Learning curves: each trial's intermediate reports by step, pruned trials marked where
// they were stopped.

import HoneSearch

enum IntermediateChart {
    static func render(_ ctx: ReportContext) -> String {
        var curves: [(FrozenTrial, [(step: Int, value: Double)])] = []
        for trial in ctx.trials {
            let fold = trial.intermediateValues.keys.map { $0.fold }.min() ?? 0
            var points: [(step: Int, value: Double)] = []
            for p in trial.intermediateCurve(fold: fold) {
                if let v = p.values.first, v.isFinite { points.append((p.step, v)) }
            }
            if !points.isEmpty { curves.append((trial, points)) }
        }
        guard !curves.isEmpty else { return Section.empty("No trial reported intermediate values.") }
        let steps = curves.flatMap { $0.1.map { Double($0.step) } }
        let values = curves.flatMap { $0.1.map(\.value) }
        var frame = PlotFrame(width: 760, height: 340,
                              x: AxisScale.linear(covering: steps, start: 0, end: 1, pad: 0.02).kind,
                              y: AxisScale.linear(covering: values, start: 0, end: 1).kind)
        frame.drawGrid()
        // Finished curves first, pruned ones on top of them: pruning is what this plot is for.
        let ordered = curves.filter { $0.0.state != .pruned } + curves.filter { $0.0.state == .pruned }
        var pruned = 0
        for (trial, points) in ordered {
            let color = trial.state == .pruned ? ColorScale.pruned : trial.state == .complete ? ColorScale.complete : ColorScale.failed
            let xy = points.map { Optional((frame.x.position(Double($0.step)), frame.y.position($0.value))) }
            let last = points.last!
            let title = "trial \(trial.number) (\(trial.state.rawValue)): \(HTMLText.number(last.value)) at step \(last.step)"
            frame.svg.path(xy, stroke: color, width: 1.5, opacity: 0.7, title: title)
            if trial.state == .pruned {
                pruned += 1
                frame.svg.cross(xy.last!!.0, xy.last!!.1, size: 4, stroke: ColorScale.pruned, title: "pruned: " + title)
            } else if points.count == 1 {
                frame.svg.circle(xy[0]!.0, xy[0]!.1, r: 3, fill: color, title: title)
            }
        }
        frame.finish(xTitle: "step", yTitle: ctx.isMultiObjective ? "intermediate objective 0" : "intermediate value")
        Legend.draw(&frame, [("line", ColorScale.complete, "COMPLETE"), ("cross", ColorScale.pruned, "PRUNED (\(pruned))")])
        return frame.svg.render(label: "intermediate values by step")
    }
}
