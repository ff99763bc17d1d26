"""Scikit-learn metrics applied task by task, on the observed labels only.

Each task of ``y_true`` is scored on the rows where its label is observed
(missing labels are parsed by :mod:`mtlearn._targets`). How a metric is applied
to a task, and how the observed cells of all tasks are pooled for a micro
average, is described by a small :class:`_MetricSpec` per metric.

Undefined scores. A task may have too little in a fold to be scored: no
observed label, observed labels of zero total ``sample_weight``, or one class
only (normal for rare labels in cross-validation folds). The rules:

- A task with no observed label (or zero total weight on them) scores NaN,
  with one :class:`~sklearn.exceptions.UndefinedMetricWarning` naming the
  tasks; it adds no cell to a micro average.
- A task whose labels hold one class gets the metric's scikit-learn
  behaviour for that case: ROC-AUC is NaN with scikit-learn's
  ``UndefinedMetricWarning``; F1, precision, recall and Jaccard follow
  ``zero_division`` (0 with a warning by default; pass
  ``zero_division=np.nan`` to leave such tasks out of the averages), with
  scikit-learn's ``pos_label=1`` when only one label is known.
- The macro and weighted averages are over the tasks whose score is defined
  (not NaN); NaN when no task has one.
- ``sample_weight`` must be finite and non-negative (a ``ValueError`` naming
  it otherwise), for every metric alike.
"""

import functools
import warnings
from dataclasses import dataclass, field

import numpy as np
from sklearn import metrics as skm
from sklearn.exceptions import UndefinedMetricWarning
from sklearn.utils.multiclass import type_of_target

from .._targets import observed_targets, target_task_names, task_label

__all__ = ["multitask_score", "per_task_score"]

_AVERAGES = ("macro", "weighted", "micro")


@dataclass(frozen=True)
class _MetricSpec:
    """How a scikit-learn metric reads one task and pools the tasks.

    Attributes
    ----------
    name : str
        Short name (``"f1"``), accepted wherever a metric is named.
    func : callable
        The scikit-learn metric ``func(y_true, y_pred, **kwargs)``.
    kind : {"labels", "positive", "scores", "regression", None}
        What the metric compares: labels, labels seen as the positive class of
        a binary task (F1, precision, recall), probabilities or decision
        values, or continuous targets. None for a user's callable: each task's
        true values and predictions are passed as they are.
    response : tuple of str
        Estimator methods that produce what the metric needs, preferred first.
    micro : {"codes", "indicator", "cell_mean", "values"}
        How the micro average pools the observed cells of all tasks:
        ``"codes"`` gives every (task, class) pair its own label;
        ``"indicator"`` turns each cell into one-vs-rest decisions about the
        positive class (binary task) or each class (multiclass task);
        ``"cell_mean"`` averages per-task values weighted by their number of
        cells (exact for metrics that are a mean over samples);
        ``"values"`` concatenates the cells as they are.
    multiclass_kwargs : dict
        Extra arguments for a multiclass task's probability matrix.
    """

    name: str
    func: object
    kind: str | None
    response: tuple
    micro: str
    multiclass_kwargs: dict = field(default_factory=dict)


_PREDICT = ("predict",)
_SPECS = [
    _MetricSpec("accuracy", skm.accuracy_score, "labels", _PREDICT, "codes"),
    _MetricSpec(
        "balanced_accuracy", skm.balanced_accuracy_score, "labels", _PREDICT, "codes"
    ),
    _MetricSpec(
        "matthews_corrcoef", skm.matthews_corrcoef, "labels", _PREDICT, "codes"
    ),
    _MetricSpec("f1", skm.f1_score, "positive", _PREDICT, "indicator"),
    _MetricSpec("precision", skm.precision_score, "positive", _PREDICT, "indicator"),
    _MetricSpec("recall", skm.recall_score, "positive", _PREDICT, "indicator"),
    _MetricSpec("jaccard", skm.jaccard_score, "positive", _PREDICT, "indicator"),
    _MetricSpec(
        "roc_auc",
        skm.roc_auc_score,
        "scores",
        ("predict_proba", "decision_function"),
        "indicator",
        {"multi_class": "ovr"},
    ),
    _MetricSpec("log_loss", skm.log_loss, "scores", ("predict_proba",), "cell_mean"),
    _MetricSpec("r2", skm.r2_score, "regression", _PREDICT, "values"),
    _MetricSpec("rmse", skm.root_mean_squared_error, "regression", _PREDICT, "values"),
    _MetricSpec("mse", skm.mean_squared_error, "regression", _PREDICT, "values"),
    _MetricSpec("mae", skm.mean_absolute_error, "regression", _PREDICT, "values"),
]
_BY_NAME = {spec.name: spec for spec in _SPECS}
_BY_NAME.update({spec.func.__name__: spec for spec in _SPECS})
_BY_FUNC = {spec.func: spec for spec in _SPECS}


