// A minimal PNG reader for the browser test: 8-bit RGB/RGBA, non-interlaced (what
// Chromium writes), inflated by zlib.
import CZlib
import Foundation

struct PNGImage {
    let width: Int
    let height: Int
    /// RGBA, row-major.
    let pixels: [UInt8]

    struct Invalid: Error, CustomStringConvertible { let description: String }

    init(data: Data) throws {
        let bytes = [UInt8](data)
        guard bytes.count > 8, bytes[0..<8].elementsEqual([137, 80, 78, 71, 13, 10, 26, 10]) else { throw Invalid(description: "not a PNG file") }
        func be32(_ i: Int) -> Int { Int(bytes[i]) << 24 | Int(bytes[i + 1]) << 16 | Int(bytes[i + 2]) << 8 | Int(bytes[i + 3]) }
        var offset = 8, w = 0, h = 0, colorType = 0
        var compressed: [UInt8] = []
        while offset + 8 <= bytes.count {
            let length = be32(offset)
            let type = String(decoding: bytes[(offset + 4)..<(offset + 8)], as: UTF8.self)
            let body = offset + 8
            guard body + length <= bytes.count else { throw Invalid(description: "truncated \(type) chunk") }
            if type == "IHDR" {
                w = be32(body); h = be32(body + 4)
                guard bytes[body + 8] == 8, bytes[body + 12] == 0 else { throw Invalid(description: "only 8-bit non-interlaced PNGs are read") }
                colorType = Int(bytes[body + 9])
                guard colorType == 2 || colorType == 6 else { throw Invalid(description: "colour type \(colorType) not read") }
            } else if type == "IDAT" {
                compressed += bytes[body..<(body + length)]
            } else if type == "IEND" { break }
            offset = body + length + 4
        }
        let channels = colorType == 6 ? 4 : 3, stride = w * channels
        var raw = [UInt8](repeating: 0, count: (stride + 1) * h)
        var rawLength = uLongf(raw.count)
        let status = compressed.withUnsafeBufferPointer { src in
            raw.withUnsafeMutableBufferPointer { dst in
                uncompress(dst.baseAddress, &rawLength, src.baseAddress, uLong(src.count))
            }
        }
        guard status == Z_OK, Int(rawLength) == raw.count else { throw Invalid(description: "inflate failed (\(status))") }
        // Undo the per-row filters (PNG spec §9), on raw buffers: debug builds are slow
        // per element and a full-page screenshot has tens of millions of bytes.
        var image = [UInt8](repeating: 0, count: stride * h)
        var badFilter: UInt8?
        raw.withUnsafeBufferPointer { src in
            image.withUnsafeMutableBufferPointer { dst in
                for y in 0..<h {
                    let filter = src[y * (stride + 1)]
                    let row = y * stride, input = y * (stride + 1) + 1
                    switch filter {
                    case 0:
                        for x in 0..<stride { dst[row + x] = src[input + x] }
                    case 1:
                        for x in 0..<stride { dst[row + x] = src[input + x] &+ (x >= channels ? dst[row + x - channels] : 0) }
                    case 2:
                        for x in 0..<stride { dst[row + x] = src[input + x] &+ (y > 0 ? dst[row - stride + x] : 0) }
                    case 3:
                        for x in 0..<stride {
                            let a = x >= channels ? Int(dst[row + x - channels]) : 0, b = y > 0 ? Int(dst[row - stride + x]) : 0
                            dst[row + x] = src[input + x] &+ UInt8((a + b) / 2)
                        }
                    case 4:
                        for x in 0..<stride {
                            let a = x >= channels ? Int(dst[row + x - channels]) : 0
                            let b = y > 0 ? Int(dst[row - stride + x]) : 0
                            let c = (x >= channels && y > 0) ? Int(dst[row - stride + x - channels]) : 0
                            let p = a + b - c, pa = abs(p - a), pb = abs(p - b), pc = abs(p - c)
                            dst[row + x] = src[input + x] &+ UInt8((pa <= pb && pa <= pc) ? a : (pb <= pc ? b : c))
                        }
                    default:
                        badFilter = filter
                        return
                    }
                }
            }
        }
        if let badFilter { throw Invalid(description: "unknown row filter \(badFilter)") }
        width = w; height = h
        if channels == 4 {
            pixels = image
        } else {
            var rgba = [UInt8](repeating: 255, count: w * h * 4)
            for i in 0..<(w * h) { rgba[i * 4] = image[i * 3]; rgba[i * 4 + 1] = image[i * 3 + 1]; rgba[i * 4 + 2] = image[i * 3 + 2] }
            pixels = rgba
        }
    }

    /// The share of pixels in a rectangle whose colour is not `background` (±8 per channel),
    /// and the number of distinct colours there (coarsely quantised).
    func content(x: Int, y: Int, width w: Int, height h: Int, background: (Int, Int, Int) = (255, 255, 255)) -> (share: Double, colours: Int) {
        let x0 = max(0, x), y0 = max(0, y), x1 = min(width, x + w), y1 = min(height, y + h)
        guard x1 > x0, y1 > y0 else { return (0, 0) }
        var ink = 0
        var seen = [Bool](repeating: false, count: 4096)
        pixels.withUnsafeBufferPointer { p in
            for row in y0..<y1 {
                for col in x0..<x1 {
                    let i = (row * width + col) * 4
                    let r = Int(p[i]), g = Int(p[i + 1]), b = Int(p[i + 2])
                    if abs(r - background.0) > 8 || abs(g - background.1) > 8 || abs(b - background.2) > 8 { ink += 1 }
                    seen[(r >> 4) << 8 | (g >> 4) << 4 | (b >> 4)] = true
                }
            }
        }
        let colours = seen.lazy.filter { $0 }
        return (Double(ink) / Double((x1 - x0) * (y1 - y0)), colours.count)
    }
}
