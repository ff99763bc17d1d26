"""A per-task text (or dict) report of classification or regression metrics."""

import numbers

import numpy as np
from sklearn.utils.multiclass import type_of_target

from .._targets import task_label
from ._base import (
    _defined_mean,
    _Metric,
    _observed_tasks,
    _pooled_score,
    _seen_classes,
    _task_scores,
)

__all__ = ["multitask_report"]

_KINDS = ("auto", "classification", "regression")
_AVERAGE_ROWS = ("macro avg", "weighted avg", "micro avg")


def _report_kind(tasks, kind, task_names):
    if kind not in _KINDS:
        raise ValueError(f"kind must be one of {list(_KINDS)}, got {kind!r}.")
    if kind != "auto":
        return kind
    continuous = [
        task.undefined is None and type_of_target(task.y_true) == "continuous"
        for task in tasks
    ]
    if not any(task.undefined is None for task in tasks):
        raise ValueError("no task of y_true has an observed label to report on.")
    if all(continuous):
        return "regression"
    if not any(continuous):
        return "classification"
    names = [task_label(t, task_names) for t, c in enumerate(continuous) if c]
    raise ValueError(
        f"{', '.join(names)} of y_true hold continuous values but the other tasks "
        "hold labels; pass kind='classification' or kind='regression'."
    )


def _roc_auc_column(y_true, y_score, tasks, names, sample_weight, notes):
    """Per-task and pooled ROC-AUC; NaN for a task with one observed class."""
    classes = [_seen_classes(task) for task in tasks]
    score_tasks, _ = _observed_tasks(y_true, y_score, sample_weight, classes, names)
    one_class = [
        task.undefined is None and np.unique(task.y_true).shape[0] < 2
        for task in score_tasks
    ]
    metric = _Metric("roc_auc", {})
    values = _task_scores(metric, score_tasks, names, undefined=one_class)
    for t in np.flatnonzero(one_class):
        notes.append(
            f"ROC-AUC of {task_label(t, names)} is undefined (nan): its observed "
            "labels hold one class; the averages leave it out."
        )
    try:
        pooled = _pooled_score(metric, score_tasks)
    except ValueError as exc:
        pooled = np.nan
        notes.append(f"The micro ROC-AUC is undefined (nan): {exc}")
    return values, pooled


def _columns(y_true, y_score, tasks, names, sample_weight, kind, notes):
    """Per-task values and micro averages of each column of the report."""
    if kind == "regression":
        if y_score is not None:
            raise ValueError("y_score is for classification; got kind='regression'.")
        return {
            name: (_task_scores(_Metric(name, {}), tasks, names), None)
            for name in ("r2", "rmse", "mae")
        }
    columns = {}
    for name in ("accuracy", "f1"):
        metric = _Metric(name, {})
        columns[name] = (
            _task_scores(metric, tasks, names),
            _pooled_score(metric, tasks),
        )
    if y_score is not None:
        columns["roc_auc"] = _roc_auc_column(
            y_true, y_score, tasks, names, sample_weight, notes
        )
    return columns


def _format_table(rows, digits):
    headers = list(next(iter(rows.values())))
    name_width = max(len(name) for name in rows)
    width = max(max(len(h) for h in headers), digits + 3)
    lines = [" " * name_width + "".join(f" {h:>{width}}" for h in headers), ""]
    for name, row in rows.items():
        if name == _AVERAGE_ROWS[0]:
            lines.append("")
        cells = [
            f" {value:>{width}d}"
            if key == "support"
            else f" {value:>{width}.{digits}f}"
            for key, value in row.items()
        ]
        lines.append(f"{name:>{name_width}}" + "".join(cells))
    return "\n".join(lines) + "\n"


