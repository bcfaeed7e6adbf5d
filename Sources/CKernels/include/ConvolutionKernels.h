#ifndef GANTOP_CONVOLUTION_KERNELS_H
#define GANTOP_CONVOLUTION_KERNELS_H

#ifdef __cplusplus
extern "C" {
#endif

// One image [channels][height][width] and its column matrix: row (c, ky, kx) (PyTorch's weight
// order) holds, for each output position (oy, ox) of a square-kernel convolution, the pixel
// (oy·stride − padding + ky, ox·stride − padding + kx) of channel c, or 0 in the padding. Row r
// starts at cols + r · ld (ld ≥ positions, so a batch's columns can sit side by side).

// `scratch` holds cv_scratch_floats(...) floats (the image's phase planes), one per concurrent call.

/// cols from image.
void cv_im2col(const float *image, long channels, long height, long width, long kernel, long stride,
               long padding, float *cols, long ld, float *scratch);
/// image += col2im(cols): each column entry added to the pixel it was read from.
void cv_col2im_add(const float *cols, long ld, long channels, long height, long width, long kernel, long stride,
                   long padding, float *image, float *scratch);
/// Floats of scratch either needs for one image.
long cv_scratch_floats(long channels, long height, long width, long stride, long padding);

#ifdef __cplusplus
}
#endif
#endif
