"""Spectral clustering of a task graph."""

from numbers import Integral

import numpy as np
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, validate_params

from ._graph import check_graph, normalize


def spectral_embedding(graph, n_components):
    """Rows of the ``n_components`` bottom eigenvectors of the normalised Laplacian.

    Each row (a task) is scaled to unit norm (Ng, Jordan & Weiss 2001), so
    that the tasks of one connected block of a block-diagonal graph share one
    point. An isolated task keeps its own direction.
    """
    laplacian = normalize(graph, kind="normalized_laplacian")
    # eigh returns eigenvalues in ascending order.
    _, vectors = np.linalg.eigh(laplacian)
    embedding = vectors[:, :n_components]
    norms = np.linalg.norm(embedding, axis=1, keepdims=True)
    return np.divide(
        embedding, norms, out=np.zeros_like(embedding), where=norms > 1e-12
    )


def _kmeans_plus_plus(points, n_clusters, rng):
    """Initial centres by k-means++ (Arthur & Vassilvitskii 2007)."""
    centres = [points[rng.randint(points.shape[0])]]
    distance = ((points - centres[0]) ** 2).sum(axis=1)
    for _ in range(1, n_clusters):
        total = distance.sum()
        if total <= 0:  # every point on a centre already: any point will do
            index = rng.randint(points.shape[0])
        else:
            index = rng.choice(points.shape[0], p=distance / total)
        centres.append(points[index])
        distance = np.minimum(distance, ((points - points[index]) ** 2).sum(axis=1))
    return np.array(centres)


def kmeans(points, n_clusters, rng, n_init=10, max_iter=100):
    """Labels of the best of ``n_init`` k-means runs (Lloyd, k-means++ starts).

    A small dense k-means for the few points a task graph has (one per
    task): scikit-learn's ``KMeans`` spends tens of milliseconds per start
    on thread-pool set-up, which dominates at this size.
    """
    best_labels, best_inertia = None, np.inf
    for _ in range(n_init):
        centres = _kmeans_plus_plus(points, n_clusters, rng)
        labels = None
        for _ in range(max_iter):
            distance = ((points[:, None, :] - centres[None, :, :]) ** 2).sum(axis=2)
            new_labels = distance.argmin(axis=1)
            if labels is not None and np.array_equal(new_labels, labels):
                break
            labels = new_labels
            for c in range(n_clusters):
                members = labels == c
                if members.any():
                    centres[c] = points[members].mean(axis=0)
                else:  # an empty cluster takes the point farthest from its centre
                    far = distance[np.arange(points.shape[0]), labels].argmax()
                    centres[c] = points[far]
        inertia = distance[np.arange(points.shape[0]), labels].sum()
        if inertia < best_inertia - 1e-12:
            best_labels, best_inertia = labels, inertia
    return best_labels


def _relabel(labels):
    """Number clusters in the order of their first task: 0, 1, 2..."""
    _, first, inverse = np.unique(labels, return_index=True, return_inverse=True)
    order = np.argsort(np.argsort(first))
    return order[inverse].astype(np.intp)


@validate_params(
    {
        "graph": ["array-like"],
        "n_clusters": [Interval(Integral, 1, None, closed="left")],
        "random_state": ["random_state"],
    },
    prefer_skip_nested_validation=True,
)
def task_clusters(graph, n_clusters, *, random_state=None):
    r"""Clusters of tasks: spectral clustering of a task graph.

    The tasks are embedded by the ``n_clusters`` eigenvectors of smallest
    eigenvalue of the normalised Laplacian :math:`I - D^{-1/2} A D^{-1/2}`,
    each task's row scaled to unit norm, and the rows are clustered by
    k-means (the best of 10 k-means++ starts), as in Ng, Jordan & Weiss (2001). A graph
    made of ``n_clusters`` disconnected blocks is split into exactly those
    blocks. Clusters are numbered in the order of their first task (task 0
    is in cluster 0).

    Parameters
    ----------
    graph : array-like of shape (n_tasks, n_tasks)
        Symmetric, non-negative task graph.

    n_clusters : int
        Number of clusters, at most ``n_tasks``.

    random_state : int, RandomState instance or None, default=None
        Seed of the k-means initialisations.

    Returns
    -------
    labels : ndarray of shape (n_tasks,)
        Cluster of each task, ints in ``[0, n_clusters)``.

    References
    ----------
    A. Y. Ng, M. I. Jordan and Y. Weiss, "On spectral clustering: analysis
    and an algorithm", NIPS 2001.

    Examples
    --------
    >>> import numpy as np
    >>> from mtlearn.task_graph import task_clusters
    >>> block = np.ones((2, 2))
    >>> graph = np.block([[block, 0.1 * block], [0.1 * block, block]])
    >>> np.fill_diagonal(graph, 0)
    >>> task_clusters(graph, 2, random_state=0)
    array([0, 0, 1, 1])
    """
    A = check_graph(graph)
    n_tasks = A.shape[0]
    if n_clusters > n_tasks:
        raise ValueError(
            f"n_clusters={n_clusters} is more than the number of tasks ({n_tasks})."
        )
    if n_clusters == 1:
        return np.zeros(n_tasks, dtype=np.intp)
    if n_clusters == n_tasks:
        return np.arange(n_tasks, dtype=np.intp)
    embedding = spectral_embedding(A, n_clusters)
    rng = check_random_state(random_state)
    return _relabel(kmeans(embedding, n_clusters, rng))
