"""mtlearn.metrics: per-task scores, averages, scorers and the report.

References are scikit-learn's metrics computed by hand on each task's
observed rows, or on the pooled observed cells.
"""

import warnings

import numpy as np
import pytest
from sklearn import metrics as skm
from sklearn.exceptions import UndefinedMetricWarning
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, KFold, cross_validate
from sklearn.multioutput import MultiOutputClassifier
from sklearn.preprocessing import label_binarize

from mtlearn.datasets import make_multitask_classification, make_multitask_regression
from mtlearn.metrics import (
    make_multitask_scorer,
    multitask_report,
    multitask_score,
    per_task_score,
)
from mtlearn.neural_network import SharedRepresentationClassifier

N_CLASSES = [2, 3, 2]


@pytest.fixture(scope="module")
def classification():
    """Three tasks (binary, 3-class, binary), 25% missing labels, a fitted net."""
    X, Y = make_multitask_classification(
        n_samples=150,
        n_tasks=3,
        n_classes=N_CLASSES,
        missing_rate=0.25,
        random_state=0,
    )
    rng = np.random.default_rng(0)
    proba = []
    for k in N_CLASSES:
        p = rng.random((Y.shape[0], k))
        proba.append(p / p.sum(axis=1, keepdims=True))
    y_pred = np.column_stack([p.argmax(axis=1) for p in proba])
    # Predictions agree with the truth on two thirds of the rows.
    agree = rng.random(Y.shape) < 2 / 3
    y_pred = np.where(agree & ~np.isnan(Y), np.nan_to_num(Y), y_pred).astype(int)
    weight = rng.random(Y.shape[0]) + 0.5
    return X, Y, y_pred, proba, weight


def _net(**params):
    return SharedRepresentationClassifier(
        hidden_layer_sizes=(16,),
        max_iter=30,
        learning_rate_init=1e-2,
        early_stopping=False,
        random_state=0,
        **params,
    )


def _observed(Y, t):
    return ~np.isnan(Y[:, t])


def _f1_reference(y_true, y_pred, sample_weight=None):
    if np.unique(y_true).shape[0] > 2:
        return skm.f1_score(
            y_true, y_pred, average="macro", sample_weight=sample_weight
        )
    return skm.f1_score(y_true, y_pred, sample_weight=sample_weight)


@pytest.mark.parametrize(
    "name, reference",
    [
        ("accuracy", skm.accuracy_score),
        ("balanced_accuracy", skm.balanced_accuracy_score),
        ("f1", _f1_reference),
        ("f1_score", _f1_reference),
        (skm.f1_score, _f1_reference),
    ],
)
def test_per_task_score_equals_sklearn_on_observed_rows(
    classification, name, reference
):
    _, Y, y_pred, _, weight = classification
    for sample_weight in (None, weight):
        scores = per_task_score(name, Y, y_pred, sample_weight=sample_weight)
        expected = []
        for t in range(Y.shape[1]):
            rows = _observed(Y, t)
            w = None if sample_weight is None else sample_weight[rows]
            expected.append(reference(Y[rows, t], y_pred[rows, t], sample_weight=w))
        np.testing.assert_allclose(scores, expected)


def test_per_task_score_roc_auc_and_log_loss_from_predict_proba_list(
    classification,
):
    _, Y, _, proba, _ = classification
    auc = per_task_score("roc_auc", Y, proba)
    loss = per_task_score("log_loss", Y, proba)
    for t, p in enumerate(proba):
        rows = _observed(Y, t)
        if N_CLASSES[t] == 2:  # the positive-class column
            expected_auc = skm.roc_auc_score(Y[rows, t], p[rows, 1])
        else:  # the full matrix, one-vs-rest
            expected_auc = skm.roc_auc_score(Y[rows, t], p[rows], multi_class="ovr")
        assert auc[t] == pytest.approx(expected_auc)
        assert loss[t] == pytest.approx(skm.log_loss(Y[rows, t], p[rows]))


def test_per_task_score_from_score_matrix_and_regression():
    rng = np.random.default_rng(1)
    Y = rng.integers(0, 2, size=(40, 2)).astype(float)
    Y[::7, 1] = np.nan
    scores = rng.normal(size=(40, 2)) + Y
    rows = ~np.isnan(Y[:, 1])
    np.testing.assert_allclose(
        per_task_score("roc_auc", Y, scores),
        [
            skm.roc_auc_score(Y[:, 0], scores[:, 0]),
            skm.roc_auc_score(Y[rows, 1], scores[rows, 1]),
        ],
    )
    prediction = Y + rng.normal(size=Y.shape)
    np.testing.assert_allclose(
        per_task_score("rmse", Y, prediction),
        [
            skm.root_mean_squared_error(Y[:, 0], prediction[:, 0]),
            skm.root_mean_squared_error(Y[rows, 1], prediction[rows, 1]),
        ],
    )


