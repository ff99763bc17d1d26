"""What every mtlearn estimator shares beyond scikit-learn's mixins.

- ``score`` as DESIGN.md defines it: mixins placed before scikit-learn's
  ``ClassifierMixin`` / ``RegressorMixin`` keep those mixins' tags and replace
  ``score`` by the mean over tasks of the per-task score on observed labels.
- Whether an estimator takes missing labels (NaN, None) in ``y``: it says so
  with a class attribute ``_accepts_missing_labels`` (True, or a property for a
  meta-estimator that passes ``y`` on); scikit-learn has no tag for it.
"""

import numpy as np
from scipy.special import expit, softmax

from ._targets import decode_labels
from .metrics import multitask_score


def plain_float_rows(estimator, X):
    """``X`` when ``validate_data(estimator, X, reset=False)`` would return it
    as is, else None: the fast path of prediction on one row.

    That is a plain 2-D float32/float64 ndarray with at least one row, the
    fitted number of columns, finite values, and an estimator fitted without
    feature names. Anything else (lists, frames, sparse, NaN, a wrong width)
    goes through ``validate_data`` and its error messages.
    """
    if not (
        type(X) is np.ndarray
        and X.ndim == 2
        and X.dtype in _FLOAT_DTYPES
        and X.shape[0] > 0
        and X.shape[1] == getattr(estimator, "n_features_in_", -1)
        and not hasattr(estimator, "feature_names_in_")
    ):
        return None
    with np.errstate(over="ignore", invalid="ignore"):
        finite = np.isfinite(X.sum())  # an overflowing sum: the slow path
    return X if finite else None


_FLOAT_DTYPES = (np.dtype(np.float64), np.dtype(np.float32))


def accepts_missing_labels(estimator):
    """Whether ``estimator`` (a Pipeline: its final step) takes NaN labels."""
    while hasattr(estimator, "steps"):
        estimator = estimator.steps[-1][1]
    return bool(getattr(estimator, "_accepts_missing_labels", False))


class MultiTaskClassifierMixin:
    """``score``: mean over tasks of the accuracy on observed labels."""

    def score(self, X, y, sample_weight=None):
        """Mean over tasks of the accuracy on the observed labels.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Test samples.
        y : array-like of shape (n_samples,) or (n_samples, n_tasks)
            True labels; missing labels (NaN, None, pd.NA) are skipped.
        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights.

        Returns
        -------
        score : float
            Mean over tasks of each task's (weighted) accuracy; for one task,
            its accuracy.
        """
        return float(
            multitask_score("accuracy", y, self.predict(X), sample_weight=sample_weight)
        )


class MultiTaskRegressorMixin:
    """``score``: mean over tasks of R^2 on observed targets."""

    def score(self, X, y, sample_weight=None):
        """Mean over tasks of R^2 on the observed targets.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Test samples.
        y : array-like of shape (n_samples,) or (n_samples, n_tasks)
            True targets; missing values (NaN, None) are skipped.
        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights.

        Returns
        -------
        score : float
            Mean over tasks of each task's R^2; for one task, its R^2.
        """
        return float(
            multitask_score("r2", y, self.predict(X), sample_weight=sample_weight)
        )


