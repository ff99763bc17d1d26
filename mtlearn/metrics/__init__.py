"""Metrics and scorers for multi-task targets with missing labels."""

from ._base import multitask_score, per_task_score
from ._report import multitask_report
from ._scorer import make_multitask_scorer

__all__ = [
    "make_multitask_scorer",
    "multitask_report",
    "multitask_score",
    "per_task_score",
]
