"""mtlearn.utils.fit_chunks: training on chunks of rows (issue 12 item 2).

The references are independent of the function: the same ``partial_fit``
calls made by hand on the same chunks (the same weights to the bit), and
``fit`` on the whole data with the same number of passes (the same quality
within a stated tolerance).
"""

import warnings

import numpy as np
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.linear_model import LogisticRegression, SGDClassifier, SGDRegressor
from sklearn.metrics import log_loss
from sklearn.neural_network import MLPClassifier, MLPRegressor
from threadpoolctl import threadpool_limits

from mtlearn.datasets import make_multitask_classification, make_multitask_regression
from mtlearn.neural_network import (
    MixtureOfExpertsClassifier,
    SharedRepresentationClassifier,
    SharedRepresentationRegressor,
)
from mtlearn.utils import fit_chunks

SMALL = dict(
    hidden_layer_sizes=(16,),
    early_stopping=False,
    dropout=0.0,
    batch_size=50,
    learning_rate_init=1e-2,
    random_state=0,
)


@pytest.fixture(autouse=True, scope="module")
def _one_blas_thread():
    # tiny networks in loops: BLAS threads only add contention
    with threadpool_limits(1):
        yield


@pytest.fixture(scope="module")
def data():
    X, Y = make_multitask_classification(
        600, 6, n_tasks=3, n_informative=4, random_state=0
    )
    return X, Y


def _chunks(X, Y, size):
    return [(X[s : s + size], Y[s : s + size]) for s in range(0, len(X), size)]


def _by_hand(estimator, chunks, classes=None):
    for i, (X, y) in enumerate(chunks):
        if i == 0 and classes is not None:
            estimator.partial_fit(X, y, classes=classes)
        else:
            estimator.partial_fit(X, y)
    return estimator


class _Recorder(ClassifierMixin, BaseEstimator):
    """Records what partial_fit receives."""

    def partial_fit(self, X, y, classes=None):
        self.calls_ = [*getattr(self, "calls_", []), (X, y, classes)]
        return self


# -- the sources --------------------------------------------------------------
def test_list_of_chunks_is_partial_fit_by_hand(data):
    X, Y = data
    chunks = _chunks(X, Y, 150)
    classes = [np.array([0, 1])] * 3
    got = fit_chunks(
        SharedRepresentationClassifier(**SMALL), chunks, n_epochs=2, shuffle=False
    )
    want = SharedRepresentationClassifier(**SMALL)
    for _ in range(2):
        _by_hand(want, chunks, classes)
    np.testing.assert_array_equal(got._network.params, want._network.params)
    assert got.n_iter_ == 2 * len(chunks)


def test_callable_and_generator(data):
    X, Y = data
    chunks = _chunks(X, Y, 200)
    sgd = SGDClassifier(random_state=0)
    fit_chunks(sgd, lambda: iter((x, y[:, 0]) for x, y in chunks), n_epochs=3)
    want = SGDClassifier(random_state=0)
    for _ in range(3):
        _by_hand(want, [(x, y[:, 0]) for x, y in chunks], classes=[0, 1])
    np.testing.assert_array_equal(sgd.coef_, want.coef_)
    # a one-shot iterator: one epoch, with classes given
    one_shot = ((x, y[:, 0]) for x, y in chunks)
    fit_chunks(SGDClassifier(), one_shot, classes=[0, 1])


def test_scikit_learn_incremental_estimators(data):
    X, Y = data
    chunks = _chunks(X, Y, 200)
    # 2-D y where the estimator takes it: MLPRegressor
    params = dict(hidden_layer_sizes=(8,), random_state=0)
    got = fit_chunks(MLPRegressor(**params), chunks, n_epochs=2, shuffle=False)
    want = MLPRegressor(**params)
    for _ in range(2):
        _by_hand(want, chunks)
    np.testing.assert_array_equal(got.coefs_[0], want.coefs_[0])
    # 1-D y, classes found and passed: MLPClassifier
    one_task = [(x, y[:, 0]) for x, y in chunks]
    got = fit_chunks(MLPClassifier(**params), one_task, shuffle=False)
    want = _by_hand(MLPClassifier(**params), one_task, classes=[0, 1])
    np.testing.assert_array_equal(got.coefs_[0], want.coefs_[0])


