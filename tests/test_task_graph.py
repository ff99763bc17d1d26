"""Tests of mtlearn.task_graph against hand-made targets with known answers."""

import numpy as np
import pandas as pd
import pytest
from scipy.sparse.csgraph import laplacian as scipy_laplacian
from scipy.stats import norm
from sklearn.metrics import adjusted_rand_score

from mtlearn._targets import check_targets
from mtlearn.linear_model import MultiTaskLinearRegression
from mtlearn.task_graph import (
    TASK_GRAPH_RULES,
    estimate_task_graph,
    graph_from_coefficients,
    graph_from_targets,
    normalize,
    sparsify,
    task_clusters,
)


def assert_task_graph(graph, n_tasks):
    """The contract of every estimated graph."""
    assert graph.dtype == np.float64
    assert graph.shape == (n_tasks, n_tasks)
    assert np.all(np.isfinite(graph))
    assert np.all(graph >= 0)
    np.testing.assert_array_equal(graph, graph.T)
    np.testing.assert_array_equal(np.diag(graph), 0.0)


def random_graph(n_tasks, seed=0, density=0.6):
    rng = np.random.RandomState(seed)
    A = rng.uniform(size=(n_tasks, n_tasks)) * (rng.uniform(size=(n_tasks,) * 2) < 0.6)
    A = np.triu(A, 1)
    return A + A.T


# --- graph_from_targets ----------------------------------------------------


def test_identical_tasks_on_shared_rows_weight_is_the_shrinkage_factor():
    rng = np.random.RandomState(0)
    z = rng.standard_normal(60)
    y = np.column_stack([z, z.copy(), rng.standard_normal(60)])
    y[:20, 0] = np.nan  # 40 shared rows between tasks 0 and 1
    y[50:, 1] = np.nan  # now rows 20..49: 30 shared rows
    for shrinkage in (0.0, 10.0, 30.0):
        graph = graph_from_targets(y, shrinkage=shrinkage)
        assert_task_graph(graph, 3)
        assert graph[0, 1] == pytest.approx(30 / (30 + shrinkage))


def test_independent_tasks_are_near_zero():
    rng = np.random.RandomState(1)
    y = rng.standard_normal((2000, 3))
    graph = graph_from_targets(y, shrinkage=0.0, negative="absolute")
    assert graph.max() < 0.1


def test_few_shared_rows_shrink_and_fewer_than_three_give_no_edge():
    rng = np.random.RandomState(2)
    z = rng.standard_normal(100)
    y = np.column_stack([z, z + 0.01 * rng.standard_normal(100)])
    y[5:, 1] = np.nan  # 5 shared rows
    graph = graph_from_targets(y)
    assert graph[0, 1] == pytest.approx(5 / 15, abs=1e-3)
    y[2:, 1] = np.nan  # 2 shared rows: no edge
    assert graph_from_targets(y)[0, 1] == 0.0
    # Disjoint tasks: no edge, no NaN.
    y = np.full((10, 2), np.nan)
    y[:5, 0], y[5:, 1] = np.arange(5.0), np.arange(5.0)
    assert_task_graph(graph_from_targets(y), 2)
    assert graph_from_targets(y).max() == 0.0


def test_correlation_matches_pandas_pairwise_complete():
    rng = np.random.RandomState(3)
    z = rng.standard_normal((80, 1))
    y = z + rng.standard_normal((80, 4)) * [0.3, 0.5, 1.0, 2.0]
    y[:, 3] *= -1
    y[rng.uniform(size=y.shape) < 0.3] = np.nan
    frame = pd.DataFrame(y)
    reference = frame.corr(min_periods=3).to_numpy()
    n_shared = frame.notna().astype(float).T @ frame.notna().astype(float)
    n_shared = n_shared.to_numpy()
    expected = np.clip(reference, 0, None) * n_shared / (n_shared + 10)
    np.fill_diagonal(expected, 0)
    np.testing.assert_allclose(graph_from_targets(y), expected, atol=1e-12)
    expected_abs = np.abs(reference) * n_shared / (n_shared + 10)
    np.fill_diagonal(expected_abs, 0)
    np.testing.assert_allclose(
        graph_from_targets(y, negative="absolute"), expected_abs, atol=1e-12
    )


