// CSV: record splitting (every delimiter), the data set parser with the first and the
// last header column as target and every task kind, and escape() round trips.
import HoneData

enum CSVFuzz {
    static func run(_ bytes: [UInt8]) throws {
        // Records, with the fields escape()d and re-parsed to the same text.
        var header: [String]?
        for delimiter in [",", ";", "\t"] {
            let d = UInt8(ascii: Unicode.Scalar(delimiter)!)
            var records = 0
            do {
                try CSV.forEachRecord(bytes, name: inputName, delimiter: d) { line, fields in
                    try expect(line >= 1, "record on line \(line)")
                    records += 1
                    guard records <= 4 else { return }
                    let texts = (0..<fields.count).map { fields[$0] }
                    if header == nil, d == UInt8(ascii: ",") { header = (0..<fields.count).map { fields.trimmed($0) } }
                    let line = texts.map { CSV.escape($0, delimiter: Character(delimiter)) }.joined(separator: delimiter) + "\n"
                    var again: [String]?
                    // With a byte-order mark first, as the reader drops one at the start.
                    try CSV.forEachRecord([0xEF, 0xBB, 0xBF] + Array(line.utf8), name: inputName, delimiter: d) { _, f in
                        if again == nil { again = (0..<f.count).map { f[$0] } }
                    }
                    // A record of one empty field escapes to a blank line, which is skipped.
                    if texts != [""] {
                        try expect(again == texts, "escape round trip: \(texts) -> \(line.debugDescription) -> \(again ?? [])")
                    }
                }
            } catch let error as FuzzFailure {
                throw error
            } catch {
                try expectNamed(error, inputName)
            }
        }
        // The data set parser, with targets that exist (and one that does not).
        var targets = ["label"]
        if let header, let first = header.first, let last = header.last { targets += [first, last] }
        for target in targets {
            for task in TaskKind.allCases {
                do {
                    let data = try CSV.parseDataset(bytes, name: inputName, target: target, task: task)
                    try check(data)
                    // The same file with the training set's classes.
                    if let names = data.classNames {
                        let again = try CSV.parseDataset(bytes, name: inputName, target: target, task: .classification, classNames: names)
                        try expect(again.labels == data.labels && again.count == data.count, "re-reading with the file's own class names changed the labels")
                    }
                } catch let error as FuzzFailure {
                    throw error
                } catch {
                    try expectNamed(error, inputName)
                }
            }
        }
    }

    static func check(_ data: Dataset) throws {
        try expect(data.features.count == data.count * data.featureCount,
                   "\(data.features.count) features for \(data.count) rows of \(data.featureCount)")
        if let labels = data.labels, let classes = data.classCount {
            try expect(labels.allSatisfy { $0 >= 0 && Int($0) < classes }, "a label outside 0..<\(classes)")
        }
    }
}