def test_string_labels_missing_as_none_and_positive_class():
    y_true = np.array([["b", "x"], ["a", None], ["b", "y"], ["a", "y"]], dtype=object)
    y_pred = np.array([["b", "y"], ["b", "x"], ["b", "y"], ["a", "x"]])
    f1 = per_task_score("f1", y_true, y_pred)
    # The positive class of a binary task is its larger label: "b", "y".
    assert f1[0] == pytest.approx(
        skm.f1_score(y_true[:, 0], y_pred[:, 0], pos_label="b")
    )
    assert f1[1] == pytest.approx(
        skm.f1_score(["x", "y", "y"], y_pred[[0, 2, 3], 1], pos_label="y")
    )


def test_averages(classification):
    _, Y, y_pred, proba, _ = classification
    support = (~np.isnan(Y)).sum(axis=0)
    per_task = per_task_score("accuracy", Y, y_pred)
    assert multitask_score("accuracy", Y, y_pred) == pytest.approx(per_task.mean())
    assert multitask_score("accuracy", Y, y_pred, average="weighted") == pytest.approx(
        np.average(per_task, weights=support)
    )
    np.testing.assert_allclose(
        multitask_score("accuracy", Y, y_pred, average=None), per_task
    )
    observed = ~np.isnan(Y)
    assert multitask_score("accuracy", Y, y_pred, average="micro") == pytest.approx(
        np.mean(Y[observed] == y_pred[observed])
    )


def _indicator(values, t, rows):
    """One-vs-rest columns of task t: the positive class, or every class."""
    return label_binarize(values[rows], classes=np.arange(N_CLASSES[t]))


def test_micro_f1_and_roc_auc_pool_one_vs_rest_cells(classification):
    _, Y, y_pred, proba, _ = classification
    truth, predicted, score = [], [], []
    for t in range(Y.shape[1]):
        rows = _observed(Y, t)
        truth.append(_indicator(Y[:, t], t, rows).ravel())
        predicted.append(_indicator(y_pred[:, t], t, rows).ravel())
        p = proba[t][rows]
        score.append(p[:, 1] if N_CLASSES[t] == 2 else p.ravel())
    truth, predicted, score = map(np.concatenate, (truth, predicted, score))
    assert multitask_score("f1", Y, y_pred, average="micro") == pytest.approx(
        skm.f1_score(truth, predicted)
    )
    assert multitask_score("roc_auc", Y, proba, average="micro") == pytest.approx(
        skm.roc_auc_score(truth, score)
    )


def test_micro_f1_of_binary_tasks_is_sklearn_multilabel_micro():
    X, Y = make_multitask_classification(n_samples=80, n_tasks=4, random_state=2)
    y_pred = MultiOutputClassifier(LogisticRegression()).fit(X, Y).predict(X[::-1])
    assert multitask_score("f1", Y, y_pred, average="micro") == pytest.approx(
        skm.f1_score(Y, y_pred, average="micro")
    )


def test_micro_regression_pools_cells():
    _, Y = make_multitask_regression(
        n_samples=50, n_tasks=3, missing_rate=0.2, random_state=0
    )
    prediction = np.nan_to_num(Y) + np.random.default_rng(0).normal(size=Y.shape)
    observed = ~np.isnan(Y)
    assert multitask_score("r2", Y, prediction, average="micro") == pytest.approx(
        skm.r2_score(Y[observed], prediction[observed])
    )


