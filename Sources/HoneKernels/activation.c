/* Pointwise activations (HoneTensor's Ops/Activation.swift), forward and backward side by
 * side. In C so that tanh, sigmoid, GELU and ELU — an exp each — run 8 or 16 lanes wide
 * with FMA where the CPU has AVX2 or AVX-512: compiled by Swift for baseline x86-64 they
 * ran at ≈ 13 ns an element, 18 % of a tanh CNN's training step (`perf`, 16→32 channels).
 *
 * exp follows Cephes' expf (as HoneTensor's FastMath.exp, which Softmax keeps using):
 * x = n·ln2 + r with |r| ≤ ln2/2 (ln2 split in two parts so n·ln2 is exact), a degree-6
 * polynomial for e^r, and 2^n built in the exponent bits; n comes from the 1.5·2^23
 * rounding trick, read back from the bit pattern (no float→int conversion). tanh is
 * (1 − e)/(1 + e) with e = exp(−2|x|), and its Taylor series to x⁹ below |x| = 0.25 where
 * 1 − e cancels. Both arms of every choice are computed and one is selected, so the loops
 * have no branches on the data. NaN propagates through every activation but ReLU's
 * (max(NaN, 0) is 0, as before). */
#include "multiversion.h"

#include <string.h>

HONE_INLINE float bits_to_float(uint32_t u)
{
    float f;
    memcpy(&f, &u, sizeof f);
    return f;
}

HONE_INLINE int32_t float_to_bits(float f)
{
    int32_t i;
    memcpy(&i, &f, sizeof i);
    return i;
}

/* e^x: saturates below at the smallest normal float (x < −87.3), overflows to +inf above
 * 88.72, propagates NaN. Within 0.7 ulp of the exact value. */
HONE_INLINE float fast_exp(float x)
{
    /* Comparisons (not fminf/fmaxf) so that NaN passes through. */
    float xc = x < -87.33654f ? -87.33654f : (x > 88.72283f ? 88.72283f : x);
    const float magic = 12582912.0f; /* 1.5·2^23: adding it rounds to an integer */
    float t = xc * 1.44269504088896341f + magic;
    float n = t - magic;
    float r = (xc - n * 0.693359375f) + n * 2.12194440e-4f; /* x − n·ln2, in two parts */
    float p = 1.9875691500e-4f;
    p = p * r + 1.3981999507e-3f;
    p = p * r + 8.3334519073e-3f;
    p = p * r + 4.1665795894e-2f;
    p = p * r + 1.6666665459e-1f;
    p = p * r + 5.0000001201e-1f;
    float er = p * r * r + r + 1;
    int32_t ni = float_to_bits(t) - float_to_bits(magic);
    return er * bits_to_float((uint32_t)(ni + 127) << 23);
}

HONE_INLINE float fast_tanh(float x)
{
    float a = __builtin_fabsf(x);
    float e = fast_exp(-2 * a);
    float large = (1 - e) / (1 + e);
    float a2 = a * a;
    float small = a * (1 + a2 * (-1.0f / 3 + a2 * (2.0f / 15 + a2 * (-17.0f / 315 + a2 * (62.0f / 2835)))));
    float t = a < 0.25f ? small : large;
    return x < 0 ? -t : t;
}

HONE_INLINE float sigmoid(float x)
{
    /* exp of −|x| never overflows; σ(x) = 1/(1 + e) for x ≥ 0 and e/(1 + e) below. */
    float e = fast_exp(-__builtin_fabsf(x));
    float r = 1 / (1 + e);
    return x >= 0 ? r : e * r;
}

/* GELU, tanh approximation (Hendrycks & Gimpel 2016), as in GPT-2 and llm.c. */
#define GELU_C 0.7978845608028654f /* √(2/π) */

HONE_INLINE float gelu(float x)
{
    float u = GELU_C * (x + 0.044715f * x * x * x);
    return 0.5f * x * (1 + fast_tanh(u));
}

HONE_INLINE float gelu_derivative(float x)
{
    float u = GELU_C * (x + 0.044715f * x * x * x);
    float t = fast_tanh(u);
    return 0.5f * (1 + t) + 0.5f * x * (1 - t * t) * GELU_C * (1 + 3 * 0.044715f * x * x);
}

/* f(v) of one kind; `alpha` is leaky ReLU's slope or ELU's α. */
HONE_INLINE float activate(int kind, float alpha, float v)
{
    switch (kind) {
    case HONE_ACTIVATION_RELU: return v > 0 ? v : 0;
    case HONE_ACTIVATION_LEAKY_RELU: return v > 0 ? v : alpha * v;
    case HONE_ACTIVATION_ELU: return v > 0 ? v : alpha * (fast_exp(v) - 1);
    case HONE_ACTIVATION_GELU: return gelu(v);
    case HONE_ACTIVATION_TANH: return fast_tanh(v);
    case HONE_ACTIVATION_SIGMOID: return sigmoid(v);
    default: return v;
    }
}

/* dy · f'(·) from the output y (and the input x for GELU). dy is read before the select:
 * loaded inside one arm only, the load is conditional and the loop keeps a branch. */
