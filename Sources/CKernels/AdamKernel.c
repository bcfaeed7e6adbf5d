#include "AdamKernel.h"

#if defined(__x86_64__) && !defined(GANTOP_PORTABLE_KERNELS)  // the define: to check the fallback compiles
#include <immintrin.h>
#include <math.h>

__attribute__((target("avx512f")))
void adam_update(float *p, const float *g, float *m, float *v, long count,
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
    for (; i < count; i++) {
        const float mi = beta1 * m[i] + (1 - beta1) * g[i];
        const float vi = beta2 * v[i] + (1 - beta2) * g[i] * g[i];
        m[i] = mi;
        v[i] = vi;
        p[i] -= stepSize * mi / (sqrtf(vi) + epsilon);
    }
}

#else  // not x86-64: never called (`pk_available()` is 0); Adam runs in Swift.
#include <stdlib.h>
void adam_update(float *p, const float *g, float *m, float *v, long count,
                 float beta1, float beta2, float stepSize, float epsilon) { abort(); }
#endif
