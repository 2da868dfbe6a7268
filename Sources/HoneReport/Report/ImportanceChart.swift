// Parameter importance (fANOVA main effects) as horizontal bars, one chart per objective.

enum ImportanceChart {
    static func render(_ ctx: ReportContext) -> String {
        var html = ""
        for (k, result) in ctx.models.enumerated() {
            let heading = ctx.isMultiObjective ? "<h3>\(HTMLText.escape(ctx.objectiveName(k)))</h3>" : ""
            switch result {
            case .failure(let error):
                html += heading + Section.empty("Importance could not be computed: \(error)")
            case .success(let model):
                let ranked = model.importances
                let rowHeight = 26.0, labelWidth = 170.0, barWidth = 440.0
                var svg = SVG(width: labelWidth + barWidth + 80, height: Double(ranked.count) * rowHeight + 34)
                let top = ranked.reduce(0) { max($0, $1.importance) }
                for (i, entry) in ranked.enumerated() {
                    let y = 8 + Double(i) * rowHeight
                    let w = top > 0 ? entry.importance / top * barWidth : 0
                    svg.text(labelWidth - 8, y + 16, PlotFrame.clip(entry.name, 24), anchor: .end)
                    svg.rect(labelWidth, y + 3, max(w, 1), rowHeight - 8, fill: ColorScale.complete,
                             title: "\(entry.name): \(HTMLText.number(entry.importance))")
                    svg.text(labelWidth + w + 6, y + 16, String(format: "%.1f %%", entry.importance * 100))
                }
                svg.line(labelWidth, 4, labelWidth, Double(ranked.count) * rowHeight + 8, stroke: ColorScale.axis)
                let explained = model.mainEffects.reduce(0) { $0 + $1.fraction }
                svg.text(labelWidth, Double(ranked.count) * rowHeight + 28,
                         String(format: "main effects explain %.0f %% of the forest's variance; the rest is interactions", explained * 100),
                         size: 11, fill: "#555555")
                html += heading + svg.render(label: "parameter importance for \(ctx.objectiveName(k))")
            }
        }
        return html + "<p class=\"note\">fANOVA (Hutter, Hoos &amp; Leyton-Brown 2014) on a random forest of \(ctx.forestSize) trees fitted to the COMPLETE trials; importances are each parameter's share of the variance explained by single parameters.</p>"
    }
}
