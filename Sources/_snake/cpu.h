/* What the CPU offers, for choosing a SIMD tier at import (cpu.c). */
#ifndef SNAKE_CPU_H
#define SNAKE_CPU_H

/* The features this CPU and OS support, by name ("avx2", "avx512f", ...),
 * from the list cpu.c knows; writes at most `cap` names, returns the count. */
int snake_cpu_features(const char **names, int cap);

/* The best tier the CPU can run, as an index into SNAKE_TIERS (0 is the
 * baseline, which every CPU of the target architecture runs). */
int snake_cpu_best_tier(void);

#endif
