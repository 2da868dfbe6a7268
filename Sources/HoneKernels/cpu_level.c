/* Which kernel variants this CPU runs: decided once, from CPUID (through the compiler's
 * __builtin_cpu_supports), optionally lowered by HONE_KERNELS in the environment or by
 * hone_kernels_set_level. */
#include "HoneKernels.h"

#include <stdlib.h>
#include <string.h>

static int detect_supported(void)
{
#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512dq") &&
        __builtin_cpu_supports("avx512vl"))
        return HONE_KERNELS_AVX512;
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
        return HONE_KERNELS_AVX2;
#endif
    return HONE_KERNELS_BASELINE;
}

/* -1: not decided yet. Racing first calls compute the same value. */
static int current_level = -1;

int hone_kernels_supported_level(void)
{
    static int supported = -1;
    int s = __atomic_load_n(&supported, __ATOMIC_RELAXED);
    if (s < 0) {
        s = detect_supported();
        __atomic_store_n(&supported, s, __ATOMIC_RELAXED);
    }
    return s;
}

int hone_kernels_set_level(int level)
{
    int supported = hone_kernels_supported_level();
    if (level < HONE_KERNELS_BASELINE) level = HONE_KERNELS_BASELINE;
    if (level > supported) level = supported;
    __atomic_store_n(&current_level, level, __ATOMIC_RELAXED);
    return level;
}

int hone_kernels_level(void)
{
    int level = __atomic_load_n(&current_level, __ATOMIC_RELAXED);
    if (level >= 0) return level;
    level = hone_kernels_supported_level();
    const char *requested = getenv("HONE_KERNELS");
    if (requested) {
        if (strcmp(requested, "baseline") == 0) level = HONE_KERNELS_BASELINE;
        else if (strcmp(requested, "avx2") == 0 && level > HONE_KERNELS_AVX2) level = HONE_KERNELS_AVX2;
    }
    return hone_kernels_set_level(level);
}