def test_negative_correlation_clipped_by_default():
    z = np.arange(20.0) + 0.5  # non-integer: read as regression targets
    y = np.column_stack([z, -z])
    assert graph_from_targets(y)[0, 1] == 0.0
    assert graph_from_targets(y, negative="absolute", shrinkage=0)[0, 1] == 1.0


def test_significance_drops_weak_edges():
    rng = np.random.RandomState(4)
    kept = []
    for _ in range(20):
        y = rng.standard_normal((30, 2))
        y[:, 1] += 0.4 * y[:, 0]
        r = np.corrcoef(y.T)[0, 1]
        p_value = 2 * norm.sf(abs(np.arctanh(r)) * np.sqrt(30 - 3))
        graph = graph_from_targets(y, shrinkage=0, significance=0.05)
        if p_value > 0.05 or r < 0:
            assert graph[0, 1] == 0.0
        else:
            assert graph[0, 1] == pytest.approx(r)
            kept.append(r)
    assert 0 < len(kept) < 20  # both cases were exercised


def test_constant_tasks_have_no_edges_and_no_nan():
    y = np.array([[1, 0, 1, 3.0], [1, 1, 0, 3.0], [1, 0, 1, 3.0], [1, 1, 0, 3.0]])
    y = np.vstack([y, y])
    for method in ("correlation", "cooccurrence", "jaccard"):
        graph = graph_from_targets(y[:, :3], method=method)
        assert_task_graph(graph, 3)
        assert graph[0].max() == 0.0
    graph = graph_from_targets(y, target_type="regression")
    assert_task_graph(graph, 4)
    assert graph[3].max() == 0.0 and graph[0].max() == 0.0
    # Tasks 1 and 2 are complementary (correlation -1): clipped.
    assert graph[1, 2] == 0.0


def test_binary_string_labels_and_dataframe():
    y = pd.DataFrame(
        {
            "a": ["no", "yes", "yes", "no", "yes", None, "no", "yes"],
            "b": ["no", "yes", "yes", "no", "yes", "no", None, "yes"],
        }
    )
    graph = graph_from_targets(y, shrinkage=0)
    assert graph[0, 1] == pytest.approx(1.0)


def test_multiclass_is_the_best_matching_class_indicator():
    rng = np.random.RandomState(5)
    a = rng.randint(0, 3, size=90)
    b = (a + 1) % 3  # a relabelling: every class indicator matches one of a's
    c = rng.randint(0, 3, size=90)
    y = np.column_stack([a, b, c])
    graph = graph_from_targets(y, shrinkage=0)
    assert graph[0, 1] == pytest.approx(1.0)
    assert graph[0, 2] < 0.3
    # Against the one-hot correlation computed directly.
    onehot_a = np.eye(3)[a]
    onehot_c = np.eye(3)[c]
    direct = np.corrcoef(onehot_a.T, onehot_c.T)[:3, 3:]
    assert graph[0, 2] == pytest.approx(max(direct.max(), 0.0))


def test_multiclass_indicators_shrunk_by_their_minority_count():
    # Identical 3-class tasks: classes of 10, 30 and 20 rows out of 60.
    a = np.repeat([0, 1, 2], [10, 30, 20])
    graph = graph_from_targets(np.column_stack([a, a]), shrinkage=10)
    # Class 1: 30 rows in, 30 out: minority 30, the largest evidence.
    assert graph[0, 1] == pytest.approx(30 / 40)
    # Many rare classes (integer-valued targets read as classes) do not
    # make strong edges by chance, while the raw one-hot maximum does.
    rng = np.random.RandomState(10)
    y = rng.randint(0, 60, size=(200, 2))
    assert graph_from_targets(y, shrinkage=0)[0, 1] > 0.4
    assert graph_from_targets(y)[0, 1] < 0.2


