"""Tests of MultiTaskThresholdClassifier against thresholds tuned by hand."""

import pickle
import warnings

import joblib
import numpy as np
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import (
    accuracy_score,
    balanced_accuracy_score,
    f1_score,
    precision_score,
    recall_score,
)
from sklearn.model_selection import GridSearchCV, KFold
from sklearn.multioutput import MultiOutputClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from mtlearn.datasets import make_multitask_classification
from mtlearn.exceptions import ConstantTaskWarning
from mtlearn.model_selection import MultiTaskThresholdClassifier
from mtlearn.neural_network import SharedRepresentationClassifier

METRICS = {
    "f1": f1_score,
    "balanced_accuracy": balanced_accuracy_score,
    "accuracy": accuracy_score,
    "precision": lambda y, p: precision_score(y, p, zero_division=0),
    "recall": recall_score,
}


def _net(**params):
    defaults = dict(
        hidden_layer_sizes=(16,),
        max_iter=50,
        learning_rate_init=1e-2,
        early_stopping=False,
        dropout=0.0,
        dtype="float64",
        random_state=0,
    )
    return SharedRepresentationClassifier(**{**defaults, **params})


@pytest.fixture(scope="module")
def data():
    X, Y = make_multitask_classification(
        n_samples=240, n_features=8, n_informative=4, n_tasks=3, random_state=0
    )
    Y = Y.astype(float)
    rng = np.random.RandomState(1)
    Y[rng.rand(*Y.shape) < 0.15] = np.nan
    return X, Y


def _oof_probas(estimator, X, y, splits):
    """Out-of-fold probabilities of the positive class, per task, by hand."""
    rows, probas = [], []
    for train, test in splits:
        model = clone(estimator).fit(X[train], y[train])
        proba = model.predict_proba(X[test])
        proba = proba if isinstance(proba, list) else [proba]
        probas.append(np.column_stack([p[:, 1] for p in proba]))
        rows.append(test)
    return np.concatenate(rows), np.vstack(probas)


