"""Shared-representation networks: one trunk for all tasks, a head per task."""

import copy
import textwrap
import warnings
from numbers import Integral, Real

import numpy as np
import scipy.sparse as sp
from sklearn.base import (
    BaseEstimator,
    ClassifierMixin,
    ClassNamePrefixFeaturesOutMixin,
    RegressorMixin,
    TransformerMixin,
    _fit_context,
)
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import (
    _assert_all_finite,
    _check_feature_names_in,
    check_is_fitted,
)

from .._mixins import (
    LogitClassifierMixin,
    MultiTaskClassifierMixin,
    MultiTaskRegressorMixin,
    plain_float_rows,
)
from .._targets import (
    check_classes_argument,
    check_targets,
    record_tasks,
    task_label,
    warn_constant_tasks,
)
from .._validation import check_sample_weight, validate_X
from ._graph_head import (
    GRAPH_ALPHA_DEFAULT,
    GRAPH_ALPHA_WHY,
    GRAPH_HEADS,
    TASK_GRAPH_RULES,
    make_graph_network,
    publish_task_graph,
    resolve_task_graph,
)
from ._heads import BinaryLogisticHead, SoftmaxHead, SquaredHead
from ._network import SharedTrunkNetwork
from ._optimizers import OPTIMIZERS
from ._task_weighting import TASK_WEIGHTINGS, TaskWeighting, make_task_weighting
from ._threads import EpochThreads
from ._training import (
    HeadGroup,
    TrainingDiverged,
    TrainingHistory,
    evaluate_loss,
    resolve_batch_size,
    take_rows,
    train,
)

_DTYPES = {"float32": np.float32, "float64": np.float64}


def _as_index(indices):
    """A slice when ``indices`` are contiguous (views, no copies), else array."""
    indices = np.asarray(indices, dtype=np.intp)
    if indices.size and np.array_equal(
        indices, np.arange(indices[0], indices[0] + indices.size)
    ):
        return slice(int(indices[0]), int(indices[0] + indices.size))
    return indices


