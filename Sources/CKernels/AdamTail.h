// Adam's scalar tail, included by each AVX path under its own target (PathAVX2.c, PathAVX512.c):
// explicit fmaf for the moments and nothing else contracted, so the tail rounds exactly like the
// lanes and both paths give the same bits whatever the count.
#include <math.h>

static inline void adam_tail(float *p, const float *g, float *m, float *v, long from, long count,
                             float beta1, float beta2, float stepSize, float epsilon) {
    const float ob1 = 1 - beta1, ob2 = 1 - beta2;
    for (long i = from; i < count; i++) {
        const float mi = fmaf(beta1, m[i], ob1 * g[i]);
        const float vi = fmaf(beta2, v[i], ob2 * g[i] * g[i]);
        m[i] = mi;
        v[i] = vi;
        p[i] = p[i] - stepSize * mi / (sqrtf(vi) + epsilon);
    }
}
