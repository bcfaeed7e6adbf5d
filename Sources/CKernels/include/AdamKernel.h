// Adam's update over flat arrays, on the path of KernelPaths.h: AVX-512 (16 lanes) or AVX2 (8),
// both with fused multiply-adds and bit-identical, or portable C (no FMA, as `Adam.portableKernel`).
// Swift's own SIMD code compiles for baseline x86-64 (SSE, 4 lanes, no FMA), where the square
// root and the division, not memory, bound it.
#ifndef GANTOP_ADAM_KERNEL_H
#define GANTOP_ADAM_KERNEL_H

#ifdef __cplusplus
extern "C" {
#endif

/// m = β1·m + (1−β1)·g;  v = β2·v + (1−β2)·g²;  p −= a · m / (√v + ε), for count elements.
void adam_update(float *p, const float *g, float *m, float *v, long count,
                 float beta1, float beta2, float stepSize, float epsilon);

#ifdef __cplusplus
}
#endif
#endif