def _is_positive_int(value):
    """A layer width: a positive int (or an integral float), not a bool."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, Real):
        return False
    return float(value).is_integer() and value > 0


def _real_array(values, name):
    """``values`` as a float64 array; a ValueError naming ``name`` otherwise."""
    try:
        return np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must hold real numbers, got {values!r}.") from None


def _check_representable(X, dtype, *, finite_checked=True, estimator_name=None):
    """A ValueError when ``X`` has values beyond the range of ``dtype``.

    Casting them would give inf, and the network NaN. With
    ``finite_checked=False`` the same pass also finds NaN and infinities,
    reported as scikit-learn reports them: dense X is then read once, in
    blocks of rows small enough to stay in cache for their minimum and
    maximum, instead of three times (scikit-learn's finiteness sum, then a
    maximum and a minimum over all of X).
    """
    data = X.data if sp.issparse(X) else X
    if data.size == 0:
        return
    if sp.issparse(X):
        low, high = data.min(), data.max()
    else:
        block = max(1, (1 << 17) // max(1, data.shape[1]))
        low, high = np.inf, -np.inf
        for start in range(0, data.shape[0], block):
            rows = data[start : start + block]
            low = np.minimum(low, rows.min())  # NaN propagates
            high = np.maximum(high, rows.max())
    if not finite_checked and not (np.isfinite(low) and np.isfinite(high)):
        # scikit-learn's own check and message (or nothing under
        # assume_finite: the fit then stops on non-finite losses)
        _assert_all_finite(data, input_name="X", estimator_name=estimator_name)
        if np.isnan(low) or np.isnan(high):
            return
    largest = max(abs(float(high)), abs(float(low)))
    limit = float(np.finfo(dtype).max)
    if largest > limit:
        raise ValueError(
            f"X has values of magnitude up to {largest:.3g}, which the "
            f"network's training dtype {np.dtype(dtype).name} cannot represent "
            f"(its largest value is {limit:.3g}); scale X, e.g. with "
            "StandardScaler, or pass dtype='float64'."
        )


def _check_finite_output(values, what="the network's output"):
    """A ValueError when the forward pass on X overflowed."""
    if not np.isfinite(values).all():
        raise ValueError(
            f"X is too large for the fitted network: {what} overflows to "
            "non-finite values. Scale X, e.g. with StandardScaler (in a "
            "Pipeline, so that prediction sees the same scaling as fit)."
        )
    return values


def _check_class_weight_dict(weights):
    """The weights of a class_weight dict must be finite and non-negative."""
    for label, weight in weights.items():
        bad = isinstance(weight, (bool, np.bool_)) or not isinstance(weight, Real)
        if bad or not np.isfinite(weight) or weight < 0:
            raise ValueError(
                f"class_weight must map labels to finite non-negative numbers, "
                f"got {weight!r} for label {label!r}."
            )


def _class_counts(codes, n_classes, sample_weight):
    """``np.bincount(codes, sample_weight, minlength=n_classes)``; equal
    weights (the usual case) count without them, and two classes by one
    pass (millions of rows: a fifth of the time)."""
    if sample_weight is not None and sample_weight.size:
        low, high = sample_weight.min(), sample_weight.max()
        if low != high:
            return np.bincount(codes, weights=sample_weight, minlength=n_classes)
        scale = float(high)
    else:
        scale = 1.0
    if n_classes == 2 and codes.size:
        positive = np.count_nonzero(codes)
        return np.array([codes.size - positive, positive]) * scale
    return np.bincount(codes, minlength=n_classes) * scale


def balanced_class_weight(codes, n_classes, sample_weight=None):
    """scikit-learn's "balanced": ``n_observed / (n_seen * count_k)``.

    ``codes`` are the observed class codes of one task, counted with their
    ``sample_weight`` (so that a zero weight is a dropped row); a class that
    is not observed weighs 0.
    """
    counts = _class_counts(codes, n_classes, sample_weight)
    weights = np.zeros(n_classes)
    seen = counts > 0
    weights[seen] = counts.sum() / (seen.sum() * counts[seen])
    return weights


def sqrt_positive_class_weight(codes, n_classes, sample_weight=None):
    """The "sqrt_positive" rule: rare positives up-weighted, nothing else.

    Binary task (``n_classes == 2``, code 1 the positive class): the
    negative class weighs 1, the positive ``max(1, sqrt(n_negative /
    n_positive))``. Multiclass task: the square root of "balanced". Counts
    are sums of ``sample_weight``.
    """
    if n_classes != 2:
        return np.sqrt(balanced_class_weight(codes, n_classes, sample_weight))
    n_negative, n_positive = _class_counts(codes, 2, sample_weight)
    if n_positive <= 0:
        return np.ones(2)
    return np.array([1.0, max(1.0, np.sqrt(n_negative / n_positive))])


_CLASS_WEIGHT_RULES = {
    "balanced": balanced_class_weight,
    "sqrt_positive": sqrt_positive_class_weight,
}


class _BaseSharedRepresentation(
    ClassNamePrefixFeaturesOutMixin, TransformerMixin, BaseEstimator
):
    """Everything the classifier and the regressor share.

    Subclasses define ``_target_kind``, ``_task_setup(targets)`` (heads,
    output widths, encoded targets) and the prediction methods.
    """

    _accepts_missing_labels = True

    _parameter_constraints = {
        "hidden_layer_sizes": [
            "array-like",
            Interval(Integral, 1, None, closed="left"),
        ],
        "head_layer_sizes": ["array-like", Interval(Integral, 1, None, closed="left")],
        "activation": [StrOptions({"relu", "tanh", "logistic", "identity"})],
        "alpha": [Interval(Real, 0, None, closed="left")],
        "dropout": [Interval(Real, 0, 1, closed="left")],
        "solver": [StrOptions({"adam", "sgd"})],
        "batch_size": [
            StrOptions({"auto"}),
            Interval(Integral, 1, None, closed="left"),
        ],
        "learning_rate_init": [Interval(Real, 0, None, closed="neither")],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="left")],
        "early_stopping": ["boolean", StrOptions({"refit"})],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
        "n_iter_no_change": [Interval(Integral, 1, None, closed="left")],
        "shuffle": ["boolean"],
        "average": ["boolean"],
        "momentum": [Interval(Real, 0, 1, closed="both")],
        "nesterovs_momentum": ["boolean"],
        "beta_1": [Interval(Real, 0, 1, closed="left")],
        "beta_2": [Interval(Real, 0, 1, closed="left")],
        "epsilon": [Interval(Real, 0, None, closed="neither")],
        "task_weights": ["array-like", None],
        "task_weighting": [StrOptions(set(TASK_WEIGHTINGS)), TaskWeighting],
        "task_graph": ["array-like", StrOptions(set(TASK_GRAPH_RULES)), None],
        "graph_head": [StrOptions(set(GRAPH_HEADS))],
        "graph_alpha": [Interval(Real, 0, None, closed="left")],
        "dtype": [StrOptions(set(_DTYPES))],
        "random_state": ["random_state"],
        "warm_start": ["boolean"],
        "verbose": ["verbose"],
    }

    def __init__(
        self,
        hidden_layer_sizes=(512, 256),
        head_layer_sizes=(),
        *,
        activation="relu",
        alpha=1e-3,
        dropout=0.0,
        solver="adam",
        batch_size="auto",
        learning_rate_init=1e-3,
        max_iter=500,
        tol=1e-4,
        early_stopping=True,
        validation_fraction=0.1,
        n_iter_no_change=10,
        shuffle=True,
        average=False,
        momentum=0.9,
        nesterovs_momentum=True,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-8,
        task_weights=None,
        task_weighting="equal",
        task_graph=None,
        graph_head="gcn",
        graph_alpha=GRAPH_ALPHA_DEFAULT,
        dtype="float32",
        random_state=None,
        warm_start=False,
        verbose=False,
    ):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.head_layer_sizes = head_layer_sizes
        self.activation = activation
        self.alpha = alpha
        self.dropout = dropout
        self.solver = solver
        self.batch_size = batch_size
        self.learning_rate_init = learning_rate_init
        self.max_iter = max_iter
        self.tol = tol
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.shuffle = shuffle
        self.average = average
        self.momentum = momentum
        self.nesterovs_momentum = nesterovs_momentum
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.task_weights = task_weights
        self.task_weighting = task_weighting
        self.task_graph = task_graph
        self.graph_head = graph_head
        self.graph_alpha = graph_alpha
        self.dtype = dtype
        self.random_state = random_state
        self.warm_start = warm_start
        self.verbose = verbose

    # -- validation helpers ------------------------------------------------
    @staticmethod
    def _layer_sizes(sizes, name):
        if isinstance(sizes, str):
            sizes = [sizes]
        entries = list(np.ravel(np.asarray(sizes, dtype=object)))
        if np.ndim(np.asarray(sizes, dtype=object)) > 1 or not all(
            _is_positive_int(s) for s in entries
        ):
            raise ValueError(
                f"{name} must be a sequence of positive integers, got {sizes!r}."
            )
        return tuple(int(s) for s in entries)

    def _validate_X(self, X, reset, cast=True):
        # cast=False (fit): dense X keeps its dtype, the training loop casts
        # it batch by batch (no converted copy of X); values beyond the
        # training dtype's range are an error either way
        plain = None if reset else plain_float_rows(self, X)
        dtype = _DTYPES[self.dtype]
        # float64 X for float32 training is checked for its range anyway:
        # finiteness in the same pass
        finite_checked = plain is not None or dtype == np.float64
        if plain is not None:
            X = plain  # what validate_data would return: skip its overhead
        else:
            X = validate_X(
                self,
                X,
                reset=reset,
                accept_sparse="csr",
                dtype=[np.float64, np.float32],
                ensure_all_finite=finite_checked,
            )
        name = type(self).__name__
        if X.dtype != dtype:
            _check_representable(
                X, dtype, finite_checked=finite_checked, estimator_name=name
            )
            if cast or sp.issparse(X):
                X = X.astype(dtype)
        elif not finite_checked:  # X in the training dtype: no range to check
            data = X.data if sp.issparse(X) else X
            _assert_all_finite(data, input_name="X", estimator_name=name)
        return X

    def _task_weight_vector(self, n_tasks):
        if self.task_weights is None:
            return np.ones(n_tasks)
        weights = _real_array(self.task_weights, "task_weights")
        if weights.shape != (n_tasks,):
            raise ValueError(
                f"task_weights must have one weight per task, shape "
                f"({n_tasks},), got shape {weights.shape}."
            )
        if not np.all(np.isfinite(weights)) or np.any(weights < 0):
            raise ValueError("task_weights must be finite and non-negative.")
        return weights

    def _check_parameters(self):
        """What ``_parameter_constraints`` cannot express, before any work."""
        self._layer_sizes(self.hidden_layer_sizes, "hidden_layer_sizes")
        self._layer_sizes(self.head_layer_sizes, "head_layer_sizes")
        if self.task_weights is not None:
            _real_array(self.task_weights, "task_weights")
        make_task_weighting(self.task_weighting)  # its own parameters

    def _cell_weights(self, targets, sample_weight):
        """Weight of each (sample, task) cell, zero where missing."""
        return targets.mask * sample_weight[:, None]

    # -- fitting -------------------------------------------------------------
    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Fit the network to data X and targets y.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Input data.
        y : array-like of shape (n_samples,) or (n_samples, n_tasks)
            Targets; NaN, None or pd.NA mark a missing label, which is left
            out of that task's loss only.
        sample_weight : array-like of shape (n_samples,), default=None
            Weights of the samples in every task's loss.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        return self._fit(X, y, sample_weight, incremental=False)

    def _fit(self, X, y, sample_weight, incremental, classes=None):
        self._check_parameters()
        first_call = not (
            (incremental or self.warm_start) and hasattr(self, "_network")
        )
        X = self._validate_X(X, reset=first_call, cast=False)
        known = self._known_classes(classes, first_call, y)
        targets = check_targets(
            y,
            kind=self._target_kind,
            n_samples=X.shape[0],
            classes=known,
            # A partial_fit chunk may hold no label of a task once its classes
            # are known (or, for regression, its target scaling is set): the
            # task then has zero weight in that update.
            require_labels=first_call
            and (self._target_kind == "regression" or known is None),
        )
        warn_constant_tasks(targets)
        sample_weight = check_sample_weight(
            sample_weight, X, dtype=np.float64, ensure_non_negative=True
        )
        if sample_weight.max(initial=0) > 0:
            # each task's loss is normalised by its total weight: dividing by
            # the largest weight changes nothing but keeps float32 finite
            sample_weight = sample_weight / sample_weight.max()
        labelled = targets.labelled_rows
        if labelled.size < X.shape[0]:
            # rows without any label: dropped before the validation split and
            # the shuffles, so that they cannot change the fit
            X = take_rows(X, labelled, _DTYPES[self.dtype])
            targets = targets.take(labelled)
            sample_weight = sample_weight[labelled]
        task_weights = self._task_weight_vector(targets.n_tasks)
        if first_call:
            self._setup_tasks(targets, sample_weight)
        else:
            self._check_same_tasks(targets)
            self._follow_output_shape(targets)
        encoded = self._encode_targets(targets)
        dtype = _DTYPES[self.dtype]
        cell_weights = self._cell_weights(targets, sample_weight.astype(dtype))
        encoded = encoded.astype(dtype, copy=False)
        cell_weights = cell_weights.astype(dtype, copy=False)

        if first_call:
            self._task_graph = resolve_task_graph(self, targets, encoded)
            self._start_network(X.shape[1], dtype)
        if not incremental or not hasattr(self, "_optimizer"):
            self._optimizer = self._make_optimizer()
            self._history.restart()
        if self._nothing_to_learn():
            # every task is a constant: the heads are not used, no epoch runs
            n_epochs, converged = 0, True
        else:
            n_epochs, converged = self._train(
                X, encoded, cell_weights, task_weights, incremental, first_call
            )
        self.n_iter_ = (self.n_iter_ if not first_call else 0) + n_epochs
        self.t_ = self._optimizer.t
        self._publish_history()
        if not converged and not incremental:
            warnings.warn(
                f"Stochastic optimizer: maximum iterations ({self.max_iter}) "
                "reached and the optimization hasn't converged yet.",
                ConvergenceWarning,
                stacklevel=1,  # attributed to mtlearn (an error in our tests)
            )
        return self

    def _train(self, X, encoded, cell_weights, task_weights, incremental, first_call):
        """Run the training loop; returns (n_epochs, converged)."""
        validation_score, rows = None, None
        if self.early_stopping and not incremental:
            rows, validation_score = self._hold_out_validation(
                X, encoded, cell_weights, task_weights
            )
        batch_size = resolve_batch_size(
            self.batch_size, X.shape[0] if rows is None else len(rows)
        )
        refit = rows is not None and self.early_stopping == "refit"
        params_before = None if first_call else self._network.params.copy()
        start = self._network.params.copy() if refit else None
        weighting = self._task_weighting_for_run(first_call)
        weighting_before = (
            None if first_call and not refit else copy.deepcopy(weighting)
        )
        run = dict(
            alpha=self.alpha,
            tol=self.tol,
            n_iter_no_change=self.n_iter_no_change,
            shuffle=self.shuffle,
            dropout=self.dropout,
            rng=self._rng,
            verbose=self.verbose,
            task_names=getattr(self, "task_names_", None),
            average=self.average,
        )
        data = (X, encoded, cell_weights, self._head_groups, task_weights)
        history = self._history  # its curves go on across warm starts
        n_curve, n_scores = len(history.loss_curve), len(history.validation_scores)
        try:
            n_epochs, converged = train(
                self._network,
                self._optimizer,
                *data,
                history,
                batch_size=batch_size,
                max_iter=1 if incremental else self.max_iter,
                validation_score=validation_score,
                check_convergence=not incremental,
                resume_last_iterate=incremental,
                epoch_context=EpochThreads(self._network, batch_size).epoch,
                weighting=weighting,
                rows=rows,
                **run,
            )
            if refit:
                # the epochs that early stopping chose, again from the same
                # start, on every row (validation ones too): the same
                # training loop without a validation score
                n_epochs = int(np.argmax(history.validation_scores[n_scores:])) + 1
                best = history.best_validation_score
                for curve in (
                    history.loss_curve,
                    history.task_loss_curves,
                    history.task_weight_curves,
                ):
                    del curve[n_curve:]  # the training curves: the refit's
                history.restart()
                history.best_validation_score = best
                self._network.params[...] = start
                self._optimizer = self._make_optimizer()
                self._task_weighting = copy.deepcopy(weighting_before)
                batch_size = resolve_batch_size(self.batch_size, X.shape[0])
                train(
                    self._network,
                    self._optimizer,
                    *data,
                    history,
                    batch_size=batch_size,
                    max_iter=n_epochs,
                    check_convergence=False,
                    epoch_context=EpochThreads(self._network, batch_size).epoch,
                    weighting=self._task_weighting,
                    **run,
                )
            return n_epochs, converged
        except TrainingDiverged:
            self._undo_failed_fit(params_before)
            if weighting_before is not None and not first_call:
                self._task_weighting = weighting_before
            raise

    def _task_weighting_for_run(self, first_call):
        """The strategy to train with: a fresh clone of ``task_weighting`` at
        the first fit (or when it changed), else the one trained so far."""
        strategy = make_task_weighting(self.task_weighting)
        current = getattr(self, "_task_weighting", None)
        if (
            first_call
            or current is None
            or type(current) is not type(strategy)
            or current.get_params() != strategy.get_params()
        ):
            self._task_weighting = strategy
        return self._task_weighting

    def _nothing_to_learn(self):
        return False

    def _follow_output_shape(self, targets):
        """A refit follows the shape of its y: 1-D or (n_samples, 1)."""
        self._one_d = targets.one_d

    def _known_classes(self, classes, first_call, y):
        return None

    def _start_network(self, n_features, dtype):
        self._rng = np.random.default_rng(
            check_random_state(self.random_state).randint(np.iinfo(np.int32).max)
        )
        self._network = self._make_network(n_features, dtype)
        self._network.initialize(self._rng)
        self._history = TrainingHistory()

    def _make_network(self, n_features, dtype):
        """The architecture: a subclass returns another network with the same
        protocol (``forward``, ``backward``, flat ``params``/``grads``, ...;
        see ``SharedTrunkNetwork``)."""
        args = (
            n_features,
            self._layer_sizes(self.hidden_layer_sizes, "hidden_layer_sizes"),
            self._layer_sizes(self.head_layer_sizes, "head_layer_sizes"),
            self.n_tasks_,
            self._n_outputs,
            self.activation,
            dtype,
        )
        if getattr(self, "_task_graph", None) is not None:
            return make_graph_network(self, args)
        return SharedTrunkNetwork(*args)

    def _hold_out_validation(self, X, encoded, cell_weights, task_weights):
        """Split off the early-stopping rows: the training rows' indices (the
        loop gathers its batches from X, which is not copied) and a scorer."""
        train_rows, val_rows = self._validation_split(X.shape[0])
        X_val = take_rows(X, val_rows, self._network.dtype)
        y_val, w_val = encoded[val_rows], cell_weights[val_rows]

        def validation_score():
            losses = evaluate_loss(
                self._network, X_val, y_val, w_val, self._head_groups, task_weights
            )
            return -float(np.dot(task_weights, losses))

        return train_rows, validation_score

    def _undo_failed_fit(self, params_before):
        """After divergence: the previous fit back, or no fit at all."""
        if params_before is not None:
            self._network.params[...] = params_before
            del self._optimizer
            return
        private = ("_network", "_history", "_optimizer", "_rng", "_task_weighting")
        for name in list(vars(self)):
            fitted = name.endswith("_") and not name.startswith("__")
            if fitted or name in private:
                delattr(self, name)

    def _make_optimizer(self):
        n, dtype = self._network.n_params, self._network.dtype
        if self.solver == "adam":
            return OPTIMIZERS["adam"](
                n,
                dtype,
                self.learning_rate_init,
                self.beta_1,
                self.beta_2,
                self.epsilon,
            )
        return OPTIMIZERS["sgd"](
            n, dtype, self.learning_rate_init, self.momentum, self.nesterovs_momentum
        )

    def _validation_split(self, n_samples):
        n_val = int(round(self.validation_fraction * n_samples))
        if n_val < 1 or n_samples - n_val < 1:
            raise ValueError(
                f"early_stopping needs at least one training and one validation "
                f"sample: validation_fraction={self.validation_fraction} of "
                f"{n_samples} samples leaves {n_val} for validation."
            )
        order = self._rng.permutation(n_samples)
        return np.sort(order[n_val:]), np.sort(order[:n_val])

    def _setup_tasks(self, targets, sample_weight):
        record_tasks(self, targets)
        self._setup_heads(targets, sample_weight)

    def _check_same_tasks(self, targets):
        if targets.n_tasks != self.n_tasks_:
            raise ValueError(
                f"y has {targets.n_tasks} tasks but the estimator was fitted "
                f"with {self.n_tasks_}; refit from scratch (warm_start=False) "
                "to change the tasks."
            )

    def _head_group(self, head, tasks):
        tasks = np.asarray(tasks, dtype=np.intp)
        k = self._n_outputs
        columns = (tasks[:, None] * k + np.arange(head.n_outputs)).ravel()
        return HeadGroup(head, _as_index(tasks), _as_index(columns))

    def _publish_history(self):
        publish_task_graph(self)
        history = self._history
        self.loss_curve_ = list(history.loss_curve)
        self.task_loss_curves_ = np.array(history.task_loss_curves).reshape(
            -1, self.n_tasks_
        )
        self.task_weight_curves_ = np.array(history.task_weight_curves).reshape(
            -1, self.n_tasks_
        )
        if self.early_stopping:
            self.validation_scores_ = list(history.validation_scores)
            self.best_validation_score_ = (
                history.best_validation_score if history.validation_scores else None
            )
            self.best_loss_ = None
        else:
            self.validation_scores_ = None
            self.best_validation_score_ = None
            self.best_loss_ = history.best_loss

    # -- prediction ------------------------------------------------------------
    def _logits(self, X):
        check_is_fitted(self)
        X = self._validate_X(X, reset=False)
        with np.errstate(over="ignore", invalid="ignore"):
            return _check_finite_output(self._network.predict_logits(X))

    def _task_logits(self, logits, t):
        k = self._n_outputs
        return logits[:, t * k : t * k + self._head_outputs[t]]

    def transform(self, X):
        """The shared representation: the output of the last trunk layer.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Input data.

        Returns
        -------
        H : ndarray of shape (n_samples, hidden_layer_sizes[-1])
            Trunk activations (``X`` itself, as float, when there is no
            hidden layer); a DataFrame with the columns of
            ``get_feature_names_out()`` after ``set_output(transform="pandas")``.

        Raises
        ------
        ValueError
            When X holds values the training dtype cannot represent, or the
            forward pass on X overflows (X far outside the scale seen in fit).
        """
        check_is_fitted(self)
        X = self._validate_X(X, reset=False)
        with np.errstate(over="ignore", invalid="ignore"):
            return _check_finite_output(
                self._network.transform(X), "the trunk's output"
            )

    @property
    def _n_features_out(self):
        """Width of ``transform``'s output (for ``get_feature_names_out``)."""
        net = self._network
        if net.n_trunk_layers == 0:
            return net.n_features
        return net.layers[net.n_trunk_layers - 1].n_out

    def get_feature_names_out(self, input_features=None):
        """Names of the features ``transform`` gives.

        Parameters
        ----------
        input_features : array-like of str or None, default=None
            Only checked against the feature names seen in ``fit``.

        Returns
        -------
        feature_names_out : ndarray of str objects
            ``"<class name in lower case><i>"`` for the units of the last
            trunk layer; the input feature names when there is no hidden
            layer (``transform`` then passes X through).
        """
        check_is_fitted(self)
        if self._network.n_trunk_layers == 0:
            return _check_feature_names_in(self, input_features)
        return super().get_feature_names_out(input_features)

    # -- fitted weights -------------------------------------------------------
    @property
    def trunk_coefs_(self):
        """List of the trunk's weight matrices, (n_in, n_out) each."""
        check_is_fitted(self)
        return self._network.coefs[: self._network.n_trunk_layers]

    @property
    def trunk_intercepts_(self):
        """List of the trunk's bias vectors."""
        check_is_fitted(self)
        return self._network.intercepts[: self._network.n_trunk_layers]

    @property
    def head_coefs_(self):
        """Per task, the list of its head's weight matrices (n_in, n_out)."""
        return [self._head_params(t)[0] for t in range(self.n_tasks_)]

    @property
    def head_intercepts_(self):
        """Per task, the list of its head's bias vectors."""
        return [self._head_params(t)[1] for t in range(self.n_tasks_)]

    def _head_params(self, t):
        check_is_fitted(self)
        net = self._network
        coefs, intercepts = [], []
        head_layers = range(net.n_trunk_layers, len(net.layers))
        for i in head_layers:
            W, b = net.coefs[i], net.intercepts[i]
            last = i == len(net.layers) - 1
            width = self._head_outputs[t] if last else None
            if W.ndim == 2:  # first head layer: one dense layer for all tasks
                n_out = W.shape[1] // self.n_tasks_
                cols = slice(t * n_out, t * n_out + (width or n_out))
                coefs.append(W[:, cols])
                intercepts.append(b[cols])
            else:
                n_out = W.shape[2]
                coefs.append(W[t][:, : width or n_out])
                intercepts.append(b[t * n_out : t * n_out + (width or n_out)])
        return coefs, intercepts

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        # transform() exposes the trunk: a feature extractor in a Pipeline
        tags.transformer_tags.preserves_dtype = ["float64"]
        tags.target_tags.multi_output = True
        tags.target_tags.single_output = True
        return tags


