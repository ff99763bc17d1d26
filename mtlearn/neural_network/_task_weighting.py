"""Task-weighting strategies: how much each task's loss counts at each step.

A network is trained on ``sum_t w_t * L_t`` where ``L_t`` is task ``t``'s
mean loss on a mini-batch (over its observed labels). A strategy chooses the
weights ``w_t`` as training goes, or (``PCGrad``) the combined gradient of the
shared parameters itself. The fixed ``task_weights`` of the estimator
multiply whatever the strategy chooses: a strategy weights the losses
``task_weights[t] * L_t``, and the weights it returns include that factor.

The one training loop (:func:`mtlearn.neural_network._training.run_epoch`)
asks a strategy for nothing but what this protocol lists, in this order:

``start(task_weights, network, rng)``
    At the start of every training run (``fit``, a warm-started ``fit``,
    each ``partial_fit``). ``task_weights`` (n_tasks,) are the fixed
    weights; ``network`` exposes ``shared_indices`` (int indices into its
    flat ``params`` of what every task depends on: the trunk's weights and
    biases) and ``last_shared_indices`` (the last shared layer's weights);
    ``rng`` is the training ``numpy.random.Generator``. The first call
    creates the learned state; later calls keep it (``warm_start`` and
    ``partial_fit`` continue where the previous run stopped).
``needs_task_gradients`` : bool
    Read after ``start``. When True, the loop computes at each mini-batch
    the gradient of every task's weighted loss w.r.t. all the parameters
    (the backward pass is linear in the logit gradient, so task ``t``'s
    gradient is one backward pass with the other tasks' logit columns
    zeroed: one pass per present task) and calls ``combine``. Otherwise it
    runs one backward pass for the weighted sum.
``batch_weights(totals) -> weights``
    Before a mini-batch's loss: the weight of each task's loss, of shape
    (n_tasks,). ``totals[t]`` is the total cell weight of task ``t`` in the
    batch; ``totals[t] == 0`` means the task is absent (no observed label in
    the batch, or a constant task): it contributes nothing whatever its
    weight. The array may be a buffer the strategy reuses.
``combine(task_grads, totals, out)``
    Only with ``needs_task_gradients``: ``task_grads`` (n_tasks, n_params)
    holds each task's weighted-loss gradient (rows of absent tasks are
    zero); writes the descent direction of all the parameters into ``out``.
``end_batch(losses, totals)``
    After the optimizer step, with the batch's per-task (unweighted) mean
    losses at the parameters before the step: where learned weights learn.
``end_epoch(losses, present)``
    After each epoch, with its per-task mean losses and a boolean mask of
    the tasks that had an observed label in it.

Missing labels: every strategy learns only from present tasks (and tasks
whose fixed weight is positive); an absent task keeps its weight, its
log-variance, and is left out of the projections. The stopping criterion,
``loss_curve_`` and the early-stopping score stay the ``task_weights``
weighted loss whatever the strategy, so that runs compare.

A new strategy is one subclass of :class:`TaskWeighting`; the estimators
accept an instance of it as ``task_weighting``.
"""

from numbers import Real

import numpy as np
from sklearn.base import BaseEstimator, clone
from sklearn.utils._param_validation import Interval


class TaskWeighting(BaseEstimator):
    """Base class of the task-weighting strategies of the networks.

    A strategy is given to an estimator as its ``task_weighting``; the
    estimator trains a clone of it (the instance passed is never modified).
    The hooks the training loop calls are documented in the module
    ``mtlearn.neural_network._task_weighting``; this base class implements
    fixed weights (the ``task_weights`` of the estimator) and no-op hooks.

    Examples
    --------
    >>> from mtlearn.neural_network import TaskWeighting, DynamicWeightAverage
    >>> isinstance(DynamicWeightAverage(), TaskWeighting)
    True
    """

    _parameter_constraints = {}
    needs_task_gradients = False

    def start(self, task_weights, network, rng):
        """Begin a training run (see the module docstring)."""
        self.task_weights_ = np.asarray(task_weights, dtype=np.float64)
        self.n_tasks_ = self.task_weights_.shape[0]

    def batch_weights(self, totals):
        """Weights of the tasks' losses in the next mini-batch."""
        return self.task_weights_

    def combine(self, task_grads, totals, out):
        """Combined gradient from the per-task gradients (into ``out``)."""
        np.sum(task_grads, axis=0, out=out)

    def end_batch(self, losses, totals):
        """Learn from a mini-batch's losses (nothing by default)."""

    def end_epoch(self, losses, present):
        """Learn from an epoch's losses (nothing by default)."""

    def _learns_from(self, totals):
        """Tasks present in the batch and of positive fixed weight."""
        return (np.asarray(totals) > 0) & (self.task_weights_ > 0)


