"""Tests of mtlearn.linear_model: datafits, penalties, solver, estimators."""

import pickle
import warnings

import numpy as np
import pytest
from scipy import sparse
from scipy.optimize import minimize
from scipy.special import expit, log_expit
from sklearn.datasets import make_classification, make_multilabel_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression, MultiTaskLasso, MultiTaskLassoCV
from sklearn.model_selection import GridSearchCV, KFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import mtlearn.linear_model._datafits as datafits_module
from mtlearn.exceptions import ConstantTaskWarning
from mtlearn.linear_model import (
    MultiTaskLinearRegression,
    MultiTaskLinearRegressionCV,
    MultiTaskLogisticRegression,
    MultiTaskLogisticRegressionCV,
)
from mtlearn.linear_model._datafits import (
    LogisticDatafit,
    MultinomialDatafit,
    SquaredDatafit,
)
from mtlearn.linear_model._penalties import L2, L21, Graph, Mean, Trace
from mtlearn.linear_model._solver import fista, solve
from mtlearn.metrics import make_multitask_scorer
from mtlearn.model_selection import MultilabelStratifiedKFold

N_SAMPLES, N_FEATURES, N_TASKS = 40, 5, 3


def _problem(kind, seed=0, sparse_X=False, layout="auto", observed=0.75):
    """Small data with missing cells and sample weights, and its datafit."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(N_SAMPLES, N_FEATURES))
    mask = rng.random((N_SAMPLES, N_TASKS)) < observed
    weights = rng.uniform(0.5, 2.0, size=N_SAMPLES)
    if kind == "squared":
        y = X @ rng.normal(size=(N_FEATURES, N_TASKS)) + rng.normal(size=(40, 3))
        datafit_cls, extra = SquaredDatafit, {}
    elif kind == "logistic":
        y = X @ rng.normal(size=(N_FEATURES, N_TASKS)) + rng.normal(size=(40, 3)) > 0
        y = y.astype(np.int32)
        datafit_cls, extra = LogisticDatafit, {}
    else:  # multinomial: tasks with 3, 2 and 4 classes
        n_classes = [3, 2, 4]
        y = np.column_stack([rng.integers(0, k, N_SAMPLES) for k in n_classes])
        datafit_cls, extra = MultinomialDatafit, {"n_classes": n_classes}
    if sparse_X:
        X[np.abs(X) < 0.8] = 0.0
        X = sparse.csr_matrix(X)
    if kind != "multinomial":
        extra["layout"] = layout
    datafit = datafit_cls(X, y, mask, weights, **extra)
    return datafit


DATAFITS = ["squared", "logistic", "multinomial"]


def _start(datafit, seed=1, scale=0.3):
    rng = np.random.default_rng(seed)
    W = scale * rng.normal(size=(N_FEATURES, datafit.n_outputs))
    b = scale * rng.normal(size=datafit.n_outputs)
    return W, b


@pytest.mark.parametrize("sparse_X", [False, True])
@pytest.mark.parametrize("kind", DATAFITS)
def test_datafit_gradient_matches_finite_differences(kind, sparse_X):
    datafit = _problem(kind, sparse_X=sparse_X)
    W, b = _start(datafit)
    grad_W, grad_b = datafit.gradient(W, b)
    theta = np.concatenate([W.ravel(), b])

    def f(theta):
        return datafit.value(theta[: W.size].reshape(W.shape), theta[W.size :])

    eps = 1e-6
    numeric = np.array(
        [
            (f(theta + eps * e) - f(theta - eps * e)) / (2 * eps)
            for e in np.eye(theta.size)
        ]
    )
    np.testing.assert_allclose(
        np.concatenate([grad_W.ravel(), grad_b]), numeric, rtol=1e-5, atol=1e-8
    )


@pytest.mark.parametrize("layout", ["dense", "cells"])
@pytest.mark.parametrize("block", [7, 32_768])
def test_logistic_loss_and_gradient_match_scipy_on_extreme_predictions(
    layout, block, monkeypatch
):
    # the loss and its derivative from one exponential, over blocks of cells
    # (a block that does not divide the cells, and one block), against
    # scipy's log_expit / expit, where a naive formula overflows
    monkeypatch.setattr(datafits_module, "_LOSS_BLOCK", block)
    datafit = _problem("logistic", layout=layout, observed=0.4)
    assert datafit.layout == layout
    rng = np.random.default_rng(7)
    shape = datafit._yv.shape
    Z = rng.normal(size=shape) * rng.choice([0.1, 5.0, 40.0, 800.0], size=shape)
    Z.flat[:4] = [-800.0, 800.0, 0.0, -1e-300]
    u = datafit._sign * Z
    value, grad = datafit.loss_and_gradient(Z)
    assert value == pytest.approx(float(np.sum(datafit._cw * -log_expit(u))), rel=1e-13)
    np.testing.assert_allclose(
        grad, -datafit._cw * datafit._sign * expit(-u), rtol=1e-13, atol=0
    )
    assert datafit.loss(Z) == value


@pytest.mark.parametrize("kind", DATAFITS)
def test_datafit_objective_is_the_masked_weighted_mean(kind):
    # the documented objective, cell by cell, for the squared loss and at
    # W = 0 (every loss log 2 or log K) for the classification losses
    datafit = _problem(kind)
    W0, b0 = np.zeros((N_FEATURES, datafit.n_outputs)), np.zeros(datafit.n_outputs)
    if kind == "squared":
        W, b = _start(datafit)
        Z = datafit.X @ W + datafit.raw_intercept(W, b)  # task-centred X
        expected = 0.0
        for t in range(N_TASKS):
            m, s = datafit.mask[:, t], datafit.sample_weight
            r = datafit.y[m, t] - Z[m, t]
            expected += 0.5 * np.sum(s[m] * r**2) / s[m].sum()
        assert datafit.value(W, b) == pytest.approx(expected)
    else:
        n_classes = getattr(datafit, "n_classes", [2] * N_TASKS)
        assert datafit.value(W0, b0) == pytest.approx(np.log(n_classes).sum())


@pytest.mark.parametrize("kind", DATAFITS)
def test_datafit_lipschitz_bounds_the_gradient_change(kind):
    datafit = _problem(kind)
    L = datafit.lipschitz()
    rng = np.random.default_rng(3)
    for _ in range(5):
        W1, b1 = _start(datafit, seed=rng.integers(1000), scale=2.0)
        W2, b2 = _start(datafit, seed=rng.integers(1000), scale=2.0)
        g1, g2 = datafit.gradient(W1, b1), datafit.gradient(W2, b2)
        change = np.sqrt(np.sum((g1[0] - g2[0]) ** 2) + np.sum((g1[1] - g2[1]) ** 2))
        dist = np.sqrt(np.sum((W1 - W2) ** 2) + np.sum((b1 - b2) ** 2))
        assert change <= 1.001 * L * dist


@pytest.mark.parametrize("kind", ["squared", "logistic"])
def test_cells_layout_gives_the_dense_values(kind):
    # with few observed cells the predictions are held as a vector of the
    # observed cells; every quantity the solver uses must be unchanged
    dense = _problem(kind, layout="dense", observed=0.2)
    cells = _problem(kind, layout="auto", observed=0.2)
    assert (dense.layout, cells.layout) == ("dense", "cells")
    W, b = _start(dense)
    assert cells.value(W, b) == pytest.approx(dense.value(W, b), rel=1e-12)
    for ours, theirs in zip(cells.gradient(W, b), dense.gradient(W, b)):
        np.testing.assert_allclose(ours, theirs, rtol=1e-10, atol=1e-12)
    for method in ["hessian_diagonal", "hessian_blocks", "null_intercept"]:
        np.testing.assert_allclose(
            getattr(cells, method)(), getattr(dense, method)(), atol=1e-12
        )
    assert cells.lipschitz() == pytest.approx(dense.lipschitz(), rel=1e-8)
    sub = [0, 2, 3]
    np.testing.assert_allclose(
        cells.restrict(sub).gradient(W[sub], b)[0],
        dense.restrict(sub).gradient(W[sub], b)[0],
        atol=1e-12,
    )


@pytest.mark.parametrize("kind", ["squared", "logistic"])
def test_hessian_blocks_bound_the_datafit_curvature(kind):
    # blocks and diagonal: the Hessian in w_t of the curvature bound. For
    # the squared loss it is the Hessian itself (finite differences of the
    # gradient); for the logistic loss it dominates the Hessian.
    datafit = _problem(kind)
    blocks = datafit.hessian_blocks()[:, :N_FEATURES, :N_FEATURES]
    np.testing.assert_allclose(
        datafit.hessian_diagonal(), np.diagonal(blocks, axis1=1, axis2=2).T
    )
    W, b = _start(datafit)
    eps = 1e-6
    for t in range(datafit.n_outputs):
        numeric = np.empty((N_FEATURES, N_FEATURES))
        for j in range(N_FEATURES):
            step = np.zeros_like(W)
            step[j, t] = eps
            up = datafit.gradient(W + step, b)[0][:, t]
            down = datafit.gradient(W - step, b)[0][:, t]
            numeric[:, j] = (up - down) / (2 * eps)
        if kind == "squared":
            np.testing.assert_allclose(blocks[t], numeric, atol=1e-6)
        else:
            gap = np.linalg.eigvalsh(blocks[t] - 0.5 * (numeric + numeric.T))
            assert gap.min() >= -1e-6


def test_coupled_block_metric_is_the_exact_inverse():
    # the 'mean' metric: per-output blocks on (w_t, b_t) minus the coupling
    # J (x) diag(c), inverted by the Woodbury identity; checked against the
    # dense matrix, with and without a coupling of the intercepts
    from mtlearn.linear_model._solver import _CoupledBlockMetric

    rng = np.random.default_rng(0)
    p, k = 4, 3
    hessians = np.array([a @ a.T for a in rng.normal(size=(k, p, p))])
    hessians[1] = 0.0  # an output without data
    for c_b, alpha in [(0.0, 0.6), (0.1, 0.6), (0.1, 3e4)]:
        coupling = np.array([alpha, alpha, alpha, c_b * k]) / k
        shifts = np.tile(coupling * k + 0.05, (k, 1))
        metric = _CoupledBlockMetric(hessians, shifts, coupling)
        blocks = hessians + np.array([np.diag(row) for row in shifts])
        full = np.zeros((p * k, p * k))  # ordered output by output
        for t in range(k):
            full[t * p : (t + 1) * p, t * p : (t + 1) * p] = blocks[t]
        full -= np.kron(np.ones((k, k)), np.diag(coupling))
        G = rng.normal(size=(p, k))
        d_W, d_b = metric.direction(G[:-1], G[-1])
        expected = np.linalg.solve(full, G.T.ravel()).reshape(k, p).T
        np.testing.assert_allclose(np.vstack([d_W, d_b]), expected, rtol=1e-8)
        assert metric.sqnorm(G[:-1], G[-1]) == pytest.approx(
            G.T.ravel() @ full @ G.T.ravel()
        )


def test_squared_loss_with_a_smooth_penalty_takes_newton_steps():
    # the block metric makes the squared loss with 'l2' or 'mean' one
    # Newton step: solved to 1e-10 at the first check of optimality
    datafit = _problem("squared")
    zeros = np.zeros((N_FEATURES, N_TASKS)), np.zeros(N_TASKS)
    for penalty in [L2(0.3), Mean(0.3, l2_reg=0.01), Mean(5.0)]:
        result = fista(datafit, penalty, *zeros, tol=1e-10, check_every=2)
        assert result.converged and result.n_iter == 2
    # also with the intercepts pulled to their mean (centred at the pooled
    # mean of X, where intercepts are comparable)
    pooled = SquaredDatafit(
        datafit.X, datafit.y, datafit.mask, datafit.sample_weight, centring="pooled"
    )
    result = fista(pooled, Mean(0.3, intercept_alpha=0.5), *zeros, tol=1e-10)
    assert result.converged and result.n_iter == 10


def _penalties(n_outputs=N_TASKS):
    rng = np.random.default_rng(0)
    A = rng.uniform(size=(n_outputs, n_outputs))
    A = A + A.T
    np.fill_diagonal(A, 0)
    return {
        "l2": L2(0.3, l2_reg=0.1),
        "l21": L21(0.3, l2_reg=0.1),
        "trace": Trace(0.3, l2_reg=0.1),
        "mean": Mean(0.3, l2_reg=0.1),
        "graph": Graph(0.3, l2_reg=0.1, task_graph=A),
        "l21_no_ridge": L21(0.3),
        "trace_no_ridge": Trace(0.3),
    }


@pytest.mark.parametrize("name", ["l21", "trace", "l21_no_ridge", "trace_no_ridge"])
def test_prox_solves_its_problem(name):
    # prox(V, step) = argmin 0.5 ||Z - V||^2 + step * penalty(Z): its
    # optimality condition is V - Z in step * subdifferential(Z), i.e. the
    # penalty's own distance() with grad = (Z - V) / step is zero; and no
    # perturbed point does better
    penalty = _penalties()[name]
    rng = np.random.default_rng(1)
    step = 0.7
    for scale in [0.05, 0.3, 2.0]:
        V = scale * rng.normal(size=(6, N_TASKS))
        V[0] = 0.01  # a row the prox sets to zero
        Z = penalty.prox(V, step)
        assert penalty.distance(Z, (Z - V) / step) < 1e-10

        def objective(Z_flat, V=V):
            Zm = Z_flat.reshape(V.shape)
            return 0.5 * np.sum((Zm - V) ** 2) + step * penalty.value(Zm)

        best = objective(Z.ravel())
        for _ in range(20):
            assert objective(Z.ravel() + 1e-3 * rng.normal(size=Z.size)) >= best


@pytest.mark.parametrize("l2_reg", [0.0, 0.5])
def test_l21_prox_with_one_step_per_entry(l2_reg):
    # the prox in a diagonal metric (the solver's Jacobi scaling):
    # argmin sum (Z - V)^2 / (2 S) + alpha ||Z||_21 + ridge. Its optimality
    # condition is the plain distance() with grad = (Z - V) / S; with equal
    # steps it is the closed form
    penalty = L21(0.3, l2_reg=l2_reg)
    rng = np.random.default_rng(2)
    for scale in [0.05, 0.3, 2.0]:
        V = scale * rng.normal(size=(6, N_TASKS))
        V[0] = 0.01  # a row set to zero
        S = rng.uniform(0.2, 3.0, size=V.shape)
        Z = penalty.prox(V, S)
        assert not np.any(Z[0])
        assert penalty.distance(Z, (Z - V) / S) < 1e-9
        same = np.full(V.shape, 0.7)
        np.testing.assert_allclose(penalty.prox(V, same), penalty.prox(V, 0.7))


def test_logistic_local_curvature_is_the_hessian_diagonal():
    # with the local weights p (1 - p) the diagonal is the exact Hessian's
    datafit = _problem("logistic")
    W, b = _start(datafit)
    weights = datafit.curvature_weights(datafit.linear(W, b))
    diagonal = datafit.hessian_diagonal(weights)
    eps = 1e-5
    for j, t in [(0, 0), (2, 1), (4, 2)]:
        step = np.zeros_like(W)
        step[j, t] = eps
        up = datafit.gradient(W + step, b)[0][j, t]
        down = datafit.gradient(W - step, b)[0][j, t]
        assert diagonal[j, t] == pytest.approx((up - down) / (2 * eps), rel=1e-5)


@pytest.mark.parametrize("name", ["l2", "mean", "graph"])
def test_smooth_penalty_gradient_and_lipschitz(name):
    penalty = _penalties()[name]
    rng = np.random.default_rng(2)
    W = rng.normal(size=(4, N_TASKS))
    eps = 1e-6
    numeric = np.zeros_like(W)
    for index in np.ndindex(W.shape):
        E = np.zeros_like(W)
        E[index] = eps
        numeric[index] = (penalty.value(W + E) - penalty.value(W - E)) / (2 * eps)
    np.testing.assert_allclose(penalty.gradient(W), numeric, rtol=1e-6, atol=1e-8)
    W2 = rng.normal(size=W.shape)
    change = np.linalg.norm(penalty.gradient(W) - penalty.gradient(W2))
    assert change <= 1.0001 * penalty.lipschitz() * np.linalg.norm(W - W2)


def test_penalty_closed_forms():
    W = np.array([[3.0, 4.0], [0.0, 0.0], [1.0, 1.0]])
    assert L21(2.0).value(W) == pytest.approx(2 * (5 + np.sqrt(2)))
    assert Trace(1.0).value(np.diag([3.0, 1.0])) == pytest.approx(4.0)
    # sum over ordered pairs (s, t) of A_st ||w_s - w_t||^2, halved by alpha / 2
    A = np.array([[0.0, 2.0], [2.0, 0.0]])
    expected = 0.5 * 2 * 2.0 * np.sum((W[:, 0] - W[:, 1]) ** 2)
    assert Graph(1.0, task_graph=A).value(W) == pytest.approx(expected)
    expected = 0.5 * np.sum((W - W.mean(axis=1, keepdims=True)) ** 2)
    assert Mean(1.0).value(W) == pytest.approx(expected)


@pytest.mark.parametrize(
    "task_graph, match",
    [
        (np.ones((2, 3)), "shape"),
        (-np.ones((3, 3)), "non-negative"),
        (np.triu(np.ones((3, 3))), "symmetric"),
        (np.full((3, 3), np.nan), "finite"),
    ],
)
def test_graph_penalty_validates_the_task_graph(task_graph, match):
    with pytest.raises(ValueError, match=match):
        Graph(1.0, task_graph=task_graph)


@pytest.mark.parametrize("sparse_X", [False, True, "cells"])
@pytest.mark.parametrize("name", ["l2", "l21", "trace", "mean", "graph"])
@pytest.mark.parametrize("kind", DATAFITS)
def test_solver_reaches_tol_for_every_penalty_and_datafit(kind, name, sparse_X):
    if sparse_X == "cells":  # few observed cells, held as a vector
        if kind == "multinomial":
            pytest.skip("multiclass tasks always use the dense layout")
        datafit = _problem(kind, layout="cells", observed=0.4)
        assert datafit.layout == "cells"
    else:
        datafit = _problem(kind, sparse_X=sparse_X)
    penalty = _penalties(datafit.n_outputs)[name]
    penalty.alpha = 0.05
    W0, b0 = np.zeros((N_FEATURES, datafit.n_outputs)), np.zeros(datafit.n_outputs)
    result = solve(datafit, penalty, W0, b0, tol=1e-8, max_iter=20000)
    assert result.converged and result.violation <= 1e-8

    # and it is a minimum: no random perturbation does better
    def total(W, b):
        return datafit.value(W, b) + penalty.value(W)

    best = total(result.W, result.b)
    rng = np.random.default_rng(0)
    for _ in range(10):
        dW = 1e-4 * rng.normal(size=result.W.shape)
        assert total(result.W + dW, result.b) >= best - 1e-12


@pytest.mark.parametrize("name", ["mean", "graph"])
@pytest.mark.parametrize("kind", ["squared", "logistic"])
def test_solver_with_coupled_intercepts(kind, name):
    # intercept_alpha * P(b) with b the intercepts at the pooled mean of X:
    # its gradient matches finite differences, and the solver's answer is a
    # minimum of the whole objective, intercepts included
    base = _problem(kind)
    datafit = type(base)(
        base.X, base.y, base.mask, base.sample_weight, centring="pooled"
    )
    penalty = _penalties()[name]
    penalty.alpha, penalty.intercept_alpha = 0.05, 0.2
    rng = np.random.default_rng(0)
    b = rng.normal(size=N_TASKS)
    eps = 1e-6
    numeric = [
        (penalty.intercept_value(b + eps * e) - penalty.intercept_value(b - eps * e))
        / (2 * eps)
        for e in np.eye(N_TASKS)
    ]
    np.testing.assert_allclose(penalty.intercept_gradient(b), numeric, rtol=1e-6)
    zeros = np.zeros((N_FEATURES, N_TASKS)), np.zeros(N_TASKS)
    result = solve(datafit, penalty, *zeros, tol=1e-8, max_iter=20000)
    assert result.converged

    def total(W, b):
        return datafit.value(W, b) + penalty.value(W) + penalty.intercept_value(b)

    best = total(result.W, result.b)
    for _ in range(10):
        dW = 1e-4 * rng.normal(size=result.W.shape)
        db = 1e-4 * rng.normal(size=N_TASKS)
        assert total(result.W + dW, result.b + db) >= best - 1e-12


def test_l21_squared_solves_multitask_lasso():
    # MultiTaskLasso: (1 / (2 n)) ||Y - X W - b||_F^2 + alpha sum_j ||W_j||_2.
    # With every cell observed and unit weights our squared datafit is
    # sum_t (1/n) sum_i (y_it - z_it)^2 / 2 = (1 / (2 n)) ||Y - Z||_F^2, so the
    # two alphas are the same number.
    rng = np.random.default_rng(0)
    n, p, T = 100, 150, 4
    X = rng.normal(size=(n, p)) + 0.5
    W_true = np.zeros((p, T))
    W_true[:6] = rng.normal(size=(6, T))
    Y = X @ W_true + 0.5 * rng.normal(size=(n, T)) + 2.0
    Xc, Yc = X - X.mean(axis=0), Y - Y.mean(axis=0)
    alpha = np.linalg.norm(Xc.T @ Yc, axis=1).max() / n / 10
    reference = MultiTaskLasso(alpha=alpha, tol=1e-12, max_iter=100000).fit(X, Y)

    def objective(W, b):
        return 0.5 * np.sum((Y - X @ W - b) ** 2) / n + alpha * np.sum(
            np.linalg.norm(W, axis=1)
        )

    datafit = SquaredDatafit(X, Y, np.ones(Y.shape, dtype=bool))
    for working_set in [False, True]:
        result = solve(
            datafit,
            L21(alpha),
            np.zeros((p, T)),
            np.zeros(T),
            tol=1e-9,
            max_iter=100000,
            working_set=working_set,
        )
        assert result.converged
        ours = objective(result.W, datafit.raw_intercept(result.W, result.b))
        theirs = objective(reference.coef_.T, reference.intercept_)
        assert abs(ours - theirs) <= 1e-6 * theirs
        np.testing.assert_allclose(result.W, reference.coef_.T, atol=1e-5)


@pytest.mark.parametrize("kind", ["logistic", "multinomial"])
def test_classification_fit_agrees_with_lbfgs(kind):
    datafit = _problem(kind)
    penalty = L2(0.05)
    shape = (N_FEATURES, datafit.n_outputs)
    result = fista(
        datafit,
        penalty,
        np.zeros(shape),
        np.zeros(shape[1]),
        tol=1e-9,
        max_iter=50000,
    )
    assert result.converged

    def fun(theta):
        W, b = theta[: N_FEATURES * shape[1]].reshape(shape), theta[-shape[1] :]
        grad_W, grad_b = datafit.gradient(W, b)
        value = datafit.value(W, b) + penalty.value(W)
        return value, np.concatenate([(grad_W + penalty.gradient(W)).ravel(), grad_b])

    theta0 = np.zeros(N_FEATURES * shape[1] + shape[1])
    reference = minimize(
        fun, theta0, jac=True, method="L-BFGS-B", options={"gtol": 1e-12, "ftol": 0}
    )
    np.testing.assert_allclose(
        result.W.ravel(), reference.x[: result.W.size], atol=1e-6
    )
    np.testing.assert_allclose(result.b, reference.x[result.W.size :], atol=1e-6)


def test_warm_start_from_the_solution_stops_at_once():
    datafit = _problem("squared")
    penalty = L21(0.05)
    zeros = np.zeros((N_FEATURES, N_TASKS)), np.zeros(N_TASKS)
    first = solve(datafit, penalty, *zeros, tol=1e-10, max_iter=20000)
    again = solve(datafit, penalty, first.W, first.b, tol=1e-8, max_iter=20000)
    assert again.converged and again.n_iter <= 10 < first.n_iter


def test_solver_reports_non_convergence():
    datafit = _problem("logistic")
    zeros = np.zeros((N_FEATURES, N_TASKS)), np.zeros(N_TASKS)
    result = solve(datafit, Trace(0.01), *zeros, tol=1e-14, max_iter=5)
    assert not result.converged and result.n_iter == 5 and result.violation > 1e-14


# -- estimators ------------------------------------------------------------


def _regression_data(seed=0, n=120, p=8, T=3):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, p))
    Y = X[:, :3] @ rng.normal(size=(3, T)) + 0.3 * rng.normal(size=(n, T)) + 1.0
    return X, Y


def test_linear_regression_l21_equals_multitask_lasso():
    X, Y = _regression_data()
    reference = MultiTaskLasso(alpha=0.05, tol=1e-12, max_iter=100000).fit(X, Y)
    reg = MultiTaskLinearRegression(alpha=0.05, tol=1e-10, max_iter=100000).fit(X, Y)
    np.testing.assert_allclose(reg.coef_, reference.coef_, atol=1e-7)
    np.testing.assert_allclose(reg.intercept_, reference.intercept_, atol=1e-7)
    np.testing.assert_array_equal(
        reg.selected_features_, np.flatnonzero(np.any(reference.coef_ != 0, axis=0))
    )
    assert reg.violation_ <= 1e-10 and reg.n_iter_ > 0


def test_logistic_l2_equals_logistic_regression_on_one_task():
    # alpha = 1 / (C n): LogisticRegression sums the losses, we average them
    X, y = make_classification(n_samples=150, n_features=6, random_state=0)
    C = 0.5
    reference = LogisticRegression(C=C, tol=1e-12, max_iter=10000).fit(X, y)
    clf = MultiTaskLogisticRegression(
        penalty="l2", alpha=1 / (C * len(y)), tol=1e-10, max_iter=100000
    ).fit(X, y)
    np.testing.assert_allclose(clf.coef_, reference.coef_, atol=1e-6)
    np.testing.assert_allclose(clf.intercept_, reference.intercept_, atol=1e-6)
    np.testing.assert_allclose(
        clf.predict_proba(X), reference.predict_proba(X), atol=1e-6
    )


@pytest.mark.parametrize("penalty", ["l2", "l21", "trace", "mean", "graph"])
def test_missing_label_is_left_out_of_its_task_only(penalty):
    # a NaN cell is the same as any value in that cell with zero weight, and
    # with the 'l2' penalty (independent tasks) task 0 equals task 0 fitted
    # alone on its observed rows
    X, Y = _regression_data()
    Y_missing = Y.copy()
    Y_missing[:30, 0] = np.nan
    params = {"penalty": penalty, "alpha": 0.05, "tol": 1e-10, "max_iter": 50000}
    if penalty == "graph":
        params["task_graph"] = np.ones((3, 3)) - np.eye(3)
    reg = MultiTaskLinearRegression(**params).fit(X, Y_missing)
    Y_other = Y.copy()
    Y_other[:30, 0] = 1e6
    mask = np.ones(Y.shape, dtype=bool)
    mask[:30, 0] = False
    datafit = SquaredDatafit(X, Y_other, mask)
    penalty_obj = reg._make_penalty(0.05, np.arange(3))
    zeros = np.zeros((X.shape[1], 3)), np.zeros(3)
    direct = solve(datafit, penalty_obj, *zeros, tol=1e-10, max_iter=50000)
    np.testing.assert_allclose(reg.coef_, direct.W.T, atol=1e-7)
    raw_intercept = datafit.raw_intercept(direct.W, direct.b)
    np.testing.assert_allclose(reg.intercept_, raw_intercept, atol=1e-7)
    if penalty == "l2":
        alone = MultiTaskLinearRegression(**params).fit(X[30:], Y[30:, 0])
        np.testing.assert_allclose(reg.coef_[0], alone.coef_, atol=1e-8)


def test_sparse_X_gives_the_dense_solution():
    X, Y = _regression_data()
    X[np.abs(X) < 0.7] = 0.0
    for X_sparse in [sparse.csr_matrix(X), sparse.csc_matrix(X)]:
        params = {"alpha": 0.05, "tol": 1e-10, "max_iter": 50000}
        dense = MultiTaskLinearRegression(**params).fit(X, Y)
        sparse_fit = MultiTaskLinearRegression(**params).fit(X_sparse, Y)
        np.testing.assert_allclose(sparse_fit.coef_, dense.coef_, atol=1e-7)
        np.testing.assert_allclose(sparse_fit.predict(X_sparse), dense.predict(X))


def test_sample_weight_is_row_repetition():
    X, Y = _regression_data()
    Y[:10, 1] = np.nan
    weights = np.arange(len(X)) % 3
    params = {"alpha": 0.05, "tol": 1e-11, "max_iter": 50000}
    weighted = MultiTaskLinearRegression(**params).fit(X, Y, sample_weight=weights)
    repeated = MultiTaskLinearRegression(**params).fit(
        np.repeat(X, weights, axis=0), np.repeat(Y, weights, axis=0)
    )
    np.testing.assert_allclose(weighted.coef_, repeated.coef_, atol=1e-7)


def test_classifier_with_binary_and_multiclass_tasks():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 5))
    y = np.empty((200, 2), dtype=object)
    y[:, 0] = np.where(X[:, 0] > 0, "yes", "no")
    y[:, 1] = np.digitize(X[:, 1], [-0.5, 0.5])  # three classes
    y[:15, 1] = None
    clf = MultiTaskLogisticRegression(alpha=1e-3).fit(X, y)
    assert clf.coef_.shape == (4, 5)  # one row for the binary task, three
    assert clf.task_rows_ == [slice(0, 1), slice(1, 4)]
    assert [list(c) for c in clf.classes_] == [["no", "yes"], [0, 1, 2]]
    proba = clf.predict_proba(X)
    assert [p.shape for p in proba] == [(200, 2), (200, 3)]
    np.testing.assert_allclose(proba[1].sum(axis=1), 1.0)
    assert clf.predict(X).shape == (200, 2)
    assert clf.score(X, y) > 0.9
    with pytest.raises(ValueError, match="multiclass"):
        MultiTaskLogisticRegression(penalty="graph", task_graph=np.eye(2)).fit(X, y)


def test_bad_task_graph_is_a_clear_error():
    X, Y = _regression_data()
    with pytest.raises(ValueError, match=r"shape \(3, 3\)"):
        MultiTaskLinearRegression(penalty="graph", task_graph=np.eye(2)).fit(X, Y)
    with pytest.raises(ValueError, match="needs a task_graph"):
        MultiTaskLinearRegression(penalty="graph").fit(X, Y)


def test_intercept_alpha_couples_the_intercepts():
    X, Y = _regression_data()
    Y = Y + np.array([0.0, 3.0, -3.0])  # tasks with different levels
    with pytest.raises(ValueError, match="penalty='l21' has no such coupling"):
        MultiTaskLinearRegression(penalty="l21", intercept_alpha=1.0).fit(X, Y)
    with pytest.raises(ValueError, match="needs fit_intercept=True"):
        MultiTaskLinearRegression(
            penalty="mean", intercept_alpha=1.0, fit_intercept=False
        ).fit(X, Y)
    centre = X.mean(axis=0)
    spreads = []
    for strength in [0.0, 0.1, 1e4]:
        reg = MultiTaskLinearRegression(
            penalty="mean", alpha=0.1, intercept_alpha=strength, tol=1e-8
        ).fit(X, Y)
        at_centre = reg.intercept_ + reg.coef_ @ centre  # prediction at x_bar
        spreads.append(np.ptp(at_centre))
    # free intercepts keep the levels apart, a strong coupling makes the
    # predictions at the mean of X equal, a weak one sits in between
    assert spreads[0] > 5.0 and spreads[2] < 1e-2
    assert spreads[2] < spreads[1] < spreads[0]


def test_cv_searches_a_list_of_intercept_alphas():
    # like ElasticNetCV's l1_ratio: one path per value, the best pair wins,
    # and the refit uses it
    rng = np.random.default_rng(0)
    n_tasks, per_task = 12, 8
    X = rng.normal(size=(n_tasks * per_task, 3))
    group = np.repeat(np.arange(n_tasks), per_task)
    levels = 0.3 * rng.normal(size=n_tasks)  # close levels, few rows each
    y = X @ np.array([1.0, -1.0, 0.5]) + levels[group] + rng.normal(size=len(X))
    Y = np.full((len(X), n_tasks), np.nan)
    Y[np.arange(len(X)), group] = y
    grid, alphas = [0.0, 0.1, 10.0], np.geomspace(10.0, 0.01, 5)
    cv = MultiTaskLinearRegressionCV(
        penalty="mean", alphas=alphas, intercept_alpha=grid, cv=KFold(4)
    ).fit(X, Y)
    assert cv.mse_path_.shape == (3, 5, 4)
    best = np.unravel_index(np.argmin(cv.mse_path_.mean(axis=2)), (3, 5))
    assert cv.intercept_alpha_ == grid[best[0]] and cv.alpha_ == cv.alphas_[best[1]]
    single = MultiTaskLinearRegression(
        penalty="mean", alpha=cv.alpha_, intercept_alpha=cv.intercept_alpha_
    ).fit(X, Y)
    np.testing.assert_allclose(cv.coef_, single.coef_, atol=1e-6)
    # a scalar keeps the two-dimensional path
    scalar = MultiTaskLinearRegressionCV(
        penalty="mean", alphas=alphas, intercept_alpha=0.1, cv=KFold(4)
    ).fit(X, Y)
    assert scalar.mse_path_.shape == (5, 4) and scalar.intercept_alpha_ == 0.1
    np.testing.assert_allclose(scalar.mse_path_, cv.mse_path_[1])


def test_task_with_no_label_is_named():
    X, Y = _regression_data()
    Y[:, 2] = np.nan
    with pytest.raises(ValueError, match="task 2 has no observed label"):
        MultiTaskLinearRegression().fit(X, Y)


def test_convergence_warning_and_warm_start():
    X, Y = _regression_data()
    with pytest.warns(ConvergenceWarning, match="did not reach tol"):
        MultiTaskLinearRegression(alpha=0.01, tol=1e-12, max_iter=2).fit(X, Y)
    reg = MultiTaskLinearRegression(alpha=0.05, tol=1e-8, warm_start=True)
    first = reg.fit(X, Y).n_iter_
    assert reg.fit(X, Y).n_iter_ < first


def test_grid_search_pipeline_and_pickle():
    X, Y = _regression_data()
    search = GridSearchCV(
        make_pipeline(StandardScaler(), MultiTaskLinearRegression(penalty="mean")),
        {"multitasklinearregression__alpha": [0.01, 0.1]},
        cv=3,
    ).fit(X, Y)
    clone = pickle.loads(pickle.dumps(search.best_estimator_))
    np.testing.assert_allclose(clone.predict(X), search.predict(X))


# -- cross-validation -------------------------------------------------------


def test_regression_cv_path_equals_multitask_lasso_cv():
    # same alphas, same folds, every cell observed: the same validation MSE
    # (pooled over the cells of a fold) and the same choice
    X, Y = _regression_data(n=150)
    folds = KFold(4, shuffle=True, random_state=0)
    reference = MultiTaskLassoCV(
        alphas=6, eps=1e-2, cv=folds, tol=1e-12, max_iter=100000
    ).fit(X, Y)
    reg = MultiTaskLinearRegressionCV(
        alphas=6, eps=1e-2, cv=folds, tol=1e-10, max_iter=100000
    ).fit(X, Y)
    np.testing.assert_allclose(reg.alphas_, reference.alphas_, rtol=1e-10)
    np.testing.assert_allclose(reg.mse_path_, reference.mse_path_, rtol=1e-6)
    assert reg.alpha_ == pytest.approx(reference.alpha_)
    np.testing.assert_allclose(reg.coef_, reference.coef_, atol=1e-6)


def test_alpha_max_is_where_the_solution_becomes_zero():
    X, Y = _regression_data()
    for penalty in ["l21", "trace"]:
        reg = MultiTaskLinearRegressionCV(penalty=penalty, alphas=3, tol=1e-10)
        top = reg.fit(X, Y).alphas_[0]
        above = MultiTaskLinearRegression(penalty=penalty, alpha=top * 1.001)
        below = MultiTaskLinearRegression(penalty=penalty, alpha=top * 0.99)
        assert np.all(above.fit(X, Y).coef_ == 0)
        assert np.any(below.fit(X, Y).coef_ != 0)


def _binary_tasks(n_samples, n_features, n_tasks):
    """Binary tasks driven by two features, 20% of the labels missing."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(n_samples, n_features))
    Z = X[:, :2] @ rng.normal(size=(2, n_tasks))
    Y = (Z + 0.5 * rng.normal(size=Z.shape) > 0).astype(float)
    Y[rng.random(Y.shape) < 0.2] = np.nan
    return X, Y


