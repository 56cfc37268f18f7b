/*
 * _snake: the NumPy glue. It adapts NumPy's inner-loop signature to the
 * Swift kernels' C ABI (snake_abi.h) and registers one ufunc per row of the
 * kernel table (kernels.def), plus an `_mt` twin where the row asks for one.
 * No arithmetic happens here.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <string.h>

#define NPY_NO_DEPRECATED_API NPY_2_1_API_VERSION
#define NPY_TARGET_VERSION NPY_2_1_API_VERSION
#include <numpy/arrayobject.h>
#include <numpy/ufuncobject.h>
#include <numpy/dtype_api.h>
#include <math.h>
#include <stdarg.h>

#include "snake_abi.h"

/* Set by tools/swiftbuild.py and Package.swift, for snake.show_config(). */
#ifndef SNAKE_BUILD_FLAGS
#define SNAKE_BUILD_FLAGS "unknown"
#endif
#ifndef SNAKE_TIER_FLAGS
#define SNAKE_TIER_FLAGS "unknown"
#endif
#ifndef SNAKE_BUILD_COMPILER
#define SNAKE_BUILD_COMPILER "unknown"
#endif

/* NumPy type number of each C element type used in the dtype sets. */
#define SNAKE_NPY_float    NPY_FLOAT
#define SNAKE_NPY_double   NPY_DOUBLE
#define SNAKE_NPY_int64_t  NPY_INT64
#define SNAKE_NPY_int32_t  NPY_INT32
#define SNAKE_NPY_uint8_t  NPY_UINT8
#define SNAKE_NPY_intptr_t NPY_INTP

/* ---- kinds: how a NumPy loop call maps onto a Swift kernel call ----------
 * a: args, d: dimensions, s: steps (bytes). For gufuncs d[0]/s[0..nargs) are
 * the outer loop, then core sizes and core steps follow. */

#define SNAKE_API_REDUCE LEGACY
#define SNAKE_NIN_REDUCE 1
#define SNAKE_NOUT_REDUCE 1
#define SNAKE_SIG_REDUCE "(n)->()"
#define SNAKE_ELEMENTS_REDUCE (d[0] * d[1])
#define SNAKE_CHECK_REDUCE NULL
#define SNAKE_TYPES_REDUCE(T, A) SNAKE_NPY_##T, SNAKE_NPY_##A,
#define SNAKE_CALL_REDUCE(fn, T, A) \
    fn(d[0], d[1], (const T *)a[0], s[0], s[2], (A *)a[1], s[1], grain)

#define SNAKE_API_REDUCE2 LEGACY
#define SNAKE_NIN_REDUCE2 2
#define SNAKE_NOUT_REDUCE2 1
#define SNAKE_SIG_REDUCE2 "(n),(n)->()"
#define SNAKE_ELEMENTS_REDUCE2 (d[0] * d[1])
#define SNAKE_CHECK_REDUCE2 NULL
#define SNAKE_TYPES_REDUCE2(T, A) SNAKE_NPY_##T, SNAKE_NPY_##T, SNAKE_NPY_##A,
#define SNAKE_CALL_REDUCE2(fn, T, A)                                    \
    fn(d[0], d[1], (const T *)a[0], s[0], s[3], (const T *)a[1], s[1], \
       s[4], (A *)a[2], s[2], grain)

#define SNAKE_API_INDEX LEGACY
#define SNAKE_NIN_INDEX 1
#define SNAKE_NOUT_INDEX 1
#define SNAKE_SIG_INDEX "(n)->()"
#define SNAKE_ELEMENTS_INDEX (d[0] * d[1])
#define SNAKE_CHECK_INDEX check_nonempty
#define SNAKE_TYPES_INDEX(T, A) SNAKE_NPY_##T, NPY_INTP,
#define SNAKE_CALL_INDEX(fn, T, A) \
    fn(d[0], d[1], (const T *)a[0], s[0], s[2], (intptr_t *)a[1], s[1], grain)

#define SNAKE_API_VEC LEGACY
#define SNAKE_NIN_VEC 1
#define SNAKE_NOUT_VEC 1
#define SNAKE_SIG_VEC "(n)->(n)"
#define SNAKE_ELEMENTS_VEC (d[0] * d[1])
#define SNAKE_CHECK_VEC NULL
#define SNAKE_TYPES_VEC(T, A) SNAKE_NPY_##T, SNAKE_NPY_##A,
#define SNAKE_CALL_VEC(fn, T, A) \
    fn(d[0], d[1], (const T *)a[0], s[0], s[2], (A *)a[1], s[1], s[3], grain)

#define SNAKE_API_MAP1 LEGACY
#define SNAKE_NIN_MAP1 1
#define SNAKE_NOUT_MAP1 1
#define SNAKE_SIG_MAP1 NULL
#define SNAKE_ELEMENTS_MAP1 (d[0])
#define SNAKE_CHECK_MAP1 NULL
#define SNAKE_TYPES_MAP1(T, A) SNAKE_NPY_##T, SNAKE_NPY_##T,
#define SNAKE_CALL_MAP1(fn, T, A) \
    fn(d[0], (const T *)a[0], s[0], (T *)a[1], s[1], grain)

#define SNAKE_API_MAP2 LEGACY
#define SNAKE_NIN_MAP2 2
#define SNAKE_NOUT_MAP2 1
#define SNAKE_SIG_MAP2 NULL
#define SNAKE_ELEMENTS_MAP2 (d[0])
#define SNAKE_CHECK_MAP2 NULL
#define SNAKE_TYPES_MAP2(T, A) SNAKE_NPY_##T, SNAKE_NPY_##T, SNAKE_NPY_##T,
#define SNAKE_CALL_MAP2(fn, T, A) \
    fn(d[0], (const T *)a[0], s[0], (const T *)a[1], s[1], (T *)a[2], s[2], grain)

