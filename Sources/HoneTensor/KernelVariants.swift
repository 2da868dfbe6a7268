// Which instruction-set variant of the C kernels (HoneKernels) runs: AVX-512, AVX2 + FMA or
// baseline x86-64, the best the CPU has unless HONE_KERNELS=baseline|avx2 says otherwise.
// Tests run every variant the CPU supports and compare them within float tolerance.

import HoneKernels

public enum KernelVariants {
    /// 0 baseline, 1 AVX2 + FMA, 2 AVX-512.
    public static let names = ["baseline", "avx2", "avx512"]

    /// The best level this CPU supports.
    public static var supportedLevel: Int { Int(hone_kernels_supported_level()) }

    /// The level in use.
    public static var level: Int { Int(hone_kernels_level()) }

    /// Uses `level` from now on (clamped to what the CPU supports); returns the level set.
    /// Not meant to change while kernels run on other threads.
    @discardableResult
    public static func setLevel(_ level: Int) -> Int { Int(hone_kernels_set_level(Int32(level))) }
}

/// The C kernels other targets call (through HoneTensor, which owns the C target).
public enum CKernels {
    /// One Adam(W) update of `count` parameters (HoneNN's Adam has the formula); zeroes
    /// the gradient. The four buffers must not overlap.
    @inline(__always)
    public static func adamStep(weights: UnsafeMutablePointer<Float>, gradients: UnsafeMutablePointer<Float>,
                                firstMoments: UnsafeMutablePointer<Float>, secondMoments: UnsafeMutablePointer<Float>,
                                count: Int, beta1: Float, beta2: Float, coupledDecay: Float, shrink: Float,
                                stepSize: Float, inverseRootCorrection2: Float, epsilon: Float) {
        hone_adam_step(weights, gradients, firstMoments, secondMoments, count, beta1, beta2, coupledDecay, shrink,
                       stepSize, inverseRootCorrection2, epsilon)
    }
}