def test_classifier_cv_with_missing_labels():
    X, Y = _binary_tasks(240, 6, 4)
    clf = MultiTaskLogisticRegressionCV(penalty="l21", alphas=6, cv=3).fit(X, Y)
    assert clf.scores_.shape == (6, 3)
    best = np.argmax(clf.scores_.mean(axis=1))
    assert clf.alpha_ == clf.alphas_[best]
    refit = MultiTaskLogisticRegression(penalty="l21", alpha=clf.alpha_).fit(X, Y)
    np.testing.assert_allclose(clf.coef_, refit.coef_)
    assert clf.score(X, Y) > 0.75  # independent LogisticRegression: 0.80


def test_cv_with_a_scorer_scores_each_fold_fit():
    # scoring: a fold's score is the scorer applied to the model fitted on
    # the other folds at that alpha (missing labels left out by the scorer)
    from mtlearn.metrics import make_multitask_scorer

    X, Y = _binary_tasks(150, 5, 3)
    scorer = make_multitask_scorer("log_loss", greater_is_better=False)
    folds = list(KFold(3, shuffle=True, random_state=0).split(X))
    alphas = [0.1, 0.01, 0.001]
    clf = MultiTaskLogisticRegressionCV(
        penalty="l21", alphas=alphas, cv=folds, scoring=scorer, tol=1e-9
    ).fit(X, Y)
    assert clf.scores_.shape == (3, 3) and not hasattr(clf, "mse_path_")
    for a, alpha in enumerate(alphas):
        for k, (train, test) in enumerate(folds):
            model = MultiTaskLogisticRegression(penalty="l21", alpha=alpha, tol=1e-9)
            model.fit(X[train], Y[train])
            expected = scorer(model, X[test], Y[test])
            assert clf.scores_[a, k] == pytest.approx(expected, rel=1e-6)
    assert clf.alpha_ == alphas[np.argmax(clf.scores_.mean(axis=1))]


