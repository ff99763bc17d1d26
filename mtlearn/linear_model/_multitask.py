"""Regularized multi-task linear models: thin estimators on the one solver."""

import copy
import warnings
from numbers import Integral, Real

import numpy as np
from scipy import sparse
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin, _fit_context
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted

from .._mixins import (
    LogitClassifierMixin,
    MultiTaskClassifierMixin,
    MultiTaskRegressorMixin,
)
from .._targets import check_targets, record_task_names, warn_constant_tasks
from .._validation import check_sample_weight, validate_X
from ._alternating import ClusterLearner, RelationshipLearner, solve_alternating
from ._datafits import (
    LogisticDatafit,
    MultinomialDatafit,
    SquaredDatafit,
    check_magnitudes,
)
from ._penalties import PENALTIES, Graph, check_task_graph
from ._solver import SolverResult, solve

# penalties whose task structure is learned with W by an outer loop
_LEARNED = ("relationship", "cluster")
# penalties that couple the tasks along a task graph (and the intercepts)
_COUPLING = ("mean", "graph", "relationship", "cluster")

_OBJECTIVE_DOC = """\
        min_{W, b}  sum_t (1/n_t) sum_{i observed in t} s_i l_t(y_it, z_it)
                    + alpha * P(W) + l2_reg / 2 * ||W||_F^2
                    + intercept_alpha * P(b),
        z_it = (x_i - x_bar)^T w_t + b_t

    where ``s_i`` is the sample weight, ``n_t`` the sum of the weights of the
    rows where task ``t`` is observed (a missing label leaves its cell out),
    ``x_bar`` the weighted mean of the training rows (so ``b_t`` is task
    ``t``'s prediction there; ``intercept_`` holds the usual intercepts at
    ``x = 0``), the intercepts are free unless ``intercept_alpha > 0`` and
    ``P`` is, by ``penalty``:

    - ``'l2'``: ``||W||_F^2 / 2``, independent tasks (the baseline);
    - ``'l21'``: ``sum_j ||W_j,:||_2``, the features are selected jointly by
      all tasks (Obozinski et al. 2010; Argyriou et al. 2008);
    - ``'trace'``: the nuclear norm of ``W``, a low-rank shared subspace (Ji
      & Ye 2009; Pong et al. 2010);
    - ``'mean'``: ``sum_t ||w_t - w_bar||^2 / 2``, tasks pulled to their mean
      (Evgeniou & Pontil 2004);
    - ``'graph'``: ``sum_{s,t} A_st ||w_s - w_t||^2 / 2`` with ``A`` the
      ``task_graph`` (given, or estimated from the training targets);
    - ``'relationship'``: ``tr(W C Omega^+ C W^T) / 2`` with the task
      covariance ``Omega`` of the tasks' deviations from their mean (``C = I
      - J / n``, ``Omega 1 = 0``, ``tr Omega = 1``, ``Omega^+`` its inverse
      on the vectors summing to zero) learned with ``W`` (MTRL, Zhang &
      Yeung 2010, on the deviations);
    - ``'cluster'``: ``eta (1 + eta) tr(W C (eta I + M)^{-1} C W^T) / 2``
      with ``M`` learned over ``{tr M = k, 0 <= M <= I, M 1 = 1}`` (``k =
      n_task_clusters``, ``eta = cluster_ridge``; convex clustered MTL, Zhou,
      Chen & Ye 2011): at a hard clustering, tasks pulled to their cluster's
      mean, and ``eta`` times weaker to the mean of all tasks (Jacob, Bach &
      Vert 2008's within- and between-cluster terms).

    As with ``'mean'`` and ``'graph'``, the common vector of the tasks
    ``w_bar`` (and the intercepts' common level) costs nothing in the
    coupling penalties; only ``l2_reg`` shrinks it. The learned structures
    start from the ``'mean'`` coupling (``Omega = C / (n - 1)``; ``M = J / n
    + (k - 1) / (n - 1) C``), and ``'cluster'`` with ``k = 1`` is
    ``'mean'``. (The papers' uncentred forms shrink ``w_bar`` to zero: on
    School, where the schools share most of their coefficients, that lost
    about 5 points of explained variance to ``'mean'``.)

    The two learned structures are fitted by an outer loop of block
    coordinate descent: (a) ``W, b`` for the fixed structure, by the solver
    below, warm-started from the previous ``W, b``; (b) the structure for the
    fixed ``W``, in closed form from the centred scatter ``S = C W^T W C``
    (plus ``(intercept_alpha / alpha) C b b^T C`` when the intercepts are
    coupled): in an orthonormal basis ``U`` of the vectors summing to zero,
    ``Omega = U R U^T / tr R`` with ``R = (U^T S U + eps I)^{1/2}`` and
    ``eps = covariance_eps * tr(S) / (n - 1)`` fixed at the first update
    (the term ``alpha eps tr(Omega^+) / 2`` joins the objective), or ``U^T M
    U = V diag(gamma) V^T`` with ``V`` the eigenvectors of ``U^T S U`` and
    ``gamma`` its water-filled spectrum. It stops when an outer iteration
    lowers the objective by at most ``outer_tol`` times its value, or after
    ``max_outer_iter`` iterations (``n_outer_iter_``). Each step lowers the
    objective, which is jointly convex in ``(W, structure)`` (both papers).
    The structures are over the output columns (a task per column; a
    ``K``-class task owns ``K`` of them).

    The solver is accelerated proximal gradient (FISTA with backtracking and
    adaptive restart, its steps scaled by the local curvature; working sets
    for ``'l21'``; preconditioned conjugate gradient for the squared loss
    with a smooth penalty, a quadratic) stopped when the distance of the
    gradient to the penalty's subdifferential is below ``tol``.
"""

