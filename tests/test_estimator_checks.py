"""The multi-task contract checks: over every public estimator, and on
deliberately broken toy estimators that each check must catch."""

import warnings

import numpy as np
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.exceptions import EstimatorCheckFailedWarning
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.tree import DecisionTreeClassifier
from threadpoolctl import threadpool_limits

from mtlearn.ensemble import MultiTaskEnsembleClassifier
from mtlearn.exceptions import ConstantTaskWarning
from mtlearn.utils.estimator_checks import (
    check_all_missing_row_ignored,
    check_constant_task,
    check_float32_preserved,
    check_inputs_not_modified,
    check_missing_labels_one_task,
    check_mixed_label_types,
    check_multitask_estimator,
    check_pandas_task_names,
    check_pickle_roundtrip,
    check_random_state_reproducible,
    check_single_output_shapes,
    check_task_permutation,
    multitask_checks,
    parametrize_with_multitask_checks,
)
from tests._estimators import fast_estimators, network


@pytest.fixture(autouse=True, scope="module")
def _one_blas_thread():
    # tiny problems: BLAS threads only contend on a shared machine
    with threadpool_limits(1):
        yield


# test_common.py's estimators (the linear models at tol=1e-6: no check here
# compares two different fits to better than 1e-4), a pipeline, hard voting.
ESTIMATORS = [
    *fast_estimators(linear_tol=1e-6),
    make_pipeline(StandardScaler(), network(dtype="float32")),
    MultiTaskEnsembleClassifier(
        [
            ("lr", LogisticRegression()),
            ("tree", DecisionTreeClassifier(max_depth=3, random_state=0)),
        ],
        voting="hard",
    ),
]


def _expected_failures(estimator):
    """Checks an estimator is known to fail, with the reason (none today)."""
    return {}


# The checks' small iteration budgets stop training before convergence.
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@parametrize_with_multitask_checks(
    ESTIMATORS, expected_failed_checks=_expected_failures
)
def test_multitask_contract(estimator, check):
    check(estimator)


# --------------------------------------------------------------------------
# toy estimators: a correct one of each kind, then one broken variant per check


def _observed(column):
    return np.array([not (v is None or v != v) for v in column.tolist()])


class ToyRegressor(RegressorMixin, BaseEstimator):
    """Ridge per task on its observed rows: honours the whole contract."""

    _accepts_missing_labels = True

    def __init__(self, alpha=1e-6, random_state=None):
        self.alpha = alpha
        self.random_state = random_state

    def _penalty(self, n_observed, n_rows):
        return self.alpha * n_observed

    def fit(self, X, y):
        if hasattr(y, "columns"):
            self.task_names_ = np.asarray(y.columns, dtype=object)
            y = y.to_numpy()
        X, y = np.asarray(X), np.asarray(y, dtype=np.float64)
        self._one_d = y.ndim == 1
        Y = y.reshape(len(y), -1)
        self.coef_, self.intercept_ = [], []
        for t in range(Y.shape[1]):
            rows = ~np.isnan(Y[:, t])
            coef, intercept = self._fit_task(X[rows], Y[rows, t], len(X))
            self.coef_.append(coef)
            self.intercept_.append(intercept)
        self.coef_ = np.array(self.coef_).T
        self.intercept_ = np.array(self.intercept_)
        return self

    def _fit_task(self, X, y, n_rows):
        x_mean, y_mean = X.mean(axis=0), y.mean()
        Xc = X - x_mean
        gram = Xc.T @ Xc + self._penalty(len(X), n_rows) * np.eye(X.shape[1])
        coef = np.linalg.solve(gram, Xc.T @ (y - y_mean))
        return coef, y_mean - x_mean @ coef

    def predict(self, X):
        pred = np.asarray(X) @ self.coef_ + self.intercept_
        return pred[:, 0] if self._one_d else pred


