// The study functions of include/hone.h: opening and closing studies, ask and tell,
// enqueueing, results, attributes, warm starts, storages.

import Foundation
import HonePlugins
import HoneSearch
import HoneStorage
import HoneTuning

/// What hone_study_open's options_json says: the study keys every front end shares
/// (StudySpec) plus "mode".
struct StudyOpenOptions {
    enum Mode: String { case open, create, load }

    var spec: StudySpec
    var mode = Mode.open

    init(_ o: [String: JSONValue]) throws {
        let reader = AlgorithmOptions(o, context: "options_json")
        spec = try StudySpec(reading: reader)
        if let v = reader.raw("mode") {
            guard let s = v.stringValue, let m = Mode(rawValue: s) else {
                throw APIError.invalid("options_json: \"mode\" must be \"open\", \"create\" or \"load\", got \(v.jsonText.prefix(80))")
            }
            mode = m
        }
        try reader.checkAllUsed()
    }
}

func openStudy(url: String, name: String?, options: StudyOpenOptions) throws -> Study {
    let study = try openStudyHandle(url: url, name: name, options: options)
    study.noisyObjective = options.spec.noisyObjective
    return study
}

private func openStudyHandle(url: String, name: String?, options: StudyOpenOptions) throws -> Study {
    let spec = options.spec
    let sampler = try AlgorithmRegistry.shared.sampler(spec: spec.sampler)
    let pruner = try AlgorithmRegistry.shared.pruner(spec: spec.pruner)
    let storage = try openStorage(url: url)
    func load(_ name: String) throws -> Study {
        let s = try Study.load(name: name, storage: storage, sampler: sampler, pruner: pruner, seed: spec.seed,
                               heartbeat: spec.heartbeat)
        if let d = spec.directions, d != s.directions {
            throw StudyError.directionMismatch(study: name, stored: s.directions, requested: d)
        }
        return s
    }
    switch options.mode {
    case .load:
        guard let name else { throw APIError.invalid("mode \"load\" needs a study name") }
        return try load(name)
    case .open where spec.directions == nil && name != nil:
        // No direction asked for: an existing study keeps its own.
        if try storage.study(named: name!) != nil { return try load(name!) }
        fallthrough
    default:
        return try Study.create(name: name, storage: storage, directions: spec.directions ?? [.minimize],
                                sampler: sampler, pruner: pruner, seed: spec.seed,
                                loadIfExists: options.mode == .open, heartbeat: spec.heartbeat)
    }
}

func studyHandle(_ p: OpaquePointer?) throws -> StudyHandle { try HandleTable.shared.get(p, .study) }

/// A comma-separated subset of "running,complete,pruned,fail,waiting" (NULL or "": all).
func trialStates(_ p: UnsafePointer<CChar>?) throws -> Set<TrialState>? {
    guard let text = try optionalString(p, "states") else { return nil }
    var states = Set<TrialState>()
    for part in text.split(separator: ",", omittingEmptySubsequences: false) {
        let word = part.trimmingCharacters(in: .whitespaces)
        guard let s = TrialState(rawValue: word.uppercased()), word.lowercased() == word else {
            throw APIError.invalid("states: unknown state \"\(word.prefix(40))\" (use running, complete, pruned, fail, waiting)")
        }
        states.insert(s)
    }
    return states
}

/// A C trial state for tell.
func finishedState(_ state: Int32) throws -> TrialState {
    switch state {
    case 1: return .complete
    case 2: return .pruned
    case 3: return .fail
    default:
        throw APIError.invalid("state \(state): tell takes HONE_TRIAL_COMPLETE, HONE_TRIAL_PRUNED or HONE_TRIAL_FAIL")
    }
}

/// Tells `trial`. The core refuses values that cannot complete it (wrong count,
/// non-finite) and leaves the trial RUNNING; here only the C arguments are read.
func tell(_ h: StudyHandle, trial: Trial?, number: Int, state rawState: Int32, values p: UnsafePointer<Double>?,
          count n: Int, failReason: String?) throws
{
    let state = try finishedState(rawState)
    let nObj = h.nObjectives
    var values: [Double]?
    switch state {
    case .complete:
        values = try doubles(p, try count(n, "n_values", max: nObj), "values")
    case .pruned:
        let k = try count(n, "n_values", max: nObj)
        guard k == 0 || k == nObj else {
            throw APIError.invalid("trial \(number): a pruned trial takes 0 or \(nObj) value(s), not \(k)")
        }
        if k > 0 {
            let v = try doubles(p, k, "values")
            guard !v.contains(where: \.isNaN) else { throw APIError.invalid("trial \(number): values contain NaN") }
            values = v
        }
    default:
        values = nil
    }
    if let trial {
        try h.study.tell(trial, state: state, values: values, failReason: state == .fail ? failReason : nil)
    } else {
        try h.study.tell(trialNumber: number, state: state, values: values)
    }
}