class _Metric:
    """A metric with its spec and the user's keyword arguments, ready to call."""

    def __init__(self, metric, metric_kwargs):
        if isinstance(metric, str):
            if metric not in _BY_NAME:
                raise ValueError(
                    f"Unknown metric {metric!r}. Use one of "
                    f"{sorted(spec.name for spec in _SPECS)}, or a callable "
                    "metric(y_true, y_pred, **kwargs)."
                )
            spec = _BY_NAME[metric]
            func = spec.func
        elif callable(metric):
            base = metric.func if isinstance(metric, functools.partial) else metric
            spec = _BY_FUNC.get(base)
            if spec is None:
                name = getattr(base, "__name__", repr(base))
                spec = _MetricSpec(name, base, None, _PREDICT, "values")
            func = metric
        else:
            raise TypeError(
                f"metric must be a name or a callable, got {type(metric).__name__}."
            )
        self.spec = spec
        self.func = func
        self.kwargs = dict(metric_kwargs)
        fixed = func.keywords if isinstance(func, functools.partial) else {}
        self._given = {**fixed, **self.kwargs}

    def given(self, key, default=None):
        """The value the user fixed for a keyword argument, else ``default``."""
        return self._given.get(key, default)

    def __call__(self, y_true, y_pred, weight, defaults):
        """Call the metric; the user's arguments override ``defaults``."""
        kwargs = {k: v for k, v in defaults.items() if k not in self._given}
        kwargs.update(self.kwargs)
        if weight is not None:
            kwargs["sample_weight"] = weight
        return float(self.func(y_true, y_pred, **kwargs))


@dataclass
class _Task:
    """The observed rows of one task.

    ``undefined`` says why the task cannot be scored (no observed label, or
    zero total weight on them), else None.
    """

    y_true: np.ndarray
    y_pred: np.ndarray
    weight: np.ndarray | None
    classes: np.ndarray | None
    undefined: str | None = None

    @property
    def support(self):
        return self.y_true.shape[0]


def _plain(values):
    """An object column of labels as an array of their own dtype."""
    if values.dtype == object:
        return np.asarray(values.tolist())
    return values


def _positive_column(output):
    """Positive-class column of a binary task's probabilities, else as is."""
    if output.ndim == 2 and output.shape[1] in (1, 2):
        return output[:, -1]
    return output


def _task_outputs(y_pred, n_samples, n_tasks):
    """Split predictions into one array per task."""
    if y_pred is None:
        raise ValueError(
            "y_pred is None; give the predictions (labels, targets or scores)."
        )
    if isinstance(y_pred, (list, tuple)):
        if len(y_pred) != n_tasks:
            raise ValueError(
                f"y_pred is a list of {len(y_pred)} arrays but y_true has "
                f"{n_tasks} tasks; give one array per task."
            )
        outputs = [np.asarray(p) for p in y_pred]
        for t, output in enumerate(outputs):
            if output.ndim not in (1, 2):
                raise ValueError(
                    f"y_pred[{t}] has shape {output.shape}; each task's "
                    "predictions must be of shape (n_samples,) or "
                    "(n_samples, n_classes)."
                )
        outputs = [_positive_column(p) for p in outputs]
    else:
        y_pred = np.asarray(y_pred)
        if y_pred.ndim == 1 and n_tasks == 1:
            outputs = [y_pred]
        elif y_pred.ndim == 2 and n_tasks == 1:
            outputs = [_positive_column(y_pred)]
        elif y_pred.ndim == 2 and y_pred.shape[1] == n_tasks:
            outputs = list(y_pred.T)
        else:
            raise ValueError(
                f"y_pred of shape {y_pred.shape} does not match y_true with "
                f"{n_tasks} tasks: expected (n_samples, {n_tasks}) or a list of "
                "per-task arrays."
            )
    for t, output in enumerate(outputs):
        if output.shape[0] != n_samples:
            raise ValueError(
                f"y_true has {n_samples} rows but the predictions of task {t} "
                f"have {output.shape[0]}."
            )
    return [_plain(output) if output.ndim == 1 else output for output in outputs]


