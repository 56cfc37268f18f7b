"""The `_mt` twins: same answers as the single-threaded kernels, on any thread
count, from many Python threads at once, and after fork().

Every kernel in the table with mt_grain > 0 is tested against its twin (the
kernel named without `_mt`), so new twins are covered automatically.
"""
import bisect
import concurrent.futures
import multiprocessing
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
import warnings

import numpy as np
import pytest

import snake
from arrays import make_values
from kinds import KINDS, bits
from references import base_name

BY_NAME = {k.name: k for k in snake.kernels()}
MT = [k for k in snake.kernels() if k.mt_grain > 0]
MT_IDS = [k.name for k in MT]
SUMS = ("REDUCE", "REDUCE2")
# Kinds whose _mt results differ from single-threaded by rounding (partial
# sums combined in another order); the others must be bit-identical.
ROUNDED = SUMS + ("VEC",)


def test_there_are_mt_kernels_and_twins():
    assert MT, "the table should register at least one _mt twin"
    for k in MT:
        assert k.name.endswith("_mt") and base_name(k.name) in BY_NAME


def twin(kernel):
    return BY_NAME[base_name(kernel.name)].function


# The non-float operands: a window well below the chunk length (overlapping
# chunks; test_rolling_sum_mt_long_windows covers the rest), and bins / range.
EXTRA_OPERANDS = {"WINDOW": (100,), "HIST": (64, -2.5, 2.5)}


def big_inputs(kernel, shape, flavor, seed, dtype=np.float64):
    """The kernel's operands: float arrays of `shape` from one value flavor
    (arrays.py), then any fixed non-float operands."""
    rng = np.random.default_rng(seed)
    size = int(np.prod(shape))
    nfloat = kernel.ufunc.nin if KINDS[kernel.kind].float_operands else 1
    for_sums = kernel.kind in ROUNDED + ("WINDOW",)
    return tuple(make_values(size, dtype, flavor, rng, for_sums=for_sums).reshape(shape)
                 for _ in range(nfloat)) + EXTRA_OPERANDS.get(kernel.kind, ())


def assert_agrees(kernel, inputs, got, want):
    """Sums within 1e-12 of Σ|terms| (a float32 result may differ by rounding
    once more); index and elementwise kinds bit-identical."""
    got, want = np.asarray(got), np.asarray(want)
    assert got.dtype == want.dtype and got.shape == want.shape
    if kernel.kind in ROUNDED:
        # Σ|terms| = the twin on |inputs| for sums of products / squares.
        scale = np.asarray(twin(kernel)(*(np.abs(x) for x in inputs)), dtype=np.float64)
        # variance(|x|) is no bound for variance(x): use the result's size too.
        scale = np.maximum(scale, np.abs(np.asarray(want, dtype=np.float64)))
        rtol = max(1e-12, 4 * float(np.finfo(got.dtype).eps))
        if kernel.kind == "VEC":  # every output depends on a whole-row sum: n·eps
            rtol = max(rtol, 4 * inputs[0].shape[-1] * float(np.finfo(got.dtype).eps))
        finite = np.isfinite(want)
        assert np.array_equal(got[~finite], want[~finite], equal_nan=True)
        err = np.abs(got[finite].astype(np.float64) - want[finite])
        assert (err <= rtol * scale[finite]).all(), f"max error {err.max():.3g}"
    else:
        assert np.array_equal(bits(got), bits(want))


# Long single rows (split within a row) and many rows (split across rows).
SHAPES = [(3_000_000,), (64, 50_000), (5, 400_000)]
LARGE_CASES = [(s, f) for s in SHAPES for f in ("normal", "ties", "nonfinite")] + [((1_000_003,), "extremes")]


def relayout(x):
    """Same values, non-unit core stride: reversed (1-D) or Fortran order (2-D)."""
    return x[::-1].copy()[::-1] if x.ndim == 1 else np.asfortranarray(x)


