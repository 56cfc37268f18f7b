/* Where cumsum float32's block scan spends its time, measured without
 * Python, NumPy or memory traffic: each phase of Rows/Cumsum.swift's
 * scanFloatBlocks on one block (eight runs of 272) that stays in L1,
 * repeated, best of 200. See bench/README.md, "cumsum float32: where the
 * block scan's time goes".
 *
 *   cc -O2 -march=native bench/scan_parts.c -o /tmp/scan_parts && /tmp/scan_parts
 *
 * Needs AVX-512F (the avx512 tier's conversions). The phases:
 *   widen      float32 -> float64 copy of the block, and the block's sum
 *              (Swift sums each run: eight calls a block)
 *   chain      eight running sums side by side, two elements a step
 *   narrow     float64 -> float32 back into the output
 *   widen 256  widen with 256-bit conversions
 *   chain adds the chain's adds without its stores
 *   transposed an alternative: 8x8 transposes so that one 8-lane add
 *              advances all eight runs (not used: slower here)
 *   add latency one dependent float64 add (the sequential scan's step)
 */
#include <stdio.h>
#include <time.h>
#if defined(__AVX512F__)
#include <immintrin.h>

#define RUN 272
#define BLOCK (8 * RUN)
static float x[BLOCK] __attribute__((aligned(64))), out[BLOCK] __attribute__((aligned(64)));
static double t[BLOCK] __attribute__((aligned(64)));

static double now(void)
{
    struct timespec a;
    clock_gettime(CLOCK_MONOTONIC, &a);
    return a.tv_sec + 1e-9 * a.tv_nsec;
}

__attribute__((noinline)) static double widen(void)
{
    __m512d s0 = _mm512_set1_pd(-0.0), s1 = s0;
    for (int j = 0; j < BLOCK; j += 16) {
        __m512d a = _mm512_cvtps_pd(_mm256_load_ps(x + j)), b = _mm512_cvtps_pd(_mm256_load_ps(x + j + 8));
        _mm512_store_pd(t + j, a);
        _mm512_store_pd(t + j + 8, b);
        s0 = _mm512_add_pd(s0, a);
        s1 = _mm512_add_pd(s1, b);
    }
    return _mm512_reduce_add_pd(_mm512_add_pd(s0, s1));
}

/* widen with 256-bit conversions (four lanes each). */
__attribute__((noinline)) static double widen256(void)
{
    __m256d s0 = _mm256_set1_pd(-0.0), s1 = s0, s2 = s0, s3 = s0;
    for (int j = 0; j < BLOCK; j += 16) {
        __m256d a = _mm256_cvtps_pd(_mm_load_ps(x + j)), b = _mm256_cvtps_pd(_mm_load_ps(x + j + 4));
        __m256d c = _mm256_cvtps_pd(_mm_load_ps(x + j + 8)), d = _mm256_cvtps_pd(_mm_load_ps(x + j + 12));
        _mm256_store_pd(t + j, a);
        _mm256_store_pd(t + j + 4, b);
        _mm256_store_pd(t + j + 8, c);
        _mm256_store_pd(t + j + 12, d);
        s0 = _mm256_add_pd(s0, a);
        s1 = _mm256_add_pd(s1, b);
        s2 = _mm256_add_pd(s2, c);
        s3 = _mm256_add_pd(s3, d);
    }
    __m256d s = _mm256_add_pd(_mm256_add_pd(s0, s1), _mm256_add_pd(s2, s3));
    return s[0] + s[1] + s[2] + s[3];
}

__attribute__((noinline)) static double narrow(void)
{
    for (int j = 0; j < BLOCK; j += 8) _mm256_store_ps(out + j, _mm512_cvtpd_ps(_mm512_load_pd(t + j)));
    return out[5];
}

