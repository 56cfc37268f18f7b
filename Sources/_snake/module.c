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

#include "snake_abi.h"

#ifndef SNAKE_MARCH
#define SNAKE_MARCH "default"
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

#define SNAKE_NIN_REDUCE 1
#define SNAKE_NOUT_REDUCE 1
#define SNAKE_SIG_REDUCE "(n)->()"
#define SNAKE_CHECK_REDUCE NULL
#define SNAKE_TYPES_REDUCE(T, A) SNAKE_NPY_##T, SNAKE_NPY_##A,
#define SNAKE_CALL_REDUCE(fn, T, A) \
    fn(d[0], d[1], (const T *)a[0], s[0], s[2], (A *)a[1], s[1], grain)

#define SNAKE_NIN_REDUCE2 2
#define SNAKE_NOUT_REDUCE2 1
#define SNAKE_SIG_REDUCE2 "(n),(n)->()"
#define SNAKE_CHECK_REDUCE2 NULL
#define SNAKE_TYPES_REDUCE2(T, A) SNAKE_NPY_##T, SNAKE_NPY_##T, SNAKE_NPY_##A,
#define SNAKE_CALL_REDUCE2(fn, T, A)                                    \
    fn(d[0], d[1], (const T *)a[0], s[0], s[3], (const T *)a[1], s[1], \
       s[4], (A *)a[2], s[2], grain)

#define SNAKE_NIN_INDEX 1
#define SNAKE_NOUT_INDEX 1
#define SNAKE_SIG_INDEX "(n)->()"
#define SNAKE_CHECK_INDEX check_nonempty
#define SNAKE_TYPES_INDEX(T, A) SNAKE_NPY_##T, NPY_INTP,
#define SNAKE_CALL_INDEX(fn, T, A) \
    fn(d[0], d[1], (const T *)a[0], s[0], s[2], (intptr_t *)a[1], s[1], grain)

#define SNAKE_NIN_VEC 1
#define SNAKE_NOUT_VEC 1
#define SNAKE_SIG_VEC "(n)->(n)"
#define SNAKE_CHECK_VEC NULL
#define SNAKE_TYPES_VEC(T, A) SNAKE_NPY_##T, SNAKE_NPY_##A,
#define SNAKE_CALL_VEC(fn, T, A) \
    fn(d[0], d[1], (const T *)a[0], s[0], s[2], (A *)a[1], s[1], s[3], grain)

#define SNAKE_NIN_MAP1 1
#define SNAKE_NOUT_MAP1 1
#define SNAKE_SIG_MAP1 NULL
#define SNAKE_CHECK_MAP1 NULL
#define SNAKE_TYPES_MAP1(T, A) SNAKE_NPY_##T, SNAKE_NPY_##T,
#define SNAKE_CALL_MAP1(fn, T, A) \
    fn(d[0], (const T *)a[0], s[0], (T *)a[1], s[1], grain)

#define SNAKE_NIN_MAP2 2
#define SNAKE_NOUT_MAP2 1
#define SNAKE_SIG_MAP2 NULL
#define SNAKE_CHECK_MAP2 NULL
#define SNAKE_TYPES_MAP2(T, A) SNAKE_NPY_##T, SNAKE_NPY_##T, SNAKE_NPY_##T,
#define SNAKE_CALL_MAP2(fn, T, A) \
    fn(d[0], (const T *)a[0], s[0], (const T *)a[1], s[1], (T *)a[2], s[2], grain)

#define SNAKE_NIN_MAP3 3
#define SNAKE_NOUT_MAP3 1
#define SNAKE_SIG_MAP3 NULL
#define SNAKE_CHECK_MAP3 NULL
#define SNAKE_TYPES_MAP3(T, A) SNAKE_NPY_##T, SNAKE_NPY_##T, SNAKE_NPY_##T, SNAKE_NPY_##T,
#define SNAKE_CALL_MAP3(fn, T, A)                                            \
    fn(d[0], (const T *)a[0], s[0], (const T *)a[1], s[1], (const T *)a[2], \
       s[2], (T *)a[3], s[3], grain)

/* INDEX kernels (argmax) have no answer for an empty row: refuse it before
 * any loop runs, with NumPy's message. */
static int
check_nonempty(PyUFuncObject *ufunc, npy_intp *core_dim_sizes)
{
    if (core_dim_sizes[0] == 0) {
        /* NumPy's wording, with the kernel's name (argmax for argmax_mt too). */
        size_t len = strlen(ufunc->name);
        if (len > 3 && strcmp(ufunc->name + len - 3, "_mt") == 0) {
            len -= 3;
        }
        PyObject *base = PyUnicode_FromStringAndSize(ufunc->name, (Py_ssize_t)len);
        if (base != NULL) {
            PyErr_Format(PyExc_ValueError, "attempt to get %U of an empty sequence", base);
            Py_DECREF(base);
        }
        return -1;
    }
    return 0;
}