@pytest.mark.parametrize("kernel", MT, ids=MT_IDS)
@np.errstate(over="ignore", invalid="ignore")  # extreme values overflow in scale/saxpy, as in NumPy
def test_mt_agrees_with_twin_on_large_input(kernel, restore_threads):
    for i, (shape, flavor) in enumerate(LARGE_CASES):
        for dtype in (np.float64, np.float32):
            xs = big_inputs(kernel, shape, flavor, seed=i, dtype=dtype)
            want = twin(kernel)(*xs)
            for threads in (2, 3):
                snake.set_num_threads(threads)
                assert_agrees(kernel, xs, kernel.function(*xs), want)
            strided = tuple(relayout(x) if isinstance(x, np.ndarray) else x for x in xs)  # same values
            assert_agrees(kernel, xs, kernel.function(*strided), want)


@pytest.mark.parametrize("kernel", MT, ids=MT_IDS)
def test_mt_with_one_thread_is_the_single_threaded_kernel(kernel, restore_threads):
    xs = big_inputs(kernel, (2_000_000,), "normal", seed=7)
    snake.set_num_threads(1)
    assert np.array_equal(bits(kernel.function(*xs)), bits(twin(kernel)(*xs)))
    snake.set_num_threads(2)  # and 2 threads stays within tolerance of it
    assert_agrees(kernel, xs, kernel.function(*xs), twin(kernel)(*xs))


@pytest.mark.parametrize("kernel", MT, ids=MT_IDS)
def test_mt_small_input_is_single_threaded_and_exact(kernel, restore_threads):
    """Below 2 * mt_grain elements the twin must give the same bits."""
    snake.set_num_threads(4)
    for n in (0, 1, 17, 2 * kernel.mt_grain - 1):
        if KINDS[kernel.kind].empty_raises and n == 0:
            continue
        xs = big_inputs(kernel, (n,), "normal", seed=n)
        assert np.array_equal(bits(kernel.function(*xs)), bits(twin(kernel)(*xs)))


@pytest.mark.parametrize("kernel", MT, ids=MT_IDS)
@np.errstate(over="ignore", invalid="ignore")
def test_mt_is_deterministic(kernel, restore_threads):
    snake.set_num_threads(2)
    for shape in ((3_000_001,), (64, 50_000)):
        xs = big_inputs(kernel, shape, "extremes", seed=3)
        first = bits(kernel.function(*xs))
        for _ in range(4):
            assert np.array_equal(bits(kernel.function(*xs)), first)


def test_set_num_threads_round_trip(restore_threads):
    for n in (1, 2, 3, 7, 64):
        snake.set_num_threads(n)
        assert snake.get_num_threads() == n
        assert snake.build_info()["threads"] == n
    for bad in (0, -1, -(2**40)):
        with pytest.raises(ValueError, match=">= 1"):
            snake.set_num_threads(bad)
    for bad in ("2", 2.0, None):
        with pytest.raises(TypeError):
            snake.set_num_threads(bad)
    with pytest.raises(OverflowError):
        snake.set_num_threads(2**80)
    assert snake.get_num_threads() == 64  # failed calls change nothing


# ---- many Python threads at once ----------------------------------------------


@pytest.mark.parametrize("kernel", MT, ids=MT_IDS)
def test_concurrent_python_threads(kernel, restore_threads):
    """8 threads call the twin at once (the pool is busy for all but one, so the
    others must fall back to running serially), while another thread keeps
    changing the thread count; every result must still be right."""
    snake.set_num_threads(2)
    jobs = [big_inputs(kernel, (1_000_000,) if i % 2 else (16, 40_000), "normal", seed=100 + i)
            for i in range(8)]
    wants = [twin(kernel)(*xs) for xs in jobs]
    stop = threading.Event()

    def toggle():
        while not stop.is_set():
            for n in (1, 2, 3):
                snake.set_num_threads(n)
            time.sleep(0.001)

    def work(i):
        for _ in range(5):
            assert_agrees(kernel, jobs[i], kernel.function(*jobs[i]), wants[i])
        return i

    toggler = threading.Thread(target=toggle)
    toggler.start()
    try:
        with concurrent.futures.ThreadPoolExecutor(8) as ex:
            done = list(ex.map(work, range(8), timeout=60))
    finally:
        stop.set()
        toggler.join()
    assert done == list(range(8))


