// Values and rows exchanged with the SQL backends. Both SQLite and PostgreSQL speak in
// these four shapes, so the storage logic above them is written once.

/// One SQL parameter or result cell.
public enum SQLValue: Sendable, Equatable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)

    public static func optional(_ value: String?) -> SQLValue { value.map { .text($0) } ?? .null }
    public static func optional(_ value: Double?) -> SQLValue { value.map { .real($0) } ?? .null }
    public static func optional(_ value: Int64?) -> SQLValue { value.map { .integer($0) } ?? .null }
}

/// One result row. Accessors are lenient about the storage class the engine chose
/// (PostgreSQL's NUMERIC comes back as text-parsed real, SQLite may hand back an
/// integer for a REAL column holding a whole number) but strict about NULL vs. value.
public struct SQLRow: Sendable {
    public let values: [SQLValue]

    public init(_ values: [SQLValue]) { self.values = values }

    public subscript(_ index: Int) -> SQLValue { values[index] }

    public func isNull(_ index: Int) -> Bool { values[index] == .null }

    public func int(_ index: Int) -> Int64? {
        switch values[index] {
        case .integer(let v): return v
        case .real(let v): return Int64(exactly: v)
        case .text(let s): return Int64(s)
        case .null: return nil
        }
    }

    public func double(_ index: Int) -> Double? {
        switch values[index] {
        case .integer(let v): return Double(v)
        case .real(let v): return v
        case .text(let s): return Double(s)
        case .null: return nil
        }
    }

    public func string(_ index: Int) -> String? {
        switch values[index] {
        case .text(let s): return s
        case .integer(let v): return String(v)
        case .real(let v): return String(v)
        case .null: return nil
        }
    }
}
