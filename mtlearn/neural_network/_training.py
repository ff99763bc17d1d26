"""The one training loop, for every architecture and head.

It asks the network for ``forward``/``backward`` and flat ``params`` /
``grads``, the heads for their losses, the task-weighting strategy for the
weights of the tasks' losses (or the combined gradient: see
``_task_weighting.py``) and the optimizer for ``update_params``; it knows
nothing about the estimator.
"""

import time
from contextlib import nullcontext
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

from ._layers import column_sums
from ._task_weighting import EqualWeighting


@dataclass
class HeadGroup:
    """A head and the tasks it serves.

    ``tasks`` indexes columns of the targets and weights, ``columns`` the
    columns of the network output that hold those tasks' logits (a slice
    when they are contiguous, to avoid copies).
    """

    head: object
    tasks: object
    columns: object


@dataclass
class TrainingHistory:
    """What the loop records, kept across ``warm_start`` and ``partial_fit``."""

    loss_curve: list = field(default_factory=list)
    task_loss_curves: list = field(default_factory=list)
    task_weight_curves: list = field(default_factory=list)
    validation_scores: list = field(default_factory=list)
    best_loss: float = np.inf
    best_validation_score: float = -np.inf
    best_params: np.ndarray | None = None
    average: "RunningMean | None" = None
    last_iterate: np.ndarray | None = None

    def restart(self):
        """Forget the stopping state and averages (a new optimizer run);
        the curves are kept."""
        self.best_loss = np.inf
        self.best_validation_score = -np.inf
        self.best_params = None
        self.no_improvement_count = 0
        self.average = None
        self.last_iterate = None

    no_improvement_count: int = 0


class TrainingDiverged(ValueError):
    """The loss or the parameters became non-finite."""


class RunningMean:
    """Polyak-Ruppert averaging: the mean of every iterate since the start.

    ``update(params)`` after each optimizer step; ``mean`` is the average of
    all the parameter vectors passed so far (Polyak & Juditsky, 1992).
    """

    def __init__(self, n_params, dtype):
        self.mean = np.zeros(n_params, dtype=dtype)
        self.count = 0
        self._step = np.empty(n_params, dtype=dtype)

    def update(self, params):
        self.count += 1
        np.subtract(params, self.mean, out=self._step)
        self._step /= self.count
        self.mean += self._step


# batch_size="auto": scikit-learn's MLP rule, min(200, n_rows)
AUTO_BATCH_SIZE = 200


def resolve_batch_size(batch_size, n_rows):
    """The mini-batch size to train ``n_rows`` rows with.

    ``"auto"`` is ``min(200, n_rows)`` whatever n: it does not grow with n.
    Measured (issue 12; 500 000 x 100 rows, 10 binary tasks from a random
    ReLU teacher, trunk (256, 128), one BLAS thread, a loaded machine): two
    epochs at batch 200 took 24.7 s for a held-out log-loss of 0.4386;
    batch 500 took 18.8 s for 0.4484 and needed a third epoch (32.8 s) to
    reach 0.4380; batch 1024, 20.9 s for 0.4604. A larger batch saves less
    time per epoch than it loses in progress per epoch, so quality per
    second does not improve, and the bundled data sets (1 500 to 2 500 rows)
    keep scikit-learn's default. An integer is taken as is; either way at
    most ``n_rows``.
    """
    if batch_size == "auto":
        batch_size = AUTO_BATCH_SIZE
    return max(1, min(int(batch_size), n_rows))


def _batch_weights(cell_weights):
    """Normalise cell weights to sum to one over each task's observed cells."""
    totals = cell_weights.sum(axis=0)
    scale = np.divide(1.0, totals, out=np.zeros_like(totals), where=totals > 0)
    return cell_weights * scale, totals


def take_rows(X, rows, dtype, block=4096):
    """``X[rows]`` as ``dtype``, without a full-size temporary of X's dtype
    (dense X is gathered and cast block by block)."""
    if sp.issparse(X):
        return X[rows].astype(dtype, copy=False)
    out = np.empty((len(rows), X.shape[1]), dtype=dtype)
    for start in range(0, len(rows), block):
        out[start : start + block] = X[rows[start : start + block]]
    return out


