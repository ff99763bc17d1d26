"""Validation of X and sample_weight shared by every mtlearn estimator.

scikit-learn's ``validate_data`` and ``_check_sample_weight`` do the work;
these wrappers only make the message name the input when a cell is not a
number (scikit-learn's own says ``could not convert string to float: 'a'``,
naming neither the input nor what to do).
"""

import numpy as np
from sklearn.utils.validation import _check_sample_weight, validate_data

__all__ = ["check_sample_weight", "validate_X"]

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
    ValueError
        When X holds strings or other values that are not numbers, with a
        message that says so and what to do.
    """
    try:
        return validate_data(estimator, X, reset=reset, **kwargs)
    except (TypeError, ValueError) as exc:
        if not _not_numeric(exc):
            raise
        raise ValueError(
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
