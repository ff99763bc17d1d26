"""Tests of mtlearn.ensemble against references built by hand."""

import pickle
import re
from pathlib import Path

import joblib
import numpy as np
import pytest
from sklearn.base import (
    BaseEstimator,
    ClassifierMixin,
    RegressorMixin,
    clone,
    is_regressor,
)
from sklearn.datasets import make_multilabel_classification
from sklearn.dummy import DummyClassifier
from sklearn.ensemble import RandomForestClassifier, StackingClassifier
from sklearn.linear_model import LinearRegression, LogisticRegression, Ridge
from sklearn.model_selection import GridSearchCV, KFold
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor
from sklearn.utils import get_tags
from threadpoolctl import threadpool_limits

from mtlearn.ensemble import (
    MultiTaskEnsemble,
    MultiTaskEnsembleClassifier,
    MultiTaskEnsembleRegressor,
)
from mtlearn.ensemble._base import combine
from mtlearn.exceptions import ConstantTaskWarning
from mtlearn.linear_model import MultiTaskLinearRegression
from mtlearn.model_selection import MultilabelStratifiedKFold
from mtlearn.neural_network import SharedRepresentationClassifier


@pytest.fixture(autouse=True, scope="module")
def _one_blas_thread():
    # tiny problems: BLAS threads only contend on a shared machine
    with threadpool_limits(1):
        yield


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
    Y = np.column_stack([Y[:, 0], np.zeros(200)])  # complete, one constant task
    with pytest.warns(ConstantTaskWarning):
        constant = MultiTaskEnsemble([forest]).fit(X, Y)
    assert constant.estimators_[0][1] is None  # fitted per task, not on task 1
    assert isinstance(constant.estimators_[0][0], RandomForestClassifier)


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
        _members(), final_estimator=LogisticRegression(), cv=folds, selection=False
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


# -- constant and rare tasks ----------------------------------------------------


def _fast_lr():
    return LogisticRegression(solver="newton-cholesky")


def _fast_members():
    return [("lr", _fast_lr()), _members()[1]]


def _rare_data(n=200):
    """Multi-label data: label 0 all 0 (constant), label 1 positive in 3 rows,
    labels 2-4 ordinary, missing labels in labels 1 and 3."""
    X, Y = make_multilabel_classification(n, n_features=8, n_classes=5, random_state=0)
    Y = Y.astype(float)
    Y[:, 0] = 0
    Y[:, 1] = 0
    Y[[5, 50, 150], 1] = 1
    Y[100:130, 3] = np.nan
    Y[60:70, 1] = np.nan
    return X, Y


def _fit_once(ensemble, X, Y):
    with pytest.warns(ConstantTaskWarning, match="task 0") as record:
        ensemble.fit(X, Y)
    assert sum(issubclass(w.category, ConstantTaskWarning) for w in record) == 1
    return ensemble


MODES = [
    dict(voting="soft"),
    dict(voting="hard"),
    dict(voting="soft", weights=[1.0, 2.0]),
    dict(voting="soft", weights="cv"),
    dict(voting="hard", weights="cv"),
    dict(voting="soft", final_estimator=_fast_lr()),
    dict(voting="hard", final_estimator=_fast_lr()),
]


@pytest.mark.parametrize("mode", MODES, ids=lambda m: "-".join(map(str, m.values())))
def test_constant_task_in_every_mode(mode):
    X, Y = _rare_data()
    ensemble = MultiTaskEnsemble(_fast_members(), cv=3, random_state=0, **mode)
    _fit_once(ensemble, X, Y)
    assert ensemble.classes_[0].tolist() == [0.0]
    assert ensemble.classes_[1].tolist() == [0.0, 1.0]
    # the members never see the constant task
    assert ensemble.named_estimators_["lr"][0] is None
    assert ensemble.named_estimators_["lr"][1] is not None
    pred = ensemble.predict(X)
    assert pred.shape == Y.shape
    assert np.all(pred[:, 0] == 0)
    if hasattr(ensemble, "predict_proba"):
        proba = ensemble.predict_proba(X)
        np.testing.assert_array_equal(proba[0], np.ones((200, 1)))
        assert [p.shape[1] for p in proba] == [1, 2, 2, 2, 2]
        assert all(np.all(np.isfinite(p)) for p in proba)
        np.testing.assert_allclose(proba[1].sum(axis=1), 1.0)
    Xt = ensemble.transform(X)
    names = ensemble.get_feature_names_out()
    assert Xt.shape == (200, len(names)) == (200, 10)
    assert names[:2].tolist() == ["lr__task0_0.0", "tree__task0_0.0"]
    np.testing.assert_array_equal(Xt[:, :2], 1.0)
    assert np.all(np.isfinite(Xt))
    assert ensemble.score(X, Y) > 0.7
    if mode.get("weights") == "cv":
        np.testing.assert_allclose(ensemble.weights_.sum(axis=0), 1.0)
        assert np.isnan(ensemble.cv_skills_[:, 0]).all()
    if "final_estimator" in mode:
        assert ensemble.final_estimators_[0] is None


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_constant_task_with_a_multi_task_member():
    X, Y = _rare_data()
    members = [
        ("mtl", _small_network()),
        ("lr", _fast_lr()),
    ]
    for mode in (dict(weights="cv"), dict(final_estimator=_fast_lr())):
        ensemble = MultiTaskEnsemble(members, cv=3, random_state=0, **mode)
        _fit_once(ensemble, X, Y)  # no warning from the members' own fits
        joint = ensemble.named_estimators_["mtl"]
        assert isinstance(joint, SharedRepresentationClassifier)  # one fit
        assert len(joint.classes_) == 5
        np.testing.assert_array_equal(ensemble.predict_proba(X)[0], 1.0)
        assert np.all(ensemble.predict(X)[:, 0] == 0)


