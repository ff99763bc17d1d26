"""Learned task structures of the linear models: 'relationship' and 'cluster'."""

import numpy as np
import pytest
from scipy.linalg import sqrtm
from scipy.optimize import minimize
from sklearn.metrics import adjusted_rand_score

from mtlearn.exceptions import ConstantTaskWarning
from mtlearn.linear_model import (
    MultiTaskLinearRegression,
    MultiTaskLinearRegressionCV,
    MultiTaskLogisticRegression,
    MultiTaskLogisticRegressionCV,
)
from mtlearn.linear_model._alternating import (
    ClusterLearner,
    RelationshipLearner,
    objective,
    solve_alternating,
)
from mtlearn.linear_model._datafits import SquaredDatafit
from mtlearn.linear_model._penalties import (
    Cluster,
    Mean,
    Relationship,
    TaskCovariance,
    cluster_spectrum,
)
from mtlearn.linear_model._solver import (
    _hessian_product,
    _metric,
    _SpectralBlockMetric,
    solve,
)


def _clustered(n=150, n_features=8, sizes=(3, 3), noise=0.5, seed=0):
    """Regression tasks in clusters: each task its cluster's w plus a little."""
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n, n_features))
    centres = rng.normal(size=(n_features, len(sizes)))
    labels = np.repeat(np.arange(len(sizes)), sizes)
    W = centres[:, labels] + 0.1 * rng.normal(size=(n_features, labels.size))
    Y = X @ W + noise * rng.normal(size=(n, labels.size))
    return X, Y, labels


def _random_spd(rng, n):
    A = rng.normal(size=(n, n))
    return A @ A.T + 0.1 * np.eye(n)


def _centred(n):
    return np.eye(n) - 1.0 / n


def test_omega_update_is_the_closed_form_and_the_minimiser():
    # Omega acts on the deviations from the tasks' mean: over {Omega 1 = 0,
    # tr Omega = 1, Omega > 0 on the centred subspace} the minimiser of
    # tr((C S C + eps C) Omega^+) is (C S C + eps C)^{1/2} / tr(.)
    rng = np.random.RandomState(0)
    W = rng.normal(size=(4, 5))
    C = _centred(5)
    S, eps = W.T @ W, 1e-3
    Omega = Relationship.update(S, eps)
    target = C @ S @ C + eps * C
    root = np.real(sqrtm(target))
    np.testing.assert_allclose(Omega, root / np.trace(root), atol=1e-7)
    assert np.isclose(np.trace(Omega), 1.0)
    np.testing.assert_allclose(Omega @ np.ones(5), 0.0, atol=1e-12)

    def value(O):
        return np.trace(target @ np.linalg.pinv(O, rcond=1e-10))

    best = value(Omega)
    np.testing.assert_allclose(best, np.trace(root) ** 2, rtol=1e-6)
    for _ in range(20):  # any other feasible Omega costs more
        O = C @ _random_spd(rng, 5) @ C
        assert value(O / np.trace(O)) >= best - 1e-9

    # a direct numeric minimisation over Omega = C L L^T C / tr(C L L^T C)
    def param(v):
        L = np.zeros((5, 5))
        L[np.tril_indices(5)] = v
        O = C @ (L @ L.T + 1e-12 * np.eye(5)) @ C
        return O / np.trace(O)

    start = np.eye(5)[np.tril_indices(5)]
    found = minimize(lambda v: value(param(v)), start, method="BFGS", tol=1e-12)
    np.testing.assert_allclose(found.fun, best, rtol=1e-5)
    # the scatter's common direction changes nothing
    np.testing.assert_allclose(
        Relationship.update(S + 7.0 * np.ones((5, 5)), eps), Omega, atol=1e-12
    )


def test_relationship_at_its_start_is_the_mean_coupling():
    rng = np.random.RandomState(7)
    W, b = rng.normal(size=(3, 6)), rng.normal(size=6)
    start = Relationship.initial(6)
    penalty = Relationship(0.4, 0.1, task_covariance=start, intercept_alpha=0.2)
    mean = Mean(0.4 * 5, 0.1, intercept_alpha=0.2 * 5)
    np.testing.assert_allclose(penalty.value(W), mean.value(W), rtol=1e-12)
    np.testing.assert_allclose(
        penalty.intercept_value(b), mean.intercept_value(b), rtol=1e-12
    )
    # the common vector of the tasks is free (l2_reg aside)
    common = np.outer(rng.normal(size=3), np.ones(6))
    assert np.isclose(
        penalty.value(W + common) - penalty.value(W),
        0.05 * (np.sum((W + common) ** 2) - np.sum(W**2)),
    )