class _MiniBatches:
    """The mini-batches of one epoch, gathered into buffers reused for all.

    ``rows`` (None: every row) are the rows that train, in a random order
    when ``shuffle``. Each batch's rows of X, targets and cell weights are
    gathered (``np.take(..., out=)``) into buffers made once per epoch, or
    taken as views when the batch is a contiguous block; its cell weights are
    normalised in place (as ``_batch_weights``). A dense X of another dtype
    than ``dtype`` (float64 data, float32 training) is cast batch by batch
    into a buffer, so that the fit holds no converted copy of X (gathering
    and casting a batch cost 1-3% of its products). No array of the size of X is
    made, and nothing is allocated per batch (but for sparse X, gathered by
    scipy).
    """

    def __init__(self, X, targets, cell_weights, rows, batch_size, shuffle, rng, dtype):
        n_rows = targets.shape[0] if rows is None else len(rows)
        if shuffle:
            order = rng.permutation(n_rows)
            self.order = order if rows is None else rows[order]
        else:
            self.order = rows
        self.X, self.targets, self.cell_weights = X, targets, cell_weights
        self.n_rows, self.batch_size = n_rows, batch_size
        size = min(batch_size, n_rows)
        n_tasks = targets.shape[1]
        self._sparse = sp.issparse(X)
        self._cast = not self._sparse and X.dtype != dtype
        if self.order is not None and not self._sparse:
            self._gathered = np.empty((size, X.shape[1]), dtype=X.dtype)
        if self._cast:
            self._X = np.empty((size, X.shape[1]), dtype=dtype)
        self._y = np.empty((size, n_tasks), dtype=targets.dtype)
        self._w = np.empty((size, n_tasks), dtype=cell_weights.dtype)
        self.totals = np.empty(n_tasks, dtype=cell_weights.dtype)
        self._scale = np.empty(n_tasks, dtype=cell_weights.dtype)

    def __iter__(self):
        """(X_batch, targets, normalised weights, totals) of each batch;
        views into buffers that the next batch overwrites."""
        for start in range(0, self.n_rows, self.batch_size):
            stop = min(start + self.batch_size, self.n_rows)
            n = stop - start
            if self.order is None:
                X_batch = self.X[start:stop]
                if self._cast:
                    X_batch = _cast_into(self._X[:n], X_batch)
                y_batch = self.targets[start:stop]
                w_batch = self._w[:n]
                w_batch[...] = self.cell_weights[start:stop]
            else:
                index = self.order[start:stop]
                if self._sparse:
                    X_batch = self.X[index]
                else:
                    X_batch = np.take(
                        self.X, index, axis=0, out=self._gathered[:n], mode="clip"
                    )
                    if self._cast:
                        X_batch = _cast_into(self._X[:n], X_batch)
                y_batch = np.take(
                    self.targets, index, axis=0, out=self._y[:n], mode="clip"
                )
                w_batch = np.take(
                    self.cell_weights, index, axis=0, out=self._w[:n], mode="clip"
                )
            totals, scale = self.totals, self._scale
            column_sums(w_batch, totals)
            scale[...] = 0
            np.divide(1.0, totals, out=scale, where=totals > 0)
            w_batch *= scale
            yield X_batch, y_batch, w_batch, totals


def _cast_into(buffer, values):
    np.copyto(buffer, values, casting="same_kind")
    return buffer


def heads_loss_gradient(head_groups, logits, targets, weights, task_weights, grad):
    """Per-task losses of all heads; their logit gradients into ``grad``.

    ``weights`` are normalised cell weights (see ``_batch_weights``).
    Returns the per-task losses, of shape (n_tasks,).
    """
    losses = np.zeros(targets.shape[1])
    for group in head_groups:
        block_grad = grad[:, group.columns]
        losses[group.tasks] = group.head.loss_gradient(
            logits[:, group.columns],
            targets[:, group.tasks],
            weights[:, group.tasks],
            task_weights[group.tasks],
            block_grad,
        )
        if not isinstance(group.columns, slice):
            grad[:, group.columns] = block_grad
    return losses


def evaluate_loss(network, X, targets, cell_weights, head_groups, task_weights):
    """Per-task weighted mean losses of the network on (X, targets)."""
    logits = network.predict_logits(X)
    weights, _ = _batch_weights(cell_weights)
    grad = np.empty_like(logits)
    return heads_loss_gradient(
        head_groups, logits, targets, weights, task_weights, grad
    )


def l2_penalty(network, alpha):
    """``alpha / 2`` times the squared norm of the weights the penalty
    covers (``params[:n_weights]`` but ``network.unpenalised_weights``)."""
    weights = network.params[: network.n_weights]
    total = float(np.dot(weights, weights))
    free = network.unpenalised_weights
    if free is not None:
        total -= float(np.dot(weights[free], weights[free]))
    return 0.5 * alpha * total


