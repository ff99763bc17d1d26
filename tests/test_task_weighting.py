"""Task-weighting strategies of the networks, against independent references."""

import copy
import pickle

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.base import clone
from sklearn.utils._param_validation import InvalidParameterError

from mtlearn.exceptions import ConstantTaskWarning
from mtlearn.neural_network import (
    DynamicWeightAverage,
    EqualWeighting,
    GradNorm,
    PCGrad,
    SharedRepresentationClassifier,
    SharedRepresentationRegressor,
    UncertaintyWeighting,
)
from mtlearn.neural_network._heads import BinaryLogisticHead
from mtlearn.neural_network._network import SharedTrunkNetwork
from mtlearn.neural_network._optimizers import SGD
from mtlearn.neural_network._task_weighting import project_conflicting
from mtlearn.neural_network._training import (
    HeadGroup,
    _batch_weights,
    evaluate_loss,
    heads_loss_gradient,
    run_epoch,
)

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

STRATEGIES = ["equal", "uncertainty", "dwa", "gradnorm", "pcgrad"]


# -- a tiny network and an independent numpy backpropagation ----------------
def _tiny_problem(n_tasks=3, n=12, seed=0, missing=None):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 3))
    Y = (rng.normal(size=(n, n_tasks)) > 0).astype(np.float64)
    cells = np.ones((n, n_tasks))
    if missing is not None:
        cells[missing] = 0.0
    net = SharedTrunkNetwork(3, (4,), (), n_tasks, 1, "tanh", np.float64)
    net.initialize(rng)
    groups = [HeadGroup(BinaryLogisticHead(), slice(0, n_tasks), slice(0, n_tasks))]
    return net, X, Y, cells, groups


def _task_gradients_numpy(net, X, Y, cells, task_weights):
    """Per task, the gradient of ``task_weights[t] * L_t`` in the network's
    flat layout, by hand (tanh trunk, one logistic output per task)."""
    (W1, W2), (b1, b2) = net.coefs, net.intercepts
    H = np.tanh(X @ W1 + b1)
    Z = H @ W2 + b2
    totals = cells.sum(axis=0)
    w = np.divide(cells, totals, out=np.zeros_like(cells), where=totals > 0)
    grads = []
    for t in range(Y.shape[1]):
        dZ = np.zeros_like(Z)
        dZ[:, t] = task_weights[t] * w[:, t] * (1 / (1 + np.exp(-Z[:, t])) - Y[:, t])
        dA = (dZ @ W2.T) * (1 - H**2)
        flat = np.zeros(net.n_params)
        (gW1, gW2), (gb1, gb2) = net._views(flat)
        gW1[...], gW2[...] = X.T @ dA, H.T @ dZ
        gb1[...], gb2[...] = dA.sum(axis=0), dZ.sum(axis=0)
        grads.append(flat)
    return np.array(grads)


def _one_step(net, X, Y, cells, groups, strategy, task_weights=None):
    """One full-batch step of the training loop with plain SGD (step 1):
    returns the gradient the loop descended along."""
    task_weights = np.ones(Y.shape[1]) if task_weights is None else task_weights
    strategy.start(task_weights, net, np.random.default_rng(0))
    before = net.params.copy()
    optimizer = SGD(net.n_params, np.float64, 1.0, 0.0, False)
    run_epoch(
        net,
        optimizer,
        X,
        Y,
        cells,
        groups,
        strategy,
        alpha=0.0,
        batch_size=X.shape[0],
        shuffle=False,
        dropout=0.0,
        rng=np.random.default_rng(0),
    )
    return before - net.params


def _pcgrad_direct(grads, orders):
    """PCGrad as written in the paper: project g_i on each conflicting g_j."""
    projected = []
    for i, order in enumerate(orders):
        g = grads[i].copy()
        for j in order:
            dot = g @ grads[j]
            if dot < 0:
                g -= dot / (grads[j] @ grads[j]) * grads[j]
        projected.append(g)
    return np.array(projected)


# -- PCGrad ----------------------------------------------------------------
def test_pcgrad_projection_closed_form():
    g = np.array([[1.0, 0.0], [-1.0, 1.0]])  # conflicting: g1 . g2 = -1
    projected = project_conflicting(g, [[1], [0]])
    assert_allclose(projected, [[0.5, 0.5], [0.0, 1.0]])
    assert_allclose(projected[0] @ g[1], 0.0, atol=1e-15)
    assert_allclose(projected[1] @ g[0], 0.0, atol=1e-15)
    # no conflict: unchanged
    h = np.array([[1.0, 0.0], [1.0, 1.0]])
    assert_allclose(project_conflicting(h, [[1], [0]]), h)


