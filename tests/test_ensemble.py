"""Tests of mtlearn.ensemble against references built by hand."""

import pickle
import re
from pathlib import Path

import joblib
import numpy as np
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.dummy import DummyClassifier
from sklearn.ensemble import RandomForestClassifier, StackingClassifier
from sklearn.linear_model import LinearRegression, LogisticRegression, Ridge
from sklearn.model_selection import GridSearchCV, KFold
from sklearn.neighbors import KNeighborsClassifier
from sklearn.svm import SVC
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor
from sklearn.utils import get_tags

from mtlearn.ensemble import (
    MultiTaskEnsemble,
    MultiTaskEnsembleClassifier,
    MultiTaskEnsembleRegressor,
)
from mtlearn.neural_network import SharedRepresentationClassifier


def _data(n=200, seed=0):
    """Task 0 linear, task 1 a band (linear models at chance), task 2 three
    classes."""
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n, 4))
    Y = np.column_stack(
        [
            X[:, 0] + 0.5 * X[:, 1] > 0,
            np.abs(X[:, 2]) > 0.7,
            np.digitize(X[:, 1], [-0.5, 0.5]),
        ]
    ).astype(float)
    return X, Y


def _members():
    return [
        ("lr", LogisticRegression()),
        ("tree", DecisionTreeClassifier(max_depth=4, random_state=0)),
    ]


def _small_network(**params):
    return SharedRepresentationClassifier(
        hidden_layer_sizes=(16,),
        early_stopping=False,
        max_iter=30,
        learning_rate_init=1e-2,
        random_state=0,
        **params,
    )


def _by_hand(member, X, Y, method):
    """Per task, a member's output fitted as the ensemble must fit it: once on
    all tasks if it is multi-output (the tree, k-NN; Y has no missing label
    here), else once per task (logistic regression)."""
    if get_tags(member).target_tags.multi_output:
        out = getattr(clone(member).fit(X, Y), method)(X)
        return list(out) if method == "predict_proba" else list(out.T)
    return [getattr(clone(member).fit(X, y), method)(X) for y in Y.T]


class RecordingClassifier(ClassifierMixin, BaseEstimator):
    """Remembers the rows (X[:, 0] holds the row index) and labels it saw."""

    def fit(self, X, y):
        self.rows_ = X[:, 0].astype(int)
        self.y_ = np.asarray(y).copy()
        self.classes_ = np.unique(y)
        return self

    def predict_proba(self, X):
        return np.full((X.shape[0], len(self.classes_)), 1 / len(self.classes_))

    def predict(self, X):
        return np.full(X.shape[0], self.classes_[0])


class FailingClassifier(ClassifierMixin, BaseEstimator):
    """Fails on any task with more than two classes."""

    def fit(self, X, y):
        if np.unique(y).size > 2:
            raise RuntimeError("cannot do multiclass")
        self.classes_ = np.unique(y)
        return self

    def predict_proba(self, X):
        return np.full((X.shape[0], 2), 0.5)


def test_alias():
    assert MultiTaskEnsemble is MultiTaskEnsembleClassifier


def test_soft_voting_is_the_weighted_mean_of_member_probabilities():
    X, Y = _data()
    weights = np.array([[1.0, 3.0, 1.0], [2.0, 1.0, 1.0]])
    ensemble = MultiTaskEnsemble(_members(), weights=weights).fit(X, Y)
    proba = ensemble.predict_proba(X)
    assert ensemble.predict(X).shape == Y.shape
    lr, tree = (_by_hand(m, X, Y, "predict_proba") for _, m in _members())
    for t in range(Y.shape[1]):
        w = weights[:, t] / weights[:, t].sum()
        expected = w[0] * lr[t] + w[1] * tree[t]
        np.testing.assert_allclose(proba[t], expected, rtol=1e-10)
        np.testing.assert_array_equal(
            ensemble.predict(X)[:, t], ensemble.classes_[t][expected.argmax(axis=1)]
        )
    np.testing.assert_allclose(ensemble.weights_, weights / weights.sum(axis=0))


