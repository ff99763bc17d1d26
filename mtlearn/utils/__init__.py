"""Utilities for multi-task learning and for developers of estimators.

- :func:`mtlearn.utils.fit_chunks`: train any estimator with ``partial_fit``
  (mtlearn's networks, scikit-learn's incremental estimators) on data larger
  than memory, one chunk of rows at a time: from a list or generator of
  ``(X, y)`` chunks, a ``numpy.memmap`` or array cut into chunks, or a dask
  array pair computed one block at a time; chunk order shuffled at each
  epoch, early stopping on a held-out chunk, memory bounded by the chunk
  size whatever the number of rows.
- :mod:`mtlearn.utils.estimator_checks`: the multi-task contract checks
  (missing labels, per-task classes, output shapes, constant tasks, ...), to
  run next to scikit-learn's own checks on any multi-task estimator.
"""

from ._chunks import fit_chunks

__all__ = ["fit_chunks"]
