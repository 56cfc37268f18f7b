"""rolling_sum (kind WINDOW) and histogram (kind HIST): the parts of their
interface the generic tests cannot build (an integer window; bins and a
range), their error messages, and the issue's accuracy promises.

The generic grid (test_kernels.py) and thread tests (test_threads.py) cover
both kernels too, through kinds.py.
"""
import doctest
import math
import warnings

import numpy as np
import pytest

import snake
from kinds import edges_collapse
from snake import _snake

ROLLING = [snake.rolling_sum, snake.rolling_sum_mt]
HISTOGRAM = [snake.histogram, snake.histogram_mt]


@pytest.fixture
def rng():
    return np.random.default_rng(2024)


def exact_windows(x, w, positions):
    """math.fsum of each window ending at `positions`."""
    return np.array([math.fsum(x[max(0, i - w + 1): i + 1]) for i in positions])


# ---- rolling_sum ---------------------------------------------------------------


@pytest.mark.parametrize("f", ROLLING)
def test_rolling_sum_partial_windows_and_cumsum(f):
    x = np.array([1.0, 2.0, 3.0, 4.0, 5.0])
    assert f(x, 1).tolist() == x.tolist()
    assert f(x, 2).tolist() == [1.0, 3.0, 5.0, 7.0, 9.0]
    assert f(x, 3).tolist() == [1.0, 3.0, 6.0, 9.0, 12.0]
    assert f(x, 5).tolist() == f(x, 6).tolist() == np.cumsum(x).tolist()
    y = np.random.default_rng(5).standard_normal(100_000)
    for w in (100_000, 10**12):  # w >= n: cumsum, bit for bit with NumPy's
        assert np.array_equal(f(y, w), np.cumsum(y))


@pytest.mark.parametrize("f", ROLLING)
def test_rolling_sum_window_must_be_a_positive_integer(f):
    x = np.ones(4)
    for bad in (0, -1, -(2**40), np.array([3, 0])):
        with pytest.raises(ValueError, match=r"rolling_sum: window must be >= 1, got -?\d+"):
            f(np.ones((2, 4)) if np.ndim(bad) else x, bad)
    for bad in (1.5, np.float64(2.0), "2", None):
        with pytest.raises(TypeError):
            f(x, bad)
    with pytest.raises(OverflowError):
        f(x, 2**80)
    assert f(x, np.int32(2)).tolist() == [1.0, 2.0, 2.0, 2.0]  # any integer type


def test_rolling_sum_error_leaves_out_untouched():
    """The windows are checked before any row is written."""
    out = np.full((3, 4), 7.0)
    with pytest.raises(ValueError):
        snake.rolling_sum(np.ones((3, 4)), np.array([1, 2, 0]), out=out)
    assert (out == 7.0).all()


@pytest.mark.parametrize("f", ROLLING)
def test_rolling_sum_per_row_windows_axis_and_out(f, rng):
    x = rng.standard_normal((3, 50))
    w = np.array([1, 7, 60])
    got = f(x, w)
    for r in range(3):
        assert np.allclose(got[r], exact_windows(x[r], int(w[r]), range(50)), rtol=1e-13, atol=1e-13)
    assert np.array_equal(f(x.T, w, axis=0), got.T)
    out = np.empty_like(x)
    assert f(x, w, out=out) is out and np.array_equal(out, got)
    y = x.copy()  # in place: NumPy hands the loop out == x, uncopied
    assert f(y, w, out=y) is y and np.array_equal(y, got)
    z = x.copy()  # shifted overlap: NumPy copies
    f(z[:, :-1], 3, out=z[:, 1:])
    assert np.array_equal(z[:, 1:], f(x[:, :-1], 3))


@pytest.mark.parametrize("f", ROLLING)
def test_rolling_sum_dtypes(f):
    assert f(np.ones(3, np.float32), 2).dtype == np.float32
    for dt in (np.uint8, np.int32, np.int64, np.int8, np.uint16):  # native: int64 sums
        got = f(np.arange(100, 104).astype(dt), 2)
        assert got.dtype == np.int64 and got.tolist() == [100, 201, 203, 205]
    assert f([1, 2, 3], 2).tolist() == [1, 3, 5]
    big = np.array([2**62, 2**62, 2**62], dtype=np.int64)  # wraps like np.cumsum
    assert np.array_equal(f(big, 3), np.cumsum(big))
    for bad in (np.ones(2, complex), np.array(["a"]), np.ones(2, object)):
        with pytest.raises(TypeError, match="rolling_sum"):
            f(bad, 2)


