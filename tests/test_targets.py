"""The target contract: mtlearn/_targets.py."""

import warnings

import numpy as np
import pytest

from mtlearn._targets import (
    check_classes_argument,
    check_targets,
    decode_labels,
    observed_targets,
    warn_constant_tasks,
)
from mtlearn.exceptions import ConstantTaskWarning


def test_one_dimensional_classification():
    targets = check_targets(["b", "a", "b", "c"], kind="classification")
    assert targets.one_d and targets.n_tasks == 1
    np.testing.assert_array_equal(targets.classes[0], ["a", "b", "c"])
    np.testing.assert_array_equal(targets.values[:, 0], [1, 0, 1, 2])
    assert targets.mask.all()


def test_each_task_has_its_own_classes():
    y = np.array([[0, "x"], [1, "y"], [2, "x"]], dtype=object)
    targets = check_targets(y, kind="classification")
    np.testing.assert_array_equal(targets.classes[0], [0, 1, 2])
    np.testing.assert_array_equal(targets.classes[1], ["x", "y"])
    np.testing.assert_array_equal(targets.values, [[0, 0], [1, 1], [2, 0]])


@pytest.mark.parametrize("missing", [np.nan, None])
def test_missing_labels_are_masked_per_cell(missing):
    y = np.array([[1, 0], [0, missing], [missing, 1], [1, 1]], dtype=object)
    targets = check_targets(y, kind="classification")
    np.testing.assert_array_equal(
        targets.mask, [[True, True], [True, False], [False, True], [True, True]]
    )
    np.testing.assert_array_equal(targets.classes[0], [0, 1])
    np.testing.assert_array_equal(targets.values[targets.mask], [1, 0, 0, 1, 1, 1])


def test_pandas_missing_and_task_names():
    pd = pytest.importorskip("pandas")
    y = pd.DataFrame(
        {
            "spam": pd.array([1, None, 0, 1], dtype="Int64"),
            "colour": ["red", pd.NA, "blue", "red"],
        }
    )
    targets = check_targets(y, kind="classification")
    np.testing.assert_array_equal(targets.task_names, ["spam", "colour"])
    np.testing.assert_array_equal(targets.mask[:, 0], [True, False, True, True])
    np.testing.assert_array_equal(targets.mask[:, 1], [True, False, True, True])
    np.testing.assert_array_equal(targets.classes[1], ["blue", "red"])


def test_regression_with_missing_values():
    y = np.array([[1.5, np.nan], [2.0, 3.0], [np.nan, 4.0]])
    targets = check_targets(y, kind="regression")
    assert targets.classes is None
    np.testing.assert_array_equal(targets.mask, ~np.isnan(y))
    np.testing.assert_array_equal(targets.values, np.nan_to_num(y))


def test_regression_object_array_with_none():
    y = np.array([[1, None], [2.5, 3]], dtype=object)
    targets = check_targets(y, kind="regression")
    np.testing.assert_array_equal(targets.mask, [[True, False], [True, True]])


@pytest.mark.parametrize(
    "y, kind, match",
    [
        (np.array([[1.0, np.nan], [0.0, np.nan]]), "classification", "task 1 has no"),
        (np.array([[1.0, np.inf], [0.0, 1.0]], dtype=object), "classification", "inf"),
        (np.array([[1.0, np.inf], [0.0, 1.0]], dtype=object), "regression", "inf"),
        (np.array([[1.0, np.inf], [0.0, 1.0]]), "regression", "infinite"),
        (np.array([0.1, 0.5, 0.7]), "classification", "Unknown label type"),
        (np.zeros((3, 2, 2)), "regression", "1-D .* or 2-D"),
        (np.zeros((3, 0)), "regression", "0 columns"),
        (None, "regression", "requires y to be passed"),
        (np.array([["a"], ["b"]]), "regression", "non-numeric target 'a'"),
        (np.array([[1, "a"], ["b", 2]], dtype=object), "classification", "mixes"),
    ],
)
def test_errors_name_the_problem(y, kind, match):
    with pytest.raises(ValueError, match=match):
        check_targets(y, kind=kind)


def test_constant_task_keeps_its_one_class_and_warns_by_name():
    pd = pytest.importorskip("pandas")
    y = pd.DataFrame({"ok": [0, 1, 0], "flat": [1, 1, 1], "rare": [0, None, 0]})
    targets = check_targets(y, kind="classification")
    np.testing.assert_array_equal(targets.constant, [1, 2])
    np.testing.assert_array_equal(targets.classes[1], [1])
    np.testing.assert_array_equal(targets.values[:, 1], 0)
    with pytest.warns(ConstantTaskWarning, match="task 'flat' \\(1.0\\), task 'rare'"):
        warn_constant_tasks(targets)


def test_declared_classes_keep_a_task_with_one_observed_class_binary():
    targets = check_targets(
        [[1], [1]], kind="classification", classes=[np.array([0, 1])]
    )
    assert targets.constant.size == 0
    np.testing.assert_array_equal(targets.values[:, 0], [1, 1])


def test_no_warning_without_constant_tasks():
    targets = check_targets([[0, 1], [1, 0]], kind="classification")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        warn_constant_tasks(targets)


def test_row_count_must_match_X():
    with pytest.raises(ValueError, match="X has 5 rows, y has 3"):
        check_targets([0, 1, 0], kind="classification", n_samples=5)


def test_known_classes_allow_unseen_and_reject_unknown():
    classes = [np.array([0, 1, 2])]
    targets = check_targets([0, 0, 1], kind="classification", classes=classes)
    np.testing.assert_array_equal(targets.classes[0], [0, 1, 2])
    with pytest.raises(ValueError, match=r"labels \[3\] that are not in its"):
        check_targets([0, 3], kind="classification", classes=classes)


