// Which instruction set the C kernels use. Every kernel (panel products, Adam, the elementwise
// passes) exists once per path; one table of function pointers, chosen at start-up (the best
// the CPU has) or by `gk_select`, routes every call, so a forced path is used everywhere.
#ifndef GANTOP_KERNEL_PATHS_H
#define GANTOP_KERNEL_PATHS_H

#ifdef __cplusplus
extern "C" {
#endif

/// The paths, best last. Portable is plain C for any CPU (the compiler vectorises it for the
/// build's baseline: SSE2 on x86-64, NEON on aarch64).
enum { GK_PORTABLE = 0, GK_AVX2 = 1, GK_AVX512 = 2 };

/// 1 when this CPU (and build) can run path `isa`: AVX2 needs AVX2 and FMA, AVX-512 needs AVX-512F.
int gk_cpu_supports(int isa);
/// The best path this CPU supports.
int gk_best(void);
/// Routes every kernel through path `isa` from now on. Returns 0, or -1 (and changes nothing)
/// when the CPU lacks it. Not thread-safe: call before kernels run on other threads.
int gk_select(int isa);
/// The path in use.
int gk_selected(void);

#ifdef __cplusplus
}
#endif
#endif