# ---- fork ------------------------------------------------------------------------


def fork_and_wait(child, timeout=30.0):
    """Run child() in a forked process; return its exit code (-1: it hung)."""
    with warnings.catch_warnings():  # Python >= 3.12 warns about fork with threads
        warnings.simplefilter("ignore", DeprecationWarning)
        pid = os.fork()
    if pid == 0:  # child: never return into pytest
        code = 1
        try:
            code = 0 if child() else 3
        finally:
            os._exit(code)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return os.waitstatus_to_exitcode(status)
        time.sleep(0.01)
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    return -1


def mt_result_ok(kernel, xs, want):
    try:
        assert_agrees(kernel, xs, kernel.function(*xs), want)
        return True
    except AssertionError:
        return False


@pytest.mark.parametrize("kernel", MT, ids=MT_IDS)
def test_fork_after_pool_use(kernel, restore_threads):
    snake.set_num_threads(2)
    xs = big_inputs(kernel, (3_000_000,), "normal", seed=11)
    want = twin(kernel)(*xs)
    assert mt_result_ok(kernel, xs, want)  # the parent's pool now has live workers
    assert fork_and_wait(lambda: mt_result_ok(kernel, xs, want)) == 0
    # The child's pool is its own; the parent's still works afterwards.
    assert mt_result_ok(kernel, xs, want)


@pytest.mark.parametrize("kernel", MT, ids=MT_IDS)
def test_fork_while_another_thread_is_in_the_pool(kernel, restore_threads):
    snake.set_num_threads(2)
    xs = big_inputs(kernel, (2_000_000,), "normal", seed=12)
    want = twin(kernel)(*xs)
    stop = threading.Event()
    errors = []

    def busy():
        while not stop.is_set():
            if not mt_result_ok(kernel, xs, want):
                errors.append("wrong result in parent thread")

    t = threading.Thread(target=busy)
    t.start()
    try:
        codes = [fork_and_wait(lambda: mt_result_ok(kernel, xs, want)) for _ in range(5)]
    finally:
        stop.set()
        t.join()
    assert codes == [0] * 5 and not errors


def _mp_worker(args):
    name, seed = args
    kernel = BY_NAME[name]
    xs = big_inputs(kernel, (1_500_000,), "normal", seed=seed)
    return mt_result_ok(kernel, xs, twin(kernel)(*xs))


@pytest.mark.parametrize("kernel", MT, ids=MT_IDS)
def test_multiprocessing_fork_pool(kernel, restore_threads):
    snake.set_num_threads(2)
    xs = big_inputs(kernel, (3_000_000,), "normal", seed=13)
    assert mt_result_ok(kernel, xs, twin(kernel)(*xs))  # warm the parent's pool
    ctx = multiprocessing.get_context("fork")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        with ctx.Pool(2) as pool:
            results = pool.map_async(_mp_worker, [(kernel.name, s) for s in range(4)]).get(timeout=60)
    assert results == [True] * 4


# ---- SNAKE_NUM_THREADS -------------------------------------------------------------


def run_python(*code, **env_extra):
    """Run the code snippets (each dedented) in a fresh interpreter."""
    env = dict(os.environ)
    env.pop("SNAKE_NUM_THREADS", None)
    env.update(env_extra)
    # The child must import the same snake as this process.
    snake_root = os.path.dirname(os.path.dirname(snake.__file__))
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [snake_root, env.get("PYTHONPATH")]))
    return subprocess.run([sys.executable, "-c", "\n".join(map(textwrap.dedent, code))], env=env,
                          capture_output=True, text=True, timeout=60)


