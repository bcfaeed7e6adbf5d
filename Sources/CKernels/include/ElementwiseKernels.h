#ifndef GANTOP_ELEMENTWISE_KERNELS_H
#define GANTOP_ELEMENTWISE_KERNELS_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

// Blocks of `rows` × `cols` floats, row r at base + r · ld.

/// y = tanh(y + bias[c]) (the 13/6 rational approximation of `ElementwiseKernels.rationalTanh`).
void ew_bias_tanh(float *y, long ldy, long rows, long cols, const float *bias);
/// y = leaky(y + bias[c]) with `slope` (0: ReLU).
void ew_bias_leaky_relu(float *y, long ldy, long rows, long cols, const float *bias, float slope);
/// g *= (y > 0 ? 1 : slope).
void ew_leaky_relu_backward(const float *y, long ldy, float *g, long ldg, long rows, long cols, float slope);
/// g *= 1 − y².
void ew_tanh_backward(const float *y, long ldy, float *g, long ldg, long rows, long cols);
/// out[c] (+)= Σ_r m[r][c].
void ew_sum_rows(const float *m, long ldm, long rows, long cols, float *out, int accumulate);
/// dst[i] = src[i] · (2 / 255) − 1: bytes to [-1, 1].
void ew_unit_range_from_bytes(const uint8_t *src, float *dst, long count);
/// Asks for `count` bytes from `start` to be brought towards the caches (a hint; no effect on results).
void prefetch_bytes(const void *start, long count);

#ifdef __cplusplus
}
#endif
#endif