def test_task_without_label_is_nan_named_and_left_out_of_averages():
    pd = pytest.importorskip("pandas")
    y_true = pd.DataFrame({"happy": [1, 0, 1], "sad": [np.nan] * 3})
    y_pred = np.array([[1, 1], [1, 1], [1, 1]])
    with pytest.warns(UndefinedMetricWarning, match="'sad': no observed label"):
        scores = per_task_score("accuracy", y_true, y_pred)
    np.testing.assert_allclose(scores, [2 / 3, np.nan])
    with pytest.warns(UndefinedMetricWarning, match="task 1: no observed label"):
        micro = multitask_score("f1", y_true.to_numpy(), y_pred, average="micro")
    assert micro == pytest.approx(skm.f1_score([1, 0, 1], [1, 1, 1]))
    with pytest.warns(UndefinedMetricWarning):
        assert multitask_score("accuracy", y_true, y_pred) == pytest.approx(2 / 3)
    # zero total weight on a task's observed labels is as undefined
    y_true = np.array([[1, 0], [0, np.nan], [1, 1]])
    with pytest.warns(UndefinedMetricWarning, match="zero total sample_weight"):
        scores = per_task_score(
            "accuracy", y_true, np.ones((3, 2)), sample_weight=[0, 1, 0]
        )
    np.testing.assert_allclose(scores, [0, np.nan])


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.UndefinedMetricWarning")
def test_one_class_task_follows_sklearn_and_nan_is_left_out():
    # task 0 holds one class (a fold of a rare label), task 1 both
    y_true = np.array([[0, 1], [0, 0], [0, 1], [0, 0]])
    y_pred = np.array([[0, 1], [0, 1], [0, 1], [0, 0]])
    scores = per_task_score("f1", y_true, y_pred)
    np.testing.assert_allclose(scores, skm.f1_score(y_true, y_pred, average=None))
    for average in ("macro", "micro"):
        assert multitask_score(
            "f1", y_true, y_pred, average=average, zero_division=np.nan
        ) == pytest.approx(
            skm.f1_score(y_true, y_pred, average=average, zero_division=np.nan)
        )
    score = np.array([[0.1, 0.9], [0.4, 0.6], [0.3, 0.8], [0.2, 0.1]])
    with pytest.warns(UndefinedMetricWarning, match="Only one class"):
        auc = per_task_score("roc_auc", y_true, score)
    reference = skm.roc_auc_score(y_true[:, 1], score[:, 1])
    assert np.isnan(auc[0]) and auc[1] == pytest.approx(reference)
    assert multitask_score("roc_auc", y_true, score) == pytest.approx(reference)
    # a constant task of the model (classes_ [0]) against a fold with a 1
    y_true = np.array([[0], [1], [0], [0]])
    proba = [np.ones((4, 1))]
    assert per_task_score("log_loss", y_true, proba, classes=[[0]])[0] > 5
    assert per_task_score("roc_auc", y_true, proba, classes=[[0]])[0] == 0.5
    # predicted labels never seen in y_true count as errors (pos_label 1)
    assert per_task_score("f1", [0, 0, 0], np.array([0, 1, 0]))[0] == 0
    assert per_task_score("f1", [0, 0], np.array([0, 1]), classes=[[0]])[0] == 0
    assert per_task_score("accuracy", ["a", "a"], np.array(["a", "b"]))[0] == 0.5
    # a class the model never saw gets probability 0
    proba = [np.array([[0.6, 0.2, 0.2], [0.3, 0.5, 0.2], [0.2, 0.2, 0.6]])]
    y_true = np.array(["a", "b", "d"], dtype=object)
    loss = per_task_score("log_loss", y_true, proba, classes=[["a", "b", "c"]])
    reference = skm.log_loss(
        y_true, np.column_stack([proba[0], np.zeros(3)]), labels=list("abcd")
    )
    assert loss[0] == pytest.approx(reference)


