"""The default selection criteria of the linear CV variants, recomputed by hand."""

import numpy as np
import pytest
from sklearn.metrics import f1_score, log_loss, mean_squared_error
from sklearn.model_selection import KFold

from mtlearn.linear_model import (
    MultiTaskLinearRegression,
    MultiTaskLinearRegressionCV,
    MultiTaskLogisticRegression,
    MultiTaskLogisticRegressionCV,
)

ALPHAS = [0.1, 0.01, 0.001]
TIGHT = {"tol": 1e-8, "max_iter": 5000}


def _problem(n=150, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n, 5))
    Z = X[:, :2] @ rng.normal(size=(2, 3)) + rng.normal(size=(n, 3))
    Y = (Z > 0.5).astype(float)
    Y[rng.rand(n, 3) < 0.1] = np.nan  # missing labels stay out of every score
    return X, Y, Z


def _folds(X):
    return list(KFold(3, shuffle=True, random_state=0).split(X))


def _observed(Y, P):
    mask = ~np.isnan(Y)
    return Y[mask], P[mask]


def test_classifier_default_is_validation_micro_f1():
    X, Y, _ = _problem()
    folds = _folds(X)
    clf = MultiTaskLogisticRegressionCV(
        penalty="l21", alphas=ALPHAS, cv=folds, **TIGHT
    ).fit(X, Y)
    assert clf.get_params()["scoring"] is None
    a = 1  # one alpha, scored on each fold by an independent fit
    for k, (train, test) in enumerate(folds):
        model = MultiTaskLogisticRegression(penalty="l21", alpha=ALPHAS[a], **TIGHT)
        y_true, y_pred = _observed(
            Y[test], model.fit(X[train], Y[train]).predict(X[test])
        )
        assert clf.scores_[a, k] == pytest.approx(f1_score(y_true, y_pred))
    assert clf.alpha_ == ALPHAS[np.argmax(clf.scores_.mean(axis=1))]
    named = MultiTaskLogisticRegressionCV(
        penalty="l21", alphas=ALPHAS, cv=folds, scoring="micro_f1", **TIGHT
    ).fit(X, Y)
    np.testing.assert_array_equal(named.scores_, clf.scores_)


def test_classifier_log_loss_is_the_former_criterion():
    X, Y, _ = _problem()
    folds = _folds(X)
    clf = MultiTaskLogisticRegressionCV(
        penalty="l21", alphas=ALPHAS, cv=folds, scoring="log_loss", **TIGHT
    ).fit(X, Y)
    a = 2
    for k, (train, test) in enumerate(folds):
        model = MultiTaskLogisticRegression(penalty="l21", alpha=ALPHAS[a], **TIGHT)
        proba = np.column_stack(
            [p[:, 1] for p in model.fit(X[train], Y[train]).predict_proba(X[test])]
        )
        y_true, p = _observed(Y[test], proba)
        expected = -log_loss(y_true, p, labels=[0, 1])
        assert clf.scores_[a, k] == pytest.approx(expected, rel=1e-6)
    assert clf.alpha_ == ALPHAS[np.argmax(clf.scores_.mean(axis=1))]


def test_regressor_default_is_validation_mse():
    X, _, Z = _problem()
    Z[:10, 0] = np.nan
    folds = _folds(X)
    reg = MultiTaskLinearRegressionCV(
        penalty="l21", alphas=ALPHAS, cv=folds, **TIGHT
    ).fit(X, Z)
    named = MultiTaskLinearRegressionCV(
        penalty="l21", alphas=ALPHAS, cv=folds, scoring="mse", **TIGHT
    ).fit(X, Z)
    np.testing.assert_array_equal(named.mse_path_, reg.mse_path_)
    a = 0
    for k, (train, test) in enumerate(folds):
        model = MultiTaskLinearRegression(penalty="l21", alpha=ALPHAS[a], **TIGHT)
        z_true, z_pred = _observed(
            Z[test], model.fit(X[train], Z[train]).predict(X[test])
        )
        expected = mean_squared_error(z_true, z_pred)
        assert reg.mse_path_[a, k] == pytest.approx(expected, rel=1e-6)
    assert reg.alpha_ == ALPHAS[np.argmin(reg.mse_path_.mean(axis=1))]


@pytest.mark.parametrize(
    "cls, scoring",
    [(MultiTaskLogisticRegressionCV, "mse"), (MultiTaskLinearRegressionCV, "micro_f1")],
)
def test_named_criteria_belong_to_their_estimator(cls, scoring):
    X, Y, _ = _problem(40)
    with pytest.raises(ValueError, match="scoring"):
        cls(scoring=scoring, alphas=2, cv=2).fit(X, np.nan_to_num(Y))