MT_CHECK = """
    import numpy as np, snake
    from snake import kernels
    for k in kernels():
        if k.mt_grain:
            base = getattr(snake, k.name[:-3])
            extra = {"WINDOW": (100,), "HIST": (64, -2.5, 2.5)}.get(k.kind)
            nfloat = 1 if extra else k.ufunc.nin
            xs = [np.random.default_rng(i).standard_normal(4 * k.mt_grain + 3) for i in range(nfloat)]
            xs += extra or ()
            a, b = k.function(*xs), base(*xs)
            # Running sums cross zero: absolute slack on the row's scale.
            assert np.allclose(a, b, rtol=1e-12, atol=1e-12 * np.abs(b).max()), (k.name, a, b)
"""


def test_env_var_sets_thread_count():
    r = run_python("import snake; print(snake.get_num_threads())", MT_CHECK, SNAKE_NUM_THREADS=" 3 ")
    assert r.returncode == 0, r.stderr
    assert r.stdout.split() == ["3"] and r.stderr == ""


def test_env_var_invalid_values_warn_and_fall_back():
    default = run_python("import snake; print(snake.get_num_threads())")
    assert default.returncode == 0, default.stderr
    assert int(default.stdout) == len(os.sched_getaffinity(0))
    for bad in ("0", "-2", "abc", "1.5"):
        r = run_python("import snake; print(snake.get_num_threads())", SNAKE_NUM_THREADS=bad)
        assert r.returncode == 0, r.stderr
        assert r.stdout == default.stdout
        assert "SNAKE_NUM_THREADS" in r.stderr and "RuntimeWarning" in r.stderr
    r = run_python("import snake", SNAKE_NUM_THREADS="")  # empty means unset, silently
    assert r.returncode == 0 and r.stderr == ""


def test_default_thread_count_follows_cpu_affinity():
    r = run_python("""
        import os
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
        import snake
        print(snake.get_num_threads())
    """, MT_CHECK)
    assert r.returncode == 0, r.stderr
    assert r.stdout.split() == ["1"]


def test_threads_context_manager_sets_and_restores(restore_threads):
    snake.set_num_threads(2)
    with snake.threads(1):
        assert snake.get_num_threads() == 1
        with snake.threads(3):
            assert snake.get_num_threads() == 3
        assert snake.get_num_threads() == 1
    assert snake.get_num_threads() == 2
    with pytest.raises(RuntimeError):
        with snake.threads(1):
            raise RuntimeError("restored even on error")
    assert snake.get_num_threads() == 2
    with pytest.raises(ValueError):
        with snake.threads(0):
            pass
    assert snake.get_num_threads() == 2


def test_threadpoolctl_limits_snake(restore_threads):
    import threadpoolctl  # a test dependency (pip install .[test])
    snake.set_num_threads(2)
    info = [i for i in threadpoolctl.threadpool_info() if i["user_api"] == "snake"]
    assert len(info) == 1 and info[0]["num_threads"] == 2 and info[0]["version"] == snake.__version__
    with threadpoolctl.threadpool_limits(limits=1):
        assert snake.get_num_threads() == 1
    assert snake.get_num_threads() == 2
    with threadpoolctl.threadpool_limits(limits=1, user_api="blas"):
        assert snake.get_num_threads() == 2  # only BLAS is limited


@pytest.mark.parametrize("name,make", [
    ("sum_sq_mt", lambda x: (x,)),
    ("dot_mt", lambda x: (x, np.where(np.isinf(x), 0.0, 1.0))),
])
def test_worker_thread_fp_warnings_reach_the_caller(name, make, restore_threads):
    """Flags are per thread and NumPy reads the caller's: workers hand theirs
    over, so a chunk that overflows on a worker still warns, every time."""
    snake.set_num_threads(2)
    x = np.ones(1 << 20)
    x[-5] = 1e200 if name == "sum_sq_mt" else np.inf  # in the worker's (last) chunk
    kernel = getattr(snake, name)
    for _ in range(20):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            kernel(*make(x))
        assert len(caught) == 1 and issubclass(caught[0].category, RuntimeWarning)


