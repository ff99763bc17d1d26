"""Checks of the multi-task contract, for any multi-task estimator.

scikit-learn's :func:`~sklearn.utils.estimator_checks.parametrize_with_checks`
tests the scikit-learn API; it knows nothing of several tasks. The checks here
test what a multi-task estimator promises on top of it (the contract in
mtlearn's DESIGN.md), on small generated data:

- a row whose labels are all missing does not change the fit
  (:func:`check_all_missing_row_ignored`), and missing labels in one task only
  still give predictions for every task (:func:`check_missing_labels_one_task`);
  both run only for estimators that declare they take missing labels;
- permuting the columns of ``y`` permutes the outputs
  (:func:`check_task_permutation`);
- each task keeps its own classes, of any type: ints, strings, bools
  (:func:`check_mixed_label_types`);
- a pandas ``y`` names the tasks (:func:`check_pandas_task_names`);
- a one-dimensional ``y`` gives single-output shapes
  (:func:`check_single_output_shapes`);
- a classification task with one class is fitted as a constant, with one
  :class:`~mtlearn.exceptions.ConstantTaskWarning`; a constant regression
  target is predicted (:func:`check_constant_task`);
- pickling, a fixed ``random_state``, untouched inputs and float32 input
  (:func:`check_pickle_roundtrip`, :func:`check_random_state_reproducible`,
  :func:`check_inputs_not_modified`, :func:`check_float32_preserved`).

Each check is a function ``check_xxx(name, estimator)`` that fits clones of
``estimator`` (its parameters are left as given, except that a
``random_state`` of None is fixed to 0 in the clone), raises an
``AssertionError`` saying what broke, or :class:`unittest.SkipTest` when it
does not apply (pytest reports it as skipped). Give a fast configuration
(few iterations, small networks): the data have 60 rows and 4 features.

An estimator takes part in the missing-label checks when it says it takes
missing labels: a class attribute (or property) ``_accepts_missing_labels =
True``, as every mtlearn estimator that does; scikit-learn has no tag for it.
Classifiers and regressors are told apart with
:func:`sklearn.base.is_classifier` and :func:`sklearn.base.is_regressor`, so
a :class:`~sklearn.pipeline.Pipeline` ending in a multi-task estimator works
too. Fitted attributes read from the estimator: ``classes_`` (a list with one
array per task, one array for a one-dimensional ``y``) and ``task_names_``
(of the last step, for a pipeline).

Examples
--------
In a third-party package, run the contract in the test suite next to
scikit-learn's checks (``check()`` also runs the check)::

    from mtlearn.utils.estimator_checks import parametrize_with_multitask_checks

    @parametrize_with_multitask_checks(
        [MyMultiTaskClassifier(max_iter=50, random_state=0)],
        expected_failed_checks=lambda est: {
            "check_pickle_roundtrip": "the fitted C handle cannot be pickled"
        },
    )
    def test_multitask_contract(estimator, check):
        check(estimator)

Or run every check at once, outside pytest:

>>> from mtlearn.linear_model import MultiTaskLinearRegression
>>> from mtlearn.utils.estimator_checks import check_multitask_estimator
>>> results = check_multitask_estimator(MultiTaskLinearRegression(alpha=1e-3))
>>> sorted({result["status"] for result in results})
['passed', ...]
"""

import functools
import pickle
import re
import warnings
from unittest import SkipTest

import numpy as np
from sklearn import config_context
from sklearn.base import clone, is_classifier, is_regressor
from sklearn.exceptions import EstimatorCheckFailedWarning
from sklearn.utils import get_tags
from sklearn.utils.validation import has_fit_parameter

from .._mixins import accepts_missing_labels
from ..exceptions import ConstantTaskWarning

__all__ = [
    "check_all_missing_row_ignored",
    "check_constant_task",
    "check_float32_preserved",
    "check_inputs_not_modified",
    "check_missing_labels_one_task",
    "check_mixed_label_types",
    "check_multitask_estimator",
    "check_pandas_task_names",
    "check_pickle_roundtrip",
    "check_random_state_reproducible",
    "check_single_output_shapes",
    "check_task_permutation",
    "multitask_checks",
    "parametrize_with_multitask_checks",
]

_N_SAMPLES = 60
_N_FEATURES = 4
_OUTPUT_METHODS = ("predict", "predict_proba", "decision_function", "transform")
# fits compared to a tolerance: relative to the outputs' magnitude
_RTOL = 1e-4
# how well a fitted estimator must at least do on its (easy) training data
_MIN_ACCURACY = 0.7
_MIN_R2 = 0.5
# how close a regressor must predict a constant target of 3.0
_CONSTANT_TARGET_ATOL = 1e-3


# --------------------------------------------------------------------------
# data


def _make_X(n_samples=_N_SAMPLES, seed=0):
    return np.random.RandomState(seed).normal(size=(n_samples, _N_FEATURES))