def _best_by_hand(metric, y_true, score, candidates):
    scores = np.array([metric(y_true, (score >= c).astype(int)) for c in candidates])
    tied = np.flatnonzero(scores >= scores.max() - 1e-12)
    best = tied[(tied.size - 1) // 2]
    return candidates[best], scores[best]


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_thresholds_maximise_f1_on_observed_out_of_fold_labels(data):
    X, Y = data
    splits = list(KFold(3, shuffle=True, random_state=0).split(X))
    clf = MultiTaskThresholdClassifier(
        _net(), cv=splits, thresholds=20, n_standard_errors=None
    ).fit(X, Y)
    rows, oof = _oof_probas(_net(), X, Y, splits)
    for t in range(3):
        observed = ~np.isnan(Y[rows, t])
        score, y_true = oof[observed, t], Y[rows, t][observed].astype(int)
        candidates = np.unique(np.quantile(score, np.linspace(0, 1, 20)))
        threshold, best = _best_by_hand(f1_score, y_true, score, candidates)
        assert clf.best_thresholds_[t] == pytest.approx(threshold)
        assert clf.best_scores_[t] == pytest.approx(best)
        np.testing.assert_allclose(clf.cv_results_[t]["thresholds"], candidates)


@pytest.mark.parametrize("scoring", sorted(METRICS))
def test_builtin_metrics_match_scikit_learn(scoring):
    X, Y = make_multitask_classification(
        n_samples=200, n_features=6, n_informative=3, n_tasks=1, random_state=2
    )
    y = Y[:, 0]
    splits = list(KFold(4, shuffle=True, random_state=0).split(X))
    lr = LogisticRegression()
    clf = MultiTaskThresholdClassifier(
        lr, scoring=scoring, cv=splits, n_standard_errors=None
    ).fit(X, y)
    rows, oof = _oof_probas(lr, X, y, splits)
    candidates = np.unique(np.quantile(oof[:, 0], np.linspace(0, 1, 100)))
    threshold, best = _best_by_hand(METRICS[scoring], y[rows], oof[:, 0], candidates)
    assert clf.best_thresholds_[0] == pytest.approx(threshold)
    assert clf.best_scores_[0] == pytest.approx(best)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_missing_labels_never_enter_the_metric(data):
    X, Y = data
    seen = []

    def metric(y_true, y_pred):
        assert not np.any(np.isnan(y_true))
        seen.append(y_true.size)
        return f1_score(y_true, y_pred)

    MultiTaskThresholdClassifier(_net(), scoring=metric, cv=3, thresholds=5).fit(X, Y)
    n_observed = (~np.isnan(Y)).sum(axis=0)
    # the pooled labels of each task, then parts of them (the gain rule)
    assert set(n_observed.tolist()) <= set(seen)
    assert max(seen) == n_observed.max()


def test_threshold_moves_down_on_an_imbalanced_task():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(400, 3))
    logit = 2 * X[:, 0] + rng.logistic(size=400)
    Y = np.column_stack([logit > 0, logit > 3]).astype(int)  # ~50% and ~10%
    assert 0.05 < Y[:, 1].mean() < 0.2
    thresholds = [
        MultiTaskThresholdClassifier(LogisticRegression(), cv=5, random_state=0)
        .fit(X, Y[:, t])
        .best_thresholds_[0]
        for t in range(2)
    ]
    assert thresholds[1] < thresholds[0]
    assert thresholds[1] < 0.4


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_predict_applies_thresholds_and_keeps_argmax_for_multiclass():
    X, Y = make_multitask_classification(
        n_samples=150, n_features=6, n_informative=3, n_tasks=3,
        n_classes=[2, 3, 2], random_state=0,
    )  # fmt: skip
    Y = Y.astype(object)
    Y[:, 2] = np.where(Y[:, 2] == 1, "yes", "no")
    Y[::7, 0] = None
    clf = MultiTaskThresholdClassifier(_net(), cv=3, random_state=0).fit(X, Y)
    assert np.isnan(clf.best_thresholds_[1]) and np.isnan(clf.best_scores_[1])
    assert clf.cv_results_[1] is None
    proba = clf.predict_proba(X)
    y_pred = clf.predict(X)
    for t in (0, 2):
        expected = clf.classes_[t][(proba[t][:, 1] >= clf.best_thresholds_[t]) * 1]
        np.testing.assert_array_equal(y_pred[:, t], expected)
    np.testing.assert_array_equal(
        y_pred[:, 1], clf.classes_[1][np.argmax(proba[1], axis=1)]
    )
    assert set(y_pred[:, 2]) <= {"yes", "no"}
    assert clf.n_tasks_ == 3 and clf.n_features_in_ == 6


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_pickle_parallel_and_task_names(data):
    pd = pytest.importorskip("pandas")
    X, Y = data
    frame = pd.DataFrame(Y, columns=["a", "b", "c"])
    clf = MultiTaskThresholdClassifier(_net(), cv=3, random_state=0).fit(X, frame)
    np.testing.assert_array_equal(clf.task_names_, ["a", "b", "c"])
    again = pickle.loads(pickle.dumps(clf))
    np.testing.assert_array_equal(again.predict(X), clf.predict(X))
    with joblib.parallel_backend("threading"):
        parallel = clone(clf).set_params(n_jobs=2).fit(X, frame)
    np.testing.assert_allclose(parallel.best_thresholds_, clf.best_thresholds_)
    assert 0 <= clf.score(X, Y) <= 1


def test_pipeline_and_grid_search():
    X, Y = make_multitask_classification(
        n_samples=120, n_features=5, n_informative=3, n_tasks=1, random_state=0
    )
    model = make_pipeline(
        StandardScaler(), MultiTaskThresholdClassifier(LogisticRegression(), cv=3)
    )
    search = GridSearchCV(
        model,
        {"multitaskthresholdclassifier__scoring": ["f1", "balanced_accuracy"]},
        cv=2,
    ).fit(X, Y[:, 0])
    assert search.predict(X).shape == (120,)
    assert search.best_estimator_[-1].decision_function(X).shape == (120,)


def test_refit_false_keeps_the_single_split_model_and_explicit_thresholds():
    X, Y = make_multitask_classification(
        n_samples=100, n_features=5, n_informative=3, n_tasks=1, random_state=0
    )
    y = Y[:, 0]
    split = [(np.arange(60), np.arange(60, 100))]
    grid = [0.2, 0.4, 0.6]
    clf = MultiTaskThresholdClassifier(
        LogisticRegression(), cv=split, refit=False, thresholds=grid
    ).fit(X, y)
    # one split gives no fold-to-fold spread: the gain rule keeps 0.5
    assert clf.abstained_[0] and clf.best_thresholds_[0] == 0.5
    assert clf.tuned_thresholds_[0] in grid
    clf.set_params(n_standard_errors=None).fit(X, y)
    assert clf.best_thresholds_[0] in grid and not clf.abstained_[0]
    reference = LogisticRegression().fit(X[:60], y[:60])
    np.testing.assert_allclose(clf.estimator_.coef_, reference.coef_)
    with pytest.raises(ValueError, match="single cross-validation split"):
        MultiTaskThresholdClassifier(LogisticRegression(), cv=3, refit=False).fit(X, y)


