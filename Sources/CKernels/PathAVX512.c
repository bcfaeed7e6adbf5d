// The AVX-512 path: every function in this file is compiled for AVX-512F (32 registers of 16
// floats), picked at run time (KernelPaths.c) only on CPUs that have it.
#include "KernelTable.h"

#if GK_HAS_X86_PATHS
#include <immintrin.h>
#include <math.h>

#pragma clang attribute push(__attribute__((target("avx512f"))), apply_to = function)

// The one micro-kernel: C[MR rows][16·NR] (=) Σ_k A(r, k) · B(k, 0 ..< 16·NR), with
//   A(r, k) = a[r·sa + k·sk]      (broadcast: one float per row and k)
//   B(k, ·) = b0[k·sb ..< +16], b1[k·sb ..< +16]   (NR = 2 uses both)
//   C row r = c0[r·sc ..< +16], c1[r·sc ..< +16],
// and on the way out, optionally: + bias (bias0/bias1, one vector per column block), then
// LeakyReLU with `slope` (the forward pass's epilogue, so that it needs no pass of its own).
// MR·NR ≤ 24 accumulators stay in registers for the whole k loop; a k step is MR broadcasts,
// NR loads and MR·NR fused multiply-adds.
#define MICRO_KERNEL(MR, NR)                                                                          \
    static void kernel_##MR##_##NR(const float *a, long sa, long sk, const float *b0,          \
                                          const float *b1, long sb, long k, float *c0, float *c1,     \
                                          long sc, int accumulate, const float *bias0,               \
                                          const float *bias1, float slope, int leaky) {              \
        __m512 acc0[MR], acc1[MR];                                                                    \
        for (int r = 0; r < MR; r++) { acc0[r] = _mm512_setzero_ps(); acc1[r] = _mm512_setzero_ps(); } \
        for (long kk = 0; kk < k; kk++) {                                                             \
            const __m512 v0 = _mm512_loadu_ps(b0 + kk * sb);                                          \
            const __m512 v1 = NR == 2 ? _mm512_loadu_ps(b1 + kk * sb) : v0;                           \
            const float *ak = a + kk * sk;                                                            \
            for (int r = 0; r < MR; r++) {                                                            \
                const __m512 s = _mm512_set1_ps(ak[r * sa]);                                          \
                acc0[r] = _mm512_fmadd_ps(s, v0, acc0[r]);                                            \
                if (NR == 2) acc1[r] = _mm512_fmadd_ps(s, v1, acc1[r]);                               \
            }                                                                                         \
        }                                                                                             \
        const __m512 s = _mm512_set1_ps(slope);                                                       \
        const __m512 zero = _mm512_setzero_ps();                                                      \
        const __m512 bb0 = bias0 ? _mm512_loadu_ps(bias0) : zero;                                     \
        const __m512 bb1 = NR == 2 && bias1 ? _mm512_loadu_ps(bias1) : zero;                          \
        for (int r = 0; r < MR; r++) {                                                                \
            acc0[r] = _mm512_add_ps(acc0[r], bb0);                                                    \
            if (NR == 2) acc1[r] = _mm512_add_ps(acc1[r], bb1);                                       \
            if (leaky) {                                                                              \
                acc0[r] = _mm512_mask_mul_ps(acc0[r], _mm512_cmp_ps_mask(acc0[r], zero, _CMP_LE_OQ), acc0[r], s); \
                if (NR == 2)                                                                          \
                    acc1[r] = _mm512_mask_mul_ps(acc1[r], _mm512_cmp_ps_mask(acc1[r], zero, _CMP_LE_OQ), acc1[r], s); \
            }                                                                                         \
        }                                                                                             \
        for (int r = 0; r < MR; r++) {                                                                \
            float *o0 = c0 + r * sc;                                                                  \
            if (accumulate) acc0[r] = _mm512_add_ps(acc0[r], _mm512_loadu_ps(o0));                    \
            _mm512_storeu_ps(o0, acc0[r]);                                                            \
            if (NR == 2) {                                                                            \
                float *o1 = c1 + r * sc;                                                              \
                if (accumulate) acc1[r] = _mm512_add_ps(acc1[r], _mm512_loadu_ps(o1));                \
                _mm512_storeu_ps(o1, acc1[r]);                                                        \
            }                                                                                         \
        }                                                                                             \
    }