def _task_scores(X):
    """One linear score per task (3 tasks), each mostly on its own feature."""
    return np.column_stack(
        [
            X[:, 0] + 0.5 * X[:, 3],
            X[:, 1] - 0.5 * X[:, 3],
            X[:, 2] + 0.5 * X[:, 0],
        ]
    )


def _labels(score, classes):
    """Labels of one task: ``classes`` assigned by quantiles of ``score``."""
    edges = np.quantile(score, np.linspace(0, 1, len(classes) + 1)[1:-1])
    codes = np.digitize(score, edges)
    out = np.empty(len(score), dtype=object)
    for code, label in enumerate(classes):
        out[codes == code] = label
    return out


def _classification_y(X, classes=((0, 1), (0, 1), (0, 1))):
    """Targets of 3 tasks; an int array unless a task's classes are not ints."""
    scores = _task_scores(X)
    Y = np.column_stack([_labels(scores[:, t], c) for t, c in enumerate(classes)])
    if all(isinstance(v, int) and not isinstance(v, bool) for c in classes for v in c):
        return Y.astype(np.int64)
    return Y


def _regression_y(X, seed=0):
    """Targets of 3 tasks with distinct scales and offsets, little noise."""
    noise = 0.1 * np.random.RandomState(seed + 1).normal(size=(X.shape[0], 3))
    return _task_scores(X) * [1.0, 3.0, 0.5] + [0.0, 5.0, -2.0] + noise


def _make_data(estimator):
    """X and the 3-task y suited to ``estimator`` (int labels or floats)."""
    X = _make_X()
    if is_classifier(estimator):
        return X, _classification_y(X)
    return X, _regression_y(X)


def _with_missing(Y, rows, task):
    """Float copy of ``Y`` with NaN in ``rows`` of ``task`` (None: every task)."""
    Y = np.asarray(Y, dtype=np.float64).copy()
    Y[rows, slice(None) if task is None else task] = np.nan
    return Y


# --------------------------------------------------------------------------
# helpers


def _kind(estimator):
    if is_classifier(estimator):
        return "classifier"
    if is_regressor(estimator):
        return "regressor"
    raise TypeError(
        f"{type(estimator).__name__} is neither a classifier nor a regressor "
        "(sklearn.base.is_classifier / is_regressor); the multi-task checks "
        "need one of the two."
    )


def _final_step(estimator):
    while hasattr(estimator, "steps"):
        estimator = estimator.steps[-1][1]
    return estimator


def _fixed_clone(estimator, seed=0):
    """A clone whose ``random_state`` parameters left at None are ``seed``."""
    estimator = clone(estimator)
    unset = {
        key: seed
        for key, value in estimator.get_params(deep=True).items()
        if (key == "random_state" or key.endswith("__random_state")) and value is None
    }
    if unset:
        estimator.set_params(**unset)
    return estimator


def _skip_unless_classifier(estimator, check):
    if not is_classifier(estimator):
        raise SkipTest(f"{check} applies to classifiers only")


def _skip_unless_missing_labels(estimator, check):
    if not accepts_missing_labels(estimator):
        raise SkipTest(
            f"{check}: {type(_final_step(estimator)).__name__} does not declare "
            "that it takes missing labels (_accepts_missing_labels)"
        )


def _outputs(estimator, X):
    """Every output the fitted estimator offers on ``X``, by method name."""
    return {
        method: getattr(estimator, method)(X)
        for method in _OUTPUT_METHODS
        if hasattr(estimator, method)
    }


def _as_list(output):
    return list(output) if isinstance(output, list) else [output]


def _assert_same_outputs(expected, actual, what, *, exact):
    """Outputs of two fitted estimators agree (``exact`` or to ``_RTOL``)."""
    for method, first in expected.items():
        second = actual[method]
        assert isinstance(first, list) == isinstance(second, list), (
            f"{what}: {method} returns a list in one case and an array in the other"
        )
        first, second = _as_list(first), _as_list(second)
        assert len(first) == len(second), (
            f"{what}: {method} returns {len(first)} arrays, then {len(second)}"
        )
        for t, (a, b) in enumerate(zip(first, second)):
            a, b = np.asarray(a), np.asarray(b)
            where = f"{what}: {method}" + (f"[{t}]" if len(first) > 1 else "")
            assert a.shape == b.shape, f"{where} has shape {b.shape}, not {a.shape}"
            if exact or a.dtype.kind not in "fc":
                np.testing.assert_array_equal(b, a, err_msg=f"{where} differs")
            else:
                scale = max(1.0, float(np.nanmax(np.abs(a), initial=0.0)))
                np.testing.assert_allclose(
                    b, a, rtol=_RTOL, atol=_RTOL * scale, err_msg=f"{where} differs"
                )


