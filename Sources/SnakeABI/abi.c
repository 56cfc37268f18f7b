/* Platform queries the Swift side cannot reach portably. No arithmetic. */
#define _GNU_SOURCE
#include "snake_abi.h"

#if defined(__linux__)
#include <sched.h>
#endif
#include <unistd.h>

intptr_t
snake_available_cpus(void)
{
#if defined(__linux__)
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) == 0 && CPU_COUNT(&set) > 0) {
        return CPU_COUNT(&set);
    }
#endif
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (intptr_t)n : 1;
}
