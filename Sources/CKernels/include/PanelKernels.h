// Single-precision products for weights kept in "panel" layout, with micro-kernels for
// each path of KernelPaths.h (AVX-512, AVX2 + FMA, portable C).
//
// A weight W[out][in] (out a multiple of 16) is stored as out/16 panels; panel p holds units
// 16p ..< 16p+16 transposed, P[p][i][j] = W[16p + j][i]. In that layout the forward product and
// the weight gradient stream the weights as-is, 16 units per vector, so nothing is repacked per
// call (a BLAS call repacks its operands every time, which at 64 rows costs a fifth of the
// product). The input gradient transposes 32 inputs' worth of panels at a time into a scratch strip.
//
// Every function works on a range of panels or input columns so that the caller can share one
// product between threads; ranges of different calls must not overlap in what they write.
#ifndef GANTOP_PANEL_KERNELS_H
#define GANTOP_PANEL_KERNELS_H

#ifdef __cplusplus
extern "C" {
#endif

/// Row-major W[out][in] to panels (out % 16 == 0), and back.
void pk_pack(const float *w, long out, long in, float *panels);
void pk_unpack(const float *panels, long out, long in, float *w);

/// Y[r][16p + j] = Σ_i X[r][i] · W[16p + j][i] for rows 0 ..< rows and panels
/// first ..< first + count (Y = X·Wᵀ on those output columns); then, if `bias` is not null,
/// + bias[16p + j], and if `leaky`, LeakyReLU(slope) (y ≤ 0 → slope · y), as the tiles are stored.
void pk_forward(const float *x, long ldx, long rows, const float *panels, long in,
                long firstPanel, long panelCount, float *y, long ldy, const float *bias, float slope, int leaky);

/// dX[r][i] = Σ_o D[r][o] · W[o][i] for input columns i in first ..< first + count (first a
/// multiple of 16). `scratch` holds out × 32 floats, 64-byte aligned, one per thread.
void pk_input_gradient(const float *d, long ldd, long rows, const float *panels, long out, long in,
                       long firstColumn, long columnCount, float *dx, long lddx, float *scratch);

/// G[p][i][j] (=) Σ_r D[r][16p + j] · X[r][i] for panels first ..< first + count: the weight
/// gradient Dᵀ·X in panel layout. `g` points at panel `first`; accumulate: add instead of overwrite.
void pk_weight_gradient(const float *d, long ldd, const float *x, long ldx, long rows, long in,
                        long firstPanel, long panelCount, float *g, int accumulate);

#ifdef __cplusplus
}
#endif
#endif
