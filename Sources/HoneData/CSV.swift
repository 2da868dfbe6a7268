// CSV (RFC 4180) to Dataset: a header row, one target column chosen by name, every other
// column a numeric feature.
//
// The tokenizer works on the file's bytes and reuses one scratch buffer for all fields,
// so reading allocates per file, not per cell. Errors name the file, the line and the
// column, because a CSV problem is almost always one bad cell among thousands.

/// A CSV record's fields, valid only inside the `forEachRecord` callback that got it.
public struct CSVFields {
    fileprivate var scratch: [UInt8] = []
    fileprivate var ranges: [Range<Int>] = []

    public var count: Int { ranges.count }

    /// Field `i` (unquoted, `""` unescaped) as text.
    public subscript(i: Int) -> String {
        String(decoding: scratch[ranges[i]], as: UTF8.self)
    }

    /// Field `i` with surrounding spaces and tabs removed.
    public func trimmed(_ i: Int) -> String {
        var r = ranges[i]
        while r.lowerBound < r.upperBound, CSV.isBlank(scratch[r.lowerBound]) { r = (r.lowerBound + 1)..<r.upperBound }
        while r.lowerBound < r.upperBound, CSV.isBlank(scratch[r.upperBound - 1]) { r = r.lowerBound..<(r.upperBound - 1) }
        return String(decoding: scratch[r], as: UTF8.self)
    }

    /// Field `i` parsed as a finite number, or a message saying why it is not one.
    func number(_ i: Int) -> Result<Float, NumberFailure> {
        let text = trimmed(i)
        if text.isEmpty { return .failure(.empty) }
        // Float(String) accepts "nan", "inf", hex floats; NaN or infinity in a feature
        // would silently poison training, so only finite values pass.
        guard let value = Float(text) else { return .failure(.notANumber(text)) }
        guard value.isFinite else { return .failure(.notFinite(text)) }
        return .success(value)
    }

    enum NumberFailure: Error {
        case empty, notANumber(String), notFinite(String)

        var message: String {
            switch self {
            case .empty: return "empty value (missing values are not supported; fill or drop them first)"
            case let .notANumber(text): return "cannot parse '\(text)' as a number"
            case let .notFinite(text): return "'\(text)' is not a finite number"
            }
        }
    }
}

public enum CSV {
    /// Reads a CSV file into a data set.
    ///
    /// - Parameters:
    ///   - target: name of the target column (matched after trimming spaces).
    ///   - task: `.classification` maps the target's values (text or integers) to class
    ///     indices by sorted value; `.regression` parses them as numbers; `.auto` picks
    ///     classification when any target is not a number or when all are integers with
    ///     at most `autoClassLimit` distinct values, and regression otherwise.
    ///   - classNames: a fixed class list (e.g. the training file's), so that a test file
    ///     uses the same indices; a label outside it is an error.
    ///   - delimiter: field separator, `,` by default (`;` and tab are common too).
    public static func loadDataset(path: String, target: String, task: TaskKind = .auto,
                                   classNames: [String]? = nil, delimiter: UInt8 = UInt8(ascii: ",")) throws -> Dataset {
        try parseDataset(try FileIO.readAll(path), name: path, target: target, task: task,
                         classNames: classNames, delimiter: delimiter)
    }

    /// Most distinct integer targets for which `.auto` still means classification.
    public static let autoClassLimit = 50

    /// Parses CSV bytes into a data set; `name` stands for the file in errors. See
    /// `loadDataset(path:target:task:classNames:delimiter:)`.
    public static func parseDataset(_ bytes: [UInt8], name: String, target: String, task: TaskKind = .auto,
                                    classNames: [String]? = nil, delimiter: UInt8 = UInt8(ascii: ",")) throws -> Dataset {
        var header: [String]?
        var targetColumn = 0
        var featureColumns: [Int] = []
        var features: [Float] = []
        var targetTexts: [String] = []
        var rowLines: [Int] = []
        let wanted = target.trimmingBlanks()

        try forEachRecord(bytes, name: name, delimiter: delimiter) { line, fields in
            guard let columns = header else {
                let names = (0..<fields.count).map { fields.trimmed($0) }
                let matches = names.indices.filter { names[$0] == wanted }
                guard let column = matches.first else {
                    throw DataError(file: name, line: line, "no target column named '\(wanted)'; the columns are \(names.map { "'\($0)'" }.joined(separator: ", "))")
                }
                guard matches.count == 1 else {
                    throw DataError(file: name, line: line, "the target column name '\(wanted)' appears \(matches.count) times in the header (columns \(matches.map { String($0 + 1) }.joined(separator: ", ")))")
                }
                guard names.count >= 2 else {
                    throw DataError(file: name, line: line, "the header has only the target column '\(wanted)'; there are no feature columns")
                }
                header = names
                targetColumn = column
                featureColumns = names.indices.filter { $0 != column }
                return
            }
            guard fields.count == columns.count else {
                throw DataError(file: name, line: line, "expected \(columns.count) fields as in the header, found \(fields.count)")
            }
            for j in featureColumns {
                switch fields.number(j) {
                case let .success(v): features.append(v)
                case let .failure(why): throw DataError(file: name, line: line, "column '\(columns[j])': \(why.message)")
                }
            }
            targetTexts.append(fields.trimmed(targetColumn))
            rowLines.append(line)
        }

        guard let columns = header else {
            throw DataError(file: name, "file is empty (expected a header row naming the columns)")
        }
        guard !targetTexts.isEmpty else {
            throw DataError(file: name, "the file has a header but no data rows")
        }
        let targetName = columns[targetColumn]
        let featureNames = featureColumns.map { columns[$0] }

        if let empty = targetTexts.firstIndex(where: \.isEmpty) {
            throw DataError(file: name, line: rowLines[empty], "target column '\(targetName)': empty value")
        }
        let numbers = targetTexts.map { Float($0) }
        let classification: Bool
        switch task {
        case .classification: classification = true
        case .regression: classification = false
        case .auto:
            if numbers.contains(where: { $0 == nil }) {
                classification = true
            } else {
                let values = numbers.map { $0! }
                classification = values.allSatisfy { $0.isFinite && $0 == $0.rounded() }
                    && Set(values).count <= autoClassLimit
            }
        }

        let targets: Targets
        if classification {
            switch LabelEncoding.encode(strings: targetTexts, classNames: classNames) {
            case let .success((labels, names)):
                targets = .classes(labels: labels, classCount: names.count, classNames: names)
            case let .failure(unknown):
                throw DataError(file: name, line: rowLines[unknown.index],
                                "target column '\(targetName)': '\(unknown.label)' is not one of the known classes \(classNames.map { $0.map { "'\($0)'" }.joined(separator: ", ") } ?? "")")
            }
        } else {
            var values: [Float] = []
            values.reserveCapacity(numbers.count)
            for (i, v) in numbers.enumerated() {
                guard let v, v.isFinite else {
                    throw DataError(file: name, line: rowLines[i], "target column '\(targetName)': cannot parse '\(targetTexts[i])' as a finite number (regression needs numeric targets)")
                }
                values.append(v)
            }
            targets = .regression(values: values, outputCount: 1)
        }
        return Dataset(unchecked: features, featureShape: [featureNames.count], targets: targets, featureNames: featureNames)
    }

