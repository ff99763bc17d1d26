"""LabelPowersetClassifier: marginals, imputation of missing labels, members."""

import itertools

import numpy as np
import pytest
from sklearn.dummy import DummyClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.neighbors import KNeighborsClassifier
from sklearn.tree import DecisionTreeClassifier

from mtlearn.ensemble import MultiTaskEnsembleClassifier
from mtlearn.exceptions import ConstantTaskWarning
from mtlearn.model_selection import MultiTaskThresholdClassifier
from mtlearn.multioutput import LabelPowersetClassifier
from mtlearn.multioutput._label_powerset import impute_from_observed_labels


def _data(n=80, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n, 3))
    y0 = (X[:, 0] > 0).astype(float)
    Y = np.column_stack([y0, y0 * (X[:, 1] > 0), (X[:, 2] > 0.5).astype(float)])
    return X, Y


def test_marginals_of_the_prior_are_the_label_frequencies():
    # a prior over combinations marginalises to each task's class frequencies
    X, Y = _data()
    Y = np.column_stack([Y, np.digitize(X[:, 1], [-0.5, 0.5])])  # 3 classes
    clf = LabelPowersetClassifier(DummyClassifier(strategy="prior")).fit(X, Y)
    proba = clf.predict_proba(X[:5])
    for t, p in enumerate(proba):
        frequency = np.mean(Y[:, t][:, None] == clf.classes_[t], axis=0)
        np.testing.assert_allclose(p, np.tile(frequency, (5, 1)))
    assert [p.shape[1] for p in proba] == [2, 2, 2, 3]


def test_sample_weight_weighs_the_combinations():
    X, Y = _data()
    weight = np.random.RandomState(1).uniform(0.1, 2.0, size=X.shape[0])
    clf = LabelPowersetClassifier(DummyClassifier(strategy="prior"))
    proba = clf.fit(X, Y, sample_weight=weight).predict_proba(X[:1])
    for t, p in enumerate(proba):
        expected = np.average(Y[:, t] == 1, weights=weight)
        np.testing.assert_allclose(p[0, 1], expected)
    with pytest.raises(TypeError, match="sample_weight"):
        LabelPowersetClassifier(KNeighborsClassifier()).fit(X, Y, sample_weight=weight)


def test_one_task_is_the_estimator_itself():
    X, Y = _data()
    y = np.where(Y[:, 0] == 1, "yes", "no")
    clf = LabelPowersetClassifier(LogisticRegression()).fit(X, y)
    reference = LogisticRegression().fit(X, y)
    np.testing.assert_allclose(clf.predict_proba(X), reference.predict_proba(X))
    np.testing.assert_array_equal(clf.predict(X), reference.predict(X))
    np.testing.assert_array_equal(clf.classes_, ["no", "yes"])


def test_predict_the_combination_or_the_marginals():
    X, Y = _data()
    tree = DecisionTreeClassifier(max_depth=3, random_state=0)
    clf = LabelPowersetClassifier(tree, prediction="marginal").fit(X, Y)
    proba = clf.predict_proba(X)
    expected = np.column_stack(
        [classes[np.argmax(p, 1)] for classes, p in zip(clf.classes_, proba)]
    )
    np.testing.assert_array_equal(clf.predict(X), expected)
    # the combination rule: the class of the tree, decoded
    combination = clf.set_params(prediction="combination").fit(X, Y)
    z = combination.estimator_.predict(X)
    np.testing.assert_array_equal(
        combination.predict(X), combination.combinations_[z].astype(float)
    )
    for p in proba:
        np.testing.assert_allclose(p.sum(axis=1), 1.0)
    # label 1 implies label 0: only three of the eight combinations occur
    # between the first two tasks
    assert {tuple(row[:2]) for row in clf.combinations_} <= {(0, 0), (1, 0), (1, 1)}


def _naive_bayes_by_hand(codes, mask, n_classes, row, t):
    """The imputation rule with explicit loops (the reference)."""
    best, best_score = None, -np.inf
    for c in range(n_classes[t]):
        score = np.log(np.sum(mask[:, t] & (codes[:, t] == c)) + 1.0)
        for s in range(len(n_classes)):
            if s == t or not mask[row, s]:
                continue
            both = mask[:, t] & mask[:, s] & (codes[:, t] == c)
            hits = np.sum(both & (codes[:, s] == codes[row, s]))
            score += np.log(hits + 1.0) - np.log(both.sum() + n_classes[s])
        if score > best_score:
            best, best_score = c, score
    return best


def test_imputation_matches_the_rule_computed_by_hand():
    rng = np.random.RandomState(0)
    n_classes = [2, 3, 2, 2]
    codes = np.column_stack([rng.randint(k, size=40) for k in n_classes])
    codes[:, 3] = codes[:, 0]  # a task that copies another
    mask = rng.uniform(size=codes.shape) > 0.3
    mask[:, 0] = True
    filled = impute_from_observed_labels(codes, mask, n_classes)
    np.testing.assert_array_equal(filled[mask], codes[mask])
    for row, t in itertools.product(range(40), range(4)):
        if not mask[row, t]:
            expected = _naive_bayes_by_hand(codes, mask, n_classes, row, t)
            assert filled[row, t] == expected
    # the copy follows its original
    missing = ~mask[:, 3]
    np.testing.assert_array_equal(filled[missing, 3], codes[missing, 0])


def test_missing_labels_every_labelled_row_is_used():
    X, Y = _data()
    Y[::2, 1] = np.nan
    Y[1::2, 2] = np.nan  # no row is complete
    Y[5] = np.nan  # a row without any label is dropped
    clf = LabelPowersetClassifier(DummyClassifier(strategy="prior")).fit(X, Y)
    pred = clf.predict(X)
    assert pred.shape == Y.shape and not np.isnan(pred).any()
    # every labelled row counted: task 0 (always observed) has its frequency
    observed = np.delete(Y[:, 0], 5)
    np.testing.assert_allclose(clf.predict_proba(X[:1])[0][0, 1], observed.mean())


def test_one_combination_needs_no_estimator():
    X, _ = _data()
    Y = np.ones((X.shape[0], 2))
    with pytest.warns(ConstantTaskWarning):
        clf = LabelPowersetClassifier(LogisticRegression()).fit(X, Y)
    assert clf.estimator_ is None
    assert [p.shape for p in clf.predict_proba(X)] == [(80, 1), (80, 1)]
    np.testing.assert_array_equal(clf.predict(X), Y)


def test_member_of_the_ensemble_and_under_the_threshold_tuner():
    X, Y = _data(n=90)
    Y[:10, 1] = np.nan
    powerset = LabelPowersetClassifier(DecisionTreeClassifier(max_depth=3))
    ensemble = MultiTaskEnsembleClassifier(
        [("lr", LogisticRegression()), ("lp", powerset)],
        weights="cv",
        cv=3,
        random_state=0,
    ).fit(X, Y)
    # fitted once on all tasks (a joint member), not once per task
    assert isinstance(ensemble.named_estimators_["lp"], LabelPowersetClassifier)
    tuned = MultiTaskThresholdClassifier(powerset, cv=3, random_state=0).fit(X, Y)
    for model in (ensemble, tuned):
        assert model.predict(X).shape == Y.shape