_SHARED_PARAMETERS_DOC = """
    hidden_layer_sizes : array-like of int, default=(512, 256)
        Widths of the trunk's hidden layers, shared by all tasks.
    head_layer_sizes : array-like of int, default=()
        Widths of each task's own hidden layers between the trunk and its
        output; empty means each head is a single output layer on the trunk.
    activation : {"relu", "tanh", "logistic", "identity"}, default="relu"
        Activation of every hidden layer.
    alpha : float, default={alpha}
        Strength of the L2 penalty ``alpha / 2 * ||W||^2`` on all weights
        (not the biases).
        {alpha_why}
    dropout : float, default={dropout}
        Probability of dropping each trunk unit during training (inverted
        dropout; no dropout at prediction time).
        {dropout_why}
    solver : {"adam", "sgd"}, default="adam"
        Optimizer: Adam, or stochastic gradient descent with momentum.
    batch_size : int or "auto", default="auto"
        Mini-batch size; "auto" is ``min(200, n_samples)``.
    learning_rate_init : float, default=1e-3
        Step size of the optimizer.
    max_iter : int, default={max_iter}
        Maximum number of epochs.
    tol : float, default=1e-4
        Improvement of the training loss (or of the validation score with
        ``early_stopping``) below which an epoch counts as no improvement.
    early_stopping : bool or "refit", default={early_stopping}
        Hold out ``validation_fraction`` of the rows and stop when the
        validation score has not improved by ``tol`` for
        ``n_iter_no_change`` epochs; the best epoch's weights are kept.
        "refit": then train again, from the same initial weights, on every
        row (the held-out ones too) for the number of epochs early stopping
        chose, and keep those weights (about twice the fit time). The
        held-out rows are drawn at random; their score is minus the sum of
        the tasks' losses (weighted by ``task_weights``).
        {early_stopping_why}
    validation_fraction : float, default=0.1
        Share of rows held out for early stopping.
    n_iter_no_change : int, default=10
        Epochs without improvement before stopping.
    shuffle : bool, default=True
        Shuffle the rows at each epoch.
    average : bool, default={average}
        Polyak-Ruppert averaging: the model's weights (validated at each
        epoch and returned) are the mean of every iterate of the optimizer
        since the start of the fit, not the last one. It smooths out the
        noise of the mini-batch steps at the cost of one vector update per
        step. ``partial_fit`` keeps training from the last iterate.
        {average_why}
    momentum : float, default=0.9
        Momentum of the "sgd" solver.
    nesterovs_momentum : bool, default=True
        Nesterov momentum for the "sgd" solver.
    beta_1, beta_2, epsilon : float, default=0.9, 0.999, 1e-8
        Parameters of the "adam" solver.
    task_weights : array-like of shape (n_tasks,), default=None
        Fixed weight of each task's loss in the objective; None is 1 each.
    task_weighting : {"equal", "uncertainty", "dwa", "gradnorm", "pcgrad"} \
or TaskWeighting, default="equal"
        How the tasks' losses are weighted during training (the fixed
        ``task_weights`` multiply the strategy's weights). "equal" keeps
        ``task_weights``; "uncertainty" learns a log-variance per task
        (Kendall et al. 2018, :class:`UncertaintyWeighting`); "dwa" weighs
        by the ratio of the last two epochs' losses (Liu et al. 2019,
        :class:`DynamicWeightAverage`); "gradnorm" balances the gradient
        norms on the last trunk layer (Chen et al. 2018,
        :class:`GradNorm`); "pcgrad" projects conflicting task gradients of
        the trunk (Yu et al. 2020, :class:`PCGrad`). A name uses the
        strategy's defaults; an instance (e.g.
        ``DynamicWeightAverage(temperature=1.0)``) sets its parameters and
        is cloned at fit. "gradnorm" and "pcgrad" cost one backward pass
        per task and mini-batch; without hidden layers they reduce to
        "equal". The stopping criterion, ``loss_curve_`` and the
        early-stopping score keep the fixed ``task_weights``.
    task_graph : array-like of shape (n_tasks, n_tasks), str or None, \
default=None
        A graph of the tasks for their heads: None (no graph); an array
        (symmetric, non-negative, finite; its diagonal is ignored); the name
        of a rule of :func:`mtlearn.task_graph.estimate_task_graph`
        ("auto", "correlation", "cooccurrence", "jaccard") that estimates
        it from the observed training targets at the first fit (missing
        labels left out); or "learned" (``graph_head="gcn"`` only: a
        sparse symmetric graph ``A = max(S, 0)`` learned with the weights,
        propagated as ``I + A``, under the L1 penalty ``graph_alpha *
        sum_{s<t} A_st``). Kept by ``warm_start`` and ``partial_fit``. Edges
        of constant tasks are left out. ``loss_curve_`` and the validation
        score do not include the graph penalties.
    graph_head : {"penalty", "gcn"}, default="gcn"
        How the graph ties the heads (only with ``task_graph``). "gcn" by
        default: with ``task_graph="auto"`` it gained macro-F1 over the
        plain network on yeast, emotions and generated rare labels (10
        seeds) and stayed within 0.001 R^2 of it on two generated
        regression sets, where "penalty" lost up to 0.007 macro-F1 (yeast)
        and 0.008 R^2 (smooth targets) but gained 0.014 R^2 on clustered
        regression tasks (benchmarks/bench_graph_head.py). "penalty":
        the objective gains ``graph_alpha / 2 * sum_{s,t} A_st ||v_s -
        v_t||^2`` over the tasks' output-layer weights ``v_t`` (edges of a
        multiclass task are left out). "gcn": the graph convolution of
        ML-GCN (Chen et al. 2019) over the heads: each task's output-layer
        weights are its own free head plus ``graph_alpha`` times its
        neighbours' head mean weighted by the graph, ``V = (I + graph_alpha
        D^-1 A) U`` with ``U`` free (a task without an edge keeps its free
        head: an empty graph gives the plain network).
    graph_alpha : float, default={graph_alpha}
        Strength of the graph: the penalty's weight ("penalty"), the weight
        of the neighbours' mean head against the task's own ("gcn"), the
        weight of the L1 penalty of a learned graph. {graph_alpha_why}
    dtype : {"float32", "float64"}, default="float32"
        Compute precision of the weights and activations. float32 is about
        twice as fast and accurate enough for training by stochastic
        gradients; float64 for checks that need it, or for X whose values
        float32 cannot represent (beyond about 3.4e38: a ValueError in
        float32).
    random_state : int, RandomState instance or None, default=None
        Seeds initialisation, shuffling, the validation split and dropout;
        an int makes fits reproducible to the bit on the same machine.
    warm_start : bool, default=False
        Continue from the previous fit's weights.
    verbose : bool or int, default=False
        Print one line per epoch with the loss of each task.
"""

