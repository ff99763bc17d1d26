"""Scorers for model selection on multi-task estimators."""

import numpy as np

from ._base import _average, _check_average, _Metric, _observed_tasks

__all__ = ["make_multitask_scorer"]

_RESPONSE_METHODS = ("predict", "predict_proba", "decision_function")


def _estimator_classes(estimator):
    """The classes of each task, from ``classes_`` (None for a regressor)."""
    classes = getattr(estimator, "classes_", None)
    if classes is None:
        return None
    if isinstance(classes, list) or (
        isinstance(classes, np.ndarray)
        and classes.dtype == object
        and classes.ndim == 1
        and all(np.ndim(c) == 1 for c in classes)
    ):
        return list(classes)
    return [classes]


class _MultiTaskScorer:
    """Score an estimator's predictions of several tasks with one number.

    Made by :func:`make_multitask_scorer`; see there.
    """

    def __init__(self, metric_arg, metric, average, response_method, sign):
        self._metric_arg = metric_arg
        self._metric = metric
        self._average = average
        self._response_method = response_method
        self._sign = sign

    def _response(self, estimator, X):
        for method in self._response_method:
            if hasattr(estimator, method):
                return getattr(estimator, method)(X)
        raise AttributeError(
            f"{type(estimator).__name__} has none of the methods "
            f"{list(self._response_method)} that {self!r} needs."
        )

    def __call__(self, estimator, X, y_true, sample_weight=None):
        """Score ``estimator`` on ``X`` against ``y_true``.

        Parameters
        ----------
        estimator : object
            A fitted estimator.
        X : array-like of shape (n_samples, n_features)
            Test samples.
        y_true : array-like of shape (n_samples,) or (n_samples, n_tasks)
            True labels or targets; missing labels are skipped.
        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights, applied within each task.

        Returns
        -------
        score : float
            The averaged score, negated when ``greater_is_better=False``.
        """
        y_pred = self._response(estimator, X)
        task_names = None
        if not hasattr(y_true, "columns"):
            task_names = getattr(estimator, "task_names_", None)
        tasks, names = _observed_tasks(
            y_true,
            y_pred,
            sample_weight,
            _estimator_classes(estimator),
            task_names,
        )
        return self._sign * _average(self._metric, tasks, names, self._average)

    def __repr__(self):
        metric = self._metric_arg
        name = metric if isinstance(metric, str) else self._metric.spec.name
        args = [repr(name), f"average={self._average!r}"]
        if self._sign < 0:
            args.append("greater_is_better=False")
        args += [f"{k}={v!r}" for k, v in self._metric.kwargs.items()]
        return f"make_multitask_scorer({', '.join(args)})"


def make_multitask_scorer(
    metric,
    *,
    average="macro",
    response_method=None,
    greater_is_better=True,
    **kwargs,
):
    """Make a scorer that averages a metric over tasks, skipping missing labels.

    The scorer follows scikit-learn's protocol, ``scorer(estimator, X, y)``,
    so it can be the ``scoring`` of :class:`~sklearn.model_selection.GridSearchCV`,
    :func:`~sklearn.model_selection.cross_validate` or
    :func:`~sklearn.model_selection.cross_val_score` (alone or in a dict of
    scorers), for mtlearn estimators and for scikit-learn multi-output
    estimators such as :class:`~sklearn.multioutput.MultiOutputClassifier`.
    It asks the estimator for the response the metric needs, scores each task
    on its observed labels (see :func:`per_task_score`) and averages.

    Parameters
    ----------
    metric : str or callable
        A metric name or callable, as in :func:`per_task_score`.
    average : {"macro", "weighted", "micro"}, default="macro"
        How to combine the tasks, as in :func:`multitask_score`. None (one
        score per task) is not allowed: a scorer returns one number.
    response_method : str or tuple of str, default=None
        The estimator method(s) whose output the metric scores; with several,
        the first one the estimator has. Default: ``"predict"`` for metrics
        on labels or targets and for user callables; for ROC-AUC
        ``("predict_proba", "decision_function")`` (probabilities first,
        because the one-vs-rest ROC-AUC of a multiclass task needs
        probabilities); for log-loss ``"predict_proba"``.
    greater_is_better : bool, default=True
        Whether a higher metric is better. If False the scorer returns the
        negated metric, as scikit-learn's ``neg_*`` scorers do: pass False
        for ``'rmse'``, ``'mse'``, ``'mae'`` and ``'log_loss'``.
    **kwargs : dict
        Passed to the metric.

    Returns
    -------
    scorer : callable
        ``scorer(estimator, X, y_true, sample_weight=None)`` returning a float.

    See Also
    --------
    multitask_score : The same average, from predictions.

    Examples
    --------
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn.model_selection import cross_val_score
    >>> from sklearn.multioutput import MultiOutputClassifier
    >>> from mtlearn.datasets import make_multitask_classification
    >>> from mtlearn.metrics import make_multitask_scorer
    >>> X, Y = make_multitask_classification(n_samples=60, n_tasks=3,
    ...                                      random_state=0)
    >>> scorer = make_multitask_scorer("f1", average="micro")
    >>> scorer
    make_multitask_scorer('f1', average='micro')
    >>> scores = cross_val_score(MultiOutputClassifier(LogisticRegression()),
    ...                          X, Y, scoring=scorer, cv=3)
    >>> scores.shape
    (3,)
    """
    if average is None:
        raise ValueError(
            "average=None gives one score per task, but a scorer must return a "
            "single number for model selection. Use average='macro', "
            "'weighted' or 'micro', or per_task_score on the predictions for "
            "the score of each task."
        )
    _check_average(average, allow_none=False)
    metric_obj = _Metric(metric, kwargs)
    spec = metric_obj.spec
    if response_method is None:
        response_method = spec.response
    elif isinstance(response_method, str):
        response_method = (response_method,)
    else:
        response_method = tuple(response_method)
    unknown = [m for m in response_method if m not in _RESPONSE_METHODS]
    if unknown or not response_method:
        raise ValueError(
            f"response_method must be one of {list(_RESPONSE_METHODS)} or a tuple "
            f"of them, got {response_method!r}."
        )
    if spec.kind is not None and not set(response_method) <= set(spec.response):
        raise ValueError(
            f"{spec.name!r} scores the output of {list(spec.response)}, not of "
            f"{list(response_method)}."
        )
    sign = 1 if greater_is_better else -1
    return _MultiTaskScorer(metric, metric_obj, average, response_method, sign)
