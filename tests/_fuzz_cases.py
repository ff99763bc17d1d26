"""Deterministic bad and edge-case inputs for tests/test_fuzz.py, and the oracle.

Every case is a small callable run on tiny data (at most 60 rows, 5 features).
The oracle (:func:`run_case`) accepts two outcomes:

- an error of type ValueError, TypeError or NotFittedError (never an
  IndexError, KeyError, AttributeError, LinAlgError, FloatingPointError,
  ZeroDivisionError...) whose message is not a raw internal one (see
  ``BANNED_MESSAGES``) unless it also names the input or parameter at fault;
- a result that is finite, correctly shaped, with predicted labels drawn from
  the labels of ``y``.

Whatever the outcome, the inputs must be unchanged and the case must end
within ``TIME_LIMIT`` seconds. Failures are grouped by ``CATEGORIES``.

All randomness comes from ``numpy.random.default_rng`` with fixed seeds
derived from ``SEED``: the cases, their data and their order are the same in
every run.
"""

import copy
import math
import re
import signal
import warnings
from contextlib import contextmanager
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.base import BaseEstimator
from sklearn.ensemble import RandomForestClassifier
from sklearn.exceptions import NotFittedError, UndefinedMetricWarning
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

from mtlearn.ensemble import MultiTaskEnsembleClassifier, MultiTaskEnsembleRegressor
from mtlearn.linear_model import (
    MultiTaskLinearRegression,
    MultiTaskLinearRegressionCV,
    MultiTaskLogisticRegression,
    MultiTaskLogisticRegressionCV,
)
from mtlearn.metrics import (
    make_multitask_scorer,
    multitask_report,
    multitask_score,
    per_task_score,
)
from mtlearn.model_selection import (
    MultilabelStratifiedKFold,
    MultilabelStratifiedShuffleSplit,
    MultiTaskThresholdClassifier,
    transfer_gain,
)
from mtlearn.multioutput import LabelPowersetClassifier
from mtlearn.neural_network import (
    DynamicWeightAverage,
    EqualWeighting,
    GradNorm,
    MixtureOfExpertsClassifier,
    MixtureOfExpertsRegressor,
    PCGrad,
    SharedRepresentationClassifier,
    SharedRepresentationRegressor,
    UncertaintyWeighting,
)
from mtlearn.task_graph import (
    estimate_task_graph,
    graph_from_coefficients,
    graph_from_targets,
    normalize,
    sparsify,
    task_clusters,
)

SEED = 20240909
TIME_LIMIT = 5.0  # seconds per case
N_ROWS, N_FEATURES = 30, 4
FMAX = np.finfo(np.float64).max

CATEGORIES = (
    "hang",
    "non-finite",
    "wrong label",
    "wrong shape",
    "mutated input",
    "unclear error type",
    "unclear message",
    "missing error",
)

# Raw messages of Python/NumPy internals: a user cannot tell from them what
# is wrong. Accepted only when the message also names the input/parameter.
BANNED_MESSAGES = [
    r"could not convert",
    r"too many values to unpack",
    r"not enough values to unpack",
    r"out of bounds",
    r"index out of range",
    r"has no len\(\)",
    r"unhashable type",
    r"is not subscriptable",
    r"is not iterable",
    r"unsupported operand",
    r"not supported between instances",
    r"cannot be interpreted as an integer",
    r"only integer scalar arrays",
    r"setting an array element with a sequence",
    r"inhomogeneous",
    r"operands could not be broadcast",
    r"cannot reshape array",
    r"mismatch in its core dimension",
    r"invalid literal for",
    r"cannot convert float",
    r"must be real number, not",
    r"zero-size array to reduction",
    r"math domain error",
    r"division by zero",
    r"Unable to allocate",
    r"array is too big",
    r"object has no attribute",
    r"'NoneType' object",
    r"unexpected keyword argument",
    r"takes \d+ positional argument",
    r"missing \d+ required positional argument",
    r"Cannot cast",
    r"ufunc",
    r"SVD did not converge",
    r"did not converge",
]
_BANNED = re.compile("|".join(BANNED_MESSAGES), re.IGNORECASE)


class CaseTimeout(BaseException):
    """Raised by the alarm when a case runs over ``TIME_LIMIT`` (a
    BaseException so that no ``except Exception`` in the library eats it)."""


@contextmanager
def time_limit(seconds):
    def handler(signum, frame):
        raise CaseTimeout(f"over {seconds} s")

    previous = signal.signal(signal.SIGALRM, handler)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


# ----------------------------------------------------------------------------
# The expected outputs
# ----------------------------------------------------------------------------


def _is_missing(value):
    if value is None or value is pd.NA:
        return True
    try:
        return isinstance(value, (float, np.floating)) and math.isnan(value)
    except TypeError:
        return False


def _task_columns(y):
    """Per task, the list of observed labels of ``y`` (python objects)."""
    if isinstance(y, pd.DataFrame):
        cols = [y[c].tolist() for c in y.columns]
    elif isinstance(y, pd.Series):
        cols = [y.tolist()]
    else:
        arr = np.asarray(y, dtype=object)
        cols = [arr.tolist()] if arr.ndim == 1 else [list(c) for c in arr.T]
    return [[v for v in col if not _is_missing(v)] for col in cols]


def _y_dims(y):
    """(one_d, n_tasks) of a target, or None if it is neither 1-D nor 2-D."""
    if isinstance(y, pd.DataFrame):
        return False, y.shape[1]
    if isinstance(y, pd.Series):
        return True, 1
    try:
        arr = np.asarray(y, dtype=object)
    except Exception:
        return None
    if arr.ndim == 1:
        return True, 1
    if arr.ndim == 2:
        return False, arr.shape[1]
    return None


def n_rows(X):
    """Number of rows of X; -1 when X has none (None, a scalar)."""
    if hasattr(X, "shape") and len(X.shape) > 0:
        return X.shape[0]
    try:
        return len(X)
    except TypeError:
        return -1


@dataclass
class Out:
    """One output to check: what produced it, the value, and how to check it.

    ``kind`` is one of "labels", "values", "proba", "scores", "transform",
    "scalar", "metric", "splits", "bunch", "report".
    """

    what: str
    value: object
    kind: str
    n: int | None = None
    y: object = None
    nan_ok: bool = False
    extra: dict = field(default_factory=dict)


def _finite(a):
    a = np.asarray(a)
    if a.dtype == object:
        try:
            a = a.astype(np.float64)
        except (TypeError, ValueError):
            return False
    if not np.issubdtype(a.dtype, np.number) and a.dtype != bool:
        return False
    return bool(np.all(np.isfinite(a)))


def _no_inf(a):
    a = np.asarray(a, dtype=np.float64)
    return not np.any(np.isinf(a))


def check_output(out, undefined_warned=False):
    """Return a list of (category, detail) problems of one output.

    A metric or score may be NaN only where it is documented as undefined,
    that is when the call emitted an ``UndefinedMetricWarning``
    (``undefined_warned``) or the case allows it (``out.nan_ok``).
    """
    nan_ok = out.nan_ok or undefined_warned
    v, kind = out.value, out.kind
    problems = []
    if kind in ("labels", "values", "proba", "scores"):
        dims = _y_dims(out.y)
        if dims is None:
            return [("wrong shape", f"{out.what}: fitted on a y that is not 1-D/2-D")]
        one_d, n_tasks = dims
    if kind in ("labels", "values"):
        arr = np.asarray(v)
        shape = (out.n,) if one_d else (out.n, n_tasks)
        if arr.shape != shape:
            return [("wrong shape", f"{out.what} shape {arr.shape}, expected {shape}")]
        if kind == "values":
            if not _finite(arr):
                problems.append(("non-finite", f"{out.what} has NaN/inf"))
            return problems
        cols = [arr] if one_d else list(arr.T)
        for t, (col, seen) in enumerate(zip(cols, _task_columns(out.y))):
            allowed = set()
            for s in seen:
                try:
                    allowed.add(s)
                except TypeError:
                    pass
            bad = [p for p in col.tolist() if p not in allowed]
            if bad:
                problems.append(
                    ("wrong label", f"{out.what} task {t}: {bad[0]!r} not in y")
                )
                break
        return problems
    if kind == "proba":
        parts = [v] if one_d else v
        if not one_d and not isinstance(v, list):
            return [("wrong shape", f"{out.what} is {type(v).__name__}, not a list")]
        if len(parts) != n_tasks:
            return [("wrong shape", f"{out.what}: {len(parts)} tasks != {n_tasks}")]
        for t, p in enumerate(parts):
            p = np.asarray(p)
            if p.ndim != 2 or p.shape[0] != out.n:
                return [("wrong shape", f"{out.what}[{t}] shape {p.shape}")]
            if not _finite(p):
                return [("non-finite", f"{out.what}[{t}] has NaN/inf")]
            if (
                p.min() < -1e-6
                or p.max() > 1 + 1e-6
                or (p.shape[0] and np.max(np.abs(p.sum(axis=1) - 1)) > 1e-3)
            ):
                return [("non-finite", f"{out.what}[{t}] is not a probability")]
        return problems
    if kind == "scores":
        parts = v if isinstance(v, list) else [v]
        for p in parts:
            p = np.asarray(p)
            if p.shape[:1] != (out.n,):
                return [("wrong shape", f"{out.what} shape {p.shape}, n={out.n}")]
            if not _finite(p):
                return [("non-finite", f"{out.what} has NaN/inf")]
        return problems
    if kind == "transform":
        arr = v.to_numpy() if hasattr(v, "to_numpy") else np.asarray(v)
        if arr.ndim != 2 or arr.shape[0] != out.n:
            return [("wrong shape", f"{out.what} shape {arr.shape}, n={out.n}")]
        if not _finite(arr):
            return [("non-finite", f"{out.what} has NaN/inf")]
        return problems
    if kind in ("scalar", "metric"):
        arr = np.asarray(v)
        if arr.dtype == object or not (
            np.issubdtype(arr.dtype, np.number) or arr.dtype == bool
        ):
            return [("wrong shape", f"{out.what} is {type(v).__name__}")]
        if "shape" in out.extra and arr.shape != out.extra["shape"]:
            return [("wrong shape", f"{out.what} shape {arr.shape}")]
        ok = _no_inf(arr) and (nan_ok or not np.any(np.isnan(arr)))
        if not ok:
            return [("non-finite", f"{out.what} = {np.round(arr, 3).tolist()}")]
        return problems
    if kind == "report":
        if isinstance(v, dict):
            values = []

            def walk(d):
                for val in d.values():
                    if isinstance(val, dict):
                        walk(val)
                    elif isinstance(val, (int, float, np.number)):
                        values.append(float(val))

            walk(v)
            arr = np.asarray(values, dtype=float)
            if not (_no_inf(arr) and (nan_ok or not np.any(np.isnan(arr)))):
                return [("non-finite", f"{out.what} has NaN/inf")]
        elif isinstance(v, str):
            if re.search(r"\binf\b", v) or (not nan_ok and "nan" in v):
                return [("non-finite", f"{out.what} text shows nan/inf")]
        else:
            return [("wrong shape", f"{out.what} is {type(v).__name__}")]
        return problems
    if kind == "splits":
        n, full_cover = out.n, out.extra.get("kfold", False)
        splits = v
        expected = out.extra.get("n_splits")
        if expected is not None and len(splits) != expected:
            problems.append(
                ("wrong shape", f"{len(splits)} splits, get_n_splits={expected}")
            )
        tests = []
        for train, test in splits:
            train, test = np.asarray(train), np.asarray(test)
            for part in (train, test):
                if part.ndim != 1 or not np.issubdtype(part.dtype, np.integer):
                    return [("wrong shape", f"indices {part.dtype} {part.shape}")]
                if part.size and (part.min() < 0 or part.max() >= n):
                    return [("wrong shape", f"index outside [0, {n})")]
            if np.intersect1d(train, test).size:
                return [("wrong shape", "train and test overlap")]
            if train.size == 0 or test.size == 0:
                return [("wrong shape", "empty train or test part")]
            tests.append(test)
        if full_cover and tests:
            all_test = np.sort(np.concatenate(tests))
            if not np.array_equal(all_test, np.arange(n)):
                problems.append(("wrong shape", "test parts do not cover every row"))
        return problems
    if kind == "bunch":
        n_tasks = out.extra["n_tasks"]
        for key in ("gain", "gain_std"):
            arr = np.asarray(v[key], dtype=float)
            if arr.shape != (n_tasks,):
                return [("wrong shape", f"{key} shape {arr.shape}")]
        for key in ("gain", "gain_std", "multitask_scores", "single_task_scores"):
            arr = np.asarray(v[key], dtype=float)
            if not (_no_inf(arr) and (nan_ok or not np.any(np.isnan(arr)))):
                return [("non-finite", f"transfer_gain {key} has NaN/inf")]
        return problems
    raise AssertionError(kind)


