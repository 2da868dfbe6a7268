import XCTest
import HoneData

final class FashionMNISTTests: XCTestCase {
    func testRealFashionMNISTWhenInstalled() throws {
        guard FashionMNIST.isAvailable() else {
            throw XCTSkip("Fashion-MNIST is not installed (apt-get install dataset-fashion-mnist)")
        }
        let (train, test) = try Datasets.load(name: "fashion-mnist")
        XCTAssertEqual(train.count, 60_000)
        XCTAssertEqual(test.count, 10_000)
        XCTAssertEqual(train.featureShape, [1, 28, 28])
        XCTAssertEqual(train.classNames, FashionMNIST.classNames)
        XCTAssertEqual(train.classCounts, [Int](repeating: 6000, count: 10), "the training set is balanced")
        XCTAssertEqual(test.classCounts, [Int](repeating: 1000, count: 10))
        // A second load comes from the process-wide cache: the same buffers, no decoding.
        let again = try Datasets.load(name: "Fashion-MNIST")
        XCTAssertEqual(again.train.features.withUnsafeBufferPointer { $0.baseAddress },
                       train.features.withUnsafeBufferPointer { $0.baseAddress })
        for d in [train, test] {
            XCTAssertTrue(d.labels!.allSatisfy { (0...9).contains($0) })
            let (low, high) = d.features.withUnsafeBufferPointer { p -> (Float, Float) in
                var low = Float.infinity, high = -Float.infinity
                for v in p { low = min(low, v); high = max(high, v) }
                return (low, high)
            }
            XCTAssertEqual(low, 0)
            XCTAssertEqual(high, 1)
        }
    }

    func testMissingFilesSayHowToInstall() throws {
        assertDataError(try FashionMNIST.load(directory: "/nonexistent/fashion"),
                        contains: ["/nonexistent/fashion/train-images-idx3-ubyte.gz: Fashion-MNIST file not found",
                                   "apt-get install dataset-fashion-mnist", "HONE_FASHION_MNIST_DIR"])
        XCTAssertFalse(FashionMNIST.isAvailable(in: "/nonexistent/fashion"))
    }

    func testDirectoryOverrideWithSmallFiles() throws {
        // A fake Fashion-MNIST with the wrong number of images is read and then refused.
        let directory = try makeTemporaryDirectory(self)
        for part in ["train", "t10k"] {
            try IDX.write(dataType: .uint8, shape: [2, 28, 28], values: [Double](repeating: 255, count: 2 * 784),
                          to: "\(directory)/\(part)-images-idx3-ubyte.gz")
            try IDX.write(dataType: .uint8, shape: [2], values: [0, 9], to: "\(directory)/\(part)-labels-idx1-ubyte")
        }
        XCTAssertTrue(FashionMNIST.isAvailable(in: directory))
        assertDataError(try FashionMNIST.load(directory: directory), contains: ["train-images-idx3-ubyte.gz: expected 60000 Fashion-MNIST images, found 2"])
    }

    func testUnknownNameListsKnownOnes() {
        XCTAssertEqual(Datasets.names, ["fashion-mnist"])
        assertDataError(try Datasets.load(name: "cifar-10"), contains: ["unknown data set 'cifar-10'", "known data sets: fashion-mnist"])
    }
}
