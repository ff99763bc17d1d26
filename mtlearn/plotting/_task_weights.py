"""Task-loss weights of a multi-task network, epoch by epoch."""

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


class TaskWeightCurveDisplay:
    """Weight of each task's loss in the training objective, epoch by epoch.

    What an adaptive ``task_weighting`` strategy (``"uncertainty"``,
    ``"dwa"``, ``"gradnorm"``...) did during training: one curve per task of
    the weight its loss received at each epoch. With ``"equal"`` the curves
    are flat; a task whose curve climbs was up-weighted (its loss fell more
    slowly, or its gradient was smaller, depending on the strategy).

    Use :meth:`from_estimator` to build the display from a fitted mtlearn
    network (it reads ``task_weight_curves_``); the constructor only stores
    the curves.

    Parameters
    ----------
    task_weight_curves : array-like of shape (n_epochs, n_tasks)
        Weight of each task's loss at each epoch (``task_weight_curves_``).

    task_names : array-like of str of shape (n_tasks,), default=None
        Names of the tasks for the legend; None labels them ``task 0``,
        ``task 1``...

    task_weighting : str, default=None
        Name of the strategy that set the weights, shown in the title.

    estimator_name : str, default=None
        Name of the estimator, shown in the title.

    Attributes
    ----------
    ax_ : matplotlib Axes
        Axes of the curves.

    figure_ : matplotlib Figure
        Figure holding the axes.

    task_lines_ : dict of str to matplotlib Line2D
        The drawn task curves, by task name.

    legend_ : matplotlib Legend
        The legend: right of the axes when they are alone in a figure with a
        constrained layout (as when the display makes the figure), inside the
        axes otherwise.

    See Also
    --------
    TaskLossCurveDisplay : Per-task training losses of a network.
    GateWeightDisplay : Gate weights of a mixture-of-experts network.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from mtlearn.plotting import TaskWeightCurveDisplay
    >>> disp = TaskWeightCurveDisplay(
    ...     task_weight_curves=[[1.0, 1.0], [1.2, 0.8], [1.5, 0.5]],
    ...     task_names=["price", "volume"],
    ...     task_weighting="dwa",
    ... ).plot()
    >>> sorted(disp.task_lines_)
    ['price', 'volume']
    >>> plt.close(disp.figure_)
    """

    def __init__(
        self,
        *,
        task_weight_curves,
        task_names=None,
        task_weighting=None,
        estimator_name=None,
    ):
        self.task_weight_curves = task_weight_curves
        self.task_names = task_names
        self.task_weighting = task_weighting
        self.estimator_name = estimator_name

    def plot(self, ax=None, *, tasks=None, log_scale=False, line_kw=None):
        """Draw the curves.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Axes to draw on; None makes a new figure.

        tasks : int, str or list of int or str, default=None
            Tasks to draw, by index or name; None draws every task.

        log_scale : bool, default=False
            Use a logarithmic scale for the weights (they must be positive).

        line_kw : dict, default=None
            Keyword arguments passed to ``ax.plot`` for every task curve.

        Returns
        -------
        display : TaskWeightCurveDisplay
            The display, with the artists stored as attributes.
        """
        curves = np.asarray(self.task_weight_curves, dtype=np.float64)
        if curves.ndim != 2 or curves.shape[0] == 0:
            raise ValueError(
                "task_weight_curves must be of shape (n_epochs, n_tasks) with "
                f"at least one epoch, got shape {curves.shape}."
            )
        n_epochs, n_tasks = curves.shape
        names = task_names_or_default(self.task_names, n_tasks)
        chosen = select_tasks(tasks, names)
        ax, figure, outside = new_axes(
            ax, "TaskWeightCurveDisplay.plot", figsize=(8.0, 4.8)
        )
        epochs = np.arange(1, n_epochs + 1)
        colors = task_colors(n_tasks)
        self.task_lines_ = {}
        for t in chosen:
            kw = {
                "color": colors[t],
                "linewidth": 1.2,
                "marker": "o" if n_epochs == 1 else None,
                **(line_kw or {}),
            }
            (self.task_lines_[names[t]],) = ax.plot(
                epochs, curves[:, t], label=names[t], **kw
            )
        if log_scale:
            ax.set_yscale("log")
        ax.set_xlabel("epoch")
        ax.set_ylabel("task loss weight" + (" (log scale)" if log_scale else ""))
        ax.set_xlim(1, max(n_epochs, 2))
        title = [
            *([self.estimator_name] if self.estimator_name is not None else []),
            *(
                [f"task_weighting={self.task_weighting!r}"]
                if self.task_weighting is not None
                else []
            ),
        ]
        if title:
            ax.set_title(", ".join(title))
        self.legend_ = add_legend(ax, list(self.task_lines_.values()), outside)
        self.ax_ = ax
        self.figure_ = figure
        return self

    @classmethod
    def from_estimator(
        cls, estimator, *, ax=None, tasks=None, log_scale=False, line_kw=None
    ):
        """Draw the task-loss weights of a fitted mtlearn network.

        Parameters
        ----------
        estimator : estimator object
            A fitted mtlearn network with ``task_weight_curves_`` (such as
            :class:`~mtlearn.neural_network.SharedRepresentationClassifier`
            or :class:`~mtlearn.neural_network.MixtureOfExpertsRegressor`),
            or a fitted :class:`~sklearn.pipeline.Pipeline` ending with one.

        ax : matplotlib Axes, default=None
            Axes to draw on; None makes a new figure.

        tasks : int, str or list of int or str, default=None
            Tasks to draw, by index or name; None draws every task.

        log_scale : bool, default=False
            Use a logarithmic scale for the weights.

        line_kw : dict, default=None
            Keyword arguments passed to ``ax.plot`` for every task curve.

        Returns
        -------
        display : TaskWeightCurveDisplay
        """
        check_matplotlib("TaskWeightCurveDisplay.from_estimator")
        network = estimator[-1] if hasattr(estimator, "steps") else estimator
        check_is_fitted(network)
        if getattr(network, "task_weight_curves_", None) is None:
            raise ValueError(
                f"{type(network).__name__} has no task_weight_curves_: "
                "TaskWeightCurveDisplay needs a fitted mtlearn network such as "
                "SharedRepresentationClassifier."
            )
        display = cls(
            task_weight_curves=network.task_weight_curves_,
            task_names=getattr(network, "task_names_", None),
            task_weighting=getattr(network, "task_weighting", None),
            estimator_name=type(network).__name__,
        )
        return display.plot(ax, tasks=tasks, log_scale=log_scale, line_kw=line_kw)
