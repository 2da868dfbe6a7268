// Image augmentation for training batches: random crop with zero padding and random
// horizontal flip (the standard CIFAR/Fashion-MNIST recipe: pad by p, crop back to H×W at
// a random offset, flip with probability ½). Applied on the fly, in place, to each
// gathered training batch — the data set itself is never copied or changed — with draws
// from a generator derived from the run's seed and the epoch, so a run is reproducible.
// Evaluation batches are never augmented.

import HoneTensor

public struct ImageAugmentation: Codable, Equatable, Sendable {
    /// Zero padding on every side before the random crop back to H×W (0 = no crop).
    /// Equivalent to shifting the image by up to this many pixels each way.
    public var cropPadding: Int
    /// Mirror each image left–right with probability ½.
    public var horizontalFlip: Bool

    public init(cropPadding: Int = 0, horizontalFlip: Bool = false) {
        self.cropPadding = cropPadding
        self.horizontalFlip = horizontalFlip
    }

    public static let none = ImageAugmentation()

    public var isActive: Bool { cropPadding > 0 || horizontalFlip }

    enum CodingKeys: String, CodingKey { case cropPadding, horizontalFlip }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(cropPadding: try c.decodeIfPresent(Int.self, forKey: .cropPadding) ?? 0,
                  horizontalFlip: try c.decodeIfPresent(Bool.self, forKey: .horizontalFlip) ?? false)
    }

    /// Throws on settings no run can use, naming the field.
    public func validate() throws {
        guard cropPadding >= 0, cropPadding <= 64 else {
            throw HoneNNError("augmentation: cropPadding must be in 0…64 pixels, got \(cropPadding)")
        }
    }

    /// Throws unless samples of `sampleShape` are images [channels, height, width] the
    /// crop fits.
    func check(sampleShape: [Int]) throws {
        guard isActive else { return }
        guard sampleShape.count == 3 else {
            throw HoneNNError("augmentation (crop/flip) needs image samples [channels, height, width]; the model's input shape is \(sampleShape)")
        }
        guard cropPadding < min(sampleShape[1], sampleShape[2]) else {
            throw HoneNNError("augmentation: cropPadding \(cropPadding) must be smaller than the \(sampleShape[1])×\(sampleShape[2]) image")
        }
    }
}

/// Applies an `ImageAugmentation` to batches [N, C, H, W] in place, through one reused
/// scratch image (no allocation per batch).
final class BatchAugmenter {
    let augmentation: ImageAugmentation
    let channels: Int, height: Int, width: Int
    private var scratch: [Float]

    init(_ augmentation: ImageAugmentation, sampleShape: [Int]) {
        self.augmentation = augmentation
        channels = sampleShape[0]
        height = sampleShape[1]
        width = sampleShape[2]
        scratch = [Float](repeating: 0, count: channels * height * width)
    }

    /// Augments the first `count` samples of `batch`. Per sample it draws the crop offsets
    /// (when cropping) and then the flip (when flipping), in that order.
    func apply(to batch: UnsafeMutablePointer<Float>, count: Int, rng: inout RandomGenerator) {
        let p = augmentation.cropPadding, h = height, w = width, plane = h * w, sampleSize = channels * plane
        scratch.withUnsafeMutableBufferPointer { tmp in
            let copy = tmp.baseAddress!
            for n in 0..<count {
                // Output pixel (y, x) reads input (y + dy, x + dx): the crop of the padded
                // image at offset (p + dy, p + dx).
                let dy = p > 0 ? rng.int(below: 2 * p + 1) - p : 0
                let dx = p > 0 ? rng.int(below: 2 * p + 1) - p : 0
                let flip = augmentation.horizontalFlip && rng.int(below: 2) == 1
                if dy == 0 && dx == 0 && !flip { continue }
                let sample = batch + n * sampleSize
                copy.update(from: sample, count: sampleSize)
                for c in 0..<channels {
                    let source = copy + c * plane, target = sample + c * plane
                    for y in 0..<h {
                        let row = target + y * w
                        let sy = y + dy
                        guard sy >= 0, sy < h else { row.update(repeating: 0, count: w); continue }
                        let sourceRow = source + sy * w
                        for x in 0..<w {
                            // Flipping after the crop: output column x shows cropped column w − 1 − x.
                            let sx = (flip ? w - 1 - x : x) + dx
                            row[x] = sx >= 0 && sx < w ? sourceRow[sx] : 0
                        }
                    }
                }
            }
        }
    }
}