class _RecordingFinal(LogisticRegression):
    """A final estimator that keeps the features it was fitted on."""

    def fit(self, X, y, sample_weight=None):
        self.features_ = np.asarray(X).copy()
        return super().fit(X, y, sample_weight)


def test_task_constant_in_a_training_fold_gets_its_class_out_of_fold():
    X, Y = _rare_data()
    positives = np.flatnonzero(Y[:, 1] == 1)  # rows 5, 50, 150
    rows = np.arange(200)
    # fold 0 holds every positive of task 1 in its test part
    test0 = np.union1d(positives, rows[:40])
    folds = [(np.setdiff1d(rows, test0), test0)]
    rest = np.setdiff1d(rows, test0)
    folds += [(np.setdiff1d(rows, part), part) for part in np.array_split(rest, 3)]
    ensemble = MultiTaskEnsemble(
        _fast_members(), final_estimator=_RecordingFinal(), cv=folds
    )
    _fit_once(ensemble, X, Y)
    final = ensemble.final_estimators_[1]
    observed = np.flatnonzero(~np.isnan(Y[:, 1]))
    in_fold0 = np.isin(observed, test0)
    # the members' out-of-fold probability of class 1 there: the constant, 0
    np.testing.assert_array_equal(final.features_[in_fold0], 0.0)
    assert final.features_[~in_fold0].shape == (np.sum(~in_fold0), 2)
    assert ensemble.predict(X).shape == Y.shape


def test_final_estimator_of_a_task_with_one_scored_class_is_a_constant():
    X, Y = _rare_data()
    rows = np.arange(200)
    positives = np.flatnonzero(Y[:, 1] == 1)
    # the positives of task 1 are in no test fold: its scored rows hold class 0
    others = np.setdiff1d(rows, positives)
    folds = [(np.setdiff1d(rows, part), part) for part in np.array_split(others, 3)]
    ensemble = MultiTaskEnsemble(
        _fast_members(), final_estimator=_fast_lr(), cv=folds, selection=False
    )  # stacking on every task, whatever the selection would choose
    _fit_once(ensemble, X, Y)
    assert type(ensemble.final_estimators_[1]).__name__ == "DummyClassifier"
    proba = ensemble.predict_proba(X)[1]
    np.testing.assert_array_equal(proba, np.column_stack([np.ones(200), np.zeros(200)]))


def test_grid_search_with_constant_and_rare_labels():
    X, Y = _rare_data()
    ensemble = MultiTaskEnsemble(
        _fast_members(), final_estimator=_fast_lr(), cv=3, random_state=0
    )
    search = GridSearchCV(
        ensemble,
        {"tree__max_depth": [2, 4]},
        cv=MultilabelStratifiedKFold(5, shuffle=True, random_state=0),
        error_score="raise",
    )
    with pytest.warns(ConstantTaskWarning):
        search.fit(X, Y)
    assert np.all(np.isfinite(search.cv_results_["mean_test_score"]))
    assert search.best_score_ > 0.7
    assert np.all(search.predict(X)[:, 0] == 0)


def test_all_tasks_constant_and_one_dimensional_constant():
    X, Y = _rare_data()
    ensemble = _fit_once(MultiTaskEnsemble(_fast_members()), X, np.zeros((200, 2)))
    np.testing.assert_array_equal(ensemble.predict(X), 0.0)
    y = np.full(200, "only")
    ensemble = _fit_once(MultiTaskEnsemble(_fast_members(), weights="cv"), X, y)
    assert ensemble.classes_.tolist() == ["only"]
    assert np.all(ensemble.predict(X) == "only")
    np.testing.assert_array_equal(ensemble.predict_proba(X), np.ones((200, 1)))


def test_regressor_on_constant_targets():
    X, Y = _rare_data()
    targets = np.column_stack([np.full(200, 3.0), X[:, 0] + X[:, 1]])
    members = [("ridge", Ridge()), ("tree", DecisionTreeRegressor(max_depth=3))]
    for mode in (dict(), dict(weights="cv"), dict(final_estimator=Ridge())):
        ensemble = MultiTaskEnsembleRegressor(members, random_state=0, **mode)
        pred = ensemble.fit(X, targets).predict(X)
        assert np.all(np.isfinite(pred))
        np.testing.assert_allclose(pred[:, 0], 3.0, atol=1e-6)
        assert np.isfinite(ensemble.score(X, targets))
        if mode:
            np.testing.assert_allclose(ensemble.weights_.sum(axis=0), 1.0)