_STRUCTURES_DOC = """\
    task_graph_ : ndarray of shape (n_outputs, n_outputs)
            ``'graph'``: the task graph used (given or estimated);
            ``'relationship'``: the positive part of the correlations of
            ``task_covariance_``; ``'cluster'``: the positive entries of the
            learned ``M``. Zero diagonal.
        task_covariance_ : ndarray of shape (n_outputs, n_outputs)
            ``'relationship'``: the learned ``Omega`` (trace 1, ``Omega 1 =
            0``: the covariance of the tasks' deviations from their mean).
        task_clusters_ : ndarray of shape (n_outputs,)
            ``'cluster'``: the cluster of each output column, from the
            learned ``M`` by spectral clustering; -1 for a constant task's.
        n_outer_iter_ : int
            ``'relationship'`` and ``'cluster'``: outer iterations run.
"""

_PARAMETERS_DOC = """\
    penalty : {{'l2', 'l21', 'trace', 'mean', 'graph', 'relationship', \
'cluster'}}, default='l21'
        How the tasks share (see the objective above).
    {alpha}
    l2_reg : float, default=0.0
        Strength of an extra ridge term ``l2_reg / 2 * ||W||_F^2``.
    intercept_alpha : float, default=0.0
        ``'mean'``, ``'graph'``, ``'relationship'`` and ``'cluster'`` only:
        how strongly the intercepts are coupled like the coefficients
        (pulled to their mean, together along the graph, or through the
        learned structure after centring). 0 leaves them free. With few
        rows per task (many small groups, as schools or stores) a free
        intercept is noisy; a coupling weaker than ``alpha`` usually
        predicts best.
    task_graph : array-like of shape (n_tasks, n_tasks) or str, default=None
        ``penalty='graph'`` only (required by it): symmetric, non-negative
        task similarities ``A``, or the name of a rule of
        :func:`mtlearn.task_graph.estimate_task_graph` (such as ``'auto'``)
        that estimates ``A`` at fit from the **training** targets only
        (missing labels left out). ``task_graph_`` holds the graph used.
    n_task_clusters : int, default=2
        ``penalty='cluster'``: the number of task clusters ``k`` (at most
        the number of outputs; a larger value is taken as that number,
        which leaves every task in its own cluster: every task pulled to the
        mean of all with the strength ``alpha * cluster_ridge``).
    cluster_ridge : float, default=0.1
        ``penalty='cluster'``: ``eta > 0``, the pull of every task to the
        mean of all tasks relative to ``alpha`` (the ratio of Zhou et al.'s
        two strengths; theirs is a ridge on ``W``, here on ``W C``).
    covariance_eps : float, default=1e-3
        ``penalty='relationship'``: ``eps`` relative to the mean eigenvalue
        of the centred scatter ``C W^T W C`` on its ``n - 1`` dimensions,
        added to it so that ``Omega`` stays invertible there. Larger values
        move the model towards ``'mean'``; smaller ones make the inner
        problems ill-conditioned (``Omega^+``'s eigenvalues spread as ``1 /
        sqrt(eps)``: 1e-6 took 20-40 times the solver iterations of 1e-3 on
        logistic tests) and slow the alternation down when there are more
        tasks than features (the directions ``W`` leaves empty are then
        pinned at the mean).
    outer_tol : float, default=1e-4
        ``'relationship'`` and ``'cluster'``: stop the outer loop when an
        iteration lowers the objective by at most this fraction of it.
    max_outer_iter : int, default=50
        ``'relationship'`` and ``'cluster'``: maximum number of outer
        iterations (each one solve of ``W``, warm-started).
    fit_intercept : bool, default=True
        Whether to fit an unpenalised intercept per output.
    tol : float, default=1e-4
        Stop when the optimality violation (Frobenius distance of minus the
        gradient to the subdifferential, intercepts included) is below it.
        It is taken over all tasks and coefficients at once, so it is
        stricter than the same ``tol`` of ``LogisticRegression`` fitted per
        task: on yeast, ``tol=1e-3`` reaches about the objective accuracy
        of 14 ``LogisticRegression()`` fits at their default.
    max_iter : int, default=1000
        Maximum number of proximal-gradient iterations.
    warm_start : bool, default=False
        Start from the previous solution when refitting.
"""


