"""Grouped bars of per-task scores: several models side by side, task by task."""

import json
import numbers
import os
from collections.abc import Mapping
from functools import partial

import numpy as np
from sklearn.metrics import (
    accuracy_score,
    balanced_accuracy_score,
    f1_score,
    mean_absolute_error,
    mean_squared_error,
    r2_score,
    roc_auc_score,
)

from .._targets import observed_targets
from ..metrics._multilabel_columns import _COLUMNS
from ._base import add_legend, check_matplotlib, new_axes, task_names_or_default

# name -> (metric(y_true, y_pred), greater_is_better)
_METRICS = {
    "accuracy": (accuracy_score, True),
    "balanced_accuracy": (balanced_accuracy_score, True),
    "f1": (partial(f1_score, zero_division=0), True),
    "f1_macro": (partial(f1_score, average="macro", zero_division=0), True),
    "roc_auc": (roc_auc_score, True),
    "r2": (r2_score, True),
    "mean_absolute_error": (mean_absolute_error, False),
    "mean_squared_error": (mean_squared_error, False),
}


def _plain(values):
    """An object column of observed labels as an array of their common type."""
    return np.asarray(values.tolist()) if values.dtype == object else values


def _task_scores(y_true, y_pred, metric):
    """Score of each task on its observed labels; NaN for a task with none.

    Returns
    -------
    scores : ndarray of shape (n_tasks,)
    """
    y_true, mask = observed_targets(y_true)
    y_pred = np.asarray(y_pred)
    if y_pred.ndim == 1:
        y_pred = y_pred.reshape(-1, 1)
    if y_pred.shape != y_true.shape:
        raise ValueError(
            f"y_pred of shape {y_pred.shape} does not match y_true of shape "
            f"{y_true.shape}."
        )
    scores = np.full(y_true.shape[1], np.nan)
    for t in range(y_true.shape[1]):
        rows = mask[:, t]
        if rows.any():
            scores[t] = metric(_plain(y_true[rows, t]), _plain(y_pred[rows, t]))
    return scores


def _resolve_metric(metric, greater_is_better):
    """``(callable, greater_is_better, name)`` for a metric name or callable."""
    if isinstance(metric, str):
        if metric not in _METRICS:
            raise ValueError(
                f"unknown metric {metric!r}; choose from {sorted(_METRICS)} or "
                "pass a callable metric(y_true, y_pred)."
            )
        function, default = _METRICS[metric]
        return (
            function,
            default if greater_is_better is None else greater_is_better,
            metric,
        )
    if not callable(metric):
        raise TypeError(
            "metric must be a name or a callable metric(y_true, y_pred), got "
            f"{metric!r}."
        )
    name = getattr(metric, "__name__", "score")
    return metric, True if greater_is_better is None else greater_is_better, name


def _split_mean_std(split_scores):
    """Mean and sample standard deviation over splits, skipping NaN scores.

    A task scored in one split only has a standard deviation of 0; in none,
    NaN for both (no bar).
    """
    valid = ~np.isnan(split_scores)
    count = valid.sum(axis=0)
    values = np.where(valid, split_scores, 0.0)
    mean = values.sum(axis=0) / np.maximum(count, 1)
    squares = np.where(valid, (split_scores - mean) ** 2, 0.0).sum(axis=0)
    std = np.sqrt(squares / np.maximum(count - 1, 1))
    return np.where(count > 0, mean, np.nan), np.where(count > 0, std, np.nan)


def _compare_headers():
    """Metric key -> table header of ``python -m mtlearn compare``."""
    return {column.key: column.header for column in _COLUMNS}


