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

    /// Class indices for text labels: numeric sort when all are integers (so "10" comes
    /// after "9"), otherwise sorted by Unicode scalars.
    static func encode(strings: [String], classNames known: [String]?) -> Result<(labels: [Int32], classNames: [String]), UnknownLabel> {
        let names: [String]
        if let known {
            names = known
        } else {
            let distinct = Array(Set(strings))
            let asIntegers = distinct.map { Int64($0) }
            if asIntegers.allSatisfy({ $0 != nil }) {
                // Several spellings of one integer ("3", "03") would be separate classes
                // here; normalize them to one.
                let normalized = strings.map { String(Int64($0)!) }
                return encode(integers: normalized.map { Int64($0)! }, classNames: nil)
            }
            names = distinct.sorted { $0.unicodeScalars.lexicographicallyPrecedes($1.unicodeScalars) }
        }
        var index: [String: Int32] = [:]
        for (i, name) in names.enumerated() where index[name] == nil { index[name] = Int32(i) }
        var labels = [Int32]()
        labels.reserveCapacity(strings.count)
        for (i, s) in strings.enumerated() {
            guard let c = index[s] ?? Int64(s).flatMap({ index[String($0)] }) else {
                return .failure(UnknownLabel(index: i, label: s))
            }
            labels.append(c)
        }
        return .success((labels, names))
    }
}
