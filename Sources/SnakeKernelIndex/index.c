/* The kernel index (snake_kernel_index.h), generated from kernels.def. */
#include "snake_kernel_index.h"
#include "snake_abi.h"

#include <string.h>

#define SNAKE_INDEX_ROW_(name, kind, code, T, A)                               \
    {#name, #kind, #code, SNAKE_STR(SNAKE_EACH_TIER), SNAKE_EACH_LEVEL,       \
     (int)sizeof(T), (int)sizeof(A),                                           \
     (const void *)SNAKE_SYM(name, code, SNAKE_EACH_TIER)},
#define SNAKE_KERNEL(name, kind, dtypes, mt_grain, doc) \
    SNAKE_DTYPES_##dtypes(SNAKE_INDEX_ROW_, name, kind)

const snake_kernel_entry snake_kernel_index[] = {
#include "each_tier.def"
};
#undef SNAKE_KERNEL

const int snake_kernel_index_count = (int)(sizeof snake_kernel_index / sizeof *snake_kernel_index);

const snake_kernel_entry *
snake_kernel_at(int i)
{
    return &snake_kernel_index[i];
}

intptr_t
snake_kernel_mt_grain(const char *name)
{
#define SNAKE_KERNEL(kname, kind, dtypes, mt_grain, doc) \
    if (strcmp(name, #kname) == 0) {                     \
        return (mt_grain);                               \
    }
#include "kernels.def"
#undef SNAKE_KERNEL
    return 0;
}