class EqualWeighting(TaskWeighting):
    """Fixed weights: each task's loss counts ``task_weights[t]`` (1 each).

    The networks' default (``task_weighting="equal"``): plain hard parameter
    sharing, one backward pass per mini-batch.

    Examples
    --------
    >>> import numpy as np
    >>> from mtlearn.neural_network import (
    ...     EqualWeighting, SharedRepresentationRegressor)
    >>> X = np.random.RandomState(0).normal(size=(100, 3))
    >>> Y = np.column_stack([X[:, 0], X[:, 1] - X[:, 2]])
    >>> reg = SharedRepresentationRegressor(
    ...     (8,), task_weighting=EqualWeighting(), random_state=0)
    >>> reg.partial_fit(X, Y).task_weight_curves_  # one epoch
    array([[1., 1.]])
    """


class _TaskAdam:
    """Adam on a vector of per-task values, stepping only the given tasks.

    Each task keeps its own step count, so a task absent from many batches
    resumes with the bias correction of its own steps.
    """

    def __init__(self, n_tasks, learning_rate, beta_1=0.9, beta_2=0.999, eps=1e-8):
        self.learning_rate = learning_rate
        self.beta_1, self.beta_2, self.eps = beta_1, beta_2, eps
        self.m = np.zeros(n_tasks)
        self.v = np.zeros(n_tasks)
        self.t = np.zeros(n_tasks, dtype=np.int64)

    def step(self, values, grad, active):
        b1, b2 = self.beta_1, self.beta_2
        self.t[active] += 1
        t = self.t[active]
        g = grad[active]
        self.m[active] = b1 * self.m[active] + (1 - b1) * g
        self.v[active] = b2 * self.v[active] + (1 - b2) * g * g
        m_hat = self.m[active] / (1 - b1**t)
        v_hat = self.v[active] / (1 - b2**t)
        values[active] -= self.learning_rate * m_hat / (np.sqrt(v_hat) + self.eps)


