// IDX: decode, read as floats and integers, load as images and labels of a data set
// (gzipped too, as the Fashion-MNIST files are), and an encode/decode round trip.
import HoneData

enum IDXFuzz {
    static func run(_ bytes: [UInt8]) throws {
        let array: IDXArray
        do {
            array = try IDX.decode(bytes, name: inputName)
        } catch {
            return try expectNamed(error, inputName)
        }
        let floats = array.floats(dividingBy: 255)
        try expect(floats.count == array.count, "\(floats.count) floats for shape \(array.shape)")
        var integers: [Int32]?
        do {
            integers = try array.integers(name: inputName)
            try expect(integers!.count == array.count, "\(integers!.count) integers for shape \(array.shape)")
        } catch let error as FuzzFailure {
            throw error
        } catch {
            try expectNamed(error, inputName)
        }
        try FuzzFiles.withFile(bytes, suffix: ".idx") { path in
            do {
                let data = try IDX.loadDataset(images: path, labels: path)
                try CSVFuzz.check(data)
            } catch let error as FuzzFailure {
                throw error
            } catch {
                try expectNamed(error, path)
            }
        }
        guard array.count <= 1 << 16 else { return }
        let values: [Double] = array.dataType == .float32 || array.dataType == .float64
            ? array.floats().map(Double.init) : (integers ?? []).map(Double.init)
        guard values.count == array.count, values.allSatisfy(\.isFinite) else { return }
        let type: IDXDataType = array.dataType == .float64 ? .float32 : array.dataType
        do {
            let again = try IDX.decode(try IDX.encode(dataType: type, shape: array.shape, values: values), name: inputName)
            try expect(again.shape == array.shape, "round trip changed the shape \(array.shape) to \(again.shape)")
            try expect(again.floats().map(\.bitPattern) == array.floats().map(\.bitPattern) || array.dataType == .float64,
                       "round trip changed the values")
        } catch let error as FuzzFailure {
            throw error
        } catch {
            try expectNamed(error)
        }
    }
}