def _predict_proba_list(estimator, X, n_tasks, what):
    """``predict_proba`` as a list of n_tasks arrays, with shape checks."""
    proba = estimator.predict_proba(X)
    assert isinstance(proba, list), (
        f"{what}: predict_proba returns {type(proba).__name__} for {n_tasks} "
        "tasks; expected a list with one (n_samples, n_classes_t) array per task"
    )
    assert len(proba) == n_tasks, (
        f"{what}: predict_proba returns {len(proba)} arrays for {n_tasks} tasks"
    )
    return [np.asarray(p) for p in proba]


def _assert_finite(output, what):
    for t, a in enumerate(_as_list(output)):
        a = np.asarray(a)
        if a.dtype.kind in "fc":
            assert np.all(np.isfinite(a)), f"{what}[{t}] has non-finite values"


def _assert_predicts_well(estimator, X, Y, what, classifier):
    """Each task's predictions on the training data beat a loose bound."""
    pred = np.asarray(estimator.predict(X))
    assert pred.shape == np.shape(Y), (
        f"{what}: predict has shape {pred.shape}, expected {np.shape(Y)}"
    )
    pred, Y = pred.reshape(len(X), -1), np.asarray(Y).reshape(len(X), -1)
    for t in range(Y.shape[1]):
        observed = np.array([not _is_missing(v) for v in Y[:, t]])
        truth, guess = Y[observed, t], pred[observed, t]
        if classifier:
            score = float(np.mean([a == b for a, b in zip(guess, truth)]))
            name, bound = "training accuracy", _MIN_ACCURACY
        else:
            truth, guess = truth.astype(float), guess.astype(float)
            residual = np.sum((truth - guess) ** 2)
            score = 1.0 - residual / np.sum((truth - truth.mean()) ** 2)
            name, bound = "training R^2", _MIN_R2
        assert score >= bound, (
            f"{what}: task {t} has {name} {score:.2f} < {bound} on easy data "
            "(labels decoded wrong, tasks mixed up, or a configuration too "
            "weak to fit 60 rows)"
        )


def _is_missing(value):
    return value is None or (isinstance(value, float) and value != value)


# --------------------------------------------------------------------------
# the checks


def check_all_missing_row_ignored(name, estimator):
    """A row whose labels are all missing does not change the fit.

    Fits a clone (``random_state`` fixed) on 3-task data, and another on the
    same data with one more row, in the middle, whose labels are all NaN. The
    two must give the same outputs on the original X (``predict``,
    ``predict_proba``, ``decision_function``, ``transform``; labels exactly,
    numbers to a relative 1e-4). Such a row holds no information: it must
    not shift a scaling, a validation split, a fold or a batch. For a
    pipeline, the last step is checked (the earlier ones may learn from the
    row's X). Skipped when the estimator does not take missing labels.
    """
    _skip_unless_missing_labels(estimator, "check_all_missing_row_ignored")
    # a pipeline's earlier steps may learn from the row's X (a scaler does)
    estimator = _final_step(estimator)
    X, Y = _make_data(estimator)
    Y = np.asarray(Y, dtype=np.float64)
    at = X.shape[0] // 2
    extra_row = np.random.RandomState(42).normal(size=(1, X.shape[1]))
    X_extra = np.insert(X, at, extra_row, axis=0)
    Y_extra = np.insert(Y, at, np.nan, axis=0)

    reference = _fixed_clone(estimator).fit(X, Y)
    with_row = _fixed_clone(estimator).fit(X_extra, Y_extra)
    _assert_same_outputs(
        _outputs(reference, X),
        _outputs(with_row, X),
        f"{name} fitted with an extra row whose labels are all missing",
        exact=False,
    )


