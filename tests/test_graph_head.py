"""Task-graph heads of the shared-representation networks."""

import pickle

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.utils._param_validation import InvalidParameterError

from mtlearn.exceptions import ConstantTaskWarning
from mtlearn.neural_network import (
    SharedRepresentationClassifier,
    SharedRepresentationRegressor,
)
from mtlearn.neural_network._graph_head import (
    GraphConvolutionHeadNetwork,
    GraphPenaltyNetwork,
    check_task_graph,
    head_propagation,
)
from mtlearn.neural_network._heads import BinaryLogisticHead, SoftmaxHead, SquaredHead
from mtlearn.neural_network._network import SharedTrunkNetwork
from mtlearn.neural_network._training import HeadGroup
from tests._gradients import assert_gradients_match, loss_objective

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

GRAPH = np.array([[0.0, 1.0, 0.5], [1.0, 0.0, 0.0], [0.5, 0.0, 0.0]])
NETWORKS = [GraphPenaltyNetwork, GraphConvolutionHeadNetwork]


def _problem(rng, n_outputs, n=8):
    """Three tasks: binary, regression, and (n_outputs=3) a 3-class one."""
    y = np.column_stack(
        [rng.integers(0, 2, n), rng.normal(size=n), rng.integers(0, 3, n)]
    ).astype(np.float64)
    cell_weights = rng.uniform(0.5, 2.0, size=(n, 3))
    cell_weights[[0, 3], 1] = 0.0  # missing labels
    k = n_outputs
    if k == 1:
        y[:, 2] = rng.integers(0, 2, n)
        groups = [
            HeadGroup(BinaryLogisticHead(), [0, 2], [0, 2]),
            HeadGroup(SquaredHead(), [1], [1]),
        ]
    else:
        groups = [
            HeadGroup(BinaryLogisticHead(), [0], [0]),
            HeadGroup(SquaredHead(), [1], [k]),
            HeadGroup(SoftmaxHead(3), [2], [2 * k, 2 * k + 1, 2 * k + 2]),
        ]
    return y, cell_weights, groups


@pytest.mark.parametrize("cls", NETWORKS + ["learned"])
@pytest.mark.parametrize("head_sizes", [(), (3,)])
@pytest.mark.parametrize("n_outputs", [1, 3])
def test_gradients_match_finite_differences(cls, head_sizes, n_outputs):
    """The penalty's gradient; the gcn's backward through A_hat E Theta, and
    through a learned graph with its L1 penalty."""
    rng = np.random.default_rng(0)
    n, d = 8, 4
    learn = cls == "learned"
    if learn:
        cls = GraphConvolutionHeadNetwork
    net = cls(
        d, (5,), head_sizes, 3, n_outputs, "tanh", np.float64,
        graph=np.ones((3, 3)) if learn else GRAPH, graph_alpha=0.7,
        **({"learn_graph": True} if learn else {}),
    )  # fmt: skip
    net.initialize(rng)
    if learn:
        net.edges[0] = -0.2  # an edge switched off: no gradient through it
    X = rng.normal(size=(n, d))
    objective = loss_objective(net, X, *_problem(rng, n_outputs, n), dropout=0.3)
    assert_gradients_match(net, X, objective)


def test_penalty_value_is_the_double_sum():
    rng = np.random.default_rng(0)
    net = GraphPenaltyNetwork(
        4, (5,), (), 3, 1, "relu", np.float64, graph=GRAPH, graph_alpha=0.3
    )
    net.initialize(rng)
    V = net.coefs[-1].T  # one row per task
    expected = (
        0.3
        / 2
        * sum(
            GRAPH[s, t] * np.sum((V[s] - V[t]) ** 2) for s in range(3) for t in range(3)
        )
    )
    assert net.graph_penalty() == pytest.approx(expected)


