"""Masked datafits: squared, binary logistic and multinomial losses.

Each is ``sum_t (1/n_t) sum_{i observed in t} s_i l_t(y_it, z_it)`` with
``Z = X @ W + b``; see :class:`mtlearn.linear_model._base.Datafit`. A
missing cell has weight 0; ``n_t`` is the sample weight of task ``t``'s
observed rows.
"""

import numpy as np
from scipy.special import expit, log_expit, logsumexp


def _cell_weights(mask, sample_weight):
    """``s_i m_it / n_t``: the weight of cell (i, t) in the objective."""
    weights = mask * sample_weight[:, None]
    totals = weights.sum(axis=0)
    return weights / np.where(totals > 0, totals, 1.0)


class _MaskedDatafit:
    """What every masked datafit shares: X, cell weights, the linear maps.

    Parameters
    ----------
    X : {ndarray, sparse matrix} of shape (n_samples, n_features)
    y : ndarray of shape (n_samples, n_tasks)
        Targets (regression) or class codes (classification); ignored where
        ``mask`` is False.
    mask : ndarray of shape (n_samples, n_tasks), dtype=bool
    sample_weight : ndarray of shape (n_samples,), default=None
    fit_intercept : bool, default=True
    """

    curvature = 1.0

    def __init__(self, X, y, mask, sample_weight=None, fit_intercept=True):
        self.X = X
        self.y = np.asarray(y)
        self.mask = np.asarray(mask, dtype=bool)
        if sample_weight is None:
            sample_weight = np.ones(X.shape[0])
        self.sample_weight = np.asarray(sample_weight, dtype=np.float64)
        self.fit_intercept = fit_intercept
        self.cell_weights = _cell_weights(self.mask, self.sample_weight)
        self._setup()
        # Each task's features centred by their weighted mean over the task's
        # observed rows, implicitly (sparse X stays sparse): an exact
        # reparametrisation of the unpenalised intercepts that decouples them
        # from the slopes, so the solver sees a much better conditioned problem.
        if fit_intercept:
            task_means = np.asarray(X.T @ self.cell_weights)
        else:
            task_means = np.zeros((X.shape[1], self.cell_weights.shape[1]))
        self.task_means = task_means
        self.offsets = task_means[:, self._output_task]

    def _setup(self):
        self.task_columns = [slice(t, t + 1) for t in range(self.y.shape[1])]
        self.n_outputs = self.y.shape[1]
        self._output_task = np.arange(self.n_outputs)

    def restrict(self, features):
        """This datafit on the columns ``features`` of X only."""
        new = object.__new__(type(self))
        new.__dict__.update(self.__dict__)
        new.X = self.X[:, features]
        new.task_means = self.task_means[features]
        new.offsets = self.offsets[features]
        return new

    def raw_intercept(self, W, b):
        """Intercepts of ``X @ W + b_raw`` (uncentred X) equal to ``(W, b)``."""
        return b - np.sum(self.offsets * W, axis=0)

    def centred_intercept(self, W, b_raw):
        """Inverse of :meth:`raw_intercept` (for warm starts)."""
        return b_raw + np.sum(self.offsets * W, axis=0)

    def linear(self, W, b):
        """``Z`` with ``z_it = (x_i - m_t)^T w_t + b_t``, ``m_t`` task t's mean."""
        return np.asarray(self.X @ W) + self.raw_intercept(W, b)

    def backward(self, dZ):
        column_sums = dZ.sum(axis=0)
        grad_W = np.asarray(self.X.T @ dZ) - self.offsets * column_sums
        grad_b = column_sums if self.fit_intercept else np.zeros(dZ.shape[1])
        return grad_W, grad_b

    def value(self, W, b):
        return self.loss(self.linear(W, b))

    def gradient(self, W, b):
        return self.backward(self.loss_gradient(self.linear(W, b)))

    def lipschitz(self):
        # The Hessian is block diagonal by task: the constant is the largest
        # over tasks of curvature * lambda_max([X, 1]^T diag(c_t) [X, 1]),
        # found by power iteration on all tasks at once (one X @ V and one
        # X.T @ Z per step, like a gradient).
        weights = self.cell_weights * self.curvature
        X, n_features = self.X, self.X.shape[1]
        fit_b = self.fit_intercept
        V = np.random.default_rng(0).normal(size=(n_features + fit_b, weights.shape[1]))
        eig = np.zeros(weights.shape[1])
        for _ in range(30):
            V /= np.maximum(np.linalg.norm(V, axis=0), 1e-300)
            means = self.task_means
            Z = np.asarray(X @ V[:n_features]) - np.sum(means * V[:n_features], 0)
            if fit_b:
                Z = Z + V[n_features]
            Z *= weights
            sums = Z.sum(axis=0)
            out = np.asarray(X.T @ Z) - means * sums
            if fit_b:
                out = np.vstack([out, sums])
            eig = np.linalg.norm(out, axis=0)
            V = out
        return float(eig.max())