class UncertaintyWeighting(TaskWeighting):
    """Homoscedastic-uncertainty weighting (Kendall, Gal & Cipolla, 2018).

    Each task has a learned log-variance ``s_t = log(sigma_t^2)`` and the
    network is trained on::

        sum_t  exp(-s_t) * task_weights[t] * L_t  +  s_t / 2

    For a regression task ``L_t`` is the mean of ``(z - f)^2 / 2`` (the
    squared head's loss), so its term is the Gaussian negative
    log-likelihood ``||z - f||^2 / (2 sigma^2) + log sigma`` of the paper;
    for a classification task ``L_t`` is the log-loss and its term is the
    paper's approximation ``CE / sigma^2 + log sigma`` for a softmax with
    temperature ``sigma^2``. The same formula thus serves both, the factor
    1/2 of the regression likelihood living in the head's loss. A task's
    weight is ``exp(-s_t)`` (times its fixed weight); minimising over
    ``s_t`` alone gives ``exp(-s_t) = 1 / (2 task_weights[t] L_t)``: tasks
    with a large loss (noisy, or on a large scale) are down-weighted.

    The ``s_t`` start at 0 (weights 1) and take one Adam step per mini-batch
    (their own Adam, not the network's optimizer) on the gradient of the
    objective above, ``1/2 - exp(-s_t) task_weights[t] L_t``, only for tasks
    with an observed label in the batch. They are kept within [-20, 20] so
    that the weights stay finite.

    Parameters
    ----------
    learning_rate : float, default=1e-2
        Step size of the log-variances' Adam optimizer.

    Attributes
    ----------
    log_variances_ : ndarray of shape (n_tasks,)
        The learned ``s_t`` (on the strategy the estimator trains, a clone
        of the one passed).

    References
    ----------
    A. Kendall, Y. Gal and R. Cipolla, "Multi-task learning using
    uncertainty to weigh losses for scene geometry and semantics", CVPR 2018.

    Examples
    --------
    >>> import numpy as np
    >>> from mtlearn.neural_network import (
    ...     SharedRepresentationRegressor, UncertaintyWeighting)
    >>> rng = np.random.RandomState(0)
    >>> X = rng.normal(size=(200, 3))
    >>> Y = np.column_stack([X[:, 0], X[:, 1] + rng.normal(size=200)])
    >>> reg = SharedRepresentationRegressor(
    ...     (16,), task_weighting=UncertaintyWeighting(learning_rate=0.05),
    ...     batch_size=20, random_state=0)
    >>> for epoch in range(20):
    ...     reg = reg.partial_fit(X, Y)
    >>> w = reg.task_weight_curves_[-1]
    >>> bool(w[0] > w[1])  # the noisy task counts less
    True
    """

    _parameter_constraints = {
        "learning_rate": [Interval(Real, 0, None, closed="neither")],
    }
    _bound = 20.0

    def __init__(self, learning_rate=1e-2):
        self.learning_rate = learning_rate

    def start(self, task_weights, network, rng):
        super().start(task_weights, network, rng)
        if not hasattr(self, "log_variances_"):
            self.log_variances_ = np.zeros(self.n_tasks_)
            self._adam = _TaskAdam(self.n_tasks_, self.learning_rate)
        self._weights = np.empty(self.n_tasks_)

    def batch_weights(self, totals):
        np.exp(-self.log_variances_, out=self._weights)
        self._weights *= self.task_weights_
        return self._weights

    def objective(self, losses):
        """The weighted objective at per-task losses ``losses`` (n_tasks,)."""
        s = self.log_variances_
        return float(np.sum(np.exp(-s) * self.task_weights_ * losses + s / 2))

    def log_variance_gradient(self, losses):
        """Derivative of :meth:`objective` w.r.t. each ``s_t``."""
        s = self.log_variances_
        return 0.5 - np.exp(-s) * self.task_weights_ * np.asarray(losses)

    def end_batch(self, losses, totals):
        active = self._learns_from(totals) & np.isfinite(losses)
        if active.any():
            s = self.log_variances_
            self._adam.step(s, self.log_variance_gradient(losses), active)
            np.clip(s, -self._bound, self._bound, out=s)