def check_task_permutation(name, estimator):
    """Permuting the columns of y permutes the outputs, task by task.

    Fits a clone on 3 tasks with distinct classes (``(0, 1)``, ``(1, 2, 3)``,
    ``(-1, 1)``) or distinct scales and offsets (regression), and another on
    the columns in the order (2, 0, 1). Asserted: ``classes_``, ``predict``
    columns and ``predict_proba`` entries follow the permutation. Stochastic
    estimators whose task-specific parts are drawn in task order cannot
    match to the last digit, so the outputs are compared loosely: per task,
    predicted labels agree on at least 80% of the rows and probabilities
    within 0.2 on average (classifiers), or predictions agree with R^2 >= 0.9
    (regressors); a task mixed up with another fails by far.
    """
    perm = np.array([2, 0, 1])
    X = _make_X()
    classifier = is_classifier(estimator)
    if classifier:
        Y = _classification_y(X, classes=((0, 1), (1, 2, 3), (-1, 1)))
    else:
        Y = _regression_y(X)
    reference = _fixed_clone(estimator).fit(X, Y)
    permuted = _fixed_clone(estimator).fit(X, Y[:, perm])
    what = f"{name} fitted on the task columns in the order {perm.tolist()}"

    pred, pred_perm = np.asarray(reference.predict(X)), np.asarray(permuted.predict(X))
    assert pred_perm.shape == pred.shape, (
        f"{what}: predict has shape {pred_perm.shape}, not {pred.shape}"
    )
    if classifier:
        classes, classes_perm = reference.classes_, permuted.classes_
        assert len(classes_perm) == len(perm), (
            f"{what}: classes_ has {len(classes_perm)} entries for 3 tasks"
        )
        has_proba = hasattr(reference, "predict_proba")
        if has_proba:
            proba = _predict_proba_list(reference, X, 3, what)
            proba_perm = _predict_proba_list(permuted, X, 3, what)
    for j, t in enumerate(perm):
        if not classifier:
            a, b = pred[:, t], pred_perm[:, j]
            r2 = 1.0 - np.sum((a - b) ** 2) / np.sum((a - a.mean()) ** 2)
            assert r2 >= 0.9, (
                f"{what}: predict column {j} should be the former column {t}, "
                f"but matches it with R^2 {r2:.2f} only"
            )
            continue
        np.testing.assert_array_equal(
            np.asarray(classes_perm[j]),
            np.asarray(classes[t]),
            err_msg=f"{what}: classes_[{j}] should be the former classes_[{t}]",
        )
        agreement = np.mean(pred_perm[:, j] == pred[:, t])
        assert agreement >= 0.8, (
            f"{what}: predict column {j} should be the former column {t}, but "
            f"agrees with it on {agreement:.0%} of the rows only"
        )
        if not has_proba:
            continue
        assert proba_perm[j].shape == proba[t].shape, (
            f"{what}: predict_proba[{j}] has shape {proba_perm[j].shape}, "
            f"the former predict_proba[{t}] {proba[t].shape}"
        )
        gap = np.mean(np.abs(proba_perm[j] - proba[t]))
        assert gap <= 0.2, (
            f"{what}: predict_proba[{j}] should be the former "
            f"predict_proba[{t}], but differs from it by {gap:.2f} on average"
        )


def check_mixed_label_types(name, estimator):
    """Each task keeps its own classes, whatever their type.

    Fits a clone on an object y whose tasks hold ints ``(0, 1, 2)``, strings
    ``("no", "yes")`` and bools ``(False, True)``. Asserted: ``classes_[t]``
    holds each task's classes, sorted, of the task's type (a bool stays a
    bool, an int is not turned into a string); ``predict`` returns, per
    column, labels from that task's classes and of that type, and fits the
    training labels (accuracy >= 0.7: a label mapping that is off fails);
    ``predict_proba[t]`` has one column per class of task t.
    Classifiers only.
    """
    _skip_unless_classifier(estimator, "check_mixed_label_types")
    X = _make_X()
    task_classes = [(0, 1, 2), ("no", "yes"), (False, True)]
    kinds = [
        ("int", lambda v: isinstance(v, (int, np.integer)) and not _is_bool(v)),
        ("str", lambda v: isinstance(v, str)),
        ("bool", _is_bool),
    ]
    Y = _classification_y(X, classes=task_classes)
    fitted = _fixed_clone(estimator).fit(X, Y)
    what = f"{name} fitted on tasks labelled with ints, strings and bools"

    classes = fitted.classes_
    assert len(classes) == 3, f"{what}: classes_ has {len(classes)} entries"
    for t, ((kind, is_kind), expected) in enumerate(zip(kinds, task_classes)):
        got = list(np.asarray(classes[t]).tolist())
        assert got == list(expected) and all(is_kind(v) for v in got), (
            f"{what}: classes_[{t}] is {got!r} "
            f"({', '.join(sorted({type(v).__name__ for v in got}))}); "
            f"expected the {kind} labels {list(expected)!r}"
        )
    pred = np.asarray(fitted.predict(X))
    assert pred.shape == Y.shape, f"{what}: predict has shape {pred.shape}"
    for t, ((kind, is_kind), expected) in enumerate(zip(kinds, task_classes)):
        column = pred[:, t].tolist()
        wrong = [v for v in column if not is_kind(v) or v not in expected]
        assert not wrong, (
            f"{what}: predict column {t} holds {wrong[:3]!r} "
            f"({type(wrong[0]).__name__}), not {kind} labels from {expected!r}"
        )
    _assert_predicts_well(fitted, X, Y, what, True)
    if not hasattr(fitted, "predict_proba"):
        return
    proba = _predict_proba_list(fitted, X, 3, what)
    for t, expected in enumerate(task_classes):
        assert proba[t].shape == (X.shape[0], len(expected)), (
            f"{what}: predict_proba[{t}] has shape {proba[t].shape}, expected "
            f"{(X.shape[0], len(expected))}"
        )


def _is_bool(value):
    return isinstance(value, (bool, np.bool_))