def test_hard_voting_is_the_weighted_majority():
    X, Y = _data()
    members = _members() + [("knn", KNeighborsClassifier(3))]
    weights = [2.0, 1.0, 1.5]
    ensemble = MultiTaskEnsemble(members, voting="hard", weights=weights).fit(X, Y)
    assert not hasattr(ensemble, "predict_proba")
    predictions = [_by_hand(m, X, Y, "predict") for _, m in members]
    for t in range(Y.shape[1]):
        votes = np.zeros((X.shape[0], 3))
        for pred, w in zip(predictions, weights):
            votes[np.arange(X.shape[0]), pred[t].astype(int)] += w
        np.testing.assert_array_equal(ensemble.predict(X)[:, t], votes.argmax(axis=1))


def test_single_task_members_see_observed_rows_only_never_imputed():
    X, Y = _data(60)
    X = np.column_stack([np.arange(60), X])
    Y[::3, 0] = np.nan
    Y[1::4, 2] = np.nan
    ensemble = MultiTaskEnsemble(
        [("rec", RecordingClassifier())], weights="cv", cv=3, random_state=0
    ).fit(X, Y)
    fitted = ensemble.named_estimators_["rec"]
    assert len(fitted) == 3
    for t, member in enumerate(fitted):
        observed = np.flatnonzero(~np.isnan(Y[:, t]))
        np.testing.assert_array_equal(member.rows_, observed)
        assert not np.isnan(member.y_).any()  # no label is ever filled in
        np.testing.assert_array_equal(member.y_, Y[observed, t])


def test_multi_output_member_without_missing_label_support():
    X, Y = _data()
    forest = ("rf", RandomForestClassifier(10, random_state=0))
    joint = MultiTaskEnsemble([forest]).fit(X, Y)
    assert isinstance(joint.estimators_[0], RandomForestClassifier)  # one fit
    Y[:20, 1] = np.nan
    per_task = MultiTaskEnsemble([forest]).fit(X, Y)  # NaN: fitted per task
    assert [type(e) for e in per_task.estimators_[0]] == [RandomForestClassifier] * 3
    assert per_task.estimators_[0][1].n_features_in_ == 4


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_mtlearn_member_is_fitted_once_on_all_tasks_with_missing_labels():
    X, Y = _data()
    Y[:30, 0] = np.nan
    ensemble = MultiTaskEnsemble(
        [("net", _small_network()), ("lr", LogisticRegression())],
        weights="cv",
        cv=3,
        random_state=0,
    ).fit(X, Y)
    assert isinstance(ensemble.estimators_[0], SharedRepresentationClassifier)
    assert len(ensemble.estimators_[1]) == 3
    assert ensemble.score(X, Y) > 0.8


def test_cv_weights_favour_the_better_member():
    X, Y = _data(300)
    members = _members() + [("prior", DummyClassifier())]
    ensemble = MultiTaskEnsemble(members, weights="cv", random_state=0).fit(X, Y)
    weights = ensemble.weights_
    np.testing.assert_allclose(weights.sum(axis=0), 1.0)
    # task 1 is a band: the linear model is at chance there, the tree is not
    assert weights[1, 1] > 0.7 and weights[0, 1] < 0.05
    assert weights[0, 0] > 0.9  # and the other way round on the linear task
    # the constant prior never beats chance; it only shrinks a weak member
    assert np.all(weights[2] < 0.3)
    assert np.all(ensemble.cv_skills_[2] <= 1e-12)
    assert ensemble.cv_skills_[1, 1] > 0.2 and ensemble.cv_skills_[0, 1] < 0.05
    assert ensemble.score(X, Y) >= MultiTaskEnsemble(members).fit(X, Y).score(X, Y)


