"""Cross-validated regularisation paths for the multi-task linear models."""

import copy
import warnings
from numbers import Integral, Real

import numpy as np
from sklearn.base import _fit_context
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import KFold, check_cv
from sklearn.utils import _safe_indexing
from sklearn.utils._param_validation import Interval, StrOptions

from .._validation import check_cv_folds
from ..metrics import make_multitask_scorer
from ..model_selection import MultilabelStratifiedKFold
from ._multitask import (
    _OBJECTIVE_DOC,
    MultiTaskLinearRegression,
    MultiTaskLogisticRegression,
    _BaseMultiTaskLinear,
    _column_index,
    _output_columns,
)
from ._solver import alpha_max

_CV_PARAMETERS_DOC = """\
    penalty : {{'l2', 'l21', 'trace', 'mean', 'graph', 'relationship', \
'cluster'}}, default='l21'
        How the tasks share (see the objective above).
    alphas : int or array-like of float, default=20
        The values of ``alpha`` tried; an int gives that many on a log grid
        from ``alpha_max`` down to ``eps * alpha_max``. ``alpha_max`` is
        computed from the data: the smallest ``alpha`` giving ``W = 0`` for
        ``'l21'`` and ``'trace'``, the datafit's Lipschitz constant ``L`` for
        ``'l2'``, and for ``'mean'`` and ``'graph'`` the strength where the
        coupling's curvature is ``100 L`` (tasks all but equal); for
        ``'relationship'`` and ``'cluster'`` the same, at their starting
        structure. Along the path each fit warm-starts the next, the learned
        structure included.
    eps : float, default=1e-3
        Length of the grid: ``alpha_min / alpha_max``.
    l2_reg : float, default=0.0
        Strength of an extra ridge term ``l2_reg / 2 * ||W||_F^2``.
    intercept_alpha : float or array-like of float, default=0.0
        ``'mean'``, ``'graph'``, ``'relationship'`` and ``'cluster'`` only:
        the coupling of the intercepts (0 leaves them free). A list is
        searched with ``alpha``, as ``ElasticNetCV`` searches ``l1_ratio``:
        one path per value, and the pair with the best validation score
        wins (``intercept_alpha_``).
    task_graph : array-like of shape (n_tasks, n_tasks) or str, default=None
        ``penalty='graph'``: symmetric, non-negative task similarities, or
        the name of a rule of :func:`mtlearn.task_graph.estimate_task_graph`
        (such as ``'auto'``). A rule is applied **per fold** to the fold's
        training targets (its validation labels never shape the graph its
        fits use), then to all the data for the refit (``task_graph_``).
    n_task_clusters : int, default=2
        ``penalty='cluster'``: the number of task clusters.
    cluster_ridge : float or array-like of float, default=0.1
        ``penalty='cluster'``: the ridge relative to ``alpha`` (``eta >
        0``). A list is searched with ``alpha`` and ``intercept_alpha`` (one
        path per combination; ``cluster_ridge_``).
    covariance_eps : float, default=1e-3
        ``penalty='relationship'``: ``eps`` relative to the mean eigenvalue
        of ``W^T W``.
    outer_tol : float, default=1e-4
        ``'relationship'`` and ``'cluster'``: relative decrease of the
        objective below which the outer loop stops.
    max_outer_iter : int, default=50
        ``'relationship'`` and ``'cluster'``: maximum outer iterations per
        fit.
    fit_intercept : bool, default=True
        Whether to fit an unpenalised intercept per output.
    tol : float, default=1e-4
        Optimality violation at which each fit of the path stops.
    max_iter : int, default=1000
        Maximum number of proximal-gradient iterations per fit.
    cv : int, cross-validation generator or iterable, default=5
        An int is the number of folds of a {splitter}, shuffled with a
        fixed seed; a missing label stays out of its task's training loss
        and validation score in every fold.
    scoring : {scoring_options} or callable, default={scoring_default}
        How a fit is scored on a validation fold: {scoring_doc}, or a scorer
        ``scorer(estimator, X, y, sample_weight=None)`` where higher is
        better, such as ``mtlearn.metrics.make_multitask_scorer("f1",
        average="macro")`` (missing labels are left out of it).
"""