def test_gcn_output_weights_are_the_propagated_free_heads():
    rng = np.random.default_rng(0)
    net = GraphConvolutionHeadNetwork(
        4, (5,), (), 3, 1, "relu", np.float64, graph=GRAPH, graph_alpha=2.0
    )
    net.initialize(rng)
    # each task: its own head plus 2 times its neighbours' weighted mean head
    U = net.free_heads
    expected_heads = [
        U[0] + 2.0 * (1.0 * U[1] + 0.5 * U[2]) / 1.5,
        U[1] + 2.0 * U[0],
        U[2] + 2.0 * U[0],
    ]
    V = np.array(expected_heads)
    P = head_propagation(GRAPH, 2.0)
    np.testing.assert_allclose(P @ U, V)
    np.testing.assert_allclose(net.coefs[-1], V.T)
    # a task without an edge keeps its free head; no edge at all: the identity
    lone = np.zeros((3, 3))
    lone[0, 1] = lone[1, 0] = 0.3
    np.testing.assert_array_equal(head_propagation(lone, 5.0)[2], [0.0, 0.0, 1.0])
    np.testing.assert_array_equal(head_propagation(np.zeros((3, 3)), 5.0), np.eye(3))
    X = rng.normal(size=(6, 4))
    H = net.transform(X)
    expected = H @ V.T + net.intercepts[-1]
    np.testing.assert_allclose(net.predict_logits(X), expected)
    np.testing.assert_allclose(net.forward(X), expected)
    # the L2 prefix holds the free weights and free heads, not the biases
    n_biases = sum(int(np.prod(layer.bias_shape)) for layer in net.layers)
    assert net.n_weights == net.n_params - n_biases
    # pickling keeps the tied weights
    again = pickle.loads(pickle.dumps(net))
    np.testing.assert_array_equal(again.predict_logits(X), net.predict_logits(X))


def _data(n=120, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 5))
    z = X[:, :2] @ rng.normal(size=(2, 4)) + 0.5 * rng.normal(size=(n, 4))
    Y = (z > 0).astype(float)
    Y[:20, 1] = np.nan
    Y[30:50, 3] = np.nan
    return X, Y


def _net(cls=SharedRepresentationClassifier, **params):
    settings = dict(
        hidden_layer_sizes=(8,),
        dropout=0.0,
        early_stopping=False,
        max_iter=20,
        learning_rate_init=1e-2,
        dtype="float64",
        random_state=0,
    )
    return cls(**(settings | params))


def test_zero_graph_reproduces_the_plain_network():
    X, Y = _data()
    plain = _net().fit(X, Y)
    zero = _net(
        task_graph=np.zeros((4, 4)), graph_alpha=10.0, graph_head="penalty"
    ).fit(X, Y)
    assert isinstance(zero._network, GraphPenaltyNetwork)
    np.testing.assert_array_equal(zero._network.params, plain._network.params)
    np.testing.assert_array_equal(zero.predict_proba(X)[0], plain.predict_proba(X)[0])
    np.testing.assert_array_equal(zero.task_graph_, np.zeros((4, 4)))


def test_gcn_initial_heads_have_the_plain_scale():
    """The free heads are the plain network's draw, scaled so that the
    propagated heads keep its spread; without edges, they are that draw."""
    args = (4, (5,), (), 3, 1, "relu", np.float64)
    plain = SharedTrunkNetwork(*args)
    plain.initialize(np.random.default_rng(0))
    for graph, alpha in [(GRAPH, 3.0), (np.zeros((3, 3)), 3.0)]:
        net = GraphConvolutionHeadNetwork(*args, graph=graph, graph_alpha=alpha)
        net.initialize(np.random.default_rng(0))
        np.testing.assert_allclose(
            np.sqrt(np.mean(net.coefs[-1] ** 2)), np.sqrt(np.mean(plain.coefs[-1] ** 2))
        )
        np.testing.assert_array_equal(net.coefs[0], plain.coefs[0])
        np.testing.assert_array_equal(net.intercepts[-1], plain.intercepts[-1])
    np.testing.assert_allclose(net.coefs[-1], plain.coefs[-1], rtol=1e-14)


def test_gcn_without_edges_is_the_plain_network():
    X, Y = _data()
    plain = _net().fit(X, Y)
    gcn = _net(task_graph=np.zeros((4, 4)), graph_head="gcn", graph_alpha=10.0)
    gcn.fit(X, Y)
    assert isinstance(gcn._network, GraphConvolutionHeadNetwork)
    np.testing.assert_allclose(
        gcn.predict_proba(X)[0], plain.predict_proba(X)[0], rtol=1e-10
    )