def test_mean_coupled_regression_equals_its_closed_form():
    # squared loss + 'mean' + l2_reg + intercept_alpha is a quadratic: its
    # minimiser solves one linear system, built here densely from the
    # documented objective, in the unknowns (w_t, b_t) with b_t the
    # prediction at the weighted mean of X (rows observed in some task)
    rng = np.random.default_rng(0)
    n, p, k = 60, 3, 4
    X = rng.normal(size=(n, p)) + 1.0
    group = rng.integers(0, k, size=n)
    Y = np.full((n, k), np.nan)
    Y[np.arange(n), group] = X @ np.array([1.0, -2.0, 0.5]) + group + rng.normal(size=n)
    Y[rng.random((n, k)) < 0.2] = rng.normal(size=1)  # cells of other tasks
    s = rng.uniform(0.5, 2.0, size=n)
    alpha, l2_reg, intercept_alpha = 0.7, 0.05, 0.3
    reg = MultiTaskLinearRegression(
        penalty="mean",
        alpha=alpha,
        l2_reg=l2_reg,
        intercept_alpha=intercept_alpha,
        tol=1e-12,
        max_iter=10000,
    ).fit(X, Y, sample_weight=s)
    observed = ~np.isnan(Y)
    x_bar = np.average(X, axis=0, weights=s * observed.any(axis=1))
    size = k * (p + 1)
    H, g = np.zeros((size, size)), np.zeros(size)
    for t in range(k):
        rows = observed[:, t]
        U = np.hstack([X[rows] - x_bar, np.ones((rows.sum(), 1))])
        c = s[rows] / s[rows].sum()
        block = slice(t * (p + 1), (t + 1) * (p + 1))
        H[block, block] += (U.T * c) @ U
        g[block] += (U.T * c) @ Y[rows, t]
    centring = np.eye(k) - np.ones((k, k)) / k
    H += np.kron(centring, np.diag([alpha] * p + [intercept_alpha]))
    H += np.kron(np.eye(k), np.diag([l2_reg] * p + [0.0]))
    solution = np.linalg.solve(H, g).reshape(k, p + 1)
    coef, at_mean = solution[:, :p], solution[:, p]
    np.testing.assert_allclose(reg.coef_, coef, atol=1e-8)
    np.testing.assert_allclose(reg.intercept_, at_mean - coef @ x_bar, atol=1e-8)


