"""Scikit-learn metrics applied task by task, on the observed labels only.

Each task of ``y_true`` is scored on the rows where its label is observed
(missing labels are parsed by :mod:`mtlearn._targets`). How a metric is applied
to a task, and how the observed cells of all tasks are pooled for a micro
average, is described by a small :class:`_MetricSpec` per metric.
"""

import functools
from dataclasses import dataclass, field

import numpy as np
from sklearn import metrics as skm
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
    """The observed rows of one task."""

    y_true: np.ndarray
    y_pred: np.ndarray
    weight: np.ndarray | None
    classes: np.ndarray | None

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
    if isinstance(y_pred, (list, tuple)):
        if len(y_pred) != n_tasks:
            raise ValueError(
                f"y_pred is a list of {len(y_pred)} arrays but y_true has "
                f"{n_tasks} tasks; give one array per task."
            )
        outputs = [_positive_column(np.asarray(p)) for p in y_pred]
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
    if n_tasks == 1 and np.ndim(classes[0]) == 0:
        classes = [classes]
    if len(classes) != n_tasks:
        raise ValueError(
            f"classes gives the classes of {len(classes)} tasks but y_true has "
            f"{n_tasks} tasks."
        )
    return [np.asarray(c) for c in classes]


def _no_label_error(t, task_names):
    return ValueError(
        f"{task_label(t, task_names)} has no observed label in y_true, so its "
        "score is undefined. This may be a cross-validation fold with no label "
        "for that task: use fewer folds, or a splitter that keeps labels of "
        "every task in each fold."
    )


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
    task_names : ndarray or None
    """
    names = target_task_names(y_true)
    if task_names is not None:
        names = np.asarray(task_names, dtype=object)
    array, mask = observed_targets(y_true)
    n_samples, n_tasks = array.shape
    if names is not None and len(names) != n_tasks:
        raise ValueError(
            f"task_names has {len(names)} names but y_true has {n_tasks} tasks."
        )
    outputs = _task_outputs(y_pred, n_samples, n_tasks)
    if sample_weight is not None:
        sample_weight = np.asarray(sample_weight, dtype=np.float64)
        if sample_weight.shape != (n_samples,):
            raise ValueError(
                f"sample_weight has shape {sample_weight.shape}; expected "
                f"({n_samples},)."
            )
    tasks = []
    for t, task_classes in enumerate(_task_classes(classes, n_tasks)):
        rows = mask[:, t]
        if not rows.any():
            raise _no_label_error(t, names)
        tasks.append(
            _Task(
                _plain(array[rows, t]),
                outputs[t][rows],
                None if sample_weight is None else sample_weight[rows],
                task_classes,
            )
        )
    return tasks, names


def _seen_classes(task):
    """The task's classes, else the labels seen in y_true (and label y_pred)."""
    if task.classes is not None:
        return task.classes
    seen = [task.y_true]
    if task.y_pred.ndim == 1 and type_of_target(task.y_pred) != "continuous":
        seen.append(task.y_pred)
    return np.unique(np.concatenate(seen))


def _positive_label(task):
    classes = _seen_classes(task)
    if classes.shape[0] > 2:
        raise ValueError(
            f"a single score column was given for a task with {classes.shape[0]} "
            "classes; give its (n_samples, n_classes) probability matrix."
        )
    if task.classes is None and classes.shape[0] < 2:
        raise ValueError(
            "only one class is observed in y_true, so which label the scores "
            "are about is unknown; pass classes (the estimator's classes_)."
        )
    return classes[-1]


def _multiclass_labels(task):
    classes = _seen_classes(task)
    if classes.shape[0] != task.y_pred.shape[1]:
        raise ValueError(
            f"the probability matrix has {task.y_pred.shape[1]} columns but "
            f"{classes.shape[0]} classes are known; pass classes (the "
            "estimator's classes_) to say which class each column is."
        )
    return classes


def _score_task(metric, task):
    """The metric on one task's observed rows."""
    kind = metric.spec.kind
    if kind == "positive":
        classes = _seen_classes(task)
        binary = classes.shape[0] <= 2 and metric.given("average", "binary") == "binary"
        defaults = {"pos_label": classes[-1]} if binary else {"average": "macro"}
        return metric(task.y_true, task.y_pred, task.weight, defaults)
    if kind == "scores" and task.y_pred.ndim == 1:
        y_positive = (task.y_true == _positive_label(task)).astype(np.int64)
        defaults = {"labels": [0, 1]} if metric.spec.name == "log_loss" else {}
        return metric(y_positive, task.y_pred, task.weight, defaults)
    if kind == "scores":
        defaults = {"labels": _multiclass_labels(task), **metric.spec.multiclass_kwargs}
        return metric(task.y_true, task.y_pred, task.weight, defaults)
    return metric(task.y_true, task.y_pred, task.weight, {})


def _task_scores(metric, tasks, task_names, undefined=None):
    """The metric on each task; NaN for the tasks flagged ``undefined``."""
    scores = np.full(len(tasks), np.nan)
    for t, task in enumerate(tasks):
        if undefined is not None and undefined[t]:
            continue
        try:
            scores[t] = _score_task(metric, task)
        except ValueError as exc:
            raise ValueError(f"{task_label(t, task_names)}: {exc}") from exc
    return scores


def _indicator_cells(task, scores):
    """One-vs-rest decisions of a task: (truth, prediction, weight), flat.

    A binary task gives one decision per row, about its positive class; a
    multiclass task one per row and class.
    """
    if scores and task.y_pred.ndim == 1:
        classes = np.asarray([_positive_label(task)])
        predicted = task.y_pred[:, np.newaxis]
    elif scores:
        classes = _multiclass_labels(task)
        predicted = task.y_pred
    else:
        classes = _seen_classes(task)
        if classes.shape[0] <= 2:
            classes = classes[-1:]
        predicted = (task.y_pred[:, np.newaxis] == classes).astype(np.int64)
    truth = (task.y_true[:, np.newaxis] == classes).astype(np.int64)
    weight = None if task.weight is None else np.repeat(task.weight, classes.shape[0])
    return truth.ravel(), predicted.ravel(), weight


def _code_cells(tasks):
    """Labels of all tasks as codes, one per (task, class) pair."""
    true_codes, pred_codes, offset = [], [], 0
    for task in tasks:
        labels, codes = np.unique(
            np.concatenate([task.y_true, task.y_pred]), return_inverse=True
        )
        true_codes.append(codes[: task.support] + offset)
        pred_codes.append(codes[task.support :] + offset)
        offset += labels.shape[0]
    return true_codes, pred_codes


def _pooled_score(metric, tasks):
    """The metric on the observed cells of all tasks pooled (micro average)."""
    micro = metric.spec.micro
    if micro == "cell_mean":
        scores = [_score_task(metric, task) for task in tasks]
        support = [
            task.support if task.weight is None else task.weight.sum() for task in tasks
        ]
        return float(np.average(scores, weights=support))
    if micro == "indicator":
        scores = metric.spec.kind == "scores"
        truth, predicted, weight = zip(
            *[_indicator_cells(task, scores) for task in tasks]
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
    if average == "micro":
        return _pooled_score(metric, tasks)
    scores = _task_scores(metric, tasks, task_names)
    if average is None:
        return scores
    support = None if average == "macro" else [task.support for task in tasks]
    return float(np.average(scores, weights=support))


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

    Raises
    ------
    ValueError
        If a task has no observed label (for instance in a cross-validation
        fold), naming the task.

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