#define SNAKE_API_MAP3 LEGACY
#define SNAKE_NIN_MAP3 3
#define SNAKE_NOUT_MAP3 1
#define SNAKE_SIG_MAP3 NULL
#define SNAKE_ELEMENTS_MAP3 (d[0])
#define SNAKE_CHECK_MAP3 NULL
#define SNAKE_TYPES_MAP3(T, A) SNAKE_NPY_##T, SNAKE_NPY_##T, SNAKE_NPY_##T, SNAKE_NPY_##T,
#define SNAKE_CALL_MAP3(fn, T, A)                                            \
    fn(d[0], (const T *)a[0], s[0], (const T *)a[1], s[1], (const T *)a[2], \
       s[2], (T *)a[3], s[3], grain)

/* WINDOW and HIST are ArrayMethod loops (SNAKE_API_ METHOD): they check
 * their scalar operands for every row before the kernel runs and fail with
 * ValueError (a legacy loop cannot report an error). A promoter picks the
 * loop, since NumPy's legacy type resolution only knows legacy loops. */
#define SNAKE_API_WINDOW METHOD
#define SNAKE_NIN_WINDOW 2
#define SNAKE_NOUT_WINDOW 1
#define SNAKE_SIG_WINDOW "(n),()->(n)"
#define SNAKE_ELEMENTS_WINDOW (d[0] * d[1])
#define SNAKE_CHECK_WINDOW NULL
#define SNAKE_FLAGS_WINDOW 0
#define SNAKE_VALIDATE_WINDOW validate_window
#define SNAKE_TYPES_WINDOW(T, A) SNAKE_NPY_##T, NPY_INTP, SNAKE_NPY_##A,
#define SNAKE_CALL_WINDOW(fn, T, A)                                           \
    fn(d[0], d[1], (const T *)a[0], s[0], s[3], (const intptr_t *)a[1], s[1], \
       (A *)a[2], s[2], s[4], grain)

#define SNAKE_API_HIST METHOD
#define SNAKE_NIN_HIST 3
#define SNAKE_NOUT_HIST 1
#define SNAKE_SIG_HIST "(n),(),()->(m)"
#define SNAKE_ELEMENTS_HIST (d[0] * d[1])
#define SNAKE_CHECK_HIST check_bins
/* Comparisons with NaN must not warn (NaN is ignored, as in np.histogram). */
#define SNAKE_FLAGS_HIST NPY_METH_NO_FLOATINGPOINT_ERRORS
#define SNAKE_VALIDATE_HIST validate_hist
#define SNAKE_TYPES_HIST(T, A) SNAKE_NPY_##T, NPY_DOUBLE, NPY_DOUBLE, NPY_INT64,
#define SNAKE_CALL_HIST(fn, T, A)                                              \
    fn(d[0], d[1], d[2], (const T *)a[0], s[0], s[4], (const double *)a[1],    \
       s[1], (const double *)a[2], s[2], (int64_t *)a[3], s[3], s[5], grain)

/* The name users know: "argmax" for argmax_mt too. */
static PyObject *
base_name(PyUFuncObject *ufunc)
{
    size_t len = strlen(ufunc->name);
    if (len > 3 && strcmp(ufunc->name + len - 3, "_mt") == 0) {
        len -= 3;
    }
    return PyUnicode_FromStringAndSize(ufunc->name, (Py_ssize_t)len);
}

/* Sets a ValueError from a loop that runs without the GIL. */
static int
loop_error(const char *name, const char *fmt, double a, double b)
{
    PyGILState_STATE gil = PyGILState_Ensure();
    PyObject *msg = PyUnicode_FromFormat(fmt, name);
    if (msg != NULL) {
        /* PyUnicode_FromFormat has no %g: format the numbers with repr. */
        PyObject *pa = PyFloat_FromDouble(a), *pb = PyFloat_FromDouble(b);
        if (pa != NULL && pb != NULL) {
            PyErr_Format(PyExc_ValueError, "%U (got %R, %R)", msg, pa, pb);
        }
        Py_XDECREF(pa);
        Py_XDECREF(pb);
        Py_DECREF(msg);
    }
    PyGILState_Release(gil);
    return -1;
}

static int
validate_window(const char *name, char *const *a, npy_intp const *d, npy_intp const *s)
{
    for (npy_intp r = 0; r < d[0]; r++) {
        npy_intp w = *(const npy_intp *)(a[1] + r * s[1]);
        if (w < 1) {
            PyGILState_STATE gil = PyGILState_Ensure();
            PyErr_Format(PyExc_ValueError, "%s: window must be >= 1, got %zd", name, (Py_ssize_t)w);
            PyGILState_Release(gil);
            return -1;
        }
    }
    return 0;
}

static int
validate_hist(const char *name, char *const *a, npy_intp const *d, npy_intp const *s)
{
    for (npy_intp r = 0; r < d[0]; r++) {
        double lo = *(const double *)(a[1] + r * s[1]);
        double hi = *(const double *)(a[2] + r * s[2]);
        if (!(lo < hi) || !isfinite(lo) || !isfinite(hi)) {
            return loop_error(name, "%s: the range needs finite lo < hi", lo, hi);
        }
    }
    return 0;
}