_SHARED_ATTRIBUTES_DOC = """
    n_tasks_ : int
        Number of tasks (1 for one-dimensional y).
    task_names_ : ndarray of str
        Task names, from the column names of a DataFrame y. Only defined
        when y had names.
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Names of features seen during fit, when X had string column names.
    loss_curve_ : list of float
        Objective value (weighted sum of task losses plus the penalty) at the
        end of each epoch, averaged over the epoch's mini-batches.
    task_loss_curves_ : ndarray of shape (n_iter_, n_tasks_)
        Each task's loss at each epoch (0 for a constant task).
    task_weight_curves_ : ndarray of shape (n_iter_, n_tasks_)
        Weight of each task's loss at each epoch, the mean over its
        mini-batches (``task_weights`` times the ``task_weighting``
        strategy's weight; constant with "equal" and "pcgrad").
    validation_scores_ : list of float or None
        With ``early_stopping``, the score on the held-out rows at each epoch
        (see ``early_stopping``; with "refit", those of the run that chose
        the number of epochs). None otherwise.
    best_validation_score_ : float or None
        Best of ``validation_scores_``.
    best_loss_ : float or None
        Lowest training loss (None with ``early_stopping``).
    n_iter_ : int
        Number of epochs run (with ``early_stopping="refit"``, of the
        training on every row: the best epoch of ``validation_scores_``).
    t_ : int
        Number of optimizer steps (mini-batches) run (of the last training).
    task_graph_ : ndarray of shape (n_tasks_, n_tasks_)
        The task graph used (given or estimated), or learned; only defined
        when ``task_graph`` is not None.
    trunk_coefs_, trunk_intercepts_ : list of ndarray
        Weights and biases of the trunk layers.
    head_coefs_, head_intercepts_ : list of list of ndarray
        Per task, the weights and biases of its head layers.
"""