def test_hostile_inputs_get_clear_errors():
    Y = np.array([[0, 1], [1, 0], [1, 1]])
    with pytest.raises(ValueError, match="y_true must be of shape"):
        per_task_score("accuracy", np.zeros((3, 2, 2)), Y)
    with pytest.raises(ValueError, match="y_true contains infinite"):
        multitask_score("r2", np.array([[1.0], [np.inf]]), np.ones((2, 1)))
    with pytest.raises(ValueError, match="classes must give the classes"):
        per_task_score("f1", Y, Y, classes=1)
    nested = np.empty((2, 1), dtype=object)
    nested[0, 0], nested[1, 0] = [1, 2], 0
    with pytest.raises(ValueError, match="y_true holds a sequence in a cell"):
        per_task_score("accuracy", nested, np.zeros((2, 1)))
    with pytest.raises(ValueError, match="y_pred holds values of magnitude"):
        per_task_score("r2", np.ones(3), np.array([1.0, 2.0, 1e200]))
    with pytest.raises(ValueError, match="y_true holds non-numeric"):
        per_task_score("mae", np.array(["a", "b"]), np.ones(2))
    with pytest.raises(ValueError, match="digits must be a non-negative int"):
        multitask_report(Y, Y, digits=None)
    weight = np.array([0.5, 1.0, 1.5])
    assert per_task_score(
        "matthews_corrcoef", Y, Y[::-1], sample_weight=weight * 1e300
    ) == pytest.approx(
        per_task_score("matthews_corrcoef", Y, Y[::-1], sample_weight=weight)
    )
    with pytest.raises(ValueError, match="y_true is None"):
        multitask_score("f1", None, Y)
    with pytest.raises(ValueError, match="y_pred is None"):
        multitask_score("f1", Y, None)
    with pytest.raises(ValueError, match=r"y_pred of shape \(3, 3\)"):
        multitask_score("accuracy", Y, np.zeros((3, 3)))
    with pytest.raises(ValueError, match=r"y_pred\[0\] has shape"):
        multitask_score("roc_auc", Y, [np.zeros((3, 2, 1)), np.zeros(3)])
    with pytest.raises(ValueError, match="empty"):
        multitask_score("accuracy", np.zeros((0, 2)), np.zeros((0, 2)))
    with pytest.raises(ValueError, match="mix string and numeric"):
        multitask_score("f1", Y, np.full((3, 2), "a"))
    score = np.array([[0.1, 0.9], [0.4, 0.6], [0.3, 0.8]])
    for metric, y_pred in [
        ("roc_auc", score), ("accuracy", Y), ("f1", Y), ("log_loss", score),
    ]:  # fmt: skip
        for weight, match in [
            ([1, -1, 1], "sample_weight contains negative"),
            ([1, np.nan, 1], "sample_weight contains NaN"),
            ([1, np.inf, 1], "sample_weight contains NaN or infinite"),
            (["a", 1, 1], "sample_weight must be an array of numbers"),
            ([0, 0, 0], "sample_weight sums to 0"),
            (1.0, r"sample_weight has shape \(\)"),
        ]:
            with pytest.raises(ValueError, match=match):
                multitask_score(metric, Y, y_pred, sample_weight=weight)
    with pytest.raises(ValueError, match="sample_weight contains negative"):
        make_multitask_scorer("r2")(
            _Fixed(np.zeros((3, 2))), None, Y.astype(float), sample_weight=[1, -1, 1]
        )


class _Fixed:
    """A fitted 'estimator' whose predictions are given."""

    def __init__(self, y_pred, classes=None):
        self.y_pred = y_pred
        if classes is not None:
            self.classes_ = classes

    def predict(self, X):
        return self.y_pred

    def predict_proba(self, X):
        return self.y_pred


def test_scorer_never_raises_on_folds_of_rare_and_constant_labels():
    from sklearn.datasets import make_multilabel_classification

    X, Y = make_multilabel_classification(
        n_samples=60, n_features=5, n_classes=4, random_state=0
    )
    Y[:, 0] = 0  # constant
    Y[:, 1] = 0
    Y[[3, 17, 40], 1] = 1  # positive in 3 rows, so 2 of 5 folds have none
    scoring = {
        "auc": make_multitask_scorer("roc_auc"),
        "auc_micro": make_multitask_scorer("roc_auc", average="micro"),
        "f1": make_multitask_scorer("f1", average="micro"),
        "f1_macro": make_multitask_scorer("f1"),
        "loss": make_multitask_scorer("log_loss", greater_is_better=False),
        "accuracy": make_multitask_scorer("accuracy"),
    }
    model = MultiOutputClassifier(_ConstantAwareLogistic())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UndefinedMetricWarning)
        search = GridSearchCV(
            model,
            {"estimator__C": [1.0]},
            cv=KFold(5),
            scoring=scoring,
            refit="f1",
            error_score="raise",
        ).fit(X, Y)
    for name in scoring:
        assert np.all(np.isfinite(search.cv_results_[f"mean_test_{name}"]))
    # a model with a constant task: classes_ [0], predict_proba ones (n, 1)
    proba = [np.ones((4, 1)), np.array([[0.2, 0.8], [0.6, 0.4]] * 2)]
    model = _Fixed(proba, classes=[np.array([0]), np.array([0, 1])])
    y_true = np.array([[0, 1], [0, 0], [0, 1], [0, 0]])
    with pytest.warns(UndefinedMetricWarning, match="Only one class"):
        assert make_multitask_scorer("roc_auc")(model, None, y_true) == 1.0


