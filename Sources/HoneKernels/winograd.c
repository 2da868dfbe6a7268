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

/* Every transform below runs in two steps per channel: a strided gather (or scatter) between
 * the plane and 16 (or 4) arrays with one value per tile, and the transform proper as an
 * elementwise pass over those arrays, which the compiler vectorizes 8 or 16 tiles wide.
 * Done tile by tile instead, each tile was 64 scalar instructions (a 14×14 plane has only 7
 * tiles per row, too few for vectors), and the four transforms took 20 % of a 32-64 CNN
 * step. `scratch` holds the zero-bordered plane, then 16 arrays of `tiles` floats. */
HONE_INLINE void hone_winograd_input_body(const float *restrict x, ptrdiff_t channels, ptrdiff_t height, ptrdiff_t width,
                                          ptrdiff_t padding, ptrdiff_t out_h, ptrdiff_t out_w, float *restrict v,
                                          ptrdiff_t xi_stride, ptrdiff_t row_stride, float *restrict scratch)
{
    ptrdiff_t th = tiles_of(out_h), tw = tiles_of(out_w), ph = 2 * th + 2, pw = 2 * tw + 2, nt = th * tw;
    float *restrict pad = scratch, *restrict d = scratch + ph * pw;
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
        /* d[4a + b][t]: the tile's input value at (a, b). */
        for (int a = 0; a < 4; a++)
            for (int b = 0; b < 4; b++) {
                float *dab = d + (4 * a + b) * nt;
                for (ptrdiff_t ty = 0; ty < th; ty++) {
                    const float *src = pad + (2 * ty + a) * pw + b;
                    for (ptrdiff_t tx = 0; tx < tw; tx++) dab[ty * tw + tx] = src[2 * tx];
                }
            }
        float *vc = v + c * row_stride;
        for (ptrdiff_t t = 0; t < nt; t++) {
            float h[4][4];
            for (int a = 0; a < 4; a++)
                BT(d[(4 * a) * nt + t], d[(4 * a + 1) * nt + t], d[(4 * a + 2) * nt + t], d[(4 * a + 3) * nt + t],
                   h[a][0], h[a][1], h[a][2], h[a][3]);
            for (int b = 0; b < 4; b++) {
                float v0, v1, v2, v3;
                BT(h[0][b], h[1][b], h[2][b], h[3][b], v0, v1, v2, v3);
                vc[(0 + b) * xi_stride + t] = v0;
                vc[(4 + b) * xi_stride + t] = v1;
                vc[(8 + b) * xi_stride + t] = v2;
                vc[(12 + b) * xi_stride + t] = v3;
            }
        }
    }
}

HONE_KERNEL_VARIANTS(hone_winograd_input,
                     (const float *x, ptrdiff_t channels, ptrdiff_t height, ptrdiff_t width, ptrdiff_t padding, ptrdiff_t out_h,
                      ptrdiff_t out_w, float *v, ptrdiff_t xi_stride, ptrdiff_t row_stride, float *scratch),
                     (x, channels, height, width, padding, out_h, out_w, v, xi_stride, row_stride, scratch))

/* dx += the adjoint of hone_winograd_input: each tile's B dV Bᵀ added onto its 4×4 window
 * of a zero-bordered plane (windows overlap by two rows and columns; one (a, b) position at
 * a time they do not), whose interior is then added onto dx. */