# ----------------------------------------------------------------------------
# Snapshots of the inputs (to detect mutation)
# ----------------------------------------------------------------------------


def _snapshot(value):
    if sp.issparse(value):
        return value.copy()
    if isinstance(value, (pd.DataFrame, pd.Series)):
        return value.copy(deep=True)
    try:
        return copy.deepcopy(value)
    except Exception:
        return value


def _same(a, b):
    if sp.issparse(a) and sp.issparse(b):
        if a.shape != b.shape or a.format != b.format:
            return False
        a, b = a.toarray(), b.toarray()
    if isinstance(a, (pd.DataFrame, pd.Series)):
        return isinstance(b, type(a)) and a.equals(b)
    if isinstance(a, np.ndarray):
        if not isinstance(b, np.ndarray) or a.shape != b.shape or a.dtype != b.dtype:
            return False
        if a.dtype == object:
            return all(_same(x, y) for x, y in zip(a.ravel(), b.ravel()))
        return bool(np.array_equal(a, b, equal_nan=a.dtype.kind in "fc"))
    if isinstance(a, (list, tuple)):
        return (
            type(a) is type(b)
            and len(a) == len(b)
            and all(_same(x, y) for x, y in zip(a, b))
        )
    if isinstance(a, dict):
        return (
            isinstance(b, dict)
            and a.keys() == b.keys()
            and all(_same(a[k], b[k]) for k in a)
        )
    if isinstance(a, BaseEstimator):
        # a parameter estimator: same parameters, and not fitted in place
        return (
            type(a) is type(b)
            and vars(a).keys() == vars(b).keys()
            and _same(a.get_params(deep=False), b.get_params(deep=False))
        )
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a):
        return math.isnan(b)
    try:
        return bool(a == b) or a is b
    except Exception:
        return a is b


# ----------------------------------------------------------------------------
# The oracle
# ----------------------------------------------------------------------------


@dataclass
class Case:
    family: str
    name: str
    func: object  # () -> list of Out
    inputs: dict = field(default_factory=dict)  # checked for mutation
    names: tuple = ()  # what a clear message may name
    must_raise: bool = False  # accepting the input is itself a failure
    not_fitted: bool = False  # the error must be a NotFittedError


_BAD_TYPES = (
    IndexError,
    KeyError,
    AttributeError,
    np.linalg.LinAlgError,
    ArithmeticError,
)


def _names_in(message, names):
    for name in names:
        pattern = rf"(?<![A-Za-z0-9_]){re.escape(name)}(?![A-Za-z0-9_])"
        if re.search(pattern, message):
            return True
    return False


def classify_error(case, exc):
    """None if ``exc`` is a clear error for this case, else (category, detail)."""
    message = str(exc)
    short = f"{type(exc).__name__}: {message[:110]}"
    if case.not_fitted:
        if isinstance(exc, NotFittedError):
            return None
        return ("unclear error type", short)
    if isinstance(exc, NotFittedError):
        return None
    if not isinstance(exc, (ValueError, TypeError)) or isinstance(exc, _BAD_TYPES):
        return ("unclear error type", short)
    if not message.strip():
        return ("unclear message", short + "(empty)")
    if _BANNED.search(message) and not _names_in(message, case.names):
        return ("unclear message", short)
    return None


def run_case(case, limit=TIME_LIMIT):
    """Run one case; return a list of (category, detail) failures."""
    snapshots = {k: _snapshot(v) for k, v in case.inputs.items()}
    failures = []
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            with np.errstate(all="ignore"), time_limit(limit):
                outputs = case.func()
    except CaseTimeout:
        failures.append(("hang", f"no result within {limit} s"))
    except Exception as exc:  # noqa: BLE001 - classified below
        problem = classify_error(case, exc)
        if problem is not None:
            failures.append(problem)
    else:
        if case.must_raise:
            failures.append(("missing error", "accepted an input it must reject"))
        else:
            undefined = any(
                issubclass(w.category, UndefinedMetricWarning) for w in caught
            )
            for out in outputs:
                try:
                    failures.extend(check_output(out, undefined))
                except Exception as exc:  # noqa: BLE001 - the output is malformed
                    failures.append(
                        ("wrong shape", f"{out.what}: {type(exc).__name__} {exc}")
                    )
    for key, before in snapshots.items():
        if not _same(before, case.inputs[key]):
            failures.append(("mutated input", f"{key} changed"))
    return failures


# ----------------------------------------------------------------------------
# Data
# ----------------------------------------------------------------------------


def _rng(*keys):
    return np.random.default_rng([SEED, *keys])


def base_X(rng, n=N_ROWS, p=N_FEATURES):
    return rng.normal(size=(n, p))


def base_y(rng, X, kind, n_tasks=None):
    n = X.shape[0]
    if kind == "reg":
        n_tasks = n_tasks or 2
        W = rng.normal(size=(X.shape[1], n_tasks))
        return X @ W + 0.1 * rng.normal(size=(n, n_tasks))
    # two binary tasks and a three-class one, every class present
    n_tasks = n_tasks or 3
    cols = []
    for t in range(n_tasks):
        k = 3 if t == 2 else 2
        col = np.arange(n) % k
        cols.append(rng.permutation(col))
    return np.column_stack(cols).astype(float)


def _one_entry(X, value, dtype=None):
    X = X.astype(dtype or X.dtype, copy=True)
    X[0, 0] = value
    return X


def x_variants(rng, X):
    """(name, X variant, rows_follow) -- rows_follow: whether y must be cut."""
    n, p = X.shape
    Xo = X.astype(object)
    Xs = Xo.copy()
    Xs[1, 1] = "a"
    sparse_nan = sp.csr_matrix(np.where(X > 0.5, X, 0))
    sparse_nan.data[0] = np.nan
    frame = pd.DataFrame(X, columns=[f"f{j}" for j in range(p)])
    frame_mixed = frame.copy()
    frame_mixed["f0"] = ["a"] * n
    col_nan = X.copy()
    col_nan[:, 0] = np.nan
    const = np.ones_like(X)
    mixed_mag = X.copy()
    mixed_mag[:, 0] *= 1e150
    return [
        ("nan_one", _one_entry(X, np.nan), None),
        ("nan_column", col_nan, None),
        ("inf_one", _one_entry(X, np.inf), None),
        ("neg_inf_one", _one_entry(X, -np.inf), None),
        ("scaled_1e154", X * 1e154, None),
        ("scaled_1e300", X * 1e300, None),
        ("scaled_-1e300", -np.abs(X) * 1e300, None),
        ("one_entry_1e300", _one_entry(X, 1e300), None),
        ("one_entry_fmax", _one_entry(X, FMAX), None),
        ("one_entry_-fmax", _one_entry(X, -FMAX), None),
        ("column_1e150", mixed_mag, None),
        ("scaled_1e-300", X * 1e-300, None),
        ("scaled_1e-320", X * 1e-320, None),
        ("all_zero", np.zeros_like(X), None),
        ("constant", const, None),
        ("strings", np.full(X.shape, "a"), None),
        ("numeric_strings", X.astype(str), None),
        ("object_with_string", Xs, None),
        ("object_floats", Xo, None),
        ("object_none", _one_entry(Xo, None), None),
        ("complex", X + 1j, None),
        ("zero_rows", X[:0], "cut"),
        ("one_row", X[:1], "cut"),
        ("two_rows", X[:2], "cut"),
        ("zero_features", X[:, :0], None),
        ("one_feature", X[:, :1], None),
        ("3d", X[:, :, None], None),
        ("1d", X[:, 0], None),
        ("scalar", 3.0, None),
        ("none", None, None),
        ("list", X.tolist(), None),
        ("csr", sp.csr_matrix(X), None),
        ("csc", sp.csc_matrix(X), None),
        ("coo", sp.coo_matrix(X), None),
        ("csr_nan", sparse_nan, None),
        ("csr_1e300", sp.csr_matrix(X * 1e300), None),
        ("frame", frame, None),
        ("frame_string_column", frame_mixed, None),
        ("frame_int_columns", pd.DataFrame(X), None),
        ("float32", X.astype(np.float32), None),
        ("float16", X.astype(np.float16), None),
        ("int", (X * 3).astype(int), None),
        ("int_huge", np.full(X.shape, np.iinfo(np.int64).max), None),
        ("bool", X > 0, None),
        ("fortran", np.asfortranarray(X), None),
        ("non_contiguous", np.repeat(X, 2, axis=1)[:, ::2], None),
        ("duplicate_rows", np.repeat(X[:1], n, axis=0), None),
        ("wrong_rows", X[:-3], None),
    ]


