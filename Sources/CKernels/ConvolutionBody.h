// im2col and col2im, the rearrangements behind the Layers convolutions, included once per path
// by ElementwiseKernels.c (portable), PathAVX2.c and PathAVX512.c, like ElementwiseBody.h (EW_SUFFIX
// names the path). They only move floats, and col2im adds each column entry to its pixel in one
// fixed order, so every path gives bit-identical results. Layout: see ConvolutionKernels.h.

// The outputs o in [*low, *high) whose input o·stride − padding + k lies inside [0, extent).
static inline void EW(cv_inside)(long k, long outputs, long extent, long stride, long padding, long *low, long *high) {
    long lo = padding - k + stride - 1;
    lo = lo > 0 ? lo / stride : 0;
    const long last = extent - 1 + padding - k;
    long hi = last < 0 ? 0 : last / stride + 1;
    if (hi > outputs) hi = outputs;
    *low = lo;
    *high = hi > lo ? hi : lo;
}

void EW(cv_im2col)(const float *image, long channels, long height, long width, long kernel, long stride,
                   long padding, float *cols, long ld) {
    const long oh = (height + 2 * padding - kernel) / stride + 1, ow = (width + 2 * padding - kernel) / stride + 1;
    for (long c = 0; c < channels; c++)
        for (long ky = 0; ky < kernel; ky++) {
            long ylo, yhi;
            EW(cv_inside)(ky, oh, height, stride, padding, &ylo, &yhi);
            for (long kx = 0; kx < kernel; kx++) {
                long xlo, xhi;
                EW(cv_inside)(kx, ow, width, stride, padding, &xlo, &xhi);
                float *row = cols + ((c * kernel + ky) * kernel + kx) * ld;
                for (long oy = 0; oy < oh; oy++) {
                    float *out = row + oy * ow;
                    if (oy < ylo || oy >= yhi) {
                        for (long ox = 0; ox < ow; ox++) out[ox] = 0;
                        continue;
                    }
                    const float *line = image + (c * height + oy * stride - padding + ky) * width + kx - padding;
                    for (long ox = 0; ox < xlo; ox++) out[ox] = 0;
                    for (long ox = xlo; ox < xhi; ox++) out[ox] = line[ox * stride];
                    for (long ox = xhi; ox < ow; ox++) out[ox] = 0;
                }
            }
        }
}

void EW(cv_col2im_add)(const float *cols, long ld, long channels, long height, long width, long kernel, long stride,
                       long padding, float *image) {
    const long oh = (height + 2 * padding - kernel) / stride + 1, ow = (width + 2 * padding - kernel) / stride + 1;
    for (long c = 0; c < channels; c++)
        for (long ky = 0; ky < kernel; ky++) {
            long ylo, yhi;
            EW(cv_inside)(ky, oh, height, stride, padding, &ylo, &yhi);
            for (long kx = 0; kx < kernel; kx++) {
                long xlo, xhi;
                EW(cv_inside)(kx, ow, width, stride, padding, &xlo, &xhi);
                const float *row = cols + ((c * kernel + ky) * kernel + kx) * ld;
                for (long oy = ylo; oy < yhi; oy++) {
                    const float *src = row + oy * ow;
                    float *line = image + (c * height + oy * stride - padding + ky) * width + kx - padding;
                    for (long ox = xlo; ox < xhi; ox++) line[ox * stride] += src[ox];
                }
            }
        }
}