#define BOTH_WIDTHS(MR) MICRO_KERNEL(MR, 1) MICRO_KERNEL(MR, 2)
BOTH_WIDTHS(1) BOTH_WIDTHS(2) BOTH_WIDTHS(3) BOTH_WIDTHS(4) BOTH_WIDTHS(5) BOTH_WIDTHS(6)
BOTH_WIDTHS(7) BOTH_WIDTHS(8) BOTH_WIDTHS(9) BOTH_WIDTHS(10) BOTH_WIDTHS(11) BOTH_WIDTHS(12)

typedef void (*micro_kernel)(const float *, long, long, const float *, const float *, long, long,
                             float *, float *, long, int, const float *, const float *, float, int);
#define PAIR(MR) {kernel_##MR##_1, kernel_##MR##_2}
static const micro_kernel kernels[13][2] = {
    {0, 0}, PAIR(1), PAIR(2), PAIR(3), PAIR(4), PAIR(5), PAIR(6),
    PAIR(7), PAIR(8), PAIR(9), PAIR(10), PAIR(11), PAIR(12),
};
enum { MAX_ROWS = GK_TILE_ROWS_AVX512 };

// C[rows][16·width] over rows in tiles of at most 12 (the largest tile whose 24 accumulators fit
// the 32 vector registers with room for the operands).
void gk_tiles_avx512(long rows, int width, const float *a, long sa, long sk, const float *b0, const float *b1,
                     long sb, long k, float *c0, float *c1, long sc, int accumulate, const float *bias, float slope,
                     int leaky) {
    for (long r = 0; r < rows; r += MAX_ROWS) {
        long mr = rows - r < MAX_ROWS ? rows - r : MAX_ROWS;
        kernels[mr][width - 1](a + r * sa, sa, sk, b0, b1, sb, k, c0 + r * sc, c1 + r * sc, sc, accumulate,
                               bias, bias ? bias + 16 : 0, slope, leaky);
    }
}

// 16 rows of 16 floats (stride `ss`) written transposed (stride `ds`).
void gk_transpose16_avx512(const float *src, long ss, float *dst, long ds) {
    __m512 r[16], t[16];
    for (int i = 0; i < 16; i++) r[i] = _mm512_loadu_ps(src + i * ss);
    for (int i = 0; i < 16; i += 2) {
        t[i] = _mm512_unpacklo_ps(r[i], r[i + 1]);
        t[i + 1] = _mm512_unpackhi_ps(r[i], r[i + 1]);
    }
    for (int i = 0; i < 16; i += 4) {
        __m512d t0 = _mm512_castps_pd(t[i]), t1 = _mm512_castps_pd(t[i + 1]);
        __m512d t2 = _mm512_castps_pd(t[i + 2]), t3 = _mm512_castps_pd(t[i + 3]);
        r[i] = _mm512_castpd_ps(_mm512_unpacklo_pd(t0, t2));
        r[i + 1] = _mm512_castpd_ps(_mm512_unpackhi_pd(t0, t2));
        r[i + 2] = _mm512_castpd_ps(_mm512_unpacklo_pd(t1, t3));
        r[i + 3] = _mm512_castpd_ps(_mm512_unpackhi_pd(t1, t3));
    }
    for (int i = 0; i < 4; i++) {
        t[i] = _mm512_shuffle_f32x4(r[i], r[i + 4], 0x88);
        t[i + 4] = _mm512_shuffle_f32x4(r[i], r[i + 4], 0xdd);
        t[i + 8] = _mm512_shuffle_f32x4(r[i + 8], r[i + 12], 0x88);
        t[i + 12] = _mm512_shuffle_f32x4(r[i + 8], r[i + 12], 0xdd);
    }
    for (int i = 0; i < 4; i++) {
        r[i] = _mm512_shuffle_f32x4(t[i], t[i + 8], 0x88);
        r[i + 8] = _mm512_shuffle_f32x4(t[i], t[i + 8], 0xdd);
        r[i + 4] = _mm512_shuffle_f32x4(t[i + 4], t[i + 12], 0x88);
        r[i + 12] = _mm512_shuffle_f32x4(t[i + 4], t[i + 12], 0xdd);
    }
    for (int i = 0; i < 16; i++) _mm512_storeu_ps(dst + i * ds, r[i]);
}