class SharedRepresentationClassifier(
    LogitClassifierMixin,
    MultiTaskClassifierMixin,
    ClassifierMixin,
    _BaseSharedRepresentation,
):
    """Multi-task classifier: a shared MLP trunk and one head per task.

    All tasks are trained jointly on the weighted sum of their losses, each
    task's loss taken over its observed labels only::

        min_W  sum_t task_weights[t] * L_t(W) + alpha / 2 * ||W||^2
        L_t = sum_{i observed in t} c_it * loss_t(y_it, f_t(x_i)) / sum_i c_it

    where ``c_it`` is the sample weight times the class weight, ``f_t`` is
    the trunk followed by task ``t``'s head, and ``loss_t`` is the log-loss
    of a sigmoid output (binary task) or of a softmax output (multiclass
    task). This is hard parameter sharing (Caruana, 1997): the trunk learns a
    representation that serves every task.

    Parameters
    ----------
    {parameters}
    {class_weight}
    Attributes
    ----------
    classes_ : ndarray or list of ndarray
        Class labels of each task (an array for one-dimensional y); a
        constant task has one.
    {attributes}

    See Also
    --------
    SharedRepresentationRegressor : The same network for regression tasks.
    sklearn.neural_network.MLPClassifier : One network, no per-task heads.

    Notes
    -----
    ``predict_proba`` follows ``MultiOutputClassifier``: a list with one
    array of shape (n_samples, n_classes_t) per task (one array for
    one-dimensional y). ``decision_function`` gives the logits: an array of
    shape (n_samples, n_tasks) when every task is binary, else a list with
    one array per task. ``score`` is the mean over tasks of the accuracy on
    the observed labels. A refit with ``warm_start`` or ``partial_fit``
    follows the shape of its own y (one-dimensional or not).

    A task whose observed labels hold one class (a rare label) is a
    constant: it is left out of the loss (its cells weigh 0), predicts its
    class with probability 1 (``predict_proba`` of shape (n_samples, 1)) and
    has a decision function of 0; each fit emits one
    :class:`~mtlearn.exceptions.ConstantTaskWarning` naming such tasks. When
    every task is constant no epoch runs. Classes declared with
    ``partial_fit(classes=...)`` are kept: such a task is never constant.

    References
    ----------
    R. Caruana, "Multitask learning", Machine Learning 28(1):41-75, 1997.

    Examples
    --------
    >>> import numpy as np
    >>> from mtlearn.neural_network import SharedRepresentationClassifier
    >>> rng = np.random.RandomState(0)
    >>> X = rng.normal(size=(200, 5))
    >>> Y = np.column_stack([X[:, 0] > 0, X[:, 0] + X[:, 1] > 0]).astype(float)
    >>> Y[:20, 1] = np.nan  # missing labels are left out of task 1's loss
    >>> clf = SharedRepresentationClassifier(learning_rate_init=0.01,
    ...                                      random_state=0)
    >>> clf.fit(X, Y).predict(X[:3])
    array([[1., 1.],
           [0., 0.],
           [1., 1.]])
    >>> [p.shape for p in clf.predict_proba(X[:3])]
    [(3, 2), (3, 2)]
    """

    _parameter_constraints = {
        **_BaseSharedRepresentation._parameter_constraints,
        "class_weight": [StrOptions({"balanced", "sqrt_positive"}), dict, list, None],
    }
    _target_kind = "classification"

    def __init__(
        self,
        hidden_layer_sizes=(512, 256),
        head_layer_sizes=(),
        *,
        activation="relu",
        alpha=1e-2,
        dropout=0.5,
        solver="adam",
        batch_size="auto",
        learning_rate_init=1e-3,
        max_iter=200,
        tol=1e-4,
        early_stopping="refit",
        validation_fraction=0.1,
        n_iter_no_change=10,
        shuffle=True,
        average=True,
        momentum=0.9,
        nesterovs_momentum=True,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-8,
        task_weights=None,
        task_weighting="equal",
        task_graph=None,
        graph_head="gcn",
        graph_alpha=GRAPH_ALPHA_DEFAULT,
        class_weight="sqrt_positive",
        dtype="float32",
        random_state=None,
        warm_start=False,
        verbose=False,
    ):
        super().__init__(
            hidden_layer_sizes=hidden_layer_sizes,
            head_layer_sizes=head_layer_sizes,
            activation=activation,
            alpha=alpha,
            dropout=dropout,
            solver=solver,
            batch_size=batch_size,
            learning_rate_init=learning_rate_init,
            max_iter=max_iter,
            tol=tol,
            early_stopping=early_stopping,
            validation_fraction=validation_fraction,
            n_iter_no_change=n_iter_no_change,
            shuffle=shuffle,
            average=average,
            momentum=momentum,
            nesterovs_momentum=nesterovs_momentum,
            beta_1=beta_1,
            beta_2=beta_2,
            epsilon=epsilon,
            task_weights=task_weights,
            task_weighting=task_weighting,
            task_graph=task_graph,
            graph_head=graph_head,
            graph_alpha=graph_alpha,
            dtype=dtype,
            random_state=random_state,
            warm_start=warm_start,
            verbose=verbose,
        )
        self.class_weight = class_weight

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, classes=None, sample_weight=None):
        """One epoch of training on (X, y), keeping the weights.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Input data.
        y : array-like of shape (n_samples,) or (n_samples, n_tasks)
            Targets, NaN/None for missing labels.
        classes : array-like or list of array-like, default=None
            All the classes of each task: required on the first call (an
            array for one-dimensional y, a list of arrays otherwise), ignored
            afterwards.
        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights.

        Returns
        -------
        self : object
            The estimator.
        """
        return self._fit(X, y, sample_weight, incremental=True, classes=classes)

    def _known_classes(self, classes, first_call, y):
        if not first_call:
            return self.classes_ if self._one_d is False else [self.classes_]
        if classes is None:
            return None
        one_d = np.ndim(y) == 1
        n_tasks = 1 if one_d else np.shape(y)[1]
        return check_classes_argument(classes, n_tasks, one_d)

    def _setup_heads(self, targets, sample_weight):
        classes = targets.classes
        self.classes_ = classes[0] if targets.one_d else classes
        self._head_outputs = [1 if len(c) == 2 else len(c) for c in classes]
        self._n_outputs = max(self._head_outputs)
        binary = [t for t, k in enumerate(self._head_outputs) if k == 1]
        groups = [self._head_group(BinaryLogisticHead(), binary)] if binary else []
        groups += [
            self._head_group(SoftmaxHead(k), [t])
            for t, k in enumerate(self._head_outputs)
            if k > 1
        ]
        self._head_groups = groups
        self._class_weights = self._resolve_class_weight(targets, sample_weight)

    def _follow_output_shape(self, targets):
        classes = self._task_classes()  # in the shape of the previous fit
        super()._follow_output_shape(targets)
        self.classes_ = classes[0] if targets.one_d else list(classes)

    def _nothing_to_learn(self):
        return all(len(c) == 1 for c in self._task_classes())

    def _check_parameters(self):
        super()._check_parameters()
        spec = self.class_weight
        for entry in spec if isinstance(spec, list) else [spec]:
            if isinstance(entry, dict):
                _check_class_weight_dict(entry)

    def _check_same_tasks(self, targets):
        super()._check_same_tasks(targets)
        known = [self.classes_] if self._one_d else self.classes_
        for t, (old, new) in enumerate(zip(known, targets.classes)):
            if not np.array_equal(old, new):
                raise ValueError(
                    f"{task_label(t, getattr(self, 'task_names_', None))} has "
                    f"classes {new.tolist()} but the estimator was fitted with "
                    f"{old.tolist()}; refit from scratch to change them."
                )

    def _resolve_class_weight(self, targets, sample_weight):
        """Per task, an array of class weights indexed by class code."""
        n_tasks = targets.n_tasks
        spec = self.class_weight
        if isinstance(spec, list):
            if len(spec) != n_tasks:
                raise ValueError(
                    f"class_weight has {len(spec)} entries but y has {n_tasks} tasks."
                )
            per_task = spec
        elif isinstance(spec, dict) and n_tasks > 1:
            raise ValueError(
                "A dict class_weight applies to one task; for several tasks "
                "pass a list with one entry per task."
            )
        else:
            per_task = [spec] * n_tasks
        weights = []
        for t, entry in enumerate(per_task):
            classes = targets.classes[t]
            codes = targets.observed(t)
            if len(classes) == 1:
                # a constant task: out of the loss, whatever its class weight
                weights.append(np.zeros(1))
            elif entry is None:
                weights.append(np.ones(len(classes)))
            elif isinstance(entry, str) and entry in _CLASS_WEIGHT_RULES:
                rule = _CLASS_WEIGHT_RULES[entry]
                weights.append(
                    rule(codes, len(classes), targets.observed(t, sample_weight))
                )
            elif isinstance(entry, dict):
                unknown = set(entry) - set(classes.tolist())
                if unknown:
                    raise ValueError(
                        f"class_weight for {task_label(t, targets.task_names)} "
                        f"names labels {sorted(map(str, unknown))} that are not "
                        f"among its classes {classes.tolist()}."
                    )
                weights.append(
                    np.array([float(entry.get(c, 1.0)) for c in classes.tolist()])
                )
            else:
                raise ValueError(
                    f"class_weight entries must be None, 'balanced' or a dict, "
                    f"got {entry!r} for {task_label(t, targets.task_names)}."
                )
        # relative weights within a task are what counts (its loss is
        # normalised by its total weight): a largest weight of 1 keeps the
        # float32 cell weights finite whatever the scale of the dict
        return [w / w.max() if w.max() > 0 else w for w in weights]

    def _encode_targets(self, targets):
        return targets.values

    def _cell_weights(self, targets, sample_weight):
        weights = super()._cell_weights(targets, sample_weight)
        # a task's class weights looked up into one reused column, no
        # temporary of the size of y (each costs more than the lookups)
        column = np.empty(targets.values.shape[0], dtype=weights.dtype)
        for t, class_weight in enumerate(self._class_weights):
            lookup = class_weight.astype(weights.dtype)
            np.take(lookup, targets.values[:, t], out=column)
            weights[:, t] *= column
        return weights

    def _task_classes(self):
        return [self.classes_] if self._one_d else self.classes_

    def _task_scores(self, X):
        logits = self._logits(X)
        return [self._task_logits(logits, t) for t in range(self.n_tasks_)]

    def _binary_scores(self, X):
        # one logit column per task (binary and constant tasks): the logits
        # are the (n_samples, n_tasks) scores, no per-task slicing
        return self._logits(X) if getattr(self, "_n_outputs", 0) == 1 else None

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_label = True
        return tags