class ToyClassifier(ClassifierMixin, BaseEstimator):
    """Logistic regression per task on its observed rows; labels of any type
    (fitted as codes); constant tasks predicted, with one ConstantTaskWarning."""

    _accepts_missing_labels = True

    def __init__(self, random_state=None):
        self.random_state = random_state

    def fit(self, X, y):
        if hasattr(y, "columns"):
            self.task_names_ = np.asarray(y.columns, dtype=object)
            y = y.to_numpy()
        X, y = np.asarray(X), np.asarray(y)
        self._one_d = y.ndim == 1
        Y = y.reshape(len(y), -1)
        self.estimators_, classes = [], []
        for t in range(Y.shape[1]):
            rows = _observed(Y[:, t])
            task_classes, codes = np.unique(
                self._labels(Y[rows, t]), return_inverse=True
            )
            classes.append(task_classes)
            model = None
            if len(task_classes) > 1:
                model = LogisticRegression(random_state=self.random_state)
                model.fit(X[rows], codes)
            self.estimators_.append(model)
        if any(len(c) == 1 for c in classes):
            warnings.warn("constant tasks", ConstantTaskWarning, stacklevel=2)
        self.classes_ = classes[0] if self._one_d else classes
        return self

    def _labels(self, column):
        return column  # an object column keeps the types of its labels

    def _task_classes(self):
        return [self.classes_] if self._one_d else self.classes_

    def predict_proba(self, X):
        X = np.asarray(X)
        proba = [
            np.ones((len(X), 1)) if model is None else model.predict_proba(X)
            for model in self.estimators_
        ]
        return proba[0] if self._one_d else proba

    def predict(self, X):
        columns = [
            classes[np.argmax(p, axis=1)]
            for p, classes in zip(self._proba(X), self._task_classes())
        ]
        if self._one_d:
            return columns[0]
        if all(c.dtype.kind in "iuf" for c in columns):
            return np.column_stack(columns)
        pred = np.empty((len(columns[0]), len(columns)), dtype=object)
        for t, column in enumerate(columns):
            pred[:, t] = column
        return pred

    def _proba(self, X):
        proba = self.predict_proba(X)
        return [proba] if self._one_d else proba


class MutatesX(ToyRegressor):
    def fit(self, X, y):
        X -= X.mean(axis=0)  # centres the caller's array in place
        return super().fit(X, y)

    def predict(self, X):
        return super().predict(np.asarray(X) - np.asarray(X).mean(axis=0))


class IgnoresTaskOrder(ToyRegressor):
    def fit(self, X, y):
        # tasks sorted by their mean: the output order ignores y's
        y = np.asarray(y)
        return super().fit(X, y[:, np.argsort(y.mean(axis=0))])


class CountsUnlabelledRows(ToyRegressor):
    def _penalty(self, n_observed, n_rows):
        return self.alpha * n_rows  # every row, labelled or not


class Unseeded(ToyRegressor):
    def fit(self, X, y):
        super().fit(X, y)
        self.intercept_ = self.intercept_ + np.random.normal(size=1)  # noqa: NPY002
        return self


class NoTaskNames(ToyRegressor):
    def fit(self, X, y):
        super().fit(np.asarray(X), np.asarray(y))
        return self


class AlwaysTwoD(ToyRegressor):
    def predict(self, X):
        return np.asarray(X) @ np.reshape(self.coef_, (X.shape[1], -1))


class DropsConstantTarget(ToyRegressor):
    def predict(self, X):
        pred = super().predict(X).copy()
        pred[:, np.ptp(pred, axis=0) < 1e-9] = 0.0
        return pred


class UnpicklableOutputs(ToyRegressor):
    def __getstate__(self):
        state = super().__getstate__()
        state["intercept_"] = np.round(state["intercept_"])  # loses digits
        return state


class NonFiniteOnFloat32(ToyRegressor):
    def predict(self, X):
        pred = super().predict(X)
        return pred / 0.0 if np.asarray(X).dtype == np.float32 else pred


