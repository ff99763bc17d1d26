"""The linear models on large sparse data: never densified, same optimum."""

import tracemalloc

import numpy as np
import pytest
from scipy import sparse
from sklearn.linear_model import LogisticRegression

from mtlearn.linear_model import MultiTaskLogisticRegression
from mtlearn.linear_model._multitask import _drop_empty_columns


def _wide_sparse(n_samples, n_features, nnz, seed=0):
    """A sparse X whose signal lives in 300 of its columns, and 2 labels."""
    rng = np.random.default_rng(seed)
    columns = rng.choice(n_features, size=300, replace=False)
    rows = rng.integers(0, n_samples, nnz)
    X = sparse.csr_matrix(
        (rng.random(nnz) + 0.5, (rows, rng.choice(columns, nnz))),
        shape=(n_samples, n_features),
    )
    w = np.zeros((n_features, 2))
    w[columns[:20], 0] = 4.0
    w[columns[10:30], 1] = -4.0
    Z = np.asarray(X @ w) + rng.normal(size=(n_samples, 2))
    Y = (Z > np.quantile(Z, 0.8, axis=0)).astype(float)
    return X, Y, columns


@pytest.mark.parametrize("penalty", ["l21", "l2"])
def test_a_matrix_too_large_to_densify_is_fitted_in_little_memory(penalty):
    # 20 000 x 2 000 000: 320 GB dense; 10 000 nonzeros
    X, Y, columns = _wide_sparse(20_000, 2_000_000, 10_000)
    tracemalloc.start()
    try:
        model = MultiTaskLogisticRegression(penalty=penalty, alpha=1e-3).fit(X, Y)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    # the coefficients (2 000 000 x 2, 32 MB) and their copy in coef_ are
    # the largest arrays; dense X would need 10 000 times more
    assert peak < 150e6
    assert model.coef_.shape == (2, 2_000_000)
    support = np.flatnonzero(np.any(model.coef_ != 0, axis=0))
    assert support.size > 0 and np.isin(support, columns).all()
    assert model.score(X, Y) > 0.8


def test_empty_columns_are_left_out_with_the_same_solution():
    X, Y, _ = _wide_sparse(400, 3000, 2000, seed=1)
    used = np.flatnonzero(X.getnnz(axis=0))
    assert used.size < 3000
    X_used, found = _drop_empty_columns(X)
    np.testing.assert_array_equal(found, used)
    assert X_used.shape == (400, used.size)
    for penalty, l2_reg in [("l21", 0.0), ("l2", 0.0), ("mean", 1e-2)]:
        params = dict(
            penalty=penalty, alpha=1e-3, l2_reg=l2_reg, tol=1e-9, max_iter=5000
        )
        full = MultiTaskLogisticRegression(**params).fit(X, Y)
        small = MultiTaskLogisticRegression(**params).fit(X[:, used], Y)
        np.testing.assert_allclose(full.coef_[:, used], small.coef_, atol=1e-7)
        assert np.all(np.delete(full.coef_, used, axis=1) == 0)
        np.testing.assert_allclose(full.intercept_, small.intercept_, atol=1e-7)


def test_sparse_l2_logistic_matches_one_logistic_regression_per_task():
    # the per-entry diagonal metric, rebuilt along the way, reaches the
    # optimum scikit-learn finds for each task on its own
    X, Y, _ = _wide_sparse(600, 800, 3000, seed=2)
    X = X[:, np.flatnonzero(X.getnnz(axis=0))]
    C = 10.0
    model = MultiTaskLogisticRegression(
        penalty="l2", alpha=1.0 / (C * X.shape[0]), tol=1e-10, max_iter=20000
    ).fit(X, Y)
    for t in range(Y.shape[1]):
        reference = LogisticRegression(C=C, tol=1e-12, max_iter=10000).fit(X, Y[:, t])
        np.testing.assert_allclose(model.coef_[t], reference.coef_[0], atol=2e-5)
        np.testing.assert_allclose(
            model.intercept_[t], reference.intercept_[0], atol=2e-5
        )


def test_hessian_diagonal_of_a_sparse_X_with_duplicate_entries():
    from mtlearn.linear_model._datafits import LogisticDatafit

    rng = np.random.default_rng(3)
    X = sparse.random(30, 10, density=0.4, random_state=3, format="csr")
    # every entry stored twice, each half its value: not canonical
    indptr = 2 * X.indptr
    indices = np.repeat(X.indices, 2)
    X_dup = sparse.csr_matrix((np.repeat(X.data / 2, 2), indices, indptr), X.shape)
    assert not X_dup.has_canonical_format
    Y = (rng.random((30, 2)) < 0.5).astype(float)
    h = rng.random((30, 2))
    mask = np.ones((30, 2), bool)
    expected = LogisticDatafit(X.toarray(), Y, mask).hessian_diagonal(h)
    found = LogisticDatafit(X_dup, Y, mask).hessian_diagonal(h)
    np.testing.assert_allclose(found, expected, atol=1e-12)


def test_sparse_working_set_takes_every_violating_feature_at_once(monkeypatch):
    # on a sparse X the first working set holds every feature violating
    # optimality at the start (when they are at most half of them), and
    # the solve reaches the optimum of the solve without working sets
    from mtlearn.linear_model import _solver
    from mtlearn.linear_model._datafits import LogisticDatafit
    from mtlearn.linear_model._penalties import L21

    X, Y, _ = _wide_sparse(800, 3000, 6000, seed=4)
    datafit = LogisticDatafit(X, Y, np.ones(Y.shape, dtype=bool))
    penalty = L21(2e-3)
    W0, b0 = np.zeros((X.shape[1], 2)), datafit.null_intercept()
    grad_W, _ = datafit.gradient(W0, b0)
    violating = int(np.sum(penalty.row_distance(W0, grad_W) > 0))
    assert 10 < violating <= X.shape[1] // 2
    sizes = []
    inner = _solver.fista

    def recorded(datafit, *args, **kwargs):
        sizes.append(datafit.X.shape[1])
        return inner(datafit, *args, **kwargs)

    monkeypatch.setattr(_solver, "fista", recorded)
    grown = _solver.solve(
        datafit, penalty, W0, b0, tol=1e-9, max_iter=20000, working_set=True
    )
    assert sizes[0] == violating
    whole = _solver.solve(
        datafit, penalty, W0, b0, tol=1e-9, max_iter=20000, working_set=False
    )
    assert grown.converged and whole.converged
    np.testing.assert_allclose(grown.W, whole.W, atol=1e-7)
    np.testing.assert_allclose(grown.b, whole.b, atol=1e-7)
    # a dense X still grows its working set from 10 features
    sizes.clear()
    dense = LogisticDatafit(X.toarray(), Y, np.ones(Y.shape, dtype=bool))
    _solver.solve(dense, penalty, W0, b0, tol=1e-6, max_iter=20000, working_set=True)
    assert sizes[0] == 10