/* ---- one NumPy loop per (kernel, dtype) ---------------------------------- */
#define SNAKE_LOOP_(name, kind, code, T, A)                                  \
    static void loop_##name##_##code(char **a, npy_intp const *d,            \
                                     npy_intp const *s, void *data)          \
    {                                                                        \
        const intptr_t grain = (intptr_t)data;                               \
        SNAKE_CALL_##kind(snake_##name##_##code, T, A);                      \
    }
#define SNAKE_KERNEL(name, kind, dtypes, mt_grain, doc) \
    SNAKE_DTYPES_##dtypes(SNAKE_LOOP_, name, kind)
#include "kernels.def"
#undef SNAKE_KERNEL

/* ---- per-kernel loop arrays (NumPy keeps pointers to them) --------------- */
#define SNAKE_FUNC_(name, kind, code, T, A) loop_##name##_##code,
#define SNAKE_TYPE_(name, kind, code, T, A) SNAKE_TYPES_##kind(T, A)
#define SNAKE_KERNEL(name, kind, dtypes, mt_grain, doc)                       \
    static PyUFuncGenericFunction funcs_##name[] = {                          \
        SNAKE_DTYPES_##dtypes(SNAKE_FUNC_, name, kind)};                      \
    static const char types_##name[] = {                                      \
        SNAKE_DTYPES_##dtypes(SNAKE_TYPE_, name, kind)};                      \
    static void *data_##name[sizeof funcs_##name / sizeof *funcs_##name];    \
    static void *data_mt_##name[sizeof funcs_##name / sizeof *funcs_##name];
#include "kernels.def"
#undef SNAKE_KERNEL

#define SNAKE_MT_DOC                                                          \
    "\n"                                                                      \
    "Multi-threaded twin: same semantics, work split across snake's thread\n" \
    "pool (``snake.set_num_threads``); runs single-threaded on small input.\n"

typedef struct {
    const char *name, *mt_name, *kind, *signature, *doc, *mt_doc;
    PyUFuncGenericFunction *funcs;
    const char *types;
    void **data, **data_mt;
    int ntypes, nin, nout;
    intptr_t mt_grain;
    PyUFunc_ProcessCoreDimsFunc *check;
} snake_kernel;

static const snake_kernel kernel_table[] = {
#define SNAKE_KERNEL(name, kind, dtypes, mt_grain, doc)                      \
    {#name, #name "_mt", #kind, SNAKE_SIG_##kind, doc, doc SNAKE_MT_DOC,    \
     funcs_##name, types_##name, data_##name, data_mt_##name,               \
     (int)(sizeof funcs_##name / sizeof *funcs_##name), SNAKE_NIN_##kind,   \
     SNAKE_NOUT_##kind, (mt_grain), SNAKE_CHECK_##kind},
#include "kernels.def"
#undef SNAKE_KERNEL
};

static PyObject *
make_ufunc(const snake_kernel *k, int mt)
{
    void **data = mt ? k->data_mt : k->data;
    for (int i = 0; i < k->ntypes; i++) {
        data[i] = mt ? (void *)k->mt_grain : NULL;
    }
    const char *name = mt ? k->mt_name : k->name;
    const char *doc = mt ? k->mt_doc : k->doc;
    PyObject *u = PyUFunc_FromFuncAndDataAndSignature(
        k->funcs, data, (char *)k->types, k->ntypes, k->nin, k->nout,
        PyUFunc_None, name, doc, 0, k->signature);
    if (u != NULL && k->check != NULL) {
        ((PyUFuncObject *)u)->process_core_dims_func = k->check;
    }
    return u;
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

/* Adds `obj` to the module (stealing the reference) and to `table`. */
static int
add_ufunc(PyObject *m, PyObject *table, PyObject *u, const snake_kernel *k, int mt)
{
    if (u == NULL) {
        return -1;
    }
    const char *name = ((PyUFuncObject *)u)->name;
    PyObject *row = Py_BuildValue("(ssn)", name, k->kind, mt ? (Py_ssize_t)k->mt_grain : (Py_ssize_t)0);
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

    PyObject *m = PyModule_Create(&moduledef);
    PyObject *table = PyList_New(0);
    if (m == NULL || table == NULL) {
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
    /* (name, kind, mt_grain) per registered ufunc, in table order. */
    PyObject *rows = PyList_AsTuple(table);
    int rc = rows == NULL ? -1 : PyModule_AddObjectRef(m, "kernel_table", rows);
    Py_XDECREF(rows);
    if (rc < 0 || PyModule_AddStringConstant(m, "build_march", SNAKE_MARCH) < 0) {
        goto fail;
    }
    Py_DECREF(table);
    return m;
fail:
    Py_XDECREF(table);
    Py_XDECREF(m);
    return NULL;
}
