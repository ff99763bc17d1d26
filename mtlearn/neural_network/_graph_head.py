"""Task-graph heads: the output layers of related tasks tied along a graph.

Two networks with the protocol of :class:`SharedTrunkNetwork` (``forward``,
``backward``, flat ``params``/``grads`` with the weights first, ``n_weights``,
``predict_logits``, ``transform``, ``initialize``, ``layers``, pickling), so
that the one training loop runs them unchanged:

:class:`GraphPenaltyNetwork` (:class:`GraphPenaltyMixin` on the trunk)
    Free heads pulled together along the graph ``A``: the penalty
    ``graph_alpha / 2 * sum_{s,t} A_st ||V_s - V_t||^2`` on the tasks'
    output-layer weights ``V_t`` (one column per binary or regression task,
    the task's whole block of ``n_outputs`` columns otherwise). Its gradient
    is added to the head weights' gradient in ``backward``. The mixin is
    the one implementation of the penalty: the mixture of experts applies
    it to its towers' output layer (``GraphPenaltyMixtureNetwork``), as it
    does :class:`GraphConvolutionMixin` (``GraphConvolutionMixtureNetwork``).
:class:`GraphConvolutionHeadNetwork` (:class:`GraphConvolutionMixin` on the trunk)
    The graph convolution of ML-GCN (Chen et al., 2019) over the heads:
    each task keeps a free head ``U_t`` and adds ``graph_alpha`` times its
    neighbours' weighted mean head, ``V = P U`` with ``P = I + graph_alpha
    D^-1 A`` (an empty graph gives the plain network).
    With ``learn_graph``, the graph is learned with the weights: ``A =
    max(S, 0)`` for a learned symmetric ``S``, ``P = I + A``,
    under the L1 penalty ``graph_alpha * sum_{s<t} A_st`` (sparse ``A``).

The graph penalties are part of the gradient, not of the loss the training
loop reports (``loss_curve_``) nor of the early-stopping score; each network
gives their value with ``graph_penalty()``.

``V`` has one row per task: the task's ``(n_in, n_outputs)`` block of the
output layer, flattened (``n_in`` the width of the layer feeding the output:
the last trunk layer, or the task's own last head layer).

References
----------
Z.-M. Chen, X.-S. Wei, P. Wang, Y. Guo, "Multi-label image recognition with
graph convolutional networks", CVPR 2019.
"""

import numpy as np

from ._network import SharedTrunkNetwork

GRAPH_HEADS = ("penalty", "gcn")
TASK_GRAPH_RULES = ("auto", "correlation", "cooccurrence", "jaccard", "learned")
GRAPH_ALPHA_DEFAULT = 0.1
GRAPH_ALPHA_WHY = """Chosen among 0.01, 0.1
        and 1 with ``task_graph="auto"`` on yeast, emotions and generated
        rare labels (5 seeds, benchmarks/bench_graph_head.py): for "gcn" 0.1
        is the best on yeast and the generated set and level with 1 on
        emotions (macro-F1 +0.002, +0.004 and +0.006 against the plain
        network; 1 loses micro-F1 on yeast and on the generated set); for
        "penalty" mixed (macro-F1 -0.007 on yeast, +0.003 on emotions; 1
        helps emotions and hurts yeast more; 0.01 changes almost nothing)."""