def y_variants(rng, y, kind):
    """(name, y variant) for a classification ('clf') or regression y."""
    n, T = y.shape
    yo = y.astype(object)
    nan_cells = y.copy()
    nan_cells[rng.random(y.shape) < 0.3] = np.nan
    nan_cells[:3] = y[:3]  # every task keeps observed labels
    nan_task = y.copy()
    nan_task[:, 0] = np.nan
    nan_all_but_one = y.copy()
    nan_all_but_one[1:, 0] = np.nan
    none_cells = yo.copy()
    none_cells[::4, 0] = None
    inf_float = y.copy()
    inf_float[0, 0] = np.inf
    inf_object = yo.copy()
    inf_object[0, 0] = float("inf")
    neg_inf_object = yo.copy()
    neg_inf_object[0, 1] = -np.inf
    mixed_cell = yo.copy()
    mixed_cell[0, 0] = "a"
    nested = yo.copy()
    nested[0, 0] = [1]
    frame = pd.DataFrame(y, columns=[f"task{t}" for t in range(T)])
    frame_na = frame.copy()
    if kind == "clf":
        frame_na = frame.astype("Int64")
        frame_na.iloc[::5, 0] = pd.NA
    else:
        frame_na.iloc[::5, 0] = np.nan
    out = [
        ("clean", y),
        ("1d", y[:, 0]),
        ("one_column", y[:, :1]),
        ("nan_cells", nan_cells),
        ("nan_whole_task", nan_task),
        ("nan_everywhere", np.full(y.shape, np.nan)),
        ("one_observed_cell", nan_all_but_one),
        ("none_cells", none_cells),
        ("float_inf", inf_float),
        ("object_inf", inf_object),
        ("object_neg_inf", neg_inf_object),
        ("mixed_types_in_task", mixed_cell),
        ("nested_list_cell", nested),
        ("wrong_length", y[:-1]),
        ("too_long", np.vstack([y, y[:1]])),
        ("3d", y[:, :, None]),
        ("none", None),
        ("scalar", 1.0),
        ("zero_tasks", y[:, :0]),
        ("many_tasks", np.tile(y, 3)),
        ("frame", frame),
        ("frame_nullable", frame_na),
        ("series", frame["task0"]),
        ("list", y.tolist()),
        ("complex", y + 1j),
    ]
    if kind == "clf":
        const = y.copy()
        const[:, 0] = 1
        rare = y.copy()
        rare[:, 1] = 0
        rare[0, 1] = 1
        const_nan = y.copy()
        const_nan[:, 0] = np.where(np.arange(n) % 2, 1.0, np.nan)
        strings = np.vectorize(lambda v: f"label{int(v)}", otypes=[object])(y)
        mixed_tasks = yo.copy()
        mixed_tasks[:, 1] = np.where(y[:, 1] > 0, "pos", "neg")
        bools = y.copy().astype(object)
        bools[:, 0] = y[:, 0] > 0
        out += [
            ("constant_task", const),
            ("all_constant", np.ones_like(y)),
            ("constant_1d", np.zeros(n)),
            ("constant_with_missing", const_nan),
            ("rare_label", rare),
            ("strings", strings),
            ("string_array", strings.astype(str)),
            ("mixed_types_tasks", mixed_tasks),
            ("bool_task", bools),
            ("bool_array", y > 0),
            ("continuous", rng.normal(size=y.shape)),
            ("labels_1e300", np.where(y > 0, 1e300, -1e300)),
            (
                "labels_int64_extremes",
                np.where(y > 0, 2**62, -(2**62)).astype(np.int64),
            ),
            ("labels_half", y + 0.5),
            ("negative_labels", -y - 1),
            ("int_labels", y.astype(int)),
            ("int8_labels", y.astype(np.int8)),
            ("many_classes", np.tile(np.arange(n)[:, None], (1, T)).astype(float)),
        ]
    else:
        out += [
            ("constant_task", np.column_stack([np.ones(n), y[:, 1:]])),
            ("scaled_1e200", y * 1e200),
            ("scaled_1e300", y * 1e300),
            ("one_entry_fmax", _one_entry(y, FMAX)),
            ("scaled_1e-300", y * 1e-300),
            ("strings", np.full(y.shape, "a")),
            ("numeric_strings", y.astype(str)),
            ("int", (y * 3).astype(int)),
            ("bool", y > 0),
            ("float32", y.astype(np.float32)),
        ]
    return out


def sw_variants(n):
    w = np.linspace(0.5, 1.5, n)
    neg = w.copy()
    neg[0] = -1
    nan = w.copy()
    nan[0] = np.nan
    inf = w.copy()
    inf[0] = np.inf
    return [
        ("ones", np.ones(n)),
        ("scalar_1", 1.0),
        ("scalar_0", 0.0),
        ("scalar_-1", -1.0),
        ("negative_one", neg),
        ("all_negative", -w),
        ("nan_one", nan),
        ("inf_one", inf),
        ("huge_1e300", w * 1e300),
        ("tiny_1e-300", w * 1e-300),
        ("zeros", np.zeros(n)),
        ("one_nonzero", np.eye(1, n).ravel()),
        ("wrong_length", w[:-1]),
        ("2d", w[:, None]),
        ("strings", np.full(n, "a")),
        ("int", np.arange(n) % 3),
        ("bool", np.arange(n) % 2 == 0),
        ("list", w.tolist()),
        ("series", pd.Series(w)),
    ]


GENERIC_BAD_VALUES = [
    ("str", "a"),
    ("minus_one", -1),
    ("zero", 0),
    ("half", 0.5),
    ("nan", np.nan),
    ("inf", np.inf),
    ("neg_inf", -np.inf),
    ("1e300", 1e300),
    ("none", None),
    ("list", [1, 2]),
    ("true", True),
    ("dict", {"a": 1}),
]


# ----------------------------------------------------------------------------
# Estimators
# ----------------------------------------------------------------------------


def _net_params():
    return dict(
        hidden_layer_sizes=(4,), max_iter=5, early_stopping=False, random_state=0
    )


def make_net_clf(**kw):
    return SharedRepresentationClassifier(**{**_net_params(), **kw})


def make_net_reg(**kw):
    return SharedRepresentationRegressor(**{**_net_params(), **kw})


def make_lin_reg(**kw):
    return MultiTaskLinearRegression(**{"alpha": 0.1, "max_iter": 50, **kw})


def make_lin_clf(**kw):
    return MultiTaskLogisticRegression(**{"max_iter": 50, **kw})


def make_lin_reg_cv(**kw):
    return MultiTaskLinearRegressionCV(**{"alphas": 2, "cv": 2, "max_iter": 20, **kw})


def make_lin_clf_cv(**kw):
    return MultiTaskLogisticRegressionCV(**{"alphas": 2, "cv": 2, "max_iter": 10, **kw})


def _moe_params():
    return dict(
        n_experts=2,
        expert_layer_sizes=(4,),
        max_iter=5,
        early_stopping=False,
        random_state=0,
    )


def make_moe_clf(**kw):
    return MixtureOfExpertsClassifier(**{**_moe_params(), **kw})


def make_moe_reg(**kw):
    return MixtureOfExpertsRegressor(**{**_moe_params(), **kw})


def make_lin_relationship(**kw):
    return make_lin_reg(**{"penalty": "relationship", "max_outer_iter": 3, **kw})


def make_lin_clf_cluster(**kw):
    return make_lin_clf(
        **{"penalty": "cluster", "n_task_clusters": 2, "max_outer_iter": 3, **kw}
    )


def make_label_powerset(**kw):
    forest = RandomForestClassifier(5, max_depth=3, random_state=0)
    return LabelPowersetClassifier(**{"estimator": forest, "random_state": 0, **kw})


def make_ens_clf(**kw):
    members = [
        ("tree", DecisionTreeClassifier(max_depth=2, random_state=0)),
        ("net", make_net_clf()),
    ]
    return MultiTaskEnsembleClassifier(**{"estimators": members, "cv": 2, **kw})


def make_ens_reg(**kw):
    members = [("ridge", Ridge()), ("lin", make_lin_reg(max_iter=30))]
    return MultiTaskEnsembleRegressor(**{"estimators": members, "cv": 2, **kw})


def make_threshold(**kw):
    return MultiTaskThresholdClassifier(
        **{
            "estimator": make_net_clf(),
            "cv": 2,
            "thresholds": 10,
            "random_state": 0,
            **kw,
        }
    )


def _bad_arrays(T):
    """Bad per-task vectors (task_weights, thresholds...)."""
    return [
        ("short", np.ones(T - 1)),
        ("long", np.ones(T + 1)),
        ("nan", np.r_[np.nan, np.ones(T - 1)]),
        ("inf", np.r_[np.inf, np.ones(T - 1)]),
        ("negative", -np.ones(T)),
        ("zeros", np.zeros(T)),
        ("strings", ["a"] * T),
        ("2d", np.ones((T, T))),
        ("huge", np.full(T, 1e300)),
        ("empty", []),
    ]


def _bad_graphs(T):
    g = np.ones((T, T)) - np.eye(T)
    nan = g.copy()
    nan[0, 1] = nan[1, 0] = np.nan
    inf = g.copy()
    inf[0, 1] = inf[1, 0] = np.inf
    asym = g.copy()
    asym[0, 1] = 5.0
    return [
        ("wrong_size", np.ones((T + 1, T + 1))),
        ("not_square", np.ones((T, T + 1))),
        ("1d", np.ones(T)),
        ("nan", nan),
        ("inf", inf),
        ("negative", -g),
        ("asymmetric", asym),
        ("strings", np.full((T, T), "a")),
        ("huge", g * 1e300),
        ("zeros", np.zeros((T, T))),
        ("sparse", sp.csr_matrix(g)),
    ]


# task_weighting values: the named strategies, strategy objects with bad
# parameters, and things that are not strategies.
TASK_WEIGHTINGS = [
    ("equal", "equal"),
    ("uncertainty", "uncertainty"),
    ("dwa", "dwa"),
    ("gradnorm", "gradnorm"),
    ("pcgrad", "pcgrad"),
    ("upper_case", "DWA"),
    ("list", ["dwa"]),
    ("class", DynamicWeightAverage),
    ("estimator", Ridge()),
    ("equal_object", EqualWeighting()),
    ("pcgrad_object", PCGrad()),
    ("dwa_temperature_0", DynamicWeightAverage(temperature=0)),
    ("dwa_temperature_nan", DynamicWeightAverage(temperature=np.nan)),
    ("dwa_temperature_tiny", DynamicWeightAverage(temperature=1e-300)),
    ("dwa_temperature_huge", DynamicWeightAverage(temperature=1e300)),
    ("dwa_temperature_str", DynamicWeightAverage(temperature="a")),
    ("uncertainty_lr_huge", UncertaintyWeighting(learning_rate=1e300)),
    ("uncertainty_lr_negative", UncertaintyWeighting(learning_rate=-1.0)),
    ("gradnorm_alpha_huge", GradNorm(alpha=1e300)),
    ("gradnorm_alpha_negative", GradNorm(alpha=-1.0)),
    ("gradnorm_lr_inf", GradNorm(learning_rate=np.inf)),
    ("gradnorm_lr_huge", GradNorm(learning_rate=1e300)),
]

