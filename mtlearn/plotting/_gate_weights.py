"""Heatmap of the gate weights of a mixture-of-experts network: tasks x experts."""

import numpy as np
from sklearn.utils.validation import check_is_fitted

from ._base import check_matplotlib, new_axes, task_names_or_default


def _default_expert_names(network, n_experts, task_names):
    """``expert 0``... for the shared experts, then each task's own experts.

    A mixture of experts orders its experts as the ``n_experts`` shared
    ones, then ``n_task_experts`` of task 0, of task 1...
    """
    n_shared = getattr(network, "n_experts", None)
    n_own = getattr(network, "n_task_experts", 0) or 0
    n_tasks = len(task_names)
    if n_shared is None or n_shared + n_tasks * n_own != n_experts:
        return None
    names = [f"expert {e}" for e in range(n_shared)]
    for task in task_names:
        names += [f"{task}: own {k}" for k in range(n_own)]
    return names


def _mean_gate_weights(network, X):
    """Mean over the rows of ``X`` of each task's gate weights.

    ``network.gate_weights(X)`` gives, per task, an (n_samples, n_experts)
    array (a list, or one 3-D array).
    """
    per_task = network.gate_weights(X)
    if isinstance(per_task, np.ndarray) and per_task.ndim == 2:
        per_task = [per_task]  # one task (one-dimensional y): one array
    return np.stack(
        [np.mean(np.asarray(w, dtype=np.float64), axis=0) for w in per_task]
    )


