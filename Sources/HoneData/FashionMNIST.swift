// Fashion-MNIST (Xiao, Rasul & Vollgraf 2017): 70,000 28×28 grey-scale images of ten
// kinds of clothing, the standard split being 60,000 for training and 10,000 for test.
// Read from Debian's `dataset-fashion-mnist` package; nothing is downloaded at run time.

import Foundation

public enum FashionMNIST {
    /// Where Debian's `dataset-fashion-mnist` installs the IDX files.
    public static let defaultDirectory = "/usr/share/datasets/fashion-mnist"

    /// Environment variable naming another directory with the same four files
    /// (gzipped or not).
    public static let directoryVariable = "HONE_FASHION_MNIST_DIR"

    /// The label names, in label order, from the data set's README.
    public static let classNames = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                                    "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]

    /// The directory to read from: `HONE_FASHION_MNIST_DIR` when set, else the Debian one.
    public static var directory: String {
        if let override = ProcessInfo.processInfo.environment[directoryVariable], !override.isEmpty {
            return override
        }
        return defaultDirectory
    }

    /// True when all four files are present in `directory` (used by tests to skip).
    public static func isAvailable(in directory: String = FashionMNIST.directory) -> Bool {
        ["train", "t10k"].allSatisfy { part in
            ["images-idx3", "labels-idx1"].allSatisfy { kind in
                (try? file(part: part, kind: kind, in: directory)) != nil
            }
        }
    }

    /// The standard split: 60,000 training and 10,000 test images, pixels scaled to
    /// [0, 1], feature shape [1, 28, 28] (channels, height, width), ten named classes.
    public static func load(directory: String = FashionMNIST.directory) throws -> (train: Dataset, test: Dataset) {
        func part(_ name: String, expected: Int) throws -> Dataset {
            let images = try file(part: name, kind: "images-idx3", in: directory)
            let dataset = try IDX.loadDataset(images: images, labels: try file(part: name, kind: "labels-idx1", in: directory),
                                              divisor: 255, featureShape: [1, 28, 28], classNames: classNames)
            guard dataset.count == expected else {
                throw DataError(file: images, "expected \(expected) Fashion-MNIST images, found \(dataset.count)")
            }
            return dataset
        }
        return (try part("train", expected: 60_000), try part("t10k", expected: 10_000))
    }

    /// Path of one of the four files, preferring the `.gz` that Debian ships.
    static func file(part: String, kind: String, in directory: String) throws -> String {
        let base = (directory.hasSuffix("/") ? directory : directory + "/") + "\(part)-\(kind)-ubyte"
        for candidate in [base + ".gz", base] where FileIO.exists(candidate) {
            return candidate
        }
        throw DataError(file: base + ".gz", "Fashion-MNIST file not found; install the data set with `apt-get install dataset-fashion-mnist` (it goes to \(defaultDirectory)), or set \(directoryVariable) to a directory holding the four IDX files")
    }
}
