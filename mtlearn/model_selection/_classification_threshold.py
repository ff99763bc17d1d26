"""Per-task decision thresholds tuned by cross-validation."""

import numbers
import warnings
from numbers import Integral, Real

import numpy as np
from joblib import Parallel, delayed
from sklearn.base import (
    BaseEstimator,
    ClassifierMixin,
    MetaEstimatorMixin,
    _fit_context,
    clone,
)
from sklearn.model_selection import KFold, StratifiedKFold, check_cv
from sklearn.utils import _safe_indexing, get_tags, indexable
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import (
    _check_method_params,
    _num_samples,
    check_is_fitted,
)

from .._gain_rule import gain_rule
from .._mixins import MultiTaskClassifierMixin, accepts_missing_labels
from .._targets import (
    TaskTargets,
    check_targets,
    decode_labels,
    record_tasks,
    task_label,
    warn_constant_tasks,
)
from .._validation import check_cv_folds
from ..exceptions import ConstantTaskWarning
from ..metrics._base import _check_sample_weight
from ._split import MultilabelStratifiedKFold

__all__ = ["MultiTaskThresholdClassifier"]


# -- folds shared with transfer_gain -------------------------------------------
def _cv_folds(cv, X, y, targets, random_state, *, n_given=None, rows=None):
    """The (train, test) row indices of ``cv`` for these targets.

    An int is a shuffled ``StratifiedKFold`` for one classification task
    (missing labels stratified as a class of their own), a
    ``MultilabelStratifiedKFold`` for several, and a ``KFold`` otherwise; a
    splitter (or None) splits X and y. An iterable of folds indexes the
    ``n_given`` rows that the user passed; with ``rows`` (the rows kept for
    the fit, which X and y hold) its folds are re-indexed among them. Every
    fold is checked by :func:`~mtlearn._validation.check_cv_folds`.
    """
    n_samples = targets.values.shape[0]
    if cv is not None and not isinstance(cv, Integral) and not hasattr(cv, "split"):
        return check_cv_folds(cv, n_given or n_samples, rows=rows)
    if isinstance(cv, Integral):
        classification = targets.classes is not None
        if classification and targets.one_d:
            splitter = StratifiedKFold(cv, shuffle=True, random_state=random_state)
        elif classification:
            splitter = MultilabelStratifiedKFold(
                cv, shuffle=True, random_state=random_state
            )
        else:
            splitter = KFold(cv, shuffle=True, random_state=random_state)
    else:
        splitter = check_cv(cv)
    y_split = y
    if targets.one_d and targets.classes is not None:
        y_split = np.where(targets.mask[:, 0], targets.values[:, 0], -1)
    return check_cv_folds(splitter.split(X, y_split), n_samples)


def _per_task(output, n_tasks):
    """A list with one entry per task from a single- or multi-task output."""
    if isinstance(output, list):
        return output
    if n_tasks == 1:
        return [output]
    return list(output)


def _modelled_tasks(targets, rows):
    """Tasks with at least two observed classes among ``rows``.

    Only they are given to the estimator; a task with one class (or none) in
    the rows is predicted as a constant by the meta-estimator itself.
    """
    keep = []
    for t in range(targets.n_tasks):
        observed = targets.mask[rows, t]
        if np.unique(targets.values[rows[observed], t]).size >= 2:
            keep.append(t)
    return np.asarray(keep, dtype=np.intp)


# -- metrics of a binary decision at many thresholds at once ------------------
def _confusion_counts(positive, score, thresholds, weight):
    """(tp, fp, fn, tn) of the rule ``score >= threshold`` for each threshold."""
    order = np.argsort(score, kind="stable")
    score, positive, weight = score[order], positive[order], weight[order]
    pos = np.concatenate([[0.0], np.cumsum(weight * positive)])
    neg = np.concatenate([[0.0], np.cumsum(weight * ~positive)])
    below = np.searchsorted(score, thresholds, side="left")  # predicted negative
    fn, tn = pos[below], neg[below]
    return pos[-1] - fn, neg[-1] - tn, fn, tn


def _scalar_score(value):
    """The number a scoring callable returned, or a ValueError naming it."""
    if np.ndim(value) != 0:
        raise ValueError(
            f"scoring must return a single number, got an array of shape "
            f"{np.shape(value)}."
        )
    try:
        return float(value)
    except (TypeError, ValueError):
        raise ValueError(
            f"scoring must return a number, got {type(value).__name__} {value!r}."
        ) from None


def _ratio(num, den):
    return np.divide(num, den, out=np.zeros_like(num), where=den > 0)


_COUNT_METRICS = {
    "f1": lambda tp, fp, fn, tn: _ratio(2 * tp, 2 * tp + fp + fn),
    "precision": lambda tp, fp, fn, tn: _ratio(tp, tp + fp),
    "recall": lambda tp, fp, fn, tn: _ratio(tp, tp + fn),
    "accuracy": lambda tp, fp, fn, tn: _ratio(tp + tn, tp + fp + fn + tn),
    "balanced_accuracy": lambda tp, fp, fn, tn: (
        (_ratio(tp, tp + fn) + _ratio(tn, tn + fp)) / 2
    ),
}


