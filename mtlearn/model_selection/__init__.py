"""Splitters, threshold tuning and transfer analysis for multi-task targets."""

from ._classification_threshold import MultiTaskThresholdClassifier
from ._split import MultilabelStratifiedKFold, MultilabelStratifiedShuffleSplit
from ._transfer import transfer_gain

__all__ = [
    "MultiTaskThresholdClassifier",
    "MultilabelStratifiedKFold",
    "MultilabelStratifiedShuffleSplit",
    "transfer_gain",
]
