// Reading C arguments and writing C results: strings must be valid UTF-8, JSON must
// parse, output pointers must not be NULL; strings handed out are malloc'd so
// hone_free (free) releases them.

import Foundation
import HoneSearch

/// A required C string argument, checked for UTF-8.
func string(_ p: UnsafePointer<CChar>?, _ what: String) throws -> String {
    guard let p else { throw APIError.misuse("\(what) is NULL") }
    return try decodeUTF8(p, what)
}

/// An optional C string argument: NULL (and "" when `emptyIsNil`) is nil.
func optionalString(_ p: UnsafePointer<CChar>?, _ what: String, emptyIsNil: Bool = true) throws -> String? {
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
func jsonObject(_ p: UnsafePointer<CChar>?, _ what: String) throws -> [String: JSONValue] {
    guard let text = try optionalString(p, what) else { return [:] }
    guard case .object(let o) = try json(text, what) else {
        throw APIError.invalid("\(what) must be a JSON object, got \(text.prefix(80))")
    }
    return o
}

/// Any JSON value argument.
func jsonValue(_ p: UnsafePointer<CChar>?, _ what: String) throws -> JSONValue {
    try json(try string(p, what), what)
}

private func json(_ text: String, _ what: String) throws -> JSONValue {
    do { return try JSONValue(jsonText: text) } catch {
        throw APIError.invalid("\(what) is not valid JSON: \(text.prefix(80))")
    }
}

/// Checks an output pointer before any work is done.
func output<T>(_ p: UnsafeMutablePointer<T>?, _ what: String = "output pointer") throws -> UnsafeMutablePointer<T> {
    guard let p else { throw APIError.misuse("\(what) is NULL") }
    return p
}

/// A malloc'd copy of `s` for a `char **` output (the caller frees it with hone_free).
func mallocString(_ s: String) -> UnsafeMutablePointer<CChar> {
    strdup(s)!
}

/// A stable C string for a `const char **` output owned by a handle.
final class OwnedCString {
    let pointer: UnsafeMutablePointer<CChar>
    init(_ s: String) { pointer = strdup(s)! }
    deinit { free(pointer) }
}
