// Argument checks that survive release builds. Package.swift compiles HoneTensor with
// -Ounchecked, where `precondition` is not evaluated (the optimizer may even assume it
// holds), so a shape mistake would read or write past a buffer instead of stopping.
// Ops check shapes once per call, never per element, so keeping the checks is free.

/// Stops with `message` (and the caller's file:line) unless `condition` holds, in every
/// build configuration.
@inline(__always) @usableFromInline
func require(_ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String,
             file: StaticString = #file, line: UInt = #line) {
    if _slowPath(!condition()) { fatalError(message(), file: file, line: line) }
}