class _PathCV:
    """Choose ``alpha`` on a warm-started path, then refit on all the data."""

    _parameter_constraints = {
        **{
            key: value
            for key, value in _BaseMultiTaskLinear._parameter_constraints.items()
            if key not in ("alpha", "warm_start")
        },
        "intercept_alpha": [Interval(Real, 0, None, closed="left"), "array-like"],
        "cluster_ridge": [Interval(Real, 0, None, closed="neither"), "array-like"],
        "alphas": [Interval(Integral, 1, None, closed="left"), "array-like"],
        "eps": [Interval(Real, 0, 1, closed="neither")],
        "cv": ["cv_object"],
        "scoring": [callable, None],  # and the names of _NAMED_SCORERS
    }
    _NAMED_SCORERS = {None: None}  # name -> scorer; None: the pooled loss

    def __init__(
        self,
        penalty="l21",
        alphas=20,
        eps=1e-3,
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
        cv=5,
        scoring=None,
    ):
        self.penalty = penalty
        self.alphas = alphas
        self.eps = eps
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
        self.cv = cv
        self.scoring = scoring

    def _scorer(self):
        """The validation scorer, or None for the datafit's pooled loss."""
        if callable(self.scoring):
            return self.scoring
        return self._NAMED_SCORERS[self.scoring]

    def _intercept_alphas(self):
        return _check_strengths(self.intercept_alpha, "intercept_alpha")

    def _settings(self):
        """The (intercept_alpha, cluster_ridge) pairs searched, and their grid."""
        intercept_alphas = self._intercept_alphas()
        ridges = _check_strengths(self.cluster_ridge, "cluster_ridge")
        if np.any(ridges <= 0):
            raise ValueError(
                f"cluster_ridge must hold values > 0; got {ridges.tolist()}."
            )
        if self.penalty != "cluster":
            ridges = ridges[:1]
        pairs = [(a, r) for a in intercept_alphas for r in ridges]
        return pairs, (intercept_alphas.size, ridges.size)

    def _alpha_grid(
        self, X, targets, sample_weight, intercept_alpha, cluster_ridge=None
    ):
        if not isinstance(self.alphas, Integral):
            return np.sort(_check_strengths(self.alphas, "alphas"))[::-1]
        tasks = self._fitted_tasks(targets.values, targets.mask)
        if tasks.size == 0:  # every task constant: alpha plays no part
            return np.full(1, 1.0)
        datafit = self._make_datafit(
            X, targets.values, targets.mask, sample_weight, intercept_alpha, tasks
        )
        top = alpha_max(
            datafit, self._make_penalty(1.0, tasks, intercept_alpha, cluster_ridge)
        )
        if not top > 0:
            return np.full(1, 1.0)
        return np.geomspace(top, top * self.eps, self.alphas)

    def _as_fitted(self, W, b_raw, tasks, one_d):
        """A copy of this estimator fitted to ``(W, b_raw)`` on ``tasks`` only.

        ``W`` and ``b_raw`` hold the columns of those tasks; the copy is a
        model of those tasks alone, for a scorer.
        """
        model = copy.copy(self)
        widths = [self._columns[t].stop - self._columns[t].start for t in tasks]
        model._set_solution(W, b_raw, _output_columns(widths), one_d)
        if hasattr(self, "_classes"):
            model._classes = [self._classes[t] for t in tasks]
        return model._publish()

    def _fold_losses(self, X, y, targets, sample_weight, train, test, grids):
        """Validation losses of one fold, shape (n_settings, n_alphas).

        The validation scores the tasks fitted on the training part (two
        classes or more observed there) that have a validation label; the
        others are left out, for every alpha alike. With none left, the
        fold's losses are 0 for every alpha (it does not sway the choice).
        """
        settings, alphas = grids
        losses = np.zeros((len(settings), alphas.size))
        values, mask = targets.values, targets.mask
        tasks = self._fitted_tasks(values[train], mask[train])
        scored = tasks[mask[np.ix_(test, tasks)].any(axis=0)]
        if scored.size == 0:
            return losses, True
        columns = _column_index(self._columns, scored)
        scorer = self._scorer()
        if scorer is None:  # scored on raw intercepts: no coupling
            held_out = self._make_datafit(
                X[test], values[test], mask[test], sample_weight[test], 0.0, scored
            )
        else:
            y_test = _safe_indexing(y, test)
            if scored.size < targets.n_tasks:
                y_test = _safe_indexing(y_test, scored, axis=1)
        X_train, converged = X[train], True
        if isinstance(self.task_graph, str):  # estimated from this fold's training
            self._graph = self._check_task_graph(targets, train)
        for i, (intercept_alpha, cluster_ridge) in enumerate(settings):
            solutions = self._path(
                X_train,
                values[train],
                mask[train],
                sample_weight[train],
                alphas,
                intercept_alpha,
                cluster_ridge=cluster_ridge,
            )
            for a, (W, b_raw, result) in enumerate(solutions):
                converged &= result is None or (
                    result.converged and result.outer_converged
                )
                W, b_raw = W[:, columns], b_raw[columns]
                if scorer is None:
                    # pooled over the observed validation cells, weighted
                    losses[i, a] = held_out.pooled_loss(W, b_raw)
                else:
                    model = self._as_fitted(W, b_raw, scored, targets.one_d)
                    losses[i, a] = -scorer(
                        model, X[test], y_test, sample_weight=sample_weight[test]
                    )
        return losses, converged

    def _folds(self, X, y):
        """The checked (train, test) row indices of ``cv``."""
        cv = self.cv
        if cv is None or isinstance(cv, Integral) or hasattr(cv, "split"):
            return check_cv_folds(self._splitter().split(X, y), X.shape[0])
        return check_cv_folds(cv, X.shape[0])  # an iterable of folds

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Choose alpha by cross-validation, then fit on all the data.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data.
        y : array-like of shape (n_samples,) or (n_samples, n_tasks)
            Targets; NaN, None or pd.NA mark a missing label.
        sample_weight : array-like of shape (n_samples,), default=None
            Weights of the rows, in the losses and the validation scores.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        X, targets, sample_weight = self._validate(X, y, sample_weight)
        if not hasattr(y, "iloc") and not hasattr(y, "shape"):
            y = np.asarray(y)  # a list: indexable by rows and columns
        settings, shape = self._settings()
        alphas = self._alpha_grid(X, targets, sample_weight, *settings[0])
        folds = self._folds(X, y)
        losses = np.empty((len(settings), alphas.size, len(folds)))
        all_converged = True
        graph = self._graph
        for k, (train, test) in enumerate(folds):
            losses[:, :, k], converged = self._fold_losses(
                X, y, targets, sample_weight, train, test, (settings, alphas)
            )
            all_converged &= converged
        self._graph = graph  # the refit's: from all the training rows
        if not all_converged:
            warnings.warn(
                f"Some fits of the cross-validation path did not reach "
                f"tol={self.tol} in max_iter={self.max_iter} iterations.",
                ConvergenceWarning,
                stacklevel=1,
            )
        self.alphas_ = alphas
        best_i, best_a = np.unravel_index(
            np.argmin(losses.mean(axis=2)), losses.shape[:2]
        )
        self.alpha_ = float(alphas[best_a])
        self.intercept_alpha_ = float(settings[best_i][0])
        self.cluster_ridge_ = float(settings[best_i][1])
        # (n_intercept_alphas, n_cluster_ridges, n_alphas, n_folds), the axes
        # of the parameters given as numbers dropped
        path = losses.reshape(shape + losses.shape[1:])
        listed = np.ndim(self.cluster_ridge) and self.penalty == "cluster"
        path = path if listed else path[:, 0]
        path = path if np.ndim(self.intercept_alpha) else path[0]
        if self._scorer() is None:
            self._store_path(path)
        else:
            self.scores_ = -path
        self._fit_alpha(
            X,
            targets,
            sample_weight,
            self.alpha_,
            self.intercept_alpha_,
            self.cluster_ridge_,
        )
        return self._publish()