class DynamicWeightAverage(TaskWeighting):
    """Dynamic weight average (Liu, Johns & Davison, 2019).

    A task whose loss has been falling slowly gets more weight: at epoch
    ``e`` the weights are::

        w_t(e) = K * exp(r_t / T) / sum_k exp(r_k / T),
        r_t = L_t(e - 1) / L_t(e - 2)

    with ``L_t(e)`` task ``t``'s mean training loss over epoch ``e``, ``T``
    the temperature and ``K`` the number of tasks, so the weights sum to
    ``K``. The first two epochs (and any epoch before a task has two
    epochs of loss) use weight 1. Epochs count across ``partial_fit`` calls
    and warm starts. With missing labels, a task's ratio is taken over the
    last two epochs in which it had a label; tasks without a ratio (e.g.
    constant tasks) keep weight 1 and ``K`` counts the others. The weights
    are constant within an epoch, and need no extra backward pass.

    Parameters
    ----------
    temperature : float, default=2.0
        Softness ``T`` of the softmax: large is close to equal weights (the
        paper uses 2).

    Attributes
    ----------
    weights_ : ndarray of shape (n_tasks,)
        The current weights (before the fixed ``task_weights``).

    References
    ----------
    S. Liu, E. Johns and A. J. Davison, "End-to-end multi-task learning
    with attention", CVPR 2019.

    Examples
    --------
    >>> import numpy as np
    >>> from mtlearn.neural_network import (
    ...     DynamicWeightAverage, SharedRepresentationClassifier)
    >>> rng = np.random.RandomState(0)
    >>> X = rng.normal(size=(200, 4))
    >>> Y = np.column_stack([X[:, 0] > 0, X[:, 1] * X[:, 2] > 0])
    >>> clf = SharedRepresentationClassifier(
    ...     (16,), task_weighting=DynamicWeightAverage(temperature=2.0),
    ...     batch_size=50, random_state=0)
    >>> for epoch in range(5):
    ...     clf = clf.partial_fit(X, Y, classes=[[False, True]] * 2)
    >>> clf.task_weight_curves_.shape
    (5, 2)
    >>> clf.task_weight_curves_[:2]  # equal in the first two epochs
    array([[1., 1.],
           [1., 1.]])
    """

    _parameter_constraints = {
        "temperature": [Interval(Real, 0, None, closed="neither")],
    }

    def __init__(self, temperature=2.0):
        self.temperature = temperature

    def start(self, task_weights, network, rng):
        super().start(task_weights, network, rng)
        if not hasattr(self, "weights_"):
            self.weights_ = np.ones(self.n_tasks_)
            self._last = np.full(self.n_tasks_, np.nan)
            self._previous = np.full(self.n_tasks_, np.nan)
        self._effective = self.task_weights_ * self.weights_

    def batch_weights(self, totals):
        return self._effective

    def end_epoch(self, losses, present):
        seen = np.asarray(present) & (self.task_weights_ > 0) & np.isfinite(losses)
        self._previous[seen] = self._last[seen]
        self._last[seen] = losses[seen]
        self.weights_ = self.dwa_weights(self._last, self._previous)
        self._effective = self.task_weights_ * self.weights_

    def dwa_weights(self, last, previous):
        """The weights from each task's last two epoch losses (NaN: unknown)."""
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = last / previous
        known = np.isfinite(ratio) & (previous > 0)
        weights = np.ones(len(last))
        if known.any():
            z = ratio[known] / self.temperature
            z = np.exp(z - z.max())
            weights[known] = known.sum() * z / z.sum()
        return weights