@pytest.mark.parametrize("seed", range(4))
def test_pcgrad_projection_matches_direct_computation(seed):
    rng = np.random.default_rng(seed)
    grads = rng.normal(size=(4, 7))
    grads[1] = -grads[0] + 0.1 * rng.normal(size=7)  # a strong conflict
    orders = [rng.permutation([j for j in range(4) if j != i]) for i in range(4)]
    assert_allclose(
        project_conflicting(grads, orders), _pcgrad_direct(grads, orders), atol=1e-12
    )


def test_pcgrad_update_in_training_loop_matches_numpy():
    net, X, Y, cells, groups = _tiny_problem()
    Y[:, 1] = 1 - Y[:, 0]  # tasks 0 and 1 conflict on the trunk
    strategy = PCGrad()
    reference = _task_gradients_numpy(net, X, Y, cells, np.ones(3))
    # the orders the loop will draw: replay the strategy's generator
    strategy.start(np.ones(3), net, np.random.default_rng(0))
    replay = copy.deepcopy(strategy._rng)
    orders = [replay.permutation(np.delete(np.arange(3), i)) for i in range(3)]
    step = _one_step(net, X, Y, cells, groups, strategy)

    shared = net.shared_indices
    expected = reference.sum(axis=0)
    expected[shared] = _pcgrad_direct(reference[:, shared], orders).sum(axis=0)
    assert_allclose(step, expected, rtol=1e-10, atol=1e-12)
    # the conflict was real: the projection changed the trunk's update
    assert not np.allclose(step[shared], reference[:, shared].sum(axis=0))
    heads = np.setdiff1d(np.arange(net.n_params), shared)
    assert_allclose(step[heads], reference[:, heads].sum(axis=0), rtol=1e-10)


def test_pcgrad_leaves_absent_task_out():
    missing = (slice(None), 2)  # task 2: no label in the batch
    net, X, Y, cells, groups = _tiny_problem(missing=missing)
    Y[:, 1] = 1 - Y[:, 0]
    reference = _task_gradients_numpy(net, X, Y, cells + 0.0, np.ones(3))
    strategy = PCGrad()
    strategy.start(np.ones(3), net, np.random.default_rng(0))
    replay = copy.deepcopy(strategy._rng)
    orders = [replay.permutation([1 - i]) for i in range(2)]
    step = _one_step(net, X, Y, cells, groups, strategy)
    shared = net.shared_indices
    assert_allclose(
        step[shared],
        _pcgrad_direct(reference[:2, shared], orders).sum(axis=0),
        rtol=1e-10,
        atol=1e-12,
    )


# -- uncertainty -----------------------------------------------------------
def test_uncertainty_log_variance_gradient_finite_differences():
    strategy = UncertaintyWeighting()
    strategy.start(np.array([1.0, 2.0, 0.5]), None, None)
    strategy.log_variances_[:] = [0.3, -0.7, 1.1]
    losses = np.array([0.8, 0.05, 2.0])
    h, s = 1e-6, strategy.log_variances_
    numeric = []
    for t in range(3):
        s[t] += h
        up = strategy.objective(losses)
        s[t] -= 2 * h
        down = strategy.objective(losses)
        s[t] += h
        numeric.append((up - down) / (2 * h))
    assert_allclose(strategy.log_variance_gradient(losses), numeric, rtol=1e-7)


def test_uncertainty_parameter_gradient_finite_differences():
    net, X, Y, cells, groups = _tiny_problem()
    task_weights = np.array([1.0, 0.5, 2.0])
    strategy = UncertaintyWeighting(learning_rate=0.1)
    strategy.start(task_weights, net, None)
    strategy.log_variances_[:] = [0.4, -0.6, 0.0]
    s = strategy.log_variances_.copy()
    params = net.params.copy()

    def objective(flat):
        net.params[...] = flat
        losses = evaluate_loss(net, X, Y, cells, groups, np.ones(3))
        return float(np.sum(np.exp(-s) * task_weights * losses + s / 2))

    h = 1e-6
    numeric = np.array(
        [
            (objective(params + h * e) - objective(params - h * e)) / (2 * h)
            for e in np.eye(net.n_params)
        ]
    )
    net.params[...] = params
    losses = evaluate_loss(net, X, Y, cells, groups, np.ones(3))
    step = _one_step(net, X, Y, cells, groups, strategy, task_weights)
    assert_allclose(step, numeric, rtol=1e-6, atol=1e-9)
    # and s took one Adam step (of size learning_rate) down its gradient
    grad_s = 0.5 - np.exp(-s) * task_weights * losses
    assert_allclose(strategy.log_variances_, s - 0.1 * np.sign(grad_s), rtol=1e-6)


