"""Multi-gate mixture of experts: shared experts, one softmax gate per task.

The network follows the protocol of :class:`~._network.SharedTrunkNetwork`
(flat ``params``/``grads``, weights first then biases, ``forward`` /
``backward`` on preallocated buffers, ``predict_logits`` and ``transform`` in
float64 chunks), so the one training loop runs it unchanged.

Architecture (MMoE, Ma et al. 2018; with task experts, the customised gate
control of PLE, Tang et al. 2020)::

    h_e(x)  = expert e, an MLP            e = 1 .. n_experts (shared)
                                            and n_task_experts per task
    g_t(x)  = softmax((x A_t + c_t) / gate_temperature)
              over the experts task t sees: the shared ones and its own
    u_t(x)  = sum_e g_te(x) h_e(x)          the input of task t's tower
    z_t(x)  = tower_t(u_t(x))               task t's output logits

Layout of the layers (and of the parameters, layer by layer):

- expert layers: the first is one dense layer of width
  ``n_experts_total * expert_sizes[0]`` (one GEMM for every expert), the
  later ones :class:`~._layers.GroupedDense` with one group per expert;
  expert ``e`` owns the ``e``-th block of columns. The shared experts come
  first, then the task experts of task 0, of task 1, ...
- the gate layer: one dense layer ``x -> n_tasks * n_visible`` logits,
  task ``t``'s block holding its logits over the shared experts, then over
  its own experts.
- the towers: grouped layers, one group per task, the last of width
  ``n_outputs`` (logits laid out as ``n_tasks`` blocks of ``n_outputs``).

The mixture is a product per sample, batched over the rows: ``(n, T, E) @
(n, E, w)``; it costs ``n_tasks * n_visible * w`` multiply-adds per row, small
beside the experts' first layer.

Dropout acts on the experts' hidden layers but the last, and on each task's
mixture ``u_t`` (its tower's input), not on the experts' last layer: with
inverted dropout of rate ``p`` on the experts' outputs, a tower reading
``u_t = sum_e g_te (m_e * h_e)`` sees a noise of variance
``p / (1 - p) * sum_e g_te^2 * (v * h_e)^2`` (``v`` its weights), an implicit
penalty on ``sum_e g_te^2`` that is smallest at uniform gates: it would hold
every task's gate near uniform, the collapse the gates exist to avoid. On
``u_t`` the noise, ``p / (1 - p) * (v * u_t)^2``, does not depend on how the
gates mix the experts, as dropout on the trunk's units reads for the heads
of a shared trunk.

For the same reason the L2 penalty ``alpha`` leaves the gates' weights out
(``unpenalised_weights``): the gates start at zero (uniform) and a gate's
gradient is small while the experts are alike, so a penalty on its weights
held it near uniform. Left out, the gates of ``benchmarks/bench_attention.py``'s
grouped tasks concentrate (normalised entropy 0.87 -> 0.76) and the mixture
went from +0.0019 to +0.0077 test AUC over the shared trunk of its size (5
seeds; +0.0083 on seeds 5-9), at -0.0007 micro-F1 on yeast and -0.0019 on
emotions (5 seeds, inside their seed spread of 0.004).
"""

from functools import cached_property

import numpy as np

from ._activations import ACTIVATIONS, DERIVATIVES
from ._graph_head import GraphConvolutionMixin, GraphPenaltyMixin
from ._layers import Dense, GroupedDense
from ._network import _FlatParameterNetwork


class _TowerLayer(GroupedDense):
    """A grouped layer (one group per task) whose input gradient of a
    one-unit output is a broadcast product: NumPy's batched matmul with an
    inner dimension of 1 is about six times slower (binary tasks without a
    tower hidden layer end in such a layer)."""

    def backward(self, x, delta, W, grad_W, grad_b, grad_x):
        if grad_x is None or self.weight_shape[2] != 1:
            return super().backward(x, delta, W, grad_W, grad_b, grad_x)
        super().backward(x, delta, W, grad_W, grad_b, None)
        n, n_in = x.shape[0], self.weight_shape[1]
        np.multiply(
            delta[:, :, None],
            W[None, :, :, 0],
            out=grad_x.reshape(n, self.n_groups, n_in),
        )


