/* Winograd F(2×2, 3×3) transforms for 3×3 stride-1 convolutions (HoneTensor's
 * Ops/ConvBlockWinograd.swift), forward and backward in pairs.
 *
 * Why: on the CNN benchmark the 3×3 convolutions after the input layer are GEMM-bound
 * (OpenBLAS's kernel is 65–77 % of a training step and already runs near the sgemm rate),
 * so the only way to a faster step is fewer flops. F(2×2, 3×3) (Lavin & Gray 2015) computes
 * each 2×2 output tile from a 4×4 input tile with 16 multiplies per channel pair instead of
 * 36: Y = Aᵀ[(G g Gᵀ) ⊙ (Bᵀ d B)]A. Over channels the elementwise product becomes 16
 * GEMMs, M[ξ] = U[ξ] · V[ξ] (U[ξ]: out × in, V[ξ]: in × tiles), 2.25× fewer flops than
 * im2col's GEMM. Backward is the adjoint of each linear map: dM = A dY Aᵀ per tile, then
 * dU[ξ] = dM[ξ] · V[ξ]ᵀ and dg = Gᵀ dU G (weights), dV[ξ] = U[ξ]ᵀ · dM[ξ] and
 * dd = B dV Bᵀ scattered back onto the overlapping input tiles (input).
 *
 * Layouts: U and dU are [16][out][in]; V, dV, M and dM are [16][rows][row_stride] with one
 * column per tile (tile t = ty·tiles_w + tx of an image; several images sit side by side,
 * so xi_stride = rows·row_stride). With F(2×2, 3×3) the rounding error stays within a few
 * float ulps of the direct sum (its constants are 0, ±1 and ½). */
#include "multiversion.h"

/* Bᵀ on four values (one row or column of an input tile). */
#define BT(d0, d1, d2, d3, v0, v1, v2, v3) \
    do { v0 = (d0) - (d2); v1 = (d1) + (d2); v2 = (d2) - (d1); v3 = (d1) - (d3); } while (0)
/* Its adjoint B (for the input gradient). */
#define B_(v0, v1, v2, v3, d0, d1, d2, d3) \
    do { d0 = (v0); d1 = (v1) - (v2) + (v3); d2 = (v1) + (v2) - (v0); d3 = -(v3); } while (0)

HONE_INLINE void hone_winograd_filter_body(const float *restrict g, ptrdiff_t out_c, ptrdiff_t in_c, float *restrict u)
{
    ptrdiff_t xi_stride = out_c * in_c;
    for (ptrdiff_t o = 0; o < out_c; o++)
        for (ptrdiff_t c = 0; c < in_c; c++) {
            const float *k = g + (o * in_c + c) * 9;
            float t[4][3]; /* G g: rows */
            for (int j = 0; j < 3; j++) {
                float g0 = k[j], g1 = k[3 + j], g2 = k[6 + j];
                t[0][j] = g0;
                t[1][j] = 0.5f * (g0 + g1 + g2);
                t[2][j] = 0.5f * (g0 - g1 + g2);
                t[3][j] = g2;
            }
            float *dst = u + o * in_c + c;
            for (int i = 0; i < 4; i++) { /* (G g) Gᵀ: columns */
                float g0 = t[i][0], g1 = t[i][1], g2 = t[i][2];
                dst[(4 * i + 0) * xi_stride] = g0;
                dst[(4 * i + 1) * xi_stride] = 0.5f * (g0 + g1 + g2);
                dst[(4 * i + 2) * xi_stride] = 0.5f * (g0 - g1 + g2);
                dst[(4 * i + 3) * xi_stride] = g2;
            }
        }
}

HONE_KERNEL_VARIANTS(hone_winograd_filter, (const float *g, ptrdiff_t out_c, ptrdiff_t in_c, float *u), (g, out_c, in_c, u))

