"""The fast paths of the training loop and of prediction (issue 12, items 1, 4).

The loop gathers mini-batches into buffers, trains on a subset of rows
without copying X, and decides its BLAS threads once per fit; prediction has
a fast path for plain arrays. Each is checked against the plain computation
it replaces: a loop written the obvious way (fancy-indexed batches, fresh
arrays), the estimator given a copy of the rows, the slow validation path.
"""

import numpy as np
import pytest
import scipy.sparse as sp
from threadpoolctl import threadpool_limits

from mtlearn.neural_network import SharedRepresentationClassifier
from mtlearn.neural_network._heads import BinaryLogisticHead
from mtlearn.neural_network._network import SharedTrunkNetwork
from mtlearn.neural_network._optimizers import Adam
from mtlearn.neural_network._task_weighting import EqualWeighting
from mtlearn.neural_network._training import (
    HeadGroup,
    heads_loss_gradient,
    resolve_batch_size,
    run_epoch,
)


@pytest.fixture(autouse=True)
def _one_thread():
    with threadpool_limits(1):
        yield


def _problem(n=300, n_features=6, n_tasks=3, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, n_features)).astype(np.float32)
    Y = (X[:, :n_tasks] + rng.standard_normal((n, n_tasks)) > 0).astype(np.float32)
    W = (rng.random((n, n_tasks)) > 0.2).astype(np.float32)  # 20% missing
    return X, Y, W


def _equal(net, n_tasks):
    weighting = EqualWeighting()
    weighting.start(np.ones(n_tasks), net, np.random.default_rng(0))
    return weighting


def _network(n_features, n_tasks):
    net = SharedTrunkNetwork(n_features, (8, 5), (), n_tasks, 1, "relu", np.float32)
    net.initialize(np.random.default_rng(1))
    return net


def _reference_epoch(net, opt, X, Y, W, groups, batch_size, order, dropout, rng):
    """One epoch the obvious way: fancy-indexed batches, fresh arrays."""
    task_weights = np.ones(Y.shape[1])
    grad = np.zeros((batch_size, Y.shape[1]), dtype=np.float32)
    for start in range(0, len(order), batch_size):
        rows = order[start : start + batch_size]
        Xb, yb, wb = X[rows], Y[rows], W[rows]
        totals = wb.sum(axis=0)
        wb = wb * np.divide(1.0, totals, out=np.zeros_like(totals), where=totals > 0)
        logits = net.forward(Xb, dropout=dropout, rng=rng)
        g = grad[: len(rows)]
        heads_loss_gradient(groups, logits, yb, wb, task_weights, g)
        net.backward(Xb, g)
        opt.update_params(net.params, net.grads)


@pytest.mark.parametrize("shuffle", [True, False])
@pytest.mark.parametrize("subset", [False, True])
@pytest.mark.parametrize("dropout", [0.0, 0.3])
def test_epoch_matches_the_plain_loop(shuffle, subset, dropout):
    """Buffers, gathers and row subsets give the bits of the plain loop."""
    X, Y, W = _problem()
    rows = np.sort(np.random.default_rng(2).permutation(len(X))[:211])
    groups = [HeadGroup(BinaryLogisticHead(), slice(0, 3), slice(0, 3))]
    results = []
    for fast in (True, False):
        net = _network(X.shape[1], 3)
        opt = Adam(net.n_params, np.float32)
        rng = np.random.default_rng(3)
        if fast:
            run_epoch(
                net, opt, X, Y, W, groups, _equal(net, 3), alpha=0.0,
                batch_size=32, shuffle=shuffle, dropout=dropout, rng=rng,
                rows=rows if subset else None,
            )  # fmt: skip
        else:
            base = rows if subset else np.arange(len(X))
            order = base[rng.permutation(len(base))] if shuffle else base
            _reference_epoch(net, opt, X, Y, W, groups, 32, order, dropout, rng)
        results.append(net.params.copy())
    np.testing.assert_array_equal(results[0], results[1])
    assert np.isfinite(results[0]).all()


