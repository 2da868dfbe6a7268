// Slice plots: the objective against each parameter on its own, one small chart each,
// points coloured by trial number (later trials lighter).

enum SliceChart {
    static func render(_ ctx: ReportContext) -> String {
        guard !ctx.complete.isEmpty else { return Section.empty("No trial has completed yet.") }
        guard !ctx.domains.isEmpty else { return Section.empty("The study has no parameters.") }
        let maxNumber = Double(max(ctx.trials.last?.number ?? 1, 1))
        var html = "<div class=\"grid\">"
        for k in ctx.directions.indices {
            let values = ctx.complete.map { $0.values![k] }
            for domain in ctx.domainsByImportance {
                var frame = PlotFrame(width: 360, height: 270, x: ctx.axisKind(domain),
                                      y: AxisScale.linear(covering: values, start: 0, end: 1).kind,
                                      margins: (58, 12, 12, 42))
                frame.drawGrid()
                for (trial, value) in zip(ctx.complete, values) {
                    guard let v = ctx.axisValue(domain, trial) else { continue }
                    var x = frame.x.position(v)
                    if frame.x.isCategorical { x += frame.jitter(trial.number, halfWidth: frame.x.bandHalfWidth) }
                    frame.svg.circle(x, frame.y.position(value), r: 3.5,
                                     fill: ColorScale.viridis(Double(trial.number) / maxNumber), stroke: "#333333", opacity: 0.85,
                                     title: "trial \(trial.number): \(domain.name)=\(trial.params[domain.name].map(ReportContext.label) ?? "") → \(HTMLText.number(value))")
                }
                frame.finish(xTitle: domain.name + (isLog(frame.x) ? " (log)" : ""), yTitle: ctx.objectiveName(k))
                html += "<figure>" + frame.svg.render(label: "\(ctx.objectiveName(k)) against \(domain.name)") + "</figure>"
            }
        }
        return html + "</div><p class=\"note\">Colour: trial number, dark (early) to light (late).</p>"
    }

    private static func isLog(_ axis: AxisScale) -> Bool { if case .log = axis.kind { return true }; return false }
}
