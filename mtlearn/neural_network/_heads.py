"""Task heads: the output non-linearity and masked loss of a group of tasks.

A head serves every task of one kind (all binary tasks, all squared-loss
tasks, or one multiclass task) so that its loss is computed in one vectorised
pass. The protocol:

``loss_gradient(logits, targets, weights, task_weights, grad)``
    ``logits`` is the block of the network output for the head's tasks, of
    shape (n_samples, n_tasks_head * n_outputs); ``targets`` the encoded
    targets of those tasks (n_samples, n_tasks_head); ``weights`` the cell
    weights, zero where a label is missing and summing to one over each
    task's observed cells; ``task_weights`` the fixed loss weight of each
    task. Writes d(loss)/d(logits) into ``grad`` (same shape as ``logits``)
    and returns the weighted mean loss of each task, of shape (n_tasks_head,).

Predictions apply the same links (sigmoid, softmax, identity) outside the
heads: see ``mtlearn._mixins.LogitClassifierMixin``.

Per task, the loss is ``L_t = sum_i w_it * l(y_it, z_it)`` and the gradient
written is ``task_weights[t] * w_it * dl/dz_it``.
"""

import numpy as np
from scipy.special import log_softmax


class BinaryLogisticHead:
    """Sigmoid output and log-loss, one logit per binary task."""

    n_outputs = 1

    def loss_gradient(self, logits, targets, weights, task_weights, grad):
        # With e = exp(-|z|), which never overflows: the loss
        # log(1 + exp(z)) - y z is max(z, 0) + log1p(e) - y z, and the
        # sigmoid is r = 1 / (1 + e) for z >= 0 and 1 - r below, that is
        # 0.5 + copysign(r - 0.5, z): small vectorised passes, none of them
        # masked, about 4x faster than np.logaddexp and scipy's expit on
        # mini-batch shapes in float32 (the per-task sums in the training
        # dtype: a mini-batch's worth of terms).
        e = np.abs(logits)
        np.negative(e, out=e)
        np.exp(e, out=e)
        np.add(e, 1, out=grad)
        np.reciprocal(grad, out=grad)
        grad -= 0.5
        np.copysign(grad, logits, out=grad)
        grad += 0.5
        np.log1p(e, out=e)
        e += np.clip(logits, 0, np.inf)
        e -= targets * logits
        losses = np.einsum("ij,ij->j", weights, e)
        grad -= targets
        grad *= weights
        grad *= _in_dtype(task_weights, grad.dtype)
        return losses


class SoftmaxHead:
    """Softmax output and cross-entropy for one multiclass task."""

    def __init__(self, n_classes):
        self.n_outputs = n_classes

    def loss_gradient(self, logits, targets, weights, task_weights, grad):
        log_proba = log_softmax(logits, axis=1)
        rows = np.arange(logits.shape[0])
        codes = targets[:, 0].astype(np.intp)
        w = weights[:, 0]
        loss = -np.dot(w.astype(np.float64), log_proba[rows, codes])
        np.exp(log_proba, out=grad)
        grad[rows, codes] -= 1
        grad *= (w * task_weights[0])[:, None]
        return np.array([loss])


class SquaredHead:
    """Identity output and half squared error, one output per target."""

    n_outputs = 1

    def loss_gradient(self, logits, targets, weights, task_weights, grad):
        np.subtract(logits, targets, out=grad)
        losses = 0.5 * (weights * grad * grad).sum(axis=0, dtype=np.float64)
        grad *= weights
        grad *= _in_dtype(task_weights, grad.dtype)
        return losses


def _in_dtype(values, dtype):
    """``values`` as ``dtype``: a float64 array applied in place to a float32
    one takes a casting loop, several times slower on mini-batch shapes."""
    return values.astype(dtype, copy=False)