class LosesLabelTypes(ToyClassifier):
    def _labels(self, column):
        if isinstance(column[0], (bool, np.bool_)):
            return column.astype(np.int64)  # bools become 0/1
        return column


class WarnsPerTask(ToyClassifier):
    def fit(self, X, y):
        super().fit(X, y)
        warnings.warn("constant tasks", ConstantTaskWarning, stacklevel=2)
        return self


class GivesUpOnMissingLabels(ToyClassifier):
    def fit(self, X, y):
        self._incomplete = ~np.all(_observed_2d(np.asarray(y)), axis=0)
        return super().fit(X, y)

    def predict(self, X):
        pred = super().predict(X).astype(object)
        pred[:, self._incomplete] = None  # no prediction for such a task
        return pred


def _observed_2d(Y):
    return np.column_stack([_observed(Y[:, t]) for t in range(Y.shape[1])])


class MutatesWeights(ToyRegressor):
    def fit(self, X, y, sample_weight=None):
        if sample_weight is not None:
            sample_weight /= sample_weight.sum()  # normalises the caller's array
        return super().fit(X, y)


# The correct toys pass every check that applies.
@pytest.mark.parametrize("estimator", [ToyRegressor(), ToyClassifier()])
def test_correct_toys_pass(estimator):
    results = check_multitask_estimator(estimator)
    statuses = {r["check_name"]: r["status"] for r in results}
    assert set(statuses.values()) <= {"passed", "skipped"}
    skipped = {name for name, status in statuses.items() if status == "skipped"}
    expected = (
        set() if isinstance(estimator, ClassifierMixin) else {"check_mixed_label_types"}
    )
    assert skipped == expected


@pytest.mark.parametrize(
    "estimator, check, match",
    [
        (MutatesX(), check_inputs_not_modified, "fit modified X"),
        (IgnoresTaskOrder(), check_task_permutation, "former column"),
        (CountsUnlabelledRows(alpha=1.0), check_all_missing_row_ignored, "differs"),
        (Unseeded(), check_random_state_reproducible, "same random_state"),
        (NoTaskNames(), check_pandas_task_names, "no task_names_"),
        (AlwaysTwoD(), check_single_output_shapes, r"predict has shape \(60, 1\)"),
        (DropsConstantTarget(), check_constant_task, "constant 3.0"),
        (UnpicklableOutputs(), check_pickle_roundtrip, "pickle round trip"),
        (NonFiniteOnFloat32(), check_float32_preserved, "non-finite"),
        (LosesLabelTypes(), check_mixed_label_types, r"classes_\[2\]"),
        (WarnsPerTask(), check_constant_task, "emitted 2 times"),
        (GivesUpOnMissingLabels(), check_missing_labels_one_task, "outside classes_"),
    ],
    ids=lambda obj: type(obj).__name__ if hasattr(obj, "fit") else None,
)
@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_broken_toys_fail_their_check(estimator, check, match):
    with pytest.raises(AssertionError, match=match):
        check(type(estimator).__name__, estimator)


def test_missing_label_checks_skip_estimators_that_do_not_take_them():
    class NoMissingLabels(ToyRegressor):
        _accepts_missing_labels = False

    for check in (check_all_missing_row_ignored, check_missing_labels_one_task):
        with pytest.raises(pytest.skip.Exception, match="missing labels"):
            check("NoMissingLabels", NoMissingLabels())