def test_uncertainty_learns_the_noise_level():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(300, 3))
    Y = np.column_stack([X[:, 0], X[:, 0] + 3 * rng.normal(size=300)])
    reg = SharedRepresentationRegressor(
        (8,),
        task_weighting=UncertaintyWeighting(learning_rate=0.05),
        max_iter=15,
        early_stopping=False,
        random_state=0,
    ).fit(X, Y)
    s = reg._task_weighting.log_variances_
    # exp(-s_t) -> 1 / (2 L_t): the noisy task gets the smaller weight
    assert s[1] > s[0]
    assert_allclose(reg.task_weight_curves_[-1], np.exp(-s), rtol=0.2)


# -- DWA -------------------------------------------------------------------
def test_dwa_weights_hand_computation():
    strategy = DynamicWeightAverage(temperature=2.0)
    strategy.start(np.ones(3), None, None)
    present = np.ones(3, dtype=bool)
    assert_array_equal(strategy.batch_weights(None), np.ones(3))
    strategy.end_epoch(np.array([1.0, 2.0, 3.0]), present)
    assert_array_equal(strategy.batch_weights(None), np.ones(3))  # epoch 2
    strategy.end_epoch(np.array([0.5, 1.8, 3.0]), present)
    r = np.array([0.5 / 1.0, 1.8 / 2.0, 3.0 / 3.0])
    expected = 3 * np.exp(r / 2) / np.exp(r / 2).sum()
    assert_allclose(strategy.batch_weights(None), expected, rtol=1e-12)
    assert_allclose(expected.sum(), 3.0)
    # task 1 has no label in the next epoch: its loss and ratio are kept,
    # its weight comes from the same softmax
    strategy.end_epoch(np.array([0.25, 0.0, 1.5]), np.array([True, False, True]))
    r = np.array([0.25 / 0.5, 1.8 / 2.0, 1.5 / 3.0])
    expected = 3 * np.exp(r / 2) / np.exp(r / 2).sum()
    assert_allclose(strategy.batch_weights(None), expected, rtol=1e-12)


def test_dwa_curves_follow_task_loss_curves():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(150, 4))
    Y = np.column_stack([X[:, 0] > 0, X[:, 1] * X[:, 2] > 0, X[:, 3] > 0.5])
    clf = SharedRepresentationClassifier(
        (8,),
        task_weighting=DynamicWeightAverage(temperature=0.5),
        max_iter=6,
        early_stopping=False,
        learning_rate_init=0.01,
        random_state=0,
    ).fit(X, Y)
    L, W = clf.task_loss_curves_, clf.task_weight_curves_
    assert_array_equal(W[:2], np.ones((2, 3)))
    for e in range(2, 6):
        z = np.exp(L[e - 1] / L[e - 2] / 0.5)
        assert_allclose(W[e], 3 * z / z.sum(), rtol=1e-10)


# -- GradNorm ----------------------------------------------------------------
def test_gradnorm_gradient_hand_computation_and_finite_differences():
    strategy = GradNorm(alpha=1.5)
    net = SharedTrunkNetwork(3, (4,), (), 3, 1, "tanh", np.float64)
    strategy.start(np.ones(3), net, None)
    strategy.weights_[:] = [0.5, 1.2, 1.3]
    strategy._initial_losses[:] = [1.0, 2.0, 0.5]
    norms = np.array([0.3, 1.0, 0.6])  # G_t, of the weighted losses
    losses = np.array([0.5, 1.9, 0.2])
    active = np.ones(3, dtype=bool)
    grad = strategy.gradnorm_gradient(norms, losses, active)

    rates = losses / np.array([1.0, 2.0, 0.5])
    targets = norms.mean() * (rates / rates.mean()) ** 1.5
    unit = norms / strategy.weights_
    assert_allclose(grad, np.sign(unit * strategy.weights_ - targets) * unit)

    def l_grad(w):  # targets held constant, G_t = w_t * ||grad L_t||
        return np.abs(w * unit - targets).sum()

    h = 1e-7
    numeric = [
        (l_grad(strategy.weights_ + h * e) - l_grad(strategy.weights_ - h * e))
        / (2 * h)
        for e in np.eye(3)
    ]
    assert_allclose(grad, numeric, rtol=1e-6)


