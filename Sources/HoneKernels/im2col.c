/* im2col and its adjoint col2im (HoneTensor's Ops/Conv2D.swift, ConvGeometry): the
 * receptive fields of one C×H×W image as the rows of col[C·kh·kw, out_h·out_w] (rows
 * row_stride apart, so several images can sit side by side), and the scatter-add back.
 * In C so that the short row copies (14 or 28 floats on Fashion-MNIST) are inline vector
 * moves rather than a memmove call each, 8 or 16 lanes wide where the CPU allows. */
#include "multiversion.h"

/* The output columns ox whose input column ox·stride + offset lies inside the image. */
HONE_INLINE void valid_columns(ptrdiff_t offset, ptrdiff_t stride, ptrdiff_t width, ptrdiff_t out_w, ptrdiff_t *lo,
                               ptrdiff_t *hi)
{
    *lo = offset >= 0 ? 0 : (-offset + stride - 1) / stride;
    ptrdiff_t h = width - 1 - offset >= 0 ? (width - 1 - offset) / stride + 1 : 0;
    if (h > out_w) h = out_w;
    *hi = h > *lo ? h : *lo;
}

/* r[lo..<hi] = src[lo..<hi]: rows of 14 or 28 floats, where a generic vector loop would
 * spend its time in the scalar tail; masked moves would not help baseline x86-64. */
HONE_INLINE void copy_row(float *restrict r, const float *restrict src, ptrdiff_t lo, ptrdiff_t hi)
{
    ptrdiff_t ox = lo;
    for (; ox + 8 <= hi; ox += 8)
        for (int j = 0; j < 8; j++) r[ox + j] = src[ox + j];
    for (; ox + 4 <= hi; ox += 4)
        for (int j = 0; j < 4; j++) r[ox + j] = src[ox + j];
    for (; ox < hi; ox++) r[ox] = src[ox];
}

HONE_INLINE void add_row(float *restrict d, const float *restrict r, ptrdiff_t lo, ptrdiff_t hi)
{
    ptrdiff_t ox = lo;
    for (; ox + 8 <= hi; ox += 8)
        for (int j = 0; j < 8; j++) d[ox + j] += r[ox + j];
    for (; ox + 4 <= hi; ox += 4)
        for (int j = 0; j < 4; j++) d[ox + j] += r[ox + j];
    for (; ox < hi; ox++) d[ox] += r[ox];
}

HONE_INLINE void hone_im2col_body(const float *restrict x, ptrdiff_t channels, ptrdiff_t height, ptrdiff_t width, ptrdiff_t kernel_h,
                                  ptrdiff_t kernel_w, ptrdiff_t stride, ptrdiff_t padding, ptrdiff_t out_h, ptrdiff_t out_w,
                                  float *restrict col, ptrdiff_t row_stride)
{
    for (ptrdiff_t c = 0; c < channels; c++)
        for (ptrdiff_t ki = 0; ki < kernel_h; ki++)
            for (ptrdiff_t kj = 0; kj < kernel_w; kj++) {
                float *row = col + ((c * kernel_h + ki) * kernel_w + kj) * row_stride;
                ptrdiff_t offset = kj - padding, lo, hi;
                valid_columns(offset, stride, width, out_w, &lo, &hi);
                for (ptrdiff_t oy = 0; oy < out_h; oy++) {
                    float *r = row + oy * out_w;
                    ptrdiff_t iy = oy * stride - padding + ki;
                    if (iy < 0 || iy >= height) {
                        for (ptrdiff_t ox = 0; ox < out_w; ox++) r[ox] = 0;
                        continue;
                    }
                    for (ptrdiff_t ox = 0; ox < lo; ox++) r[ox] = 0;
                    for (ptrdiff_t ox = hi; ox < out_w; ox++) r[ox] = 0;
                    const float *src = x + (c * height + iy) * width + offset;
                    if (stride == 1)
                        copy_row(r, src, lo, hi);
                    else
                        for (ptrdiff_t ox = lo; ox < hi; ox++) r[ox] = src[ox * stride];
                }
            }
}

HONE_KERNEL_VARIANTS(hone_im2col,
                     (const float *x, ptrdiff_t channels, ptrdiff_t height, ptrdiff_t width, ptrdiff_t kernel_h,
                      ptrdiff_t kernel_w, ptrdiff_t stride, ptrdiff_t padding, ptrdiff_t out_h, ptrdiff_t out_w, float *col,
                      ptrdiff_t row_stride),
                     (x, channels, height, width, kernel_h, kernel_w, stride, padding, out_h, out_w, col, row_stride))

HONE_INLINE void hone_col2im_body(const float *restrict col, ptrdiff_t row_stride, ptrdiff_t channels, ptrdiff_t height,
                                  ptrdiff_t width, ptrdiff_t kernel_h, ptrdiff_t kernel_w, ptrdiff_t stride, ptrdiff_t padding,
                                  ptrdiff_t out_h, ptrdiff_t out_w, float *restrict dx)
{
    for (ptrdiff_t c = 0; c < channels; c++)
        for (ptrdiff_t ki = 0; ki < kernel_h; ki++)
            for (ptrdiff_t kj = 0; kj < kernel_w; kj++) {
                const float *row = col + ((c * kernel_h + ki) * kernel_w + kj) * row_stride;
                ptrdiff_t offset = kj - padding, lo, hi;
                valid_columns(offset, stride, width, out_w, &lo, &hi);
                for (ptrdiff_t oy = 0; oy < out_h; oy++) {
                    ptrdiff_t iy = oy * stride - padding + ki;
                    if (iy < 0 || iy >= height) continue;
                    const float *r = row + oy * out_w;
                    float *d = dx + (c * height + iy) * width + offset;
                    if (stride == 1)
                        add_row(d, r, lo, hi);
                    else
                        for (ptrdiff_t ox = lo; ox < hi; ox++) d[ox * stride] += r[ox];
                }
            }
}

HONE_KERNEL_VARIANTS(hone_col2im,
                     (const float *col, ptrdiff_t row_stride, ptrdiff_t channels, ptrdiff_t height, ptrdiff_t width,
                      ptrdiff_t kernel_h, ptrdiff_t kernel_w, ptrdiff_t stride, ptrdiff_t padding, ptrdiff_t out_h,
                      ptrdiff_t out_w, float *dx),
                     (col, row_stride, channels, height, width, kernel_h, kernel_w, stride, padding, out_h, out_w, dx))
