/*
 * The C ABI between the NumPy glue (C) and the kernels (Swift).
 *
 * Every prototype here is generated from kernels.def; the Swift side
 * implements each one with `@c @implementation`, so the compiler checks the
 * Swift signature against this header (a float/double mix-up is an error).
 *
 * Conventions shared by all kernels:
 *   - strides are in bytes and may be 0, negative or any multiple of the
 *     item size; pointers are aligned to the item size (NumPy guarantees it
 *     for legacy loops: it copies unaligned or byte-swapped data first);
 *   - `rows` is the outer (broadcast) loop NumPy hands us, `*_row` the byte
 *     step between rows; `n` is the core length;
 *   - `grain` is 0 for single-threaded ufuncs; for `_mt` twins it is the
 *     minimum number of elements per thread (from the kernel table);
 *   - pointers are _Nonnull (Swift imports them as non-optional, so
 *     `@c @implementation` signatures match exactly);
 *   - kernels never call into Python and never trap: inputs are validated
 *     before they run (by NumPy or by the glue).
 */
#ifndef SNAKE_ABI_H
#define SNAKE_ABI_H

#include <stdint.h>

/* ---- dtype sets: P(name, kind, code, T, A) -------------------------------
 * code: dtype code in symbol names; T: element type; A: result type of
 * reductions (the accumulator dtype NumPy sees). Narrowest first. */
#define SNAKE_DTYPES_FLOAT(P, name, kind) \
    P(name, kind, f32, float, float)      \
    P(name, kind, f64, double, double)

/* Native integer loops too, same-type results (elementwise, argmax,
 * histogram). Order: NumPy picks the first loop its input casts to safely,
 * so int8/int16/uint16 use the int32 loop, uint32 the int64 one, bool the
 * uint8 one, uint64 the float64 one. */
#define SNAKE_DTYPES_NUM(P, name, kind)     \
    P(name, kind, u8, uint8_t, uint8_t)     \
    P(name, kind, i32, int32_t, int32_t)    \
    P(name, kind, i64, int64_t, int64_t)    \
    SNAKE_DTYPES_FLOAT(P, name, kind)

/* As NUM, but integer results accumulate in int64 (sums, running sums). */
#define SNAKE_DTYPES_NUM_WIDE(P, name, kind) \
    P(name, kind, u8, uint8_t, int64_t)      \
    P(name, kind, i32, int32_t, int64_t)     \
    P(name, kind, i64, int64_t, int64_t)     \
    SNAKE_DTYPES_FLOAT(P, name, kind)

/* ---- loop shapes: the Swift signature of each kind -----------------------
 * fn: the symbol; T, A: element and result types; L: an asm label or
 * nothing (see SIMD tiers below). */

/* REDUCE  (n)->():  out[r] = f(x[r, 0..n)) */
#define SNAKE_PROTO_REDUCE(fn, T, A, L)                                        \
    void fn(intptr_t rows, intptr_t n,                                      \
            const T *_Nonnull x, intptr_t x_row, intptr_t x_step,                    \
            A *_Nonnull out, intptr_t out_row, intptr_t grain) L;

/* REDUCE2 (n),(n)->():  out[r] = f(a[r, 0..n), b[r, 0..n)) */
#define SNAKE_PROTO_REDUCE2(fn, T, A, L)                                       \
    void fn(intptr_t rows, intptr_t n,                                      \
            const T *_Nonnull a, intptr_t a_row, intptr_t a_step,                    \
            const T *_Nonnull b, intptr_t b_row, intptr_t b_step,                    \
            A *_Nonnull out, intptr_t out_row, intptr_t grain) L;

/* INDEX   (n)->() intp:  out[r] = index into x[r, 0..n), n >= 1 */
#define SNAKE_PROTO_INDEX(fn, T, A, L)                                         \
    void fn(intptr_t rows, intptr_t n,                                      \
            const T *_Nonnull x, intptr_t x_row, intptr_t x_step,                    \
            intptr_t *_Nonnull out, intptr_t out_row, intptr_t grain) L;

/* VEC     (n)->(n):  out[r, 0..n) = f(x[r, 0..n)) */
#define SNAKE_PROTO_VEC(fn, T, A, L)                                           \
    void fn(intptr_t rows, intptr_t n,                                      \
            const T *_Nonnull x, intptr_t x_row, intptr_t x_step,           \
            A *_Nonnull out, intptr_t out_row, intptr_t out_step,           \
            intptr_t grain) L;

