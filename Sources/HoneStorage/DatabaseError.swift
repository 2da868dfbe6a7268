// The one error type the SQL layer throws. It carries the engine's own message
// (sqlite3_errmsg / PQerrorMessage), the statement that failed and where the database
// lives, so a user reading it knows what broke and where without a debugger.

public struct DatabaseError: Error, CustomStringConvertible, Sendable {
    public enum Kind: Sendable, Equatable {
        /// The database could not be opened or reached (missing directory, refused connection).
        case cannotConnect
        /// The file exists but is not a SQLite database; nothing was written to it.
        case notADatabase
        /// The stored schema was written by a newer Hone than this one.
        case schemaTooNew
        /// Contention that outlasted every retry (SQLITE_BUSY, serialization failures).
        case busy
        /// A constraint was violated (e.g. a study name that already exists).
        case constraint
        /// The connection was lost and could not be re-established.
        case connectionLost
        /// Anything else the engine reported.
        case other
    }

    public let kind: Kind
    /// Where the database lives, with any password removed.
    public let location: String
    public let message: String
    /// The statement that failed, when there was one.
    public let sql: String?

    public init(_ kind: Kind, location: String, message: String, sql: String? = nil) {
        self.kind = kind
        self.location = location
        self.message = message
        self.sql = sql
    }

    public var description: String {
        var text = "\(location): \(message)"
        if let sql { text += " (while running: \(sql.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: " ")))" }
        return text
    }
}

import Foundation
