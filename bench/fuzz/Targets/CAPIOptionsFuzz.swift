// The C API's JSON readers (the spec layer: StudySpec, ModelSpec, TrainSpec, DataSpec, and
// AlgorithmOptions), which live in libhone.so: loaded with dlopen and called as C calls
// them. Input: up to seven JSON texts separated by NUL bytes: hone_study_open's
// options_json ("memory:"), hone_study_enqueue's params_json and user_attrs_json (then
// one ask/tell), hone_model_create's description_json, hone_dataset_load("", options_json)
// (synthetic data), hone_trial_suggest_categorical_json's choices_json, and
// hone_model_train's options_json (the model of part 4 on 64 moons samples). Parts 4, 5
// and 7 run only when every number in them is ≤ 512 and every array has ≤ 8 items (and
// part 7 asks for ≤ 4 epochs), so no model beyond ~2M weights is built (the 2^30 cap is
// by design) and no run trains for long.
//
// libhone.so: $HONE_FUZZ_LIBHONE, else .build/debug/libhone.so of this checkout (built by
// `swift build`). Without it the target does nothing (the corpus replay says so once).
import Foundation
import HoneSearch

enum CAPIOptionsFuzz {
    typealias Open = @convention(c) (UnsafePointer<CChar>?, UnsafePointer<CChar>?, UnsafePointer<CChar>?, UnsafeMutablePointer<OpaquePointer?>?) -> Int32
    typealias Close = @convention(c) (OpaquePointer?) -> Void
    typealias Enqueue = @convention(c) (OpaquePointer?, UnsafePointer<CChar>?, UnsafePointer<CChar>?) -> Int32
    typealias Ask = @convention(c) (OpaquePointer?, UnsafeMutablePointer<OpaquePointer?>?) -> Int32
    typealias Tell = @convention(c) (OpaquePointer?, OpaquePointer?, Int32, UnsafePointer<Double>?, Int) -> Int32
    typealias TrialFree = @convention(c) (OpaquePointer?) -> Void
    typealias SetAttr = @convention(c) (OpaquePointer?, UnsafePointer<CChar>?, UnsafePointer<CChar>?) -> Int32
    typealias ModelCreate = @convention(c) (UnsafePointer<CChar>?, UnsafeMutablePointer<OpaquePointer?>?) -> Int32
    typealias ModelFree = @convention(c) (OpaquePointer?) -> Void
    typealias Errmsg = @convention(c) () -> UnsafePointer<CChar>?
    typealias DatasetLoad = @convention(c) (UnsafePointer<CChar>?, UnsafePointer<CChar>?, UnsafeMutablePointer<OpaquePointer?>?) -> Int32
    typealias DatasetFree = @convention(c) (OpaquePointer?) -> Void
    typealias SuggestJSON = @convention(c) (OpaquePointer?, UnsafePointer<CChar>?, UnsafePointer<CChar>?, UnsafeMutablePointer<Int>?) -> Int32
    typealias ModelTrain = @convention(c) (OpaquePointer?, OpaquePointer?, OpaquePointer?, UnsafePointer<CChar>?,
                                           UnsafeRawPointer?, UnsafeMutableRawPointer?, UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32
    typealias Free = @convention(c) (UnsafeMutableRawPointer?) -> Void

    struct Library {
        let open: Open, close: Close, enqueue: Enqueue, ask: Ask, tell: Tell, trialFree: TrialFree
        let setAttr: SetAttr, modelCreate: ModelCreate, modelFree: ModelFree, errmsg: Errmsg
        let datasetLoad: DatasetLoad, datasetFree: DatasetFree, suggestJSON: SuggestJSON, modelTrain: ModelTrain, free: Free
    }

    static let path: String = ProcessInfo.processInfo.environment["HONE_FUZZ_LIBHONE"]
        ?? URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent(".build/debug/libhone.so").path

    nonisolated(unsafe) static let library: Library? = {
        guard let handle = dlopen(path, RTLD_NOW | RTLD_LOCAL) else {
            fputs("hone-fuzz c-api-options: cannot load \(path) (\(String(cString: dlerror()))); build it with `swift build`\n", stderr)
            return nil
        }
        func symbol<T>(_ name: String, _: T.Type) -> T {
            guard let p = dlsym(handle, name) else { fatalError("libhone.so has no \(name)") }
            return unsafeBitCast(p, to: T.self)
        }
        return Library(open: symbol("hone_study_open", Open.self), close: symbol("hone_study_close", Close.self),
                       enqueue: symbol("hone_study_enqueue", Enqueue.self), ask: symbol("hone_study_ask", Ask.self),
                       tell: symbol("hone_study_tell", Tell.self), trialFree: symbol("hone_trial_free", TrialFree.self),
                       setAttr: symbol("hone_study_set_user_attr", SetAttr.self),
                       modelCreate: symbol("hone_model_create", ModelCreate.self), modelFree: symbol("hone_model_free", ModelFree.self),
                       errmsg: symbol("hone_errmsg", Errmsg.self),
                       datasetLoad: symbol("hone_dataset_load", DatasetLoad.self), datasetFree: symbol("hone_dataset_free", DatasetFree.self),
                       suggestJSON: symbol("hone_trial_suggest_categorical_json", SuggestJSON.self),
                       modelTrain: symbol("hone_model_train", ModelTrain.self), free: symbol("hone_free", Free.self))
    }()

    static func run(_ bytes: [UInt8]) throws {
        guard let lib = library else { return }
        let parts = bytes.split(separator: 0, maxSplits: 6, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
        func checkError(_ status: Int32, _ call: String) throws {
            guard status != 0 else { return }
            let message = lib.errmsg().map { String(cString: $0) } ?? ""
            try expect(!message.isEmpty, "\(call) returned status \(status) with no message")
        }
        var study: OpaquePointer?
        try checkError(lib.open("memory:", "fuzz", parts[0], &study), "hone_study_open")
        if let study {
            defer { lib.close(study) }
            if parts.count > 1 {
                try checkError(lib.enqueue(study, parts[1], parts.count > 2 ? parts[2] : nil), "hone_study_enqueue")
                if parts.count > 2 { try checkError(lib.setAttr(study, "k", parts[2]), "hone_study_set_user_attr") }
                var trial: OpaquePointer?
                try checkError(lib.ask(study, &trial), "hone_study_ask")
                if let trial {
                    if parts.count > 5 {
                        var index = -1
                        let status = lib.suggestJSON(trial, "c", parts[5], &index)
                        try checkError(status, "hone_trial_suggest_categorical_json")
                        if status == 0, case .array(let choices)? = try? JSONValue(jsonText: parts[5]) {
                            try expect(choices.indices.contains(index), "the chosen index \(index) is not one of \(choices.count) choices")
                        }
                    }
                    var value = 1.0
                    try checkError(lib.tell(study, trial, 1, &value, 1), "hone_study_tell")
                    lib.trialFree(trial)
                }
            }
        }
        var model: OpaquePointer?
        defer { lib.modelFree(model) }
        if parts.count > 3, let description = try? JSONValue(jsonText: parts[3]), small(description) {
            try checkError(lib.modelCreate(parts[3], &model), "hone_model_create")
        }
        if parts.count > 4, let options = try? JSONValue(jsonText: parts[4]), small(options) {
            var data: OpaquePointer?
            try checkError(lib.datasetLoad("", parts[4], &data), "hone_dataset_load")
            lib.datasetFree(data)
        }
        // Training options on a small net (part 4's, else a 2-4-2 MLP for the moons).
        if parts.count > 6, let options = try? JSONValue(jsonText: parts[6]), small(options),
           case .object(let fields) = options, let epochs = fields["epochs"]?.numberValue, epochs <= 4
        {
            if model == nil { _ = lib.modelCreate(#"{"kind": "mlp", "inputs": 2, "hidden": [4], "outputs": 2}"#, &model) }
            var data: OpaquePointer?
            try checkError(lib.datasetLoad("", #"{"synthetic": "moons", "count": 64, "seed": 1}"#, &data), "hone_dataset_load")
            defer { lib.datasetFree(data) }
            var result: UnsafeMutablePointer<CChar>?
            try checkError(lib.modelTrain(model, data, nil, parts[6], nil, nil, &result), "hone_model_train")
            lib.free(result)
        }
    }

    static func small(_ v: JSONValue) -> Bool {
        switch v {
        case .number(let x): return !(abs(x) > 512)
        case .array(let a): return a.count <= 8 && a.allSatisfy(small)
        case .object(let o): return o.values.allSatisfy(small)
        default: return true
        }
    }
}