def test_cooccurrence_and_jaccard_known_counts():
    # Task 0 positive on rows 0-3, task 1 on rows 2-5, task 2 missing on 0-1.
    y = np.zeros((8, 3))
    y[:4, 0] = 1
    y[2:6, 1] = 1
    y[[2, 3, 6], 2] = 1
    y[:2, 2] = np.nan
    cooc = graph_from_targets(y, method="cooccurrence", shrinkage=0)
    # P(1 | 0) = 2 / 4, P(0 | 1) = 2 / 4.
    assert cooc[0, 1] == pytest.approx(0.5)
    # On rows 2-7: task 0 positive on 2, 3; task 2 on 2, 3, 6.
    assert cooc[0, 2] == pytest.approx(0.5 * (2 / 2 + 2 / 3))
    jaccard = graph_from_targets(y, method="jaccard", shrinkage=0)
    assert jaccard[0, 1] == pytest.approx(2 / 6)
    assert jaccard[0, 2] == pytest.approx(2 / 3)
    shrunk = graph_from_targets(y, method="jaccard", shrinkage=6)
    assert shrunk[0, 2] == pytest.approx(2 / 3 * 6 / 12)
    assert_task_graph(cooc, 3)


def test_targets_given_as_task_targets():
    rng = np.random.RandomState(6)
    y = rng.randint(0, 2, size=(40, 3)).astype(float)
    y[rng.uniform(size=y.shape) < 0.2] = np.nan
    targets = check_targets(y, kind="classification")
    np.testing.assert_array_equal(graph_from_targets(targets), graph_from_targets(y))


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"method": "nope"}, "method"),
        ({"shrinkage": -1}, "shrinkage"),
        ({"significance": 1.5}, "significance"),
        ({"method": "jaccard", "significance": 0.05}, "significance"),
    ],
)
def test_bad_parameters(kwargs, message):
    y = np.eye(4)
    with pytest.raises(ValueError, match=message):
        graph_from_targets(y, **kwargs)


def test_bad_targets():
    with pytest.raises(ValueError, match="needs binary"):
        graph_from_targets(np.random.RandomState(0).standard_normal((5, 2)), "jaccard")
    with pytest.raises(ValueError, match="more than two classes"):
        graph_from_targets(np.array([[0, 1], [1, 0], [2, 1]]), "cooccurrence")
    with pytest.raises(ValueError, match="no observed label"):
        graph_from_targets(np.array([[0.5, np.nan], [1.5, np.nan]]))
    with pytest.raises(ValueError, match="infinite"):
        graph_from_targets(np.array([[0.5, np.inf], [1.5, 1.0]]))


# --- graph_from_coefficients -----------------------------------------------


def test_coefficients_cosine_and_correlation():
    rng = np.random.RandomState(7)
    W = rng.standard_normal((4, 6))
    W[3] = 0.0
    unit = W[:3] / np.linalg.norm(W[:3], axis=1, keepdims=True)
    expected = np.zeros((4, 4))
    expected[:3, :3] = np.clip(unit @ unit.T, 0, None)
    np.fill_diagonal(expected, 0)
    graph = graph_from_coefficients(W)
    assert_task_graph(graph, 4)
    np.testing.assert_allclose(graph, expected, atol=1e-12)
    correlation = np.clip(np.corrcoef(W[:3]), 0, None)
    np.fill_diagonal(correlation, 0)
    np.testing.assert_allclose(
        graph_from_coefficients(W, metric="correlation")[:3, :3], correlation
    )


