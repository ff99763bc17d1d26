"""The one solver of every mtlearn linear model: accelerated proximal gradient.

FISTA (Beck & Teboulle 2009) with backtracking and the gradient-based
adaptive restart of O'Donoghue & Candes (2015), in a variable metric
(preconditioned): the steps are scaled by the datafit's local curvature,
per entry for ``l21`` (with a weighted group prox), per output block for
the smooth penalties (a Newton step for the squared loss, the ``'mean'``
coupling inverted exactly, a dense task coupling such as ``'graph'``'s or a
task precision's in the penalty's eigenbasis), a scalar Lipschitz constant
otherwise. The stop
is a KKT criterion: the distance of minus the gradient of the smooth part to
the penalty's subdifferential (and the intercepts' gradient) below ``tol``.
For the row-separable ``l21`` penalty an outer working-set loop solves the
problem on the features most violating optimality, growing the set until
all features satisfy it (as in skglm / Celer); on a sparse X the set holds
every violating feature from the start when they are few. For ``l21`` with
the logistic loss on a small dense X, Newton steps on the support
(conjugate gradient preconditioned by the features' correlation) are taken
at the optimality checks once the support is found: proximal Newton,
superlinear where the penalty is smooth. A quadratic problem (squared loss,
smooth penalty) is handed to preconditioned conjugate gradient with the
same metric and the same stopping rule.
"""

from dataclasses import dataclass

import numpy as np
from scipy import sparse

from ._base import check_penalty
from ._penalties import L21


@dataclass
class SolverResult:
    """What :func:`solve` returns."""

    W: np.ndarray
    b: np.ndarray
    n_iter: int
    violation: float
    converged: bool
    # the outer loop of a learned task structure (``_alternating``)
    structure: np.ndarray | None = None
    n_outer_iter: int = 0
    outer_converged: bool = True
    objective: float = np.nan


# Halvings of the step in one backtracking search: 2^-60 ~ 1e-18 of the
# metric's step; a search that needs more has stalled (or met non-finite
# values) and ends the solve.
_MAX_BACKTRACKS = 60
# Growth factor of the working set between outer iterations (and its size
# against the support): 4 took 35-45% fewer iterations than 2 on sparse
# text-like data (10 000 x 2 000, 50 labels; 1 771 and 150 features kept).
# On a sparse X the first working set (and any later one) also holds every
# feature that violates optimality, when they are at most half of the
# features. Text-like data, 100 000 x 20 000, 50 labels, alpha 1e-4: 335
# features violate at the start and 264 are kept; the set grown from 10
# took 150 iterations in four inner solves, all violating features at once
# 40 in one (on sparse X an iteration costs mostly the passes over the
# dense (n, k) predictions, whatever the set's size). On a dense X an
# iteration costs in proportion to the set (3 000 x 2 000 independent
# features, 8 labels: 20 iterations instead of 30 but 2.5x the time), and
# where most features violate, one set of all of them converged slower than
# sets grown from 10 on correlated features (2 000 x 1 000: 1 000
# iterations, not converged, against 692): dense X, or most features
# violating, grow from 10.
_WS_GROWTH = 4


def _non_finite_error(what, n_iter):
    """The error of a solve that met inf or NaN, naming where."""
    return ValueError(
        f"The linear model's solver met a non-finite {what} at iteration "
        f"{n_iter}: the magnitudes of X, y or the coefficients overflow "
        "float64. Scale X and y (e.g. with sklearn.preprocessing."
        "StandardScaler) or increase alpha."
    )


def _check_finite(value, what, n_iter, *arrays):
    if not np.isfinite(value) or not all(np.all(np.isfinite(a)) for a in arrays):
        raise _non_finite_error(what, n_iter)


def _violation(datafit, penalty, W, b, grad_W, grad_b):
    """Distance to optimality; ``grad_b`` includes any intercept penalty."""
    dist = penalty.distance(W, grad_W)
    return float(np.sqrt(dist**2 + np.sum(grad_b**2)))


def _couples_intercepts(penalty):
    return getattr(penalty, "intercept_alpha", 0.0) > 0


def _smooth_value_and_gradient(datafit, penalty, W, b, Z):
    value, dZ = datafit.loss_and_gradient(Z)
    grad_W, grad_b = datafit.backward(dZ)
    if penalty.smooth:
        value += penalty.value(W)
        grad_W = grad_W + penalty.gradient(W)
    if _couples_intercepts(penalty):
        value += penalty.intercept_value(b)
        grad_b = grad_b + penalty.intercept_gradient(b)
    return value, grad_W, grad_b


def _smooth_value(datafit, penalty, W, b, Z):
    value = datafit.loss(Z)
    if penalty.smooth:
        value += penalty.value(W)
    if _couples_intercepts(penalty):
        value += penalty.intercept_value(b)
    return value


class _DiagonalMetric:
    """``||d||_M^2 = sum m_W d_W^2 + sum m_b d_b^2`` with positive weights.

    ``m_W`` is a scalar (plain FISTA), one weight per row of W (a
    row-separable penalty such as ``'l21'`` keeps a closed-form prox) or one
    per entry (smooth penalties).
    """

    def __init__(self, m_W, m_b):
        self.m_W, self.m_b = m_W, m_b

    def direction(self, g_W, g_b):
        return g_W / self.m_W, g_b / self.m_b

    def sqnorm(self, d_W, d_b):
        return float(np.sum(self.m_W * d_W**2) + np.sum(self.m_b * d_b**2))

    def prox_step(self):
        return 1.0 / self.m_W


