// The per-path implementations behind the public kernels (private to CKernels).
#ifndef GANTOP_KERNEL_TABLE_H
#define GANTOP_KERNEL_TABLE_H
#include <stdint.h>

/// C[rows][16·width] (=) Σ_k A(r, k) · B(k, ·), width 1 or 2 panels, with the forward epilogue
/// (see PanelKernels.c). Every path sums each output in the same order (k ascending, one fused
/// multiply-add per k on the AVX paths), so AVX2 and AVX-512 give bit-identical products.
typedef void (*gk_tiles_fn)(long rows, int width, const float *a, long sa, long sk, const float *b0,
                            const float *b1, long sb, long k, float *c0, float *c1, long sc, int accumulate,
                            const float *bias, float slope, int leaky);
/// 16 rows of 16 floats (stride ss) written transposed (stride ds).
typedef void (*gk_transpose16_fn)(const float *src, long ss, float *dst, long ds);

/// Rows of each path's register tile (AVX-512: 12 × 32, AVX2: 6 × 16, portable: 3 or 4 × 16).
#if defined(__aarch64__)
enum { GK_TILE_ROWS_PORTABLE = 4 };
#else
enum { GK_TILE_ROWS_PORTABLE = 3 };
#endif
enum { GK_TILE_ROWS_AVX2 = 6, GK_TILE_ROWS_AVX512 = 12 };

typedef struct {
    gk_tiles_fn tiles;
    gk_transpose16_fn transpose16;
    /// Rows of the path's register tile (the most `tiles` does per pass over B).
    int tile_rows;
    void (*adam)(float *p, const float *g, float *m, float *v, long count, float beta1, float beta2,
                 float stepSize, float epsilon);
    void (*bias_tanh)(float *y, long ldy, long rows, long cols, const float *bias);
    void (*bias_leaky_relu)(float *y, long ldy, long rows, long cols, const float *bias, float slope);
    void (*leaky_relu_backward)(const float *y, long ldy, float *g, long ldg, long rows, long cols, float slope);
    void (*tanh_backward)(const float *y, long ldy, float *g, long ldg, long rows, long cols);
    void (*sum_rows)(const float *m, long ldm, long rows, long cols, float *out, int accumulate);
    void (*unit_range_from_bytes)(const uint8_t *src, float *dst, long count);
    void (*im2col)(const float *image, long channels, long height, long width, long kernel, long stride,
                   long padding, float *cols, long ld, float *scratch);
    void (*col2im_add)(const float *cols, long ld, long channels, long height, long width, long kernel,
                       long stride, long padding, float *image, float *scratch);
} gk_table;

/// The table in use (never null).
extern const gk_table *gk_active;

// Each path's pieces (the AVX ones exist only on x86-64).
#define GK_DECLARE_PATH(S)                                                                              \
    void gk_tiles_##S(long, int, const float *, long, long, const float *, const float *, long, long,   \
                      float *, float *, long, int, const float *, float, int);                          \
    void gk_transpose16_##S(const float *, long, float *, long);                                        \
    void gk_adam_##S(float *, const float *, float *, float *, long, float, float, float, float);      \
    void ew_bias_tanh_##S(float *, long, long, long, const float *);                                    \
    void ew_bias_leaky_relu_##S(float *, long, long, long, const float *, float);                       \
    void ew_leaky_relu_backward_##S(const float *, long, float *, long, long, long, float);             \
    void ew_tanh_backward_##S(const float *, long, float *, long, long, long);                          \
    void ew_sum_rows_##S(const float *, long, long, long, float *, int);                                \
    void ew_unit_range_from_bytes_##S(const uint8_t *, float *, long);                                \
    void cv_im2col_##S(const float *, long, long, long, long, long, long, float *, long, float *);      \
    void cv_col2im_add_##S(const float *, long, long, long, long, long, long, long, float *, float *);  \
    long cv_scratch_floats_##S(long, long, long, long, long);
GK_DECLARE_PATH(portable)
#if defined(__x86_64__) && !defined(GANTOP_PORTABLE_KERNELS)
#define GK_HAS_X86_PATHS 1
GK_DECLARE_PATH(avx2)
GK_DECLARE_PATH(avx512)
#endif

#endif
