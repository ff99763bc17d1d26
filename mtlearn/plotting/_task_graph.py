"""Drawing of a task graph: tasks as labelled nodes, edges by weight."""

import numpy as np
from sklearn.utils.validation import check_is_fitted

from ..task_graph._graph import check_graph
from ._base import add_legend, check_matplotlib, new_axes, task_names_or_default

_LAYOUTS = ("circle", "spectral")


def _check_clusters(clusters, n_tasks):
    if clusters is None:
        return None
    clusters = np.asarray(clusters)
    if clusters.shape != (n_tasks,):
        raise ValueError(
            f"clusters must give one label per task, shape ({n_tasks},); got "
            f"shape {clusters.shape}."
        )
    return clusters


def _circle_layout(n_tasks, clusters):
    """Tasks on the unit circle, from the top clockwise; clusters together."""
    order = np.arange(n_tasks)
    if clusters is not None:
        _, codes = np.unique(clusters, return_inverse=True)
        order = np.argsort(codes, kind="stable")
    angles = np.pi / 2 - 2 * np.pi * np.arange(n_tasks) / max(n_tasks, 1)
    positions = np.empty((n_tasks, 2))
    positions[order] = np.column_stack([np.cos(angles), np.sin(angles)])
    return positions


def _spectral_layout(graph):
    """Tasks at their 2nd and 3rd normalised-Laplacian eigenvector entries.

    Strongly joined tasks land close together; the layout is scaled to
    [-1, 1] on each axis. Fewer than three tasks fall back to the circle.
    """
    n_tasks = graph.shape[0]
    if n_tasks < 3 or not np.any(graph > 0):
        return _circle_layout(n_tasks, None)
    from ..task_graph._graph import normalize

    _, vectors = np.linalg.eigh(normalize(graph, kind="normalized_laplacian"))
    positions = vectors[:, 1:3].copy()
    positions -= positions.mean(axis=0)
    scale = np.abs(positions).max(axis=0)
    return np.divide(positions, scale, out=positions, where=scale > 1e-12)