#define STEP(k)                                                            \
    {                                                                      \
        __m128d v = _mm_loadu_pd(t + k * RUN + j);                         \
        double f = a##k + v[0];                                            \
        a##k = f + v[1];                                                   \
        _mm_storeu_pd(t + k * RUN + j, _mm_set_pd(a##k, f));               \
    }
__attribute__((noinline)) static double chain(void)
{
    double a0 = 0, a1 = 0, a2 = 0, a3 = 0, a4 = 0, a5 = 0, a6 = 0, a7 = 0;
    for (int j = 0; j < RUN; j += 2) { STEP(0) STEP(1) STEP(2) STEP(3) STEP(4) STEP(5) STEP(6) STEP(7) }
    return a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7;
}

/* The same adds without the stores. */
#define ADD(k)                                                             \
    {                                                                      \
        __m128d v = _mm_loadu_pd(t + k * RUN + j);                         \
        a##k = (a##k + v[0]) + v[1];                                       \
    }
__attribute__((noinline)) static double chain_adds(void)
{
    double a0 = 0, a1 = 0, a2 = 0, a3 = 0, a4 = 0, a5 = 0, a6 = 0, a7 = 0;
    for (int j = 0; j < RUN; j += 2) { ADD(0) ADD(1) ADD(2) ADD(3) ADD(4) ADD(5) ADD(6) ADD(7) }
    return a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7;
}

static inline void transpose8(__m256 *r)
{
    __m256 t0 = _mm256_unpacklo_ps(r[0], r[1]), t1 = _mm256_unpackhi_ps(r[0], r[1]);
    __m256 t2 = _mm256_unpacklo_ps(r[2], r[3]), t3 = _mm256_unpackhi_ps(r[2], r[3]);
    __m256 t4 = _mm256_unpacklo_ps(r[4], r[5]), t5 = _mm256_unpackhi_ps(r[4], r[5]);
    __m256 t6 = _mm256_unpacklo_ps(r[6], r[7]), t7 = _mm256_unpackhi_ps(r[6], r[7]);
    __m256 u0 = _mm256_shuffle_ps(t0, t2, 0x44), u1 = _mm256_shuffle_ps(t0, t2, 0xEE);
    __m256 u2 = _mm256_shuffle_ps(t1, t3, 0x44), u3 = _mm256_shuffle_ps(t1, t3, 0xEE);
    __m256 u4 = _mm256_shuffle_ps(t4, t6, 0x44), u5 = _mm256_shuffle_ps(t4, t6, 0xEE);
    __m256 u6 = _mm256_shuffle_ps(t5, t7, 0x44), u7 = _mm256_shuffle_ps(t5, t7, 0xEE);
    r[0] = _mm256_permute2f128_ps(u0, u4, 0x20);
    r[1] = _mm256_permute2f128_ps(u1, u5, 0x20);
    r[2] = _mm256_permute2f128_ps(u2, u6, 0x20);
    r[3] = _mm256_permute2f128_ps(u3, u7, 0x20);
    r[4] = _mm256_permute2f128_ps(u0, u4, 0x31);
    r[5] = _mm256_permute2f128_ps(u1, u5, 0x31);
    r[6] = _mm256_permute2f128_ps(u2, u6, 0x31);
    r[7] = _mm256_permute2f128_ps(u3, u7, 0x31);
}

/* The whole block: lane k of the accumulator is run k's running sum. */
__attribute__((noinline)) static double transposed(void)
{
    __m512d a = _mm512_setzero_pd();
    for (int j = 0; j < RUN; j += 8) {
        __m256 r[8];
        for (int k = 0; k < 8; k++) r[k] = _mm256_loadu_ps(x + k * RUN + j);
        transpose8(r);
        for (int m = 0; m < 8; m++) {
            a = _mm512_add_pd(a, _mm512_cvtps_pd(r[m]));
            r[m] = _mm512_cvtpd_ps(a);
        }
        transpose8(r);
        for (int k = 0; k < 8; k++) _mm256_storeu_ps(out + k * RUN + j, r[k]);
    }
    return a[3] + out[3];
}

__attribute__((noinline)) static double add_latency(void)
{
    double a = 0, b = x[1];
    for (int i = 0; i < BLOCK; i++) {
        a += b;
        __asm__("" : "+x"(a));
    }
    return a;
}

int main(void)
{
    for (int i = 0; i < BLOCK; i++) x[i] = (float)(i % 13) * 0.1f;
    struct { const char *name; double (*f)(void); } phases[] = {
        {"widen", widen}, {"chain", chain}, {"narrow", narrow},
        {"widen 256", widen256}, {"chain adds", chain_adds},
        {"transposed", transposed}, {"add latency", add_latency},
    };
    for (int p = 0; p < (int)(sizeof phases / sizeof phases[0]); p++) {
        double best = 1e9;
        for (int r = 0; r < 200; r++) {
            widen();  /* untimed: the block's float64 copy afresh (chain scans it in place) */
            double t0 = now(), s = 0;
            for (int q = 0; q < 20; q++) {
                s += phases[p].f();
                __asm__("" ::"x"(s));
            }
            double d = now() - t0;
            if (d < best) best = d;
        }
        printf("%-12s %.3f ns/element\n", phases[p].name, best * 1e9 / (20.0 * BLOCK));
    }
    return 0;
}
#else
int main(void)
{
    puts("scan_parts: needs AVX-512F (cc -march=native on an AVX-512 machine)");
    return 0;
}
#endif
