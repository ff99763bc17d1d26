"""What every mtlearn estimator shares beyond scikit-learn's mixins.

- ``score`` as DESIGN.md defines it: mixins placed before scikit-learn's
  ``ClassifierMixin`` / ``RegressorMixin`` keep those mixins' tags and replace
  ``score`` by the mean over tasks of the per-task score on observed labels.
- Whether an estimator takes missing labels (NaN, None) in ``y``: it says so
  with a class attribute ``_accepts_missing_labels`` (True, or a property for a
  meta-estimator that passes ``y`` on); scikit-learn has no tag for it.
"""

from .metrics import multitask_score


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