def test_one_class_left_by_sample_weight_keeps_the_default_threshold():
    X, Y = make_multitask_classification(
        n_samples=60, n_features=5, n_informative=3, n_tasks=1, random_state=0
    )
    y = Y[:, 0]
    clf = MultiTaskThresholdClassifier(LogisticRegression(), cv=3)
    clf.fit(X, y, sample_weight=(y == 1).astype(float))
    assert clf.best_thresholds_[0] == 0.5 and np.isnan(clf.best_scores_[0])
    assert clf.cv_results_[0] is None
    expected = clf.classes_[(clf.predict_proba(X)[:, 1] >= 0.5) * 1]
    np.testing.assert_array_equal(clf.predict(X), expected)


def _rare_labels(n_samples=80, seed=0):
    """Tasks: constant 0, positive in 1 row, positive in 3 rows, balanced."""
    X, Y = make_multitask_classification(
        n_samples=n_samples, n_features=5, n_informative=3, n_tasks=4,
        random_state=seed,
    )  # fmt: skip
    Y[:, 0] = 0
    Y[:, 1] = 0
    Y[7, 1] = 1
    Y[:, 2] = 0
    Y[[3, 17, 40], 2] = 1
    return X, Y


@pytest.mark.parametrize("scoring", ["f1", "micro_f1"])
def test_constant_and_rare_labels_with_any_classifier(scoring):
    X, Y = _rare_labels()
    clf = MultiTaskThresholdClassifier(
        MultiOutputClassifier(LogisticRegression()), scoring=scoring, cv=5,
        random_state=0,
    )  # fmt: skip
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        clf.fit(X, Y)
    constant = [w for w in caught if issubclass(w.category, ConstantTaskWarning)]
    assert len(constant) == 1 and "task 0" in str(constant[0].message)
    # task 0 constant; task 1 lacks a positive in a training part: default
    assert np.isnan(clf.best_thresholds_[0]) and clf.cv_results_[0] is None
    assert clf.best_thresholds_[1] == 0.5 and np.isnan(clf.best_scores_[1])
    assert clf.cv_results_[2] is not None and clf.cv_results_[3] is not None
    assert np.all(np.isfinite(clf.best_scores_[2:]))
    np.testing.assert_array_equal(clf.classes_[0], [0])
    proba = clf.predict_proba(X)
    assert len(proba) == 4
    np.testing.assert_array_equal(proba[0], np.ones((80, 1)))
    y_pred = clf.predict(X)
    assert np.all(y_pred[:, 0] == 0)
    np.testing.assert_array_equal(y_pred[:, 1], proba[1][:, 1] >= 0.5)
    # the estimator was fitted on the three non-constant tasks only
    assert len(clf.estimator_.estimators_) == 3


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_every_task_constant_and_decision_function():
    X, _ = make_multitask_classification(
        n_samples=30, n_features=4, n_informative=2, n_tasks=1, random_state=0
    )
    y = np.full(30, "yes")
    clf = MultiTaskThresholdClassifier(LogisticRegression(), cv=3)
    with pytest.warns(ConstantTaskWarning, match="task 0"):
        clf.fit(X, y)
    assert clf.estimator_ is None and np.isnan(clf.best_thresholds_[0])
    np.testing.assert_array_equal(clf.predict(X), y)
    np.testing.assert_array_equal(clf.predict_proba(X), np.ones((30, 1)))
    np.testing.assert_array_equal(clf.decision_function(X), np.zeros(30))
    # a constant task next to a binary one: decision_function per task
    Y = np.column_stack([np.zeros(30), np.arange(30) % 2])
    net = _net(max_iter=5)
    with pytest.warns(ConstantTaskWarning):
        clf = MultiTaskThresholdClassifier(net, cv=3).fit(X, Y)
    scores = clf.decision_function(X)
    assert scores.shape == (30, 2) and np.all(scores[:, 0] == 0)