class MixtureOfExpertsNetwork(_FlatParameterNetwork):
    """Experts, per-task softmax gates and per-task towers.

    Parameters
    ----------
    n_features : int
        Width of the input.
    expert_sizes : tuple of int
        Widths of each expert's hidden layers (at least one).
    n_experts : int
        Number of shared experts (seen by every task's gate).
    n_task_experts : int
        Number of experts of each task, seen by its gate only (0: MMoE).
    head_sizes : tuple of int
        Widths of each task's tower hidden layers (may be empty).
    n_tasks : int
        Number of tasks.
    n_outputs : int
        Width of each task's output block.
    activation : str
        Hidden activation (experts and towers), a key of ``ACTIVATIONS``.
    dtype : numpy dtype
        Compute dtype of parameters and buffers.
    gate_temperature : float, default=1.0
        The gate logits are divided by it before the softmax: above 1 the
        gates are smoother, below 1 sharper.

    Attributes
    ----------
    n_trunk_layers : int
        Number of expert layers (``layers[:n_trunk_layers]``; ``transform``
        gives the last one's output), followed by the gate layer and the
        tower layers.
    shared_indices : ndarray of int
        Indices into ``params`` of the parameters every task's loss depends
        on: the shared experts' weights and biases (for strategies that
        treat the shared gradient, e.g. PCGrad).
    last_shared_indices : ndarray of int
        Indices of the weights of the shared experts' last layer (GradNorm's
        gradient norms).
    """

    _buffer_attributes = ("_buffers",)

    def __init__(
        self,
        n_features,
        expert_sizes,
        n_experts,
        n_task_experts,
        head_sizes,
        n_tasks,
        n_outputs,
        activation,
        dtype,
        gate_temperature=1.0,
    ):
        if not expert_sizes:
            raise ValueError("An expert needs at least one hidden layer.")
        self.n_features = n_features
        self.expert_sizes = tuple(expert_sizes)
        self.n_experts = n_experts
        self.n_task_experts = n_task_experts
        self.head_sizes = tuple(head_sizes)
        self.n_tasks = n_tasks
        self.n_outputs = n_outputs
        self.activation = activation
        self.dtype = np.dtype(dtype)
        self.gate_temperature = float(gate_temperature)
        self.n_experts_total = n_experts + n_tasks * n_task_experts
        self.n_visible = n_experts + n_task_experts
        n_total = self.n_experts_total
        layers = [Dense(n_features, n_total * self.expert_sizes[0])]
        layers += [
            GroupedDense(n_total, a, b)
            for a, b in zip(self.expert_sizes[:-1], self.expert_sizes[1:])
        ]
        self.n_trunk_layers = len(layers)
        layers.append(Dense(n_features, n_tasks * self.n_visible))  # the gates
        tower_widths = (self.expert_sizes[-1],) + self.head_sizes + (n_outputs,)
        layers += [
            _TowerLayer(n_tasks, a, b)
            for a, b in zip(tower_widths[:-1], tower_widths[1:])
        ]
        self.layers = layers
        # fans of one expert, one task's gate: the initialisation's scale
        self._init_fans = [(n_features, self.expert_sizes[0])]
        self._init_fans += [
            (layer.fan_in, layer.fan_out) for layer in layers[1 : self.n_trunk_layers]
        ]
        self._init_fans += [(n_features, self.n_visible)]
        self._init_fans += [
            (layer.fan_in, layer.fan_out) for layer in layers[self.n_trunk_layers + 1 :]
        ]
        self._set_layout(
            [layer.weight_shape for layer in layers],
            [layer.bias_shape for layer in layers],
        )

    # computed at first use, in the layout of the finished network (a
    # subclass may lay the parameters out anew after this __init__)
    @cached_property
    def shared_indices(self):
        return self._param_indices(
            lambda coefs, intercepts: sum(self._shared_experts(coefs, intercepts), [])
        )

    @cached_property
    def last_shared_indices(self):
        return self._param_indices(
            lambda coefs, intercepts: self._shared_experts(coefs, intercepts)[0][-1:]
        )

    @property
    def _gate_layer(self):
        return self.n_trunk_layers

    @cached_property
    def unpenalised_weights(self):
        """The gates' weights, which the L2 penalty leaves out (a slice of
        ``params``, in the layout of the finished network): see the module's
        docstring."""
        g = self._gate_layer
        return slice(int(self._offsets[g]), int(self._offsets[g + 1]))

    # -- parameters -----------------------------------------------------
    def _shared_experts(self, coefs, intercepts):
        """The shared experts' weights and biases among the layers' ``coefs``
        and ``intercepts``: two lists, one array per expert layer."""
        E = self.n_experts
        first = self.expert_sizes[0]
        weights = [coefs[0][:, : E * first]]
        biases = [intercepts[0][: E * first]]
        for i, width in enumerate(self.expert_sizes[1:], start=1):
            weights.append(coefs[i][:E])
            biases.append(intercepts[i][: E * width])
        return weights, biases

    def initialize(self, rng):
        """Glorot-uniform experts and towers (the fans of one expert or
        tower); gates at zero, so that every task starts by averaging its
        experts (each expert then learns from every task)."""
        layers = zip(self._init_fans, self.coefs, self.intercepts)
        for i, ((fan_in, fan_out), W, b) in enumerate(layers):
            if i == self._gate_layer:
                W[...] = 0
                b[...] = 0
                continue
            bound = self._glorot_bound(fan_in, fan_out)
            W[...] = rng.uniform(-bound, bound, W.shape)
            b[...] = rng.uniform(-bound, bound, b.shape)

    # -- forward / backward ---------------------------------------------
    def _new_buffers(self, n_rows, dtype, training):
        """Every array a pass needs, for ``n_rows`` rows."""
        T, V, w = self.n_tasks, self.n_visible, self.expert_sizes[-1]
        b = {
            "out": [np.empty((n_rows, layer.n_out), dtype) for layer in self.layers],
            "mixed": np.empty((n_rows, T * w), dtype),
            "own": np.empty((n_rows, T, 1, w), dtype),
        }
        if training:
            b["delta"] = [np.empty_like(a) for a in b["out"]]
            b["grad_mixed"] = np.empty_like(b["mixed"])
            b["grad_gates"] = np.empty((n_rows, T, V), dtype)
            b["gate_dot"] = np.empty((n_rows, T, 1), dtype)
            b["shared_gates_t"] = np.empty((n_rows, self.n_experts, T), dtype)
            # the experts' hidden layers but the last, then the mixtures
            b["masks"] = [
                np.empty((n_rows, self.layers[i].n_out), dtype)
                for i in range(self.n_trunk_layers - 1)
            ]
            b["mixed_mask"] = np.empty_like(b["mixed"])
        return b

    def _allocate_buffers(self, n_rows):
        self._buffers = self._new_buffers(n_rows, self.dtype, training=True)

    @staticmethod
    def _rows(buffers, n):
        """The first ``n`` rows of every buffer (views)."""
        return {
            key: [a[:n] for a in value] if isinstance(value, list) else value[:n]
            for key, value in buffers.items()
        }

    def _split_experts(self, H):
        """(n, n_experts_total * w) -> shared (n, E, w), own (n, T, K, w)."""
        n, E, K, T = H.shape[0], self.n_experts, self.n_task_experts, self.n_tasks
        w = self.expert_sizes[-1]
        H = H.reshape(n, self.n_experts_total, w)
        own = H[:, E:].reshape(n, T, K, w)
        assert own.size == 0 or np.shares_memory(own, H)
        return H[:, :E], own

    def forward(self, X, *, dropout=0.0, rng=None):
        """Output logits of shape (n_samples, n_tasks * n_outputs), training.

        Activations are kept in buffers for ``backward``; the returned array
        is a view into a buffer that the next call overwrites. With
        ``dropout > 0``, each unit of the experts' hidden layers but the last
        and of each task's mixture is zeroed with that probability and the
        survivors rescaled (inverted dropout), using ``rng`` (see the module's
        docstring for why not the experts' last layer).
        """
        n = X.shape[0]
        self._ensure_buffers(n)
        self._dropout = dropout
        buffers = self._rows(self._buffers, n)
        return self._run(X, buffers, self.coefs, self.intercepts, dropout, rng)

    def _run(self, X, buffers, coefs, intercepts, dropout=0.0, rng=None):
        activate = ACTIVATIONS[self.activation]
        outs = buffers["out"]
        x = X
        for i in range(self.n_trunk_layers):
            out = outs[i]
            self.layers[i].forward(x, coefs[i], intercepts[i], out)
            activate(out)
            if dropout > 0 and i < self.n_trunk_layers - 1:
                self._apply_dropout(out, buffers["masks"][i], dropout, rng)
            x = out
        gates = self._gates(X, outs[self._gate_layer], coefs, intercepts)
        x = self._mix(x, gates, buffers["mixed"], buffers["own"])
        if dropout > 0:
            self._apply_dropout(x, buffers["mixed_mask"], dropout, rng)
        last = len(self.layers) - 1
        for i in range(self._gate_layer + 1, len(self.layers)):
            out = outs[i]
            self.layers[i].forward(x, coefs[i], intercepts[i], out)
            if i < last:
                activate(out)
            x = out
        return x

    def _gates(self, X, out, coefs, intercepts):
        """Softmax gates into ``out``; returns them as (n, n_tasks, n_visible)."""
        g = self._gate_layer
        self.layers[g].forward(X, coefs[g], intercepts[g], out)
        gates = out.reshape(out.shape[0], self.n_tasks, self.n_visible)
        if self.gate_temperature != 1.0:
            gates *= 1.0 / self.gate_temperature
        gates -= gates.max(axis=2, keepdims=True)
        np.exp(gates, out=gates)
        gates /= gates.sum(axis=2, keepdims=True)
        return gates

    def _mix(self, H, gates, mixed, own_buffer):
        """``u_t = sum_e g_te h_e`` for every task, into ``mixed``."""
        n, E, T = H.shape[0], self.n_experts, self.n_tasks
        shared, own = self._split_experts(H)
        U = mixed.reshape(n, T, -1)
        # (n, T, E) @ (n, E, w): one small product per row, batched
        np.matmul(gates[:, :, :E], shared, out=U)
        if self.n_task_experts:
            # task t's own experts: (n, T, 1, K) @ (n, T, K, w)
            np.matmul(gates[:, :, None, E:], own, out=own_buffer)
            U += own_buffer[:, :, 0]
        return mixed

    def backward(self, X, grad_logits):
        """Gradients of the loss w.r.t. all parameters, into ``self.grads``.

        Must follow the ``forward`` call on the same ``X``.
        """
        n = X.shape[0]
        b = self._rows(self._buffers, n)
        outs, deltas = b["out"], b["delta"]
        derivative = DERIVATIVES[self.activation]
        coefs = self.coefs  # once: a subclass may compose them
        g = self._gate_layer
        # towers, down to the gradient of the mixed representations
        delta = grad_logits
        for i in range(len(self.layers) - 1, g, -1):
            below = i - 1 > g
            x = outs[i - 1] if below else b["mixed"]
            grad_x = deltas[i - 1] if below else b["grad_mixed"]
            self.layers[i].backward(
                x,
                delta,
                coefs[i],
                self._grad_coefs[i],
                self._grad_intercepts[i],
                grad_x,
            )
            if below:
                derivative(x, grad_x)
            delta = grad_x
        if self._dropout > 0:
            b["grad_mixed"] *= b["mixed_mask"]
        # the mixture: gradients of the gates and of the experts' outputs
        H = outs[g - 1]
        gates = outs[g].reshape(n, self.n_tasks, self.n_visible)
        self._mix_backward(H, gates, b["grad_mixed"], deltas[g - 1], b)
        # the gates' softmax and their dense layer
        grad_z = deltas[g].reshape(gates.shape)
        grad_gates, dot = b["grad_gates"], b["gate_dot"]
        np.multiply(gates, grad_gates, out=grad_z)
        np.sum(grad_z, axis=2, keepdims=True, out=dot)
        np.multiply(gates, dot, out=grad_gates)
        grad_z -= grad_gates
        if self.gate_temperature != 1.0:
            grad_z *= 1.0 / self.gate_temperature
        self.layers[g].backward(
            X,
            deltas[g],
            coefs[g],
            self._grad_coefs[g],
            self._grad_intercepts[g],
            None,
        )
        # the experts
        for i in range(g - 1, -1, -1):
            grad_out = deltas[i]
            activation = outs[i]
            if self._dropout > 0 and i < g - 1:
                activation = self._dropout_backward(activation, grad_out, b["masks"][i])
            derivative(activation, grad_out)
            x = X if i == 0 else outs[i - 1]
            grad_x = None if i == 0 else deltas[i - 1]
            self.layers[i].backward(
                x,
                grad_out,
                coefs[i],
                self._grad_coefs[i],
                self._grad_intercepts[i],
                grad_x,
            )

    def _mix_backward(self, H, gates, grad_mixed, grad_H, b):
        """d(loss)/d(gates) into ``b["grad_gates"]``, d(loss)/dH into grad_H."""
        n, E, T = H.shape[0], self.n_experts, self.n_tasks
        shared, own = self._split_experts(H)
        grad_shared, grad_own = self._split_experts(grad_H)
        dU = grad_mixed.reshape(n, T, -1)
        grad_gates = b["grad_gates"]
        # dL/dg_te = <dU_t, h_e>
        np.matmul(dU, shared.transpose(0, 2, 1), out=grad_gates[:, :, :E])
        # dL/dh_e = sum_t g_te dU_t; the gates transposed into a contiguous
        # buffer first (a strided operand makes the product five times slower)
        gates_t = b["shared_gates_t"]
        gates_t[...] = gates[:, :, :E].transpose(0, 2, 1)
        np.matmul(gates_t, dU, out=grad_shared)
        if self.n_task_experts:
            np.matmul(
                dU[:, :, None],
                own.transpose(0, 1, 3, 2),
                out=grad_gates[:, :, None, E:],
            )
            np.multiply(gates[:, :, E:, None], dU[:, :, None], out=grad_own)

    # -- prediction --------------------------------------------------------
    def predict_logits(self, X, chunk_size=4096):
        """Output logits, computed in chunks of rows to bound memory."""
        out = np.empty((X.shape[0], self.layers[-1].n_out))
        for start, chunk, coefs, intercepts in self._chunks(X, chunk_size):
            buffers = self._new_buffers(chunk.shape[0], np.float64, training=False)
            logits = self._run(chunk, buffers, coefs, intercepts)
            out[start : start + chunk.shape[0]] = logits
        return out

    def transform(self, X, chunk_size=4096):
        """The experts' outputs, side by side: (n_samples, n_experts_total * w)."""
        n_layers = self.n_trunk_layers
        out = np.empty((X.shape[0], self.layers[n_layers - 1].n_out))
        activate = ACTIVATIONS[self.activation]
        for start, chunk, coefs, intercepts in self._chunks(X, chunk_size):
            x = chunk
            for i in range(n_layers):
                h = np.empty((chunk.shape[0], self.layers[i].n_out))
                self.layers[i].forward(x, coefs[i], intercepts[i], h)
                x = activate(h)
            out[start : start + chunk.shape[0]] = x
        return out

    def gates(self, X, chunk_size=4096):
        """Per task, its gate weights over the experts it sees.

        Returns a list of ``n_tasks`` float64 arrays of shape
        (n_samples, n_experts + n_task_experts): the shared experts' weights,
        then the task's own experts'. Each row sums to one.
        """
        out = np.empty((X.shape[0], self.n_tasks, self.n_visible))
        g = self._gate_layer
        for start, chunk, coefs, intercepts in self._chunks(X, chunk_size):
            logits = np.empty((chunk.shape[0], self.layers[g].n_out))
            out[start : start + chunk.shape[0]] = self._gates(
                chunk, logits, coefs, intercepts
            )
        return [out[:, t] for t in range(self.n_tasks)]

    def expert_columns(self, t):
        """Indices, among all experts, of the experts task ``t``'s gate sees
        (in the order of its gate weights)."""
        E, K = self.n_experts, self.n_task_experts
        return np.concatenate([np.arange(E), E + t * K + np.arange(K)])