class _BlockMetric(_DiagonalMetric):
    """One positive definite block per output, on ``(w_t, b_t)`` together.

    ``blocks`` has shape (n_outputs, n_features + 1, n_features + 1), the
    intercept last.
    """

    def __init__(self, blocks):
        self.blocks = blocks
        self.inverses = np.linalg.inv(blocks)

    def direction(self, g_W, g_b):
        # a batched matmul: 4x faster than the same einsum on (14, 104, 104)
        out = (self.inverses @ np.vstack([g_W, g_b]).T[:, :, None])[:, :, 0].T
        return out[:-1], out[-1]

    def sqnorm(self, d_W, d_b):
        stacked = np.vstack([d_W, d_b])
        return float(np.einsum("ik,kij,jk->", stacked, self.blocks, stacked))

    def prox_step(self):
        raise ValueError("a block metric is for smooth penalties only")


class _CoupledBlockMetric(_BlockMetric):
    """Blocks ``A_k = H_k + diag(s_k)`` minus a coupling ``J (x) diag(c)``.

    The Hessian of the ``'mean'`` penalty, ``alpha (I - J / n_outputs)``
    across outputs (and ``intercept_alpha`` likewise on the intercepts),
    added to per-output datafit blocks ``H_k``: inverted exactly by the
    Woodbury identity with one small system, so for the squared loss a step
    is a Newton step. The small system ``diag(1/c) - sum_k A_k^{-1}`` is
    formed without cancellation as ``diag(1/c) - sum_k diag(1/s_k) + sum_k
    A_k^{-1} H_k diag(1/s_k)`` (a strong coupling would otherwise lose every
    digit).
    """

    def __init__(self, hessians, shifts, coupling):
        index = np.arange(hessians.shape[1])
        blocks = hessians.copy()
        blocks[:, index, index] += shifts
        super().__init__(blocks)
        self.coupling = coupling
        self.coupled = q = np.flatnonzero(coupling > 0)
        smoothed = np.einsum("kij,kjl->kil", self.inverses, hessians) / shifts[:, None]
        inner = np.diag(1.0 / coupling[q] - np.sum(1.0 / shifts[:, q], axis=0))
        inner = inner + smoothed.sum(axis=0)[np.ix_(q, q)]
        # positive semi-definite: scaled to eigenvalues in [0, 1], its null
        # space (directions no output's datafit sees, zero gradient there)
        # is left out by a pseudo-inverse
        root = np.sqrt(coupling[q])
        values, vectors = np.linalg.eigh(0.5 * (inner + inner.T) * np.outer(root, root))
        keep = values > 1e-12
        vectors = vectors[:, keep] * root[:, None]
        self.correction = (vectors / values[keep]) @ vectors.T

    def direction(self, g_W, g_b):
        d_W, d_b = super().direction(g_W, g_b)
        stacked = np.vstack([d_W, d_b])
        shared = self.correction @ stacked[self.coupled].sum(axis=1)
        stacked += np.einsum("kij,j->ik", self.inverses[:, :, self.coupled], shared)
        return stacked[:-1], stacked[-1]

    def sqnorm(self, d_W, d_b):
        common = np.vstack([d_W, d_b]).sum(axis=1)
        return super().sqnorm(d_W, d_b) - float(self.coupling @ common**2)


