"""Hard parameter sharing: a trunk shared by all tasks, one head per task.

The network is numerics only: it holds a layer stack and one flat parameter
vector (weights first, then biases) with views per layer, so that an
optimizer updates every parameter in one vectorised pass and the L2 penalty
is one slice. It is independent of losses: ``forward`` returns the output
logits, ``backward`` takes ``d(loss)/d(logits)``.

Layout of the output: ``n_tasks`` blocks of ``n_outputs`` columns, block
``t`` holding the logits of task ``t`` (a task with fewer outputs than
``n_outputs`` uses the first columns of its block).
"""

import math

import numpy as np
import scipy.sparse as sp

from ._activations import ACTIVATIONS, DERIVATIVES
from ._layers import Dense, GroupedDense

# Largest number of parameters of a network (8 GiB in float32): a larger
# request (layer sizes of 1e300) is a ValueError before any allocation.
MAX_PARAMETERS = 2**31


class _FlatParameterNetwork:
    """What every network shares: one flat parameter vector and its views.

    A subclass builds its ``layers``, then calls ``_set_layout`` with the
    shapes of its weight arrays and of its bias arrays (weights first, so
    that the L2 penalty is the slice ``params[:n_weights]``). ``_views``
    cuts a flat vector into those arrays; ``_bind`` keeps views of
    ``params`` and ``grads`` as attributes (listed in ``_bound_attributes``),
    rebuilt after unpickling. The training buffers (``_buffer_attributes``)
    are made by the subclass's ``_allocate_buffers`` for at least the rows
    asked, kept between passes, and not pickled.
    """

    _bound_attributes = ("coefs", "intercepts", "_grad_coefs", "_grad_intercepts")
    _buffer_attributes = ()

    def _set_layout(self, weight_shapes, bias_shapes):
        """Zero ``params`` and ``grads`` for arrays of these shapes, bound."""
        self._shapes = list(weight_shapes) + list(bias_shapes)
        self._n_weight_arrays = len(weight_shapes)
        sizes = [math.prod(int(n) for n in shape) for shape in self._shapes]
        if sum(sizes) > MAX_PARAMETERS:
            raise ValueError(
                f"The network would have a {len(str(sum(sizes)))}-digit number "
                f"of parameters, more than the {MAX_PARAMETERS} supported: lower "
                "its layer sizes (hidden_layer_sizes, head_layer_sizes, "
                "expert_layer_sizes, n_experts)."
            )
        self._offsets = np.concatenate([[0], np.cumsum(sizes)]).astype(np.intp)
        self.n_weights = int(self._offsets[self._n_weight_arrays])
        self.n_params = int(self._offsets[-1])
        self.params = np.zeros(self.n_params, dtype=self.dtype)
        self.grads = np.zeros(self.n_params, dtype=self.dtype)
        self._bind()
        self._buffer_rows = 0
        self._dropout = 0.0

    # -- parameters -----------------------------------------------------
    # The weights the L2 penalty leaves out: a slice of ``params[:n_weights]``
    # (None: it covers them all).
    unpenalised_weights = None

    def _split_flat(self, flat):
        """Views of ``flat`` in the arrays of the layout, weights first."""
        return [
            flat[self._offsets[i] : self._offsets[i + 1]].reshape(shape)
            for i, shape in enumerate(self._shapes)
        ]

    def _views(self, flat):
        """The layers' weights and biases, views of ``flat``."""
        views = self._split_flat(flat)
        m = self._n_weight_arrays
        return views[:m], views[m:]

    def _bind(self):
        self.coefs, self.intercepts = self._views(self.params)
        self._grad_coefs, self._grad_intercepts = self._views(self.grads)

    def _param_indices(self, select):
        """Sorted indices into ``params`` of the arrays that ``select(coefs,
        intercepts)`` returns, given the views of an array of indices (so
        that a subclass's own layout is followed)."""
        coefs, intercepts = self._views(np.arange(self.n_params, dtype=np.intp))
        parts = [np.ravel(array) for array in select(coefs, intercepts)]
        return np.sort(np.concatenate([np.zeros(0, dtype=np.intp)] + parts))

    def __getstate__(self):
        state = self.__dict__.copy()
        for key in self._bound_attributes + self._buffer_attributes:
            state.pop(key, None)
        state["_buffer_rows"] = 0
        return state

    def __setstate__(self, state):
        self.__dict__.update(state)
        self._bind()

    def _glorot_bound(self, fan_in, fan_out):
        """Half-width of the Glorot-uniform initialisation (as scikit-learn's
        MLP)."""
        factor = 2.0 if self.activation == "logistic" else 6.0
        return np.sqrt(factor / (fan_in + fan_out))

    # -- forward / backward ---------------------------------------------
    def _ensure_buffers(self, n_rows):
        if n_rows <= self._buffer_rows:
            return
        self._allocate_buffers(n_rows)
        self._buffer_rows = n_rows

    def _apply_dropout(self, out, mask, dropout, rng):
        """Inverted dropout of ``out`` in place; the rescaled keep-mask is
        drawn with ``rng`` into ``mask`` (for ``backward``).

        A unit is dropped when a uniform 16-bit integer is below
        ``round(dropout * 2**16)``: the raw 64-bit draws of the generator
        cut in four, about four times cheaper than one uniform float per
        unit (which cost as much as a layer's product). The dropout rate is
        thus ``dropout`` to within 2**-17.
        """
        bits = rng.bit_generator.random_raw(-(-mask.size // 4)).view(np.uint16)
        threshold = min(round(dropout * 65536), 65535)
        np.greater_equal(bits[: mask.size].reshape(mask.shape), threshold, out=mask)
        mask *= 1.0 / (1.0 - dropout)
        out *= mask

    def _dropout_backward(self, activation, grad, mask):
        """``grad`` times the mask in place; returns the activation the
        derivative needs (before rescaling, for tanh and logistic)."""
        grad *= mask
        if self.activation in ("tanh", "logistic"):
            return activation * self.dtype.type(1 - self._dropout)
        return activation

    # -- prediction -----------------------------------------------------
    def _chunks(self, X, chunk_size):
        """(start, float64 chunk, float64 coefs, intercepts) over rows of X.

        Prediction runs in float64 on fresh arrays: the result of a row does
        not depend on the other rows of the chunk (as float32 GEMM kernels'
        rounding may), and no buffer is shared between threads.
        """
        params = self.params.astype(np.float64)
        coefs, intercepts = self._views(params)
        for start in range(0, X.shape[0], chunk_size):
            chunk = X[start : start + chunk_size]
            if chunk.dtype != np.float64:
                chunk = chunk.astype(np.float64)
            yield start, chunk, coefs, intercepts


class SharedTrunkNetwork(_FlatParameterNetwork):
    """Trunk of dense layers, then per-task head layers.

    Parameters
    ----------
    n_features : int
        Width of the input.
    trunk_sizes : tuple of int
        Widths of the shared hidden layers (may be empty).
    head_sizes : tuple of int
        Widths of each task's own hidden layers (may be empty).
    n_tasks : int
        Number of tasks.
    n_outputs : int
        Width of each task's output block.
    activation : str
        Hidden activation, a key of ``ACTIVATIONS``.
    dtype : numpy dtype
        Compute dtype of parameters and buffers.

    Attributes
    ----------
    shared_indices : ndarray of int
        Indices into ``params`` of the parameters every task depends on: the
        trunk's weights and biases (empty without a hidden layer). What the
        task-weighting strategies that work on gradients read.
    last_shared_indices : ndarray of int
        Indices into ``params`` of the last trunk layer's weights (empty
        without a hidden layer).
    """

    _buffer_attributes = ("_activations", "_deltas", "_dropout_masks")

    def __init__(
        self, n_features, trunk_sizes, head_sizes, n_tasks, n_outputs, activation, dtype
    ):
        self.n_features = n_features
        self.trunk_sizes = tuple(trunk_sizes)
        self.head_sizes = tuple(head_sizes)
        self.n_tasks = n_tasks
        self.n_outputs = n_outputs
        self.activation = activation
        self.dtype = np.dtype(dtype)
        widths = (n_features,) + self.trunk_sizes
        layers = [Dense(a, b) for a, b in zip(widths[:-1], widths[1:])]
        head_widths = self.head_sizes + (n_outputs,)
        layers.append(Dense(widths[-1], n_tasks * head_widths[0]))
        layers += [
            GroupedDense(n_tasks, a, b)
            for a, b in zip(head_widths[:-1], head_widths[1:])
        ]
        self.layers = layers
        self.n_trunk_layers = len(self.trunk_sizes)
        self._set_layout(
            [layer.weight_shape for layer in layers],
            [layer.bias_shape for layer in layers],
        )

    # -- parameters -----------------------------------------------------
    @property
    def shared_indices(self):
        """Indices into ``params`` of the trunk's weights and biases."""
        k = self.n_trunk_layers
        return self._param_indices(lambda coefs, intercepts: coefs[:k] + intercepts[:k])

    @property
    def last_shared_indices(self):
        """Indices into ``params`` of the last trunk layer's weights."""
        k = self.n_trunk_layers
        return self._param_indices(
            lambda coefs, intercepts: coefs[k - 1 : k] if k else []
        )

    def initialize(self, rng):
        """Glorot-uniform weights and biases (as scikit-learn's MLP)."""
        for layer, W, b in zip(self.layers, self.coefs, self.intercepts):
            bound = self._glorot_bound(layer.fan_in, layer.fan_out)
            W[...] = rng.uniform(-bound, bound, W.shape)
            b[...] = rng.uniform(-bound, bound, b.shape)

    # -- forward / backward ---------------------------------------------
    def _allocate_buffers(self, n_rows):
        widths = [layer.n_out for layer in self.layers]
        self._activations = [np.empty((n_rows, w), dtype=self.dtype) for w in widths]
        self._deltas = [np.empty((n_rows, w), dtype=self.dtype) for w in widths]
        self._dropout_masks = [
            np.empty((n_rows, w), dtype=self.dtype) for w in self.trunk_sizes
        ]

    def forward(self, X, *, dropout=0.0, rng=None):
        """Output logits of shape (n_samples, n_tasks * n_outputs), training.

        Activations are kept in buffers for ``backward``; the returned array
        is a view into a buffer that the next call overwrites. With
        ``dropout > 0``, each trunk unit is zeroed with that probability and
        the survivors rescaled (inverted dropout), using ``rng``.
        """
        n = X.shape[0]
        self._ensure_buffers(n)
        self._dropout = dropout
        outs = [a[:n] for a in self._activations]
        masks = [m[:n] for m in self._dropout_masks] if dropout > 0 else None
        return self._run_layers(
            X, outs, self.coefs, self.intercepts, dropout, masks, rng
        )

    def _run_layers(
        self, X, outs, coefs, intercepts, dropout=0.0, masks=None, rng=None
    ):
        activate = ACTIVATIONS[self.activation]
        x = X
        last = len(self.layers) - 1
        for i, out in enumerate(outs):
            self.layers[i].forward(x, coefs[i], intercepts[i], out)
            if i < last:
                activate(out)
            if masks is not None and i < self.n_trunk_layers:
                self._apply_dropout(out, masks[i], dropout, rng)
            x = out
        return x

    def backward(self, X, grad_logits):
        """Gradients of the loss w.r.t. all parameters, into ``self.grads``.

        Must follow the ``forward`` call on the same ``X``.
        """
        n = X.shape[0]
        derivative = DERIVATIVES[self.activation]
        delta = grad_logits
        for i in range(len(self.layers) - 1, -1, -1):
            x = X if i == 0 else self._activations[i - 1][:n]
            grad_x = None if i == 0 else self._deltas[i - 1][:n]
            self.layers[i].backward(
                x,
                delta,
                self.coefs[i],
                self._grad_coefs[i],
                self._grad_intercepts[i],
                grad_x,
            )
            if grad_x is not None:
                activation = x
                if self._dropout > 0 and i - 1 < self.n_trunk_layers:
                    mask = self._dropout_masks[i - 1][:n]
                    activation = self._dropout_backward(x, grad_x, mask)
                derivative(activation, grad_x)
            delta = grad_x

    def transform(self, X, chunk_size=4096):
        """Output of the last trunk layer (the shared representation)."""
        return self._predict(X, self.n_trunk_layers, chunk_size)

    def predict_logits(self, X, chunk_size=4096):
        """Output logits, computed in chunks of rows to bound memory."""
        return self._predict(X, len(self.layers), chunk_size)

    def _predict(self, X, n_layers, chunk_size):
        if n_layers == 0:
            return X.toarray() if sp.issparse(X) else np.array(X, dtype=np.float64)
        out = np.empty((X.shape[0], self.layers[n_layers - 1].n_out))
        for start, chunk, coefs, intercepts in self._chunks(X, chunk_size):
            m = chunk.shape[0]
            outs = [np.empty((m, layer.n_out)) for layer in self.layers[: n_layers - 1]]
            outs.append(out[start : start + m])
            self._run_layers(chunk, outs, coefs, intercepts)
        return out
