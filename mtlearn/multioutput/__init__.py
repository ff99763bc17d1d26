"""Label-dependence estimators: multi-task classifiers that model which
labels go together (the label powerset)."""

from ._label_powerset import LabelPowersetClassifier

__all__ = ["LabelPowersetClassifier"]