def _task_classes(classes, n_tasks):
    if classes is None:
        return [None] * n_tasks
    if not isinstance(classes, (list, tuple, np.ndarray)) or (
        isinstance(classes, np.ndarray) and classes.ndim == 0
    ):
        raise ValueError(
            "classes must give the classes of each task (a list of arrays, an "
            f"estimator's classes_), got {classes!r}."
        )
    if n_tasks == 1 and np.ndim(classes[0]) == 0:
        classes = [classes]
    if len(classes) != n_tasks:
        raise ValueError(
            f"classes gives the classes of {len(classes)} tasks but y_true has "
            f"{n_tasks} tasks."
        )
    out = [np.asarray(c) for c in classes]
    for t, task_classes in enumerate(out):
        if task_classes.ndim != 1 or task_classes.size == 0:
            raise ValueError(
                f"classes[{t}] must be a non-empty 1-D array of labels, got "
                f"shape {task_classes.shape}."
            )
    return out


def _check_y_true(y_true):
    """``y_true`` as a 2-D array and the mask of its observed cells."""
    if y_true is None:
        raise ValueError("y_true is None; give the true labels or targets.")
    values = None
    if not hasattr(y_true, "iloc"):
        try:
            values = np.asarray(y_true)
        except ValueError:  # ragged nesting
            raise ValueError(
                "y_true must be an array of shape (n_samples,) or "
                "(n_samples, n_tasks) with one label per cell; it holds "
                "sequences of different lengths."
            ) from None
    if values is not None and values.dtype.kind == "f" and np.isinf(values).any():
        raise ValueError(
            "y_true contains infinite values; a missing label must be NaN."
        )
    array, mask = observed_targets(y_true)
    if array.dtype == object and any(np.ndim(v) > 0 for v in array.flat):
        raise ValueError(
            "y_true holds a sequence in a cell; each cell must hold one label "
            "or target (NaN or None when missing)."
        )
    if array.ndim != 2:
        raise ValueError(
            "y_true must be of shape (n_samples,) or (n_samples, n_tasks), got "
            f"an array of shape {np.shape(y_true)}."
        )
    if array.shape[0] == 0 or array.shape[1] == 0:
        raise ValueError(
            f"y_true of shape {np.shape(y_true)} is empty: at least one row "
            "and one task are needed."
        )
    return array, mask


