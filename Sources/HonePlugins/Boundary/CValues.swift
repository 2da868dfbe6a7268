// Reading C arguments and writing C results: strings must be valid UTF-8, JSON must
// parse, output pointers must not be NULL; strings handed out are malloc'd so
// hone_free (free) releases them.

import Foundation
import HoneSearch

/// A required C string argument, checked for UTF-8.
public func string(_ p: UnsafePointer<CChar>?, _ what: String) throws -> String {
    guard let p else { throw APIError.misuse("\(what) is NULL") }
    return try decodeUTF8(p, what)
}

/// An optional C string argument: NULL (and "" when `emptyIsNil`) is nil.
public func optionalString(_ p: UnsafePointer<CChar>?, _ what: String, emptyIsNil: Bool = true) throws -> String? {
    guard let p else { return nil }
    let s = try decodeUTF8(p, what)
    return emptyIsNil && s.isEmpty ? nil : s
}

private func decodeUTF8(_ p: UnsafePointer<CChar>, _ what: String) throws -> String {
    let length = strlen(p)
    let bytes = UnsafeRawBufferPointer(start: p, count: length)
    guard let s = String(validating: bytes, as: UTF8.self) else {
        throw APIError.invalid("\(what) is not valid UTF-8")
    }
    return s
}

/// A JSON object argument (NULL or "" = empty).
public func jsonObject(_ p: UnsafePointer<CChar>?, _ what: String) throws -> [String: JSONValue] {
    guard let text = try optionalString(p, what) else { return [:] }
    guard case .object(let o) = try json(text, what) else {
        throw APIError.invalid("\(what) must be a JSON object, got \(text.prefix(80))")
    }
    return o
}

/// Any JSON value argument.
public func jsonValue(_ p: UnsafePointer<CChar>?, _ what: String) throws -> JSONValue {
    try json(try string(p, what), what)
}

/// Nesting deeper than this is refused before parsing: the decoder recurses per level,
/// and a caller's string must not be able to exhaust the stack.
private let maxJSONDepth = 256

private func json(_ text: String, _ what: String) throws -> JSONValue {
    var depth = 0, inString = false, escaped = false
    for b in text.utf8 {
        if inString {
            if escaped { escaped = false } else if b == UInt8(ascii: "\\") { escaped = true } else if b == UInt8(ascii: "\"") { inString = false }
            continue
        }
        switch b {
        case UInt8(ascii: "\""): inString = true
        case UInt8(ascii: "["), UInt8(ascii: "{"):
            depth += 1
            if depth > maxJSONDepth { throw APIError.invalid("\(what) nests deeper than \(maxJSONDepth) levels") }
        case UInt8(ascii: "]"), UInt8(ascii: "}"): depth -= 1
        default: break
        }
    }
    do { return try JSONValue(jsonText: text) } catch {
        throw APIError.invalid("\(what) is not valid JSON: \(text.prefix(80))")
    }
}

/// Checks an output pointer before any work is done.
public func output<T>(_ p: UnsafeMutablePointer<T>?, _ what: String = "output pointer") throws -> UnsafeMutablePointer<T> {
    guard let p else { throw APIError.misuse("\(what) is NULL") }
    return p
}

/// A malloc'd copy of `s` for a `char **` output (the caller frees it with hone_free).
public func mallocString(_ s: String) -> UnsafeMutablePointer<CChar> {
    strdup(s)!
}

/// A stable C string for a `const char **` output owned by a handle.
public final class OwnedCString {
    public let pointer: UnsafeMutablePointer<CChar>
    public init(_ s: String) { pointer = strdup(s)! }
    deinit { free(pointer) }
}

/// A size_t count, bounded so a garbage count (e.g. (size_t)-1) is an argument error
/// rather than a read far past the caller's array.
/// A size_t argument (hone.h's size_t arrives as Swift Int, of the same width: values
/// ≥ 2^63 come in negative) of at most `max`.
public func count(_ n: Int, _ what: String, max: Int = Int.max) throws -> Int {
    guard n >= 0, n <= max else {
        throw APIError.invalid("\(what) is \(UInt(bitPattern: n)); at most \(max) is allowed")
    }
    return n
}

/// `n` doubles from a caller array (NULL only when n is 0).
public func doubles(_ p: UnsafePointer<Double>?, _ n: Int, _ what: String) throws -> [Double] {
    guard n > 0 else { return [] }
    guard let p else { throw APIError.misuse("\(what) is NULL but its length is \(n)") }
    return Array(UnsafeBufferPointer(start: p, count: n))
}

/// A finite double argument.
public func finite(_ x: Double, _ what: String) throws -> Double {
    guard x.isFinite else { throw APIError.invalid("\(what) must be a finite number, got \(x)") }
    return x
}