HONE_INLINE void hone_winograd_input_backward_body(const float *restrict dv, ptrdiff_t xi_stride, ptrdiff_t row_stride,
                                                   ptrdiff_t channels, ptrdiff_t height, ptrdiff_t width, ptrdiff_t padding,
                                                   ptrdiff_t out_h, ptrdiff_t out_w, float *restrict dx, float *restrict scratch)
{
    ptrdiff_t th = tiles_of(out_h), tw = tiles_of(out_w), ph = 2 * th + 2, pw = 2 * tw + 2, nt = th * tw;
    float *restrict pad = scratch, *restrict d = scratch + ph * pw;
    for (ptrdiff_t c = 0; c < channels; c++) {
        const float *vc = dv + c * row_stride;
        for (ptrdiff_t t = 0; t < nt; t++) {
            float h[4][4]; /* h[a][b]: B applied down each column b */
            for (int b = 0; b < 4; b++)
                B_(vc[(0 + b) * xi_stride + t], vc[(4 + b) * xi_stride + t], vc[(8 + b) * xi_stride + t],
                   vc[(12 + b) * xi_stride + t], h[0][b], h[1][b], h[2][b], h[3][b]);
            for (int a = 0; a < 4; a++) {
                float d0, d1, d2, d3;
                B_(h[a][0], h[a][1], h[a][2], h[a][3], d0, d1, d2, d3);
                d[(4 * a) * nt + t] = d0;
                d[(4 * a + 1) * nt + t] = d1;
                d[(4 * a + 2) * nt + t] = d2;
                d[(4 * a + 3) * nt + t] = d3;
            }
        }
        for (ptrdiff_t i = 0; i < ph * pw; i++) pad[i] = 0;
        for (int a = 0; a < 4; a++)
            for (int b = 0; b < 4; b++) {
                const float *dab = d + (4 * a + b) * nt;
                for (ptrdiff_t ty = 0; ty < th; ty++) {
                    float *dst = pad + (2 * ty + a) * pw + b;
                    for (ptrdiff_t tx = 0; tx < tw; tx++) dst[2 * tx] += dab[ty * tw + tx];
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
                      ptrdiff_t width, ptrdiff_t padding, ptrdiff_t out_h, ptrdiff_t out_w, float *dx, float *scratch),
                     (dv, xi_stride, row_stride, channels, height, width, padding, out_h, out_w, dx, scratch))

/* z[o][y][x] = (Aᵀ M A) of each tile, for the out_h × out_w planes of one image; plane o
 * starts at z + o·plane_stride. Aᵀ = [1 1 1 0; 0 1 −1 −1]. `scratch`: 4 arrays of `tiles`. */
HONE_INLINE void hone_winograd_output_body(const float *restrict m, ptrdiff_t xi_stride, ptrdiff_t row_stride,
                                           ptrdiff_t channels, ptrdiff_t out_h, ptrdiff_t out_w, float *restrict z,
                                           ptrdiff_t plane_stride, float *restrict scratch)
{
    ptrdiff_t th = tiles_of(out_h), tw = tiles_of(out_w), nt = th * tw;
    float *restrict y = scratch; /* y[2a + b][t]: the tile's output at (a, b) */
    for (ptrdiff_t o = 0; o < channels; o++) {
        const float *mo = m + o * row_stride;
        for (ptrdiff_t t = 0; t < nt; t++) {
            float s[4][4];
            for (int i = 0; i < 16; i++) s[i / 4][i % 4] = mo[i * xi_stride + t];
            for (int a = 0; a < 2; a++) {
                float t0, t1, t2, t3;
                if (a == 0) {
                    t0 = s[0][0] + s[1][0] + s[2][0]; t1 = s[0][1] + s[1][1] + s[2][1];
                    t2 = s[0][2] + s[1][2] + s[2][2]; t3 = s[0][3] + s[1][3] + s[2][3];
                } else {
                    t0 = s[1][0] - s[2][0] - s[3][0]; t1 = s[1][1] - s[2][1] - s[3][1];
                    t2 = s[1][2] - s[2][2] - s[3][2]; t3 = s[1][3] - s[2][3] - s[3][3];
                }
                y[(2 * a) * nt + t] = t0 + t1 + t2;
                y[(2 * a + 1) * nt + t] = t1 - t2 - t3;
            }
        }
        float *zo = z + o * plane_stride;
        ptrdiff_t pairs = out_w / 2;
        for (ptrdiff_t yy = 0; yy < out_h; yy++) {
            ptrdiff_t ty = yy / 2, a = yy % 2;
            const float *y0 = y + (2 * a) * nt + ty * tw, *y1 = y + (2 * a + 1) * nt + ty * tw;
            float *row = zo + yy * out_w;
            for (ptrdiff_t tx = 0; tx < pairs; tx++) {
                row[2 * tx] = y0[tx];
                row[2 * tx + 1] = y1[tx];
            }
            if (out_w % 2) row[out_w - 1] = y0[tw - 1];
        }
    }
}

HONE_KERNEL_VARIANTS(hone_winograd_output,
                     (const float *m, ptrdiff_t xi_stride, ptrdiff_t row_stride, ptrdiff_t channels, ptrdiff_t out_h,
                      ptrdiff_t out_w, float *z, ptrdiff_t plane_stride, float *scratch),
                     (m, xi_stride, row_stride, channels, out_h, out_w, z, plane_stride, scratch))

/* dM = A dZ Aᵀ per tile (the adjoint of hone_winograd_output; outputs outside the plane
 * count as zero). `scratch`: 4 arrays of `tiles`. */
HONE_INLINE void hone_winograd_output_backward_body(const float *restrict dz, ptrdiff_t plane_stride, ptrdiff_t channels,
                                                    ptrdiff_t out_h, ptrdiff_t out_w, float *restrict dm, ptrdiff_t xi_stride,
                                                    ptrdiff_t row_stride, float *restrict scratch)
{
    ptrdiff_t th = tiles_of(out_h), tw = tiles_of(out_w), nt = th * tw;
    float *restrict g = scratch; /* g[2a + b][t]: the gradient at the tile's output (a, b) */
    ptrdiff_t pairs = out_w / 2;
    for (ptrdiff_t o = 0; o < channels; o++) {
        const float *zo = dz + o * plane_stride;
        for (ptrdiff_t yy = 0; yy < 2 * th; yy++) {
            ptrdiff_t ty = yy / 2, a = yy % 2;
            float *g0 = g + (2 * a) * nt + ty * tw, *g1 = g + (2 * a + 1) * nt + ty * tw;
            if (yy >= out_h) {
                for (ptrdiff_t tx = 0; tx < tw; tx++) g0[tx] = g1[tx] = 0;
                continue;
            }
            const float *row = zo + yy * out_w;
            for (ptrdiff_t tx = 0; tx < pairs; tx++) {
                g0[tx] = row[2 * tx];
                g1[tx] = row[2 * tx + 1];
            }
            if (out_w % 2) { g0[tw - 1] = row[out_w - 1]; g1[tw - 1] = 0; }
        }
        float *mo = dm + o * row_stride;
        for (ptrdiff_t t = 0; t < nt; t++) {
            float t0[4], t1[4]; /* A g: rows, for columns 0 and 1; A = [1 0; 1 1; 1 −1; 0 −1] */
            float g00 = g[t], g01 = g[nt + t], g10 = g[2 * nt + t], g11 = g[3 * nt + t];
            t0[0] = g00; t0[1] = g00 + g10; t0[2] = g00 - g10; t0[3] = -g10;
            t1[0] = g01; t1[1] = g01 + g11; t1[2] = g01 - g11; t1[3] = -g11;
            for (int a = 0; a < 4; a++) {
                mo[(4 * a + 0) * xi_stride + t] = t0[a];
                mo[(4 * a + 1) * xi_stride + t] = t0[a] + t1[a];
                mo[(4 * a + 2) * xi_stride + t] = t0[a] - t1[a];
                mo[(4 * a + 3) * xi_stride + t] = -t1[a];
            }
        }
    }
}

HONE_KERNEL_VARIANTS(hone_winograd_output_backward,
                     (const float *dz, ptrdiff_t plane_stride, ptrdiff_t channels, ptrdiff_t out_h, ptrdiff_t out_w, float *dm,
                      ptrdiff_t xi_stride, ptrdiff_t row_stride, float *scratch),
                     (dz, plane_stride, channels, out_h, out_w, dm, xi_stride, row_stride, scratch))