/* histogram's (m) output only comes from out=: refuse m < 1. */
static int
check_bins(PyUFuncObject *ufunc, npy_intp *core_dim_sizes)
{
    if (core_dim_sizes[1] < 1) {
        PyObject *base = base_name(ufunc);
        if (base != NULL) {
            PyErr_Format(PyExc_ValueError, "%U: n_bins must be >= 1, got %zd", base,
                         (Py_ssize_t)core_dim_sizes[1]);
            Py_DECREF(base);
        }
        return -1;
    }
    return 0;
}

/* INDEX kernels (argmax) have no answer for an empty row: refuse it before
 * any loop runs, with NumPy's message. */
static int
check_nonempty(PyUFuncObject *ufunc, npy_intp *core_dim_sizes)
{
    if (core_dim_sizes[0] == 0) {
        /* NumPy's wording, with the kernel's name. */
        PyObject *base = base_name(ufunc);
        if (base != NULL) {
            PyErr_Format(PyExc_ValueError, "attempt to get %U of an empty sequence", base);
            Py_DECREF(base);
        }
        return -1;
    }
    return 0;
}

/* ---- the GIL around a loop ------------------------------------------------
 * NumPy releases the GIL around a loop only when its iterator's size, the
 * outer iterations times the outputs' core elements, exceeds 500. For the
 * (n)->() kinds (REDUCE, REDUCE2, INDEX) that is the number of rows, and for
 * HIST rows times bins, so snake.sum_sq(x) of one long row would run with
 * the GIL held and stop every other Python thread for the whole kernel. A
 * loop that finds the GIL held and reads at least SNAKE_GIL_BYTES of its
 * first operand releases it around the Swift call (which touches no Python
 * object) and takes it back after. Releasing and taking it back cost 0.3-0.4
 * us here when no other thread wants it (3-4% of sum_sq over 1e5 float64,
 * 9.4 us); 2 MiB take 20 us and more even from L2, so the release costs
 * under 2%. Shorter calls keep it, as NumPy's gufuncs do below 500 rows.
 * When another thread is busy in Python, taking the GIL back can wait up to
 * the switch interval (5 ms), the trade-off NumPy makes for its own loops. */
#define SNAKE_GIL_BYTES (1 << 21)

/* Whether this thread holds the GIL (has its thread state attached).
 * Not PyGILState_Check: it answers 1 whenever a sub-interpreter exists,
 * and releasing a GIL this thread does not hold is a fatal error. From
 * 3.12 the current thread state is per thread (NULL once released); before,
 * it is the GIL holder's, whichever thread that is, compared with this
 * thread's own state (under a sub-interpreter that answers 0 and the loop
 * keeps the GIL). */
static inline int
holds_gil(void)
{
#if PY_VERSION_HEX >= 0x030D0000
    return PyThreadState_GetUnchecked() != NULL;
#elif PY_VERSION_HEX >= 0x030C0000
    return _PyThreadState_UncheckedGet() != NULL;
#else
    PyThreadState *mine = PyGILState_GetThisThreadState();
    return mine != NULL && mine == _PyThreadState_UncheckedGet();
#endif
}

static inline PyThreadState *
release_gil(npy_intp bytes)
{
    if (bytes >= SNAKE_GIL_BYTES && holds_gil()) {
        return PyEval_SaveThread();
    }
    return NULL;
}

static inline void
restore_gil(PyThreadState *state)
{
    if (state != NULL) {
        PyEval_RestoreThread(state);
    }
}

/* ---- one NumPy loop per (kernel, dtype, SIMD tier) ----------------------
 * Legacy kinds get a PyUFuncGenericFunction whose `data` is the grain;
 * METHOD kinds get two ArrayMethod loops (single-threaded and `_mt`, which
 * reads its grain from data_mt_<name>) that validate, then call Swift.
 * Every tier compiled in gets its own loops (loop_relu_f64_avx2 calls
 * snake_relu_f64_avx2); registration picks one tier's set at import, so a
 * call never dispatches. */
#define SNAKE_CAT_(a, b) a##b
#define SNAKE_CAT(a, b) SNAKE_CAT_(a, b)
/* x_<tier> for the tier being generated (SNAKE_EACH_TIER, each_tier.def). */
#define SNAKE_TIERED(x) SNAKE_CAT(SNAKE_CAT(x, _), SNAKE_EACH_TIER)
#define SNAKE_ONE_(name, kind, code, T, A) +1
#define SNAKE_KERNEL(name, kind, dtypes, mt_grain, doc)                       \
    static void *data_##name[0 SNAKE_DTYPES_##dtypes(SNAKE_ONE_, name, kind)]; \
    static void *data_mt_##name[0 SNAKE_DTYPES_##dtypes(SNAKE_ONE_, name, kind)];
#include "kernels.def"
#undef SNAKE_KERNEL

/* The table's mt_grain counts float64-sized elements per thread: a thread
 * pays for itself once it streams enough bytes (bench/crossover.py: the
 * float32 crossovers sit at twice the float64 element counts), so 4-byte
 * types get twice the elements. 1-byte types: the elementwise kinds (a
 * uint8 result per uint8 element) stream bytes, so eight times the
 * elements (clip and saxpy uint8 at 1e5 ran 0.5-0.6x single-threaded with
 * twice); the other kinds write int64 or share the float32 vector width,
 * so twice. 0 (single-threaded) stays 0. */
