import HoneKernels
import XCTest
@testable import HoneTensor

/// Winograd F(2×2, 3×3) (ConvBlockWinograd.swift, HoneKernels' winograd.c) against a direct
/// convolution in Double: forward output, weight gradient and input gradient of a group of
/// images, on every kernel variant this CPU has, with odd outputs (a last tile sticking out)
/// and paddings 0, 1 and 2.
final class WinogradTests: XCTestCase {
    struct Shape { var inC: Int, outC: Int, h: Int, w: Int, padding: Int, images: Int }

    let shapes = [
        Shape(inC: 5, outC: 4, h: 6, w: 6, padding: 1, images: 3),
        Shape(inC: 4, outC: 3, h: 5, w: 7, padding: 1, images: 2),
        Shape(inC: 4, outC: 2, h: 7, w: 6, padding: 0, images: 2),
        Shape(inC: 6, outC: 3, h: 4, w: 4, padding: 2, images: 1),
        Shape(inC: 16, outC: 8, h: 14, w: 14, padding: 1, images: 2),
    ]

    func testMatchesDirectConvolutionInDoubleOnEveryKernelVariant() {
        let saved = KernelVariants.level
        defer { KernelVariants.setLevel(saved) }
        for level in 0...KernelVariants.supportedLevel {
            XCTAssertEqual(KernelVariants.setLevel(level), level)
            for (i, s) in shapes.enumerated() { check(s, seed: UInt64(10 * i), variant: KernelVariants.names[level]) }
        }
    }

    func check(_ s: Shape, seed: UInt64, variant: String) {
        let geo = ConvGeometry(channels: s.inC, height: s.h, width: s.w, kernelH: 3, kernelW: 3, stride: 1, padding: s.padding,
                               op: "test")
        guard let wino = ConvWinograd(geo: geo, outChannels: s.outC) else { return XCTFail("not eligible \(s)") }
        let n = s.images, p = geo.colCols, oh = geo.outH, ow = geo.outW, inPlane = s.inC * s.h * s.w
        let x = randomTensor([n, s.inC, s.h, s.w], seed: seed), w = randomTensor([s.outC, s.inC, 3, 3], seed: seed + 1)
        let dz = randomTensor([s.outC, n * p], seed: seed + 2) // [C, G·P], as ConvBlock lays it out
        // Direct convolution and its gradients in Double.
        func xv(_ g: Int, _ c: Int, _ y: Int, _ xx: Int) -> Double {
            y < 0 || y >= s.h || xx < 0 || xx >= s.w ? 0 : Double(x.data[g * inPlane + (c * s.h + y) * s.w + xx])
        }
        var z = [Double](repeating: 0, count: s.outC * n * p), dW = [Double](repeating: 0, count: w.count)
        var dx = [Double](repeating: 0, count: x.count)
        for g in 0..<n {
            for o in 0..<s.outC {
                for oy in 0..<oh {
                    for ox in 0..<ow {
                        let zi = o * n * p + g * p + oy * ow + ox, gz = Double(dz.data[zi])
                        var sum = 0.0
                        for c in 0..<s.inC {
                            for ki in 0..<3 {
                                for kj in 0..<3 {
                                    let iy = oy - s.padding + ki, ix = ox - s.padding + kj, wi = ((o * s.inC + c) * 3 + ki) * 3 + kj
                                    let xvalue = xv(g, c, iy, ix)
                                    sum += Double(w.data[wi]) * xvalue
                                    dW[wi] += gz * xvalue
                                    if iy >= 0 && iy < s.h && ix >= 0 && ix < s.w {
                                        dx[g * inPlane + (c * s.h + iy) * s.w + ix] += gz * Double(w.data[wi])
                                    }
                                }
                            }
                        }
                        z[zi] = sum
                    }
                }
            }
        }
        let u = wino.transformWeights(w.data)
        let v = TensorBuffer(count: wino.inputCount(images: n)), m = TensorBuffer(count: wino.productCount(images: n))
        let pad = TensorBuffer(count: wino.padCount), zOut = TensorBuffer(count: s.outC * n * p, zeroed: true)
        let du = TensorBuffer(count: 16 * s.outC * s.inC, zeroed: true)
        let dxOut = TensorBuffer(count: x.count, zeroed: true), dWOut = TensorBuffer(count: w.count, zeroed: true)
        defer { withExtendedLifetime((u, v, m, pad, zOut, du, dxOut, dWOut)) {} }
        wino.forward(x.data, count: n, u: u.pointer, v: v.pointer, m: m.pointer, pad: pad.pointer, into: zOut.pointer)
        wino.backward(dz: dz.data, x: x.data, count: n, u: u.pointer, v: v.pointer, m: m.pointer, pad: pad.pointer,
                      du: du.pointer, dx: dxOut.pointer)
        hone_winograd_filter_backward(du.pointer, s.outC, s.inC, dWOut.pointer)
        func compare(_ got: UnsafeMutablePointer<Float>, _ expected: [Double], _ what: String) {
            let scale = max(1, expected.map(abs).max() ?? 1)
            for i in 0..<expected.count where !(abs(Double(got[i]) - expected[i]) <= 2e-5 * scale) {
                XCTFail("\(what) \(s) \(variant) element \(i): got \(got[i]), expected \(expected[i])")
                return
            }
        }
        compare(zOut.pointer, z, "forward")
        compare(dWOut.pointer, dW, "weight gradient")
        compare(dxOut.pointer, dx, "input gradient")
    }

    /// Only 3×3, stride 1, ≥ 4 input channels take the Winograd path.
    func testEligibility() {
        func geo(_ c: Int, _ k: Int, _ stride: Int) -> ConvGeometry {
            ConvGeometry(channels: c, height: 8, width: 8, kernelH: k, kernelW: k, stride: stride, padding: 1, op: "test")
        }
        XCTAssertNotNil(ConvWinograd(geo: geo(4, 3, 1), outChannels: 2))
        XCTAssertNil(ConvWinograd(geo: geo(1, 3, 1), outChannels: 2))
        XCTAssertNil(ConvWinograd(geo: geo(4, 3, 2), outChannels: 2))
        XCTAssertNil(ConvWinograd(geo: geo(4, 5, 1), outChannels: 2))
    }
}