/// A JSON value of params_json as a parameter value.
func paramValue(_ v: JSONValue, name: String) throws -> ParamValue {
    guard let value = ParamValue(json: v) else {
        throw APIError.invalid("params_json: \"\(name)\" must be a finite number, string, boolean or null, got \(v.jsonText.prefix(80))")
    }
    return value
}

// MARK: Exports

@_cdecl("hone_study_open")
public func hone_study_open(_ storageURL: UnsafePointer<CChar>?, _ studyName: UnsafePointer<CChar>?,
                            _ optionsJSON: UnsafePointer<CChar>?, _ out: UnsafeMutablePointer<OpaquePointer?>?) -> Int32
{
    api {
        let out = try output(out, "out")
        let url = try string(storageURL, "storage_url")
        let name = try optionalString(studyName, "study_name", emptyIsNil: false)
        let options = try StudyOpenOptions(try jsonObject(optionsJSON, "options_json"))
        let study = try openStudy(url: url, name: name, options: options)
        out.pointee = HandleTable.shared.insert(StudyHandle(study, scheduler: options.spec.scheduler), kind: .study)
    }
}

@_cdecl("hone_study_close")
public func hone_study_close(_ study: OpaquePointer?) {
    guard let h = HandleTable.shared.remove(study, .study) as? StudyHandle else { return }
    h.retireTrials()
}

@_cdecl("hone_study_name")
public func hone_study_name(_ study: OpaquePointer?, _ out: UnsafeMutablePointer<UnsafePointer<CChar>?>?) -> Int32 {
    api {
        let h = try studyHandle(study)
        try output(out).pointee = UnsafePointer(h.name.pointer)
    }
}

@_cdecl("hone_study_n_objectives")
public func hone_study_n_objectives(_ study: OpaquePointer?, _ out: UnsafeMutablePointer<Int>?) -> Int32 {
    api {
        let h = try studyHandle(study)
        try output(out).pointee = h.nObjectives
    }
}

@_cdecl("hone_study_ask")
public func hone_study_ask(_ study: OpaquePointer?, _ out: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    api {
        let h = try studyHandle(study)
        let out = try output(out)
        let trial = try h.study.ask()
        out.pointee = HandleTable.shared.insert(TrialHandle(trial, owner: h, libraryOwned: false), kind: .trial)
    }
}

@_cdecl("hone_study_tell")
public func hone_study_tell(_ study: OpaquePointer?, _ trial: OpaquePointer?, _ state: Int32,
                            _ values: UnsafePointer<Double>?, _ nValues: Int) -> Int32
{
    api {
        let h = try studyHandle(study)
        let th: TrialHandle = try HandleTable.shared.get(trial, .trial)
        let t = try th.live()
        guard th.owner === h else {
            throw APIError.misuse("trial \(t.number) was asked through another hone_study handle (study \"\(t.study.name)\")")
        }
        do {
            try tell(h, trial: t, number: t.number, state: state, values: values, count: nValues, failReason: th.reason)
            th.markTold()
        } catch StudyError.alreadyFinished(let n, let s) {
            th.markTold()
            throw StudyError.alreadyFinished(trialNumber: n, state: s)
        }
    }
}

@_cdecl("hone_study_tell_number")
public func hone_study_tell_number(_ study: OpaquePointer?, _ number: Int64, _ state: Int32,
                                   _ values: UnsafePointer<Double>?, _ nValues: Int) -> Int32
{
    api {
        let h = try studyHandle(study)
        guard number >= 0 else { throw APIError.invalid("trial_number must be ≥ 0, got \(number)") }
        try tell(h, trial: nil, number: Int(number), state: state, values: values, count: nValues, failReason: nil)
    }
}

@_cdecl("hone_study_enqueue")
public func hone_study_enqueue(_ study: OpaquePointer?, _ paramsJSON: UnsafePointer<CChar>?,
                               _ userAttrsJSON: UnsafePointer<CChar>?) -> Int32
{
    api {
        let h = try studyHandle(study)
        guard paramsJSON != nil else { throw APIError.misuse("params_json is NULL") }
        var params: [String: ParamValue] = [:]
        for (k, v) in try jsonObject(paramsJSON, "params_json") {
            guard !k.isEmpty else { throw APIError.invalid("params_json: a parameter name must not be empty") }
            params[k] = try paramValue(v, name: k)
        }
        let attrs = try jsonObject(userAttrsJSON, "user_attrs_json")
        try h.study.enqueueTrial(params, userAttrs: attrs)
    }
}