@pytest.mark.filterwarnings("ignore::mtlearn.exceptions.ConstantTaskWarning")
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.UndefinedMetricWarning")
def test_grid_search_with_five_folds_on_rare_labels():
    from mtlearn.metrics import make_multitask_scorer

    X, Y = _rare_labels(n_samples=60)
    search = GridSearchCV(
        MultiTaskThresholdClassifier(
            MultiOutputClassifier(LogisticRegression()), cv=3, thresholds=10
        ),
        {"scoring": ["f1"]},
        cv=KFold(5),
        scoring=make_multitask_scorer("f1", average="micro"),
        error_score="raise",
    ).fit(X, Y)
    assert np.isfinite(search.best_score_)
    assert search.predict(X).shape == Y.shape


def test_hostile_parameters_and_cv_get_clear_errors():
    X, Y = make_multitask_classification(
        n_samples=40, n_features=4, n_informative=2, n_tasks=1, random_state=0
    )
    y = Y[:, 0]
    lr = LogisticRegression()
    with pytest.raises(ValueError, match="requires y to be passed"):
        MultiTaskThresholdClassifier(lr).fit(X, None)
    bad_cv = [(np.arange(30), np.arange(30, 45))]
    with pytest.raises(ValueError, match="cv gave row indices out of range"):
        MultiTaskThresholdClassifier(lr, cv=bad_cv).fit(X, y)
    with pytest.raises(ValueError, match="cv must be an int, a cross-validation"):
        MultiTaskThresholdClassifier(lr, cv={"a": 1}).fit(X, y)
    with pytest.raises(ValueError, match=r"cv must give \(train, test\) pairs"):
        MultiTaskThresholdClassifier(lr, cv=[np.arange(10)]).fit(X, y)
    with pytest.raises(ValueError, match="thresholds"):
        MultiTaskThresholdClassifier(lr, thresholds=10**12).fit(X, y)
    with pytest.raises(ValueError, match="cv gave an empty train part"):
        MultiTaskThresholdClassifier(lr, cv=[([], np.arange(40))]).fit(X, y)
    with pytest.raises(ValueError, match="cv gave a train part .* not a 1-D"):
        MultiTaskThresholdClassifier(lr, cv=[(np.zeros((2, 2)), [1])]).fit(X, y)
    with pytest.raises(ValueError, match="scoring returned NaN at every"):
        MultiTaskThresholdClassifier(lr, scoring=lambda a, b: np.nan).fit(X, y)
    with pytest.raises(ValueError, match="scoring must return a single number"):
        MultiTaskThresholdClassifier(lr, scoring=lambda a, b: [1.0]).fit(X, y)
    with pytest.raises(ValueError, match="scoring must return a number"):
        MultiTaskThresholdClassifier(lr, scoring=lambda a, b: "a").fit(X, y)
    with pytest.raises(ValueError, match="thresholds must be an int or an array"):
        MultiTaskThresholdClassifier(lr, thresholds=["a", 0.5]).fit(X, y)
    with pytest.raises(ValueError, match="thresholds must be an int"):
        MultiTaskThresholdClassifier(lr, thresholds=True).fit(X, y)
    for weight in ([-1.0] + [1.0] * 39, [np.nan] + [1.0] * 39, np.ones(3)):
        with pytest.raises(ValueError, match="sample_weight"):
            MultiTaskThresholdClassifier(lr).fit(X, y, sample_weight=weight)


def test_nan_scores_are_the_worst():
    X, Y = make_multitask_classification(
        n_samples=80, n_features=4, n_informative=2, n_tasks=1, random_state=0
    )
    y = Y[:, 0]

    def precision_or_nan(y_true, y_pred):
        if not np.any(y_pred == 1):
            return np.nan
        return precision_score(y_true, y_pred)

    grid = [0.1, 0.5, 0.999999]  # the last one predicts no positive
    clf = MultiTaskThresholdClassifier(
        LogisticRegression(), scoring=precision_or_nan, thresholds=grid, cv=4
    ).fit(X, y)
    assert np.isnan(clf.cv_results_[0]["scores"][-1])
    assert clf.best_thresholds_[0] in grid[:2]