class LogitClassifierMixin:
    """``decision_function``, ``predict_proba`` and ``predict`` from logits.

    For classifiers whose tasks end in a sigmoid (binary) or a softmax
    (multiclass) output. Subclasses define ``_task_scores(X)``: a list with,
    per task, its logits of shape (n_samples, 1) (binary: the logit of
    ``classes_[t][1]``) or (n_samples, n_classes_t); and ``_task_classes()``,
    the list of each task's classes, and ``_one_d``.

    A constant task (one class in ``classes_[t]``) is predicted here, whatever
    its logits: its class, with probability 1 (``predict_proba`` of shape
    (n_samples, 1)) and a decision function of 0.

    A subclass may also define ``_binary_scores(X)``: when every task has one
    logit column (binary or constant tasks), the logits of all tasks as one
    array of shape (n_samples, n_tasks), else None (before any work). The
    predictions are then computed for all tasks at once, with no per-task
    Python work (what a single-row prediction's latency is made of).
    """

    def _stacked_scores(self, X):
        """``_binary_scores(X)`` with constant tasks' columns zeroed, or None."""
        binary_scores = getattr(self, "_binary_scores", None)
        scores = None if binary_scores is None else binary_scores(X)
        if scores is not None:
            constant = [len(c) == 1 for c in self._task_classes()]
            if any(constant):
                scores[:, np.flatnonzero(constant)] = 0
        return scores

    def _scores_per_task(self, X):
        """Per task, the logits; zeros of shape (n_samples, 1) when constant."""
        scores = self._task_scores(X)
        for t, classes in enumerate(self._task_classes()):
            if len(classes) == 1:
                scores[t] = np.zeros((scores[t].shape[0], 1), dtype=scores[t].dtype)
        return scores

    def decision_function(self, X):
        """Logits of each task.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Input data.

        Returns
        -------
        scores : ndarray or list of ndarray
            One-dimensional y: shape (n_samples,) for a binary task, or
            (n_samples, n_classes) for a multiclass one. Several tasks: an
            array of shape (n_samples, n_tasks) when all are binary, else a
            list with one such array per task. A constant task (one class)
            scores 0 everywhere.
        """
        stacked = self._stacked_scores(X)
        if stacked is not None:
            return stacked[:, 0] if self._one_d else stacked
        scores = [z[:, 0] if z.shape[1] == 1 else z for z in self._scores_per_task(X)]
        if self._one_d:
            return scores[0]
        if all(s.ndim == 1 for s in scores):
            return np.column_stack(scores)
        return scores

    def predict_proba(self, X):
        """Class probabilities of each task.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Input data.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes) or list of such
            One array for one-dimensional y; for several tasks a list with
            one array of shape (n_samples, n_classes_t) per task, columns in
            the order of ``classes_[t]``. A constant task (one class) gives
            ones of shape (n_samples, 1).
        """
        stacked = self._stacked_scores(X)
        if stacked is not None:
            return self._binary_probas(stacked)
        probas = []
        for z, classes in zip(self._scores_per_task(X), self._task_classes()):
            if len(classes) == 1:
                probas.append(np.ones((z.shape[0], 1), dtype=z.dtype))
            elif z.shape[1] == 1:
                p = expit(z)
                probas.append(np.hstack([1 - p, p]))
            else:
                probas.append(softmax(z, axis=1))
        return probas[0] if self._one_d else probas

    def _binary_probas(self, scores):
        """``predict_proba`` from the (n_samples, n_tasks) logits of binary
        and constant tasks: one sigmoid for all, one (n_samples, 2) block per
        task, contiguous."""
        n_samples, n_tasks = scores.shape
        positive = expit(scores).T
        blocks = np.empty((n_tasks, n_samples, 2), dtype=scores.dtype)
        blocks[:, :, 1] = positive
        np.subtract(1, positive, out=blocks[:, :, 0])
        probas = [
            np.ones((n_samples, 1), dtype=scores.dtype) if len(classes) == 1 else block
            for block, classes in zip(blocks, self._task_classes())
        ]
        return probas[0] if self._one_d else probas

    def predict(self, X):
        """Predicted labels of each task.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Input data.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,) or (n_samples, n_tasks)
            Predicted labels, from each task's classes.
        """
        stacked = self._stacked_scores(X)
        if stacked is not None:
            codes = (stacked > 0).astype(np.intp)
        else:
            codes = np.column_stack(
                [
                    (z[:, 0] > 0) if z.shape[1] == 1 else np.argmax(z, axis=1)
                    for z in self._scores_per_task(X)
                ]
            ).astype(np.intp)
        return decode_labels(codes, self._task_classes(), self._one_d)