@_cdecl("hone_study_best_value")
public func hone_study_best_value(_ study: OpaquePointer?, _ out: UnsafeMutablePointer<Double>?) -> Int32 {
    api {
        let h = try studyHandle(study)
        let out = try output(out)
        out.pointee = try h.study.bestValue()
    }
}

@_cdecl("hone_study_best_trial_json")
public func hone_study_best_trial_json(_ study: OpaquePointer?, _ out: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    api {
        let h = try studyHandle(study)
        let out = try output(out)
        let text: String
        if h.nObjectives == 1 {
            let best = try h.study.bestTrial()
            text = JSONWriter.text { $0.trial(best) }
        } else {
            let front = try h.study.paretoFront()
            guard !front.isEmpty else { throw StudyError.noCompletedTrials(study: h.study.name) }
            text = JSONWriter.text { $0.trials(front) }
        }
        out.pointee = mallocString(text)
    }
}

@_cdecl("hone_study_best_params_json")
public func hone_study_best_params_json(_ study: OpaquePointer?, _ out: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    api {
        let h = try studyHandle(study)
        let out = try output(out)
        let params = try h.study.bestParams()
        out.pointee = mallocString(JSONWriter.text { $0.params(params) })
    }
}

@_cdecl("hone_study_trials_json")
public func hone_study_trials_json(_ study: OpaquePointer?, _ states: UnsafePointer<CChar>?,
                                   _ out: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32
{
    api {
        let h = try studyHandle(study)
        let out = try output(out)
        let trials = try h.study.trials(states: try trialStates(states))
        out.pointee = mallocString(JSONWriter.text { $0.trials(trials) })
    }
}

@_cdecl("hone_study_trial_count")
public func hone_study_trial_count(_ study: OpaquePointer?, _ states: UnsafePointer<CChar>?,
                                   _ out: UnsafeMutablePointer<Int64>?) -> Int32
{
    api {
        let h = try studyHandle(study)
        let out = try output(out)
        out.pointee = Int64(try h.study.trialCount(states: try trialStates(states)))
    }
}

@_cdecl("hone_study_set_user_attr")
public func hone_study_set_user_attr(_ study: OpaquePointer?, _ key: UnsafePointer<CChar>?,
                                     _ valueJSON: UnsafePointer<CChar>?) -> Int32
{
    api {
        let h = try studyHandle(study)
        let k = try string(key, "key")
        guard !k.isEmpty else { throw APIError.invalid("key must not be empty") }
        try h.study.setUserAttribute(k, try jsonValue(valueJSON, "value_json"))
    }
}

@_cdecl("hone_study_attrs_json")
public func hone_study_attrs_json(_ study: OpaquePointer?, _ out: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    api {
        let h = try studyHandle(study)
        let out = try output(out)
        let user = try h.study.userAttributes(), system = try h.study.systemAttributes()
        out.pointee = mallocString(JSONWriter.text { $0.value(.object(["user": .object(user), "system": .object(system)])) })
    }
}

@_cdecl("hone_study_copy_trials")
public func hone_study_copy_trials(_ study: OpaquePointer?, _ source: OpaquePointer?, _ nCopied: UnsafeMutablePointer<Int64>?) -> Int32 {
    api {
        let h = try studyHandle(study)
        let src = try studyHandle(source)
        // The one warm start of every front end (HoneTuning's WarmStart: partial fits,
        // earlier copies skipped, the same-study check by storage identity).
        let space = try h.study.searchSpace()
        let summary = try h.study.warmStart(from: src.study, space: space.isEmpty ? nil : space)
        nCopied?.pointee = Int64(summary.copied)
    }
}

@_cdecl("hone_storage_studies_json")
public func hone_storage_studies_json(_ storageURL: UnsafePointer<CChar>?, _ out: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    api {
        let out = try output(out)
        let storage = try openStorage(url: try string(storageURL, "storage_url"))
        let names = try storage.allStudies().map(\.name)
        out.pointee = mallocString(JSONWriter.text { $0.value(.array(names.map(JSONValue.string))) })
    }
}

@_cdecl("hone_storage_delete_study")
public func hone_storage_delete_study(_ storageURL: UnsafePointer<CChar>?, _ studyName: UnsafePointer<CChar>?) -> Int32 {
    api {
        let url = try string(storageURL, "storage_url")
        let name = try string(studyName, "study_name")
        let storage = try openStorage(url: url)
        guard let record = try storage.study(named: name) else {
            throw APIError(.notFound, "no study named \"\(name)\" in \(url)")
        }
        try storage.deleteStudy(id: record.id)
    }
}
