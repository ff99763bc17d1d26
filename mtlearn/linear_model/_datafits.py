"""Masked datafits: squared, binary logistic and multinomial losses.

Each is ``sum_t (1/n_t) sum_{i observed in t} s_i l_t(y_it, z_it)`` with
``Z = X @ W + b``; see :class:`mtlearn.linear_model._base.Datafit`. A
missing cell has weight 0; ``n_t`` is the sample weight of task ``t``'s
observed rows.
"""

import numpy as np
from scipy import sparse
from scipy.special import expit, log_expit, logsumexp

from ._base import power_iteration


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

    def _setup(self):
        self.task_columns = [slice(t, t + 1) for t in range(self.y.shape[1])]
        self.n_outputs = self.y.shape[1]

    def restrict(self, features):
        """This datafit on the columns ``features`` of X only."""
        new = object.__new__(type(self))
        new.__dict__.update(self.__dict__)
        new.X = self.X[:, features]
        return new

    def linear(self, W, b):
        Z = self.X @ W
        if sparse.issparse(Z):  # pragma: no cover - X @ dense is dense
            Z = Z.toarray()
        return Z + b

    def backward(self, dZ):
        grad_W = np.asarray(self.X.T @ dZ)
        grad_b = dZ.sum(axis=0) if self.fit_intercept else np.zeros(dZ.shape[1])
        return grad_W, grad_b

    def value(self, W, b):
        return self.loss(self.linear(W, b))

    def gradient(self, W, b):
        return self.backward(self.loss_gradient(self.linear(W, b)))

    def lipschitz(self):
        row_weight = self.cell_weights.max(axis=1) * self.curvature
        X = self.X
        n_features = X.shape[1]

        def matvec(v):
            z = X @ v[:n_features]
            if self.fit_intercept:
                z = z + v[n_features]
            z = row_weight * z
            out = X.T @ z
            if self.fit_intercept:
                out = np.append(out, z.sum())
            return out

        return power_iteration(matvec, n_features + int(self.fit_intercept))


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