@pytest.mark.parametrize(
    "make",
    [
        lambda rng: TaskCovariance(0.7, 0.2, precision=_random_spd(rng, 4)),
        lambda rng: Relationship(
            0.7, 0.1, task_covariance=_random_spd(rng, 4), intercept_alpha=0.3
        ),
        lambda rng: Cluster(
            0.7, 0.0, cluster_matrix=np.eye(4) * 0.5, eta=0.2, intercept_alpha=0.5
        ),
    ],
)
def test_penalty_gradients_by_finite_differences(make):
    rng = np.random.RandomState(1)
    penalty = make(rng)
    W, b = rng.normal(size=(3, 4)), rng.normal(size=4)
    h = 1e-6
    numeric = np.zeros_like(W)
    for idx in np.ndindex(W.shape):
        E = np.zeros_like(W)
        E[idx] = h
        numeric[idx] = (penalty.value(W + E) - penalty.value(W - E)) / (2 * h)
    np.testing.assert_allclose(penalty.gradient(W), numeric, rtol=1e-6, atol=1e-8)
    numeric_b = np.array(
        [
            (penalty.intercept_value(b + h * e) - penalty.intercept_value(b - h * e))
            / (2 * h)
            for e in np.eye(4)
        ]
    )
    np.testing.assert_allclose(
        penalty.intercept_gradient(b), numeric_b, rtol=1e-6, atol=1e-8
    )
    # the common level of the intercepts is free
    assert abs(penalty.intercept_value(np.full(4, 3.0))) < 1e-10
    top = np.linalg.eigvalsh(penalty.precision)[-1]
    assert np.isclose(penalty.lipschitz(), penalty.alpha * top + penalty.l2_reg)


def test_fixed_omega_subproblem_matches_a_dense_solve():
    rng = np.random.RandomState(2)
    n, d, T = 60, 5, 4
    X, Y = rng.normal(size=(n, d)), rng.normal(size=(n, T))
    P, alpha, l2_reg = _random_spd(rng, T), 0.3, 0.05
    datafit = SquaredDatafit(X, Y, np.ones((n, T), bool), None, False)
    penalty = TaskCovariance(alpha, l2_reg, precision=P)
    result = solve(datafit, penalty, np.zeros((d, T)), np.zeros(T), tol=1e-12)
    # normal equations on vec(W) (tasks stacked): (I (x) X^T X / n
    # + alpha P (x) I + l2_reg I) vec(W) = vec(X^T Y / n)
    A = np.kron(np.eye(T), X.T @ X / n) + np.kron(alpha * P, np.eye(d))
    A += l2_reg * np.eye(d * T)
    expected = np.linalg.solve(A, (X.T @ Y / n).T.ravel()).reshape(T, d).T
    np.testing.assert_allclose(result.W, expected, rtol=1e-8, atol=1e-10)


@pytest.mark.parametrize("intercept_alpha", [0.0, 0.4])
def test_spectral_metric_is_the_hessian_for_equal_task_hessians(intercept_alpha):
    # every task observed on every row: the tasks' Hessian blocks are equal,
    # and the metric built in the penalty's eigenbasis (dense task coupling
    # on W and, through C P C, on the intercepts) is the Hessian itself
    rng = np.random.RandomState(3)
    n, d, T = 40, 3, 5
    X, Y = rng.normal(size=(n, d)) + 1.0, rng.normal(size=(n, T))
    centring = "pooled" if intercept_alpha else "task"
    datafit = SquaredDatafit(X, Y, np.ones((n, T), bool), None, True, "auto", centring)
    penalty = TaskCovariance(
        0.7, 0.05, precision=_random_spd(rng, T), intercept_alpha=intercept_alpha
    )
    metric = _metric(datafit, penalty, datafit.linear(np.zeros((d, T)), np.zeros(T)))
    assert isinstance(metric, _SpectralBlockMetric)
    # the dense Hessian in (W, b), column by column (independent reference)
    size = (d + 1) * T
    K = np.zeros((size, size))
    for i in range(size):
        e = np.zeros(size)
        e[i] = 1.0
        h_W, h_b = _hessian_product(
            datafit, penalty, e[: d * T].reshape(d, T), e[d * T :]
        )
        K[:, i] = np.concatenate([h_W.ravel(), h_b])
    g = rng.normal(size=size)
    dir_W, dir_b = metric.direction(g[: d * T].reshape(d, T), g[d * T :])
    np.testing.assert_allclose(
        np.concatenate([dir_W.ravel(), dir_b]), np.linalg.solve(K, g), rtol=1e-9
    )
    assert np.isclose(metric.sqnorm(dir_W, dir_b), g @ np.linalg.solve(K, g))
    # so one preconditioned conjugate-gradient step solves the quadratic
    result = solve(datafit, penalty, np.zeros((d, T)), np.zeros(T), tol=1e-9)
    assert result.converged and result.n_iter == 1