class SharedRepresentationRegressor(
    MultiTaskRegressorMixin, RegressorMixin, _BaseSharedRepresentation
):
    """Multi-task regressor: a shared MLP trunk and one head per target.

    All targets are trained jointly on the weighted sum of their losses,
    each over its observed values only::

        min_W  sum_t task_weights[t] * L_t(W) + alpha / 2 * ||W||^2
        L_t = sum_{i observed in t} s_i * (z_it - f_t(x_i))^2 / (2 sum_i s_i)

    where ``z_it`` is target ``t`` standardised (centred and scaled by its
    observed mean and standard deviation, mapped back at prediction), ``s_i``
    the sample weight and ``f_t`` the trunk followed by task ``t``'s head.

    Parameters
    ----------
    {parameters}

    Attributes
    ----------
    {attributes}

    See Also
    --------
    SharedRepresentationClassifier : The same network for classification.
    sklearn.neural_network.MLPRegressor : One network, no per-task heads.

    Notes
    -----
    ``score`` is the mean over tasks of R^2 on the observed targets. The
    standardisation is computed on each target divided by its largest
    magnitude, so targets up to the float64 limit do not overflow; a
    prediction beyond that limit is a ValueError.

    Examples
    --------
    >>> import numpy as np
    >>> from mtlearn.neural_network import SharedRepresentationRegressor
    >>> rng = np.random.RandomState(0)
    >>> X = rng.normal(size=(300, 4))
    >>> Y = np.column_stack([X[:, 0] + X[:, 1], X[:, 0] - X[:, 1]])
    >>> Y[:30, 0] = np.nan  # a missing target is left out of that task
    >>> reg = SharedRepresentationRegressor(random_state=0).fit(X, Y)
    >>> reg.score(X, Y) > 0.95
    True
    >>> reg.predict(X[:2]).shape
    (2, 2)
    """

    _target_kind = "regression"

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, sample_weight=None):
        """One epoch of training on (X, y), keeping the weights.

        The targets' standardisation is fixed on the first call.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Input data.
        y : array-like of shape (n_samples,) or (n_samples, n_tasks)
            Targets, NaN/None for missing values.
        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights.

        Returns
        -------
        self : object
            The estimator.
        """
        return self._fit(X, y, sample_weight, incremental=True)

    def _setup_heads(self, targets, sample_weight):
        self._head_outputs = [1] * targets.n_tasks
        self._n_outputs = 1
        self._head_groups = [
            self._head_group(SquaredHead(), np.arange(targets.n_tasks))
        ]
        # Weighted mean and standard deviation of each task's observed
        # values, computed on the values divided by their largest magnitude
        # so that no square overflows (targets of magnitude 1e200 are fine).
        self._y_unit = np.abs(targets.values).max(axis=0)
        self._y_unit[self._y_unit == 0] = 1.0
        unit_values = targets.values / self._y_unit
        weights = targets.mask * sample_weight[:, None]
        totals = weights.sum(axis=0)
        totals = np.where(totals > 0, totals, 1.0)
        self._y_mean = (weights * unit_values).sum(axis=0) / totals
        centred = np.where(targets.mask, unit_values - self._y_mean, 0.0)
        # 0 for a constant target: predicted as its mean, whatever the head
        self._y_scale = np.sqrt((weights * centred**2).sum(axis=0) / totals)

    def _encode_targets(self, targets):
        scale = np.where(self._y_scale > 0, self._y_scale, 1.0)
        with np.errstate(over="ignore"):
            z = (targets.values / self._y_unit - self._y_mean) / scale
        z = np.where(targets.mask, z, 0.0)
        limit = np.finfo(_DTYPES[self.dtype]).max
        if not np.all(np.abs(z) <= limit):
            # only after the first call: its own targets standardise to O(1)
            raise ValueError(
                "y has values too far from the targets of the first fit for the "
                f"training dtype {self.dtype}: standardised with the first fit's "
                "mean and scale they overflow. Refit from scratch "
                "(warm_start=False), or scale y."
            )
        return z

    def predict(self, X):
        """Predicted targets.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Input data.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,) or (n_samples, n_tasks)
            Predictions, in the units of the targets.
        """
        with np.errstate(over="ignore"):
            y_pred = (self._logits(X) * self._y_scale + self._y_mean) * self._y_unit
        if not np.isfinite(y_pred).all():
            raise ValueError(
                "The predicted targets for X overflow float64: y was fitted "
                f"with values up to {self._y_unit.max():.3g}, close to the "
                "float64 limit. Fit on y divided by a constant and multiply "
                "the predictions back."
            )
        return y_pred[:, 0] if self._one_d else y_pred


