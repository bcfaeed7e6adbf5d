// The panel products, written once over the current path's micro-tiles (`gk_active->tiles`);
// the portable path's tiles are here too, the AVX ones in PanelKernelsAVX2.c / AVX512.c.
#include "PanelKernels.h"
#include "KernelTable.h"

// C[rows][16·width] over rows in the path's micro-tiles.
static void tiles(long rows, int width, const float *a, long sa, long sk, const float *b0, const float *b1, long sb,
                  long k, float *c0, float *c1, long sc, int accumulate) {
    gk_active->tiles(rows, width, a, sa, sk, b0, b1, sb, k, c0, c1, sc, accumulate, 0, 0, 0);
}

void pk_forward(const float *x, long ldx, long rows, const float *panels, long in,
                long firstPanel, long panelCount, float *y, long ldy, const float *bias, float slope, int leaky) {
    for (long p = firstPanel; p < firstPanel + panelCount; p += 2) {
        int width = p + 1 < firstPanel + panelCount ? 2 : 1;
        const float *b0 = panels + p * in * 16;
        gk_active->tiles(rows, width, x, ldx, 1, b0, b0 + in * 16, 16, in, y + p * 16, y + p * 16 + 16, ldy, 0,
                         bias ? bias + p * 16 : 0, slope, leaky);
    }
}

// The weight gradient's A operand is X read down its columns: a tile's 6–12 inputs at every
// batch row, rows a whole activation row (often 4 KB) apart, so at 128 rows they all fall in one
// L1 set and thrash it. Copied first, 24 inputs at a time, into a block of contiguous rows (at
// most 512 · 24 floats, on the stack); every panel then reads the block from L1. Its B operand,
// a panel's 16 columns of D at every batch row, thrashes the same way when D's rows are a
// multiple of 4 KB: where the path's tiles read D more than twice per block, those panels are
// copied too, 16 K floats at a time, each panel's rows contiguous (AVX2's 6-row tiles read it 8
// times: 1.26× on G's 512 → 1024 layer; AVX-512's 12-row ones twice, and lost 4–9 % to the copy;
// at other strides no gain). Only where the operands come from changes, not the order of any sum:
// the results are the same bits.
enum { PACKED_INPUTS = 24, PACKED_MAX_ROWS = 512, PACKED_DELTA_FLOATS = 16384 };

void pk_weight_gradient(const float *d, long ldd, const float *x, long ldx, long rows, long in,
                        long firstPanel, long panelCount, float *g, int accumulate) {
    // Rows of the micro-tile are inputs i (A(i, r) = X[r][i]); the reduction runs over the batch.
    if (rows > PACKED_MAX_ROWS) {
        for (long p = 0; p < panelCount; p += 2) {
            int width = p + 1 < panelCount ? 2 : 1;
            const float *b0 = d + (firstPanel + p) * 16;
            float *c0 = g + p * in * 16;
            tiles(in, width, x, 1, ldx, b0, b0 + 16, ldd, rows, c0, c0 + in * 16, 16, accumulate);
        }
        return;
    }
    float block[PACKED_MAX_ROWS * PACKED_INPUTS] __attribute__((aligned(64)));
    float deltas[PACKED_DELTA_FLOATS] __attribute__((aligned(64)));
    const int packDeltas = ldd % 1024 == 0 && PACKED_INPUTS / gk_active->tile_rows > 2;
    // Panels per pass over the inputs: whole pairs that fit `deltas` (at least one), or all.
    const long chunk = packDeltas ? (PACKED_DELTA_FLOATS / (rows * 16)) & ~1L : panelCount;
    for (long first = 0; first < panelCount; first += chunk) {
        const long count = panelCount - first < chunk ? panelCount - first : chunk;
        if (packDeltas)
            for (long p = 0; p < count; p++) {
                const float *from = d + (firstPanel + first + p) * 16;
                float *to = deltas + p * rows * 16;
                for (long r = 0; r < rows; r++)
                    for (long j = 0; j < 16; j++) to[r * 16 + j] = from[r * ldd + j];
            }
        for (long i0 = 0; i0 < in; i0 += PACKED_INPUTS) {
            const long n = in - i0 < PACKED_INPUTS ? in - i0 : PACKED_INPUTS;
            for (long r = 0; r < rows; r++)
                for (long i = 0; i < n; i++) block[r * PACKED_INPUTS + i] = x[r * ldx + i0 + i];
            for (long p = 0; p < count; p += 2) {
                int width = p + 1 < count ? 2 : 1;
                const float *b0 = packDeltas ? deltas + p * rows * 16 : d + (firstPanel + first + p) * 16;
                const float *b1 = packDeltas ? b0 + rows * 16 : b0 + 16;
                float *c0 = g + (first + p) * in * 16 + i0 * 16;
                tiles(n, width, block, 1, PACKED_INPUTS, b0, b1, packDeltas ? 16 : ldd, rows, c0, c0 + in * 16, 16,
                      accumulate);
            }
        }
    }
}