/* dg += Gᵀ dU G, the adjoint of the filter transform. */
HONE_INLINE void hone_winograd_filter_backward_body(const float *restrict du, ptrdiff_t out_c, ptrdiff_t in_c, float *restrict dg)
{
    ptrdiff_t xi_stride = out_c * in_c;
    for (ptrdiff_t o = 0; o < out_c; o++)
        for (ptrdiff_t c = 0; c < in_c; c++) {
            const float *src = du + o * in_c + c;
            float t[4][3];
            for (int i = 0; i < 4; i++) {
                float u0 = src[(4 * i) * xi_stride], u1 = src[(4 * i + 1) * xi_stride];
                float u2 = src[(4 * i + 2) * xi_stride], u3 = src[(4 * i + 3) * xi_stride];
                t[i][0] = u0 + 0.5f * (u1 + u2);
                t[i][1] = 0.5f * (u1 - u2);
                t[i][2] = 0.5f * (u1 + u2) + u3;
            }
            float *k = dg + (o * in_c + c) * 9;
            for (int j = 0; j < 3; j++) {
                k[j] += t[0][j] + 0.5f * (t[1][j] + t[2][j]);
                k[3 + j] += 0.5f * (t[1][j] - t[2][j]);
                k[6 + j] += 0.5f * (t[1][j] + t[2][j]) + t[3][j];
            }
        }
}

HONE_KERNEL_VARIANTS(hone_winograd_filter_backward, (const float *du, ptrdiff_t out_c, ptrdiff_t in_c, float *dg),
                     (du, out_c, in_c, dg))

/* The tiles of one plane: 2×2 output tiles cover out_h × out_w (the last row / column of
 * tiles may stick out by one; those outputs are dropped). */
HONE_INLINE ptrdiff_t tiles_of(ptrdiff_t n) { return (n + 1) / 2; }

/* V[ξ][c][t] = (Bᵀ d B)[ξ] for every tile t of one image. The channel is first copied into
 * `pad`, a zero-bordered (2·tiles_h + 2) × (2·tiles_w + 2) plane, so tiles need no bounds
 * checks; then each tile is 16 loads, 32 adds and 16 stores. */
HONE_INLINE void hone_winograd_input_body(const float *restrict x, ptrdiff_t channels, ptrdiff_t height, ptrdiff_t width,
                                          ptrdiff_t padding, ptrdiff_t out_h, ptrdiff_t out_w, float *restrict v,
                                          ptrdiff_t xi_stride, ptrdiff_t row_stride, float *restrict pad)
{
    ptrdiff_t th = tiles_of(out_h), tw = tiles_of(out_w), ph = 2 * th + 2, pw = 2 * tw + 2;
    for (ptrdiff_t i = 0; i < ph * pw; i++) pad[i] = 0;
    for (ptrdiff_t c = 0; c < channels; c++) {
        const float *xc = x + c * height * width;
        for (ptrdiff_t r = 0; r < ph; r++) {
            ptrdiff_t iy = r - padding;
            float *pr = pad + r * pw;
            if (iy < 0 || iy >= height) continue; /* stays zero */
            for (ptrdiff_t s = 0; s < pw; s++) {
                ptrdiff_t ix = s - padding;
                pr[s] = ix >= 0 && ix < width ? xc[iy * width + ix] : 0;
            }
        }
        float *vc = v + c * row_stride;
        for (ptrdiff_t ty = 0; ty < th; ty++)
            for (ptrdiff_t tx = 0; tx < tw; tx++) {
                const float *p = pad + 2 * ty * pw + 2 * tx;
                float h[4][4];
                for (int a = 0; a < 4; a++) {
                    const float *row = p + a * pw;
                    BT(row[0], row[1], row[2], row[3], h[a][0], h[a][1], h[a][2], h[a][3]);
                }
                float *dst = vc + ty * tw + tx;
                for (int b = 0; b < 4; b++) {
                    float v0, v1, v2, v3;
                    BT(h[0][b], h[1][b], h[2][b], h[3][b], v0, v1, v2, v3);
                    dst[(0 + b) * xi_stride] = v0;
                    dst[(4 + b) * xi_stride] = v1;
                    dst[(8 + b) * xi_stride] = v2;
                    dst[(12 + b) * xi_stride] = v3;
                }
            }
    }
}

