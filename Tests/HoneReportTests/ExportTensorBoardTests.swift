import Foundation
import HoneSearch
import XCTest
@testable import HoneReport

final class ExportTensorBoardTests: XCTestCase {
    /// The scalars of one event file, read back through an independent TFRecord and
    /// protobuf reader: (tag, step, value) in file order.
    private func scalars(_ file: [UInt8]) throws -> (versions: [String], scalars: [(String, Int64, Float)], tags: [String]) {
        var versions: [String] = []
        var scalars: [(String, Int64, Float)] = []
        var tags: [String] = []
        for record in try Self.records(file) {
            let event = try Self.fields(record)
            var step: Int64 = 0
            for (number, value) in event {
                if number == 2, case .varint(let v) = value { step = Int64(bitPattern: v) }
                if number == 3, case .bytes(let b) = value { versions.append(String(decoding: b, as: UTF8.self)) }
            }
            for (number, value) in event where number == 5 {
                guard case .bytes(let summary) = value else { continue }
                for (_, v) in try Self.fields(summary) {
                    guard case .bytes(let valueBytes) = v else { continue }
                    var tag = ""
                    var simple: Float?
                    for (n, f) in try Self.fields(valueBytes) {
                        if n == 1, case .bytes(let t) = f { tag = String(decoding: t, as: UTF8.self) }
                        if n == 2, case .fixed32(let bits) = f { simple = Float(bitPattern: bits) }
                    }
                    tags.append(tag)
                    if let simple { scalars.append((tag, step, simple)) }
                }
            }
        }
        return (versions, scalars, tags)
    }

    func testScalarsTagsAndStepsMatchTheTrial() throws {
        let trials = ExportFixtures.trials()
        let layout = TensorBoardExport.Layout(study: ExportFixtures.study, trials: trials)
        let complete = trials.first { $0.number == 0 }!
        let read = try scalars(TensorBoardExport.events(for: complete, layout: layout))
        XCTAssertEqual(read.versions, ["brain.Event:2"])
        XCTAssertEqual(read.scalars.map(\.0), ["intermediate/value", "intermediate/value", "objective/value"])
        XCTAssertEqual(read.scalars.map(\.1), [1, 2, 2], "reports at their steps, the value at the last one")
        XCTAssertEqual(read.scalars.map(\.2), [0.5, 0.25, Float(0.1)])
        XCTAssertEqual(read.tags.prefix(3), ["_hparams_/session_start_info", "trial", "_hparams_/session_end_info"])

        let failed = trials.first { $0.number == 1 }!
        let readFailed = try scalars(TensorBoardExport.events(for: failed, layout: layout))
        XCTAssertEqual(readFailed.scalars.map(\.1), [0, 3])
        XCTAssertEqual(readFailed.scalars[0].2, -.infinity)
        XCTAssertTrue(readFailed.scalars[1].2.isNaN)
        XCTAssertFalse(readFailed.tags.contains("objective/value"), "no value, no objective scalar")
    }

    func testTagsPerObjectiveAndFold() throws {
        let study = StudyRecord(id: 2, name: "mo", directions: [.minimize, .maximize], createdAt: ExportFixtures.start)
        let trial = FrozenTrial(id: 1, studyId: 2, number: 0, state: .complete, values: [1.5, 2.5],
                                intermediateValues: [IntermediateKey(step: 1, fold: 1): [3, 4], IntermediateKey(step: 1, fold: 0): [1, 2]],
                                startedAt: ExportFixtures.start)
        let read = try scalars(TensorBoardExport.events(for: trial, layout: .init(study: study, trials: [trial])))
        XCTAssertEqual(read.scalars.map(\.0), ["intermediate/fold_0/value_0", "intermediate/fold_0/value_1",
                                               "intermediate/fold_1/value_0", "intermediate/fold_1/value_1",
                                               "objective/value_0", "objective/value_1"])
        XCTAssertEqual(read.scalars.map(\.2), [1, 2, 3, 4, 1.5, 2.5])
    }