# string task_graph rules, known and unknown
TASK_GRAPH_STRINGS = [
    ("auto", "auto"),
    ("correlation", "correlation"),
    ("cooccurrence", "cooccurrence"),
    ("jaccard", "jaccard"),
    ("learned", "learned"),
    ("unknown_rule", "bogus"),
    ("empty_rule", ""),
]


def _family_specials(name, T):
    sizes = [
        ("str", ("a",)),
        ("zero", (0,)),
        ("negative", (-1,)),
        ("nan", (np.nan,)),
        ("float", (4.5,)),
        ("huge_float", (1e300,)),
        ("empty", ()),
        ("string", "a"),
        ("nested", ((4,),)),
        ("int", 4),
    ]
    class_weights = [
        ("balanced", "balanced"),
        ("nan", {0: np.nan, 1: 1.0}),
        ("inf", {0: np.inf, 1: 1.0}),
        ("negative", {0: -1.0, 1: 1.0}),
        ("zeros", {0: 0.0, 1: 0.0}),
        ("unknown_label", {7: 1.0}),
        ("string_weight", {0: "a"}),
        ("list_wrong_length", [{0: 1.0}] * (T + 1)),
        ("list_nan", [{0: np.nan}] * T),
        ("list_balanced", ["balanced"] * T),
        ("string", "a"),
        ("huge", {0: 1e300, 1: 1.0}),
    ]
    network = [("hidden_layer_sizes", k, v) for k, v in sizes]
    network += [("head_layer_sizes", k, v) for k, v in sizes]
    network += [("task_weights", k, v) for k, v in _bad_arrays(T)]
    network += [
        ("dtype", k, v)
        for k, v in [
            ("float16", "float16"),
            ("int32", "int32"),
            ("str", "a"),
            ("float64", "float64"),
            ("np_float64", np.float64),
        ]
    ]
    network += [("batch_size", "huge", 10**6), ("learning_rate_init", "big", 1e10)]
    network += [("solver", "sgd_big_lr", "sgd")]
    linear = [("task_graph", k, v) for k, v in _bad_graphs(T)]
    linear += [("penalty", k, v) for k, v in [("graph", "graph"), ("str", "a")]]
    linear += [("penalty", "mean", "mean"), ("penalty", "trace", "trace")]
    linear += [("intercept_alpha", "nan_mean", np.nan)]
    cv_lin = [
        ("alphas", k, v)
        for k, v in [
            ("nan", [np.nan]),
            ("inf", [np.inf]),
            ("negative", [-1.0]),
            ("zero", [0.0]),
            ("empty", []),
            ("strings", ["a"]),
            ("huge", [1e300]),
            ("tiny", [1e-300]),
            ("2d", [[1.0]]),
            ("int_zero", 0),
            ("int_one", 1),
        ]
    ]
    cv_lin += [("eps", k, v) for k, v in [("zero", 0), ("two", 2.0), ("nan", np.nan)]]
    n = N_ROWS
    cv_iterables = [
        ("out_of_range", [(np.arange(n // 2), np.arange(n // 2, n + 5))]),
        ("negative_index", [(np.arange(n // 2), np.arange(-3, 0))]),
        ("empty_test", [(np.arange(n), np.array([], dtype=int))]),
        ("float_indices", [(np.arange(n // 2) + 0.5, np.arange(n // 2, n) + 0.0)]),
        ("strings", [("a", "b")]),
        ("cv_1", 1),
        ("cv_0", 0),
        ("cv_rows", n),
        ("cv_more_than_rows", n + 10),
    ]
    cv_lin += [("cv", k, v) for k, v in cv_iterables]
    cv_lin += [
        ("scoring", k, v)
        for k, v in [
            ("unknown", "a"),
            ("nan_scorer", lambda est, X, y, sample_weight=None: np.nan),
            ("inf_scorer", lambda est, X, y, sample_weight=None: np.inf),
            ("int_scoring", 3),
        ]
    ]

    def nan_metric(y_true, y_pred, **kw):
        return np.nan

    def inf_metric(y_true, y_pred, **kw):
        return np.inf

    threshold = [
        ("thresholds", k, v)
        for k, v in [
            ("zero", 0),
            ("one", 1),
            ("negative", -5),
            ("nan", [np.nan]),
            ("inf", [np.inf]),
            ("strings", ["a"]),
            ("empty", []),
            ("above_one", [0.5, 2.0]),
            ("2d", np.array([[0.5]])),
            ("float", 10.5),
            ("huge_int", 10**7),
        ]
    ]
    threshold += [("cv", k, v) for k, v in cv_iterables]
    threshold += [
        ("scoring", k, v)
        for k, v in [
            ("nan", nan_metric),
            ("inf", inf_metric),
            ("unknown", "a"),
            ("micro_f1", "micro_f1"),
        ]
    ]
    threshold += [
        ("estimator", k, v)
        for k, v in [
            ("regressor", make_lin_reg()),
            ("none", None),
            ("string", "a"),
            ("class", MultiTaskLogisticRegression),
            ("single_task", LogisticRegression()),
            ("logistic", make_lin_clf(max_iter=20)),
        ]
    ]
    threshold += [("refit", "false_cv2", False)]
    ens_common = [("weights", k, v) for k, v in _bad_arrays(2)]
    ens_common += [("weights", "matrix_nan", np.full((2, T), np.nan))]
    ens_common += [("cv", k, v) for k, v in cv_iterables]
    ens_common += [("weights", "cv", "cv")]
    ens_clf = ens_common + [
        ("estimators", k, v)
        for k, v in [
            ("empty", []),
            ("regressor_hard", [("r", Ridge())]),
            ("regressor_soft", [("r", Ridge())]),
            ("not_tuples", [DecisionTreeClassifier()]),
            ("duplicate_names", [("a", LogisticRegression())] * 2),
            ("none_member", [("a", None)]),
            ("string_member", [("a", "tree")]),
            ("drop", [("a", "drop"), ("b", LogisticRegression())]),
            ("class_member", [("a", DecisionTreeClassifier)]),
            ("multitask_member", [("m", make_lin_clf(max_iter=30))]),
        ]
    ]
    ens_clf += [("voting", "str", "a"), ("voting", "hard", "hard")]
    ens_clf += [
        ("final_estimator", k, v)
        for k, v in [
            ("logistic", LogisticRegression()),
            ("regressor", Ridge()),
            ("string", "a"),
            ("tree", DecisionTreeClassifier(max_depth=1)),
        ]
    ]
    ens_reg = ens_common + [
        ("estimators", k, v)
        for k, v in [
            ("empty", []),
            ("classifier", [("c", DecisionTreeClassifier())]),
            ("not_tuples", [Ridge()]),
            ("none_member", [("a", None)]),
            ("multitask_member", [("m", make_net_reg())]),
            ("tree", [("t", DecisionTreeRegressor(max_depth=2))]),
        ]
    ]
    ens_reg += [
        ("final_estimator", k, v)
        for k, v in [
            ("ridge", Ridge()),
            ("classifier", LogisticRegression()),
            ("string", "a"),
        ]
    ]
    moe = [s for s in network if s[0] != "hidden_layer_sizes"]
    moe += [("expert_layer_sizes", k, v) for k, v in sizes]
    moe += [
        ("n_experts", k, v)
        for k, v in [
            ("large", 10**4),
            ("too_many", 10**9),
            ("huge", 10**30),
            ("float", 2.0),
            ("np_int", np.int64(3)),
        ]
    ]
    moe += [
        ("n_task_experts", k, v)
        for k, v in [
            ("large", 10**4),
            ("too_many", 10**9),
            ("huge", 10**30),
            ("float", 1.0),
            ("two", 2),
        ]
    ]
    moe += [
        ("gate_temperature", k, v)
        for k, v in [("tiny", 1e-300), ("huge", 1e300), ("denormal", 5e-324)]
    ]
    moe += [("task_weighting", k, v) for k, v in TASK_WEIGHTINGS]
    network += [("task_weighting", k, v) for k, v in TASK_WEIGHTINGS]
    network += [("task_graph", k, v) for k, v in _bad_graphs(T)]
    network += [("task_graph", k, v) for k, v in TASK_GRAPH_STRINGS]
    network += [("graph_alpha", k, v) for k, v in [("tiny", 1e-300), ("huge", 1e300)]]
    structured = [
        ("n_task_clusters", k, v)
        for k, v in [("n_tasks", T), ("more_than_tasks", T + 1), ("huge", 10**6)]
    ]
    structured += [
        (param, k, v)
        for param in ("cluster_ridge", "covariance_eps")
        for k, v in [("tiny", 1e-300), ("denormal", 5e-324), ("huge", 1e300)]
    ]
    structured += [("outer_tol", k, v) for k, v in [("zero", 0.0), ("huge", 1e300)]]
    structured += [("max_outer_iter", "one", 1)]
    structured += [
        ("alpha", k, v) for k, v in [("zero", 0.0), ("tiny", 1e-300), ("huge", 1e300)]
    ]
    structured += [("task_graph", k, v) for k, v in TASK_GRAPH_STRINGS]
    return {
        "moe_classifier": moe + [("class_weight", k, v) for k, v in class_weights],
        "moe_regressor": moe,
        "linear_relationship": structured,
        "logistic_cluster": structured,
        "network_classifier": network
        + [("class_weight", k, v) for k, v in class_weights],
        "network_regressor": network,
        "linear_regression": linear,
        "logistic_regression": linear,
        "linear_regression_cv": linear[:6] + cv_lin,
        "logistic_regression_cv": linear[:6] + cv_lin,
        "ensemble_classifier": ens_clf,
        "ensemble_regressor": ens_reg,
        "threshold_classifier": threshold,
        "label_powerset": [
            ("estimator", k, v)
            for k, v in [
                ("regressor", Ridge()),
                ("no_proba", "a"),
                ("tree", DecisionTreeClassifier(max_depth=1)),
            ]
        ]
        + [("prediction", k, v) for k, v in [("marginal", "marginal"), ("bad", "x")]],
    }[name]


FAMILIES = {
    "network_classifier": (make_net_clf, "clf", True),
    "network_regressor": (make_net_reg, "reg", True),
    "linear_regression": (make_lin_reg, "reg", True),
    "logistic_regression": (make_lin_clf, "clf", True),
    "linear_regression_cv": (make_lin_reg_cv, "reg", True),
    "logistic_regression_cv": (make_lin_clf_cv, "clf", True),
    "ensemble_classifier": (make_ens_clf, "clf", False),
    "ensemble_regressor": (make_ens_reg, "reg", False),
    "threshold_classifier": (make_threshold, "clf", True),
    # the API added after issue 9 (appended: the seeds above stay the same)
    "moe_classifier": (make_moe_clf, "clf", True),
    "moe_regressor": (make_moe_reg, "reg", True),
    "linear_relationship": (make_lin_relationship, "reg", True),
    "logistic_cluster": (make_lin_clf_cluster, "clf", True),
    # issue 13 (appended: the seeds above stay the same)
    "label_powerset": (make_label_powerset, "clf", True),
}

ESTIMATOR_FAMILIES = list(FAMILIES)

_PREDICT_METHODS = {
    "clf": (
        "predict",
        "predict_proba",
        "decision_function",
        "transform",
        "gate_weights",
    ),
    "reg": ("predict", "transform", "gate_weights"),
}


def _battery(est, X, y, kind, score=True):
    """Call every prediction method the fitted estimator has on X."""
    n = n_rows(X)
    outs = []
    for method in _PREDICT_METHODS[kind]:
        if not hasattr(est, method):
            continue
        value = getattr(est, method)(X)
        out_kind = {
            "predict": "labels" if kind == "clf" else "values",
            "predict_proba": "proba",
            "decision_function": "scores",
            "transform": "transform",
            "gate_weights": "proba",  # per task, rows summing to one
        }[method]
        outs.append(Out(method, value, out_kind, n=n, y=y))
    if score:
        outs.append(Out("score", est.score(X, y), "scalar"))
    return outs


def _fit_case(family, name, make, kind, X, y, fit_kw=None, names=(), params=None):
    fit_kw = fit_kw or {}
    params = params or {}

    def func():
        est = make(**params)
        est.fit(X, y, **fit_kw)
        return _battery(est, X, y, kind)

    inputs = {"X": X, "y": y, **{f"fit:{k}": v for k, v in fit_kw.items()}}
    inputs.update({f"param:{k}": v for k, v in params.items()})
    return Case(family, name, func, inputs, names)


def estimator_cases(family):
    make, kind, takes_sw = FAMILIES[family]
    rng = _rng(ESTIMATOR_FAMILIES.index(family))
    X = base_X(rng)
    y = base_y(rng, X, kind)
    T = y.shape[1]
    cases = []
    # 1. X variants (y cut to the rows of X where X has fewer rows)
    for name, Xv, rows in x_variants(rng, X):
        yv = y[: n_rows(Xv)] if rows == "cut" else y
        cases.append(_fit_case(family, f"X:{name}", make, kind, Xv, yv, names=("X",)))
    # 2. y variants
    for name, yv in y_variants(rng, y, kind):
        cases.append(_fit_case(family, f"y:{name}", make, kind, X, yv, names=("y",)))
    # 3. sample_weight variants
    if takes_sw:
        for name, w in sw_variants(X.shape[0]):
            cases.append(
                _fit_case(
                    family,
                    f"sample_weight:{name}",
                    make,
                    kind,
                    X,
                    y,
                    fit_kw={"sample_weight": w},
                    names=("sample_weight",),
                )
            )
    # 4. every parameter set to generic bad values, then the family's own
    skip = {"estimators", "estimator", "verbose", "n_jobs", "final_estimator"}
    for param in sorted(make().get_params(deep=False)):
        if param in skip:
            continue
        for label, value in GENERIC_BAD_VALUES:
            cases.append(
                _fit_case(
                    family,
                    f"{param}={label}",
                    make,
                    kind,
                    X,
                    y,
                    names=(param,),
                    params={param: value},
                )
            )
    for param, label, value in _family_specials(family, T):
        params = {param: value}
        if param == "task_graph" and "penalty" in make().get_params():
            params["penalty"] = "graph"
        if label == "regressor_hard":
            params["voting"] = "hard"
        if param == "intercept_alpha":
            params["penalty"] = "mean"
        if param == "solver":
            params["learning_rate_init"] = 1e3
        cases.append(
            _fit_case(
                family,
                f"{param}=<{label}>",
                make,
                kind,
                X,
                y,
                names=(param,),
                params=params,
            )
        )
    # 5. calls on an unfitted estimator, and predict-time inputs
    for method in _PREDICT_METHODS[kind] + ("score",):
        if not hasattr(make(), method):
            continue

        def unfitted(method=method):
            args = (X, y) if method == "score" else (X,)
            getattr(make(), method)(*args)
            return []

        cases.append(
            Case(family, f"unfitted:{method}", unfitted, {"X": X}, not_fitted=True)
        )
    cases.extend(_predict_cases(family, make, kind, rng, X, y))
    # 6. random combinations of an X, a y and a sample_weight variant
    xs = [v for v in x_variants(rng, X) if v[2] is None]
    ys = y_variants(rng, y, kind)
    ws = sw_variants(X.shape[0])
    for i in range(12):
        xn, Xv, _ = xs[rng.integers(len(xs))]
        yn, yv = ys[rng.integers(len(ys))]
        fit_kw = {}
        name = f"combo{i}:X:{xn},y:{yn}"
        if takes_sw and rng.random() < 0.5:
            wn, w = ws[rng.integers(len(ws))]
            fit_kw = {"sample_weight": w}
            name += f",sw:{wn}"
        cases.append(
            _fit_case(
                family,
                name,
                make,
                kind,
                Xv,
                yv,
                fit_kw,
                names=("X", "y", "sample_weight"),
            )
        )
    return cases


_FITTED_ONCE = {}


def _fitted_once(family, make, X, y):
    """A copy of the family's estimator fitted on the clean data (one fit)."""
    if family not in _FITTED_ONCE:
        _FITTED_ONCE[family] = make().fit(X, y)
    return copy.deepcopy(_FITTED_ONCE[family])


def _predict_cases(family, make, kind, rng, X, y):
    """Fit on clean data, then call the prediction methods on bad X."""
    cases = []
    variants = [
        ("more_features", np.hstack([X, X[:, :1]]), True),
        ("fewer_features", X[:, :-1], True),
        ("zero_features", X[:, :0], True),
    ]
    variants += [
        (n, v, False)
        for n, v, _ in x_variants(rng, X)
        if n
        in {
            "nan_one",
            "inf_one",
            "scaled_1e300",
            "one_entry_fmax",
            "scaled_1e154",
            "strings",
            "zero_rows",
            "one_row",
            "3d",
            "1d",
            "none",
            "csr",
            "frame",
            "frame_int_columns",
            "float32",
            "int",
            "bool",
            "object_with_string",
        }
    ]
    for name, Xp, must_raise in variants:

        def func(Xp=Xp):
            est = _fitted_once(family, make, X, y)
            return _battery(est, Xp, y, kind, score=False)

        cases.append(
            Case(
                family,
                f"predict:X:{name}",
                func,
                {"X": X, "y": y, "Xp": Xp},
                ("X",),
                must_raise=must_raise,
            )
        )
    # refits that change the shape of y
    if "warm_start" in make().get_params():
        for first, second in [
            ("2d", "1d"),
            ("1d", "2d_one_column"),
            ("2d", "fewer_tasks"),
        ]:
            ys = {
                "2d": y,
                "1d": y[:, 0],
                "2d_one_column": y[:, :1],
                "fewer_tasks": y[:, :2],
            }

            def func(a=ys[first], b=ys[second]):
                est = make(warm_start=True)
                est.fit(X, a)
                est.fit(X, b)
                return _battery(est, X, b, kind)

            cases.append(
                Case(
                    family,
                    f"warm_start:{first}->{second}",
                    func,
                    {"X": X, "y": y},
                    ("y",),
                )
            )

        def refit_features():
            est = make(warm_start=True)
            est.fit(X, y)
            est.fit(X[:, :-1], y)
            return _battery(est, X[:, :-1], y, kind)

        cases.append(
            Case(family, "warm_start:fewer_features", refit_features, {"X": X}, ("X",))
        )
    if hasattr(make(), "partial_fit"):
        classes_variants = [
            ("none", None),
            ("wrong_length", [np.array([0, 1])]),
            ("missing_label", [np.array([0]), np.array([0, 1]), np.array([0, 1, 2])]),
            ("nan", [np.array([0, np.nan])] * 3),
            ("strings", [np.array(["a", "b"])] * 3),
            ("ok", [np.array([0, 1]), np.array([0, 1]), np.array([0, 1, 2])]),
        ]
        for cname, classes in classes_variants if kind == "clf" else []:

            def func(classes=classes):
                est = make()
                est.partial_fit(X, y, classes=classes)
                est.partial_fit(X, y)
                return _battery(est, X, y, kind)

            cases.append(
                Case(
                    family,
                    f"partial_fit:classes={cname}",
                    func,
                    {"X": X, "y": y, "classes": classes},
                    ("classes",),
                )
            )

        def func_pf_new_label():
            est = make()
            est.partial_fit(X, y) if kind == "reg" else est.partial_fit(
                X, y, classes=[np.array([0, 1]), np.array([0, 1]), np.array([0, 1, 2])]
            )
            y2 = y.copy()
            y2[0, 0] = 5
            est.partial_fit(X, y2)
            return _battery(est, X, y, kind)

        cases.append(
            Case(family, "partial_fit:new_label", func_pf_new_label, {"X": X}, ("y",))
        )
    return cases


# ----------------------------------------------------------------------------
# Splitters
# ----------------------------------------------------------------------------


def splitter_cases():
    rng = _rng(100)
    X = base_X(rng)
    y = base_y(rng, X, "clf")
    n = X.shape[0]
    cases = []
    splitters = [
        ("kfold", MultilabelStratifiedKFold, {"n_splits": 3}),
        (
            "kfold_shuffle",
            MultilabelStratifiedKFold,
            {"n_splits": 3, "shuffle": True, "random_state": 0},
        ),
        (
            "shuffle_split",
            MultilabelStratifiedShuffleSplit,
            {"n_splits": 3, "test_size": 0.3, "random_state": 0},
        ),
    ]

    def split_case(sname, cls, params, Xv, yv, name, names):
        def func():
            splitter = cls(**params)
            splits = list(splitter.split(Xv, yv))
            return [
                Out(
                    "split",
                    splits,
                    "splits",
                    n=n_rows(Xv),
                    extra={
                        "kfold": cls is MultilabelStratifiedKFold,
                        "n_splits": splitter.get_n_splits(Xv, yv),
                    },
                )
            ]

        inputs = {"X": Xv, "y": yv, **{f"param:{k}": v for k, v in params.items()}}
        return Case(f"splitter:{sname}", name, func, inputs, names)

    for sname, cls, params in splitters:
        for yname, yv in y_variants(rng, y, "clf"):
            cases.append(split_case(sname, cls, params, X, yv, f"y:{yname}", ("y",)))
        for xname, Xv, rows in x_variants(rng, X):
            yv = y[: n_rows(Xv)] if rows == "cut" else y
            cases.append(split_case(sname, cls, params, Xv, yv, f"X:{xname}", ("X",)))
        tunable = set(params) | (
            {"test_size", "train_size"} if "test_size" in params else set()
        )
        for param in sorted(tunable):
            for label, value in GENERIC_BAD_VALUES + [
                ("too_many", n + 1),
                ("float", 2.5),
            ]:
                p = {**params, param: value}
                cases.append(
                    split_case(sname, cls, p, X, y, f"{param}={label}", (param,))
                )
        # rare labels: a label present in fewer rows than folds
        rare = y.copy()
        rare[:, 0] = 0
        rare[:2, 0] = 1
        cases.append(split_case(sname, cls, params, X, rare, "y:rare_2_rows", ("y",)))
        cases.append(
            split_case(sname, cls, params, X[:4], y[:4], "four_rows", ("n_splits",))
        )
    # get_n_splits with bad input
    for cls in (MultilabelStratifiedKFold, MultilabelStratifiedShuffleSplit):
        for label, value in [("none", None), ("str", "a"), ("3d", X[:, :, None])]:

            def func(cls=cls, value=value):
                return [Out("get_n_splits", cls().get_n_splits(value, value), "scalar")]

            cases.append(Case("splitter:get_n_splits", f"{cls.__name__}:{label}", func))
    return cases


# ----------------------------------------------------------------------------
# transfer_gain
# ----------------------------------------------------------------------------


_TRANSFER_X = {
    "nan_one",
    "inf_one",
    "scaled_1e300",
    "one_entry_fmax",
    "scaled_1e-300",
    "strings",
    "object_with_string",
    "zero_rows",
    "one_row",
    "two_rows",
    "zero_features",
    "3d",
    "none",
    "csr",
    "frame",
    "bool",
    "wrong_rows",
}
_TRANSFER_REGRESSION_Y = {
    "clean",
    "1d",
    "nan_cells",
    "nan_whole_task",
    "float_inf",
    "wrong_length",
    "frame_nullable",
    "constant_task",
    "scaled_1e300",
    "one_entry_fmax",
    "strings",
}
_SPARSE_LABELS = ("nan", "none", "nullable", "observed", "const", "rare")


def transfer_cases():
    rng = _rng(200)
    X = base_X(rng)
    y = base_y(rng, X, "clf")
    yr = base_y(rng, X, "reg")
    cases = []

    def tcase(name, est, Xv, yv, names, **kw):
        def func():
            res = transfer_gain(est, Xv, yv, **kw)
            dims = _y_dims(yv)
            n_tasks = dims[1] if dims else -1
            # documented NaN: a test part without an observed label of a task
            nan_ok = any(k in name for k in _SPARSE_LABELS)
            return [
                Out(
                    "transfer_gain",
                    res,
                    "bunch",
                    extra={"n_tasks": n_tasks},
                    nan_ok=nan_ok,
                )
            ]

        inputs = {"X": Xv, "y": yv, **{f"kw:{k}": v for k, v in kw.items()}}
        return Case("transfer_gain", name, func, inputs, names)

    ests = [
        ("net", make_net_clf(), y, "clf"),
        ("logistic", make_lin_clf(max_iter=20), y, "clf"),
        ("linear", make_lin_reg(max_iter=20), yr, "reg"),
    ]
    for ename, est, ybase, kind in ests:
        if ename == "logistic":
            continue  # the CV and scoring cases below use it
        for yname, yv in y_variants(rng, ybase, kind):
            if ename == "linear" and yname not in _TRANSFER_REGRESSION_Y:
                continue
            cases.append(tcase(f"{ename}:y:{yname}", est, X, yv, ("y",), cv=2))
        for xname, Xv, rows in x_variants(rng, X):
            if ename != "net" or xname not in _TRANSFER_X:
                continue
            yv = ybase[: n_rows(Xv)] if rows == "cut" else ybase
            cases.append(tcase(f"{ename}:X:{xname}", est, Xv, yv, ("X",), cv=2))
    cv_values = [
        ("1", 1),
        ("0", 0),
        ("rows", N_ROWS),
        ("more_than_rows", N_ROWS + 5),
        ("str", "a"),
        ("nan", np.nan),
        ("float", 2.5),
        ("out_of_range", [(np.arange(15), np.arange(15, 35))]),
        ("negative_index", [(np.arange(15), np.arange(-3, 0))]),
        ("empty_test", [(np.arange(N_ROWS), np.array([], dtype=int))]),
    ]
    for label, cv in cv_values:
        cases.append(
            tcase(f"cv={label}", make_lin_clf(max_iter=20), X, y, ("cv",), cv=cv)
        )
    for label, scoring in [
        ("unknown", "a"),
        ("int", 3),
        ("roc_auc", "roc_auc"),
        ("nan_metric", lambda a, b: np.nan),
        ("inf_metric", lambda a, b: np.inf),
        ("r2_on_classifier", "r2"),
    ]:
        cases.append(
            tcase(
                f"scoring={label}",
                make_lin_clf(max_iter=20),
                X,
                y,
                ("scoring",),
                cv=2,
                scoring=scoring,
            )
        )
    for label, est in [
        ("none", None),
        ("string", "a"),
        ("class", MultiTaskLogisticRegression),
        ("single_output", LogisticRegression()),
        ("regressor_on_labels", Ridge()),
    ]:
        cases.append(tcase(f"estimator={label}", est, X, y, ("estimator",), cv=2))
    for label, value in [("str", "a"), ("nan", np.nan), ("-1", -1)]:
        cases.append(
            tcase(
                f"random_state={label}",
                make_lin_clf(max_iter=20),
                X,
                y,
                ("random_state",),
                cv=2,
                random_state=value,
            )
        )
    return cases


# ----------------------------------------------------------------------------
# Metrics
# ----------------------------------------------------------------------------

CLASSIFICATION_METRICS = [
    "accuracy",
    "balanced_accuracy",
    "matthews_corrcoef",
    "f1",
    "precision",
    "recall",
    "jaccard",
]
SCORE_METRICS = ["roc_auc", "log_loss"]
REGRESSION_METRICS = ["r2", "rmse", "mse", "mae"]
# multitask_score (the averages) runs on these only, to save time
AVERAGED_METRICS = ["accuracy", "f1", "roc_auc", "r2"]


def _metric_data(rng, metric, n=20, T=3):
    """(y_true, y_pred) of binary tasks for a metric."""
    if metric in REGRESSION_METRICS:
        y_true = rng.normal(size=(n, T))
        return y_true, y_true + 0.3 * rng.normal(size=(n, T))
    y_true = np.column_stack([rng.permutation(np.arange(n) % 2) for _ in range(T)])
    y_true = y_true.astype(float)
    if metric in SCORE_METRICS:
        proba = np.clip(0.6 * y_true + 0.4 * rng.random((n, T)), 0.01, 0.99)
        return y_true, proba
    flip = rng.random((n, T)) < 0.2
    return y_true, np.where(flip, 1 - y_true, y_true)


def _pred_variants(rng, y_pred):
    n, T = y_pred.shape
    out = [
        ("nan", _one_entry(y_pred, np.nan)),
        ("inf", _one_entry(y_pred, np.inf)),
        ("huge", y_pred * 1e300),
        ("3d", y_pred[:, :, None]),
        ("none", None),
        ("wrong_length", y_pred[:-1]),
        ("wrong_tasks", y_pred[:, :-1]),
        ("list_wrong_length", list(y_pred.T[:-1])),
        ("list_of_columns", list(y_pred.T)),
        ("strings", np.full(y_pred.shape, "a")),
        ("object_inf", _one_entry(y_pred.astype(object), float("inf"))),
        ("scalar", 0.5),
        ("1d", y_pred[:, 0]),
        ("negative", -y_pred),
    ]
    return out


def metric_cases():
    rng = _rng(300)
    cases = []
    metrics = CLASSIFICATION_METRICS + SCORE_METRICS + REGRESSION_METRICS

    def mcase(func_name, metric, name, y_true, y_pred, names, nan_ok=False, **kw):
        fn = {"per_task_score": per_task_score, "multitask_score": multitask_score}[
            func_name
        ]

        def func():
            value = fn(metric, y_true, y_pred, **kw)
            extra = {}
            if func_name == "multitask_score":
                extra["shape"] = ()
            dims = _y_dims(y_true)
            if func_name == "per_task_score" and dims:
                extra["shape"] = (dims[1],)
            return [Out(func_name, value, "metric", nan_ok=nan_ok, extra=extra)]

        inputs = {
            "y_true": y_true,
            "y_pred": y_pred,
            **{f"kw:{k}": v for k, v in kw.items()},
        }
        label = (
            metric
            if isinstance(metric, str)
            else getattr(metric, "__name__", "callable")
        )
        return Case(f"metrics:{func_name}", f"{label}:{name}", func, inputs, names)

    for metric in metrics:
        kind = "reg" if metric in REGRESSION_METRICS else "clf"
        y_true, y_pred = _metric_data(rng, metric)
        n = y_true.shape[0]
        # documented NaN: a score metric on a task with one observed class
        for func_name in ("per_task_score", "multitask_score"):
            if func_name == "multitask_score" and metric not in AVERAGED_METRICS:
                continue
            cases.append(mcase(func_name, metric, "clean", y_true, y_pred, ()))
            for yname, yv in y_variants(rng, y_true, kind):
                if yname in ("clean",):
                    continue
                nan_ok = metric in SCORE_METRICS and "const" in yname
                yp = y_pred
                cases.append(
                    mcase(
                        func_name,
                        metric,
                        f"y_true:{yname}",
                        yv,
                        yp,
                        ("y_true",),
                        nan_ok,
                    )
                )
            for pname, pv in _pred_variants(rng, y_pred):
                cases.append(
                    mcase(func_name, metric, f"y_pred:{pname}", y_true, pv, ("y_pred",))
                )
            for wname, w in sw_variants(n):
                cases.append(
                    mcase(
                        func_name,
                        metric,
                        f"sample_weight:{wname}",
                        y_true,
                        y_pred,
                        ("sample_weight",),
                        sample_weight=w,
                    )
                )
        for label, value in [("str", "a"), ("int", 1), ("samples", "samples")]:
            cases.append(
                mcase(
                    "multitask_score",
                    metric,
                    f"average={label}",
                    y_true,
                    y_pred,
                    ("average",),
                    average=value,
                )
            )
        for label, value in [
            ("short", ["a"]),
            ("duplicates", ["a", "a", "a"]),
            ("ints", [0, 1, 2]),
            ("scalar", "a"),
            ("nan", [np.nan] * 3),
        ]:
            cases.append(
                mcase(
                    "per_task_score",
                    metric,
                    f"task_names={label}",
                    y_true,
                    y_pred,
                    ("task_names",),
                    task_names=value,
                )
            )
        if kind == "clf":
            for label, value in [
                ("short", [[0, 1]]),
                ("missing", [[0]] * 3),
                ("nan", [[0, np.nan]] * 3),
                ("strings", [["a", "b"]] * 3),
                ("scalar", 1),
            ]:
                cases.append(
                    mcase(
                        "per_task_score",
                        metric,
                        f"classes={label}",
                        y_true,
                        y_pred,
                        ("classes",),
                        classes=value,
                    )
                )
    # bad metric arguments
    y_true, y_pred = _metric_data(rng, "accuracy")
    for label, metric in [
        ("unknown", "a"),
        ("int", 1),
        ("none", None),
        ("user_callable", lambda a, b: 0.5),
        ("list", ["accuracy"]),
    ]:
        for fn in ("per_task_score", "multitask_score"):
            cases.append(
                mcase(fn, metric, f"metric={label}", y_true, y_pred, ("metric",))
            )
    for label, kw in [
        ("bad_kwarg", {"foo": 1}),
        ("pos_label", {"pos_label": 7}),
        ("average_kwarg", {"average": "binary"}),
    ]:
        cases.append(
            mcase(
                "per_task_score",
                "f1",
                f"kwargs:{label}",
                y_true,
                y_pred,
                tuple(kw),
                **kw,
            )
        )
    cases.extend(_report_cases(rng))
    cases.extend(_scorer_cases(rng))
    return cases


def _report_cases(rng):
    cases = []

    def rcase(name, y_true, y_pred, names, nan_flag=False, **kw):
        def func():
            text = multitask_report(y_true, y_pred, **kw)
            as_dict = multitask_report(y_true, y_pred, output_dict=True, **kw)
            # documented NaN: the report says below its table which task
            # scores are undefined
            nan_ok = nan_flag or "undefined" in text
            return [
                Out("report", text, "report", nan_ok=nan_ok),
                Out("report_dict", as_dict, "report", nan_ok=nan_ok),
            ]

        inputs = {
            "y_true": y_true,
            "y_pred": y_pred,
            **{f"kw:{k}": v for k, v in kw.items()},
        }
        return Case("metrics:multitask_report", name, func, inputs, names)

    for kind in ("clf", "reg"):
        metric = "accuracy" if kind == "clf" else "r2"
        y_true, y_pred = _metric_data(rng, metric)
        score = np.clip(0.5 * y_true + 0.5 * rng.random(y_true.shape), 0, 1)
        cases.append(rcase(f"{kind}:clean", y_true, y_pred, ()))
        for yname, yv in y_variants(rng, y_true, kind):
            nan_ok = "const" in yname  # documented: ROC-AUC of a constant task
            cases.append(
                rcase(f"{kind}:y_true:{yname}", yv, y_pred, ("y_true",), nan_ok)
            )
        for pname, pv in _pred_variants(rng, y_pred):
            cases.append(rcase(f"{kind}:y_pred:{pname}", y_true, pv, ("y_pred",)))
        for wname, w in sw_variants(y_true.shape[0]):
            cases.append(
                rcase(
                    f"{kind}:sample_weight:{wname}",
                    y_true,
                    y_pred,
                    ("sample_weight",),
                    sample_weight=w,
                )
            )
        for label, value in [
            ("str", "a"),
            ("negative", -1),
            ("big", 40),
            ("none", None),
            ("float", 2.5),
        ]:
            cases.append(
                rcase(
                    f"{kind}:digits={label}", y_true, y_pred, ("digits",), digits=value
                )
            )
        for label, value in [
            ("str", "a"),
            ("wrong", "regression" if kind == "clf" else "classification"),
        ]:
            cases.append(
                rcase(f"{kind}:kind={label}", y_true, y_pred, ("kind",), kind=value)
            )
        if kind == "clf":
            for sname, sv in _pred_variants(rng, score):
                cases.append(
                    rcase(
                        f"clf:y_score:{sname}", y_true, y_pred, ("y_score",), y_score=sv
                    )
                )
            const = y_true.copy()
            const[:, 0] = 1
            cases.append(
                rcase(
                    "clf:y_score:constant_task",
                    const,
                    y_pred,
                    ("y_true",),
                    True,
                    y_score=score,
                )
            )
    return cases


_FITTED = {}


def _fitted(kind):
    if kind not in _FITTED:
        rng = _rng(400)
        X = base_X(rng)
        y = base_y(rng, X, kind)[:, :2]
        if kind == "clf":
            est = MultiTaskLogisticRegression(max_iter=50).fit(X, y)
        else:
            est = MultiTaskLinearRegression(max_iter=50).fit(X, y)
        _FITTED[kind] = (est, X, y)
    return _FITTED[kind]


def _scorer_cases(rng):
    cases = []

    def scase(kind, metric, name, X, y, names, nan_ok=False, sample_weight=None, **kw):
        def func():
            est = _fitted(kind)[0]
            scorer = make_multitask_scorer(metric, **kw)
            if sample_weight is None:
                value = scorer(est, X, y)
            else:
                value = scorer(est, X, y, sample_weight=sample_weight)
            return [Out("scorer", value, "metric", nan_ok=nan_ok, extra={"shape": ()})]

        inputs = {"X": X, "y": y, "sample_weight": sample_weight}
        return Case("metrics:scorer", f"{metric}:{name}", func, inputs, names)

    for kind, metrics in [
        ("clf", ["accuracy", "f1", "roc_auc", "log_loss"]),
        ("reg", ["r2", "mae"]),
    ]:
        _, X, y = _fitted(kind)
        for metric in metrics:
            cases.append(scase(kind, metric, "clean", X, y, ()))
            for yname, yv in y_variants(rng, y, kind):
                nan_ok = metric in SCORE_METRICS and "const" in yname
                cases.append(scase(kind, metric, f"y:{yname}", X, yv, ("y",), nan_ok))
            for xname, Xv, rows in x_variants(rng, X):
                if metric not in ("accuracy", "r2"):
                    continue  # X reaches the metric through predict: once
                yv = y[: n_rows(Xv)] if rows == "cut" else y
                cases.append(scase(kind, metric, f"X:{xname}", Xv, yv, ("X",)))
            for wname, w in sw_variants(X.shape[0])[:12]:
                cases.append(
                    scase(
                        kind,
                        metric,
                        f"sample_weight:{wname}",
                        X,
                        y,
                        ("sample_weight",),
                        sample_weight=w,
                    )
                )
            for label, kw in [
                ("average=a", {"average": "a"}),
                ("response_method=a", {"response_method": "a"}),
                ("greater_is_better=a", {"greater_is_better": "a"}),
            ]:
                cases.append(scase(kind, metric, label, X, y, tuple(kw), **kw))
    return cases


# ----------------------------------------------------------------------------
# Task weighting and task graphs of the networks, on edge-case data
# ----------------------------------------------------------------------------

# the y variants that stress a per-task weighting or a graph of the tasks
_TASK_Y = {
    "1d",
    "one_column",
    "nan_cells",
    "nan_whole_task",
    "one_observed_cell",
    "constant_task",
    "all_constant",
    "constant_with_missing",
    "rare_label",
    "strings",
    "scaled_1e300",
    "many_tasks",
}
_TASK_X = {"one_row", "two_rows", "scaled_1e300", "all_zero", "nan_one", "csr"}
_TASK_SW = {"zeros", "one_nonzero", "huge_1e300"}


def _data_variants(rng, X, y, kind):
    """(name, X, y, fit_kw, names) -- the edge-case data of the groups below."""
    out = [("clean", X, y, {}, ())]
    out += [
        (f"y:{n}", X, v, {}, ("y",))
        for n, v in y_variants(rng, y, kind)
        if n in _TASK_Y
    ]
    out += [
        (f"X:{n}", v, y[: n_rows(v)] if rows == "cut" else y, {}, ("X",))
        for n, v, rows in x_variants(rng, X)
        if n in _TASK_X
    ]
    out += [
        (f"sample_weight:{n}", X, y, {"sample_weight": w}, ("sample_weight",))
        for n, w in sw_variants(X.shape[0])
        if n in _TASK_SW
    ]
    return out


def task_weighting_cases():
    """Every named task weighting on every network, on edge-case data."""
    rng = _rng(500)
    X = base_X(rng)
    cases = []
    for ename, make, kind in [
        ("shared_clf", make_net_clf, "clf"),
        ("shared_reg", make_net_reg, "reg"),
        ("moe_clf", make_moe_clf, "clf"),
        ("moe_reg", make_moe_reg, "reg"),
    ]:
        y = base_y(rng, X, kind)
        for weighting in ("uncertainty", "dwa", "gradnorm", "pcgrad"):
            for dname, Xv, yv, fit_kw, names in _data_variants(rng, X, y, kind):
                case = _fit_case(
                    f"task_weighting:{ename}",
                    f"{weighting}:{dname}",
                    make,
                    kind,
                    Xv,
                    yv,
                    fit_kw,
                    names,
                    params={"task_weighting": weighting},
                )
                cases.append(case)
            # with task weights, zero for a task, and a large step
            for label, extra in [
                (
                    "task_weights_zero",
                    {"task_weights": np.r_[0.0, np.ones(y.shape[1] - 1)]},
                ),
                ("learning_rate_1e3", {"learning_rate_init": 1e3}),
                ("sgd", {"solver": "sgd"}),
                ("warm_start", {"warm_start": True}),
            ]:
                cases.append(
                    _fit_case(
                        f"task_weighting:{ename}",
                        f"{weighting}:{label}",
                        make,
                        kind,
                        X,
                        y,
                        names=tuple(extra),
                        params={"task_weighting": weighting, **extra},
                    )
                )
    return cases


def network_graph_cases():
    """task_graph / graph_head / graph_alpha of the shared-trunk networks."""
    rng = _rng(600)
    X = base_X(rng)
    cases = []
    for ename, make, kind in [
        ("clf", make_net_clf, "clf"),
        ("reg", make_net_reg, "reg"),
    ]:
        y = base_y(rng, X, kind)
        T = y.shape[1]
        ring = np.ones((T, T)) - np.eye(T)
        for head in ("penalty", "gcn"):
            for gname, graph in [("ring", ring)] + TASK_GRAPH_STRINGS + _bad_graphs(T):
                for alpha_name, alpha in [
                    ("0", 0.0),
                    ("default", 0.1),
                    ("huge", 1e300),
                ]:
                    params = {"task_graph": graph, "graph_head": head}
                    params["graph_alpha"] = alpha
                    cases.append(
                        _fit_case(
                            f"network_graph:{ename}",
                            f"{head}:{gname}:alpha={alpha_name}",
                            make,
                            kind,
                            X,
                            y,
                            names=("task_graph", "graph_alpha", "graph_head"),
                            params=params,
                        )
                    )
            for rule in ("auto", "learned"):
                for dname, Xv, yv, fit_kw, names in _data_variants(rng, X, y, kind):
                    cases.append(
                        _fit_case(
                            f"network_graph:{ename}",
                            f"{head}:{rule}:{dname}",
                            make,
                            kind,
                            Xv,
                            yv,
                            fit_kw,
                            names + ("task_graph",),
                            params={"task_graph": rule, "graph_head": head},
                        )
                    )
        # a graph given for the tasks of y, then a y with fewer tasks
        cases.append(
            _fit_case(
                f"network_graph:{ename}",
                "ring:1d_y",
                make,
                kind,
                X,
                y[:, 0],
                names=("task_graph", "y"),
                params={"task_graph": ring, "graph_head": "gcn"},
            )
        )
    return cases


def moe_gate_cases():
    """gate_weights of a fitted mixture on bad X, and unfitted."""
    rng = _rng(700)
    X = base_X(rng)
    y = base_y(rng, X, "clf")
    cases = []
    fitted = {}

    def fit_once():  # at run time, when the oracle records the warnings
        if not fitted:
            fitted["est"] = make_moe_clf(n_task_experts=1).fit(X, y)
        return copy.deepcopy(fitted["est"])

    for name, Xp, _ in x_variants(rng, X):

        def func(Xp=Xp):
            est = fit_once()
            return [
                Out("gate_weights", est.gate_weights(Xp), "proba", n=n_rows(Xp), y=y)
            ]

        cases.append(Case("moe:gate_weights", f"X:{name}", func, {"Xp": Xp}, ("X",)))

    def unfitted():
        make_moe_clf().gate_weights(X)
        return []

    cases.append(
        Case("moe:gate_weights", "unfitted", unfitted, {"X": X}, not_fitted=True)
    )
    return cases


# ----------------------------------------------------------------------------
# mtlearn.task_graph
# ----------------------------------------------------------------------------


def task_graph_cases():
    rng = _rng(800)
    X = base_X(rng)
    cases = []

    def gcase(name, func, inputs, names):
        return Case("task_graph", name, func, inputs, names)

    for kind in ("clf", "reg"):
        y = base_y(rng, X, kind)
        T = y.shape[1]
        methods = ("correlation", "cooccurrence", "jaccard")
        for yname, yv in y_variants(rng, y, kind):
            dims = _y_dims(yv)
            Tv = dims[1] if dims else -1
            for method in methods:

                def func(yv=yv, method=method, Tv=Tv):
                    return [_check_graph_out(graph_from_targets(yv, method), Tv)]

                cases.append(
                    gcase(
                        f"graph_from_targets:{kind}:{method}:y:{yname}",
                        func,
                        {"y": yv},
                        ("y", "method"),
                    )
                )
            for rule in ("auto", "jaccard"):

                def func(yv=yv, rule=rule, Tv=Tv):
                    return [_check_graph_out(estimate_task_graph(yv, rule), Tv)]

                cases.append(
                    gcase(
                        f"estimate_task_graph:{kind}:{rule}:y:{yname}",
                        func,
                        {"y": yv},
                        ("y", "rule"),
                    )
                )
        for param, values in [
            ("method", ["a", None, 1, "auto"]),
            ("shrinkage", [-1.0, np.nan, np.inf, 1e300, 0.0, "a"]),
            ("significance", [0.0, 1.0, np.nan, 1e-300, "a"]),
            ("negative", ["a", None, "absolute"]),
            ("target_type", ["a", "classification", "regression"]),
        ]:
            for value in values:

                def func(param=param, value=value, y=y, T=T):
                    return [
                        _check_graph_out(graph_from_targets(y, **{param: value}), T)
                    ]

                cases.append(
                    gcase(
                        f"graph_from_targets:{kind}:{param}={value!r}",
                        func,
                        {"y": y},
                        (param,),
                    )
                )
        for param, values in [
            ("rule", ["a", None, "learned"]),
            ("k", [-1, 0, T, T + 5, 10**9, 1.5, np.nan, "a"]),
            ("target_type", ["a", "classification" if kind == "reg" else "regression"]),
        ]:
            for value in values:

                def func(param=param, value=value, y=y, T=T):
                    return [
                        _check_graph_out(estimate_task_graph(y, **{param: value}), T)
                    ]

                cases.append(
                    gcase(
                        f"estimate_task_graph:{kind}:{param}={value!r}",
                        func,
                        {"y": y},
                        (param,),
                    )
                )
    # coefficients
    T = 3
    W = rng.normal(size=(T, N_FEATURES))
    fitted = make_lin_clf(max_iter=20).fit(X, base_y(rng, X, "clf"))
    coefs = [
        ("clean", W, T),
        ("nan", _one_entry(W, np.nan), T),
        ("inf", _one_entry(W, np.inf), T),
        ("huge", W * 1e300, T),
        ("tiny", W * 1e-320, T),
        ("zeros", np.zeros_like(W), T),
        ("zero_row", np.vstack([W[:2], np.zeros(N_FEATURES)]), T),
        ("constant_rows", np.ones_like(W), T),
        ("1d", W[0], 1),
        ("3d", W[:, :, None], T),
        ("strings", np.full(W.shape, "a"), T),
        ("empty", W[:0], 0),
        ("no_features", W[:, :0], T),
        ("none", None, T),
        ("list", W.tolist(), T),
        ("unfitted_estimator", make_lin_clf(), T),
        ("fitted_estimator", fitted, T),
        ("sparse", sp.csr_matrix(W), T),
    ]
    for cname, coef, Tc in coefs:
        for metric in ("cosine", "correlation"):

            def func(coef=coef, metric=metric, Tc=Tc):
                return [_check_graph_out(graph_from_coefficients(coef, metric), Tc)]

            cases.append(
                gcase(
                    f"graph_from_coefficients:{metric}:{cname}",
                    func,
                    {"coef": coef},
                    ("coef",),
                )
            )
    for param, values in [
        ("metric", ["a", None]),
        ("negative", ["a", "absolute"]),
        (
            "task_rows",
            [
                [slice(0, 1)],
                [[0], [1], [5]],
                [[0], [1], [-1]],
                [[0, 1], [1], [2]],
                [[], [1], [2]],
                "a",
                [slice(0, 1), slice(1, 2), slice(2, 9)],
            ],
        ),
    ]:
        for i, value in enumerate(values):

            def func(param=param, value=value):
                return [
                    _check_graph_out(graph_from_coefficients(W, **{param: value}), T)
                ]

            cases.append(
                gcase(
                    f"graph_from_coefficients:{param}:{i}",
                    func,
                    {"value": value},
                    (param,),
                )
            )
    # sparsify, normalize, task_clusters on good and bad graphs
    ring = np.ones((T, T)) - np.eye(T)
    graphs = [
        ("ring", ring),
        ("one_task", np.zeros((1, 1))),
        ("empty", np.zeros((0, 0))),
        ("isolated", np.zeros((T, T))),
        ("diagonal", np.eye(T)),
        ("tiny", ring * 1e-320),
        ("list", ring.tolist()),
        ("none", None),
        ("frame", pd.DataFrame(ring)),
    ]
    graphs += _bad_graphs(T)
    for gname, graph in graphs:
        Tg = n_rows(graph)
        for label, kw in [
            ("k1", {"k": 1}),
            ("threshold", {"threshold": 0.5}),
            ("k_huge", {"k": 10**9}),
            ("min", {"k": 1, "symmetrize": "min"}),
        ]:

            def func(graph=graph, kw=kw, Tg=Tg):
                return [_check_graph_out(sparsify(graph, **kw), Tg)]

            cases.append(
                gcase(f"sparsify:{label}:{gname}", func, {"graph": graph}, ("graph",))
            )
        for nkind in ("symmetric", "random_walk", "laplacian", "normalized_laplacian"):

            def func(graph=graph, nkind=nkind, Tg=Tg):
                return [_check_graph_out(normalize(graph, nkind), Tg, kind="matrix")]

            cases.append(
                gcase(f"normalize:{nkind}:{gname}", func, {"graph": graph}, ("graph",))
            )
        for n_clusters in (1, 2, T, T + 1):

            def func(graph=graph, n_clusters=n_clusters, Tg=Tg):
                labels = task_clusters(graph, n_clusters, random_state=0)
                return [_check_cluster_out(labels, Tg, n_clusters)]

            cases.append(
                gcase(
                    f"task_clusters:{n_clusters}:{gname}",
                    func,
                    {"graph": graph},
                    ("graph", "n_clusters"),
                )
            )
    for param, values in [
        ("sparsify:k", [-1, 1.5, np.nan, "a"]),
        ("sparsify:threshold", [-1.0, np.nan, np.inf, "a"]),
        ("sparsify:symmetrize", ["a", None]),
        ("normalize:kind", ["a", None]),
        ("task_clusters:n_clusters", [0, -1, 1.5, np.nan, "a", None, 10**9]),
        ("task_clusters:random_state", ["a", -1, np.nan]),
    ]:
        fname, pname = param.split(":")
        for value in values:

            def func(fname=fname, pname=pname, value=value):
                if fname == "sparsify":
                    return [_check_graph_out(sparsify(ring, **{pname: value}), T)]
                if fname == "normalize":
                    return [_check_graph_out(normalize(ring, value), T, kind="matrix")]
                kw = {"n_clusters": 2, pname: value}
                return [
                    _check_cluster_out(task_clusters(ring, **kw), T, kw["n_clusters"])
                ]

            cases.append(gcase(f"{param}={value!r}", func, {}, (pname,)))
    return cases


def _check_graph_out(value, T, kind="graph"):
    """The Out of a task graph; a graph that is not symmetric, non-negative
    with a zero diagonal becomes a non-finite output (a malformed graph)."""
    A = np.asarray(value)
    if kind == "graph" and A.ndim == 2 and A.shape == (T, T) and _finite(A):
        A = A.astype(float)
        if np.any(A < 0) or not np.allclose(A, A.T) or np.any(np.diag(A) != 0):
            return Out("graph", np.array(np.nan), "metric")
    return Out("graph", value, "metric", extra={"shape": (T, T)})


def _check_cluster_out(labels, T, n_clusters):
    labels = np.asarray(labels)
    ok = (
        labels.shape == (T,)
        and np.issubdtype(labels.dtype, np.integer)
        and (T == 0 or (labels.min() >= 0 and labels.max() < n_clusters))
    )
    return Out("task_clusters", labels if ok else np.array(np.nan), "metric")


def all_cases():
    """Every case, grouped by the test that runs it."""
    groups = {family: estimator_cases(family) for family in ESTIMATOR_FAMILIES}
    groups["splitters"] = splitter_cases()
    groups["transfer_gain"] = transfer_cases()
    groups["metrics"] = metric_cases()
    groups["task_weighting"] = task_weighting_cases()
    groups["network_graph"] = network_graph_cases()
    groups["moe_gate_weights"] = moe_gate_cases()
    groups["task_graph"] = task_graph_cases()
    return groups