def resolve_task_graph(estimator, targets, encoded):
    """The graph of ``estimator.task_graph`` for the tasks of ``targets``.

    Stores the graph given or estimated (from the observed training targets,
    ``encoded`` where ``targets.mask``) in ``estimator.task_graph_`` and
    returns the graph the network uses: the same without the edges of
    constant tasks (and, for ``graph_head="penalty"``, of multiclass tasks).
    None when ``task_graph`` is None.
    """
    spec = estimator.task_graph
    if spec is None:
        if hasattr(estimator, "task_graph_"):
            del estimator.task_graph_
        return None
    n_tasks = targets.n_tasks
    if isinstance(spec, str) and spec == "learned":
        if estimator.graph_head != "gcn":
            raise ValueError(
                "task_graph='learned' needs graph_head='gcn' (a graph penalty "
                f"would be smallest with no edge), got graph_head="
                f"{estimator.graph_head!r}."
            )
        # the pairs that may get an edge; the edges: see publish_task_graph
        graph = np.ones((n_tasks, n_tasks)) - np.eye(n_tasks)
    elif isinstance(spec, str):
        from ..task_graph import estimate_task_graph

        y = np.where(targets.mask, encoded, np.nan).astype(np.float64)
        kind = "regression" if targets.classes is None else "classification"
        graph = estimate_task_graph(y, spec, target_type=kind)
        graph = check_task_graph(graph, n_tasks)
    else:
        graph = check_task_graph(spec, n_tasks)
    estimator.task_graph_ = graph
    left_out = np.zeros(n_tasks, dtype=bool)
    left_out[targets.constant] = True
    scale = getattr(estimator, "_y_scale", None)
    if scale is not None:  # a constant regression target
        left_out |= np.asarray(scale) == 0
    if estimator.graph_head == "penalty":
        left_out |= np.asarray(estimator._head_outputs) > 1
    used = graph.copy()
    used[left_out, :] = 0.0
    used[:, left_out] = 0.0
    return used


def make_graph_network(estimator, args, kwargs=None, networks=None):
    """The network of ``estimator.graph_head`` over ``estimator._task_graph``.

    ``networks`` is the pair of classes (penalty, gcn), by default
    (:class:`GraphPenaltyNetwork`, :class:`GraphConvolutionHeadNetwork`);
    ``args`` and ``kwargs`` are those of their network.
    """
    penalty, gcn = networks or (GraphPenaltyNetwork, GraphConvolutionHeadNetwork)
    kwargs = dict(kwargs or {})
    kwargs.update(graph=estimator._task_graph, graph_alpha=estimator.graph_alpha)
    if estimator.graph_head == "penalty":
        return penalty(*args, **kwargs)
    learn = isinstance(estimator.task_graph, str) and estimator.task_graph == "learned"
    return gcn(*args, learn_graph=learn, **kwargs)


def publish_task_graph(estimator):
    """After a fit: ``task_graph_`` is the learned graph, when it is learned."""
    network = getattr(estimator, "_network", None)
    if getattr(network, "learn_graph", False):
        estimator.task_graph_ = network.learned_graph()


