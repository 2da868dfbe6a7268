// tests/algorithms.json: every registered algorithm with the options its front-end tests
// give it. The C and Python tests read the file themselves; the Swift-side tests of the
// Lua and command-line front ends read it here, and all of them fail when the registry
// holds a name the file lacks, so a new algorithm arrives with a test from every front end.

import Foundation
import HoneSearch

public struct AlgorithmFixture {
    public enum Kind: String, CaseIterable, Sendable { case samplers, pruners, schedulers }

    public struct Entry: Sendable {
        public var kind: Kind
        public var name: String
        public var options: [String: JSONValue]
    }

    public let entries: [Entry]

    /// Reads tests/algorithms.json of this package.
    public init() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let text = try String(contentsOf: root.appendingPathComponent("tests/algorithms.json"), encoding: .utf8)
        guard case .object(let all) = try JSONValue(jsonText: text) else { throw StudyError.invalidArgument("tests/algorithms.json: not an object") }
        var entries: [Entry] = []
        for kind in Kind.allCases {
            guard case .object(let named)? = all[kind.rawValue] else { continue }
            for (name, options) in named.sorted(by: { $0.key < $1.key }) {
                guard case .object(let o) = options else { continue }
                entries.append(Entry(kind: kind, name: name, options: o))
            }
        }
        self.entries = entries
    }

    /// Built-in names the fixture lacks, as "kind 'name'" (a fresh registry holds the
    /// built-ins only; the shared one also what tests and plugins registered).
    public func missing(from registry: AlgorithmRegistry = AlgorithmRegistry()) -> [String] {
        let names: [Kind: [String]] = [.samplers: registry.samplerNames, .pruners: registry.prunerNames, .schedulers: registry.schedulerNames]
        return Kind.allCases.flatMap { kind in
            names[kind, default: []].filter { n in !entries.contains { $0.kind == kind && $0.name == n } }.map { "\(kind.rawValue) '\($0)'" }
        }
    }

    /// A Lua study script running `entry` for `trials` trials on the fixture's space
    /// (x in [0, 1], k in {a, b}), reporting each step and honouring the pruner and the
    /// scheduler's budget.
    public static func luaStudyScript(_ entry: Entry, trials: Int, name: String) -> String {
        let algorithm = "{ \"\(entry.name)\"" + entry.options.sorted { $0.key < $1.key }.map { ", \($0.key) = \(lua($0.value))" }.joined() + " }"
        let choice: String
        switch entry.kind {
        case .samplers: choice = "sampler = \(algorithm)"
        case .pruners: choice = "sampler = \"random\", pruner = \(algorithm)"
        case .schedulers: choice = "scheduler = \(algorithm)"
        }
        return """
            study { name = "\(name)", seed = 1, trials = \(trials), \(choice) }
            function objective(trial)
              local x = trial:suggest_float("x", 0, 1)
              local k = trial:suggest_categorical("k", { "a", "b" })
              local budget = trial.work and trial.work.budget or 4
              local value = (x - 0.3) ^ 2 + (k == "b" and 1 or 0)
              for step = 1, math.floor(budget) do
                trial:report(value + 1 / (1 + step), step)
                if trial:should_prune() then trial:prune() end
              end
              return value + 1 / (1 + budget)
            end

            """
    }

    /// A JSON value as a Lua literal (the fixture's options: numbers, strings, lists, objects).
    static func lua(_ v: JSONValue) -> String {
        switch v {
        case .null: return "nil"
        case .bool(let b): return b ? "true" : "false"
        case .number: return v.jsonText
        case .string: return v.jsonText
        case .array(let items): return "{ " + items.map(lua).joined(separator: ", ") + " }"
        case .object(let o): return "{ " + o.sorted { $0.key < $1.key }.map { "\($0.key) = \(lua($0.value))" }.joined(separator: ", ") + " }"
        }
    }
}