def test_coefficients_of_a_fitted_estimator():
    rng = np.random.RandomState(8)
    X = rng.standard_normal((50, 4))
    W = np.array([[1.0, 0, 0, 0], [1.0, 0.1, 0, 0], [0, 0, 1.0, 0]])
    y = X @ W.T
    reg = MultiTaskLinearRegression(alpha=1e-3).fit(X, y)
    assert reg.coef_.shape == (3, 4)  # one row per task
    graph = graph_from_coefficients(reg)
    np.testing.assert_allclose(graph, graph_from_coefficients(reg.coef_))
    assert graph[0, 1] > 0.95 and graph[0, 2] < 0.05
    with pytest.raises(ValueError, match="coef_"):
        graph_from_coefficients(MultiTaskLinearRegression())


def test_coefficients_task_rows_take_the_best_pair():
    coef = np.array([[1.0, 0], [0, 1.0], [0, 1.0], [1.0, 1.0]])
    graph = graph_from_coefficients(coef, task_rows=[slice(0, 2), [2], [3]])
    assert graph.shape == (3, 3)
    assert graph[0, 1] == pytest.approx(1.0)
    assert graph[1, 2] == pytest.approx(np.sqrt(0.5))
    with pytest.raises(ValueError, match="task_rows"):
        graph_from_coefficients(coef, task_rows=[[0, 2], [1], [3]])
    with pytest.raises(ValueError, match="shape"):
        graph_from_coefficients(np.zeros((2, 2, 2)))


# --- sparsify ----------------------------------------------------------------


def brute_force_knn(A, k, symmetrize):
    n = A.shape[0]
    K = np.zeros_like(A)
    for s in range(n):
        others = [t for t in range(n) if t != s and A[s, t] > 0]
        others.sort(key=lambda t: (-A[s, t], t))
        for t in others[:k]:
            K[s, t] = A[s, t]
    return {"max": np.maximum, "min": np.minimum}.get(
        symmetrize, lambda a, b: (a + b) / 2
    )(K, K.T)


@pytest.mark.parametrize("symmetrize", ["max", "mean", "min"])
@pytest.mark.parametrize("k", [0, 1, 2, 4])
def test_sparsify_k_nearest(k, symmetrize):
    A = random_graph(7, seed=k)
    graph = sparsify(A, k=k, symmetrize=symmetrize)
    assert_task_graph(graph, 7)
    np.testing.assert_allclose(graph, brute_force_knn(A, k, symmetrize))


def test_sparsify_threshold_and_large_k():
    A = random_graph(5)
    np.testing.assert_array_equal(sparsify(A), A)
    np.testing.assert_array_equal(sparsify(A, k=10), A)
    np.testing.assert_array_equal(sparsify(A, threshold=0.5), np.where(A >= 0.5, A, 0))
    with pytest.raises(ValueError, match="symmetrize"):
        sparsify(A, symmetrize="union")
    with pytest.raises(ValueError, match="non-negative"):
        sparsify(-A)
    with pytest.raises(ValueError, match="square"):
        sparsify(np.zeros((2, 3)))


# --- normalize ---------------------------------------------------------------


def test_normalize_formulas():
    A = random_graph(6, seed=3)
    A[4, :] = A[:, 4] = 0.0  # an isolated task
    d = A.sum(axis=1)
    np.testing.assert_allclose(normalize(A, "laplacian"), np.diag(d) - A)
    np.testing.assert_allclose(normalize(A, "laplacian"), scipy_laplacian(A))
    np.testing.assert_allclose(
        normalize(A, "normalized_laplacian"), scipy_laplacian(A, normed=True)
    )
    inv_sqrt = np.array([1 / np.sqrt(x) if x > 0 else 0.0 for x in d])
    symmetric = normalize(A, "symmetric")
    np.testing.assert_allclose(symmetric, np.diag(inv_sqrt) @ A @ np.diag(inv_sqrt))
    random_walk = normalize(A, "random_walk")
    inv = np.array([1 / x if x > 0 else 0.0 for x in d])
    np.testing.assert_allclose(random_walk, np.diag(inv) @ A)
    np.testing.assert_allclose(random_walk.sum(axis=1), (d > 0).astype(float))
    for kind in ("symmetric", "random_walk", "laplacian", "normalized_laplacian"):
        assert np.all(np.isfinite(normalize(np.zeros((3, 3)), kind)))
    with pytest.raises(ValueError, match="kind"):
        normalize(A, "sym")
    with pytest.raises(ValueError, match="symmetric"):
        normalize(np.triu(A))