class _SpectralBlockMetric(_BlockMetric):
    """Per-output blocks in an orthonormal basis ``V`` of the outputs.

    For a penalty whose Hessian on ``W`` across outputs is ``V diag(q) V^T``
    (the same for every feature; ``q`` includes the ridge) and ``R`` on the
    intercepts, the Hessian of the smooth part is ``blockdiag_k(H_k)`` plus
    ``(V diag(q) V^T) (x) I`` on ``W`` and ``R`` on ``b``. Rotated to ``V``
    (``u_j = sum_k V_kj (w_k, b_k)``) the datafit's part is replaced by its
    diagonal blocks ``D_j = sum_k V_kj^2 H_k`` (block Jacobi in the
    penalty's eigenbasis), ``q_j`` added on their ``w`` entries, and the
    dense ``V^T R V`` kept on the intercept entries: a metric ``D + E R E^T``
    (``E`` picks the intercepts) inverted exactly by the Woodbury identity,
    in the symmetric form ``D^{-1} - D^{-1} E G^{-1/2} X (I + X)^{-1}
    G^{-1/2} E^T D^{-1}`` with ``G = E^T D^{-1} E`` (diagonal) and ``X =
    G^{1/2} R G^{1/2}``, ``X (I + X)^{-1} = I - (I + X)^{-1}`` (valid for a
    singular ``R``). It
    is the exact Hessian when the outputs' blocks ``H_k`` are equal (a
    Newton step then solves the quadratic), and close to it when they
    differ little, where the per-output blocks of :class:`_BlockMetric`
    miss the dense coupling a task precision introduces.
    """

    def __init__(self, hessians, basis, curvature, intercept_hessian):
        n_outputs, size = hessians.shape[:2]
        blocks = ((basis**2).T @ hessians.reshape(n_outputs, -1)).reshape(
            n_outputs, size, size
        )
        index = np.arange(size - 1)
        blocks[:, index, index] += curvature[:, None]
        # an intercept no row sees (the penalty's part is in R)
        blocks[:, -1, -1] = np.maximum(blocks[:, -1, -1], 1e-12)
        super().__init__(blocks)
        self.basis, self.intercept_hessian = basis, intercept_hessian
        self.correction = None
        if np.any(intercept_hessian != 0):
            root = np.sqrt(np.maximum(self.inverses[:, -1, -1], 1e-300))  # G^1/2
            R = basis.T @ intercept_hessian @ basis
            X = 0.5 * (R + R.T) * np.outer(root, root)
            # X (I + X)^-1 in X's eigenbasis, mu / (1 / scale + mu) for the
            # eigenvalues scale * mu: finite and never singular, whatever the
            # coupling's strength (intercept_alpha up to 1e300)
            scale = float(np.abs(X).max())
            mu, Q = np.linalg.eigh(X / scale)
            mu = np.maximum(mu, 0.0)
            shrunk = (Q * (mu / (1.0 / scale + mu))) @ Q.T
            self.correction = shrunk / np.outer(root, root)

    def direction(self, g_W, g_b):
        rotated = (np.vstack([g_W, g_b]) @ self.basis).T[:, :, None]
        out = (self.inverses @ rotated)[:, :, 0]
        if self.correction is not None:
            out -= self.inverses[:, :, -1] * (self.correction @ out[:, -1])[:, None]
        out = out.T @ self.basis.T
        return out[:-1], out[-1]

    def sqnorm(self, d_W, d_b):
        rotated = (np.vstack([d_W, d_b]) @ self.basis).T[:, :, None]
        value = np.sum(rotated * (self.blocks @ rotated))
        return float(value + d_b @ self.intercept_hessian @ d_b)


# Block metrics are used when the (n_outputs, n_features, n_features) blocks
# are cheap to build and hold.
_MAX_BLOCK_FEATURES = 256
_MAX_BLOCK_ENTRIES = 10_000_000


def _metric(datafit, penalty, Z):
    """The scaling of the proximal-gradient steps, by what the penalty allows.

    Built from the datafit's Hessian weights at the start ``Z`` (the local
    curvature of the logistic loss, much below its global bound for a rare
    label). Smooth penalties: per output, the Hessian block plus the
    penalty's diagonal (a Newton step for independent ridge tasks; with the
    ``'mean'`` coupling inverted exactly; with a ``task_basis``, blocks in
    the penalty's eigenbasis, :class:`_SpectralBlockMetric`), or the
    diagonals only when blocks would be too large. ``'l21'``: the Hessian
    diagonal, entry by entry, with a weighted group soft-thresholding prox.
    Others
    (``'trace'``): a scalar, the Lipschitz constant. Backtracking on a
    scalar multiplier of the metric makes every step a descent step
    whichever metric is used.
    """
    n_features, n_outputs = datafit.X.shape[1], datafit.n_outputs
    weights = datafit.curvature_weights(Z)
    if not penalty.smooth and not getattr(penalty, "row_separable", False):
        L = max(datafit.lipschitz(weights), 1e-12)  # the prox takes the ridge
        return _DiagonalMetric(L, np.full(n_outputs, L))
    m_b = np.maximum(datafit._column_sums(weights), 1e-12)
    if not penalty.smooth:
        m_W = datafit.hessian_diagonal(weights)  # the prox takes the ridge
        return _DiagonalMetric(np.maximum(m_W, 1e-12 * max(m_W.max(), 1.0)), m_b)
    diagonal = penalty.diagonal(n_outputs)
    intercept_diagonal = np.zeros(n_outputs) + _intercept_part(
        penalty, "intercept_diagonal", n_outputs
    )
    if (
        isinstance(datafit.X, np.ndarray)
        and n_features <= _MAX_BLOCK_FEATURES
        and n_outputs * n_features**2 <= _MAX_BLOCK_ENTRIES
    ):
        hessians = datafit.hessian_blocks(weights)
        task_basis = getattr(penalty, "task_basis", None)
        if task_basis is not None:
            basis, curvature, intercept_hessian = task_basis(n_outputs)
            if not _couples_intercepts(penalty):
                intercept_hessian = np.zeros((n_outputs, n_outputs))
            # a direction neither the data nor the penalty curves (the
            # tasks' common vector of a centred structure, on constant
            # features) keeps the blocks invertible at the data's scale
            floor = 1e-12 * max(float(np.abs(hessians).max(initial=0.0)), 1.0)
            return _SpectralBlockMetric(
                hessians, basis, np.maximum(curvature, floor), intercept_hessian
            )
        coupling = np.zeros(n_features + 1)
        coupling[:-1] = getattr(penalty, "coupling", lambda n: 0.0)(n_outputs)
        coupling[-1] = _intercept_part(penalty, "intercept_coupling", n_outputs)
        shift = np.vstack([np.tile(diagonal, (n_features, 1)), intercept_diagonal])
        shifts = np.maximum(shift + coupling[:, None], 1e-12).T
        if np.any(coupling > 0):
            return _CoupledBlockMetric(hessians, shifts, coupling)
        index = np.arange(n_features + 1)
        hessians[:, index, index] += shifts
        return _BlockMetric(hessians)
    m_W = datafit.hessian_diagonal(weights) + diagonal
    return _DiagonalMetric(np.maximum(m_W, 1e-12), m_b + intercept_diagonal)