class TaskScoreDisplay:
    """Grouped bar chart of the scores of several models, task by task.

    Each group of bars along the x axis is a task (or, for the aggregate
    results of ``python -m mtlearn compare``, a metric); within a group, one
    bar per model, with optional error bars. A star marks the best model of
    each group.

    Use :meth:`from_predictions` to score predictions of several models,
    :meth:`from_compare_results` for the results that ``python -m mtlearn
    compare --json`` saves, and :meth:`from_transfer_gain` for the result of
    :func:`mtlearn.model_selection.transfer_gain`. The constructor only stores
    the values.

    Parameters
    ----------
    scores : array-like of shape (n_models, n_groups)
        Score of each model in each group; NaN draws no bar.

    model_names : list of str of shape (n_models,)
        Names of the models, for the legend.

    group_names : list of str of shape (n_groups,)
        Names of the groups along the x axis: the tasks, or the metrics.

    errors : array-like of shape (n_models, n_groups), default=None
        Half-length of the error bar of each score (e.g. a standard deviation
        over cross-validation splits); None draws no error bars.

    score_name : str, default="score"
        Label of the y axis.

    lower_is_better : bool or array-like of bool of shape (n_groups,), default=False
        Whether lower scores are better, for all groups or per group: it
        decides which bar is starred, and a group's tick says so.

    title : str, default=None
        Title of the axes.

    best : array-like of bool of shape (n_models, n_groups), default=None
        Which bars get a star; None stars the highest score of each group
        (lowest where ``lower_is_better``), ties included.

    Attributes
    ----------
    ax_ : matplotlib Axes
        Axes of the bars.

    figure_ : matplotlib Figure
        Figure holding the axes.

    bars_ : dict of str to matplotlib BarContainer
        The bars of each model, by model name.

    best_markers_ : matplotlib Line2D or None
        The stars on the best bar of each group (None with one model or when
        not drawn).

    legend_ : matplotlib Legend or None
        The legend (None with one model): right of the axes when they are
        alone in a figure with a constrained layout, inside them otherwise.

    See Also
    --------
    TaskLossCurveDisplay : Per-task training curves of a network.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> import numpy as np
    >>> from mtlearn.plotting import TaskScoreDisplay
    >>> y_true = np.array([[0, 1], [1, np.nan], [1, 0], [0, 0]])
    >>> predictions = {
    ...     "model A": np.array([[0, 1], [1, 1], [0, 0], [0, 1]]),
    ...     "model B": np.array([[1, 1], [1, 0], [1, 0], [0, 0]]),
    ... }
    >>> disp = TaskScoreDisplay.from_predictions(y_true, predictions)
    >>> disp.scores
    array([[0.75      , 0.66666667],
           [0.75      , 1.        ]])
    >>> plt.close(disp.figure_)
    """

    def __init__(
        self,
        scores,
        *,
        model_names,
        group_names,
        errors=None,
        score_name="score",
        lower_is_better=False,
        title=None,
        best=None,
    ):
        self.scores = scores
        self.model_names = model_names
        self.group_names = group_names
        self.errors = errors
        self.score_name = score_name
        self.lower_is_better = lower_is_better
        self.title = title
        self.best = best

    def plot(self, ax=None, *, mark_best=True, bar_kw=None):
        """Draw the bars.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Axes to draw on; None makes a new figure, wide enough for the bars.

        mark_best : bool, default=True
            Star the best bar of each group (when there are several models).

        bar_kw : dict, default=None
            Keyword arguments passed to ``ax.bar`` for every model's bars.

        Returns
        -------
        display : TaskScoreDisplay
            The display, with the artists stored as attributes.
        """
        scores = np.atleast_2d(np.asarray(self.scores, dtype=np.float64))
        n_models, n_groups = scores.shape
        model_names = [str(name) for name in self.model_names]
        group_names = [str(name) for name in self.group_names]
        if len(model_names) != n_models or len(group_names) != n_groups:
            raise ValueError(
                f"scores has shape {scores.shape} but there are {len(model_names)} "
                f"model names and {len(group_names)} group names."
            )
        errors = None
        if self.errors is not None:
            errors = np.atleast_2d(np.asarray(self.errors, dtype=np.float64))
            if errors.shape != scores.shape:
                raise ValueError(
                    f"errors has shape {errors.shape}, scores {scores.shape}."
                )
        lower = np.broadcast_to(
            np.asarray(self.lower_is_better, dtype=bool), (n_groups,)
        )

        width_inches = 3.0 + 0.3 * n_groups * (n_models + 1)
        ax, figure, outside = new_axes(
            ax, "TaskScoreDisplay.plot", figsize=(min(width_inches, 16.0), 4.8)
        )
        positions = np.arange(n_groups)
        width = 0.8 / n_models
        self.bars_ = {}
        for m, name in enumerate(model_names):
            kw = {"label": name, **(bar_kw or {})}
            if errors is not None:
                kw.setdefault("yerr", errors[m])
                kw.setdefault("capsize", 2.0)
            self.bars_[name] = ax.bar(
                positions + (m - (n_models - 1) / 2) * width, scores[m], width, **kw
            )

        self.best_markers_ = None
        if mark_best and n_models > 1:
            best = self._best(scores, lower) if self.best is None else self.best
            self.best_markers_ = self._mark_best(
                ax, scores, errors, np.asarray(best, dtype=bool), width
            )
        lowest = scores if errors is None else scores - np.nan_to_num(errors)
        if np.nanmin(lowest, initial=0.0) < 0:  # bars on both sides of zero
            ax.axhline(0.0, color="black", linewidth=0.8)
        labels = [
            f"{name}\n(lower is better)" if low else name
            for name, low in zip(group_names, lower)
        ]
        # Tilt the labels when the longest line of one would overflow its group.
        group_inches = ax.get_position().width * figure.get_figwidth() / n_groups
        longest = max(len(line) for label in labels for line in label.split("\n"))
        tilt = longest * 0.085 > 0.9 * group_inches
        ax.set_xticks(
            positions,
            labels,
            rotation=45 if tilt else 0,
            ha="right" if tilt else "center",
            rotation_mode="anchor" if tilt else "default",
        )
        ax.set_ylabel(self.score_name)
        ax.set_xlim(-0.6, n_groups - 0.4)
        ax.grid(axis="y", alpha=0.3)
        ax.set_axisbelow(True)
        if self.title is not None:
            ax.set_title(self.title)
        self.legend_ = None
        if n_models > 1:
            handles = list(self.bars_.values())
            if self.best_markers_ is not None:
                handles.append(self.best_markers_)
            self.legend_ = add_legend(ax, handles, outside)
        self.ax_ = ax
        self.figure_ = figure
        return self

    @staticmethod
    def _best(scores, lower):
        """Mask of the best score(s) of each group, ties included."""
        with np.errstate(invalid="ignore"):
            signed = np.where(lower, -scores, scores)
            top = np.nanmax(np.where(np.isnan(signed), -np.inf, signed), axis=0)
            return np.isclose(signed, top) & ~np.isnan(signed)

    @staticmethod
    def _mark_best(ax, scores, errors, best, width):
        """Star the ``best`` bars, just above the bar (and its error bar)."""
        n_models = scores.shape[0]
        tops = scores if errors is None else scores + np.nan_to_num(errors)
        span = np.nanmax(np.abs(tops), initial=1.0) or 1.0
        models, groups = np.nonzero(best)
        (markers,) = ax.plot(
            groups + (models - (n_models - 1) / 2) * width,
            np.maximum(tops[models, groups], 0.0) + 0.03 * span,
            linestyle="none",
            marker="*",
            markersize=8,
            color="black",
            label="best in group",
        )
        return markers

    @classmethod
    def from_predictions(
        cls,
        y_true,
        y_pred,
        *,
        metric="accuracy",
        greater_is_better=None,
        task_names=None,
        ax=None,
        mark_best=True,
        bar_kw=None,
    ):
        """Score each model's predictions task by task, then draw the bars.

        Each task is scored on the rows where its true label is observed;
        missing labels (NaN, None, ``pd.NA``) are skipped, and a task with
        no observed label gets no bar.

        Parameters
        ----------
        y_true : array-like of shape (n_samples,) or (n_samples, n_tasks)
            True labels or targets, with missing labels; the column names of
            a DataFrame name the tasks.

        y_pred : dict of str to array-like, or array-like
            Predictions of each model by model name, each of the shape of
            ``y_true`` (scores of the positive class for ``"roc_auc"``); a
            single array is one model named ``"model"``.

        metric : str or callable, default="accuracy"
            ``metric(y_true, y_pred) -> float`` applied to each task's
            observed rows, or one of ``"accuracy"``, ``"balanced_accuracy"``,
            ``"f1"`` (binary tasks with labels 0/1), ``"f1_macro"``,
            ``"roc_auc"``, ``"r2"``, ``"mean_absolute_error"``,
            ``"mean_squared_error"``.

        greater_is_better : bool, default=None
            Whether higher values of ``metric`` are better (which bar gets a
            star); None: known from the metric's name, True for a callable.

        task_names : list of str of shape (n_tasks,), default=None
            Names of the tasks; None takes the columns of a DataFrame
            ``y_true``, or ``task 0``, ``task 1``...

        ax : matplotlib Axes, default=None
            Axes to draw on; None makes a new figure.

        mark_best : bool, default=True
            Star the best model of each task.

        bar_kw : dict, default=None
            Keyword arguments passed to ``ax.bar``.

        Returns
        -------
        display : TaskScoreDisplay
            With ``scores`` of shape (n_models, n_tasks).
        """
        check_matplotlib("TaskScoreDisplay.from_predictions")
        function, greater, metric_name = _resolve_metric(metric, greater_is_better)
        if not isinstance(y_pred, Mapping):
            y_pred = {"model": y_pred}
        if not y_pred:
            raise ValueError("y_pred is empty: give the predictions of a model.")
        scores = np.array(
            [_task_scores(y_true, pred, function) for pred in y_pred.values()]
        )
        if task_names is None and hasattr(y_true, "columns"):
            task_names = list(y_true.columns)
        display = cls(
            scores,
            model_names=list(y_pred),
            group_names=task_names_or_default(task_names, scores.shape[1]),
            score_name=metric_name,
            lower_is_better=not greater,
        )
        return display.plot(ax, mark_best=mark_best, bar_kw=bar_kw)

    @classmethod
    def from_compare_results(cls, results, *, ax=None, mark_best=True, bar_kw=None):
        """Draw the test-set metrics of ``python -m mtlearn compare``.

        One group of bars per metric (Hamming loss, micro-, macro- and
        example-F1, subset accuracy), one bar per model; the legend gives
        each model's fit time, and the title the data set.

        Parameters
        ----------
        results : dict or path-like
            The results as ``python -m mtlearn compare --json PATH`` saves
            them, or the path of that JSON file.

        ax : matplotlib Axes, default=None
            Axes to draw on; None makes a new figure.

        mark_best : bool, default=True
            Star the best model of each metric.

        bar_kw : dict, default=None
            Keyword arguments passed to ``ax.bar``.

        Returns
        -------
        display : TaskScoreDisplay
            With ``scores`` of shape (n_models, n_metrics).
        """
        check_matplotlib("TaskScoreDisplay.from_compare_results")
        if isinstance(results, (str, os.PathLike)):
            with open(results, encoding="utf-8") as file:
                results = json.load(file)
        models = results.get("models") if isinstance(results, Mapping) else None
        if not models:
            raise ValueError(
                "results must be the output of `python -m mtlearn compare --json`, "
                "with a non-empty 'models' entry."
            )
        first = next(iter(models.values()))
        keys = [
            key
            for key, value in first.items()
            if key != "fit_seconds"
            and isinstance(value, numbers.Real)
            and not isinstance(value, bool)
        ]
        headers = _compare_headers()
        lower = set(results.get("lower_is_better", []))
        model_names = [
            f"{name} (fit {entry['fit_seconds']:.2g} s)"
            if "fit_seconds" in entry
            else name
            for name, entry in models.items()
        ]
        dataset = results.get("dataset", {}).get("name")
        best = None
        if "best" in results:  # the table's stars, ties as the table rounds them
            best = [
                [name in results["best"].get(key, ()) for key in keys]
                for name in models
            ]
        display = cls(
            [[entry[key] for key in keys] for entry in models.values()],
            model_names=model_names,
            group_names=[headers.get(key, key) for key in keys],
            score_name="test-set value",
            lower_is_better=[key in lower for key in keys],
            title=None if dataset is None else f"Test-set metrics on {dataset}",
            best=best,
        )
        return display.plot(ax, mark_best=mark_best, bar_kw=bar_kw)

    @classmethod
    def from_transfer_gain(cls, result, *, kind="scores", ax=None, bar_kw=None):
        """Draw what multi-task learning gains over single-task learning.

        Parameters
        ----------
        result : mapping
            The result of :func:`mtlearn.model_selection.transfer_gain`, or
            any mapping with the keys ``task_names`` (integer names read
            ``task 0``, ``task 1``...), ``multitask_scores``
            and ``single_task_scores`` (each of shape (n_splits, n_tasks)),
            for ``kind="gain"`` also ``gain`` (of shape (n_tasks,), or
            (n_splits, n_tasks)) and ``gain_std`` (of shape (n_tasks,)).

        kind : {"scores", "gain"}, default="scores"
            ``"scores"``: for each task, the multi-task and the single-task
            mean score over the splits side by side, with the sample
            standard deviation over the splits as error bars (splits where
            a task has no score, NaN, are skipped). ``"gain"``: one bar per
            task, the gain, with ``gain_std`` as error bars.

        ax : matplotlib Axes, default=None
            Axes to draw on; None makes a new figure.

        bar_kw : dict, default=None
            Keyword arguments passed to ``ax.bar``.

        Returns
        -------
        display : TaskScoreDisplay
            With ``scores`` of shape (2, n_tasks) for ``"scores"``, (1,
            n_tasks) for ``"gain"``.
        """
        check_matplotlib("TaskScoreDisplay.from_transfer_gain")
        if kind not in ("scores", "gain"):
            raise ValueError(f"kind must be 'scores' or 'gain', got {kind!r}.")
        needed = ["task_names"] + (
            ["multitask_scores", "single_task_scores"] if kind == "scores" else ["gain"]
        )
        missing = [key for key in needed if key not in result]
        if missing:
            raise ValueError(
                f"result has no {', '.join(map(repr, missing))}: expected the "
                "output of mtlearn.model_selection.transfer_gain."
            )
        task_names = [
            f"task {name}" if isinstance(name, numbers.Integral) else str(name)
            for name in result["task_names"]
        ]
        n_tasks = len(task_names)
        if kind == "scores":
            scores, errors = zip(
                *(
                    _split_mean_std(
                        np.asarray(result[key], dtype=np.float64).reshape(-1, n_tasks)
                    )
                    for key in ("multitask_scores", "single_task_scores")
                )
            )
            model_names = ["multi-task", "single-task"]
            score_name = "score (mean over splits ± std)"
        else:
            gain = np.asarray(result["gain"], dtype=np.float64)
            if gain.ndim == 2:
                gain, gain_std = _split_mean_std(gain)
            else:
                gain_std = result.get("gain_std")
            scores = [gain.reshape(n_tasks)]
            errors = None if gain_std is None else [np.reshape(gain_std, n_tasks)]
            model_names = ["transfer gain"]
            score_name = "transfer gain (multi-task over single-task)"
        display = cls(
            scores,
            model_names=model_names,
            group_names=task_names,
            errors=errors,
            score_name=score_name,
        )
        return display.plot(ax, bar_kw=bar_kw)
