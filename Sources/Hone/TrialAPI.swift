// The trial functions of include/hone.h: suggestions, reports, pruning, attributes.

import Foundation
import HonePlugins
import HoneSearch

func trialHandle(_ p: OpaquePointer?) throws -> TrialHandle { try HandleTable.shared.get(p, .trial) }

/// Integers cross C, JSON, Python and Lua as doubles somewhere: bounds beyond 2^53 would
/// not come back exactly (and the samplers' arithmetic would overflow).
private let maxExactInt = Int64(JSONValue.exactIntegerLimit)

private let knownFlags: UInt32 = 1   // HONE_LOG

private func flags(_ f: UInt32) throws -> Bool {
    guard f & ~knownFlags == 0 else { throw APIError.invalid("flags 0x\(String(f, radix: 16)): unknown bits (only HONE_LOG is defined)") }
    return f & 1 != 0
}

/// A parameter name: valid UTF-8, not empty, not absurdly long.
private func paramName(_ p: UnsafePointer<CChar>?) throws -> String {
    let name = try string(p, "name")
    guard !name.isEmpty else { throw APIError.invalid("name: a parameter name must not be empty") }
    guard name.utf8.count <= 1024 else { throw APIError.invalid("name: a parameter name is at most 1024 bytes, got \(name.utf8.count)") }
    return name
}

@_cdecl("hone_trial_number")
public func hone_trial_number(_ trial: OpaquePointer?, _ out: UnsafeMutablePointer<Int64>?) -> Int32 {
    api {
        let h = try trialHandle(trial)
        let out = try output(out)
        _ = try h.live()
        out.pointee = Int64(h.number)
    }
}

@_cdecl("hone_trial_work")
public func hone_trial_work(_ trial: OpaquePointer?, _ start: UnsafeMutablePointer<Double>?, _ budget: UnsafeMutablePointer<Double>?,
                            _ maxBudget: UnsafeMutablePointer<Double>?, _ resumeFrom: UnsafeMutablePointer<Int64>?) -> Int32 {
    api {
        let t = try trialHandle(trial).live()
        guard let work = t.work else {
            throw APIError(.notFound, "trial \(t.number) runs without a scheduler: it has no budget (train as usual)")
        }
        start?.pointee = work.start
        budget?.pointee = work.budget
        maxBudget?.pointee = work.maxBudget
        resumeFrom?.pointee = Int64(work.resumeFrom ?? -1)
    }
}

@_cdecl("hone_trial_suggest_float")
public func hone_trial_suggest_float(_ trial: OpaquePointer?, _ name: UnsafePointer<CChar>?, _ low: Double, _ high: Double,
                                     _ step: Double, _ flagBits: UInt32, _ out: UnsafeMutablePointer<Double>?) -> Int32
{
    api {
        let h = try trialHandle(trial)
        let out = try output(out)
        let n = try paramName(name)
        let log = try flags(flagBits)
        let lo = try finite(low, "\(n): low"), hi = try finite(high, "\(n): high")
        guard (hi - lo).isFinite else { throw APIError.invalid("\(n): range [\(lo), \(hi)] is too wide") }
        guard step.isFinite, step >= 0 else { throw APIError.invalid("\(n): step must be ≥ 0 (0 = continuous), got \(step)") }
        let t = try h.running("suggest_float")
        out.pointee = try t.suggestFloat(n, lo, hi, log: log, step: step > 0 ? step : nil)
    }
}

@_cdecl("hone_trial_suggest_int")
public func hone_trial_suggest_int(_ trial: OpaquePointer?, _ name: UnsafePointer<CChar>?, _ low: Int64, _ high: Int64,
                                   _ step: Int64, _ flagBits: UInt32, _ out: UnsafeMutablePointer<Int64>?) -> Int32
{
    api {
        let h = try trialHandle(trial)
        let out = try output(out)
        let n = try paramName(name)
        let log = try flags(flagBits)
        guard (-maxExactInt...maxExactInt).contains(low), (-maxExactInt...maxExactInt).contains(high) else {
            throw APIError.invalid("\(n): bounds must lie within ±2^53, got [\(low), \(high)]")
        }
        guard step >= 1, step <= maxExactInt else { throw APIError.invalid("\(n): step must be ≥ 1, got \(step)") }
        let t = try h.running("suggest_int")
        out.pointee = Int64(try t.suggestInt(n, Int(low), Int(high), log: log, step: Int(step)))
    }
}

@_cdecl("hone_trial_suggest_categorical")
public func hone_trial_suggest_categorical(_ trial: OpaquePointer?, _ name: UnsafePointer<CChar>?,
                                           _ choices: UnsafePointer<UnsafePointer<CChar>?>?, _ nChoices: Int,
                                           _ out: UnsafeMutablePointer<Int>?) -> Int32
{
    api {
        let h = try trialHandle(trial)
        let out = try output(out)
        let n = try paramName(name)
        let k = try count(nChoices, "\(n): n_choices", max: 65_536)
        guard k >= 1 else { throw APIError.invalid("\(n): n_choices must be ≥ 1") }
        guard let choices else { throw APIError.misuse("\(n): choices is NULL") }
        var values: [ParamValue] = []
        values.reserveCapacity(k)
        for i in 0..<k { values.append(.string(try string(choices[i], "\(n): choices[\(i)]"))) }
        out.pointee = try suggestChoice(h, n, values)
    }
}

