"""Mixture-of-experts networks: numerics and estimators."""

import pickle

import numpy as np
import pytest
import scipy.sparse as sp
from scipy.special import softmax
from sklearn.base import clone
from sklearn.utils._param_validation import InvalidParameterError

from mtlearn.datasets import make_multitask_classification
from mtlearn.exceptions import ConstantTaskWarning
from mtlearn.neural_network import (
    MixtureOfExpertsClassifier,
    MixtureOfExpertsRegressor,
)
from mtlearn.neural_network._experts import (
    GraphConvolutionMixtureNetwork,
    GraphPenaltyMixtureNetwork,
    MixtureOfExpertsNetwork,
)
from tests._gradients import assert_gradients_match, loss_objective, mixed_problem

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

SMALL = dict(
    n_experts=3,
    expert_layer_sizes=(8,),
    dropout=0.0,
    early_stopping=False,
    max_iter=20,
    learning_rate_init=1e-2,
    dtype="float64",
    random_state=0,
)


# -- numerics ------------------------------------------------------------------
def _network(rng, n_task_experts=0, head_sizes=(), expert_sizes=(6,), **kwargs):
    settings = dict(activation="tanh", dtype=np.float64, gate_temperature=0.7)
    net = MixtureOfExpertsNetwork(
        5,
        expert_sizes,
        3,
        n_task_experts,
        head_sizes,
        3,
        3,
        **(settings | kwargs),
    )
    net.initialize(rng)
    # the gates start at zero: random parameters test them fully
    net.params[...] = rng.normal(scale=0.5, size=net.n_params)
    return net


@pytest.mark.parametrize(
    "activation, n_task_experts, head_sizes, expert_sizes, dropout",
    [
        ("relu", 0, (), (6,), 0.0),  # plain MMoE
        ("tanh", 2, (4,), (6, 5), 0.3),  # CGC, towers, grouped experts
        ("logistic", 1, (), (6, 5), 0.3),
        ("identity", 2, (4,), (6,), 0.0),
        ("relu", 1, (4,), (6, 5), 0.3),
        ("relu", 1, (), (6,), 0.4),  # one-layer experts: dropout on the mixtures
    ],
)
def test_gradients_match_finite_differences(
    activation, n_task_experts, head_sizes, expert_sizes, dropout
):
    """Experts, gates (with temperature), towers and every head, by backprop."""
    rng = np.random.default_rng(0)
    n = 9
    net = _network(rng, n_task_experts, head_sizes, expert_sizes, activation=activation)
    X = rng.normal(size=(n, 5))
    y, cell_weights, groups = mixed_problem(rng, n)
    objective = loss_objective(net, X, y, cell_weights, groups, dropout)
    assert_gradients_match(net, X, objective)


def test_prediction_equals_training_pass_and_does_not_depend_on_chunks():
    rng = np.random.default_rng(0)
    net = _network(rng, n_task_experts=1, head_sizes=(4,), expert_sizes=(6, 5))
    X = rng.normal(size=(11, 5))
    expected = net.forward(X).copy()
    np.testing.assert_allclose(net.predict_logits(X), expected, rtol=1e-12)
    np.testing.assert_array_equal(
        net.predict_logits(X, chunk_size=4), net.predict_logits(X)
    )
    np.testing.assert_array_equal(net.transform(X, chunk_size=4), net.transform(X))
    # float32 training, float64 prediction from the same parameters
    net32 = MixtureOfExpertsNetwork(
        5, (6, 5), 3, 1, (4,), 3, 3, "tanh", np.float32, gate_temperature=0.7
    )
    net32.params[...] = net.params
    np.testing.assert_allclose(net32.forward(X.astype(np.float32)), expected, atol=1e-5)
    # sparse input: the same logits
    np.testing.assert_allclose(net.predict_logits(sp.csr_matrix(X)), expected)