class GateWeightDisplay:
    """Which experts each task of a mixture-of-experts network attends to.

    A heatmap with one row per task and one column per expert: the weight
    the task's gate gives the expert, averaged over samples. Tasks that
    share structure tend to use the same experts; tasks that share nothing,
    different ones; one column holding most of the weight of every row is an
    expert that took everything (gate collapse).

    Use :meth:`from_estimator` to build the display from a fitted
    :class:`~mtlearn.neural_network.MixtureOfExpertsClassifier` or
    :class:`~mtlearn.neural_network.MixtureOfExpertsRegressor` (its
    ``mean_gate_weights_`` on the training data, or the mean of
    ``gate_weights(X)`` on given rows); the constructor only stores the
    weights.

    Parameters
    ----------
    gate_weights : array-like of shape (n_tasks, n_experts)
        Mean gate weight of each task (row) on each expert (column).

    task_names : array-like of str of shape (n_tasks,), default=None
        Names of the tasks; None labels them ``task 0``, ``task 1``...

    expert_names : array-like of str of shape (n_experts,), default=None
        Names of the experts; None labels them ``expert 0``, ``expert 1``...

    estimator_name : str, default=None
        Name of the estimator, shown in the title.

    Attributes
    ----------
    im_ : matplotlib AxesImage
        The heatmap.

    text_ : ndarray of shape (n_tasks, n_experts), dtype=object, or None
        The annotations of the cells (matplotlib Text), None when not drawn.

    colorbar_ : matplotlib Colorbar or None
        The colorbar, None when not drawn.

    ax_ : matplotlib Axes
        Axes of the heatmap.

    figure_ : matplotlib Figure
        Figure holding the axes.

    See Also
    --------
    TaskWeightCurveDisplay : Task-loss weights of a network, epoch by epoch.
    TaskCorrelationDisplay : Correlation between the tasks' targets.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from mtlearn.plotting import GateWeightDisplay
    >>> disp = GateWeightDisplay(
    ...     [[0.7, 0.2, 0.1], [0.1, 0.1, 0.8]], task_names=["click", "buy"]
    ... ).plot()
    >>> disp.text_[1, 2].get_text()
    '0.80'
    >>> plt.close(disp.figure_)

    From a fitted mixture of experts, on two groups of tasks that share
    nothing:

    >>> from mtlearn.datasets import make_multitask_classification
    >>> from mtlearn.neural_network import MixtureOfExpertsClassifier
    >>> X, y = make_multitask_classification(
    ...     n_samples=200, n_tasks=4, n_groups=2, random_state=0
    ... )
    >>> clf = MixtureOfExpertsClassifier(
    ...     n_experts=3, expert_layer_sizes=(8,), learning_rate_init=1e-2,
    ...     tol=1e-2, random_state=0,
    ... ).fit(X, y)
    >>> disp = GateWeightDisplay.from_estimator(clf)
    >>> disp.im_.get_array().shape
    (4, 3)
    >>> plt.close(disp.figure_)
    """

    def __init__(
        self, gate_weights, *, task_names=None, expert_names=None, estimator_name=None
    ):
        self.gate_weights = gate_weights
        self.task_names = task_names
        self.expert_names = expert_names
        self.estimator_name = estimator_name

    def plot(
        self,
        ax=None,
        *,
        annotate="auto",
        values_format=".2f",
        cmap="viridis",
        colorbar=True,
        im_kw=None,
        text_kw=None,
    ):
        """Draw the heatmap.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Axes to draw on; None makes a new figure.

        annotate : bool or "auto", default="auto"
            Write each cell's weight in it; "auto" annotates up to 16 tasks
            and 16 experts.

        values_format : str, default=".2f"
            Format of the weights in the cells.

        cmap : str or matplotlib Colormap, default="viridis"
            Colormap, spread from 0 to 1 (gate weights are probabilities).

        colorbar : bool, default=True
            Draw a colorbar.

        im_kw : dict, default=None
            Keyword arguments passed to ``ax.imshow``.

        text_kw : dict, default=None
            Keyword arguments passed to ``ax.text`` for the annotations.

        Returns
        -------
        display : GateWeightDisplay
            The display, with the artists stored as attributes.
        """
        weights = np.asarray(self.gate_weights, dtype=np.float64)
        if weights.ndim != 2 or 0 in weights.shape:
            raise ValueError(
                "gate_weights must be of shape (n_tasks, n_experts), got shape "
                f"{weights.shape}."
            )
        if not np.all(np.isfinite(weights)):
            raise ValueError("gate_weights must be finite.")
        n_tasks, n_experts = weights.shape
        tasks = task_names_or_default(self.task_names, n_tasks)
        experts = self._expert_names(n_experts)
        width = min(3.0 + 0.7 * n_experts, 14.0)
        height = min(2.0 + 0.5 * n_tasks, 12.0)
        ax, figure, _ = new_axes(ax, "GateWeightDisplay.plot", figsize=(width, height))
        kw = {"cmap": cmap, "vmin": 0.0, "vmax": 1.0, "aspect": "auto"}
        self.im_ = ax.imshow(weights, **{**kw, **(im_kw or {})})

        if annotate == "auto":
            annotate = n_tasks <= 16 and n_experts <= 16
        self.text_ = None
        if annotate:
            self.text_ = np.empty((n_tasks, n_experts), dtype=object)
            fontsize = "small" if max(n_tasks, n_experts) <= 8 else "x-small"
            for i, j in np.ndindex(n_tasks, n_experts):
                value = weights[i, j]
                # Light text on the dark end of the colormap.
                color = "white" if value < 0.5 else "black"
                kw = {"ha": "center", "va": "center", "color": color}
                self.text_[i, j] = ax.text(
                    j,
                    i,
                    format(value, values_format),
                    **{**kw, "fontsize": fontsize, **(text_kw or {})},
                )
        ax.set_xticks(
            np.arange(n_experts), experts, rotation=45, ha="right",
            rotation_mode="anchor",
        )  # fmt: skip
        ax.set_yticks(np.arange(n_tasks), tasks)
        ax.set_xlabel("expert")
        ax.set_ylabel("task")
        title = "Mean gate weight of each task on each expert"
        if self.estimator_name is not None:
            title = f"{self.estimator_name}: {title[0].lower()}{title[1:]}"
        ax.set_title(title)
        self.colorbar_ = None
        if colorbar:
            self.colorbar_ = figure.colorbar(self.im_, ax=ax)
            self.colorbar_.set_label("gate weight")
        self.ax_ = ax
        self.figure_ = figure
        return self

    def _expert_names(self, n_experts):
        if self.expert_names is None:
            return [f"expert {e}" for e in range(n_experts)]
        names = [str(name) for name in self.expert_names]
        if len(names) != n_experts:
            raise ValueError(
                f"expert_names has {len(names)} entries but there are "
                f"{n_experts} experts."
            )
        return names

    @classmethod
    def from_estimator(
        cls,
        estimator,
        X=None,
        *,
        expert_names=None,
        ax=None,
        annotate="auto",
        values_format=".2f",
        cmap="viridis",
        colorbar=True,
        im_kw=None,
        text_kw=None,
    ):
        """Draw the mean gate weights of a fitted mixture-of-experts network.

        Parameters
        ----------
        estimator : estimator object
            A fitted :class:`~mtlearn.neural_network.MixtureOfExpertsClassifier`
            or :class:`~mtlearn.neural_network.MixtureOfExpertsRegressor`, or
            a fitted :class:`~sklearn.pipeline.Pipeline` ending with one.

        X : {array-like, sparse matrix} of shape (n_samples, n_features), \
                default=None
            Rows on which to average ``gate_weights(X)`` (passed through the
            pipeline's transformers first); None uses the estimator's
            ``mean_gate_weights_`` on its training data.

        expert_names : array-like of str of shape (n_experts,), default=None
            Names of the experts; None labels the shared experts ``expert 0``,
            ``expert 1``... and the task experts (``n_task_experts > 0``)
            ``<task>: own 0``...

        ax : matplotlib Axes, default=None
            Axes to draw on; None makes a new figure.

        annotate : bool or "auto", default="auto"
            Write each cell's weight in it; "auto" annotates up to 16 tasks
            and 16 experts.

        values_format : str, default=".2f"
            Format of the weights in the cells.

        cmap : str or matplotlib Colormap, default="viridis"
            Colormap, spread from 0 to 1.

        colorbar : bool, default=True
            Draw a colorbar.

        im_kw : dict, default=None
            Keyword arguments passed to ``ax.imshow``.

        text_kw : dict, default=None
            Keyword arguments passed to ``ax.text`` for the annotations.

        Returns
        -------
        display : GateWeightDisplay
        """
        check_matplotlib("GateWeightDisplay.from_estimator")
        network = estimator[-1] if hasattr(estimator, "steps") else estimator
        check_is_fitted(network)
        if not hasattr(network, "mean_gate_weights_"):
            raise ValueError(
                f"{type(network).__name__} has no mean_gate_weights_: "
                "GateWeightDisplay needs a fitted mixture-of-experts network "
                "such as MixtureOfExpertsClassifier."
            )
        if X is None:
            weights = network.mean_gate_weights_
        else:
            if hasattr(estimator, "steps") and len(estimator.steps) > 1:
                X = estimator[:-1].transform(X)
            weights = _mean_gate_weights(network, X)
        weights = np.asarray(weights, dtype=np.float64)
        task_names = getattr(network, "task_names_", None)
        if expert_names is None and weights.ndim == 2:
            expert_names = _default_expert_names(
                network,
                weights.shape[1],
                task_names_or_default(task_names, weights.shape[0]),
            )
        display = cls(
            weights,
            task_names=task_names,
            expert_names=expert_names,
            estimator_name=type(network).__name__,
        )
        return display.plot(
            ax,
            annotate=annotate,
            values_format=values_format,
            cmap=cmap,
            colorbar=colorbar,
            im_kw=im_kw,
            text_kw=text_kw,
        )
