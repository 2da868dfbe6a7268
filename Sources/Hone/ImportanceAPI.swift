// hone_study_importances_json: the fANOVA parameter importances the HTML report draws,
// for front ends (Python's hone.importance.get_param_importances).

import HonePlugins
import HoneReport
import HoneSearch

@_cdecl("hone_study_importances_json")
public func hone_study_importances_json(_ study: OpaquePointer?, _ optionsJSON: UnsafePointer<CChar>?,
                                        _ out: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32
{
    api {
        let h = try studyHandle(study)
        let out = try output(out)
        let o = AlgorithmOptions(try jsonObject(optionsJSON, "options_json"), context: "options_json")
        let objective = try o.int("objective", min: 0, max: 63) ?? 0
        let seed = try o.int("seed", min: 0, max: Int(Int32.max)) ?? 0
        let trees = try o.int("trees", min: 1, max: 4096) ?? 64
        var only: Set<String>?
        if let v = o.raw("params") {
            guard case .array(let items) = v else {
                throw APIError.invalid("options_json: \"params\" must be an array of parameter names, got \(v.jsonText.prefix(80))")
            }
            only = Set(try items.map {
                guard let s = $0.stringValue else { throw APIError.invalid("options_json: \"params\" holds \($0.jsonText.prefix(80)), not a name") }
                return s
            })
        }
        try o.checkAllUsed()
        guard objective < h.nObjectives else {
            throw APIError.invalid("options_json: \"objective\" is \(objective), the study has \(h.nObjectives) objective(s)")
        }
        var trials = try h.study.trials(states: [.complete])
        if let only {
            for i in trials.indices {
                trials[i].params = trials[i].params.filter { only.contains($0.key) }
                trials[i].distributions = trials[i].distributions.filter { only.contains($0.key) }
            }
        }
        let ranked: [(name: String, importance: Double)]
        do {
            ranked = try FANOVAImportance(seed: UInt64(seed), trees: trees).evaluate(trials: trials, objective: objective)
        } catch let e as ImportanceError {
            if case .notEnoughTrials = e { throw APIError(.noResult, e.description) }
            throw APIError.invalid(e.description)
        }
        // Most important first: the object's key order is the ranking.
        var w = JSONWriter()
        w.raw("{")
        for (k, r) in ranked.enumerated() {
            if k > 0 { w.raw(",") }
            w.string(r.name); w.raw(":"); w.number(r.importance)
        }
        w.raw("}")
        out.pointee = mallocString(w.text)
    }
}

/// hone_study_directions_json: what a front end needs to show a loaded study's directions
/// (Python's Study.directions), which hone_study_n_objectives only counts.
@_cdecl("hone_study_directions_json")
public func hone_study_directions_json(_ study: OpaquePointer?,
                                       _ out: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32
{
    api {
        let h = try studyHandle(study)
        let out = try output(out)
        let names = h.study.directions.map { $0 == .maximize ? "\"maximize\"" : "\"minimize\"" }
        out.pointee = mallocString("[" + names.joined(separator: ",") + "]")
    }
}