def check_pandas_task_names(name, estimator):
    """A pandas DataFrame y names the tasks: ``task_names_`` is its columns.

    Fits a clone on a y DataFrame with columns ``"alpha", "beta", "gamma"``
    and asserts ``task_names_`` (of the last step, for a pipeline) equals
    them, in order, and ``predict`` has one column per task.
    Skipped when pandas is not installed.
    """
    try:
        import pandas as pd
    except ImportError:
        raise SkipTest("check_pandas_task_names needs pandas") from None
    X, Y = _make_data(estimator)
    columns = ["alpha", "beta", "gamma"]
    fitted = _fixed_clone(estimator).fit(X, pd.DataFrame(Y, columns=columns))
    final = _final_step(fitted)
    what = f"{name} fitted on a pandas DataFrame y with columns {columns}"
    names = getattr(final, "task_names_", None)
    assert names is not None, f"{what}: no task_names_ after fit"
    assert list(names) == columns, f"{what}: task_names_ is {list(names)!r}"
    pred = np.asarray(fitted.predict(X))
    assert pred.shape == Y.shape, f"{what}: predict has shape {pred.shape}"


def check_single_output_shapes(name, estimator):
    """A one-dimensional y gives scikit-learn's single-output shapes.

    Fits a clone on y of shape (n_samples,) (binary labels, or a continuous
    target). Asserted: ``predict`` has shape (n_samples,); for classifiers
    ``classes_`` is one 1-D array of labels (not a list of arrays),
    ``predict_proba`` one array of shape (n_samples, 2) (not a list) and
    ``decision_function`` shape (n_samples,).
    """
    X, Y = _make_data(estimator)
    y = Y[:, 0]
    fitted = _fixed_clone(estimator).fit(X, y)
    what = f"{name} fitted on a 1-D y"
    n = X.shape[0]
    pred = fitted.predict(X)
    assert np.shape(pred) == (n,), f"{what}: predict has shape {np.shape(pred)}"
    if not is_classifier(estimator):
        return
    classes = fitted.classes_
    assert isinstance(classes, np.ndarray) and classes.ndim == 1, (
        f"{what}: classes_ is {type(classes).__name__} "
        f"{getattr(classes, 'shape', '')}, expected one 1-D array"
    )
    assert classes.tolist() == [0, 1], f"{what}: classes_ is {classes.tolist()!r}"
    if hasattr(fitted, "predict_proba"):
        proba = fitted.predict_proba(X)
        assert isinstance(proba, np.ndarray), (
            f"{what}: predict_proba returns {type(proba).__name__}, expected one array"
        )
        assert proba.shape == (n, 2), f"{what}: predict_proba has shape {proba.shape}"
    if hasattr(fitted, "decision_function"):
        decision = fitted.decision_function(X)
        assert np.shape(decision) == (n,), (
            f"{what}: decision_function has shape {np.shape(decision)}"
        )


def check_constant_task(name, estimator):
    """A task with one class (classifiers) or one value (regressors) fits.

    Classifiers: task 1 of 3 has label 1 on every row. The fit warns exactly
    once with :class:`~mtlearn.exceptions.ConstantTaskWarning`;
    ``classes_[1]`` is ``[1]``; ``predict`` gives 1 for that task;
    ``predict_proba[1]`` is ones of shape (n_samples, 1);
    ``decision_function`` is 0 for that task; the other tasks keep
    probabilities of shape (n_samples, 2) that sum to 1 and fit their
    training labels (accuracy >= 0.7).
    Regressors: target 1 of 3 is 3.0 on every row. The fit does not warn
    ConstantTaskWarning; ``predict`` gives 3.0 (to 1e-3) for it, finite
    values everywhere, and the other targets fit (training R^2 >= 0.5).
    """
    X, Y = _make_data(estimator)
    classifier = is_classifier(estimator)
    Y = Y.copy()
    Y[:, 1] = 1 if classifier else 3.0
    what = f"{name} fitted with task 1 constant"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fitted = _fixed_clone(estimator).fit(X, Y)
    n_warnings = sum(issubclass(w.category, ConstantTaskWarning) for w in caught)
    for w in caught:  # let the other warnings through
        if not issubclass(w.category, ConstantTaskWarning):
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    pred = np.asarray(fitted.predict(X))
    assert pred.shape == Y.shape, f"{what}: predict has shape {pred.shape}"
    if not classifier:
        assert n_warnings == 0, f"{what}: a regressor warned ConstantTaskWarning"
        _assert_finite(pred, f"{what}: predict")
        gap = float(np.max(np.abs(pred[:, 1] - 3.0)))
        assert gap <= _CONSTANT_TARGET_ATOL, (
            f"{what}: task 1 is predicted up to {gap:.3g} away from its constant 3.0"
        )
        for t in (0, 2):
            _assert_predicts_well(
                _PredictColumn(fitted, t), X, Y[:, t], f"{what} (task {t})", False
            )
        return
    assert n_warnings == 1, (
        f"{what}: ConstantTaskWarning was emitted {n_warnings} times, expected "
        "once per fit"
    )
    assert np.asarray(fitted.classes_[1]).tolist() == [1], (
        f"{what}: classes_[1] is {np.asarray(fitted.classes_[1]).tolist()!r}, "
        "expected [1]"
    )
    assert np.all(pred[:, 1] == 1), f"{what}: predict is not 1 for task 1"
    if hasattr(fitted, "predict_proba"):
        proba = _predict_proba_list(fitted, X, 3, what)
        assert proba[1].shape == (X.shape[0], 1), (
            f"{what}: predict_proba[1] has shape {proba[1].shape}, expected "
            f"{(X.shape[0], 1)}"
        )
        np.testing.assert_allclose(
            proba[1], 1.0, err_msg=f"{what}: predict_proba[1] is not all ones"
        )
        for t in (0, 2):
            assert proba[t].shape == (X.shape[0], 2), (
                f"{what}: predict_proba[{t}] of a two-class task has shape "
                f"{proba[t].shape}"
            )
            _assert_finite(proba[t], f"{what}: predict_proba[{t}]")
            np.testing.assert_allclose(
                proba[t].sum(axis=1),
                1.0,
                rtol=1e-5,
                err_msg=f"{what}: predict_proba[{t}] rows do not sum to 1",
            )
    if hasattr(fitted, "decision_function"):
        decision = fitted.decision_function(X)
        task_1 = decision[1] if isinstance(decision, list) else decision[:, 1]
        _assert_finite(decision, f"{what}: decision_function")
        np.testing.assert_array_equal(
            np.asarray(task_1),
            0.0,
            err_msg=f"{what}: decision_function is not 0 for the constant task",
        )
    for t in (0, 2):
        # each other task alone; its predictions from the joint fit
        _assert_predicts_well(
            _PredictColumn(fitted, t), X, Y[:, t], f"{what} (task {t})", True
        )


