"""Shared validation of X and sample_weight: mtlearn/_validation.py."""

import numpy as np
import pytest
from sklearn.base import BaseEstimator

from mtlearn._validation import check_cv_folds, check_sample_weight, validate_X


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


# -- check_cv_folds ------------------------------------------------------------


def test_cv_folds_become_index_arrays():
    mask = np.arange(6) < 4
    folds = check_cv_folds(iter([([0, 1, 2], np.array([3, 4, 5])), (mask, ~mask)]), 6)
    assert len(folds) == 2
    for (train, test), expected in zip(
        folds, [([0, 1, 2], [3, 4, 5]), ([0, 1, 2, 3], [4, 5])]
    ):
        np.testing.assert_array_equal(train, expected[0])
        np.testing.assert_array_equal(test, expected[1])
        assert train.dtype == np.intp and test.dtype == np.intp


@pytest.mark.parametrize(
    "folds, match",
    [
        ({"a": 1}, "cv must be an int, a cross-validation splitter or an iterable"),
        ("ab", "cv must be an int"),
        (3.5, "cv must be an int"),
        ([], "cv gave no"),
        ([np.arange(3)], r"cv must give \(train, test\) pairs .* fold 0 is ndarray"),
        ([([0], [1]), ([0, 1],)], r"pairs of row indices; fold 1 is tuple"),
        (
            [(np.arange(3), np.arange(3, 8))],
            r"out of range in the test part of fold 0.*\[0, 6\).* 3 to 7",
        ),
        ([([-1, 0], [1])], r"out of range in the train part .* from -1"),
        (
            [([0.0, 1.0], [2])],
            "train part of fold 0 that is not a 1-D array of integer",
        ),
        ([(["a"], [2])], "train part of fold 0 that is not a 1-D"),
        ([([[0, 1]], [2])], r"not a 1-D .*shape \(1, 2\)"),
        ([([0, 1], [])], "cv gave an empty test part in fold 0"),
        ([([], [1])], "cv gave an empty train part in fold 0"),
        (
            [(np.ones(5, dtype=bool), [0])],
            r"boolean train mask of shape \(5,\) in fold 0; X has 6",
        ),
    ],
)
def test_bad_cv_folds_are_named(folds, match):
    with pytest.raises(ValueError, match=match):
        check_cv_folds(folds, 6)


def test_cv_folds_reindexed_among_kept_rows():
    rows = np.array([0, 2, 3, 5])  # rows 1 and 4 dropped
    folds = [([0, 1, 2], [3, 4, 5]), ([1, 4], [0, 2]), ([0, 2], [1, 4])]
    kept = check_cv_folds(folds, 6, rows=rows)
    # the second fold keeps no train row, the third no test row: both dropped
    assert len(kept) == 1
    np.testing.assert_array_equal(kept[0][0], [0, 1])  # rows 0 and 2
    np.testing.assert_array_equal(kept[0][1], [2, 3])  # rows 3 and 5
    with pytest.raises(ValueError, match="no fold with a labelled row"):
        check_cv_folds(folds[1:], 6, rows=rows)


def test_non_numeric_X_keeps_scikit_learns_error_type():
    # scikit-learn's check_dtype_object expects a TypeError for a dict cell
    X = np.ones((3, 2), dtype=object)
    X[0, 0] = {"foo": "bar"}
    with pytest.raises(TypeError, match="X must hold numbers only.*argument must be"):
        validate_X(BaseEstimator(), X, reset=True)
