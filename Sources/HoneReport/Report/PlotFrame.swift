// The frame of an x/y chart: plot area, grid, ticks and axis titles.

/// An SVG with a rectangular plot area and two axes; charts draw their marks through `x`
/// and `y` and then call `finish`.
struct PlotFrame {
    var svg: SVG
    let left: Double, top: Double, right: Double, bottom: Double
    var x: AxisScale
    var y: AxisScale

    /// Pixel margins leave room for tick labels and axis titles.
    init(width: Double, height: Double, x: AxisScale.Kind, y: AxisScale.Kind,
         margins: (left: Double, top: Double, right: Double, bottom: Double) = (64, 16, 16, 46))
    {
        svg = SVG(width: width, height: height)
        left = margins.left; top = margins.top; right = width - margins.right; bottom = height - margins.bottom
        self.x = AxisScale(kind: x, start: left, end: right)
        self.y = AxisScale(kind: y, start: bottom, end: top)
    }

    /// A deterministic jitter within a category band, so points of one choice do not hide each other.
    func jitter(_ key: Int, halfWidth: Double) -> Double {
        var h = UInt64(truncatingIfNeeded: key) &* 0x9E37_79B9_7F4A_7C15
        h ^= h >> 29
        return (Double(h % 1000) / 1000 - 0.5) * 1.2 * halfWidth
    }

    /// Draws grid lines and tick labels; call before the marks so they sit on top.
    mutating func drawGrid() {
        svg.rect(left, top, right - left, bottom - top, fill: "#ffffff", stroke: "#cccccc")
        for (v, _) in x.ticks() where !x.isCategorical {
            let px = x.position(v)
            svg.line(px, top, px, bottom, stroke: ColorScale.grid)
        }
        for (v, _) in y.ticks() where !y.isCategorical {
            let py = y.position(v)
            svg.line(left, py, right, py, stroke: ColorScale.grid)
        }
    }

    /// Tick labels and axis titles.
    mutating func finish(xTitle: String, yTitle: String) {
        let xTicks = x.ticks()
        // Long categorical labels are thinned so they do not overlap.
        let every = x.isCategorical ? max(1, Int((Double(xTicks.count) * 60 / (right - left)).rounded(.up))) : 1
        for (i, (v, label)) in xTicks.enumerated() where i % every == 0 {
            let px = x.position(v)
            svg.line(px, bottom, px, bottom + 4, stroke: ColorScale.axis)
            svg.text(px, bottom + 16, PlotFrame.clip(label, 14), anchor: .middle)
        }
        for (v, label) in y.ticks() {
            let py = y.position(v)
            svg.line(left - 4, py, left, py, stroke: ColorScale.axis)
            svg.text(left - 6, py + 4, PlotFrame.clip(label, 10), anchor: .end)
        }
        svg.line(left, bottom, right, bottom, stroke: ColorScale.axis)
        svg.line(left, top, left, bottom, stroke: ColorScale.axis)
        svg.text((left + right) / 2, svg.height - 8, xTitle, anchor: .middle, bold: true)
        svg.text(14, (top + bottom) / 2, yTitle, anchor: .middle, rotate: -90, bold: true)
    }

    static func clip(_ s: String, _ n: Int) -> String { s.count <= n ? s : String(s.prefix(n - 1)) + "…" }
}
