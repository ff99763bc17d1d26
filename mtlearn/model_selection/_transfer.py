"""Transfer gain: does learning the tasks together help each of them?

``transfer_gain`` lives in ``mtlearn.model_selection``, next to the splitters,
because it is a cross-validation procedure (it fits estimators over folds,
as ``cross_validate`` or ``permutation_test_score`` do), not a metric of
given predictions.
"""

import warnings
from numbers import Integral

import numpy as np
from joblib import Parallel, delayed
from sklearn.base import (
    BaseEstimator,
    ClassifierMixin,
    RegressorMixin,
    clone,
    is_classifier,
    is_regressor,
)
from sklearn.dummy import DummyClassifier
from sklearn.metrics import get_scorer, make_scorer
from sklearn.utils import Bunch, _safe_indexing, indexable
from sklearn.utils._param_validation import HasMethods, validate_params
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import _num_samples

from .._targets import (
    check_targets,
    observed_targets,
    task_label,
    warn_constant_tasks,
)
from ..exceptions import ConstantTaskWarning
from ..metrics._base import _plain
from ._classification_threshold import _cv_folds, _per_task

__all__ = ["transfer_gain"]


class _TaskView(BaseEstimator):
    """One task of a fitted multi-task model, seen as a single-task model.

    It lets scikit-learn scorers (which call ``predict``, ``predict_proba``
    or ``decision_function`` and read ``classes_``) score one task.
    """

    def __init__(self, model, task, n_tasks):
        self.model = model
        self.task = task
        self.n_tasks = n_tasks

    def _pick(self, output):
        if isinstance(output, list):
            return output[self.task]
        output = np.asarray(output)
        return output[:, self.task] if output.ndim == 2 else output

    def predict(self, X):
        return self._pick(self.model.predict(X))


class _ClassifierTaskView(ClassifierMixin, _TaskView):
    @property
    def classes_(self):
        return _per_task(self.model.classes_, self.n_tasks)[self.task]

    def predict_proba(self, X):
        return self._pick(self.model.predict_proba(X))

    @available_if(lambda self: hasattr(self.model, "decision_function"))
    def decision_function(self, X):
        return self._pick(self.model.decision_function(X))


class _RegressorTaskView(RegressorMixin, _TaskView):
    pass


def _has_decision_function(view):
    seen = np.asarray(view.model.classes_)
    return hasattr(view.model, "decision_function") and (
        seen.size == 1 or np.array_equal(seen, view.classes)
    )


class _AlignedTaskView(ClassifierMixin, BaseEstimator):
    """A fitted single-task classifier seen with all the classes of its task.

    A model fitted on a fold may have seen fewer classes than the whole
    data holds (a constant model, on a fold of a rare label). scikit-learn's
    scorers need the classes of the test labels: this view gives
    ``classes_`` = ``classes`` and probabilities with a column per class
    (0 for a class the model never saw). Its decision function is the
    model's, or for a constant model the constant ``+1`` / ``-1`` of a binary
    task (one-hot for a multiclass one).
    """

    def __init__(self, model, classes):
        self.model = model
        self.classes = classes

    @property
    def classes_(self):
        return self.classes

    def predict(self, X):
        return self.model.predict(X)

    def predict_proba(self, X):
        proba = np.asarray(self.model.predict_proba(X), dtype=np.float64)
        seen = np.asarray(self.model.classes_)
        if np.array_equal(seen, self.classes):
            return proba
        full = np.zeros((proba.shape[0], len(self.classes)))
        full[:, np.searchsorted(self.classes, seen)] = proba
        return full

    @available_if(_has_decision_function)
    def decision_function(self, X):
        seen = np.asarray(self.model.classes_)
        if np.array_equal(seen, self.classes):
            return self.model.decision_function(X)
        code = int(np.searchsorted(self.classes, seen[0]))
        n_samples = _num_samples(X)
        if len(self.classes) == 2:
            return np.full(n_samples, 1.0 if code == 1 else -1.0)
        scores = np.zeros((n_samples, len(self.classes)))
        scores[:, code] = 1.0
        return scores


