/* Why sweeps along axis 0 of wide arrays past the caches trail NumPy's
 * einsum (sum_sq float32 along (20 000, 1000): 0.22-0.27 against
 * 0.15-0.17 ns/element): the loops of Reductions/Sums.swift's sweptSumsOfProducts,
 * without Python, on an array past the 32 MiB last-level cache. See
 * bench/README.md, "Wide sweeps: the scratch, not the reads".
 *
 *   cc -O2 -march=native bench/sweep_scratch.c -o /tmp/sweep_scratch && /tmp/sweep_scratch [rows cols]
 *
 * Needs AVX-512F. Every variant reads the float32 array once, row by row
 * (memory order), and sums each column's squares:
 *   einsum       one float32 accumulator a column (NumPy's einsum), 4 bytes
 *   slabs 1/2/4  one step of every group of 8 columns at a time, step i
 *                added to Float64 accumulator i % slabs: 8, 16 or 32 bytes a
 *                column (4 is the strided path's order, which a sweep keeps)
 *   band 8/16    4 slabs, 8 or 16 steps of a group at a time, its four
 *                accumulators in registers (what sweeps of 96 groups take)
 *   band 8 + pf  band 8 with a prefetch of the next band's rows (here at
 *                every other group, once a line: Swift asks at every group)
 * Column segments (sweeps over part of each row, so that the scratch fits
 * L1) were slower still in Swift: bench/README.md.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#if defined(__AVX512F__)
#include <immintrin.h>

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

static inline __m512d square(const float *p) {
    __m256 v = _mm256_loadu_ps(p);
    return _mm512_cvtps_pd(_mm256_mul_ps(v, v));
}

__attribute__((noinline)) static void einsum(const float *x, long m, long w, float *acc) {
    memset(acc, 0, w * sizeof *acc);
    for (long i = 0; i < m; i++)
        for (long k = 0; k + 16 <= w; k += 16) {
            __m512 v = _mm512_loadu_ps(x + i * w + k);
            _mm512_storeu_ps(acc + k, _mm512_fmadd_ps(v, v, _mm512_loadu_ps(acc + k)));
        }
}

__attribute__((noinline)) static void slabs(const float *x, long m, long w, double *s, long nslabs) {
    long groups = w / 8, slab = groups * 8, whole = m - m % nslabs;
    memset(s, 0, nslabs * slab * sizeof *s);
    for (long i = 0; i < m; i++) {
        double *a = s + (i < whole ? i % nslabs : 0) * slab;
        const float *p = x + i * w;
        for (long k = 0; k < groups; k++)
            _mm512_storeu_pd(a + k * 8, _mm512_add_pd(_mm512_loadu_pd(a + k * 8), square(p + k * 8)));
    }
}

__attribute__((noinline)) static void band(const float *x, long m, long w, double *s, long steps, int prefetch) {
    long groups = w / 8, slab = groups * 8, whole = m & ~3L, i0 = 0;
    memset(s, 0, 4 * slab * sizeof *s);
    for (; whole - i0 >= steps; i0 += steps)
        for (long k = 0; k < groups; k++) {
            double *a = s + k * 8;
            __m512d s0 = _mm512_loadu_pd(a), s1 = _mm512_loadu_pd(a + slab);
            __m512d s2 = _mm512_loadu_pd(a + 2 * slab), s3 = _mm512_loadu_pd(a + 3 * slab);
            const float *p = x + i0 * w + k * 8;
            if (prefetch && k % 2 == 0)
                for (long j = 0; j < steps; j++) _mm_prefetch((const char *)(p + (j + steps) * w), _MM_HINT_T0);
            for (long j = 0; j < steps; j += 4) {
                s0 = _mm512_add_pd(s0, square(p + j * w));
                s1 = _mm512_add_pd(s1, square(p + (j + 1) * w));
                s2 = _mm512_add_pd(s2, square(p + (j + 2) * w));
                s3 = _mm512_add_pd(s3, square(p + (j + 3) * w));
            }
            _mm512_storeu_pd(a, s0);
            _mm512_storeu_pd(a + slab, s1);
            _mm512_storeu_pd(a + 2 * slab, s2);
            _mm512_storeu_pd(a + 3 * slab, s3);
        }
    for (long i = i0; i < m; i++) {
        double *a = s + (i < whole ? i % 4 : 0) * slab;
        for (long k = 0; k < groups; k++)
            _mm512_storeu_pd(a + k * 8, _mm512_add_pd(_mm512_loadu_pd(a + k * 8), square(x + i * w + k * 8)));
    }
}

int main(int argc, char **argv) {
    long m = argc > 2 ? atol(argv[1]) : 20000, w = argc > 2 ? atol(argv[2]) : 1000;
    w -= w % 16;
    long pad = 32 * w;  /* the prefetch's reach past the last band */
    float *x = aligned_alloc(64, ((m * w + pad) * sizeof(float) + 63) / 64 * 64);
    double *s = aligned_alloc(64, 4 * w * sizeof(double));
    float *acc = aligned_alloc(64, w * sizeof(float));
    for (long i = 0; i < m * w + pad; i++) x[i] = (float)(i % 7) * 0.5f;
    const char *names[] = {"einsum", "slabs 1", "slabs 2", "slabs 4", "band 8", "band 16", "band 8 + pf"};
    double best[7];
    for (int v = 0; v < 7; v++) best[v] = 1e9;
    for (int r = 0; r < 10; r++)  /* rounds, variants interleaved: this VM's memory drifts */
        for (int v = 0; v < 7; v++) {
            double t = now();
            switch (v) {
            case 0: einsum(x, m, w, acc); break;
            case 1: slabs(x, m, w, s, 1); break;
            case 2: slabs(x, m, w, s, 2); break;
            case 3: slabs(x, m, w, s, 4); break;
            case 4: band(x, m, w, s, 8, 0); break;
            case 5: band(x, m, w, s, 16, 0); break;
            case 6: band(x, m, w, s, 8, 1); break;
            }
            t = now() - t;
            if (t < best[v]) best[v] = t;
        }
    printf("float32 (%ld, %ld), %.0f MB, ns per element, best of 10:\n", m, w, m * w * 4 / 1e6);
    for (int v = 0; v < 7; v++) printf("  %-12s %.3f\n", names[v], best[v] / (m * w) * 1e9);
    return 0;
}
#else
int main(void) {
    puts("sweep_scratch needs AVX-512F (cc -march=native on such a CPU)");
    return 0;
}
#endif
