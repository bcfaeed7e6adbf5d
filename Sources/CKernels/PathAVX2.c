// The AVX2 + FMA path: every function in this file is compiled for AVX2 and FMA (16 registers
// of 8 floats), picked at run time (KernelPaths.c) on CPUs that have them (AMD Zen, Intel since
// Haswell). A panel (16 units) is two registers wide here.
#include "KernelTable.h"

#if GK_HAS_X86_PATHS
#include <immintrin.h>
#include <math.h>

#pragma clang attribute push(__attribute__((target("avx2,fma"))), apply_to = function)

// The micro-kernel: C[MR rows][16] (=) Σ_k A(r, k) · B(k, 0 ..< 16), with
//   A(r, k) = a[r·sa + k·sk] (broadcast), B(k, ·) = b[k·sb ..< +16], C row r = c[r·sc ..< +16],
// then + bias (or + 0), LeakyReLU if asked, + the old C if accumulating — the AVX-512 kernel's
// operations in its order, so both paths round alike. 6 rows: 12 accumulators, 2 for B's row and
// 1 broadcast fill the 16 registers (the 6 × 16 register tile; 4 × 24 does not fit the panels).
#define MICRO_KERNEL(MR)                                                                                  \
    static void kernel_##MR(const float *a, long sa, long sk, const float *b, long sb, long k, float *c,    \
                            long sc, int accumulate, const float *bias, float slope, int leaky) {          \
        __m256 lo[MR], hi[MR];                                                                            \
        for (int r = 0; r < MR; r++) { lo[r] = _mm256_setzero_ps(); hi[r] = _mm256_setzero_ps(); }        \
        for (long kk = 0; kk < k; kk++) {                                                                 \
            const __m256 v0 = _mm256_loadu_ps(b + kk * sb), v1 = _mm256_loadu_ps(b + kk * sb + 8);          \
            const float *ak = a + kk * sk;                                                                \
            for (int r = 0; r < MR; r++) {                                                                \
                const __m256 s = _mm256_broadcast_ss(ak + r * sa);                                        \
                lo[r] = _mm256_fmadd_ps(s, v0, lo[r]);                                                    \
                hi[r] = _mm256_fmadd_ps(s, v1, hi[r]);                                                    \
            }                                                                                             \
        }                                                                                                 \
        const __m256 s = _mm256_set1_ps(slope), zero = _mm256_setzero_ps();                               \
        const __m256 bl = bias ? _mm256_loadu_ps(bias) : zero, bh = bias ? _mm256_loadu_ps(bias + 8) : zero; \
        for (int r = 0; r < MR; r++) {                                                                    \
            __m256 x = _mm256_add_ps(lo[r], bl), y = _mm256_add_ps(hi[r], bh);                            \
            if (leaky) {                                                                                  \
                x = _mm256_blendv_ps(x, _mm256_mul_ps(x, s), _mm256_cmp_ps(x, zero, _CMP_LE_OQ));          \
                y = _mm256_blendv_ps(y, _mm256_mul_ps(y, s), _mm256_cmp_ps(y, zero, _CMP_LE_OQ));          \
            }                                                                                             \
            float *o = c + r * sc;                                                                        \
            if (accumulate) {                                                                             \
                x = _mm256_add_ps(x, _mm256_loadu_ps(o));                                                 \
                y = _mm256_add_ps(y, _mm256_loadu_ps(o + 8));                                             \
            }                                                                                             \
            _mm256_storeu_ps(o, x);                                                                       \
            _mm256_storeu_ps(o + 8, y);                                                                   \
        }                                                                                                 \
    }
MICRO_KERNEL(1) MICRO_KERNEL(2) MICRO_KERNEL(3) MICRO_KERNEL(4) MICRO_KERNEL(5) MICRO_KERNEL(6)

typedef void (*micro_kernel)(const float *, long, long, const float *, long, long, float *, long, int,
                             const float *, float, int);
static const micro_kernel kernels[7] = {0, kernel_1, kernel_2, kernel_3, kernel_4, kernel_5, kernel_6};
enum { MAX_ROWS = GK_TILE_ROWS_AVX2 };

// A tile of two panels is two passes of one: the 6 × 16 tile streams the A rows twice, but a
// 6 × 32 one would need 24 accumulators.
void gk_tiles_avx2(long rows, int width, const float *a, long sa, long sk, const float *b0, const float *b1,
                   long sb, long k, float *c0, float *c1, long sc, int accumulate, const float *bias, float slope,
                   int leaky) {
    for (long r = 0; r < rows; r += MAX_ROWS) {
        const long mr = rows - r < MAX_ROWS ? rows - r : MAX_ROWS;
        for (int w = 0; w < width; w++)
            kernels[mr](a + r * sa, sa, sk, w ? b1 : b0, sb, k, (w ? c1 : c0) + r * sc, sc, accumulate,
                        bias ? bias + 16 * w : 0, slope, leaky);
    }
}