def _fit_and_score(estimator, X, y, train, test, task, mask, labels, scorer, classes):
    """Fit on ``train`` (all tasks, or one); score each task on ``test``.

    Returns the scores of the tasks fitted (all tasks, or ``task`` only),
    each on its observed test rows; NaN where a task has none, and for a
    single task without observed training label. A single task with one
    class among its training labels is the constant that predicts it (a
    ``DummyClassifier``). ``classes`` (classification: the classes of each
    task in the whole data) are the classes the scorer sees. Inner fits do
    not warn about constant tasks: ``transfer_gain`` warns once.
    """
    n_tasks = mask.shape[1]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConstantTaskWarning)
        if task is None:  # the multi-task model
            estimator.fit(_safe_indexing(X, train), _safe_indexing(y, train))
            view = (
                _ClassifierTaskView if is_classifier(estimator) else _RegressorTaskView
            )
            models = {t: view(estimator, t, n_tasks) for t in range(n_tasks)}
        else:
            rows = train[mask[train, task]]
            if rows.size == 0:
                return task, {task: np.nan}
            column = _safe_indexing(_safe_indexing(y, task, axis=1), rows)
            if hasattr(column, "to_numpy"):
                column = column.to_numpy()
            if classes is not None and np.unique(labels[rows, task]).size == 1:
                estimator = DummyClassifier(strategy="most_frequent")
            estimator.fit(_safe_indexing(X, rows), column)
            models = {task: estimator}
    scores = {}
    for t, model in models.items():
        observed = test[mask[test, t]]
        if classes is not None:
            if len(classes[t]) == 1:  # a constant task is not scored
                observed = observed[:0]
            model = _AlignedTaskView(model, classes[t])
        scores[t] = (
            float(scorer(model, _safe_indexing(X, observed), labels[observed, t]))
            if observed.size
            else np.nan
        )
    return task, scores


def _nanmean(values, axis=None):
    """Mean of the non-NaN values; NaN, without a warning, where none is."""
    values = np.asarray(values, dtype=np.float64)
    count = np.sum(~np.isnan(values), axis=axis)
    total = np.nansum(values, axis=axis)
    return np.divide(
        total, count, out=np.full(np.shape(total), np.nan), where=count > 0
    )


class _TransferGain(Bunch):
    """Result of :func:`transfer_gain`: a dict with a ``summary`` method."""

    def summary(self):
        """A text table: per task, the two mean scores, gain and spread."""
        names = [str(n) for n in self.task_names]
        width = max(len("task"), *(len(n) for n in names))
        lines = [
            f"{'task':<{width}}  {'multi-task':>10}  {'single':>10}  "
            f"{'gain':>8}  {'std':>7}  negative",
        ]
        flagged = set(np.asarray(self.negative_transfer).tolist())
        multi = _nanmean(self.multitask_scores, axis=0)
        single = _nanmean(self.single_task_scores, axis=0)
        for t, name in enumerate(names):
            lines.append(
                f"{name:<{width}}  {multi[t]:>10.4f}  {single[t]:>10.4f}  "
                f"{self.gain[t]:>+8.4f}  {self.gain_std[t]:>7.4f}  "
                f"{'yes' if t in flagged else ''}"
            )
        lines.append(
            f"{'mean':<{width}}  {_nanmean(multi):>10.4f}  {_nanmean(single):>10.4f}  "
            f"{_nanmean(self.gain):>+8.4f}"
        )
        return "\n".join(lines)

    def __repr__(self):
        return self.summary()


