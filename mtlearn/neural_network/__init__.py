"""Multi-task networks: a shared trunk with one head per task, or shared
experts weighed by one gate per task (mixture of experts)."""

from ._mixture_of_experts import MixtureOfExpertsClassifier, MixtureOfExpertsRegressor
from ._shared_representation import (
    SharedRepresentationClassifier,
    SharedRepresentationRegressor,
)
from ._task_weighting import (
    DynamicWeightAverage,
    EqualWeighting,
    GradNorm,
    PCGrad,
    TaskWeighting,
    UncertaintyWeighting,
)

__all__ = [
    "DynamicWeightAverage",
    "EqualWeighting",
    "GradNorm",
    "MixtureOfExpertsClassifier",
    "MixtureOfExpertsRegressor",
    "PCGrad",
    "SharedRepresentationClassifier",
    "SharedRepresentationRegressor",
    "TaskWeighting",
    "UncertaintyWeighting",
]