# -- hostile input -------------------------------------------------------------


def test_members_of_the_wrong_kind_are_rejected_at_fit():
    X, Y = _data()
    with pytest.raises(TypeError, match="Member 'r' \\(Ridge\\) is not a classifier"):
        MultiTaskEnsembleClassifier([("r", Ridge())], voting="hard").fit(X, Y)
    with pytest.raises(TypeError, match="Member 'lr' .* is not a regressor"):
        MultiTaskEnsembleRegressor([("lr", LogisticRegression())]).fit(X, Y)
    with pytest.raises(TypeError, match="final_estimator \\(Ridge\\) is not a"):
        MultiTaskEnsemble(_fast_members(), final_estimator=Ridge()).fit(X, Y)
    pipeline = make_pipeline(StandardScaler(), LogisticRegression())
    assert MultiTaskEnsemble([("p", pipeline)]).fit(X, Y).score(X, Y) > 0.5


@pytest.mark.parametrize(
    "weights, expected",
    [
        (["a", "b"], "weights must be numbers"),
        ([1.0, np.nan], "weights must be finite"),
        ([1.0, -1.0], "weights must be finite"),
        ("uniform", "'weights' parameter"),
    ],
)
def test_bad_weights(weights, expected):
    X, Y = _data()
    with pytest.raises(ValueError, match=expected):
        MultiTaskEnsemble(_fast_members(), weights=weights).fit(X, Y)


def test_cv_iterable_with_bad_indices():
    X, Y = _data(60)
    for folds, expected in [
        ([(np.arange(40), np.arange(40, 70))], r"out of range in the test .* to 69"),
        ([(np.arange(-1, 40), np.arange(40, 60))], r"the train part .* from -1"),
        ([(np.arange(40) + 0.5, np.arange(40, 60))], "integer row indices"),
        ([(np.arange(40),)], r"pairs of row indices; fold 0 is tuple"),
        ([], "cv gave no"),
        ({"a": 1}, "cv must be an int, a cross-validation splitter"),
        (100, "cv=100 folds need at least 100 samples, X has n_samples=60"),
    ]:
        with pytest.raises(ValueError, match=expected):
            MultiTaskEnsemble(_fast_members(), weights="cv", cv=folds).fit(X, Y)
    mask = np.arange(60) < 40
    ensemble = MultiTaskEnsemble(_fast_members(), weights="cv", cv=[(mask, ~mask)])
    fitted = ensemble.fit(X, Y)
    assert fitted.weights_.shape == (2, 3)


# -- set_output ------------------------------------------------------------------


def test_feature_names_and_set_output():
    pd = pytest.importorskip("pandas")
    X, Y = _data()
    frame = pd.DataFrame(Y, columns=["lin", "band", "three"])
    ensemble = MultiTaskEnsemble(_fast_members()).fit(X, frame)
    names = ensemble.get_feature_names_out()
    assert names.tolist() == [
        "lr__lin_1.0", "tree__lin_1.0", "lr__band_1.0", "tree__band_1.0",
        *(f"{m}__three_{c}" for m in ("lr", "tree") for c in ("0.0", "1.0", "2.0")),
    ]  # fmt: skip
    pipeline = make_pipeline(StandardScaler(), MultiTaskEnsemble(_fast_members()))
    out = pipeline.set_output(transform="pandas").fit(X, Y).transform(X)
    assert isinstance(out, pd.DataFrame)
    assert out.columns[0] == "lr__task0_1.0" and out.shape == (200, 10)
    regressor = MultiTaskEnsembleRegressor([("ridge", Ridge())]).set_output(
        transform="pandas"
    )
    out = regressor.fit(X, Y[:, :2]).transform(X)
    assert out.columns.tolist() == ["ridge__task0", "ridge__task1"]
    with pytest.raises(ValueError, match="input_features"):
        ensemble.get_feature_names_out(["a", "b"])


# -- rows whose labels are all missing ----------------------------------------------


def _with_unlabelled_row(X, Y, at):
    """X and Y with one more row at ``at``, far from the others, no label."""
    return np.insert(X, at, 5.0, axis=0), np.insert(Y, at, np.nan, axis=0)


@pytest.mark.parametrize(
    "ensemble",
    [
        MultiTaskEnsembleClassifier(_fast_members()),
        MultiTaskEnsembleClassifier(
            _fast_members(),
            weights="cv",
            final_estimator=_fast_lr(),
            cv=KFold(3, shuffle=True, random_state=1),  # a splitter's folds
        ),
        MultiTaskEnsembleRegressor(
            [("ridge", Ridge()), ("tree", DecisionTreeRegressor(max_depth=3))],
            final_estimator=Ridge(),
            cv=4,
            random_state=0,
        ),
    ],
    ids=["soft", "cv_weights_stacking", "regressor_stacking"],
)
def test_row_without_labels_does_not_change_the_fit(ensemble):
    X, Y = _data(60)
    if is_regressor(ensemble):
        Y = X[:, :3] + X[:, 1:]
    X_extra, Y_extra = _with_unlabelled_row(X, Y, 30)
    reference = clone(ensemble).fit(X, Y)
    fitted = clone(ensemble).fit(X_extra, Y_extra)
    # the tree (multi-output) is still fitted once on all tasks
    assert fitted._joint == reference._joint and fitted._joint[1]
    np.testing.assert_array_equal(fitted.predict(X), reference.predict(X))
    np.testing.assert_allclose(fitted.transform(X), reference.transform(X))
    np.testing.assert_allclose(fitted.weights_, reference.weights_)