def _intercept_part(penalty, name, n_outputs):
    """A penalty's term on the intercepts (zero when it has none)."""
    if getattr(penalty, "intercept_alpha", 0.0) > 0:
        return getattr(penalty, name)(n_outputs)
    return 0.0


def _refreshed(metric, datafit):
    """Whether :func:`fista` rebuilds this metric at each check.

    A per-entry diagonal (Jacobi) metric of a datafit whose curvature is
    local (the logistic loss) is cheap to rebuild; the local
    curvature of the logistic loss falls as the fit sharpens (most of all
    for rare labels), and a metric from the start then keeps the steps too
    short: on sparse text-like data rebuilding it at each optimality check
    halved the iterations. On a dense X (yeast) it gained nothing (150 ->
    160 iterations) for a product with ``X**2`` formed each time: sparse X
    only.
    """
    return (
        sparse.issparse(datafit.X)
        and getattr(datafit, "local_curvature", False)
        and type(metric) is _DiagonalMetric
        and np.ndim(metric.m_W) == 2
    )


# Newton steps on the support (:func:`_newton_steps`) need the features'
# correlation (a Gram matrix of X, ``n p^2`` products): formed when it costs
# at most about ten gradients (``2 n p k`` products each), p <= 20 k.
_NEWTON_GRAM_RATIO = 20
# Conjugate-gradient iterations of one Newton step, and the decrease of the
# residual they aim for (an inexact Newton step: fast far from the optimum,
# still superlinear near it as the gradient shrinks).
_NEWTON_CG_ITER = 50
_NEWTON_CG_RTOL = 0.1


def _takes_newton_steps(datafit, penalty):
    """Whether :func:`fista` takes Newton steps at its optimality checks.

    They need a penalty smooth on its support (``support_curvature``,
    ``'l21'``), a datafit with exact Hessian weights (``hessian_weights``,
    the logistic loss) and a small dense X.
    """
    X = datafit.X
    return bool(
        callable(getattr(penalty, "support_curvature", None))
        and callable(getattr(datafit, "hessian_weights", None))
        and isinstance(X, np.ndarray)
        and X.shape[1]
        <= min(_MAX_BLOCK_FEATURES, _NEWTON_GRAM_RATIO * datafit.n_outputs)
    )


def _feature_correlation(X):
    """The correlation matrix of the columns of a dense X (1 on the diagonal)."""
    centred = X - X.mean(axis=0)
    gram = centred.T @ centred
    scale = np.sqrt(np.maximum(np.diag(gram), 1e-300))
    correlation = gram / np.outer(scale, scale)
    np.fill_diagonal(correlation, 1.0)
    return correlation


def _newton_direction(
    datafit, penalty, W, Z, G_W, G_b, support, curvature, correlation, metric=None
):
    """The Newton direction on the support by preconditioned conjugate gradient.

    Solves ``H d = -G`` (``G`` the objective's gradient on the support rows
    and the intercepts, ``H`` its Hessian: the datafit's through X with the
    exact Hessian weights, plus the penalty's ``curvature``) to a relative
    residual of ``_NEWTON_CG_RTOL``. The preconditioner is ``S_t C S_t`` per
    output (plus the penalty's diagonal), ``C`` the features' correlation
    and ``S_t`` the square root of the datafit Hessian's diagonal: Jacobi
    scaling plus the correlation of the features, what makes a diagonal
    metric slow. ``metric``, the preconditioner of an earlier step on the
    same support, is reused: on yeast its inverse took a fifth of the time
    and a fresh one saved no iteration. Returns ``(d_W, d_b, metric)``,
    ``d_W`` zero off the support.
    """
    fit_b = datafit.fit_intercept
    _, p_product, p_diag = curvature
    h = datafit.hessian_weights(Z)
    if metric is None:
        diag = np.vstack(
            [datafit.hessian_diagonal(h)[support], datafit._column_sums(h)]
        )
        root = np.sqrt(np.maximum(diag, 1e-12 * max(float(diag.max()), 1e-300))).T
        n_support = int(support.sum())
        C = np.eye(n_support + 1)
        C[:-1, :-1] = correlation[np.ix_(support, support)]
        C[np.diag_indices(n_support)] += 1e-6  # collinear features
        blocks = C * root[:, :, None] * root[:, None, :]
        index = np.arange(n_support)
        blocks[:, index, index] += p_diag.T
        metric = _BlockMetric(blocks)
    full = np.zeros_like(W)

    def precondition(r_W, r_b):
        out_W, out_b = metric.direction(r_W, r_b)
        return out_W, (out_b if fit_b else np.zeros_like(r_b))

    def hessian(d_W, d_b):
        full[support] = d_W
        h_W, h_b = datafit.backward(h * datafit.linear(full, d_b))
        return h_W[support] + p_product(d_W), (h_b if fit_b else np.zeros_like(h_b))

    d_W, d_b = np.zeros_like(G_W), np.zeros_like(G_b)
    r_W, r_b = -G_W, -G_b
    z_W, z_b = precondition(r_W, r_b)
    p_W, p_b = z_W, z_b
    rz = float(np.sum(r_W * z_W) + r_b @ z_b)
    target = _NEWTON_CG_RTOL * _norm(r_W, r_b)
    for _ in range(_NEWTON_CG_ITER):
        q_W, q_b = hessian(p_W, p_b)
        step_curvature = float(np.sum(p_W * q_W) + p_b @ q_b)
        if not step_curvature > 0:
            break
        step = rz / step_curvature
        d_W, d_b = d_W + step * p_W, d_b + step * p_b
        r_W, r_b = r_W - step * q_W, r_b - step * q_b
        if _norm(r_W, r_b) <= target:
            break
        z_W, z_b = precondition(r_W, r_b)
        rz_new = float(np.sum(r_W * z_W) + r_b @ z_b)
        p_W, p_b = z_W + (rz_new / rz) * p_W, z_b + (rz_new / rz) * p_b
        rz = rz_new
    full[:] = 0.0
    full[support] = d_W
    return full, d_b, metric