@pytest.mark.parametrize("name", ["l2", "mean", "graph"])
def test_conjugate_gradient_agrees_with_fista(name):
    # the squared loss with a smooth penalty is a quadratic: solve() takes
    # preconditioned conjugate gradient; FISTA must land on the same point
    from mtlearn.linear_model._solver import conjugate_gradient

    datafit = _problem("squared", observed=0.4)
    penalty = _penalties()[name]
    zeros = np.zeros((N_FEATURES, N_TASKS)), np.zeros(N_TASKS)
    ours = conjugate_gradient(datafit, penalty, *zeros, tol=1e-10)
    assert ours.converged and ours.n_iter <= 2 * (N_FEATURES + 1) * N_TASKS
    reference = fista(datafit, penalty, *zeros, tol=1e-10, max_iter=50000)
    np.testing.assert_allclose(ours.W, reference.W, atol=1e-8)
    np.testing.assert_allclose(ours.b, reference.b, atol=1e-8)
    assert solve(datafit, penalty, *zeros, tol=1e-10).n_iter == ours.n_iter


def test_logistic_hessian_weights_are_the_loss_second_derivative():
    # unfloored p (1 - p) c: the derivative of the loss gradient in Z
    datafit = _problem("logistic")
    Z = 8.0 * np.random.default_rng(3).normal(size=(N_SAMPLES, N_TASKS))
    eps = 1e-6
    numeric = (datafit.loss_gradient(Z + eps) - datafit.loss_gradient(Z - eps)) / (
        2 * eps
    )
    np.testing.assert_allclose(datafit.hessian_weights(Z), numeric, atol=1e-10)