def test_dropout_falls_on_the_mixtures_not_on_the_experts_last_layer():
    # Dropout on the experts' outputs would make the towers' noise depend on
    # the gates (smallest at uniform gates); on each task's mixture it does
    # not. Identity activation: a zero can only come from a dropped unit.
    rng = np.random.default_rng(0)
    net = _network(rng, expert_sizes=(6, 5), activation="identity")
    X = rng.normal(size=(200, 5))
    net.forward(X, dropout=0.5, rng=np.random.default_rng(1))
    b = net._buffers
    g = net.n_trunk_layers
    first, last = b["out"][0][:200], b["out"][g - 1][:200]
    mixed = b["mixed"][:200]
    assert 0.4 < np.mean(first == 0) < 0.6  # a hidden layer of the experts
    assert not np.any(last == 0)  # the experts' last layer: kept whole
    assert 0.4 < np.mean(mixed == 0) < 0.6  # each task's mixture
    # The kept units of the mixture are the plain mixture, rescaled.
    gates = b["out"][g][:200].reshape(200, net.n_tasks, net.n_visible)
    plain = np.einsum("nte,new->ntw", gates, last.reshape(200, net.n_experts, -1))
    kept = mixed != 0
    np.testing.assert_allclose(mixed[kept], 2 * plain.reshape(200, -1)[kept])


@pytest.mark.parametrize("temperature", [0.5, 1.0, 3.0])
def test_gates_are_a_softmax_of_a_linear_function_over_visible_experts(temperature):
    rng = np.random.default_rng(0)
    net = _network(rng, n_task_experts=2, gate_temperature=temperature)
    X = rng.normal(size=(7, 5))
    W, b = net.coefs[net.n_trunk_layers], net.intercepts[net.n_trunk_layers]
    logits = (X @ W + b).reshape(7, 3, 5)  # 3 tasks, 3 shared + 2 own experts
    gates = net.gates(X)
    for t in range(3):
        np.testing.assert_allclose(gates[t], softmax(logits[:, t] / temperature, 1))
        np.testing.assert_allclose(gates[t].sum(axis=1), 1.0)
        np.testing.assert_array_equal(
            net.expert_columns(t), [0, 1, 2, 3 + 2 * t, 4 + 2 * t]
        )


def test_task_output_uses_only_its_visible_experts():
    """The mixture of task t: shared experts and its own, weighed by its gate."""
    rng = np.random.default_rng(0)
    net = _network(rng, n_task_experts=2, activation="relu")
    X = rng.normal(size=(6, 5))
    net.forward(X)
    H = net._buffers["out"][0][:6].reshape(6, 9, 6)  # 3 + 3 * 2 experts
    mixed = net._buffers["mixed"][:6].reshape(6, 3, 6)
    for t, g in enumerate(net.gates(X)):
        visible = H[:, net.expert_columns(t)]
        np.testing.assert_allclose(mixed[:, t], np.einsum("ne,new->nw", g, visible))


def test_shared_indices_are_the_parameters_every_task_depends_on():
    rng = np.random.default_rng(0)
    net = _network(rng, n_task_experts=1, head_sizes=(4,), expert_sizes=(6, 5))
    X = rng.normal(size=(9, 5))
    supports = []
    for t in range(3):
        net.forward(X)
        grad = np.zeros((9, 9))
        grad[:, 3 * t : 3 * t + 3] = rng.normal(size=(9, 3))  # task t only
        net.backward(X, grad)
        supports.append(net.grads != 0)
    every_task = np.flatnonzero(np.logical_and.reduce(supports))
    np.testing.assert_array_equal(net.shared_indices, every_task)
    # the shared experts' last layer: a (3 experts, 6, 5) weight block
    last = net.last_shared_indices
    assert last.size == 3 * 6 * 5 and np.isin(last, net.shared_indices).all()
    assert (last < net.n_weights).all()
    start = net._offsets[1]
    np.testing.assert_array_equal(last, np.arange(start, start + last.size))


def test_network_pickles_without_buffers():
    rng = np.random.default_rng(0)
    net = _network(rng, n_task_experts=1)
    X = rng.normal(size=(4, 5))
    expected = net.forward(X).copy()
    copy = pickle.loads(pickle.dumps(net))
    assert copy._buffer_rows == 0 and not hasattr(copy, "_buffers")
    np.testing.assert_array_equal(copy.forward(X), expected)
    copy.params[0] += 1.0  # the views follow the flat vector
    assert copy.coefs[0].flat[0] == copy.params[0]


def test_forward_backward_reuse_their_buffers():
    rng = np.random.default_rng(0)
    net = _network(rng, n_task_experts=1, head_sizes=(4,))
    X = rng.normal(size=(8, 5))
    net.backward(X, np.ones_like(net.forward(X)))
    buffers = net._buffers
    net.backward(X[:5], np.ones_like(net.forward(X[:5])))
    assert net._buffers is buffers