void pk_input_gradient(const float *d, long ldd, long rows, const float *panels, long out, long in,
                       long firstColumn, long columnCount, float *dx, long lddx, float *scratch) {
    // For each strip of up to 32 input columns: S[o][0 ..< 32] = W[o][strip], then dX[:, strip] = D · S
    // with the forward micro-tiles (broadcast D[r][o], stream S's rows).
    const long end = firstColumn + columnCount;
    for (long i0 = firstColumn; i0 < end; i0 += 32) {
        const long strip = end - i0 < 32 ? end - i0 : 32;
        for (long p = 0; p < out / 16; p++) {
            const float *block = panels + (p * in + i0) * 16;   // [i][j], 16 floats per input
            float *s = scratch + p * 16 * 32;                    // [j][column]
            // The strip's floats are 2 KB per panel, a whole panel (16·in floats) apart: asking for
            // the block two panels ahead measured 1.009× (B = 128) and 1.024× (B = 64) a step on
            // AVX-512, one or four ahead no better.
            if (p + 2 < out / 16)
                for (long c = 0; c < strip * 16; c += 16) __builtin_prefetch(block + 2 * in * 16 + c, 0, 3);
            long c = 0;
            for (; c + 16 <= strip; c += 16) gk_active->transpose16(block + c * 16, 16, s + c, 32);
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

// ---- The portable path: plain C the compiler vectorises for the build's baseline (SSE2: four
// lanes and 16 registers on x86-64; NEON, 32 registers, on aarch64). A tile is at most PORTABLE_ROWS
// rows × one panel, four four-lane accumulators a row: three rows on x86-64 (one core, G's last
// layer: 29 GFLOP/s against 25 with two), four on aarch64. The compiler
// may fuse the multiply-adds where the baseline has FMA (aarch64), so this path's rounding can
// differ from the AVX paths'; it is still deterministic.
// Four-lane vectors of the compiler's own (SSE on x86-64, NEON on aarch64): left to itself it
// vectorised the 16-wide loops badly (scalar pieces, spills: 0.75× OpenBLAS's SSE kernel).
typedef float v4 __attribute__((vector_size(16)));
static inline v4 load4(const float *p) { v4 v; __builtin_memcpy(&v, p, sizeof v); return v; }
static inline void store4(float *p, v4 v) { __builtin_memcpy(p, &v, sizeof v); }

#define PORTABLE_KERNEL(MR)                                                                                   \
    static void portable_##MR(const float *a, long sa, long sk, const float *b, long sb, long k, float *c,      \
                              long sc, int accumulate, const float *bias, float slope, int leaky) {          \
        v4 acc[MR][4];                                                                                        \
        for (int r = 0; r < MR; r++)                                                                          \
            for (int j = 0; j < 4; j++) acc[r][j] = (v4){0, 0, 0, 0};                                         \
        for (long kk = 0; kk < k; kk++) {                                                                     \
            const float *bk = b + kk * sb;                                                                    \
            const v4 b0 = load4(bk), b1 = load4(bk + 4), b2 = load4(bk + 8), b3 = load4(bk + 12);             \
            const float *ak = a + kk * sk;                                                                    \
            for (int r = 0; r < MR; r++) {                                                                    \
                const float s = ak[r * sa];                                                                   \
                const v4 sv = {s, s, s, s};                                                                   \
                acc[r][0] += sv * b0;                                                                         \
                acc[r][1] += sv * b1;                                                                         \
                acc[r][2] += sv * b2;                                                                         \
                acc[r][3] += sv * b3;                                                                         \
            }                                                                                                 \
        }                                                                                                     \
        for (int r = 0; r < MR; r++) {                                                                        \
            float *o = c + r * sc;                                                                            \
            for (int j = 0; j < 4; j++) {                                                                     \
                v4 v = bias ? acc[r][j] + load4(bias + 4 * j) : acc[r][j];                                    \
                if (leaky)                                                                                    \
                    for (int l = 0; l < 4; l++) v[l] = v[l] <= 0 ? v[l] * slope : v[l];                       \
                store4(o + 4 * j, accumulate ? v + load4(o + 4 * j) : v);                                     \
            }                                                                                                 \
        }                                                                                                     \
    }
enum { PORTABLE_ROWS = GK_TILE_ROWS_PORTABLE };
#if defined(__aarch64__)
PORTABLE_KERNEL(1) PORTABLE_KERNEL(2) PORTABLE_KERNEL(3) PORTABLE_KERNEL(4)
#else
PORTABLE_KERNEL(1) PORTABLE_KERNEL(2) PORTABLE_KERNEL(3)
#endif

typedef void (*portable_kernel)(const float *, long, long, const float *, long, long, float *, long, int,
                                const float *, float, int);
#if defined(__aarch64__)
static const portable_kernel portable_kernels[PORTABLE_ROWS + 1] = {0, portable_1, portable_2, portable_3, portable_4};
#else
static const portable_kernel portable_kernels[PORTABLE_ROWS + 1] = {0, portable_1, portable_2, portable_3};
#endif

void gk_tiles_portable(long rows, int width, const float *a, long sa, long sk, const float *b0, const float *b1,
                       long sb, long k, float *c0, float *c1, long sc, int accumulate, const float *bias, float slope,
                       int leaky) {
    for (int w = 0; w < width; w++) {
        const float *b = w ? b1 : b0;
        float *c = w ? c1 : c0;
        const float *bw = bias ? bias + 16 * w : 0;
        for (long r = 0; r < rows; r += PORTABLE_ROWS) {
            long mr = rows - r < PORTABLE_ROWS ? rows - r : PORTABLE_ROWS;
            portable_kernels[mr](a + r * sa, sa, sk, b, sb, k, c + r * sc, sc, accumulate, bw, slope, leaky);
        }
    }
}

void gk_transpose16_portable(const float *src, long ss, float *dst, long ds) {
    for (int i = 0; i < 16; i++)
        for (int j = 0; j < 16; j++) dst[j * ds + i] = src[i * ss + j];
}
