"""The target contract: the one place where mtlearn reads ``y``.

Every estimator turns user targets into a :class:`TaskTargets` with
:func:`check_targets` and maps its predictions back with
:func:`decode_labels`. Nothing else parses ``y``.

The contract (see DESIGN.md):

- ``y`` is ``(n_samples,)`` (one task) or ``(n_samples, n_tasks)``; the column
  names of a pandas DataFrame become the task names.
- A missing label is ``NaN`` (float ``y``) or ``None`` / ``pd.NA`` / ``NaN``
  (object ``y``). A missing cell is left out of that task only.
- A task with no observed label, an infinite value, or a continuous target
  given to a classifier is a ``ValueError`` that names the task.
- A classification task whose observed labels hold one class (normal for rare
  labels, and in cross-validation folds of rare labels) is a **constant
  task**: its ``classes[t]`` holds that one class, estimators predict it with
  probability 1 (``predict_proba`` of shape (n_samples, 1), as scikit-learn's
  tree and forest classifiers give for a constant output) and every fit warns
  once with :class:`mtlearn.exceptions.ConstantTaskWarning`, naming the tasks
  (:func:`warn_constant_tasks`). Classes declared with ``classes=`` are kept:
  such a task is not constant even when one class is observed.
"""

import numbers
import warnings
from dataclasses import dataclass

import numpy as np
from sklearn.utils.multiclass import type_of_target

from .exceptions import ConstantTaskWarning

__all__ = [
    "TaskTargets",
    "check_classes_argument",
    "constant_tasks",
    "check_targets",
    "decode_labels",
    "observed_targets",
    "target_task_names",
    "task_label",
    "warn_constant_tasks",
]


@dataclass
class TaskTargets:
    """Targets of several tasks in a form the numerics can use.

    Attributes
    ----------
    values : ndarray of shape (n_samples, n_tasks)
        Classification: int32 class codes (indices into ``classes[t]``).
        Regression: float64 targets. Missing cells hold 0 and are masked out.
    mask : ndarray of shape (n_samples, n_tasks), dtype=bool
        True where the label is observed.
    classes : list of ndarray or None
        Sorted observed classes of each task (classification only).
    task_names : ndarray of object or None
        Column names when ``y`` was a DataFrame.
    one_d : bool
        Whether ``y`` was one-dimensional (single-output conventions apply).
    """

    values: np.ndarray
    mask: np.ndarray
    classes: list | None
    task_names: np.ndarray | None
    one_d: bool

    @property
    def n_tasks(self):
        return self.values.shape[1]

    @property
    def labelled_rows(self):
        """Indices of the rows with at least one observed label.

        A row whose every label is missing carries nothing for the fit;
        estimators drop it before anything random (validation splits, folds,
        dropout) so that it cannot change a deterministic fit.
        """
        if self.mask.all():
            return np.arange(self.mask.shape[0])
        return np.flatnonzero(self.mask.any(axis=1))

    def observed(self, t, values=None):
        """The observed cells of task ``t``: of ``values`` (default: this
        task's encoded targets) or, if ``values`` is 1-D, its entries at
        those rows. A view when the task has no missing label."""
        if values is None:
            values = self.values[:, t]
        column = self.mask[:, t]
        return values if column.all() else values[column]

    def take(self, rows):
        """The targets of ``rows`` only (same tasks and classes)."""
        return TaskTargets(
            self.values[rows],
            self.mask[rows],
            self.classes,
            self.task_names,
            self.one_d,
        )

    @property
    def constant(self):
        """Indices of the constant tasks (one class), an int array."""
        return constant_tasks(self.classes)


def constant_tasks(classes):
    """Indices of the tasks with one class in ``classes`` (a list per task).

    None (regression) gives no task.
    """
    if classes is None:
        return np.zeros(0, dtype=np.intp)
    return np.flatnonzero([len(c) == 1 for c in classes]).astype(np.intp)


def warn_constant_tasks(targets, stacklevel=3):
    """Warn once, naming them, when ``targets`` holds constant tasks.

    Every estimator calls this once per fit (not per fold or member), after
    :func:`check_targets`. Meta-estimators silence the warnings of their
    inner fits, where folds of rare labels are constant as a matter of course.
    """
    constant = targets.constant
    if constant.size == 0:
        return
    names = ", ".join(
        f"{task_label(t, targets.task_names)} ({targets.classes[t].tolist()[0]!r})"
        for t in constant[:10]
    )
    more = f" and {constant.size - 10} more" if constant.size > 10 else ""
    warnings.warn(
        f"{constant.size} classification task(s) have one class only among "
        f"their observed labels: {names}{more}. Each is fitted as a constant "
        "that predicts its class with probability 1.",
        ConstantTaskWarning,
        stacklevel=stacklevel,
    )