def _threshold_scores(scoring, y_true, classes, score, thresholds, weight):
    """Metric of each candidate threshold on one binary task."""
    if callable(scoring):
        kwargs = {} if weight is None else {"sample_weight": weight}
        return np.array(
            [
                _scalar_score(
                    scoring(
                        y_true, np.where(score >= c, classes[1], classes[0]), **kwargs
                    )
                )
                for c in thresholds
            ],
            dtype=np.float64,
        )
    positive = y_true == classes[1]
    weight = np.ones(score.shape[0]) if weight is None else weight
    counts = _confusion_counts(positive, score, thresholds, weight)
    return _COUNT_METRICS[scoring](*counts)


def _joint_micro_f1(counts, start, max_sweeps=20):
    """Thresholds of all binary tasks that maximise their pooled F1.

    ``counts[t]`` holds the (tp, fp, fn, tn) arrays of task ``t`` over its
    candidate grid and ``start[t]`` the index to start from. Coordinate
    ascent: each task in turn takes the candidate that maximises micro-F1
    given the other tasks' current counts; it stops when a sweep changes
    nothing. Micro-F1 never decreases, so the result is at least as good as
    the start on the out-of-fold rows.
    """
    chosen = list(start)

    def totals(skip):
        pooled = np.zeros(3)
        for t, (tp, fp, fn, _) in enumerate(counts):
            if t != skip:
                pooled += tp[chosen[t]], fp[chosen[t]], fn[chosen[t]]
        return pooled

    for _ in range(max_sweeps):
        changed = False
        for t, (tp, fp, fn, _) in enumerate(counts):
            TP, FP, FN = totals(t)
            f1 = _ratio(2 * (TP + tp), 2 * (TP + tp) + FP + fp + FN + fn)
            best = int(np.argmax(f1))
            if f1[best] > f1[chosen[t]] + 1e-12:
                chosen[t], changed = best, True
        if not changed:
            break
    TP, FP, FN = totals(None)
    return chosen, _ratio(np.array([2 * TP]), np.array([2 * TP + FP + FN]))[0]


def _best_candidate(scores):
    """Index of the best score; among ties, the middle one of the tied.

    A NaN score is the worst (never chosen unless all are NaN, which the
    caller rejects).
    """
    scores = np.where(np.isnan(scores), -np.inf, scores)
    tied = np.flatnonzero(scores >= np.max(scores) - 1e-12)
    return tied[(tied.size - 1) // 2]


def _quantile_grid(score, n_thresholds):
    """``n_thresholds`` evenly spaced quantiles of ``score``, unique."""
    return np.unique(np.quantile(score, np.linspace(0, 1, n_thresholds)))


# -- the fits, run by joblib ---------------------------------------------------
def _fit_fold(estimator, X, y, train, test, tasks, n_tasks, fit_params):
    """Fit on the rows ``train`` and the columns ``tasks`` of ``y``.

    Returns the fitted estimator and its probabilities on ``test`` (None when
    ``test`` is None); (None, None) when ``tasks`` is empty. ConstantTaskWarning
    is silenced: the meta-estimator warns once for the whole data.
    """
    if tasks.size == 0:
        return None, None
    if tasks.size != n_tasks:
        y = _safe_indexing(y, tasks, axis=1)
    params = _check_method_params(X, params=fit_params, indices=train)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConstantTaskWarning)
        estimator.fit(_safe_indexing(X, train), _safe_indexing(y, train), **params)
    proba = None if test is None else estimator.predict_proba(_safe_indexing(X, test))
    return estimator, proba


def _aligned_probas(estimator, proba, classes):
    """Per task, probabilities with one column per class in ``classes[t]``.

    ``classes`` lists the classes of the tasks the estimator was fitted on. A
    model fitted on part of the rows may have seen fewer classes of a task;
    the classes it did not see get probability 0.
    """
    n_tasks = len(classes)
    model_classes = _per_task(estimator.classes_, n_tasks)
    out = []
    for p, seen, known in zip(_per_task(proba, n_tasks), model_classes, classes):
        p = np.asarray(p, dtype=np.float64)
        if len(seen) != len(known) or not np.array_equal(seen, known):
            full = np.zeros((p.shape[0], len(known)))
            full[:, np.searchsorted(known, seen)] = p
            p = full
        out.append(p)
    return out


def _task_probas(estimator, proba, tasks, classes, constants, n_samples):
    """Probabilities of every task, with a column per class of ``classes[t]``.

    The tasks in ``tasks`` come from the estimator's ``proba``; every other
    task ``t`` is a constant, its class ``constants[t]`` with probability 1.
    """
    out = [None] * len(classes)
    if tasks.size:
        fitted = [classes[t] for t in tasks]
        for t, p in zip(tasks, _aligned_probas(estimator, proba, fitted)):
            out[t] = p
    for t, code in constants.items():
        out[t] = np.zeros((n_samples, len(classes[t])))
        out[t][:, code] = 1.0
    return out


def _has_both_classes(targets, t, rows, weight):
    """Whether the observed labels of task ``t`` among ``rows`` (of positive
    weight, when weighted) hold two classes."""
    observed = rows[targets.mask[rows, t]]
    if weight is not None:
        observed = observed[weight[observed] > 0]
    return np.unique(targets.values[observed, t]).size >= 2


def _tunable_tasks(targets, splits, tasks, rows, weight):
    """Which binary tasks get a tuned threshold.

    A task is tuned when the training part of every split holds both its
    classes (among rows of positive weight) and so do the pooled test rows
    (the tuning data). Otherwise a fold's model could not learn it, or the
    metric cannot compare thresholds: its threshold stays at 0.5.
    """
    tunable = np.zeros(targets.n_tasks, dtype=bool)
    for t, classes in enumerate(targets.classes):
        if len(classes) != 2:
            continue
        tunable[t] = _has_both_classes(targets, t, rows, weight) and all(
            t in kept and _has_both_classes(targets, t, train, weight)
            for (train, _), kept in zip(splits, tasks)
        )
    return tunable


