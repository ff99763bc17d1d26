"""The outer loop of the learned task structures: alternate W and the structure.

``penalty='relationship'`` (MTRL, Zhang & Yeung 2010) and ``penalty='cluster'``
(convex clustered MTL, Zhou, Chen & Ye 2011) minimise over the coefficients
``(W, b)`` and a task structure ``S`` (the task covariance ``Omega``, or the
relaxed cluster matrix ``M``) jointly::

    F(W, b, S) = datafit(W, b) + alpha/2 tr(W P(S) W^T)
                 + intercept_alpha/2 b^T P(S) b + l2_reg/2 ||W||_F^2
                 [+ alpha/2 eps tr(P(S))]

with ``P(S)`` the task precision of the structure on the tasks' deviations
from their mean (``P 1 = 0``: ``Omega^+``, or ``eta (1 + eta) C (eta I +
M)^{-1} C``, ``C = I - J / n_outputs``). Block coordinate descent: (a) the
weights for fixed ``S``, a smooth problem solved by THE solver
(:func:`mtlearn.linear_model._solver.solve`) warm started from the previous
weights; (b) the structure for fixed weights, in closed form from the
centred scatter ``C (W^T W + (intercept_alpha / alpha) b b^T) C``
(``Relationship.update``, ``Cluster.update``). Each step lowers ``F``; the
loop stops when one outer iteration lowers it by at most ``outer_tol``
relative to its value, or after ``max_outer_iter`` iterations.
"""

import numpy as np

from ._penalties import Cluster, Relationship
from ._solver import SolverResult, solve


class _Learner:
    """How one learned structure starts, becomes a penalty and is updated."""

    def __init__(self, alpha, l2_reg, intercept_alpha, n_outputs):
        self.alpha, self.l2_reg = alpha, l2_reg
        self.intercept_alpha = intercept_alpha
        self.n_outputs = n_outputs

    def scatter(self, W, b):
        """``C W^T W C`` plus the centred intercepts' share of the penalty."""
        WC = W - W.mean(axis=1, keepdims=True)
        S = WC.T @ WC
        if self.intercept_alpha > 0 and self.alpha > 0:
            cb = b - b.mean()
            S = S + (self.intercept_alpha / self.alpha) * np.outer(cb, cb)
        return S

    def extra(self, penalty):
        return 0.0


class RelationshipLearner(_Learner):
    """``Omega`` of MTRL, with ``eps = covariance_eps * tr(S) / (n - 1)``.

    ``eps`` is fixed at the first update of a fit (so that ``F`` is one
    function along the loop), relative to the centred scatter's mean
    eigenvalue on its ``n - 1`` dimensions (at least 1e-12 in absolute terms
    when ``W = 0``).
    """

    def __init__(self, alpha, l2_reg, intercept_alpha, n_outputs, *, covariance_eps):
        super().__init__(alpha, l2_reg, intercept_alpha, n_outputs)
        self.covariance_eps = covariance_eps
        self.eps = None

    def initial(self):
        return Relationship.initial(self.n_outputs)

    def penalty(self, Omega):
        return Relationship(
            self.alpha,
            self.l2_reg,
            task_covariance=Omega,
            intercept_alpha=self.intercept_alpha,
        )

    def update(self, W, b):
        S = self.scatter(W, b)
        if self.eps is None:
            dimensions = max(self.n_outputs - 1, 1)
            scale = max(float(np.trace(S)) / dimensions, 1e-12)
            self.eps = self.covariance_eps * scale
        return Relationship.update(S, self.eps)

    def extra(self, penalty):
        return 0.5 * self.alpha * (self.eps or 0.0) * float(np.trace(penalty.precision))


class ClusterLearner(_Learner):
    """``M`` of clustered MTL over ``{tr M = k, 0 <= M <= I}``."""

    def __init__(self, alpha, l2_reg, intercept_alpha, n_outputs, *, n_clusters, eta):
        super().__init__(alpha, l2_reg, intercept_alpha, n_outputs)
        self.n_clusters = min(n_clusters, n_outputs)
        self.eta = eta

    def initial(self):
        return Cluster.initial(self.n_outputs, self.n_clusters)

    def penalty(self, M):
        return Cluster(
            self.alpha,
            self.l2_reg,
            cluster_matrix=M,
            eta=self.eta,
            intercept_alpha=self.intercept_alpha,
        )

    def update(self, W, b):
        return Cluster.update(self.scatter(W, b), self.n_clusters, self.eta)


def objective(datafit, learner, penalty, W, b):
    """``F(W, b, S)`` for the penalty of ``S``."""
    value = datafit.value(W, b) + penalty.value(W) + learner.extra(penalty)
    if penalty.intercept_alpha > 0:
        value += penalty.intercept_value(b)
    return float(value)


def solve_alternating(
    datafit,
    learner,
    W,
    b,
    *,
    structure=None,
    tol=1e-4,
    max_iter=1000,
    outer_tol=1e-4,
    max_outer_iter=50,
):
    """Alternate the solver on ``W`` and the closed-form structure update.

    Parameters
    ----------
    datafit : Datafit
    learner : RelationshipLearner or ClusterLearner
    W, b : ndarray
        Start of the weights (warm start).
    structure : ndarray of shape (n_outputs, n_outputs), default=None
        Start of the structure (warm start, e.g. the previous alpha of a
        path); None is ``learner.initial()``.
    tol, max_iter
        Of each inner solve.
    outer_tol : float, default=1e-4
        Stop when an outer iteration lowers the objective by at most
        ``outer_tol * |F|``.
    max_outer_iter : int, default=50
        Maximum number of outer iterations.

    Returns
    -------
    result : SolverResult
        With ``structure`` (the last ``S``), ``n_outer_iter``,
        ``outer_converged`` and ``objective``; ``n_iter`` sums the inner
        iterations; ``converged`` is the last inner solve's.
    """
    S = learner.initial() if structure is None else structure
    penalty = learner.penalty(S)
    previous, n_iter = np.inf, 0
    outer_converged = False
    n_outer = 0
    while n_outer < max_outer_iter:
        n_outer += 1
        inner = solve(datafit, penalty, W, b, tol=tol, max_iter=max_iter)
        W, b, n_iter = inner.W, inner.b, n_iter + inner.n_iter
        S = learner.update(W, b)
        penalty = learner.penalty(S)  # also the next solve's
        value = objective(datafit, learner, penalty, W, b)
        if previous - value <= outer_tol * abs(value):
            outer_converged = True
            break
        previous = value
    return SolverResult(
        W,
        b,
        n_iter,
        inner.violation,
        inner.converged,
        structure=S,
        n_outer_iter=n_outer,
        outer_converged=outer_converged,
        objective=value,
    )