HONE_KERNEL_VARIANTS(hone_winograd_input,
                     (const float *x, ptrdiff_t channels, ptrdiff_t height, ptrdiff_t width, ptrdiff_t padding, ptrdiff_t out_h,
                      ptrdiff_t out_w, float *v, ptrdiff_t xi_stride, ptrdiff_t row_stride, float *pad),
                     (x, channels, height, width, padding, out_h, out_w, v, xi_stride, row_stride, pad))

/* dx += the adjoint of hone_winograd_input: each tile's B dV Bᵀ added onto its 4×4 window
 * of a zero-bordered plane (windows overlap by two rows and columns), whose interior is
 * then added onto dx. */
HONE_INLINE void hone_winograd_input_backward_body(const float *restrict dv, ptrdiff_t xi_stride, ptrdiff_t row_stride,
                                                   ptrdiff_t channels, ptrdiff_t height, ptrdiff_t width, ptrdiff_t padding,
                                                   ptrdiff_t out_h, ptrdiff_t out_w, float *restrict dx, float *restrict pad)
{
    ptrdiff_t th = tiles_of(out_h), tw = tiles_of(out_w), ph = 2 * th + 2, pw = 2 * tw + 2;
    for (ptrdiff_t c = 0; c < channels; c++) {
        for (ptrdiff_t i = 0; i < ph * pw; i++) pad[i] = 0;
        const float *vc = dv + c * row_stride;
        for (ptrdiff_t ty = 0; ty < th; ty++)
            for (ptrdiff_t tx = 0; tx < tw; tx++) {
                const float *src = vc + ty * tw + tx;
                float h[4][4]; /* h[a][b]: B applied down each column b */
                for (int b = 0; b < 4; b++)
                    B_(src[(0 + b) * xi_stride], src[(4 + b) * xi_stride], src[(8 + b) * xi_stride], src[(12 + b) * xi_stride],
                       h[0][b], h[1][b], h[2][b], h[3][b]);
                float *p = pad + 2 * ty * pw + 2 * tx;
                for (int a = 0; a < 4; a++) {
                    float d0, d1, d2, d3;
                    B_(h[a][0], h[a][1], h[a][2], h[a][3], d0, d1, d2, d3);
                    float *row = p + a * pw;
                    row[0] += d0; row[1] += d1; row[2] += d2; row[3] += d3;
                }
            }
        float *dc = dx + c * height * width;
        for (ptrdiff_t iy = 0; iy < height; iy++) {
            ptrdiff_t r = iy + padding;
            if (r >= ph) break;
            const float *pr = pad + r * pw + padding;
            ptrdiff_t n = width < pw - padding ? width : pw - padding;
            for (ptrdiff_t ix = 0; ix < n; ix++) dc[iy * width + ix] += pr[ix];
        }
    }
}

HONE_KERNEL_VARIANTS(hone_winograd_input_backward,
                     (const float *dv, ptrdiff_t xi_stride, ptrdiff_t row_stride, ptrdiff_t channels, ptrdiff_t height,
                      ptrdiff_t width, ptrdiff_t padding, ptrdiff_t out_h, ptrdiff_t out_w, float *dx, float *pad),
                     (dv, xi_stride, row_stride, channels, height, width, padding, out_h, out_w, dx, pad))

/* z[o][y][x] = (Aᵀ M A) of each tile, for the out_h × out_w planes of one image; plane o
 * starts at z + o·plane_stride. Aᵀ = [1 1 1 0; 0 1 −1 −1]. */