def _fill(alpha):
    """Write the shared objective and parameters into a class docstring."""

    def decorate(cls):
        cls.__doc__ = (
            cls.__doc__.replace("{objective}", _OBJECTIVE_DOC)
            .replace("{parameters}", _PARAMETERS_DOC.format(alpha=alpha.strip()))
            .replace("{structures}", _STRUCTURES_DOC)
        )
        return cls

    return decorate


_ALPHA_REGRESSION = """
    alpha : float, default=1.0
        Strength of the penalty ``P`` (the same number as MultiTaskLasso's
        ``alpha`` for ``'l21'``).
"""
_ALPHA_CLASSIFICATION = """
    alpha : float, default=0.01
        Strength of the penalty ``P``. The datafit is a mean over samples,
        so useful values are small: ``penalty='l2'`` matches
        ``LogisticRegression(C=C)`` on one task for ``alpha = 1 / (C n)``.
"""


def _null_intercept(datafit):
    """The best intercepts for ``W = 0``: the start of a cold fit."""
    if datafit.fit_intercept:
        return datafit.null_intercept()
    return np.zeros(datafit.n_outputs)


def _output_columns(widths):
    """Per task, the slice of output columns it owns, from their widths."""
    stops = np.cumsum(widths)
    return [slice(int(stop - w), int(stop)) for stop, w in zip(stops, widths)]


def _column_index(columns, tasks):
    """The output columns of ``tasks``, concatenated, as an int array."""
    parts = [np.arange(columns[t].start, columns[t].stop) for t in tasks]
    return np.concatenate(parts) if parts else np.zeros(0, dtype=np.intp)


def _drop_empty_columns(X):
    """``(X[:, used], used)``: a sparse X without the features no row has.

    A feature that is zero on every row has a zero gradient, and every
    penalty is smallest with its coefficients at zero: the solver works on
    the other features only (text-like data, whose vocabulary is mostly
    absent from a fold, and a wide X whose dense coefficients would not
    fit). A dense X is returned whole (``used`` all its columns).
    """
    n_features = X.shape[1]
    if not sparse.issparse(X):
        return X, np.arange(n_features)
    counts = np.bincount(X.tocsr().indices, minlength=n_features)
    used = np.flatnonzero(counts)
    if used.size == n_features:
        return X, used
    return X[:, used], used


def _estimate_graph(targets, rule, rows=None):
    """The task graph of ``rule`` from the observed targets of ``rows``."""
    from ..task_graph import estimate_task_graph

    if rows is not None:
        targets = targets.take(rows)
    # the encoded targets say what each task is: integer-valued regression
    # targets (exam scores) are not read as classes
    graph = np.asarray(estimate_task_graph(targets, rule), dtype=np.float64)
    return check_task_graph(graph, targets.n_tasks)


def _positive_correlation(S, scale=True):
    """The positive part of ``S``'s correlations (or entries), zero diagonal.

    For ``Omega`` the correlation ``Omega_st / sqrt(Omega_ss Omega_tt)``; for
    the cluster matrix ``M`` its entries (``1 / |c|`` within a cluster ``c``
    at a hard clustering). Rows of unfitted outputs are zero.
    """
    A = np.array(S, dtype=np.float64)
    if scale:
        d = np.sqrt(np.maximum(np.diag(A), 0.0))
        inv = np.where(d > 0, 1.0 / np.where(d > 0, d, 1.0), 0.0)
        A = A * np.outer(inv, inv)
    A = np.maximum(0.5 * (A + A.T), 0.0)
    np.fill_diagonal(A, 0.0)
    return A


def _hard_clusters(M, fitted, n_clusters):
    """Hard labels from the relaxed ``M``: k-means on its top eigenvectors.

    The rows of the ``n_clusters`` leading eigenvectors of ``M`` (restricted
    to the fitted outputs), normalised, are clustered by k-means (spectral
    clustering of ``M`` as an affinity; ``random_state=0``, 10 starts).
    Labels are renumbered by first appearance; an unfitted output
    (constant task) is labelled -1.
    """
    from sklearn.cluster import KMeans

    labels = np.full(M.shape[0], -1)
    if fitted.size == 0:
        return labels
    sub = M[np.ix_(fitted, fitted)]
    if n_clusters <= 1 or fitted.size <= n_clusters:
        found = np.arange(fitted.size) if n_clusters > 1 else np.zeros(fitted.size)
    else:
        _, vectors = np.linalg.eigh(0.5 * (sub + sub.T))
        embedding = vectors[:, -n_clusters:]
        norms = np.linalg.norm(embedding, axis=1, keepdims=True)
        embedding = embedding / np.maximum(norms, 1e-12)
        found = KMeans(n_clusters, n_init=10, random_state=0).fit_predict(embedding)
    _, first, inverse = np.unique(found, return_index=True, return_inverse=True)
    order = np.argsort(np.argsort(first))
    labels[fitted] = order[inverse]
    return labels


