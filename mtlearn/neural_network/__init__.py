"""Multi-task networks: a shared trunk with one head per task, or shared
experts weighed by one gate per task (mixture of experts)."""

from ._mixture_of_experts import MixtureOfExpertsClassifier, MixtureOfExpertsRegressor
from ._shared_representation import (
    SharedRepresentationClassifier,
    SharedRepresentationRegressor,
)

__all__ = [
    "MixtureOfExpertsClassifier",
    "MixtureOfExpertsRegressor",
    "SharedRepresentationClassifier",
    "SharedRepresentationRegressor",
]