#define SNAKE_BYTE_FLOOR_MAP1 1
#define SNAKE_BYTE_FLOOR_MAP2 1
#define SNAKE_BYTE_FLOOR_MAP3 1
#define SNAKE_BYTE_FLOOR_REDUCE 4
#define SNAKE_BYTE_FLOOR_REDUCE2 4
#define SNAKE_BYTE_FLOOR_VEC 4
#define SNAKE_BYTE_FLOOR_INDEX 4
#define SNAKE_BYTE_FLOOR_WINDOW 4
#define SNAKE_BYTE_FLOOR_HIST 4
#define SNAKE_GRAIN_FOR(kind, T, g) \
    ((intptr_t)(g) * 8 / (sizeof(T) < SNAKE_BYTE_FLOOR_##kind ? SNAKE_BYTE_FLOOR_##kind : (intptr_t)sizeof(T)))

#define SNAKE_LOOP_LEGACY(name, kind, code, T, A)                            \
    static void SNAKE_TIERED(loop_##name##_##code)(                          \
        char **a, npy_intp const *d, npy_intp const *s, void *data)          \
    {                                                                        \
        const intptr_t grain = SNAKE_GRAIN_FOR(kind, T, (intptr_t)data);     \
        PyThreadState *gil = release_gil(                                    \
            SNAKE_ELEMENTS_##kind * (npy_intp)sizeof(T));                    \
        SNAKE_CALL_##kind(SNAKE_SYM(name, code, SNAKE_EACH_TIER), T, A);     \
        restore_gil(gil);                                                    \
    }
#define SNAKE_LOOP_METHOD(name, kind, code, T, A)                            \
    static int SNAKE_TIERED(run_##name##_##code)(                            \
        char *const *a, npy_intp const *d, npy_intp const *s, intptr_t table_grain) \
    {                                                                        \
        const intptr_t grain = SNAKE_GRAIN_FOR(kind, T, table_grain);        \
        if (SNAKE_VALIDATE_##kind(#name, a, d, s) < 0) {                     \
            return -1;                                                       \
        }                                                                    \
        PyThreadState *gil = release_gil(                                    \
            SNAKE_ELEMENTS_##kind * (npy_intp)sizeof(T));                    \
        SNAKE_CALL_##kind(SNAKE_SYM(name, code, SNAKE_EACH_TIER), T, A);     \
        restore_gil(gil);                                                    \
        return 0;                                                            \
    }                                                                        \
    static int SNAKE_TIERED(method_##name##_##code)(                         \
        PyArrayMethod_Context *c, char *const *a, npy_intp const *d,         \
        npy_intp const *s, NpyAuxData *aux)                                  \
    {                                                                        \
        return SNAKE_TIERED(run_##name##_##code)(a, d, s, 0);                \
    }                                                                        \
    static int SNAKE_TIERED(method_mt_##name##_##code)(                      \
        PyArrayMethod_Context *c, char *const *a, npy_intp const *d,         \
        npy_intp const *s, NpyAuxData *aux)                                  \
    {                                                                        \
        return SNAKE_TIERED(run_##name##_##code)(a, d, s,                    \
                                                 (intptr_t)data_mt_##name[0]); \
    }
#define SNAKE_LOOP_(name, kind, code, T, A) \
    SNAKE_CAT(SNAKE_LOOP_, SNAKE_API_##kind)(name, kind, code, T, A)

/* A tier's loop arrays: funcs_<name>_<tier> (legacy kinds; NULL for METHOD
 * kinds) and methods[_mt]_<name>_<tier> (METHOD kinds; NULL for legacy). */
#define SNAKE_FUNC_LEGACY(name, code) SNAKE_TIERED(loop_##name##_##code),
#define SNAKE_FUNC_METHOD(name, code) NULL,
#define SNAKE_METH_LEGACY(name, code) NULL,
#define SNAKE_METH_METHOD(name, code) SNAKE_TIERED(method_##name##_##code),
#define SNAKE_METH_MT_LEGACY(name, code) NULL,
#define SNAKE_METH_MT_METHOD(name, code) SNAKE_TIERED(method_mt_##name##_##code),
#define SNAKE_FUNC_(name, kind, code, T, A) SNAKE_CAT(SNAKE_FUNC_, SNAKE_API_##kind)(name, code)
#define SNAKE_METH_(name, kind, code, T, A) SNAKE_CAT(SNAKE_METH_, SNAKE_API_##kind)(name, code)
#define SNAKE_METH_MT_(name, kind, code, T, A) SNAKE_CAT(SNAKE_METH_MT_, SNAKE_API_##kind)(name, code)

#define SNAKE_KERNEL(name, kind, dtypes, mt_grain, doc)                       \
    SNAKE_DTYPES_##dtypes(SNAKE_LOOP_, name, kind)                            \
    static PyUFuncGenericFunction SNAKE_TIERED(funcs_##name)[] = {            \
        SNAKE_DTYPES_##dtypes(SNAKE_FUNC_, name, kind)};                      \
    static PyArrayMethod_StridedLoop *SNAKE_TIERED(methods_##name)[] = {      \
        SNAKE_DTYPES_##dtypes(SNAKE_METH_, name, kind)};                      \
    static PyArrayMethod_StridedLoop *SNAKE_TIERED(methods_mt_##name)[] = {   \
        SNAKE_DTYPES_##dtypes(SNAKE_METH_MT_, name, kind)};
#include "each_tier.def"
#undef SNAKE_KERNEL

/* Tier-independent: loop names and NumPy type numbers. */
#define SNAKE_NAME_(name, kind, code, T, A) #name "_" #code,
#define SNAKE_TYPE_(name, kind, code, T, A) SNAKE_TYPES_##kind(T, A)
#define SNAKE_KERNEL(name, kind, dtypes, mt_grain, doc)                       \
    static const char *const loop_names_##name[] = {                          \
        SNAKE_DTYPES_##dtypes(SNAKE_NAME_, name, kind)};                      \
    static const char types_##name[] = {                                      \
        SNAKE_DTYPES_##dtypes(SNAKE_TYPE_, name, kind)};
#include "kernels.def"
#undef SNAKE_KERNEL

/* ArrayMethod loops (METHOD kinds) or legacy loops. */
#define SNAKE_METHOD_OF(kind) SNAKE_CAT(SNAKE_METHOD_OF_, SNAKE_API_##kind)
#define SNAKE_METHOD_OF_LEGACY 0
#define SNAKE_METHOD_OF_METHOD 1
#define SNAKE_FLAGS_OF(kind) SNAKE_CAT(SNAKE_FLAGS_OF_, SNAKE_API_##kind)(kind)
#define SNAKE_FLAGS_OF_LEGACY(kind) 0
#define SNAKE_FLAGS_OF_METHOD(kind) SNAKE_FLAGS_##kind

#define SNAKE_MT_DOC                                                          \
    "\n"                                                                      \
    "Multi-threaded twin: same semantics, work split across snake's thread\n" \
    "pool (``snake.set_num_threads``); runs single-threaded on small input.\n"

typedef struct {
    const char *name, *mt_name, *kind, *signature, *doc, *mt_doc;
    /* per tier, in SNAKE_TIERS order */
    PyUFuncGenericFunction *funcs[SNAKE_NTIERS];          /* legacy kinds */
    PyArrayMethod_StridedLoop **methods[SNAKE_NTIERS];    /* METHOD kinds */
    PyArrayMethod_StridedLoop **methods_mt[SNAKE_NTIERS];
    const char *const *loop_names;
    const char *types;
    void **data, **data_mt;
    int ntypes, nin, nout;
    intptr_t mt_grain;
    PyUFunc_ProcessCoreDimsFunc *check;
    int method;   /* ArrayMethod loops (else legacy loops) */
    NPY_ARRAYMETHOD_FLAGS flags;
} snake_kernel;

#define SNAKE_FUNCS_OF_(tier, name) funcs_##name##_##tier,
#define SNAKE_METHODS_OF_(tier, name) methods_##name##_##tier,
#define SNAKE_METHODS_MT_OF_(tier, name) methods_mt_##name##_##tier,
static const snake_kernel kernel_table[] = {
#define SNAKE_KERNEL(name, kind, dtypes, mt_grain, doc)                      \
    {#name, #name "_mt", #kind, SNAKE_SIG_##kind, doc, doc SNAKE_MT_DOC,    \
     {SNAKE_TIERS(SNAKE_FUNCS_OF_, name)},                                  \
     {SNAKE_TIERS(SNAKE_METHODS_OF_, name)},                                \
     {SNAKE_TIERS(SNAKE_METHODS_MT_OF_, name)},                             \
     loop_names_##name, types_##name, data_##name, data_mt_##name,          \
     (int)(sizeof loop_names_##name / sizeof *loop_names_##name),           \
     SNAKE_NIN_##kind,                                                      \
     SNAKE_NOUT_##kind, (mt_grain), SNAKE_CHECK_##kind,                     \
     SNAKE_METHOD_OF(kind),                                                 \
     (NPY_ARRAYMETHOD_FLAGS)(SNAKE_FLAGS_OF(kind))},
#include "kernels.def"
#undef SNAKE_KERNEL
};

/* Index into SNAKE_TIERS of the tier whose loops are registered (chosen
 * once, at import: choose_tier). */
static int active_tier;

static const snake_kernel *
find_kernel(const char *ufunc_name)
{
    for (size_t i = 0; i < sizeof kernel_table / sizeof *kernel_table; i++) {
        const snake_kernel *k = &kernel_table[i];
        if (strcmp(k->name, ufunc_name) == 0 || strcmp(k->mt_name, ufunc_name) == 0) {
            return k;
        }
    }
    return NULL;
}

/* ---- promotion: which loop an input without an exact loop goes to -------
 * Every snake ufunc has one promoter, registered for any DTypes; NumPy asks
 * it only when no loop matches the inputs exactly. It does what NumPy's
 * legacy search would, made explicit so that every kind behaves the same:
 *   - the inputs' common DType (NEP 50: Python scalars are weak), or for
 *     WINDOW / HIST the DType of x alone (their other operands have fixed
 *     types);
 *   - integers and bool go to float64 when the kernel has no integer loops
 *     (variance, normalize, softmax, gelu);
 *   - the first loop, in table order, that it casts to safely and that
 *     agrees with signature= / dtype=;
 * and it refuses what no loop can take (complex, object, strings, datetime,
 * float128, ...) with a TypeError naming the kernel and its loops. */
/* Float-only kernels (dtype set FLOAT) have none. */
static int
has_integer_loops(const snake_kernel *k)
{
    for (int i = 0; i < k->ntypes; i++) {
        if (PyTypeNum_ISINTEGER(k->types[i * (k->nin + k->nout)])) {
            return 1;
        }
    }
    return 0;
}

static int
loop_names_of(const snake_kernel *k, char *buf, size_t size)
{
    const int nargs = k->nin + k->nout;
    size_t len = 0;
    buf[0] = '\0';
    for (int i = 0; i < k->ntypes && len + 16 < size; i++) {
        PyArray_Descr *d = PyArray_DescrFromType(k->types[i * nargs]);
        if (d == NULL) {
            return -1;
        }
        const char *tn = d->typeobj->tp_name;  /* "numpy.float64" */
        const char *dot = strrchr(tn, '.');
        len += (size_t)PyOS_snprintf(buf + len, size - len, "%s%s", i ? ", " : "", dot ? dot + 1 : tn);
        Py_DECREF(d);
    }
    return 0;
}

static int
refuse(const snake_kernel *k, PyObject *ufunc, PyArray_DTypeMeta *dt)
{
    char names[256];
    if (loop_names_of(k, names, sizeof names) < 0) {
        return -1;
    }
    const int has_ints = has_integer_loops(k);
    PyErr_Format(PyExc_TypeError,
                 "snake.%s does not support %s input; its loops take %s (%s)",
                 ((PyUFuncObject *)ufunc)->name, dt ? ((PyTypeObject *)dt)->tp_name : "this",
                 names, has_ints ? "other integer and float types are cast to one of them"
                                 : "integer input is cast to float64");
    return -1;
}

static int
promote(PyObject *ufunc, PyArray_DTypeMeta *const op[],
        PyArray_DTypeMeta *const sig[], PyArray_DTypeMeta *new_op[])
{
    const snake_kernel *k = find_kernel(((PyUFuncObject *)ufunc)->name);
    if (k == NULL) {
        PyErr_SetString(PyExc_RuntimeError, "snake: promoter called for an unknown ufunc");
        return -1;
    }
    const int nargs = k->nin + k->nout;
    /* Inputs that decide the loop: x alone for WINDOW / HIST. */
    const int deciding = k->method ? 1 : k->nin;
    PyArray_DTypeMeta *seq[NPY_MAXARGS];
    int nseq = 0;
    for (int j = 0; j < deciding; j++) {
        PyArray_DTypeMeta *dt = sig[j] != NULL ? sig[j] : op[j];
        if (dt == NULL) {
            continue;
        }
        int t = dt->type_num;
        int python = dt == &PyArray_PyLongDType || dt == &PyArray_PyFloatDType;
        if (!python && !(PyTypeNum_ISBOOL(t) || PyTypeNum_ISINTEGER(t) || PyTypeNum_ISFLOAT(t))) {
            return refuse(k, ufunc, dt);
        }
        seq[nseq++] = dt;
    }
    int from = NPY_DOUBLE;
    if (nseq > 0) {
        PyArray_DTypeMeta *common = PyArray_PromoteDTypeSequence(nseq, seq);
        if (common == NULL) {
            return -1;
        }
        from = common == &PyArray_PyLongDType ? NPY_INT64
             : common == &PyArray_PyFloatDType ? NPY_DOUBLE : common->type_num;
        Py_DECREF(common);
    }
    const int has_ints = has_integer_loops(k);
    if (!has_ints && (PyTypeNum_ISINTEGER(from) || PyTypeNum_ISBOOL(from))) {
        from = NPY_DOUBLE;
    }
    /* A signature= / dtype= the caller fixed wins over safe casting (NumPy
     * then checks the input casts against casting=, same_kind by default). */
    int loop = -1, fixed = 0;
    for (int j = 0; j < nargs; j++) {
        fixed |= sig[j] != NULL;
    }
    for (int pass = 0; pass < 1 + fixed && loop < 0; pass++) {
        for (int i = 0; i < k->ntypes && loop < 0; i++) {
            const char *t = &k->types[i * nargs];
            int ok = pass == 1 || PyArray_CanCastSafely(from, t[0]);
            for (int j = 0; ok && j < nargs; j++) {
                ok = sig[j] == NULL || sig[j]->type_num == t[j];
            }
            loop = ok ? i : -1;
        }
    }
    if (loop < 0 && fixed) {
        PyErr_Format(PyExc_TypeError,
                     "No loop matching the specified signature and casting was found for "
                     "ufunc %s", ((PyUFuncObject *)ufunc)->name);
        return -1;
    }
    if (loop < 0) {
        return refuse(k, ufunc, nseq == 1 ? seq[0] : NULL);
    }
    for (int j = 0; j < nargs; j++) {
        PyArray_Descr *descr = PyArray_DescrFromType(k->types[loop * nargs + j]);
        if (descr == NULL) {
            for (int q = 0; q < j; q++) {
                Py_DECREF(new_op[q]);
            }
            return -1;
        }
        new_op[j] = (PyArray_DTypeMeta *)Py_TYPE(descr);  /* a static type */
        Py_INCREF(new_op[j]);
        Py_DECREF(descr);
    }
    return 0;
}

/* Registers k's ArrayMethod loops on u. */
static int
add_methods(PyObject *u, const snake_kernel *k, int mt)
{
    const int nargs = k->nin + k->nout;
    for (int i = 0; i < k->ntypes; i++) {
        PyArray_DTypeMeta *dtypes[NPY_MAXARGS];
        for (int j = 0; j < nargs; j++) {
            /* builtin descriptors are immortal singletons of static types */
            PyArray_Descr *descr = PyArray_DescrFromType(k->types[i * nargs + j]);
            if (descr == NULL) {
                return -1;
            }
            dtypes[j] = (PyArray_DTypeMeta *)Py_TYPE(descr);
            Py_DECREF(descr);
        }
        PyType_Slot slots[] = {
            {NPY_METH_strided_loop,
             (void *)(mt ? k->methods_mt[active_tier][i] : k->methods[active_tier][i])},
            {0, NULL},
        };
        PyArrayMethod_Spec spec = {
            k->loop_names[i], k->nin, k->nout, NPY_NO_CASTING, k->flags, dtypes, slots,
        };
        if (PyUFunc_AddLoopFromSpec(u, &spec) < 0) {
            return -1;
        }
    }
    return 0;
}

/* Registers `promote` on u for any combination of input DTypes (NumPy uses
 * it only where no loop matches exactly). */
static int
add_promoter(PyObject *u, const snake_kernel *k)
{
    const int nargs = k->nin + k->nout;
    PyObject *any = PyTuple_New(nargs);
    PyObject *promoter = PyCapsule_New((void *)promote, "numpy._ufunc_promoter", NULL);
    int rc = -1;
    if (any != NULL && promoter != NULL) {
        for (int j = 0; j < nargs; j++) {
            PyTuple_SET_ITEM(any, j, Py_NewRef(Py_None));  /* None matches any DType */
        }
        rc = PyUFunc_AddPromoter(u, any, promoter);
    }
    Py_XDECREF(any);
    Py_XDECREF(promoter);
    return rc;
}

static PyObject *
make_ufunc(const snake_kernel *k, int mt)
{
    void **data = mt ? k->data_mt : k->data;
    for (int i = 0; i < k->ntypes; i++) {
        data[i] = mt ? (void *)k->mt_grain : NULL;
    }
    const char *name = mt ? k->mt_name : k->name;
    const char *doc = mt ? k->mt_doc : k->doc;
    const int legacy = !k->method;
    PyObject *u = PyUFunc_FromFuncAndDataAndSignature(
        legacy ? k->funcs[active_tier] : NULL, legacy ? data : NULL, legacy ? (char *)k->types : NULL,
        legacy ? k->ntypes : 0, k->nin, k->nout, PyUFunc_None, name, doc, 0, k->signature);
    if (u != NULL && ((!legacy && add_methods(u, k, mt) < 0) || add_promoter(u, k) < 0)) {
        Py_CLEAR(u);
    }
    if (u != NULL && k->check != NULL) {
        ((PyUFuncObject *)u)->process_core_dims_func = k->check;
    }
    return u;
}

/* ---- SIMD tier: chosen once, at import ----------------------------------- */

#define SNAKE_TIER_NAME_(tier, a) #tier,
static const char *const tier_names[SNAKE_NTIERS] = {SNAKE_TIERS(SNAKE_TIER_NAME_, 0)};

/* A tuple of the first `count` strings of `names`. */
static PyObject *
str_tuple(const char *const *names, int count)
{
    PyObject *t = PyTuple_New(count);
    for (int i = 0; t != NULL && i < count; i++) {
        PyObject *name = PyUnicode_FromString(names[i]);
        if (name == NULL) {
            Py_CLEAR(t);
            break;
        }
        PyTuple_SET_ITEM(t, i, name);
    }
    return t;
}

/* The CPU's best tier, or the lower one SNAKE_SIMD asks for. A name this
 * build does not have, or a tier above the CPU's, is an ImportError: a user
 * who forces a tier for reproducibility must not silently get another. */
static int
best_tier(void)
{
    const int level = snake_cpu_level();
    return level < SNAKE_NTIERS ? level : SNAKE_NTIERS - 1;
}

static int
choose_tier(void)
{
    const int best = best_tier();
    const char *want = getenv("SNAKE_SIMD");
    if (want == NULL || want[0] == '\0') {
        active_tier = best;
        return 0;
    }
    for (int i = 0; i < SNAKE_NTIERS; i++) {
        if (strcmp(want, tier_names[i]) == 0) {
            if (i > best) {
                PyErr_Format(PyExc_ImportError,
                             "SNAKE_SIMD=%s: this CPU supports tiers up to %s",
                             want, tier_names[best]);
                return -1;
            }
            active_tier = i;
            return 0;
        }
    }
    PyObject *names = str_tuple(tier_names, SNAKE_NTIERS);
    if (names != NULL) {
        PyErr_Format(PyExc_ImportError,
                     "SNAKE_SIMD=%s: unknown tier; this build has %R", want, names);
        Py_DECREF(names);
    }
    return -1;
}

/* Module constants describing the CPU and the tier in use. */
static int
add_simd_info(PyObject *m)
{
    const char *found[64];
    const int n = snake_cpu_features(found, 64);
    PyObject *features = str_tuple(found, n);
    PyObject *tiers = str_tuple(tier_names, SNAKE_NTIERS);
    PyObject *supported = str_tuple(tier_names, best_tier() + 1);
    int rc = (features == NULL || tiers == NULL || supported == NULL ||
              PyModule_AddObjectRef(m, "cpu_features", features) < 0 ||
              PyModule_AddObjectRef(m, "simd_tiers", tiers) < 0 ||
              PyModule_AddObjectRef(m, "simd_supported", supported) < 0 ||
              PyModule_AddStringConstant(m, "simd_tier", tier_names[active_tier]) < 0)
                 ? -1 : 0;
    Py_XDECREF(features);
    Py_XDECREF(tiers);
    Py_XDECREF(supported);
    return rc;
}

/* ---- module -------------------------------------------------------------- */

static PyObject *
get_num_threads(PyObject *self, PyObject *noargs)
{
    return PyLong_FromSsize_t((Py_ssize_t)snake_get_num_threads());
}

static PyObject *
set_num_threads(PyObject *self, PyObject *arg)
{
    Py_ssize_t n = PyLong_AsSsize_t(arg);
    if (n == -1 && PyErr_Occurred()) {
        return NULL;
    }
    if (n < 1) {
        PyErr_Format(PyExc_ValueError, "number of threads must be >= 1, got %zd", n);
        return NULL;
    }
    snake_set_num_threads((intptr_t)n);
    Py_RETURN_NONE;
}

/* Private, for bench/crossover.py: change an _mt ufunc's grain at run time
 * (the loops read it from their data pointer). Returns the old grain. */
static PyObject *
set_mt_grain(PyObject *self, PyObject *args)
{
    const char *name;
    Py_ssize_t grain;
    if (!PyArg_ParseTuple(args, "sn", &name, &grain)) {
        return NULL;
    }
    if (grain < 1) {
        PyErr_SetString(PyExc_ValueError, "grain must be >= 1");
        return NULL;
    }
    for (size_t i = 0; i < sizeof kernel_table / sizeof *kernel_table; i++) {
        const snake_kernel *k = &kernel_table[i];
        if (k->mt_grain > 0 && strcmp(k->mt_name, name) == 0) {
            Py_ssize_t old = (Py_ssize_t)(intptr_t)k->data_mt[0];
            for (int t = 0; t < k->ntypes; t++) {
                k->data_mt[t] = (void *)(intptr_t)grain;
            }
            return PyLong_FromSsize_t(old);
        }
    }
    PyErr_Format(PyExc_KeyError, "no _mt kernel named %s", name);
    return NULL;
}

static PyMethodDef methods[] = {
    {"_set_mt_grain", set_mt_grain, METH_VARARGS,
     "_set_mt_grain(name, grain) -> old grain\n\nPrivate: for bench/crossover.py."},
    {"get_num_threads", get_num_threads, METH_NOARGS,
     "get_num_threads()\n\nNumber of threads the ``_mt`` kernels use."},
    {"set_num_threads", set_num_threads, METH_O,
     "set_num_threads(n)\n\nSet the number of threads the ``_mt`` kernels use (n >= 1)."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef moduledef = {
    PyModuleDef_HEAD_INIT, "_snake",
    "snake's compiled core: NumPy ufuncs whose loops are Swift SIMD kernels.",
    -1, methods,
};

/* The loops as NumPy writes ufunc.types ("dl->d"); ArrayMethod-only ufuncs
 * have an empty .types, so the table carries them for every kernel. */
static PyObject *
loop_types(const snake_kernel *k)
{
    const int nargs = k->nin + k->nout;
    PyObject *all = PyTuple_New(k->ntypes);
    for (int i = 0; all != NULL && i < k->ntypes; i++) {
        char buf[NPY_MAXARGS + 3];
        int len = 0;
        for (int j = 0; j < nargs; j++) {
            if (j == k->nin) {
                buf[len++] = '-';
                buf[len++] = '>';
            }
            PyArray_Descr *descr = PyArray_DescrFromType(k->types[i * nargs + j]);
            if (descr == NULL) {
                Py_CLEAR(all);
                return NULL;
            }
            buf[len++] = descr->type;
            Py_DECREF(descr);
        }
        PyObject *str = PyUnicode_FromStringAndSize(buf, len);
        if (str == NULL) {
            Py_CLEAR(all);
            return NULL;
        }
        PyTuple_SET_ITEM(all, i, str);
    }
    return all;
}

/* Adds `obj` to the module (stealing the reference) and to `table`. */
static int
add_ufunc(PyObject *m, PyObject *table, PyObject *u, const snake_kernel *k, int mt)
{
    if (u == NULL) {
        return -1;
    }
    const char *name = ((PyUFuncObject *)u)->name;
    PyObject *types = loop_types(k);
    PyObject *row = types == NULL ? NULL : Py_BuildValue(
        "(ssnN)", name, k->kind, mt ? (Py_ssize_t)k->mt_grain : (Py_ssize_t)0, types);
    int rc = (row == NULL || PyList_Append(table, row) < 0 ||
              PyModule_AddObjectRef(m, name, u) < 0) ? -1 : 0;
    Py_XDECREF(row);
    Py_DECREF(u);
    return rc;
}

PyMODINIT_FUNC
PyInit__snake(void)
{
    import_array();
    import_umath();

    if (choose_tier() < 0) {
        return NULL;
    }
    PyObject *m = PyModule_Create(&moduledef);
    PyObject *table = PyList_New(0);
    if (m == NULL || table == NULL || add_simd_info(m) < 0) {
        goto fail;
    }
    for (size_t i = 0; i < sizeof kernel_table / sizeof *kernel_table; i++) {
        const snake_kernel *k = &kernel_table[i];
        if (add_ufunc(m, table, make_ufunc(k, 0), k, 0) < 0) {
            goto fail;
        }
        if (k->mt_grain > 0 && add_ufunc(m, table, make_ufunc(k, 1), k, 1) < 0) {
            goto fail;
        }
    }
    /* (name, kind, mt_grain, loop types) per registered ufunc, in table order. */
    PyObject *rows = PyList_AsTuple(table);
    int rc = rows == NULL ? -1 : PyModule_AddObjectRef(m, "kernel_table", rows);
    Py_XDECREF(rows);
    if (rc < 0 || PyModule_AddStringConstant(m, "build_flags", SNAKE_BUILD_FLAGS) < 0 ||
        PyModule_AddStringConstant(m, "build_compiler", SNAKE_BUILD_COMPILER) < 0 ||
        PyModule_AddStringConstant(m, "tier_flags", SNAKE_TIER_FLAGS) < 0) {
        goto fail;
    }
    Py_DECREF(table);
    return m;
fail:
    Py_XDECREF(table);
    Py_XDECREF(m);
    return NULL;
}
