/* Every exported kernel of every compiled SIMD tier, by name: the kernel
 * table (kernels.def) crossed with the dtype sets and SNAKE_TIERS, for tools
 * that call kernels without Python (snake-bench). */
#ifndef SNAKE_KERNEL_INDEX_H
#define SNAKE_KERNEL_INDEX_H

#include <stdint.h>

typedef struct {
    const char *_Nonnull name;  /* "relu" */
    const char *_Nonnull kind;  /* "MAP1": the call shape, see snake_abi.h */
    const char *_Nonnull code;  /* "f64": element type */
    const char *_Nonnull tier;  /* "avx2" */
    int tier_level;             /* 0 baseline, 1 avx2, 2 avx512 (snake_cpu_level) */
    int item_size, result_size; /* bytes of T and of A (the result type) */
    const void *_Nonnull fn;    /* the Swift kernel, of kind's prototype */
} snake_kernel_entry;

extern const snake_kernel_entry snake_kernel_index[];
extern const int snake_kernel_index_count;

/* Entry i, 0 <= i < snake_kernel_index_count (Swift cannot see an array of
 * unknown size). */
const snake_kernel_entry *_Nonnull snake_kernel_at(int i);

/* The `_mt` twin's grain of kernel `name` (the table's mt_grain), 0 if none. */
intptr_t snake_kernel_mt_grain(const char *_Nonnull name);

#endif
