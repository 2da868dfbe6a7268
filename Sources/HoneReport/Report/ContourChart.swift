// Contour of the two most important parameters: the random forest's marginal prediction
// on a grid (other parameters integrated out) as coloured cells, with the trials on top.

import HoneSearch

enum ContourChart {
    static let resolution = 40

    static func render(_ ctx: ReportContext) -> String {
        let model: FANOVAModel
        switch ctx.models.first {
        case .success(let m)?: model = m
        case .failure(let error)?: return Section.empty("No surrogate to draw: \(error)")
        case nil: return Section.empty("No objective.")
        }
        let ranked = model.importances.map(\.name)
        guard ranked.count >= 2 else {
            return Section.empty("A contour needs two varying parameters; this study has \(ranked.count).")
        }
        guard let a = model.domains.first(where: { $0.name == ranked[0] }),
              let b = model.domains.first(where: { $0.name == ranked[1] }),
              let grid = try? model.pairMarginal(a.name, b.name, resolution: resolution)
        else { return Section.empty("The surrogate could not be evaluated.") }

        var frame = PlotFrame(width: 620, height: 470, x: ctx.axisKind(a), y: ctx.axisKind(b), margins: (70, 26, 96, 46))
        let flat = grid.values.flatMap { $0 }
        let low = flat.min() ?? 0, high = flat.max() ?? 1
        let minimize = ctx.directions[0] == .minimize
        func shade(_ v: Double) -> String {
            let t = high > low ? (v - low) / (high - low) : 0.5
            return ColorScale.viridis(minimize ? 1 - t : t)
        }
        let xEdges = edges(a, frame.x, count: grid.xs.count), yEdges = edges(b, frame.y, count: grid.ys.count)
        for i in grid.xs.indices {
            for j in grid.ys.indices {
                let (x0, x1) = xEdges[i], (y0, y1) = yEdges[j]
                // Cells overlap by half a pixel so no seams show between them.
                frame.svg.rect(min(x0, x1), min(y0, y1), abs(x1 - x0) + 0.5, abs(y1 - y0) + 0.5, fill: shade(grid.values[i][j]))
            }
        }
        for trial in model.trials {
            guard let va = ctx.axisValue(a, trial), let vb = ctx.axisValue(b, trial) else { continue }
            var x = frame.x.position(va), y = frame.y.position(vb)
            if frame.x.isCategorical { x += frame.jitter(trial.number, halfWidth: frame.x.bandHalfWidth) }
            if frame.y.isCategorical { y += frame.jitter(trial.number &* 31, halfWidth: frame.y.bandHalfWidth) }
            frame.svg.circle(x, y, r: 3.5, fill: "#000000", stroke: "#ffffff",
                             title: "trial \(trial.number): \(ctx.valueText(trial))\n\(ReportContext.paramSummary(trial))")
        }
        frame.finish(xTitle: a.name + (isLog(a) ? " (log)" : ""), yTitle: b.name + (isLog(b) ? " (log)" : ""))
        // Colour bar.
        let barX = frame.right + 24, barTop = frame.top + 10, barBottom = frame.bottom - 10
        let steps = 48
        for s in 0..<steps {
            let t0 = Double(s) / Double(steps)
            let y = barBottom - (barBottom - barTop) * (t0 + 1 / Double(steps))
            frame.svg.rect(barX, y, 16, (barBottom - barTop) / Double(steps) + 0.5, fill: shade(low + t0 * (high - low)))
        }
        frame.svg.text(barX + 20, barTop + 4, HTMLText.shortNumber(high), size: 10)
        frame.svg.text(barX + 20, barBottom + 4, HTMLText.shortNumber(low), size: 10)
        frame.svg.text(barX + 8, barTop - 14, "predicted", anchor: .middle, size: 10)
        return frame.svg.render(label: "predicted \(ctx.objectiveName(0)) over \(a.name) and \(b.name)")
            + "<p class=\"note\">Cells: the random forest's mean prediction of \(HTMLText.escape(ctx.objectiveName(0))) with every other parameter integrated out (lighter is better). Dots: COMPLETE trials.</p>"
    }

    private static func isLog(_ d: ParameterDomain) -> Bool {
        if case .numeric(_, _, _, let log, _) = d.kind { return log }
        return false
    }

    /// Pixel extents of the grid cells along one axis.
    private static func edges(_ domain: ParameterDomain, _ axis: AxisScale, count: Int) -> [(Double, Double)] {
        if axis.isCategorical {
            let h = axis.bandHalfWidth
            return (0..<count).map { i in (axis.position(Double(i)) - h, axis.position(Double(i)) + h) }
        }
        return (0..<count).map { i in
            (axis.position(domain.value(atUnit: Double(i) / Double(count))), axis.position(domain.value(atUnit: Double(i + 1) / Double(count))))
        }
    }
}
