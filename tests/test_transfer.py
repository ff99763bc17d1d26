"""Tests of transfer_gain: per-fold scores by hand, and gain vs relatedness."""

import warnings

import numpy as np
import pytest
from sklearn.base import BaseEstimator, clone
from sklearn.metrics import accuracy_score, balanced_accuracy_score, r2_score
from sklearn.model_selection import KFold

from mtlearn.datasets import (
    make_multitask_classification,
    make_multitask_regression,
)
from mtlearn.exceptions import ConstantTaskWarning
from mtlearn.model_selection import transfer_gain
from mtlearn.neural_network import (
    SharedRepresentationClassifier,
    SharedRepresentationRegressor,
)

NETWORK = dict(
    hidden_layer_sizes=(32,),
    learning_rate_init=1e-2,
    early_stopping=False,
    max_iter=100,
    alpha=0.1,
    dropout=0.0,
    batch_size=32,
    dtype="float64",
    random_state=0,
)


def _related_tasks(relatedness, seed=0):
    return make_multitask_classification(
        n_samples=150,
        n_features=30,
        n_informative=10,
        n_tasks=6,
        relatedness=relatedness,
        class_sep=2.0,
        noise=0.0,
        random_state=seed,
    )


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_related_tasks_gain_and_unrelated_tasks_do_not():
    # Over seeds 0-4 the mean gain is 0.02-0.04 at relatedness 1 and within
    # 0.01 of zero at relatedness 0 with these settings.
    net = SharedRepresentationClassifier(**NETWORK)
    related = transfer_gain(net, *_related_tasks(1.0), cv=3, random_state=0)
    unrelated = transfer_gain(net, *_related_tasks(0.0), cv=3, random_state=0)
    assert related.gain.mean() > 0.01
    assert abs(unrelated.gain.mean()) < 0.02
    assert related.gain.mean() > unrelated.gain.mean() + 0.01


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_scores_match_fits_by_hand_and_skip_missing_labels():
    X, Y = make_multitask_classification(
        n_samples=90, n_features=6, n_informative=3, n_tasks=3, random_state=0
    )
    Y = Y.astype(float)
    Y[np.random.RandomState(0).rand(*Y.shape) < 0.2] = np.nan
    net = SharedRepresentationClassifier(**{**NETWORK, "hidden_layer_sizes": (8,)})
    splits = list(KFold(3, shuffle=True, random_state=0).split(X))
    result = transfer_gain(net, X, Y, cv=splits, scoring="balanced_accuracy")
    for k, (train, test) in enumerate(splits):
        multi = clone(net).fit(X[train], Y[train]).predict(X[test])
        for t in range(3):
            observed = test[~np.isnan(Y[test, t])]
            rows = train[~np.isnan(Y[train, t])]
            single = clone(net).fit(X[rows], Y[rows, t]).predict(X[observed])
            in_test = ~np.isnan(Y[test, t])
            assert result.multitask_scores[k, t] == pytest.approx(
                balanced_accuracy_score(Y[observed, t], multi[in_test, t])
            )
            assert result.single_task_scores[k, t] == pytest.approx(
                balanced_accuracy_score(Y[observed, t], single)
            )
    difference = result.multitask_scores - result.single_task_scores
    np.testing.assert_allclose(result.gain, difference.mean(axis=0))
    np.testing.assert_allclose(result.gain_std, difference.std(axis=0, ddof=1))
    standard_error = result.gain_std / np.sqrt(3)
    np.testing.assert_array_equal(
        result.negative_transfer, np.flatnonzero(result.gain < -standard_error)
    )
    np.testing.assert_array_equal(result.task_names, [0, 1, 2])


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_regression_callable_scoring_task_names_and_summary():
    pd = pytest.importorskip("pandas")
    X, Y = make_multitask_regression(
        n_samples=80, n_features=5, n_informative=3, n_tasks=2, random_state=0
    )
    frame = pd.DataFrame(Y, columns=["u", "v"])
    net = SharedRepresentationRegressor(**{**NETWORK, "hidden_layer_sizes": (8,)})
    default = transfer_gain(net, X, frame, cv=2, random_state=0)
    called = transfer_gain(net, X, frame, cv=2, random_state=0, scoring=r2_score)
    np.testing.assert_allclose(default.gain, called.gain)
    assert default.multitask_scores.shape == (2, 2)
    np.testing.assert_array_equal(default.task_names, ["u", "v"])
    table = default.summary()
    assert table.splitlines()[0].split()[:4] == ["task", "multi-task", "single", "gain"]
    assert "u" in table and "v" in table and "mean" in table


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_single_split_flags_any_negative_gain_and_accuracy_default():
    X, Y = make_multitask_classification(
        n_samples=60, n_features=5, n_informative=3, n_tasks=2, random_state=1
    )
    net = SharedRepresentationClassifier(**{**NETWORK, "hidden_layer_sizes": (8,)})
    split = [(np.arange(40), np.arange(40, 60))]
    result = transfer_gain(net, X, Y, cv=split)
    assert np.all(result.gain_std == 0)
    np.testing.assert_array_equal(
        result.negative_transfer, np.flatnonzero(result.gain < 0)
    )
    multi = clone(net).fit(X[:40], Y[:40]).predict(X[40:])
    assert result.multitask_scores[0, 0] == pytest.approx(
        accuracy_score(Y[40:, 0], multi[:, 0])
    )


def test_errors():
    X, Y = make_multitask_classification(
        n_samples=30, n_features=4, n_informative=2, n_tasks=2, random_state=0
    )
    net = SharedRepresentationClassifier(hidden_layer_sizes=(4,))
    with pytest.raises(ValueError, match="at least two tasks"):
        transfer_gain(net, X, Y[:, 0])

    class Neither(BaseEstimator):
        def fit(self, X, y):
            return self

        def predict(self, X):
            return np.zeros(len(X))

    with pytest.raises(ValueError, match="classifier or a regressor"):
        transfer_gain(Neither(), X, Y)
    bad_cv = [(np.arange(20), np.arange(20, 31))]
    with pytest.raises(ValueError, match="cv gave row indices out of range"):
        transfer_gain(net, X, Y, cv=bad_cv)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.UndefinedMetricWarning")
@pytest.mark.parametrize("scoring", [None, "roc_auc", "f1"])
def test_constant_and_rare_tasks(scoring):
    X, Y = make_multitask_classification(
        n_samples=45, n_features=5, n_informative=3, n_tasks=3, random_state=0
    )
    Y[:, 0] = 0  # constant
    Y[:, 1] = 0
    Y[[2, 9], 1] = 1  # rare: both positives in the first test part
    net = SharedRepresentationClassifier(
        **{**NETWORK, "hidden_layer_sizes": (4,), "max_iter": 10}
    )
    splits = list(KFold(3).split(X))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = transfer_gain(net, X, Y, cv=splits, scoring=scoring)
    constant = [w for w in caught if issubclass(w.category, ConstantTaskWarning)]
    assert len(constant) == 1 and "task 0" in str(constant[0].message)
    assert result.gain[0] == 0 and result.gain_std[0] == 0
    assert np.all(np.isnan(result.multitask_scores[:, 0]))
    assert np.all(np.isnan(result.single_task_scores[:, 0]))
    assert np.all(np.isfinite(result.gain))
    assert 0 not in result.negative_transfer
    if scoring is None:
        # split 0 trains task 1 on negatives only: its baseline is the constant
        test = splits[0][1]
        assert result.single_task_scores[0, 1] == pytest.approx(
            accuracy_score(Y[test, 1], np.zeros(test.size))
        )
    assert "nan" in result.summary()
