// The table of every trial: state, values, parameters, timing.

import Foundation
import HoneSearch

enum TrialTable {
    static func render(_ ctx: ReportContext) -> String {
        guard !ctx.trials.isEmpty else { return Section.empty("The study has no trials.") }
        let names = Set(ctx.trials.flatMap(\.params.keys)).sorted()
        let best: Set<Int> = ctx.isMultiObjective
            ? Set(ParetoFront.nonDominated(ctx.complete, directions: ctx.directions).map(\.number))
            : bestNumber(ctx).map { [$0] } ?? []
        var html = "<div class=\"table-wrap\"><table><thead><tr><th>#</th><th>state</th>"
        for k in ctx.directions.indices { html += "<th>" + HTMLText.escape(ctx.isMultiObjective ? "objective \(k)" : "value") + "</th>" }
        for name in names { html += "<th>" + HTMLText.escape(name) + "</th>" }
        html += "<th>steps</th><th>duration (s)</th><th>note</th></tr></thead><tbody>"
        html.reserveCapacity(ctx.trials.count * (120 + 30 * names.count))
        for trial in ctx.trials {
            let classes = [trial.state.rawValue.lowercased(), best.contains(trial.number) ? "best" : ""].filter { !$0.isEmpty }
            html += "<tr class=\"\(classes.joined(separator: " "))\"><td>\(trial.number)</td><td>\(trial.state.rawValue)</td>"
            for k in ctx.directions.indices {
                html += "<td class=\"num\">" + (trial.values.flatMap { k < $0.count ? HTMLText.number($0[k]) : nil } ?? "") + "</td>"
            }
            for name in names {
                html += "<td>" + HTMLText.escape(trial.params[name].map(ReportContext.label) ?? "") + "</td>"
            }
            let steps = trial.intermediateValues.keys.map(\.step).max().map(String.init) ?? ""
            let duration = trial.duration.map { String(format: "%.2f", $0) } ?? ""
            html += "<td class=\"num\">\(steps)</td><td class=\"num\">\(duration)</td><td>" + HTMLText.escape(trial.failReason ?? "") + "</td></tr>"
        }
        return html + "</tbody></table></div>"
    }

    private static func bestNumber(_ ctx: ReportContext) -> Int? {
        var best: FrozenTrial?
        for t in ctx.complete {
            if let b = best, !ctx.directions[0].isBetter(t.values![0], than: b.values![0]) { continue }
            best = t
        }
        return best?.number
    }
}