def test_joint_micro_f1_is_coordinatewise_optimal_and_matches_sklearn():
    from sklearn.metrics import f1_score

    from mtlearn.model_selection._classification_threshold import (
        _confusion_counts,
        _joint_micro_f1,
    )

    rng = np.random.default_rng(0)
    n, n_tasks = 300, 4
    y = rng.random((n, n_tasks)) < np.array([0.5, 0.2, 0.08, 0.3])
    proba = np.clip(0.3 * y + 0.7 * rng.random((n, n_tasks)), 0, 1)
    grids = [
        np.unique(np.quantile(proba[:, t], np.linspace(0, 1, 25))) for t in range(4)
    ]
    counts = [
        _confusion_counts(y[:, t], proba[:, t], grids[t], np.ones(n))
        for t in range(n_tasks)
    ]
    start = [int(np.argmin(np.abs(g - 0.5))) for g in grids]
    chosen, micro = _joint_micro_f1(counts, start)

    def pooled(indices):
        pred = np.column_stack(
            [proba[:, t] >= grids[t][i] for t, i in enumerate(indices)]
        )
        return f1_score(y, pred, average="micro")

    assert micro == pytest.approx(pooled(chosen))
    assert micro >= pooled(start)
    for t in range(n_tasks):  # no single task can do better alone
        for i in range(len(grids[t])):
            trial = list(chosen)
            trial[t] = i
            assert pooled(trial) <= micro + 1e-12


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_micro_f1_scoring_tunes_all_binary_tasks_together():
    from sklearn.linear_model import LogisticRegression
    from sklearn.multioutput import MultiOutputClassifier

    from mtlearn.datasets import make_multitask_classification
    from mtlearn.model_selection import MultiTaskThresholdClassifier

    X, Y = make_multitask_classification(
        300, 8, n_tasks=3, n_informative=5, random_state=0
    )
    clf = MultiTaskThresholdClassifier(
        MultiOutputClassifier(LogisticRegression()),
        scoring="micro_f1",
        cv=3,
        random_state=0,
    ).fit(X, Y)
    assert np.all(clf.best_scores_ == clf.best_scores_[0])
    assert 0 < clf.best_scores_[0] <= 1
    proba = clf.predict_proba(X)
    expected = np.column_stack(
        [proba[t][:, 1] >= clf.best_thresholds_[t] for t in range(3)]
    ).astype(int)
    np.testing.assert_array_equal(clf.predict(X), expected)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("container", ["array", "sparse", "frame"])
def test_row_without_labels_does_not_change_the_fit(container):
    X, Y = make_multitask_classification(
        n_samples=60, n_features=4, n_informative=2, n_tasks=2, random_state=0
    )
    Y = Y.astype(float)
    weight = np.random.RandomState(0).uniform(0.5, 2.0, size=60)
    # row 30: no label, far from the others, a large weight
    X_extra = np.insert(X, 30, 5.0, axis=0)
    Y_extra = np.insert(Y, 30, np.nan, axis=0)
    weight_extra = np.insert(weight, 30, 10.0)
    if container == "sparse":
        sparse = pytest.importorskip("scipy.sparse")
        X, X_extra = sparse.csr_matrix(X), sparse.csr_matrix(X_extra)
    elif container == "frame":
        pd = pytest.importorskip("pandas")
        X, X_extra = pd.DataFrame(X), pd.DataFrame(X_extra)
        Y, Y_extra = pd.DataFrame(Y), pd.DataFrame(Y_extra)
    clf = MultiTaskThresholdClassifier(
        _net(dropout=0.3, max_iter=20), cv=3, thresholds=20, random_state=0
    )
    reference = clone(clf).fit(X, Y, sample_weight=weight)
    fitted = clone(clf).fit(X_extra, Y_extra, sample_weight=weight_extra)
    np.testing.assert_array_equal(fitted.best_thresholds_, reference.best_thresholds_)
    np.testing.assert_array_equal(fitted.predict(X), reference.predict(X))
    for got, expected in zip(fitted.predict_proba(X), reference.predict_proba(X)):
        np.testing.assert_allclose(got, expected)


def _fold_gain_by_hand(metric, y, oof, splits, n_candidates=100):
    """Per fold: metric at the threshold tuned on the other folds minus at 0.5."""
    sizes = [test.size for _, test in splits]
    fold = np.repeat(np.arange(len(splits)), sizes)
    gains = []
    for k in range(len(splits)):
        other, test = fold != k, fold == k
        grid = np.unique(np.quantile(oof[other], np.linspace(0, 1, n_candidates)))
        tuned, _ = _best_by_hand(metric, y[other], oof[other], grid)
        gains.append(
            metric(y[test], (oof[test] >= tuned).astype(int))
            - metric(y[test], (oof[test] >= 0.5).astype(int))
        )
    return np.array(gains)