_CLASS_WEIGHT_DOC = """
    class_weight : None, "sqrt_positive", "balanced", dict or list, \
default="sqrt_positive"
        Weights of the classes in each task's loss (relative within a task:
        each task's loss is normalised by its total weight). None weighs
        every class 1. "sqrt_positive" up-weighs rare positives only: in a
        binary task the positive class (``classes_[t][1]``, e.g. 1 of 0/1)
        weighs ``max(1, sqrt(n_negative / n_positive))`` and the negative
        class 1; in a multiclass task each class weighs ``sqrt(n_observed /
        (n_classes * count))``. "balanced" is scikit-learn's
        ``n_observed / (n_classes * count)``. The counts are of the task's
        observed labels, weighted by ``sample_weight``. A dict maps the
        labels of a single task to weights; a list gives one entry per task.

        Why "sqrt_positive" by default: a weight ``r`` on the positives moves
        the probability above which a label is predicted from 0.5 to
        ``1 / (1 + r)``, and the threshold that maximises a label's F1 is
        at most 0.5 (half the best F1), lower for rarer labels. Without a
        weight the network predicted almost no rare positives; "balanced"
        moves the threshold to the label rate and predicts far too many
        (micro-F1 -0.01 and -0.08 on the generated sets, 3 seeds); the
        square root sits between, and never raises the threshold of a
        common label (yeast has labels with 75% positives: the square root
        of "balanced" on both classes predicts them less often and lost
        0.018 micro-F1 there, 3 seeds). Measured with
        ``benchmarks/bench_defaults.py`` (5 seeds, against ``None``; see
        ``benchmarks/README.md``): micro-F1 on yeast 0.651 -> 0.659, on
        emotions 0.692 -> 0.704, on two generated rare-label sets 0.533 ->
        0.594 and 0.701 -> 0.753; macro-F1 up by 0.02 to 0.21 on all four.
"""