class _PredictColumn:
    """View of a fitted estimator that predicts column ``t`` only."""

    def __init__(self, estimator, t):
        self.estimator, self.t = estimator, t

    def predict(self, X):
        return np.asarray(self.estimator.predict(X))[:, self.t]


def check_missing_labels_one_task(name, estimator):
    """Missing labels in one task only: every task is fitted and predicted.

    Task 0 of 3 misses a third of its labels: NaN in a float y; for
    classifiers also None in an object y whose task 0 is labelled with
    strings. Asserted: ``predict`` has shape (n_samples, 3) with no missing
    value, labels from ``classes_[t]`` (classifiers), finite values; every
    task fits its observed training labels (accuracy >= 0.7, or R^2 >= 0.5);
    ``predict_proba`` is finite. Skipped when the estimator does not take
    missing labels.
    """
    _skip_unless_missing_labels(estimator, "check_missing_labels_one_task")
    X, Y = _make_data(estimator)
    missing = slice(0, None, 3)
    variants = {"NaN in a float y": _with_missing(Y, missing, task=0)}
    classifier = is_classifier(estimator)
    if classifier:
        Y_object = _classification_y(X, classes=(("a", "b"), (0, 1), (0, 1)))
        Y_object[missing, 0] = None
        variants["None in an object y"] = Y_object
    for how, Y in variants.items():
        what = f"{name} fitted with a third of task 0's labels missing ({how})"
        fitted = _fixed_clone(estimator).fit(X, Y)
        pred = np.asarray(fitted.predict(X))
        assert pred.shape == Y.shape, f"{what}: predict has shape {pred.shape}"
        _assert_finite(pred, f"{what}: predict")
        if classifier:
            for t in range(3):
                classes = np.asarray(fitted.classes_[t])
                assert np.isin(pred[:, t], classes).all(), (
                    f"{what}: predict column {t} holds labels outside "
                    f"classes_[{t}] = {classes.tolist()!r}"
                )
            if hasattr(fitted, "predict_proba"):
                for t, p in enumerate(_predict_proba_list(fitted, X, 3, what)):
                    _assert_finite(p, f"{what}: predict_proba[{t}]")
        for t in range(3):
            _assert_predicts_well(
                _PredictColumn(fitted, t), X, Y[:, t], f"{what} (task {t})", classifier
            )


def check_pickle_roundtrip(name, estimator):
    """A fitted estimator pickled and unpickled gives identical outputs.

    Compares ``predict``, ``predict_proba``, ``decision_function``,
    ``transform`` and ``score`` before and after ``pickle.dumps`` /
    ``pickle.loads``, exactly.
    """
    X, Y = _make_data(estimator)
    fitted = _fixed_clone(estimator).fit(X, Y)
    before = _outputs(fitted, X)
    score = fitted.score(X, Y)
    restored = pickle.loads(pickle.dumps(fitted))
    what = f"{name} after a pickle round trip"
    _assert_same_outputs(before, _outputs(restored, X), what, exact=True)
    assert restored.score(X, Y) == score, f"{what}: score differs"