@pytest.mark.parametrize("kernel", MT, ids=MT_IDS)
@np.errstate(over="ignore", invalid="ignore")
def test_mt_split_paths_with_a_small_grain(kernel, restore_threads):
    """Force every `_mt` kernel parallel at moderate sizes (the table's grain
    keeps some of them single-threaded below millions of elements), so each
    split path runs: one long row, many rows, rows fewer than threads."""
    from snake import _snake

    old = _snake._set_mt_grain(kernel.name, 1000)
    try:
        for threads in (2, 3):
            snake.set_num_threads(threads)
            for shape in [(100_003,), (7, 30_011), (2, 50_000)]:
                xs = big_inputs(kernel, shape, "normal", seed=sum(shape))
                assert_agrees(kernel, xs, kernel.function(*xs), twin(kernel)(*xs))
    finally:
        _snake._set_mt_grain(kernel.name, old)


def test_cumsum_mt_offsets_for_every_split(restore_threads):
    """cumsum_mt's first pass sums pieces of the row before its last chunk,
    cut at chunk boundaries: every length from 1 to 80 with 2-5 threads and
    grain 1 puts boundaries inside pieces, at their ends, and (n < threads²)
    takes the plain path; the longer lengths give pieces that the first pass
    sums 32 contiguous elements at a time, with scalar tails of many
    lengths after them. Integer-valued floats make both dtypes exact."""
    from snake import _snake

    rng = np.random.default_rng(3)
    old = _snake._set_mt_grain("cumsum_mt", 1)
    try:
        for threads in (2, 3, 4, 5):
            snake.set_num_threads(threads)
            for n in [*range(1, 81), *range(127 * threads, 127 * threads + 64), 10_007]:
                for dtype in (np.int64, np.float64, np.float32):
                    x = rng.integers(-1000, 1000, n).astype(dtype)
                    got = snake.cumsum_mt(x)
                    assert np.array_equal(got, np.cumsum(x)), f"n={n} threads={threads} {dtype.__name__}"
    finally:
        _snake._set_mt_grain("cumsum_mt", old)


# ---- integer loops: every _mt result is bit-identical (wrapping sums are exact)


INT_MT = [k for k in MT if any(t[0] in "Bil" for t in k.types)]


def int_inputs(kernel, shape, dtype, seed):
    rng = np.random.default_rng(seed)
    nfloat = kernel.ufunc.nin if KINDS[kernel.kind].float_operands else 1
    # full range: sums and products wrap, so the split must not change them
    xs = tuple(make_values(int(np.prod(shape)), dtype, "nonfinite", rng).reshape(shape)
               for _ in range(nfloat))
    return xs + EXTRA_OPERANDS.get(kernel.kind, ())


@pytest.mark.parametrize("kernel", INT_MT, ids=[k.name for k in INT_MT])
@pytest.mark.parametrize("dtype", [np.uint8, np.int32, np.int64])
def test_mt_integer_loops_are_bit_identical(kernel, dtype, restore_threads):
    from snake import _snake

    old = _snake._set_mt_grain(kernel.name, 1000)  # every split path, moderate sizes
    try:
        for threads in (2, 3):
            snake.set_num_threads(threads)
            for shape in [(100_003,), (7, 30_011), (2, 50_000)]:
                xs = int_inputs(kernel, shape, dtype, seed=sum(shape))
                want = twin(kernel)(*xs)
                assert np.array_equal(kernel.function(*xs), want)
    finally:
        _snake._set_mt_grain(kernel.name, old)
    snake.set_num_threads(2)  # the table's grain, a long row
    xs = int_inputs(kernel, (3_000_001,), dtype, seed=5)
    assert np.array_equal(kernel.function(*xs), twin(kernel)(*xs))