@pytest.mark.parametrize("head", ["penalty", "gcn"])
def test_given_graph_is_stored_and_used(head):
    X, Y = _data()
    graph = np.ones((4, 4))  # the diagonal is ignored
    clf = _net(task_graph=graph, graph_head=head, graph_alpha=0.01, max_iter=100)
    clf.fit(X, Y)
    expected = np.ones((4, 4)) - np.eye(4)
    np.testing.assert_array_equal(clf.task_graph_, expected)
    np.testing.assert_array_equal(clf._network.graph, expected)
    assert clf.score(X, Y) > 0.7
    if head == "gcn":
        return
    # a strong penalty pulls the heads together
    weak = _net(task_graph=graph, graph_head=head, graph_alpha=0.0, max_iter=100)
    strong = _net(task_graph=graph, graph_head=head, graph_alpha=10.0, max_iter=100)
    weak, strong = weak.fit(X, Y), strong.fit(X, Y)
    heads = [np.hstack([c[0] for c in m.head_coefs_]) for m in (weak, strong)]
    spread = [np.ptp(V, axis=1).mean() for V in heads]  # across the tasks
    assert spread[1] < 0.5 * spread[0]


def test_graph_estimated_from_training_targets_with_missing_labels():
    from mtlearn.task_graph import estimate_task_graph

    X, Y = _data()
    for rule in ["auto", "correlation", "cooccurrence"]:
        clf = _net(task_graph=rule, max_iter=2).fit(X, Y)
        np.testing.assert_allclose(clf.task_graph_, estimate_task_graph(Y, rule))
        assert np.all(clf.task_graph_ == clf.task_graph_.T)
    # rows without any label do not count
    Y_extra = np.vstack([Y, np.full((5, 4), np.nan)])
    X_extra = np.vstack([X, np.zeros((5, 5))])
    clf = _net(task_graph="auto", max_iter=2).fit(X_extra, Y_extra)
    np.testing.assert_allclose(clf.task_graph_, estimate_task_graph(Y, "auto"))


@pytest.mark.parametrize(
    "graph, message",
    [
        (np.ones((3, 3)), r"shape \(n_tasks, n_tasks\) = \(4, 4\)"),
        (np.triu(np.ones((4, 4))), "symmetric"),
        (-np.ones((4, 4)), "non-negative"),
        (np.full((4, 4), np.nan), "finite"),
        ([["a"] * 4] * 4, "real numbers"),
    ],
)
def test_bad_graphs_are_errors_naming_task_graph(graph, message):
    X, Y = _data()
    with pytest.raises(ValueError, match=f"task_graph must .*{message}"):
        _net(task_graph=graph).fit(X, Y)


def test_bad_graph_parameters():
    X, Y = _data()
    with pytest.raises(InvalidParameterError, match="task_graph"):
        _net(task_graph="nearest").fit(X, Y)
    with pytest.raises(InvalidParameterError, match="graph_head"):
        _net(graph_head="attention").fit(X, Y)
    with pytest.raises(InvalidParameterError, match="graph_alpha"):
        _net(graph_alpha=-1.0).fit(X, Y)
    with pytest.raises(ValueError, match="task_graph='learned' needs graph_head"):
        _net(task_graph="learned", graph_head="penalty").fit(X, Y)
    assert check_task_graph(np.eye(2), 2).sum() == 0


@pytest.mark.parametrize("head", ["penalty", "gcn"])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_pickle_and_clone(head, dtype):
    X, Y = _data()
    clf = _net(task_graph="auto", graph_head=head, dtype=dtype).fit(X, Y)
    again = pickle.loads(pickle.dumps(clf))
    np.testing.assert_array_equal(again.predict_proba(X)[2], clf.predict_proba(X)[2])
    np.testing.assert_array_equal(again.task_graph_, clf.task_graph_)
    again.partial_fit(X, Y)  # trains after unpickling
    assert clone(clf).get_params()["graph_head"] == head


@pytest.mark.parametrize("head", ["penalty", "gcn"])
def test_constant_tasks_are_left_out_of_the_graph(head):
    X, Y = _data()
    Y[:, 2] = np.where(np.isnan(Y[:, 2]), np.nan, 1.0)
    with pytest.warns(ConstantTaskWarning):
        clf = _net(task_graph=np.ones((4, 4)), graph_head=head).fit(X, Y)
    assert np.all(clf._network.graph[2] == 0) and np.all(clf._network.graph[:, 2] == 0)
    assert clf._network.graph[0, 1] == 1
    assert np.all(clf.predict(X)[:, 2] == 1)
    assert np.isfinite(clf.predict_proba(X)[0]).all()


