// The elementwise passes' bodies, included once per path by ElementwiseKernels.c (portable),
// PathAVX2.c and PathAVX512.c, each under its own target: plain loops the compiler vectorises
// for that path's width. EW_SUFFIX names the path.
//
// No fused multiply-adds (`fp contract(off)`): every path, and Swift's scalar `fastTanh`, round
// exactly alike, so the activations never depend on the path.
#pragma clang fp contract(off)

#define EW_CAT2(a, b) a##_##b
#define EW_CAT(a, b) EW_CAT2(a, b)
#define EW(name) EW_CAT(name, EW_SUFFIX)

static inline float EW(rational_tanh)(float x) {
    const float clamp = 7.90531110763549805f;
    const float xc = x > clamp ? clamp : (x < -clamp ? -clamp : x);
    const float x2 = xc * xc;
    float p = -2.76076847742355e-16f;
    p = p * x2 + 2.00018790482477e-13f;
    p = p * x2 + -8.60467152213735e-11f;
    p = p * x2 + 5.12229709037114e-08f;
    p = p * x2 + 1.48572235717979e-05f;
    p = p * x2 + 6.37261928875436e-04f;
    p = p * x2 + 4.89352455891786e-03f;
    p = xc * p;
    float q = 1.19825839466702e-06f;
    q = q * x2 + 1.18534705686654e-04f;
    q = q * x2 + 2.26843463243900e-03f;
    q = q * x2 + 4.89352518554385e-03f;
    return p / q;
}

void EW(ew_bias_tanh)(float *y, long ldy, long rows, long cols, const float *bias) {
    for (long r = 0; r < rows; r++) {
        float *row = y + r * ldy;
        for (long c = 0; c < cols; c++) row[c] = EW(rational_tanh)(row[c] + bias[c]);
    }
}

void EW(ew_bias_leaky_relu)(float *y, long ldy, long rows, long cols, const float *bias, float slope) {
    for (long r = 0; r < rows; r++) {
        float *row = y + r * ldy;
        for (long c = 0; c < cols; c++) {
            const float v = row[c] + bias[c];
            row[c] = v > 0 ? v : v * slope;
        }
    }
}

void EW(ew_leaky_relu_backward)(const float *y, long ldy, float *g, long ldg, long rows, long cols, float slope) {
    for (long r = 0; r < rows; r++) {
        const float *yr = y + r * ldy;
        float *gr = g + r * ldg;
        for (long c = 0; c < cols; c++) gr[c] *= yr[c] > 0 ? 1.0f : slope;
    }
}

void EW(ew_tanh_backward)(const float *y, long ldy, float *g, long ldg, long rows, long cols) {
    for (long r = 0; r < rows; r++) {
        const float *yr = y + r * ldy;
        float *gr = g + r * ldg;
        for (long c = 0; c < cols; c++) gr[c] *= 1 - yr[c] * yr[c];
    }
}

void EW(ew_sum_rows)(const float *m, long ldm, long rows, long cols, float *out, int accumulate) {
    if (!accumulate)
        for (long c = 0; c < cols; c++) out[c] = 0;
    for (long r = 0; r < rows; r++) {
        const float *row = m + r * ldm;
        for (long c = 0; c < cols; c++) out[c] += row[c];
    }
}

void EW(ew_unit_range_from_bytes)(const uint8_t *src, float *dst, long count) {
    for (long i = 0; i < count; i++) dst[i] = (float)src[i] * (2.0f / 255.0f) - 1;
}

#pragma clang fp contract(on)