@pytest.mark.parametrize("f", ROLLING)
def test_rolling_sum_nonfinite_stay_in_their_windows(f):
    x = np.array([np.inf, 1, 1, 1, 1, np.nan, 1, 1, 1, 1, -np.inf, np.inf, 1, 1])
    with pytest.warns(RuntimeWarning, match="invalid value"):  # inf - inf, as np.sum warns
        got = f(x, 2)
    want = [np.inf, np.inf, 2, 2, 2, np.nan, np.nan, 2, 2, 2, -np.inf, np.nan, np.inf, 2]
    assert np.array_equal(got, want, equal_nan=True)
    assert np.signbit(f(np.array([-0.0, -0.0, 1.0]), 2)).tolist() == [True, True, False]


def test_rolling_sum_does_not_drift_over_1e7_elements(rng):
    """The issue's bar: within 1e-9 relative of the exact windowed sum over
    1e7 elements. A large offset makes a running add/subtract sum drift."""
    n = 10**7
    x = rng.standard_normal(n) + 1e6
    positions = np.concatenate([rng.integers(0, n, 300), [n - 1, n - 2]])
    for w in (10, 1000, 123_457):
        for f in ROLLING:
            got = f(x, w)[positions]
            want = exact_windows(x, w, positions)
            assert np.max(np.abs(got - want) / np.abs(want)) <= 1e-9
    # float32 input accumulates in float64: within float32 rounding
    x32 = x.astype(np.float32)
    want = exact_windows(x32.astype(np.float64), 1000, positions)
    got = snake.rolling_sum(x32, 1000)[positions]
    assert np.max(np.abs(got - want) / np.abs(want)) <= np.finfo(np.float32).eps


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_rolling_sum_mt_is_bit_identical_for_every_window(dtype, rng):
    # Mixed magnitudes: any other order of the float64 sums rounds apart
    # somewhere (float32's single-threaded w >= n runs in blocks).
    x = (rng.standard_normal(1_000_003) * 10.0 ** rng.integers(-6, 7, 1_000_003)).astype(dtype)
    with snake.threads(2):
        for w in (1, 2, 99, 4096, 100_000, 999_999, 1_000_003, 10**7):
            assert np.array_equal(snake.rolling_sum_mt(x, w), snake.rolling_sum(x, w))
            y = x.copy()
            snake.rolling_sum_mt(y, w, out=y)
            assert np.array_equal(y, snake.rolling_sum(x, w))
    # Fewer rows than threads: rows whose window covers them are dealt out
    # whole, the others split; per-row windows mix the two.
    rows = x[:300_000].reshape(3, 100_000)
    with snake.threads(4):
        for w in (10**6, np.array([10**6, 7, 100_000])):
            assert np.array_equal(snake.rolling_sum_mt(rows, w), snake.rolling_sum(rows, w))