class TaskGraphDisplay:
    """Task graph drawing: tasks as labelled nodes, edges by weight.

    Each task is a node labelled with its name; each pair of tasks with a
    positive weight is joined by an edge whose width and opacity grow with
    the weight (scaled by the largest weight). Nodes may be coloured by
    cluster. Drawn with matplotlib only.

    Use :meth:`from_graph` or :meth:`from_estimator` to build and draw; the
    constructor only stores the values.

    Parameters
    ----------
    graph : ndarray of shape (n_tasks, n_tasks)
        Symmetric, non-negative task graph (the diagonal is ignored).

    task_names : list of str of shape (n_tasks,), default=None
        Names of the tasks; None labels them ``task 0``, ``task 1``...

    clusters : array-like of shape (n_tasks,), default=None
        Cluster of each task, to colour the nodes; None draws them in one
        colour.

    Attributes
    ----------
    positions_ : ndarray of shape (n_tasks, 2)
        Node coordinates used.

    edges_ : matplotlib LineCollection
        The edges (one segment per pair with a positive weight).

    nodes_ : matplotlib PathCollection
        The nodes.

    labels_ : list of matplotlib Text
        The task names.

    ax_ : matplotlib Axes
        Axes of the drawing.

    figure_ : matplotlib Figure
        Figure holding the axes.

    See Also
    --------
    mtlearn.task_graph.graph_from_targets : Estimate a graph from targets.
    TaskCorrelationDisplay : Heatmap of the task correlations.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> import numpy as np
    >>> from mtlearn.plotting import TaskGraphDisplay
    >>> graph = np.array([[0.0, 0.8, 0.1], [0.8, 0.0, 0.0], [0.1, 0.0, 0.0]])
    >>> disp = TaskGraphDisplay.from_graph(graph, task_names=["a", "b", "c"])
    >>> len(disp.edges_.get_segments())
    2
    >>> plt.close(disp.figure_)
    """

    def __init__(self, graph, *, task_names=None, clusters=None):
        self.graph = graph
        self.task_names = task_names
        self.clusters = clusters

    def plot(
        self,
        ax=None,
        *,
        layout="circle",
        max_edge_width=6.0,
        node_size=600,
        legend=True,
        edge_kw=None,
        node_kw=None,
    ):
        """Draw the graph.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Axes to draw on; None makes a new figure.

        layout : {"circle", "spectral"} or array-like of shape (n_tasks, 2), \
                default="circle"
            Node positions: ``"circle"`` puts the tasks on a circle (the
            tasks of one cluster next to each other when ``clusters`` is
            set); ``"spectral"`` at the entries of the 2nd and 3rd
            eigenvectors of the normalised Laplacian (joined tasks close
            together, the tasks of a disconnected block may overlap); an
            array gives the coordinates.

        max_edge_width : float, default=6.0
            Line width of the heaviest edge; the others scale with their
            weight.

        node_size : float, default=600
            Marker area of the nodes, in points squared.

        legend : bool, default=True
            Show a legend of the clusters, when ``clusters`` is set.

        edge_kw : dict, default=None
            Keyword arguments passed to the edges' ``LineCollection``.

        node_kw : dict, default=None
            Keyword arguments passed to ``ax.scatter`` for the nodes.

        Returns
        -------
        display : TaskGraphDisplay
            The display, with the artists stored as attributes.
        """
        A = check_graph(self.graph)
        A = 0.5 * (A + A.T)
        np.fill_diagonal(A, 0.0)
        n_tasks = A.shape[0]
        names = task_names_or_default(self.task_names, n_tasks)
        clusters = _check_clusters(self.clusters, n_tasks)
        positions = self._positions(layout, A, clusters)
        size = min(3.0 + 0.35 * n_tasks, 12.0)
        ax, figure, outside = new_axes(
            ax, "TaskGraphDisplay.plot", figsize=(size + 1.0, size)
        )
        import matplotlib as mpl
        from matplotlib.collections import LineCollection
        from matplotlib.lines import Line2D

        s, t = np.nonzero(np.triu(A, 1))
        weights = A[s, t]
        relative = weights / weights.max() if weights.size else weights
        colors = np.zeros((weights.size, 4))
        colors[:, :3] = mpl.colors.to_rgb("0.3")
        colors[:, 3] = 0.25 + 0.75 * relative
        segments = np.stack([positions[s], positions[t]], axis=1)
        kw = {
            "linewidths": 0.5 + (max_edge_width - 0.5) * relative,
            "colors": colors,
            "zorder": 1,
            **(edge_kw or {}),
        }
        self.edges_ = ax.add_collection(LineCollection(segments, **kw))

        handles = []
        if clusters is None:
            node_colors = ["C0"] * n_tasks
        else:
            kinds, codes = np.unique(clusters, return_inverse=True)
            palette = [f"C{c % 10}" for c in range(kinds.size)]
            node_colors = [palette[c] for c in codes]
            handles = [
                Line2D(
                    [],
                    [],
                    marker="o",
                    linestyle="",
                    color=palette[c],
                    label=f"cluster {kind}",
                )
                for c, kind in enumerate(kinds)
            ]
        kw = {
            "s": node_size,
            "c": node_colors,
            "edgecolors": "white",
            "linewidths": 1.5,
            "zorder": 2,
            **(node_kw or {}),
        }
        self.nodes_ = ax.scatter(positions[:, 0], positions[:, 1], **kw)
        fontsize = "small" if n_tasks <= 12 else "x-small"
        self.labels_ = [
            ax.annotate(
                name,
                positions[i],
                xytext=(0, np.sqrt(node_size) / 2 + 3),
                textcoords="offset points",
                ha="center",
                va="bottom",
                fontsize=fontsize,
                zorder=3,
            )
            for i, name in enumerate(names)
        ]
        ax.set_aspect("equal")
        ax.margins(0.15)
        ax.autoscale_view()
        ax.set_axis_off()
        ax.set_title("Task graph")
        if handles and legend:
            add_legend(ax, handles, outside)
        self.positions_ = positions
        self.ax_ = ax
        self.figure_ = figure
        return self

    @staticmethod
    def _positions(layout, A, clusters):
        n_tasks = A.shape[0]
        if isinstance(layout, str):
            if layout not in _LAYOUTS:
                raise ValueError(
                    f"layout must be one of {_LAYOUTS} or an array of shape "
                    f"(n_tasks, 2); got {layout!r}."
                )
            if layout == "circle":
                return _circle_layout(n_tasks, clusters)
            return _spectral_layout(A)
        positions = np.asarray(layout, dtype=np.float64)
        if positions.shape != (n_tasks, 2) or not np.all(np.isfinite(positions)):
            raise ValueError(
                f"layout as coordinates must be a finite array of shape "
                f"({n_tasks}, 2); got shape {positions.shape}."
            )
        return positions

    @classmethod
    def from_graph(
        cls,
        graph,
        *,
        task_names=None,
        clusters=None,
        ax=None,
        layout="circle",
        max_edge_width=6.0,
        node_size=600,
        legend=True,
        edge_kw=None,
        node_kw=None,
    ):
        """Draw a task graph given as an array.

        Parameters
        ----------
        graph : array-like of shape (n_tasks, n_tasks)
            Symmetric, non-negative task graph, such as one of
            :mod:`mtlearn.task_graph`'s estimates (the diagonal is ignored).

        task_names : list of str of shape (n_tasks,), default=None
            Names of the tasks; None labels them ``task 0``, ``task 1``...

        clusters : array-like of shape (n_tasks,), default=None
            Cluster of each task, to colour the nodes (for instance
            :func:`mtlearn.task_graph.task_clusters` of the graph).

        ax : matplotlib Axes, default=None
            Axes to draw on; None makes a new figure.

        layout : {"circle", "spectral"} or array-like of shape (n_tasks, 2), \
                default="circle"
            Node positions (see :meth:`plot`).

        max_edge_width : float, default=6.0
            Line width of the heaviest edge.

        node_size : float, default=600
            Marker area of the nodes, in points squared.

        legend : bool, default=True
            Show a legend of the clusters, when ``clusters`` is set.

        edge_kw : dict, default=None
            Keyword arguments passed to the edges' ``LineCollection``.

        node_kw : dict, default=None
            Keyword arguments passed to ``ax.scatter`` for the nodes.

        Returns
        -------
        display : TaskGraphDisplay
        """
        check_matplotlib("TaskGraphDisplay.from_graph")
        A = check_graph(graph)
        display = cls(
            A,
            task_names=task_names_or_default(task_names, A.shape[0]),
            clusters=_check_clusters(clusters, A.shape[0]),
        )
        return display.plot(
            ax,
            layout=layout,
            max_edge_width=max_edge_width,
            node_size=node_size,
            legend=legend,
            edge_kw=edge_kw,
            node_kw=node_kw,
        )

    @classmethod
    def from_estimator(
        cls,
        estimator,
        *,
        ax=None,
        layout="circle",
        max_edge_width=6.0,
        node_size=600,
        legend=True,
        edge_kw=None,
        node_kw=None,
    ):
        """Draw the task graph of a fitted estimator (its ``task_graph_``).

        The task names are the estimator's ``task_names_`` (the columns of a
        DataFrame ``y``) when it has them, and the nodes are coloured by its
        ``task_clusters_`` when it has them (``penalty="cluster"``).

        Parameters
        ----------
        estimator : estimator object
            A fitted mtlearn estimator with a ``task_graph_`` (such as
            ``MultiTaskLinearRegression(penalty="graph", task_graph="auto")``),
            or a fitted :class:`~sklearn.pipeline.Pipeline` ending with one.

        ax : matplotlib Axes, default=None
            Axes to draw on; None makes a new figure.

        layout : {"circle", "spectral"} or array-like of shape (n_tasks, 2), \
                default="circle"
            Node positions (see :meth:`plot`).

        max_edge_width : float, default=6.0
            Line width of the heaviest edge.

        node_size : float, default=600
            Marker area of the nodes, in points squared.

        legend : bool, default=True
            Show a legend of the clusters, when there are clusters.

        edge_kw : dict, default=None
            Keyword arguments passed to the edges' ``LineCollection``.

        node_kw : dict, default=None
            Keyword arguments passed to ``ax.scatter`` for the nodes.

        Returns
        -------
        display : TaskGraphDisplay
        """
        check_matplotlib("TaskGraphDisplay.from_estimator")
        model = estimator[-1] if hasattr(estimator, "steps") else estimator
        check_is_fitted(model)
        graph = getattr(model, "task_graph_", None)
        if graph is None:
            raise ValueError(
                f"{type(model).__name__} has no task_graph_: TaskGraphDisplay "
                "needs an estimator fitted with a task graph (given, estimated "
                "or learned, e.g. penalty='graph' with task_graph='auto'). Use "
                "TaskGraphDisplay.from_graph to draw an array."
            )
        A = check_graph(graph, name="task_graph_")
        clusters = getattr(model, "task_clusters_", None)
        display = cls(
            A,
            task_names=task_names_or_default(
                getattr(model, "task_names_", None), A.shape[0]
            ),
            clusters=_check_clusters(clusters, A.shape[0]),
        )
        return display.plot(
            ax,
            layout=layout,
            max_edge_width=max_edge_width,
            node_size=node_size,
            legend=legend,
            edge_kw=edge_kw,
            node_kw=node_kw,
        )