# Per family, the defaults that differ between the classifier and the
# regressor: (default, why) for the docstrings.
NETWORK_DEFAULTS = {
    "classifier": {
        "early_stopping": ("True", ""),
        "alpha": ("1e-2", ""),
        "max_iter": ("200", ""),
        "average": ("True", ""),
        "dropout": (
            "0.5",
            "Chosen with the other defaults on yeast and emotions (see "
            "benchmarks/bench_quality.py).",
        ),
    },
    "regressor": {
        "early_stopping": ("True", ""),
        "alpha": (
            "1e-3",
            "The regressor's 1e-3 (the classifier's 1e-2) lets smooth targets "
            "be fitted closely.",
        ),
        "max_iter": ("500", ""),
        "average": (
            "False",
            "The regressor does not average by default: the mean of every "
            "iterate since the start keeps a bias of the early ones that costs "
            "R^2 on smooth targets (0.973 against 0.987 on the smooth-8 data of "
            "benchmarks/bench_defaults.py, 5 seeds, the other defaults as now).",
        ),
        "dropout": (
            "0.0",
            "No dropout for the regressor: dropout noise adds variance to the "
            "fitted values. With alpha=1e-3, no averaging and max_iter=500 "
            "(early stopping kept: without it School's 139 tasks overfit), the "
            "regressor reaches MLPRegressor(max_iter=2000) on smooth "
            "low-dimensional targets and passes it on School (see "
            "benchmarks/bench_defaults.py).",
        ),
    },
}


def fill_defaults_doc(text, defaults):
    """``text`` with the ``{name}`` and ``{name_why}`` placeholders of
    ``defaults`` (an entry of ``NETWORK_DEFAULTS``) filled in, and
    ``{class_weight}``."""
    for name, (default, why) in defaults.items():
        text = text.replace(f"{{{name}}}", default)
        paragraph = textwrap.fill(
            why, 76, initial_indent=" " * 8, subsequent_indent=" " * 8
        )
        text = text.replace(
            f"        {{{name}_why}}\n", f"{paragraph}\n" if why else ""
        )
    return text.replace("    {class_weight}", _CLASS_WEIGHT_DOC.lstrip("\n"))


# SharedRepresentationClassifier's own (MixtureOfExpertsClassifier has its
# own 'refit', measured on the mixture)
SHARED_CLASSIFIER_DEFAULTS = NETWORK_DEFAULTS["classifier"] | {
    "early_stopping": (
        "'refit'",
        "'refit' by default for the classifier: a rare label's few "
        "positives in the held-out rows are trained on too. On generated "
        "data with label rates from 1% to 30% (benchmarks/bench_defaults.py, "
        "10 seeds) it raises micro-F1 by 0.0045 and macro-F1 by 0.020 over "
        "True, and is level on yeast, emotions and another rare-label set "
        "(paired differences -0.002 to +0.001 micro-F1, inside the seed "
        "spread). A validation split stratified on every task's classes and "
        "a score summing each task's deviance ratio (its loss over its base "
        "rate's) were measured too: level with these within the seed "
        "spread, so not kept.",
    )
}

for _cls, _defaults in [
    (SharedRepresentationClassifier, SHARED_CLASSIFIER_DEFAULTS),
    (SharedRepresentationRegressor, NETWORK_DEFAULTS["regressor"]),
]:
    _parameters = (
        _SHARED_PARAMETERS_DOC.lstrip("\n")
        .replace("{graph_alpha}", repr(GRAPH_ALPHA_DEFAULT))
        .replace("{graph_alpha_why}", GRAPH_ALPHA_WHY)
    )
    _cls.__doc__ = fill_defaults_doc(
        _cls.__doc__.replace("    {parameters}\n", _parameters).replace(
            "    {attributes}\n", _SHARED_ATTRIBUTES_DOC.lstrip("\n")
        ),
        _defaults,
    )
