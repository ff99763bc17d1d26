"""Regularized multi-task linear models on one proximal-gradient solver."""

from ._multitask import MultiTaskLinearRegression, MultiTaskLogisticRegression

__all__ = ["MultiTaskLinearRegression", "MultiTaskLogisticRegression"]