def task_label(t, task_names=None):
    """Name of task ``t`` for messages: its column name or ``task t``."""
    if task_names is not None:
        return f"task {task_names[t]!r}"
    return f"task {t}"


def _is_missing_object(value):
    if value is None:
        return True
    if isinstance(value, numbers.Real) and not isinstance(value, numbers.Integral):
        return value != value  # NaN
    # pandas.NA and pandas.NaT without importing pandas
    return type(value).__name__ in ("NAType", "NaTType")


def _to_array(y):
    """Return (array, task_names) from array-likes and pandas objects."""
    task_names = None
    if hasattr(y, "columns") and hasattr(y, "iloc"):  # DataFrame
        task_names = np.asarray([str(c) for c in y.columns], dtype=object)
        dtypes = list(y.dtypes)
        if all(getattr(d, "kind", "O") in "fiub" for d in dtypes):
            array = y.to_numpy(dtype=np.float64, na_value=np.nan)
        else:
            array = y.to_numpy(dtype=object)
    elif hasattr(y, "iloc"):  # Series
        dtype = getattr(y, "dtype", None)
        if getattr(dtype, "kind", "O") in "fiub":
            array = y.to_numpy(dtype=np.float64, na_value=np.nan)
        else:
            array = y.to_numpy(dtype=object)
    else:
        array = np.asarray(y)
    return array, task_names


def _missing_mask(array):
    if array.dtype.kind == "f":
        # one pass: the non-finite cells, then inf among them only
        missing = np.isfinite(array)
        np.logical_not(missing, out=missing)
        if missing.any() and np.isinf(array[missing]).any():
            raise ValueError(
                "y contains infinite values; a missing label must be NaN, not inf."
            )
        return missing
    if array.dtype.kind == "c":
        raise ValueError("Complex data not supported in y.")
    if array.dtype.kind == "O":
        return np.frompyfunc(_is_missing_object, 1, 1)(array).astype(bool)
    return np.zeros(array.shape, dtype=bool)


def _observed_mask(array):
    """True where a label is observed (the complement of the missing mask,
    made in place)."""
    mask = _missing_mask(array)
    return np.logical_not(mask, out=mask)


def check_targets(
    y, *, kind, n_samples=None, classes=None, task_names=None, require_labels=True
):
    """Validate ``y`` and encode it for the numerics.

    Parameters
    ----------
    y : array-like of shape (n_samples,) or (n_samples, n_tasks)
        Targets, with missing labels as NaN, None or pd.NA.
    kind : {"classification", "regression"}
        What the tasks are.
    n_samples : int, default=None
        Number of rows of X, checked against ``y``.
    classes : list of ndarray, default=None
        Known classes of each task (``partial_fit`` after the first call, or
        the ``classes`` argument of the first call). Labels outside them are
        an error. When None, classes are the observed labels.
    task_names : ndarray, default=None
        Task names fitted earlier, used in messages when ``y`` has none.
    require_labels : bool, default=True
        Whether every task needs an observed label. ``partial_fit`` after
        the first call sets it to False: a chunk of data may hold no label of
        a task, which then contributes nothing to that update.

    Returns
    -------
    targets : TaskTargets
    """
    if y is None:
        raise ValueError(
            "This estimator requires y to be passed, but the target y is None."
        )
    array, names = _to_array(y)
    if names is None:
        names = task_names
    if array.ndim == 0:
        raise ValueError(f"y must be 1-D or 2-D, got a scalar: {y!r}.")
    if array.ndim > 2:
        raise ValueError(
            f"y must be 1-D (one task) or 2-D (n_samples, n_tasks), got an "
            f"array of shape {array.shape}."
        )
    one_d = array.ndim == 1
    if one_d:
        array = array.reshape(-1, 1)
    if array.shape[1] == 0:
        raise ValueError("y has 0 columns: at least one task is required.")
    if n_samples is not None and array.shape[0] != n_samples:
        raise ValueError(
            f"X and y have inconsistent numbers of samples: X has {n_samples} "
            f"rows, y has {array.shape[0]}."
        )
    if kind == "regression" and array.dtype.kind in "OSU":
        array = _object_to_float(array, names)
    mask = _observed_mask(array)
    for t in range(array.shape[1] if require_labels else 0):
        if not mask[:, t].any():
            raise ValueError(
                f"{task_label(t, names)} has no observed label: every value "
                f"in column {t} of y is missing."
            )
    if kind == "regression":
        values = np.where(mask, array, 0).astype(np.float64)
        return TaskTargets(values, mask, None, names, one_d)
    return _encode_classification(array, mask, classes, names, one_d)


