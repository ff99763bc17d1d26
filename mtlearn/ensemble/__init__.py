"""Ensembles across tasks: several single- or multi-task models combined per
task by vote, weighted mean or stacking, every fit a joblib task."""

from ._ensemble import (
    MultiTaskEnsemble,
    MultiTaskEnsembleClassifier,
    MultiTaskEnsembleRegressor,
)

__all__ = [
    "MultiTaskEnsemble",
    "MultiTaskEnsembleClassifier",
    "MultiTaskEnsembleRegressor",
]