// Adam (see AdamKernel.h): 16 lanes with fused multiply-adds for the moments. The tail rounds
// exactly like the lanes (explicit fmaf, nothing else fused), so the AVX2 path, with 8 lanes and
// its own tail, gives bit-identical updates.
#pragma clang fp contract(off)
#include "AdamTail.h"
void gk_adam_avx512(float *p, const float *g, float *m, float *v, long count,
                    float beta1, float beta2, float stepSize, float epsilon) {
    const __m512 b1 = _mm512_set1_ps(beta1), b2 = _mm512_set1_ps(beta2);
    const __m512 ob1 = _mm512_set1_ps(1 - beta1), ob2 = _mm512_set1_ps(1 - beta2);
    const __m512 a = _mm512_set1_ps(stepSize), eps = _mm512_set1_ps(epsilon);
    long i = 0;
    for (; i + 16 <= count; i += 16) {
        const __m512 gi = _mm512_loadu_ps(g + i);
        const __m512 mi = _mm512_fmadd_ps(b1, _mm512_loadu_ps(m + i), _mm512_mul_ps(ob1, gi));
        const __m512 vi = _mm512_fmadd_ps(b2, _mm512_loadu_ps(v + i), _mm512_mul_ps(_mm512_mul_ps(ob2, gi), gi));
        const __m512 step = _mm512_div_ps(_mm512_mul_ps(a, mi), _mm512_add_ps(_mm512_sqrt_ps(vi), eps));
        _mm512_storeu_ps(m + i, mi);
        _mm512_storeu_ps(v + i, vi);
        _mm512_storeu_ps(p + i, _mm512_sub_ps(_mm512_loadu_ps(p + i), step));
    }
    adam_tail(p, g, m, v, i, count, beta1, beta2, stepSize, epsilon);
}
#pragma clang fp contract(on)

#define EW_SUFFIX avx512
#include "ElementwiseBody.h"
// im2col/col2im's runs (ConvolutionBody.h): 16 floats at a time, the tail through a lane mask
// (masked-off lanes are neither read nor written, so the run's end needs no slack).
static inline __mmask16 cv_mask(long n) { return (__mmask16)((1u << n) - 1); }
static inline void cv_copy_run(float *out, const float *src, long n) {
    for (; n >= 16; n -= 16, out += 16, src += 16) _mm512_storeu_ps(out, _mm512_loadu_ps(src));
    if (n > 0) _mm512_mask_storeu_ps(out, cv_mask(n), _mm512_maskz_loadu_ps(cv_mask(n), src));
}
static inline void cv_add_run(float *dst, const float *src, long n) {
    for (; n >= 16; n -= 16, dst += 16, src += 16) _mm512_storeu_ps(dst, _mm512_add_ps(_mm512_loadu_ps(dst), _mm512_loadu_ps(src)));
    if (n > 0) {
        const __mmask16 m = cv_mask(n);
        _mm512_mask_storeu_ps(dst, m, _mm512_add_ps(_mm512_maskz_loadu_ps(m, dst), _mm512_maskz_loadu_ps(m, src)));
    }
}
// im2col/col2im for images whose rows fit in two vectors (width ≤ 32) and whose output rows fit in
// one (ow ≤ 16): every DCGAN layer. A row's column runs are lane permutations of the image row
// (run kx of output row oy is x = stride·o + kx − padding), so each image row is loaded once and
// permuted into its runs: no phase planes and no per-pixel index arithmetic. col2im permutes each
// run back onto the row's pixels and adds the (ky, kx) taps in the generic body's order, one row
// sum at a time, so the results are bit-identical to it (ConvolutionBody.h).
static inline int cv_fits(long width, long ow, long kernel) { return width <= 32 && ow <= 16 && kernel <= 16; }

static int cv_im2col_rows(const float *image, long channels, long height, long width, long kernel, long stride,
                          long padding, float *cols, long ld) {
    const long oh = (height + 2 * padding - kernel) / stride + 1, ow = (width + 2 * padding - kernel) / stride + 1;
    if (!cv_fits(width, ow, kernel)) return 0;
    __m512i index[16];
    __mmask16 valid[16];
    for (long kx = 0; kx < kernel; kx++) {
        int lanes[16];
        unsigned mask = 0;
        for (long o = 0; o < 16; o++) {
            const long x = o * stride + kx - padding;
            lanes[o] = x >= 0 && x < width ? (int)x : 0;
            if (o < ow && x >= 0 && x < width) mask |= 1u << o;
        }
        index[kx] = _mm512_loadu_si512(lanes);
        valid[kx] = (__mmask16)mask;
    }
    const __mmask16 runMask = cv_mask(ow);
    const __mmask16 lo = cv_mask(width < 16 ? width : 16), hi = cv_mask(width > 16 ? width - 16 : 0);
    for (long c = 0; c < channels; c++) {
        float *base = cols + c * kernel * kernel * ld;
        // padded row yp = y + padding feeds column row (ky, oy) where yp = oy·stride + ky
        for (long yp = 0; yp < height + 2 * padding; yp++) {
            const long y = yp - padding;
            const int inside = y >= 0 && y < height;
            const float *line = image + (c * height + (inside ? y : 0)) * width;
            const __m512 a = inside ? _mm512_maskz_loadu_ps(lo, line) : _mm512_setzero_ps();
            const __m512 b = inside ? _mm512_maskz_loadu_ps(hi, line + 16) : _mm512_setzero_ps();
            for (long ky = yp % stride; ky < kernel; ky += stride) {
                const long oy = (yp - ky) / stride;
                if (oy < 0) break;
                if (oy >= oh) continue;
                float *row = base + ky * kernel * ld + oy * ow;
                for (long kx = 0; kx < kernel; kx++)
                    _mm512_mask_storeu_ps(row + kx * ld, runMask,
                                          _mm512_maskz_permutex2var_ps(valid[kx], a, index[kx], b));
            }
        }
    }
    return 1;
}