# -- estimators ------------------------------------------------------------------
def _classification(n=120, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n, 5))
    Y = np.column_stack(
        [X[:, 0] > 0, X[:, 1] + X[:, 2] > 0, np.digitize(X[:, 3], [-0.5, 0.5])]
    ).astype(float)
    return X, Y


def test_gate_weights_sum_to_one_and_respect_visibility():
    X, Y = _classification()
    clf = MixtureOfExpertsClassifier(n_task_experts=2, **SMALL).fit(X, Y)
    assert clf.n_experts_total_ == 3 + 3 * 2
    weights = clf.gate_weights(X)
    assert len(weights) == 3
    for t, g in enumerate(weights):
        assert g.shape == (120, 9) and g.dtype == np.float64
        np.testing.assert_allclose(g.sum(axis=1), 1.0)
        hidden = np.setdiff1d(np.arange(9), [0, 1, 2, 3 + 2 * t, 4 + 2 * t])
        assert (g[:, hidden] == 0).all() and (g[:, [3 + 2 * t, 4 + 2 * t]] > 0).all()
    assert clf.mean_gate_weights_.shape == (3, 9)
    np.testing.assert_allclose(
        clf.mean_gate_weights_, [g.mean(axis=0) for g in weights]
    )
    # one-dimensional y: one array
    one = MixtureOfExpertsClassifier(**SMALL).fit(X, Y[:, 0])
    assert one.gate_weights(X[:4]).shape == (4, 3)
    assert one.mean_gate_weights_.shape == (1, 3)


def test_gate_temperature_spreads_the_gates():
    """Same parameters, a higher temperature: gates closer to uniform."""
    X, Y = _classification()
    clf = MixtureOfExpertsClassifier(**SMALL).fit(X, Y)
    net = clf._network
    entropies = []
    for temperature in (0.25, 1.0, 4.0):
        net.gate_temperature = temperature
        g = np.concatenate(net.gates(X))
        entropies.append(-(g * np.log(g)).sum(axis=1).mean())
    assert entropies[0] < entropies[1] < entropies[2] <= np.log(3)


@pytest.mark.parametrize(
    "layout",
    [
        {},
        {"n_task_experts": 2, "head_layer_sizes": (4,)},
        {"task_graph": "auto"},
        {"task_graph": "auto", "graph_head": "penalty"},
    ],
)
def test_the_l2_penalty_leaves_the_gates_out(layout):
    """One full-batch SGD step from the same weights with and without
    ``alpha``: the weights differ by ``-lr * alpha * W`` off the gates and
    not at all on them, and the epoch's loss by ``alpha / 2 * ||W||^2``
    without the gates (the gates found from the layers' arrays)."""
    X, Y = _classification()
    settings = SMALL | dict(
        solver="sgd", momentum=0.0, batch_size=len(X), shuffle=False,
        average=False, max_iter=1, learning_rate_init=0.1, alpha=0.0,
    ) | layout  # fmt: skip
    first = MixtureOfExpertsClassifier(**settings).fit(X, Y)
    start = first._network.params.copy()
    net = first._network
    is_gate = np.zeros(net.n_params, dtype=bool)
    is_gate[net._param_indices(lambda c, b: [c[net._gate_layer]])] = True
    is_weight = np.zeros(net.n_params, dtype=bool)
    is_weight[net._param_indices(lambda c, b: c)] = True
    n_visible = settings["n_experts"] + settings.get("n_task_experts", 0)
    assert is_gate.sum() == X.shape[1] * Y.shape[1] * n_visible
    after = {}
    for alpha in (0.0, 0.5):
        clf = pickle.loads(pickle.dumps(first))
        clf.set_params(alpha=alpha, warm_start=True).fit(X, Y)
        after[alpha] = (clf._network.params.copy(), clf.loss_curve_[-1])
    decayed = is_weight & ~is_gate
    expected = np.where(decayed, -0.1 * 0.5 * start, 0.0)
    np.testing.assert_allclose(after[0.5][0] - after[0.0][0], expected, atol=1e-12)
    weights = after[0.5][0][decayed]
    np.testing.assert_allclose(
        after[0.5][1] - after[0.0][1], 0.25 * weights @ weights, rtol=1e-10
    )