def _newton_steps(
    datafit, penalty, W, b, Z, grad_W, grad_b, *, tol, max_steps, correlation
):
    """Newton steps on the support of a row-separable penalty, from ``(W, b)``.

    Where the rows of ``W`` are nonzero an ``'l21'`` penalty is smooth; with
    the support fixed (zero rows kept at zero) each step solves the Newton
    system of the datafit plus the penalty inexactly
    (:func:`_newton_direction`), then backtracks on the true objective
    (Armijo). Proximal-gradient steps find the support; these steps converge
    on it superlinearly (proximal Newton: Lee, Sun & Saunders 2014). On
    yeast (14 tasks, ``alpha = 1/n``) 150 accelerated steps became 10 and
    4 Newton steps.

    The steps stop when the violation falls below ``tol``; when it falls by
    less than half or the line search shortens the step below 1/4 (the
    Newton model is not yet accurate there); and when the zero rows hold
    more than half of it (the support must grow). Returns ``(W, b, Z,
    n_steps, violation)`` with the last point's violation.
    """
    fit_b = datafit.fit_intercept
    n_steps, violation = 0, np.inf
    metric = previous_support = None
    while n_steps < max_steps:
        curvature = penalty.support_curvature(W)
        support, p_grad = curvature[0], curvature[1]
        rows = penalty.row_distance(W, grad_W)
        violation = float(np.sqrt(np.sum(rows**2) + np.sum(grad_b**2)))
        if violation <= tol or not support.any():
            break
        if np.sqrt(np.sum(rows[~support] ** 2)) > 0.5 * violation:
            break
        G_W = grad_W[support] + p_grad
        G_b = grad_b if fit_b else np.zeros_like(grad_b)
        if previous_support is None or not np.array_equal(support, previous_support):
            metric = None
        previous_support = support
        try:
            d_W, d_b, metric = _newton_direction(
                datafit,
                penalty,
                W,
                Z,
                G_W,
                G_b,
                support,
                curvature[1:],
                correlation,
                metric,
            )
        except np.linalg.LinAlgError:  # a singular preconditioner: no Newton step
            break
        slope = float(np.sum(G_W * d_W[support]) + G_b @ d_b)
        if not slope < 0:
            break
        # backtracking on the objective, the penalty's true value included
        value = _smooth_value(datafit, penalty, W, b, Z) + penalty.value(W)
        t = 1.0
        for _ in range(20):
            new_W, new_b = W + t * d_W, b + t * d_b
            new_Z = datafit.linear(new_W, new_b)
            with np.errstate(over="ignore", invalid="ignore"):
                new_value = _smooth_value(datafit, penalty, new_W, new_b, new_Z)
                new_value += penalty.value(new_W)
            if new_value <= value + 1e-4 * t * slope:
                break
            t *= 0.5
        else:
            break  # no decrease along the Newton direction
        W, b, Z = new_W, new_b, new_Z
        grad_W, grad_b = datafit.backward(datafit.loss_gradient(Z))
        if not fit_b:
            grad_b = np.zeros_like(grad_b)
        n_steps += 1
        previous = violation
        violation = _violation(datafit, penalty, W, b, grad_W, grad_b)
        _check_finite(violation, "gradient", n_steps)
        if violation <= tol or t < 0.25 or violation > 0.5 * previous:
            break
    return W, b, Z, n_steps, violation


