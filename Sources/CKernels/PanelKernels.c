#include "PanelKernels.h"

#if defined(__x86_64__) && !defined(GANTOP_PORTABLE_KERNELS)  // the define: to check the fallback compiles
#include <immintrin.h>
#include <string.h>

#define AVX512 __attribute__((target("avx512f")))

int pk_available(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f") ? 1 : 0;
}

// The one micro-kernel: C[MR rows][16·NR] (=) Σ_k A(r, k) · B(k, 0 ..< 16·NR), with
//   A(r, k) = a[r·sa + k·sk]      (broadcast: one float per row and k)
//   B(k, ·) = b0[k·sb ..< +16], b1[k·sb ..< +16]   (NR = 2 uses both)
//   C row r = c0[r·sc ..< +16], c1[r·sc ..< +16],
// and on the way out, optionally: + bias (bias0/bias1, one vector per column block), then
// LeakyReLU with `slope` (the forward pass's epilogue, so that it needs no pass of its own).
// MR·NR ≤ 24 accumulators stay in registers for the whole k loop; a k step is MR broadcasts,
// NR loads and MR·NR fused multiply-adds.
#define MICRO_KERNEL(MR, NR)                                                                          \
    AVX512 static void kernel_##MR##_##NR(const float *a, long sa, long sk, const float *b0,          \
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
enum { MAX_ROWS = 12 };

// C[rows][16·width] over rows in tiles of at most 12 (the largest tile whose 24 accumulators fit
// the 32 vector registers with room for the operands).
static void tiles_with_epilogue(long rows, int width, const float *a, long sa, long sk, const float *b0,
                                const float *b1, long sb, long k, float *c0, float *c1, long sc, int accumulate,
                                const float *bias, float slope, int leaky) {
    for (long r = 0; r < rows; r += MAX_ROWS) {
        long mr = rows - r < MAX_ROWS ? rows - r : MAX_ROWS;
        kernels[mr][width - 1](a + r * sa, sa, sk, b0, b1, sb, k, c0 + r * sc, c1 + r * sc, sc, accumulate,
                               bias, bias ? bias + 16 : 0, slope, leaky);
    }
}

static void tiles(long rows, int width, const float *a, long sa, long sk, const float *b0,
                  const float *b1, long sb, long k, float *c0, float *c1, long sc, int accumulate) {
    tiles_with_epilogue(rows, width, a, sa, sk, b0, b1, sb, k, c0, c1, sc, accumulate, 0, 0, 0);
}

void pk_forward(const float *x, long ldx, long rows, const float *panels, long in,
                long firstPanel, long panelCount, float *y, long ldy, const float *bias, float slope, int leaky) {
    for (long p = firstPanel; p < firstPanel + panelCount; p += 2) {
        int width = p + 1 < firstPanel + panelCount ? 2 : 1;
        const float *b0 = panels + p * in * 16;
        tiles_with_epilogue(rows, width, x, ldx, 1, b0, b0 + in * 16, 16, in, y + p * 16, y + p * 16 + 16, ldy, 0,
                            bias ? bias + p * 16 : 0, slope, leaky);
    }
}

void pk_weight_gradient(const float *d, long ldd, const float *x, long ldx, long rows, long in,
                        long firstPanel, long panelCount, float *g, int accumulate) {
    // Rows of the micro-tile are inputs i (A(i, r) = X[r][i]); the reduction runs over the batch.
    for (long p = 0; p < panelCount; p += 2) {
        int width = p + 1 < panelCount ? 2 : 1;
        const float *b0 = d + (firstPanel + p) * 16;
        float *c0 = g + p * in * 16;
        tiles(in, width, x, 1, ldx, b0, b0 + 16, ldd, rows, c0, c0 + in * 16, 16, accumulate);
    }
}

// 16 rows of 16 floats (stride `ss`) written transposed (stride `ds`).
AVX512 static void transpose16(const float *src, long ss, float *dst, long ds) {
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

void pk_input_gradient(const float *d, long ldd, long rows, const float *panels, long out, long in,
                       long firstColumn, long columnCount, float *dx, long lddx, float *scratch) {
    // For each strip of up to 32 input columns: S[o][0 ..< 32] = W[o][strip], then dX[:, strip] = D · S
    // with the forward micro-kernel (broadcast D[r][o], stream S's rows).
    const long end = firstColumn + columnCount;
    for (long i0 = firstColumn; i0 < end; i0 += 32) {
        const long strip = end - i0 < 32 ? end - i0 : 32;
        for (long p = 0; p < out / 16; p++) {
            const float *block = panels + (p * in + i0) * 16;   // [i][j], 16 floats per input
            float *s = scratch + p * 16 * 32;                    // [j][column]
            // The strip's floats are 2 KB per panel, a whole panel (16·in floats) apart: asking for
            // the block two panels ahead measured 1.009× (B = 128) and 1.024× (B = 64) a step, one
            // or four ahead no better. (The forward product's panel pairs are contiguous: there it
            // gained nothing.)
            if (p + 2 < out / 16)
                for (long c = 0; c < strip * 16; c += 16) _mm_prefetch((const char *)(block + 2 * in * 16 + c), _MM_HINT_T0);
            long c = 0;
            for (; c + 16 <= strip; c += 16) transpose16(block + c * 16, 16, s + c, 32);
            for (; c < strip; c++)
                for (long j = 0; j < 16; j++) s[j * 32 + c] = block[c * 16 + j];
        }
        if (strip % 16 == 0) {
            tiles(rows, (int)(strip / 16), d, ldd, 1, scratch, scratch + 16, 32, out, dx + i0, dx + i0 + 16, lddx, 0);
        } else {
            // A ragged last strip (in % 16 != 0): plain loops, rare (no such layer in the GANs).
            for (long r = 0; r < rows; r++)
                for (long c = 0; c < strip; c++) {
                    float sum = 0;
                    for (long o = 0; o < out; o++) sum += d[r * ldd + o] * scratch[o * 32 + c];
                    dx[r * lddx + i0 + c] = sum;
                }
        }
    }
}

#else  // not x86-64: no AVX-512, so `pk_available()` is 0 and callers keep row-major weights.

#include <stdlib.h>

int pk_available(void) { return 0; }
void pk_forward(const float *x, long ldx, long rows, const float *panels, long in, long firstPanel,
                long panelCount, float *y, long ldy, const float *bias, float slope, int leaky) { abort(); }
void pk_input_gradient(const float *d, long ldd, long rows, const float *panels, long out, long in,
                       long firstColumn, long columnCount, float *dx, long lddx, float *scratch) { abort(); }
void pk_weight_gradient(const float *d, long ldd, const float *x, long ldx, long rows, long in,
                        long firstPanel, long panelCount, float *g, int accumulate) { abort(); }
#endif

// Plain loops on every CPU: they run only at file boundaries and initialisation.
void pk_pack(const float *w, long out, long in, float *panels) {
    for (long p = 0; p < out / 16; p++)
        for (long i = 0; i < in; i++)
            for (long j = 0; j < 16; j++) panels[(p * in + i) * 16 + j] = w[(p * 16 + j) * in + i];
}

void pk_unpack(const float *panels, long out, long in, float *w) {
    for (long p = 0; p < out / 16; p++)
        for (long i = 0; i < in; i++)
            for (long j = 0; j < 16; j++) w[(p * 16 + j) * in + i] = panels[(p * in + i) * 16 + j];
}
