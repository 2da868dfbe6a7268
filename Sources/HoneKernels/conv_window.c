/* The per-plane passes of a conv block (HoneTensor's Ops/ConvBlock.swift), forward and
 * backward side by side: the affine (bias or batch norm), the ReLU and the 2×2 / stride-2
 * max-pooling window after a convolution's GEMM, and the convolution-output gradient they
 * pass back. Written without branches on the data (selects, not ifs) so that they
 * vectorize: a window's winner is a coin flip, and a mispredicted branch per window cost
 * more than the rest of the pass. */
#include "multiversion.h"

/* One window row of the forward pass; `relu` and `record` are constants at each call. */
HONE_INLINE void window_row_forward(const float *top, const float *bottom, ptrdiff_t n, float scale, float shift,
                                    int relu, int record, float *y, uint8_t *winners)
{
    for (ptrdiff_t px = 0; px < n; px++) {
        float v0 = top[2 * px] * scale + shift, v1 = top[2 * px + 1] * scale + shift;
        float v2 = bottom[2 * px] * scale + shift, v3 = bottom[2 * px + 1] * scale + shift;
        float best = v0;
        int winner = 0;
        winner = v1 > best ? 1 : winner; best = v1 > best ? v1 : best;
        winner = v2 > best ? 2 : winner; best = v2 > best ? v2 : best;
        winner = v3 > best ? 3 : winner; best = v3 > best ? v3 : best;
        y[px] = relu ? (best > 0 ? best : 0) : best;
        if (record) winners[px] = (uint8_t)winner;
    }
}

HONE_INLINE void hone_conv_window_forward_body(const float *z, ptrdiff_t out_h, ptrdiff_t out_w, float scale, float shift,
                                               int relu, int pool, float *y, uint8_t *winners)
{
    if (!pool) {
        ptrdiff_t n = out_h * out_w;
        if (relu)
            for (ptrdiff_t i = 0; i < n; i++) { float v = z[i] * scale + shift; y[i] = v > 0 ? v : 0; }
        else
            for (ptrdiff_t i = 0; i < n; i++) y[i] = z[i] * scale + shift;
        return;
    }
    ptrdiff_t ph = out_h / 2, pw = out_w / 2;
    for (ptrdiff_t py = 0; py < ph; py++) {
        const float *top = z + 2 * py * out_w, *bottom = top + out_w;
        float *row = y + py * pw;
        uint8_t *w = winners ? winners + py * pw : NULL;
        if (relu) {
            if (w) window_row_forward(top, bottom, pw, scale, shift, 1, 1, row, w);
            else window_row_forward(top, bottom, pw, scale, shift, 1, 0, row, w);
        } else {
            if (w) window_row_forward(top, bottom, pw, scale, shift, 0, 1, row, w);
            else window_row_forward(top, bottom, pw, scale, shift, 0, 0, row, w);
        }
    }
}

HONE_KERNEL_VARIANTS(hone_conv_window_forward,
                     (const float *z, ptrdiff_t out_h, ptrdiff_t out_w, float scale, float shift, int relu, int pool,
                      float *y, uint8_t *winners),
                     (z, out_h, out_w, scale, shift, relu, pool, y, winners))

/* b·(z − mean) + d, or 0 without z: the dense batch-norm part of dz. */
HONE_INLINE float dense_part(const float *z, ptrdiff_t i, float mean, float b, float d)
{
    return z ? b * (z[i] - mean) + d : 0;
}

/* One window row of the backward pass: all four values of each window, the winner's
 * with a·ĝ added. `relu` and `normalized` (z present) are constants at each call. */
HONE_INLINE void window_row_backward(const float *dy, const float *y, const uint8_t *winners, const float *ztop,
                                     const float *zbottom, ptrdiff_t n, float mean, float a, float b, float d,
                                     int relu, int normalized, float *top, float *bottom)
{
    for (ptrdiff_t px = 0; px < n; px++) {
        float g = dy[px];
        g = (!relu || y[px] > 0) ? g : 0;
        g *= a;
        int w = winners[px];
        float t0 = normalized ? b * (ztop[2 * px] - mean) + d : 0;
        float t1 = normalized ? b * (ztop[2 * px + 1] - mean) + d : 0;
        float b0 = normalized ? b * (zbottom[2 * px] - mean) + d : 0;
        float b1 = normalized ? b * (zbottom[2 * px + 1] - mean) + d : 0;
        top[2 * px] = t0 + (w == 0 ? g : 0);
        top[2 * px + 1] = t1 + (w == 1 ? g : 0);
        bottom[2 * px] = b0 + (w == 2 ? g : 0);
        bottom[2 * px + 1] = b1 + (w == 3 ? g : 0);
    }
}

HONE_INLINE void hone_conv_window_backward_body(const float *dy, const float *y, const uint8_t *winners, const float *z,
                                                float mean, float a, float b, float d, ptrdiff_t out_h, ptrdiff_t out_w,
                                                int relu, int pool, float *dz)
{
    ptrdiff_t n = out_h * out_w;
    if (!pool) {
        if (relu)
            for (ptrdiff_t i = 0; i < n; i++) dz[i] = dense_part(z, i, mean, b, d) + (y[i] > 0 ? a * dy[i] : 0);
        else
            for (ptrdiff_t i = 0; i < n; i++) dz[i] = dense_part(z, i, mean, b, d) + a * dy[i];
        return;
    }
    ptrdiff_t ph = out_h / 2, pw = out_w / 2;
    for (ptrdiff_t py = 0; py < ph; py++) {
        float *top = dz + 2 * py * out_w, *bottom = top + out_w;
        const float *ztop = z ? z + 2 * py * out_w : NULL, *zbottom = z ? ztop + out_w : NULL;
        const float *dyr = dy + py * pw, *yr = y + py * pw;
        const uint8_t *w = winners + py * pw;
        if (relu) {
            if (z) window_row_backward(dyr, yr, w, ztop, zbottom, pw, mean, a, b, d, 1, 1, top, bottom);
            else window_row_backward(dyr, yr, w, ztop, zbottom, pw, mean, a, b, d, 1, 0, top, bottom);
        } else {
            if (z) window_row_backward(dyr, yr, w, ztop, zbottom, pw, mean, a, b, d, 0, 1, top, bottom);
            else window_row_backward(dyr, yr, w, ztop, zbottom, pw, mean, a, b, d, 0, 0, top, bottom);
        }
        /* An odd width leaves a last column outside every window. */
        if (out_w % 2) {
            top[out_w - 1] = dense_part(ztop, out_w - 1, mean, b, d);
            bottom[out_w - 1] = dense_part(zbottom, out_w - 1, mean, b, d);
        }
    }
    /* An odd height leaves a last row outside every window. */
    if (out_h % 2) {
        float *last = dz + (out_h - 1) * out_w;
        const float *zlast = z ? z + (out_h - 1) * out_w : NULL;
        for (ptrdiff_t i = 0; i < out_w; i++) last[i] = dense_part(zlast, i, mean, b, d);
    }
}

HONE_KERNEL_VARIANTS(hone_conv_window_backward,
                     (const float *dy, const float *y, const uint8_t *winners, const float *z, float mean, float a,
                      float b, float d, ptrdiff_t out_h, ptrdiff_t out_w, int relu, int pool, float *dz),
                     (dy, y, winners, z, mean, a, b, d, out_h, out_w, relu, pool, dz))