def test_row_without_labels_leaves_cv_folds_given_by_index():
    X, Y = _data(60)
    X_extra, Y_extra = _with_unlabelled_row(X, Y, 30)
    parts = np.array_split(np.arange(60), 3)
    folds = [(np.setdiff1d(np.arange(60), part), part) for part in parts]
    # the same folds on the rows with the extra one (row 30): indices from 30
    # on shift by one, and the extra row sits in a training and a test part
    shifted = [
        (np.append(np.where(tr < 30, tr, tr + 1), 30), np.where(te < 30, te, te + 1))
        for tr, te in folds
    ]
    shifted[1] = (shifted[1][0][:-1], np.append(shifted[1][1], 30))
    params = dict(weights="cv", final_estimator=_fast_lr(), random_state=0)
    reference = MultiTaskEnsemble(_fast_members(), cv=folds, **params).fit(X, Y)
    fitted = MultiTaskEnsemble(_fast_members(), cv=shifted, **params).fit(
        X_extra, Y_extra
    )
    np.testing.assert_allclose(fitted.weights_, reference.weights_)
    for got, expected in zip(fitted.predict_proba(X), reference.predict_proba(X)):
        np.testing.assert_allclose(got, expected)


# -- outputs that overflow -------------------------------------------------------------


def _huge_entry(X, value=None):
    X = X.copy()
    X[0, 0] = np.finfo(np.float64).max if value is None else value
    return X


@pytest.mark.filterwarnings("ignore:overflow encountered:RuntimeWarning")
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_member_output_overflowing_at_predict_is_named():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(30, 4))
    Y = np.column_stack([3 * X[:, 0] + X[:, 1], X[:, 2] - 2 * X[:, 0]])
    members = [
        ("ridge", Ridge()),
        ("lin", MultiTaskLinearRegression(alpha=0.1, max_iter=30)),
    ]
    ensemble = MultiTaskEnsembleRegressor(members, cv=2).fit(X, Y)
    for method in ("predict", "transform"):
        with pytest.raises(ValueError, match="Member 'ridge' gave predictions that"):
            getattr(ensemble, method)(_huge_entry(X))
    # outputs near the largest float, finite: so is their mean
    big = _huge_entry(X, 1e307)
    pred = ensemble.predict(big)
    assert np.all(np.isfinite(pred))
    assert np.all(np.abs(pred[0]) > 1e306)


def test_combine_stays_finite_and_in_range():
    fmax = np.finfo(np.float64).max
    outputs = [np.full((2, 1), fmax), np.array([[fmax], [-fmax]])]
    # weights summing to a hair over 1, as normalised weights can
    mean = combine(outputs, np.array([0.5 + 1e-16, 0.5 + 1e-16]))
    assert np.all(np.isfinite(mean))
    assert mean[0, 0] == fmax
    assert -fmax <= mean[1, 0] <= fmax
    probas = [np.array([[0.2, 0.8]]), np.array([[0.6, 0.4]])]
    np.testing.assert_allclose(combine(probas, np.array([0.25, 0.75])), [[0.5, 0.5]])


class _NaNProba(ClassifierMixin, BaseEstimator):
    def fit(self, X, y):
        self.classes_ = np.unique(y)
        return self

    def predict_proba(self, X):
        return np.full((X.shape[0], len(self.classes_)), np.nan)

    def predict(self, X):
        return np.full(X.shape[0], self.classes_[0])


def test_member_nan_probabilities_are_named():
    X, Y = _data(60)
    ensemble = MultiTaskEnsemble([("lr", _fast_lr()), ("nan", _NaNProba())])
    ensemble.fit(X, Y)
    with pytest.raises(ValueError, match="Member 'nan' gave probabilities that"):
        ensemble.predict_proba(X)
    with pytest.raises(ValueError, match="Member 'nan' gave probabilities"):
        MultiTaskEnsemble(
            [("lr", _fast_lr()), ("nan", _NaNProba())], weights="cv", cv=2
        ).fit(X, Y)


class _TimesTen(RegressorMixin, BaseEstimator):
    """A final estimator: ten times the sum of its inputs."""

    def fit(self, X, y):
        return self

    def predict(self, X):
        return 10.0 * X.sum(axis=1)


@pytest.mark.filterwarnings("ignore:overflow encountered:RuntimeWarning")
def test_final_estimator_overflowing_is_named():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(40, 3))
    Y = np.column_stack([3 * X[:, 0], X[:, 1]])
    ensemble = MultiTaskEnsembleRegressor(
        [("ridge", Ridge()), ("lin", LinearRegression())],
        final_estimator=_TimesTen(),
        cv=2,
        selection=False,  # else a member is selected: it predicts better
        random_state=0,
    ).fit(X, Y)
    # the members' outputs are finite (about 1.5e308), the final one's not
    X_big = _huge_entry(X, 5e307)
    assert np.all(np.isfinite(ensemble.transform(X_big)))
    with pytest.raises(ValueError, match="The final estimator gave predictions"):
        ensemble.predict(X_big)