def test_gradnorm_update_in_training_loop():
    net, X, Y, cells, groups = _tiny_problem()
    reference = _task_gradients_numpy(net, X, Y, cells, np.ones(3))
    strategy = GradNorm(alpha=1.5, learning_rate=0.1)
    step = _one_step(net, X, Y, cells, groups, strategy)
    assert_allclose(step, reference.sum(axis=0), rtol=1e-10, atol=1e-12)
    # G_t: norms of each task's gradient on the last trunk layer's weights
    norms = np.linalg.norm(reference[:, net.last_shared_indices], axis=1)
    assert_allclose(strategy._norms, norms, rtol=1e-10)
    # first batch: L_t(0) = L_t so r_t = 1, targets = mean G; one Adam step
    # (of size learning_rate) then the renormalisation to sum to 3
    w = 1.0 - 0.1 * np.sign(norms - norms.mean())
    assert_allclose(strategy.weights_, 3 * w / w.sum(), rtol=1e-6)


# -- missing labels: an absent task keeps its weight -------------------------
@pytest.mark.parametrize("make", [UncertaintyWeighting, GradNorm])
def test_absent_task_is_not_reweighted(make):
    # task 1 is observed in the first mini-batch only
    net, X, Y, cells, groups = _tiny_problem(n=20)
    cells[10:, 1] = 0.0
    strategy = make()
    strategy.start(np.ones(3), net, np.random.default_rng(0))
    run_epoch(
        net,
        SGD(net.n_params, np.float64, 0.1, 0.0, False),
        X,
        Y,
        cells,
        groups,
        strategy,
        alpha=0.0,
        batch_size=10,
        shuffle=False,
        dropout=0.0,
        rng=np.random.default_rng(0),
    )
    assert_array_equal(strategy._adam.t, [2, 1, 2])

    strategy = make()
    strategy.start(np.ones(3), net, None)
    if make is GradNorm:
        strategy._norms = np.array([0.2, 0.5, 0.9])
        strategy._initial_losses[:] = 1.0
    learned = "log_variances_" if make is UncertaintyWeighting else "weights_"
    before = getattr(strategy, learned).copy()
    strategy.end_batch(np.array([0.3, 0.0, 0.9]), np.array([1.0, 0.0, 1.0]))
    after = getattr(strategy, learned)
    assert after[1] == before[1]
    assert not np.array_equal(after[[0, 2]], before[[0, 2]])
    if make is GradNorm:
        assert_allclose(after.sum(), 3.0)