# One kernel of each (n)->() and histogram kind, whose loops release the GIL
# themselves; and controls, which NumPy already runs without it for one long
# row (its count includes the outputs' core elements). Arrays it returns go
# to `out`.
ONE_ROW_CALLS = {
    "sum_sq": lambda x, out: snake.sum_sq(x),
    "dot": lambda x, out: snake.dot(x, x),
    "argmax": lambda x, out: snake.argmax(x),
    "histogram": lambda x, out: snake.histogram(x, 64, 0.0, 1.0),
    "control: normalize": lambda x, out: snake.normalize(x, out=out),
    "control: rolling_sum": lambda x, out: snake.rolling_sum(x, 16, out=out),
    "control: relu": lambda x, out: snake.relu(x, out=out),
}
CPUS = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


@pytest.mark.skipif(CPUS < 2, reason="needs two CPUs to run a thread beside the call")
@pytest.mark.parametrize("name", sorted(ONE_ROW_CALLS))
def test_one_long_row_lets_other_threads_run(name):
    """Other Python threads run while a kernel goes through one long row
    (module.c, release_gil). A thread appends time stamps in a loop, with a
    0.1 ms switch interval. Had a call held the GIL, the stamps would stop
    for the whole kernel, most of the call; released, the longest pause is
    a small part of it. One call of six must show that (a busy machine can
    take the stamping thread's CPU away now and then)."""
    call = ONE_ROW_CALLS[name]
    n = 1 << 20
    while True:  # a row long enough for a call of >= 5 ms
        x = np.random.default_rng(3).random(n)
        out = np.empty_like(x)
        call(x, out)
        t0 = time.perf_counter()
        call(x, out)
        if time.perf_counter() - t0 >= 0.005 or n >= 1 << 24:
            break
        n *= 2
    stamps, windows = [], []
    stop = threading.Event()

    def stamp():
        while not stop.is_set():
            stamps.append(time.perf_counter())

    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-4)
    thread = threading.Thread(target=stamp)
    try:
        thread.start()
        time.sleep(0.01)
        for _ in range(6):
            t0 = time.perf_counter()
            call(x, out)
            windows.append((t0, time.perf_counter()))
    finally:
        stop.set()
        thread.join()
        sys.setswitchinterval(interval)
    shares = []
    for t0, t1 in windows:
        inside = stamps[bisect.bisect_right(stamps, t0):bisect.bisect_left(stamps, t1)]
        edges = [t0, *inside, t1]
        shares.append(max(b - a for a, b in zip(edges, edges[1:])) / (t1 - t0))
    assert min(shares) < 0.5, (
        f"{name} over {n} elements: the longest pause of the other thread took "
        f"{', '.join(f'{p:.0%}' for p in shares)} of each call")


def test_gil_release_after_a_sub_interpreter_was_created():
    """Once a sub-interpreter exists, PyGILState_Check answers 1 even in a
    thread that does not hold the GIL; a loop that trusted it would release
    a GIL NumPy had already released (relu over 1e6: NumPy runs the loop
    without it), a fatal error. Run in a child process: that would kill it."""
    try:
        import _xxsubinterpreters  # noqa: F401  (CPython 3.10-3.12)
        create = "import _xxsubinterpreters as s; s.destroy(s.create())"
    except ImportError:
        try:
            import _interpreters  # noqa: F401  (CPython 3.13+)
            create = "import _interpreters as s; s.destroy(s.create())"
        except ImportError:
            pytest.skip("this Python has no sub-interpreter module")
    code = textwrap.dedent(f"""
        {create}
        import numpy as np, snake
        x = np.linspace(-1.0, 1.0, 1_000_001)
        assert np.array_equal(snake.relu(x), np.maximum(x, 0.0))
        assert abs(float(snake.sum_sq(x)) - float(x @ x)) <= 1e-9 * float(x @ x)
        print("ok")
    """)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr[-2000:]