static int cv_col2im_rows(const float *cols, long ld, long channels, long height, long width, long kernel, long stride,
                          long padding, float *image) {
    const long oh = (height + 2 * padding - kernel) / stride + 1, ow = (width + 2 * padding - kernel) / stride + 1;
    if (!cv_fits(width, ow, kernel)) return 0;
    // pixel x of a row takes lane o = (x + padding − kx) / stride of run kx, when that divides and o < ow
    __m512i index[16];
    __mmask16 validLo[16], validHi[16];
    for (long kx = 0; kx < kernel; kx++) {
        int lanes[32];
        unsigned long long mask = 0;
        for (long x = 0; x < 32; x++) {
            const long t = x + padding - kx, o = t / stride;
            const int ok = x < width && t >= 0 && t % stride == 0 && o < ow;
            lanes[x] = ok ? (int)o : 0;
            if (ok) mask |= 1ull << x;
        }
        // one index vector serves both halves: permutexvar reads only an index's low 4 bits, so
        // lanes[x] sits in bits 0–3 and lanes[x + 16] in bits 8–11
        int packed[16];
        for (long x = 0; x < 16; x++) packed[x] = lanes[x] | (lanes[x + 16] << 8);
        index[kx] = _mm512_loadu_si512(packed);
        validLo[kx] = (__mmask16)(mask & 0xFFFF);
        validHi[kx] = (__mmask16)(mask >> 16);
    }
    const __mmask16 runMask = cv_mask(ow);
    const __mmask16 lo = cv_mask(width < 16 ? width : 16), hi = cv_mask(width > 16 ? width - 16 : 0);
    for (long c = 0; c < channels; c++) {
        const float *base = cols + c * kernel * kernel * ld;
        for (long y = 0; y < height; y++) {
            const long yp = y + padding;
            __m512 sumLo = _mm512_setzero_ps(), sumHi = _mm512_setzero_ps();
            for (long ky = 0; ky < kernel; ky++) {
                if ((yp - ky) % stride != 0 || yp < ky) continue;
                const long oy = (yp - ky) / stride;
                if (oy >= oh) continue;
                const float *row = base + ky * kernel * ld + oy * ow;
                for (long kx = 0; kx < kernel; kx++) {
                    const __m512 run = _mm512_maskz_loadu_ps(runMask, row + kx * ld);
                    const __m512i ix = index[kx];
                    sumLo = _mm512_mask_add_ps(sumLo, validLo[kx], sumLo,
                                               _mm512_permutexvar_ps(ix, run));
                    if (hi)
                        sumHi = _mm512_mask_add_ps(sumHi, validHi[kx], sumHi,
                                                   _mm512_permutexvar_ps(_mm512_srli_epi32(ix, 8), run));
                }
            }
            float *line = image + (c * height + y) * width;
            _mm512_mask_storeu_ps(line, lo, _mm512_add_ps(_mm512_maskz_loadu_ps(lo, line), sumLo));
            if (hi) _mm512_mask_storeu_ps(line + 16, hi, _mm512_add_ps(_mm512_maskz_loadu_ps(hi, line + 16), sumHi));
        }
    }
    return 1;
}
#define CV_IM2COL_ROWS cv_im2col_rows
#define CV_COL2IM_ROWS cv_col2im_rows
#define CV_COPY_RUN cv_copy_run
#define CV_ADD_RUN cv_add_run
#include "ConvolutionBody.h"

#pragma clang attribute pop
#endif