def multitask_report(
    y_true,
    y_pred,
    *,
    y_score=None,
    task_names=None,
    kind="auto",
    digits=3,
    output_dict=False,
    sample_weight=None,
    classes=None,
):
    """Build a text report of the main metrics of each task and their averages.

    Each task is scored on its observed labels only (missing labels are NaN,
    None or ``pd.NA`` in ``y_true``), then the tasks are averaged.

    - Classification: accuracy; F1, of the positive class (the larger label)
      for a binary task and the macro F1 over its classes for a multiclass
      task; ROC-AUC when ``y_score`` is given (one-vs-rest for a multiclass
      task). The ROC-AUC of a task whose observed labels hold one class is
      undefined: the report shows NaN, says so below the table, and leaves it
      out of the macro and weighted averages.
    - Regression: R², root mean squared error, mean absolute error.

    The averages are ``macro avg`` (the mean over tasks), ``weighted avg``
    (weighted by each task's support, its number of observed labels) and,
    for classification, ``micro avg`` (computed once on the observed cells of
    all tasks pooled: see :func:`multitask_score`).

    Parameters
    ----------
    y_true : array-like of shape (n_samples,) or (n_samples, n_tasks)
        True labels or targets; missing labels as NaN, None or ``pd.NA``.
    y_pred : array-like of shape (n_samples,) or (n_samples, n_tasks)
        Predicted labels or targets.
    y_score : array-like of shape (n_samples, n_tasks) or list, default=None
        Scores for ROC-AUC: a list with one array of shape
        (n_samples, n_classes_t) per task (the output of ``predict_proba``),
        or a matrix of shape (n_samples, n_tasks) of positive-class scores of
        binary tasks.
    task_names : array-like of str, default=None
        Names of the rows. Default: the columns of ``y_true`` when it is a
        DataFrame, else ``"task 0"``, ``"task 1"``, ...
    kind : {"auto", "classification", "regression"}, default="auto"
        Which metrics to report. ``"auto"``: regression if the observed values
        of every task are continuous (by
        :func:`~sklearn.utils.multiclass.type_of_target`), classification if
        none is. Integer-valued regression targets need ``kind="regression"``.
    digits : int, default=3
        Number of digits of the floating point values in the text report.
    output_dict : bool, default=False
        If True, return the report as a dict.
    sample_weight : array-like of shape (n_samples,), default=None
        Sample weights, applied within each task.
    classes : list of array-like, default=None
        The sorted classes of each task (an estimator's ``classes_``), giving
        the columns of ``y_score``. Default: the labels seen in the task's
        ``y_true`` and ``y_pred``.

    Returns
    -------
    report : str or dict
        The text table; or, with ``output_dict=True``, a dict mapping each
        task name and ``"macro avg"``, ``"weighted avg"`` (and ``"micro avg"``
        for classification) to a dict of the metrics and ``"support"``::

            {"happy": {"accuracy": 0.75, "f1": 0.8, "support": 4},
             ...
             "macro avg": {"accuracy": 0.7, "f1": 0.75, "support": 7}, ...}

    See Also
    --------
    per_task_score : One metric, per task.

    Examples
    --------
    >>> import numpy as np
    >>> from mtlearn.metrics import multitask_report
    >>> y_true = np.array([[0, 1], [1, np.nan], [1, 0], [0, 0]])
    >>> y_pred = np.array([[0, 1], [1, 1], [0, 0], [0, 1]])
    >>> print(multitask_report(y_true, y_pred, task_names=["happy", "sad"]))
                 accuracy       f1  support
    <BLANKLINE>
           happy    0.750    0.667        4
             sad    0.667    0.667        3
    <BLANKLINE>
       macro avg    0.708    0.667        7
    weighted avg    0.714    0.667        7
       micro avg    0.714    0.667        7
    <BLANKLINE>
    >>> multitask_report(y_true, y_pred, output_dict=True)["task 1"]
    {'accuracy': 0.666..., 'f1': 0.666..., 'support': 3}
    """
    if (
        not isinstance(digits, numbers.Integral)
        or isinstance(digits, bool)
        or digits < 0
    ):
        raise ValueError(f"digits must be a non-negative int, got {digits!r}.")
    tasks, names = _observed_tasks(y_true, y_pred, sample_weight, classes, task_names)
    kind = _report_kind(tasks, kind, names)
    notes = [
        f"The scores of {task_label(t, names)} are undefined (nan): "
        f"{task.undefined}; the averages leave it out."
        for t, task in enumerate(tasks)
        if task.undefined is not None
    ]
    columns = _columns(y_true, y_score, tasks, names, sample_weight, kind, notes)
    support = np.array([task.support for task in tasks])
    labels = (
        [f"task {t}" for t in range(len(tasks))]
        if names is None
        else [str(name) for name in names]
    )
    rows = {}
    for t, label in enumerate(labels):
        rows[label] = {name: float(v[t]) for name, (v, _) in columns.items()}
        rows[label]["support"] = int(support[t])
    averages = {
        "macro avg": {n: _defined_mean(v) for n, (v, _) in columns.items()},
        "weighted avg": {n: _defined_mean(v, support) for n, (v, _) in columns.items()},
    }
    if kind == "classification":
        averages["micro avg"] = {n: float(m) for n, (_, m) in columns.items()}
    for row in averages.values():
        row["support"] = int(support.sum())
    rows.update(averages)
    if output_dict:
        return rows
    text = _format_table(rows, digits)
    if notes:
        text += "\n" + "\n".join(notes) + "\n"
    return text