def _object_to_float(array, names):
    out = np.empty(array.shape, dtype=np.float64)
    for index, value in np.ndenumerate(array):
        if _is_missing_object(value):
            out[index] = np.nan
            continue
        try:
            out[index] = float(value)
        except (TypeError, ValueError, OverflowError):
            raise ValueError(
                f"{task_label(index[1], names)} has a non-numeric target "
                f"{str(value)!r} in row {index[0]}; regression targets must be "
                "numbers (NaN or None for a missing label)."
            ) from None
    if np.isinf(out).any():
        raise ValueError(
            "y contains infinite values; a missing label must be NaN, not inf."
        )
    return out


def _encode_classification(array, mask, classes, names, one_d):
    n_samples, n_tasks = array.shape
    if classes is not None and len(classes) != n_tasks:
        raise ValueError(
            f"y has {n_tasks} tasks but the estimator was fitted with "
            f"{len(classes)}; refit from scratch to change the tasks."
        )
    codes = np.zeros((n_samples, n_tasks), dtype=np.int32)
    task_classes = []
    complete = _complete_columns(mask)
    # a complete numeric column is copied into one reused contiguous buffer:
    # cheaper than its strided reads and than boolean indexing (1 000 000 x
    # 10: 0.12 s against 0.32 s in all), and no temporary of the size of y
    column = None
    if n_tasks > 1 and array.dtype.kind in "biuf" and complete.any():
        column = np.empty(n_samples, dtype=array.dtype)
    for t in range(n_tasks):
        rows = slice(None) if complete[t] else mask[:, t]
        if column is not None and complete[t]:
            observed = column
            np.copyto(observed, array[:, t])
        else:
            observed = array[rows, t]
        if observed.dtype == object:
            kinds = {isinstance(v, str) for v in observed}
            if len(kinds) > 1:
                raise ValueError(
                    f"{task_label(t, names)} mixes string and non-string "
                    "labels; use one type per task."
                )
            if kinds == {False}:
                observed = _numeric_object(observed, t, names)
        encoded = _small_integer_codes(observed)
        if encoded is None:
            target_type = type_of_target(observed)
            if target_type not in ("binary", "multiclass"):
                raise ValueError(
                    f"Unknown label type: {target_type!r} in "
                    f"{task_label(t, names)}. A classifier needs discrete labels "
                    "(ints or strings); for continuous targets use a regressor."
                )
            encoded = np.unique(observed, return_inverse=True)
        observed_classes, observed_codes = encoded
        if classes is None:
            task_classes.append(observed_classes)
            codes[rows, t] = observed_codes
        else:
            known = np.asarray(classes[t])
            unseen = np.setdiff1d(observed_classes, known)
            if unseen.size:
                raise ValueError(
                    f"{task_label(t, names)} has labels {unseen.tolist()} "
                    f"that are not in its classes {known.tolist()}."
                )
            task_classes.append(known)
            codes[rows, t] = np.searchsorted(known, observed)
    return TaskTargets(codes, mask, task_classes, names, one_d)


def _complete_columns(mask):
    """Which columns of ``mask`` are all True (those tasks need no boolean
    indexing: a full column is a view)."""
    if mask.all():
        return np.ones(mask.shape[1], dtype=bool)
    return mask.all(axis=0)


# Integer labels spanning at most this many values are encoded by counting.
_COUNTING_RANGE = 1 << 16


