"""The networks' defaults (issue 13): what they are, and what they do.

The class-weight rule is checked against its formula recomputed here, and a
rare-label problem gets positives predicted with the defaults.
"""

import ast
import re

import numpy as np
import pytest
from threadpoolctl import threadpool_limits

from mtlearn.neural_network import (
    MixtureOfExpertsClassifier,
    MixtureOfExpertsRegressor,
    SharedRepresentationClassifier,
    SharedRepresentationRegressor,
)
from mtlearn.neural_network._shared_representation import (
    sqrt_positive_class_weight,
)

CLASSIFIER_DEFAULTS = {
    "class_weight": "sqrt_positive",
    "early_stopping": "refit",
    "dropout": 0.5,
    "alpha": 1e-2,
}
REGRESSOR_DEFAULTS = {
    "early_stopping": True,
    "dropout": 0.0,
    "alpha": 1e-3,
    "average": False,
}


@pytest.fixture(autouse=True)
def one_thread():
    with threadpool_limits(1):
        yield


def documented_defaults(estimator):
    """{parameter: default} read from the numpydoc of ``estimator``'s class."""
    documented = {}
    for line in type(estimator).__doc__.replace("\\\n", "").splitlines():
        match = re.match(r"^    ([\w, ]+) : .*default=(.+)$", line)
        if not match:
            continue
        names = [n.strip() for n in match.group(1).split(",")]
        values = match.group(2).split(", ") if len(names) > 1 else [match.group(2)]
        for name, value in zip(names, values):
            try:
                documented[name] = ast.literal_eval(value)
            except (ValueError, SyntaxError):
                pass  # not a literal, e.g. a class name
    return documented


ESTIMATORS = [
    SharedRepresentationClassifier(),
    MixtureOfExpertsClassifier(),
    SharedRepresentationRegressor(),
    MixtureOfExpertsRegressor(),
]


@pytest.mark.parametrize("estimator", ESTIMATORS, ids=lambda e: type(e).__name__)
def test_documented_defaults_are_the_defaults(estimator):
    params = estimator.get_params()
    documented = documented_defaults(estimator)
    expected = (
        CLASSIFIER_DEFAULTS
        if "Classifier" in type(estimator).__name__
        else REGRESSOR_DEFAULTS
    )
    if isinstance(estimator, MixtureOfExpertsRegressor):
        expected = expected | {"alpha": 1e-2}  # measured for the mixture
    assert {k: params[k] for k in expected} == expected
    assert set(expected) <= set(documented)
    for name, value in documented.items():
        default = params[name]
        if isinstance(default, tuple):
            default = tuple(default)
            value = tuple(value)
        assert default == value, name


def test_sqrt_positive_formula():
    # 2 positives, 8 negatives: the positive weighs sqrt(8 / 2) = 2
    codes = np.array([0] * 8 + [1] * 2)
    np.testing.assert_allclose(sqrt_positive_class_weight(codes, 2), [1.0, 2.0])
    # positives the majority (7 of 10): nothing is re-weighted
    codes = np.array([0] * 3 + [1] * 7)
    np.testing.assert_allclose(sqrt_positive_class_weight(codes, 2), [1.0, 1.0])
    # multiclass: sqrt(n / (n_classes * count)) per class
    codes = np.array([0] * 6 + [1] * 3 + [2])
    expected = np.sqrt(10 / (3 * np.array([6.0, 3.0, 1.0])))
    np.testing.assert_allclose(sqrt_positive_class_weight(codes, 3), expected)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_sqrt_positive_in_the_loss():
    # the fitted cell weights: a rare positive's cell weighs sqrt(n_neg/n_pos)
    # times a negative's (weights are relative within a task)
    rng = np.random.RandomState(0)
    X = rng.normal(size=(40, 3))
    Y = np.zeros((40, 2))
    Y[:4, 0] = 1  # 4 positives, 36 negatives
    Y[:30, 1] = 1  # positives the majority
    Y[35:, 1] = np.nan
    clf = SharedRepresentationClassifier(
        hidden_layer_sizes=(4,), max_iter=1, early_stopping=False, random_state=0
    ).fit(X, Y)
    ratio0 = clf._class_weights[0][1] / clf._class_weights[0][0]
    assert ratio0 == pytest.approx(np.sqrt(36 / 4))
    assert clf._class_weights[1][1] == clf._class_weights[1][0]


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_rare_labels_get_positives():
    # labels with 3% and 6% positives: the default class weights predict at
    # least half as many positives as there are, unweighted far fewer
    rng = np.random.RandomState(0)
    X = rng.normal(size=(400, 5))
    score = X[:, 0] + 0.5 * rng.normal(size=400)
    Y = np.column_stack(
        [score > np.quantile(score, 0.97), score > np.quantile(score, 0.94)]
    ).astype(int)
    small = dict(hidden_layer_sizes=(64,), learning_rate_init=0.01, random_state=0)
    weighted = SharedRepresentationClassifier(**small).fit(X, Y).predict(X)
    assert (weighted.sum(axis=0) >= 0.5 * Y.sum(axis=0)).all()
    plain = SharedRepresentationClassifier(class_weight=None, **small)
    assert plain.fit(X, Y).predict(X)[:, 0].sum() < 0.5 * Y[:, 0].sum()


# -- early_stopping="refit" --


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("seed", [0, 1])
def test_refit_trains_the_chosen_epochs_on_every_row(seed):
    # without shuffling and dropout, "refit" is the fit without early
    # stopping for the epochs that early stopping chose, from the same start
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(80, 4))
    Y = np.column_stack([X[:, 0] > 0.8, X[:, 1] + X[:, 2] > 0]).astype(int)
    small = dict(
        hidden_layer_sizes=(8,),
        dropout=0.0,
        shuffle=False,
        learning_rate_init=0.05,
        max_iter=30,
        n_iter_no_change=3,
        random_state=seed,
    )
    refit = SharedRepresentationClassifier(early_stopping="refit", **small).fit(X, Y)
    chosen = int(np.argmax(refit.validation_scores_)) + 1
    assert refit.n_iter_ == chosen == len(refit.loss_curve_)
    assert refit.best_validation_score_ == max(refit.validation_scores_)
    small.update(max_iter=chosen, tol=0.0, n_iter_no_change=10**6)
    plain = SharedRepresentationClassifier(early_stopping=False, **small).fit(X, Y)
    np.testing.assert_allclose(refit._network.params, plain._network.params)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_refit_with_warm_start_counts_this_fit_only():
    # a warm start's early stopping picks the best epoch of its own run; the
    # curves go on from the previous fit
    rng = np.random.RandomState(0)
    X = rng.normal(size=(60, 3))
    y = (X[:, 0] > 0).astype(int)
    clf = SharedRepresentationClassifier(
        hidden_layer_sizes=(8,), max_iter=15, warm_start=True, random_state=0
    ).fit(X, y)
    first = clf.n_iter_
    assert first == len(clf.loss_curve_) <= 15
    n_scores = len(clf.validation_scores_)
    clf.fit(X, y)
    chosen = int(np.argmax(clf.validation_scores_[n_scores:])) + 1
    assert clf.n_iter_ == first + chosen == len(clf.loss_curve_)
