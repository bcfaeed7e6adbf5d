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
// im2col/col2im's runs (ConvolutionBody.h): 8 floats at a time. Tails are loaded through a lane
// mask (maskload reads no masked-off lane) but stored 4, 2, 1 floats at a time: AMD's Zen cores run
// a masked store (vmaskmovps) as microcode, several times slower than the plain stores.
static inline __m256i cv_mask(long n) {
    return _mm256_cmpgt_epi32(_mm256_set1_epi32((int)n), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}
// lanes i with 0 ≤ start + i < limit
static inline __m256i cv_lanes_inside(long start, long limit) {
    const __m256i at = _mm256_add_epi32(_mm256_set1_epi32((int)start), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
    return _mm256_andnot_si256(_mm256_cmpgt_epi32(_mm256_setzero_si256(), at), _mm256_cmpgt_epi32(_mm256_set1_epi32((int)limit), at));
}
static inline void cv_store_exact(float *out, __m256 v, long n) {  // the first min(n, 8) floats of v
    if (n >= 8) { _mm256_storeu_ps(out, v); return; }
    __m128 part = _mm256_castps256_ps128(v);
    if (n >= 4) { _mm_storeu_ps(out, part); part = _mm256_extractf128_ps(v, 1); out += 4; n -= 4; }
    if (n >= 2) { _mm_storel_pi((__m64 *)out, part); part = _mm_movehl_ps(part, part); out += 2; n -= 2; }
    if (n) _mm_store_ss(out, part);
}
static inline void cv_copy_run(float *out, const float *src, long n) {
    for (; n >= 8; n -= 8, out += 8, src += 8) _mm256_storeu_ps(out, _mm256_loadu_ps(src));
    if (n > 0) cv_store_exact(out, _mm256_maskload_ps(src, cv_mask(n)), n);
}
static inline void cv_add_run(float *dst, const float *src, long n) {
    for (; n >= 8; n -= 8, dst += 8, src += 8) _mm256_storeu_ps(dst, _mm256_add_ps(_mm256_loadu_ps(dst), _mm256_loadu_ps(src)));
    if (n > 0) {
        const __m256i m = cv_mask(n);
        cv_store_exact(dst, _mm256_add_ps(_mm256_maskload_ps(dst, m), _mm256_maskload_ps(src, m)), n);
    }
}
// A column row's runs (CV_COPY_RUNS): they lie end to end in the columns, so each is copied as whole
// vectors, spilling up to 7 floats into the runs after it, which are written later; only the runs
// whose spill would pass the row's end are copied exactly. (The planes' rows are read as whole
// vectors too: the scratch has 16 floats of slack.)
static inline void cv_copy_runs(float *out, const float *src, long wq, long ow, long oh) {
    const long whole = (ow + 7) & ~7L;
    long oy = 0;
    for (; oy < oh && oy * ow + whole <= oh * ow; oy++)
        for (long k = 0; k < ow; k += 8) _mm256_storeu_ps(out + oy * ow + k, _mm256_loadu_ps(src + oy * wq + k));
    for (; oy < oh; oy++) cv_copy_run(out + oy * ow, src + oy * wq, ow);
}
// col2im's runs into the planes (CV_ADD_RUNS): the planes are this call's scratch, so each run is
// added as whole vectors whose lanes past the run are stored back unchanged (a blend), not masked.
static inline void cv_add_runs(float *dst, const float *src, long wq, long ow, long oh) {
    for (long oy = 0; oy < oh; oy++)
        for (long k = 0; k < ow; k += 8) {
            const __m256i m = cv_mask(ow - k);
            float *d = dst + oy * wq + k;
            const __m256 old = _mm256_loadu_ps(d);
            const __m256 sum = _mm256_add_ps(old, _mm256_maskload_ps(src + oy * ow + k, m));
            _mm256_storeu_ps(d, _mm256_blendv_ps(old, sum, _mm256_castsi256_ps(m)));
        }
}
// Stride 2 (every DCGAN layer), rows of up to 64 padded floats: a padded row's two phase lines are
// its even and odd floats, split 16 at a time by one shuffle and one permute straight from the image
// row (the padding and the row's end masked off), instead of a scalar loop with an edge test per
// pixel; col2im interleaves them back (unpack, permute), shifts them by the padding and adds each
// pixel's one sum as the scalar loop does, so the results are bit-identical to it. Nothing goes
// through a buffer on the stack: a vector load straddling two smaller stores stalls.
static inline int cv_row_fits(long width, long stride, long padding, long wq) {
    return stride == 2 && padding < 8 && width + 2 * padding <= 64 && wq <= 32;
}
static inline __m256 cv_row_load(const float *line, long start, long width) {  // line[start + i], 0 outside the row
    if (start >= 0 && start + 8 <= width) return _mm256_loadu_ps(line + start);
    return _mm256_maskload_ps(line + start, cv_lanes_inside(start, width));  // masked-off lanes are not read
}
static inline __m256 cv_evens(__m256 a, __m256 b) {  // a0 a2 a4 a6 b0 b2 b4 b6
    const __m256 s = _mm256_shuffle_ps(a, b, _MM_SHUFFLE(2, 0, 2, 0));
    return _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(s), _MM_SHUFFLE(3, 1, 2, 0)));
}
static int cv_phase_row(const float *line, long width, long stride, long padding, float *q, long plane, long wq) {
    if (!cv_row_fits(width, stride, padding, wq)) return 0;
    // phase px holds padded float 2j + px, image float 2j + px − padding, at j
    for (long px = 0; px < 2; px++)
        for (long j = 0; j < wq; j += 8) {
            const long x = 2 * j + px - padding;
            const __m256 v = line ? cv_evens(cv_row_load(line, x, width), cv_row_load(line, x + 8, width))
                                  : _mm256_setzero_ps();
            cv_store_exact(q + px * plane + j, v, wq - j);
        }
    return 1;
}
// line += the padded row whose phase lines are even[b], odd[b] (8 floats each, b < blocks ≤ 4)
static inline void cv_add_phases(float *line, long width, long padding, const __m256 *even, const __m256 *odd, long blocks) {
    __m256 padded[9];  // interleaved: padded float 2j + px
    for (int k = 0; k < 9; k++) padded[k] = _mm256_setzero_ps();
    for (long b = 0; b < blocks; b++) {
        const __m256 lo = _mm256_unpacklo_ps(even[b], odd[b]), hi = _mm256_unpackhi_ps(even[b], odd[b]);
        padded[2 * b] = _mm256_permute2f128_ps(lo, hi, 0x20);
        padded[2 * b + 1] = _mm256_permute2f128_ps(lo, hi, 0x31);
    }
    // image float x is padded float x + padding: lanes rotated by the padding, the last `padding`
    // lanes from the next vector
    const __m256i lanes = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    const __m256i rotate = _mm256_and_si256(_mm256_add_epi32(lanes, _mm256_set1_epi32((int)padding)), _mm256_set1_epi32(7));
    const __m256 fromNext = _mm256_castsi256_ps(_mm256_cmpgt_epi32(lanes, _mm256_set1_epi32((int)(7 - padding))));
    for (long x = 0; x < width; x += 8) {
        const __m256 v = _mm256_blendv_ps(_mm256_permutevar8x32_ps(padded[x / 8], rotate),
                                          _mm256_permutevar8x32_ps(padded[x / 8 + 1], rotate), fromNext);
        cv_store_exact(line + x, _mm256_add_ps(_mm256_maskload_ps(line + x, cv_mask(width - x)), v), width - x);
    }
}
// col2im for stride 2 without the planes (CV_COL2IM_ROWS): each image row's two phase lines are
// summed in registers over its taps (ky, kx) in the generic body's order, from 0 (lanes a tap does
// not reach add +0, which leaves a sum that started at +0 unchanged to the bit), then added once.
static int cv_col2im_rows(const float *cols, long ld, long channels, long height, long width, long kernel, long stride,
                          long padding, float *image) {
    const long oh = (height + 2 * padding - kernel) / stride + 1, ow = (width + 2 * padding - kernel) / stride + 1;
    const long wq = (width + 2 * padding + 1) / 2, blocks = (wq + 7) / 8;
    if (!cv_row_fits(width, stride, padding, wq)) return 0;
    for (long c = 0; c < channels; c++)
        for (long y = 0; y < height; y++) {
            const long yp = y + padding;
            const float *taps = cols + c * kernel * kernel * ld;
            __m256 even[4], odd[4];
            for (long b = 0; b < blocks; b++) {
                // one block of both phase lines in two registers: taps kx, kx + 1 (phases 0, 1)
                // share the run shift kx / 2, and each phase still takes its taps in (ky, kx) order
                __m256 sum0 = _mm256_setzero_ps(), sum1 = _mm256_setzero_ps();
                for (long ky = yp % 2; ky < kernel && ky <= yp; ky += 2) {
                    const long oy = (yp - ky) / 2;
                    if (oy >= oh) continue;
                    const float *run = taps + ky * kernel * ld + oy * ow;
                    for (long kx = 0; kx < kernel; kx += 2) {
                        // phase float j ← the run's float j − kx / 2, where that is in the run
                        const long at0 = 8 * b - kx / 2;
                        const __m256i inside = cv_lanes_inside(at0, ow);
                        sum0 = _mm256_add_ps(sum0, _mm256_maskload_ps(run + kx * ld + at0, inside));
                        if (kx + 1 < kernel)
                            sum1 = _mm256_add_ps(sum1, _mm256_maskload_ps(run + (kx + 1) * ld + at0, inside));
                    }
                }
                even[b] = sum0;
                odd[b] = sum1;
            }
            cv_add_phases(image + (c * height + y) * width, width, padding, even, odd, blocks);
        }
    return 1;
}
#define CV_PHASE_ROW cv_phase_row
#define CV_COL2IM_ROWS cv_col2im_rows
#define CV_COPY_RUN cv_copy_run
#define CV_ADD_RUN cv_add_run
#define CV_COPY_RUNS cv_copy_runs
#define CV_ADD_RUNS cv_add_runs
#include "ConvolutionBody.h"

#pragma clang attribute pop
#endif