def fista(datafit, penalty, W, b, *, tol=1e-4, max_iter=1000, check_every=10):
    """Accelerated proximal gradient on ``datafit + penalty`` from ``(W, b)``.

    The steps are taken in a metric (:func:`_metric`) scaled by a multiplier
    found by backtracking, which may also shrink again (10% per iteration,
    down to the last multiplier found too small):
    the standard FISTA for a scalar metric, a variable-metric
    (preconditioned) FISTA otherwise. A per-entry diagonal metric of the
    logistic loss on a sparse X follows the local curvature: it is rebuilt
    at each optimality check (:func:`_refreshed`). For a penalty smooth on
    its support (``'l21'``) and a datafit with exact Hessian weights
    (logistic) on a small dense X, each check also takes Newton steps on
    the support while they converge fast (:func:`_newton_steps`); each
    counts as one iteration. One search halves the step at most
    60 times; a search that finds no descent step by then ends the solve
    (not converged), so the solver stops within ``max_iter`` iterations
    whatever the data. An objective or gradient that becomes inf or NaN is
    a ``ValueError`` naming it.

    Parameters
    ----------
    datafit : Datafit
    penalty : Penalty
    W : ndarray of shape (n_features, n_outputs)
        Starting coefficients (warm start); not modified.
    b : ndarray of shape (n_outputs,)
        Starting intercepts; kept at their value when the datafit has no
        intercept.
    tol : float, default=1e-4
        Stop when the optimality violation is below ``tol``.
    max_iter : int, default=1000
        Maximum number of proximal-gradient steps.
    check_every : int, default=10
        Iterations between two optimality checks (each costs one gradient).

    Returns
    -------
    result : SolverResult
    """
    check_penalty(penalty)
    fit_b = datafit.fit_intercept
    x_W, x_b = np.array(W, dtype=np.float64), np.array(b, dtype=np.float64)
    x_Z = datafit.linear(x_W, x_b)
    metric = _metric(datafit, penalty, x_Z)
    y_W, y_b, y_Z = x_W, x_b, x_Z
    scale, too_long = 1.0, 1e-3  # the metric's multiplier; the last bad one
    momentum = 1.0
    violation = np.inf
    newton = _takes_newton_steps(datafit, penalty)
    correlation = None  # formed at the first Newton step
    n_newton = 0  # Newton steps taken at the checks, counted as iterations
    for n_iter in range(1, max_iter + 1):
        with np.errstate(over="ignore", invalid="ignore"):
            f_y, g_W, g_b = _smooth_value_and_gradient(datafit, penalty, y_W, y_b, y_Z)
            dir_W, dir_b = metric.direction(g_W, g_b)
        _check_finite(f_y, "objective or gradient", n_iter, g_W, dir_W, dir_b)
        f_new = np.nan
        for _ in range(_MAX_BACKTRACKS):  # backtracking on the metric's scale
            with np.errstate(over="ignore", invalid="ignore"):
                V = y_W - dir_W / scale
                new_b = y_b - dir_b / scale if fit_b else y_b
            if not (np.all(np.isfinite(V)) and np.all(np.isfinite(new_b))):
                too_long = max(too_long, scale)
                scale *= 2.0
                continue
            new_W = V if penalty.smooth else penalty.prox(V, metric.prox_step() / scale)
            with np.errstate(over="ignore", invalid="ignore"):
                new_Z = datafit.linear(new_W, new_b)
                d_W, d_b = new_W - y_W, new_b - y_b
                sq = metric.sqnorm(d_W, d_b)
                bound = f_y + float(np.sum(g_W * d_W) + g_b @ d_b) + 0.5 * scale * sq
                f_new = _smooth_value(datafit, penalty, new_W, new_b, new_Z)
            if f_new <= bound + 1e-12 * abs(f_y) or sq == 0.0:
                break
            too_long = max(too_long, scale)
            scale *= 2.0
        else:  # no descent step even 1e18 times shorter than the metric's
            if not (np.isfinite(f_new) and np.all(np.isfinite(V))):
                raise _non_finite_error("objective in the line search", n_iter)
            break  # stalled: the result is the last iterate, not converged
        # gradient-based adaptive restart: momentum pointing uphill
        if (
            float(np.sum((y_W - new_W) * (new_W - x_W)) + (y_b - new_b) @ (new_b - x_b))
            > 0
        ):
            momentum = 1.0
            y_W, y_b, y_Z = new_W, new_b, new_Z
        else:
            next_momentum = 0.5 * (1.0 + np.sqrt(1.0 + 4.0 * momentum**2))
            beta = (momentum - 1.0) / next_momentum
            momentum = next_momentum
            y_W = new_W + beta * (new_W - x_W)
            y_b = new_b + beta * (new_b - x_b)
            y_Z = new_Z + beta * (new_Z - x_Z)
        x_W, x_b, x_Z = new_W, new_b, new_Z
        # try a 10% longer step next time (the curvature met along the way is
        # often below the start's), never beyond the last step found too
        # long, and only while the objective still falls measurably (near
        # the optimum the decrease test is within rounding and would accept
        # any step)
        if f_y - f_new > 1e-9 * abs(f_y):
            scale = max(0.9 * scale, too_long)
        if n_iter % check_every == 0 or n_iter == max_iter:
            grad_W, grad_b = datafit.backward(datafit.loss_gradient(x_Z))
            if _couples_intercepts(penalty):
                grad_b = grad_b + penalty.intercept_gradient(x_b)
            if not fit_b:
                grad_b = np.zeros_like(grad_b)
            violation = _violation(datafit, penalty, x_W, x_b, grad_W, grad_b)
            _check_finite(violation, "gradient", n_iter)
            if violation <= tol:
                return SolverResult(x_W, x_b, n_iter + n_newton, violation, True)
            if newton and n_iter + n_newton < max_iter:
                if correlation is None:
                    correlation = _feature_correlation(datafit.X)
                x_W, x_b, x_Z, steps, newton_violation = _newton_steps(
                    datafit,
                    penalty,
                    x_W,
                    x_b,
                    x_Z,
                    grad_W,
                    grad_b,
                    tol=tol,
                    max_steps=max_iter - n_iter - n_newton,
                    correlation=correlation,
                )
                n_newton += steps
                if steps:
                    violation = newton_violation
                    if violation <= tol:
                        return SolverResult(
                            x_W, x_b, n_iter + n_newton, violation, True
                        )
                    # the accelerated steps restart from the Newton point
                    y_W, y_b, y_Z, momentum = x_W, x_b, x_Z, 1.0
            if n_iter + n_newton >= max_iter:
                return SolverResult(x_W, x_b, n_iter + n_newton, violation, False)
            if _refreshed(metric, datafit):
                # the local curvature met along the way: a fresh Jacobi
                # scaling (one product with X squared, as a gradient), and
                # the longest step found too long forgotten with the old one
                metric = _metric(datafit, penalty, x_Z)
                too_long = 1e-3
    else:
        return SolverResult(x_W, x_b, max_iter, violation, False)
    # the line search stalled: report the optimality violation where it stopped
    grad_W, grad_b = datafit.backward(datafit.loss_gradient(x_Z))
    if _couples_intercepts(penalty):
        grad_b = grad_b + penalty.intercept_gradient(x_b)
    if not fit_b:
        grad_b = np.zeros_like(grad_b)
    violation = _violation(datafit, penalty, x_W, x_b, grad_W, grad_b)
    _check_finite(violation, "gradient", n_iter)
    return SolverResult(x_W, x_b, n_iter, violation, violation <= tol)


