"""Regularized multi-task linear models on one proximal-gradient solver."""

__all__ = []