def _check_strengths(values, name):
    """A list of penalty strengths as a 1-D array of finite values >= 0."""
    try:
        array = np.atleast_1d(np.asarray(values, dtype=np.float64))
    except (TypeError, ValueError):
        raise ValueError(
            f"{name} must be a number >= 0 or a non-empty list of them; got {values!r}."
        ) from None
    if array.ndim != 1 or array.size == 0:
        raise ValueError(
            f"{name} must be a number >= 0 or a non-empty 1-D list of them; "
            f"got an array of shape {array.shape}."
        )
    if not np.all(np.isfinite(array)) or np.any(array < 0):
        raise ValueError(f"{name} must hold finite values >= 0; got {array.tolist()}.")
    return array


def _fill_cv(cls, splitter, **scoring):
    cls.__doc__ = cls.__doc__.replace("{objective}", _OBJECTIVE_DOC).replace(
        "{parameters}", _CV_PARAMETERS_DOC.format(splitter=splitter, **scoring)
    )
    return cls


class MultiTaskLinearRegressionCV(_PathCV, MultiTaskLinearRegression):
    """Multi-task linear regression with alpha chosen by cross-validation.

        Minimises, with ``l`` the squared loss ``(y - z)^2 / 2``::

    {objective}
        The path over ``alphas`` is solved from the largest value down, each fit
        warm-starting the next; ``alpha_`` minimises the mean over folds of the
        validation mean squared error (pooled over the observed cells), and the
        model is refitted on all the data with it.

        Parameters
        ----------
    {parameters}
        Attributes
        ----------
        alpha_ : float
            The chosen ``alpha``.
        alphas_ : ndarray of shape (n_alphas,)
            The grid, decreasing.
        intercept_alpha_ : float
            The chosen ``intercept_alpha``.
        cluster_ridge_ : float
            The chosen ``cluster_ridge`` (``penalty='cluster'``).
        mse_path_ : ndarray of shape (n_alphas, n_folds)
            Validation mean squared error of each alpha on each fold; with a
            list of ``intercept_alpha``, shape (n_intercept_alphas, n_alphas,
            n_folds); a list of ``cluster_ridge`` (``'cluster'``) adds its
            axis after it. With a ``scoring``, ``scores_`` (the scorer's
            values, same shape) replaces it.
        coef_, intercept_, n_tasks_, n_iter_, violation_, selected_features_
            As in :class:`MultiTaskLinearRegression`, for the refit.
        task_graph_, task_covariance_, task_clusters_, n_outer_iter_
            As in :class:`MultiTaskLinearRegression`, for the refit.

        See Also
        --------
        MultiTaskLinearRegression : One alpha.
        sklearn.linear_model.MultiTaskLassoCV : The ``'l21'`` case, fully observed.

        Notes
        -----
        The default criterion stays the validation mean squared error
        (pooled over the observed cells): it is the datafit's own loss, the
        proper score of the conditional mean that the model predicts, smooth
        along the path, and each task's R² is ``1 - MSE_t / Var_t``, so for
        targets on one scale it ranks the alphas as the mean R² does. (The
        classifier's default differs because its users read hard decisions,
        whose micro-F1 the log-loss does not track.) Pooled cells weigh a
        target on a larger scale more: standardise the targets first, or pass
        ``make_multitask_scorer('r2')`` to weigh the tasks equally.

        Examples
        --------
        >>> import numpy as np
        >>> from mtlearn.linear_model import MultiTaskLinearRegressionCV
        >>> rng = np.random.RandomState(0)
        >>> X = rng.normal(size=(100, 10))
        >>> Y = X[:, :2] @ rng.normal(size=(2, 3)) + 0.5 * rng.normal(size=(100, 3))
        >>> Y[:20, 0] = np.nan
        >>> reg = MultiTaskLinearRegressionCV(penalty="l21", alphas=10).fit(X, Y)
        >>> reg.mse_path_.shape
        (10, 5)
        >>> bool(reg.alpha_ < reg.alphas_[0])
        True
    """

    _NAMED_SCORERS = {None: None, "mse": None}
    _parameter_constraints = {
        **_PathCV._parameter_constraints,
        "scoring": [StrOptions({"mse"}), callable, None],
    }

    def _splitter(self):
        if isinstance(self.cv, Integral):
            return KFold(self.cv, shuffle=True, random_state=0)
        return check_cv(self.cv)

    def _store_path(self, losses):
        self.mse_path_ = 2.0 * losses


