"""Every registered loop (kernel x dtype) against its scalar reference.

Driven by snake.kernels(): a kernel added to the table is tested here as soon
as it has a reference (references.REFERENCES) and its kind is known
(kinds.KINDS); both are enforced by the first two tests.
"""
import warnings
import zlib

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import snake
from arrays import LAYOUTS, grid
from kinds import KINDS, bits, hist_operands, loop_dtypes, window_for
from references import REFERENCES, base_name

LOOPS = [(k, t) for k in snake.kernels() for t in k.types]
LOOP_IDS = [f"{k.name}[{t}]" for k, t in LOOPS]


def test_every_kernel_has_a_reference():
    missing = [k.name for k in snake.kernels() if base_name(k.name) not in REFERENCES]
    assert not missing, f"kernels without a reference in tests/references.py: {missing}"


def test_every_kind_is_known():
    unknown = {k.kind for k in snake.kernels()} - set(KINDS)
    assert not unknown, f"kinds without an entry in tests/kinds.py: {unknown}"


def test_table_is_consistent():
    """Names unique; `_mt` twins follow their base kernel with the same kind and loops."""
    table = snake.kernels()
    names = [k.name for k in table]
    assert len(set(names)) == len(names)
    assert len(table) >= 1
    by_name = {k.name: k for k in table}
    for k in table:
        assert k.ufunc.__name__ == k.name and getattr(snake, k.name) is k.function
        assert (k.function is k.ufunc) == (k.kind != "HIST")  # histogram: a function
        assert k.name in snake.__all__
        assert k.types and (k.ufunc.types in ([], list(k.types)))  # ArrayMethod loops: []
        if k.name.endswith("_mt"):
            base = by_name[base_name(k.name)]
            assert k.mt_grain > 0 and base.mt_grain == 0
            assert (k.kind, k.types, k.ufunc.signature) == (
                base.kind, base.types, base.ufunc.signature)
        else:
            assert k.mt_grain == 0


def run_case(kernel, types, inputs, label):
    """Call one loop and compare with the reference (or expect ValueError)."""
    kind = KINDS[kernel.kind]
    _, out_dtype = loop_dtypes(types)
    ref = REFERENCES[base_name(kernel.name)]
    if kind.empty_raises and inputs[0].shape[-1] == 0:
        with pytest.raises(ValueError, match="empty sequence"):
            kernel.function(*inputs)
        return
    with warnings.catch_warnings():  # pytest turns any other warning into an error
        if kind.invalid_on_inf and any(np.isinf(np.asarray(a)).any() for a in inputs):
            warnings.filterwarnings("ignore", "invalid value encountered", RuntimeWarning)
        if getattr(ref, "arithmetic", False):  # warns where NumPy's ufuncs warn
            warnings.filterwarnings("ignore", "(overflow|invalid value) encountered", RuntimeWarning)
        try:
            got = kernel.function(*inputs)
        except ValueError as e:
            if not kind.may_raise:
                raise
            got = e
    kind.check(ref, inputs, got, out_dtype, label)


@pytest.mark.parametrize("kernel,types", LOOPS, ids=LOOP_IDS)
def test_loop_matches_reference_on_grid(kernel, types):
    """Lengths x layouts x value flavors (see arrays.py) for one loop."""
    kind = KINDS[kernel.kind]
    dtype = loop_dtypes(types)[0][0]
    rng = np.random.default_rng(zlib.crc32(f"{kernel.name}{types}".encode()))
    cases = 0
    for n, layout, flavor in grid(dtype):
        inputs = kind.make_inputs(n, dtype, LAYOUTS[layout], flavor, rng)
        run_case(kernel, types, inputs, f"{kernel.name}[{types}] n={n} {layout} {flavor}")
        cases += 1
    assert cases > 1000  # the grid really ran


def finite_bound(dtype, for_sums):
    """Magnitude cap for hypothesis floats (see arrays.finite_specials)."""
    fi = np.finfo(dtype)
    return float(np.sqrt(fi.max) / 1e3) if for_sums else None


@pytest.mark.parametrize("kernel,types", LOOPS, ids=LOOP_IDS)
@given(data=st.data())
def test_loop_matches_reference_property(kernel, types, data):
    """Random lengths, values (incl. NaN/inf/-0.0/subnormals) and layouts."""
    kind = KINDS[kernel.kind]
    dtype = loop_dtypes(types)[0][0]
    for_sums = kernel.kind in ("REDUCE", "REDUCE2", "VEC", "WINDOW")
    if dtype.kind in "iu":  # the whole range: sums and products wrap
        elements = st.integers(int(np.iinfo(dtype).min), int(np.iinfo(dtype).max))
    else:
        bound = finite_bound(dtype, for_sums)
        elements = st.floats(
            width=dtype.itemsize * 8, allow_subnormal=True,
            min_value=-bound if bound else None, max_value=bound,
            allow_nan=not for_sums or None, allow_infinity=not for_sums or None)
        if for_sums:  # NaN/inf sometimes, but not in most examples
            elements = st.one_of(elements, elements, elements, st.sampled_from([np.nan, np.inf, -np.inf]))
    n = data.draw(st.integers(1 if kind.empty_raises else 0, 70), label="n")
    layout = data.draw(st.sampled_from(sorted(LAYOUTS)), label="layout")
    nfloat = kind.nin if kind.float_operands else 1
    inputs = tuple(
        LAYOUTS[layout](data.draw(hnp.arrays(dtype, n, elements=elements), label=f"in{i}"))
        for i in range(nfloat))
    if not kind.float_operands:  # the window / bins and range, from the data
        rng = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1), label="seed"))
        inputs += (window_for(inputs[0], rng),) if kernel.kind == "WINDOW" else hist_operands(inputs[0], rng)
    run_case(kernel, types, inputs, f"{kernel.name}[{types}] n={n} {layout}")


# The dtype table, cell by cell: which loops each kernel registers
# and what they return (README "Dtypes" documents the same table).
SAME = ("relu", "clip", "scale", "saxpy")
WIDE = ("sum_sq", "dot", "cumsum")
FLOAT_ONLY = ("variance", "normalize", "softmax", "gelu")


def expected_loops(k):
    base, nin = base_name(k.name), k.ufunc.nin
    if base in FLOAT_ONLY:
        return [f"{c * nin}->{c}" for c in "fd"]
    if base in SAME:
        return [f"{c * nin}->{c}" for c in "Bilfd"]
    if base in WIDE:
        return [f"{c * nin}->{'l' if c in 'Bil' else c}" for c in "Bilfd"]
    if base == "argmax":
        return [f"{c}->{np.dtype(np.intp).char}" for c in "Bilfd"]
    if base == "rolling_sum":
        return [f"{c}l->{'l' if c in 'Bil' else c}" for c in "Bilfd"]
    if base == "histogram":
        return [f"{c}dd->l" for c in "Bilfd"]
    raise AssertionError(f"{k.name} is missing from the dtype table test")


@pytest.mark.parametrize("kernel", snake.kernels(), ids=[k.name for k in snake.kernels()])
def test_dtype_table(kernel):
    assert list(kernel.types) == expected_loops(kernel)


# ---- softmax's blocked first pass ----------------------------------------

SOFTMAX_BLOCK = 2048  # Rows/Softmax.swift softmaxBlock