def test_tasks_that_share_nothing_use_different_experts():
    """Measure: the total-variation distance between two tasks' mean gate
    weight vectors, 0.5 * sum_e |m_se - m_te|, over the pairs of tasks in
    the same group and over the pairs across the two groups of the grouped
    generator (related within a group, independent across). Tasks that
    share nothing attend to the experts more differently than related ones.

    Measured over data seeds 0-7 at these settings: across the groups 0.30
    on average (0.21-0.43) against 0.24 within them (0.19-0.31); larger
    across on 7 seeds of 8. Two copies of one task are no test: with
    unpenalised gates they may settle on different, interchangeable
    experts.
    """
    settings = SMALL | dict(
        n_experts=4, expert_layer_sizes=(16,), max_iter=60, learning_rate_init=1e-2
    )
    within, across = [], []
    for seed in range(5):
        X, Y, groups = make_multitask_classification(
            2000, 10, n_informative=6, n_tasks=6, n_groups=2, relatedness=0.9,
            nonlinearity="sine", nonlinear_share=0.5, return_groups=True,
            random_state=seed,
        )  # fmt: skip
        m = MixtureOfExpertsClassifier(**settings).fit(X, Y).mean_gate_weights_
        distance = 0.5 * np.abs(m[:, None] - m[None]).sum(axis=-1)
        same = groups[:, None] == groups[None]
        within.append(distance[same & ~np.eye(len(groups), dtype=bool)].mean())
        across.append(distance[~same].mean())
    assert np.mean(across) > np.mean(within) + 0.04


def test_missing_labels_and_constant_task():
    X, Y = _classification()
    Y[::3, 0] = np.nan
    Y[1::4, 2] = np.nan
    clf = MixtureOfExpertsClassifier(**SMALL).fit(X, Y)
    assert np.isfinite(clf.loss_curve_).all()
    assert clf.predict(X).shape == (120, 3)
    Y_const = Y.copy()
    Y_const[:, 1] = 1.0
    with pytest.warns(ConstantTaskWarning):
        clf = MixtureOfExpertsClassifier(**SMALL).fit(X, Y_const)
    assert (clf.predict(X)[:, 1] == 1).all()
    assert clf.predict_proba(X)[1].shape == (120, 1)
    assert clf.task_loss_curves_[:, 1].max() == 0


def test_regressor_missing_and_constant_targets():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(150, 4))
    Y = np.column_stack([X[:, 0] - X[:, 1], np.sin(X[:, 2]), np.full(150, 3.0)])
    Y[:20, 0] = np.nan
    reg = MixtureOfExpertsRegressor(**(SMALL | dict(max_iter=60))).fit(X, Y)
    pred = reg.predict(X)
    assert pred.shape == (150, 3) and np.isfinite(pred).all()
    np.testing.assert_allclose(pred[:, 2], 3.0)
    assert reg.gate_weights(X)[0].shape == (150, 3)


def test_partial_fit_and_warm_start_continue_the_same_network():
    X, Y = _classification()
    classes = [np.array([0.0, 1.0])] * 2 + [np.array([0.0, 1.0, 2.0])]
    clf = MixtureOfExpertsClassifier(**SMALL)
    clf.partial_fit(X[:60], Y[:60], classes=classes)
    net = clf._network
    gates_before = clf.mean_gate_weights_
    clf.partial_fit(X[60:], Y[60:])
    assert clf._network is net and clf.n_iter_ == 2
    assert not np.allclose(clf.mean_gate_weights_, gates_before)

    warm = MixtureOfExpertsClassifier(**(SMALL | dict(warm_start=True)))
    warm.fit(X, Y)
    params = warm._network.params.copy()
    warm.set_params(max_iter=5).fit(X, Y)
    assert warm.n_iter_ == 25
    assert not np.array_equal(warm._network.params, params)


def test_pickle_round_trip_and_reproducibility():
    X, Y = _classification()
    clf = MixtureOfExpertsClassifier(n_task_experts=1, **SMALL).fit(X, Y)
    copy = pickle.loads(pickle.dumps(clf))
    for a, b in zip(copy.predict_proba(X), clf.predict_proba(X)):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(copy.gate_weights(X)[2], clf.gate_weights(X)[2])
    # the same random_state: the same fit, to the bit (default float32,
    # dropout, early stopping and averaging included)
    defaults = dict(n_experts=2, expert_layer_sizes=(8,), max_iter=5, random_state=3)
    a = MixtureOfExpertsClassifier(**defaults).fit(X, Y)
    b = clone(a).fit(X, Y)
    np.testing.assert_array_equal(a._network.params, b._network.params)
    np.testing.assert_array_equal(a.mean_gate_weights_, b.mean_gate_weights_)