@pytest.mark.parametrize("scoring", ["f1", "accuracy"])
def test_gain_rule_matches_a_recomputation_by_hand(scoring):
    X, Y = make_multitask_classification(
        n_samples=200, n_features=6, n_informative=3, n_tasks=1, random_state=2
    )
    y = Y[:, 0]
    splits = list(KFold(5, shuffle=True, random_state=0).split(X))
    lr = LogisticRegression()
    clf = MultiTaskThresholdClassifier(
        lr, scoring=scoring, cv=splits, thresholds=20
    ).fit(X, y)
    rows, oof = _oof_probas(lr, X, y, splits)
    gains = _fold_gain_by_hand(METRICS[scoring], y[rows], oof[:, 0], splits, 20)
    mean, se = gains.mean(), gains.std(ddof=1) / np.sqrt(gains.size)
    assert clf.threshold_gain_[0] == pytest.approx(mean)
    assert clf.threshold_gain_se_[0] == pytest.approx(se)
    assert clf.abstained_[0] == (not mean > se)
    kept = clf.tuned_thresholds_[0] if mean > se else 0.5
    assert clf.best_thresholds_[0] == kept
    # the score stored is the pooled out-of-fold score of the kept threshold
    pooled = METRICS[scoring](y[rows], (oof[:, 0] >= kept).astype(int))
    assert clf.best_scores_[0] == pytest.approx(pooled)


def test_noise_abstains_and_default_folds_are_deterministic():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(300, 4))
    Y = (rng.rand(300, 3) < 0.5).astype(int)  # labels independent of X
    make = lambda: MultiTaskThresholdClassifier(  # noqa: E731
        MultiOutputClassifier(LogisticRegression()), scoring="accuracy"
    )
    clf = make().fit(X, Y)
    assert clf.abstained_.all()
    np.testing.assert_array_equal(clf.best_thresholds_, 0.5)
    np.testing.assert_array_equal(clf.predict(X), clf.estimator_.predict(X))
    # the defaults fix the folds: the same command, the same outcome
    again = make().fit(X, Y)
    np.testing.assert_array_equal(again.tuned_thresholds_, clf.tuned_thresholds_)
    np.testing.assert_array_equal(again.threshold_gain_, clf.threshold_gain_)


@pytest.mark.parametrize("scoring", ["f1", "micro_f1"])
def test_rare_label_with_folds_without_positives(scoring):
    X, Y = make_multitask_classification(
        n_samples=80, n_features=5, n_informative=3, n_tasks=2, random_state=0
    )
    Y[:, 1] = 0
    Y[:3, 1] = 1  # three positives: two of five test folds hold none
    clf = MultiTaskThresholdClassifier(
        MultiOutputClassifier(LogisticRegression()), scoring=scoring, cv=5
    ).fit(X, Y)
    assert np.isfinite(clf.threshold_gain_).all()
    if scoring == "f1":
        assert clf.abstained_[1]  # too thin to move the threshold
    assert clf.predict(X).shape == (80, 2)


def test_joint_rule_keeps_or_drops_all_thresholds_together():
    X, Y = make_multitask_classification(
        300, 8, n_tasks=3, n_informative=5, random_state=0
    )
    base = MultiOutputClassifier(LogisticRegression())
    splits = list(KFold(3, shuffle=True, random_state=0).split(X))
    kept = MultiTaskThresholdClassifier(
        base, scoring="micro_f1", cv=splits, n_standard_errors=None
    ).fit(X, Y)
    strict = MultiTaskThresholdClassifier(
        base, scoring="micro_f1", cv=splits, n_standard_errors=1e9
    ).fit(X, Y)
    assert not kept.abstained_.any() and strict.abstained_.all()
    np.testing.assert_array_equal(kept.best_thresholds_, kept.tuned_thresholds_)
    np.testing.assert_array_equal(strict.tuned_thresholds_, kept.tuned_thresholds_)
    np.testing.assert_array_equal(strict.best_thresholds_, 0.5)
    assert np.all(kept.threshold_gain_ == kept.threshold_gain_[0])
    # the pooled micro-F1 at 0.5, by scikit-learn, on the out-of-fold rows
    rows, oof = _oof_probas(base, X, Y, splits)
    expected = f1_score(Y[rows], (oof >= 0.5).astype(int), average="micro")
    assert strict.best_scores_[0] == pytest.approx(expected)