/* MAP1    elementwise:  out[i] = f(x[i]) */
#define SNAKE_PROTO_MAP1(fn, T, A, L)                                          \
    void fn(intptr_t n,                                                     \
            const T *_Nonnull x, intptr_t x_step,                           \
            T *_Nonnull out, intptr_t out_step, intptr_t grain) L;

/* MAP2    elementwise:  out[i] = f(x[i], y[i]) */
#define SNAKE_PROTO_MAP2(fn, T, A, L)                                          \
    void fn(intptr_t n,                                                     \
            const T *_Nonnull x, intptr_t x_step,                           \
            const T *_Nonnull y, intptr_t y_step,                           \
            T *_Nonnull out, intptr_t out_step, intptr_t grain) L;

/* MAP3    elementwise:  out[i] = f(x[i], y[i], z[i]) */
#define SNAKE_PROTO_MAP3(fn, T, A, L)                                          \
    void fn(intptr_t n,                                                     \
            const T *_Nonnull x, intptr_t x_step,                                    \
            const T *_Nonnull y, intptr_t y_step,                                    \
            const T *_Nonnull z, intptr_t z_step,                                    \
            T *_Nonnull out, intptr_t out_step, intptr_t grain) L;

/* WINDOW  (n),()->(n):  out[r, i] = Σ x[r, max(0, i-w+1) ... i], w = w[r] >= 1
 * (the glue has checked every w before the call). */
#define SNAKE_PROTO_WINDOW(fn, T, A, L)                                        \
    void fn(intptr_t rows, intptr_t n,                                      \
            const T *_Nonnull x, intptr_t x_row, intptr_t x_step,           \
            const intptr_t *_Nonnull w, intptr_t w_row,                     \
            A *_Nonnull out, intptr_t out_row, intptr_t out_step,           \
            intptr_t grain) L;

/* HIST    (n),(),()->(m):  out[r, 0..m) = int64 counts of x[r, 0..n) in m
 * equal bins on [lo[r], hi[r]] (the glue has checked lo < hi, both finite,
 * and m >= 1). */
#define SNAKE_PROTO_HIST(fn, T, A, L)                                          \
    void fn(intptr_t rows, intptr_t n, intptr_t m,                          \
            const T *_Nonnull x, intptr_t x_row, intptr_t x_step,           \
            const double *_Nonnull lo, intptr_t lo_row,                     \
            const double *_Nonnull hi, intptr_t hi_row,                     \
            int64_t *_Nonnull out, intptr_t out_row, intptr_t out_step,     \
            intptr_t grain) L;

/* ---- SIMD tiers -----------------------------------------------------------
 * The kernel sources are compiled once per tier (Package.swift): x86-64 has
 * baseline (x86-64, SSE2), avx2 (x86-64-v3: AVX2, FMA) and avx512
 * (x86-64-v4); other targets have the baseline only (NEON on aarch64).
 * Each tier's exported symbols end in its name, snake_relu_f64_avx2, and the
 * glue binds every loop to one tier at import. each_tier.def repeats the
 * table once per tier (for code per tier); SNAKE_TIERS(X) lists the
 * tiers this build compiled, worst first, as X(tier, a); Package.swift defines
 * SNAKE_X86_TIERS for the glue exactly when it builds the x86 ones. */
#ifdef SNAKE_X86_TIERS
#define SNAKE_TIERS(X, a) X(baseline, a) X(avx2, a) X(avx512, a)
#else
#define SNAKE_TIERS(X, a) X(baseline, a)
#endif
#define SNAKE_ONE_TIER_(tier, a) +1
#define SNAKE_NTIERS (0 SNAKE_TIERS(SNAKE_ONE_TIER_, 0))

#define SNAKE_STR_(x) #x
#define SNAKE_STR(x) SNAKE_STR_(x)
#define SNAKE_SYM_(name, code, tier) snake_##name##_##code##_##tier
#define SNAKE_SYM(name, code, tier) SNAKE_SYM_(name, code, tier)

#ifdef SNAKE_TIER
/* Seen by a tier's Swift module (-Xcc -DSNAKE_TIER=avx2): the prototypes
 * keep the plain name, snake_relu_f64, which the Swift source implements
 * with `@c @implementation`; the asm label gives the symbol its tier
 * suffix, so one source yields one symbol set per tier. */
