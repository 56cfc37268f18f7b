"""The ufunc interface: metadata, NumPy keywords, casting, and clean errors.

Generic tests walk snake.kernels() and rely on the kind (kinds.KINDS); a few
named tests pin the exact behaviour of today's kernels against NumPy.
"""
import doctest
import warnings

import numpy as np
import pytest

import snake
from kinds import KINDS, bits, loop_dtypes
from references import REFERENCES, base_name

# Kernels whose operands are all float arrays; rolling_sum and histogram
# (integer window, bins and range) have their own file, test_window_hist.py.
KERNELS = [k for k in snake.kernels() if KINDS[k.kind].float_operands]
IDS = [k.name for k in KERNELS]
GUFUNCS = [k for k in KERNELS if KINDS[k.kind].signature]
ELEMENTWISE = [k for k in KERNELS if not KINDS[k.kind].signature]


def core_out(kernel, n):
    """The output's core shape: (n,) for row kernels (n)->(n), else ()."""
    sig = kernel.ufunc.signature
    return (n,) if sig and sig.endswith("->(n)") else ()


def make(kernel, shape, rng, dtype=np.float64):
    """kernel.nin random inputs of `shape` (core axis last for gufuncs)."""
    return tuple((rng.standard_normal(shape) * 3).astype(dtype) for _ in range(kernel.ufunc.nin))


def check(kernel, inputs, got, out_dtype=None):
    """Compare `got` with the reference for `inputs` (core axis last)."""
    out_dtype = out_dtype or loop_dtypes(kernel.ufunc.types[-1])[1]
    KINDS[kernel.kind].check(REFERENCES[base_name(kernel.name)], inputs, got, np.dtype(out_dtype))


@pytest.fixture
def rng():
    return np.random.default_rng(1234)


# ---- metadata ----------------------------------------------------------------


@pytest.mark.parametrize("kernel", KERNELS, ids=IDS)
def test_is_a_real_ufunc_of_its_kind(kernel):
    u, kind = kernel.ufunc, KINDS[kernel.kind]
    assert isinstance(u, np.ufunc)
    assert (u.nin, u.nout, u.signature) == (kind.nin, 1, kind.signature)
    assert u.ntypes == len(u.types) >= 2
    # arrays.py generates these dtypes only: a new dtype set needs it extended.
    assert {d for t in u.types for d in loop_dtypes(t)[0]} <= {np.dtype(c) for c in "Bilfd"}
    assert u.identity is None  # no accidental reduce() semantics


@pytest.mark.parametrize("kernel", KERNELS, ids=IDS)
def test_docstring_has_a_working_example(kernel):
    doc = kernel.ufunc.__doc__
    assert doc and doc.startswith(kernel.name + "(")  # NumPy's call signature
    assert "Examples" in doc and ">>>" in doc
    if kernel.mt_grain:
        assert "thread" in doc
    # Run the examples: they document behaviour, so they must stay true.
    test = doctest.DocTestParser().get_doctest(doc, {}, kernel.name, None, 0)
    assert test.examples
    runner = doctest.DocTestRunner(optionflags=doctest.NORMALIZE_WHITESPACE)
    runner.run(test)
    assert runner.failures == 0


def test_module_docstring_examples_and_exports():
    finder = doctest.DocTestFinder(recurse=False)
    runner = doctest.DocTestRunner()
    for test in finder.find(snake):
        runner.run(test)
    assert runner.tries > 0 and runner.failures == 0
    assert {"kernels", "set_num_threads", "get_num_threads", "build_info"} <= set(snake.__all__)
    info = snake.build_info()
    assert info["version"] == snake.__version__ and info["threads"] == snake.get_num_threads()


# ---- out= ----------------------------------------------------------------------


@pytest.mark.parametrize("kernel", KERNELS, ids=IDS)
def test_out_argument(kernel, rng):
    xs = make(kernel, (4, 7), rng)
    want = kernel.ufunc(*xs)
    out = np.full_like(want, 99)
    got = kernel.ufunc(*xs, out=out)
    assert got is out
    assert np.array_equal(out, want, equal_nan=True)
    out2 = np.full_like(want, 99)
    assert kernel.ufunc(*xs, out=(out2,)) is out2 and np.array_equal(out2, want)


@pytest.mark.parametrize("kernel", KERNELS, ids=IDS)
def test_out_unaligned_or_byteswapped(kernel, rng):
    """NumPy must buffer such outputs; the values written are the same."""
    xs = make(kernel, (4, 7), rng)
    want = kernel.ufunc(*xs)
    swapped = np.zeros(want.shape, want.dtype.newbyteorder("S"))
    kernel.ufunc(*xs, out=swapped)
    raw = np.zeros(want.nbytes + 1, np.uint8)
    unaligned = raw[1:].view(want.dtype).reshape(want.shape)
    kernel.ufunc(*xs, out=unaligned)
    for out in (swapped, unaligned):
        assert np.array_equal(out, want, equal_nan=True)