class _BaseMultiTaskLinear(BaseEstimator):
    """Validation, solver call and fitted attributes shared by the models.

    The solver sees the **fitted tasks** only (:meth:`_fitted_tasks`): a
    classification task whose observed labels hold one class, or a
    regression target that takes one value on two observed rows or more (a
    constant task), has no datafit and no penalty term, so it neither
    divides by an empty class count nor pulls the other tasks through a
    coupling (nor is pulled off its value); its coefficients are published
    as zeros, its intercept as the constant (:meth:`_constant_intercepts`).
    """

    _accepts_missing_labels = True  # NaN / None cells leave their task's loss

    _parameter_constraints = {
        "penalty": [StrOptions(set(PENALTIES))],
        "alpha": [Interval(Real, 0, None, closed="left")],
        "l2_reg": [Interval(Real, 0, None, closed="left")],
        "intercept_alpha": [Interval(Real, 0, None, closed="left")],
        "task_graph": ["array-like", str, None],
        "n_task_clusters": [Interval(Integral, 1, None, closed="left")],
        "cluster_ridge": [Interval(Real, 0, None, closed="neither")],
        "covariance_eps": [Interval(Real, 0, None, closed="neither")],
        "outer_tol": [Interval(Real, 0, None, closed="left")],
        "max_outer_iter": [Interval(Integral, 1, None, closed="left")],
        "fit_intercept": ["boolean"],
        "tol": [Interval(Real, 0, None, closed="left")],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "warm_start": ["boolean"],
    }

    def __init__(
        self,
        penalty="l21",
        alpha=1.0,
        l2_reg=0.0,
        intercept_alpha=0.0,
        task_graph=None,
        n_task_clusters=2,
        cluster_ridge=0.1,
        covariance_eps=1e-3,
        outer_tol=1e-4,
        max_outer_iter=50,
        fit_intercept=True,
        tol=1e-4,
        max_iter=1000,
        warm_start=False,
    ):
        self.penalty = penalty
        self.alpha = alpha
        self.l2_reg = l2_reg
        self.intercept_alpha = intercept_alpha
        self.task_graph = task_graph
        self.n_task_clusters = n_task_clusters
        self.cluster_ridge = cluster_ridge
        self.covariance_eps = covariance_eps
        self.outer_tol = outer_tol
        self.max_outer_iter = max_outer_iter
        self.fit_intercept = fit_intercept
        self.tol = tol
        self.max_iter = max_iter
        self.warm_start = warm_start

    # -- data ------------------------------------------------------------
    def _validate(self, X, y, sample_weight):
        X = validate_X(
            self, X, reset=True, accept_sparse=["csr", "csc"], dtype=np.float64
        )
        targets = check_targets(y, kind=self._target_kind, n_samples=X.shape[0])
        self._set_tasks(targets)
        sample_weight = check_sample_weight(
            sample_weight, X, dtype=np.float64, ensure_non_negative=True
        )
        check_magnitudes(
            X,
            targets.values if self._target_kind == "regression" else None,
            targets.mask,
            sample_weight,
        )
        self._columns = _output_columns(self._widths())
        self._graph = self._check_task_graph(targets)
        return X, targets, sample_weight

    def _set_tasks(self, targets):
        """Store what the tasks are (the classifier: their classes too)."""
        self._n_tasks = targets.n_tasks

    def _widths(self):
        """Number of output columns of each task (one per regression task)."""
        return [1] * self._n_tasks

    def _fitted_tasks(self, values, mask):
        """The tasks the solver fits on these rows.

        Every regression task but a constant target: one value on two
        observed rows or more (predicted as that value). A task with one
        observed row, or none, is fitted: a coupling predicts it from the
        other tasks.
        """
        return np.flatnonzero(
            [
                mask[:, t].sum() < 2 or np.ptp(values[mask[:, t], t]) > 0
                for t in range(values.shape[1])
            ]
        )

    def _constant_intercepts(self, values, mask, tasks):
        """Raw intercepts of every output: a constant target's value (0 for
        the fitted tasks, whose intercepts the solver gives)."""
        b = np.zeros(values.shape[1])
        for t in np.setdiff1d(np.arange(values.shape[1]), tasks):
            b[t] = values[mask[:, t], t][0]
        return b

    def _check_task_graph(self, targets, rows=None):
        """The graph of ``penalty='graph'``: given, or estimated from ``rows``.

        A rule name is estimated from the targets of ``rows`` (default: all
        the training rows); the CV variants call it per fold with the
        fold's training rows.
        """
        if self.penalty != "graph":
            return None
        if self.task_graph is None:
            raise ValueError("penalty='graph' needs a task_graph (n_tasks, n_tasks).")
        if any(c.stop - c.start != 1 for c in self._columns):
            raise ValueError(
                "penalty='graph' couples one coefficient vector per task; it "
                "does not apply to multiclass tasks (several columns each)."
            )
        if isinstance(self.task_graph, str):
            return _estimate_graph(targets, self.task_graph, rows)
        return check_task_graph(self.task_graph, targets.n_tasks)

    def _make_datafit(
        self, X, values, mask, sample_weight, intercept_alpha=None, tasks=None
    ):
        """The datafit of ``tasks`` (default: all) on these rows."""
        if tasks is None:
            tasks = np.arange(values.shape[1])
        datafit_class, kwargs = self._datafit(tasks)
        if intercept_alpha is None:
            intercept_alpha = self.intercept_alpha
        if intercept_alpha > 0:
            if self.penalty not in _COUPLING:
                raise ValueError(
                    f"intercept_alpha={intercept_alpha} couples the "
                    "intercepts through penalty='mean', 'graph', "
                    "'relationship' or 'cluster'; "
                    f"penalty={self.penalty!r} has no such coupling (set "
                    "intercept_alpha=0)."
                )
            if not self.fit_intercept:
                raise ValueError("intercept_alpha > 0 needs fit_intercept=True.")
            kwargs["centring"] = "pooled"
        return datafit_class(
            X,
            values[:, tasks],
            mask[:, tasks],
            sample_weight,
            self.fit_intercept,
            **kwargs,
        )

    def _learner(self, alpha, n_outputs, intercept_alpha=None, cluster_ridge=None):
        """The structure learner of ``'relationship'`` or ``'cluster'``."""
        if intercept_alpha is None:
            intercept_alpha = self.intercept_alpha
        if self.penalty == "relationship":
            return RelationshipLearner(
                alpha,
                self.l2_reg,
                intercept_alpha,
                n_outputs,
                covariance_eps=self.covariance_eps,
            )
        return ClusterLearner(
            alpha,
            self.l2_reg,
            intercept_alpha,
            n_outputs,
            n_clusters=self.n_task_clusters,
            eta=self.cluster_ridge if cluster_ridge is None else cluster_ridge,
        )

    def _make_penalty(self, alpha, tasks, intercept_alpha=None, cluster_ridge=None):
        """The penalty on the columns of ``tasks`` (the graph restricted).

        A learned structure gives its penalty at its starting structure.
        """
        if intercept_alpha is None:
            intercept_alpha = self.intercept_alpha
        if self.penalty in _LEARNED:
            n_outputs = _column_index(self._columns, tasks).size
            learner = self._learner(alpha, n_outputs, intercept_alpha, cluster_ridge)
            return learner.penalty(learner.initial())
        if self.penalty == "mean":
            return PENALTIES["mean"](
                alpha, self.l2_reg, intercept_alpha=intercept_alpha
            )
        if self.penalty != "graph":
            return PENALTIES[self.penalty](alpha, self.l2_reg)
        A = self._graph[np.ix_(tasks, tasks)]
        return Graph(alpha, self.l2_reg, task_graph=A, intercept_alpha=intercept_alpha)

    # -- solving ---------------------------------------------------------
    def _solve(
        self,
        datafit,
        alpha,
        W,
        b,
        tasks,
        intercept_alpha=None,
        cluster_ridge=None,
        structure=None,
    ):
        if self.penalty in _LEARNED:
            learner = self._learner(
                alpha, datafit.n_outputs, intercept_alpha, cluster_ridge
            )
            return solve_alternating(
                datafit,
                learner,
                W,
                b,
                structure=structure,
                tol=self.tol,
                max_iter=self.max_iter,
                outer_tol=self.outer_tol,
                max_outer_iter=self.max_outer_iter,
            )
        return solve(
            datafit,
            self._make_penalty(alpha, tasks, intercept_alpha),
            W,
            b,
            tol=self.tol,
            max_iter=self.max_iter,
        )

    def _path(
        self,
        X,
        values,
        mask,
        sample_weight,
        alphas,
        intercept_alpha=None,
        start=None,
        cluster_ridge=None,
    ):
        """Solutions along ``alphas``, each warm-starting the next.

        Only the fitted tasks of these rows are solved for; the solutions
        are returned in the layout of all tasks, ``(W, b_raw, result)`` per
        alpha, a constant task's columns zero (``result`` is None when no
        task is fitted). ``start`` is a ``(W, b_raw)`` in that layout. A
        learned structure warm-starts the next alpha too; ``result.structure``
        is returned over all output columns (zero for a constant task's).
        """
        tasks = self._fitted_tasks(values, mask)
        n_features, n_outputs = X.shape[1], self._columns[-1].stop
        columns = _column_index(self._columns, tasks)
        constant = self._constant_intercepts(values, mask, tasks)
        if tasks.size == 0:
            return [(np.zeros((n_features, n_outputs)), constant, None)] * len(alphas)
        X, used = _drop_empty_columns(X)
        datafit = self._make_datafit(
            X, values, mask, sample_weight, intercept_alpha, tasks
        )
        if start is None:
            W, b = np.zeros((used.size, columns.size)), _null_intercept(datafit)
        else:
            W = start[0][np.ix_(used, columns)]
            b = datafit.centred_intercept(W, start[1][columns])
        solutions, structure = [], None
        for alpha in alphas:
            result = self._solve(
                datafit, alpha, W, b, tasks, intercept_alpha, cluster_ridge, structure
            )
            W, b = result.W, result.b
            if result.structure is not None:
                structure = result.structure
                full = np.zeros((n_outputs, n_outputs))
                full[np.ix_(columns, columns)] = structure
                result = copy.copy(result)
                result.structure = full
            W_all = np.zeros((n_features, n_outputs))
            W_all[np.ix_(used, columns)] = W
            b_all = constant.copy()
            b_all[columns] = datafit.raw_intercept(W, b)
            solutions.append((W_all, b_all, result))
        return solutions

    def _set_solution(self, W, b_raw, columns, one_d):
        """The state ``predict`` reads: coefficients and the task layout."""
        self._W, self._b = W, b_raw
        self._task_columns = columns
        self.n_tasks_ = len(columns)
        self._one_d = one_d

    def _fit_alpha(
        self, X, targets, sample_weight, alpha, intercept_alpha=None, cluster_ridge=None
    ):
        start = None
        shape = (X.shape[1], self._columns[-1].stop)
        if getattr(self, "warm_start", False) and hasattr(self, "_W"):
            if self._W.shape == shape:
                start = self._W, self._b
        [(W, b_raw, result)] = self._path(
            X,
            targets.values,
            targets.mask,
            sample_weight,
            [alpha],
            intercept_alpha,
            start,
            cluster_ridge,
        )
        if result is None:  # every task constant: nothing to solve
            result = SolverResult(W, b_raw, 0, 0.0, True)
            if self.penalty in _LEARNED:
                result.structure = np.zeros((W.shape[1], W.shape[1]))
        if not result.converged:
            warnings.warn(
                f"The proximal-gradient solver did not reach tol={self.tol} "
                f"in max_iter={self.max_iter} iterations (optimality "
                f"violation {result.violation:.3g}); increase max_iter or "
                "tol, or scale the features.",
                ConvergenceWarning,
                stacklevel=1,  # attributed to mtlearn (an error in our tests)
            )
        self._set_solution(W, b_raw, self._columns, targets.one_d)
        self.n_iter_ = result.n_iter
        self.violation_ = result.violation
        record_task_names(self, targets)
        if self.penalty == "l21":
            self.selected_features_ = np.flatnonzero(np.any(W != 0, axis=1))
        elif hasattr(self, "selected_features_"):
            del self.selected_features_
        self._set_task_structure(result, targets)
        return self

    def _set_task_structure(self, result, targets):
        """``task_graph_`` and the learned structures' fitted attributes."""
        for name in ("task_graph_", "task_covariance_", "task_clusters_"):
            if hasattr(self, name):
                delattr(self, name)
        if hasattr(self, "n_outer_iter_"):
            del self.n_outer_iter_
        if self.penalty == "graph":
            self.task_graph_ = self._graph.copy()
        if self.penalty not in _LEARNED:
            return
        if not result.outer_converged:
            warnings.warn(
                f"The outer loop of penalty={self.penalty!r} did not lower the "
                f"objective by less than outer_tol={self.outer_tol} in "
                f"max_outer_iter={self.max_outer_iter} iterations; increase "
                "max_outer_iter or outer_tol.",
                ConvergenceWarning,
                stacklevel=1,
            )
        self.n_outer_iter_ = result.n_outer_iter
        fitted = _column_index(
            self._columns, self._fitted_tasks(targets.values, targets.mask)
        )
        if self.penalty == "relationship":
            self.task_covariance_ = result.structure
            self.task_graph_ = _positive_correlation(result.structure)
        else:
            self.task_graph_ = _positive_correlation(result.structure, scale=False)
            n_clusters = min(self.n_task_clusters, fitted.size)
            self.task_clusters_ = _hard_clusters(result.structure, fitted, n_clusters)

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Fit the model to X and the targets of every task.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data; CSR or CSC sparse matrices are not densified.
        y : array-like of shape (n_samples,) or (n_samples, n_tasks)
            Targets; NaN, None or pd.NA mark a missing label, left out of
            its task's loss only.
        sample_weight : array-like of shape (n_samples,), default=None
            Weights ``s_i`` of the rows in every task's loss.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        X, targets, sample_weight = self._validate(X, y, sample_weight)
        self._fit_alpha(X, targets, sample_weight, self.alpha)
        return self._publish()

    def _linear(self, X):
        check_is_fitted(self, "_W")
        X = validate_X(
            self, X, reset=False, accept_sparse=["csr", "csc"], dtype=np.float64
        )
        with np.errstate(over="ignore", invalid="ignore"):
            Z = np.asarray(X @ self._W) + self._b
        if not np.all(np.isfinite(Z)):
            raise ValueError(
                "X has values whose linear predictions X @ coef_.T + "
                "intercept_ overflow float64 (max |X| = "
                f"{float(abs(X).max()):.3g}); scale X as the training data "
                "was scaled."
            )
        return Z

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        tags.target_tags.multi_output = True
        tags.target_tags.single_output = True
        return tags