def test_transform_gives_the_experts_outputs_and_set_output_names():
    pd = pytest.importorskip("pandas")
    X, Y = _classification()
    clf = MixtureOfExpertsClassifier(
        n_task_experts=1, head_layer_sizes=(4,), **SMALL
    ).fit(X, Y)
    H = clf.transform(X)
    assert H.shape == (120, (3 + 3) * 8) and (H >= 0).all()
    names = clf.get_feature_names_out()
    assert len(names) == H.shape[1] and names[0] == "mixtureofexpertsclassifier0"
    frame = clf.set_output(transform="pandas").transform(X)
    assert isinstance(frame, pd.DataFrame) and list(frame.columns) == list(names)
    # towers: one per task, the last of the task's width
    assert [w.shape for w in clf.head_coefs_[2]] == [(8, 4), (4, 3)]
    assert [w.shape for w in clf.head_coefs_[0]] == [(8, 4), (4, 1)]


def test_sample_weight_class_weight_and_sparse_input():
    X, Y = _classification()
    weight = np.random.RandomState(0).uniform(0.5, 2.0, size=120)
    clf = MixtureOfExpertsClassifier(class_weight="balanced", **SMALL)
    dense = clf.fit(X, Y, sample_weight=weight).predict_proba(X)
    sparse = clone(clf).fit(sp.csr_matrix(X), Y, sample_weight=weight)
    for a, b in zip(dense, sparse.predict_proba(X)):
        np.testing.assert_allclose(a, b, atol=1e-8)


def test_invalid_parameters_are_named():
    X, Y = _classification(n=30)
    with pytest.raises(ValueError, match="expert_layer_sizes"):
        MixtureOfExpertsClassifier(expert_layer_sizes=()).fit(X, Y)
    with pytest.raises(ValueError, match="expert_layer_sizes"):
        MixtureOfExpertsClassifier(expert_layer_sizes=(4, 0)).fit(X, Y)
    with pytest.raises(InvalidParameterError, match="n_experts"):
        MixtureOfExpertsClassifier(n_experts=0).fit(X, Y)
    with pytest.raises(InvalidParameterError, match="gate_temperature"):
        MixtureOfExpertsRegressor(gate_temperature=0.0).fit(X, Y)
    assert "hidden_layer_sizes" not in MixtureOfExpertsRegressor().get_params()


@pytest.mark.parametrize("strategy", ["gradnorm", "pcgrad", "uncertainty", "dwa"])
def test_task_weighting_strategies_run_on_the_mixture(strategy):
    """GradNorm and PCGrad read the shared experts through the network's
    last_shared_indices and shared_indices."""
    X, Y = _classification()
    Y[::4, 1] = np.nan
    settings = SMALL | dict(n_task_experts=1, batch_size=32, max_iter=5)
    equal = MixtureOfExpertsClassifier(**settings).fit(X, Y)
    clf = MixtureOfExpertsClassifier(task_weighting=strategy, **settings).fit(X, Y)
    assert np.isfinite(clf.loss_curve_).all()
    assert clf.task_weight_curves_.shape == (5, 3)
    assert not np.array_equal(clf._network.params, equal._network.params)


# -- task graph on the towers (issue 11) ----------------------------------------
GRAPH = np.array([[0.0, 1.0, 0.5], [1.0, 0.0, 0.0], [0.5, 0.0, 0.0]])


def _graph_network(rng, head, n_task_experts=0, head_sizes=(), **kwargs):
    cls = (
        GraphPenaltyMixtureNetwork
        if head == "penalty"
        else GraphConvolutionMixtureNetwork
    )
    learn = head == "learned"
    if learn:
        kwargs["learn_graph"] = True
    net = cls(
        5, (6,), 2, n_task_experts, head_sizes, 3, 3, "tanh", np.float64,
        gate_temperature=0.7, graph=np.ones((3, 3)) if learn else GRAPH,
        graph_alpha=0.7, **kwargs,
    )  # fmt: skip
    net.initialize(rng)
    net.params[...] = rng.normal(scale=0.5, size=net.n_params)
    if learn:
        # an edge switched off (no gradient through it), two on
        net.edges[...] = [-0.2, 0.3, 0.4]
    return net