def test_classes_argument():
    assert len(check_classes_argument([0, 1], 1, one_d=True)) == 1
    with pytest.raises(ValueError, match="each of the 2 tasks"):
        check_classes_argument([[0, 1]], 2, one_d=False)
    np.testing.assert_array_equal(check_classes_argument([[0]], 1, False)[0], [0])
    with pytest.raises(ValueError, match="non-empty 1-D"):
        check_classes_argument([[]], 1, one_d=False)


def test_decode_round_trip():
    y = np.array([["a", 3], ["b", 1], ["a", 2]], dtype=object)
    targets = check_targets(y, kind="classification")
    decoded = decode_labels(targets.values, targets.classes, one_d=False)
    assert decoded.dtype == object
    np.testing.assert_array_equal(decoded, y)
    one_d = check_targets([2, 5, 5], kind="classification")
    np.testing.assert_array_equal(
        decode_labels(one_d.values, one_d.classes, one_d=True), [2, 5, 5]
    )


def test_bool_labels_in_an_object_y_stay_bools():
    y = np.array([[True, 1], [False, 2], [True, 2]], dtype=object)
    targets = check_targets(y, kind="classification")
    assert targets.classes[0].dtype == bool
    np.testing.assert_array_equal(targets.classes[0], [False, True])
    np.testing.assert_array_equal(targets.classes[1], [1, 2])


def test_labelled_rows_and_take():
    y = np.array([[1.0, np.nan], [np.nan, np.nan], [0.0, 1.0], [1.0, 0.0]])
    targets = check_targets(y, kind="classification")
    np.testing.assert_array_equal(targets.labelled_rows, [0, 2, 3])
    kept = targets.take(targets.labelled_rows)
    np.testing.assert_array_equal(kept.mask, ~np.isnan(y[[0, 2, 3]]))
    assert kept.classes is targets.classes


def test_input_is_not_modified():
    y = np.array([[1.0, np.nan], [0.0, 1.0], [1.0, 0.0]])
    before = y.copy()
    check_targets(y, kind="classification")
    np.testing.assert_array_equal(y, before)


def test_observed_targets_keeps_labels():
    y_true, mask = observed_targets(np.array([["a", None], ["b", "c"]], dtype=object))
    np.testing.assert_array_equal(mask, [[True, False], [True, True]])
    assert y_true[1, 1] == "c"


@pytest.mark.parametrize(
    "labels",
    [
        np.array([0, 1, 1, 0]),
        np.array([-128, 127, 0, 5], dtype=np.int8),
        np.array([-32768, 32767, 0], dtype=np.int16),
        np.array([3.0, 7.0, 3.0, 5.0], dtype=np.float32),
        np.array([True, False, True]),
        np.array([2**62, 2**62 + 3], dtype=np.int64),
        np.array([0, 1, 2, 3], dtype=np.uint64),
        np.array([-2.0, 4.0, -2.0]),
        # two consecutive integers: the one-comparison path
        np.array([1.0, 2.0, 2.0, 1.0]),
        np.array([-1, 0, -1], dtype=np.int8),
        np.array([0, 1], dtype=np.uint8),
        np.array([2**53 - 1, 2**53 + 1, 2**53 - 1], dtype=np.int64),
    ],
)
def test_counting_encoder_is_unique_with_inverse(labels):
    from mtlearn._targets import _small_integer_codes

    classes, codes = _small_integer_codes(labels)
    expected_classes, expected_codes = np.unique(labels, return_inverse=True)
    assert classes.dtype == expected_classes.dtype
    np.testing.assert_array_equal(classes, expected_classes)
    np.testing.assert_array_equal(codes, expected_codes)


@pytest.mark.parametrize(
    "labels",
    [
        np.array([0.5, 1.5]),  # non-integer: the general path's message
        np.array([0.0, 0.5, 1.0]),  # between two consecutive integers
        np.array([0, 2**20]),  # widely spread: sorted instead
        np.array([-(2**63), 2**63 - 1], dtype=np.int64),
        np.array(["a", "b"]),
        np.array([], dtype=float),
    ],
)
def test_counting_encoder_leaves_other_labels_to_unique(labels):
    from mtlearn._targets import _small_integer_codes

    assert _small_integer_codes(labels) is None


def test_non_integer_float_labels_still_named_continuous():
    with pytest.raises(ValueError, match="Unknown label type: 'continuous'"):
        check_targets(np.array([[0.5], [1.0], [0.0]]), kind="classification")


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("kind", ["linear", "threshold", "powerset"])
def test_refit_without_task_names_forgets_them(kind):
    # record_tasks: a refit on an unnamed y must not keep the names of an
    # earlier fit (the linear model and the threshold tuner used to)
    pd = pytest.importorskip("pandas")
    from mtlearn.linear_model import MultiTaskLogisticRegression
    from mtlearn.model_selection import MultiTaskThresholdClassifier
    from mtlearn.multioutput import LabelPowersetClassifier

    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 3))
    Y = (X[:, :2] > 0).astype(int)
    estimator = {
        "linear": MultiTaskLogisticRegression(),
        "threshold": MultiTaskThresholdClassifier(MultiTaskLogisticRegression(), cv=2),
        "powerset": LabelPowersetClassifier(random_state=0),
    }[kind]
    estimator.fit(X, pd.DataFrame(Y, columns=["a", "b"]))
    assert list(estimator.task_names_) == ["a", "b"]
    estimator.fit(X, Y)
    assert not hasattr(estimator, "task_names_")
    assert estimator.n_tasks_ == 2
