/*
 * CPU feature detection for the SIMD tiers (snake_abi.h). x86-64: CPUID for
 * what the CPU has, XGETBV for what the OS saves on a context switch (a CPU
 * with AVX-512 under an OS that does not save zmm registers must not use
 * them). The tiers follow the x86-64 psABI levels the kernels are compiled
 * for: avx2 = x86-64-v3, avx512 = x86-64-v4.
 */
#include "snake_abi.h"

#include <stdint.h>

#if defined(__x86_64__) || defined(_M_X64)
#include <cpuid.h>
#if defined(__APPLE__)
#include <sys/sysctl.h>
#endif

enum {
    F_SSE2, F_SSE3, F_SSSE3, F_SSE4_1, F_SSE4_2, F_POPCNT, F_AVX, F_AVX2, F_FMA,
    F_BMI1, F_BMI2, F_F16C, F_MOVBE, F_LZCNT, F_AVX512F, F_AVX512DQ,
    F_AVX512CD, F_AVX512BW, F_AVX512VL, F_COUNT
};
static const char *const feature_names[F_COUNT] = {
    "sse2", "sse3", "ssse3", "sse4_1", "sse4_2", "popcnt", "avx", "avx2", "fma",
    "bmi1", "bmi2", "f16c", "movbe", "lzcnt", "avx512f", "avx512dq",
    "avx512cd", "avx512bw", "avx512vl",
};

static uint64_t
xgetbv0(void)
{
    uint32_t lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    return ((uint64_t)hi << 32) | lo;
}

/* macOS turns AVX-512 state on at first use, so XCR0 does not show it. */
static int
os_saves_avx512(uint64_t xcr0)
{
#if defined(__APPLE__)
    int on = 0;
    size_t size = sizeof on;
    (void)xcr0;
    return sysctlbyname("hw.optional.avx512f", &on, &size, NULL, 0) == 0 && on;
#else
    return (xcr0 & 0xe6) == 0xe6;  /* SSE, AVX, opmask, ZMM0-15 high, ZMM16-31 */
#endif
}

static void
detect(int has[F_COUNT])
{
    unsigned a, b, c, d;
    for (int i = 0; i < F_COUNT; i++) {
        has[i] = 0;
    }
    if (!__get_cpuid(1, &a, &b, &c, &d)) {
        return;
    }
    has[F_SSE2] = (d >> 26) & 1;
    has[F_SSE3] = c & 1;
    has[F_SSSE3] = (c >> 9) & 1;
    has[F_SSE4_1] = (c >> 19) & 1;
    has[F_SSE4_2] = (c >> 20) & 1;
    has[F_POPCNT] = (c >> 23) & 1;
    has[F_MOVBE] = (c >> 22) & 1;
    const int osxsave = (c >> 27) & 1;
    const uint64_t xcr0 = osxsave ? xgetbv0() : 0;
    const int os_avx = (xcr0 & 0x6) == 0x6;        /* SSE and AVX state */
    const int os_avx512 = os_avx && os_saves_avx512(xcr0);
    has[F_AVX] = os_avx && ((c >> 28) & 1);
    has[F_FMA] = has[F_AVX] && ((c >> 12) & 1);
    has[F_F16C] = has[F_AVX] && ((c >> 29) & 1);
    if (__get_cpuid_count(7, 0, &a, &b, &c, &d)) {
        has[F_BMI1] = (b >> 3) & 1;
        has[F_BMI2] = (b >> 8) & 1;
        has[F_AVX2] = has[F_AVX] && ((b >> 5) & 1);
        has[F_AVX512F] = os_avx512 && ((b >> 16) & 1);
        has[F_AVX512DQ] = os_avx512 && ((b >> 17) & 1);
        has[F_AVX512CD] = os_avx512 && ((b >> 28) & 1);
        has[F_AVX512BW] = os_avx512 && ((b >> 30) & 1);
        has[F_AVX512VL] = os_avx512 && ((b >> 31) & 1);
    }
    if (__get_cpuid(0x80000001, &a, &b, &c, &d)) {
        has[F_LZCNT] = (c >> 5) & 1;
    }
}

int
snake_cpu_features(const char **names, int cap)
{
    int has[F_COUNT], n = 0;
    detect(has);
    for (int i = 0; i < F_COUNT && n < cap; i++) {
        if (has[i]) {
            names[n++] = feature_names[i];
        }
    }
    return n;
}

int
snake_cpu_level(void)
{
    int has[F_COUNT];
    detect(has);
    const int v3 = has[F_AVX] && has[F_AVX2] && has[F_FMA] && has[F_BMI1] &&
                   has[F_BMI2] && has[F_F16C] && has[F_MOVBE] && has[F_LZCNT];
    const int v4 = v3 && has[F_AVX512F] && has[F_AVX512DQ] && has[F_AVX512CD] &&
                   has[F_AVX512BW] && has[F_AVX512VL];
    return v4 ? 2 : v3 ? 1 : 0;
}

#else /* one tier: NEON on aarch64, portable code elsewhere */

int
snake_cpu_features(const char **names, int cap)
{
#if defined(__aarch64__) || defined(_M_ARM64)
    if (cap > 0) {
        names[0] = "neon";
        return 1;
    }
#endif
    (void)names;
    (void)cap;
    return 0;
}

int
snake_cpu_level(void)
{
    return 0;
}

#endif