# -- selection among the members, their average, the weights and stacking ----
def test_selection_picks_the_member_that_is_clearly_best():
    X, Y = _data(150)
    members = [
        ("prior", DummyClassifier()),
        ("uniform", DummyClassifier(strategy="uniform", random_state=0)),
        ("lr", LogisticRegression()),
    ]
    ensemble = MultiTaskEnsemble(
        members, final_estimator=DummyClassifier(), random_state=0
    ).fit(X[:, :2], Y[:, [0]])
    assert list(ensemble.selected_) == ["lr"]
    np.testing.assert_array_equal(ensemble.weights_[:, 0], [0.0, 0.0, 1.0])
    lr = clone(members[2][1]).fit(X[:, :2], Y[:, 0])
    np.testing.assert_allclose(
        ensemble.predict_proba(X[:, :2])[0], lr.predict_proba(X[:, :2])
    )
    results = ensemble.cv_results_
    assert list(results["candidate"]) == [
        "prior", "uniform", "lr", "average", "stacking"
    ]  # fmt: skip
    assert results["rank"][2, 0] == 1


def test_selection_picks_the_average_when_it_wins():
    # two fully grown trees on noisy labels, each on its own features: each
    # alone is a hard 0/1 guess, their average hedges where they disagree
    rng = np.random.RandomState(0)
    X = rng.normal(size=(300, 6))
    y = (X.sum(axis=1) + rng.normal(scale=1.5, size=300) > 0).astype(float)
    members = [
        (f"tree{i}", DecisionTreeClassifier(max_features=1, random_state=i))
        for i in range(2)
    ]
    ensemble = MultiTaskEnsemble(
        members, final_estimator=DummyClassifier(), random_state=0
    ).fit(X, y)
    assert ensemble.selected_[0] == "average"
    np.testing.assert_allclose(ensemble.weights_[:, 0], 0.5)
    scores = ensemble.cv_results_["score"][:, 0]
    assert scores[2] > max(scores[0], scores[1], scores[3])


def test_cv_results_match_an_independent_computation():
    X, Y = _data(120)
    Y = Y[:, :2]
    folds = KFold(4, shuffle=True, random_state=0)
    members = _members()
    ensemble = MultiTaskEnsemble(
        members,
        weights="cv",
        final_estimator=LogisticRegression(),
        cv=folds,
        random_state=0,
    ).fit(X, Y)
    results = ensemble.cv_results_
    n_candidates = 2 + 3
    assert results["scoring"] == "neg_brier_score"
    assert list(results["candidate"]) == [
        "lr",
        "tree",
        "average",
        "weights",
        "stacking",
    ]
    assert results["score"].shape == (n_candidates, 2)
    assert results["std_score"].shape == (n_candidates, 2)
    assert results["split_scores"].shape == (4, n_candidates, 2)
    assert results["rank"].shape == (n_candidates, 2)
    assert np.all(np.isfinite(results["score"]))
    np.testing.assert_array_equal(
        np.sort(results["rank"], axis=0).T, [[1, 2, 3, 4, 5]] * 2
    )
    # the members' scores: Brier score of sklearn's out-of-fold probabilities
    from sklearn.model_selection import cross_val_predict

    # the tree is fitted on both tasks at once: the per-task reference is lr's
    for m, (_, member) in enumerate(members[:1]):
        for t in range(2):
            proba = cross_val_predict(
                member, X, Y[:, t], cv=folds, method="predict_proba"
            )
            brier = np.mean(np.sum((proba - np.eye(2)[Y[:, t].astype(int)]) ** 2, 1))
            np.testing.assert_allclose(results["score"][m, t], -brier, rtol=1e-10)
            # the pooled score is the row-weighted mean of the folds' scores
            sizes = [test.size for _, test in folds.split(X)]
            np.testing.assert_allclose(
                np.average(results["split_scores"][:, m, t], weights=sizes),
                -brier,
                rtol=1e-10,
            )
    best = np.argmin(results["rank"], axis=0)
    assert list(ensemble.selected_) == list(results["candidate"][best])