HONE_INLINE void hone_winograd_output_body(const float *restrict m, ptrdiff_t xi_stride, ptrdiff_t row_stride,
                                           ptrdiff_t channels, ptrdiff_t out_h, ptrdiff_t out_w, float *restrict z,
                                           ptrdiff_t plane_stride)
{
    ptrdiff_t th = tiles_of(out_h), tw = tiles_of(out_w);
    for (ptrdiff_t o = 0; o < channels; o++) {
        const float *mo = m + o * row_stride;
        float *zo = z + o * plane_stride;
        for (ptrdiff_t ty = 0; ty < th; ty++)
            for (ptrdiff_t tx = 0; tx < tw; tx++) {
                const float *src = mo + ty * tw + tx;
                float s[4][4];
                for (int i = 0; i < 16; i++) s[i / 4][i % 4] = src[i * xi_stride];
                float t[2][4];
                for (int b = 0; b < 4; b++) {
                    t[0][b] = s[0][b] + s[1][b] + s[2][b];
                    t[1][b] = s[1][b] - s[2][b] - s[3][b];
                }
                ptrdiff_t y = 2 * ty, x = 2 * tx;
                for (int a = 0; a < 2; a++) {
                    if (y + a >= out_h) break;
                    float y0 = t[a][0] + t[a][1] + t[a][2], y1 = t[a][1] - t[a][2] - t[a][3];
                    float *row = zo + (y + a) * out_w + x;
                    row[0] = y0;
                    if (x + 1 < out_w) row[1] = y1;
                }
            }
    }
}

HONE_KERNEL_VARIANTS(hone_winograd_output,
                     (const float *m, ptrdiff_t xi_stride, ptrdiff_t row_stride, ptrdiff_t channels, ptrdiff_t out_h,
                      ptrdiff_t out_w, float *z, ptrdiff_t plane_stride),
                     (m, xi_stride, row_stride, channels, out_h, out_w, z, plane_stride))

/* dM = A dZ Aᵀ per tile (the adjoint of hone_winograd_output; outputs outside the plane
 * count as zero). */
HONE_INLINE void hone_winograd_output_backward_body(const float *restrict dz, ptrdiff_t plane_stride, ptrdiff_t channels,
                                                    ptrdiff_t out_h, ptrdiff_t out_w, float *restrict dm, ptrdiff_t xi_stride,
                                                    ptrdiff_t row_stride)
{
    ptrdiff_t th = tiles_of(out_h), tw = tiles_of(out_w);
    for (ptrdiff_t o = 0; o < channels; o++) {
        const float *zo = dz + o * plane_stride;
        float *mo = dm + o * row_stride;
        for (ptrdiff_t ty = 0; ty < th; ty++)
            for (ptrdiff_t tx = 0; tx < tw; tx++) {
                ptrdiff_t y = 2 * ty, x = 2 * tx;
                float g[2][2] = {{0, 0}, {0, 0}};
                for (int a = 0; a < 2 && y + a < out_h; a++)
                    for (int b = 0; b < 2 && x + b < out_w; b++) g[a][b] = zo[(y + a) * out_w + x + b];
                float t[4][2]; /* A g, A = [1 0; 1 1; 1 −1; 0 −1] */
                for (int b = 0; b < 2; b++) {
                    t[0][b] = g[0][b];
                    t[1][b] = g[0][b] + g[1][b];
                    t[2][b] = g[0][b] - g[1][b];
                    t[3][b] = -g[1][b];
                }
                float *dst = mo + ty * tw + tx;
                for (int a = 0; a < 4; a++) {
                    dst[(4 * a + 0) * xi_stride] = t[a][0];
                    dst[(4 * a + 1) * xi_stride] = t[a][0] + t[a][1];
                    dst[(4 * a + 2) * xi_stride] = t[a][0] - t[a][1];
                    dst[(4 * a + 3) * xi_stride] = -t[a][1];
                }
            }
    }
}

HONE_KERNEL_VARIANTS(hone_winograd_output_backward,
                     (const float *dz, ptrdiff_t plane_stride, ptrdiff_t channels, ptrdiff_t out_h, ptrdiff_t out_w, float *dm,
                      ptrdiff_t xi_stride, ptrdiff_t row_stride),
                     (dz, plane_stride, channels, out_h, out_w, dm, xi_stride, row_stride))