def _check_sample_weight(sample_weight, n_samples, *, fit_param=False):
    """Finite, non-negative weights of shape (n_samples,).

    For a metric (``fit_param=False``) the weights must have a positive sum,
    and are returned divided by their maximum. For the ``sample_weight`` fit
    parameter of an estimator (``fit_param=True``), None is returned as it
    is, weights that are all zero pass, and the weights are not rescaled.
    """
    if fit_param and sample_weight is None:
        return None
    try:
        weight = np.asarray(sample_weight, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(
            f"sample_weight must be an array of numbers of shape ({n_samples},)."
        ) from None
    if weight.shape != (n_samples,):
        raise ValueError(
            f"sample_weight has shape {weight.shape}; expected ({n_samples},)."
        )
    finite = np.all(np.isfinite(weight))
    if fit_param:
        if not finite or np.any(weight < 0):
            raise ValueError(
                "sample_weight must be finite and non-negative; it holds NaN, "
                "infinite or negative values."
            )
        return weight
    if not finite:
        raise ValueError("sample_weight contains NaN or infinite values.")
    if np.any(weight < 0):
        raise ValueError(
            "sample_weight contains negative values; the weights of every "
            "mtlearn metric must be non-negative."
        )
    if not weight.max(initial=0) > 0:
        raise ValueError(
            "sample_weight sums to 0: at least one weight must be positive."
        )
    # The metrics are invariant to the scale of the weights; weights of
    # magnitude 1e300 (or 1e-300) would overflow (or underflow) their sums.
    return weight / weight.max()


def _observed_tasks(y_true, y_pred, sample_weight=None, classes=None, task_names=None):
    """Return the observed rows of each task and the task names.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,) or (n_samples, n_tasks)
    y_pred : array-like or list of array-like
    sample_weight : array-like of shape (n_samples,), default=None
    classes : list of array-like, default=None
    task_names : array-like of str, default=None
        When None, the DataFrame columns of ``y_true``, if any.

    Returns
    -------
    tasks : list of _Task
        A task with no observed label (or zero total weight on them) has
        ``undefined`` set.
    task_names : ndarray or None
    """
    array, mask = _check_y_true(y_true)
    names = target_task_names(y_true)
    if task_names is not None:
        names = np.asarray(task_names, dtype=object)
    n_samples, n_tasks = array.shape
    if names is not None and len(names) != n_tasks:
        raise ValueError(
            f"task_names has {len(names)} names but y_true has {n_tasks} tasks."
        )
    outputs = _task_outputs(y_pred, n_samples, n_tasks)
    if sample_weight is not None:
        sample_weight = _check_sample_weight(sample_weight, n_samples)
    tasks = []
    for t, task_classes in enumerate(_task_classes(classes, n_tasks)):
        rows = mask[:, t]
        undefined = None
        if not rows.any():
            undefined = "no observed label"
        elif sample_weight is not None and not sample_weight[rows].sum() > 0:
            undefined = "zero total sample_weight on its observed labels"
        tasks.append(
            _Task(
                _plain(array[rows, t]),
                outputs[t][rows],
                None if sample_weight is None else sample_weight[rows],
                task_classes,
                undefined,
            )
        )
    return tasks, names


def _label_kind(values):
    """'str' for string labels, 'number' otherwise (for the mixing check)."""
    if values.dtype.kind in "US":
        return "str"
    if values.dtype == object and values.size:
        return "str" if all(isinstance(v, str) for v in values) else "number"
    return "number"


def _task_labels(task, predicted=True):
    """The sorted labels known for a task: its given classes, the labels of
    its y_true and (``predicted``) its predicted labels."""
    parts = [task.y_true]
    if task.classes is not None:
        parts.append(task.classes)
    if (
        predicted
        and task.y_pred.ndim == 1
        and task.y_pred.size
        and type_of_target(task.y_pred) != "continuous"
    ):
        parts.append(task.y_pred)
    kinds = {_label_kind(part) for part in parts if part.size}
    if len(kinds) > 1:
        raise ValueError(
            "y_true, y_pred and classes mix string and numeric labels; use the "
            "same type of labels in each."
        )
    return np.unique(np.concatenate(parts))


def _seen_classes(task):
    """The task's classes, else the labels seen in y_true (and label y_pred)."""
    if task.classes is not None:
        return task.classes
    return _task_labels(task)


def _positive_label(task, metric_name=None):
    """The label that a task's single column of scores is about.

    With ``classes``, its last class (the column ``predict_proba`` gives last;
    for a constant task, its one class). Else the greater of the two labels
    of y_true. With one label in y_true the scores' label is unknown: ROC-AUC
    is then undefined whatever it is (scikit-learn gives NaN), and log-loss
    asks for ``classes``, as scikit-learn's asks for ``labels``.
    """
    classes = task.classes
    if classes is None:
        classes = _task_labels(task, predicted=False)
    if classes.shape[0] > 2:
        raise ValueError(
            f"a single score column was given for a task with {classes.shape[0]} "
            "classes; give its (n_samples, n_classes) probability matrix."
        )
    if task.classes is None and classes.shape[0] < 2 and metric_name == "log_loss":
        raise ValueError(
            "only one class is observed in y_true, so which label the scores "
            "are about is unknown; pass classes (the estimator's classes_)."
        )
    return classes[-1]


def _multiclass_scores(task):
    """The labels of a task's probability matrix, and the matrix.

    Labels of y_true that ``classes`` lacks (a class the model never saw, as
    in a fold of a rare class) get a column of zero probability.
    """
    if task.classes is None:
        labels = _task_labels(task, predicted=False)
        if labels.shape[0] != task.y_pred.shape[1]:
            raise ValueError(
                f"the probability matrix has {task.y_pred.shape[1]} columns but "
                f"{labels.shape[0]} classes are known; pass classes (the "
                "estimator's classes_) to say which class each column is."
            )
        return labels, task.y_pred
    if task.classes.shape[0] != task.y_pred.shape[1]:
        raise ValueError(
            f"the probability matrix has {task.y_pred.shape[1]} columns but "
            f"classes gives {task.classes.shape[0]} classes."
        )
    labels = _task_labels(task, predicted=False)
    if labels.shape[0] == task.classes.shape[0]:
        return task.classes, task.y_pred
    scores = np.zeros((task.support, labels.shape[0]))
    scores[:, np.searchsorted(labels, task.classes)] = task.y_pred
    return labels, scores


def _score_task(metric, task):
    """The metric on one task's observed rows."""
    kind = metric.spec.kind
    if kind == "positive":
        labels = _task_labels(task)
        binary = labels.shape[0] <= 2 and metric.given("average", "binary") == "binary"
        if not binary:
            defaults = {"average": "macro"}
        elif labels.shape[0] == 2:
            defaults = {"pos_label": labels[-1]}
        else:  # one label known: scikit-learn's default pos_label=1
            defaults = {}
        return metric(task.y_true, task.y_pred, task.weight, defaults)
    if kind == "scores" and task.y_pred.dtype.kind not in "biuf":
        raise ValueError(
            f"y_pred holds {task.y_pred.dtype} values; {metric.spec.name} needs "
            "numeric scores (probabilities or decision values)."
        )
    if kind == "scores" and task.y_pred.ndim == 1:
        positive = _positive_label(task, metric.spec.name)
        y_positive = (task.y_true == positive).astype(np.int64)
        defaults = {"labels": [0, 1]} if metric.spec.name == "log_loss" else {}
        return metric(y_positive, task.y_pred, task.weight, defaults)
    if kind == "scores":
        labels, scores = _multiclass_scores(task)
        defaults = {"labels": labels, **metric.spec.multiclass_kwargs}
        return metric(task.y_true, scores, task.weight, defaults)
    if kind == "labels":
        _task_labels(task)  # string and numeric labels mixed: a clear error
    if kind == "regression":
        _check_regression(task)
    return metric(task.y_true, task.y_pred, task.weight, {})


# Squares of larger values overflow float64 (R², MSE, RMSE).
_MAX_REGRESSION_VALUE = 1e150


def _check_regression(task):
    """Numeric, finite targets and predictions whose squares are finite."""
    for name, values in (("y_true", task.y_true), ("y_pred", task.y_pred)):
        try:
            values = np.asarray(values, dtype=np.float64)
        except (TypeError, ValueError):
            raise ValueError(
                f"{name} holds non-numeric values; regression metrics need numbers."
            ) from None
        if not np.all(np.isfinite(values)):
            raise ValueError(f"{name} holds NaN or infinite predictions.")
        if np.max(np.abs(values), initial=0) > _MAX_REGRESSION_VALUE:
            raise ValueError(
                f"{name} holds values of magnitude above "
                f"{_MAX_REGRESSION_VALUE:.0e}, whose squared errors overflow "
                "float64; scale the targets (e.g. StandardScaler) first."
            )


def _warn_undefined(tasks, task_names):
    undefined = [t for t, task in enumerate(tasks) if task.undefined is not None]
    if not undefined:
        return
    reasons = "; ".join(
        f"{task_label(t, task_names)}: {tasks[t].undefined}" for t in undefined[:10]
    )
    warnings.warn(
        f"The score of {len(undefined)} task(s) is undefined and set to nan "
        f"({reasons}). This may be a cross-validation fold without labels of "
        "a task; the averages leave such tasks out.",
        UndefinedMetricWarning,
        stacklevel=4,
    )


def _task_scores(metric, tasks, task_names, undefined=None):
    """The metric on each task; NaN for the tasks flagged ``undefined``."""
    scores = np.full(len(tasks), np.nan)
    for t, task in enumerate(tasks):
        if task.undefined is not None or (undefined is not None and undefined[t]):
            continue
        try:
            scores[t] = _score_task(metric, task)
        except ValueError as exc:
            raise ValueError(f"{task_label(t, task_names)}: {exc}") from exc
    return scores


def _indicator_cells(task, scores, metric_name=None):
    """One-vs-rest decisions of a task: (truth, prediction, weight), flat.

    A binary task gives one decision per row, about its positive class; a
    multiclass task one per row and class.
    """
    if scores and task.y_pred.ndim == 1:
        classes = np.asarray([_positive_label(task, metric_name)])
        predicted = task.y_pred[:, np.newaxis]
    elif scores:
        classes, predicted = _multiclass_scores(task)
    else:
        classes = _task_labels(task)
        if classes.shape[0] == 1:  # scikit-learn's default pos_label=1
            classes = np.asarray([1], dtype=object)
        elif classes.shape[0] == 2:
            classes = classes[-1:]
        predicted = (task.y_pred[:, np.newaxis] == classes).astype(np.int64)
    truth = (task.y_true[:, np.newaxis] == classes).astype(np.int64)
    weight = None if task.weight is None else np.repeat(task.weight, classes.shape[0])
    return truth.ravel(), predicted.ravel(), weight


def _code_cells(tasks):
    """Labels of all tasks as codes, one per (task, class) pair."""
    true_codes, pred_codes, offset = [], [], 0
    for task in tasks:
        _task_labels(task)  # string and numeric labels mixed: a clear error
        labels, codes = np.unique(
            np.concatenate([task.y_true, task.y_pred]), return_inverse=True
        )
        true_codes.append(codes[: task.support] + offset)
        pred_codes.append(codes[task.support :] + offset)
        offset += labels.shape[0]
    return true_codes, pred_codes


def _defined_mean(values, weights=None):
    """Mean of the defined (non-NaN) values; NaN when there are none."""
    values = np.asarray(values, dtype=np.float64)
    defined = ~np.isnan(values)
    if not defined.any():
        return np.nan
    weights = np.ones_like(values) if weights is None else np.asarray(weights)
    if not weights[defined].sum() > 0:
        return np.nan
    return float(np.average(values[defined], weights=weights[defined]))


def _pooled_score(metric, tasks):
    """The metric on the observed cells of all tasks pooled (micro average).

    Tasks whose score is undefined (no observed label) add no cell; NaN when
    no task is left.
    """
    tasks = [task for task in tasks if task.undefined is None]
    if not tasks:
        return np.nan
    micro = metric.spec.micro
    if micro == "cell_mean":
        scores = [_score_task(metric, task) for task in tasks]
        support = [
            task.support if task.weight is None else task.weight.sum() for task in tasks
        ]
        return _defined_mean(scores, support)
    if micro == "indicator":
        scores = metric.spec.kind == "scores"
        truth, predicted, weight = zip(
            *[_indicator_cells(task, scores, metric.spec.name) for task in tasks]
        )
    else:
        if any(task.y_pred.ndim != 1 for task in tasks):
            raise ValueError(
                "the micro average pools one prediction per cell; this metric "
                "got a matrix of scores for some task."
            )
        if micro == "codes":
            truth, predicted = _code_cells(tasks)
        else:
            truth = [task.y_true for task in tasks]
            predicted = [task.y_pred for task in tasks]
        weight = [task.weight for task in tasks]
    weight = None if weight[0] is None else np.concatenate(weight)
    return metric(np.concatenate(truth), np.concatenate(predicted), weight, {})


def _check_average(average, allow_none=True):
    if average is None and allow_none:
        return
    if average not in _AVERAGES:
        allowed = ", ".join(repr(a) for a in _AVERAGES)
        raise ValueError(
            f"average must be one of {allowed}{' or None' if allow_none else ''}, "
            f"got {average!r}."
        )


def _average(metric, tasks, task_names, average):
    """The per-task scores (``average=None``) or their average.

    Macro and weighted averages are over the tasks with a defined score;
    NaN when there is none.
    """
    _warn_undefined(tasks, task_names)
    if average == "micro":
        return _pooled_score(metric, tasks)
    scores = _task_scores(metric, tasks, task_names)
    if average is None:
        return scores
    support = None if average == "macro" else [task.support for task in tasks]
    return _defined_mean(scores, support)


def per_task_score(
    metric,
    y_true,
    y_pred,
    *,
    sample_weight=None,
    task_names=None,
    classes=None,
    **metric_kwargs,
):
    """Score each task on its observed labels with a scikit-learn metric.

    Each task is scored on the rows where its label in ``y_true`` is observed;
    a missing label (NaN, None or ``pd.NA``) leaves that cell out of that task
    only. The metric is told what a task is:

    - F1, precision, recall, Jaccard: a binary task is scored on its positive
      class, the larger of its two labels (``classes[t][-1]``); a multiclass
      task by the macro average over its classes.
    - ROC-AUC, log-loss: a binary task gets the scores of its positive class
      (the last column of its probability array); a multiclass task gets its
      full probability matrix, one-vs-rest for ROC-AUC.

    Parameters
    ----------
    metric : str or callable
        A scikit-learn metric ``metric(y_true, y_pred, **kwargs)`` or one of
        the names ``'accuracy'``, ``'balanced_accuracy'``,
        ``'matthews_corrcoef'``, ``'f1'``, ``'precision'``, ``'recall'``,
        ``'jaccard'``, ``'roc_auc'``, ``'log_loss'``, ``'r2'``, ``'rmse'``,
        ``'mse'``, ``'mae'`` (or their scikit-learn function names, such as
        ``'f1_score'``). A scikit-learn metric given as a function, or as a
        :func:`functools.partial` of one, is treated as its name. Any other
        callable receives each task's observed true values and predictions as
        they are.
    y_true : array-like of shape (n_samples,) or (n_samples, n_tasks)
        True labels or targets; missing labels as NaN, None or ``pd.NA``.
    y_pred : array-like of shape (n_samples,) or (n_samples, n_tasks), or list
        Predicted labels or targets; or, for ROC-AUC and log-loss, a score
        matrix of shape (n_samples, n_tasks) (one column per binary task), or
        a list with one array of shape (n_samples, n_classes_t) per task, as
        returned by ``predict_proba``.
    sample_weight : array-like of shape (n_samples,), default=None
        Sample weights, applied within each task.
    task_names : array-like of str, default=None
        Names of the tasks, for messages. Default: the columns of ``y_true``
        when it is a DataFrame.
    classes : list of array-like, default=None
        The sorted classes of each task (an estimator's ``classes_``): the
        order of the columns of its probability array, and its positive class.
        Default: the labels seen in the task's ``y_true`` and predicted labels.
    **metric_kwargs : dict
        Passed to the metric; they override the choices above (for instance
        ``average="weighted"`` for the F1 of a multiclass task).

    Returns
    -------
    scores : ndarray of shape (n_tasks,)
        The score of each task.

    Notes
    -----
    A task with no observed label (for instance in a cross-validation fold),
    or with zero total ``sample_weight`` on them, scores NaN with an
    :class:`~sklearn.exceptions.UndefinedMetricWarning` naming it. A task
    whose labels hold one class gets scikit-learn's behaviour for that case:
    NaN for ROC-AUC, ``zero_division`` for F1, precision, recall and Jaccard
    (with ``pos_label=1``, scikit-learn's default, when only one label is
    known). ``sample_weight`` must be finite and non-negative.

    See Also
    --------
    multitask_score : The score averaged over tasks.

    Examples
    --------
    >>> import numpy as np
    >>> from mtlearn.metrics import per_task_score
    >>> y_true = np.array([[0, 1], [1, np.nan], [1, 0], [0, 0]])
    >>> y_pred = np.array([[0, 1], [1, 1], [0, 0], [0, 1]])
    >>> per_task_score("accuracy", y_true, y_pred)
    array([0.75      , 0.66666667])
    >>> proba = [np.array([[0.8, 0.2], [0.3, 0.7], [0.6, 0.4], [0.9, 0.1]]),
    ...          np.array([[0.1, 0.9], [0.5, 0.5], [0.7, 0.3], [0.4, 0.6]])]
    >>> per_task_score("roc_auc", y_true, proba)
    array([1., 1.])
    """
    metric = _Metric(metric, metric_kwargs)
    tasks, names = _observed_tasks(y_true, y_pred, sample_weight, classes, task_names)
    return _average(metric, tasks, names, None)


def multitask_score(
    metric,
    y_true,
    y_pred,
    *,
    average="macro",
    sample_weight=None,
    task_names=None,
    classes=None,
    **metric_kwargs,
):
    """A metric averaged over tasks, on the observed labels only.

    Parameters
    ----------
    metric : str or callable
        As in :func:`per_task_score`.
    y_true : array-like of shape (n_samples,) or (n_samples, n_tasks)
        True labels or targets; missing labels as NaN, None or ``pd.NA``.
    y_pred : array-like of shape (n_samples,) or (n_samples, n_tasks), or list
        Predictions, as in :func:`per_task_score`.
    average : {"macro", "weighted", "micro"} or None, default="macro"
        How to combine the tasks:

        - ``"macro"``: the mean of the per-task scores.
        - ``"weighted"``: their mean weighted by each task's support (its
          number of observed labels).

        Both leave out the tasks whose score is undefined (NaN: no observed
        label, or ROC-AUC of a task with one class; see
        :func:`per_task_score`), and give NaN when no task has a score.
        - ``"micro"``: the metric computed once on the observed
          (row, task) cells of all tasks pooled. Labels: for F1, precision,
          recall, Jaccard and ROC-AUC each cell counts as one-vs-rest
          decisions, about the positive class of a binary task or about each
          class of a multiclass task (with binary tasks only, this is
          scikit-learn's micro average over a label indicator matrix); for
          accuracy, balanced accuracy and the Matthews coefficient each
          (task, class) pair is a class of its own; log-loss is the mean loss
          over all cells. Regression: all cells are pooled as one target, so
          tasks on a larger scale weigh more (standardise the targets first
          to avoid it). A user's callable gets the cells pooled as they are.
        - None: the per-task scores, as :func:`per_task_score`.
    sample_weight : array-like of shape (n_samples,), default=None
        Sample weights, applied within each task (not to the task weights of
        ``average="weighted"``).
    task_names : array-like of str, default=None
        Names of the tasks, for messages.
    classes : list of array-like, default=None
        The sorted classes of each task, as in :func:`per_task_score`.
    **metric_kwargs : dict
        Passed to the metric.

    Returns
    -------
    score : float or ndarray of shape (n_tasks,)
        The averaged score; per task when ``average=None``.

    Examples
    --------
    >>> import numpy as np
    >>> from mtlearn.metrics import multitask_score
    >>> y_true = np.array([[0, 1], [1, np.nan], [1, 0], [0, 0]])
    >>> y_pred = np.array([[0, 1], [1, 1], [0, 0], [0, 1]])
    >>> multitask_score("accuracy", y_true, y_pred, average="weighted")
    0.714...
    >>> multitask_score("f1", y_true, y_pred, average="micro")
    0.666...
    """
    _check_average(average)
    metric = _Metric(metric, metric_kwargs)
    tasks, names = _observed_tasks(y_true, y_pred, sample_weight, classes, task_names)
    return _average(metric, tasks, names, average)