def test_stacking_matches_stacking_classifier_on_a_complete_task():
    X, Y = _data()
    Y[:40, 1] = np.nan  # another task has missing labels; task 0 has none
    folds = KFold(5, shuffle=True, random_state=0)
    ensemble = MultiTaskEnsemble(
        _members(), final_estimator=LogisticRegression(), cv=folds
    ).fit(X, Y)
    reference = StackingClassifier(
        _members(), final_estimator=LogisticRegression(), cv=folds
    ).fit(X, Y[:, 0])
    np.testing.assert_allclose(
        ensemble.predict_proba(X)[0], reference.predict_proba(X), rtol=1e-8
    )
    np.testing.assert_array_equal(ensemble.predict(X)[:, 0], reference.predict(X))
    # transform: task by task, member by member; binary tasks one column each
    np.testing.assert_allclose(ensemble.transform(X)[:, :2], reference.transform(X))
    assert ensemble.transform(X).shape == (200, 2 + 2 + 2 * 3)


def test_stacking_skips_folds_without_labels():
    X, Y = _data(90)
    Y[:30, 1] = np.nan  # the first fold of an unshuffled 3-fold split
    ensemble = MultiTaskEnsemble(
        _members(), final_estimator=LogisticRegression(), cv=KFold(3)
    ).fit(X, Y)
    assert ensemble.final_estimators_[1].n_features_in_ == 2
    assert ensemble.score(X, Y) > 0.7


def test_string_labels_and_task_names():
    pd = pytest.importorskip("pandas")
    X, Y = _data()
    frame = pd.DataFrame(
        {"sign": np.where(Y[:, 0] == 1, "pos", "neg"), "xor": Y[:, 1]},
    )
    frame.loc[:9, "sign"] = None
    ensemble = MultiTaskEnsemble(_members()).fit(X, frame)
    assert list(ensemble.task_names_) == ["sign", "xor"]
    assert set(ensemble.predict(X)[:, 0]) <= {"neg", "pos"}
    assert ensemble.score(X, frame) > 0.8


def test_grid_search_over_member_parameters():
    X, Y = _data()
    ensemble = MultiTaskEnsemble(_members())
    assert ensemble.get_params()["tree__max_depth"] == 4
    search = GridSearchCV(ensemble, {"tree__max_depth": [1, 4], "lr__C": [1.0]}, cv=3)
    search.fit(X, Y)
    assert search.best_params_["tree__max_depth"] == 4
    assert search.best_estimator_.named_estimators_["tree"].max_depth == 4


def test_pickle_round_trip():
    X, Y = _data()
    ensemble = MultiTaskEnsemble(_members(), weights="cv", cv=3, random_state=0).fit(
        X, Y
    )
    restored = pickle.loads(pickle.dumps(ensemble))
    np.testing.assert_array_equal(restored.predict(X), ensemble.predict(X))
    np.testing.assert_array_equal(restored.weights_, ensemble.weights_)


def test_parallel_backends_give_the_same_fit():
    X, Y = _data()
    Y[:20, 2] = np.nan
    params = dict(final_estimator=LogisticRegression(), cv=3, random_state=0)
    serial = MultiTaskEnsemble(_members(), **params).fit(X, Y)
    with joblib.parallel_backend("threading", n_jobs=2):
        threaded = MultiTaskEnsemble(_members(), **params).fit(X, Y)
    for a, b in zip(serial.predict_proba(X), threaded.predict_proba(X)):
        np.testing.assert_array_equal(a, b)


def test_regressor_averaging_and_cv_weights():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(200, 3))
    Y = np.column_stack([X[:, 0] - X[:, 1], np.abs(X[:, 2])])
    Y[:30, 0] = np.nan
    members = [
        ("lin", LinearRegression()),
        ("tree", DecisionTreeRegressor(random_state=0)),
    ]
    mean = MultiTaskEnsembleRegressor(members).fit(X, Y)
    rows = ~np.isnan(Y[:, 0])
    by_hand = [clone(m).fit(X[rows], Y[rows, 0]).predict(X) for _, m in members]
    np.testing.assert_allclose(mean.predict(X)[:, 0], np.mean(by_hand, axis=0))
    weighted = MultiTaskEnsembleRegressor(members, weights="cv", random_state=0)
    weighted.fit(X, Y)
    assert weighted.weights_[0, 0] > 0.9  # linear wins the linear task
    assert weighted.weights_[1, 1] > 0.9  # the tree wins |x|
    stacked = MultiTaskEnsembleRegressor(
        members, final_estimator=Ridge(), random_state=0
    ).fit(X, Y)
    assert stacked.score(X, Y) > 0.9
    assert stacked.predict(X[:, :3]).shape == (200, 2)


