"""Utilities for developers of multi-task estimators.

- :mod:`mtlearn.utils.estimator_checks`: the multi-task contract checks
  (missing labels, per-task classes, output shapes, constant tasks, ...), to
  run next to scikit-learn's own checks on any multi-task estimator.
"""