def _hessian_product(datafit, penalty, d_W, d_b):
    """The Hessian of a quadratic objective applied to ``(d_W, d_b)``."""
    h_W, h_b = datafit.backward(datafit.curvature_weights() * datafit.linear(d_W, d_b))
    h_W = h_W + penalty.gradient(d_W)
    if _couples_intercepts(penalty):
        h_b = h_b + penalty.intercept_gradient(d_b)
    return h_W, h_b


def conjugate_gradient(datafit, penalty, W, b, *, tol=1e-4, max_iter=1000):
    """Preconditioned conjugate gradient, for a quadratic objective.

    With the squared loss and a smooth (quadratic) penalty the objective is
    a quadratic whose gradient is the optimality violation itself; conjugate
    gradient, preconditioned by the same metric as :func:`fista`, minimises
    it in far fewer Hessian products than accelerated gradient steps. Same
    arguments and result as :func:`fista`.
    """
    fit_b = datafit.fit_intercept
    W, b = np.array(W, dtype=np.float64), np.array(b, dtype=np.float64)
    Z = datafit.linear(W, b)
    metric = _metric(datafit, penalty, Z)

    def residual(W, b):  # minus the gradient of the objective
        _, g_W, g_b = _smooth_value_and_gradient(
            datafit, penalty, W, b, datafit.linear(W, b)
        )
        return -g_W, (-g_b if fit_b else np.zeros_like(g_b))

    r_W, r_b = residual(W, b)
    violation = _norm(r_W, r_b)
    _check_finite(violation, "gradient", 0)
    if violation <= tol:
        return SolverResult(W, b, 0, violation, True)
    z_W, z_b = metric.direction(r_W, r_b)
    z_b = z_b if fit_b else np.zeros_like(z_b)
    p_W, p_b = z_W, z_b
    rz = float(np.sum(r_W * z_W) + r_b @ z_b)
    best = violation, W, b  # the iterate of least (recursive) residual
    n_iter = 0
    for n_iter in range(1, max_iter + 1):
        with np.errstate(over="ignore", invalid="ignore"):
            h_W, h_b = _hessian_product(datafit, penalty, p_W, p_b)
            curvature = float(np.sum(p_W * h_W) + p_b @ h_b)
            # a flat direction (nothing left to gain), or rounding noise
            # grown past float64: stop at the best iterate
            if not np.isfinite(curvature) or curvature <= 0:
                break
            step = rz / curvature
            W, b = W + step * p_W, b + step * p_b
            if n_iter % 50 == 0:  # refresh the residual against drift
                r_W, r_b = residual(W, b)
            else:
                r_W, r_b = r_W - step * h_W, (r_b - step * h_b) if fit_b else r_b
            violation = _norm(r_W, r_b)
        # once the residual is at the rounding level of the data (tol too
        # small for their scale), it only grows: stop when it has grown far
        # past the least one met
        if not np.isfinite(violation) or violation > 1e3 * best[0]:
            break
        if violation < best[0]:
            best = violation, W, b
        if violation <= tol:
            r_W, r_b = residual(W, b)  # confirm on the true gradient
            violation = _norm(r_W, r_b)
            if violation <= tol:
                return SolverResult(W, b, n_iter, violation, True)
        z_W, z_b = metric.direction(r_W, r_b)
        z_b = z_b if fit_b else np.zeros_like(z_b)
        rz_new = float(np.sum(r_W * z_W) + r_b @ z_b)
        p_W, p_b = z_W + (rz_new / rz) * p_W, z_b + (rz_new / rz) * p_b
        rz = rz_new
    _, W, b = best
    r_W, r_b = residual(W, b)
    violation = _norm(r_W, r_b)
    _check_finite(violation, "gradient", n_iter)
    return SolverResult(W, b, n_iter, violation, violation <= tol)


