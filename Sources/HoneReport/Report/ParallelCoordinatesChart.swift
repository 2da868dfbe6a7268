// Parallel coordinates: one vertical axis for the objective and one per parameter (most
// important first); each COMPLETE trial is a line across them, coloured by its value.

enum ParallelCoordinatesChart {
    static func render(_ ctx: ReportContext) -> String {
        guard !ctx.complete.isEmpty else { return Section.empty("No trial has completed yet.") }
        let domains = ctx.domainsByImportance
        guard !domains.isEmpty else { return Section.empty("The study has no parameters.") }
        let values = ctx.complete.map { $0.values![0] }
        let top = 40.0, bottom = 330.0, left = 70.0
        let spacing = max(110.0, min(160.0, 900.0 / Double(domains.count)))
        var svg = SVG(width: left + spacing * Double(domains.count) + 70, height: bottom + 24)
        var axes = [AxisScale.linear(covering: values, start: bottom, end: top)]
        axes += domains.map { AxisScale(kind: ctx.axisKind($0), start: bottom, end: top) }
        let xs = axes.indices.map { left + Double($0) * spacing }
        let low = values.min()!, high = values.max()!
        // Better trials are drawn last so they are not buried.
        let order = ctx.complete.indices.sorted { ctx.directions[0].isBetter(values[$1], than: values[$0]) }
        for i in order {
            let trial = ctx.complete[i]
            var points: [(Double, Double)?] = [(xs[0], axes[0].position(values[i]))]
            for (j, domain) in domains.enumerated() {
                points.append(ctx.axisValue(domain, trial).map { (xs[j + 1], axes[j + 1].position($0)) })
            }
            let t = high > low ? (values[i] - low) / (high - low) : 0.5
            let shade = ctx.directions[0] == .minimize ? 1 - t : t
            svg.path(points, stroke: ColorScale.viridis(shade), width: 1.2, opacity: 0.75,
                     title: "trial \(trial.number): \(HTMLText.number(values[i]))\n\(ReportContext.paramSummary(trial))")
        }
        let names = [ctx.isMultiObjective ? "objective 0" : "value"] + domains.map(\.name)
        for (j, axis) in axes.enumerated() {
            svg.line(xs[j], top, xs[j], bottom, stroke: ColorScale.axis, width: 1.5)
            svg.text(xs[j], top - 20, PlotFrame.clip(names[j], 18), anchor: .middle, bold: true)
            if j > 0, case .log = axis.kind { svg.text(xs[j], top - 8, "(log)", anchor: .middle, size: 10) }
            for (v, label) in axis.ticks(target: 5) {
                let y = axis.position(v)
                svg.line(xs[j] - 3, y, xs[j], y, stroke: ColorScale.axis)
                svg.text(xs[j] - 5, y + 4, PlotFrame.clip(label, 12), anchor: .end, size: 10, halo: true)
            }
        }
        return svg.render(label: "parallel coordinates of the parameters")
    }
}