def check_task_graph(graph, n_tasks):
    """``graph`` as a float64 (n_tasks, n_tasks) array, or a ValueError.

    It must be square of the number of tasks, finite, non-negative and
    symmetric (to a relative 1e-8); its diagonal is ignored (set to 0).
    """
    try:
        array = np.asarray(graph, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(
            f"task_graph must be an array of real numbers, got {graph!r}."
        ) from None
    if array.shape != (n_tasks, n_tasks):
        raise ValueError(
            f"task_graph must have shape (n_tasks, n_tasks) = ({n_tasks}, "
            f"{n_tasks}), got shape {array.shape}."
        )
    if not np.isfinite(array).all():
        raise ValueError("task_graph must be finite (no NaN or inf).")
    if (array < 0).any():
        raise ValueError("task_graph must be non-negative.")
    scale = max(float(np.abs(array).max(initial=0.0)), 1.0)
    if not np.allclose(array, array.T, rtol=0, atol=1e-8 * scale):
        raise ValueError("task_graph must be symmetric.")
    array = 0.5 * (array + array.T)
    np.fill_diagonal(array, 0.0)
    return array


def head_propagation(graph, graph_alpha):
    """``P = I + graph_alpha * D^-1 A``, ``D`` the row sums of ``A = graph``.

    Row ``t`` adds ``graph_alpha`` times the weighted mean of task ``t``'s
    neighbours to the task itself; a row without an edge is the identity's
    (so an empty graph, or ``graph_alpha = 0``, gives the identity).
    """
    a = np.asarray(graph, dtype=np.float64)
    degree = a.sum(axis=1)
    scale = np.divide(graph_alpha, degree, out=np.zeros_like(degree), where=degree > 0)
    return np.eye(a.shape[0]) + scale[:, None] * a


class _OutputBlocks:
    """Moves between the output layer's weight and the (n_tasks, n_in *
    n_outputs) matrix ``V`` of the tasks' head vectors (one row per task).

    The output layer is a ``Dense`` of shape (n_in, n_tasks * n_outputs)
    (no head layers) or a ``GroupedDense`` of shape (n_tasks, n_in,
    n_outputs).
    """

    def __init__(self, layer, n_tasks, n_outputs):
        self.grouped = len(layer.weight_shape) == 3
        self.n_tasks, self.n_outputs = n_tasks, n_outputs
        self.n_in = layer.weight_shape[-2]

    def to_rows(self, W):
        if self.grouped:
            return W.reshape(self.n_tasks, -1)
        blocks = W.reshape(self.n_in, self.n_tasks, self.n_outputs)
        return blocks.transpose(1, 0, 2).reshape(self.n_tasks, -1)

    def from_rows(self, V, out):
        """Write the rows ``V`` into the layer weight ``out``."""
        blocks = V.reshape(self.n_tasks, self.n_in, self.n_outputs)
        if self.grouped:
            out[...] = blocks
        else:
            out.reshape(self.n_in, self.n_tasks, self.n_outputs)[...] = (
                blocks.transpose(1, 0, 2)
            )


class GraphPenaltyMixin:
    """The graph penalty on the heads, for any network of the flat-parameter
    protocol whose last layer is the tasks' output layer.

    Adds ``graph_alpha / 2 * sum_{s,t} A_st ||V_s - V_t||^2 =
    graph_alpha * trace(V^T L V)`` (``L = D - A`` the graph Laplacian, ``V``
    the tasks' output-layer weights as rows, see :class:`_OutputBlocks`) to
    the objective: ``backward`` adds its gradient ``2 graph_alpha L V`` to the
    output layer's weight gradient after the network's backpropagation. Put
    it before the network class in the bases; it takes the keywords
    ``graph`` and ``graph_alpha`` and passes everything else on.

    Parameters
    ----------
    *args, **kwargs
        Those of the network.
    graph : ndarray of shape (n_tasks, n_tasks)
        Symmetric, non-negative, zero diagonal.
    graph_alpha : float
        Strength of the penalty.
    """

    def __init__(self, *args, graph, graph_alpha, **kwargs):
        super().__init__(*args, **kwargs)
        self.graph = np.asarray(graph, dtype=np.float64)
        self.graph_alpha = float(graph_alpha)
        laplacian = np.diag(self.graph.sum(axis=1)) - self.graph
        self._laplacian = laplacian.astype(self.dtype)
        self._blocks = _OutputBlocks(self.layers[-1], self.n_tasks, self.n_outputs)

    def graph_penalty(self):
        """The penalty's value at the current parameters (float)."""
        V = self._blocks.to_rows(self.coefs[-1]).astype(np.float64)
        return self.graph_alpha * float(np.sum(V * (self._laplacian @ V)))

    def backward(self, X, grad_logits):
        super().backward(X, grad_logits)
        if self.graph_alpha == 0 or not self.graph.any():
            return
        V = self._blocks.to_rows(self.coefs[-1])
        grad_V = self._blocks.to_rows(self._grad_coefs[-1]).copy()
        grad_V += (2 * self.graph_alpha) * (self._laplacian @ V)
        self._blocks.from_rows(grad_V, self._grad_coefs[-1])


class GraphPenaltyNetwork(GraphPenaltyMixin, SharedTrunkNetwork):
    """A shared trunk whose task heads are pulled together along a graph:
    :class:`GraphPenaltyMixin` on :class:`SharedTrunkNetwork`.

    Parameters
    ----------
    *args
        Those of :class:`SharedTrunkNetwork`.
    graph : ndarray of shape (n_tasks, n_tasks)
        Symmetric, non-negative, zero diagonal.
    graph_alpha : float
        Strength of the penalty.
    """


class GraphConvolutionMixin:
    """The output layer propagated over the task graph, for any network of
    the flat-parameter protocol whose last layer is the tasks' output layer
    (a ``Dense`` with the tasks' blocks side by side, or a grouped layer
    with one group per task). Put it before the network class in the bases;
    it takes the keywords below and passes everything else on.

    Each task keeps a free head ``U_t`` (a row of ``U``) and adds its
    neighbours' heads propagated over the graph: ``V = P U`` with ``P = I +
    graph_alpha * D^-1 A`` (``D`` the row sums of ``A``), that is ``V_t = U_t
    + graph_alpha * sum_s A_ts U_s / sum_s A_ts``; the logits are ``H V_t +
    b_t`` per task. A task without an edge (and every task of an empty
    graph) has ``V_t = U_t``: the plain network. ``graph_alpha`` is the
    weight of the neighbours' weighted mean head against the task's own,
    whatever the scale of the graph's weights. Through ``P`` a rare task's
    head starts from its frequent neighbours' heads, and each free head is
    trained by its neighbours' gradients too (``dU = P^T dV``). ``U``
    replaces the output layer's weight in the flat parameter vector (after
    the free weights and before the biases, so that the L2 penalty covers
    it); the output layer's biases stay free.

    Parameters
    ----------
    *args, **kwargs
        Those of the network.
    graph : ndarray of shape (n_tasks, n_tasks)
        Symmetric, non-negative, zero diagonal.
    graph_alpha : float
        Weight of the neighbours' mean head in ``P`` (the L1 penalty's
        weight with ``learn_graph``).
    learn_graph : bool
        Learn the graph with the weights (``graph`` then says which pairs
        of tasks may have an edge: those where it is non-zero): the
        propagation is ``P = I + A`` with ``A_st = max(S_st, 0)`` for a
        learned symmetric ``S`` (its upper triangle is among the weights),
        and the objective gains the L1 penalty ``graph_alpha * sum_{s<t}
        A_st``, which zeroes the edges that do not help (sparse ``A``).

    Notes
    -----
    This is the graph convolution of ML-GCN (Chen et al., 2019) over the
    task heads, without its label embeddings: learned from scratch, task
    embeddings ``E`` with heads ``A_hat E Theta`` only factorise a free
    matrix, and the L2 penalty on the factors (a nuclear-norm penalty on
    the heads) cost macro-F1 on emotions with the graph on or off
    (benchmarks/bench_graph_head.py).
    """

    def __init__(self, *args, graph, graph_alpha, learn_graph=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.graph = np.asarray(graph, dtype=np.float64)
        self.graph_alpha = float(graph_alpha)
        self.learn_graph = bool(learn_graph)
        self._upper = np.triu_indices(self.n_tasks, 1)
        self._propagation = head_propagation(self.graph, self.graph_alpha).astype(
            self.dtype
        )
        self._blocks = _OutputBlocks(self.layers[-1], self.n_tasks, self.n_outputs)
        head_width = self._blocks.n_in * self.n_outputs
        shapes = [layer.weight_shape for layer in self.layers[:-1]]
        shapes += [(self.n_tasks, head_width)]
        shapes += [(self._upper[0].size if self.learn_graph else 0,)]
        self._grad_output = np.zeros(self.layers[-1].weight_shape, dtype=self.dtype)
        self._set_layout(shapes, [layer.bias_shape for layer in self.layers])

    # -- parameters -----------------------------------------------------
    _bound_attributes = (
        "_free_coefs",
        "free_heads",
        "edges",
        "_grad_edges",
        "intercepts",
        "_grad_coefs",
        "_grad_free_heads",
        "_grad_intercepts",
    )

    def _split(self, flat):
        views = self._split_flat(flat)
        m = self._n_weight_arrays
        return views[: m - 2], views[m - 2], views[m - 1], views[m:]

    def _adjacency(self, edges):
        """The learned graph ``A`` of the upper-triangle parameters."""
        A = np.zeros((self.n_tasks, self.n_tasks), dtype=edges.dtype)
        A[self._upper] = np.maximum(edges, 0)
        return A + A.T

    def _propagation_of(self, edges):
        if not self.learn_graph:
            return self._propagation.astype(edges.dtype, copy=False)
        return np.eye(self.n_tasks, dtype=edges.dtype) + self._adjacency(edges)

    def learned_graph(self):
        """The graph used: ``A`` learned, or the one given (float64)."""
        if not self.learn_graph:
            return self.graph.copy()
        return self._adjacency(self.edges).astype(np.float64)

    def _compose(self, free_heads, edges):
        """The output layer's weight ``P U``, in the layer's shape."""
        V = self._propagation_of(edges) @ free_heads
        W = np.empty(self.layers[-1].weight_shape, dtype=free_heads.dtype)
        self._blocks.from_rows(V, W)
        return W

    def _views(self, flat):
        free, free_heads, edges, intercepts = self._split(flat)
        return free + [self._compose(free_heads, edges)], intercepts

    def _bind(self):
        if not hasattr(self, "_grad_output"):  # the parent's layout: not ours yet
            return
        self._free_coefs, self.free_heads, self.edges, self.intercepts = self._split(
            self.params
        )
        (
            grad_free,
            self._grad_free_heads,
            self._grad_edges,
            self._grad_intercepts,
        ) = self._split(self.grads)
        self._grad_coefs = grad_free + [self._grad_output]

    @property
    def coefs(self):
        """Weights of every layer; the output layer's composed as ``P U``."""
        drawn = self.__dict__.get("_drawn_output")
        if drawn is not None:  # initialize: the network draws the heads here
            return self._free_coefs + [drawn]
        return self._free_coefs + [self._compose(self.free_heads, self.edges)]

    def graph_penalty(self):
        """The L1 penalty of a learned graph (0 for a given one), a float."""
        if not self.learn_graph:
            return 0.0
        return self.graph_alpha * float(np.maximum(self.edges, 0).sum())

    def initialize(self, rng):
        """The network's initialisation, its output layer's draw taken as the
        free heads ``U``, then scaled so that the heads ``P U`` have the
        spread of that draw (the plain heads' scale; ``U`` unchanged where
        ``P`` is the identity)."""
        layer = self.layers[-1]
        self._drawn_output = np.zeros(layer.weight_shape, dtype=self.dtype)
        try:
            super().initialize(rng)
            drawn = self._blocks.to_rows(self._drawn_output)
        finally:
            del self._drawn_output
        if self.learn_graph:
            # every edge starts on, with a row sum of about one half
            # (an edge at 0 never trains: the pairs the graph leaves out)
            high = 1.0 / max(self.n_tasks - 1, 1)
            allowed = self.graph[self._upper] > 0
            self.edges[...] = rng.uniform(0.0, high, self.edges.shape) * allowed
        self.free_heads[...] = drawn
        V = self._propagation_of(self.edges) @ drawn
        spread = float(np.sqrt(np.mean(np.square(V, dtype=np.float64))))
        target = float(np.sqrt(np.mean(np.square(drawn, dtype=np.float64))))
        if spread > 0 and not np.isclose(spread, target, rtol=1e-12, atol=0):
            self.free_heads *= target / spread

    # -- backward --------------------------------------------------------
    def backward(self, X, grad_logits):
        """Backpropagation to the layers, then through ``V = P U``: ``dU =
        P^T G`` with ``G`` the gradient of the output weights as rows (and
        ``dP = G U^T`` for a learned graph)."""
        super().backward(X, grad_logits)
        G = self._blocks.to_rows(self._grad_output)
        P = self._propagation_of(self.edges)
        np.matmul(P.T, G, out=self._grad_free_heads)
        if self.learn_graph:
            # dP = dA; A_st = A_ts = max(S_st, 0) for s < t, plus the L1 term
            grad_P = G @ self.free_heads.T
            grad_A = grad_P[self._upper] + grad_P.T[self._upper] + self.graph_alpha
            np.multiply(grad_A, self.edges > 0, out=self._grad_edges)


class GraphConvolutionHeadNetwork(GraphConvolutionMixin, SharedTrunkNetwork):
    """A shared trunk whose output layer is produced over the task graph:
    :class:`GraphConvolutionMixin` on :class:`SharedTrunkNetwork`.

    Parameters
    ----------
    *args
        Those of :class:`SharedTrunkNetwork`.
    graph, graph_alpha, learn_graph
        Those of :class:`GraphConvolutionMixin`.
    """