def test_l21_support_curvature_matches_finite_differences():
    penalty = L21(0.3, l2_reg=0.1)
    rng = np.random.default_rng(4)
    W = rng.normal(size=(6, N_TASKS))
    W[2] = 0.0
    support, gradient, product, diagonal = penalty.support_curvature(W)
    assert support.tolist() == [True, True, False, True, True, True]
    D = np.zeros_like(W)
    D[support] = rng.normal(size=(5, N_TASKS))
    eps = 1e-5

    def grad(W):  # the penalty's gradient on the support, by differences
        out = np.empty_like(W)
        for j, t in np.ndindex(*W.shape):
            step = np.zeros_like(W)
            step[j, t] = eps
            out[j, t] = (penalty.value(W + step) - penalty.value(W - step)) / (2 * eps)
        return out[support]

    np.testing.assert_allclose(gradient, grad(W), rtol=1e-6)
    # the Hessian: differences of the (checked) gradient
    up = penalty.support_curvature(W + eps * D)[1]
    down = penalty.support_curvature(W - eps * D)[1]
    hessian_D = (up - down) / (2 * eps)
    np.testing.assert_allclose(product(D[support]), hessian_D, rtol=1e-6, atol=1e-9)
    for j, t in [(0, 0), (3, 2)]:
        E = np.zeros((5, N_TASKS))
        E[j, t] = 1.0
        assert diagonal[j, t] == pytest.approx(product(E)[j, t])


