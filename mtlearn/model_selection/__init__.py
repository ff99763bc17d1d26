"""Splitters, threshold tuning and transfer analysis for multi-task targets."""

from ._split import MultilabelStratifiedKFold, MultilabelStratifiedShuffleSplit

__all__ = [
    "MultilabelStratifiedKFold",
    "MultilabelStratifiedShuffleSplit",
]
