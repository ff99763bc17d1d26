"""Training curves of a multi-task network: the total loss and each task's."""

import numpy as np
from sklearn.utils.validation import check_is_fitted

from ._base import (
    add_legend,
    check_matplotlib,
    new_axes,
    select_tasks,
    task_colors,
    task_names_or_default,
)


class TaskLossCurveDisplay:
    """Per-task training loss of a multi-task network, epoch by epoch.

    A learning curve over epochs, task by task: the total training objective,
    the loss of each task, and, when the network held out a validation set
    (``early_stopping=True``), the validation score on a second y axis, with
    its best epoch marked. Diverging or stalling tasks show up as curves that
    leave the pack.

    Use :meth:`from_estimator` to build the display from a fitted
    :class:`~mtlearn.neural_network.SharedRepresentationClassifier` or
    :class:`~mtlearn.neural_network.SharedRepresentationRegressor`; the
    constructor only stores the curves.

    Parameters
    ----------
    loss_curve : array-like of shape (n_epochs,)
        Total training objective at each epoch (``loss_curve_``).

    task_loss_curves : array-like of shape (n_epochs, n_tasks)
        Each task's training loss at each epoch (``task_loss_curves_``).

    validation_scores : array-like of shape (n_epochs,), default=None
        Score on the held-out rows at each epoch (``validation_scores_``),
        higher is better; None when there was no validation set.

    task_names : array-like of str of shape (n_tasks,), default=None
        Names of the tasks for the legend; None labels them ``task 0``,
        ``task 1``...

    estimator_name : str, default=None
        Name of the estimator, shown as the title.

    Attributes
    ----------
    ax_ : matplotlib Axes
        Axes of the loss curves.

    validation_ax_ : matplotlib Axes or None
        Twin axes of the validation score, None when it is not drawn.

    figure_ : matplotlib Figure
        Figure holding the axes.

    loss_line_ : matplotlib Line2D or None
        The total loss, None when not drawn.

    task_lines_ : dict of str to matplotlib Line2D
        The drawn task curves, by task name.

    validation_line_ : matplotlib Line2D or None
        The validation score, None when not drawn.

    legend_ : matplotlib Legend
        The legend: right of the axes when they are alone in a figure with a
        constrained layout (as when the display makes the figure), inside the
        axes otherwise.

    See Also
    --------
    TaskScoreDisplay : Per-task scores of several models.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from mtlearn.datasets import make_multitask_classification
    >>> from mtlearn.neural_network import SharedRepresentationClassifier
    >>> from mtlearn.plotting import TaskLossCurveDisplay
    >>> X, y = make_multitask_classification(n_tasks=3, random_state=0)
    >>> clf = SharedRepresentationClassifier(
    ...     hidden_layer_sizes=(16,), learning_rate_init=1e-2,
    ...     early_stopping=True, tol=1e-2, random_state=0,
    ... ).fit(X, y)
    >>> disp = TaskLossCurveDisplay.from_estimator(clf, log_scale=True)
    >>> sorted(disp.task_lines_)
    ['task 0', 'task 1', 'task 2']
    >>> plt.close(disp.figure_)
    """

    def __init__(
        self,
        *,
        loss_curve,
        task_loss_curves,
        validation_scores=None,
        task_names=None,
        estimator_name=None,
    ):
        self.loss_curve = loss_curve
        self.task_loss_curves = task_loss_curves
        self.validation_scores = validation_scores
        self.task_names = task_names
        self.estimator_name = estimator_name

    def plot(
        self,
        ax=None,
        *,
        tasks=None,
        log_scale=False,
        show_total=True,
        show_validation=True,
        line_kw=None,
    ):
        """Draw the curves.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Axes to draw on; None makes a new figure.

        tasks : int, str or list of int or str, default=None
            Tasks to draw, by index or name; None draws every task.

        log_scale : bool, default=False
            Use a logarithmic scale for the losses.

        show_total : bool, default=True
            Draw the total training objective (black).

        show_validation : bool, default=True
            Draw the validation score on a twin y axis, when there is one.

        line_kw : dict, default=None
            Keyword arguments passed to ``ax.plot`` for every task curve.

        Returns
        -------
        display : TaskLossCurveDisplay
            The display, with the artists stored as attributes.
        """
        task_curves = np.asarray(self.task_loss_curves, dtype=np.float64)
        if task_curves.ndim != 2:
            raise ValueError(
                "task_loss_curves must be of shape (n_epochs, n_tasks), got shape "
                f"{task_curves.shape}."
            )
        n_epochs, n_tasks = task_curves.shape
        names = task_names_or_default(self.task_names, n_tasks)
        chosen = select_tasks(tasks, names)
        ax, figure, outside = new_axes(
            ax, "TaskLossCurveDisplay.plot", figsize=(8.0, 4.8)
        )
        epochs = np.arange(1, n_epochs + 1)
        colors = task_colors(n_tasks)

        self.loss_line_ = None
        if show_total:
            (self.loss_line_,) = ax.plot(
                epochs,
                np.asarray(self.loss_curve, dtype=np.float64),
                color="black",
                linewidth=2.0,
                label="total objective",
            )
        self.task_lines_ = {}
        for t in chosen:
            kw = {"color": colors[t], "linewidth": 1.2, **(line_kw or {})}
            (self.task_lines_[names[t]],) = ax.plot(
                epochs, task_curves[:, t], label=names[t], **kw
            )
        if log_scale:
            ax.set_yscale("log")
        ax.set_xlabel("epoch")
        ax.set_ylabel("training loss" + (" (log scale)" if log_scale else ""))
        ax.set_xlim(1, max(n_epochs, 2))
        if self.estimator_name is not None:
            ax.set_title(self.estimator_name)

        self.validation_ax_ = None
        self.validation_line_ = None
        handles = [
            *([self.loss_line_] if show_total else []),
            *self.task_lines_.values(),
        ]
        if show_validation and self.validation_scores is not None:
            scores = np.asarray(self.validation_scores, dtype=np.float64)
            self.validation_ax_ = ax.twinx()
            (self.validation_line_,) = self.validation_ax_.plot(
                epochs,
                scores,
                color="0.4",
                linestyle="--",
                linewidth=1.5,
                label="validation score (right axis)",
            )
            handles.append(self.validation_line_)
            if np.isfinite(scores).any():
                best = int(np.nanargmax(np.where(np.isfinite(scores), scores, np.nan)))
                handles.append(
                    self.validation_ax_.axvline(
                        epochs[best],
                        color="0.4",
                        linestyle=":",
                        linewidth=1.0,
                        label=f"best validation epoch ({epochs[best]})",
                    )
                )
            self.validation_ax_.set_ylabel("validation score (higher is better)")
        self.legend_ = add_legend(ax, handles, outside)
        self.ax_ = ax
        self.figure_ = figure
        return self

    @classmethod
    def from_estimator(
        cls,
        estimator,
        *,
        ax=None,
        tasks=None,
        log_scale=False,
        show_total=True,
        show_validation=True,
        line_kw=None,
    ):
        """Draw the training curves of a fitted mtlearn network.

        Parameters
        ----------
        estimator : estimator object
            A fitted :class:`~mtlearn.neural_network.SharedRepresentationClassifier`
            or :class:`~mtlearn.neural_network.SharedRepresentationRegressor`,
            or a fitted :class:`~sklearn.pipeline.Pipeline` ending with one.

        ax : matplotlib Axes, default=None
            Axes to draw on; None makes a new figure.

        tasks : int, str or list of int or str, default=None
            Tasks to draw, by index or name; None draws every task.

        log_scale : bool, default=False
            Use a logarithmic scale for the losses.

        show_total : bool, default=True
            Draw the total training objective.

        show_validation : bool, default=True
            Draw the validation score on a twin y axis, when the estimator
            was fitted with ``early_stopping=True``.

        line_kw : dict, default=None
            Keyword arguments passed to ``ax.plot`` for every task curve.

        Returns
        -------
        display : TaskLossCurveDisplay
        """
        check_matplotlib("TaskLossCurveDisplay.from_estimator")
        network = estimator[-1] if hasattr(estimator, "steps") else estimator
        check_is_fitted(network)
        if not hasattr(network, "task_loss_curves_"):
            raise ValueError(
                f"{type(network).__name__} has no task_loss_curves_: "
                "TaskLossCurveDisplay needs a fitted mtlearn network such as "
                "SharedRepresentationClassifier."
            )
        display = cls(
            loss_curve=network.loss_curve_,
            task_loss_curves=network.task_loss_curves_,
            validation_scores=getattr(network, "validation_scores_", None),
            task_names=getattr(network, "task_names_", None),
            estimator_name=type(network).__name__,
        )
        return display.plot(
            ax,
            tasks=tasks,
            log_scale=log_scale,
            show_total=show_total,
            show_validation=show_validation,
            line_kw=line_kw,
        )