@pytest.mark.parametrize("head", ["penalty", "gcn", "learned"])
@pytest.mark.parametrize(
    "n_task_experts, head_sizes, dropout", [(0, (), 0.0), (1, (4,), 0.3)]
)
def test_graph_head_gradients_match_finite_differences(
    head, n_task_experts, head_sizes, dropout
):
    """The loss plus graph_alpha * tr(V^T L V) on the towers' output weights
    ("penalty"); through V = P U ("gcn"), and a learned graph with
    its L1 penalty."""
    rng = np.random.default_rng(0)
    n = 7
    net = _graph_network(rng, head, n_task_experts, head_sizes)
    assert (net.graph_penalty() > 0) == (head != "gcn")  # gcn: no penalty
    X = rng.normal(size=(n, 5))
    y, cell_weights, groups = mixed_problem(rng, n)
    objective = loss_objective(net, X, y, cell_weights, groups, dropout)
    assert_gradients_match(net, X, objective)


@pytest.mark.parametrize("head", ["penalty", "gcn", "learned"])
def test_graph_networks_predict_pickle_and_index_the_shared_experts(head):
    rng = np.random.default_rng(0)
    net = _graph_network(rng, head, n_task_experts=1, head_sizes=(4,))
    X = rng.normal(size=(6, 5))
    expected = net.forward(X).copy()
    np.testing.assert_allclose(net.predict_logits(X, chunk_size=4), expected)
    copy = pickle.loads(pickle.dumps(net))
    np.testing.assert_array_equal(copy.forward(X), expected)
    # the shared experts' parameters, in the network's own layout
    shared = np.concatenate([net.coefs[0][:, :12].ravel(), net.intercepts[0][:12]])
    np.testing.assert_array_equal(
        np.sort(net.params[net.shared_indices]), np.sort(shared)
    )
    last = net.params[net.last_shared_indices]
    np.testing.assert_array_equal(np.sort(last), np.sort(net.coefs[0][:, :12].ravel()))


def test_graph_penalty_value_is_the_double_sum_over_tower_outputs():
    rng = np.random.default_rng(0)
    net = GraphPenaltyMixtureNetwork(
        5, (6,), 2, 0, (), 3, 2, "relu", np.float64, graph=GRAPH, graph_alpha=0.3
    )
    net.initialize(rng)
    V = net.coefs[-1].reshape(3, -1)  # task t's (n_in, n_outputs) block
    expected = (
        0.3
        / 2
        * sum(
            GRAPH[s, t] * np.sum((V[s] - V[t]) ** 2) for s in range(3) for t in range(3)
        )
    )
    assert net.graph_penalty() == pytest.approx(expected)


@pytest.mark.parametrize("cls", [MixtureOfExpertsClassifier, MixtureOfExpertsRegressor])
def test_zero_graph_reproduces_the_plain_mixture(cls):
    X, Y = _classification(n=60)
    if cls is MixtureOfExpertsRegressor:
        Y = X[:, :3] + 0.1 * X[:, 3:4]
    params = SMALL | dict(max_iter=5)
    plain = cls(**params).fit(X, Y)
    for graph, alpha in [(np.zeros((3, 3)), 0.1), (GRAPH, 0.0)]:
        tied = cls(task_graph=graph, graph_alpha=alpha, **params).fit(X, Y)
        np.testing.assert_array_equal(tied._network.params, plain._network.params)
        np.testing.assert_array_equal(tied.task_graph_, graph)
    # a real graph changes the fit
    tied = cls(task_graph=np.ones((3, 3)), graph_alpha=1.0, **params).fit(X, Y)
    assert not np.array_equal(tied._network.params, plain._network.params)


def test_graph_pulls_the_towers_together():
    X, Y = _classification()
    Y = Y[:, :2]
    params = SMALL | dict(max_iter=30)
    graph = np.array([[0.0, 1.0], [1.0, 0.0]])
    gaps = []
    for alpha in [0.0, 10.0]:
        clf = MixtureOfExpertsClassifier(
            task_graph=graph, graph_head="penalty", graph_alpha=alpha, **params
        )
        V = clf.fit(X, Y)._network.coefs[-1]
        gaps.append(np.linalg.norm(V[0] - V[1]))
    assert gaps[1] < 0.75 * gaps[0]


