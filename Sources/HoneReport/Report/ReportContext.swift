// What every section of the report reads: the study's trials, parameter axes and the
// fitted importance models, computed once.

import Foundation
import HoneSearch

struct ReportContext {
    let title: String
    let studyName: String
    let directions: [StudyDirection]
    /// Every trial, by number.
    let trials: [FrozenTrial]
    let complete: [FrozenTrial]
    /// Parameters of the finished trials, in name order.
    let domains: [ParameterDomain]
    /// Per objective: the fANOVA model, or why there is none.
    let models: [Result<FANOVAModel, Error>]
    let forestSize: Int

    init(study: Study, title: String?, importance: FANOVAImportance) throws {
        studyName = study.name
        forestSize = importance.trees
        self.title = title ?? "Study \(study.name)"
        directions = study.directions
        trials = try study.trials().sorted { $0.number < $1.number }
        complete = trials.filter { $0.state == .complete && $0.values?.count == study.directions.count }
        domains = try ParameterDomain.domains(of: trials.filter { $0.state.isFinished }, skippingConflicts: true)
        let complete = self.complete
        models = study.directions.indices.map { k in Result { try importance.fit(trials: complete, objective: k) } }
    }

    var isMultiObjective: Bool { directions.count > 1 }

    func objectiveName(_ k: Int) -> String {
        isMultiObjective ? "objective \(k) (\(directions[k].rawValue.lowercased()))" : "value (\(directions[0].rawValue.lowercased()))"
    }

    /// Parameters ordered by importance for the first objective (name order when unknown).
    var domainsByImportance: [ParameterDomain] {
        guard case .success(let model)? = models.first else { return domains }
        var rank: [String: Int] = [:]
        for (i, entry) in model.importances.enumerated() { rank[entry.name] = i }
        return domains.sorted { (rank[$0.name] ?? Int.max, $0.name) < (rank[$1.name] ?? Int.max, $1.name) }
    }

    /// The axis a parameter is drawn on: its own range (log parameters on a log axis,
    /// integers with half a step of room) or its choices.
    func axisKind(_ domain: ParameterDomain) -> AxisScale.Kind {
        switch domain.kind {
        case .categorical(let choices):
            return .categorical(labels: choices.map(ReportContext.label))
        case .numeric(_, var low, var high, let log, _):
            if let range = domain.unitRange { low = range.low; high = range.high }
            if log {
                if high <= low { low /= 2; high *= 2 }
                let pad = Foundation.pow(high / low, 0.03)
                return .log(low: low / pad, high: high * pad)
            }
            if high <= low { let w = max(abs(low) * 0.1, 1); low -= w; high += w }
            let pad = (high - low) * 0.03
            return .linear(low: low - pad, high: high + pad)
        }
    }

    /// Where a trial's value of the parameter sits on its axis (nil: absent).
    func axisValue(_ domain: ParameterDomain, _ trial: FrozenTrial) -> Double? {
        guard let value = trial.params[domain.name] else { return nil }
        switch domain.kind {
        case .categorical(let choices): return choices.firstIndex(of: value).map(Double.init)
        case .numeric: return value.doubleValue
        }
    }

    static func label(_ value: ParamValue) -> String {
        switch value {
        case .string(let s): return s
        case .float(let x): return HTMLText.number(x)
        case .int(let i): return String(i)
        case .bool(let b): return b ? "true" : "false"
        case .null: return "null"
        }
    }

    /// The trial's parameters as one line for tooltips.
    static func paramSummary(_ trial: FrozenTrial) -> String {
        trial.sortedParams.map { "\($0.name)=\(label($0.value))" }.joined(separator: ", ")
    }

    func valueText(_ trial: FrozenTrial) -> String {
        (trial.values ?? []).map(HTMLText.number).joined(separator: ", ")
    }
}
