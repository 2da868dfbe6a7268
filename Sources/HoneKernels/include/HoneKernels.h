/* HoneKernels: the elementwise passes of HoneTensor and HoneNN, in C so that each can be
 * compiled for AVX-512, AVX2 + FMA and baseline x86-64 side by side and chosen at run
 * time (the Debian toolchain targets baseline x86-64, and Swift cannot enable a target
 * feature for one function). The variants agree within float rounding (FMA contraction
 * and vector widths change the last bits), never bit for bit: compare with a tolerance. */
#ifndef HONE_KERNELS_H
#define HONE_KERNELS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Instruction-set levels of the kernel variants. */
enum {
    HONE_KERNELS_BASELINE = 0,
    HONE_KERNELS_AVX2 = 1,
    HONE_KERNELS_AVX512 = 2,
};

/* The level in use: the best this CPU supports, unless HONE_KERNELS=baseline|avx2|avx512
 * in the environment or hone_kernels_set_level asked for a lower one. */
int hone_kernels_level(void);

/* Uses `level` from now on (clamped to what the CPU supports); returns the level set.
 * For tests that run every variant. Not meant to race with running kernels. */
int hone_kernels_set_level(int level);

/* The best level this CPU supports. */
int hone_kernels_supported_level(void);

/* One output plane of a conv block (HoneTensor's Ops/ConvBlock.swift), forward:
 * v = z·scale + shift over the out_h × out_w plane z; with `pool`, y[py, px] is the
 * largest v of the 2×2 window at (2py, 2px) (the first maximum in row-major order wins;
 * its index 0…3 goes to winners[py, px] when winners is not NULL) and y is
 * (out_h/2) × (out_w/2); otherwise y = v. With `relu`, y = max(y, 0) (NaN becomes 0). */
void hone_conv_window_forward(const float *z, ptrdiff_t out_h, ptrdiff_t out_w, float scale, float shift,
                              int relu, int pool, float *y, uint8_t *winners);

/* Its backward: the gradient dz of the whole z plane from the output gradient dy:
 * dz = a·ĝ + b·(z − mean) + d, where ĝ is dy (zeroed where relu and y ≤ 0) at each
 * window's winner (everywhere without pooling) and 0 elsewhere. z may be NULL when b and
 * d are 0 (no batch norm in training). */
void hone_conv_window_backward(const float *dy, const float *y, const uint8_t *winners, const float *z,
                               float mean, float a, float b, float d, ptrdiff_t out_h, ptrdiff_t out_w,
                               int relu, int pool, float *dz);

/* col[K, P] (K = channels·kernel_h·kernel_w rows, row_stride apart; P = out_h·out_w) from
 * one image x[channels, height, width]: the receptive fields of a convolution with this
 * stride and zero padding. */
void hone_im2col(const float *x, ptrdiff_t channels, ptrdiff_t height, ptrdiff_t width, ptrdiff_t kernel_h,
                 ptrdiff_t kernel_w, ptrdiff_t stride, ptrdiff_t padding, ptrdiff_t out_h, ptrdiff_t out_w, float *col,
                 ptrdiff_t row_stride);

/* dx[channels, height, width] += the scatter of col back onto the image (im2col's adjoint). */
void hone_col2im(const float *col, ptrdiff_t row_stride, ptrdiff_t channels, ptrdiff_t height, ptrdiff_t width,
                 ptrdiff_t kernel_h, ptrdiff_t kernel_w, ptrdiff_t stride, ptrdiff_t padding, ptrdiff_t out_h,
                 ptrdiff_t out_w, float *dx);

/* Winograd F(2×2, 3×3) for 3×3 stride-1 convolutions (winograd.c has the formulas and
 * layouts). tiles = ⌈out_h/2⌉·⌈out_w/2⌉ per image; `scratch` holds
 * (2⌈out_h/2⌉ + 2)·(2⌈out_w/2⌉ + 2) + 16·tiles floats. */
/* u[16][out_c][in_c] = G g Gᵀ of the weights g[out_c][in_c][3][3]. */
void hone_winograd_filter(const float *g, ptrdiff_t out_c, ptrdiff_t in_c, float *u);
/* dg[out_c][in_c][3][3] += Gᵀ du G. */
void hone_winograd_filter_backward(const float *du, ptrdiff_t out_c, ptrdiff_t in_c, float *dg);
/* v[ξ·xi_stride + c·row_stride + t] = Bᵀ d B of each 4×4 input tile of image x[channels, height, width]. */
void hone_winograd_input(const float *x, ptrdiff_t channels, ptrdiff_t height, ptrdiff_t width, ptrdiff_t padding,
                         ptrdiff_t out_h, ptrdiff_t out_w, float *v, ptrdiff_t xi_stride, ptrdiff_t row_stride, float *scratch);
/* dx += its adjoint (B dv Bᵀ scattered onto the overlapping tiles). */
void hone_winograd_input_backward(const float *dv, ptrdiff_t xi_stride, ptrdiff_t row_stride, ptrdiff_t channels,
                                  ptrdiff_t height, ptrdiff_t width, ptrdiff_t padding, ptrdiff_t out_h, ptrdiff_t out_w,
                                  float *dx, float *scratch);
/* z[o·plane_stride + y·out_w + x] = Aᵀ m A of each tile (outputs beyond out_h × out_w dropped). */
void hone_winograd_output(const float *m, ptrdiff_t xi_stride, ptrdiff_t row_stride, ptrdiff_t channels, ptrdiff_t out_h,
                          ptrdiff_t out_w, float *z, ptrdiff_t plane_stride, float *scratch);
/* dm = A dz Aᵀ of each tile (its adjoint). */
void hone_winograd_output_backward(const float *dz, ptrdiff_t plane_stride, ptrdiff_t channels, ptrdiff_t out_h,
                                   ptrdiff_t out_w, float *dm, ptrdiff_t xi_stride, ptrdiff_t row_stride, float *scratch);

/* Pointwise activations (HoneTensor's Activation): kinds, and `alpha` for the two that take
 * one (leaky ReLU's slope, ELU's α). */
enum {
    HONE_ACTIVATION_IDENTITY = 0,
    HONE_ACTIVATION_RELU = 1,
    HONE_ACTIVATION_LEAKY_RELU = 2,
    HONE_ACTIVATION_ELU = 3,
    HONE_ACTIVATION_GELU = 4,
    HONE_ACTIVATION_TANH = 5,
    HONE_ACTIVATION_SIGMOID = 6,
};

/* y = f(x) elementwise; x and y are the same array or do not overlap. GELU is its tanh
 * approximation; tanh, sigmoid, ELU and GELU use a Cephes-style exp (activation.c). */
void hone_activation_forward(int kind, float alpha, const float *x, float *y, ptrdiff_t n);

/* dx = dy · f'(x) (or += with `accumulate`), f' computed from the output y — and from the
 * input x for GELU, the only kind that reads x (NULL otherwise). Without `accumulate` dx
 * may be dy itself; otherwise no array overlaps dx. */
void hone_activation_backward(int kind, float alpha, const float *x, const float *y, const float *dy, float *dx,
                              ptrdiff_t n, int accumulate);

/* One Adam(W) update of n parameters w with gradients g (zeroed afterwards) and moments
 * m, v (HoneNN's Optimizers/Adam.swift has the formula). The four arrays must not overlap. */
void hone_adam_step(float *w, float *g, float *m, float *v, ptrdiff_t n, float beta1, float beta2,
                    float coupled_decay, float shrink, float step_size, float inv_root_correction2, float eps);

#ifdef __cplusplus
}
#endif
#endif
