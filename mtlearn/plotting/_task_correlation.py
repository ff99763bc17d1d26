"""Heatmap of the pairwise correlation between tasks, aware of missing labels."""

import numpy as np
from scipy.stats import rankdata

from .._targets import check_targets, task_label
from ._base import check_matplotlib, new_axes, task_names_or_default

_METHODS = ("pearson", "spearman", "phi")


def _pearson_pairwise(values, mask):
    """Pearson correlation of every pair of columns on their co-observed rows.

    Parameters
    ----------
    values : ndarray of shape (n_samples, n_tasks)
        Targets; cells outside ``mask`` are ignored.
    mask : ndarray of shape (n_samples, n_tasks), dtype=bool
        True where a target is observed.

    Returns
    -------
    correlation : ndarray of shape (n_tasks, n_tasks)
        NaN for a pair with fewer than two co-observed rows or with a
        constant column on them.
    n_observed : ndarray of shape (n_tasks, n_tasks), dtype=int
        Number of co-observed rows of each pair.
    """
    observed = mask.astype(np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        # Centre each column on its observed mean: correlation ignores
        # shifts, and the sums below lose less precision.
        means = (np.where(mask, values, 0.0)).sum(axis=0) / observed.sum(axis=0)
        x = np.where(mask, values - means, 0.0)
        n = observed.T @ observed
        # Sums over the rows where both i and j are observed: x_i, x_i^2, x_i x_j.
        sum_i = x.T @ observed
        sum_sq_i = (x**2).T @ observed
        sum_ij = x.T @ x
        covariance = sum_ij - sum_i * sum_i.T / n
        variance_i = sum_sq_i - sum_i**2 / n
        correlation = covariance / np.sqrt(variance_i * variance_i.T)
    # Constant on the co-observed rows, up to rounding: no correlation.
    constant = variance_i <= 1e-12 * sum_sq_i
    correlation[(n < 2) | constant | constant.T] = np.nan
    return np.clip(correlation, -1.0, 1.0), n.round().astype(np.int64)


def _spearman_pairwise(values, mask):
    """Spearman correlation of every pair, ranking each pair's co-observed rows."""
    n_tasks = values.shape[1]
    correlation = np.full((n_tasks, n_tasks), np.nan)
    for i in range(n_tasks):
        for j in range(i, n_tasks):
            rows = mask[:, i] & mask[:, j]
            pair = np.column_stack(
                [rankdata(values[rows, i]), rankdata(values[rows, j])]
            )
            r, _ = _pearson_pairwise(pair, np.ones(pair.shape, dtype=bool))
            correlation[i, j] = correlation[j, i] = r[0, 1]
    observed = mask.astype(np.int64)
    return correlation, observed.T @ observed


def task_correlation(y, method="pearson"):
    """Pairwise correlation of tasks on the rows where both are observed.

    Parameters
    ----------
    y : array-like of shape (n_samples, n_tasks)
        Targets with missing labels (NaN, None, ``pd.NA``).
    method : {"pearson", "spearman", "phi"}, default="pearson"
        ``"pearson"`` and ``"spearman"`` read numeric targets as numbers;
        ``"phi"`` is for binary tasks with any two labels: the Pearson
        correlation of the indicators of each task's larger label.

    Returns
    -------
    correlation : ndarray of shape (n_tasks, n_tasks)
    n_observed : ndarray of shape (n_tasks, n_tasks)
    task_names : ndarray or None
    """
    if method not in _METHODS:
        raise ValueError(f"method must be one of {_METHODS}, got {method!r}.")
    kind = "classification" if method == "phi" else "regression"
    targets = check_targets(y, kind=kind)
    if method == "phi":
        for t, classes in enumerate(targets.classes):
            if len(classes) != 2:
                raise ValueError(
                    "method='phi' needs binary tasks, but "
                    f"{task_label(t, targets.task_names)} has "
                    f"{len(classes)} classes; use 'pearson' or 'spearman'."
                )
    values = targets.values.astype(np.float64)
    if method == "spearman":
        correlation, n_observed = _spearman_pairwise(values, targets.mask)
    else:
        correlation, n_observed = _pearson_pairwise(values, targets.mask)
    return correlation, n_observed, targets.task_names


class TaskCorrelationDisplay:
    """Heatmap of the correlation between tasks' targets.

    Each cell is the correlation of two tasks computed on the rows where
    both are observed (pairwise-complete), so missing labels cost only the
    pairs they touch. A cell is NaN (grey) when the two tasks share fewer
    than two observed rows, or one of them is constant on those rows.

    Use :meth:`from_targets` to compute and draw; the constructor only
    stores the values.

    Parameters
    ----------
    correlation : ndarray of shape (n_tasks, n_tasks)
        Correlation of each pair of tasks.

    n_observed : ndarray of shape (n_tasks, n_tasks), default=None
        Number of rows on which each pair is observed (the diagonal: each
        task's observed labels).

    task_names : list of str of shape (n_tasks,), default=None
        Names of the tasks; None labels them ``task 0``, ``task 1``...

    method : str, default="pearson"
        Correlation used, for the colorbar label.

    Attributes
    ----------
    im_ : matplotlib AxesImage
        The heatmap.

    text_ : ndarray of shape (n_tasks, n_tasks) of matplotlib Text, or None
        The cell annotations, None when not annotated.

    colorbar_ : matplotlib Colorbar or None
        The colorbar, None when not drawn.

    ax_ : matplotlib Axes
        Axes of the heatmap.

    figure_ : matplotlib Figure
        Figure holding the axes.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> import numpy as np
    >>> from mtlearn.plotting import TaskCorrelationDisplay
    >>> y = np.array([[0, 0, 1], [1, 1, np.nan], [1, 0, 0], [0, np.nan, 1]])
    >>> disp = TaskCorrelationDisplay.from_targets(y, method="phi")
    >>> disp.n_observed
    array([[4, 3, 3],
           [3, 3, 2],
           [3, 2, 3]])
    >>> plt.close(disp.figure_)
    """

    def __init__(
        self, correlation, *, n_observed=None, task_names=None, method="pearson"
    ):
        self.correlation = correlation
        self.n_observed = n_observed
        self.task_names = task_names
        self.method = method

    def plot(
        self,
        ax=None,
        *,
        annotate="auto",
        values_format=".2f",
        cmap="RdBu_r",
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
            Write each cell's correlation in it, and, when the pairs are not
            all observed on the same number of rows, the pair's count of
            co-observed rows under it; "auto" annotates up to 12 tasks.

        values_format : str, default=".2f"
            Format of the correlations in the cells.

        cmap : str or matplotlib Colormap, default="RdBu_r"
            Colormap, spread from -1 to 1; NaN cells are grey.

        colorbar : bool, default=True
            Draw a colorbar.

        im_kw : dict, default=None
            Keyword arguments passed to ``ax.imshow``.

        text_kw : dict, default=None
            Keyword arguments passed to ``ax.text`` for the annotations.

        Returns
        -------
        display : TaskCorrelationDisplay
            The display, with the artists stored as attributes.
        """
        correlation = np.asarray(self.correlation, dtype=np.float64)
        n_tasks = correlation.shape[0]
        names = task_names_or_default(self.task_names, n_tasks)
        size = min(2.5 + 0.6 * n_tasks, 12.0)
        ax, figure, _ = new_axes(
            ax, "TaskCorrelationDisplay.plot", figsize=(size + 1.5, size)
        )
        import matplotlib as mpl

        colormap = mpl.colormaps[cmap] if isinstance(cmap, str) else cmap
        colormap = colormap.with_extremes(bad="0.85")
        kw = {"cmap": colormap, "vmin": -1.0, "vmax": 1.0, **(im_kw or {})}
        self.im_ = ax.imshow(np.ma.masked_invalid(correlation), **kw)

        if annotate == "auto":
            annotate = n_tasks <= 12
        self.text_ = None
        if annotate:
            self.text_ = self._annotate(ax, correlation, values_format, text_kw)

        ax.set_xticks(
            np.arange(n_tasks), names, rotation=45, ha="right", rotation_mode="anchor"
        )
        ax.set_yticks(np.arange(n_tasks), names)
        ax.set_title("Task correlation on the rows where both are observed")
        self.colorbar_ = None
        if colorbar:
            self.colorbar_ = figure.colorbar(self.im_, ax=ax)
            self.colorbar_.set_label(f"{self.method} correlation")
        self.ax_ = ax
        self.figure_ = figure
        return self

    def _annotate(self, ax, correlation, values_format, text_kw):
        n_tasks = correlation.shape[0]
        counts = None
        if self.n_observed is not None:
            counts = np.asarray(self.n_observed)
            if np.all(counts == counts.flat[0]):
                counts = None  # every pair on the same rows: nothing to tell
        fontsize = "small" if n_tasks <= 8 else "x-small"
        text = np.empty((n_tasks, n_tasks), dtype=object)
        for i, j in np.ndindex(n_tasks, n_tasks):
            value = correlation[i, j]
            label = "n/a" if np.isnan(value) else format(value, values_format)
            if counts is not None:
                label += f"\nn={counts[i, j]}"
            color = "white" if abs(value) > 0.6 else "black"
            kw = {"ha": "center", "va": "center", "color": color, "fontsize": fontsize}
            text[i, j] = ax.text(j, i, label, **{**kw, **(text_kw or {})})
        return text

    @classmethod
    def from_targets(
        cls,
        y,
        *,
        method="pearson",
        task_names=None,
        ax=None,
        annotate="auto",
        values_format=".2f",
        cmap="RdBu_r",
        colorbar=True,
        im_kw=None,
        text_kw=None,
    ):
        """Compute the pairwise-complete correlation of tasks, then draw it.

        Parameters
        ----------
        y : array-like of shape (n_samples, n_tasks)
            Targets, with missing labels as NaN, None or ``pd.NA``; the
            column names of a DataFrame name the tasks.

        method : {"pearson", "spearman", "phi"}, default="pearson"
            ``"pearson"``: linear correlation of numeric targets (for 0/1
            labels it equals the phi coefficient). ``"spearman"``: Pearson
            correlation of the ranks, ranked on each pair's co-observed
            rows. ``"phi"``: for binary tasks with any two labels (strings
            too), the Pearson correlation of the indicators of each task's
            larger label.

        task_names : list of str of shape (n_tasks,), default=None
            Names of the tasks; None takes the columns of a DataFrame ``y``,
            or ``task 0``, ``task 1``...

        ax : matplotlib Axes, default=None
            Axes to draw on; None makes a new figure.

        annotate : bool or "auto", default="auto"
            Write the values in the cells; "auto" does up to 12 tasks.

        values_format : str, default=".2f"
            Format of the correlations in the cells.

        cmap : str or matplotlib Colormap, default="RdBu_r"
            Colormap, spread from -1 to 1.

        colorbar : bool, default=True
            Draw a colorbar.

        im_kw : dict, default=None
            Keyword arguments passed to ``ax.imshow``.

        text_kw : dict, default=None
            Keyword arguments passed to ``ax.text``.

        Returns
        -------
        display : TaskCorrelationDisplay
        """
        check_matplotlib("TaskCorrelationDisplay.from_targets")
        correlation, n_observed, names = task_correlation(y, method=method)
        if task_names is None:
            task_names = names
        display = cls(
            correlation,
            n_observed=n_observed,
            task_names=task_names_or_default(task_names, correlation.shape[0]),
            method=method,
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
