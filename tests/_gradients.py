"""Finite-difference checks of the networks' gradients, shared by the tests."""

import numpy as np

from mtlearn.neural_network._heads import BinaryLogisticHead, SoftmaxHead, SquaredHead
from mtlearn.neural_network._training import (
    HeadGroup,
    _batch_weights,
    heads_loss_gradient,
)


def mixed_problem(rng, n=9):
    """Targets of a binary, a 3-class and a regression task, with missing cells."""
    y = np.column_stack(
        [rng.integers(0, 2, n), rng.integers(0, 3, n), rng.normal(size=n)]
    ).astype(np.float64)
    cell_weights = rng.uniform(0.5, 2.0, size=(n, 3))
    cell_weights[[0, 3], 1] = 0.0  # missing labels of task 1
    cell_weights[5, 0] = 0.0  # a missing label of task 0
    groups = [
        HeadGroup(BinaryLogisticHead(), [0], [0]),
        HeadGroup(SoftmaxHead(3), slice(1, 2), slice(3, 6)),
        HeadGroup(SquaredHead(), [2], [6]),
    ]
    return y, cell_weights, groups


def loss_objective(net, X, y, cell_weights, groups, dropout):
    """``objective(params) -> (value, d(value)/d(logits))`` of ``net``: the
    heads' losses weighted by the task weights 1, 0.5 and 2, plus the
    network's ``graph_penalty()`` where it has one. Every evaluation draws
    the same dropout mask (the same seed)."""
    weights, _ = _batch_weights(cell_weights)
    task_weights = np.array([1.0, 0.5, 2.0])

    def objective(params):
        net.params[...] = params
        logits = net.forward(X, dropout=dropout, rng=np.random.default_rng(1))
        grad = np.zeros_like(logits)
        losses = heads_loss_gradient(groups, logits, y, weights, task_weights, grad)
        value = task_weights @ losses
        if hasattr(net, "graph_penalty"):
            value += net.graph_penalty()
        return value, grad

    return objective


def assert_gradients_match(net, X, objective, eps=1e-6):
    """``net.backward``'s gradient at ``net.params`` equals the central
    finite differences of ``objective`` (see ``loss_objective``)."""
    params = net.params.copy()
    _, grad_logits = objective(params)
    net.backward(X, grad_logits)
    analytic = net.grads.copy()
    numeric = np.empty_like(params)
    for i in range(params.size):
        step = np.zeros_like(params)
        step[i] = eps
        numeric[i] = (objective(params + step)[0] - objective(params - step)[0]) / (
            2 * eps
        )
    np.testing.assert_allclose(analytic, numeric, rtol=1e-5, atol=1e-7)