# -- "equal" unchanged -------------------------------------------------------
def _run_epoch_before_strategies(
    network, optimizer, X, targets, cell_weights, head_groups, task_weights, **kw
):
    """The training loop's epoch as it was before task-weighting strategies
    (a copy kept as the reference of the default's bit-for-bit behaviour)."""
    n_samples, n_tasks = targets.shape
    order = kw["rng"].permutation(n_samples)
    loss_sums, weight_sums = np.zeros(n_tasks), np.zeros(n_tasks)
    n_weights = network.n_weights
    decay = np.empty(n_weights, dtype=network.dtype)
    batch_size = kw["batch_size"]
    grad_logits = np.zeros(
        (min(batch_size, n_samples), network.n_tasks * network.n_outputs),
        dtype=network.dtype,
    )
    for start in range(0, n_samples, batch_size):
        rows = order[start : start + batch_size]
        X_batch, y_batch = X[rows], targets[rows]
        w_batch, totals = _batch_weights(cell_weights[rows])
        logits = network.forward(X_batch, dropout=kw["dropout"], rng=kw["rng"])
        grad = grad_logits[: y_batch.shape[0]]
        losses = heads_loss_gradient(
            head_groups, logits, y_batch, w_batch, task_weights, grad
        )
        loss_sums += losses * totals
        weight_sums += totals
        network.backward(X_batch, grad)
        np.multiply(network.params[:n_weights], kw["alpha"], out=decay)
        network.grads[:n_weights] += decay
        optimizer.update_params(network.params, network.grads)
    return loss_sums / weight_sums


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_equal_is_bit_for_bit_the_loop_before(dtype):
    from mtlearn.neural_network._optimizers import Adam

    rng = np.random.default_rng(0)
    X = rng.normal(size=(90, 5)).astype(dtype)
    Y = (rng.normal(size=(90, 3)) > 0).astype(dtype)
    cells = (rng.random((90, 3)) > 0.2).astype(dtype)
    task_weights = np.array([1.0, 0.5, 2.0])
    groups = [HeadGroup(BinaryLogisticHead(), slice(0, 3), slice(0, 3))]
    runs = []
    for new in (False, True):
        net = SharedTrunkNetwork(5, (8, 6), (), 3, 1, "relu", dtype)
        net.initialize(np.random.default_rng(1))
        optimizer = Adam(net.n_params, dtype, 1e-2)
        kw = dict(alpha=1e-2, batch_size=32, dropout=0.2, rng=np.random.default_rng(2))
        losses = []
        for _epoch in range(3):
            if new:
                strategy = EqualWeighting()
                strategy.start(task_weights, net, None)
                out, used = run_epoch(
                    net, optimizer, X, Y, cells, groups, strategy, shuffle=True, **kw
                )
                assert_array_equal(used, task_weights)
            else:
                out = _run_epoch_before_strategies(
                    net, optimizer, X, Y, cells, groups, task_weights, **kw
                )
            losses.append(out)
        runs.append((np.array(losses), net.params.copy()))
    assert_array_equal(runs[0][0], runs[1][0])
    assert_array_equal(runs[0][1], runs[1][1])


def test_equal_name_and_instance_fit_alike():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(100, 4))
    Y = np.column_stack([X[:, 0] > 0, X[:, 1] > 0])
    params = dict(hidden_layer_sizes=(8,), max_iter=5, random_state=0)
    a = SharedRepresentationClassifier(**params).fit(X, Y)
    b = SharedRepresentationClassifier(task_weighting=EqualWeighting(), **params)
    b.fit(X, Y)
    assert_array_equal(a.loss_curve_, b.loss_curve_)
    assert_array_equal(a.task_weight_curves_, np.ones((a.n_iter_, 2)))


@pytest.mark.parametrize("name", ["gradnorm", "pcgrad"])
def test_gradient_strategies_without_trunk_are_equal(name):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(100, 4))
    Y = np.column_stack([X[:, 0] > 0, X[:, 1] > 0])
    params = dict(hidden_layer_sizes=(), max_iter=5, random_state=0)
    a = SharedRepresentationClassifier(**params).fit(X, Y)
    b = SharedRepresentationClassifier(task_weighting=name, **params).fit(X, Y)
    assert not b._task_weighting.needs_task_gradients
    assert_array_equal(a.loss_curve_, b.loss_curve_)
    assert_array_equal(b.task_weight_curves_, np.ones((5, 2)))


# -- the estimators ----------------------------------------------------------
def _data(kind):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(120, 5))
    if kind == "classifier":
        Y = np.column_stack(
            [
                X[:, 0] > 0,
                np.digitize(X[:, 1] + X[:, 2], [-0.5, 0.5]),  # multiclass
                np.zeros(120),  # constant
                X[:, 3] < 0.3,
            ]
        ).astype(float)
    else:
        Y = np.column_stack([X[:, 0] + X[:, 1], 100 * X[:, 2], X[:, 3] ** 2])
    Y[rng.rand(120) < 0.3, 0] = np.nan
    return X, Y