class GradNorm(TaskWeighting):
    """Gradient normalisation (Chen, Badrinarayanan, Lee & Rabinovich, 2018).

    Learned weights ``w_t`` (starting at 1) balance the tasks' training
    rates. At each mini-batch, with ``W`` the weights of the last shared
    (trunk) layer::

        G_t = || d(w_t L_t) / dW ||_2,       G_bar = mean_t G_t
        r_t = (L_t / L_t(0)) / mean_k (L_k / L_k(0))
        L_grad = sum_t | G_t - G_bar * r_t ** alpha |

    where ``L_t(0)`` is the task's loss at its first mini-batch and the
    targets ``G_bar * r_t ** alpha`` are held constant. The weights take one
    Adam step on ``dL_grad / dw_t = sign(G_t - target_t) * G_t / w_t`` (their
    own Adam, not the network's), are kept positive (at least 1e-3), and are
    renormalised to sum to the number of tasks. A task absent from the batch
    is left out of the means and keeps its weight (the renormalisation
    preserves the sum of the present tasks' weights). The fixed
    ``task_weights`` multiply ``w_t`` inside ``L_t``.

    Cost: one backward pass per present task and mini-batch. With no hidden
    layer there is no shared layer to balance: the weights stay at 1 (equal
    weighting) and no extra pass runs.

    Parameters
    ----------
    alpha : float, default=1.5
        Asymmetry: how strongly tasks that train slower are pulled up (0
        equalises the gradient norms; the paper uses 1.5 for its tasks).
    learning_rate : float, default=1e-2
        Step size of the weights' Adam optimizer.

    Attributes
    ----------
    weights_ : ndarray of shape (n_tasks,)
        The current weights ``w_t`` (before the fixed ``task_weights``).

    References
    ----------
    Z. Chen, V. Badrinarayanan, C.-Y. Lee and A. Rabinovich, "GradNorm:
    gradient normalization for adaptive loss balancing in deep multitask
    networks", ICML 2018.

    Examples
    --------
    >>> import numpy as np
    >>> from mtlearn.neural_network import GradNorm, SharedRepresentationRegressor
    >>> rng = np.random.RandomState(0)
    >>> X = rng.normal(size=(200, 3))
    >>> Y = np.column_stack([X[:, 0], np.sin(3 * X[:, 1])])
    >>> reg = SharedRepresentationRegressor(
    ...     (16,), task_weighting=GradNorm(alpha=1.5), batch_size=50,
    ...     random_state=0)
    >>> for epoch in range(5):
    ...     reg = reg.partial_fit(X, Y)
    >>> w = reg.task_weight_curves_[-1]  # weights summing to n_tasks
    >>> bool(w[0] != w[1]), float(np.round(w.sum(), 6))
    (True, 2.0)
    """

    _parameter_constraints = {
        "alpha": [Interval(Real, 0, None, closed="left")],
        "learning_rate": [Interval(Real, 0, None, closed="neither")],
    }
    _floor = 1e-3

    def __init__(self, alpha=1.5, learning_rate=1e-2):
        self.alpha = alpha
        self.learning_rate = learning_rate

    def start(self, task_weights, network, rng):
        super().start(task_weights, network, rng)
        if not hasattr(self, "weights_"):
            self.weights_ = np.ones(self.n_tasks_)
            self._initial_losses = np.full(self.n_tasks_, np.nan)
            self._adam = _TaskAdam(self.n_tasks_, self.learning_rate)
        self._last_shared = _network_indices(network, "last_shared_indices", self)
        self.needs_task_gradients = self._last_shared.size > 0
        self._weights = np.empty(self.n_tasks_)
        self._norms = np.zeros(self.n_tasks_)

    def batch_weights(self, totals):
        np.multiply(self.task_weights_, self.weights_, out=self._weights)
        return self._weights

    def combine(self, task_grads, totals, out):
        np.sum(task_grads, axis=0, out=out)
        block = task_grads[:, self._last_shared].astype(np.float64)
        self._norms = np.sqrt(np.einsum("ij,ij->i", block, block))

    def gradnorm_gradient(self, norms, losses, active):
        """``dL_grad / dw`` (zero outside ``active``) given the weighted
        gradient norms ``G_t`` and the losses ``L_t`` of a batch."""
        grad = np.zeros(self.n_tasks_)
        initial = self._initial_losses[active]
        rates = np.where(initial > 0, losses[active] / initial, 1.0)
        mean_rate = rates.mean()
        relative = rates / mean_rate if mean_rate > 0 else np.ones_like(rates)
        targets = norms[active].mean() * relative**self.alpha
        g = norms[active]
        grad[active] = np.sign(g - targets) * g / self.weights_[active]
        return grad

    def end_batch(self, losses, totals):
        if not self.needs_task_gradients:
            return
        active = self._learns_from(totals) & np.isfinite(losses)
        first = active & np.isnan(self._initial_losses)
        self._initial_losses[first] = losses[first]
        if not active.any():
            return
        w = self.weights_
        total = w[active].sum()
        self._adam.step(w, self.gradnorm_gradient(self._norms, losses, active), active)
        np.maximum(w, self._floor, out=w)
        w[active] *= total / w[active].sum()