@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("layout", ["dense", "cells"])
def test_l21_logistic_newton_steps_reach_the_fista_solution(
    monkeypatch, layout, fit_intercept
):
    # correlated features, missing cells, sample weights and a zero row at
    # the solution: the Newton steps on the support land on the point that
    # proximal-gradient steps alone reach, in far fewer iterations
    import mtlearn.linear_model._solver as solver

    rng = np.random.default_rng(5)
    base = rng.normal(size=(150, 4))
    X = np.hstack(
        [base, base @ rng.normal(size=(4, 4)) + 0.1 * rng.normal(size=(150, 4))]
    )
    X = np.hstack([X, rng.normal(size=(150, 2))])  # two uninformative features
    X = np.hstack([X, X[:, :1], np.full((150, 1), 2.0)])  # a copy, a constant
    Z = base @ rng.normal(size=(4, 3)) + 0.5 * rng.normal(size=(150, 3))
    mask = rng.random((150, 3)) < (0.3 if layout == "cells" else 0.8)
    datafit = LogisticDatafit(
        X,
        (Z > 0.3).astype(np.int32),
        mask,
        rng.uniform(0.5, 2.0, size=150),
        fit_intercept=fit_intercept,
        layout=layout,
    )
    assert datafit.layout == layout
    penalty = L21(0.02)
    zeros = np.zeros((X.shape[1], 3)), datafit.null_intercept()
    newton = fista(datafit, penalty, *zeros, tol=1e-9, max_iter=20000)
    monkeypatch.setattr(solver, "_takes_newton_steps", lambda datafit, penalty: False)
    reference = fista(datafit, penalty, *zeros, tol=1e-9, max_iter=20000)
    assert newton.converged and reference.converged
    assert np.sum(np.linalg.norm(reference.W, axis=1) == 0) >= 1
    np.testing.assert_allclose(newton.W, reference.W, atol=1e-6)
    np.testing.assert_allclose(newton.b, reference.b, atol=1e-6)

    def total(result):
        return datafit.value(result.W, result.b) + penalty.value(result.W)

    assert total(newton) == pytest.approx(total(reference), rel=1e-12)
    assert newton.n_iter < reference.n_iter / 3


# -- constant tasks (issue 9) ---------------------------------------------