@_fill(_ALPHA_REGRESSION)
class MultiTaskLinearRegression(
    MultiTaskRegressorMixin, RegressorMixin, _BaseMultiTaskLinear
):
    """Multi-task linear regression with a structured penalty.

        All tasks are fitted jointly by minimising, with ``l`` the squared loss
        ``(y - z)^2 / 2``::

    {objective}
        With every label observed, unit weights and ``penalty='l21'`` this is
        exactly the problem of :class:`sklearn.linear_model.MultiTaskLasso` with
        the same ``alpha``.

        Parameters
        ----------
    {parameters}
        Attributes
        ----------
        coef_ : ndarray of shape (n_tasks, n_features) or (n_features,)
            Coefficients of each task (one-dimensional for one-dimensional y).
        intercept_ : ndarray of shape (n_tasks,) or float
            Intercept of each task.
        n_tasks_ : int
            Number of tasks.
        n_iter_ : int
            Number of proximal-gradient iterations run.
        violation_ : float
            Optimality violation at the returned solution (below ``tol`` when
            the solver converged).
        selected_features_ : ndarray of int
            ``penalty='l21'`` only: the features kept by the tasks jointly.
        n_features_in_ : int
            Number of features seen during fit.
        feature_names_in_ : ndarray of shape (n_features_in_,)
            Names of features seen during fit, when X has string column names.
        task_names_ : ndarray of shape (n_tasks,)
            Column names of y, when y was a DataFrame.
    {structures}
        See Also
        --------
        MultiTaskLinearRegressionCV : The same with alpha chosen by cross-validation.
        sklearn.linear_model.MultiTaskLasso : The ``'l21'`` case, fully observed.

        Notes
        -----
        ``score`` is the mean over tasks of R^2 on the observed targets.

        A **constant target** (one value on two observed rows or more) is
        predicted as that value and left out of the fit: zero coefficients,
        and no pull on (or from) the other tasks through a coupling penalty.
        A target with a single observed row is fitted like the others (a
        coupling predicts it from them).

        Examples
        --------
        >>> import numpy as np
        >>> from mtlearn.linear_model import MultiTaskLinearRegression
        >>> rng = np.random.RandomState(0)
        >>> X = rng.normal(size=(100, 10))
        >>> Y = X[:, :2] @ rng.normal(size=(2, 3)) + 0.1 * rng.normal(size=(100, 3))
        >>> Y[:20, 0] = np.nan  # a missing target is left out of that task
        >>> reg = MultiTaskLinearRegression(penalty="l21", alpha=0.02).fit(X, Y)
        >>> reg.selected_features_
        array([0, 1])
        >>> reg.coef_.shape
        (3, 10)
        >>> round(reg.score(X, Y), 2)
        0.97
    """

    _target_kind = "regression"

    def _datafit(self, tasks):
        return SquaredDatafit, {}

    def _publish(self):
        self.coef_ = self._W.T.copy()
        self.intercept_ = self._b.copy()
        if self._one_d:
            self.coef_, self.intercept_ = self.coef_[0], float(self.intercept_[0])
        return self

    def predict(self, X):
        """Predicted targets of every task.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Input data.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,) or (n_samples, n_tasks)
            Predictions.
        """
        Z = self._linear(X)
        return Z[:, 0] if self._one_d else Z