def test_check_multitask_estimator_reports():
    broken = MutatesWeights()  # fails check_inputs_not_modified only
    with pytest.raises(AssertionError, match="modified sample_weight"):
        check_multitask_estimator(broken)

    with pytest.warns(EstimatorCheckFailedWarning):
        results = check_multitask_estimator(broken, on_fail="warn")
    failed = {r["check_name"] for r in results if r["status"] == "failed"}
    assert "check_inputs_not_modified" in failed

    reason = "normalises sample_weight in place"
    results = check_multitask_estimator(
        broken,
        on_fail="raise",
        expected_failed_checks={"check_inputs_not_modified": reason},
    )
    (result,) = [r for r in results if r["check_name"] == "check_inputs_not_modified"]
    assert result["status"] == "xfail"
    assert result["expected_to_fail_reason"] == reason
    assert isinstance(result["exception"], AssertionError)

    results = check_multitask_estimator(
        ToyRegressor(), expected_failed_checks={"check_pickle_roundtrip": "no"}
    )
    (result,) = [r for r in results if r["check_name"] == "check_pickle_roundtrip"]
    assert result["status"] == "xpass"

    with pytest.raises(ValueError, match="on_fail"):
        check_multitask_estimator(ToyRegressor(), on_fail="ignore")
    with pytest.raises(ValueError, match="unknown checks"):
        check_multitask_estimator(
            ToyRegressor(), expected_failed_checks={"check_typo": "?"}
        )
    with pytest.raises(TypeError, match="neither a classifier nor a regressor"):
        check_multitask_estimator(StandardScaler())


def test_checks_leave_the_estimator_unfitted_and_unchanged():
    estimator = ToyRegressor(alpha=1e-3)
    params = estimator.get_params()
    check_multitask_estimator(estimator)
    assert estimator.get_params() == params  # random_state stays None
    assert not hasattr(estimator, "coef_")


def test_multitask_checks_are_bound_partials():
    estimator = ToyRegressor()
    checks = list(multitask_checks(estimator))
    assert len(checks) == 11
    assert len({check.func.__name__ for check in checks}) == 11
    for check in checks:
        assert check.args == ("ToyRegressor", estimator)
        assert check.func.__doc__  # each check says what it asserts
    # called bare or, as scikit-learn's checks, with an estimator
    permutation = [c for c in checks if c.func is check_task_permutation][0]
    permutation()
    with pytest.raises(AssertionError):
        permutation(IgnoresTaskOrder())


def test_parametrize_ids_and_marks():
    reason = "pending: something"
    mark = parametrize_with_multitask_checks(
        [ToyRegressor(alpha=1e-3), ToyClassifier()],
        expected_failed_checks=lambda est: (
            {"check_constant_task": reason} if isinstance(est, ToyClassifier) else {}
        ),
    )
    assert mark.args[0] == "estimator, check"
    params = mark.args[1]
    assert len(params) == 22
    ids = mark.kwargs["ids"]
    assert [ids(v) for v in params[1].values] == [
        "ToyRegressor(alpha=0.001)",
        "check_task_permutation",
    ]
    xfails = [
        (ids(p.values[0]), ids(p.values[1]), m.kwargs["reason"])
        for p in params
        for m in p.marks
        if m.name == "xfail"
    ]
    assert xfails == [("ToyClassifier()", "check_constant_task", reason)]
    # a dict applies to every estimator
    mark = parametrize_with_multitask_checks(
        [ToyRegressor(), ToyClassifier()],
        {"check_pickle_roundtrip": reason},
        xfail_strict=True,
    )
    strict = [m.kwargs for p in mark.args[1] for m in p.marks]
    assert strict == [{"reason": reason, "strict": True}] * 2
    with pytest.raises(TypeError, match="instances"):
        parametrize_with_multitask_checks([ToyRegressor])


def test_check_inputs_not_modified_covers_y_and_sample_weight():
    class MutatesTargets(ToyRegressor):
        def fit(self, X, y, sample_weight=None):
            y[np.isnan(y)] = 0.0  # fills the caller's missing labels
            return super().fit(X, y)

    with pytest.raises(AssertionError, match="fit modified y"):
        check_inputs_not_modified("MutatesTargets", MutatesTargets())
    with pytest.raises(AssertionError, match="fit modified sample_weight"):
        check_inputs_not_modified("MutatesWeights", MutatesWeights())