def at_offset(x, offset):
    """A copy of x starting `offset` elements past a 64-byte boundary."""
    raw = np.empty(x.nbytes + 128, np.uint8)
    start = (-raw.ctypes.data) % 64 + offset * x.itemsize
    y = raw[start:start + x.nbytes].view(x.dtype)
    y[:] = x
    return y


@pytest.mark.parametrize("kernel", GUFUNCS, ids=[k.name for k in GUFUNCS])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_results_do_not_depend_on_the_address(kernel, dtype, rng):
    """The same values at every offset from a 64-byte boundary give the same
    bits (np.sum(x) == np.sum(x.copy()) holds in NumPy too): no loop may
    choose its blocks or lanes by address. Peeling up to a cache-line
    boundary measured 16-30% faster at 1e7 for sum_sq and variance, and was
    rejected for this (bench/README.md)."""
    n = 3 * 2048 + 37
    xs = make(kernel, (n,), rng, dtype)
    want = None
    for offset in range(64 // np.dtype(dtype).itemsize):
        moved = [at_offset(x, offset) for x in xs]
        got = bits(np.asarray(kernel.function(*moved)))
        want = got if want is None else want
        assert np.array_equal(got, want), f"offset {offset} elements"


SAME_SHAPE = [k for k in KERNELS if not KINDS[k.kind].signature or k.ufunc.signature.endswith("->(n)")]


@pytest.mark.parametrize("kernel", SAME_SHAPE, ids=[k.name for k in SAME_SHAPE])
def test_out_is_the_first_input(kernel, rng):
    """out=x: NumPy hands the loop the input itself (no copy); every kernel
    must read what it needs before overwriting it, threaded or not."""
    for shape in [(3, 1001), (200_001,)]:
        xs = make(kernel, shape, rng)
        want = kernel.ufunc(*xs)
        x0 = xs[0].copy()
        with snake.threads(2):
            got = kernel.ufunc(x0, *xs[1:], out=x0)
        assert got is x0
        assert np.array_equal(bits(x0), bits(want))


# Sources/SnakeKernels/Support/Drivers.swift, streamingBytes: outputs this
# large are written with streaming stores, from their first 64-byte boundary.
STREAMING_BYTES = 16 << 20


def assert_bits_at_offsets(kernel, xs, want, offsets):
    """For each offset (elements past a 64-byte boundary) of the inputs, the
    output at another offset and in place (out=xs[0]) hold want's bits."""
    per_line = 64 // xs[0].itemsize
    for offset in offsets:
        moved = [at_offset(x, offset) for x in xs]
        out = at_offset(np.zeros(want.shape, want.dtype), (offset + 3) % per_line)
        assert kernel.ufunc(*moved, out=out) is out
        assert np.array_equal(bits(out), bits(want)), f"offset {offset}"
        assert kernel.ufunc(*moved, out=moved[0]) is moved[0]
        assert np.array_equal(bits(moved[0]), bits(want)), f"in place, offset {offset}"


@pytest.mark.parametrize("kernel", SAME_SHAPE, ids=[k.name for k in SAME_SHAPE])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_large_outputs_keep_their_bits(kernel, dtype, rng):
    """Outputs of STREAMING_BYTES or more bypass the caches: the vectors from
    the first 64-byte boundary are stored around them, the unaligned first and
    last vectors normally. Whatever the output's address, in place or not,
    threaded or not, the bits must be those of the cached path: for
    elementwise kernels, the same call on pieces below the threshold."""
    n = STREAMING_BYTES // np.dtype(dtype).itemsize + 37
    xs = make(kernel, (n,), rng, dtype)
    specials = np.array([np.nan, -0.0, np.inf, -np.inf, np.nan, -0.0], dtype)
    xs[0][[0, 5, 17, n // 2, n - 20, n - 1]] = specials
    if KINDS[kernel.kind].signature:
        want = kernel.ufunc(*xs)
        check(kernel, xs, want, dtype)
    else:
        piece = 1 << 18
        want = np.concatenate([kernel.ufunc(*(x[i:i + piece] for x in xs)) for i in range(0, n, piece)])
    with snake.threads(2):
        assert_bits_at_offsets(kernel, xs, want, (0, 1, 5))


ELEMENTWISE = [k for k in KERNELS if not KINDS[k.kind].signature]


@pytest.mark.parametrize("kernel", ELEMENTWISE, ids=[k.name for k in ELEMENTWISE])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_elementwise_bits_do_not_depend_on_the_address(kernel, dtype, rng):
    """Rows of 128 KiB and more align their stores on the AVX2 and AVX-512
    tiers (Elementwise/Map.swift, alignsStores): the first and last vectors
    are computed apart, on copies, and stored after the rest. At every
    offset of the inputs from a 64-byte boundary, with the output at another
    offset or in place, and on two threads or one, the bits must be those of
    the same call on pieces too short to be aligned."""
    n = 5 * 16384 + 37
    xs = make(kernel, (n,), rng, dtype)
    specials = np.array([np.nan, -0.0, np.inf, -np.inf, np.nan, -0.0], dtype)
    xs[0][[0, 5, 17, n // 2, n - 20, n - 1]] = specials
    piece = 1000
    want = np.concatenate([kernel.ufunc(*(x[i:i + piece] for x in xs)) for i in range(0, n, piece)])
    for threads in (1, 2):
        with snake.threads(threads):
            assert_bits_at_offsets(kernel, xs, want, range(64 // np.dtype(dtype).itemsize))


@pytest.mark.parametrize("name", ["relu", "clip", "scale", "saxpy", "cumsum", "rolling_sum"])
@pytest.mark.parametrize("mt", ["", "_mt"])
def test_integer_out_is_the_first_input(name, mt, rng):
    """int64 in place: the integer loops read before they overwrite too
    (rolling_sum reads x[i - w] after writing out[i - w]: it copies the row)."""
    f = getattr(snake, name + mt)
    extra = {"clip": (-10**12, 10**12), "scale": (3,), "saxpy": (np.arange(3), 5), "rolling_sum": (7,)}
    for n in (1001, 200_001):
        x = rng.integers(-2**40, 2**40, n)
        args = [a if np.ndim(a) == 0 else np.resize(a, n) for a in extra.get(name, ())]
        want = f(x, *args)
        y = x.copy()
        with snake.threads(2):
            assert f(y, *args, out=y) is y
        assert np.array_equal(y, want)


def test_clip_in_place(rng):
    x = rng.standard_normal(1001)
    want = np.clip(x, 0, 1)
    assert snake.clip(x, 0, 1, out=x) is x
    assert np.array_equal(bits(x), bits(want))


def test_clip_overlapping_out(rng):
    """Partially overlapping out/in: NumPy must buffer, result as if not aliased."""
    x = rng.standard_normal(1000) * 2
    want = np.clip(x[1:], -1, 1)
    snake.clip(x[1:], -1, 1, out=x[:-1])
    assert np.array_equal(x[:-1], want)


def test_reduce_out_overlapping_input(rng):
    x = rng.standard_normal((6, 6))
    want = snake.sum_sq(x.copy())
    snake.sum_sq(x, out=x[:, 0])  # writes into the rows being reduced
    np.testing.assert_allclose(x[:, 0], want, rtol=1e-14)


@pytest.mark.parametrize("kernel", ELEMENTWISE, ids=[k.name for k in ELEMENTWISE])
def test_where_leaves_masked_elements_alone(kernel, rng):
    xs = make(kernel, (5, 9), rng)
    mask = rng.random((5, 9)) < 0.5
    out = np.full((5, 9), -777.0)
    kernel.ufunc(*xs, out=out, where=mask)
    assert (out[~mask] == -777.0).all()
    assert np.array_equal(bits(out[mask]), bits(kernel.ufunc(*xs)[mask]))


def test_out_errors(rng):
    x = rng.standard_normal((3, 4))
    ro = np.zeros(3)
    ro.flags.writeable = False
    with pytest.raises(ValueError, match="read-only"):
        snake.sum_sq(x, out=ro)
    with pytest.raises(ValueError):
        snake.sum_sq(x, out=np.zeros(4))  # wrong shape
    with pytest.raises(ValueError):
        snake.clip(x, 0, 1, out=np.zeros((4, 3)))
    with pytest.raises(TypeError):  # float result into int out: unsafe cast
        snake.sum_sq(x, out=np.zeros(3, dtype=np.int64))
    with pytest.raises(TypeError):
        snake.argmax(x, out=np.zeros(3, dtype=bool))  # intp -> bool: not same_kind
    ro2 = np.zeros((3, 4))
    ro2.flags.writeable = False
    with pytest.raises(ValueError, match="read-only"):
        snake.clip(ro2, 0, 1, out=ro2)
    assert not ro.any() and not ro2.any()


# ---- axis= / axes= / keepdims= ------------------------------------------------


@pytest.mark.parametrize("kernel", GUFUNCS, ids=[k.name for k in GUFUNCS])
def test_axis_axes_keepdims(kernel, rng):
    """axis=a must equal moving axis a to the end; keepdims keeps a 1 there.
    Row kernels, (n)->(n), keep the core axis where it was."""
    xs = make(kernel, (3, 5, 6), rng)
    nin = kernel.ufunc.nin
    if kernel.ufunc.signature.endswith("->(n)"):
        for axis in range(-3, 3):
            got = kernel.ufunc(*xs, axis=axis)
            moved = tuple(np.moveaxis(x, axis, -1) for x in xs)
            check(kernel, moved, np.moveaxis(got, axis, -1))
            via_axes = kernel.ufunc(*xs, axes=[(axis,)] * (nin + 1))
            assert np.array_equal(via_axes, got)
        return
    for axis in range(-3, 3):
        moved = tuple(np.moveaxis(x, axis, -1) for x in xs)
        got = kernel.ufunc(*xs, axis=axis)
        check(kernel, moved, got)
        via_axes = kernel.ufunc(*xs, axes=[(axis,)] * nin + [()])
        assert np.array_equal(via_axes, got)
        kept = kernel.ufunc(*xs, axis=axis, keepdims=True)
        assert kept.shape == tuple(1 if i == axis % 3 else s for i, s in enumerate(xs[0].shape))
        assert np.array_equal(np.squeeze(kept, axis), got)


def test_reductions_match_numpy_equivalents(rng):
    x, y = rng.standard_normal((2, 4, 5, 6))
    for axis in (0, 1, -1):
        np.testing.assert_allclose(snake.sum_sq(x, axis=axis), np.sum(x * x, axis=axis), rtol=1e-13)
        np.testing.assert_allclose(snake.sum_sq(x, axis=axis, keepdims=True),
                                   np.sum(x * x, axis=axis, keepdims=True), rtol=1e-13)
        np.testing.assert_allclose(snake.dot(x, y, axis=axis), np.sum(x * y, axis=axis),
                                   rtol=1e-12, atol=1e-13)
        assert np.array_equal(snake.argmax(x, axis=axis), np.argmax(x, axis=axis))
        assert np.array_equal(snake.argmax(x, axis=axis, keepdims=True),
                              np.argmax(x, axis=axis, keepdims=True))
    np.testing.assert_allclose(snake.sum_sq(x, axes=[(0,), ()]), np.sum(x * x, axis=0), rtol=1e-13)


def test_clip_matches_numpy_bit_for_bit(rng):
    specials = np.array([np.nan, -np.nan, np.inf, -np.inf, 0.0, -0.0, 5e-324, 1.0, -1.0, 2.0])
    x, lo, hi = np.meshgrid(specials, specials, specials, indexing="ij")
    for dtype in (np.float64, np.float32):
        args = [a.astype(dtype) for a in (x, lo, hi)]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # np.clip itself may warn on NaN
            want = np.clip(*args)
        assert np.array_equal(bits(snake.clip(*args)), bits(want))


# ---- dtype= / casting / input conversion ------------------------------------


def test_sum_sq_dtype_float32(rng):
    x = rng.standard_normal(1000)
    got = snake.sum_sq(x, dtype=np.float32)
    assert got.dtype == np.float32
    assert got == snake.sum_sq(x.astype(np.float32))


@pytest.mark.parametrize("kernel", KERNELS, ids=IDS)
def test_every_loop_can_be_forced(kernel, rng):
    """signature= picks a loop; float64 input is cast like an explicit astype
    (to an integer loop only with casting="unsafe", as for NumPy's ufuncs)."""
    xs = make(kernel, (3, 8), rng)
    for types in kernel.ufunc.types:
        ins, out = loop_dtypes(types)
        if ins[0].kind in "iu":
            with pytest.raises(TypeError, match="casting"):
                kernel.ufunc(*xs, signature=types)
            got = kernel.ufunc(*xs, signature=types, casting="unsafe")
        else:
            got = kernel.ufunc(*xs, signature=types)
        assert got.dtype == out
        assert np.array_equal(got, kernel.ufunc(*(x.astype(d) for x, d in zip(xs, ins))))


NATIVE_INTS = [k for k in KERNELS if "l" in k.types[0] or "i" in "".join(k.types)]
FLOAT_ONLY = [k for k in KERNELS if k not in NATIVE_INTS]


@pytest.mark.parametrize("kernel", NATIVE_INTS, ids=[k.name for k in NATIVE_INTS])
def test_integer_inputs_use_the_native_loops(kernel, rng):
    """int64, int32, uint8 run their own loops; other integer types the first
    loop they cast to safely (as NumPy's own ufuncs choose); lists of ints
    are int64."""
    by_input = {loop_dtypes(t)[0][0]: loop_dtypes(t)[1] for t in kernel.types}
    cases = {np.int64: np.int64, np.int32: np.int32, np.uint8: np.uint8, np.int8: np.int32,
             np.int16: np.int32, np.uint16: np.int32, np.uint32: np.int64, np.bool_: np.uint8}
    for given, loop in cases.items():
        xs = tuple(rng.integers(0, 2 if given is np.bool_ else 50, size=(3, 7)).astype(given)
                   for _ in range(kernel.ufunc.nin))
        got = kernel.ufunc(*xs)
        assert got.dtype == by_input[np.dtype(loop)], given
        assert np.array_equal(got, kernel.ufunc(*(x.astype(loop) for x in xs)))
    lists = tuple(rng.integers(-50, 50, size=(3, 7)).tolist() for _ in range(kernel.ufunc.nin))
    assert kernel.ufunc(*lists).dtype == by_input[np.dtype(np.int64)]
    # uint64 has no safe integer loop: float64, as np.maximum(uint64, int64) would
    assert kernel.ufunc(*(np.arange(3, dtype=np.uint64),) * kernel.ufunc.nin).dtype == by_input[np.dtype("d")]


@pytest.mark.parametrize("kernel", FLOAT_ONLY, ids=[k.name for k in FLOAT_ONLY])
def test_integer_and_list_inputs_use_the_float64_loop(kernel, rng):
    ints = tuple(rng.integers(-50, 50, size=(3, 7)) for _ in range(kernel.ufunc.nin))
    floats = tuple(i.astype(np.float64) for i in ints)
    want = kernel.ufunc(*floats)
    f64_out = loop_dtypes(next(t for t in kernel.ufunc.types if t.startswith("d")))[1]
    for args in (ints, tuple(i.tolist() for i in ints), tuple(i.astype(np.int32) for i in ints),
                 tuple(i.astype(np.int8) for i in ints), tuple((i > 0) for i in ints)):
        if args[0].dtype == np.bool_ if isinstance(args[0], np.ndarray) else False:
            want_b = kernel.ufunc(*(a.astype(np.float64) for a in args))
            assert kernel.ufunc(*args).dtype == f64_out  # bool too: float64, not float32
            assert np.array_equal(kernel.ufunc(*args), want_b)
            continue
        got = kernel.ufunc(*args)
        assert got.dtype == f64_out
        assert np.array_equal(got, want)
    check(kernel, floats, want)


@pytest.mark.parametrize("kernel", KERNELS, ids=IDS)
def test_float32_stays_float32(kernel, rng):
    xs = make(kernel, (2, 33), rng, dtype=np.float32)
    out_dtype = loop_dtypes(next(t for t in kernel.types if t.startswith("f")))[1]
    got = kernel.ufunc(*xs)
    assert got.dtype == out_dtype
    check(kernel, xs, got, out_dtype)


def test_python_scalars():
    assert snake.clip(5, 0, 1) == 1 and type(snake.clip(5, 0, 1)) is np.int64  # as np.clip(5, 0, 1)
    assert snake.clip(5.0, 0, 1) == 1.0 and type(snake.clip(5.0, 0, 1)) is np.float64
    assert type(snake.clip(np.float32(3), 0.0, 1.0)) is np.float32  # NEP 50: weak Python floats
    assert type(snake.scale(np.int32(3), 2.5)) is np.float64  # as np.multiply(np.int32(3), 2.5)
    assert type(snake.scale(np.uint8(3), 2)) is np.uint8  # a weak Python int keeps uint8
    assert snake.sum_sq([1, 2, 3]) == 14 and type(snake.sum_sq([1, 2, 3])) is np.int64
    assert snake.sum_sq([1.0, 2.0, 3.0]) == 14.0 and type(snake.sum_sq([1.0, 2.0])) is np.float64
    assert snake.dot([1.0, 2.0], [3.0, 4.0]) == 11.0
    assert snake.argmax([1.0, 3.0, 3.0]) == 1 and type(snake.argmax([1.0, 3.0])) is np.intp


@pytest.mark.parametrize("kernel", GUFUNCS, ids=[k.name for k in GUFUNCS])
def test_gufunc_needs_a_core_axis(kernel):
    with pytest.raises(ValueError, match="dimensions"):
        kernel.ufunc(*([3.0] * kernel.ufunc.nin))


# ---- shapes: broadcasting, 0-d, empty ---------------------------------------------


def test_dot_broadcasts_outer_axes(rng):
    a, b = rng.standard_normal((3, 1, 10)), rng.standard_normal((4, 10))
    got = snake.dot(a, b)
    assert got.shape == (3, 4)
    np.testing.assert_allclose(got, np.einsum("ijk,jk->ij", np.broadcast_to(a, (3, 4, 10)), b), rtol=1e-13)


@pytest.mark.parametrize("kernel", GUFUNCS, ids=[k.name for k in GUFUNCS])
def test_gufunc_outer_broadcasting(kernel, rng):
    n = 10
    shapes = [(3, 1, n), (4, n), (1, 4, n)][: kernel.ufunc.nin]
    xs = tuple(rng.standard_normal(s) for s in shapes)
    got = kernel.ufunc(*xs)
    assert got.shape == np.broadcast_shapes(*(s[:-1] for s in shapes)) + core_out(kernel, n)
    check(kernel, xs, got)


def test_clip_broadcasts_bounds(rng):
    x = rng.standard_normal((4, 5))
    lo, hi = rng.standard_normal((4, 1)) - 1, rng.standard_normal(5) + 1
    assert np.array_equal(snake.clip(x, lo, hi), np.clip(x, lo, hi))


@pytest.mark.parametrize("kernel", KERNELS, ids=IDS)
def test_zero_d_and_empty_outer_shapes(kernel, rng):
    kind = KINDS[kernel.kind]
    u = kernel.ufunc
    # One row -> 0-d result (a NumPy scalar), or one row for row kernels.
    xs = make(kernel, (6,), rng) if kind.signature else tuple(np.float64(v) for v in (0.5, 0.0, 1.0)[:kind.nin])
    got = u(*xs)
    if core_out(kernel, 6):
        assert np.shape(got) == (6,)
    else:
        assert np.ndim(got) == 0 and isinstance(got, np.generic)
    check(kernel, tuple(np.asarray(x) for x in xs), got)
    # Empty outer shape: no rows, empty result of the right shape and dtype.
    xs = make(kernel, (0, 5) if kind.signature else (0,), rng)
    got = u(*xs)
    assert got.shape == (0,) + core_out(kernel, 5) and got.dtype == loop_dtypes(u.types[-1])[1]
    xs = make(kernel, (2, 0, 3, 5) if kind.signature else (2, 0), rng)
    assert u(*xs).shape == ((2, 0, 3) + core_out(kernel, 5) if kind.signature else (2, 0))


@pytest.mark.parametrize("kernel", GUFUNCS, ids=[k.name for k in GUFUNCS])
def test_empty_core_axis(kernel):
    xs = tuple(np.zeros((3, 0)) for _ in range(kernel.ufunc.nin))
    if KINDS[kernel.kind].empty_raises:
        with pytest.raises(ValueError, match=f"attempt to get {base_name(kernel.name)} of an empty sequence"):
            kernel.ufunc(*xs)
        with pytest.raises(ValueError, match="empty sequence"):
            kernel.ufunc(*(np.zeros(0, np.float32) for _ in xs))
    else:
        got = kernel.ufunc(*xs)
        check(kernel, xs, got)
        assert got.shape == (3,) + core_out(kernel, 0)


def test_argmax_empty_message():
    with pytest.raises(ValueError, match="^attempt to get argmax of an empty sequence$"):
        snake.argmax(np.array([]))
    with pytest.raises(ValueError, match="empty sequence"):
        snake.argmax(np.zeros((4, 0)))
    with pytest.raises(ValueError, match="empty sequence"):
        snake.argmax(np.zeros((0, 4)), axis=0)
    assert snake.argmax(np.zeros((0, 4))).shape == (0,)  # rows empty, core not


# ---- bad input: clean exceptions, never a crash -------------------------------

BAD_INPUTS = {
    "str": "abc",
    "str_array": np.array(["a", "b", "c"]),
    "bytes_array": np.array([b"a", b"b", b"c"]),
    "complex": np.array([1 + 1j, 2j, 3.0]),
    "object": np.array([1.0, 2.0, 3.0], dtype=object),
    "datetime": np.array(["2020-01-01", "2020-01-02", "2020-01-03"], dtype="M8[D]"),
    "timedelta": np.array([1, 2, 3], dtype="m8[s]"),
    "structured": np.zeros(3, dtype=[("a", "f8")]),
    "none": None,
}


@pytest.mark.parametrize("bad", list(BAD_INPUTS), ids=list(BAD_INPUTS))
@pytest.mark.parametrize("kernel", KERNELS, ids=IDS)
def test_bad_input_types_raise_type_error(kernel, bad):
    good = np.arange(3.0)
    for pos in range(kernel.ufunc.nin):
        args = [good] * kernel.ufunc.nin
        args[pos] = BAD_INPUTS[bad]
        # The message names the kernel and the dtypes it takes.
        with pytest.raises(TypeError, match=rf"snake\.{kernel.name} does not support .* loops take .*float64"):
            kernel.ufunc(*args)


@pytest.mark.parametrize("kernel", KERNELS, ids=IDS)
def test_wrong_argument_count(kernel):
    with pytest.raises(TypeError):
        kernel.ufunc(*([np.ones(3)] * (kernel.ufunc.nin + 2)))
    with pytest.raises(TypeError):
        kernel.ufunc()


def test_dot_mismatched_lengths():
    with pytest.raises(ValueError, match="mismatch in its core dimension"):
        snake.dot(np.ones(3), np.ones(4))
    with pytest.raises(ValueError):
        snake.dot(np.ones((2, 3)), np.ones((2, 4)))
    with pytest.raises(ValueError):  # outer shapes that do not broadcast
        snake.dot(np.ones((2, 3)), np.ones((5, 3)))


@pytest.mark.parametrize("kernel", [k for k in KERNELS if k.kind == "REDUCE2"],
                         ids=[k.name for k in KERNELS if k.kind == "REDUCE2"])
def test_two_input_core_lengths_must_match(kernel):
    with pytest.raises(ValueError):
        kernel.ufunc(np.ones((2, 5)), np.ones((2, 6)))


# ---- floating-point warnings ----------------------------------------------------


def nan_inputs(kernel, dtype):
    """Inputs full of quiet NaNs (both signs) among ordinary numbers.

    Kinds that only compare (no arithmetic) also get a signaling NaN: their
    loops compare bit patterns and must not raise "invalid" even for those.
    """
    vals = [np.nan, 1.0, -np.nan, -2.0, np.nan, 0.0, -0.0] * 5
    x = np.array(vals, dtype=dtype)
    arithmetic = getattr(REFERENCES[base_name(kernel.name)], "arithmetic", False)
    if not (KINDS[kernel.kind].invalid_on_inf or arithmetic):
        u = np.dtype(f"u{x.itemsize}")
        x[3] = np.array(0x7FA00001 if x.itemsize == 4 else 0x7FF4000000000001, dtype=u).view(dtype)
    return tuple(np.roll(x, i) for i in range(kernel.ufunc.nin))


@pytest.mark.parametrize("kernel", KERNELS, ids=IDS)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_nan_input_raises_no_warning(kernel, dtype):
    xs = nan_inputs(kernel, dtype)
    with warnings.catch_warnings(record=True) as caught, np.errstate(all="warn"):
        warnings.simplefilter("always")
        got = kernel.ufunc(*xs)
        got_rows = kernel.ufunc(*(np.tile(x, (3, 1)) for x in xs))
        all_nan = kernel.ufunc(*(np.full(40, np.nan, dtype) for _ in xs))
    assert caught == [], [str(w.message) for w in caught]
    out_dtype = loop_dtypes(next(t for t in kernel.ufunc.types if t[0] == np.dtype(dtype).char))[1]
    check(kernel, xs, got, out_dtype)
    assert np.array_equal(got_rows, np.broadcast_to(got, np.shape(got_rows)), equal_nan=True)
    check(kernel, tuple(np.full(40, np.nan, dtype) for _ in xs), all_nan, out_dtype)


def test_named_nan_cases_are_quiet():
    x = np.array([1.0, np.nan, 3.0, np.nan])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert np.isnan(snake.sum_sq(x)) and np.isnan(snake.sum_sq(x.astype(np.float32)))
        assert snake.argmax(x) == 1 and snake.argmax(x[::-1]) == 0
        r = snake.clip(x, 0.0, 2.0)
        assert np.array_equal(r, [1.0, np.nan, 2.0, np.nan], equal_nan=True)
        assert np.isnan(snake.clip(1.0, np.nan, 2.0)) and np.isnan(snake.clip(1.0, 0.0, np.nan))
        assert np.isnan(snake.dot(x, np.ones(4)))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_exp_kernels_warn_as_the_numpy_formulas(dtype):
    """softmax raises "underflow" where np.exp in its formula does (a result
    that is subnormal or 0), and nothing else; gelu raises nothing for any
    finite input, as the tanh formula (its tanh saturates) does not. Wide
    inputs take the any-range exp path; every row also has ordinary lanes."""
    fi = np.finfo(dtype)
    wide = np.array([0.0, -1.0, 30.0, -30.0, 1e4, -1e4, fi.max, -fi.max, 5.0, -5.0] * 4, dtype)
    with np.errstate(all="raise"):
        got = snake.gelu(wide)  # no FloatingPointError
        assert np.array_equal(got[[2, 4, 6, 12, 14, 16]], wide[[2, 4, 6, 12, 14, 16]])
        assert np.all(got[[3, 5, 7]] == 0)
        snake.softmax(np.linspace(-50, 0, 40).astype(dtype))  # nothing underflows
        for gap in (-1000.0, np.log(fi.tiny) - 3):  # 0, subnormal
            row = np.zeros(40, dtype)
            row[7] = gap
            with pytest.raises(FloatingPointError, match="underflow"):
                np.exp(row - row.max())
            with pytest.raises(FloatingPointError, match="underflow"):
                snake.softmax(row)
    with np.errstate(under="ignore"):
        row[7] = np.log(fi.tiny) - 3
        got = snake.softmax(row)
        want = np.exp(row.astype(np.float64)) / np.exp(row.astype(np.float64)).sum()
        assert 0 < got[7] < fi.tiny and abs(float(got[7]) - want[7]) <= float(fi.smallest_subnormal)


def test_clip_edge_semantics():
    assert snake.clip(5.0, 3.0, 1.0) == 1.0  # lo > hi gives hi
    assert snake.clip(-5.0, 3.0, 1.0) == 1.0
    # np.clip has two loops: with constant (scalar) bounds a -0.0/+0.0 tie
    # keeps x; with array bounds it picks lo, then hi. The sign tells which.
    assert not np.signbit(snake.clip(0.0, -0.0, 1.0)) and np.signbit(snake.clip(-0.0, 0.0, 1.0))
    assert not np.signbit(snake.clip(0.0, -1.0, -0.0))
    ones = np.ones(1)
    assert np.signbit(snake.clip(0.0 * ones, -0.0 * ones, ones))
    assert not np.signbit(snake.clip(-0.0 * ones, 0.0 * ones, ones))
    assert np.signbit(snake.clip(0.0 * ones, -ones, -0.0 * ones))
    for args in [(0.0, -0.0, 1.0), (-0.0, 0.0, 1.0), (0.0, -1.0, -0.0)]:
        for bounds_as_arrays in (False, True):
            a = [np.array([v]) if (i and bounds_as_arrays) else np.array([v]) if i == 0 else v
                 for i, v in enumerate(args)]
            assert np.signbit(snake.clip(*a)) == np.signbit(np.clip(*a)), (args, bounds_as_arrays)
    assert snake.clip(np.inf, 0.0, 1.0) == 1.0 and snake.clip(-np.inf, 0.0, 1.0) == 0.0


def test_argmax_edge_semantics():
    assert snake.argmax([-0.0, 0.0]) == 0 and snake.argmax([0.0, -0.0]) == 0
    assert snake.argmax([1.0, np.inf, np.nan, np.nan]) == 2
    assert snake.argmax([-np.inf, -np.inf]) == 0
    x = np.zeros(37)
    x[[5, 20, 36]] = 1.0
    assert snake.argmax(x) == 5 and snake.argmax(x.astype(np.float32)) == 5


def test_float32_reductions_stay_accurate_over_1e7_elements(rng):
    """Within 1e-5 relative of a float64 reference (a sequential float32 sum
    of 1e7 positive terms drifts by ~1e-3)."""
    x = (rng.random(10**7) + 0.5).astype(np.float32)  # positive: no cancellation to hide in
    y = (rng.random(10**7) + 0.5).astype(np.float32)
    x64, y64 = x.astype(np.float64), y.astype(np.float64)
    cases = [(snake.sum_sq, (x,), x64 @ x64), (snake.dot, (x, y), x64 @ y64),
             (snake.variance, (x,), np.var(x64))]
    for f, args, want in cases:
        for g in (f, getattr(snake, f.__name__ + "_mt")):
            got = g(*args)
            assert got.dtype == np.float32
            assert abs(float(got) - want) <= 1e-5 * abs(want), g.__name__


NORMALIZE_EXTREMES = [(np.float32, m) for m in (1e-42, 4e-21, 1e-30, 1e19, 1e38)] + \
    [(np.float64, m) for m in (5e-320, 1e-160, 1e-300, 1e150, 1e300)]


@pytest.mark.parametrize("dtype, magnitude", NORMALIZE_EXTREMES)
def test_normalize_tiny_and_huge_rows(dtype, magnitude):
    """Rows whose squares leave the dtype's normal range (float32 squares
    are summed as float32 products): rescaled, never quantized. Found by
    hypothesis: float32 [3.85e-21] normalized to 1.00002. The reference is
    hypot-based (np.linalg.norm itself quantizes here)."""
    value = dtype(magnitude)
    assert value != 0 and np.isfinite(value)
    row = np.array([value, -value, 2 * value, value / 4], dtype=dtype)
    for fn in (snake.normalize, snake.normalize_mt):
        for x in (row[:1], row, row[::-1]):
            want, _ = REFERENCES["normalize"](x)
            np.testing.assert_allclose(fn(x), want, rtol=4 * np.finfo(dtype).eps, atol=0, err_msg=str(x))