@_fill(_ALPHA_CLASSIFICATION)
class MultiTaskLogisticRegression(
    LogitClassifierMixin,
    MultiTaskClassifierMixin,
    ClassifierMixin,
    _BaseMultiTaskLinear,
):
    """Multi-task logistic regression with a structured penalty.

        A binary task has the logistic loss on one output column; a task with
        ``K >= 3`` classes has the multinomial (softmax) loss on a block of
        ``K`` columns. All tasks are fitted jointly by minimising::

    {objective}
        For multiclass tasks the penalties act on the columns of ``W``: ``'l21'``
        selects features for every class of every task, ``'trace'`` and
        ``'mean'`` treat each class column as one output; ``'graph'`` needs
        binary tasks.

        A **constant task** (its observed labels hold one class, as a rare
        label may) is not fitted: it has no term in the objective above (no
        loss, no place in the coupling of ``'mean'``, ``'graph'``, ``'trace'``
        or ``'l21'``), so the other tasks' coefficients are those of a fit
        without it. It predicts its class with probability 1
        (``predict_proba`` of shape (n_samples, 1)) and each fit warns once
        with :class:`mtlearn.exceptions.ConstantTaskWarning`.

        Parameters
        ----------
    {parameters}
        Attributes
        ----------
        classes_ : ndarray or list of ndarray
            Classes of the task (one-dimensional y) or a list with the classes of
            each task.
        coef_ : ndarray of shape (n_outputs, n_features)
            One row per output: a binary task owns one row (its decision
            function), a multiclass task owns one row per class, in the order of
            its ``classes_``; ``task_rows_[t]`` gives task ``t``'s rows.
            ``n_outputs == n_tasks`` when every task is binary. A constant
            task (one observed class) owns one row of zeros.
        intercept_ : ndarray of shape (n_outputs,)
            Intercepts, in the layout of ``coef_``; 0 for a constant task
            (its decision function is 0, as ``decision_function`` reports).
        task_rows_ : list of slice
            The rows of ``coef_`` and ``intercept_`` owned by each task.
        n_tasks_ : int
            Number of tasks.
        n_iter_ : int
            Number of proximal-gradient iterations run.
        violation_ : float
            Optimality violation at the returned solution.
        selected_features_ : ndarray of int
            ``penalty='l21'`` only: the features kept by the tasks jointly.
        n_features_in_ : int
            Number of features seen during fit.
        feature_names_in_ : ndarray of shape (n_features_in_,)
            Names of features seen during fit, when X has string column names.
        task_names_ : ndarray of shape (n_tasks,)
            Column names of y, when y was a DataFrame.
    {structures}
        See Also
        --------
        MultiTaskLogisticRegressionCV : The same with alpha chosen by
            cross-validation.
        sklearn.linear_model.LogisticRegression : One task at a time.

        Notes
        -----
        ``score`` is the mean over tasks of the accuracy on observed labels.

        Examples
        --------
        >>> import numpy as np
        >>> from mtlearn.linear_model import MultiTaskLogisticRegression
        >>> rng = np.random.RandomState(0)
        >>> X = rng.normal(size=(200, 10))
        >>> Z = X[:, :2] @ rng.normal(size=(2, 3)) + rng.normal(size=(200, 3))
        >>> Y = (Z > 0).astype(float)
        >>> Y[:20, 1] = np.nan  # a missing label is left out of that task
        >>> clf = MultiTaskLogisticRegression(penalty="l21", alpha=0.1).fit(X, Y)
        >>> clf.selected_features_
        array([0, 1])
        >>> round(clf.score(X, Y), 2)
        0.82
        >>> clf.predict(X[:2]).shape
        (2, 3)
        >>> len(clf.predict_proba(X[:2]))
        3
    """

    _target_kind = "classification"

    def __init__(
        self,
        penalty="l21",
        alpha=0.01,
        l2_reg=0.0,
        intercept_alpha=0.0,
        task_graph=None,
        n_task_clusters=2,
        cluster_ridge=0.1,
        covariance_eps=1e-3,
        outer_tol=1e-4,
        max_outer_iter=50,
        fit_intercept=True,
        tol=1e-4,
        max_iter=1000,
        warm_start=False,
    ):
        super().__init__(
            penalty=penalty,
            alpha=alpha,
            l2_reg=l2_reg,
            intercept_alpha=intercept_alpha,
            task_graph=task_graph,
            n_task_clusters=n_task_clusters,
            cluster_ridge=cluster_ridge,
            covariance_eps=covariance_eps,
            outer_tol=outer_tol,
            max_outer_iter=max_outer_iter,
            fit_intercept=fit_intercept,
            tol=tol,
            max_iter=max_iter,
            warm_start=warm_start,
        )

    def _validate(self, X, y, sample_weight):
        X, targets, sample_weight = super()._validate(X, y, sample_weight)
        warn_constant_tasks(targets)
        return X, targets, sample_weight

    def _set_tasks(self, targets):
        super()._set_tasks(targets)
        if getattr(self, "warm_start", False) and hasattr(self, "_W"):
            if [len(c) for c in self._classes] != [len(c) for c in targets.classes]:
                del self._W  # other tasks: start afresh
        self._classes = targets.classes

    def _widths(self):
        # a binary or constant task owns one column, a K-class task K
        return [len(c) if len(c) > 2 else 1 for c in self._classes]

    def _fitted_tasks(self, values, mask):
        """The tasks with two observed classes or more on these rows.

        A task with one (a constant task, or a rare label in a
        cross-validation fold) is predicted as that class, not fitted.
        """
        varying = [
            np.ptp(values[mask[:, t], t]) > 0 if mask[:, t].any() else False
            for t in range(values.shape[1])
        ]
        return np.flatnonzero(varying)

    def _constant_intercepts(self, values, mask, tasks):
        """Raw intercepts of every output column outside ``tasks``: 0 (a
        constant classification task is predicted from its class)."""
        return np.zeros(self._columns[-1].stop)

    def _datafit(self, tasks):
        n_classes = [len(self._classes[t]) for t in tasks]
        if all(k == 2 for k in n_classes):
            return LogisticDatafit, {}
        return MultinomialDatafit, {"n_classes": n_classes}

    def _publish(self):
        self.classes_ = self._classes[0] if self._one_d else list(self._classes)
        self.coef_ = self._W.T.copy()
        self.intercept_ = self._b.copy()
        self.task_rows_ = list(self._task_columns)
        return self

    def _task_scores(self, X):
        Z = self._linear(X)
        return [Z[:, cols] for cols in self._task_columns]

    def _task_classes(self):
        return self._classes

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_label = True
        return tags
