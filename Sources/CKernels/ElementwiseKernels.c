#include "ElementwiseKernels.h"
#include "KernelTable.h"

// The portable path's passes (the build's baseline); the AVX ones are in PathAVX2.c / PathAVX512.c.
#define EW_SUFFIX portable
#include "ElementwiseBody.h"
#include "ConvolutionBody.h"

// The public passes route through the path in use (KernelPaths.h).
void ew_bias_tanh(float *y, long ldy, long rows, long cols, const float *bias) {
    gk_active->bias_tanh(y, ldy, rows, cols, bias);
}
void ew_bias_leaky_relu(float *y, long ldy, long rows, long cols, const float *bias, float slope) {
    gk_active->bias_leaky_relu(y, ldy, rows, cols, bias, slope);
}
void ew_leaky_relu_backward(const float *y, long ldy, float *g, long ldg, long rows, long cols, float slope) {
    gk_active->leaky_relu_backward(y, ldy, g, ldg, rows, cols, slope);
}
void ew_tanh_backward(const float *y, long ldy, float *g, long ldg, long rows, long cols) {
    gk_active->tanh_backward(y, ldy, g, ldg, rows, cols);
}
void ew_sum_rows(const float *m, long ldm, long rows, long cols, float *out, int accumulate) {
    gk_active->sum_rows(m, ldm, rows, cols, out, accumulate);
}
void ew_unit_range_from_bytes(const uint8_t *src, float *dst, long count) {
    gk_active->unit_range_from_bytes(src, dst, count);
}

void prefetch_bytes(const void *start, long count) {
    const char *p = (const char *)start;
    for (long i = 0; i < count; i += 64) __builtin_prefetch(p + i, 0, 1);
}