def run_epoch(
    network,
    optimizer,
    X,
    targets,
    cell_weights,
    head_groups,
    weighting,
    *,
    alpha,
    batch_size,
    shuffle,
    dropout,
    rng,
    average=None,
    rows=None,
):
    """One pass over the data in mini-batches.

    ``rows`` (an index array; None for all) are the rows of X, ``targets``
    and ``cell_weights`` that train: the early-stopping split trains on a
    subset without copying X.

    ``weighting`` is a started task-weighting strategy (see
    ``_task_weighting.py``): it gives the weights of the tasks' losses at
    each mini-batch and, when it ``needs_task_gradients``, combines the
    per-task gradients. With ``average`` (a :class:`RunningMean`), the
    average of the iterates is updated after every step.

    Returns
    -------
    task_losses : ndarray of shape (n_tasks,)
        Per-task weighted mean loss over the epoch (NaN or inf if training
        diverged).
    task_weights : ndarray of shape (n_tasks,)
        Mean over the mini-batches of the weights the strategy gave.
    """
    n_samples, n_tasks = targets.shape
    batches = _MiniBatches(
        X, targets, cell_weights, rows, batch_size, shuffle, rng, network.dtype
    )
    loss_sums = np.zeros(n_tasks)
    weight_sums = np.zeros(n_tasks)
    used_weights = np.zeros(n_tasks)
    n_weights = network.n_weights
    decay = np.empty(n_weights, dtype=network.dtype)
    free = network.unpenalised_weights
    grad_logits = np.zeros(
        (min(batch_size, batches.n_rows), network.n_tasks * network.n_outputs),
        dtype=network.dtype,
    )
    per_task = (
        _TaskGradients(network, grad_logits) if weighting.needs_task_gradients else None
    )
    n_batches = 0
    for X_batch, y_batch, w_batch, totals in batches:
        n = y_batch.shape[0]
        task_weights = weighting.batch_weights(totals)
        used_weights += task_weights
        n_batches += 1
        logits = network.forward(X_batch, dropout=dropout, rng=rng)
        grad = grad_logits[:n]
        losses = heads_loss_gradient(
            head_groups, logits, y_batch, w_batch, task_weights, grad
        )
        loss_sums += losses * totals
        weight_sums += totals
        if per_task is None:
            network.backward(X_batch, grad)
        else:
            per_task.backward(X_batch, grad, totals, weighting)
        if alpha:
            np.multiply(network.params[:n_weights], alpha, out=decay)
            if free is not None:
                decay[free] = 0
            network.grads[:n_weights] += decay
        optimizer.update_params(network.params, network.grads)
        weighting.end_batch(losses, totals)
        if average is not None:
            average.update(network.params)
    task_losses = np.divide(
        loss_sums, weight_sums, out=np.zeros(n_tasks), where=weight_sums > 0
    )
    weighting.end_epoch(task_losses, weight_sums > 0)
    return task_losses, used_weights / max(n_batches, 1)


class _TaskGradients:
    """Per-task gradients of all the parameters, and their combination.

    ``network.backward`` is affine in the logit gradient (linear, plus what
    a network adds of its own, such as a penalty's gradient): the gradient
    of task ``t``'s weighted loss is the pass with every other task's logit
    columns zeroed, minus the pass with all of them zeroed. That makes one
    backward pass per present task, plus one; rows of absent tasks are
    zero. The strategy's combination, plus the network's own term, ends in
    ``network.grads``.
    """

    def __init__(self, network, grad_logits):
        self.network = network
        k = network.n_outputs
        self.columns = [slice(t * k, (t + 1) * k) for t in range(network.n_tasks)]
        self.task_grads = np.zeros(
            (network.n_tasks, network.n_params), dtype=network.dtype
        )
        self.offset = np.zeros(network.n_params, dtype=network.dtype)
        self.masked = np.zeros_like(grad_logits)

    def backward(self, X, grad, totals, weighting):
        network, task_grads = self.network, self.task_grads
        masked = self.masked[: grad.shape[0]]
        masked[...] = 0
        network.backward(X, masked)
        self.offset[...] = network.grads
        for t, columns in enumerate(self.columns):
            if totals[t] <= 0:
                task_grads[t] = 0
                continue
            masked[:, columns] = grad[:, columns]
            network.backward(X, masked)
            np.subtract(network.grads, self.offset, out=task_grads[t])
            masked[:, columns] = 0
        weighting.combine(task_grads, totals, network.grads)
        network.grads += self.offset


