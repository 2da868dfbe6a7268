// hone-fuzz: the libFuzzer driver for the harnesses in bench/fuzz/Targets.
//
// Built by bench/fuzz/run.sh with -sanitize=fuzzer,address and -DFUZZING:
//   hone-fuzz -target=csv [libFuzzer flags] bench/fuzz/corpus/csv
// (HONE_FUZZ_TARGET=csv works too). A broken invariant traps with its message, so
// libFuzzer records the input as a crash.
//
// Without FUZZING (the normal `swift build`), it replays files instead:
//   hone-fuzz -target=csv FILE…      (or a directory; without -target every target in turn)
import Foundation
import HoneFuzzTargets

#if FUZZING

nonisolated(unsafe) private var selected: FuzzTarget?

@_cdecl("LLVMFuzzerInitialize")
public func fuzzerInitialize(_ argc: UnsafeMutablePointer<Int32>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>) -> Int32 {
    var name = ProcessInfo.processInfo.environment["HONE_FUZZ_TARGET"]
    for i in 0..<Int(argc.pointee) {
        if let arg = argv.pointee?[i].map({ String(cString: $0) }), arg.hasPrefix("-target=") { name = String(arg.dropFirst(8)) }
    }
    guard let name, let target = FuzzTarget.named(name) else {
        fputs("hone-fuzz: give -target=NAME (or HONE_FUZZ_TARGET); targets: \(FuzzTarget.all.map(\.name).joined(separator: ", "))\n", stderr)
        exit(2)
    }
    selected = target
    return 0
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzerTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let bytes = size == 0 ? [] : Array(UnsafeBufferPointer(start: data, count: size))
    do {
        try selected!.run(bytes)
    } catch {
        fatalError("hone-fuzz \(selected!.name): \(error)")
    }
    return 0
}

// SwiftPM links an executable target's entry point as <module>_main (and aliases main to
// it), so libFuzzer's own main is not used: start its driver from here.
@_silgen_name("LLVMFuzzerRunDriver")
func runDriver(_ argc: UnsafeMutablePointer<Int32>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
               _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32) -> Int32

@_cdecl("hone_fuzz_main")
public func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    var count = argc
    var arguments = argv
    return runDriver(&count, &arguments) { data, size in fuzzerTestOneInput(data, size) }
}

#else

@main
enum HoneFuzz {
    static func main() {
        var names: [String] = []
        var paths: [String] = []
        for arg in CommandLine.arguments.dropFirst() {
            if arg.hasPrefix("-target=") { names.append(String(arg.dropFirst(8))) } else { paths.append(arg) }
        }
        let targets = names.isEmpty ? FuzzTarget.all : names.compactMap { FuzzTarget.named($0) }
        guard targets.count == max(names.count, 1) || names.isEmpty, !paths.isEmpty else {
            fputs("usage: hone-fuzz [-target=NAME] FILE|DIRECTORY…  (targets: \(FuzzTarget.all.map(\.name).joined(separator: ", ")))\n", stderr)
            exit(2)
        }
        var files: [String] = []
        for path in paths {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
                let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
                files += names.sorted().map { path + "/" + $0 }
            } else {
                files.append(path)
            }
        }
        var failures = 0
        for target in targets {
            for file in files {
                guard let data = FileManager.default.contents(atPath: file) else { continue }
                do {
                    try target.run([UInt8](data))
                } catch {
                    failures += 1
                    print("\(target.name) \(file): \(error)")
                }
            }
        }
        print("replayed \(files.count) file(s) through \(targets.count) target(s): \(failures) failure(s)")
        exit(failures == 0 ? 0 : 1)
    }
}

#endif