def test_sparse_X_matches_dense():
    X, Y, W = _problem()
    groups = [HeadGroup(BinaryLogisticHead(), slice(0, 3), slice(0, 3))]
    results = []
    for data in (X, sp.csr_matrix(X)):
        net = _network(X.shape[1], 3)
        run_epoch(
            net, Adam(net.n_params, np.float32), data, Y, W, groups,
            _equal(net, 3), alpha=1e-3, batch_size=50, shuffle=True,
            dropout=0.0, rng=np.random.default_rng(0),
        )  # fmt: skip
        results.append(net.params.copy())
    np.testing.assert_allclose(results[0], results[1], rtol=1e-5, atol=1e-6)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_early_stopping_split_by_indices_fits():
    """Early stopping trains on its rows by index (the loop's subset is
    checked bit for bit above): finite weights and validation scores."""
    rng = np.random.default_rng(0)
    X = rng.standard_normal((400, 5))
    Y = (X[:, :2] + rng.standard_normal((400, 2)) > 0).astype(float)
    Y[rng.random(Y.shape) < 0.1] = np.nan
    est = SharedRepresentationClassifier(
        (8,), max_iter=3, early_stopping=True, random_state=0, batch_size=32
    )
    est.fit(X, Y)
    assert est.validation_scores_ and np.all(np.isfinite(est.validation_scores_))
    assert np.isfinite(est._network.params).all()


def test_buffers_are_reused_across_batches(monkeypatch):
    """No array the size of a batch is made per batch: the forward pass sees
    the same buffer at every batch."""
    X, Y, W = _problem()
    net = _network(X.shape[1], 3)
    seen = []
    forward = net.forward

    def spy(X_batch, **kwargs):
        seen.append(X_batch.__array_interface__["data"][0])
        return forward(X_batch, **kwargs)

    monkeypatch.setattr(net, "forward", spy)
    groups = [HeadGroup(BinaryLogisticHead(), slice(0, 3), slice(0, 3))]
    run_epoch(
        net, Adam(net.n_params, np.float32), X, Y, W, groups, _equal(net, 3),
        alpha=0.0, batch_size=32, shuffle=True, dropout=0.0,
        rng=np.random.default_rng(0),
    )  # fmt: skip
    assert len(seen) == 10 and len(set(seen)) == 1


def test_dropout_masks_keep_the_expected_fraction():
    net = SharedTrunkNetwork(50, (400,), (), 1, 1, "relu", np.float32)
    net.initialize(np.random.default_rng(0))
    X = np.ones((200, 50), dtype=np.float32)
    net.forward(X, dropout=0.25, rng=np.random.default_rng(1))
    mask = net._dropout_masks[0][:200]
    kept = mask > 0
    assert abs(kept.mean() - 0.75) < 0.01
    np.testing.assert_allclose(mask[kept], 1 / 0.75, rtol=1e-6)
    assert mask.dtype == np.float32


def test_auto_batch_size_is_scikit_learns():
    assert resolve_batch_size("auto", 150) == 150
    assert resolve_batch_size("auto", 10**7) == 200
    assert resolve_batch_size(64, 10) == 10 and resolve_batch_size(64, 100) == 64


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.filterwarnings("ignore::mtlearn.exceptions.ConstantTaskWarning")
@pytest.mark.parametrize("kind", ["tasks", "one_d", "constant", "multiclass"])
def test_prediction_fast_path_matches_the_per_task_path(kind, monkeypatch):
    rng = np.random.default_rng(0)
    X = rng.standard_normal((120, 4))
    Y = (X[:, :3] > 0).astype(float)
    if kind == "one_d":
        Y = Y[:, 0]
    elif kind == "constant":
        Y[:, 1] = 1.0
    elif kind == "multiclass":
        Y[:, 2] = np.digitize(X[:, 2], [-0.5, 0.5])
    est = SharedRepresentationClassifier((8,), max_iter=2, random_state=0).fit(X, Y)
    rows = [X[:1], X[:7].astype(np.float32), np.asfortranarray(X[:5])]
    fast = [
        (est.predict(r), est.predict_proba(r), est.decision_function(r)) for r in rows
    ]
    monkeypatch.setattr(type(est), "_binary_scores", lambda self, X: None)
    monkeypatch.setattr(
        "mtlearn.neural_network._shared_representation.plain_float_rows",
        lambda estimator, X: None,
    )
    for r, (labels, proba, scores) in zip(rows, fast):
        np.testing.assert_array_equal(labels, est.predict(r))
        _assert_same(scores, est.decision_function(r))
        _assert_same(proba, est.predict_proba(r))
        for block in proba if isinstance(proba, list) else [proba]:
            assert block.flags.c_contiguous


