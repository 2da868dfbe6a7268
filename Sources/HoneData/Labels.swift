// Turning raw labels (CSV strings, integers from NPY files) into class indices.
//
// The mapping is the sorted list of distinct labels — numerically when every label is
// an integer, by Unicode scalar values otherwise — so it is stable: it depends only on
// the set of labels, not on their order in the file, the locale or the hash seed. When
// train and test come from separate files, pass the training set's `classNames` to the
// test loader so both use one mapping even if the test file lacks a class.

enum LabelEncoding {
    struct UnknownLabel: Error {
        let index: Int
        let label: String
    }

    /// Class indices for integer labels. Names are the integers in decimal.
    static func encode(integers: [Int64], classNames known: [String]?) -> Result<(labels: [Int32], classNames: [String]), UnknownLabel> {
        if let known {
            return encode(strings: integers.map { String($0) }, classNames: known)
        }
        let distinct = Set(integers).sorted()
        var index: [Int64: Int32] = [:]
        for (i, v) in distinct.enumerated() { index[v] = Int32(i) }
        return .success((integers.map { index[$0]! }, distinct.map { String($0) }))
    }

    /// Class indices for text labels. When every label is a number they are ordered by
    /// value (so "10" comes after "9") and spellings of one number ("3", "03", "3.0") are
    /// one class, named by its shortest form; otherwise they are ordered by Unicode scalars.
    static func encode(strings: [String], classNames known: [String]?) -> Result<(labels: [Int32], classNames: [String]), UnknownLabel> {
        let names: [String]
        var keys = strings
        if let known {
            names = known
        } else {
            let canonical = strings.map(canonicalNumber)
            if canonical.allSatisfy({ $0 != nil }) {
                keys = canonical.map { $0! }
                names = Set(keys).sorted { Double($0)! < Double($1)! }
            } else {
                names = Set(strings).sorted { $0.unicodeScalars.lexicographicallyPrecedes($1.unicodeScalars) }
            }
        }
        var index: [String: Int32] = [:]
        for (i, name) in names.enumerated() where index[name] == nil { index[name] = Int32(i) }
        var labels = [Int32]()
        labels.reserveCapacity(keys.count)
        for (i, key) in keys.enumerated() {
            guard let c = index[key] ?? canonicalNumber(key).flatMap({ index[$0] }) else {
                return .failure(UnknownLabel(index: i, label: strings[i]))
            }
            labels.append(c)
        }
        return .success((labels, names))
    }

    /// The shortest spelling of a numeric label ("03" → "3", "2.0" → "2", "0.50" → "0.5"),
    /// or nil if it is not a finite number.
    static func canonicalNumber(_ text: String) -> String? {
        guard let value = Double(text), value.isFinite else { return nil }
        if value == value.rounded(), let integer = Int64(exactly: value) { return String(integer) }
        return String(value)
    }
}