def _small_integer_codes(observed):
    """Classes and codes of integer-valued labels in a small range, in O(n).

    What ``np.unique(observed, return_inverse=True)`` returns, found by
    counting instead of sorting (which dominates the encoding of millions of
    rows); None where that does not apply: non-numeric, empty, non-integer
    or widely spread labels, left to the general path and its messages.
    """
    if observed.dtype.kind not in "biuf" or observed.size == 0:
        return None
    if observed.dtype.kind == "b":
        low, offsets = 0, observed.view(np.uint8).astype(np.intp)
    else:
        low, high = observed.min(), observed.max()
        if not (np.isfinite(low) and np.isfinite(high)):
            return None
        if float(high) - float(low) >= _COUNTING_RANGE:
            return None
        if float(high) - float(low) == 1 and float(low) == np.floor(low):
            # two consecutive integers, the binary labels of most tasks: one
            # comparison per label, no counting (both values occur: they
            # are the minimum and the maximum)
            is_high = observed == high
            n_high = np.count_nonzero(is_high)
            if n_high + np.count_nonzero(observed == low) == observed.size:
                classes = np.array([low, high], dtype=observed.dtype)
                return classes, is_high.view(np.uint8)
            return None  # a value between them: not integer labels
        if observed.dtype.kind == "f":
            if low != np.floor(low):
                return None
            shifted = observed - low
            offsets = shifted.astype(np.intp)
            if not np.array_equal(offsets, shifted):
                return None  # non-integer labels: a continuous target
        elif observed.dtype.itemsize < np.dtype(np.intp).itemsize:
            offsets = observed.astype(np.intp) - int(low)  # no small-int wrap
        else:
            offsets = (observed - low).astype(np.intp)
    counts = np.bincount(offsets)
    present = np.flatnonzero(counts)
    lookup = np.zeros(counts.size, dtype=np.intp)
    lookup[present] = np.arange(present.size)
    classes = (present + low).astype(observed.dtype)
    return classes, lookup[offsets]


def _numeric_object(observed, t, names):
    if all(isinstance(v, (bool, np.bool_)) for v in observed):
        return observed.astype(bool)  # bool labels stay bools
    try:
        as_float = observed.astype(np.float64)
    except (TypeError, ValueError):
        raise ValueError(
            f"{task_label(t, names)} has labels of unsupported types: "
            f"{sorted({type(v).__name__ for v in observed})}."
        ) from None
    if not np.all(np.isfinite(as_float)):
        raise ValueError(
            f"{task_label(t, names)} has an infinite label; a missing label "
            "must be NaN or None, not inf."
        )
    if np.all(as_float == np.round(as_float)):
        return as_float.astype(np.int64)
    return as_float


def record_tasks(estimator, targets):
    """Set the fitted task layout of ``targets`` on ``estimator``.

    ``n_tasks_``, the private ``_one_d`` (predictions in y's shape) and
    ``task_names_``, which is removed when a refit's y has no names, so that
    a stale name never outlives its fit.
    """
    estimator.n_tasks_ = targets.n_tasks
    estimator._one_d = targets.one_d
    record_task_names(estimator, targets)


def record_task_names(estimator, targets):
    """``task_names_`` from ``targets``, removed when a refit's y has no
    names, so that a stale name never outlives its fit."""
    if targets.task_names is not None:
        estimator.task_names_ = targets.task_names
    elif hasattr(estimator, "task_names_"):
        del estimator.task_names_


def check_classes_argument(classes, n_tasks, one_d):
    """Normalise the ``classes`` argument of ``partial_fit``.

    For one task it is an array of labels; for several, a list with one
    array per task (as ``MultiOutputClassifier.partial_fit`` takes).
    """
    if one_d:
        classes = [classes]
    if len(classes) != n_tasks:
        raise ValueError(
            f"classes must give the classes of each of the {n_tasks} tasks, "
            f"got {len(classes)} entries."
        )
    out = []
    for t, task_classes in enumerate(classes):
        task_classes = np.asarray(task_classes)
        if task_classes.ndim != 1 or task_classes.size == 0:
            raise ValueError(
                f"classes of task {t} must be a non-empty 1-D list of labels, "
                f"got {task_classes.tolist()!r}."
            )
        out.append(np.unique(task_classes))
    return out


def decode_labels(codes, classes, one_d):
    """Map class codes of shape (n_samples, n_tasks) back to labels.

    The result has the common dtype of the tasks' classes (object when they
    differ in kind), of shape (n_samples,) when ``one_d``.
    """
    if one_d:
        return classes[0][codes[:, 0]]
    try:
        dtype = np.result_type(*[c.dtype for c in classes])
    except TypeError:  # e.g. int classes for one task, strings for another
        dtype = np.dtype(object)
    out = np.empty(codes.shape, dtype=dtype)
    for t, task_classes in enumerate(classes):
        out[:, t] = task_classes[codes[:, t]]
    return out


def target_task_names(y):
    """Task names carried by ``y`` (DataFrame columns), or None."""
    return _to_array(y)[1]


def observed_targets(y):
    """Return ``y`` as a 2-D array and the mask of its observed cells.

    For scoring: labels are kept as given (no encoding, so labels never seen
    in training simply count as errors).
    """
    array, _ = _to_array(y)
    if array.ndim == 1:
        array = array.reshape(-1, 1)
    return array, _observed_mask(array)