def _mixed_tasks(seed=0, n=90):
    """A binary task, a 3-class task and a constant task, with missing labels."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 4))
    Z = X @ rng.normal(size=(4, 2))
    Y = np.column_stack(
        [(Z[:, 0] > 0), np.digitize(Z[:, 1], [-0.5, 0.5]), np.ones(n)]
    ).astype(float)
    Y[rng.random(Y.shape) < 0.15] = np.nan
    return X, Y


def _constant_warnings(record):
    return [w for w in record if issubclass(w.category, ConstantTaskWarning)]


@pytest.mark.parametrize("penalty", ["l2", "l21", "trace", "mean"])
def test_constant_task_is_predicted_and_leaves_the_others_alone(penalty):
    X, Y = _mixed_tasks()
    params = {"penalty": penalty, "alpha": 0.02, "max_iter": 3000}
    with pytest.warns(ConstantTaskWarning) as record:
        clf = MultiTaskLogisticRegression(**params).fit(X, Y)
    assert len(_constant_warnings(record)) == 1
    assert "task 2" in str(_constant_warnings(record)[0].message)
    assert [len(c) for c in clf.classes_] == [2, 3, 1]
    assert clf.task_rows_[2] == slice(4, 5)
    # the constant task: zero coefficients and intercept, as documented
    np.testing.assert_array_equal(clf.coef_[4], 0.0)
    assert clf.intercept_[4] == 0.0
    pred = clf.predict(X)
    assert pred.shape == (len(X), 3)
    np.testing.assert_array_equal(pred[:, 2], 1.0)
    proba = clf.predict_proba(X)
    assert [p.shape[1] for p in proba] == [2, 3, 1]
    np.testing.assert_array_equal(proba[2], 1.0)
    assert all(np.all(np.isfinite(p)) for p in proba)
    # the other tasks are the fit without the constant task (the same
    # problem for the solver, so the same iterates)
    alone = MultiTaskLogisticRegression(**params).fit(X, Y[:, :2])
    np.testing.assert_allclose(clf.coef_[:4], alone.coef_, rtol=1e-12)
    np.testing.assert_allclose(clf.intercept_[:4], alone.intercept_, rtol=1e-12)


def test_constant_task_is_outside_the_graph_coupling():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(60, 4))
    Y = (X @ rng.normal(size=(4, 4)) > 0).astype(float)
    Y[:, 1] = 0.0  # constant, linked to every task by the graph
    graph = np.ones((4, 4)) - np.eye(4)
    params = {"penalty": "graph", "alpha": 0.1, "max_iter": 3000}
    with pytest.warns(ConstantTaskWarning):
        clf = MultiTaskLogisticRegression(task_graph=graph, **params).fit(X, Y)
    others = [0, 2, 3]
    alone = MultiTaskLogisticRegression(
        task_graph=graph[np.ix_(others, others)], **params
    ).fit(X, Y[:, others])
    np.testing.assert_allclose(clf.coef_[others], alone.coef_, rtol=1e-12)
    np.testing.assert_array_equal(clf.coef_[1], 0.0)
    np.testing.assert_array_equal(clf.predict(X)[:, 1], 0.0)


def test_every_task_constant_is_a_constant_model():
    X = np.random.default_rng(0).normal(size=(20, 3))
    Y = np.column_stack([np.zeros(20), np.full(20, 2.0)])
    with pytest.warns(ConstantTaskWarning):
        clf = MultiTaskLogisticRegression().fit(X, Y)
    assert clf.n_iter_ == 0
    np.testing.assert_array_equal(clf.predict(X), Y)
    with pytest.warns(ConstantTaskWarning):
        cv = MultiTaskLogisticRegressionCV(alphas=3, cv=2).fit(X, Y)
    np.testing.assert_array_equal(cv.predict(X), Y)


def _rare_labels():
    """make_multilabel_classification, label 0 all 0, label 1 positive in 3 rows."""
    X, Y = make_multilabel_classification(
        120, n_features=6, n_classes=5, n_labels=2, random_state=0
    )
    Y = Y.astype(float)
    Y[:, 0] = 0.0
    Y[:, 1] = 0.0
    Y[[5, 50, 100], 1] = 1.0
    return X, Y


@pytest.mark.parametrize("scoring", [None, "f1_micro"])
@pytest.mark.parametrize("penalty", ["l21", "mean"])
def test_cv_on_rare_labels(penalty, scoring):
    X, Y = _rare_labels()
    if scoring is not None:
        scoring = make_multitask_scorer("f1", average="micro")
    cv = MultilabelStratifiedKFold(5, shuffle=True, random_state=0)
    clf = MultiTaskLogisticRegressionCV(
        penalty=penalty, alphas=4, cv=cv, scoring=scoring, max_iter=300, tol=1e-3
    )
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        clf.fit(X, Y)
    assert len(_constant_warnings(record)) == 1
    assert clf.scores_.shape == (4, 5)
    assert np.all(np.isfinite(clf.scores_))
    assert np.all(np.isfinite(clf.alphas_))
    np.testing.assert_array_equal(clf.coef_[0], 0.0)
    pred = clf.predict(X)
    assert pred.shape == Y.shape
    np.testing.assert_array_equal(pred[:, 0], 0.0)
    assert [p.shape[1] for p in clf.predict_proba(X)] == [1, 2, 2, 2, 2]


def test_cv_task_constant_in_a_training_fold_is_left_out_of_that_fold():
    # label 1 is positive in one row: the fold that validates on that row
    # trains on a constant label 1. That fold scores as if label 1 did not
    # exist, for every alpha; the grid is fixed so the two fits compare.
    X, Y = _rare_labels()
    Y[[50, 100], 1] = 0.0
    folds = list(KFold(4, shuffle=True, random_state=0).split(X))
    k = next(i for i, (_, test) in enumerate(folds) if 5 in test)
    params = {"penalty": "l21", "alphas": [0.1, 0.03, 0.01], "tol": 1e-8}
    with pytest.warns(ConstantTaskWarning):  # label 0, for the whole fit
        full = MultiTaskLogisticRegressionCV(cv=folds, **params).fit(X, Y)
    without = MultiTaskLogisticRegressionCV(cv=folds, **params).fit(X, Y[:, 2:])
    np.testing.assert_allclose(full.scores_[:, k], without.scores_[:, k], rtol=1e-6)
    assert not np.allclose(full.scores_[:, k - 1], without.scores_[:, k - 1])
    assert np.all(np.isfinite(full.scores_))


def test_cv_multiclass_task_missing_a_class_in_a_fold():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 3))
    Y = np.column_stack([X[:, 0] > 0, np.digitize(X[:, 1], [-0.5, 0.5])]).astype(float)
    Y[:, 1][Y[:, 1] == 2] = 1.0
    Y[:2, 1] = 2.0  # class 2 in two rows, both in the first validation part
    folds = [(np.arange(10, 60), np.arange(10)), (np.arange(50), np.arange(50, 60))]
    for scoring in [None, make_multitask_scorer("accuracy")]:
        clf = MultiTaskLogisticRegressionCV(
            penalty="l2", alphas=3, cv=folds, scoring=scoring, max_iter=500
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            clf.fit(X, Y)
        assert np.all(np.isfinite(clf.scores_))
        assert [p.shape[1] for p in clf.predict_proba(X)] == [2, 3]


# -- hostile numeric input (issue 9) --------------------------------------


def _small_regression(seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(60, 5))
    return X, X @ rng.normal(size=(5, 3)) + rng.normal(size=(60, 3))


def _one_huge_entry(X):
    X = X.copy()
    X[7, 2] = 1e300
    return X


@pytest.mark.parametrize(
    "make_X",
    [
        lambda X: X * 1e300,
        lambda X: X * 1e154,
        lambda X: np.full_like(X, np.finfo(np.float64).max),
        _one_huge_entry,
        lambda X: sparse.csr_matrix(X * 1e300),
    ],
    ids=["1e300", "1e154", "float-max", "one-entry", "csr"],
)
@pytest.mark.parametrize("estimator", ["regression", "logistic", "cv"])
def test_X_too_large_for_float64_is_a_clear_error(make_X, estimator):
    X, Y = _small_regression()
    model = {
        "regression": MultiTaskLinearRegression(max_iter=20),
        "logistic": MultiTaskLogisticRegression(max_iter=20),
        "cv": MultiTaskLinearRegressionCV(alphas=2, cv=2, max_iter=20),
    }[estimator]
    y = (Y > 0).astype(float) if estimator == "logistic" else Y
    with pytest.raises(ValueError, match="X has values too large.*StandardScaler"):
        model.fit(make_X(X), y)


@pytest.mark.parametrize("scale", [1e200, 1e300])
def test_targets_too_large_for_float64_are_a_clear_error(scale):
    X, Y = _small_regression()
    with pytest.raises(ValueError, match="y has targets too large.*Scale y"):
        MultiTaskLinearRegression(max_iter=20).fit(X, Y * scale)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("penalty", ["l2", "l21", "trace", "mean"])
@pytest.mark.parametrize("x_scale, y_scale", [(1e100, 1.0), (1.0, 1e140)])
def test_large_but_representable_data_give_a_finite_fit(penalty, x_scale, y_scale):
    # within the rule: the solver ends within max_iter with finite values
    # (an absolute tol may be out of reach at this scale: a warning)
    X, Y = _small_regression()
    reg = MultiTaskLinearRegression(penalty=penalty, max_iter=30)
    reg.fit(X * x_scale, Y * y_scale)
    assert reg.n_iter_ <= 30
    assert np.all(np.isfinite(reg.coef_)) and np.all(np.isfinite(reg.intercept_))
    assert np.all(np.isfinite(reg.predict(X * x_scale)))


def test_solver_stops_on_a_non_finite_objective():
    datafit = _problem("squared")
    W = np.full((N_FEATURES, N_TASKS), 1e200)  # predictions whose squares overflow
    with pytest.raises(ValueError, match="non-finite objective"):
        fista(datafit, L2(0.1), W, np.zeros(N_TASKS), max_iter=5)


class _NoDescentPenalty(L2):
    """A penalty whose value rises at every call: no step is ever accepted."""

    calls = 0

    def value(self, W):
        self.calls += 1
        return 1e6 * self.calls


def test_backtracking_is_bounded():
    datafit = _problem("logistic")
    W, b = _start(datafit)
    penalty = _NoDescentPenalty(0.1)
    result = fista(datafit, penalty, W, b, max_iter=50)
    assert not result.converged and result.n_iter <= 50
    # each search ends (at a null step or after 60 halvings)
    assert penalty.calls <= 50 * 62


@pytest.mark.parametrize(
    "alphas", [[np.nan], [np.inf], [0.1, -1.0], ["a"], [[0.1, 0.2]], []]
)
@pytest.mark.parametrize(
    "estimator", [MultiTaskLinearRegressionCV, MultiTaskLogisticRegressionCV]
)
def test_cv_bad_alphas_are_named(estimator, alphas):
    X, Y = _small_regression()
    y = (Y > 0).astype(float) if estimator is MultiTaskLogisticRegressionCV else Y
    with pytest.raises(ValueError, match="alphas"):
        estimator(alphas=alphas, cv=2).fit(X, y)


@pytest.mark.parametrize("value", [[np.nan], [np.inf], [0.1, -1.0], ["a"]])
def test_cv_bad_intercept_alpha_list_is_named(value):
    X, Y = _small_regression()
    with pytest.raises(ValueError, match="intercept_alpha"):
        MultiTaskLinearRegressionCV(
            penalty="mean", intercept_alpha=value, alphas=2, cv=2
        ).fit(X, Y)


@pytest.mark.parametrize("name", ["alpha", "l2_reg", "intercept_alpha", "tol"])
@pytest.mark.parametrize("value", [np.nan, np.inf, -1.0, "a"])
def test_bad_strengths_are_named(name, value):
    X, Y = _small_regression()
    with pytest.raises(ValueError, match=name):
        MultiTaskLinearRegression(penalty="mean", **{name: value}).fit(X, Y)


@pytest.mark.parametrize(
    "graph",
    [
        [["a", "b", "c"]] * 3,
        np.ones((2, 2)),
        np.ones(3),
        -np.ones((3, 3)),
        np.full((3, 3), np.nan),
        np.array([[0, 1, 0], [0, 0, 1], [1, 0, 0]]),
    ],
    ids=["strings", "shape", "1-d", "negative", "nan", "asymmetric"],
)
def test_bad_task_graph_is_named(graph):
    X, Y = _small_regression()
    with pytest.raises(ValueError, match="task_graph"):
        MultiTaskLinearRegression(penalty="graph", task_graph=graph).fit(X, Y)


@pytest.mark.parametrize(
    "weights",
    [np.full(60, np.nan), np.full(60, np.inf), -np.ones(60), np.ones(5)],
    ids=["nan", "inf", "negative", "length"],
)
@pytest.mark.parametrize(
    "estimator", [MultiTaskLinearRegression, MultiTaskLinearRegressionCV]
)
def test_bad_sample_weight_is_named(estimator, weights):
    X, Y = _small_regression()
    with pytest.raises(ValueError, match="sample_weight"):
        estimator().fit(X, Y, sample_weight=weights)


def test_scalar_sample_weight_is_a_uniform_weight():
    # as scikit-learn's _check_sample_weight: a scalar is every row's weight
    X, Y = _small_regression()
    weighted = MultiTaskLinearRegression(alpha=0.1).fit(X, Y, sample_weight=3.0)
    plain = MultiTaskLinearRegression(alpha=0.1).fit(X, Y)
    np.testing.assert_allclose(weighted.coef_, plain.coef_)


def test_huge_sample_weights_are_a_clear_error():
    X, Y = _small_regression()
    with pytest.raises(ValueError, match="sample_weight is too large"):
        MultiTaskLinearRegression().fit(X, Y, sample_weight=np.full(60, 1e307))


@pytest.mark.parametrize("scale", [1e300, 1e306, np.finfo(np.float64).max])
def test_predictions_are_finite_or_a_clear_error(scale):
    X, Y = _small_regression()
    reg = MultiTaskLinearRegression(alpha=0.01).fit(X, Y)
    clf = MultiTaskLogisticRegression(alpha=0.01).fit(X, (Y > 0).astype(float))
    huge = np.full_like(X, scale)
    for method in [reg.predict, clf.decision_function, clf.predict_proba]:
        try:
            out = method(huge)
        except ValueError as error:
            assert "X has values whose linear predictions" in str(error)
        else:
            assert all(np.all(np.isfinite(o)) for o in np.atleast_1d(out))


def test_predictions_that_overflow_are_a_clear_error():
    X, _ = _small_regression()
    y = 3.0 * X.sum(axis=1)  # every coefficient about 3
    reg = MultiTaskLinearRegression(alpha=0.01).fit(X, y)
    with pytest.raises(ValueError, match="X has values whose linear predictions"):
        reg.predict(np.full_like(X, np.finfo(np.float64).max / 2))


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize(
    "estimator", [MultiTaskLinearRegression(), MultiTaskLogisticRegression()]
)
def test_non_numeric_X_and_sample_weight_are_named(estimator):
    X = np.arange(40.0).reshape(20, 2)
    Y = np.column_stack([np.arange(20) % 2, np.arange(20) // 10])
    with pytest.raises(ValueError, match="X must hold numbers only"):
        estimator.fit(np.where(X > 30, "a", X.astype(object)), Y)
    with pytest.raises(ValueError, match="sample_weight must hold numbers only"):
        estimator.fit(X, Y, sample_weight=np.full(20, "a"))
    estimator.set_params(max_iter=50).fit(X, Y)
    with pytest.raises(ValueError, match="X must hold numbers only"):
        estimator.predict(np.full((3, 2), "a"))


# -- cv folds of the CV variants (mtlearn._validation.check_cv_folds) -----------


@pytest.mark.parametrize(
    "estimator", [MultiTaskLinearRegressionCV, MultiTaskLogisticRegressionCV]
)
@pytest.mark.parametrize(
    "cv, match",
    [
        ([(np.arange(15), np.arange(15, 35))], r"out of range in the test part"),
        ([(np.arange(15) + 0.5, np.arange(15, 30))], "integer row indices"),
        ([(["a", "b"], [1])], "integer row indices"),
        ({"a": 1}, "cv must be an int, a cross-validation splitter"),
        ([], "cv gave no"),
        ([(np.arange(30),)], r"cv must give \(train, test\) pairs"),
    ],
)
def test_cv_variants_check_the_folds(estimator, cv, match):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(30, 3))
    Y = np.column_stack([X[:, 0] > 0, X[:, 1] > 0]).astype(float)
    with pytest.raises(ValueError, match=match):
        estimator(cv=cv, alphas=2).fit(X, Y)


def test_cv_variants_take_boolean_fold_masks():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(30, 3))
    Y = X @ rng.normal(size=(3, 2))
    mask = np.arange(30) < 20
    by_mask = MultiTaskLinearRegressionCV(cv=[(mask, ~mask)], alphas=3).fit(X, Y)
    by_index = MultiTaskLinearRegressionCV(
        cv=[(np.arange(20), np.arange(20, 30))], alphas=3
    ).fit(X, Y)
    assert by_mask.mse_path_.shape == (3, 1)
    np.testing.assert_allclose(by_mask.mse_path_, by_index.mse_path_)
