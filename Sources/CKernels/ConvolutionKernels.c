#include "ConvolutionKernels.h"
#include "KernelTable.h"

// The public rearrangements route through the path in use (KernelPaths.h); bodies in ConvolutionBody.h.
void cv_im2col(const float *image, long channels, long height, long width, long kernel, long stride,
               long padding, float *cols, long ld, float *scratch) {
    gk_active->im2col(image, channels, height, width, kernel, stride, padding, cols, ld, scratch);
}

void cv_col2im_add(const float *cols, long ld, long channels, long height, long width, long kernel, long stride,
                   long padding, float *image, float *scratch) {
    gk_active->col2im_add(cols, ld, channels, height, width, kernel, stride, padding, image, scratch);
}

// The same on every path.
long cv_scratch_floats(long channels, long height, long width, long stride, long padding) {
    return cv_scratch_floats_portable(channels, height, width, stride, padding);
}
