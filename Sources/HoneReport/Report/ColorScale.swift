// Colours of the report: a perceptually uniform map for values and fixed colours for states.

enum ColorScale {
    // Viridis at nine evenly spaced stops (matplotlib's table, rounded to bytes).
    private static let stops: [(Double, Double, Double)] = [
        (68, 1, 84), (71, 44, 122), (59, 81, 139), (44, 113, 142), (33, 144, 141),
        (39, 173, 129), (92, 200, 99), (170, 220, 50), (253, 231, 37),
    ]

    /// The colour of t ∈ [0, 1] (clamped; NaN is grey).
    static func viridis(_ t: Double) -> String {
        guard t.isFinite else { return "#999999" }
        let x = min(max(t, 0), 1) * Double(stops.count - 1)
        let i = min(Int(x), stops.count - 2), f = x - Double(i)
        let a = stops[i], b = stops[i + 1]
        return hex(a.0 + f * (b.0 - a.0), a.1 + f * (b.1 - a.1), a.2 + f * (b.2 - a.2))
    }

    private static let digits = Array("0123456789abcdef")

    private static func hex(_ r: Double, _ g: Double, _ b: Double) -> String {
        var s = "#"
        for v in [r, g, b] {
            let byte = Int(min(max(v.rounded(), 0), 255))
            s.append(digits[byte >> 4]); s.append(digits[byte & 15])
        }
        return s
    }

    static let complete = "#1f77b4"
    static let best = "#d62728"
    static let pruned = "#ff7f0e"
    static let failed = "#7f7f7f"
    static let front = "#d62728"
    static let grid = "#e5e5e5"
    static let axis = "#555555"
}
