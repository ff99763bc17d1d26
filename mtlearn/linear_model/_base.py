"""Protocols of the three roles of a regularized multi-task linear model.

A model is a **datafit** (how well ``X @ W + b`` explains the targets), a
**penalty** on ``W`` (how tasks share) and the one **solver**
(:func:`mtlearn.linear_model._solver.solve`) that minimises their sum::

    min_{W, b}  datafit(W, b) + penalty(W)

``W`` has shape (n_features, n_outputs) and ``b`` shape (n_outputs,). A
regression or binary task owns one output column; a multiclass task with
``K`` classes owns a block of ``K`` columns (``datafit.task_columns[t]``).
The intercepts ``b`` are never penalised.

The solver asks nothing else of them than what these protocols list, and
checks up front (:func:`check_penalty`) that a penalty offers it. A new
penalty or datafit is one small class.
"""

from typing import Protocol


class Datafit(Protocol):
    """A masked, sample-weighted loss of the linear predictions ``Z``.

    The objective is ``sum_t (1/n_t) sum_{i observed in t} s_i l_t(y_it, z_it)``
    with ``z_i = x_i^T W + b`` and ``n_t`` the weight of task ``t``'s observed
    rows. It is written on ``Z`` so the solver can combine predictions
    linearly (one ``X @ W`` and one ``X.T @ R`` per iteration).

    Attributes
    ----------
    X : ndarray or sparse matrix of shape (n_samples, n_features)
    n_outputs : int
        Number of columns of ``W``.
    task_columns : list of slice
        The columns of ``W`` owned by each task.
    curvature : float
        Bound on the second derivative of ``l`` in ``z`` (1 squared, 1/4
        logistic, 1/2 multinomial), from which :meth:`lipschitz` follows.

    Methods
    -------
    linear(W, b) -> Z
        ``X @ W + b``, sparse X kept sparse.
    loss(Z) -> float
        The objective at predictions ``Z``.
    loss_gradient(Z) -> dZ
        Its derivative in ``Z``, shape (n_samples, n_outputs).
    backward(dZ) -> (grad_W, grad_b)
        ``(X.T @ dZ, dZ.sum(axis=0))``.
    value(W, b) / gradient(W, b)
        The same as functions of the coefficients.
    lipschitz(weights=None) -> float
        A Lipschitz constant of the gradient in ``(W, b)``: the largest
        eigenvalue, over tasks, of the Hessian of the curvature bound (power
        iteration); with local Hessian weights, the local curvature. The
        solver's backtracking corrects a low estimate.
    restrict(features) -> Datafit
        The same datafit on ``X[:, features]`` (working sets).
    loss_and_gradient(Z) -> (float, dZ)
        Both at once (a datafit may share work between them).
    curvature_weights(Z=None) -> H
        Per cell, the loss's second derivative in ``z`` (its global bound
        without ``Z``), in the layout of ``Z``.
    hessian_diagonal(H) / hessian_blocks(H)
        The Hessian in ``W`` (diagonal, shape (n_features, n_outputs)) or
        per output in ``(w_t, b_t)`` (blocks), for those weights: the
        solver's step metric.
    pooled_loss(W, b_raw) -> float
        The loss of ``X @ W + b_raw`` with every observed cell weighted
        alike (cross-validation scores).
    hessian_weights(Z) -> H (optional)
        The exact second derivative of the loss per cell, not floored: with
        a penalty that has ``support_curvature``, the solver takes Newton
        steps on the support at its optimality checks (small dense X).

    ``Z`` is held either as a (n_samples, n_outputs) matrix or, when few
    cells are observed, as the vector of the observed cells (``layout``);
    the solver only combines such arrays linearly.
    """


class Penalty(Protocol):
    """A penalty on ``W``, with its strength ``alpha`` and a ridge ``l2_reg``.

    Attributes
    ----------
    smooth : bool
        True when the penalty is differentiable: the solver adds
        :meth:`gradient` to the datafit's; otherwise it calls :meth:`prox`.

    Methods
    -------
    value(W) -> float
    gradient(W) -> ndarray (smooth penalties)
    lipschitz() -> float (smooth penalties): Lipschitz constant of gradient.
    prox(V, step) -> ndarray (non-smooth penalties): the minimiser of
        ``0.5 * ||Z - V||_F^2 + step * value(Z)``.
    distance(W, grad) -> float
        Distance of ``-grad`` (the datafit's gradient in W) to the
        subdifferential of the penalty at ``W``, in Frobenius norm: zero
        exactly at a minimiser. The solver stops when it (with the
        intercepts' gradient) falls below ``tol``.

    Optional, for a better step metric: ``diagonal(n_outputs)`` (smooth
    penalties: the Hessian's diagonal per output), ``coupling(n_outputs)``
    (a Hessian ``diag(...) - c J`` across outputs, inverted exactly),
    ``row_separable = True`` (a prox that accepts one step per entry),
    ``support_curvature(W) -> (support, gradient, product, diagonal)`` (a
    non-smooth penalty that is smooth where the rows of ``W`` are nonzero,
    such as ``'l21'``: its gradient, Hessian product and Hessian diagonal on
    those rows, for the solver's Newton steps). A
    coupling penalty may also couple the intercepts (``intercept_alpha``,
    ``intercept_value``, ``intercept_gradient``, ``intercept_diagonal``,
    ``intercept_coupling``).

    ``task_basis(n_outputs) -> (V, q, R)`` (optional, smooth penalties with
    a dense coupling of the outputs, such as a task precision): an
    orthonormal (n_outputs, n_outputs) basis ``V`` in which the penalty's
    Hessian on ``W`` is diagonal and the same for every feature, ``V
    diag(q) V^T`` across outputs (``q`` includes ``l2_reg``), and ``R`` the
    (n_outputs, n_outputs) Hessian of the intercepts' penalty (used only
    when ``intercept_alpha > 0``). When present the solver's block metric
    is built in that basis (:class:`~mtlearn.linear_model._solver.
    _SpectralBlockMetric`): exact, so one Newton or conjugate-gradient step,
    when the outputs' datafit Hessians are equal.
    """


def check_penalty(penalty):
    """Raise a readable error when ``penalty`` lacks what the solver needs."""
    needed = ["value", "distance"]
    needed += ["gradient", "lipschitz"] if penalty.smooth else ["prox"]
    missing = [name for name in needed if not callable(getattr(penalty, name, None))]
    if missing:
        kind = "smooth" if penalty.smooth else "non-smooth"
        raise TypeError(
            f"{type(penalty).__name__} is a {kind} penalty and must define "
            f"{', '.join(missing)} for the proximal-gradient solver."
        )
