#include "AdamKernel.h"
#include "KernelTable.h"
#include <math.h>

void adam_update(float *p, const float *g, float *m, float *v, long count,
                 float beta1, float beta2, float stepSize, float epsilon) {
    gk_active->adam(p, g, m, v, count, beta1, beta2, stepSize, epsilon);
}

// The portable path: no fused multiply-adds, so it rounds exactly like `Adam.portableKernel` in
// Swift (whatever the compiler's baseline); the AVX paths fuse the moments' updates.
#pragma clang fp contract(off)
void gk_adam_portable(float *p, const float *g, float *m, float *v, long count,
                      float beta1, float beta2, float stepSize, float epsilon) {
    const float ob1 = 1 - beta1, ob2 = 1 - beta2;
    for (long i = 0; i < count; i++) {
        const float gi = g[i];
        const float mi = beta1 * m[i] + ob1 * gi;
        const float vi = beta2 * v[i] + ob2 * gi * gi;
        m[i] = mi;
        v[i] = vi;
        p[i] = p[i] - stepSize * mi / (sqrtf(vi) + epsilon);
    }
}
