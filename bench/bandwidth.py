"""This machine's memory bandwidth, measured in the benchmark's own process.

Three streams over an array far larger than the last-level cache, each on one
core and on every core (the array split into one contiguous chunk per
thread; NumPy releases the GIL in both loops):

- read-only: the fastest of several NumPy readers that read every byte once
  (`np.sum`, pairwise and vectorised, and BLAS `x @ x` on one thread: ddot
  over a single stream);
- read-write: `np.copyto` into a preallocated array (memcpy; glibc writes
  a copy this large with streaming stores, around the caches);
- write-only: `ndarray.fill` of a preallocated array with a nonzero value,
  through the caches (ordinary stores: the core reads each line before it
  overwrites it). It bounds a kernel that writes its output that way: its
  time is at least its output's bytes at this rate.

Each stream's threads are released together and a measurement counts only
if they all ran at once (`chunked_span`). bench.py measures the streams
before and after the rows and takes the faster of each: on this shared
machine one measurement can fall in a slow spell.

Bytes count what a stream must move: 8 per float64 read, 16 per element
copied (one read, one write), 8 per element written, best of several repeats. A kernel's bandwidth
counts the same minimum: each input array read once, each output array of
the input's shape written once (`moved_bytes`).
"""
from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np

# The kernels whose speed at large n is the memory's, not the arithmetic's.
MEMORY_BOUND = ("sum_sq", "dot", "argmax", "clip", "scale", "saxpy", "relu", "normalize", "cumsum", "variance")


def moved_bytes(args, result) -> int:
    """Minimum bytes a kernel call moves: every input array read once, and
    the result written once if it is an array of the input's shape."""
    arrays = [a for a in args if isinstance(a, np.ndarray) and a.ndim > 0]
    written = result.nbytes if writes_array(args, result) else 0
    return sum(a.nbytes for a in arrays) + written


def writes_array(args, result) -> bool:
    """Whether a kernel returns an array shaped like its first input (elementwise, scans)."""
    return isinstance(result, np.ndarray) and result.shape == np.shape(args[0]) and result.ndim > 0


# Rows whose output snake writes through the caches at 1e7 (ordinary
# stores: `streamsSums` in Sources/SnakeKernels/Integers/IntegerKernels.swift,
# on the AVX2 and AVX-512 tiers), where writing the output alone can bound
# _mt: rolling_sum on uint8 writes 8 bytes of int64 per byte it reads.
# bench.py times `best_write_floor` on their output beside them.
ORDINARY_STORES = {("rolling_sum", "uint8")}


_pools: dict[int, ThreadPoolExecutor] = {}


def _pool(threads: int) -> ThreadPoolExecutor:
    return _pools.get(threads) or _pools.setdefault(threads, ThreadPoolExecutor(threads))


def chunked_span(fn, threads: int, *arrays, overlap: bool = True) -> float | None:
    """Seconds for `fn` over one contiguous chunk of each array per thread:
    from the first thread's start to the last one's end, the threads (kept
    between calls) released together by a barrier, so the hand-off to them
    is not counted but nothing that ran is left out. None where the threads
    did not all run at once (one started after another had finished, on a
    busy machine): such a call would pass for a stream that does not scale."""
    chunks = list(zip(*(np.array_split(a.reshape(-1), threads) for a in arrays)))
    start = threading.Barrier(threads, timeout=10)

    def one(parts):
        try:
            start.wait()
        except threading.BrokenBarrierError:
            return None
        t0 = time.perf_counter()
        fn(*parts)
        return t0, time.perf_counter()

    spans = list(_pool(threads).map(one, chunks))
    if None in spans:
        return None
    if overlap and max(begin for begin, _ in spans) >= min(end for _, end in spans):
        return None
    return max(end for _, end in spans) - min(begin for begin, _ in spans)


def write_floor(out: np.ndarray, threads: int) -> float | None:
    """Seconds to fill `out` with ordinary stores on `threads` threads
    (`chunked_span`)."""
    return chunked_span(lambda part: part.fill(1), threads, out)


def best_write_floor(out: np.ndarray, threads: int, repeat: int, min_time: float) -> float | None:
    """Seconds per `write_floor` call, timed as snake._bench.best_time times
    a contender: the best of `repeat` batches of at least `min_time` seconds
    (the mean of the batch's spans), calls whose threads did not overlap left
    out. None if no call overlapped."""
    write_floor(out, threads)  # page-in, threads started
    best = None
    for _ in range(repeat):
        spans, t0 = [], time.perf_counter()
        while time.perf_counter() - t0 < min_time or not spans:
            span = write_floor(out, threads)
            if span is not None:
                spans.append(span)
            if time.perf_counter() - t0 > 20 * min_time + 1:  # the threads never ran at once
                break
        if spans:
            mean = sum(spans) / len(spans)
            best = mean if best is None else min(best, mean)
    return best


def _best_seconds(fn, threads: int, repeat: int, *arrays) -> float:
    """Best of `repeat` `chunked_span` calls whose threads overlapped (up to
    four times as many tries). If none did, the best of `repeat` calls
    counted from the first start to the last end anyway: a lower bound of
    the bandwidth, where the machine did not run the threads together."""
    chunked_span(fn, threads, *arrays)  # page-in, threads started
    spans = []
    for _ in range(4 * repeat):
        span = chunked_span(fn, threads, *arrays)
        if span is not None:
            spans.append(span)
            if len(spans) == repeat:
                break
    if not spans:
        spans = [s for s in (chunked_span(fn, threads, *arrays, overlap=False) for _ in range(repeat))
                 if s is not None]
    if not spans:
        raise RuntimeError(f"bandwidth probe: {threads} threads never started together")
    return min(spans)


READERS = {"np.sum": np.sum, "BLAS x @ x": lambda x: x @ x}  # BLAS pinned to one thread per chunk


def measure(n: int, threads: int, repeat: int = 5) -> dict:
    """GB/s of a read-only and a copy stream over n float64, on 1 and on
    `threads` threads: {"read_1t": (GB/s, reader), "copy_1t": ..., "write_1t": ..., "read_mt": ...,
    "copy_mt": ..., "write_mt": ...}."""
    from threadpoolctl import threadpool_limits
    x = np.ones(n)
    y = np.zeros(n)
    result = {}
    # Other runtimes' worker threads spin after their last call (OpenBLAS's
    # for about 105 ms here, bench/README.md) and would take the second core.
    time.sleep(0.5)
    with threadpool_limits(limits=1, user_api="blas"):
        for suffix, k in (("1t", 1), ("mt", threads)):
            reads = {name: _best_seconds(fn, k, repeat, x) for name, fn in READERS.items()}
            reader = min(reads, key=reads.get)
            result["read_" + suffix] = (x.nbytes / reads[reader] / 1e9, reader)
            copy = _best_seconds(np.copyto, k, repeat, y, x)
            result["copy_" + suffix] = (2 * x.nbytes / copy / 1e9, "np.copyto")
            write = _best_seconds(lambda part: part.fill(1.0), k, repeat, y)
            result["write_" + suffix] = (y.nbytes / write / 1e9, "ndarray.fill")
    return result


def best_of(*measures: dict) -> dict:
    """Each stream's fastest measurement of several `measure` results."""
    return {key: max((m[key] for m in measures), key=lambda v: v[0]) for key in measures[0]}


def limit_for(bandwidth: dict, writes: bool, threaded: bool) -> float:
    """The stream a kernel is measured against: copy for kernels that write
    an array, read-only for reductions; one core or every core."""
    return bandwidth[("copy_" if writes else "read_") + ("mt" if threaded else "1t")][0]