def test_r2_of_a_fold_is_over_the_tasks_variance_in_all_folds():
    """A fold's R^2 divides its squared error by the variance of the task's
    rows in all folds, so that the pooled R^2 (sklearn's r2_score of the
    out-of-fold predictions) is the row-weighted mean of the folds' and a
    fold holding one row of a task still has a score."""
    from sklearn.metrics import r2_score
    from sklearn.model_selection import cross_val_predict

    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 3))
    Y = X @ rng.normal(size=(3, 2)) + rng.normal(size=(60, 2))
    Y[1:, 1] = np.nan  # task 1: five rows, a fold holds one of them
    Y[[2, 3, 4, 5], 1] = [1.0, -1.0, 0.5, 2.0]
    folds = KFold(4, shuffle=True, random_state=0)
    ensemble = MultiTaskEnsembleRegressor(
        [("ridge", Ridge()), ("tree", DecisionTreeRegressor(max_depth=2))],
        weights="cv",
        cv=folds,
        random_state=0,
    ).fit(X, Y)
    results = ensemble.cv_results_
    assert results["scoring"] == "r2"
    predicted = cross_val_predict(Ridge(), X, Y[:, 0], cv=folds)
    np.testing.assert_allclose(
        results["score"][0, 0], r2_score(Y[:, 0], predicted), rtol=1e-10
    )
    sizes = [test.size for _, test in folds.split(X)]
    np.testing.assert_allclose(
        np.average(results["split_scores"][:, 0, 0], weights=sizes),
        results["score"][0, 0],
        rtol=1e-10,
    )
    observed = ~np.isnan(Y[:, 1])
    per_fold = [np.sum(observed[test]) for _, test in folds.split(X)]
    assert 1 in per_fold
    scored = np.isfinite(results["split_scores"][:, 0, 1])
    np.testing.assert_array_equal(scored, np.array(per_fold) > 0)


def test_selection_is_per_task():
    X, Y = _data(200)
    members = _members()
    ensemble = MultiTaskEnsemble(
        members, final_estimator=DummyClassifier(), random_state=0
    ).fit(X, Y[:, :2])
    # task 0 is linear (a slanted threshold), task 1 a band
    assert list(ensemble.selected_) == ["lr", "tree"]
    np.testing.assert_array_equal(ensemble.weights_, np.eye(2))
    by_hand = [clone(m).fit(X, Y[:, t]).predict(X) for t, (_, m) in enumerate(members)]
    np.testing.assert_array_equal(ensemble.predict(X), np.column_stack(by_hand))


def test_selection_off_keeps_the_combination_asked_for():
    X, Y = _data(100)
    kept = MultiTaskEnsemble(
        _members(), weights="cv", selection=False, random_state=0
    ).fit(X, Y)
    assert list(kept.selected_) == ["weights"] * 3
    assert not hasattr(kept, "cv_results_")
    plain = MultiTaskEnsemble(_members()).fit(X, Y)  # no out-of-fold outputs
    assert list(plain.selected_) == ["average"] * 3
    assert not hasattr(plain, "cv_results_")


@pytest.mark.parametrize("name", ["average", "stacking"])  # weights: sklearn's
def test_member_named_like_a_combination_is_an_error(name):
    X, Y = _data(60)
    members = [(name, LogisticRegression()), ("tree", DecisionTreeClassifier())]
    with pytest.raises(ValueError, match=f"Member name '{name}' is reserved"):
        MultiTaskEnsemble(members, weights="cv").fit(X, Y)
    MultiTaskEnsemble(members, weights="cv", selection=False).fit(X, Y)


@pytest.mark.filterwarnings("ignore::mtlearn.exceptions.ConstantTaskWarning")
@pytest.mark.parametrize("scoring", ["neg_brier_score", "f1", "micro_f1"])
def test_selection_with_rare_labels_and_constant_tasks(scoring):
    X, _ = _data(60)
    y = np.zeros((60, 3))
    y[[3, 30, 31], 0] = 1  # rare: most folds' test rows hold no positive
    y[:2, 1] = 1  # rarer: the folds holding both leave a constant training part
    # task 2 constant
    ensemble = MultiTaskEnsemble(
        _members(),
        weights="cv",
        final_estimator=LogisticRegression(),
        scoring=scoring,
        random_state=0,
    ).fit(X, y)
    results = ensemble.cv_results_
    assert np.all(np.isfinite(results["score"][:, :2]))
    assert np.isnan(results["score"][:, 2]).all()  # the constant task
    assert ensemble.selected_[2] == "stacking"
    assert set(ensemble.selected_[:2]) <= set(results["candidate"])
    # a fold without a positive still gives a score (no NaN)
    assert np.all(np.isfinite(results["split_scores"][:, :, :2]))
    assert ensemble.predict(X).shape == (60, 3)


def test_regressor_selection_matches_r2_out_of_fold():
    from sklearn.dummy import DummyRegressor
    from sklearn.model_selection import cross_val_predict

    rng = np.random.RandomState(0)
    X = rng.normal(size=(120, 3))
    Y = np.column_stack([X @ [1.0, -2.0, 0.5], np.abs(X[:, 0]) * 2])
    Y += rng.normal(scale=0.1, size=Y.shape)
    folds = KFold(5, shuffle=True, random_state=0)
    members = [
        ("lin", LinearRegression()),
        ("tree", DecisionTreeRegressor(max_depth=4, random_state=0)),
        ("mean", DummyRegressor()),
    ]
    ensemble = MultiTaskEnsembleRegressor(
        members, weights="cv", cv=folds, random_state=0
    ).fit(X, Y)
    results = ensemble.cv_results_
    assert results["scoring"] == "r2"
    for m, member in [(0, members[0][1]), (2, members[2][1])]:
        for t in range(2):  # per task as the ensemble fits them jointly
            pred = cross_val_predict(member, X, Y[:, t], cv=folds)
            r2 = 1 - np.mean((Y[:, t] - pred) ** 2) / np.var(Y[:, t])
            np.testing.assert_allclose(results["score"][m, t], r2, rtol=1e-10)
    assert ensemble.selected_[0] in ("lin", "weights")
    assert ensemble.selected_[1] in ("tree", "weights")
    best = results["score"].max(axis=0)
    assert np.all(best >= results["score"][:3].max(axis=0))
    mse = clone(ensemble).set_params(scoring="neg_mean_squared_error").fit(X, Y)
    assert list(mse.selected_) == list(ensemble.selected_)