def test_multiclass_tasks():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(90, 4))
    Y = np.column_stack([X[:, 0] > 0, np.digitize(X[:, 1], [-0.5, 0.5]), X[:, 0] > 0.3])
    # the penalty leaves the multiclass task's edges out; the gcn ties it
    settings = dict(task_graph=np.ones((3, 3)), graph_alpha=0.01, max_iter=150)
    pen = _net(graph_head="penalty", **settings).fit(X, Y)
    assert pen._network.graph[1].sum() == 0 and pen._network.graph[0, 2] == 1
    gcn = _net(graph_head="gcn", **settings).fit(X, Y)
    assert gcn._network.graph[1].sum() == 2
    plain = _net(max_iter=150).fit(X, Y).score(X, Y)
    for clf in (pen, gcn):
        assert clf.predict_proba(X)[1].shape == (90, 3)
        assert clf.score(X, Y) > plain - 0.06


@pytest.mark.parametrize("head", ["penalty", "gcn"])
def test_regressor(head):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(150, 4))
    Y = X[:, :2] @ rng.normal(size=(2, 3))
    Y[:15, 0] = np.nan
    Y[:, 2] = 5.0  # a constant target: no edge, predicted as its mean
    reg = _net(SharedRepresentationRegressor, task_graph="auto", graph_head=head,
               max_iter=100)  # fmt: skip
    reg.fit(X, Y)
    assert reg.task_graph_.shape == (3, 3)
    assert np.all(reg._network.graph[2] == 0)
    np.testing.assert_allclose(reg.predict(X)[:, 2], 5.0)
    assert reg.score(X[15:], Y[15:]) > 0.8


@pytest.mark.parametrize("head", ["penalty", "gcn"])
def test_partial_fit_and_warm_start_keep_the_graph(head):
    X, Y = _data()
    clf = _net(task_graph="auto", graph_head=head, max_iter=3).fit(X, Y)
    graph, network = clf.task_graph_.copy(), clf._network
    # other labels would give another graph: the first fit's is kept
    Y2 = Y.copy()
    Y2[:, 1] = 1 - Y2[:, 0]
    clf.partial_fit(X, Y2)
    np.testing.assert_array_equal(clf.task_graph_, graph)
    assert clf._network is network
    warm = _net(task_graph="auto", graph_head=head, max_iter=3, warm_start=True)
    warm.fit(X, Y)
    graph = warm.task_graph_.copy()
    warm.fit(X, Y2)
    np.testing.assert_array_equal(warm.task_graph_, graph)
    # without a graph, no task_graph_ and the plain network
    plain = _net(max_iter=2).fit(X, Y)
    assert not hasattr(plain, "task_graph_")
    assert type(plain._network) is SharedTrunkNetwork


def test_learned_graph():
    """Two clusters of three tasks: the learned graph is sparse, symmetric,
    and most of its weight joins tasks of the same cluster."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(300, 5))
    w = rng.normal(size=(5, 2))
    Z = X @ w[:, [0, 0, 0, 1, 1, 1]] + 0.3 * rng.normal(size=(300, 6))
    Y = (Z > 0).astype(float)
    Y[:50, 0] = np.nan
    clf = _net(task_graph="learned", graph_head="gcn", graph_alpha=0.01, max_iter=150)
    clf.fit(X, Y)
    A = clf.task_graph_
    np.testing.assert_array_equal(A, A.T)
    assert np.all(A >= 0) and np.all(np.diag(A) == 0)
    within = A[:3, :3].sum() + A[3:, 3:].sum()
    assert within > 3 * 2 * A[:3, 3:].sum()
    # sparse: at most 8 of the 15 pairs, the cross-cluster ones weak
    assert (A == 0).sum() >= 6 + 14
    assert A[:3, 3:].max() < 0.25 * A.max()
    np.testing.assert_array_equal(A, clf._network.learned_graph())
    assert clf.score(X, Y) > 0.9
    # a stronger L1 penalty leaves fewer edges
    sparse = clone(clf).set_params(graph_alpha=1.0).fit(X, Y)
    assert (sparse.task_graph_ > 0).sum() < (A > 0).sum()
    # partial_fit keeps learning it; pickling keeps it
    again = pickle.loads(pickle.dumps(clf))
    np.testing.assert_array_equal(again.predict(X), clf.predict(X))
    again.partial_fit(X, Y)
    assert again.task_graph_.shape == (6, 6)
    # a constant task never gets an edge
    Y[:, 4] = 0.0
    with pytest.warns(ConstantTaskWarning):
        const = clone(clf).set_params(max_iter=20).fit(X, Y)
    assert np.all(const.task_graph_[4] == 0)