class _ConstantAwareLogistic(LogisticRegression):
    """A LogisticRegression that fits a one-class y as a constant."""

    def fit(self, X, y, sample_weight=None):
        if np.unique(y).size == 1:
            self.classes_ = np.unique(y)
            self.coef_ = np.zeros((1, X.shape[1]))
            self.intercept_ = np.zeros(1)
            return self
        return super().fit(X, y, sample_weight=sample_weight)

    def predict_proba(self, X):
        if self.classes_.size == 1:
            return np.ones((X.shape[0], 1))
        return super().predict_proba(X)

    def predict(self, X):
        if self.classes_.size == 1:
            return np.full(X.shape[0], self.classes_[0])
        return super().predict(X)


def test_bad_arguments():
    Y = np.array([[0, 1], [1, 0]])
    with pytest.raises(ValueError, match="Unknown metric 'f2'"):
        per_task_score("f2", Y, Y)
    with pytest.raises(ValueError, match="list of 3 arrays"):
        per_task_score("roc_auc", Y, [Y, Y, Y])
    with pytest.raises(ValueError, match="average must be"):
        multitask_score("f1", Y, Y, average="samples")
    with pytest.raises(ValueError, match="single number"):
        make_multitask_scorer("f1", average=None)
    with pytest.raises(ValueError, match="'f1' scores the output of"):
        make_multitask_scorer("f1", response_method="predict_proba")


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_scorers_in_cross_validate_on_shared_representation(classification):
    X, Y, *_ = classification
    scoring = {
        "f1_micro": make_multitask_scorer("f1", average="micro"),
        "auc": make_multitask_scorer("roc_auc", average="weighted"),
        "loss": make_multitask_scorer("log_loss", greater_is_better=False),
    }
    cv = KFold(3, shuffle=True, random_state=0)
    result = cross_validate(
        _net(), X, Y, scoring=scoring, cv=cv, return_estimator=True, error_score="raise"
    )
    for (_, test), estimator, f1, auc, loss in zip(
        cv.split(X),
        result["estimator"],
        result["test_f1_micro"],
        result["test_auc"],
        result["test_loss"],
    ):
        y_test = Y[test]
        assert f1 == pytest.approx(
            multitask_score("f1", y_test, estimator.predict(X[test]), average="micro")
        )
        auc_per_task = per_task_score(
            "roc_auc", y_test, estimator.predict_proba(X[test])
        )
        support = (~np.isnan(y_test)).sum(axis=0)
        assert auc == pytest.approx(np.average(auc_per_task, weights=support))
        assert loss < 0


def test_scorer_on_multioutput_classifier_and_grid_search():
    X, Y = make_multitask_classification(
        n_samples=90, n_tasks=3, n_classes=N_CLASSES, random_state=1
    )
    estimator = MultiOutputClassifier(LogisticRegression())
    search = GridSearchCV(
        estimator,
        {"estimator__C": [1.0]},
        scoring={
            "f1": make_multitask_scorer("f1", average="micro"),
            "auc": make_multitask_scorer("roc_auc"),
        },
        refit="f1",
        cv=3,
        error_score="raise",
    ).fit(X, Y)
    fitted = search.best_estimator_
    scorer = make_multitask_scorer("roc_auc")
    proba = fitted.predict_proba(X)
    expected = np.mean(
        [
            skm.roc_auc_score(Y[:, 0], proba[0][:, 1]),
            skm.roc_auc_score(Y[:, 1], proba[1], multi_class="ovr"),
            skm.roc_auc_score(Y[:, 2], proba[2][:, 1]),
        ]
    )
    assert scorer(fitted, X, Y) == pytest.approx(expected)
    assert np.isfinite(search.cv_results_["mean_test_auc"]).all()


def test_scorer_sample_weight_and_sign(classification):
    _, Y, y_pred, _, weight = classification

    class Fixed:  # an estimator that always returns y_pred
        classes_ = [np.arange(k) for k in N_CLASSES]

        def predict(self, X):
            return y_pred

    scorer = make_multitask_scorer("mae", average="weighted", greater_is_better=False)
    assert repr(scorer) == (
        "make_multitask_scorer('mae', average='weighted', greater_is_better=False)"
    )
    expected = multitask_score(
        "mae", Y, y_pred, average="weighted", sample_weight=weight
    )
    assert scorer(Fixed(), None, Y, sample_weight=weight) == pytest.approx(-expected)