HONE_INLINE float pass_back(int kind, float alpha, float x, float y, float g)
{
    switch (kind) {
    case HONE_ACTIVATION_RELU: return y > 0 ? g : 0;
    case HONE_ACTIVATION_LEAKY_RELU: return y > 0 ? g : alpha * g; /* y > 0 exactly when x > 0 */
    case HONE_ACTIVATION_ELU: return y > 0 ? g : g * (y + alpha);
    case HONE_ACTIVATION_GELU: return g * gelu_derivative(x);
    case HONE_ACTIVATION_TANH: return g * (1 - y * y);
    case HONE_ACTIVATION_SIGMOID: return g * y * (1 - y);
    default: return g;
    }
}

/* One loop per kind (the switch is on a constant inside each, so each loop vectorizes).
 * In place (x == y) and out of place are separate loops: with two pointers that may
 * overlap the compiler adds an overlap check, and equal pointers would fail it into the
 * scalar loop. */
#define HONE_FOR_EACH_KIND(KIND, BODY)                                                         \
    switch (KIND) {                                                                           \
    case HONE_ACTIVATION_RELU: { const int k_ = HONE_ACTIVATION_RELU; BODY; break; }             \
    case HONE_ACTIVATION_LEAKY_RELU: { const int k_ = HONE_ACTIVATION_LEAKY_RELU; BODY; break; } \
    case HONE_ACTIVATION_ELU: { const int k_ = HONE_ACTIVATION_ELU; BODY; break; }               \
    case HONE_ACTIVATION_GELU: { const int k_ = HONE_ACTIVATION_GELU; BODY; break; }             \
    case HONE_ACTIVATION_TANH: { const int k_ = HONE_ACTIVATION_TANH; BODY; break; }             \
    case HONE_ACTIVATION_SIGMOID: { const int k_ = HONE_ACTIVATION_SIGMOID; BODY; break; }       \
    default: { const int k_ = HONE_ACTIVATION_IDENTITY; BODY; break; }                          \
    }

HONE_INLINE void forward_distinct(int kind, float alpha, const float *restrict x, float *restrict y, ptrdiff_t n)
{
    HONE_FOR_EACH_KIND(kind, for (ptrdiff_t i = 0; i < n; i++) y[i] = activate(k_, alpha, x[i]))
}

HONE_INLINE void forward_in_place(int kind, float alpha, float *y, ptrdiff_t n)
{
    HONE_FOR_EACH_KIND(kind, for (ptrdiff_t i = 0; i < n; i++) y[i] = activate(k_, alpha, y[i]))
}

HONE_INLINE void hone_activation_forward_body(int kind, float alpha, const float *x, float *y, ptrdiff_t n)
{
    if (x == y) forward_in_place(kind, alpha, y, n);
    else forward_distinct(kind, alpha, x, y, n);
}

HONE_KERNEL_VARIANTS(hone_activation_forward, (int kind, float alpha, const float *x, float *y, ptrdiff_t n),
                     (kind, alpha, x, y, n))

/* xs is x for GELU, y otherwise (read-only pointers may coincide under restrict). */
HONE_INLINE void backward_distinct(int kind, float alpha, const float *restrict xs, const float *restrict y,
                                   const float *restrict dy, float *restrict dx, ptrdiff_t n, int accumulate)
{
    if (accumulate) {
        HONE_FOR_EACH_KIND(kind, for (ptrdiff_t i = 0; i < n; i++) dx[i] += pass_back(k_, alpha, xs[i], y[i], dy[i]))
    } else {
        HONE_FOR_EACH_KIND(kind, for (ptrdiff_t i = 0; i < n; i++) dx[i] = pass_back(k_, alpha, xs[i], y[i], dy[i]))
    }
}

/* dy overwritten by dx. */
HONE_INLINE void backward_in_place(int kind, float alpha, const float *restrict xs, const float *restrict y,
                                   float *restrict g, ptrdiff_t n)
{
    HONE_FOR_EACH_KIND(kind, for (ptrdiff_t i = 0; i < n; i++) g[i] = pass_back(k_, alpha, xs[i], y[i], g[i]))
}

HONE_INLINE void hone_activation_backward_body(int kind, float alpha, const float *x, const float *y, const float *dy,
                                               float *dx, ptrdiff_t n, int accumulate)
{
    /* GELU reads x; the others ignore it (it may be NULL). */
    const float *xs = kind == HONE_ACTIVATION_GELU ? x : y;
    if (!accumulate && dx == dy) backward_in_place(kind, alpha, xs, y, dx, n);
    else if (accumulate) backward_distinct(kind, alpha, xs, y, dy, dx, n, 1);
    else backward_distinct(kind, alpha, xs, y, dy, dx, n, 0);
}

HONE_KERNEL_VARIANTS(hone_activation_backward,
                     (int kind, float alpha, const float *x, const float *y, const float *dy, float *dx, ptrdiff_t n,
                      int accumulate),
                     (kind, alpha, x, y, dy, dx, n, accumulate))