// 8 rows of 8 floats transposed in registers.
static void transpose8(const float *src, long ss, float *dst, long ds) {
    __m256 r[8], t[8];
    for (int i = 0; i < 8; i++) r[i] = _mm256_loadu_ps(src + i * ss);
    for (int i = 0; i < 8; i += 2) {
        t[i] = _mm256_unpacklo_ps(r[i], r[i + 1]);
        t[i + 1] = _mm256_unpackhi_ps(r[i], r[i + 1]);
    }
    for (int i = 0; i < 8; i += 4) {
        r[i] = _mm256_shuffle_ps(t[i], t[i + 2], _MM_SHUFFLE(1, 0, 1, 0));
        r[i + 1] = _mm256_shuffle_ps(t[i], t[i + 2], _MM_SHUFFLE(3, 2, 3, 2));
        r[i + 2] = _mm256_shuffle_ps(t[i + 1], t[i + 3], _MM_SHUFFLE(1, 0, 1, 0));
        r[i + 3] = _mm256_shuffle_ps(t[i + 1], t[i + 3], _MM_SHUFFLE(3, 2, 3, 2));
    }
    for (int i = 0; i < 4; i++) {
        t[i] = _mm256_permute2f128_ps(r[i], r[i + 4], 0x20);
        t[i + 4] = _mm256_permute2f128_ps(r[i], r[i + 4], 0x31);
    }
    for (int i = 0; i < 8; i++) _mm256_storeu_ps(dst + i * ds, t[i]);
}

void gk_transpose16_avx2(const float *src, long ss, float *dst, long ds) {
    transpose8(src, ss, dst, ds);
    transpose8(src + 8, ss, dst + 8 * ds, ds);
    transpose8(src + 8 * ss, ss, dst + 8, ds);
    transpose8(src + 8 * ss + 8, ss, dst + 8 * ds + 8, ds);
}

// Adam: PathAVX512.c's update at 8 lanes, the same operations in the same order (bit-identical).
#pragma clang fp contract(off)
#include "AdamTail.h"
void gk_adam_avx2(float *p, const float *g, float *m, float *v, long count,
                  float beta1, float beta2, float stepSize, float epsilon) {
    const __m256 b1 = _mm256_set1_ps(beta1), b2 = _mm256_set1_ps(beta2);
    const __m256 ob1 = _mm256_set1_ps(1 - beta1), ob2 = _mm256_set1_ps(1 - beta2);
    const __m256 a = _mm256_set1_ps(stepSize), eps = _mm256_set1_ps(epsilon);
    long i = 0;
    for (; i + 8 <= count; i += 8) {
        const __m256 gi = _mm256_loadu_ps(g + i);
        const __m256 mi = _mm256_fmadd_ps(b1, _mm256_loadu_ps(m + i), _mm256_mul_ps(ob1, gi));
        const __m256 vi = _mm256_fmadd_ps(b2, _mm256_loadu_ps(v + i), _mm256_mul_ps(_mm256_mul_ps(ob2, gi), gi));
        const __m256 step = _mm256_div_ps(_mm256_mul_ps(a, mi), _mm256_add_ps(_mm256_sqrt_ps(vi), eps));
        _mm256_storeu_ps(m + i, mi);
        _mm256_storeu_ps(v + i, vi);
        _mm256_storeu_ps(p + i, _mm256_sub_ps(_mm256_loadu_ps(p + i), step));
    }
    adam_tail(p, g, m, v, i, count, beta1, beta2, stepSize, epsilon);
}
#pragma clang fp contract(on)

#define EW_SUFFIX avx2
#include "ElementwiseBody.h"
// im2col/col2im's runs (ConvolutionBody.h): 8 floats at a time, the tail through a lane mask
// (maskload/maskstore neither read nor write masked-off lanes).
static inline __m256i cv_mask(long n) {
    return _mm256_cmpgt_epi32(_mm256_set1_epi32((int)n), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}
static inline void cv_copy_run(float *out, const float *src, long n) {
    for (; n >= 8; n -= 8, out += 8, src += 8) _mm256_storeu_ps(out, _mm256_loadu_ps(src));
    if (n > 0) _mm256_maskstore_ps(out, cv_mask(n), _mm256_maskload_ps(src, cv_mask(n)));
}
static inline void cv_add_run(float *dst, const float *src, long n) {
    for (; n >= 8; n -= 8, dst += 8, src += 8) _mm256_storeu_ps(dst, _mm256_add_ps(_mm256_loadu_ps(dst), _mm256_loadu_ps(src)));
    if (n > 0) {
        const __m256i m = cv_mask(n);
        _mm256_maskstore_ps(dst, m, _mm256_add_ps(_mm256_maskload_ps(dst, m), _mm256_maskload_ps(src, m)));
    }
}
#define CV_COPY_RUN cv_copy_run
#define CV_ADD_RUN cv_add_run
#include "ConvolutionBody.h"

#pragma clang attribute pop
#endif