class SquaredDatafit(_MaskedDatafit):
    """Masked squared loss ``l(y, z) = (y - z)^2 / 2`` (one column per task)."""

    curvature = 1.0

    def loss(self, Z):
        return 0.5 * float(np.sum(self.cell_weights * (self.y - Z) ** 2))

    def null_intercept(self):
        """The optimal intercepts when ``W = 0``: each task's weighted mean."""
        return np.sum(self.cell_weights * self.y, axis=0)

    def loss_gradient(self, Z):
        return self.cell_weights * (Z - self.y)


class LogisticDatafit(_MaskedDatafit):
    """Masked binary logistic loss; ``y`` holds 0/1 codes, one column per task.

    ``l(y, z) = log(1 + exp(-z))`` for ``y = 1`` and ``log(1 + exp(z))`` for
    ``y = 0``.
    """

    curvature = 0.25

    def _setup(self):
        super()._setup()
        self._sign = np.where(self.y > 0, 1.0, -1.0)

    def loss(self, Z):
        return -float(np.sum(self.cell_weights * log_expit(self._sign * Z)))

    def null_intercept(self):
        """The optimal intercepts when ``W = 0``: the log-odds of each task."""
        p = np.clip(np.sum(self.cell_weights * (self.y > 0), axis=0), 1e-12, 1 - 1e-12)
        return np.log(p / (1 - p))

    def loss_gradient(self, Z):
        return self.cell_weights * (expit(Z) - (self.y > 0))


class MultinomialDatafit(_MaskedDatafit):
    """Masked multinomial loss; task ``t`` owns a block of output columns.

    A task with ``K >= 3`` classes has ``K`` columns and the softmax loss
    ``l(y, z) = logsumexp(z) - z_y``; a binary task has one column and the
    logistic loss (the softmax of ``(0, z)``). ``y`` holds class codes.

    Parameters
    ----------
    n_classes : sequence of int
        Number of classes of each task.
    """

    curvature = 0.5

    def __init__(
        self, X, y, mask, sample_weight=None, fit_intercept=True, *, n_classes
    ):
        self.n_classes = [int(k) for k in n_classes]
        super().__init__(X, y, mask, sample_weight, fit_intercept)

    def _setup(self):
        widths = [1 if k == 2 else k for k in self.n_classes]
        stops = np.cumsum(widths)
        self.task_columns = [
            slice(int(stop - width), int(stop)) for stop, width in zip(stops, widths)
        ]
        self.n_outputs = int(stops[-1])
        self._output_task = np.repeat(np.arange(len(widths)), widths)
        rows = np.arange(self.y.shape[0])
        self._onehot = []
        for t, cols in enumerate(self.task_columns):
            width = cols.stop - cols.start
            if width == 1:
                self._onehot.append((self.y[:, t] > 0)[:, None].astype(np.float64))
            else:
                onehot = np.zeros((self.y.shape[0], width))
                onehot[rows, self.y[:, t]] = 1.0
                self._onehot.append(onehot)

    def loss(self, Z):
        total = 0.0
        for t, cols in enumerate(self.task_columns):
            z, onehot, c = Z[:, cols], self._onehot[t], self.cell_weights[:, t]
            if z.shape[1] == 1:
                sign = 2.0 * onehot[:, 0] - 1.0
                total -= float(c @ log_expit(sign * z[:, 0]))
            else:
                total += float(c @ (logsumexp(z, axis=1) - (z * onehot).sum(axis=1)))
        return total

    def null_intercept(self):
        """The optimal intercepts when ``W = 0``: log class frequencies."""
        b = np.zeros(self.n_outputs)
        for t, cols in enumerate(self.task_columns):
            freq = self.cell_weights[:, t] @ self._onehot[t]
            freq = np.clip(freq, 1e-12, 1 - 1e-12)
            b[cols] = np.log(freq / (1 - freq)) if freq.size == 1 else np.log(freq)
        return b

    def loss_gradient(self, Z):
        dZ = np.empty_like(Z)
        for t, cols in enumerate(self.task_columns):
            z = Z[:, cols]
            if z.shape[1] == 1:
                p = expit(z)
            else:
                p = np.exp(z - logsumexp(z, axis=1, keepdims=True))
            dZ[:, cols] = self.cell_weights[:, t, None] * (p - self._onehot[t])
        return dZ