def block_scheme(x, w):
    """rolling_sum's documented summation order, bit for bit (RollingSum.swift):
    with blocks of w, out[i] = prefix(block k, to i) + suffix(block k-1, from
    i-w+1), each a sequential float64 sum (np.cumsum adds in order)."""
    x = x.astype(np.float64)
    if w >= len(x):
        return np.cumsum(x)
    out = np.empty(len(x))
    suffix = np.full(w + 1, -0.0)  # block -1: adds nothing
    for b in range(0, len(x), w):
        block = x[b:b + w]
        out[b:b + len(block)] = np.cumsum(block) + suffix[1:len(block) + 1]
        if len(block) == w:
            suffix = np.append(np.cumsum(block[::-1])[::-1], -0.0)
    return out


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_rolling_sum_follows_the_block_order_exactly(dtype, rng):
    """Every path (one stream, two streams in lockstep from n >= 4w, the
    unaligned first block, strided and reversed views, in place, `_mt`
    chunks) gives the documented sums bit for bit, not just to a tolerance.
    Values of mixed magnitude make any other order round differently."""
    for n in (5, 99, 100, 399, 400, 401, 1000, 4099, 30_011):
        base = (rng.standard_normal(2 * n) * 10.0 ** rng.integers(-8, 9, 2 * n)).astype(dtype)
        for w in sorted({1, 2, 3, 4, 5, 6, 7, 97, 100, max(1, n // 4), max(1, n // 4 - 1), max(1, n // 2), n, n + 1}):
            for x in (base[:n], base[::2], base[::-2]):
                want = block_scheme(x, w).astype(dtype)
                for f in ROLLING:
                    assert np.array_equal(f(x, w), want), (n, w, x.strides, f.__name__)
                out = np.empty(2 * n, dtype)[::2]
                assert np.array_equal(snake.rolling_sum(x, w, out=out), want)
                y = x.copy()
                snake.rolling_sum(y, w, out=y)
                assert np.array_equal(y, want)
    x = rng.standard_normal(200_003).astype(dtype)
    with snake.threads(2):
        for w in (3, 100, 1000):
            assert np.array_equal(snake.rolling_sum_mt(x, w), block_scheme(x, w).astype(dtype))


def same_as_the_walk(f, x, w):
    """f(x, w) on contiguous rows x and on a strided view of the same
    values, which always takes the block walk row by row: the same bits,
    signs of zero and warnings. Returns the contiguous rows' result."""
    strided = np.empty(x.shape[:-1] + (2 * x.shape[-1],), x.dtype)[..., ::2]
    strided[...] = x
    with warnings.catch_warnings(record=True) as fast:
        warnings.simplefilter("always")
        got = f(x, w)
    with warnings.catch_warnings(record=True) as walked:
        warnings.simplefilter("always")
        want = f(strided, w)
    assert np.array_equal(got, want, equal_nan=True), (x.shape, w, f.__name__)
    assert np.array_equal(np.signbit(got), np.signbit(want)), (x.shape, w, f.__name__)
    assert sorted(str(m.message) for m in fast) == sorted(str(m.message) for m in walked), (x.shape, w, f.__name__)
    return got


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_rolling_sum_short_windows_match_the_block_walk(dtype, rng):
    """Short windows over a contiguous row compute each output directly,
    8 at a time (rollingDirect); a strided view of the same values takes
    the block walk. Same bits and the same warnings, with infinities and
    NaN among the values, at every start of the 8 lanes against the
    blocks and in `_mt` chunks."""
    specials = np.array([np.inf, -np.inf, np.nan, -0.0, 0.0], dtype)
    for n in (8, 9, 15, 16, 17, 63, 64, 65, 1000):
        for w in range(1, 9):
            x = (rng.standard_normal(n) * 10.0 ** rng.integers(-8, 9, n)).astype(dtype)
            if n > 20:
                where = rng.integers(0, n, 3)
                x[where] = rng.choice(specials, 3)
            for f in ROLLING:
                got = same_as_the_walk(f, x, w)
                with np.errstate(invalid="ignore"):  # the reference's own inf - inf
                    assert np.array_equal(got, block_scheme(x, w).astype(dtype), equal_nan=True)
    x = rng.standard_normal(300_007).astype(dtype)
    with snake.threads(2):
        for w in range(1, 9):
            assert np.array_equal(snake.rolling_sum_mt(x, w), block_scheme(x, w).astype(dtype))
    # Small integers sum exactly: a term a lane wrongly takes or leaves out
    # shows, where float32's rounding of mixed magnitudes could hide it.
    ints = rng.integers(-1000, 1000, 300_016).astype(dtype)
    for w in range(1, 9):
        want = np.convolve(ints[:1000].astype(np.float64), np.ones(w))[:1000].astype(dtype)
        assert np.array_equal(snake.rolling_sum(ints[:1000], w), want), w
    x = np.where(rng.random(len(x)) < 0.5, x, ints[:len(x)])
    # `_mt`'s second chunk starts at (n + 1) // 2: rows of these lengths start
    # it at every place against the blocks of w <= 8, so each group's lanes
    # meet the blocks at every phase (one thread always starts at i = w).
    walked = np.empty(2 * 300_016, dtype)[::2]
    with snake.threads(2):
        for n in range(300_001, 300_016, 2):
            walked[:n] = x[:n] if n <= len(x) else np.resize(x, n)
            y = walked[:n].copy()
            for w in range(1, 9):
                assert np.array_equal(snake.rolling_sum_mt(y, w), snake.rolling_sum(walked[:n], w)), (n, w)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_rolling_sum_lanes_match_the_block_walk(dtype, rng):
    """Windows of 3-256 over a contiguous row run 8 stretches of the row side
    by side (rollingLanes: transposed 8 x 8 tiles, chunks of 4w or 8w steps,
    gaps between stretches when their starts would share cache sets); the
    rest of the row (gaps, the tail, a `_mt` chunk's head) by the walk. Rows
    just under, at and past 8 chunks, with room for gaps: bits, signs and
    warnings against a strided view of the same values (the walk), in place,
    and the documented order."""
    specials = np.array([np.inf, -np.inf, np.nan, -0.0, 0.0], dtype)
    for w in (3, 4, 6, 7, 8, 9, 12, 16, 20, 31, 64, 100, 128, 255, 256):
        chunk = w * (8 if w % 2 else 4)
        for n in sorted({8 * chunk - 1, 8 * chunk, 8 * chunk + 1, 8 * chunk + 7 * w + 5, 16 * chunk + 3 * w + 1,
                         3 * 8 * chunk + 50 * w + 7}):
            x = (rng.standard_normal(n) * 10.0 ** rng.integers(-8, 9, n)).astype(dtype)
            x[rng.integers(0, n, 4)] = rng.choice(specials, 4)
            for f in ROLLING:
                got = same_as_the_walk(f, x, w)
            y = x.copy()
            with np.errstate(all="ignore"):
                assert snake.rolling_sum(y, w, out=y) is y
                assert np.array_equal(y, got, equal_nan=True), (n, w, "in place")
                assert np.array_equal(got, block_scheme(x, w).astype(dtype), equal_nan=True), (n, w)
    # Small integers sum exactly: a wrong term in any lane, gap or tail shows.
    ints = rng.integers(-1000, 1000, 200_003).astype(dtype)
    with snake.threads(2):
        for w in (3, 5, 10, 17, 20, 64, 99, 200):
            want = np.convolve(ints.astype(np.float64), np.ones(w))[:len(ints)].astype(dtype)
            assert np.array_equal(snake.rolling_sum(ints, w), want), w
            assert np.array_equal(snake.rolling_sum_mt(ints, w), want), w
            # Rows of a 2-D array, each long enough for the lanes.
            rows = ints[:4 * 40_000].reshape(4, 40_000)
            assert np.array_equal(snake.rolling_sum(rows, w), np.stack(
                [np.convolve(r.astype(np.float64), np.ones(w))[:40_000] for r in rows]).astype(dtype)), w


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_rolling_sum_row_groups_match_the_block_walk(dtype, rng):
    """Rows too short for 8 stretches of their own run 8 rows at a time as
    the lanes (rollingLanes with a row's stride between lanes), the last
    chunk and the last tile short, the rows past the last 8 regrouped with
    rows already done (or, in place, run alone). Bits, signs and warnings
    against a strided view (one row at a time through the walk), in place,
    `_mt`, row strides that differ between x and out, and a window that
    differs between rows (those groups run row by row)."""
    specials = np.array([np.inf, -np.inf, np.nan, -0.0, 0.0], dtype)
    for rows, n in ((8, 9), (8, 64), (9, 37), (17, 100), (23, 257), (64, 96), (12, 1001)):
        for w in (3, 4, 5, 7, 8, 10, 16, 31, 50, 100, 256):
            if w >= n:
                continue
            x = (rng.standard_normal((rows, n)) * 10.0 ** rng.integers(-8, 9, (rows, n))).astype(dtype)
            x.flat[rng.integers(0, x.size, 6)] = rng.choice(specials, 6)
            strided = np.empty((rows, 2 * n), dtype)[:, ::2]
            strided[...] = x
            want_rows = np.stack([block_scheme(r, w) for r in x]).astype(dtype) if n < 300 else None
            for f in ROLLING:
                got = same_as_the_walk(f, x, w)
            with np.errstate(all="ignore"):
                if want_rows is not None:
                    assert np.array_equal(got, want_rows, equal_nan=True), (rows, n, w)
                y = x.copy()
                assert snake.rolling_sum(y, w, out=y) is y
                assert np.array_equal(y, got, equal_nan=True), (rows, n, w, "in place")
                wide = np.full((rows, n + 5), 7, dtype)  # out rows longer than x's
                snake.rolling_sum(x, w, out=wide[:, :n])
                assert np.array_equal(wide[:, :n], got, equal_nan=True) and (wide[:, n:] == 7).all()
                with snake.threads(2):
                    assert np.array_equal(snake.rolling_sum_mt(x, w), got, equal_nan=True), (rows, n, w, "_mt")
                ws = np.full(rows, w)
                ws[rows // 2] = max(1, w - 1)  # that row's group runs row by row
                each = snake.rolling_sum(x, ws)
                for r in range(rows):
                    assert np.array_equal(each[r], snake.rolling_sum(strided[r], int(ws[r])), equal_nan=True), (rows, n, w, r)
    # Small integers sum exactly: a wrong term in any lane or tile shows.
    ints = rng.integers(-1000, 1000, (40, 203)).astype(dtype)
    for w in (3, 6, 9, 20, 64, 202):
        want = np.stack([np.convolve(r.astype(np.float64), np.ones(w))[:203] for r in ints]).astype(dtype)
        assert np.array_equal(snake.rolling_sum(ints, w), want), w


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_rolling_sum_columns_match_the_block_walk(dtype, rng):
    """Along axis 0 of a C-ordered array (and the last axis of a
    Fortran-ordered one) the rows are adjacent columns, run 8 at a time as
    the lanes (rollingColumns: one vector load a step, windows of any length,
    w >= n as a running sum), the columns past the last 8 regrouped with
    columns already done (or, in place, run alone). Bits, signs and warnings
    against a view whose columns are not adjacent (column by column through
    the walk), into NumPy's own output (each column contiguous), into a
    C-ordered out=, in place, `_mt`, and with a window that differs between
    columns (those groups run column by column); from every address
    against a cache line."""
    specials = np.array([np.inf, -np.inf, np.nan, -0.0, 0.0], dtype)

    def along0(a, w):
        return snake.rolling_sum(a, w, axis=0)

    for n, cols in ((1, 8), (5, 8), (9, 9), (37, 17), (100, 23), (257, 64), (1001, 12)):
        for w in sorted({1, 2, 3, 5, 8, 16, 31, 100, 256, n, n + 5}):
            x = (rng.standard_normal((n, cols)) * 10.0 ** rng.integers(-8, 9, (n, cols))).astype(dtype)
            x.flat[rng.integers(0, x.size, 6)] = rng.choice(specials, 6)
            got = same_as_the_walk(along0, x, w)
            with np.errstate(all="ignore"):
                assert np.array_equal(got.T, np.stack([block_scheme(c, w) for c in x.T]).astype(dtype),
                                      equal_nan=True), (n, cols, w)
                out = np.empty_like(x)
                assert snake.rolling_sum(x, w, axis=0, out=out) is out
                assert np.array_equal(out, got, equal_nan=True), (n, cols, w, "out=")
                y = x.copy()
                assert snake.rolling_sum(y, w, axis=0, out=y) is y
                assert np.array_equal(y, got, equal_nan=True), (n, cols, w, "in place")
                fortran = np.asfortranarray(x.T)  # its rows are adjacent too
                assert np.array_equal(snake.rolling_sum(fortran, w), got.T, equal_nan=True), (n, cols, w, "F")
                with snake.threads(2):
                    assert np.array_equal(snake.rolling_sum_mt(x, w, axis=0), got, equal_nan=True), (n, cols, w)
                ws = np.full(cols, w)
                ws[cols // 2] = max(1, w - 1)  # that column's group runs column by column
                each = snake.rolling_sum(x, ws, axis=0)
                for c in range(cols):
                    assert np.array_equal(each[:, c], snake.rolling_sum(x[:, c].copy(), int(ws[c])),
                                          equal_nan=True), (n, cols, w, c)
    # Groups start where 8 columns share a cache line: the columns before
    # that (0-7 of them, by the address) run first, as a group the aligned
    # groups partly redo or, in place, one by one.
    # (500, 37): over twice rolling_sum's grain, so `_mt` splits it.
    for n, cols, w in ((64, 16, 5), (500, 37, 31), (40, 100, 3)):
        x = (rng.standard_normal((n, cols)) * 10.0 ** rng.integers(-8, 9, (n, cols))).astype(dtype)
        x.flat[rng.integers(0, x.size, 6)] = rng.choice(specials, 6)
        want = same_as_the_walk(along0, x, w)
        for shift in range(8):
            wide = np.zeros((n, cols + 8), dtype)
            view = wide[:, shift:shift + cols]
            view[...] = x
            with np.errstate(all="ignore"):
                assert np.array_equal(snake.rolling_sum(view, w, axis=0), want, equal_nan=True), (n, cols, shift)
                with snake.threads(2):
                    assert np.array_equal(snake.rolling_sum_mt(view, w, axis=0), want, equal_nan=True), (n, cols, shift)
                assert snake.rolling_sum(view, w, axis=0, out=view) is view
            assert np.array_equal(view, want, equal_nan=True), (n, cols, shift, "in place")
            assert (wide[:, :shift] == 0).all() and (wide[:, shift + cols:] == 0).all()
    # Past 16 MiB with one window: bands of groups (a block of every group
    # before the next block), a last group redone, in place, `_mt`.
    cols = 1003 if dtype == np.float64 else 2003
    x = rng.standard_normal((2100, cols)).astype(dtype)
    x[rng.integers(0, 2100, 5), rng.integers(0, cols, 5)] = rng.choice(specials, 5)
    for w in (5, 30, 700, 2100):
        want = same_as_the_walk(along0, x, w)
        with np.errstate(all="ignore"):
            with snake.threads(2):
                assert np.array_equal(snake.rolling_sum_mt(x, w, axis=0), want, equal_nan=True), (w, "_mt")
            y = x.copy()
            assert snake.rolling_sum(y, w, axis=0, out=y) is y
            assert np.array_equal(y, want, equal_nan=True), (w, "in place")
    # Small integers sum exactly: a wrong term in any lane shows.
    ints = rng.integers(-1000, 1000, (203, 40)).astype(dtype)
    for w in (1, 3, 6, 9, 20, 64, 202, 500):
        want = np.stack([np.convolve(c.astype(np.float64), np.ones(w))[:203] for c in ints.T], axis=1).astype(dtype)
        assert np.array_equal(snake.rolling_sum(ints, w, axis=0), want), w


# ---- histogram ---------------------------------------------------------------


@pytest.mark.parametrize("f", HISTOGRAM)
@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.int64, np.int32, np.uint8, np.int8])
def test_histogram_is_np_histogram(f, dtype, rng):
    cases = 0
    for trial in range(300):
        n = int(rng.integers(0, 400))
        lo = float(rng.choice([0.0, -1.0, 0.1, 1 / 3, -1e-3, 1e5 + 0.1, rng.standard_normal()]))
        hi = lo + float(rng.choice([1.0, 1e-3, 0.7, 3e-7, 250.0, abs(rng.standard_normal()) + 1e-9]))
        n_bins = int(rng.choice([1, 2, 3, 7, 10, 64, 1000]))
        if np.dtype(dtype).kind == "f":
            span = hi - lo
            edges = np.linspace(lo, hi, n_bins + 1).astype(dtype)  # computed like the bins
            x = np.concatenate([
                rng.uniform(lo - 0.1 * span, hi + 0.1 * span, n).astype(dtype),
                edges, np.nextafter(edges, dtype(np.inf)), np.nextafter(edges, dtype(-np.inf)),
                np.array([np.nan, np.inf, -np.inf, lo, hi, np.nextafter(hi, np.inf),
                          np.nextafter(lo, -np.inf)]).astype(dtype),
            ])
        else:
            info = np.iinfo(dtype)
            x = rng.integers(max(info.min, -300), min(info.max, 300), n, endpoint=True).astype(dtype)
        rng.shuffle(x)
        if edges_collapse(x.dtype, n_bins, lo, hi):  # NumPy 2.4 refuses too
            with pytest.raises(ValueError, match="too many bins"):
                f(x, n_bins, lo, hi)
            continue
        want = np.histogram(x, n_bins, (lo, hi))[0]
        got = f(x, n_bins, lo, hi)
        assert got.dtype == np.int64 and np.array_equal(got, want), (n_bins, lo, hi)
        cases += 1
    assert cases > 200


@pytest.mark.parametrize("f", HISTOGRAM)
def test_histogram_subnormal_range(f):
    # m / (hi - lo) overflows here: the bins must still come from the edges.
    d = np.nextafter(0.0, 1.0)
    x = np.arange(11) * d
    for lo, hi, m in [(0.0, 10 * d, 10), (0.0, 10 * d, 5), (2 * d, 9 * d, 7), (-3 * d, 4 * d, 3)]:
        assert f(x, m, lo, hi).tolist() == np.histogram(x, m, (lo, hi))[0].tolist(), (lo, hi, m)


@pytest.mark.parametrize("f", HISTOGRAM)
def test_histogram_edges_nan_and_out_of_range(f):
    x = np.array([0.0, 0.5, 1.0, 2.0, -0.1, np.nan, np.inf, -np.inf, 0.25])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # NaN is ignored quietly
        assert f(x, 2, 0.0, 1.0).tolist() == [2, 2]  # x == hi in the last bin
        assert f(x.astype(np.float32), 4, 0, 1).tolist() == [1, 1, 1, 1]


@pytest.mark.parametrize("f", HISTOGRAM)
def test_histogram_rows_of_the_last_axis(f, rng):
    x = rng.standard_normal((3, 4, 500))
    got = f(x, 10, -2.0, 2.0)
    assert got.shape == (3, 4, 10)
    for idx in np.ndindex(3, 4):
        assert np.array_equal(got[idx], np.histogram(x[idx], 10, (-2.0, 2.0))[0])
    assert f(np.empty((2, 0)), 3, 0, 1).tolist() == [[0, 0, 0], [0, 0, 0]]


@pytest.mark.parametrize("f", HISTOGRAM)
def test_histogram_bad_arguments(f):
    x = np.ones(5)
    for n_bins in (0, -3):
        with pytest.raises(ValueError, match="n_bins must be >= 1"):
            f(x, n_bins, 0, 1)
    for n_bins in (2.5, "3", None):
        with pytest.raises(TypeError):
            f(x, n_bins, 0, 1)
    for lo, hi in [(1, 1), (2, 1), (np.nan, 1), (0, np.nan), (0, np.inf), (-np.inf, 0)]:
        with pytest.raises(ValueError, match="finite lo < hi"):
            f(x, 3, lo, hi)
    with pytest.raises(ValueError, match="overflows float32"):
        f(x.astype(np.float32), 3, -3e38, 3e38)
    with pytest.raises(ValueError, match="too many bins"):
        f(x.astype(np.float32), 1000, 1.0, 1.0 + 1e-6)
    with pytest.raises(ValueError, match="at least one dimension"):
        f(np.float64(1.0), 3, 0, 1)
    for bad in (np.ones(2, complex), np.array(["a"]), np.ones(2, object)):
        with pytest.raises(TypeError, match="histogram"):
            f(bad, 2, 0, 1)


@pytest.mark.parametrize("name", ["histogram", "histogram_mt"])
def test_histogram_gufunc_checks_its_operands(name):
    """The gufunc behind the function refuses what the function refuses,
    before counting anything (it never sees unchecked input)."""
    g = getattr(_snake, name)
    out = np.full(3, 7, np.int64)
    with pytest.raises(ValueError, match="finite lo < hi"):
        g(np.ones(4), 1.0, 0.0, out=out)
    with pytest.raises(ValueError, match="finite lo < hi"):
        g(np.ones((2, 4)), np.array([0.0, 0.0]), np.array([1.0, np.nan]), out=np.zeros((2, 3), np.int64))
    assert (out == 7).all()
    with pytest.raises(ValueError, match="n_bins must be >= 1"):
        g(np.ones(4), 0.0, 1.0, out=np.empty(0, np.int64))
    assert g(np.ones(4), 0.0, 1.0, out=out).tolist() == [0, 0, 4]


def test_histogram_mt_counts_every_element_once(rng):
    x = rng.standard_normal(2_999_997)
    want = np.histogram(x, 100, (-3.0, 3.0))[0]
    for threads in (1, 2, 3, 8):
        with snake.threads(threads):
            assert np.array_equal(snake.histogram_mt(x, 100, -3, 3), want)
            assert np.array_equal(snake.histogram_mt(x.reshape(7, -1), 100, -3, 3),
                                  [np.histogram(r, 100, (-3.0, 3.0))[0] for r in x.reshape(7, -1)])


@pytest.mark.parametrize("f", HISTOGRAM)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_histogram_values_a_few_ulps_from_edges(f, dtype, rng):
    """Contiguous rows whose vectors mostly hold values well inside their
    bins (counted without edge comparisons) with, sprinkled in, values on an
    edge and 1 to 64 ulps either side of one: those must still be binned by
    the edges, as np.histogram does, including ranges far from zero, narrow
    ones and many bins. Also reversed (strided), at an odd offset, and with
    runs crowded with edge values between random ones."""
    for n_bins, lo, hi in ((100, -3.0, 3.0), (7, 0.1, 0.9), (1000, 1e3, 1e3 + 10.0),
                           (64, -1e-3, 5e-4), (10, 0.0, 100.0), (3, -2.5, 7.0), (50, 1e5, 1e5 + 3e-3)):
        if edges_collapse(dtype, n_bins, lo, hi):
            continue
        edges = np.linspace(lo, hi, n_bins + 1).astype(dtype)
        ulps = np.array([0, 1, 2, 3, 4, 8, 16, 64])
        near = np.concatenate([edges * (1 + s * u * np.finfo(dtype).eps / 2)
                               for u in ulps for s in (-1, 1)]).astype(dtype)
        near = np.concatenate([near, np.nextafter(edges, dtype(np.inf)), np.nextafter(edges, dtype(-np.inf))])
        span = hi - lo
        x = np.empty(20001, dtype)
        x[:] = rng.uniform(lo - 0.1 * span, hi + 0.1 * span, x.size)
        spots = rng.choice(x.size, 400, replace=False)
        x[spots] = rng.choice(near, spots.size)
        x[rng.choice(x.size, 5)] = [np.nan, np.inf, -np.inf, -0.0, 0.0]
        # Runs of 2048 values mostly on edges, then random, then on edges
        # again: the loop switches to comparing every vector and back.
        crowded = rng.choice(near, 3 * 2048)
        mixed = np.concatenate([crowded, x[:6144], crowded[:2048], x[6144:]])
        for view in (x, x[::-1], x[1:], mixed):
            want = np.histogram(view, n_bins, (lo, hi))[0]
            assert np.array_equal(f(view, n_bins, lo, hi), want), (n_bins, lo, hi)


# ---- docs --------------------------------------------------------------------


@pytest.mark.parametrize("f", ROLLING + HISTOGRAM)
def test_docstring_examples_run(f):
    assert f.__doc__.startswith(f.__name__ + "(")
    assert "Examples" in f.__doc__
    parser = doctest.DocTestParser()
    test = parser.get_doctest(f.__doc__, {}, f.__name__, None, 0)
    assert test.examples
    runner = doctest.DocTestRunner(optionflags=doctest.NORMALIZE_WHITESPACE)
    runner.run(test)
    assert runner.failures == 0


@pytest.mark.parametrize("f", HISTOGRAM)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_histogram_signed_zeros_and_vector_tails(f, dtype, rng):
    """-0.0 and 0.0 as values and as bounds (equal, as np.histogram compares
    them), every length around the 8-value vector loop, strided views (the
    scalar loop), and values on, just past and far from every edge."""
    specials = np.array([-0.0, 0.0, -1.0, 1.0, np.nan, np.inf, -np.inf, 0.5, -0.5,
                         np.nextafter(0.0, 1.0), np.nextafter(0.0, -1.0)], dtype)
    for lo, hi in ((0.0, 1.0), (-0.0, 1.0), (-1.0, 0.0), (-1.0, -0.0), (-1.0, 1.0)):
        for n_bins in (1, 2, 3, 10):
            edges = np.linspace(lo, hi, n_bins + 1).astype(dtype)
            pool = np.concatenate([specials, edges, np.nextafter(edges, dtype(np.inf)),
                                   np.nextafter(edges, dtype(-np.inf))])
            for n in list(range(0, 26)) + [63, 64, 65]:
                x = rng.choice(pool, n).astype(dtype)
                for view in (x, np.repeat(x, 2)[::2], x[::-1]):
                    want = np.histogram(view, n_bins, (lo, hi))[0]
                    assert np.array_equal(f(view, n_bins, lo, hi), want), (lo, hi, n_bins, n)
