"""Shared-representation networks: a trunk shared by all tasks, one head each."""

from ._shared_representation import (
    SharedRepresentationClassifier,
    SharedRepresentationRegressor,
)

__all__ = ["SharedRepresentationClassifier", "SharedRepresentationRegressor"]