    func testWritesOneDeterministicRunPerStartedTrial() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("hone-tb-\(getpid())-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let first = try TensorBoardExport.write(study: ExportFixtures.study, trials: ExportFixtures.trials(), to: root.path)
        XCTAssertEqual(first.count, 3, "the WAITING trial has nothing to show")
        let studyDir = root.appendingPathComponent("mlp, \"v2\"").path
        XCTAssertEqual(first[0], studyDir + "/trial-0/events.out.tfevents.1795936410.hone")
        XCTAssertEqual(first[2], studyDir + "/trial-2/events.out.tfevents.-2.hone")
        let bytes = try first.map { try Data(contentsOf: URL(fileURLWithPath: $0)) }
        let second = try TensorBoardExport.write(study: ExportFixtures.study, trials: ExportFixtures.trials().reversed(), to: root.path)
        XCTAssertEqual(second, first, "exporting again overwrites the same files")
        XCTAssertEqual(try second.map { try Data(contentsOf: URL(fileURLWithPath: $0)) }, bytes, "byte-identical")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: studyDir + "/trial-0").count, 1)
    }

    func testStudyNamesCannotEscapeTheOutputDirectory() {
        XCTAssertEqual(TensorBoardExport.directoryName("a/b\\c"), "a_b_c")
        XCTAssertEqual(TensorBoardExport.directoryName(".."), "_..")
        XCTAssertEqual(TensorBoardExport.directoryName(""), "_")
        XCTAssertEqual(TensorBoardExport.directoryName("line\nbreak"), "line_break")
        XCTAssertEqual(TensorBoardExport.directoryName("mlp v2, é"), "mlp v2, é")
    }

    func testUnwritableDirectoryIsAClearError() {
        XCTAssertThrowsError(try TensorBoardExport.write(study: ExportFixtures.study, trials: ExportFixtures.trials(),
                                                         to: "/proc/hone-cannot-write-here")) { error in
            XCTAssertTrue("\(error)".contains("cannot write /proc/hone-cannot-write-here"), "\(error)")
        }
    }

    // MARK: an independent reader

    enum Field { case varint(UInt64), fixed64(UInt64), fixed32(UInt32), bytes([UInt8]) }
    struct Corrupt: Error { let why: String }

    /// TFRecord framing with both CRCs checked.
    static func records(_ file: [UInt8]) throws -> [[UInt8]] {
        var records: [[UInt8]] = []
        var i = 0
        func le<T: FixedWidthInteger>(_ at: Int, _: T.Type) -> T {
            (0..<MemoryLayout<T>.size).reduce(T(0)) { $0 | T(file[at + $1]) << (8 * $1) }
        }
        while i < file.count {
            guard file.count - i >= 12 else { throw Corrupt(why: "truncated header at \(i)") }
            let length = Int(le(i, UInt64.self))
            guard le(i + 8, UInt32.self) == CRC32C.masked(CRC32C.checksum(Array(file[i..<i + 8]))) else { throw Corrupt(why: "length crc at \(i)") }
            guard file.count - i - 12 >= length + 4 else { throw Corrupt(why: "truncated data at \(i)") }
            let data = Array(file[i + 12..<i + 12 + length])
            guard le(i + 12 + length, UInt32.self) == CRC32C.masked(CRC32C.checksum(data)) else { throw Corrupt(why: "data crc at \(i)") }
            records.append(data)
            i += 16 + length
        }
        return records
    }

    static func fields(_ bytes: [UInt8]) throws -> [(Int, Field)] {
        var out: [(Int, Field)] = []
        var i = 0
        func varint() throws -> UInt64 {
            var value: UInt64 = 0
            var shift: UInt64 = 0
            while true {
                guard i < bytes.count, shift < 64 else { throw Corrupt(why: "bad varint") }
                let b = bytes[i]; i += 1
                value |= UInt64(b & 0x7F) << shift
                if b < 0x80 { return value }
                shift += 7
            }
        }
        func fixed(_ n: Int) throws -> UInt64 {
            guard i + n <= bytes.count else { throw Corrupt(why: "truncated fixed field") }
            defer { i += n }
            return (0..<n).reduce(UInt64(0)) { $0 | UInt64(bytes[i + $1]) << (8 * UInt64($1)) }
        }
        while i < bytes.count {
            let key = try varint()
            let number = Int(key >> 3)
            switch key & 7 {
            case 0: out.append((number, .varint(try varint())))
            case 1: out.append((number, .fixed64(try fixed(8))))
            case 5: out.append((number, .fixed32(UInt32(try fixed(4)))))
            case 2:
                let n = Int(try varint())
                guard i + n <= bytes.count else { throw Corrupt(why: "truncated bytes field") }
                out.append((number, .bytes(Array(bytes[i..<i + n])))); i += n
            default: throw Corrupt(why: "wire type \(key & 7)")
            }
        }
        return out
    }
}