@validate_params(
    {
        "estimator": [HasMethods(["fit", "predict"])],
        "X": ["array-like", "sparse matrix"],
        "y": ["array-like"],
        "cv": ["cv_object"],
        "scoring": [str, callable, None],
        "n_jobs": [Integral, None],
        "random_state": ["random_state"],
    },
    prefer_skip_nested_validation=False,
)
def transfer_gain(
    estimator, X, y, *, cv=5, scoring=None, n_jobs=None, random_state=None
):
    """Cross-validated gain of learning the tasks together over one at a time.

    In each cross-validation split, ``clone(estimator)`` is fitted on the
    training rows of all the tasks (the multi-task model) and, for each task
    ``t``, another ``clone(estimator)`` is fitted on the training rows of
    task ``t`` alone (one-dimensional ``y``: that column, on the rows where
    it is observed). Both are scored on the same test rows: those where task
    ``t``'s label is observed. The gain of task ``t`` is the mean over the
    splits of::

        gain_t = score(multi-task model, t) - score(single-task model, t)

    Positive gain means the other tasks helped task ``t`` (positive
    transfer); negative gain means they hurt it (negative transfer).

    Parameters
    ----------
    estimator : estimator object
        A classifier or regressor that accepts both two-dimensional ``y``
        (several tasks, with missing labels if ``y`` has them) and
        one-dimensional ``y``, such as
        :class:`~mtlearn.neural_network.SharedRepresentationClassifier`.
        Comparing it with itself on one task isolates what the sharing
        brings.
    X : {array-like, sparse matrix} of shape (n_samples, n_features)
        Input data, passed to ``estimator`` as given.
    y : array-like of shape (n_samples, n_tasks)
        Targets of at least two tasks; NaN, None or pd.NA mark a missing
        label. The column names of a DataFrame name the tasks.
    cv : int, cross-validation generator or iterable, default=5
        The splits. An int is the number of folds of
        :class:`~mtlearn.model_selection.MultilabelStratifiedKFold` for a
        classifier (a shuffled ``KFold`` for a regressor); a splitter or an
        iterable of (train, test) index arrays is used as given.
    scoring : str, callable or None, default=None
        Score of a task on its observed test labels, greater is better. None
        is accuracy for a classifier and R^2 for a regressor; a string is a
        scikit-learn scorer name (e.g. ``"balanced_accuracy"``, ``"roc_auc"``,
        ``"neg_mean_absolute_error"``); a callable is a metric
        ``metric(y_true, y_pred)`` on the predicted labels (values).
    n_jobs : int, default=None
        Number of fits run in parallel with ``joblib.Parallel``: each split
        fits one multi-task model and one model per task. None means 1
        unless in a ``joblib.parallel_backend`` context.
    random_state : int, RandomState instance or None, default=None
        Shuffles the folds when ``cv`` is an int. The estimator keeps its
        own ``random_state``.

    Returns
    -------
    result : :class:`~sklearn.utils.Bunch`
        Dictionary-like object with the keys:

        task_names : ndarray of shape (n_tasks,)
            The column names of a DataFrame ``y``, else ``0 .. n_tasks - 1``.
        multitask_scores : ndarray of shape (n_splits, n_tasks)
            Score of the multi-task model on each task in each split (NaN
            where a test part has no observed label of the task).
        single_task_scores : ndarray of shape (n_splits, n_tasks)
            Score of the single-task models, in the same splits.
        gain : ndarray of shape (n_tasks,)
            Mean over the splits of the difference of the two.
        gain_std : ndarray of shape (n_tasks,)
            Standard deviation (``ddof=1``) of that difference over the
            splits; 0 for a single split.
        negative_transfer : ndarray of int
            Indices of the tasks with negative transfer (see Notes).

        and a method ``summary()`` that returns a text table (also the
        ``repr`` of the result).

    Notes
    -----
    Constant and rare labels: a task with one class in the whole ``y`` (a
    constant task, named by one :class:`~mtlearn.exceptions.ConstantTaskWarning`)
    is not scored: both models predict its class, so its scores are NaN and
    its gain 0. A task with one class among the training labels of a split
    has, as its single-task model there, the constant that predicts that
    class (:class:`~sklearn.dummy.DummyClassifier`); the scorer sees every
    model with all the classes of the task (probability 0 for a class a
    model never saw), so probability scorers such as ``"roc_auc"`` work on
    such folds. A test part whose labels of a task hold one class gives that
    scorer's behaviour (NaN for ROC-AUC), and NaN scores are left out of the
    mean gain.

    A task shows **negative transfer** when its gain is below zero by more
    than its standard error: ``gain < -gain_std / sqrt(n_splits)``. Both
    scores come from the same splits, so the difference cancels the
    variation of the test rows. The folds share most of their training rows,
    so the standard error is optimistic: read the flag as a screen, not as a
    significance test. With a single split any negative gain is flagged.

    Examples
    --------
    >>> from mtlearn.datasets import make_multitask_classification
    >>> from mtlearn.model_selection import transfer_gain
    >>> from mtlearn.neural_network import SharedRepresentationClassifier
    >>> X, Y = make_multitask_classification(
    ...     n_samples=150, n_tasks=3, relatedness=1.0, random_state=0)
    >>> net = SharedRepresentationClassifier(
    ...     hidden_layer_sizes=(16,), learning_rate_init=0.01, average=False,
    ...     random_state=0)
    >>> result = transfer_gain(net, X, Y, cv=3, random_state=0)
    >>> result.gain.shape, result.multitask_scores.shape
    ((3,), (3, 3))
    >>> bool(result.gain.mean() > 0)  # identical tasks help each other
    True
    >>> print(result.summary())  # doctest: +SKIP
    task  multi-task      single      gain      std  negative
    0         0.6733      0.5533   +0.1200   0.0872
    1         0.7000      0.6200   +0.0800   0.0400
    2         0.7533      0.6800   +0.0733   0.0945
    mean      0.7089      0.6178   +0.0911
    """
    X, y = indexable(X, y)
    if not hasattr(y, "iloc"):  # columns of a DataFrame or of an array
        y = np.asarray(y)
    kind = "classification" if is_classifier(estimator) else None
    if kind is None and is_regressor(estimator):
        kind = "regression"
    if kind is None:
        raise ValueError(
            "transfer_gain needs a classifier or a regressor, got "
            f"{type(estimator).__name__}."
        )
    targets = check_targets(y, kind=kind, n_samples=_num_samples(X))
    n_tasks = targets.n_tasks
    if targets.one_d or n_tasks < 2:
        raise ValueError(
            "transfer_gain compares learning several tasks together with "
            f"learning each alone; y must have at least two tasks, got {n_tasks}."
        )
    if scoring is None:
        scorer = get_scorer("accuracy" if kind == "classification" else "r2")
    elif isinstance(scoring, str):
        scorer = get_scorer(scoring)
    else:
        scorer = make_scorer(scoring)
    warn_constant_tasks(targets, stacklevel=4)  # the caller of validate_params
    splits = _cv_folds(cv, X, y, targets, random_state)
    labels, mask = observed_targets(y)
    classes = None
    if targets.classes is not None:  # the labels as given, not their codes
        classes = [np.unique(_plain(labels[mask[:, t], t])) for t in range(n_tasks)]
    constant = set(targets.constant.tolist())

    jobs = [
        (k, train, test, task)
        for k, (train, test) in enumerate(splits)
        for task in [None, *(t for t in range(n_tasks) if t not in constant)]
    ]
    results = Parallel(n_jobs=n_jobs)(
        delayed(_fit_and_score)(
            clone(estimator), X, y, train, test, task, mask, labels, scorer, classes
        )
        for _, train, test, task in jobs
    )
    multi = np.full((len(splits), n_tasks), np.nan)
    single = np.full((len(splits), n_tasks), np.nan)
    for (k, *_), (task, scores) in zip(jobs, results):
        for t, value in scores.items():
            (multi if task is None else single)[k, t] = value

    difference = multi - single
    difference[:, list(constant)] = 0.0  # nothing to transfer
    n_valid = np.sum(~np.isnan(difference), axis=0)
    for t in np.flatnonzero(n_valid == 0):
        raise ValueError(
            f"{task_label(t, targets.task_names)} has no observed label in any "
            "test part of cv: its transfer gain cannot be measured."
        )
    gain = _nanmean(difference, axis=0)
    gain_std = np.zeros(n_tasks)
    several = n_valid > 1
    if several.any():
        gain_std[several] = np.nanstd(difference[:, several], axis=0, ddof=1)
    standard_error = gain_std / np.sqrt(n_valid)
    task_names = (
        targets.task_names if targets.task_names is not None else np.arange(n_tasks)
    )
    return _TransferGain(
        task_names=task_names,
        multitask_scores=multi,
        single_task_scores=single,
        gain=gain,
        gain_std=gain_std,
        negative_transfer=np.flatnonzero(gain < -standard_error),
    )
