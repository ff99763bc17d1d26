"""The models of ``compare``: the registry, its wrappers, one model's fit.

``_MODELS`` holds one ``_Model`` per model; ``_ClassifierChainEnsemble`` and
``_ConstantLabelClassifier`` are the private wrappers its scikit-learn entries
need; ``_evaluate`` fits one model and scores its test predictions.
"""

import time
import warnings
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.multioutput import ClassifierChain, MultiOutputClassifier
from sklearn.neighbors import KNeighborsClassifier
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.validation import check_is_fitted

from mtlearn.metrics._multilabel_columns import _METRICS

from .errors import _InputError


class _ClassifierChainEnsemble(ClassifierMixin, BaseEstimator):
    """Mean of classifier chains, each with its own random label order.

    Every chain is a :class:`~sklearn.multioutput.ClassifierChain` with
    ``order="random"``; the ensemble averages the chains' probabilities of
    each label being 1 and predicts 1 where that mean is at least 0.5.

    Parameters
    ----------
    estimator : estimator object
        Binary classifier with ``predict_proba``, cloned for every label of
        every chain.

    n_chains : int, default=10
        Number of chains.

    random_state : int or None, default=None
        Chain ``i`` orders the labels with seed ``random_state + i``; None
        draws a fresh order for every chain.

    Attributes
    ----------
    chains_ : list of ClassifierChain
        The fitted chains.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> X = np.array([[0.0], [1.0], [2.0], [3.0]])
    >>> Y = np.array([[0, 0], [0, 1], [1, 1], [1, 1]])
    >>> ensemble = _ClassifierChainEnsemble(
    ...     LogisticRegression(), n_chains=3, random_state=0
    ... ).fit(X, Y)
    >>> ensemble.predict_proba(X).shape
    (4, 2)
    """

    def __init__(self, estimator, *, n_chains=10, random_state=None):
        self.estimator = estimator
        self.n_chains = n_chains
        self.random_state = random_state

    def fit(self, X, Y):
        """Fit every chain on the same data.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Features.

        Y : array-like of shape (n_samples, n_labels)
            Labels, 0 or 1.

        Returns
        -------
        self : object
            The fitted ensemble.
        """
        if self.random_state is None:
            seeds = [None] * self.n_chains
        else:
            seeds = range(self.random_state, self.random_state + self.n_chains)
        self.chains_ = [
            ClassifierChain(
                clone(self.estimator), order="random", random_state=seed
            ).fit(X, Y)
            for seed in seeds
        ]
        return self

    def predict_proba(self, X):
        """Mean over the chains of the probability of each label being 1.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Features.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_labels)
            Probability of label 1, one column per label (the layout of
            ``ClassifierChain.predict_proba``).
        """
        check_is_fitted(self)
        return np.mean([chain.predict_proba(X) for chain in self.chains_], axis=0)

    def predict(self, X):
        """Predict 1 where the mean probability is at least 0.5.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Features.

        Returns
        -------
        Y : ndarray of shape (n_samples, n_labels)
            Predicted labels, 0 or 1.
        """
        return (self.predict_proba(X) >= 0.5).astype(np.int64)