class MultiTaskLogisticRegressionCV(_PathCV, MultiTaskLogisticRegression):
    """Multi-task logistic regression with alpha chosen by cross-validation.

        Minimises, with the logistic loss for binary tasks and the multinomial
        loss for multiclass tasks::

    {objective}
        The path over ``alphas`` is solved from the largest value down, each fit
        warm-starting the next; ``alpha_`` maximises the mean over folds of the
        validation score, by default the micro-F1 of ``predict`` on the
        observed validation cells (see Notes), and the model is refitted on
        all the data with it.

        Rare labels: a task constant in the whole data is left out of the
        objective, the grid's ``alpha_max`` and every fold (one
        :class:`~mtlearn.exceptions.ConstantTaskWarning` per fit). A task whose
        labels hold one class in a fold's **training** part only is fitted
        there as a constant (predicting that class) and is **left out of that
        fold's validation score**, for every alpha alike (its labels count as
        missing in that fold, with the validation log-loss or the
        ``scoring``), so that it does not bias the choice; a task with no
        validation label in a fold is left out likewise. A fold with no task
        left scores 0 for every alpha. A multiclass task missing some of its
        classes in a fold keeps all its columns there.

        Parameters
        ----------
    {parameters}
        Attributes
        ----------
        alpha_ : float
            The chosen ``alpha``.
        alphas_ : ndarray of shape (n_alphas,)
            The grid, decreasing.
        intercept_alpha_ : float
            The chosen ``intercept_alpha``.
        cluster_ridge_ : float
            The chosen ``cluster_ridge`` (``penalty='cluster'``).
        scores_ : ndarray of shape (n_alphas, n_folds)
            Validation score of each alpha and fold (the micro-F1 by default,
            minus the mean log-loss with ``scoring='log_loss'``); with a list
            of ``intercept_alpha``, shape (n_intercept_alphas, n_alphas,
            n_folds); a list of ``cluster_ridge`` (``'cluster'``) adds its
            axis after it.
        classes_, coef_, intercept_, task_rows_, n_tasks_, n_iter_, violation_
            As in :class:`MultiTaskLogisticRegression`, for the refit.
        task_graph_, task_covariance_, task_clusters_, n_outer_iter_
            As in :class:`MultiTaskLogisticRegression`, for the refit.

        See Also
        --------
        MultiTaskLogisticRegression : One alpha.

        Notes
        -----
        The default criterion is the validation micro-F1 of ``predict``, not
        the log-loss, because it decides what the model is used for. The
        log-loss picks a stronger penalty, which pulls the probabilities
        towards the label rates and loses recall at the 0.5 threshold.
        Measured (``benchmarks/bench_linear.py``, part 3; test micro-F1 of
        the default ``'l21'``, alpha by log-loss / by micro-F1, against one
        ``LogisticRegression()`` per label, all behind a ``StandardScaler``):
        yeast 0.6290 / 0.6334 against 0.6249; emotions 0.6209 / 0.6339
        against 0.6408; a generated set (``make_multilabel_classification(
        1500, 40, n_classes=12, n_labels=2)``) 0.4869 / 0.5334 against
        0.5344; generated rare labels (``n_classes=15, n_labels=1``) 0.5414
        / 0.5768 against 0.5756. The micro-F1 wins on every set, by 0.004 to
        0.05, for ``'l2'`` and ``'trace'`` alike; the penalties differ by
        less than the test sets' noise (bootstrap standard error of
        micro-F1: 0.009 on yeast, 0.021 on emotions's 202 test rows; on
        emotions, 5 seeds of the inner folds give 0.6389 ± 0.0051 for
        ``'l21'`` and 0.6415 ± 0.0121 for ``'trace'``). Over 10 random
        resplits of each set into parts of the standard sizes (part 5),
        the defaults beat one ``LogisticRegression()`` per label by +0.0083
        micro-F1 on yeast (standard error 0.0015) and +0.0170 on emotions
        (0.0027).
        ``scoring='log_loss'`` keeps the former criterion, for calibrated
        probabilities. Micro-F1 pools the observed cells of all tasks, so
        frequent labels weigh more; pass a macro-averaged scorer to weigh the
        tasks equally.

        Examples
        --------
        >>> import numpy as np
        >>> from mtlearn.linear_model import MultiTaskLogisticRegressionCV
        >>> rng = np.random.RandomState(0)
        >>> X = rng.normal(size=(200, 10))
        >>> Z = X[:, :2] @ rng.normal(size=(2, 3)) + rng.normal(size=(200, 3))
        >>> Y = (Z > 0).astype(float)
        >>> clf = MultiTaskLogisticRegressionCV(penalty="trace", alphas=8).fit(X, Y)
        >>> clf.scores_.shape
        (8, 5)
        >>> round(clf.score(X, Y), 1)
        0.8
    """

    _NAMED_SCORERS = {
        None: make_multitask_scorer("f1", average="micro"),
        "micro_f1": make_multitask_scorer("f1", average="micro"),
        "log_loss": None,
    }
    _parameter_constraints = {
        **_PathCV._parameter_constraints,
        "scoring": [StrOptions({"micro_f1", "log_loss"}), callable, None],
    }

    def _splitter(self):
        if isinstance(self.cv, Integral):
            return MultilabelStratifiedKFold(self.cv, shuffle=True, random_state=0)
        return check_cv(self.cv)

    def _store_path(self, losses):
        self.scores_ = -losses


_fill_cv(
    MultiTaskLinearRegressionCV,
    "KFold",
    scoring_options="{'mse'}",
    scoring_default="None",
    scoring_doc="None or ``'mse'`` for the validation mean squared error "
    "(pooled over the observed cells; see Notes for why it is the default)",
)
_fill_cv(
    MultiTaskLogisticRegressionCV,
    "MultilabelStratifiedKFold",
    scoring_options="{'micro_f1', 'log_loss'}",
    scoring_default="None",
    scoring_doc="None or ``'micro_f1'`` for the micro-F1 of ``predict`` "
    "(``make_multitask_scorer('f1', average='micro')``: the observed "
    "validation cells of all tasks pooled, a multiclass task's cells one "
    "versus rest; see Notes for why it is the default), ``'log_loss'`` for "
    "the validation log-loss (pooled over the observed cells)",
)