class GraphPenaltyMixtureNetwork(GraphPenaltyMixin, MixtureOfExpertsNetwork):
    """A mixture of experts whose towers' output layers are pulled together
    along a task graph: :class:`~._graph_head.GraphPenaltyMixin` (the
    penalty ``graph_alpha * trace(V^T L V)`` on the rows ``V_t`` of the
    output tower layer, task ``t``'s ``(n_in, n_outputs)`` block) on
    :class:`MixtureOfExpertsNetwork`.

    Parameters
    ----------
    *args, **kwargs
        Those of :class:`MixtureOfExpertsNetwork`.
    graph : ndarray of shape (n_tasks, n_tasks)
        Symmetric, non-negative, zero diagonal.
    graph_alpha : float
        Strength of the penalty.
    """


class GraphConvolutionMixtureNetwork(GraphConvolutionMixin, MixtureOfExpertsNetwork):
    """A mixture of experts whose towers' output layer is produced over a
    task graph: :class:`~._graph_head.GraphConvolutionMixin` (task ``t``'s
    output weights, its ``(n_in, n_outputs)`` block, are row ``t`` of ``P
    U``: its free head plus ``graph_alpha`` times its neighbours' weighted
    mean head) on :class:`MixtureOfExpertsNetwork`.

    Parameters
    ----------
    *args, **kwargs
        Those of :class:`MixtureOfExpertsNetwork`.
    graph, graph_alpha, learn_graph
        Those of :class:`~._graph_head.GraphConvolutionMixin`.
    """
