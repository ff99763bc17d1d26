"""Regularized multi-task linear models on one proximal-gradient solver."""

from ._cv import MultiTaskLinearRegressionCV, MultiTaskLogisticRegressionCV
from ._multitask import MultiTaskLinearRegression, MultiTaskLogisticRegression

__all__ = [
    "MultiTaskLinearRegression",
    "MultiTaskLinearRegressionCV",
    "MultiTaskLogisticRegression",
    "MultiTaskLogisticRegressionCV",
]
