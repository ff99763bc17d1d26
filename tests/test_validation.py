"""Shared validation of X and sample_weight: mtlearn/_validation.py."""

import numpy as np
import pytest
from sklearn.base import BaseEstimator

from mtlearn._validation import check_sample_weight, validate_X


@pytest.mark.parametrize(
    "X",
    [
        np.full((4, 2), "a"),
        np.array([[1.0, "a"], [2.0, 3.0]], dtype=object),
        [[1.0, [1, 2]], [2.0, 3.0]],
    ],
)
def test_non_numeric_X_is_named(X):
    with pytest.raises(ValueError, match="X must hold numbers only"):
        validate_X(BaseEstimator(), X, reset=True)


def test_numeric_X_passes_and_other_errors_are_scikit_learns():
    X = validate_X(BaseEstimator(), [[1, 2], [3, 4]], reset=True, dtype=np.float64)
    assert X.dtype == np.float64
    with pytest.raises(ValueError, match="NaN"):
        validate_X(BaseEstimator(), [[1, np.nan]], reset=True)


@pytest.mark.parametrize(
    "sample_weight, match",
    [
        (np.full(3, "a"), "sample_weight must hold numbers only"),
        (np.ones((3, 2)), "sample_weight must be 1-D"),
        (np.array([1.0, np.nan, 1.0]), "sample_weight"),
        (np.ones(2), "sample_weight"),
    ],
)
def test_bad_sample_weight_is_named(sample_weight, match):
    with pytest.raises(ValueError, match=match):
        check_sample_weight(sample_weight, np.zeros((3, 2)))


def test_scalar_sample_weight_broadcasts():
    np.testing.assert_array_equal(check_sample_weight(2, np.zeros((3, 2))), 2.0)
