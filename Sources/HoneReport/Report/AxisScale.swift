// Axes: mapping data to pixels (linear, log or categorical) and choosing their ticks.

import Foundation

/// How values are placed along one axis of a chart.
struct AxisScale {
    enum Kind {
        case linear(low: Double, high: Double)
        case log(low: Double, high: Double)
        /// Category i sits at the centre of band i.
        case categorical(labels: [String])
    }

    let kind: Kind
    /// Pixel positions of the low and high ends (high may be above low for y axes).
    var start: Double
    var end: Double

    /// A linear axis over the data, padded by 5 % (a degenerate range is widened).
    static func linear(covering values: [Double], start: Double, end: Double, pad: Double = 0.05) -> AxisScale {
        let finite = values.filter(\.isFinite)
        var low = finite.min() ?? 0, high = finite.max() ?? 1
        if high == low { let w = max(abs(low) * 0.1, 1); low -= w; high += w }
        let margin = (high - low) * pad
        return AxisScale(kind: .linear(low: low - margin, high: high + margin), start: start, end: end)
    }

    var isCategorical: Bool { if case .categorical = kind { return true }; return false }

    /// Half the width of a category band in pixels (0 for numeric axes).
    var bandHalfWidth: Double {
        guard case .categorical(let labels) = kind else { return 0 }
        return abs(end - start) / Double(max(labels.count, 1)) / 2
    }

    /// The pixel of a value (for categorical axes, the category index).
    func position(_ v: Double) -> Double {
        switch kind {
        case .linear(let low, let high):
            return start + (v - low) / (high - low) * (end - start)
        case .log(let low, let high):
            let lv = Foundation.log(max(v, Double.leastNormalMagnitude))
            return start + (lv - Foundation.log(low)) / (Foundation.log(high) - Foundation.log(low)) * (end - start)
        case .categorical(let labels):
            return start + (v + 0.5) / Double(max(labels.count, 1)) * (end - start)
        }
    }

    /// Tick positions (data values) and their labels.
    func ticks(target: Int = 6) -> [(value: Double, label: String)] {
        switch kind {
        case .linear(let low, let high):
            return AxisScale.linearTicks(low, high, target: target)
        case .log(let low, let high):
            return AxisScale.logTicks(low, high)
        case .categorical(let labels):
            return labels.enumerated().map { (Double($0.offset), $0.element) }
        }
    }

    static func linearTicks(_ low: Double, _ high: Double, target: Int) -> [(value: Double, label: String)] {
        guard high > low, (high - low).isFinite else { return [(low, HTMLText.shortNumber(low))] }
        let raw = (high - low) / Double(max(target, 2))
        let magnitude = pow(10, floor(log10(raw)))
        let step = [1.0, 2, 2.5, 5, 10].map { $0 * magnitude }.first { $0 >= raw } ?? 10 * magnitude
        let decimals = max(0, -Int(floor(log10(step) + 1e-9)) + (step / magnitude == 2.5 ? 1 : 0))
        var ticks: [(Double, String)] = []
        var v = ceil(low / step - 1e-9) * step
        // The count bound guards against a step below the resolution of the values.
        while v <= high + step * 1e-9 && ticks.count < 4 * target + 4 {
            let value = abs(v) < step * 1e-9 ? 0 : v
            let label = abs(value) >= 1e6 || (abs(value) < 1e-4 && value != 0)
                ? String(format: "%.2g", value) : String(format: "%.\(decimals)f", value)
            ticks.append((value, label))
            v += step
        }
        return ticks
    }

    static func logTicks(_ low: Double, _ high: Double) -> [(value: Double, label: String)] {
        guard high > low, low > 0 else { return [(low, HTMLText.shortNumber(low))] }
        let first = Int(floor(log10(low))), last = Int(ceil(log10(high)))
        // Few decades: label 1, 2 and 5 of each; many: every decade (or every other).
        let mantissas: [Double] = last - first <= 2 ? [1, 2, 5] : [1]
        let stride = max(1, (last - first + 7) / 8)
        var ticks: [(Double, String)] = []
        for e in Swift.stride(from: first, through: last, by: stride) {
            for m in mantissas {
                let v = m * pow(10, Double(e))
                guard v >= low * (1 - 1e-9), v <= high * (1 + 1e-9) else { continue }
                let label = (e >= -3 && e <= 4) ? HTMLText.shortNumber(v) : (m == 1 ? "1e\(e)" : "\(Int(m))e\(e)")
                ticks.append((v, label))
            }
        }
        if ticks.count < 2 { ticks = [(low, HTMLText.shortNumber(low)), (high, HTMLText.shortNumber(high))] }
        return ticks
    }
}