def test_errors_name_the_member_and_the_task():
    X, Y = _data()
    with pytest.raises(ValueError, match="Member 'svc' .*predict_proba"):
        MultiTaskEnsemble([("svc", SVC())]).fit(X, Y)
    MultiTaskEnsemble([("svc", SVC())], voting="hard").fit(X, Y)
    with pytest.raises(
        ValueError, match=r"Member 'bad' failed to fit on task 2: RuntimeError"
    ) as info:
        MultiTaskEnsemble(_members() + [("bad", FailingClassifier())]).fit(X, Y)
    assert isinstance(info.value.__cause__, RuntimeError)
    with pytest.raises(ValueError, match=re.escape("(n_estimators, n_tasks) = (2, 3)")):
        MultiTaskEnsemble(_members(), weights=[1, 2, 3]).fit(X, Y)
    with pytest.raises(ValueError, match="all zero for task 1"):
        MultiTaskEnsemble(_members(), weights=[[1, 0, 1], [1, 0, 1]]).fit(X, Y)
    with pytest.raises(ValueError, match="not unique"):
        MultiTaskEnsemble([("a", LogisticRegression())] * 2).fit(X, Y)
    with pytest.raises(ValueError, match="task 1 has one class only"):
        MultiTaskEnsemble(_members()).fit(X, np.column_stack([Y[:, 0], Y[:, 0] * 0]))


# -- dask ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def dask_client():
    distributed = pytest.importorskip(
        "dask.distributed",
        reason="dask.distributed is not installed (pip install 'dask[distributed]')",
    )
    cluster = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
    )
    client = distributed.Client(cluster)
    yield client
    client.close()
    cluster.close()


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_dask_backend_gives_the_local_results(dask_client):
    X, Y = _data()
    search = GridSearchCV(_small_network(), {"alpha": [1e-4, 1e-1]}, cv=2)
    Y_complete = Y.copy()
    local_search = clone(search).fit(X, Y_complete)
    Y[:20, 1] = np.nan
    ensemble = MultiTaskEnsemble(
        [("net", _small_network())] + _members(),
        weights="cv",
        cv=3,
        random_state=0,
    )
    local_fit = clone(ensemble).fit(X, Y)
    with joblib.parallel_backend("dask"):
        dask_fit = clone(ensemble).fit(X, Y)
        dask_search = clone(search).fit(X, Y_complete)
    np.testing.assert_array_equal(dask_fit.weights_, local_fit.weights_)
    for a, b in zip(dask_fit.predict_proba(X), local_fit.predict_proba(X)):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(
        dask_search.cv_results_["mean_test_score"],
        local_search.cv_results_["mean_test_score"],
    )
    assert dask_search.best_params_ == local_search.best_params_


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_readme_dask_section_runs():
    pytest.importorskip("dask.distributed", reason="dask.distributed is not installed")
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    section = readme.split("## Running on a dask cluster", 1)[1]
    blocks = re.findall(r"```py\n(.*?)```", section, flags=re.S)
    assert blocks
    for block in blocks:
        exec(compile(block, "README.md", "exec"), {})


def test_members_say_whether_they_take_missing_labels():
    from sklearn.linear_model import LogisticRegression
    from sklearn.multioutput import MultiOutputClassifier
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from mtlearn._mixins import accepts_missing_labels
    from mtlearn.model_selection import MultiTaskThresholdClassifier
    from mtlearn.neural_network import SharedRepresentationClassifier

    network = SharedRepresentationClassifier()
    assert accepts_missing_labels(network)
    assert accepts_missing_labels(make_pipeline(StandardScaler(), network))
    assert accepts_missing_labels(MultiTaskThresholdClassifier(network))
    assert not accepts_missing_labels(LogisticRegression())
    multi_output = MultiOutputClassifier(LogisticRegression())
    assert not accepts_missing_labels(MultiTaskThresholdClassifier(multi_output))