def test_cluster_update_against_its_definition():
    rng = np.random.RandomState(3)
    W = rng.normal(size=(6, 7))
    S, k, eta = W.T @ W, 3, 0.2
    C = _centred(7)
    M = Cluster.update(S, k, eta)
    values = np.linalg.eigvalsh(M)
    assert np.isclose(np.trace(M), k)
    assert values.min() >= -1e-10 and values.max() <= 1 + 1e-10
    np.testing.assert_allclose(M @ np.ones(7), np.ones(7), atol=1e-10)

    def cost(M):
        return np.trace(C @ S @ C @ np.linalg.inv(eta * np.eye(7) + M))

    best = cost(M)
    # random feasible points of {tr M = k, 0 <= M <= I, M 1 = 1}: the ones
    # direction at 1, k - 1 spread over an orthonormal basis of the rest
    U = np.linalg.eigh(C)[1][:, 1:]
    for _ in range(50):
        V = U @ np.linalg.qr(rng.normal(size=(6, 6)))[0]
        gamma = rng.dirichlet(np.ones(6)) * (k - 1)
        if gamma.max() > 1:
            continue
        assert cost((V * gamma) @ V.T + 1.0 / 7) >= best - 1e-9
    # the spectrum's KKT: gamma_i = clip(theta sigma_i - eta, 0, 1)
    sigma2 = np.array([9.0, 4.0, 1.0, 0.0])
    gamma = cluster_spectrum(sigma2, 2, 0.1)
    assert np.isclose(gamma.sum(), 2.0)
    inside = (gamma > 1e-9) & (gamma < 1 - 1e-9)
    theta = (gamma[inside] + 0.1) / np.sqrt(sigma2[inside])
    np.testing.assert_allclose(theta, theta[0])


def test_cluster_penalty_at_a_hard_clustering():
    rng = np.random.RandomState(4)
    W = rng.normal(size=(3, 5))
    labels = np.array([0, 0, 1, 1, 1])
    F = np.eye(2)[labels] / np.sqrt(np.bincount(labels))[labels, None]
    alpha, eta = 0.8, 0.3
    penalty = Cluster(alpha, 0.0, cluster_matrix=F @ F.T, eta=eta)
    within = sum(
        np.sum((W[:, labels == c] - W[:, labels == c].mean(axis=1, keepdims=True)) ** 2)
        for c in range(2)
    )
    centred = W - W.mean(axis=1, keepdims=True)
    expected = alpha / 2 * within + alpha * eta / 2 * np.sum(centred**2)
    np.testing.assert_allclose(penalty.value(W), expected, rtol=1e-10)


@pytest.mark.parametrize("kind", ["relationship", "cluster"])
def test_outer_loop_lowers_the_objective(kind):
    X, Y, _ = _clustered()
    T = Y.shape[1]
    datafit = SquaredDatafit(X, Y, np.ones(Y.shape, bool), None, True)
    if kind == "relationship":
        learner = RelationshipLearner(0.05, 0.0, 0.0, T, covariance_eps=1e-3)
    else:
        learner = ClusterLearner(0.05, 0.0, 0.0, T, n_clusters=2, eta=0.1)
    W0, b0 = np.zeros((X.shape[1], T)), datafit.null_intercept()
    values = []
    for n in range(1, 5):
        result = solve_alternating(
            datafit, learner, W0, b0, tol=1e-10, outer_tol=0.0, max_outer_iter=n
        )
        values.append(result.objective)
        assert result.n_outer_iter == n
        penalty = learner.penalty(result.structure)
        assert np.isclose(
            objective(datafit, learner, penalty, result.W, result.b), result.objective
        )
    assert np.all(np.diff(values) <= 1e-10 * abs(values[0]))