def _norm(r_W, r_b):
    """The Frobenius norm of ``(r_W, r_b)`` (inf when it overflows)."""
    with np.errstate(over="ignore", invalid="ignore"):
        return float(np.sqrt(np.sum(r_W**2) + np.sum(r_b**2)))


def solve(datafit, penalty, W, b, *, tol=1e-4, max_iter=1000, working_set=None):
    """Minimise ``datafit(W, b) + penalty(W)``; the solver of every estimator.

    Parameters
    ----------
    datafit, penalty
        See :mod:`mtlearn.linear_model._base`.
    W : ndarray of shape (n_features, n_outputs)
        Start (warm start or zeros).
    b : ndarray of shape (n_outputs,)
        Start of the intercepts.
    tol : float, default=1e-4
        Target optimality violation (see :func:`fista`).
    max_iter : int, default=1000
        Maximum total number of proximal-gradient steps.
    working_set : bool, default=None
        Use working sets (``l21`` only); None means when the penalty is
        ``l21`` and there are more than 500 features (below that, solving on
        all features at once is as fast).

    Returns
    -------
    result : SolverResult
    """
    n_features = W.shape[0]
    if penalty.smooth and getattr(datafit, "quadratic", False):
        return conjugate_gradient(datafit, penalty, W, b, tol=tol, max_iter=max_iter)
    if working_set is None:
        working_set = isinstance(penalty, L21) and n_features > 500
    if not working_set:
        return fista(datafit, penalty, W, b, tol=tol, max_iter=max_iter)
    if not isinstance(penalty, L21):
        raise ValueError("working sets need a row-separable penalty ('l21').")
    W = np.array(W, dtype=np.float64)
    b = np.array(b, dtype=np.float64)
    n_iter = 0
    ws_size = 10
    violation = np.inf
    while n_iter < max_iter:
        grad_W, grad_b = datafit.backward(datafit.loss_gradient(datafit.linear(W, b)))
        if not datafit.fit_intercept:
            grad_b = np.zeros_like(grad_b)
        scores = penalty.row_distance(W, grad_W)
        violation = float(np.sqrt(np.sum(scores**2) + np.sum(grad_b**2)))
        if violation <= tol:
            return SolverResult(W, b, n_iter, violation, True)
        active = np.linalg.norm(W, axis=1) > 0
        ws_size = max(ws_size, _WS_GROWTH * int(active.sum()))
        if sparse.issparse(datafit.X):
            # every violating feature at once, when they screen (at most
            # half of the features); see _WS_GROWTH
            violating = int(np.sum(scores > 0))
            if violating <= n_features // 2:
                ws_size = max(ws_size, violating)
        if ws_size > n_features // 2:  # most features in play: take them all
            ws_size = n_features
        scores[active] = np.inf  # the support stays in the working set
        ws = np.sort(np.argpartition(-scores, ws_size - 1)[:ws_size])
        # the inner problems are solved only as far as the outer violation
        # warrants: loosely while the working set is still growing
        inner = fista(
            datafit.restrict(ws),
            penalty,
            W[ws],
            b,
            tol=tol if ws_size == n_features else 0.3 * max(tol, 0.1 * violation),
            max_iter=max_iter - n_iter,
        )
        n_iter += inner.n_iter
        W[:] = 0.0
        W[ws] = inner.W
        b = inner.b
        if ws_size == n_features:
            return SolverResult(W, b, n_iter, inner.violation, inner.converged)
        ws_size = _WS_GROWTH * ws_size
    return SolverResult(W, b, n_iter, violation, False)


def alpha_max(datafit, penalty):
    """The start of a regularisation path, for ``penalty`` at ``alpha = 1``.

    For ``'l21'`` the largest row norm, for ``'trace'`` the spectral norm, of
    the datafit's gradient at ``W = 0`` (with the optimal intercepts): the
    smallest ``alpha`` whose solution is ``W = 0``. The smooth penalties
    never give exactly zero: ``'l2'`` starts at the datafit's Lipschitz
    constant ``L`` (the ridge then halves the coefficients at least), the
    couplings ``'mean'`` and ``'graph'`` where their curvature is ``100 L``
    (the tasks' coefficients are then all but equal).
    """
    n_features, n_outputs = datafit.X.shape[1], datafit.n_outputs
    if not penalty.smooth:
        b = datafit.null_intercept() if datafit.fit_intercept else np.zeros(n_outputs)
        grad_W, _ = datafit.gradient(np.zeros((n_features, n_outputs)), b)
        if getattr(penalty, "row_separable", False):
            return float(np.linalg.norm(grad_W, axis=1).max())
        return float(np.linalg.norm(grad_W, ord=2))
    L = float(datafit.lipschitz())
    if not hasattr(penalty, "intercept_alpha"):  # independent tasks
        return L
    per_alpha = (penalty.lipschitz() - penalty.l2_reg) / penalty.alpha
    return 100.0 * L / max(per_alpha, 1e-12)