class _ConstantLabelClassifier(ClassifierMixin, BaseEstimator):
    """A binary classifier that fits a label with one class as a constant.

    scikit-learn's ``LogisticRegression`` (like most single-output
    classifiers) refuses a label with one class in its training rows, which
    a rare label of a multi-label data set often has. This wrapper does what
    a ``MultiOutputClassifier`` or ``ClassifierChain`` user has to do then:
    it fits ``estimator`` when both classes occur, and otherwise predicts the
    one class seen with probability 1. Either way ``classes_`` is
    ``classes``, so that ``predict_proba`` always has a column per class
    (what ``ClassifierChain`` reads).

    Parameters
    ----------
    estimator : estimator object
        Binary classifier with ``predict_proba``.

    classes : tuple, default=(0, 1)
        The two classes of the label.

    Attributes
    ----------
    classes_ : ndarray of shape (2,)
        The classes.

    estimator_ : estimator object or None
        The fitted estimator; None when the label had one class.

    constant_ : int
        Index in ``classes_`` of the class predicted when ``estimator_`` is
        None.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> X = np.array([[0.0], [1.0], [2.0]])
    >>> model = _ConstantLabelClassifier(LogisticRegression()).fit(X, [0, 0, 0])
    >>> model.predict_proba(X[:1])
    array([[1., 0.]])
    """

    def __init__(self, estimator, *, classes=(0, 1)):
        self.estimator = estimator
        self.classes = classes

    def fit(self, X, y):
        """Fit ``estimator``, or remember the one class of ``y``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Features.

        y : array-like of shape (n_samples,)
            Labels, from ``classes``.

        Returns
        -------
        self : object
            The fitted classifier.
        """
        self.classes_ = np.asarray(self.classes)
        seen = np.unique(y)
        if seen.size == 1:
            self.estimator_ = None
            self.constant_ = int(np.flatnonzero(self.classes_ == seen[0])[0])
        else:
            self.estimator_ = clone(self.estimator).fit(X, y)
        return self

    def predict_proba(self, X):
        """Probabilities of ``classes_``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Features.

        Returns
        -------
        proba : ndarray of shape (n_samples, 2)
            One column per class of ``classes_``.
        """
        check_is_fitted(self)
        if self.estimator_ is not None:
            return self.estimator_.predict_proba(X)
        proba = np.zeros((len(X), len(self.classes_)))
        proba[:, self.constant_] = 1.0
        return proba

    def predict(self, X):
        """The class of highest probability.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Features.

        Returns
        -------
        y : ndarray of shape (n_samples,)
            Predicted labels.
        """
        return self.classes_[np.argmax(self.predict_proba(X), axis=1)]


def _logistic():
    """Per-label logistic regression that fits a constant label as one."""
    return _ConstantLabelClassifier(LogisticRegression(max_iter=1000))


def _shared_network(seed):
    # The mtlearn models are imported where they are made, so that the other
    # models still run where one of them cannot.
    from mtlearn.neural_network import SharedRepresentationClassifier

    return SharedRepresentationClassifier(random_state=seed)


def _logistic_cv(seed):
    from mtlearn.linear_model import MultiTaskLogisticRegressionCV

    return MultiTaskLogisticRegressionCV()


def _random_forest(seed):
    return RandomForestClassifier(n_estimators=300, n_jobs=-1, random_state=seed)


def _ensemble(seed, final_estimator=None):
    from mtlearn.ensemble import MultiTaskEnsembleClassifier
    from mtlearn.linear_model import MultiTaskLogisticRegression

    return MultiTaskEnsembleClassifier(
        [
            ("network", _shared_network(seed)),
            ("logistic", MultiTaskLogisticRegression()),
            ("forest", _random_forest(seed)),
        ],
        weights="cv",
        final_estimator=final_estimator,
        random_state=seed,
    )


def _stacking_ensemble(seed):
    """The ensemble with one more candidate for its per-task selection: a
    logistic regression stacked on the members' out-of-fold probabilities
    (under tuned thresholds, 5 seeds: +0.004 micro-F1 on emotions, +0.017 on
    generated rare labels, level on yeast; ``benchmarks/bench_quality.py``)."""
    return _ensemble(seed, final_estimator=LogisticRegression())


def _tuned(factory, cv=5):
    """``factory``'s model with its thresholds tuned for micro-F1 (``cv`` of
    the tuner: ``"oof"`` for the ensemble, tuned on its own out-of-fold
    outputs instead of being refitted per fold)."""

    def make(seed):
        from mtlearn.model_selection import MultiTaskThresholdClassifier

        return MultiTaskThresholdClassifier(
            factory(seed), scoring="micro_f1", cv=cv, random_state=seed
        )

    return make


@dataclass(frozen=True)
class _Model:
    """One entry of the registry.

    ``factory(seed)`` returns the unfitted estimator; ``main`` puts it behind a
    ``StandardScaler`` in a ``Pipeline``. ``group`` is the library it comes
    from: ``"mtlearn"`` or ``"sklearn"`` (a name ``--models`` accepts for
    all of that group's models).
    """

    name: str
    description: str
    factory: Callable[[int], BaseEstimator]
    group: str