class PCGrad(TaskWeighting):
    """Projecting conflicting gradients (Yu et al., 2020).

    At each mini-batch, each task's gradient ``g_i`` of the shared
    parameters (the trunk's weights and biases) is projected, in a random
    order of the other tasks ``j``, onto the normal plane of every ``g_j``
    it conflicts with::

        if g_i . g_j < 0:   g_i <- g_i - (g_i . g_j) / ||g_j||^2 * g_j

    (``g_j`` the original gradient of task ``j``); the shared parameters
    descend along the sum of the projected gradients and the task-specific
    parameters (heads) along the plain sum. The losses keep their fixed
    ``task_weights``. Only the tasks with a label in the batch take part.
    The random orders come from the estimator's ``random_state``.

    Cost: one backward pass per present task and mini-batch, and a
    (n_tasks, n_tasks) Gram matrix of the shared gradients. With no hidden
    layer nothing is shared: the update is the plain sum (equal weighting)
    and no extra pass runs.

    References
    ----------
    T. Yu, S. Kumar, A. Gupta, S. Levine, K. Hausman and C. Finn, "Gradient
    surgery for multi-task learning", NeurIPS 2020.

    Examples
    --------
    >>> import numpy as np
    >>> from mtlearn.neural_network import PCGrad, SharedRepresentationClassifier
    >>> rng = np.random.RandomState(0)
    >>> X = rng.normal(size=(200, 4))
    >>> Y = np.column_stack([X[:, 0] > 0, X[:, 0] < 0.2])  # conflicting tasks
    >>> clf = SharedRepresentationClassifier(
    ...     (16,), task_weighting=PCGrad(), learning_rate_init=0.01,
    ...     batch_size=50, random_state=0)
    >>> for epoch in range(20):
    ...     clf = clf.partial_fit(X, Y, classes=[[False, True]] * 2)
    >>> clf.score(X, Y) > 0.9
    True
    """

    def start(self, task_weights, network, rng):
        super().start(task_weights, network, rng)
        self._shared = _network_indices(network, "shared_indices", self)
        self.needs_task_gradients = self._shared.size > 0
        if self.needs_task_gradients and not hasattr(self, "_rng"):
            # drawn only when used: without a trunk, the fit is "equal"'s
            self._rng = np.random.default_rng(rng.integers(2**63 - 1))

    def combine(self, task_grads, totals, out):
        np.sum(task_grads, axis=0, out=out)
        tasks = np.flatnonzero(self._learns_from(totals))
        if tasks.size < 2:
            return
        grads = task_grads[np.ix_(tasks, self._shared)].astype(np.float64)
        orders = [
            self._rng.permutation(np.delete(np.arange(tasks.size), i))
            for i in range(tasks.size)
        ]
        out[self._shared] = project_conflicting(grads, orders).sum(axis=0)


def project_conflicting(grads, orders):
    """PCGrad's projected gradients.

    Parameters
    ----------
    grads : ndarray of shape (n_tasks, n_params)
        Each task's gradient.
    orders : list of array-like of int
        For each task ``i``, the other tasks in the order its gradient is
        projected on theirs.

    Returns
    -------
    projected : ndarray of shape (n_tasks, n_params)
        Each projected gradient is ``g_i`` plus a combination of the
        original gradients, so the work runs on their Gram matrix: one
        (n_tasks, n_tasks) product instead of a pass over the parameters
        per pair.
    """
    gram = grads @ grads.T
    coef = np.zeros_like(gram)  # projected_i = g_i + sum_k coef[i, k] g_k
    for i, order in enumerate(orders):
        for j in order:
            dot = gram[i, j] + coef[i] @ gram[:, j]
            if dot < 0 and gram[j, j] > 0:
                coef[i, j] -= dot / gram[j, j]
    return grads + coef @ grads


def _network_indices(network, name, strategy):
    indices = getattr(network, name, None)
    if indices is None:
        raise TypeError(
            f"task_weighting={type(strategy).__name__}() needs the network's "
            f"{name!r} (the parameters every task shares); "
            f"{type(network).__name__} does not define it."
        )
    return np.asarray(indices, dtype=np.intp)


TASK_WEIGHTINGS = {
    "equal": EqualWeighting,
    "uncertainty": UncertaintyWeighting,
    "dwa": DynamicWeightAverage,
    "gradnorm": GradNorm,
    "pcgrad": PCGrad,
}


def make_task_weighting(spec):
    """A fresh, validated strategy from a name or an instance (cloned)."""
    if isinstance(spec, str):
        strategy = TASK_WEIGHTINGS[spec]()
    else:
        strategy = clone(spec)
    strategy._validate_params()
    return strategy
