"""Stochastic optimizers updating a flat parameter vector in place.

Protocol: ``update_params(params, grads)`` takes one step on the flat
``params`` (modified in place) given the gradient ``grads`` of the same shape;
all state lives in preallocated arrays of the same dtype.
"""

import math

import numpy as np


class Adam:
    """Adam (Kingma & Ba, 2015) with bias-corrected step size.

    The moments are kept rescaled, ``m / (1 - beta_1)`` and
    ``v / (1 - beta_2)`` (so ``m = beta_1 m + g``, ``v = beta_2 v + g**2``),
    and the constants folded into the step and epsilon: the same update in
    10 passes over the parameters instead of 12 (on mini-batches of a few
    hundred rows the update is about a tenth of an epoch).
    """

    def __init__(
        self,
        n_params,
        dtype,
        learning_rate=1e-3,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-8,
    ):
        self.learning_rate = float(learning_rate)
        self.beta_1, self.beta_2 = float(beta_1), float(beta_2)
        self.epsilon = float(epsilon)
        self.t = 0
        self.m = np.zeros(n_params, dtype=dtype)
        self.v = np.zeros(n_params, dtype=dtype)
        self._tmp = np.zeros(n_params, dtype=dtype)

    def update_params(self, params, grads):
        self.t += 1
        b1, b2 = self.beta_1, self.beta_2
        # Python floats throughout: a NumPy float64 scalar applied to a
        # float32 array in place takes a casting loop, about ten times slower
        # than the plain pass (60 000 float32 parameters: 29 us against 3 us)
        root = math.sqrt(1 - b2)
        self.m *= b1
        self.m += grads
        np.multiply(grads, grads, out=self._tmp)
        self.v *= b2
        self.v += self._tmp
        # lr * sqrt(1 - b2**t) / (1 - b1**t) * m_true / (sqrt(v_true) + eps)
        step = self.learning_rate * math.sqrt(1 - b2**self.t) / (1 - b1**self.t)
        step *= (1 - b1) / root
        np.sqrt(self.v, out=self._tmp)
        self._tmp += self.epsilon / root
        np.divide(self.m, self._tmp, out=self._tmp)
        self._tmp *= step
        params -= self._tmp


class SGD:
    """Stochastic gradient descent with (Nesterov) momentum."""

    def __init__(self, n_params, dtype, learning_rate=0.1, momentum=0.9, nesterov=True):
        self.learning_rate = float(learning_rate)
        self.momentum = float(momentum)
        self.nesterov = nesterov
        self.t = 0
        self.velocity = np.zeros(n_params, dtype=dtype)

    def update_params(self, params, grads):
        self.t += 1
        self.velocity *= self.momentum
        self.velocity -= self.learning_rate * grads
        if self.nesterov:
            params += self.momentum * self.velocity
            params -= self.learning_rate * grads
        else:
            params += self.velocity


OPTIMIZERS = {"adam": Adam, "sgd": SGD}
