"""Validation of X, sample_weight and cv folds shared by every mtlearn estimator.

scikit-learn's ``validate_data`` and ``_check_sample_weight`` do the work;
these wrappers only make the message name the input when a cell is not a
number (scikit-learn's own says ``could not convert string to float: 'a'``,
naming neither the input nor what to do). :func:`check_cv_folds` is the one
check of the (train, test) folds that a user's ``cv`` gives, for every
estimator and tool that takes one.
"""

from collections.abc import Mapping

import numpy as np
from sklearn.utils.validation import _check_sample_weight, validate_data

__all__ = ["check_cv_folds", "check_sample_weight", "validate_X"]

_NOT_NUMERIC = (
    "could not convert",
    "float() argument",
    "dtype='numeric' is not compatible",
    "setting an array element with a sequence",
    "complex",
)


def _not_numeric(exc):
    message = str(exc)
    return any(part in message for part in _NOT_NUMERIC)


def validate_X(estimator, X, *, reset, **kwargs):
    """``validate_data(estimator, X, reset=reset, **kwargs)``, X named on error.

    Raises
    ------
    ValueError or TypeError
        When X holds strings or other values that are not numbers, with a
        message that says so and what to do; of the type that scikit-learn
        raised (a TypeError for a cell such as a dict, as scikit-learn's
        ``check_dtype_object`` expects), its message kept inside.
    """
    try:
        return validate_data(estimator, X, reset=reset, **kwargs)
    except (TypeError, ValueError) as exc:
        if not _not_numeric(exc):
            raise
        raise type(exc)(
            f"X must hold numbers only, but a value could not be converted to "
            f"a number ({exc}). Encode categorical or text columns first "
            "(e.g. OneHotEncoder in a ColumnTransformer)."
        ) from None


def check_sample_weight(sample_weight, X, **kwargs):
    """``_check_sample_weight`` with sample_weight named on error.

    A scalar broadcasts to every sample (scikit-learn's convention); NaN, inf
    and (with ``ensure_non_negative=True``) negative weights are errors.
    """
    if sample_weight is not None and not np.isscalar(sample_weight):
        array = np.asarray(sample_weight, dtype=object)
        if array.ndim > 1:
            raise ValueError(
                f"sample_weight must be 1-D of shape (n_samples,), got shape "
                f"{array.shape}."
            )
    try:
        return _check_sample_weight(sample_weight, X, **kwargs)
    except (TypeError, ValueError) as exc:
        if not _not_numeric(exc):
            raise
        raise ValueError(
            f"sample_weight must hold numbers only, but a value could not be "
            f"converted to a number ({exc})."
        ) from None


def check_cv_folds(folds, n_samples, *, rows=None):
    """The (train, test) folds of a ``cv`` as checked arrays of row indices.

    Parameters
    ----------
    folds : iterable of (train, test) pairs
        What a ``cv`` iterable holds, or what a splitter's ``split`` yields.
        Each part is a 1-D array-like of integer row indices in
        ``[0, n_samples)`` or a boolean mask of length ``n_samples``; both
        parts must be non-empty, and there must be at least one fold.
    n_samples : int
        Number of rows of X that the indices refer to.
    rows : ndarray of int, default=None
        The rows of X that the caller fits on, when it drops some (e.g. rows
        whose labels are all missing). The checked folds are then re-indexed
        into positions within ``rows``: the dropped rows leave each part,
        and a fold whose train or test part is left empty is dropped.

    Returns
    -------
    folds : list of (ndarray of int, ndarray of int)
        The folds as row indices (positions within ``rows`` if given).

    Raises
    ------
    ValueError
        Naming ``cv``, the fold and the part: ``folds`` is a string or a
        mapping, a fold is not a pair, a part is not 1-D integer indices or a
        boolean mask of the rows, an index is out of range, a part is empty,
        or no fold is given (or, with ``rows``, none is left).
    """
    if isinstance(folds, str | bytes | Mapping) or not hasattr(folds, "__iter__"):
        raise ValueError(
            "cv must be an int, a cross-validation splitter or an iterable "
            "of (train, test) pairs of row indices, got "
            f"{type(folds).__name__}."
        )
    checked = []
    for k, fold in enumerate(folds):
        if not isinstance(fold, tuple | list | np.ndarray) or len(fold) != 2:
            raise ValueError(
                "cv must give (train, test) pairs of row indices; fold "
                f"{k} is {type(fold).__name__} {fold!r:.80}."
            )
        checked.append(
            tuple(_fold_part(part, n_samples, k, name) for part, name in
                  zip(fold, ("train", "test")))
        )  # fmt: skip
    if not checked:
        raise ValueError("cv gave no (train, test) fold; it needs one at least.")
    if rows is None:
        return checked
    position = np.full(n_samples, -1, dtype=np.intp)
    position[rows] = np.arange(len(rows))
    kept = []
    for train, test in checked:
        train, test = position[train], position[test]
        train, test = train[train >= 0], test[test >= 0]
        if train.size and test.size:
            kept.append((train, test))
    if not kept:
        raise ValueError(
            "cv gave no fold with a labelled row in both its train and test "
            "parts (rows whose labels are all missing are not used)."
        )
    return kept


def _fold_part(indices, n_samples, k, part):
    """Row indices of the ``part`` ("train" or "test") of fold ``k``."""
    indices = np.asarray(indices)
    if indices.dtype == bool:
        if indices.shape != (n_samples,):
            raise ValueError(
                f"cv gave a boolean {part} mask of shape {indices.shape} in "
                f"fold {k}; X has {n_samples} rows."
            )
        indices = np.flatnonzero(indices)
    elif indices.ndim != 1 or (indices.size and indices.dtype.kind not in "iu"):
        raise ValueError(
            f"cv gave a {part} part of fold {k} that is not a 1-D array of "
            f"integer row indices or a boolean mask of the rows (dtype "
            f"{indices.dtype}, shape {indices.shape})."
        )
    if indices.size == 0:
        raise ValueError(f"cv gave an empty {part} part in fold {k}.")
    if indices.min() < 0 or indices.max() >= n_samples:
        raise ValueError(
            f"cv gave row indices out of range in the {part} part of fold "
            f"{k}: they must lie in [0, {n_samples}) for the {n_samples} rows "
            f"of X, got values from {indices.min()} to {indices.max()}."
        )
    return indices.astype(np.intp)