def test_recovery_of_clear_clusters():
    X, Y, labels = _clustered(sizes=(3, 3, 2), seed=5)
    Y[:20, 1] = np.nan  # missing labels too
    reg = MultiTaskLinearRegression(
        penalty="cluster", alpha=0.1, n_task_clusters=3
    ).fit(X, Y)
    assert adjusted_rand_score(labels, reg.task_clusters_) == 1.0
    assert reg.task_graph_.shape == (8, 8) and np.all(np.diag(reg.task_graph_) == 0)
    same = labels[:, None] == labels[None, :]
    off = ~np.eye(8, dtype=bool)
    assert reg.task_graph_[same & off].min() > reg.task_graph_[~same].max()

    rel = MultiTaskLinearRegression(penalty="relationship", alpha=0.1).fit(X, Y)
    Omega = rel.task_covariance_
    assert np.isclose(np.trace(Omega), 1.0) and np.allclose(Omega, Omega.T)
    # the deviations' covariance: the ones vector in its null space only
    np.testing.assert_allclose(Omega @ np.ones(8), 0.0, atol=1e-12)
    assert np.linalg.eigvalsh(Omega)[1] > 1e-6
    corr = Omega / np.sqrt(np.outer(np.diag(Omega), np.diag(Omega)))
    assert corr[same & off].mean() > 0.9 > np.abs(corr[~same]).mean()
    np.testing.assert_allclose(rel.task_graph_, np.maximum(corr, 0) * off)
    assert rel.n_outer_iter_ >= 2
    assert np.all(np.isfinite(rel.coef_))


@pytest.mark.parametrize("penalty", ["relationship", "cluster"])
def test_missing_labels_leave_their_cells_out(penalty):
    X, Y, _ = _clustered(seed=6)
    Y_nan = Y.copy()
    Y_nan[:40, 0] = np.nan
    a = MultiTaskLinearRegression(penalty=penalty, alpha=0.05, tol=1e-10).fit(X, Y_nan)
    assert np.all(np.isfinite(a.coef_)) and np.all(np.isfinite(a.predict(X)))
    full = MultiTaskLinearRegression(penalty=penalty, alpha=0.05, tol=1e-10).fit(X, Y)
    assert not np.allclose(a.coef_, full.coef_)


@pytest.mark.parametrize("penalty", ["relationship", "cluster"])
def test_constant_tasks_stay_out_of_the_solve(penalty):
    X, Y, _ = _clustered(seed=7, sizes=(2, 2))
    Yb = (Y > 0).astype(float)
    with_constant = np.column_stack([Yb[:, :2], np.ones(len(Yb)), Yb[:, 2:]])
    params = dict(penalty=penalty, alpha=0.01, tol=1e-10, n_task_clusters=2)
    with pytest.warns(ConstantTaskWarning):
        clf = MultiTaskLogisticRegression(**params).fit(X, with_constant)
    ref = MultiTaskLogisticRegression(**params).fit(X, Yb)
    np.testing.assert_allclose(clf.coef_[[0, 1, 3, 4]], ref.coef_, atol=1e-7)
    assert np.all(clf.coef_[2] == 0)
    assert np.all(clf.task_graph_[2] == 0) and np.all(clf.task_graph_[:, 2] == 0)
    if penalty == "relationship":
        assert np.all(clf.task_covariance_[2] == 0)
    else:
        assert clf.task_clusters_[2] == -1
        assert adjusted_rand_score(clf.task_clusters_[[0, 1, 3, 4]], [0, 0, 1, 1]) == 1


def test_intercept_coupling_and_other_penalties_drop_the_attributes():
    X, Y, _ = _clustered(seed=8)
    reg = MultiTaskLinearRegression(
        penalty="relationship", alpha=0.05, intercept_alpha=0.1
    ).fit(X, Y + 5.0)
    assert np.allclose(reg.intercept_.mean(), (Y + 5.0).mean(), atol=0.5)
    reg.set_params(penalty="l2", intercept_alpha=0.0).fit(X, Y)
    for name in ("task_graph_", "task_covariance_", "n_outer_iter_"):
        assert not hasattr(reg, name)
    with pytest.raises(ValueError, match="cluster_ridge"):
        MultiTaskLinearRegression(penalty="cluster", cluster_ridge=0.0).fit(X, Y)


