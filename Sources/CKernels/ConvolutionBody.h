// im2col and col2im, the rearrangements behind the Layers convolutions, included once per path
// by ElementwiseKernels.c (portable), PathAVX2.c and PathAVX512.c, like ElementwiseBody.h (EW_SUFFIX
// names the path). They only move floats, and col2im adds each column entry to its pixel in one
// fixed order, so every path gives bit-identical results. Layout: see ConvolutionKernels.h.
//
// Both go through the image's stride × stride *phase planes*, zero-padded: plane (py, px) of
// channel c holds padded pixel (i·stride + py, j·stride + px) at (i, j). Column row (c, ky, kx) at
// output row oy is then the contiguous run plane(ky % s, kx % s)[oy + ky / s][kx / s ...] of
// `ow` floats: copies without bounds checks or strided reads (the rows are short, 7–14 floats,
// and per-element strided loops with edge tests cost 0.65 ns a float).

// A path may define CV_IM2COL_ROWS / CV_COL2IM_ROWS: a faster body for the geometries it handles
// (returns 1), bit-identical to this one; it returns 0 for the rest, which run below.
//
// A run of n floats copied (or added): the AVX paths define CV_COPY_RUN / CV_ADD_RUN before
// including this file, with masked loads and stores, since at 7–14 floats the compiler's vector
// loop never runs and its scalar tail does all the work. Only moves and one add per float, so the
// results stay bit-identical on every path.
#ifndef CV_COPY_RUN
#define CV_COPY_RUN(out, src, n) for (long i_ = 0; i_ < (n); i_++) (out)[i_] = (src)[i_]
#define CV_ADD_RUN(dst, src, n) for (long i_ = 0; i_ < (n); i_++) (dst)[i_] += (src)[i_]
#endif
// A column row's `oh` runs: out[oy·ow ..< +ow] = src[oy·wq ..< +ow] (im2col), and back, added
// (col2im). A path may define its own (the AVX2 one, whose masked stores are slow on AMD).
#ifndef CV_COPY_RUNS
#define CV_COPY_RUNS(out, src, wq, ow, oh) \
    for (long oy_ = 0; oy_ < (oh); oy_++) CV_COPY_RUN((out) + oy_ * (ow), (src) + oy_ * (wq), ow)
#define CV_ADD_RUNS(dst, src, wq, ow, oh) \
    for (long oy_ = 0; oy_ < (oh); oy_++) CV_ADD_RUN((dst) + oy_ * (wq), (src) + oy_ * (ow), ow)
#endif

// A path may also define CV_PHASE_ROW (returning 1 where it applies, 0 to fall back to the scalar
// loop below): one padded image row split into its `stride` phase lines. Only moves, so bit-identical too.

static inline long EW(cv_plane_rows)(long extent, long stride, long padding) {
    return (extent + 2 * padding + stride - 1) / stride;
}

void EW(cv_im2col)(const float *image, long channels, long height, long width, long kernel, long stride,
                   long padding, float *cols, long ld, float *scratch) {
#ifdef CV_IM2COL_ROWS
    if (CV_IM2COL_ROWS(image, channels, height, width, kernel, stride, padding, cols, ld)) return;
#endif
    const long oh = (height + 2 * padding - kernel) / stride + 1, ow = (width + 2 * padding - kernel) / stride + 1;
    const long hq = EW(cv_plane_rows)(height, stride, padding), wq = EW(cv_plane_rows)(width, stride, padding);
    const long plane = hq * wq;
    for (long c = 0; c < channels; c++)
        for (long py = 0; py < stride; py++)
            for (long i = 0; i < hq; i++) {
                // padded row i·stride + py: row i of planes (py, 0 ..< stride), `plane` floats apart
                const long y = i * stride + py - padding;
                const float *line = y >= 0 && y < height ? image + (c * height + y) * width : 0;
                float *q = scratch + (c * stride + py) * stride * plane + i * wq;
#ifdef CV_PHASE_ROW
                if (CV_PHASE_ROW(line, width, stride, padding, q, plane, wq)) continue;
#endif
                for (long px = 0; px < stride; px++) {
                    float *qrow = q + px * plane;
                    for (long j = 0; j < wq; j++) {
                        const long x = j * stride + px - padding;
                        qrow[j] = line && x >= 0 && x < width ? line[x] : 0;
                    }
                }
            }
    for (long c = 0; c < channels; c++)
        for (long ky = 0; ky < kernel; ky++)
            for (long kx = 0; kx < kernel; kx++) {
                const float *q = scratch + ((c * stride + ky % stride) * stride + kx % stride) * plane
                    + (ky / stride) * wq + kx / stride;
                float *row = cols + ((c * kernel + ky) * kernel + kx) * ld;
                CV_COPY_RUNS(row, q, wq, ow, oh);
            }
}

void EW(cv_col2im_add)(const float *cols, long ld, long channels, long height, long width, long kernel, long stride,
                       long padding, float *image, float *scratch) {
#ifdef CV_COL2IM_ROWS
    if (CV_COL2IM_ROWS(cols, ld, channels, height, width, kernel, stride, padding, image)) return;
#endif
    const long oh = (height + 2 * padding - kernel) / stride + 1, ow = (width + 2 * padding - kernel) / stride + 1;
    const long hq = EW(cv_plane_rows)(height, stride, padding), wq = EW(cv_plane_rows)(width, stride, padding);
    const long plane = hq * wq;
    for (long i = 0; i < channels * stride * stride * plane; i++) scratch[i] = 0;
    for (long c = 0; c < channels; c++)
        for (long ky = 0; ky < kernel; ky++)
            for (long kx = 0; kx < kernel; kx++) {
                float *q = scratch + ((c * stride + ky % stride) * stride + kx % stride) * plane
                    + (ky / stride) * wq + kx / stride;
                const float *row = cols + ((c * kernel + ky) * kernel + kx) * ld;
                CV_ADD_RUNS(q, row, wq, ow, oh);
            }
    for (long c = 0; c < channels; c++)
        for (long y = 0; y < height; y++) {
            const long py = (y + padding) % stride, i = (y + padding) / stride;
            float *line = image + (c * height + y) * width;
            const float *q = scratch + (c * stride + py) * stride * plane + i * wq;
            // px, j = (x + padding) % stride, / stride, counted rather than divided per pixel.
            long px = padding % stride, j = padding / stride;
            for (long x = 0; x < width; x++) {
                line[x] += q[px * plane + j];
                if (++px == stride) { px = 0; j++; }
            }
        }
}

// + 16: a path may read, or read and write back, a vector past the last plane's end.
long EW(cv_scratch_floats)(long channels, long height, long width, long stride, long padding) {
    return channels * stride * stride * EW(cv_plane_rows)(height, stride, padding) * EW(cv_plane_rows)(width, stride, padding) + 16;
}