def test_rule_string_is_estimated_from_observed_training_labels():
    from mtlearn.task_graph import estimate_task_graph

    rng = np.random.RandomState(1)
    X = rng.normal(size=(150, 4))
    Y = (X[:, [0, 0, 1, 2]] + 0.5 * rng.normal(size=(150, 4)) > 0).astype(float)
    Y[rng.rand(150) < 0.3, 1] = np.nan  # missing labels
    Y[:10, 3] = np.nan
    clf = MixtureOfExpertsClassifier(
        task_graph="auto", graph_head="penalty", **SMALL | dict(max_iter=3)
    )
    clf.fit(X, Y)
    expected = estimate_task_graph(Y, "auto", target_type="classification")
    np.testing.assert_allclose(clf.task_graph_, expected)
    assert clf.task_graph_[0, 1] > 0  # the two tasks of the same feature
    assert type(clf._network).__name__ == "GraphPenaltyMixtureNetwork"
    assert np.array_equal(clf._network.graph, clf.task_graph_)
    # kept by partial_fit; gone after a refit without a graph
    clf.partial_fit(X, Y)
    np.testing.assert_allclose(clf.task_graph_, expected)
    assert not hasattr(clf.set_params(task_graph=None).fit(X, Y), "task_graph_")


def test_graph_mixture_pickles_and_keeps_its_graph():
    X, Y = _classification()
    clf = MixtureOfExpertsClassifier(task_graph=GRAPH, graph_head="penalty", **SMALL)
    clf.fit(X, Y)
    copy = pickle.loads(pickle.dumps(clf))
    for a, b in zip(copy.predict_proba(X), clf.predict_proba(X)):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(copy.task_graph_, GRAPH)
    # task 2 has 3 classes: its edges are left out of the penalty
    used = GRAPH * np.array([1.0, 1.0, 0.0])[:, None] * np.array([1.0, 1.0, 0.0])
    np.testing.assert_array_equal(copy._network.graph, used)
    assert copy._network.graph_penalty() == clf._network.graph_penalty()
    copy.partial_fit(X, Y)  # the copy trains, with its graph


@pytest.mark.parametrize("rule", [GRAPH, "learned"])
def test_gcn_towers_fit_and_publish_the_graph(rule):
    X, Y = _classification()
    clf = MixtureOfExpertsClassifier(
        task_graph=rule, graph_head="gcn", **SMALL | dict(max_iter=10)
    ).fit(X, Y)
    assert type(clf._network).__name__ == "GraphConvolutionMixtureNetwork"
    assert clf.score(X, Y) > 0.5
    graph = clf.task_graph_
    assert graph.shape == (3, 3) and np.array_equal(graph, graph.T)
    if isinstance(rule, str):
        np.testing.assert_array_equal(graph, clf._network.learned_graph())
    for a, b in zip(clf.head_coefs_[0], clf._head_params(0)[0]):
        np.testing.assert_array_equal(a, b)
    copy = pickle.loads(pickle.dumps(clf))
    for a, b in zip(copy.predict_proba(X), clf.predict_proba(X)):
        np.testing.assert_array_equal(a, b)
    copy.partial_fit(X, Y)


def test_graph_parameters_are_real_and_validated():
    X, Y = _classification()
    for cls in (MixtureOfExpertsClassifier, MixtureOfExpertsRegressor):
        params = cls().get_params()
        assert params["task_graph"] is None
        assert params["graph_head"] == "gcn"
        assert params["graph_alpha"] == 0.1
        assert "hidden_layer_sizes" not in params
    clf = MixtureOfExpertsClassifier(task_graph="auto", graph_head="penalty", **SMALL)
    with pytest.raises(ValueError, match="task_graph='learned' needs"):
        clone(clf).set_params(task_graph="learned").fit(X, Y)
    with pytest.raises(ValueError, match="task_graph must have shape"):
        clone(clf).set_params(task_graph=np.ones((2, 2))).fit(X, Y)
    with pytest.raises(InvalidParameterError, match="graph_head"):
        clone(clf).set_params(graph_head="attention").fit(X, Y)
    with pytest.raises(InvalidParameterError, match="graph_alpha"):
        clone(clf).set_params(graph_alpha=-1.0).fit(X, Y)