def test_cv_variants_search_the_new_strengths():
    X, Y, labels = _clustered(seed=9)
    Y[:20, 0] = np.nan
    reg = MultiTaskLinearRegressionCV(
        penalty="cluster",
        alphas=3,
        cluster_ridge=[0.05, 0.5],
        intercept_alpha=[0.0, 0.1],
        cv=3,
    ).fit(X, Y)
    assert reg.mse_path_.shape == (2, 2, 3, 3)
    assert reg.cluster_ridge_ in (0.05, 0.5) and reg.intercept_alpha_ in (0.0, 0.1)
    assert adjusted_rand_score(labels, reg.task_clusters_) == 1.0
    Yb = (Y > 0).astype(float)
    Yb[:20, 0] = np.nan
    clf = MultiTaskLogisticRegressionCV(penalty="relationship", alphas=3, cv=3).fit(
        X, Yb
    )
    assert clf.scores_.shape == (3, 3)
    assert clf.task_covariance_.shape == (6, 6) and clf.n_outer_iter_ >= 1


def test_task_graph_rule_is_estimated_from_the_training_targets(monkeypatch):
    task_graph = pytest.importorskip("mtlearn.task_graph")
    if not hasattr(task_graph, "estimate_task_graph"):
        pytest.skip("mtlearn.task_graph.estimate_task_graph has not landed")
    seen = []

    def fake(targets, rule):
        seen.append(targets.values.shape[0])
        A = np.ones((targets.n_tasks, targets.n_tasks))
        np.fill_diagonal(A, 0)
        return A

    monkeypatch.setattr(task_graph, "estimate_task_graph", fake)
    X, Y, _ = _clustered(n=90, seed=10)
    reg = MultiTaskLinearRegressionCV(
        penalty="graph", task_graph="auto", alphas=2, cv=3
    ).fit(X, Y)
    assert seen == [90, 60, 60, 60]  # all rows for the refit, each fold's training
    expected = np.ones((Y.shape[1], Y.shape[1]))
    np.fill_diagonal(expected, 0)
    np.testing.assert_array_equal(reg.task_graph_, expected)


@pytest.mark.parametrize("penalty", ["relationship", "cluster"])
def test_strong_intercept_coupling_keeps_the_metric_invertible(penalty):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 4))
    Y = X @ rng.normal(size=(4, 3)) + rng.normal(size=3)
    model = MultiTaskLinearRegression(penalty=penalty, intercept_alpha=1e8)
    model.fit(X, Y)
    assert np.all(np.isfinite(model.coef_)) and np.all(np.isfinite(model.intercept_))
    with pytest.raises(ValueError) as error:  # the gradient overflows: said so
        MultiTaskLinearRegression(penalty=penalty, intercept_alpha=1e300).fit(X, Y)
    assert not isinstance(error.value, np.linalg.LinAlgError)


@pytest.mark.parametrize("penalty", ["mean", "relationship", "cluster"])
def test_a_constant_target_is_left_out_of_the_coupling(penalty):
    # a target with one value on several rows is predicted as that value,
    # and the other tasks are fitted as if it were not there
    X, Y, _ = _clustered(sizes=(2, 2), seed=6)
    params = dict(penalty=penalty, alpha=0.5, n_task_clusters=2, tol=1e-10)
    params.update(outer_tol=1e-10, max_outer_iter=1000)
    with_constant = np.insert(Y, 1, 3.0, axis=1)
    with_constant[:10, 1] = np.nan  # missing cells of the constant target
    reg = MultiTaskLinearRegression(**params).fit(X, with_constant)
    alone = MultiTaskLinearRegression(**params).fit(X, Y)
    np.testing.assert_array_equal(reg.predict(X)[:, 1], 3.0)
    np.testing.assert_array_equal(reg.coef_[1], 0.0)
    np.testing.assert_allclose(
        np.delete(reg.predict(X), 1, axis=1), alone.predict(X), atol=1e-6
    )
    # one observed row is no evidence of a constant: the coupling fits it
    single = np.insert(Y, 1, np.nan, axis=1)
    single[0, 1] = 3.0
    reg = MultiTaskLinearRegression(**params).fit(X, single)
    assert np.any(reg.coef_[1] != 0)