#define SNAKE_TIER_LABEL(fn) \
    __asm__(SNAKE_STR(__USER_LABEL_PREFIX__) #fn "_" SNAKE_STR(SNAKE_TIER))
#define SNAKE_PROTO_(name, kind, code, T, A) \
    SNAKE_PROTO_##kind(snake_##name##_##code, T, A, SNAKE_TIER_LABEL(snake_##name##_##code))
#define SNAKE_KERNEL(name, kind, dtypes, mt_grain, doc) \
    SNAKE_DTYPES_##dtypes(SNAKE_PROTO_, name, kind)
#include "kernels.def"
#undef SNAKE_KERNEL
#else
/* Seen by the glue: every compiled tier's symbols,
 * snake_<name>_<code>_<tier>. */
#define SNAKE_PROTO_(name, kind, code, T, A) \
    SNAKE_PROTO_##kind(SNAKE_SYM(name, code, SNAKE_EACH_TIER), T, A, )
#define SNAKE_KERNEL(name, kind, dtypes, mt_grain, doc) \
    SNAKE_DTYPES_##dtypes(SNAKE_PROTO_, name, kind)
#include "each_tier.def"
#undef SNAKE_KERNEL
#endif

/* ---- memory hints --------------------------------------------------------- */

/* Ask for the cache line at `p` ahead of a load the hardware prefetchers
 * will not predict (rolling_sum walks each block backwards). Never faults;
 * Swift has no intrinsic for it, and inlines this one. */
static inline void snake_prefetch(const void *_Nonnull p) { __builtin_prefetch(p, 0, 3); }

/* Non-temporal ("streaming") stores of one 64-byte vector to a 64-byte
 * aligned address: written around the caches, so a large output does not
 * first read every line it is about to overwrite, nor evict the input.
 * Swift has no intrinsic for them; it imports these vector types as
 * SIMD8<Double> / SIMD16<Float> / SIMD8<UInt64> and inlines the functions
 * (one vmovntpd / vmovntdq on AVX-512, two on AVX2, four movntpd / movntdq
 * on SSE2, stnp pairs on AArch64).
 * `p` must be 64-byte aligned: the store faults otherwise. */
typedef double snake_f64x8 __attribute__((ext_vector_type(8)));
typedef float snake_f32x16 __attribute__((ext_vector_type(16)));
static inline void snake_stream_f64x8(double *_Nonnull p, snake_f64x8 v) {
    __builtin_nontemporal_store(v, (snake_f64x8 *)__builtin_assume_aligned(p, 64));
}
static inline void snake_stream_f32x16(float *_Nonnull p, snake_f32x16 v) {
    __builtin_nontemporal_store(v, (snake_f32x16 *)__builtin_assume_aligned(p, 64));
}
typedef unsigned long long snake_u64x8 __attribute__((ext_vector_type(8)));
static inline void snake_stream_u64x8(unsigned long long *_Nonnull p, snake_u64x8 v) {
    __builtin_nontemporal_store(v, (snake_u64x8 *)__builtin_assume_aligned(p, 64));
}
/* Streaming stores are weakly ordered: fence them before the results are
 * published to another thread (the pool's release) or the caller. */
static inline void snake_stream_fence(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_sfence();
#else
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
#endif
}

/* ---- lane shuffles ---------------------------------------------------------- */

/* Running sums across the lanes of a vector of eight 64-bit integers (lane
 * k: v[0] + ... + v[k], modulo 2^64): three steps, each adding the vector
 * shifted up by 1, 2 and 4 lanes with zeros shifted in (one shuffle each).
 * Swift imports the type as SIMD8<UInt64>; the same shifts written as Swift
 * lane lists came out as 128-bit pieces (IntegerKernels.swift). */
static inline __attribute__((always_inline)) snake_u64x8 snake_prefix_u64x8(snake_u64x8 v) {
    const snake_u64x8 zero = {0, 0, 0, 0, 0, 0, 0, 0};
    v += __builtin_shufflevector(zero, v, 7, 8, 9, 10, 11, 12, 13, 14);
    v += __builtin_shufflevector(zero, v, 6, 7, 8, 9, 10, 11, 12, 13);
    v += __builtin_shufflevector(zero, v, 4, 5, 6, 7, 8, 9, 10, 11);
    return v;
}

/* Eight elements at p (any alignment) widened to 64 bits: the bits of
 * int64(p[k]). In Swift, SIMD8<UInt8> -> SIMD8<UInt64> came out as byte
 * loads and lane inserts; here one vpmovzxbq / vpmovsxdq on AVX-512. */
typedef unsigned char snake_u8x8 __attribute__((ext_vector_type(8)));
typedef int snake_i32x8 __attribute__((ext_vector_type(8)));
typedef long long snake_i64x8 __attribute__((ext_vector_type(8)));
static inline __attribute__((always_inline)) snake_u64x8 snake_widen_u8x8(const unsigned char *_Nonnull p) {
    snake_u8x8 v;
    __builtin_memcpy(&v, p, sizeof v);
    return __builtin_convertvector(v, snake_u64x8);
}
static inline __attribute__((always_inline)) snake_u64x8 snake_widen_i32x8(const int *_Nonnull p) {
    snake_i32x8 v;
    __builtin_memcpy(&v, p, sizeof v);
    return (snake_u64x8)__builtin_convertvector(v, snake_i64x8);
}

/* Eight float32 lanes converted to float64 (exact), and back (rounded):
 * Float.widen and Float.narrow, the column paths. Swift's SIMD8<Double>(SIMD8<Float>) stayed an out-of-line
 * call in an unrolled loop (8 calls a step, each through the stack); this
 * is one vcvtps2pd on AVX-512. */
typedef float snake_f32x8 __attribute__((ext_vector_type(8)));
static inline __attribute__((always_inline)) snake_f64x8 snake_widen_f32x8(snake_f32x8 v) {
    return __builtin_convertvector(v, snake_f64x8);
}
static inline __attribute__((always_inline)) snake_f32x8 snake_narrow_f64x8(snake_f64x8 v) {
    return __builtin_convertvector(v, snake_f32x8);  /* rounded to nearest */
}

/* 8 x 8 transposes of float64 tiles, rolling_sum's lanes (RollingSum.swift):
 * row i of the result is element i of every input. The textbook form:
 * pairs interleaved, then 128-bit quarters (two rounds). Written in Swift
 * with SIMD8's even and odd halves, LLVM combined the rounds into chains of
 * two-source permutes (about 30 vpermt2pd a tile, with register copies; the
 * transposes and memory traffic alone took 0.56-0.59 ns per element of the
 * kernel's 0.76-0.88); here it is 8 vunpck and 16 vshuff64x2 on AVX-512
 * (the kernel 0.41-0.56), and the same shuffles on two halves elsewhere. */
#define SNAKE_TRANSPOSE_F64X8(r0, r1, r2, r3, r4, r5, r6, r7, o)                                   \
    do {                                                                                         \
        snake_f64x8 t0 = __builtin_shufflevector(r0, r1, 0, 8, 2, 10, 4, 12, 6, 14);             \
        snake_f64x8 t1 = __builtin_shufflevector(r0, r1, 1, 9, 3, 11, 5, 13, 7, 15);             \
        snake_f64x8 t2 = __builtin_shufflevector(r2, r3, 0, 8, 2, 10, 4, 12, 6, 14);             \
        snake_f64x8 t3 = __builtin_shufflevector(r2, r3, 1, 9, 3, 11, 5, 13, 7, 15);             \
        snake_f64x8 t4 = __builtin_shufflevector(r4, r5, 0, 8, 2, 10, 4, 12, 6, 14);             \
        snake_f64x8 t5 = __builtin_shufflevector(r4, r5, 1, 9, 3, 11, 5, 13, 7, 15);             \
        snake_f64x8 t6 = __builtin_shufflevector(r6, r7, 0, 8, 2, 10, 4, 12, 6, 14);             \
        snake_f64x8 t7 = __builtin_shufflevector(r6, r7, 1, 9, 3, 11, 5, 13, 7, 15);             \
        snake_f64x8 u0 = __builtin_shufflevector(t0, t2, 0, 1, 4, 5, 8, 9, 12, 13);              \
        snake_f64x8 u1 = __builtin_shufflevector(t1, t3, 0, 1, 4, 5, 8, 9, 12, 13);              \
        snake_f64x8 u2 = __builtin_shufflevector(t0, t2, 2, 3, 6, 7, 10, 11, 14, 15);            \
        snake_f64x8 u3 = __builtin_shufflevector(t1, t3, 2, 3, 6, 7, 10, 11, 14, 15);            \
        snake_f64x8 u4 = __builtin_shufflevector(t4, t6, 0, 1, 4, 5, 8, 9, 12, 13);              \
        snake_f64x8 u5 = __builtin_shufflevector(t5, t7, 0, 1, 4, 5, 8, 9, 12, 13);              \
        snake_f64x8 u6 = __builtin_shufflevector(t4, t6, 2, 3, 6, 7, 10, 11, 14, 15);            \
        snake_f64x8 u7 = __builtin_shufflevector(t5, t7, 2, 3, 6, 7, 10, 11, 14, 15);            \
        o[0] = __builtin_shufflevector(u0, u4, 0, 1, 4, 5, 8, 9, 12, 13);                         \
        o[1] = __builtin_shufflevector(u1, u5, 0, 1, 4, 5, 8, 9, 12, 13);                         \
        o[2] = __builtin_shufflevector(u2, u6, 0, 1, 4, 5, 8, 9, 12, 13);                         \
        o[3] = __builtin_shufflevector(u3, u7, 0, 1, 4, 5, 8, 9, 12, 13);                         \
        o[4] = __builtin_shufflevector(u0, u4, 2, 3, 6, 7, 10, 11, 14, 15);                       \
        o[5] = __builtin_shufflevector(u1, u5, 2, 3, 6, 7, 10, 11, 14, 15);                       \
        o[6] = __builtin_shufflevector(u2, u6, 2, 3, 6, 7, 10, 11, 14, 15);                       \
        o[7] = __builtin_shufflevector(u3, u7, 2, 3, 6, 7, 10, 11, 14, 15);                       \
    } while (0)

/* Rows r0..r7 transposed into the 64 doubles at p. */
static inline __attribute__((always_inline)) void snake_transpose_f64x8(
    snake_f64x8 r0, snake_f64x8 r1, snake_f64x8 r2, snake_f64x8 r3,
    snake_f64x8 r4, snake_f64x8 r5, snake_f64x8 r6, snake_f64x8 r7, double *_Nonnull p) {
    snake_f64x8 o[8];
    SNAKE_TRANSPOSE_F64X8(r0, r1, r2, r3, r4, r5, r6, r7, o);
    __builtin_memcpy(p, o, sizeof o);
}
/* The 8 rows at p (64 doubles) transposed and stored (unaligned) at o + k * lane,
 * k = 0..7 (lane in elements): as float64, or rounded to float32. */
static inline __attribute__((always_inline)) void snake_transpose_store_f64(
    const double *_Nonnull p, double *_Nonnull o, intptr_t lane) {
    snake_f64x8 r[8], t[8];
    __builtin_memcpy(r, p, sizeof r);
    SNAKE_TRANSPOSE_F64X8(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], t);
    for (int k = 0; k < 8; k++) __builtin_memcpy(o + k * lane, &t[k], sizeof t[k]);
}
static inline __attribute__((always_inline)) void snake_transpose_store_f32(
    const double *_Nonnull p, float *_Nonnull o, intptr_t lane) {
    snake_f64x8 r[8], t[8];
    __builtin_memcpy(r, p, sizeof r);
    SNAKE_TRANSPOSE_F64X8(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], t);
    for (int k = 0; k < 8; k++) {
        snake_f32x8 v = __builtin_convertvector(t[k], snake_f32x8);
        __builtin_memcpy(o + k * lane, &v, sizeof v);
    }
}

/* ---- platform (abi.c) ---------------------------------------------------- */

/* CPUs this process may run on (affinity mask on Linux), >= 1. */
intptr_t snake_available_cpus(void);

/* ---- CPU features (cpu.c) ------------------------------------------------ */

/* The features this CPU and OS support, by name ("avx2", "avx512f", ...),
 * from the list cpu.c knows; writes at most `cap` names, returns the count. */
int snake_cpu_features(const char *_Nonnull *_Nonnull names, int cap);

/* The best SIMD tier level the CPU can run: 0 baseline, 1 avx2
 * (x86-64-v3), 2 avx512 (x86-64-v4); always 0 off x86-64. A build may have
 * fewer tiers (SNAKE_TIERS): clamp to SNAKE_NTIERS - 1. */
int snake_cpu_level(void);

/* ---- thread pool --------------------------------------------------------- */

/* Threads the `_mt` kernels may use (>= 1). Defaults to the CPUs this
 * process may run on. */
intptr_t snake_get_num_threads(void);
/* Set it; values < 1 mean 1. Takes effect at the next `_mt` call. */
void snake_set_num_threads(intptr_t n);

#endif /* SNAKE_ABI_H */