def test_micro_f1_selection_matches_sklearn_out_of_fold():
    from sklearn.metrics import f1_score
    from sklearn.model_selection import cross_val_predict

    X, Y = make_multilabel_classification(150, 6, n_classes=4, random_state=0)
    folds = KFold(3, shuffle=True, random_state=0)
    members = [
        ("lr", LogisticRegression()),
        ("knn", KNeighborsClassifier(3)),
        ("prior", DummyClassifier()),
    ]
    ensemble = MultiTaskEnsemble(
        [(n, m) for n, m in members],
        final_estimator=DummyClassifier(),
        scoring="micro_f1",
        cv=folds,
        n_standard_errors=None,  # the selection itself, no gain rule
        random_state=0,
    ).fit(X, Y)
    results = ensemble.cv_results_
    # out-of-fold probabilities of each member on each task, as sklearn makes
    # them (k-NN and the prior are multi-output: fitted on all tasks at once)
    proba = []
    for name, m in members:
        if name == "lr":
            proba.append(
                [
                    cross_val_predict(m, X, Y[:, t], cv=folds, method="predict_proba")
                    for t in range(4)
                ]
            )
        else:
            proba.append(cross_val_predict(m, X, Y, cv=folds, method="predict_proba"))
    proba.append([np.mean([p[t] for p in proba], axis=0) for t in range(4)])
    oof = [np.column_stack([np.argmax(p[t], axis=1) for t in range(4)]) for p in proba]
    selected = [list(results["candidate"]).index(c) for c in ensemble.selected_]
    assert max(selected) < 4  # stacking on a prior loses here
    chosen = np.column_stack([oof[c][:, t] for t, c in enumerate(selected)])
    best = f1_score(Y, chosen, average="micro")
    for t in range(4):
        np.testing.assert_allclose(results["score"][selected[t], t], best)
        for c in range(4):  # no single switch of a task improves on it
            switched = chosen.copy()
            switched[:, t] = oof[c][:, t]
            value = f1_score(Y, switched, average="micro")
            np.testing.assert_allclose(results["score"][c, t], value)
            assert value <= best + 1e-12


def test_oof_outputs_are_the_selected_candidates_cross_fitted_outputs():
    # reference: scikit-learn's cross_val_predict of a member on the ensemble's
    # folds (a task that selected a member), the mean of two members' (one
    # that selected the average), NaN for a missing label
    from sklearn.model_selection import PredefinedSplit, cross_val_predict

    rng = np.random.RandomState(0)
    X = rng.normal(size=(240, 4))
    Y = np.column_stack([X[:, 0] > 0, X[:, 1] * X[:, 2] > 0]).astype(float)
    Y[:25, 1] = np.nan
    members = [
        ("lr", LogisticRegression()),
        ("tree", DecisionTreeClassifier(max_depth=4, random_state=0)),
    ]
    ensemble = MultiTaskEnsemble(members, weights="cv", random_state=0).fit(X, Y)
    assert ensemble.oof_fold_.shape == (240,)
    for t, selected in enumerate(ensemble.selected_):
        rows = ~np.isnan(Y[:, t])
        output = ensemble.oof_outputs_[t]
        assert np.isnan(output[~rows]).all()
        fold = PredefinedSplit(ensemble.oof_fold_[rows])
        # the members' random_state is set: the ensemble does not reseed them
        oof = {
            name: cross_val_predict(
                clone(member), X[rows], Y[rows, t], cv=fold, method="predict_proba"
            )
            for name, member in members
        }
        if selected in ("lr", "tree"):
            np.testing.assert_allclose(output[rows], oof[selected])
        elif selected == "average":
            np.testing.assert_allclose(output[rows], (oof["lr"] + oof["tree"]) / 2)
        else:  # weights fitted on the other folds: still probabilities
            np.testing.assert_allclose(output[rows].sum(axis=1), 1.0)
    assert "tree" in set(ensemble.selected_)  # the reference was exercised
    # without selection there is no selected candidate, and no such outputs
    plain = MultiTaskEnsemble(members, weights="cv", selection=False).fit(X, Y)
    assert not hasattr(plain, "oof_outputs_") and not hasattr(plain, "oof_fold_")


def _passes(gains):
    """One standard error, by hand."""
    gains = gains[np.isfinite(gains)]
    return gains.size >= 2 and gains.mean() > gains.std(ddof=1) / np.sqrt(gains.size)


