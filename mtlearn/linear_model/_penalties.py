"""Penalties on the coefficient matrix W of shape (n_features, n_outputs).

Each is ``alpha * P(W) + l2_reg / 2 * ||W||_F^2`` with ``P`` one of the
structures below; see :class:`mtlearn.linear_model._base.Penalty` for the
protocol. Columns of ``W`` are outputs (one per regression or binary task).
"""

import numpy as np


def check_task_graph(task_graph, n_tasks):
    """Validate a task-similarity matrix: (n_tasks, n_tasks), symmetric, >= 0."""
    try:
        A = np.asarray(task_graph, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(
            "task_graph must be a numeric (n_tasks, n_tasks) matrix of task "
            f"similarities; got entries that are not numbers: {task_graph!r}."
        ) from None
    if A.shape != (n_tasks, n_tasks):
        raise ValueError(
            f"task_graph must be a square matrix with one row and column per "
            f"task, shape ({n_tasks}, {n_tasks}); got shape {A.shape}."
        )
    if not np.all(np.isfinite(A)):
        raise ValueError("task_graph must hold finite values (no NaN or inf).")
    if np.any(A < 0):
        raise ValueError("task_graph must be non-negative (similarities >= 0).")
    if not np.allclose(A, A.T):
        raise ValueError("task_graph must be symmetric (A[s, t] == A[t, s]).")
    return A


class _Penalty:
    smooth = False

    def __init__(self, alpha=1.0, l2_reg=0.0):
        self.alpha = float(alpha)
        self.l2_reg = float(l2_reg)

    def _ridge(self, W):
        return 0.5 * self.l2_reg * float(np.sum(W**2))


class _SmoothPenalty(_Penalty):
    smooth = True

    def distance(self, W, grad):
        return float(np.linalg.norm(grad + self.gradient(W)))


class L2(_SmoothPenalty):
    """Ridge on every task independently: ``alpha / 2 * ||W||_F^2``."""

    def diagonal(self, n_outputs):
        return np.full(n_outputs, self.alpha + self.l2_reg)

    def value(self, W):
        return 0.5 * self.alpha * float(np.sum(W**2)) + self._ridge(W)

    def gradient(self, W):
        return (self.alpha + self.l2_reg) * W

    def lipschitz(self):
        return self.alpha + self.l2_reg


class L21(_Penalty):
    """Joint feature selection: ``alpha * sum_j ||W_j,:||_2`` over rows.

    Its prox shrinks each row's norm by ``step * alpha`` (group soft
    thresholding); a feature is kept or dropped for all tasks at once
    (Obozinski, Taskar & Jordan 2010; Argyriou, Evgeniou & Pontil 2008).
    ``step`` may be a scalar, one value per row or one per entry (a prox
    in a diagonal metric).
    """

    row_separable = True

    def value(self, W):
        return self.alpha * float(np.linalg.norm(W, axis=1).sum()) + self._ridge(W)

    def prox(self, V, step):
        shrink = 1.0 + step * self.l2_reg
        if np.ndim(step) == 2 and np.shape(step)[1] > 1:
            return self._weighted_prox(V / shrink, step / shrink)
        threshold = step * self.alpha / shrink
        norms = np.linalg.norm(V, axis=1, keepdims=True) / shrink
        scale = np.maximum(1.0 - threshold / np.maximum(norms, 1e-300), 0.0)
        return V / shrink * scale

    def _weighted_prox(self, V, step):
        """Group soft-thresholding with one step per entry.

        Minimises ``sum_jt (w_jt - v_jt)^2 / (2 s_jt) + alpha sum_j ||w_j||``:
        row ``j`` is zero when ``||v_j / s_j|| <= alpha``, otherwise
        ``w_jt = v_jt r / (r + alpha s_jt)`` with ``r = ||w_j||`` the root of
        ``sum_t (v_jt / (r + alpha s_jt))^2 = 1``, a convex decreasing
        function of ``r`` solved by Newton's method from a point below the
        root (so every iterate stays below it).
        """
        a_s = self.alpha * step
        keep = np.linalg.norm(V / step, axis=1) > self.alpha
        out = np.zeros_like(V)
        if not np.any(keep):
            return out
        v, a_s = V[keep], a_s[keep]
        r = np.maximum(np.linalg.norm(v, axis=1) - a_s.max(axis=1), 0.0)
        for _ in range(50):
            q = v / (r[:, None] + a_s)
            psi = np.sum(q**2, axis=1) - 1.0
            slope = -2.0 * np.sum(q**2 / (r[:, None] + a_s), axis=1)
            update = psi / slope
            r = r - update
            if np.all(np.abs(update) <= 1e-12 * np.maximum(r, 1e-300)):
                break
        out[keep] = v * (r[:, None] / (r[:, None] + a_s))
        return out

    def row_distance(self, W, grad):
        """Per feature, the distance of ``-grad_j`` to the row's subdifferential."""
        G = grad + self.l2_reg * W
        norms = np.linalg.norm(W, axis=1)
        active = norms > 0
        out = np.maximum(np.linalg.norm(G, axis=1) - self.alpha, 0.0)
        if np.any(active):
            unit = W[active] / norms[active, None]
            out[active] = np.linalg.norm(G[active] + self.alpha * unit, axis=1)
        return out

    def distance(self, W, grad):
        return float(np.linalg.norm(self.row_distance(W, grad)))

    def support_curvature(self, W):
        """The penalty as a smooth function on the rows where ``W`` is nonzero.

        There ``alpha ||w_j||`` is twice differentiable, with gradient
        ``alpha u_j`` and Hessian ``alpha (I - u_j u_j^T) / ||w_j||``
        (``u_j = w_j / ||w_j||``), plus the ridge: the solver's Newton
        steps on the support use them.

        Returns
        -------
        support : ndarray of shape (n_features,), dtype=bool
            The nonzero rows.
        gradient : ndarray of shape (n_support, n_outputs)
            The penalty's gradient on those rows.
        product : callable
            ``product(D)``, the Hessian on those rows applied to ``D`` of
            shape (n_support, n_outputs).
        diagonal : ndarray of shape (n_support, n_outputs)
            The Hessian's diagonal on those rows.
        """
        norms = np.linalg.norm(W, axis=1)
        support = norms > 0
        r = norms[support, None]
        U = W[support] / r
        a, ridge = self.alpha, self.l2_reg

        def product(D):
            return a * (D - U * np.sum(U * D, axis=1, keepdims=True)) / r + ridge * D

        gradient = a * U + ridge * W[support]
        return support, gradient, product, a * (1.0 - U**2) / r + ridge


class Trace(_Penalty):
    """Low rank: the nuclear norm ``alpha * sum_k sigma_k(W)``.

    Its prox soft-thresholds the singular values (Ji & Ye 2009; Pong et al.
    2010): tasks share a low-dimensional subspace of the features.
    """

    def value(self, W):
        sigma = np.linalg.svd(W, compute_uv=False)
        return self.alpha * float(sigma.sum()) + self._ridge(W)

    def prox(self, V, step):
        shrink = 1.0 + step * self.l2_reg
        U, sigma, Vt = np.linalg.svd(V / shrink, full_matrices=False)
        sigma = np.maximum(sigma - step * self.alpha / shrink, 0.0)
        keep = sigma > 0
        return (U[:, keep] * sigma[keep]) @ Vt[keep]

    def distance(self, W, grad):
        # subdifferential at W = U S V^T (rank r): U V^T + N with U^T N = 0,
        # N V = 0, ||N||_2 <= 1. Split -grad into its part on the tangent
        # space of rank-r matrices and the rest.
        P = -(grad + self.l2_reg * W)
        U, sigma, Vt = np.linalg.svd(W, full_matrices=False)
        rank = int(np.sum(sigma > 1e-12 * max(sigma[0] if sigma.size else 0, 1e-300)))
        U, V = U[:, :rank], Vt[:rank].T
        UtP = U.T @ P
        PV = P @ V
        tangent = U @ UtP + PV @ V.T - U @ (UtP @ V) @ V.T
        normal = P - tangent
        inside = float(np.sum((tangent - self.alpha * U @ V.T) ** 2))
        sigma_n = np.linalg.svd(normal, compute_uv=False)
        outside = float(np.sum(np.maximum(sigma_n - self.alpha, 0.0) ** 2))
        return float(np.sqrt(inside + outside))


class _CouplingPenalty(_SmoothPenalty):
    """A smooth coupling of the outputs, ``alpha * P(W)``, that can also
    couple the intercepts: ``intercept_alpha * P(b)`` with ``b`` as one row.
    """

    def __init__(self, alpha=1.0, l2_reg=0.0, *, intercept_alpha=0.0):
        super().__init__(alpha, l2_reg)
        self.intercept_alpha = float(intercept_alpha)

    def value(self, W):
        return self.alpha * self._structure(W) + self._ridge(W)

    def gradient(self, W):
        return self.alpha * self._structure_gradient(W) + self.l2_reg * W

    def intercept_value(self, b):
        return self.intercept_alpha * self._structure(b[None, :])

    def intercept_gradient(self, b):
        return self.intercept_alpha * self._structure_gradient(b[None, :])[0]

    def coupling(self, n_outputs):
        """``c`` of a Hessian ``diag(...) - c J`` across outputs (0: none)."""
        return 0.0

    def intercept_coupling(self, n_outputs):
        return 0.0


class Mean(_CouplingPenalty):
    """Tasks pulled to their mean: ``alpha / 2 * sum_t ||w_t - w_bar||^2``.

    ``w_t`` are the columns of ``W`` and ``w_bar`` their mean (Evgeniou &
    Pontil 2004); with ``l2_reg`` the mean itself is shrunk too; with
    ``intercept_alpha`` the intercepts are pulled to their mean as well.
    """

    def _structure(self, W):
        return 0.5 * float(np.sum((W - W.mean(axis=1, keepdims=True)) ** 2))

    def _structure_gradient(self, W):
        return W - W.mean(axis=1, keepdims=True)

    def lipschitz(self):
        return self.alpha + self.l2_reg

    def diagonal(self, n_outputs):
        return np.full(n_outputs, self.alpha * (1.0 - 1.0 / n_outputs) + self.l2_reg)

    def intercept_diagonal(self, n_outputs):
        return np.full(n_outputs, self.intercept_alpha * (1.0 - 1.0 / n_outputs))

    def coupling(self, n_outputs):
        # the Hessian is diag(alpha + l2_reg) - (alpha / n_outputs) J
        return self.alpha / n_outputs

    def intercept_coupling(self, n_outputs):
        return self.intercept_alpha / n_outputs


class Graph(_CouplingPenalty):
    """Related tasks pulled together: ``alpha/2 sum_{s,t} A_st ||w_s - w_t||^2``.

    Equal to ``alpha * trace(W L W^T)`` with ``L = diag(A 1) - A`` the graph
    Laplacian of the task graph ``A``.

    Parameters
    ----------
    task_graph : array-like of shape (n_outputs, n_outputs)
        Symmetric non-negative similarities between the columns of ``W``.
    """

    def __init__(self, alpha=1.0, l2_reg=0.0, *, task_graph, intercept_alpha=0.0):
        super().__init__(alpha, l2_reg, intercept_alpha=intercept_alpha)
        A = np.asarray(task_graph, dtype=np.float64)
        A = check_task_graph(A, A.shape[0] if A.ndim == 2 else -1)
        self.laplacian = np.diag(A.sum(axis=1)) - A

    def _structure(self, W):
        return float(np.sum((W @ self.laplacian) * W))

    def _structure_gradient(self, W):
        return 2.0 * (W @ self.laplacian)

    def lipschitz(self):
        top = (
            float(np.linalg.eigvalsh(self.laplacian)[-1]) if self.laplacian.size else 0
        )
        return 2.0 * self.alpha * top + self.l2_reg

    def diagonal(self, n_outputs):
        return 2.0 * self.alpha * np.diag(self.laplacian) + self.l2_reg

    def intercept_diagonal(self, n_outputs):
        return 2.0 * self.intercept_alpha * np.diag(self.laplacian)

    def task_basis(self, n_outputs):
        """The eigenbasis of the Laplacian ``L``, the curvature in it, the
        intercepts' Hessian ``2 intercept_alpha L`` (see the protocol)."""
        if getattr(self, "_spectrum", None) is None:
            self._spectrum = np.linalg.eigh(self.laplacian)
        values, vectors = self._spectrum
        curvature = 2.0 * self.alpha * values + self.l2_reg
        return vectors, curvature, 2.0 * self.intercept_alpha * self.laplacian


def _centring(n):
    """The centring matrix ``I - J / n``."""
    return np.eye(n) - 1.0 / max(n, 1)


def _centred_basis(n):
    """An orthonormal basis ``U`` (n, n - 1) of the vectors summing to zero.

    ``U U^T = I - J / n`` and ``U^T 1 = 0``; for ``n = 1`` it is empty.
    """
    if n <= 1:
        return np.zeros((max(n, 0), 0))
    # the eigenvectors of I - J/n for its eigenvalue 1 (0 for the ones)
    return np.linalg.eigh(_centring(n))[1][:, 1:]


class TaskCovariance(_CouplingPenalty):
    """Tasks coupled through a task precision: ``alpha/2 tr(W P W^T)``.

    ``P`` is a symmetric positive semi-definite (n_outputs, n_outputs)
    matrix, the inverse of a task covariance ``Omega``: ``tr(W Omega^{-1}
    W^T)`` is the Gaussian (matrix-normal) prior on the columns of ``W`` with
    covariance ``Omega`` across tasks (Zhang & Yeung 2010). With
    ``intercept_alpha`` the intercepts are coupled the same way after
    centring, ``intercept_alpha/2 (C b)^T P (C b)`` with ``C = I - J/n``: as
    with ``'mean'`` and ``'graph'``, their common level stays free.

    The penalty for a **fixed** ``P``: the learned penalties below
    (:class:`Relationship`, :class:`Cluster`) are this penalty with ``P``
    from their current task structure, plus the closed-form update of that
    structure (:meth:`update`) used by the alternating outer loop
    (:func:`mtlearn.linear_model._alternating.solve_alternating`).
    """

    def __init__(self, alpha=1.0, l2_reg=0.0, *, precision, intercept_alpha=0.0):
        super().__init__(alpha, l2_reg, intercept_alpha=intercept_alpha)
        P = np.asarray(precision, dtype=np.float64)
        self.precision = P = 0.5 * (P + P.T)
        C = _centring(P.shape[0])
        self.intercept_precision = C @ P @ C

    def _structure(self, W):
        return 0.5 * float(np.sum((W @ self.precision) * W))

    def _structure_gradient(self, W):
        return W @ self.precision

    def intercept_value(self, b):
        return 0.5 * self.intercept_alpha * float(b @ self.intercept_precision @ b)

    def intercept_gradient(self, b):
        return self.intercept_alpha * (self.intercept_precision @ b)

    def lipschitz(self):
        if not self.precision.size:
            return self.l2_reg
        return self.alpha * float(np.linalg.eigvalsh(self.precision)[-1]) + self.l2_reg

    def diagonal(self, n_outputs):
        return self.alpha * np.diag(self.precision) + self.l2_reg

    def intercept_diagonal(self, n_outputs):
        return self.intercept_alpha * np.diag(self.intercept_precision)

    def task_basis(self, n_outputs):
        """The eigenbasis ``V`` of ``P``, the curvature in it, the intercepts'.

        On ``W`` the Hessian across outputs is ``alpha P + l2_reg I = V
        diag(alpha lambda + l2_reg) V^T``; on the intercepts it is
        ``intercept_alpha C P C``. The solver's metric inverts the dense
        coupling of ``P`` in this basis.
        """
        if getattr(self, "_spectrum", None) is None:
            self._spectrum = np.linalg.eigh(self.precision)
        values, vectors = self._spectrum
        intercepts = self.intercept_alpha * self.intercept_precision
        return vectors, self.alpha * values + self.l2_reg, intercepts


class _CentredStructure(TaskCovariance):
    """A precision that acts on the tasks' deviations from their mean only.

    ``P = U diag(lambda) U^T`` with ``U`` the orthonormal basis of the
    vectors summing to zero (:func:`_centred_basis`), so ``P 1 = 0``: the
    tasks' common vector ``w_bar`` costs nothing (``l2_reg`` aside), as with
    ``'mean'`` and ``'graph'``. ``lambda`` are the precisions of the learned
    structure in that subspace, with eigenvectors ``U Q``.
    """

    def __init__(self, alpha, l2_reg, *, values, vectors, basis, intercept_alpha):
        directions = basis @ vectors
        super().__init__(
            alpha,
            l2_reg,
            precision=(directions * values) @ directions.T,
            intercept_alpha=intercept_alpha,
        )
        # the full eigenbasis for the solver: the subspace's, then the ones
        n = basis.shape[0]
        ones = np.full((n, 1), 1.0 / np.sqrt(n))
        self._spectrum = np.append(values, 0.0), np.hstack([directions, ones])

    @staticmethod
    def reduced(matrix):
        """``U^T A U`` and ``U`` for a (n, n) matrix ``A``."""
        U = _centred_basis(matrix.shape[0])
        return U.T @ (0.5 * (matrix + matrix.T)) @ U, U


def _symmetric_root(S):
    """``S^{1/2}`` of a symmetric positive semi-definite matrix."""
    values, vectors = np.linalg.eigh(0.5 * (S + S.T))
    return (vectors * np.sqrt(np.maximum(values, 0.0))) @ vectors.T


class Relationship(_CentredStructure):
    """MTRL on the tasks' deviations: ``alpha/2 tr(W C Omega^+ C W^T)``.

    Zhang & Yeung (2010), "A convex formulation for learning task
    relationships in multi-task learning", with the task covariance
    ``Omega`` of the tasks' deviations from their mean ``w_bar`` (``C = I -
    J / n``): ``Omega 1 = 0``, ``tr Omega = 1``, and ``Omega^+`` its inverse
    on the centred subspace. The common vector ``w_bar`` is free, as with
    ``'mean'`` (which is this penalty at ``Omega = C / (n - 1)``, times ``n
    - 1``) and ``'graph'``; on School, where every school shares most of its
    coefficients, the uncentred ``tr(W Omega^{-1} W^T)`` shrank that common
    vector to zero and lost 5 points of explained variance to ``'mean'``.

    For a fixed ``Omega`` this is :class:`TaskCovariance` with ``P =
    Omega^+``. In the basis ``U`` of the centred subspace the minimiser of
    ``tr(S Omega^+)`` for a scatter ``S = C W^T W C + eps C`` is the closed
    form (:meth:`update`)::

        Omega = U R U^T / tr(R),  R = (U^T S U)^{1/2},  min = (tr R)^2

    (``eps > 0`` keeps ``Omega`` invertible on the subspace).

    Parameters
    ----------
    task_covariance : ndarray of shape (n_outputs, n_outputs)
        The current ``Omega``, symmetric, positive definite on the centred
        subspace (its component along the ones vector is ignored).
    """

    def __init__(self, alpha=1.0, l2_reg=0.0, *, task_covariance, intercept_alpha=0.0):
        Omega = np.asarray(task_covariance, dtype=np.float64)
        self.task_covariance = Omega
        reduced, basis = self.reduced(Omega)
        values, vectors = np.linalg.eigh(reduced)
        super().__init__(
            alpha,
            l2_reg,
            values=1.0 / values,
            vectors=vectors,
            basis=basis,
            intercept_alpha=intercept_alpha,
        )

    @staticmethod
    def initial(n_outputs):
        """The start of the alternation: ``C / (n - 1)``, the ``'mean'`` coupling."""
        return _centring(n_outputs) / max(n_outputs - 1, 1)

    @staticmethod
    def update(scatter, eps):
        """The closed-form ``Omega`` for a scatter ``S`` (see the class)."""
        reduced, U = _CentredStructure.reduced(scatter)
        root = _symmetric_root(reduced + eps * np.eye(reduced.shape[0]))
        return U @ root @ U.T / max(float(np.trace(root)), 1e-300)


def cluster_spectrum(sigma2, n_clusters, eta):
    """Eigenvalues ``gamma`` of the relaxed cluster matrix ``M``.

    Minimises ``sum_i sigma2_i / (eta + gamma_i)`` over ``0 <= gamma_i <= 1``,
    ``sum_i gamma_i = n_clusters``: the Lagrange condition gives
    ``gamma_i = clip(theta sqrt(sigma2_i) - eta, 0, 1)`` with ``theta >= 0``
    found by bisection (the sum is non-decreasing in ``theta``). Directions
    with ``sigma2_i = 0`` cost nothing: they take what the others cannot.
    """
    sigma = np.sqrt(np.maximum(sigma2, 0.0))
    k = float(n_clusters)
    if k <= 0:
        return np.zeros_like(sigma)
    positive = sigma > 1e-12 * max(float(sigma.max(initial=0.0)), 1e-300)
    if positive.sum() <= k:  # every direction that costs gets 1
        gamma = positive.astype(np.float64)
        rest = k - gamma.sum()
        if rest > 0:
            gamma[~positive] = rest / max((~positive).sum(), 1)
        return gamma
    lo, hi = 0.0, (1.0 + eta) / sigma[positive].min()
    for _ in range(200):
        theta = 0.5 * (lo + hi)
        total = np.clip(theta * sigma - eta, 0.0, 1.0).sum()
        if total < k:
            lo = theta
        else:
            hi = theta
        if hi - lo <= 1e-15 * hi:
            break
    gamma = np.clip(hi * sigma - eta, 0.0, 1.0)
    return gamma * (k / gamma.sum())  # the bisection's last rounding


class Cluster(_CentredStructure):
    """Clustered multi-task learning, convex relaxation (Zhou, Chen & Ye 2011).

    ``alpha/2 eta (1 + eta) tr(W C (eta I + M)^{-1} C W^T)`` with ``M``
    learned over ``{tr M = k, 0 <= M <= I, M 1 = 1}``, the convex hull of the
    cluster projections ``F F^T`` (``F`` normalised cluster indicators of
    ``k`` clusters; ``F F^T 1 = 1``), and ``C = I - J / n``: the penalty
    acts on the centred subspace, where ``M - J / n`` has trace ``k - 1``.
    At such a projection it is exactly::

        alpha/2 sum_c sum_{t in c} ||w_t - w_bar_c||^2
        + alpha eta/2 sum_t ||w_t - w_bar||^2

    tasks pulled to their cluster's mean and, ``eta`` times weaker, to the
    mean of all tasks, whose common vector ``w_bar`` is free (Jacob, Bach &
    Vert 2008's within- and between-cluster terms; with ``k = 1`` it is
    ``'mean'``). For a fixed ``M`` this is :class:`TaskCovariance` with ``P
    = eta (1 + eta) U (eta I + U^T M U)^{-1} U^T``; :meth:`update` is the
    minimiser over the relaxed set: ``U^T M U = V diag(gamma) V^T`` with
    ``V`` the eigenvectors of ``U^T W^T W U`` (eigenvalues ``sigma2``) and
    ``gamma`` from :func:`cluster_spectrum` with ``k - 1``.

    Parameters
    ----------
    cluster_matrix : ndarray of shape (n_outputs, n_outputs)
        The current ``M`` (its component along the ones vector is ignored).
    eta : float
        Strength of the pull to the mean of all tasks relative to ``alpha``
        (``eta > 0``).
    """

    def __init__(
        self, alpha=1.0, l2_reg=0.0, *, cluster_matrix, eta, intercept_alpha=0.0
    ):
        M = np.asarray(cluster_matrix, dtype=np.float64)
        self.cluster_matrix, self.eta = M, float(eta)
        reduced, basis = self.reduced(M)
        values, vectors = np.linalg.eigh(reduced)
        super().__init__(
            alpha,
            l2_reg,
            values=self.eta * (1.0 + self.eta) / (self.eta + values),
            vectors=vectors,
            basis=basis,
            intercept_alpha=intercept_alpha,
        )

    @staticmethod
    def initial(n_outputs, n_clusters):
        """The start: ``M = J / n + (k - 1) / (n - 1) C``, the set's centre."""
        share = (n_clusters - 1) / max(n_outputs - 1, 1)
        return 1.0 / n_outputs + share * _centring(n_outputs)

    @staticmethod
    def update(scatter, n_clusters, eta):
        """The minimiser of ``tr(S C (eta I + M)^{-1} C)`` over the relaxed set."""
        reduced, U = _CentredStructure.reduced(scatter)
        sigma2, V = np.linalg.eigh(reduced)
        gamma = cluster_spectrum(sigma2, n_clusters - 1, eta)
        directions = U @ V
        n = scatter.shape[0]
        return 1.0 / n + (directions * gamma) @ directions.T


PENALTIES = {
    "l2": L2,
    "l21": L21,
    "trace": Trace,
    "mean": Mean,
    "graph": Graph,
    "relationship": Relationship,
    "cluster": Cluster,
}
