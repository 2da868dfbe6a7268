/* One Adam(W) update over a parameter tensor (HoneNN's Optimizers/Adam.swift), fused into
 * one pass that also zeroes the gradient:
 *     d = g + coupled_decay·w;  m = β₁m + (1−β₁)d;  v = β₂v + (1−β₂)d²
 *     w = w·shrink − step_size · m / (√v · inv_root_correction2 + ε);  g = 0
 * In C so that it runs 8 or 16 lanes wide where the CPU has AVX2 or AVX-512 (Swift's
 * SIMD8 compiles to pairs of SSE operations on baseline x86-64). */
#include "multiversion.h"

#include <math.h>

/* √x without errno handling, so that the loop vectorizes to sqrtps (correctly rounded,
 * like sqrtf). */
HONE_INLINE float root(float x)
{
#if defined(__has_builtin)
#if __has_builtin(__builtin_elementwise_sqrt)
    return __builtin_elementwise_sqrt(x);
#endif
#endif
    return sqrtf(x);
}

HONE_INLINE void hone_adam_step_body(float *restrict w, float *restrict g, float *restrict m, float *restrict v, ptrdiff_t n,
                                     float beta1, float beta2, float coupled_decay, float shrink, float step_size,
                                     float inv_root_correction2, float eps)
{
    const float one_minus_beta1 = 1 - beta1, one_minus_beta2 = 1 - beta2;
    for (ptrdiff_t i = 0; i < n; i++) {
        float wv = w[i];
        float d = g[i] + coupled_decay * wv;
        float mv = beta1 * m[i] + one_minus_beta1 * d;
        float vv = beta2 * v[i] + one_minus_beta2 * d * d;
        m[i] = mv;
        v[i] = vv;
        w[i] = wv * shrink - step_size * mv / (root(vv) * inv_root_correction2 + eps);
        g[i] = 0;
    }
}

HONE_KERNEL_VARIANTS(hone_adam_step,
                     (float *restrict w, float *restrict g, float *restrict m, float *restrict v, ptrdiff_t n, float beta1,
                      float beta2, float coupled_decay, float shrink, float step_size, float inv_root_correction2, float eps),
                     (w, g, m, v, n, beta1, beta2, coupled_decay, shrink, step_size, inv_root_correction2, eps))