def check_random_state_reproducible(name, estimator):
    """Two fits with the same ``random_state`` give identical outputs.

    Two clones (a ``random_state`` of None fixed to 0, others kept) are
    fitted on the same data; ``predict``, ``predict_proba``,
    ``decision_function`` and ``transform`` must be equal, exactly.
    """
    X, Y = _make_data(estimator)
    first = _fixed_clone(estimator).fit(X, Y)
    second = _fixed_clone(estimator).fit(X, Y)
    _assert_same_outputs(
        _outputs(first, X),
        _outputs(second, X),
        f"{name} fitted twice with the same random_state",
        exact=True,
    )


def check_inputs_not_modified(name, estimator):
    """``fit``, prediction methods and ``score`` leave X, y, sample_weight be.

    X (float64), y (with a missing label when the estimator takes them) and
    ``sample_weight`` (when ``fit`` accepts it) are compared with copies
    after ``fit``, ``predict``, ``predict_proba``, ``decision_function``,
    ``transform`` and ``score`` (given y without missing labels, ``y_full``
    in messages).
    """
    X, Y_full = _make_data(estimator)
    Y = Y_full
    if accepts_missing_labels(estimator):
        Y = _with_missing(Y_full, [3], task=1)
    inputs = {"X": X, "y": Y, "y_full": Y_full}
    fit_params = {}
    if has_fit_parameter(estimator, "sample_weight"):
        sample_weight = np.random.RandomState(3).uniform(0.5, 2.0, X.shape[0])
        inputs["sample_weight"] = fit_params["sample_weight"] = sample_weight
    copies = {key: value.copy() for key, value in inputs.items()}

    def assert_unchanged(step):
        for key, value in inputs.items():
            np.testing.assert_array_equal(
                value, copies[key], err_msg=f"{name}.{step} modified {key}"
            )

    fitted = _fixed_clone(estimator).fit(X, Y, **fit_params)
    assert_unchanged("fit")
    for method in _OUTPUT_METHODS:
        if hasattr(fitted, method):
            getattr(fitted, method)(X)
            assert_unchanged(method)
    fitted.score(X, Y_full, **fit_params)
    assert_unchanged("score")


def check_float32_preserved(name, estimator):
    """float32 X gives finite outputs, and float32 ``transform`` if promised.

    Fits a clone on float32 X and asserts every output (``predict``,
    ``predict_proba``, ``decision_function``, ``transform``) is finite. When
    the estimator's tags promise it (``"float32"`` in
    ``transformer_tags.preserves_dtype``) and it has ``transform``, the
    transform of float32 X must be float32.
    """
    X, Y = _make_data(estimator)
    X32 = X.astype(np.float32)
    fitted = _fixed_clone(estimator).fit(X32, Y)
    outputs = _outputs(fitted, X32)
    for method, output in outputs.items():
        _assert_finite(output, f"{name} fitted on float32 X: {method}")
    tags = get_tags(estimator).transformer_tags
    if "transform" in outputs and tags is not None:
        if "float32" in (tags.preserves_dtype or []):
            dtype = np.asarray(outputs["transform"]).dtype
            assert dtype == np.float32, (
                f"{name} promises float32 (transformer_tags.preserves_dtype) but "
                f"transform of float32 X is {dtype}"
            )


# --------------------------------------------------------------------------
# running the checks

_CHECKS = (
    check_all_missing_row_ignored,
    check_task_permutation,
    check_mixed_label_types,
    check_pandas_task_names,
    check_single_output_shapes,
    check_constant_task,
    check_missing_labels_one_task,
    check_pickle_roundtrip,
    check_random_state_reproducible,
    check_inputs_not_modified,
    check_float32_preserved,
)


class _Check(functools.partial):
    """``check(name, estimator)`` bound to both; ``check(other)`` also works.

    Called with no argument it checks the bound estimator; called with an
    estimator (scikit-learn's ``check(estimator)`` pattern) it checks that
    one instead.
    """

    def __call__(self, estimator=None):
        if estimator is None:
            return super().__call__()
        return self.func(self.args[0], estimator)


def multitask_checks(estimator):
    """Yield every multi-task check, bound to ``estimator``.

    Parameters
    ----------
    estimator : estimator object
        A classifier or regressor (or a Pipeline ending in one) taking
        ``y`` of shape (n_samples, n_tasks).

    Yields
    ------
    check : functools.partial
        ``functools.partial(check_xxx, name, estimator)``, where ``name`` is
        the estimator's class name. Call it with no argument (or with an
        estimator, to check that one instead). A check that does not apply
        raises :class:`unittest.SkipTest`.
    """
    _kind(estimator)
    name = type(estimator).__name__
    for check in _CHECKS:
        yield _Check(check, name, estimator)


def _check_name(check):
    return (
        check.func.__name__ if isinstance(check, functools.partial) else check.__name__
    )


