"""Operations on a task graph: validation, sparsification, normalisation.

A task graph is a symmetric, non-negative ``(n_tasks, n_tasks)`` float64
array with a zero diagonal: ``graph[s, t]`` is how strongly tasks ``s`` and
``t`` are related (0: not joined).
"""

from numbers import Integral, Real

import numpy as np
from sklearn.utils._param_validation import Interval, StrOptions, validate_params


def check_graph(graph, *, name="graph", symmetric=True):
    """Validate a task graph and return it as a float64 array.

    Parameters
    ----------
    graph : array-like of shape (n_tasks, n_tasks)
        Non-negative, finite weights.
    name : str, default="graph"
        Name of the parameter, for the messages.
    symmetric : bool, default=True
        Require ``graph == graph.T`` (up to rounding).

    Returns
    -------
    graph : ndarray of shape (n_tasks, n_tasks)
        A float64 copy whose diagonal is ignored by the callers.
    """
    try:
        A = np.array(graph, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(
            f"{name} must be a numeric (n_tasks, n_tasks) matrix; got entries "
            "that are not numbers."
        ) from None
    if A.ndim != 2 or A.shape[0] != A.shape[1]:
        raise ValueError(
            f"{name} must be a square (n_tasks, n_tasks) matrix; got shape {A.shape}."
        )
    if A.shape[0] == 0:
        raise ValueError(f"{name} has no task: its shape is {A.shape}.")
    if not np.all(np.isfinite(A)):
        raise ValueError(f"{name} must hold finite values (no NaN or inf).")
    if np.any(A < 0):
        raise ValueError(f"{name} must be non-negative (similarities >= 0).")
    if symmetric and not np.allclose(A, A.T, rtol=1e-7, atol=1e-12):
        raise ValueError(f"{name} must be symmetric ({name}[s, t] == {name}[t, s]).")
    return A


def finish_graph(A):
    """Symmetrise by the mean, clip to >= 0 and zero the diagonal, in place."""
    A = 0.5 * (A + A.T)
    np.clip(A, 0.0, None, out=A)
    np.fill_diagonal(A, 0.0)
    return A


@validate_params(
    {
        "graph": ["array-like"],
        "k": [Interval(Integral, 0, None, closed="left"), None],
        "threshold": [Interval(Real, 0, None, closed="left"), None],
        "symmetrize": [StrOptions({"max", "mean", "min"})],
    },
    prefer_skip_nested_validation=True,
)
def sparsify(graph, *, k=None, threshold=None, symmetrize="max"):
    """Keep the strongest edges of a task graph: k nearest tasks, threshold.

    First the edges below ``threshold`` are dropped; then each task keeps its
    ``k`` strongest remaining edges (its k nearest tasks; ties go to the
    task of lower index). A k-nearest choice is not symmetric (``t`` may be
    among the nearest of ``s`` but not the reverse), so the kept matrix
    ``K`` (``K[s, t] = graph[s, t]`` when ``s`` keeps ``t``, else 0) is made
    symmetric by ``symmetrize``.

    Parameters
    ----------
    graph : array-like of shape (n_tasks, n_tasks)
        Non-negative weights. The diagonal is ignored. An asymmetric graph
        is accepted and symmetrised by ``symmetrize`` as well.

    k : int, default=None
        Number of edges each task keeps (its nearest tasks); edges of weight
        0 are never kept. None keeps all.

    threshold : float, default=None
        Edges of weight strictly below ``threshold`` are dropped. None drops
        none.

    symmetrize : {"max", "mean", "min"}, default="max"
        How ``K`` becomes symmetric: ``"max"``, ``max(K[s, t], K[t, s])``
        (an edge stays when either task keeps it: the union);
        ``"min"``, ``min(K[s, t], K[t, s])`` (only mutual nearest tasks);
        ``"mean"``, ``(K[s, t] + K[t, s]) / 2`` (a one-sided edge at half
        weight).

    Returns
    -------
    graph : ndarray of shape (n_tasks, n_tasks)
        Symmetric, non-negative, zero diagonal, float64.

    Examples
    --------
    >>> import numpy as np
    >>> from mtlearn.task_graph import sparsify
    >>> graph = np.array([[0.0, 0.9, 0.2], [0.9, 0.0, 0.5], [0.2, 0.5, 0.0]])
    >>> sparsify(graph, k=1)  # task 2 keeps task 1: the union keeps it
    array([[0. , 0.9, 0. ],
           [0.9, 0. , 0.5],
           [0. , 0.5, 0. ]])
    >>> sparsify(graph, k=1, symmetrize="min")  # mutual nearest tasks only
    array([[0. , 0.9, 0. ],
           [0.9, 0. , 0. ],
           [0. , 0. , 0. ]])
    >>> sparsify(graph, threshold=0.3)
    array([[0. , 0.9, 0. ],
           [0.9, 0. , 0.5],
           [0. , 0.5, 0. ]])
    """
    A = check_graph(graph, symmetric=False)
    np.fill_diagonal(A, 0.0)
    if threshold is not None:
        A[A < threshold] = 0.0
    n_tasks = A.shape[0]
    if k is not None and k < n_tasks - 1:
        keep = np.zeros(A.shape, dtype=bool)
        if k > 0:
            # Stable sort of the negated weights: ties go to the lower index;
            # the diagonal (0) is never above a positive edge.
            order = np.argsort(-A, axis=1, kind="stable")[:, :k]
            np.put_along_axis(keep, order, True, axis=1)
        A = np.where(keep & (A > 0), A, 0.0)
    if symmetrize == "max":
        A = np.maximum(A, A.T)
    elif symmetrize == "min":
        A = np.minimum(A, A.T)
    else:
        A = 0.5 * (A + A.T)
    np.fill_diagonal(A, 0.0)
    return A


_KINDS = ("symmetric", "random_walk", "laplacian", "normalized_laplacian")


@validate_params(
    {
        "graph": ["array-like"],
        "kind": [StrOptions(set(_KINDS))],
    },
    prefer_skip_nested_validation=True,
)
def normalize(graph, kind="symmetric"):
    r"""Normalised adjacency or Laplacian of a task graph.

    With :math:`A` the graph (its diagonal ignored), :math:`d_t = \sum_s
    A_{ts}` the degree of task :math:`t` and :math:`D = \mathrm{diag}(d)`:

    - ``"symmetric"``: :math:`D^{-1/2} A D^{-1/2}`, entries
      :math:`A_{st} / \sqrt{d_s d_t}` (the propagation matrix of graph
      convolutions);
    - ``"random_walk"``: :math:`D^{-1} A`, each row sums to 1 (the
      transition matrix of a random walk on the tasks; not symmetric);
    - ``"laplacian"``: :math:`L = D - A` (``trace(W L W^T) = 1/2 sum_{s,t}
      A_{st} ||w_s - w_t||^2``, the graph penalty);
    - ``"normalized_laplacian"``: :math:`I - D^{-1/2} A D^{-1/2}`.

    An **isolated task** (degree 0) has a zero row and column in the
    normalised adjacencies, and a zero diagonal entry in both Laplacians
    (as :func:`scipy.sparse.csgraph.laplacian` does): no division by zero.

    These are operators, not graphs: the Laplacians have a non-zero diagonal
    and non-positive off-diagonal entries, and ``"random_walk"`` is not
    symmetric.

    Parameters
    ----------
    graph : array-like of shape (n_tasks, n_tasks)
        Symmetric, non-negative task graph.

    kind : {"symmetric", "random_walk", "laplacian", \
            "normalized_laplacian"}, default="symmetric"
        Which matrix to return.

    Returns
    -------
    matrix : ndarray of shape (n_tasks, n_tasks)
        Float64.

    Examples
    --------
    >>> import numpy as np
    >>> from mtlearn.task_graph import normalize
    >>> graph = np.array([[0.0, 1.0, 0.0], [1.0, 0.0, 0.0], [0.0, 0.0, 0.0]])
    >>> normalize(graph, kind="laplacian")
    array([[ 1., -1.,  0.],
           [-1.,  1.,  0.],
           [ 0.,  0.,  0.]])
    >>> normalize(graph, kind="random_walk").sum(axis=1)
    array([1., 1., 0.])
    """
    A = check_graph(graph)
    A = 0.5 * (A + A.T)
    np.fill_diagonal(A, 0.0)
    degree = A.sum(axis=1)
    connected = degree > 0
    if kind == "laplacian":
        return np.diag(degree) - A
    if kind == "random_walk":
        # A[s, t] / d_s directly: 1 / d_s overflows for a tiny degree
        return np.divide(
            A, degree[:, None], out=np.zeros_like(A), where=connected[:, None]
        )
    root = np.divide(1.0, np.sqrt(degree), out=np.zeros_like(degree), where=connected)
    S = root[:, None] * A * root[None, :]
    if kind == "symmetric":
        return S
    return np.diag(connected.astype(np.float64)) - S
