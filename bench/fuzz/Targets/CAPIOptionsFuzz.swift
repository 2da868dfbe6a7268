// The C API's JSON option readers (StudyOpenOptions, JSONOptions in Sources/Hone), which
// live in libhone.so: loaded with dlopen and called as C calls them. Input: up to four
// JSON texts separated by NUL bytes: hone_study_open's options_json ("memory:"),
// hone_study_enqueue's params_json and user_attrs_json (then one ask/tell), and
// hone_model_create's description_json (only when every number in it is ≤ 512 and every
// array has ≤ 8 items, so no model beyond ~2M weights is built: the 2^30 cap is by design).
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

    struct Library {
        let open: Open, close: Close, enqueue: Enqueue, ask: Ask, tell: Tell, trialFree: TrialFree
        let setAttr: SetAttr, modelCreate: ModelCreate, modelFree: ModelFree, errmsg: Errmsg
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
                       errmsg: symbol("hone_errmsg", Errmsg.self))
    }()

    static func run(_ bytes: [UInt8]) throws {
        guard let lib = library else { return }
        let parts = bytes.split(separator: 0, maxSplits: 3, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
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
                    var value = 1.0
                    try checkError(lib.tell(study, trial, 1, &value, 1), "hone_study_tell")
                    lib.trialFree(trial)
                }
            }
        }
        if parts.count > 3, let description = try? JSONValue(jsonText: parts[3]), small(description) {
            var model: OpaquePointer?
            try checkError(lib.modelCreate(parts[3], &model), "hone_model_create")
            lib.modelFree(model)
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