def train(
    network,
    optimizer,
    X,
    targets,
    cell_weights,
    head_groups,
    task_weights,
    history,
    *,
    alpha,
    batch_size,
    max_iter,
    tol,
    n_iter_no_change,
    shuffle,
    dropout,
    rng,
    validation_score=None,
    verbose=False,
    task_names=None,
    check_convergence=True,
    average=False,
    resume_last_iterate=False,
    epoch_context=nullcontext,
    weighting=None,
    rows=None,
):
    """Run epochs until convergence, early stopping or ``max_iter``.

    Stopping follows scikit-learn's MLP: without ``validation_score``, stop
    when the training loss has not improved by ``tol`` for
    ``n_iter_no_change`` epochs; with it (early stopping), stop when the
    validation score has not improved by ``tol`` for that many epochs and
    keep the parameters of the best epoch.

    With ``average``, the network ends with (and is validated on) the
    running mean of the iterates rather than the last one. The last iterate
    is kept in ``history`` so that ``resume_last_iterate`` (``partial_fit``)
    continues the optimizer's own path. Each epoch's mini-batch pass runs
    inside ``epoch_context()`` (the BLAS thread setting).

    ``weighting`` is the task-weighting strategy (see ``_task_weighting.py``;
    None is fixed ``task_weights``); it is started here and keeps its state
    across calls. ``rows`` (None: all) are the rows that train (see
    ``run_epoch``). The training loss of an epoch (``loss_curve``, the
    stopping criterion) is weighted by the fixed ``task_weights`` whatever
    the strategy, so that it measures the same objective at every epoch.

    Returns
    -------
    n_epochs : int
        Epochs run in this call.
    converged : bool
        Whether a stopping criterion was met before ``max_iter``.
    """
    if weighting is None:
        weighting = EqualWeighting()
    weighting.start(task_weights, network, rng)
    if average and history.average is None:
        history.average = RunningMean(network.n_params, network.dtype)
    if resume_last_iterate and history.last_iterate is not None:
        network.params[...] = history.last_iterate
    for epoch in range(max_iter):
        tic = time.perf_counter()
        with (
            epoch_context(),
            np.errstate(over="ignore", invalid="ignore", divide="ignore"),
        ):
            task_losses, used_weights = run_epoch(
                network,
                optimizer,
                X,
                targets,
                cell_weights,
                head_groups,
                weighting,
                alpha=alpha,
                batch_size=batch_size,
                shuffle=shuffle,
                dropout=dropout,
                rng=rng,
                average=history.average,
                rows=rows,
            )
            penalty = l2_penalty(network, alpha)
        loss = float(np.dot(task_weights, task_losses)) + penalty
        if not np.isfinite(loss) or not np.isfinite(network.params).all():
            raise TrainingDiverged(
                f"Training diverged at epoch {len(history.loss_curve) + 1}: the "
                "loss or the weights became non-finite. Scale the features "
                "(e.g. with StandardScaler), lower learning_rate_init, or "
                "train in dtype='float64' (float32 overflows beyond 3.4e38)."
            )
        history.loss_curve.append(loss)
        history.task_loss_curves.append(task_losses)
        history.task_weight_curves.append(used_weights)
        if validation_score is not None:
            with (
                np.errstate(over="ignore", invalid="ignore"),
                _averaged(network, history.average),
            ):
                history.validation_scores.append(validation_score())
        if verbose:
            _print_epoch(history, task_losses, task_names, time.perf_counter() - tic)
        if not check_convergence:
            continue
        if validation_score is not None:
            score = history.validation_scores[-1]
            if score < history.best_validation_score + tol:
                history.no_improvement_count += 1
            else:
                history.no_improvement_count = 0
            if score > history.best_validation_score:
                history.best_validation_score = score
                history.best_params = _current_params(network, history).copy()
        else:
            if loss > history.best_loss - tol:
                history.no_improvement_count += 1
            else:
                history.no_improvement_count = 0
        history.best_loss = min(history.best_loss, loss)
        if history.no_improvement_count > n_iter_no_change:
            _final_params(network, history, validation_score is not None)
            return epoch + 1, True
    _final_params(network, history, validation_score is not None)
    return max_iter, False


def _current_params(network, history):
    """The parameters the model stands for now: averaged or last iterate."""
    return network.params if history.average is None else history.average.mean


def _final_params(network, history, early_stopping):
    """Leave the network with the best (early stopping) or averaged weights."""
    history.last_iterate = network.params.copy()
    if early_stopping and history.best_params is not None:
        network.params[...] = history.best_params
    elif history.average is not None:
        network.params[...] = history.average.mean


class _averaged:
    """Context: the network holds the averaged parameters inside it."""

    def __init__(self, network, average):
        self.network, self.average = network, average

    def __enter__(self):
        if self.average is not None:
            self.saved = self.network.params.copy()
            self.network.params[...] = self.average.mean

    def __exit__(self, *exc):
        if self.average is not None:
            self.network.params[...] = self.saved


def _print_epoch(history, task_losses, task_names, seconds):
    names = (
        task_names
        if task_names is not None
        else [str(t) for t in range(len(task_losses))]
    )
    per_task = ", ".join(f"{n}: {v:.4f}" for n, v in zip(names, task_losses))
    line = (
        f"Iteration {len(history.loss_curve)}, loss = {history.loss_curve[-1]:.8f}"
        f" ({seconds:.2f}s) | task losses: {per_task}"
    )
    if history.validation_scores:
        line += f" | validation score: {history.validation_scores[-1]:.4f}"
    print(line)