def _constant_codes(targets, train, fitted):
    """Code of the class that each task not in ``fitted`` predicts: its one
    observed class among the ``train`` rows."""
    constants = {}
    for t in np.setdiff1d(np.arange(targets.n_tasks), fitted):
        codes = np.unique(targets.values[train[targets.mask[train, t]], t])
        if codes.size == 0:
            raise ValueError(
                f"{task_label(t, targets.task_names)} has no observed label in "
                "the train part of the cv split; with refit=False that model "
                "cannot predict it. Use another split or refit=True."
            )
        constants[int(t)] = int(codes[0])
    return constants


def _estimator_has(name):
    def check(self):
        estimator = getattr(self, "estimator_", None)
        return hasattr(self.estimator if estimator is None else estimator, name)

    return check


class MultiTaskThresholdClassifier(
    MultiTaskClassifierMixin, MetaEstimatorMixin, ClassifierMixin, BaseEstimator
):
    """Tune the decision threshold of each binary task by cross-validation.

    A classifier that predicts a binary task by ``proba >= 0.5`` is right for
    accuracy but often wrong for F1 and other metrics that weigh the rare
    class, and the best cut differs from task to task. This meta-estimator
    fits ``clone(estimator)`` on the training part of each cross-validation
    split, gathers the out-of-fold probabilities of every task, and for each
    binary task picks the threshold on the probability of its positive class
    that maximises ``scoring`` on that task's observed out-of-fold labels::

        threshold_t = argmax_c  metric(y_t[obs], classes_t[1 if p_t[obs] >= c])

    where ``p_t`` is the out-of-fold probability of ``classes_[t][1]`` and
    ``obs`` the rows whose label of task ``t`` is observed. Missing labels
    (NaN, None) never enter the metric, and a fold whose test part holds no
    observed label of a task adds nothing to that task. The estimator is then
    refitted on all rows and predicts with the tuned thresholds.

    Abstaining on noise (the gain rule). A tuned threshold is kept only if
    its gain over the default 0.5 is larger than its own fold-to-fold
    spread. For each fold ``k``, the threshold is tuned as above on the
    out-of-fold rows of the **other** folds and scored on fold ``k``::

        g_k = metric_k(tuned on the other folds) - metric_k(0.5)

    and, with ``n`` the folds where ``g_k`` is defined, the tuned threshold
    (on all folds pooled) is kept iff::

        mean(g) > n_standard_errors * std(g, ddof=1) / sqrt(n)

    otherwise the task keeps 0.5 (``abstained_[t]``). With
    ``scoring="micro_f1"`` the rule is applied once, to the pooled micro-F1
    of all jointly tuned tasks: they keep their tuned thresholds together or
    all return to 0.5. The default ``n_standard_errors=1`` is the
    one-standard-error rule of cross-validated model selection (Breiman et
    al., 1984; Hastie et al., 2009, section 7.10), fixed before any
    measurement: with 5 folds and no true gain, a t distribution with 4
    degrees of freedom passes the rule about 1 time in 5 (and then by a
    gain of about one standard error), and the rule abstains where the
    evidence is thin (few folds with a label, a gain that changes sign
    across folds).

    Constant and rare labels (the rule, see Notes): a task with one observed
    class is predicted as that constant; a binary task that lacks one of its
    classes in the training part of some split, or in the pooled test rows,
    keeps the default threshold 0.5 (the estimator's own decision). A fold
    whose test part holds no positive of a task is no error: it adds its
    gain (often 0, or the cost of false positives) to the rule, which
    abstains where the evidence is too thin.

    Parameters
    ----------
    estimator : estimator object
        A classifier with ``fit`` and ``predict_proba``; for several tasks it
        must accept two-dimensional ``y`` (with missing labels if ``y`` has
        them) and return a list of per-task probabilities, as
        :class:`~mtlearn.neural_network.SharedRepresentationClassifier` does.
    scoring : {"f1", "balanced_accuracy", "accuracy", "precision", "recall", \
            "micro_f1"} or callable, default="f1"
        The metric maximised on each binary task, with the positive class
        ``classes_[t][1]`` (the greater label). A callable is called as
        ``scoring(y_true, y_pred)`` with labels of the task (and
        ``sample_weight=`` when ``fit`` received one); greater is better.
        It must return a number; NaN counts as the worst score (a threshold
        where the metric is undefined is never chosen), and a task where it
        is NaN at every candidate is a ``ValueError``.
        "micro_f1" tunes the binary tasks jointly for the F1 of all their
        observed out-of-fold cells pooled (coordinate ascent from the
        thresholds nearest 0.5, which never lowers the pooled F1): per-task
        F1 lowers the thresholds of rare tasks, which raises macro-F1 but
        can lower micro-F1; "micro_f1" serves that pooled metric instead.
        "accuracy" tunes for Hamming loss (it is separable over tasks).
    cv : int, cross-validation generator, iterable or "oof", default=5
        How the out-of-fold probabilities are obtained. ``"oof"``: from the
        estimator itself, fitted once on all the rows, when it cross-fits
        internally and exposes the result as ``oof_outputs_`` (per task,
        probabilities of its classes; NaN where it has none) and
        ``oof_fold_`` (the fold of each row), as
        :class:`~mtlearn.ensemble.MultiTaskEnsemble` does with
        ``weights="cv"`` or a ``final_estimator`` and ``selection=True``:
        one ensemble fit instead of ``cv + 1`` (its members are fitted
        ``n_folds + 1`` times instead of ``(cv + 1) (n_folds + 1)``), the
        gain rule on the ensemble's folds. Measured on yeast and emotions
        (5 seeds, ``benchmarks/bench_quality.py``), the tuned ensemble
        scores within the seed spread of ``cv=5`` at a quarter to a
        seventh of the cost. An int is the number
        of folds of a shuffled ``StratifiedKFold`` for one-dimensional ``y``,
        and of a shuffled
        :class:`~mtlearn.model_selection.MultilabelStratifiedKFold` for
        two-dimensional ``y`` (each task's class proportions, among its
        observed labels, kept in every fold). A splitter or an iterable of
        (train, test) index arrays (or boolean masks) is used as given; rows
        may appear in several test parts (each appearance counts) or in none.
        Rows whose labels are all missing are dropped before splitting (they
        hold nothing to fit or score): a splitter splits the other rows, and
        the folds of an iterable, which index the rows of X as given, lose
        them (a fold left with an empty part is skipped).
    refit : bool, default=True
        Refit ``estimator`` on all the rows after tuning. If False, the model
        of the single cross-validation split is kept (``cv`` must then give
        exactly one split). To tune the thresholds of an already fitted model
        on held-out rows, wrap it in :class:`sklearn.frozen.FrozenEstimator`.
    thresholds : int or array-like of shape (n_thresholds,), default=100
        Candidate thresholds of every binary task: an int ``n`` means the
        ``n`` evenly spaced quantiles (from the minimum to the maximum) of the
        task's observed out-of-fold probabilities (1 <= n <= 10 000); an
        array of finite numbers gives them.
    n_standard_errors : float >= 0 or None, default=1.0
        The gain rule (see above): a tuned threshold is kept only if the
        mean of its per-fold gains over 0.5 exceeds this many standard errors
        of them; with one split (or one fold holding the task's labels) the
        spread is unknown and 0.5 is kept. 0 keeps any positive mean gain;
        None keeps the tuned thresholds always (no abstention).
    random_state : int, RandomState instance or None, default=0
        Shuffles the folds when ``cv`` is an int. The default fixes the
        folds, so that the same command gives the same thresholds; None
        draws fresh folds at each fit. The estimator keeps its own
        ``random_state``.
    n_jobs : int, default=None
        Number of jobs running the cross-validation fits and the refit in
        parallel (``joblib.Parallel``). None means 1 unless in a
        ``joblib.parallel_backend`` context; -1 means all processors.

    Attributes
    ----------
    estimator_ : estimator object or None
        The estimator refitted on all rows (or the single split's model when
        ``refit=False``); it gives ``predict_proba`` and ``decision_function``.
        It is fitted on the tasks with two classes or more only (the columns
        of ``y`` without the constant tasks); None when every task is
        constant.
    best_thresholds_ : ndarray of shape (n_tasks,)
        Threshold ``predict`` applies to the probability of
        ``classes_[t][1]``: the tuned one where the gain rule kept it, else
        0.5 (also for a binary task that could not be tuned, see Notes); NaN
        for a multiclass or constant task.
    best_scores_ : ndarray of shape (n_tasks,)
        Out-of-fold ``scoring`` of each binary task at ``best_thresholds_``;
        NaN for a multiclass or constant task and for a task not tuned. With
        "micro_f1", the pooled out-of-fold micro-F1 of the tuned binary tasks
        at the chosen thresholds (the same value for each).
    tuned_thresholds_ : ndarray of shape (n_tasks,)
        The threshold that maximises ``scoring`` on the pooled out-of-fold
        rows, before the gain rule; NaN where no threshold was tuned.
    threshold_gain_ : ndarray of shape (n_tasks,)
        Mean over folds of the gain ``g_k`` of the gain rule; NaN where no
        threshold was tuned or fewer than two folds hold a gain.
    threshold_gain_se_ : ndarray of shape (n_tasks,)
        Standard error of those per-fold gains (``std(ddof=1) / sqrt(n)``).
    abstained_ : ndarray of bool of shape (n_tasks,)
        True where a threshold was tuned but the gain rule kept 0.5.
    cv_results_ : list of dict or None
        Per task, ``{"thresholds": ..., "scores": ...}``: every candidate and
        its out-of-fold score (None for a multiclass, constant or untuned
        task).
    classes_ : ndarray or list of ndarray
        Class labels of each task (an array for one-dimensional y).
    n_tasks_ : int
        Number of tasks (1 for one-dimensional y).
    task_names_ : ndarray of str
        Task names, from the column names of a DataFrame y. Only defined
        when y had names.
    n_features_in_ : int
        Number of features seen during fit, when ``estimator`` defines it.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Names of features seen during fit, when ``estimator`` defines it.

    See Also
    --------
    sklearn.model_selection.TunedThresholdClassifierCV : One threshold for a
        single binary target.

    Notes
    -----
    Multiclass tasks keep the ``argmax`` of their probabilities: a single
    threshold has no meaning for them.

    Constant and rare labels. The estimator is only given, in each fit, the
    tasks with at least two observed classes among that fit's rows, so any
    classifier works on rare labels. A task with one observed class in the
    whole ``y`` is a constant task (one :class:`~mtlearn.exceptions.
    ConstantTaskWarning` per fit names it; the inner fits are silent):
    ``classes_[t]`` holds its class, ``predict`` gives it and
    ``predict_proba`` gives ones of shape (n_samples, 1). A binary task that
    lacks one of its classes (among rows of positive ``sample_weight``) in
    the training part of some split, or in the pooled test rows, is not
    tuned: its threshold stays at 0.5, ``best_scores_[t]`` is NaN and
    ``cv_results_[t]`` None; "micro_f1" tunes the other binary tasks.

    The metric is computed on the out-of-fold probabilities of all folds
    pooled, so the probabilities of different fold models are compared with
    each other; well-calibrated models make this sound. Among candidates
    with the same best score, the middle one (in increasing order) is taken,
    which keeps the threshold away from the edge of a flat optimum.

    ``predict_proba`` and ``decision_function`` are the estimator's, not
    shifted by the thresholds. ``score`` is the mean over tasks of the
    accuracy of ``predict`` on the observed labels.

    Examples
    --------
    >>> import numpy as np
    >>> from mtlearn.datasets import make_multitask_classification
    >>> from mtlearn.model_selection import MultiTaskThresholdClassifier
    >>> from mtlearn.neural_network import SharedRepresentationClassifier
    >>> X, Y = make_multitask_classification(
    ...     n_samples=300, n_tasks=3, missing_rate=0.1, random_state=0)
    >>> net = SharedRepresentationClassifier(
    ...     hidden_layer_sizes=(16,), learning_rate_init=0.01, average=False,
    ...     random_state=0)
    >>> clf = MultiTaskThresholdClassifier(net, cv=3, random_state=0).fit(X, Y)
    >>> clf.best_thresholds_.shape
    (3,)
    >>> bool(np.all((clf.best_thresholds_ > 0) & (clf.best_thresholds_ < 1)))
    True
    >>> bool(np.all(clf.best_thresholds_[clf.abstained_] == 0.5))
    True
    >>> clf.predict(X[:2]).shape
    (2, 3)
    """

    @property
    def _accepts_missing_labels(self):
        # y is passed on to the estimator's fits as given
        return accepts_missing_labels(self.estimator)

    _parameter_constraints = {
        "estimator": [HasMethods(["fit", "predict_proba"])],
        "scoring": [StrOptions(set(_COUNT_METRICS) | {"micro_f1"}), callable],
        "cv": ["cv_object", StrOptions({"oof"})],
        "refit": ["boolean"],
        "thresholds": [Interval(Integral, 1, 10_000, closed="both"), "array-like"],
        "n_standard_errors": [Interval(Real, 0, None, closed="left"), None],
        "random_state": ["random_state"],
        "n_jobs": [Integral, None],
    }

    def __init__(
        self,
        estimator,
        *,
        scoring="f1",
        cv=5,
        refit=True,
        thresholds=100,
        n_standard_errors=1.0,
        random_state=0,
        n_jobs=None,
    ):
        self.estimator = estimator
        self.scoring = scoring
        self.cv = cv
        self.refit = refit
        self.thresholds = thresholds
        self.n_standard_errors = n_standard_errors
        self.random_state = random_state
        self.n_jobs = n_jobs

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y, **fit_params):
        """Tune the thresholds by cross-validation, then refit.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Input data, passed to ``estimator`` as given.
        y : array-like of shape (n_samples,) or (n_samples, n_tasks)
            Labels; NaN, None or pd.NA mark a missing label.
        **fit_params : dict
            Passed to ``estimator.fit``; per-sample arrays are split with the
            rows. A ``sample_weight`` (finite, non-negative) also weighs the
            metric.

        Returns
        -------
        self : object
            The fitted meta-estimator.
        """
        X, y = indexable(X, y)  # sparse X to CSR, whose rows can be taken
        if y is not None and not hasattr(y, "iloc"):  # columns can be taken
            y = np.asarray(y)
        n_given = _num_samples(X)
        targets = check_targets(y, kind="classification", n_samples=n_given)
        warn_constant_tasks(targets, stacklevel=4)  # the caller of _fit_context
        weight = _check_sample_weight(
            fit_params.get("sample_weight"), n_given, fit_param=True
        )
        candidates = self._candidate_thresholds()
        # a row without any label carries nothing: it stays out of the folds
        rows = targets.labelled_rows
        if rows.size < n_given:
            fit_params = _check_method_params(X, params=fit_params, indices=rows)
            X, y = _safe_indexing(X, rows), _safe_indexing(y, rows)
            targets = targets.take(rows)
            weight = None if weight is None else weight[rows]
        n_samples = rows.size
        if isinstance(self.cv, str):  # "oof": the estimator's own folds
            return self._fit_on_own_folds(X, y, targets, weight, candidates, fit_params)
        splits = _cv_folds(
            self.cv, X, y, targets, self.random_state, n_given=n_given, rows=rows
        )
        if not self.refit and len(splits) != 1:
            raise ValueError(
                f"refit=False keeps the model of the single cross-validation "
                f"split, but cv gives {len(splits)} splits; pass one "
                "(train, test) pair or set refit=True."
            )

        jobs = [(train, test) for train, test in splits]
        if self.refit:
            jobs.append((np.arange(n_samples), None))
        tasks = [_modelled_tasks(targets, train) for train, _ in jobs]
        results = Parallel(n_jobs=self.n_jobs)(
            delayed(_fit_fold)(
                clone(self.estimator), X, y, train, test, kept, targets.n_tasks,
                fit_params,
            )
            for (train, test), kept in zip(jobs, tasks)
        )  # fmt: skip

        rows = np.concatenate([test for _, test in splits])
        fold = np.repeat(np.arange(len(splits)), [test.size for _, test in splits])
        self._n_folds = len(splits)
        oof = self._out_of_fold(targets, splits, tasks, results)
        tuned = _tunable_tasks(targets, splits, tasks, rows, weight)
        self._tune(targets, oof, rows, fold, tuned, weight, candidates)

        return self._keep_model(targets, results[-1][0], tasks[-1], jobs[-1][0])

    def _keep_model(self, targets, model, fitted, train):
        """The model that predicts, fitted on the tasks ``fitted`` of the
        rows ``train``; the other tasks are constants."""
        self.estimator_ = model
        self._fitted_tasks = fitted
        self._constants = _constant_codes(targets, train, fitted)
        self.classes_ = targets.classes[0] if targets.one_d else targets.classes
        record_tasks(self, targets)
        for name in ("n_features_in_", "feature_names_in_"):
            if hasattr(self.estimator_, name):
                setattr(self, name, getattr(self.estimator_, name))
        return self

    def _fit_on_own_folds(self, X, y, targets, weight, candidates, fit_params):
        """``cv="oof"``: one fit on all rows; the thresholds are tuned on the
        estimator's own cross-fitted out-of-fold probabilities
        (``oof_outputs_``) with its folds (``oof_fold_``)."""
        if not self.refit:
            raise ValueError(
                "cv='oof' fits the estimator once, on all the rows; refit=False "
                "has no single split's model to keep. Set refit=True."
            )
        everything = np.arange(targets.values.shape[0])
        kept = _modelled_tasks(targets, everything)
        model, _ = _fit_fold(
            clone(self.estimator), X, y, everything, None, kept, targets.n_tasks,
            fit_params,
        )  # fmt: skip
        outputs = getattr(model, "oof_outputs_", None)
        fold_of = getattr(model, "oof_fold_", None)
        if model is not None and (outputs is None or fold_of is None):
            raise ValueError(
                f"cv='oof' tunes on the estimator's own out-of-fold "
                f"probabilities, but the fitted {type(model).__name__} has no "
                "oof_outputs_ and oof_fold_ (MultiTaskEnsemble has them with "
                "weights='cv' or a final_estimator, and selection=True); pass "
                "an int or a splitter as cv instead."
            )
        fold_of = np.zeros(0, dtype=int) if model is None else np.asarray(fold_of)
        n_folds = int(fold_of.max(initial=-1)) + 1
        splits = [
            (
                np.flatnonzero((fold_of >= 0) & (fold_of != k)),
                np.flatnonzero(fold_of == k),
            )
            for k in range(n_folds)
        ]
        rows = np.concatenate([test for _, test in splits] + [everything[:0]])
        fold = fold_of[rows]
        # per task, the probabilities of its classes on the out-of-fold rows;
        # a cell without an out-of-fold output counts as unlabelled
        oof = [np.full((rows.size, len(c)), np.nan) for c in targets.classes]
        mask = targets.mask.copy()
        if kept.size:
            fitted = [targets.classes[t] for t in kept]
            aligned = _aligned_probas(model, [o[rows] for o in outputs], fitted)
            for t, p in zip(kept, aligned):
                oof[t] = p
                mask[rows[np.isnan(p).any(axis=1)], t] = False
        tuning = TaskTargets(
            targets.values, mask, targets.classes, targets.task_names, targets.one_d
        )
        self._n_folds = n_folds
        tasks = [kept] * n_folds
        tuned = _tunable_tasks(tuning, splits, tasks, rows, weight)
        self._tune(tuning, oof, rows, fold, tuned, weight, candidates)
        return self._keep_model(targets, model, kept, everything)

    def _out_of_fold(self, targets, splits, tasks, results):
        """Per task, the probabilities of its classes on the test rows of all
        splits, in order; NaN where a split's model did not fit the task."""
        oof = [[] for _ in range(targets.n_tasks)]
        for (_, test), kept, (model, proba) in zip(splits, tasks, results):
            per_task = _task_probas(
                model, proba, kept, targets.classes, {}, test.shape[0]
            )
            for t, p in enumerate(per_task):
                if p is None:
                    p = np.full((test.shape[0], len(targets.classes[t])), np.nan)
                oof[t].append(p)
        return [np.concatenate(p) for p in oof]

    def _candidate_thresholds(self):
        if isinstance(self.thresholds, bool):
            raise ValueError(
                "thresholds must be an int (the number of candidates) or an "
                f"array of candidate thresholds, got {self.thresholds!r}."
            )
        if isinstance(self.thresholds, numbers.Integral):
            return None
        try:
            candidates = np.asarray(self.thresholds, dtype=np.float64)
        except (TypeError, ValueError):
            raise ValueError(
                "thresholds must be an int or an array of numbers (candidate "
                f"thresholds on the probability), got {self.thresholds!r}."
            ) from None
        if candidates.ndim != 1 or candidates.size == 0:
            raise ValueError(
                "thresholds must be an int or a non-empty 1-D array of "
                f"candidate thresholds, got shape {candidates.shape}."
            )
        if not np.all(np.isfinite(candidates)):
            raise ValueError("thresholds must be finite.")
        return np.unique(candidates)

    def _grid(self, score, candidates):
        """The candidate thresholds: given, or quantiles of ``score``."""
        if candidates is not None:
            return candidates
        return _quantile_grid(score, self.thresholds)

    def _task_scores(self, classes, y_true, score, weight, grid):
        """``scoring`` of one binary task at each threshold of ``grid``;
        ``y_true`` holds class codes (0, 1)."""
        if callable(self.scoring):
            return _threshold_scores(
                self.scoring, classes[y_true], classes, score, grid, weight
            )
        return _threshold_scores(
            self.scoring, y_true, np.array([0, 1]), score, grid, weight
        )

    def _fold_gains(self, classes, y_true, score, weight, fold, candidates):
        """Per fold, the task's score at the threshold tuned on the other
        folds minus its score at 0.5; NaN where a fold holds no evidence."""
        gains = np.full(self._n_folds, np.nan)
        for k in range(self._n_folds):
            test = fold == k
            other = ~test
            if not test.any() or not other.any():
                continue
            w_other = None if weight is None else weight[other]
            w_test = None if weight is None else weight[test]
            grid = self._grid(score[other], candidates)
            scores = self._task_scores(
                classes, y_true[other], score[other], w_other, grid
            )
            if np.all(np.isnan(scores)):
                continue
            tuned = grid[_best_candidate(scores)]
            at = self._task_scores(
                classes, y_true[test], score[test], w_test, np.array([tuned, 0.5])
            )
            gains[k] = at[0] - at[1]
        return gains

    def _tune(self, targets, oof, rows, fold, tuned, weight, candidates):
        """Best threshold of each tunable binary task on the pooled
        out-of-fold rows, kept where the gain rule passes; 0.5 for the
        other binary tasks."""
        n_tasks = targets.n_tasks
        self.best_thresholds_ = np.full(n_tasks, np.nan)
        self.best_scores_ = np.full(n_tasks, np.nan)
        self.tuned_thresholds_ = np.full(n_tasks, np.nan)
        self.threshold_gain_ = np.full(n_tasks, np.nan)
        self.threshold_gain_se_ = np.full(n_tasks, np.nan)
        self.abstained_ = np.zeros(n_tasks, dtype=bool)
        self.cv_results_ = [None] * n_tasks
        mask = targets.mask[rows]
        joint = {}  # micro_f1: per binary task, its observed out-of-fold data
        for t, classes in enumerate(targets.classes):
            if len(classes) != 2:
                continue
            self.best_thresholds_[t] = 0.5
            if not tuned[t]:
                continue
            observed = mask[:, t]
            if weight is not None:  # a row of weight 0 is as good as absent
                observed = observed & (weight[rows] > 0)
            y_true = targets.values[rows[observed], t].astype(np.intp)
            score = oof[t][observed, 1]
            task_weight = None if weight is None else weight[rows][observed]
            if self.scoring == "micro_f1":
                ones = np.ones(score.shape[0]) if task_weight is None else task_weight
                joint[t] = (y_true == 1, score, ones, fold[observed])
                continue
            grid = self._grid(score, candidates)
            scores = self._task_scores(classes, y_true, score, task_weight, grid)
            if np.all(np.isnan(scores)):
                raise ValueError(
                    f"scoring returned NaN at every candidate threshold of "
                    f"{task_label(t, targets.task_names)}; it must return a "
                    "number for at least one (NaN counts as the worst score)."
                )
            best = _best_candidate(scores)
            self.cv_results_[t] = {"thresholds": grid, "scores": scores}
            self.tuned_thresholds_[t] = grid[best]
            gains = self._fold_gains(
                classes, y_true, score, task_weight, fold[observed], candidates
            )
            mean, se, keep = gain_rule(gains, self.n_standard_errors)
            self.threshold_gain_[t], self.threshold_gain_se_[t] = mean, se
            if keep:
                self.best_thresholds_[t], self.best_scores_[t] = (
                    grid[best],
                    scores[best],
                )
            else:
                self.abstained_[t] = True
                self.best_scores_[t] = self._task_scores(
                    classes, y_true, score, task_weight, np.array([0.5])
                )[0]
        if joint:
            self._tune_jointly(joint, candidates)

    def _joint_thresholds(self, joint, candidates, rows=None):
        """micro_f1: one coordinate ascent over all binary tasks' thresholds
        on the out-of-fold cells (of the folds other than ``rows``' fold, when
        given), started from the default rule (the candidate nearest 0.5).
        Returns per task its grid, counts and chosen index, and the pooled
        micro-F1."""
        grids, counts = [], []
        for positive, score, weight, fold in joint.values():
            keep = np.ones(fold.size, dtype=bool) if rows is None else fold != rows
            if keep.any():
                grid = self._grid(score[keep], candidates)
            else:  # every label of the task is in the fold left out
                grid = np.array([0.5])
            grids.append(grid)
            counts.append(
                _confusion_counts(positive[keep], score[keep], grid, weight[keep])
            )
        start = [int(np.argmin(np.abs(grid - 0.5))) for grid in grids]
        chosen, micro = _joint_micro_f1(counts, start)
        return grids, counts, chosen, micro

    def _tune_jointly(self, joint, candidates):
        """micro_f1: the joint thresholds on all out-of-fold cells, kept for
        every task or for none by the gain rule on the pooled micro-F1."""
        tasks = list(joint)
        grids, counts, chosen, micro = self._joint_thresholds(joint, candidates)
        gains = np.full(self._n_folds, np.nan)
        for k in range(self._n_folds):
            in_fold = [fold == k for _, _, _, fold in joint.values()]
            if not any(f.any() for f in in_fold) or all(f.all() for f in in_fold):
                continue
            fold_grids, _, fold_chosen, _ = self._joint_thresholds(
                joint, candidates, rows=k
            )
            pooled = np.zeros((2, 3))  # (tuned, 0.5) x (tp, fp, fn)
            for (positive, score, weight, _), f, grid, index in zip(
                joint.values(), in_fold, fold_grids, fold_chosen
            ):
                tp, fp, fn, _ = _confusion_counts(
                    positive[f], score[f], np.array([grid[index], 0.5]), weight[f]
                )
                pooled += np.column_stack([tp, fp, fn])
            f1 = _ratio(
                2 * pooled[:, 0], 2 * pooled[:, 0] + pooled[:, 1] + pooled[:, 2]
            )
            gains[k] = f1[0] - f1[1]
        mean, se, keep = gain_rule(gains, self.n_standard_errors)
        default = np.zeros(3)
        for positive, score, weight, _ in joint.values():
            tp, fp, fn, _ = _confusion_counts(positive, score, np.array([0.5]), weight)
            default += tp[0], fp[0], fn[0]
        at_default = _ratio(
            np.array([2 * default[0]]),
            np.array([2 * default[0] + default[1] + default[2]]),
        )[0]
        for t, grid, (tp, fp, fn, _), index in zip(tasks, grids, counts, chosen):
            self.tuned_thresholds_[t] = grid[index]
            self.threshold_gain_[t], self.threshold_gain_se_[t] = mean, se
            self.abstained_[t] = not keep
            self.best_thresholds_[t] = grid[index] if keep else 0.5
            self.best_scores_[t] = micro if keep else at_default
            self.cv_results_[t] = {
                "thresholds": grid,
                "scores": _ratio(2 * tp, 2 * tp + fp + fn),  # the task's own F1
            }

    def _task_classes(self):
        return [self.classes_] if self._one_d else self.classes_

    def _all_fitted(self):
        return self._fitted_tasks.size == self.n_tasks_

    def _probas(self, X):
        """Probabilities of every task, one column per class of ``classes_[t]``."""
        proba = None
        if self.estimator_ is not None:
            proba = self.estimator_.predict_proba(X)
        return _task_probas(
            self.estimator_,
            proba,
            self._fitted_tasks,
            self._task_classes(),
            self._constants,
            _num_samples(X),
        )

    @available_if(_estimator_has("predict_proba"))
    def predict_proba(self, X):
        """Class probabilities of each task, from ``estimator_``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Input data.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes) or list of such
            As ``estimator_.predict_proba``: one array for one-dimensional y,
            else a list with one array per task. A task that ``estimator_``
            was not fitted on (a constant task) has probability 1 for its
            class: ones of shape (n_samples, 1).
        """
        check_is_fitted(self)
        if self._all_fitted():
            return self.estimator_.predict_proba(X)
        probas = self._probas(X)
        return probas[0] if self._one_d else probas

    @available_if(_estimator_has("decision_function"))
    def decision_function(self, X):
        """Decision function of ``estimator_`` (not shifted by the thresholds).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Input data.

        Returns
        -------
        scores : ndarray or list of ndarray
            As ``estimator_.decision_function``. When some task was not
            fitted by ``estimator_`` (a constant task), per task: 0 for that
            task, shape (n_samples,) for a binary one; an array of shape
            (n_samples, n_tasks) when every task has one column, else a list.
        """
        check_is_fitted(self)
        if self._all_fitted():
            return self.estimator_.decision_function(X)
        n_samples = _num_samples(X)
        scores = [np.zeros(n_samples) for _ in range(self.n_tasks_)]
        if self.estimator_ is not None:
            fitted = self._fitted_tasks
            output = self.estimator_.decision_function(X)
            if not isinstance(output, list):
                output = np.asarray(output)
                output = [output] if fitted.size == 1 else list(output.T)
            for t, value in zip(fitted, output):
                value = np.asarray(value)
                scores[t] = (
                    value[:, 0] if value.ndim == 2 and value.shape[1] == 1 else value
                )
        if self._one_d:
            return scores[0]
        if all(s.ndim == 1 for s in scores):
            return np.column_stack(scores)
        return scores

    def predict(self, X):
        """Labels of each task with the tuned thresholds.

        A binary task predicts ``classes_[t][1]`` where the probability of
        that class is at least ``best_thresholds_[t]``; a multiclass task
        predicts its most probable class, and a constant task its class.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Input data.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,) or (n_samples, n_tasks)
            Predicted labels, from each task's classes.
        """
        check_is_fitted(self)
        probas = self._probas(X)
        codes = np.empty((probas[0].shape[0], self.n_tasks_), dtype=np.intp)
        for t, proba in enumerate(probas):
            threshold = self.best_thresholds_[t]
            if np.isnan(threshold):
                codes[:, t] = np.argmax(proba, axis=1)
            else:
                codes[:, t] = proba[:, 1] >= threshold
        return decode_labels(codes, self._task_classes(), self._one_d)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        inner = get_tags(self.estimator)
        tags.input_tags.sparse = inner.input_tags.sparse
        tags.input_tags.allow_nan = inner.input_tags.allow_nan
        tags.target_tags.multi_output = inner.target_tags.multi_output
        tags.target_tags.single_output = inner.target_tags.single_output
        if inner.classifier_tags is not None:
            tags.classifier_tags.multi_label = inner.classifier_tags.multi_label
        return tags