# The model ``compare`` marks as mtlearn's strongest route (the README's
# "which estimator" paragraph names the same one).
_STRONGEST = "ensemble-tuned"

_MODELS = (
    _Model(
        "shared-network",
        "SharedRepresentationClassifier: shared trunk, one head per label",
        _shared_network,
        "mtlearn",
    ),
    _Model(
        "shared-network-tuned",
        "shared-network, thresholds tuned for micro-F1",
        _tuned(_shared_network),
        "mtlearn",
    ),
    _Model(
        "logistic-cv",
        "MultiTaskLogisticRegressionCV, strength chosen by CV",
        _logistic_cv,
        "mtlearn",
    ),
    _Model(
        "ensemble",
        "MultiTaskEnsembleClassifier, CV weights: network, logistic, forest",
        _ensemble,
        "mtlearn",
    ),
    _Model(
        _STRONGEST,
        "ensemble or stacking per label, thresholds tuned for micro-F1 "
        "(strongest route)",
        _tuned(_stacking_ensemble, cv="oof"),
        "mtlearn",
    ),
    _Model(
        "logistic",
        "one LogisticRegression per label (MultiOutputClassifier)*",
        lambda seed: MultiOutputClassifier(_logistic()),
        "sklearn",
    ),
    _Model(
        "classifier-chains",
        "mean of 10 LogisticRegression ClassifierChains, random label orders*",
        lambda seed: _ClassifierChainEnsemble(
            _logistic(), n_chains=10, random_state=seed
        ),
        "sklearn",
    ),
    _Model(
        "mlp",
        "MLPClassifier, one hidden layer of 256, early stopping",
        lambda seed: MLPClassifier(
            hidden_layer_sizes=(256,),
            alpha=1e-2,
            early_stopping=True,
            max_iter=500,
            random_state=seed,
        ),
        "sklearn",
    ),
    _Model(
        "random-forest",
        "RandomForestClassifier, 300 trees, on all cores",
        _random_forest,
        "sklearn",
    ),
    _Model(
        "knn",
        "KNeighborsClassifier, 10 neighbours",
        lambda seed: KNeighborsClassifier(n_neighbors=10),
        "sklearn",
    ),
)

# ``--models`` accepts these names for several models at once.
_GROUPS = {
    "all": tuple(model.name for model in _MODELS),
    **{
        group: tuple(model.name for model in _MODELS if model.group == group)
        for group in ("mtlearn", "sklearn")
    },
}


def _make_pipeline(model, seed):
    """Return ``Pipeline([("scale", StandardScaler()), ("model", ...)])``."""
    try:
        estimator = model.factory(seed)
    except ImportError as exc:
        raise _InputError(f"model {model.name!r} is not available: {exc}") from exc
    return Pipeline([("scale", StandardScaler()), ("model", estimator)])


def _evaluate(model, pipeline, data):
    """Fit one pipeline, score its test predictions, collect its warnings.

    Returns
    -------
    result : dict
        ``name``, ``description``, one key per column of ``_COLUMNS`` and
        ``warnings`` (distinct warning messages, with a count when repeated).
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        warnings.simplefilter("ignore", DeprecationWarning)
        warnings.simplefilter("ignore", PendingDeprecationWarning)
        start = time.perf_counter()
        try:
            pipeline.fit(data.X_train, data.Y_train)
        except ValueError as exc:
            raise _InputError(
                f"model {model.name!r} cannot fit this data: {exc}"
            ) from exc
        fit_seconds = time.perf_counter() - start
        Y_pred = np.asarray(pipeline.predict(data.X_test)).astype(np.int64)
        scores = {
            column.key: float(column.score(data.Y_test, Y_pred)) for column in _METRICS
        }
    counts = Counter(
        f"{warning.category.__name__}: {warning.message}" for warning in caught
    )
    return {
        "name": model.name,
        "description": model.description,
        **scores,
        "fit_seconds": fit_seconds,
        "warnings": [
            message if count == 1 else f"{message} (x{count})"
            for message, count in counts.items()
        ],
    }