def _cross_gains(scores, baseline):
    """(n_folds, n_candidates) of one task: per fold, the candidate best on
    the other folds minus the baseline."""
    gains = []
    for k in range(scores.shape[0]):
        other = np.nanmean(np.delete(scores, k, axis=0), axis=0)
        gains.append(scores[k, np.nanargmax(other)] - scores[k, baseline])
    return np.array(gains)


def _check_gain_rule(seed):
    """The selection without the rule, then the rule by hand: (1) each
    task's cross-fitted gain over the best member, kept when it beats one
    standard error; (2) on each fold, step 1 run on the other folds, scored
    on the fold and averaged over the tasks: if it does not beat one
    standard error, every task takes the member. Returns which steps kept
    something."""
    X, Y = make_multilabel_classification(300, 8, n_classes=6, random_state=seed)
    members = [
        ("lr", LogisticRegression()),
        ("tree", DecisionTreeClassifier(max_depth=3, random_state=0)),
        ("knn", KNeighborsClassifier(5)),
    ]
    free = MultiTaskEnsemble(
        members, weights="cv", n_standard_errors=None, random_state=0
    ).fit(X, Y)
    ruled = MultiTaskEnsemble(members, weights="cv", random_state=0).fit(X, Y)
    results = ruled.cv_results_
    split, candidates = results["split_scores"], list(results["candidate"])
    baseline = candidates.index(results["baseline"])
    assert baseline == np.argmax(np.nanmean(split, axis=(0, 2))[:3])
    n_folds, _, n_tasks = split.shape
    step1 = list(free.selected_)
    for t in range(n_tasks):
        if candidates.index(step1[t]) == baseline:
            continue
        gains = _cross_gains(split[:, :, t], baseline)
        np.testing.assert_allclose(results["gain"][t], gains.mean())
        se = gains.std(ddof=1) / np.sqrt(n_folds)
        np.testing.assert_allclose(results["gain_se"][t], se)
        if not _passes(gains):
            step1[t] = candidates[baseline]
    if all(name == candidates[baseline] for name in step1):
        np.testing.assert_array_equal(ruled.selected_, step1)
        assert np.isnan(results["selection_gain"])
        return False, False
    procedure = []
    for k in range(n_folds):
        others = np.delete(split, k, axis=0)
        per_task = []
        for t in range(n_tasks):
            choice = np.nanargmax(np.nanmean(others[:, :, t], axis=0))
            if choice != baseline and not _passes(
                _cross_gains(others[:, :, t], baseline)
            ):
                choice = baseline
            per_task.append(split[k, choice, t] - split[k, baseline, t])
        procedure.append(np.mean(per_task))
    procedure = np.array(procedure)
    np.testing.assert_allclose(results["selection_gain"], procedure.mean())
    kept = bool(_passes(procedure))
    expected = step1 if kept else [candidates[baseline]] * n_tasks
    np.testing.assert_array_equal(ruled.selected_, expected)
    return True, kept


def test_two_folds_keep_the_best_member():
    # the second step's per-task rule sees one fold: it keeps nothing
    X, Y = make_multilabel_classification(300, 8, n_classes=6, random_state=2)
    members = [
        ("lr", LogisticRegression()),
        ("tree", DecisionTreeClassifier(max_depth=3, random_state=0)),
    ]
    free = MultiTaskEnsemble(
        members, weights="cv", cv=2, n_standard_errors=None, random_state=0
    ).fit(X, Y)
    ruled = MultiTaskEnsemble(members, weights="cv", cv=2, random_state=0).fit(X, Y)
    baseline = ruled.cv_results_["baseline"]
    assert (free.selected_ != baseline).any()
    assert (ruled.selected_ == baseline).all()
    assert ruled.cv_results_["selection_gain"] == 0.0


def test_selection_gain_rule_against_a_recomputation():
    outcomes = {_check_gain_rule(seed) for seed in (0, 2, 7)}
    # the per-task step keeps a selection or not; the procedure's step too
    assert outcomes == {(False, False), (True, True), (True, False)}


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_joint_selection_gain_rule_keeps_all_tasks_or_none(seed):
    X, Y = make_multilabel_classification(200, 8, n_classes=5, random_state=seed)
    members = [
        ("lr", LogisticRegression()),
        ("tree", DecisionTreeClassifier(max_depth=3, random_state=0)),
    ]
    free = MultiTaskEnsemble(
        members, weights="cv", scoring="micro_f1", n_standard_errors=None,
        random_state=0,
    ).fit(X, Y)  # fmt: skip
    ruled = MultiTaskEnsemble(
        members, weights="cv", scoring="micro_f1", random_state=0
    ).fit(X, Y)
    results = ruled.cv_results_
    gain, se = results["gain"], results["gain_se"]
    if np.isnan(gain).all():  # the selection is the best member already
        assert (free.selected_ == results["baseline"]).all()
        return
    assert np.ptp(gain) == 0 and np.ptp(se) == 0  # one gain for all tasks
    assert results["selection_gain"] == gain[0]
    assert results["selection_gain_se"] == se[0]
    if gain[0] > se[0]:
        np.testing.assert_array_equal(ruled.selected_, free.selected_)
    else:
        assert (ruled.selected_ == results["baseline"]).all()