def test_memmap_chunks_are_views(tmp_path, data):
    X, Y = data
    path = tmp_path / "X.f32"
    X_map = np.memmap(path, dtype=np.float32, mode="w+", shape=X.shape)
    X_map[:] = X
    X_map.flush()
    X_map = np.memmap(path, dtype=np.float32, mode="r", shape=X.shape)
    recorder = fit_chunks(_Recorder(), X_map, Y, chunk_size=128, n_epochs=2)
    sizes = [x.shape[0] for x, _, _ in recorder.calls_]
    assert max(sizes) == 128 and sum(sizes) == 2 * len(X)
    assert all(np.shares_memory(x, X_map) for x, _, _ in recorder.calls_)
    # the network on the memmap: the same fit as on the array in memory
    net = dict(SMALL, dtype="float32")
    got = fit_chunks(
        SharedRepresentationClassifier(**net), X_map, Y, chunk_size=128, shuffle=False
    )
    want = _by_hand(
        SharedRepresentationClassifier(**net),
        _chunks(X.astype(np.float32), Y, 128),
        classes=[[0, 1]] * 3,
    )
    np.testing.assert_array_equal(got._network.params, want._network.params)


def test_chunk_order_shuffled_per_epoch(data):
    X, Y = data
    recorder = fit_chunks(_Recorder(), X, Y, chunk_size=60, n_epochs=3, random_state=0)
    firsts = [x[0, 0] for x, _, _ in recorder.calls_]
    orders = [tuple(firsts[e * 10 : (e + 1) * 10]) for e in range(3)]
    assert len(set(orders)) == 3
    assert all(sorted(o) == sorted(orders[0]) for o in orders)
    # shuffle_rows: each chunk's rows in another order, the same rows
    recorder = fit_chunks(
        _Recorder(), X, Y, chunk_size=60, shuffle=False, shuffle_rows=True
    )
    x0 = recorder.calls_[0][0]
    assert not np.array_equal(x0, X[:60])
    np.testing.assert_array_equal(np.sort(x0, axis=0), np.sort(X[:60], axis=0))


def test_dask_arrays_on_a_local_cluster(data):
    da = pytest.importorskip("dask.array")
    distributed = pytest.importorskip("distributed")
    X, Y = data
    with distributed.Client(
        processes=False, n_workers=1, threads_per_worker=1, dashboard_address=None
    ):
        # y in other row chunks than X: rechunked to X's rows
        X_dask = da.from_array(X, chunks=(150, 3))
        Y_dask = da.from_array(Y, chunks=(100, 3))
        got = fit_chunks(
            SharedRepresentationClassifier(**SMALL), X_dask, Y_dask, shuffle=False
        )
        recorder = fit_chunks(_Recorder(), X_dask, Y_dask)
    want = _by_hand(
        SharedRepresentationClassifier(**SMALL), _chunks(X, Y, 150), [[0, 1]] * 3
    )
    np.testing.assert_array_equal(got._network.params, want._network.params)
    assert all(isinstance(x, np.ndarray) for x, _, _ in recorder.calls_)
    assert [x.shape for x, _, _ in recorder.calls_] == [(150, 6)] * 4


# -- classes, missing labels --------------------------------------------------
def test_classes_found_over_all_chunks_and_given_once():
    X = np.arange(40.0).reshape(20, 2)
    y = np.array(["a"] * 10 + ["b"] * 5 + ["c"] * 5)  # "c" only in the last chunk
    recorder = fit_chunks(_Recorder(), X, y, chunk_size=10, shuffle=False)
    classes = [c for _, _, c in recorder.calls_]
    np.testing.assert_array_equal(classes[0], ["a", "b", "c"])
    assert all(c is None for c in classes[1:])
    # 2-D y with missing labels (None): one array per task, the missing left out
    Y = np.array([[1, None], [2, "u"], [None, "v"], [1, "u"]], dtype=object)
    recorder = fit_chunks(_Recorder(), X[:4], Y, chunk_size=2)
    first = recorder.calls_[0][2]
    np.testing.assert_array_equal(first[0], [1, 2])
    np.testing.assert_array_equal(first[1], ["u", "v"])
    # given classes are passed as they are; regressors get none
    recorder = fit_chunks(
        _Recorder(), X, y, chunk_size=10, classes=["a", "b", "c", "d"]
    )
    assert recorder.calls_[0][2] == ["a", "b", "c", "d"]
    sgd = fit_chunks(SGDRegressor(max_iter=5), X, np.arange(20.0), chunk_size=10)
    assert sgd.coef_.shape == (2,)