def _assert_same(a, b):
    a, b = (x if isinstance(x, list) else [x] for x in (a, b))
    assert len(a) == len(b)
    for x, y in zip(a, b):
        np.testing.assert_array_equal(x, y)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_prediction_fast_path_keeps_the_errors():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((60, 4))
    est = SharedRepresentationClassifier((8,), max_iter=30, random_state=0)
    est.fit(X, (X[:, :2] > 0).astype(float))
    with pytest.raises(ValueError, match="4 features"):
        est.predict_proba(X[:1, :3])
    bad = X[:2].copy()
    bad[0, 1] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        est.predict_proba(bad)
    with pytest.raises(ValueError):
        est.predict_proba(np.empty((0, 4)))


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("shuffle", [True, False])
def test_float64_X_trains_as_its_float32_copy(shuffle):
    """Cast batch by batch, float64 X gives the bits of X cast up front."""
    rng = np.random.default_rng(0)
    X = rng.standard_normal((500, 6))
    Y = (X[:, :2] + rng.standard_normal((500, 2)) > 0).astype(float)
    Y[rng.random(Y.shape) < 0.2] = np.nan
    Y[:20] = np.nan  # rows without any label are dropped
    params = dict(max_iter=2, random_state=0, batch_size=64, shuffle=shuffle)
    fits = [
        SharedRepresentationClassifier((8,), **params).fit(data, Y)
        for data in (X, X.astype(np.float32))
    ]
    np.testing.assert_array_equal(fits[0]._network.params, fits[1]._network.params)
    assert fits[0].validation_scores_ == fits[1].validation_scores_


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_fit_makes_no_converted_copy_of_X():
    """float64 X, float32 training, early stopping: the fit allocates far
    less than a float32 copy of X (0.5 X) would take."""
    import tracemalloc

    rng = np.random.default_rng(0)
    X = rng.standard_normal((20000, 100))
    Y = (X[:, :2] > 0).astype(float)
    est = SharedRepresentationClassifier((16,), max_iter=1, random_state=0)
    tracemalloc.start()
    try:
        est.fit(X, Y)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 0.3 * X.nbytes


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_binary_head_is_stable_at_extreme_logits(dtype):
    """The loss and gradient against float64 logaddexp / expit, logits up
    to +-200 (where exp(z) overflows float32)."""
    from scipy.special import expit

    rng = np.random.default_rng(0)
    z = (5 * rng.standard_normal((64, 3))).astype(dtype)
    z[0] = [-200, 200, 0]
    y = (rng.random(z.shape) > 0.5).astype(dtype)
    w = np.full(z.shape, 1 / 64, dtype=dtype)
    grad = np.empty_like(z)
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        losses = BinaryLogisticHead().loss_gradient(z, y, w, np.ones(3), grad)
    z64 = z.astype(np.float64)
    expected = (w * (np.logaddexp(0, z64) - y * z64)).sum(axis=0)
    np.testing.assert_allclose(losses, expected, rtol=1e-6)
    np.testing.assert_allclose(grad, (expit(z64) - y) * w, atol=1e-8)


@pytest.mark.parametrize("betas", [(0.9, 0.999), (0.0, 0.0), (0.5, 0.9)])
def test_adam_with_rescaled_moments_follows_the_formula(betas):
    """Rescaled moments, folded constants: the bias-corrected-step Adam of
    scikit-learn's MLP, to round-off, over 30 steps."""
    b1, b2 = betas
    rng = np.random.default_rng(0)
    adam = Adam(20, np.float64, 1e-2, b1, b2, 1e-8)
    params = rng.standard_normal(20)
    expected, m, v = params.copy(), np.zeros(20), np.zeros(20)
    for t in range(1, 31):
        g = rng.standard_normal(20)
        adam.update_params(params, g)
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        step = 1e-2 * np.sqrt(1 - b2**t) / (1 - b1**t)
        expected -= step * m / (np.sqrt(v) + 1e-8)
    np.testing.assert_allclose(params, expected, rtol=1e-12, atol=1e-14)