@pytest.mark.filterwarnings("ignore::mtlearn.exceptions.ConstantTaskWarning")
@pytest.mark.parametrize("name", STRATEGIES)
@pytest.mark.parametrize("kind", ["classifier", "regressor"])
def test_every_strategy_in_both_estimators(name, kind):
    X, Y = _data(kind)
    cls = {
        "classifier": SharedRepresentationClassifier,
        "regressor": SharedRepresentationRegressor,
    }[kind]
    sample_weight = np.random.RandomState(1).uniform(0.5, 2, size=120)
    est = cls((8,), task_weighting=name, max_iter=6, random_state=0)
    est.fit(X, Y, sample_weight=sample_weight)  # early stopping by default
    n_tasks = Y.shape[1]
    curves = est.task_weight_curves_
    assert curves.shape == (est.n_iter_, n_tasks)
    assert np.isfinite(curves).all() and (curves > 0).all()
    if kind == "classifier":
        assert_array_equal(curves[:, 2], 1.0)  # the constant task is untouched
    restored = pickle.loads(pickle.dumps(est))
    assert_array_equal(restored.predict(X), est.predict(X))
    # partial_fit and warm_start continue the strategy and the curves
    state = copy.deepcopy(est._task_weighting)
    est.partial_fit(X, Y)
    assert est._task_weighting is not None
    assert type(est._task_weighting) is type(state)
    assert est.task_weight_curves_.shape == (est.n_iter_, n_tasks)
    assert_array_equal(est.task_weight_curves_[:-1], curves)
    est.set_params(warm_start=True, max_iter=2, early_stopping=False)
    est.fit(X, Y)
    assert est.task_weight_curves_.shape == (est.n_iter_, n_tasks)
    restored.partial_fit(X, Y)  # a pickled strategy trains on
    assert np.isfinite(restored.predict(X)).all()


def test_strategy_state_kept_by_partial_fit_and_reset_by_fit():
    X, Y = _data("regressor")
    est = SharedRepresentationRegressor((8,), task_weighting="uncertainty")
    est.partial_fit(X, Y)
    first = est._task_weighting
    s = first.log_variances_.copy()
    est.partial_fit(X, Y)
    assert est._task_weighting is first
    assert not np.array_equal(first.log_variances_, s)
    est.set_params(max_iter=2).fit(X, Y)  # a new fit: a new strategy
    assert est._task_weighting is not first


def test_parameters_and_validation():
    est = SharedRepresentationClassifier(
        task_weighting=DynamicWeightAverage(temperature=0.5)
    )
    assert est.get_params()["task_weighting__temperature"] == 0.5
    est.set_params(task_weighting__temperature=3.0)
    assert clone(est).task_weighting.temperature == 3.0
    X, Y = _data("classifier")
    with pytest.raises(InvalidParameterError, match="temperature"):
        SharedRepresentationClassifier(
            task_weighting=DynamicWeightAverage(temperature=-1)
        ).fit(X, Y)
    with pytest.raises(InvalidParameterError, match="task_weighting"):
        SharedRepresentationClassifier(task_weighting="softmax").fit(X, Y)
    with pytest.raises(InvalidParameterError, match="alpha"):
        SharedRepresentationRegressor(task_weighting=GradNorm(alpha=-1)).fit(X, X)
    # the instance passed is never trained
    strategy = UncertaintyWeighting()
    with pytest.warns(ConstantTaskWarning):
        SharedRepresentationClassifier((4,), task_weighting=strategy, max_iter=2).fit(
            X, Y
        )
    assert not hasattr(strategy, "log_variances_")


@pytest.mark.parametrize("name", STRATEGIES)
def test_every_strategy_in_the_mixture_of_experts(name):
    from mtlearn.neural_network import MixtureOfExpertsClassifier

    X, Y = _data("classifier")
    Y = Y[:, [0, 1, 3]]
    clf = MixtureOfExpertsClassifier(
        n_experts=2,
        expert_layer_sizes=(4,),
        task_weighting=name,
        max_iter=3,
        random_state=0,
    ).fit(X, Y)
    assert clf.task_weight_curves_.shape == (clf.n_iter_, 3)
    assert np.isfinite(clf.predict_proba(X)[1]).all()


class _NetworkWithOwnTerm(SharedTrunkNetwork):
    """A network whose backward adds a term of its own (as a penalty's)."""

    def backward(self, X, grad_logits):
        super().backward(X, grad_logits)
        self.grads += np.linspace(-1, 1, self.n_params)


def test_task_gradients_leave_the_networks_own_term_out():
    net, X, Y, cells, groups = _tiny_problem()
    own = _NetworkWithOwnTerm(3, (4,), (), 3, 1, "tanh", np.float64)
    own.params[...] = net.params
    reference = _task_gradients_numpy(net, X, Y, cells, np.ones(3))
    strategy = GradNorm()
    step = _one_step(own, X, Y, cells, groups, strategy)
    # the term is added once to the combination, and kept out of G_t
    expected = reference.sum(axis=0) + np.linspace(-1, 1, own.n_params)
    assert_allclose(step, expected, rtol=1e-10, atol=1e-12)
    norms = np.linalg.norm(reference[:, own.last_shared_indices], axis=1)
    assert_allclose(strategy._norms, norms, rtol=1e-10)