# -- cv="oof": the estimator's own out-of-fold probabilities -------------------
class _OwnFolds(ClassifierMixin, BaseEstimator):
    """Probabilities that depend on the row only (a fixed function of X), so
    a model fitted on any rows predicts the same: its "out-of-fold"
    probabilities are its predictions, on folds given by ``fold_of(X)``."""

    def __init__(self, n_folds=4):
        self.n_folds = n_folds

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_label = True
        return tags

    def fit(self, X, Y):
        Y = np.asarray(Y, dtype=float)
        self.classes_ = [np.unique(c[~np.isnan(c)]) for c in Y.T]
        self.oof_outputs_ = self.predict_proba(X)
        for t, p in enumerate(self.oof_outputs_):
            p[np.isnan(Y[:, t])] = np.nan  # no output where the label is missing
        self.oof_fold_ = _fold_of(X, self.n_folds)
        return self

    def predict_proba(self, X):
        X = np.asarray(X)
        out = []
        for t in range(len(self.classes_)):
            p = 1 / (1 + np.exp(-(X[:, t] + 0.3 * X[:, -1])))
            out.append(np.column_stack([1 - p, p]))
        return out


def _fold_of(X, n_folds):
    # a function of each row alone: the same fold whichever rows are given
    return (np.floor(np.abs(np.asarray(X)[:, -2]) * 1000) % n_folds).astype(int)


@pytest.mark.parametrize("scoring", ["f1", "micro_f1", "balanced_accuracy"])
def test_own_out_of_fold_equals_cross_validation_on_the_same_folds(data, scoring):
    # reference: the usual cross-validation path on the same folds, where each
    # fold's model predicts what the estimator's own out-of-fold outputs hold
    X, Y = data
    fold = _fold_of(X, 4)
    splits = [(np.flatnonzero(fold != k), np.flatnonzero(fold == k)) for k in range(4)]
    own = MultiTaskThresholdClassifier(_OwnFolds(), scoring=scoring, cv="oof")
    given = MultiTaskThresholdClassifier(_OwnFolds(), scoring=scoring, cv=splits)
    own.fit(X, Y)
    given.fit(X, Y)
    for name in ("best_thresholds_", "tuned_thresholds_", "threshold_gain_",
                 "threshold_gain_se_", "best_scores_", "abstained_"):  # fmt: skip
        np.testing.assert_allclose(getattr(own, name), getattr(given, name))
    np.testing.assert_array_equal(own.predict(X), given.predict(X))


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_own_out_of_fold_with_the_ensemble_fits_it_once(data):
    from mtlearn.ensemble import MultiTaskEnsemble

    X, Y = data
    Y = Y.copy()
    Y[:3] = np.nan  # rows without labels: out of the folds
    ensemble = MultiTaskEnsemble(
        [("lr", LogisticRegression()), ("net", _net(max_iter=20))],
        weights="cv",
        cv=3,
        random_state=0,
    )
    clf = MultiTaskThresholdClassifier(ensemble, scoring="micro_f1", cv="oof")
    clf.fit(X, Y)
    fitted = clf.estimator_
    labelled = ~np.isnan(Y).all(axis=1)  # the rows the ensemble was given
    assert isinstance(fitted, MultiTaskEnsemble)
    assert fitted.oof_fold_.shape == (labelled.sum(),)
    assert set(np.unique(fitted.oof_fold_)) == {0, 1, 2}
    for t, output in enumerate(fitted.oof_outputs_):
        observed = ~np.isnan(Y[labelled, t])
        # an out-of-fold probability for every labelled cell, summing to one
        np.testing.assert_allclose(output[observed].sum(axis=1), 1.0)
        assert np.isnan(output[~observed]).all()
    assert np.isfinite(clf.best_thresholds_).all()
    assert clf.predict(X).shape == Y.shape


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_own_out_of_fold_needs_an_estimator_that_has_them(data):
    X, Y = data
    with pytest.raises(ValueError, match="cv='oof'.*oof_outputs_"):
        MultiTaskThresholdClassifier(_net(max_iter=5), cv="oof").fit(X, Y)
    with pytest.raises(ValueError, match="cv='oof'.*refit=True"):
        MultiTaskThresholdClassifier(_OwnFolds(), cv="oof", refit=False).fit(X, Y)
