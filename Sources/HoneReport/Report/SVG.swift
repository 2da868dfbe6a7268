// A small SVG writer: the drawing primitives every chart of the report uses.

/// Builds one `<svg>` element as text. Every string that came from the user goes through
/// `HTMLText.escape` here, so charts cannot inject markup.
struct SVG {
    let width: Double
    let height: Double
    private(set) var body = ""

    init(width: Double, height: Double) {
        self.width = width; self.height = height
        body.reserveCapacity(4096)
    }

    private static func c(_ x: Double) -> String { HTMLText.coordinate(x) }

    private static func tooltip(_ title: String?) -> String {
        title.map { "<title>" + HTMLText.escape($0) + "</title>" } ?? ""
    }

    mutating func line(_ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double, stroke: String, width: Double = 1, dash: String? = nil) {
        body += "<line x1=\"\(SVG.c(x1))\" y1=\"\(SVG.c(y1))\" x2=\"\(SVG.c(x2))\" y2=\"\(SVG.c(y2))\" stroke=\"\(stroke)\" stroke-width=\"\(SVG.c(width))\""
        if let dash { body += " stroke-dasharray=\"\(dash)\"" }
        body += "/>"
    }

    mutating func rect(_ x: Double, _ y: Double, _ w: Double, _ h: Double, fill: String, stroke: String? = nil, title: String? = nil) {
        body += "<rect x=\"\(SVG.c(x))\" y=\"\(SVG.c(y))\" width=\"\(SVG.c(max(0, w)))\" height=\"\(SVG.c(max(0, h)))\" fill=\"\(fill)\""
        if let stroke { body += " stroke=\"\(stroke)\"" }
        if let title { body += ">" + SVG.tooltip(title) + "</rect>" } else { body += "/>" }
    }

    mutating func circle(_ x: Double, _ y: Double, r: Double, fill: String, stroke: String? = nil, opacity: Double? = nil, title: String? = nil) {
        body += "<circle cx=\"\(SVG.c(x))\" cy=\"\(SVG.c(y))\" r=\"\(SVG.c(r))\" fill=\"\(fill)\""
        if let stroke { body += " stroke=\"\(stroke)\"" }
        if let opacity { body += " fill-opacity=\"\(SVG.c(opacity))\"" }
        if let title { body += ">" + SVG.tooltip(title) + "</circle>" } else { body += "/>" }
    }

    /// A cross marker (pruned trials).
    mutating func cross(_ x: Double, _ y: Double, size: Double, stroke: String, title: String? = nil) {
        let s = size
        body += "<path d=\"M\(SVG.c(x - s)) \(SVG.c(y - s))L\(SVG.c(x + s)) \(SVG.c(y + s))M\(SVG.c(x - s)) \(SVG.c(y + s))L\(SVG.c(x + s)) \(SVG.c(y - s))\" stroke=\"\(stroke)\" stroke-width=\"2\" fill=\"none\">" + SVG.tooltip(title) + "</path>"
    }

    /// A polyline through `points`; nil points break it (a trial lacking a parameter).
    mutating func path(_ points: [(Double, Double)?], stroke: String, width: Double = 1, opacity: Double = 1, title: String? = nil) {
        var d = ""
        d.reserveCapacity(points.count * 12)
        var pen = false
        for p in points {
            guard let (x, y) = p else { pen = false; continue }
            d += (pen ? "L" : "M") + SVG.c(x) + " " + SVG.c(y)
            pen = true
        }
        guard !d.isEmpty else { return }
        body += "<path d=\"\(d)\" fill=\"none\" stroke=\"\(stroke)\" stroke-width=\"\(SVG.c(width))\""
        if opacity < 1 { body += " stroke-opacity=\"\(SVG.c(opacity))\"" }
        if let title { body += ">" + SVG.tooltip(title) + "</path>" } else { body += "/>" }
    }

    enum Anchor: String { case start, middle, end }

    mutating func text(_ x: Double, _ y: Double, _ string: String, anchor: Anchor = .start, size: Double? = nil,
                       rotate: Double? = nil, bold: Bool = false, fill: String? = nil, halo: Bool = false)
    {
        body += "<text x=\"\(SVG.c(x))\" y=\"\(SVG.c(y))\""
        // A white outline keeps labels readable over the lines they sit on.
        if halo { body += " class=\"halo\"" }
        if anchor != .start { body += " text-anchor=\"\(anchor.rawValue)\"" }
        if let size { body += " font-size=\"\(SVG.c(size))\"" }
        if bold { body += " font-weight=\"bold\"" }
        if let fill { body += " fill=\"\(fill)\"" }
        if let rotate { body += " transform=\"rotate(\(SVG.c(rotate)) \(SVG.c(x)) \(SVG.c(y)))\"" }
        body += ">" + HTMLText.escape(string) + "</text>"
    }

    /// The finished element; `label` becomes its accessible name.
    func render(label: String) -> String {
        "<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" aria-label=\"\(HTMLText.escape(label))\" width=\"\(SVG.c(width))\" height=\"\(SVG.c(height))\" viewBox=\"0 0 \(SVG.c(width)) \(SVG.c(height))\">" + body + "</svg>"
    }
}