# --- task_clusters -----------------------------------------------------------


def block_graph(sizes, within=1.0, across=0.0, seed=0):
    rng = np.random.RandomState(seed)
    labels = np.repeat(np.arange(len(sizes)), sizes)
    same = labels[:, None] == labels[None, :]
    noise = rng.uniform(0.5, 1.0, size=same.shape)
    A = np.where(same, within, across) * np.triu(noise, 1)
    return A + A.T, labels


@pytest.mark.parametrize("across", [0.0, 0.1])
def test_clusters_recover_blocks(across):
    A, labels = block_graph([5, 5, 5, 5], across=across)
    order = np.random.RandomState(1).permutation(20)
    A, labels = A[np.ix_(order, order)], labels[order]
    found = task_clusters(A, 4, random_state=0)
    assert adjusted_rand_score(labels, found) == 1.0
    assert found[0] == 0 and set(found) == {0, 1, 2, 3}


def test_clusters_edge_cases():
    A, _ = block_graph([2, 3])
    np.testing.assert_array_equal(task_clusters(A, 1), np.zeros(5))
    np.testing.assert_array_equal(task_clusters(A, 5), np.arange(5))
    labels = task_clusters(np.zeros((4, 4)), 2, random_state=0)
    assert labels.shape == (4,) and set(labels) <= {0, 1}
    with pytest.raises(ValueError, match="n_clusters"):
        task_clusters(A, 6)
    with pytest.raises(ValueError, match="n_clusters"):
        task_clusters(A, 0)


# --- estimate_task_graph -----------------------------------------------------


def test_estimate_rules_and_auto_k():
    rng = np.random.RandomState(9)
    z = rng.standard_normal((300, 3))
    y = np.repeat(z, 4, axis=1) + 0.5 * rng.standard_normal((300, 12))
    y[rng.uniform(size=y.shape) < 0.3] = np.nan
    auto = estimate_task_graph(y)
    assert_task_graph(auto, 12)
    np.testing.assert_allclose(
        auto, sparsify(graph_from_targets(y), k=5, symmetrize="max")
    )
    assert adjusted_rand_score(
        np.repeat(np.arange(3), 4), task_clusters(auto, 3, random_state=0)
    ) == pytest.approx(1.0)
    np.testing.assert_allclose(
        estimate_task_graph(y, "correlation"), graph_from_targets(y)
    )
    assert (estimate_task_graph(y, k=1) > 0).sum(axis=1).min() >= 1
    labels = (y > 0).astype(float)
    labels[np.isnan(y)] = np.nan
    for rule in TASK_GRAPH_RULES:
        assert_task_graph(estimate_task_graph(labels, rule), 12)
    assert_task_graph(estimate_task_graph(y[:, :1]), 1)
    with pytest.raises(ValueError, match="rule"):
        estimate_task_graph(y, "knn")
    # Integer-valued regression targets read as numbers when told.
    counts = np.column_stack([np.arange(30), np.arange(30) % 7])
    assert_task_graph(estimate_task_graph(counts, target_type="regression"), 2)


def test_small_kmeans_matches_scikit_learn_on_blobs():
    from sklearn.cluster import KMeans
    from sklearn.datasets import make_blobs

    from mtlearn.task_graph._cluster import kmeans

    points, truth = make_blobs(40, n_features=3, centers=5, random_state=0)
    labels = kmeans(points, 5, np.random.RandomState(0))
    reference = KMeans(5, n_init=10, random_state=0).fit(points)
    assert adjusted_rand_score(labels, reference.labels_) == 1.0
    inertia = sum(
        ((points[labels == c] - points[labels == c].mean(0)) ** 2).sum()
        for c in range(5)
    )
    assert inertia == pytest.approx(reference.inertia_)