def test_missing_labels_in_chunks_as_in_fit(data):
    X, Y = data
    Y = Y.astype(float)
    rng = np.random.RandomState(0)
    Y[rng.uniform(size=Y.shape) < 0.3] = np.nan
    Y[:5] = np.nan  # rows without any label: dropped, as in fit
    chunks = _chunks(X, Y, 200)
    got = fit_chunks(SharedRepresentationClassifier(**SMALL), chunks, shuffle=False)
    want = _by_hand(SharedRepresentationClassifier(**SMALL), chunks, [[0, 1]] * 3)
    np.testing.assert_array_equal(got._network.params, want._network.params)
    # one chunk fitted whole: the same weights as fit for one epoch
    single = fit_chunks(
        SharedRepresentationClassifier(**SMALL), X, Y, chunk_size=len(X)
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # max_iter=1: not converged
        fitted = SharedRepresentationClassifier(max_iter=1, **SMALL).fit(X, Y)
    np.testing.assert_allclose(single._network.params, fitted._network.params)


def test_chunk_with_a_task_without_labels(data):
    # a chunk where task 1 has no label trains tasks 0 and 2 only (task 1 has
    # zero weight in that update): the fit is the same as by hand
    X, Y = data
    Y = Y.astype(float)
    Y[:100, 1] = np.nan
    chunks = _chunks(X, Y, 100)
    got = fit_chunks(SharedRepresentationClassifier(**SMALL), chunks, shuffle=False)
    want = _by_hand(SharedRepresentationClassifier(**SMALL), chunks, [[0, 1]] * 3)
    np.testing.assert_array_equal(got._network.params, want._network.params)
    assert all(np.isfinite(p).all() for p in got.predict_proba(X))
    # a regressor's first chunk sets the target scaling: it needs every task
    with pytest.raises(ValueError, match="task 1 has no observed label"):
        SharedRepresentationRegressor(**SMALL).partial_fit(X[:100], Y[:100])


# -- as good as fit -----------------------------------------------------------
@pytest.mark.parametrize("kind", ["classifier", "regressor"])
def test_chunks_as_good_as_fit_with_the_same_passes(kind):
    make = {
        "classifier": make_multitask_classification,
        "regressor": make_multitask_regression,
    }[kind]
    cls = {
        "classifier": SharedRepresentationClassifier,
        "regressor": SharedRepresentationRegressor,
    }[kind]
    X, Y = make(2000, 10, n_tasks=3, random_state=0)
    X_train, Y_train, X_test, Y_test = X[:1500], Y[:1500], X[1500:], Y[1500:]
    params = dict(SMALL, hidden_layer_sizes=(32,), batch_size=100)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # max_iter reached
        whole = cls(max_iter=8, n_iter_no_change=8, **params).fit(X_train, Y_train)
    chunked = fit_chunks(
        cls(**params), X_train, Y_train, chunk_size=300, n_epochs=8, random_state=0
    )
    # measured over 4 seeds: |difference| <= 0.003 accuracy, 0.001 log-loss,
    # 0.002 R^2
    assert abs(whole.score(X_test, Y_test) - chunked.score(X_test, Y_test)) < 0.01
    if kind == "classifier":

        def loss(model):
            probas = model.predict_proba(X_test)
            return np.mean([log_loss(Y_test[:, t], probas[t]) for t in range(3)])

        assert abs(loss(whole) - loss(chunked)) < 0.01


# -- early stopping -------------------------------------------------------------
def test_early_stopping_restores_the_best_epoch(data):
    X, Y = data
    scores = iter([0.1, 0.5, 0.4, 0.45, 0.3, 0.9])
    seen = []

    def scorer(estimator, X_val, y_val):
        seen.append(estimator.coef_.copy())
        return next(scores)

    y = Y[:, 0]
    sgd, history = fit_chunks(
        SGDClassifier(random_state=0),
        X[:500],
        y[:500],
        chunk_size=100,
        n_epochs=6,
        validation=(X[500:], y[500:]),
        scoring=scorer,
        n_iter_no_change=3,
        return_history=True,
    )
    assert history.n_epochs == 5 and history.stopped_early
    assert history.best_epoch == 1
    assert history.validation_scores == [0.1, 0.5, 0.4, 0.45, 0.3]
    np.testing.assert_array_equal(sgd.coef_, seen[1])
    # restore_best=False: the last epoch's state
    scores = iter([0.1, 0.5, 0.4, 0.45, 0.3])
    sgd = fit_chunks(
        SGDClassifier(random_state=0),
        X[:500],
        y[:500],
        chunk_size=100,
        n_epochs=5,
        validation=(X[500:], y[500:]),
        scoring=scorer,
        restore_best=False,
    )
    np.testing.assert_array_equal(sgd.coef_, seen[-1])


def test_early_stopping_with_the_network_score(data):
    X, Y = data
    clf, history = fit_chunks(
        MixtureOfExpertsClassifier(
            n_experts=2,
            expert_layer_sizes=(8,),
            early_stopping=False,
            dropout=0.0,
            random_state=0,
        ),
        X[:500],
        Y[:500],
        chunk_size=100,
        n_epochs=4,
        validation=(X[500:], Y[500:]),
        return_history=True,
    )
    assert len(history.validation_scores) == history.n_epochs
    assert clf.score(X[500:], Y[500:]) == pytest.approx(max(history.validation_scores))


# -- bad input ------------------------------------------------------------------
def test_bad_inputs(data):
    X, Y = data
    net = SharedRepresentationClassifier(**SMALL)
    with pytest.raises(ValueError, match="chunk 1: X and y have inconsistent"):
        fit_chunks(net, [(X[:10], Y[:10]), (X[10:20], Y[10:19])])
    with pytest.raises(ValueError, match="chunk 1: y has 2 tasks, but chunk 0 had 3"):
        fit_chunks(net, [(X[:10], Y[:10]), (X[10:20], Y[10:20, :2])])
    bad_width = [(X[:10], Y[:10]), (X[10:20, :5], Y[10:20])]
    with pytest.raises(ValueError, match="chunk 1: X has 5 features, but chunk 0"):
        fit_chunks(net, bad_width, shuffle=False, classes=[[0, 1]] * 3)
    with pytest.raises(ValueError, match="X, y: X and y have inconsistent"):
        fit_chunks(net, X, Y[:-1], chunk_size=100)
    with pytest.raises(ValueError, match="chunk 0: a chunk must be an"):
        fit_chunks(net, [X[:10]])
    with pytest.raises(ValueError, match="pass X and y as two arguments"):
        fit_chunks(net, (X, Y))
    with pytest.raises(TypeError, match="must be an object implementing 'partial_fit'"):
        fit_chunks(LogisticRegression(), X, Y)
    with pytest.raises(ValueError, match="n_epochs"):
        fit_chunks(net, X, Y, n_epochs=-1)
    with pytest.raises(ValueError, match="chunk_size"):
        fit_chunks(net, _chunks(X, Y, 100), chunk_size=10)
    one_shot = iter(_chunks(X, Y, 100))
    with pytest.raises(ValueError, match="one-shot iterator"):
        fit_chunks(clone(net), one_shot, n_epochs=2, classes=[[0, 1]] * 3)
    with pytest.raises(ValueError, match="pass classes="):
        fit_chunks(clone(net), one_shot)
    dd = pytest.importorskip("dask.dataframe")
    frame = dd.from_array(X, chunksize=300)
    with pytest.raises(TypeError, match="to_dask_array"):
        fit_chunks(clone(net), frame, Y)
    with pytest.raises(ValueError, match="validation must be a held-out"):
        fit_chunks(clone(net), X, Y, validation=(X, Y, None))


# -- dask-ml ----------------------------------------------------------------------
def test_dask_ml_incremental_1d_and_fit_chunks_2d(data):
    da = pytest.importorskip("dask.array")
    wrappers = pytest.importorskip("dask_ml.wrappers")
    X, Y = data
    X_dask = da.from_array(X, chunks=(150, 6))
    incremental = wrappers.Incremental(SharedRepresentationClassifier(**SMALL))
    incremental.fit(X_dask, da.from_array(Y[:, 0], chunks=150), classes=[0, 1])
    assert incremental.score(X_dask, da.from_array(Y[:, 0], chunks=150)) > 0.6
    # 2-D y: Incremental fails, fit_chunks trains the multi-task network
    Y_dask = da.from_array(Y, chunks=(150, 3))
    # (dask-ml 2025.1.0 hands each block's y to partial_fit as 2 rows)
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        wrappers.Incremental(SharedRepresentationClassifier(**SMALL)).fit(
            X_dask, Y_dask
        )
    clf = fit_chunks(SharedRepresentationClassifier(**SMALL), X_dask, Y_dask)
    assert clf.predict(X[:5]).shape == (5, 3)
