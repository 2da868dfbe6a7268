/* Run-time choice among AVX-512, AVX2 + FMA and baseline x86-64 builds of one kernel.
 *
 * A kernel is written once, as a `static inline` function marked always_inline (its body);
 * HONE_KERNEL_VARIANTS compiles it into three functions with different target attributes
 * (the body is inlined into each and vectorized for that instruction set) and defines the
 * public function, which calls the variant for hone_kernels_level(). On other
 * architectures there is only the portable body. */
#ifndef HONE_KERNELS_MULTIVERSION_H
#define HONE_KERNELS_MULTIVERSION_H

#include "HoneKernels.h"

#define HONE_INLINE static inline __attribute__((always_inline))

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
#define HONE_KERNEL_VARIANTS(name, params, args)                                                         \
    __attribute__((target("avx512f,avx512bw,avx512dq,avx512vl,avx2,fma"))) static void name##_avx512 params \
    { name##_body args; }                                                                                 \
    __attribute__((target("avx2,fma"))) static void name##_avx2 params { name##_body args; }             \
    static void name##_baseline params { name##_body args; }                                             \
    void name params                                                                                      \
    {                                                                                                     \
        switch (hone_kernels_level()) {                                                                   \
        case HONE_KERNELS_AVX512: name##_avx512 args; break;                                              \
        case HONE_KERNELS_AVX2: name##_avx2 args; break;                                                  \
        default: name##_baseline args; break;                                                             \
        }                                                                                                 \
    }
#else
#define HONE_KERNEL_VARIANTS(name, params, args) \
    void name params { name##_body args; }
#endif

#endif
