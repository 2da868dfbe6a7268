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