def check_multitask_estimator(
    estimator, *, on_fail="raise", expected_failed_checks=None
):
    """Run every multi-task check on ``estimator``.

    Each check fits clones of ``estimator`` on small generated data (60
    rows): pass a fast configuration. The estimator itself is not fitted.

    Parameters
    ----------
    estimator : estimator object
        A classifier or regressor (or a Pipeline ending in one) taking
        ``y`` of shape (n_samples, n_tasks).
    on_fail : {"raise", "warn"} or None, default="raise"
        What a failed check does: "raise" its exception at once; "warn" a
        :class:`~sklearn.exceptions.EstimatorCheckFailedWarning` and go on;
        None nothing (read the returned results). An expected failure never
        raises nor warns.
    expected_failed_checks : dict or None, default=None
        ``{"check_name": "reason"}`` of checks expected to fail; their
        failure is reported with status "xfail".

    Returns
    -------
    results : list of dict
        One per check, with keys ``"estimator"``, ``"check_name"``,
        ``"exception"`` (None when it passed), ``"status"`` ("passed",
        "failed", "skipped", "xfail" or "xpass"), ``"expected_to_fail"`` and
        ``"expected_to_fail_reason"``.
    """
    if on_fail not in ("raise", "warn", None):
        raise ValueError(f"on_fail must be 'raise', 'warn' or None, got {on_fail!r}.")
    expected_failed_checks = dict(expected_failed_checks or {})
    unknown = set(expected_failed_checks) - {check.__name__ for check in _CHECKS}
    if unknown:
        raise ValueError(
            f"expected_failed_checks names unknown checks: {sorted(unknown)}."
        )
    results = []
    for check in multitask_checks(estimator):
        check_name = _check_name(check)
        reason = expected_failed_checks.get(check_name)
        exception = None
        try:
            check()
            status = "xpass" if reason is not None else "passed"
        except SkipTest as exc:
            status, exception = "skipped", exc
        except Exception as exc:
            exception = exc
            if reason is not None:
                status = "xfail"
            else:
                status = "failed"
                if on_fail == "raise":
                    raise
                if on_fail == "warn":
                    warnings.warn(
                        EstimatorCheckFailedWarning(
                            estimator=estimator,
                            check_name=check_name,
                            exception=exc,
                            status=status,
                            expected_to_fail=False,
                            expected_to_fail_reason="",
                        ),
                        stacklevel=2,
                    )
        results.append(
            {
                "estimator": estimator,
                "check_name": check_name,
                "exception": exception,
                "status": status,
                "expected_to_fail": reason is not None,
                "expected_to_fail_reason": reason,
            }
        )
    return results


def _id(obj):
    if isinstance(obj, functools.partial):
        return _check_name(obj)
    if hasattr(obj, "get_params"):
        with config_context(print_changed_only=True):
            return re.sub(r"\s", "", repr(obj))
    return None


def parametrize_with_multitask_checks(
    estimators, expected_failed_checks=None, *, xfail_strict=None
):
    """Pytest decorator running every multi-task check on each estimator.

    The multi-task counterpart of scikit-learn's
    :func:`~sklearn.utils.estimator_checks.parametrize_with_checks`: it
    parametrizes ``estimator, check`` with the checks of
    :func:`multitask_checks`, with test ids ``"<estimator repr>-<check
    name>"`` (select with ``pytest -k check_task_permutation``). The test
    body calls ``check(estimator)`` (or ``check()``).

    Parameters
    ----------
    estimators : list of estimator objects
        Instances (not classes), in a fast configuration.
    expected_failed_checks : callable or dict or None, default=None
        A callable taking an estimator and returning ``{"check_name":
        "reason"}``, or one such dict for every estimator. These checks are
        marked ``xfail`` with the reason.
    xfail_strict : bool or None, default=None
        Whether an expected failure that passes fails the test (pytest's
        ``strict``); None leaves pytest's configuration in charge.

    Returns
    -------
    decorator : pytest.mark.parametrize
        The parametrize mark.

    Examples
    --------
    >>> from mtlearn.linear_model import MultiTaskLinearRegression
    >>> from mtlearn.utils.estimator_checks import (
    ...     parametrize_with_multitask_checks,
    ... )
    >>> @parametrize_with_multitask_checks([MultiTaskLinearRegression()])
    ... def test_multitask_contract(estimator, check):
    ...     check(estimator)
    """
    import pytest

    if any(isinstance(estimator, type) for estimator in estimators):
        raise TypeError(
            "parametrize_with_multitask_checks takes estimator instances, not classes."
        )
    params = []
    for estimator in estimators:
        if callable(expected_failed_checks):
            expected = expected_failed_checks(estimator) or {}
        else:
            expected = expected_failed_checks or {}
        for check in multitask_checks(estimator):
            reason = expected.get(_check_name(check))
            if reason is None:
                params.append(pytest.param(estimator, check))
                continue
            kwargs = {} if xfail_strict is None else {"strict": xfail_strict}
            mark = pytest.mark.xfail(reason=reason, **kwargs)
            params.append(pytest.param(estimator, check, marks=mark))
    return pytest.mark.parametrize("estimator, check", params, ids=_id)
