#include "KernelPaths.h"
#include "KernelTable.h"
#include <stdlib.h>
#include <string.h>

#define GK_TABLE(S, TILE_ROWS)                                                            \
    {gk_tiles_##S, gk_transpose16_##S, TILE_ROWS, gk_adam_##S, ew_bias_tanh_##S, ew_bias_leaky_relu_##S, \
     ew_leaky_relu_backward_##S, ew_tanh_backward_##S, ew_sum_rows_##S, ew_unit_range_from_bytes_##S, \
     cv_im2col_##S, cv_col2im_add_##S}

static const gk_table portable_table = GK_TABLE(portable, GK_TILE_ROWS_PORTABLE);
#if GK_HAS_X86_PATHS
static const gk_table avx2_table = GK_TABLE(avx2, GK_TILE_ROWS_AVX2);
static const gk_table avx512_table = GK_TABLE(avx512, GK_TILE_ROWS_AVX512);
#endif

const gk_table *gk_active = &portable_table;
static int selected = GK_PORTABLE;

int gk_cpu_supports(int isa) {
    switch (isa) {
    case GK_PORTABLE: return 1;
#if GK_HAS_X86_PATHS
    case GK_AVX2:
        __builtin_cpu_init();
        return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    case GK_AVX512:
        __builtin_cpu_init();
        return __builtin_cpu_supports("avx512f");
#endif
    default: return 0;
    }
}

int gk_best(void) {
    for (int isa = GK_AVX512; isa > GK_PORTABLE; isa--)
        if (gk_cpu_supports(isa)) return isa;
    return GK_PORTABLE;
}

int gk_select(int isa) {
    if (!gk_cpu_supports(isa)) return -1;
    switch (isa) {
#if GK_HAS_X86_PATHS
    case GK_AVX512: gk_active = &avx512_table; break;
    case GK_AVX2: gk_active = &avx2_table; break;
#endif
    default: gk_active = &portable_table; break;
    }
    selected = isa;
    return 0;
}

int gk_selected(void) { return selected; }

// From the start: the path GANTOP_KERNELS names if this CPU runs it, else the best one, so that
// nothing runs on another path before Swift's `KernelPath` (which refuses a bad name) is asked.
__attribute__((constructor)) static void gk_select_at_load(void) {
    const char *name = getenv("GANTOP_KERNELS");
    int isa = gk_best();
    if (name && strcmp(name, "avx512") == 0) isa = GK_AVX512;
    if (name && strcmp(name, "avx2") == 0) isa = GK_AVX2;
    if (name && strcmp(name, "portable") == 0) isa = GK_PORTABLE;
    if (gk_select(isa) != 0) gk_select(gk_best());
}