@_cdecl("hone_trial_suggest_categorical_json")
public func hone_trial_suggest_categorical_json(_ trial: OpaquePointer?, _ name: UnsafePointer<CChar>?,
                                                _ choicesJSON: UnsafePointer<CChar>?,
                                                _ out: UnsafeMutablePointer<Int>?) -> Int32
{
    api {
        let h = try trialHandle(trial)
        let out = try output(out)
        let n = try paramName(name)
        guard case .array(let items) = try jsonValue(choicesJSON, "\(n): choices_json") else {
            throw APIError.invalid("\(n): choices_json must be a JSON array of choices")
        }
        guard (1...65_536).contains(items.count) else {
            throw APIError.invalid("\(n): choices_json must hold 1 to 65536 choices, got \(items.count)")
        }
        let values = try items.enumerated().map { i, item in
            guard let v = ParamValue(json: item) else {
                throw APIError.invalid("\(n): choice \(i) is \(item.jsonText.prefix(80)); choices are strings, finite numbers, booleans or null")
            }
            return v
        }
        out.pointee = try suggestChoice(h, n, values)
    }
}

/// Suggests one of `values` on the trial; the chosen index.
private func suggestChoice(_ h: TrialHandle, _ name: String, _ values: [ParamValue]) throws -> Int {
    let t = try h.running("suggest_categorical")
    let chosen = try t.suggestCategorical(name, values)
    guard let index = values.firstIndex(of: chosen) else {
        throw APIError(.error, "\(name): the sampler chose \(chosen), which is not among the choices")
    }
    return index
}

private func report(_ trial: OpaquePointer?, _ step: Int64, _ values: () throws -> [Double]) -> Int32 {
    api {
        let h = try trialHandle(trial)
        guard step >= 0 else { throw APIError.invalid("step must be ≥ 0, got \(step)") }
        let v = try values()
        guard v.allSatisfy(\.isFinite) else { throw APIError.invalid("trial \(h.number): reported values must be finite, got \(v)") }
        let t = try h.running("report")
        try t.report(v, step: Int(step))
    }
}

@_cdecl("hone_trial_report")
public func hone_trial_report(_ trial: OpaquePointer?, _ step: Int64, _ value: Double) -> Int32 {
    report(trial, step) { [value] }
}

@_cdecl("hone_trial_report_values")
public func hone_trial_report_values(_ trial: OpaquePointer?, _ step: Int64, _ values: UnsafePointer<Double>?, _ nValues: Int) -> Int32 {
    report(trial, step) {
        let h = try trialHandle(trial)
        let nObj = try h.live().study.directions.count
        let k = try count(nValues, "n_values", max: nObj)
        guard k == nObj else { throw APIError.invalid("trial \(h.number): the study has \(nObj) objective(s) but n_values is \(k)") }
        return try doubles(values, k, "values")
    }
}

@_cdecl("hone_trial_should_prune")
public func hone_trial_should_prune(_ trial: OpaquePointer?, _ out: UnsafeMutablePointer<Int32>?) -> Int32 {
    api {
        let h = try trialHandle(trial)
        let out = try output(out)
        let t = try h.running("should_prune")
        // After hone_interrupt, an objective's trial should stop now (it is stored FAIL
        // "interrupted" whatever the objective then returns, unless HONE_OK with values).
        if h.interruption?.fired == true { out.pointee = 1; return }
        out.pointee = try t.shouldPrune() ? 1 : 0
    }
}

@_cdecl("hone_trial_set_user_attr")
public func hone_trial_set_user_attr(_ trial: OpaquePointer?, _ key: UnsafePointer<CChar>?, _ valueJSON: UnsafePointer<CChar>?) -> Int32 {
    api {
        let h = try trialHandle(trial)
        let k = try string(key, "key")
        guard !k.isEmpty else { throw APIError.invalid("key must not be empty") }
        let v = try jsonValue(valueJSON, "value_json")
        let t = try h.running("set_user_attr")
        try t.setUserAttribute(k, v)
    }
}

@_cdecl("hone_trial_set_fail_reason")
public func hone_trial_set_fail_reason(_ trial: OpaquePointer?, _ reason: UnsafePointer<CChar>?) -> Int32 {
    api {
        let h = try trialHandle(trial)
        let r = try optionalString(reason, "reason", emptyIsNil: false)
        _ = try h.live()
        h.reason = r.map { String($0.prefix(4096)) }
    }
}

@_cdecl("hone_trial_params_json")
public func hone_trial_params_json(_ trial: OpaquePointer?, _ out: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    api {
        let h = try trialHandle(trial)
        let out = try output(out)
        let params = try h.live().parameters
        out.pointee = mallocString(JSONWriter.text { $0.params(params) })
    }
}

@_cdecl("hone_trial_free")
public func hone_trial_free(_ trial: OpaquePointer?) {
    // An objective's trial belongs to the library, which retires it after the call.
    guard let h = try? trialHandle(trial), !h.libraryOwned else { return }
    HandleTable.shared.remove(trial, .trial)
    h.retire(because: "it was freed")
}