def test_report_numbers_equal_sklearn_per_task(classification):
    _, Y, y_pred, proba, _ = classification
    report = multitask_report(Y, y_pred, y_score=proba, output_dict=True)
    assert list(report) == [
        "task 0",
        "task 1",
        "task 2",
        "macro avg",
        "weighted avg",
        "micro avg",
    ]
    for t in range(Y.shape[1]):
        rows = _observed(Y, t)
        row = report[f"task {t}"]
        assert list(row) == ["accuracy", "f1", "roc_auc", "support"]
        assert row["support"] == rows.sum()
        assert row["accuracy"] == pytest.approx(
            skm.accuracy_score(Y[rows, t], y_pred[rows, t])
        )
        assert row["f1"] == pytest.approx(_f1_reference(Y[rows, t], y_pred[rows, t]))
        assert row["roc_auc"] == pytest.approx(
            per_task_score("roc_auc", Y[:, [t]], [proba[t]])[0]
        )
    support = (~np.isnan(Y)).sum(axis=0)
    for name in ("accuracy", "f1", "roc_auc"):
        values = [report[f"task {t}"][name] for t in range(3)]
        assert report["macro avg"][name] == pytest.approx(np.mean(values))
        assert report["weighted avg"][name] == pytest.approx(
            np.average(values, weights=support)
        )
    assert report["micro avg"]["f1"] == pytest.approx(
        multitask_score("f1", Y, y_pred, average="micro")
    )
    assert report["micro avg"]["support"] == support.sum()


def test_report_text_names_and_one_class_roc_auc():
    pd = pytest.importorskip("pandas")
    y_true = pd.DataFrame({"happy": [0, 1, 1, 0], "calm": [1, None, 1, 1]})
    y_pred = np.array([[0, 1], [1, 1], [0, 0], [0, 1]])
    y_score = np.array([[0.2, 0.9], [0.8, 0.4], [0.6, 0.3], [0.1, 0.7]])
    text = multitask_report(y_true, y_pred, y_score=y_score, digits=2)
    lines = text.splitlines()
    assert lines[0].split() == ["accuracy", "f1", "roc_auc", "support"]
    assert lines[2].split() == ["happy", "0.75", "0.67", "1.00", "4"]
    assert lines[3].split() == ["calm", "0.67", "0.80", "nan", "3"]
    assert lines[4] == ""
    # The one-class task is left out of the averages, and a note says why.
    assert lines[5].split() == ["macro", "avg", "0.71", "0.73", "1.00", "7"]
    assert "ROC-AUC of task 'calm' is undefined" in text
    # Columns are aligned: every row is as wide as the header.
    assert len({len(line) for line in lines[:9] if line}) == 1


def test_regression_report():
    _, Y = make_multitask_regression(
        n_samples=60, n_tasks=2, missing_rate=0.2, random_state=0
    )
    prediction = np.nan_to_num(Y) + np.random.default_rng(0).normal(size=Y.shape)
    report = multitask_report(Y, prediction, output_dict=True, task_names=["a", "b"])
    assert list(report) == ["a", "b", "macro avg", "weighted avg"]
    for t, name in enumerate("ab"):
        rows = _observed(Y, t)
        assert report[name]["r2"] == pytest.approx(
            skm.r2_score(Y[rows, t], prediction[rows, t])
        )
        assert report[name]["rmse"] == pytest.approx(
            skm.root_mean_squared_error(Y[rows, t], prediction[rows, t])
        )
        assert report[name]["mae"] == pytest.approx(
            skm.mean_absolute_error(Y[rows, t], prediction[rows, t])
        )
    assert "r2" in multitask_report(Y, prediction)
    with pytest.raises(ValueError, match="kind='classification' or"):
        multitask_report(np.column_stack([Y[:, 0], Y[:, 1] > 0]), prediction)


def test_single_task_string_labels_match_sklearn_scorers():
    from functools import partial

    from sklearn.model_selection import cross_val_score

    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 3))
    y = np.where(X[:, 0] + rng.normal(size=60) > 0, "yes", "no")
    estimator = LogisticRegression()
    for ours, theirs in [("roc_auc", "roc_auc"), ("accuracy", "accuracy")]:
        np.testing.assert_allclose(
            cross_val_score(estimator, X, y, scoring=make_multitask_scorer(ours)),
            cross_val_score(estimator, X, y, scoring=theirs),
        )
    y_pred = estimator.fit(X, y).predict(X)
    # A partial of a scikit-learn metric keeps the user's arguments.
    assert per_task_score(
        partial(skm.f1_score, average="weighted"), y, y_pred
    ) == pytest.approx(skm.f1_score(y, y_pred, average="weighted"))
    # Any other callable gets the observed labels as they are.
    assert per_task_score(lambda a, b: np.mean(a == b), y, y_pred) == pytest.approx(
        skm.accuracy_score(y, y_pred)
    )