def softmax_rows(n, rng):
    """Rows that take every branch of the running shift: a maximum rising
    block after block (the sum rescaled each time), falling, -inf blocks
    before the first finite one, early blocks far below the maximum (their
    factor e^(s_block - max) subnormal or 0), a NaN or +inf in the last
    block, all -inf."""
    ramp = np.linspace(-60.0, 60.0, n) + rng.standard_normal(n)
    far = rng.standard_normal(n)
    far[:SOFTMAX_BLOCK] -= 720.0  # results ~1e-313: subnormal
    farther = rng.standard_normal(n)
    farther[:SOFTMAX_BLOCK] -= 800.0  # results 0
    ninf = rng.standard_normal(n)
    ninf[:2 * SOFTMAX_BLOCK + 3] = -np.inf
    nan_late, inf_mid = rng.standard_normal(n), rng.standard_normal(n)
    nan_late[-2] = np.nan
    inf_mid[n // 2] = np.inf
    return {"rising": ramp, "falling": ramp[::-1].copy(), "-inf first": ninf,
            "far below": far, "farther below": farther, "nan late": nan_late,
            "+inf": inf_mid, "all -inf": np.full(n, -np.inf)}


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_softmax_blocks_match_reference(dtype, restore_threads):
    """Rows of several blocks, through softmax and through softmax_mt split
    into 2 and 3 chunks (the chunks' shifts and sums merged), unit, reversed
    and strided, against the exact reference."""
    from snake import _snake

    check, ref = KINDS["VEC"].check, REFERENCES["softmax"]
    rng = np.random.default_rng(11)
    old = _snake._set_mt_grain("softmax_mt", 1)
    try:
        for n in (SOFTMAX_BLOCK - 1, SOFTMAX_BLOCK + 1, 3 * SOFTMAX_BLOCK + 5):
            for name, row in softmax_rows(n, rng).items():
                row = row.astype(dtype)
                for x in (row, row[::-1].copy()[::-1], np.repeat(row, 2)[::2]):
                    for threads in (1, 2, 3):
                        snake.set_num_threads(threads)
                        f = snake.softmax if threads == 1 else snake.softmax_mt
                        with warnings.catch_warnings():
                            warnings.simplefilter("error")
                            if np.isinf(row).any():  # inf - inf, as in NumPy's formula
                                warnings.filterwarnings("ignore", "invalid value", RuntimeWarning)
                            got = f(x)
                        check(ref, [x], got, np.dtype(dtype), f"{name} n={n} threads={threads} {x.strides}")
    finally:
        _snake._set_mt_grain("softmax_mt", old)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_softmax_exp_without_range_test_gives_the_same_bits(dtype, restore_threads):
    """A block whose x - shift all lie within exp's fast range (|x - shift|
    <= 708, float32 87: SnakeFloat.expInRangeBound) skips exp's range test;
    one element past it sends the block through the tested loop. Rows A and
    B differ only in that element (so little it leaves the sum unchanged):
    every other element must come out with the same bits, and both rows
    must match the reference."""
    from snake import _snake

    bound = 708.0 if dtype == np.float64 else 87.0
    check, ref = KINDS["VEC"].check, REFERENCES["softmax"]
    rng = np.random.default_rng(21)
    n, j = 3 * SOFTMAX_BLOCK + 5, SOFTMAX_BLOCK + 100  # j in block 1
    a = rng.standard_normal(n).astype(dtype)
    a[0] = 5.0  # the row's maximum, in block 0: block 1's shift
    a[j] = 5.0 - bound  # x - shift = -bound exactly: the untested loop
    b = a.copy()
    b[j] = 5.0 - bound - (1.0 if dtype == np.float64 else 0.5)  # past it
    others = np.arange(n) != j
    old = _snake._set_mt_grain("softmax_mt", 1)
    try:
        for threads, f in ((1, snake.softmax), (2, snake.softmax_mt), (3, snake.softmax_mt)):
            snake.set_num_threads(threads)
            with np.errstate(under="ignore"):
                ga, gb = f(a), f(b)
            check(ref, [a], ga, np.dtype(dtype), f"in range, threads={threads}")
            check(ref, [b], gb, np.dtype(dtype), f"past the bound, threads={threads}")
            assert np.array_equal(bits(ga[others]), bits(gb[others])), f"threads={threads}"
            assert ga[j] > gb[j] > 0
    finally:
        _snake._set_mt_grain("softmax_mt", old)


# ---- cumsum's float32 blocks ----------------------------------------------

SCAN_BLOCK = 8 * 272  # Rows/Cumsum.swift: eight runs of scanRun


@pytest.mark.parametrize("n", [SCAN_BLOCK - 1, SCAN_BLOCK, SCAN_BLOCK + 1, 3 * SCAN_BLOCK + 17, 100_003])
def test_cumsum_float32_blocks(n, restore_threads):
    """Contiguous float32 rows of a block or more are scanned as eight runs
    side by side, each run starting from the Σ of the runs before it. The
    float64 running sum rounded to float32 is the reference: exact on
    integer-valued data (so also with NaN, ±inf and -0.0 in any run), within
    one float32 ulp (and equal on nearly every element) on random data."""
    rng = np.random.default_rng(n)
    snake.set_num_threads(2)
    funcs = (snake.cumsum, snake.cumsum_mt)
    ints = rng.integers(-1000, 1000, n).astype(np.float32)
    for f in funcs:
        assert np.array_equal(f(ints), np.cumsum(ints)), f.__name__
        inplace = ints.copy()
        f(inplace, out=inplace)
        assert np.array_equal(inplace, np.cumsum(ints)), f"{f.__name__} out=x"
    x = rng.standard_normal(n).astype(np.float32) * 100
    want = np.cumsum(x.astype(np.float64)).astype(np.float32)
    for f in funcs:
        got = f(x)
        assert np.all(np.abs(got - want) <= np.spacing(np.abs(want))), f.__name__
        assert np.count_nonzero(got != want) <= n // 1000, f.__name__
    for dtype in (np.float32, np.float64):  # _mt's chunk totals too
        zeros = np.full(n, -0.0, dtype=dtype)
        for f in funcs:
            assert np.all(np.signbit(f(zeros))) and not f(zeros).any(), f"{f.__name__} {dtype.__name__}: -0.0"
    # Specials in different runs and blocks: +inf in one run, -inf in a
    # later one (NaN from there on, as the sequential sum), NaN alone.
    for spots in ({n // 3: np.inf}, {n // 5: np.inf, (3 * n) // 4: -np.inf}, {n // 2: np.nan},
                  {300: np.nan, n - 1: np.inf}):
        y = ints.copy()
        for i, v in spots.items():
            y[i] = v
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # inf - inf
            want = np.cumsum(y.astype(np.float64)).astype(np.float32)
            for f in funcs:
                np.testing.assert_array_equal(f(y), want, err_msg=f"{f.__name__} {spots}")


@pytest.mark.parametrize("n", [2 * SCAN_BLOCK - 1, 2 * SCAN_BLOCK, 2 * SCAN_BLOCK + 1, 6 * SCAN_BLOCK + 17, 100_003])
def test_cumsum_float64_mt_blocks(n, restore_threads):
    """Each float64 chunk of cumsum_mt (rows under 16 MiB) is scanned in
    blocks of eight runs side by side, as float32 rows are; single-threaded
    float64 stays np.cumsum's sequential sum. Grain 1 splits every row:
    exact on integer-valued data (and with NaN, ±inf and -0.0 anywhere),
    within a few ulp of the running Σ|x| on random data."""
    from snake import _snake

    rng = np.random.default_rng(n)
    snake.set_num_threads(2)
    old = _snake._set_mt_grain("cumsum_mt", 1)
    try:
        ints = rng.integers(-1000, 1000, n).astype(np.float64)
        assert np.array_equal(snake.cumsum_mt(ints), np.cumsum(ints))
        inplace = ints.copy()
        snake.cumsum_mt(inplace, out=inplace)
        assert np.array_equal(inplace, np.cumsum(ints)), "out=x"
        x = rng.standard_normal(n) * 100
        scale = np.cumsum(np.abs(x))
        assert np.array_equal(snake.cumsum(x), np.cumsum(x)), "single-threaded: np.cumsum's bits"
        err = np.abs(snake.cumsum_mt(x) - np.cumsum(x))
        assert np.all(err <= 8 * np.finfo(np.float64).eps * scale)
        y = x.copy()
        snake.cumsum_mt(y, out=y)
        assert np.array_equal(y, snake.cumsum_mt(x)), "out=x: the same bits as a new output"
        every_other = np.repeat(ints, 2)[::2]  # strided: the sequential chunks
        assert np.array_equal(snake.cumsum_mt(every_other), np.cumsum(ints)), "strided x"
        rows = np.tile(x, (4, 1))  # split by whole rows: np.cumsum's bits
        assert np.array_equal(snake.cumsum_mt(rows), np.cumsum(rows, axis=-1)), "whole rows"
        if n == 100_003:
            # The first chunk starts from -0.0: sequential, it would carry
            # np.cumsum's bits; blocked, some of its sums round differently.
            assert not np.array_equal(snake.cumsum_mt(x)[: n // 4], np.cumsum(x)[: n // 4]), "first chunk blocked"
        zeros = np.full(n, -0.0)
        assert np.all(np.signbit(snake.cumsum_mt(zeros))) and not snake.cumsum_mt(zeros).any()
        for spots in ({n // 3: np.inf}, {n // 5: np.inf, (3 * n) // 4: -np.inf}, {n // 2: np.nan},
                      {300: np.nan, n - 1: np.inf}, {2 * SCAN_BLOCK - 3: -np.inf}):
            y = ints.copy()
            for i, v in spots.items():
                y[i] = v
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)  # inf - inf
                np.testing.assert_array_equal(snake.cumsum_mt(y), np.cumsum(y), err_msg=f"{spots}")
    finally:
        _snake._set_mt_grain("cumsum_mt", old)


def test_cumsum_float64_mt_rows_from_memory_keep_the_chain(restore_threads):
    """Rows of 16 MiB and more keep the sequential chain in every chunk of
    cumsum_mt (the blocks measured slower from memory): the first chunk,
    which starts from -0.0, carries np.cumsum's bits."""
    n = (16 << 20) // 8 + 5
    x = np.random.default_rng(5).standard_normal(n) * 100
    snake.set_num_threads(2)
    got, want = snake.cumsum_mt(x), np.cumsum(x)
    assert np.array_equal(got[: n // 4], want[: n // 4])
    assert np.all(np.abs(got - want) <= 8 * np.finfo(np.float64).eps * np.cumsum(np.abs(x)))


# ---- integer running sums, eight at a time ---------------------------------


def exact_running_sums(x, w=None):
    """cumsum (w None) or rolling_sum of x in int64 modulo 2^64, from the
    prefix sums: what any order of wrapping adds must give. The integer
    references of references.py, in NumPy's wrapping int64 arithmetic
    (theirs sum Python ints, seconds per call on the 2M-element rows)."""
    p = np.concatenate(([0], np.cumsum(x.astype(np.int64))))
    if w is None:
        return p[1:]
    i = np.arange(len(x))
    return p[i + 1] - p[np.maximum(0, i - w + 1)]


SENTINEL = -0x5A5A_5A5A_5A5A_5A5A


def run_into_fresh_out(f, args, n, shift):
    """f(*args, out=out) with out an int64 view `shift` elements into a
    buffer filled with SENTINEL (so nothing an earlier call wrote can pass
    for this call's result); asserts that the elements around out were not
    written, and returns out. shift None: out starts on a 64-byte line."""
    buf = np.full(n + 16, SENTINEL, dtype=np.int64)
    if shift is None:
        shift = (-buf.ctypes.data) % 64 // 8
    out = buf[shift:shift + n]
    assert f(*args, out=out) is out
    assert np.all(buf[:shift] == SENTINEL) and np.all(buf[shift + n:] == SENTINEL), f"{f.__name__} wrote outside out"
    return out


@pytest.mark.parametrize("dtype", [np.uint8, np.int32, np.int64])
def test_integer_running_sums_match_exactly(dtype, restore_threads):
    """Contiguous integer cumsum and rolling_sum rows are summed eight at a
    time (Integers/IntegerKernels.swift scanIntVectors) after the elements
    before out's first 64-byte boundary. Every length around the vector
    width, outputs starting at each of the eight int64 offsets in a line,
    windows below, at and above the vector width and the row, values at
    the dtype's extremes (sums wrap), in place for int64, and _mt chunks:
    all equal to the exact modular sums, with nothing written outside out."""
    from snake import _snake

    rng = np.random.default_rng(5)
    info = np.iinfo(dtype)
    snake.set_num_threads(3)
    olds = [_snake._set_mt_grain(name, 1) for name in ("cumsum_mt", "rolling_sum_mt")]
    try:
        for n in (*range(1, 26), 63, 64, 65, 1000, 4099):
            x = rng.integers(info.min, info.max, n, dtype=dtype, endpoint=True)
            x[rng.random(n) < 0.2] = info.max
            for shift in range(8):  # out at each int64 offset within a line
                for f in (snake.cumsum, snake.cumsum_mt):
                    got = run_into_fresh_out(f, (x,), n, shift)
                    assert np.array_equal(got, exact_running_sums(x)), (f.__name__, n, shift)
                for w in (1, 3, 7, 8, 9, 17, n - 1, n, n + 5):
                    if w < 1:
                        continue
                    want = exact_running_sums(x, w)
                    for f in (snake.rolling_sum, snake.rolling_sum_mt):
                        got = run_into_fresh_out(f, (x, w), n, shift)
                        assert np.array_equal(got, want), (f.__name__, n, shift, w)
            if dtype == np.int64:  # in place: out is x
                for f in (snake.cumsum, snake.cumsum_mt):
                    y = x.copy()
                    f(y, out=y)
                    assert np.array_equal(y, exact_running_sums(x)), (f.__name__, n)
                for f in (snake.rolling_sum, snake.rolling_sum_mt):
                    y = x.copy()
                    f(y, 9, out=y)
                    assert np.array_equal(y, exact_running_sums(x, 9)), (f.__name__, n)
    finally:
        for name, old in zip(("cumsum_mt", "rolling_sum_mt"), olds):
            _snake._set_mt_grain(name, old)


@pytest.mark.parametrize("dtype", [np.uint8, np.int32, np.int64])
def test_integer_running_sums_of_long_rows(dtype, restore_threads):
    """Rows of 16 MiB of int64 output and more: int32 and int64 input are
    written with streaming stores on the AVX2 and AVX-512 tiers (int64 on
    the baseline too; uint8 input never: IntegerKernels.swift streamsSums).
    out 8 bytes past NumPy's allocation and on a 64-byte line, a strided
    x, and int64 in place (forwards and backwards), single-threaded and
    _mt: the exact modular sums, each call into a freshly filled out. _mt
    on 2 threads deals int32 and int64 rows out in blocks (Drivers.swift
    scanRows with interleave: 32 whole blocks and one of 13 elements)
    except in place, where a thread's scan would overwrite what the other
    still sums: that case must take the two passes."""
    n = (16 << 20) // 8 + 13  # Drivers.swift streamingBytes, in int64 sums
    info = np.iinfo(dtype)
    x = np.random.default_rng(9).integers(info.min, info.max, n, dtype=dtype, endpoint=True)
    snake.set_num_threads(2)
    want = exact_running_sums(x)
    for f in (snake.cumsum, snake.cumsum_mt):
        for shift in (1, None):  # out 8 bytes past NumPy's offset, on a line
            assert np.array_equal(run_into_fresh_out(f, (x,), n, shift), want), (f.__name__, shift)
    every_other = np.repeat(x, 2)[::2]  # a strided x
    assert np.array_equal(run_into_fresh_out(snake.cumsum_mt, (every_other,), n, 1), want), "strided x"
    want = exact_running_sums(x, 1000)
    for f in (snake.rolling_sum, snake.rolling_sum_mt):
        assert np.array_equal(run_into_fresh_out(f, (x, 1000), n, 1), want), f.__name__
    if dtype == np.int64:
        for f in (snake.cumsum, snake.cumsum_mt):
            y = x.copy()
            f(y, out=y)
            assert np.array_equal(y, exact_running_sums(x)), f"{f.__name__} out=x"
            y = x.copy()[::-1]  # in place, backwards
            f(y, out=y)
            assert np.array_equal(y, exact_running_sums(x[::-1])), f"{f.__name__} out=x[::-1]"


# ---- variance's block passes ---------------------------------------------

VARIANCE_BLOCK = 2048  # Reductions/Variance.swift varianceBlock


def assert_variances_match(rows, dtype, rtol):
    """variance and variance_mt (2 threads) of each named row, cast to
    dtype, within rtol of np.var of its float64 values."""
    snake.set_num_threads(2)
    for name, row in rows.items():
        x = row.astype(dtype)
        want = np.var(x.astype(np.float64))
        for f in (snake.variance, snake.variance_mt):
            got = f(x)
            assert got.dtype == dtype
            assert abs(float(got) - want) <= rtol * want, f"{name} {f.__name__}: {got} != {want}"


# sum_sq and dot read rows of 64 MiB and more (a and b together) in
# half-width vectors (Reductions/Sums.swift, halfWidthMinimumBytes).
HALF_WIDTH_MINIMUM_BYTES = 64 << 20


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_sums_of_rows_from_memory(dtype, restore_threads):
    """sum_sq and dot just below and above the row size from which they load
    half-width vectors, with odd tails, and `_mt` (whose two chunks each fall
    below it). Small integers first: every product and partial sum is exact
    in the Float64 total, so the result must equal the integer sum rounded
    once to the dtype (a lost or repeated element shows). Then normal values
    against float64 sums of the widened products (np.dot in float64,
    accurate far below the tolerance: float32 products round by at most
    2^-24 each)."""
    rng = np.random.default_rng(11)
    size = np.dtype(dtype).itemsize
    rtol = 1e-12 if dtype == np.float64 else 2.0 ** -23
    for kernel, arrays in (("sum_sq", 1), ("dot", 2)):
        edge = HALF_WIDTH_MINIMUM_BYTES // (arrays * size)
        for n in (edge - 1, edge + 37):
            for values in ("integers", "normal"):
                if values == "integers":
                    a = rng.integers(-8, 9, n).astype(dtype)
                    b = rng.integers(-8, 9, n).astype(dtype) if arrays == 2 else a
                else:
                    a = rng.standard_normal(n).astype(dtype)
                    b = rng.standard_normal(n).astype(dtype) if arrays == 2 else a
                wide_a = a.astype(np.float64)
                wide_b = wide_a if arrays == 1 else b.astype(np.float64)
                want = float(wide_a @ wide_b)
                if values == "integers":
                    tol = 0.0
                    want = float(dtype(want))
                else:
                    abs_a = np.abs(wide_a)
                    tol = rtol * float(abs_a @ (abs_a if arrays == 1 else np.abs(wide_b)))
                del wide_a, wide_b
                for f in (getattr(snake, kernel), getattr(snake, kernel + "_mt")):
                    got = f(a) if arrays == 1 else f(a, b)
                    assert got.dtype == dtype
                    assert abs(float(got) - want) <= tol, f"{f.__name__} {values} n={n}: {got} != {want}"


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_variance_long_rows_match_numpy(dtype, restore_threads):
    """Rows beyond L2 (>= 2^20 elements), with a partial last block, whose
    block means differ: far from zero, ramping, and special values late in
    the row. np.var of the float64 values is the reference (two-pass, with
    pairwise sums: accurate far below these tolerances)."""
    rng = np.random.default_rng(5)
    n = (1 << 20) + 3 * VARIANCE_BLOCK + 5
    noise = rng.standard_normal(n)
    far = 1e9 if dtype == np.float64 else 1e4
    rows = {"normal": noise, "far from zero": far + noise,
            "ramp": np.linspace(-1e3, 1e3, n) + noise,
            "one outlier first": np.concatenate(([1e6], noise[1:]))}
    assert_variances_match(rows, dtype, rtol=1e-10 if dtype == np.float64 else 1e-5)
    for i, value in ((n - 2, np.nan), (n // 2, np.inf)):
        x = noise.astype(dtype)
        x[i] = value
        for f in (snake.variance, snake.variance_mt):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)  # inf - inf: "invalid", as np.var
                assert np.isnan(f(x)), f"{value} at {i}: {f.__name__}"


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_variance_one_pass_blocks_keep_accuracy(dtype, restore_threads):
    """Blocks after the first take one-pass sums around the previous
    block's mean: rows whose block means jump (steps with and without
    noise, levels alternating far apart, a staircase) keep the relative
    accuracy of the two-pass result. A float32 row whose squared deviations
    from the previous block's mean overflow float32 (blocks at +-1e19:
    (2e19)^2 > 3.4e38) while its variance (1e38) does not must fall back to
    the two-pass block: finite, accurate, and no "overflow" warning."""
    rng = np.random.default_rng(11)
    n = 7 * VARIANCE_BLOCK + 5
    noise = rng.standard_normal(n)
    block = np.arange(n) // VARIANCE_BLOCK
    level = 1e6 if dtype == np.float64 else 1e3
    rows = {"steps, tiny noise": (block % 2) * level + 1e-6 * noise,
            "steps": (block % 2) * level + noise,
            "alternating far apart": (block % 2) * 1e9 + noise,
            "staircase": block * 1e5 + noise}
    assert_variances_match(rows, dtype, rtol=1e-12 if dtype == np.float64 else 1e-5)
    if dtype == np.float32:
        x = (np.where(block % 2 == 0, 1e19, -1e19) * (1 + 0.1 * noise)).astype(np.float32)
        want = np.var(x.astype(np.float64) / 1e19) * 1e38
        for f in (snake.variance, snake.variance_mt):
            with warnings.catch_warnings():
                warnings.simplefilter("error", RuntimeWarning)
                got = float(f(x))
            assert abs(got - want) <= 1e-5 * want, f"{f.__name__}: {got} != {want}"


# ---- argmax's block scan -------------------------------------------------

ARGMAX_BLOCK = 2048  # Reductions/Argmax.swift argmaxBlock


def argmax_rows(n):
    """Rows that take every branch of the block scan: a maximum rising in
    every block (each block searched again), falling, repeated in later
    blocks (the first one stays), a zero maximum as -0.0 in one block and
    +0.0 in a later one (the first wins), NaN after a larger maximum, in
    the scalar tail and first in a late block, +inf, all -inf, and the
    maximum in the tail after the last whole vector."""
    rng = np.random.default_rng(11)
    noise = rng.standard_normal(n)
    rows = {"rising": np.linspace(-1.0, 1.0, n), "falling": np.linspace(1.0, -1.0, n), "noise": noise}
    repeated = noise.copy()
    repeated[[ARGMAX_BLOCK + 7, 2 * ARGMAX_BLOCK + 1, n - 1]] = 9.0
    rows["max repeated"] = repeated
    zeros = -np.abs(noise) - 1.0
    zeros[ARGMAX_BLOCK + 3] = -0.0
    zeros[2 * ARGMAX_BLOCK + 9] = 0.0
    rows["-0.0 then +0.0"] = zeros
    for name, at in (("NaN late", 2 * ARGMAX_BLOCK + 17), ("NaN in the tail", n - 2), ("NaN first", 0)):
        row = noise.copy()
        row[5] = 1e30
        row[at] = np.nan
        row[at + 1 if at + 1 < n else at - 1] = np.nan  # the first of two
        rows[name] = row
    inf = noise.copy()
    inf[[ARGMAX_BLOCK - 1, ARGMAX_BLOCK + 40]] = np.inf
    rows["+inf"] = inf
    rows["all -inf"] = np.full(n, -np.inf)
    tail = noise.copy()
    tail[n - 1] = 50.0
    rows["maximum last"] = tail
    return rows


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("n", [3 * ARGMAX_BLOCK + 37, 4 * ARGMAX_BLOCK])
def test_argmax_blocks_match_numpy(dtype, n, restore_threads):
    """np.argmax is the reference: same index for every row, single- and
    multi-threaded, at an offset that is not a multiple of the vector; NaN
    rows raise no warning (warnings are errors in this suite), in argmax or
    in softmax, which gives them as all NaN."""
    snake.set_num_threads(2)
    for name, row in argmax_rows(n).items():
        x = row.astype(dtype)
        for y in (x, np.concatenate((x[:1], x))[1:]):  # the same values one element later
            want = np.argmax(y)
            for f in (snake.argmax, snake.argmax_mt):
                assert f(y) == want, f"{name} n={n} {f.__name__}: {f(y)} != {want}"
            assert snake.argmax(y[::-1]) == np.argmax(y[::-1]), f"{name} reversed"  # strided: key loop
            if name.startswith("NaN"):  # softmax's block scan looks for NaN too
                for f in (snake.softmax, snake.softmax_mt):
                    assert np.isnan(f(y)).all(), f"{name} n={n} {f.__name__}: not all NaN"


# ---- normalize float64: division through the reciprocal ------------------


def normalize_rows():
    """float64 rows for the reciprocal division (Rows/Normalize.swift
    VectorDivisor): every length around the 8-lane vector, exponents over a
    wide range, significands near 1 and near 2 in x and in the norm, signed
    zeros, and lanes below the reciprocal's range (|x| < 2^-960, and |x| <
    norm·2^-1000), which take the division."""
    rng = np.random.default_rng(5)
    rows = {}
    for n in (1, 7, 8, 9, 15, 16, 17, 63, 64, 65, 1000, 4099, 32773):  # the last: aligned stores
        rows[f"wide n={n}"] = rng.standard_normal(n) * 10.0 ** rng.uniform(-30, 30, n)
    mantissas = np.concatenate((1 + np.arange(64) * 2.0**-52, 2 - np.arange(1, 65) * 2.0**-52))
    rows["significands near 1 and 2"] = rng.permutation(mantissas) * np.exp2(rng.integers(-8, 8, 128))
    rows["norm near a power of two"] = np.array([2.0**20 - 2.0**-32, 1e-3, -3e-4] + [1.5] * 29)
    zeros = rng.standard_normal(203)
    zeros[rng.choice(203, 40, replace=False)] = 0.0
    zeros[rng.choice(203, 40, replace=False)] = -0.0
    rows["signed zeros"] = zeros
    tiny = rng.standard_normal(100)
    tiny[[3, 50, 97]] = [1e-300, -2.5e-295, 5e-310]  # below 2^-960, one subnormal
    rows["tiny lanes"] = tiny
    relative = rng.standard_normal(100) * 1e150
    relative[[10, 60]] = [1e-160, -3e-165]  # above 2^-960, below norm·2^-1000
    rows["tiny against the norm"] = relative
    # Many tiny lanes (subnormal and just above) in a row of small norm,
    # spread over every 4-vector group the AVX-512 loop tests at once: the
    # reciprocal misses about 1 in 100 of these quotients, so a group that
    # skipped the division would show it.
    many = rng.standard_normal(4099) * 2.0 ** -40
    k = rng.choice(4099, 600, replace=False)
    many[k] = rng.standard_normal(600) * np.exp2(rng.integers(-1074, -955, 600).astype(float))
    rows["many tiny lanes"] = many
    return rows


@pytest.mark.parametrize("offset", [0, 1, 3])
def test_normalize_float64_divides_exactly(offset):
    """Each quotient has the bits of x / norm, the norm being
    sqrt(sum_sq(x)) (the same sum, the same correctly rounded root): at
    vector offsets 0, 1 and 3 elements, in place, and strided (the scalar
    division)."""
    for name, row in normalize_rows().items():
        x = np.concatenate((np.zeros(offset), row))[offset:]
        want = x / np.sqrt(snake.sum_sq(x))
        got = snake.normalize(x)
        bad = np.flatnonzero(got.view(np.int64) != want.view(np.int64))
        assert bad.size == 0, f"{name}: {x[bad[:3]]} -> {got[bad[:3]]}, x / norm is {want[bad[:3]]}"
        inplace = x.copy()
        snake.normalize(inplace, out=inplace)
        assert np.array_equal(inplace.view(np.int64), want.view(np.int64)), f"{name}: in place"
        strided = np.repeat(x, 2)[::2]  # strided rows sum in another order: their own norm
        assert np.array_equal(snake.normalize(strided).view(np.int64),
                              (strided / np.sqrt(snake.sum_sq(strided))).view(np.int64)), f"{name}: strided"


def test_normalize_float64_columns_divide_exactly():
    """Along axis 0 each group of 8 columns divides through its lanes'
    reciprocals (VectorDivisor(lanes:), built in vector operations): each
    quotient has the bits of x / norm. Columns of norms from 2^-40 to 2^486
    (past 2^40 the reciprocal's range ends at norm·2^-1000, not 2^-960),
    with many lanes around that end, which take the division: walked (under
    1 MiB, or into NumPy's own output), swept one step at a time, and swept
    in bands (16 groups or more)."""
    rng = np.random.default_rng(15)
    for n, m in [(300, 19), (4099, 35), (600, 259)]:
        scale = np.exp2(rng.choice([-40.0, 0.0, 45.0, 200.0, 350.0, 480.0], m))
        x = rng.standard_normal((n, m)) * scale
        tiny = rng.random((n, m)) < 0.15
        # 2^-1074 up to the column's norm·2^-1000 and a little past it.
        e = np.log2(scale) + np.log2(n) / 2 - 1000 + rng.uniform(-120, 8, (n, m))
        x[tiny] = (rng.standard_normal((n, m)) * np.exp2(np.maximum(e, -1074)))[tiny]
        want = x / np.sqrt(snake.sum_sq(x, axis=0))
        # A C-ordered output (each group's 8 lanes stored at once) and
        # NumPy's own, which holds each column contiguously (lane by lane).
        for got in (snake.normalize(x, axis=0, out=np.empty_like(x)), snake.normalize(x, axis=0)):
            bad = np.argwhere(got.view(np.int64) != want.view(np.int64))
            assert bad.size == 0, (n, m, [(x[i, j], got[i, j], want[i, j]) for i, j in bad[:3]])


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_strided_calls_give_the_contiguous_bits(dtype):
    """Strided, reversed and in-place strided calls of the elementwise
    kernels and softmax run the contiguous loop on gathered blocks
    (mapStrided, expShifted) and the scalar form on a row's last n % lanes
    elements, as contiguous rows do: the same bits as a contiguous copy of
    the input, at lengths around the lanes and the blocks (256 elements for
    elementwise calls, 64 vectors for softmax), with NaN, inf and values
    far past gelu's and exp's fast ranges."""
    rng = np.random.default_rng(11)
    view = np.uint64 if dtype == np.float64 else np.uint32
    t = dtype
    calls = {
        "relu": lambda v, **o: snake.relu(v, **o),
        "gelu": lambda v, **o: snake.gelu(v, **o),
        "gelu_mt": lambda v, **o: snake.gelu_mt(v, **o),
        "clip": lambda v, **o: snake.clip(v, t(-1), t(2), **o),
        "scale": lambda v, **o: snake.scale(v, t(1.5), **o),
        "saxpy": lambda v, **o: snake.saxpy(v, v, t(0.5), **o),
        # NaNs of both signs meet (x + s * -x): the tail's scalar form and
        # the vector form must keep the same one.
        "saxpy -x": lambda v, **o: snake.saxpy(v, np.negative(v), t(0.5), **o),
        "softmax": lambda v, **o: snake.softmax(v, **o),
    }
    # 20 011: past gelu_mt's split into chunks (2 x 4096 float64 elements).
    for n in (1, 7, 8, 17, 255, 256, 257, 1023, 1024, 1025, 4099, 20_011):
        base = (rng.standard_normal(3 * n) * rng.choice([1.0, 40.0, 900.0], 3 * n)).astype(dtype)
        base[rng.choice(3 * n, max(1, n // 50), replace=False)] = rng.choice([np.nan, np.inf, -np.inf])
        for sl in (slice(None, None, 3), slice(None, None, -2)):
            x = base[sl]
            for name, f in calls.items():
                with np.errstate(all="ignore"):
                    want = f(x.copy()).view(view)
                    assert np.array_equal(f(x).view(view), want), (name, n, sl)
                    y = base.copy()
                    f(y[sl], out=y[sl])
                    assert np.array_equal(y[sl].view(view), want), (name, n, sl, "in place")


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_adjacent_rows_give_the_strided_bits(dtype, restore_threads):
    """Rows adjacent in memory (axis=0 of a C-ordered array) run 8 at a time
    (the column path, Support/Drivers.swift): each result must have the bits
    of the same row passed alone, a strided 1-D view that takes the scalar
    path. Row counts around the groups (a last group overlapping the one
    before it, or, in place, a scalar remainder), lengths around variance's
    2048-element blocks, NaN, inf, -0.0, a zero row and huge and tiny rows
    (normalize's rescaled divisors); `_mt` twins on 2 threads. Where two
    NaNs meet (inf - inf in a sum that also holds a NaN), which of the two
    survives depends on the operand order LLVM picks for an add (it may
    commute them, and differently for the scalar and the vector form; seen
    on the SSE baseline): a NaN counts as equal to any NaN."""
    rng = np.random.default_rng(12)
    view = np.uint64 if dtype == np.float64 else np.uint32
    snake.set_num_threads(2)
    fi = np.finfo(dtype)
    # (4100, 67): two threads' blocks for float32 too (rows x itemsize >= 256).
    shapes = [(n, m) for n in (1, 2, 5, 8, 9, 33, 2047, 2049, 4100) for m in (7, 8, 9, 16, 17, 24, 35)]
    for (n, m), special in [(s, sp) for s in shapes + [(4100, 67)] for sp in (False, True)]:
        x = (rng.standard_normal((n, m)) * 10).astype(dtype)
        if special:  # else every group of normalize takes the vector division
            x[rng.integers(n), rng.integers(m)] = np.nan
            x[rng.integers(n), rng.integers(m)] = np.inf
            x[rng.integers(n), rng.integers(m)] = -0.0
            x[:, m // 2] = 0.0
            with np.errstate(all="ignore"):  # overflow to inf is fine
                x[:, -1] *= fi.max / 40
                x[:, 0] *= fi.smallest_normal
        y = x[::-1]  # a second operand for dot, rows walked backwards
        cases = {}
        for name in ("sum_sq", "dot", "variance", "argmax", "normalize", "cumsum", "softmax"):
            for f in (getattr(snake, name), getattr(snake, name + "_mt")):
                if name == "dot":
                    cases[f.__name__] = (lambda f: (lambda a, **o: f(a, y, axis=0, **o), f))(f)
                else:
                    cases[f.__name__] = (lambda f: (lambda a, **o: f(a, axis=0, **o), lambda c: f(c)))(f)
        with np.errstate(all="ignore"):
            for name, (whole, one) in cases.items():
                got = whole(x)
                outs = {}
                if name.startswith(("normalize", "cumsum", "softmax")):
                    # NumPy's own output (above) holds each column
                    # contiguously, written lane by lane; so do these, filled
                    # (a skipped element keeps the 3.0), and every other
                    # element of a wider array, columns reversed. A
                    # C-ordered one is written a group's 8 lanes at a time.
                    outs = {"C-ordered": np.full(x.shape, 3.0, dtype),
                            "columns contiguous": np.full((m, n), 3.0, dtype).T,
                            "strided, reversed": np.full((n, 2 * m), 3.0, dtype)[:, ::-2]}
                    for o in outs.values():
                        whole(x, out=o)
                if name.startswith("dot"):
                    want = np.array([one(x[:, j], y[:, j]) for j in range(m)])
                else:
                    want = np.stack([one(x[:, j]) for j in range(m)], axis=-1)
                if got.dtype == dtype:  # bits, but any NaN for a NaN: see the docstring
                    bits_of = lambda a: np.where(np.isnan(a), np.nan, a).astype(dtype).view(view)
                else:
                    bits_of = np.asarray
                assert np.array_equal(bits_of(got), bits_of(want)), (name, n, m)
                for layout, o in outs.items():
                    assert np.array_equal(bits_of(o), bits_of(want)), (name, n, m, layout)
                if name.startswith(("normalize", "cumsum", "softmax")):  # in place: no regrouping
                    z = x.copy()
                    whole(z, out=z)
                    assert np.array_equal(bits_of(z), bits_of(want)), (name, n, m, "in place")


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_softmax_columns_warn_as_the_columns_alone(dtype, restore_threads):
    """softmax along axis 0 (8 columns at a time) raises the floating-point
    warnings its columns raise passed alone, and gives their bits: none
    for a NaN (the column is NaN; also where the NaN comes in the second
    2048-step block, after the first was computed), "invalid" for an
    all -inf column (-inf - -inf) and for +inf (inf - inf), also beside a
    NaN column, none for a column -inf through its first block and finite
    after it (its lanes must not rescale with -inf - -inf), and
    "underflow" where exp underflows (as np.exp)."""
    snake.set_num_threads(2)
    view = np.uint64 if dtype == np.float64 else np.uint32
    bits_of = lambda a: np.where(np.isnan(a), np.nan, a).astype(dtype).view(view)
    base = np.random.default_rng(17).standard_normal((3000, 19)).astype(dtype)
    def variant(*cells):
        x = base.copy()
        for (i, j), v in cells:
            x[i, j] = v
        return x
    variants = {
        "plain": base,
        "NaN": variant(((5, 3), np.nan)),
        "NaN in the second block": variant(((2500, 3), np.nan)),
        "+inf": variant(((7, 9), np.inf)),
        "NaN in the second block, +inf beside it": variant(((2500, 3), np.nan), ((7, 4), np.inf)),
        "underflow": variant(((11, 12), -1e4)),
    }
    minus_inf = base.copy()
    minus_inf[:, 4] = -np.inf
    variants["all -inf"] = minus_inf
    late = base.copy()
    late[:2048, 4] = -np.inf  # -inf through the first block, finite after it
    variants["-inf in the first block only"] = late
    def warned(call):
        with np.errstate(all="warn"), warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            result = call()
        return result, {str(w.message) for w in caught}
    for label, x in variants.items():
        for f in (snake.softmax, snake.softmax_mt):
            for out in (None, np.empty_like(x)):
                got, whole = warned(lambda: f(x, axis=0, out=out))
                want, alone = warned(lambda: np.stack([f(x[:, j]) for j in range(x.shape[1])], axis=-1))
                assert whole == alone, (label, f.__name__, whole, alone)
                assert np.array_equal(bits_of(got), bits_of(want)), (label, f.__name__)
    assert warned(lambda: snake.softmax(variants["all -inf"], axis=0))[1]  # the check above compares something
    # Long columns (up to 2^18 steps take the column path, its scratch on
    # the heap): the bits of each column alone, single-threaded.
    x = np.random.default_rng(18).standard_normal((70001, 9)).astype(dtype) * 20
    want = np.stack([snake.softmax(x[:, j]) for j in range(9)], axis=-1)
    for f in (snake.softmax, snake.softmax_mt):
        assert np.array_equal(bits_of(f(x, axis=0)), bits_of(want)), f.__name__


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_axis0_rows_raise_nothing_for_nan_and_zero_columns(dtype):
    """normalize and cumsum along axis 0, into every output layout: a NaN
    column gives NaN and a zero column zeros, with no floating-point warning
    (pytest turns warnings into errors), as NumPy's expressions give."""
    x = np.random.default_rng(16).standard_normal((40, 19)).astype(dtype)
    x[5, 3] = np.nan
    x[:, 7] = 0.0
    for f in (snake.normalize, snake.normalize_mt, snake.cumsum, snake.cumsum_mt):
        for out in (None, np.empty_like(x), np.empty((19, 40), dtype).T):
            got = f(x, axis=0, out=out)
            assert np.isnan(got[5:, 3]).all() and not np.isnan(np.delete(got, 3, axis=1)).any(), f.__name__
            assert (got[:, 7] == 0).all(), f.__name__


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_swept_columns_give_the_strided_bits(dtype, restore_threads):
    """Adjacent rows that are long (8192 steps or more) over at least 512
    bytes a step, or past 16 MiB, are swept: one step of up to 128 groups
    at a time, the accumulators in a scratch (Support/Drivers.swift,
    "ColumnSweep"). sum_sq, dot, normalize and cumsum must still give each row's
    bits passed alone: lengths around the four accumulators (n % 4 = 0, 1,
    3), a last group overlapping the one before it, more than 128 groups
    (two sweeps, the first taking 8 steps of a group at a time; in place,
    too), special values, a zero row and rescaled rows (normalize runs
    those rows one by one), and `_mt` on 2 threads, whose blocks of the
    second shape sweep (the band and a second sweep per thread would need
    over 2048 rows: the same function, reached single-threaded). normalize
    sweeps any two groups or more of 1 MiB or more, and its float64
    division takes 8 steps of a group at a time from 16 groups on: short
    and wide arrays (n % 8 = 3, 5, 4) check that. Past 16 MiB both also
    sweep into output rows that are not adjacent (NumPy's own output along
    axis 0), 8 steps of a group at a time, float32's transposed in
    registers: (8197, 1038) and (20001, 210). A NaN counts as equal to any
    NaN (see the test above)."""
    rng = np.random.default_rng(14)
    view = np.uint64 if dtype == np.float64 else np.uint32
    bits_of = lambda a: np.where(np.isnan(a), np.nan, a).astype(dtype).view(view)
    snake.set_num_threads(2)
    fi = np.finfo(dtype)
    # At 8192 steps from 64 rows (float64) or 128 (float32) on: 512 bytes.
    wide = 67 if dtype == np.float64 else 131
    # (8197, 1038): 129 whole groups and a last one overlapping them.
    shapes = [((8192, wide), False), ((8195, 2 * wide), True), ((8197, 1038), True)]
    shapes += [((n, m), True) for n, m in [(3, 45003), (13, 10103), (1100, 259)]]
    shapes += [((1100, 259), False)]  # every group plain: the overlapping last one divides in bands too
    shapes += [((20001, 210), True)]  # past 16 MiB with 26 groups (and a 1-D column too short for `_mt` to split)
    for (n, m), special in shapes:
        x = (rng.standard_normal((n, m)) * 10).astype(dtype)
        if special:
            x[rng.integers(n), rng.integers(m)] = np.nan
            x[rng.integers(n), rng.integers(m)] = np.inf
            x[rng.integers(n), rng.integers(m)] = -0.0
            x[:, m // 2] = 0.0
            with np.errstate(all="ignore"):
                x[:, -1] *= fi.max / 40
                x[:, 0] *= fi.smallest_normal
        y = x[::-1]
        with np.errstate(all="ignore"):
            for name in ("sum_sq", "dot", "normalize", "cumsum"):
                for f in (getattr(snake, name), getattr(snake, name + "_mt")):
                    # A filled output: an element a sweep skipped keeps the 3.0.
                    o = np.full(x.shape if name in ("normalize", "cumsum") else m, 3.0, dtype)
                    if name == "dot":
                        got = f(x, y, axis=0, out=o)
                        want = np.array([f(x[:, j], y[:, j]) for j in range(m)])
                    else:
                        got = f(x, axis=0, out=o)
                        want = np.stack([f(x[:, j]) for j in range(m)], axis=-1)
                    assert np.array_equal(bits_of(got), bits_of(want)), (f.__name__, n, m)
                    if name in ("normalize", "cumsum"):  # in place: no regrouping
                        z = x.copy()
                        f(z, axis=0, out=z)
                        assert np.array_equal(bits_of(z), bits_of(want)), (f.__name__, n, m, "in place")
                        # Output rows not adjacent: NumPy's own output (each
                        # column contiguous) and a filled one like it.
                        for o in (None, np.full((m, n), 3.0, dtype).T):
                            got = f(x, axis=0) if o is None else f(x, axis=0, out=o)
                            assert got.strides == (x.itemsize, n * x.itemsize)  # each column contiguous
                            assert np.array_equal(bits_of(got), bits_of(want)), (f.__name__, n, m, "columns out")


@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.int64, np.int32, np.uint8])
def test_column_groups_from_every_address(dtype, restore_threads):
    """Walks of 8 adjacent rows start where a group's rows share a cache
    line (columnLead in Support/Drivers.swift): the rows before that run
    first as a group the next one partly redoes (the same bits written
    twice), or, where the output overlaps the input (in place), one by
    one or not aligned at all. From every address of row 0 against a line:
    the bits of each row passed alone (strided), single- and
    multi-threaded, in place, and nothing written outside the view."""
    rng = np.random.default_rng(19)
    floats = np.dtype(dtype).kind == "f"
    bits_of = (lambda a: np.where(np.isnan(a), np.nan, a).astype(a.dtype).view({8: np.uint64, 4: np.uint32}[a.itemsize])) \
        if floats else (lambda a: a)
    names = ["sum_sq", "dot", "argmax", "cumsum"] + (["variance", "normalize", "softmax"] if floats else [])
    snake.set_num_threads(2)
    # (400, 300): over twice every kernel's grain and 300 bytes a step
    # even in uint8, so `_mt` splits the columns into two threads' blocks.
    for n, m in ((50, 37), (300, 20), (9, 16), (400, 300)):
        if floats:
            x = (rng.standard_normal((n, m)) * 10).astype(dtype)
            x[rng.integers(n), rng.integers(m)] = np.nan
            x[rng.integers(n), rng.integers(m)] = -0.0
        else:
            info = np.iinfo(dtype)
            x = rng.integers(info.min, info.max, (n, m), endpoint=True, dtype=dtype)
        for shift in range(8):
            wide = np.zeros((n, m + 8), dtype)
            v = wide[:, shift:shift + m]
            v[...] = x
            w2 = np.zeros((n, m + 8), dtype)
            v2 = w2[:, 7 - shift:7 - shift + m]  # dot's second operand at another address
            v2[...] = x[::-1]
            with np.errstate(all="ignore"):
                for name in names:
                    for f in (getattr(snake, name), getattr(snake, name + "_mt")):
                        if name == "dot":
                            got, want = f(v, v2, axis=0), [f(x[:, j], x[::-1, j]) for j in range(m)]
                        else:
                            got, want = f(v, axis=0), [f(x[:, j]) for j in range(m)]
                        want = np.stack(want, axis=-1)
                        assert np.array_equal(bits_of(got), bits_of(want)), (name, f.__name__, n, m, shift)
                        if name in ("cumsum", "normalize", "softmax") and (floats or dtype == np.int64):
                            before = wide.copy()
                            assert f(v, axis=0, out=v) is v  # in place
                            assert np.array_equal(bits_of(v), bits_of(want)), (f.__name__, n, m, shift, "in place")
                            assert np.array_equal(wide[:, :shift], before[:, :shift])
                            assert np.array_equal(wide[:, shift + m:], before[:, shift + m:])
                            v[...] = x


@pytest.mark.parametrize("dtype", [np.int64, np.int32, np.uint8])
def test_adjacent_integer_rows_match_numpy(dtype, restore_threads):
    """The integer column path (sum_sq, dot, argmax, cumsum along axis 0):
    exact, so against the row passed alone and NumPy's int64 results, over
    the whole range (sums and products wrap), ties included. cumsum into
    NumPy's own output (each column contiguous), a C-ordered one and a
    column-contiguous one."""
    rng = np.random.default_rng(13)
    info = np.iinfo(dtype)
    snake.set_num_threads(2)
    # (2049, 260): two threads' blocks for every type (rows x itemsize >= 256).
    for n, m in [(n, m) for n in (1, 2, 3, 8, 9, 100, 2049) for m in (7, 8, 9, 16, 17, 35)] + [(2049, 260)]:
        x = rng.integers(info.min, info.max, (n, m), endpoint=True, dtype=dtype)
        x[:, 1] = info.max  # a tie in every row of a column: the first wins
        y = x[::-1]
        wide = x.astype(np.int64)
        with np.errstate(over="ignore"):
            wants = {"sum_sq": (wide * wide).sum(axis=0), "dot": (wide * y.astype(np.int64)).sum(axis=0),
                     "argmax": np.argmax(x, axis=0), "cumsum": np.cumsum(x, axis=0, dtype=np.int64)}
        for name, want in wants.items():
            for f in (getattr(snake, name), getattr(snake, name + "_mt")):
                if name == "dot":
                    got, alone = f(x, y, axis=0), [f(x[:, j], y[:, j]) for j in range(m)]
                else:
                    got, alone = f(x, axis=0), [f(x[:, j]) for j in range(m)]
                assert np.array_equal(got, want), (f.__name__, n, m)
                assert np.array_equal(got, np.stack(alone, axis=-1)), (f.__name__, n, m, "alone")
                if name == "cumsum" and dtype == np.int64:  # in place
                    z = x.copy()
                    f(z, axis=0, out=z)
                    assert np.array_equal(z, want), (f.__name__, n, m, "in place")
                if name == "cumsum":  # a C-ordered output (adjacent rows) and a column-contiguous one, both filled
                    for o in (np.full((n, m), 3, np.int64), np.full((m, n), 3, np.int64).T):
                        assert np.array_equal(f(x, axis=0, out=o), want), (f.__name__, n, m, o.strides)



@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_adjacent_rows_with_nan_raise_no_warning(dtype):
    """A NaN in a column reaches the column path's sums, norms and
    compares: as on rows, no floating-point warning comes of it."""
    x = np.arange(40 * 19, dtype=dtype).reshape(40, 19) - 300
    x[5, 3] = np.nan
    x[7, 12] = np.nan
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for name in ("sum_sq", "variance", "argmax", "normalize", "cumsum"):
            for f in (getattr(snake, name), getattr(snake, name + "_mt")):
                got = f(x, axis=0)
                if name == "argmax":
                    assert got[3] == 5 and got[12] == 7, f.__name__  # the first NaN
                else:
                    assert np.isnan(got[..., 3]).any() and not np.isnan(got[..., 4]).any(), f.__name__
        snake.dot(x, x, axis=0)
