// JSON options: JSONValue's parser and printer, and the algorithm option readers
// (AlgorithmOptions, through the registry's sampler and pruner specs, as
// hone_study_open's options_json and a study script's sampler = {…} reach them).
import HoneSearch

enum JSONOptionsFuzz {
    static func run(_ bytes: [UInt8]) throws {
        let value: JSONValue
        do {
            value = try JSONValue(jsonText: String(decoding: bytes, as: UTF8.self))
        } catch {
            return try expectNamed(error)
        }
        // Printing and parsing again gives the same value (when every number is finite:
        // the rule for non-finite numbers is issue 17 item 7's).
        let text = value.jsonText
        if allFinite(value) {
            let again = try? JSONValue(jsonText: text)
            try expect(again == value, "print/parse round trip: \(text.prefix(200))")
        }
        // As a sampler and pruner spec, and each member of an options object as one.
        var specs = [value]
        if case .object(let members) = value { specs += members.values.prefix(4) }
        if case .array(let items) = value { specs += items.prefix(4) }
        for spec in specs {
            do { _ = try AlgorithmRegistry.shared.sampler(spec: spec) } catch { try expectNamed(error) }
            do { _ = try AlgorithmRegistry.shared.pruner(spec: spec) } catch { try expectNamed(error) }
        }
        // The typed readers on an options object.
        if case .object(let members) = value {
            let options = AlgorithmOptions(members, context: "fuzz")
            for key in members.keys.sorted().prefix(8) {
                do { _ = try options.int(key, min: 0) } catch { try expectNamed(error, key) }
                do { _ = try options.number(key, above: 0) } catch { try expectNamed(error, key) }
                do { _ = try options.bool(key) } catch { try expectNamed(error, key) }
                do { _ = try options.string(key) } catch { try expectNamed(error, key) }
            }
            do { try options.checkAllUsed() } catch { try expectNamed(error) }
        }
    }

    static func allFinite(_ v: JSONValue) -> Bool {
        switch v {
        case .number(let x): return x.isFinite
        case .array(let a): return a.allSatisfy(allFinite)
        case .object(let o): return o.values.allSatisfy(allFinite)
        default: return true
        }
    }
}