    /// Calls `body` with each record of the CSV text and the line it starts on.
    ///
    /// RFC 4180 rules: fields separated by `delimiter`, records by CRLF, LF or CR; a field
    /// in double quotes may hold delimiters, line breaks and `""` (one quote). Blank lines
    /// are skipped and a UTF-8 byte-order mark is ignored. A quote left open at the end of
    /// the file, or text after a closing quote, is an error with the line it happened on.
    public static func forEachRecord(_ bytes: [UInt8], name: String, delimiter: UInt8 = UInt8(ascii: ","),
                                     _ body: (_ line: Int, _ fields: CSVFields) throws -> Void) throws {
        let quote = UInt8(ascii: "\""), cr = UInt8(ascii: "\r"), lf = UInt8(ascii: "\n")
        var fields = CSVFields()
        var line = 1
        try bytes.withUnsafeBufferPointer { b in
            let n = b.count
            var i = (n >= 3 && b[0] == 0xEF && b[1] == 0xBB && b[2] == 0xBF) ? 3 : 0
            while i < n {
                // Skip blank lines between records.
                if b[i] == lf { line += 1; i += 1; continue }
                if b[i] == cr { line += 1; i += (i + 1 < n && b[i + 1] == lf) ? 2 : 1; continue }
                let recordLine = line
                fields.scratch.removeAll(keepingCapacity: true)
                fields.ranges.removeAll(keepingCapacity: true)
                var atRecordEnd = false
                while !atRecordEnd {
                    let start = fields.scratch.count
                    if i < n && b[i] == quote {
                        let quoteLine = line
                        i += 1
                        while true {
                            guard i < n else {
                                throw DataError(file: name, line: quoteLine, "field \(fields.ranges.count + 1) opens a quote that is never closed")
                            }
                            let c = b[i]
                            if c == quote {
                                if i + 1 < n && b[i + 1] == quote { fields.scratch.append(quote); i += 2; continue }
                                i += 1
                                break
                            }
                            if c == lf || (c == cr && !(i + 1 < n && b[i + 1] == lf)) { line += 1 }
                            fields.scratch.append(c)
                            i += 1
                        }
                        if i < n && b[i] != delimiter && b[i] != cr && b[i] != lf {
                            let shown = String(decoding: [b[i]], as: UTF8.self)
                            throw DataError(file: name, line: line, "field \(fields.ranges.count + 1): unexpected '\(shown)' after a closing quote (a quote inside a quoted field is written \"\")")
                        }
                    } else {
                        let from = i
                        while i < n && b[i] != delimiter && b[i] != cr && b[i] != lf { i += 1 }
                        fields.scratch.append(contentsOf: UnsafeBufferPointer(rebasing: b[from..<i]))
                    }
                    fields.ranges.append(start..<fields.scratch.count)
                    if i < n && b[i] == delimiter {
                        i += 1
                    } else {
                        if i < n {  // CR, LF or CRLF
                            i += (b[i] == cr && i + 1 < n && b[i + 1] == lf) ? 2 : 1
                            line += 1
                        }
                        atRecordEnd = true
                    }
                }
                try body(recordLine, fields)
            }
        }
    }

    /// Quotes a field for writing when it needs it (delimiter, quote, line break, or
    /// surrounding spaces), doubling inner quotes.
    public static func escape(_ field: String, delimiter: Character = ",") -> String {
        let needsQuotes = field.contains(delimiter) || field.contains("\"") || field.contains("\n") || field.contains("\r")
            || field.first == " " || field.last == " "
        guard needsQuotes else { return field }
        return "\"" + field.replacing("\"", with: "\"\"") + "\""
    }

    @inline(__always)
    static func isBlank(_ c: UInt8) -> Bool { c == UInt8(ascii: " ") || c == UInt8(ascii: "\t") }
}

private extension String {
    func trimmingBlanks() -> String {
        var s = Substring(self)
        while let c = s.first, c == " " || c == "\t" { s = s.dropFirst() }
        while let c = s.last, c == " " || c == "\t" { s = s.dropLast() }
        return String(s)
    }
}
