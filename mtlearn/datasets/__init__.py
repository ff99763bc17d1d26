"""Bundled multi-task data sets and synthetic multi-task generators."""

from ._base import load_emotions, load_school, load_yeast
from ._samples_generator import (
    make_multitask_classification,
    make_multitask_regression,
)

__all__ = [
    "load_emotions",
    "load_school",
    "load_yeast",
    "make_multitask_classification",
    "make_multitask_regression",
]
