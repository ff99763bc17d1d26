"""Shared-representation networks: numerics and estimators."""

import pickle
import re

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, log_loss, r2_score
from sklearn.model_selection import GridSearchCV, cross_validate
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from mtlearn.datasets import make_multitask_classification, make_multitask_regression
from mtlearn.exceptions import ConstantTaskWarning
from mtlearn.neural_network import (
    SharedRepresentationClassifier,
    SharedRepresentationRegressor,
)
from mtlearn.neural_network._heads import BinaryLogisticHead, SoftmaxHead, SquaredHead
from mtlearn.neural_network._layers import Dense, GroupedDense
from mtlearn.neural_network._network import SharedTrunkNetwork
from mtlearn.neural_network._optimizers import SGD, Adam
from mtlearn.neural_network._threads import EpochThreads
from mtlearn.neural_network._training import (
    RunningMean,
    _batch_weights,
)
from tests._gradients import assert_gradients_match, loss_objective, mixed_problem

ACTIVATIONS = ["relu", "tanh", "logistic", "identity"]

# Most fits here are deliberately short; the warning itself is tested below.
pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


# -- numerics ------------------------------------------------------------------
@pytest.mark.parametrize("activation", ACTIVATIONS)
@pytest.mark.parametrize("head_sizes", [(), (4, 3)])
@pytest.mark.parametrize("dropout", [0.0, 0.3])
def test_gradients_match_finite_differences(activation, head_sizes, dropout):
    """Every activation, every head and the masked loss, through backprop."""
    rng = np.random.default_rng(0)
    n, d = 9, 5
    net = SharedTrunkNetwork(d, (6, 4), head_sizes, 3, 3, activation, np.float64)
    net.initialize(rng)
    X = rng.normal(size=(n, d))
    y, cell_weights, groups = mixed_problem(rng, n)
    objective = loss_objective(net, X, y, cell_weights, groups, dropout)
    assert_gradients_match(net, X, objective)


def test_head_losses_match_scikit_learn_on_observed_cells():
    rng = np.random.default_rng(0)
    n = 50
    observed = rng.random(n) > 0.3
    weights = np.where(observed, 1.0, 0.0)[:, None]
    normalised, _ = _batch_weights(weights)

    z = rng.normal(size=(n, 1))
    y = rng.integers(0, 2, size=(n, 1)).astype(float)
    loss = BinaryLogisticHead().loss_gradient(
        z, y, normalised, np.ones(1), np.empty_like(z)
    )
    p = 1 / (1 + np.exp(-z[observed, 0]))
    assert loss[0] == pytest.approx(log_loss(y[observed, 0], p, labels=[0, 1]))

    z = rng.normal(size=(n, 4))
    codes = rng.integers(0, 4, size=(n, 1)).astype(float)
    loss = SoftmaxHead(4).loss_gradient(
        z, codes, normalised, np.ones(1), np.empty_like(z)
    )
    proba = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    expected = log_loss(codes[observed, 0], proba[observed], labels=range(4))
    assert loss[0] == pytest.approx(expected)

    z = rng.normal(size=(n, 1))
    target = rng.normal(size=(n, 1))
    loss = SquaredHead().loss_gradient(
        z, target, normalised, np.ones(1), np.empty_like(z)
    )
    assert loss[0] == pytest.approx(
        0.5 * np.mean((z[observed] - target[observed]) ** 2)
    )


def test_grouped_dense_equals_one_dense_layer_per_group():
    rng = np.random.default_rng(0)
    layer = GroupedDense(3, 4, 2)
    W = rng.normal(size=layer.weight_shape)
    b = rng.normal(size=layer.bias_shape)
    x = rng.normal(size=(5, 12))
    out = np.empty((5, 6))
    layer.forward(x, W, b, out)
    for g in range(3):
        expected = x[:, 4 * g : 4 * g + 4] @ W[g] + b[2 * g : 2 * g + 2]
        np.testing.assert_allclose(out[:, 2 * g : 2 * g + 2], expected)
    delta = rng.normal(size=(5, 6))
    grad_W, grad_b, grad_x = np.empty_like(W), np.empty_like(b), np.empty_like(x)
    layer.backward(x, delta, W, grad_W, grad_b, grad_x)
    dense = Dense(4, 2)
    for g in range(3):
        gW, gb, gx = np.empty((4, 2)), np.empty(2), np.empty((5, 4))
        dense.backward(
            x[:, 4 * g : 4 * g + 4], delta[:, 2 * g : 2 * g + 2], W[g], gW, gb, gx
        )
        np.testing.assert_allclose(grad_W[g], gW)
        np.testing.assert_allclose(grad_b[2 * g : 2 * g + 2], gb)
        np.testing.assert_allclose(grad_x[:, 4 * g : 4 * g + 4], gx)


def test_adam_and_sgd_steps_follow_their_formulas():
    params = np.array([1.0, -2.0])
    grads = np.array([0.5, 0.1])
    adam = Adam(2, np.float64, learning_rate=0.1, epsilon=0.0)
    p = params.copy()
    adam.update_params(p, grads)
    adam.update_params(p, grads)
    # Kingma & Ba's bias-corrected moments after one and two constant steps:
    # both equal g and g**2, so each step moves by learning_rate * sign(g)
    np.testing.assert_allclose(p, params - 2 * 0.1 * np.sign(grads), rtol=1e-12)

    sgd = SGD(2, np.float64, learning_rate=0.1, momentum=0.9, nesterov=False)
    p = params.copy()
    sgd.update_params(p, grads)
    sgd.update_params(p, grads)
    np.testing.assert_allclose(p, params - 0.1 * grads - (0.9 * 0.1 + 0.1) * grads)


def test_running_mean_is_the_mean_of_the_iterates():
    rng = np.random.default_rng(0)
    iterates = rng.normal(size=(7, 5))
    mean = RunningMean(5, np.float64)
    for params in iterates:
        mean.update(params)
    np.testing.assert_allclose(mean.mean, iterates.mean(axis=0), rtol=1e-12)


def test_averaging_does_not_change_the_optimizer_path(related_tasks):
    """partial_fit resumes from the last iterate, not from the average."""
    X, Y = related_tasks
    runs = []
    for average in (True, False):
        clf = _fast(SharedRepresentationClassifier, average=average, batch_size=64)
        for _ in range(3):
            clf.partial_fit(X, Y, classes=[[0, 1]] * 3)
        runs.append(clf)
    averaged, plain = runs
    np.testing.assert_array_equal(averaged._history.last_iterate, plain._network.params)
    assert not np.allclose(averaged._network.params, plain._network.params)
    np.testing.assert_array_equal(
        averaged._network.params, averaged._history.average.mean
    )


# -- estimators ----------------------------------------------------------------
def _fast(estimator_class, **params):
    # fixed here so that the tests do not depend on the estimators' defaults
    defaults = dict(
        hidden_layer_sizes=(32,),
        max_iter=200,
        learning_rate_init=1e-2,
        alpha=1e-4,
        dropout=0.0,
        early_stopping=False,
        average=False,
        random_state=0,
    )
    return estimator_class(**{**defaults, **params})


@pytest.fixture(scope="module")
def related_tasks():
    X, Y = make_multitask_classification(
        300,
        10,
        n_tasks=3,
        n_informative=5,
        relatedness=0.8,
        noise=0.0,
        class_sep=5.0,
        random_state=0,
    )
    return X, Y


def test_classifier_learns_related_tasks(related_tasks):
    X, Y = related_tasks
    clf = _fast(SharedRepresentationClassifier).fit(X[:200], Y[:200])
    assert clf.score(X[200:], Y[200:]) > 0.8
    assert clf.n_tasks_ == 3
    assert clf.predict(X).shape == (300, 3)
    assert len(clf.loss_curve_) == clf.n_iter_
    assert clf.task_loss_curves_.shape == (clf.n_iter_, 3)
    assert clf.loss_curve_[-1] < clf.loss_curve_[0]


def test_mixed_binary_multiclass_and_string_labels():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(120, 4))
    colour = np.array(["red", "green", "blue"])[np.argmax(X[:, :3], axis=1)]
    Y = np.empty((120, 2), dtype=object)
    Y[:, 0] = (X[:, 0] > 0).astype(int)
    Y[:, 1] = colour
    clf = _fast(SharedRepresentationClassifier, max_iter=100).fit(X, Y)
    np.testing.assert_array_equal(clf.classes_[0], [0, 1])
    np.testing.assert_array_equal(clf.classes_[1], ["blue", "green", "red"])
    proba = clf.predict_proba(X)
    assert [p.shape for p in proba] == [(120, 2), (120, 3)]
    for p in proba:
        np.testing.assert_allclose(p.sum(axis=1), 1.0)
    decision = clf.decision_function(X)
    assert isinstance(decision, list)
    assert decision[0].shape == (120,) and decision[1].shape == (120, 3)
    pred = clf.predict(X)
    assert pred.dtype == object
    np.testing.assert_array_equal(pred[:, 1], clf.classes_[1][proba[1].argmax(1)])
    assert np.mean(pred[:, 1] == colour) > 0.9


def test_single_task_follows_single_output_conventions():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(80, 3))
    y = np.where(X[:, 0] > 0, "yes", "no")
    clf = _fast(SharedRepresentationClassifier, max_iter=50).fit(X, y)
    np.testing.assert_array_equal(clf.classes_, ["no", "yes"])
    assert clf.predict(X).shape == (80,)
    assert clf.predict_proba(X).shape == (80, 2)
    assert clf.decision_function(X).shape == (80,)
    assert not hasattr(clf, "task_names_")


def test_decision_function_is_an_array_when_all_tasks_are_binary(related_tasks):
    X, Y = related_tasks
    clf = _fast(SharedRepresentationClassifier, max_iter=20).fit(X, Y)
    decision = clf.decision_function(X)
    assert decision.shape == (300, 3)
    np.testing.assert_array_equal(decision > 0, clf.predict(X) == 1)
    proba = clf.predict_proba(X)
    np.testing.assert_allclose(proba[2][:, 1], 1 / (1 + np.exp(-decision[:, 2])))


def test_score_is_mean_task_accuracy_on_observed_labels(related_tasks):
    X, Y = related_tasks
    Y = Y.astype(float)
    clf = _fast(SharedRepresentationClassifier, max_iter=30, tol=1.0).fit(X, Y)
    Y_test = Y.copy()
    Y_test[::3, 1] = np.nan
    pred = clf.predict(X)
    expected = np.mean(
        [
            accuracy_score(
                Y_test[~np.isnan(Y_test[:, t]), t],
                pred[~np.isnan(Y_test[:, t]), t],
            )
            for t in range(3)
        ]
    )
    assert clf.score(X, Y_test) == pytest.approx(expected)


def test_missing_labels_of_one_task_leave_the_other_task_untouched(related_tasks):
    """A row with a missing label still serves the other tasks: with task 1's
    loss weighted 0, hiding its labels changes nothing."""
    X, Y = related_tasks
    Y = Y[:, :2].astype(float)
    hidden = Y.copy()
    hidden[::2, 1] = np.nan
    params = dict(task_weights=[1.0, 0.0], dtype="float64", max_iter=20, tol=1.0)
    full = _fast(SharedRepresentationClassifier, **params).fit(X, Y)
    masked = _fast(SharedRepresentationClassifier, **params).fit(X, hidden)
    np.testing.assert_array_equal(full.trunk_coefs_[0], masked.trunk_coefs_[0])
    np.testing.assert_array_equal(full.predict_proba(X)[0], masked.predict_proba(X)[0])


def test_missing_labels_are_learned_around():
    X, Y = make_multitask_classification(
        400,
        8,
        n_tasks=4,
        n_informative=6,
        relatedness=0.9,
        noise=0.0,
        missing_rate=0.4,
        class_sep=5.0,
        random_state=1,
    )
    assert np.isnan(Y).any()
    clf = _fast(SharedRepresentationClassifier, max_iter=60).fit(X[:300], Y[:300])
    assert clf.score(X[300:], Y[300:]) > 0.8
    assert not np.isnan(clf.predict(X)).any()


def test_fits_are_reproducible_to_the_bit(related_tasks):
    X, Y = related_tasks
    params = dict(max_iter=5, tol=1.0, dropout=0.2)
    a = _fast(SharedRepresentationClassifier, **params).fit(X, Y)
    b = _fast(SharedRepresentationClassifier, **params).fit(X, Y)
    np.testing.assert_array_equal(a._network.params, b._network.params)
    c = _fast(SharedRepresentationClassifier, **{**params, "random_state": 1})
    assert not np.array_equal(a._network.params, c.fit(X, Y)._network.params)


def test_inputs_are_not_modified(related_tasks):
    X, Y = related_tasks
    X, Y = X.copy(), Y.astype(float)
    Y[0, 0] = np.nan
    w = np.ones(len(X))
    before = X.copy(), Y.copy(), w.copy()
    clf = _fast(SharedRepresentationClassifier, max_iter=3, tol=1.0)
    clf.fit(X, Y, sample_weight=w).predict(X)
    for original, now in zip(before, (X, Y, w)):
        np.testing.assert_array_equal(original, now)


def test_zero_sample_weight_equals_dropping_rows(related_tasks):
    X, Y = related_tasks
    w = np.ones(len(X))
    w[::4] = 0
    params = dict(batch_size=1000, dtype="float64", max_iter=10, tol=1.0)
    weighted = _fast(SharedRepresentationClassifier, **params).fit(X, Y, w)
    dropped = _fast(SharedRepresentationClassifier, **params).fit(X[w > 0], Y[w > 0])
    np.testing.assert_allclose(
        weighted.decision_function(X), dropped.decision_function(X), rtol=1e-10
    )


def test_pickle_round_trip(related_tasks):
    X, Y = related_tasks
    clf = _fast(SharedRepresentationClassifier, max_iter=5, tol=1.0).fit(X, Y)
    restored = pickle.loads(pickle.dumps(clf))
    np.testing.assert_array_equal(
        restored.decision_function(X), clf.decision_function(X)
    )
    assert restored.head_coefs_[1][0].shape == (32, 1)


def test_pipeline_grid_search_and_cross_validate(related_tasks):
    X, Y = related_tasks
    pipe = make_pipeline(
        StandardScaler(), _fast(SharedRepresentationClassifier, max_iter=20)
    )
    search = GridSearchCV(
        pipe, {"sharedrepresentationclassifier__alpha": [1e-4, 1e-1]}, cv=2
    ).fit(X, Y)
    assert search.best_score_ > 0.6
    scores = cross_validate(pipe, X, Y, cv=3)["test_score"]
    assert scores.shape == (3,) and np.all(scores > 0.6)


def test_transform_gives_the_trunk_as_features(related_tasks):
    X, Y = related_tasks
    clf = _fast(SharedRepresentationClassifier, hidden_layer_sizes=(16, 8))
    clf.fit(X, Y)
    H = clf.transform(X)
    assert H.shape == (300, 8) and H.dtype == np.float64 and (H >= 0).all()
    # the trunk as a feature extractor for a single-task model in a Pipeline
    first = clone(clf).fit(X, Y)
    logit = LogisticRegression().fit(first.transform(X), Y[:, 0])
    assert logit.score(first.transform(X), Y[:, 0]) > 0.8
    # head output = head weights applied to the representation
    z = H @ clf.head_coefs_[2][0] + clf.head_intercepts_[2][0]
    np.testing.assert_allclose(z[:, 0], clf.decision_function(X)[:, 2], rtol=1e-6)


@pytest.mark.parametrize(
    "estimator_class", [SharedRepresentationClassifier, SharedRepresentationRegressor]
)
def test_set_output_pandas_in_a_pipeline(related_tasks, estimator_class):
    pd = pytest.importorskip("pandas")
    X, Y = related_tasks
    X = pd.DataFrame(X, columns=[f"x{i}" for i in range(X.shape[1])])
    estimator = _fast(estimator_class, hidden_layer_sizes=(16, 4), max_iter=5)
    pipe = make_pipeline(StandardScaler(), estimator).set_output(transform="pandas")
    pipe.fit(X, Y.astype(float))
    H = pipe.transform(X)
    name = estimator_class.__name__.lower()
    assert isinstance(H, pd.DataFrame)
    assert H.columns.tolist() == [f"{name}{i}" for i in range(4)]
    np.testing.assert_array_equal(H.index, X.index)
    np.testing.assert_array_equal(
        H.to_numpy(), estimator.transform(pipe[0].transform(X)).to_numpy()
    )
    # no hidden layer: transform passes X through, under its own names
    passthrough = _fast(estimator_class, hidden_layer_sizes=(), max_iter=2)
    passthrough.set_output(transform="pandas").fit(X, Y.astype(float))
    assert passthrough.get_feature_names_out().tolist() == X.columns.tolist()
    assert passthrough.transform(X).columns.tolist() == X.columns.tolist()


def test_head_layers_have_per_task_weights(related_tasks):
    X, Y = related_tasks
    clf = _fast(SharedRepresentationClassifier, head_layer_sizes=(8, 4), max_iter=10)
    clf.fit(X, Y)
    shapes = [[W.shape for W in task] for task in clf.head_coefs_]
    assert shapes == [[(32, 8), (8, 4), (4, 1)]] * 3
    assert not np.array_equal(clf.head_coefs_[0][1], clf.head_coefs_[1][1])


def test_partial_fit_needs_classes_then_keeps_learning(related_tasks):
    X, Y = related_tasks
    clf = _fast(SharedRepresentationClassifier)
    classes = [np.array([0, 1])] * 3
    with pytest.raises(ValueError, match="each of the 3 tasks"):
        clf.partial_fit(X[:50], Y[:50], classes=[[0, 1]])
    for _ in range(30):
        clf.partial_fit(X, Y, classes=classes)
    assert clf.n_iter_ == 30 and len(clf.loss_curve_) == 30
    assert clf.loss_curve_[-1] < clf.loss_curve_[0]
    with pytest.raises(ValueError, match="not in its classes"):
        clf.partial_fit(X[:3], np.full((3, 3), 2))


def test_partial_fit_classes_allow_a_class_absent_from_the_first_batch():
    X = np.arange(8.0).reshape(-1, 1)
    clf = _fast(SharedRepresentationClassifier)
    clf.partial_fit(X[:4], [0, 0, 1, 1], classes=[0, 1, 2])
    np.testing.assert_array_equal(clf.classes_, [0, 1, 2])
    clf.partial_fit(X[4:], [2, 2, 1, 0])
    assert clf.predict_proba(X).shape == (8, 3)


def test_warm_start_continues_from_the_previous_weights(related_tasks):
    X, Y = related_tasks
    clf = _fast(SharedRepresentationClassifier, max_iter=5, warm_start=True)
    clf.fit(X, Y)
    first_loss = clf.loss_curve_[-1]
    clf.fit(X, Y)
    assert clf.n_iter_ == 10 and len(clf.loss_curve_) == 10
    assert clf.loss_curve_[5] < first_loss + 0.05
    with pytest.raises(ValueError, match="y has 2 tasks but .* fitted with 3"):
        clf.fit(X, Y[:, :2])


def test_early_stopping_records_validation_scores(related_tasks):
    X, Y = related_tasks
    clf = _fast(
        SharedRepresentationClassifier, early_stopping=True, n_iter_no_change=3
    ).fit(X, Y)
    assert len(clf.validation_scores_) == clf.n_iter_ < 200
    assert clf.best_validation_score_ == max(clf.validation_scores_)
    assert clf.best_loss_ is None


def test_hitting_max_iter_warns(related_tasks):
    X, Y = related_tasks
    with pytest.warns(ConvergenceWarning, match=r"maximum iterations \(2\)"):
        _fast(SharedRepresentationClassifier, max_iter=2).fit(X, Y)


def test_divergence_raises_a_clear_error_and_leaves_no_nan_model(related_tasks):
    X, Y = related_tasks
    diverging = dict(solver="sgd", learning_rate_init=1e8, activation="identity")
    clf = _fast(SharedRepresentationClassifier, max_iter=50, **diverging)
    with pytest.raises(ValueError, match="diverged.*learning_rate_init"):
        clf.fit(X * 1e3, Y)
    with pytest.raises(NotFittedError):
        clf.predict(X)
    # a warm start that diverges gives the previous fit back
    clf = _fast(SharedRepresentationClassifier, max_iter=5).fit(X, Y)
    before = clf.predict_proba(X)
    clf.set_params(warm_start=True, **diverging)
    with pytest.raises(ValueError, match="diverged"):
        clf.fit(X * 1e3, Y)
    for a, b in zip(before, clf.predict_proba(X)):
        np.testing.assert_array_equal(a, b)


def test_verbose_prints_each_task_loss(related_tasks, capsys):
    pd = pytest.importorskip("pandas")
    X, Y = related_tasks
    frame = pd.DataFrame(Y, columns=["alpha", "beta", "gamma"])
    clf = _fast(SharedRepresentationClassifier, max_iter=2, tol=1.0, verbose=True)
    clf.fit(X, frame)
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 2
    assert re.search(r"Iteration 1, loss = .*alpha: .*beta: .*gamma: ", lines[0])
    np.testing.assert_array_equal(clf.task_names_, ["alpha", "beta", "gamma"])


def test_class_weight_balanced_raises_minority_recall():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(400, 2))
    y = (X[:, 0] + 0.8 * rng.normal(size=400) > 1.3).astype(int)  # ~15% positives
    base = _fast(SharedRepresentationClassifier, max_iter=50).fit(X, y)
    balanced = _fast(
        SharedRepresentationClassifier, max_iter=50, class_weight="balanced"
    ).fit(X, y)
    recall = [np.mean(m.predict(X)[y == 1] == 1) for m in (base, balanced)]
    assert recall[1] > recall[0] + 0.1
    as_dict = _fast(
        SharedRepresentationClassifier, max_iter=50, class_weight={0: 1.0, 1: 5.0}
    ).fit(X, y)
    assert np.mean(as_dict.predict(X)[y == 1] == 1) > recall[0]


@pytest.mark.parametrize(
    "params, match",
    [
        (dict(class_weight=[None]), "class_weight has 1 entries but y has 3"),
        (dict(class_weight={0: 2.0}), "dict class_weight applies to one task"),
        (dict(class_weight=[{5: 1.0}, None, None]), r"labels \['5'\]"),
        (dict(task_weights=[1.0, 2.0]), r"one weight per task, shape \(3,\)"),
        (dict(task_weights=[1.0, -1.0, 1.0]), "non-negative"),
        (dict(hidden_layer_sizes=(8, 0)), "positive integers"),
        (dict(early_stopping=True, validation_fraction=0.001), "validation"),
        (dict(hidden_layer_sizes=("a",)), "hidden_layer_sizes must be .* integers"),
        (dict(hidden_layer_sizes=(8, True)), "hidden_layer_sizes"),
        (dict(head_layer_sizes=["a"]), "head_layer_sizes must be .* integers"),
        (dict(task_weights=["a", 1, 1]), "task_weights must hold real numbers"),
        (dict(class_weight=[{0: np.nan}, None, None]), "class_weight .* nan"),
        (dict(class_weight=[None, {1: np.inf}, None]), "class_weight .* inf"),
        (dict(class_weight=[None, None, {0: -1.0}]), "class_weight .* -1.0"),
        (dict(class_weight=[None, None, {0: "a"}]), "class_weight .* 'a'"),
    ],
)
def test_bad_parameters_get_clear_errors(related_tasks, params, match):
    X, Y = related_tasks
    with pytest.raises(ValueError, match=match):
        _fast(SharedRepresentationClassifier, max_iter=1, **params).fit(X, Y)


# -- constant tasks (one observed class) ----------------------------------------
def _with_constant_task(n=90, seed=0):
    """A binary, a 3-class and a constant task, each with missing labels."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 4))
    Y = np.column_stack(
        [X[:, 0] > 0, np.digitize(X[:, 1], [-0.5, 0.5]), np.ones(n)]
    ).astype(float)
    Y[::5, 0] = np.nan
    Y[1::6, 1] = np.nan
    Y[::7, 2] = np.nan
    return X, Y


def _one_warning(record, category=ConstantTaskWarning):
    return [w for w in record if issubclass(w.category, category)]


@pytest.mark.parametrize(
    "params",
    [
        dict(),
        dict(early_stopping=True, n_iter_no_change=3),
        dict(class_weight="balanced", early_stopping=True),
    ],
)
def test_a_constant_task_is_fitted_as_a_constant(params):
    X, Y = _with_constant_task()
    clf = _fast(SharedRepresentationClassifier, max_iter=40, **params)
    with pytest.warns(ConstantTaskWarning, match="task 2 \\(1.0\\)") as record:
        clf.fit(X, Y)
    assert len(_one_warning(record)) == 1
    assert [c.tolist() for c in clf.classes_] == [[0, 1], [0, 1, 2], [1]]
    proba = clf.predict_proba(X)
    assert [p.shape for p in proba] == [(90, 2), (90, 3), (90, 1)]
    np.testing.assert_array_equal(proba[2], 1.0)
    decision = clf.decision_function(X)
    np.testing.assert_array_equal(decision[2], 0.0)
    pred = clf.predict(X)
    np.testing.assert_array_equal(pred[:, 2], 1.0)
    # the constant task is out of the loss; nothing is NaN
    assert np.isfinite(clf.loss_curve_).all()
    assert np.isfinite(clf.task_loss_curves_).all()
    np.testing.assert_array_equal(clf.task_loss_curves_[:, 2], 0.0)
    if clf.early_stopping:
        assert np.isfinite(clf.validation_scores_).all()
    for p in proba[:2]:
        assert np.isfinite(p).all()
        np.testing.assert_allclose(p.sum(axis=1), 1.0)
    # the other tasks are learned
    for t in range(2):
        seen = ~np.isnan(Y[:, t])
        assert accuracy_score(Y[seen, t], pred[seen, t]) > 0.8


def test_a_constant_task_trains_the_others_as_a_zero_weight_task():
    """Its cells have zero weight: the fit equals one where that task has two
    classes but a task weight of 0."""
    X, Y = _with_constant_task()
    Y[:, 1] = (Y[:, 1] > 0).astype(float)  # all binary: the same architecture
    other = Y.copy()
    other[::2, 2] = 0.0
    params = dict(dtype="float64", max_iter=10, tol=1.0, early_stopping=True)
    with pytest.warns(ConstantTaskWarning):
        constant = _fast(SharedRepresentationClassifier, **params).fit(X, Y)
    weighted = _fast(
        SharedRepresentationClassifier, task_weights=[1.0, 1.0, 0.0], **params
    ).fit(X, other)
    np.testing.assert_array_equal(constant._network.params, weighted._network.params)
    np.testing.assert_array_equal(
        constant.validation_scores_, weighted.validation_scores_
    )


def test_a_constant_one_dimensional_y_predicts_its_class():
    pd = pytest.importorskip("pandas")
    X = np.random.default_rng(0).normal(size=(30, 3))
    y = pd.Series(["spam"] * 30, name="label")
    clf = _fast(SharedRepresentationClassifier, early_stopping=True)
    with pytest.warns(ConstantTaskWarning, match="'spam'") as record:
        clf.fit(X, y)
    assert len(_one_warning(record)) == 1
    assert clf.classes_.tolist() == ["spam"]
    assert clf.predict(X).tolist() == ["spam"] * 30
    assert clf.predict_proba(X).shape == (30, 1)
    assert clf.decision_function(X).shape == (30,)
    assert clf.score(X, y) == 1.0
    assert clf.n_iter_ == 0  # nothing to learn
    assert clf.validation_scores_ == [] and clf.best_validation_score_ is None
    assert clf.transform(X).shape == (30, 32)


def test_a_named_constant_task_is_named_in_the_warning():
    pd = pytest.importorskip("pandas")
    X = np.random.default_rng(0).normal(size=(6, 2))
    y = pd.DataFrame({"ok": [0, 1, 0, 1, 0, 1], "stuck": [1.0, 1, 1, np.nan, 1, 1]})
    with pytest.warns(ConstantTaskWarning, match="task 'stuck'"):
        _fast(SharedRepresentationClassifier, max_iter=5).fit(X, y)


def test_warm_start_with_a_constant_task_warns_at_each_fit():
    X, Y = _with_constant_task()
    clf = _fast(SharedRepresentationClassifier, max_iter=5, warm_start=True)
    for n_iter in (5, 10):
        with pytest.warns(ConstantTaskWarning) as record:
            clf.fit(X, Y)
        assert len(_one_warning(record)) == 1
        assert clf.n_iter_ == n_iter
    assert np.isfinite(clf.loss_curve_).all()
    assert clf.classes_[2].tolist() == [1]


def test_partial_fit_with_declared_classes_is_not_constant(recwarn):
    X, Y = _with_constant_task()
    clf = _fast(SharedRepresentationClassifier)
    classes = [[0, 1], [0, 1, 2], [0, 1]]  # task 2 declared binary
    for _ in range(3):
        clf.partial_fit(X, Y, classes=classes)
    assert not _one_warning(recwarn.list)
    assert clf.classes_[2].tolist() == [0, 1]
    proba = clf.predict_proba(X)
    assert proba[2].shape == (90, 2) and np.isfinite(proba[2]).all()
    assert np.isfinite(clf.task_loss_curves_).all()
    # undeclared, the one-class task is a constant: one warning per call
    clf = _fast(SharedRepresentationClassifier)
    for _ in range(2):
        with pytest.warns(ConstantTaskWarning) as record:
            clf.partial_fit(X, Y, classes=[[0, 1], [0, 1, 2], [1]])
        assert len(_one_warning(record)) == 1
    np.testing.assert_array_equal(clf.predict_proba(X)[2], 1.0)
    # one-dimensional y, declared binary, a chunk of one class
    clf = _fast(SharedRepresentationClassifier)
    clf.partial_fit(X, np.zeros(len(X)), classes=[0, 1])
    clf.partial_fit(X, np.zeros(len(X)))
    assert not _one_warning(recwarn.list)
    proba = clf.predict_proba(X)
    assert proba.shape == (90, 2) and np.isfinite(proba).all()


# -- hostile input ---------------------------------------------------------------
@pytest.mark.parametrize("scale", [1e300, 1e154])
def test_X_beyond_float32_is_a_clear_error_at_fit_and_predict(related_tasks, scale):
    X, Y = related_tasks
    message = "float32 cannot represent.*StandardScaler.*dtype='float64'"
    with pytest.raises(ValueError, match=message):
        _fast(SharedRepresentationClassifier, max_iter=2).fit(X * scale, Y)
    clf = _fast(SharedRepresentationClassifier, max_iter=2).fit(X, Y)
    for method in ("predict", "predict_proba", "decision_function", "transform"):
        with pytest.raises(ValueError, match=message):
            getattr(clf, method)(X * scale)
    with pytest.raises(ValueError, match=message):
        clf.predict(sp.csr_matrix(X * scale))
    # float64 represents it: a finite model, finite probabilities
    big = _fast(SharedRepresentationClassifier, max_iter=2, dtype="float64")
    big.fit(X * scale, Y)
    for p in big.predict_proba(X * scale):
        assert np.isfinite(p).all()
        np.testing.assert_allclose(p.sum(axis=1), 1.0)


@pytest.mark.parametrize(
    "bad, message",
    [
        (np.nan, "Input X contains NaN"),
        (np.inf, "Input X contains infinity"),
        (-np.inf, "Input X contains infinity"),
    ],
)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_non_finite_X_is_scikit_learns_error(related_tasks, bad, message, dtype):
    # float64 X for float32 training is checked for finiteness and range in
    # one pass by row blocks; float32 X and float64 training by scikit-learn
    X, Y = related_tasks
    X_bad = X.copy()
    X_bad[len(X) // 2, 1] = bad
    for X_in in (X_bad, X_bad.astype(np.float32)):
        with pytest.raises(ValueError, match=message):
            _fast(SharedRepresentationClassifier, max_iter=2, dtype=dtype).fit(X_in, Y)
    clf = _fast(SharedRepresentationClassifier, max_iter=2, dtype=dtype).fit(X, Y)
    with pytest.raises(ValueError, match=message):
        clf.predict_proba(X_bad[::-1].copy())


def test_one_pass_range_check_sees_every_row_block():
    from mtlearn.neural_network._shared_representation import _check_representable

    X = np.zeros((5000, 100))  # blocks of 1 310 rows
    for row in (0, 1309, 1310, 4999):
        for value, error in ((np.nan, "NaN"), (-np.inf, "infinity"), (1e39, "float32")):
            X_bad = X.copy()
            X_bad[row, 7] = value
            with pytest.raises(ValueError, match=error):
                _check_representable(X_bad, np.float32, finite_checked=False)
    _check_representable(X, np.float32, finite_checked=False)  # no error


def test_X_overflowing_the_network_is_a_clear_error(related_tasks):
    X, Y = related_tasks
    clf = _fast(SharedRepresentationClassifier, max_iter=2, dtype="float64")
    clf.fit(X, Y)
    huge = np.full((3, X.shape[1]), np.finfo(np.float64).max)
    for method in ("predict", "predict_proba", "decision_function", "transform"):
        with pytest.raises(ValueError, match="X is too large .* StandardScaler"):
            getattr(clf, method)(huge)
    reg = _fast(SharedRepresentationRegressor, max_iter=2, dtype="float64")
    reg.fit(X, Y[:, 0].astype(float))
    with pytest.raises(ValueError, match="X is too large"):
        reg.predict(huge)


def test_divergence_says_what_to_do(related_tasks):
    X, Y = related_tasks
    diverging = dict(solver="sgd", learning_rate_init=1e8, activation="identity")
    clf = _fast(SharedRepresentationClassifier, max_iter=50, **diverging)
    message = "diverged.*StandardScaler.*learning_rate_init.*dtype='float64'"
    with pytest.raises(ValueError, match=message):
        clf.fit(X * 1e3, Y)


def test_regressor_targets_of_huge_magnitude():
    X, Y = make_multitask_regression(100, 4, n_tasks=2, n_informative=3, random_state=0)
    params = dict(max_iter=20, tol=1.0, dtype="float64")
    plain = _fast(SharedRepresentationRegressor, **params).fit(X, Y)
    huge = _fast(SharedRepresentationRegressor, **params).fit(X, Y * 1e200)
    pred = huge.predict(X)
    assert np.isfinite(pred).all()
    # standardised, the targets are the same: so are the fits
    np.testing.assert_allclose(pred / 1e200, plain.predict(X), rtol=1e-8)
    # a later partial_fit far outside the first call's scale: a clear error
    reg = _fast(SharedRepresentationRegressor)
    reg.partial_fit(X, Y)
    with pytest.raises(ValueError, match="y has values too far .* float32"):
        reg.partial_fit(X, Y * 1e200)
    # targets at the float64 limit: predictions beyond it are a clear error
    y = np.sign(X[:, 0]) * np.finfo(np.float64).max
    extreme = _fast(SharedRepresentationRegressor, **params).fit(X, y)
    try:
        assert np.isfinite(extreme.predict(X)).all()
    except ValueError as error:
        assert "overflow float64" in str(error)


@pytest.mark.parametrize(
    "estimator_class", [SharedRepresentationClassifier, SharedRepresentationRegressor]
)
def test_refit_follows_the_shape_of_the_latest_y(estimator_class):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 3))
    y = (X[:, 0] > 0).astype(float)
    est = _fast(estimator_class, max_iter=3, warm_start=True)
    est.fit(X, y)
    assert est.predict(X).shape == (40,)
    est.fit(X, y[:, None])
    assert est.predict(X).shape == (40, 1)
    if estimator_class is SharedRepresentationClassifier:
        assert isinstance(est.predict_proba(X), list)
        assert [c.tolist() for c in est.classes_] == [[0, 1]]
    est.fit(X, y)
    assert est.predict(X).shape == (40,)
    if estimator_class is SharedRepresentationClassifier:
        assert est.predict_proba(X).shape == (40, 2)
        assert est.classes_.tolist() == [0, 1]
        est.partial_fit(X, y[:, None])
        assert est.predict(X).shape == (40, 1)


def test_a_scalar_sample_weight_broadcasts(related_tasks):
    X, Y = related_tasks
    params = dict(max_iter=3, tol=1.0)
    plain = _fast(SharedRepresentationClassifier, **params).fit(X, Y)
    scalar = _fast(SharedRepresentationClassifier, **params).fit(X, Y, 2.5)
    np.testing.assert_array_equal(plain._network.params, scalar._network.params)
    reg = _fast(SharedRepresentationRegressor, **params)
    reg.partial_fit(X, Y[:, 0].astype(float), sample_weight=3)
    assert np.isfinite(reg.predict(X)).all()


def test_a_two_dimensional_sample_weight_is_named(related_tasks):
    X, Y = related_tasks
    clf = _fast(SharedRepresentationClassifier, max_iter=2)
    with pytest.raises(ValueError, match="sample_weight must be 1-D"):
        clf.fit(X, Y, sample_weight=np.ones((len(X), 2)))


def test_only_relative_weights_count(related_tasks):
    """Sample and class weights near the float limits: each task's loss is
    normalised by its total weight, so their scale changes nothing."""
    X, Y = related_tasks
    params = dict(max_iter=3, tol=1.0)
    plain = _fast(SharedRepresentationClassifier, **params).fit(X, Y)
    huge = _fast(SharedRepresentationClassifier, **params)
    huge.fit(X, Y, sample_weight=np.full(len(X), 1e300))
    np.testing.assert_array_equal(plain._network.params, huge._network.params)
    y = Y[:, 0]
    a = _fast(SharedRepresentationClassifier, class_weight={0: 1.0, 1: 3.0}, **params)
    b = _fast(
        SharedRepresentationClassifier, class_weight={0: 1e300, 1: 3e300}, **params
    )
    np.testing.assert_allclose(
        a.fit(X, y).decision_function(X), b.fit(X, y).decision_function(X)
    )


def test_float32_and_float64_agree(related_tasks):
    X, Y = related_tasks
    a = _fast(SharedRepresentationClassifier, max_iter=30).fit(X, Y)
    b = _fast(SharedRepresentationClassifier, max_iter=30, dtype="float64").fit(X, Y)
    assert a._network.params.dtype == np.float32
    assert np.mean(a.predict(X) == b.predict(X)) > 0.97


def test_sparse_input_equals_dense(related_tasks):
    X, Y = related_tasks
    params = dict(max_iter=5, tol=1.0, dtype="float64")
    dense = _fast(SharedRepresentationClassifier, **params).fit(X, Y)
    sparse = _fast(SharedRepresentationClassifier, **params).fit(sp.csr_matrix(X), Y)
    np.testing.assert_allclose(
        dense.decision_function(X), sparse.decision_function(sp.csr_matrix(X))
    )


# -- regressor -----------------------------------------------------------------
def test_regressor_standardises_targets_and_maps_back():
    X, Y = make_multitask_regression(
        300, 6, n_tasks=3, n_informative=4, noise=0.05, random_state=0
    )
    Y = Y * np.array([1.0, 1e4, 1e-3]) + np.array([0.0, 5e5, -2.0])
    reg = _fast(SharedRepresentationRegressor, max_iter=300).fit(X[:200], Y[:200])
    pred = reg.predict(X[200:])
    assert pred.shape == (100, 3)
    for t in range(3):
        assert r2_score(Y[200:, t], pred[:, t]) > 0.9


def test_regressor_missing_targets_and_score():
    X, Y = make_multitask_regression(
        200, 5, n_tasks=2, n_informative=3, missing_rate=0.3, random_state=0
    )
    reg = _fast(SharedRepresentationRegressor, max_iter=100).fit(X, Y)
    pred = reg.predict(X)
    assert not np.isnan(pred).any()
    observed = ~np.isnan(Y)
    expected = np.mean(
        [r2_score(Y[observed[:, t], t], pred[observed[:, t], t]) for t in range(2)]
    )
    assert reg.score(X, Y) == pytest.approx(expected)
    one = _fast(SharedRepresentationRegressor, max_iter=20).fit(X, Y[:, 0])
    assert one.predict(X).shape == (200,)


def test_regressor_partial_fit():
    X, Y = make_multitask_regression(100, 4, n_tasks=2, n_informative=3, random_state=0)
    reg = _fast(SharedRepresentationRegressor)
    for _ in range(20):
        reg.partial_fit(X, Y)
    assert reg.n_iter_ == 20 and reg.loss_curve_[-1] < reg.loss_curve_[0]


# -- BLAS threads ----------------------------------------------------------------
def test_small_products_train_on_one_blas_thread():
    threadpoolctl = pytest.importorskip("threadpoolctl")
    net = SharedTrunkNetwork(5, (8,), (), 2, 1, "relu", np.float32)
    with EpochThreads(net, batch_size=16).epoch():
        blas = [i for i in threadpoolctl.threadpool_info() if i["user_api"] == "blas"]
        assert all(info["num_threads"] == 1 for info in blas)


def test_thread_choice_does_not_change_the_fit(related_tasks, monkeypatch):
    """Whatever the probe picks, the products give the same bits."""
    import mtlearn.neural_network._threads as threads

    X, Y = related_tasks
    params = dict(hidden_layer_sizes=(256,), batch_size=64, max_iter=3)
    fits = []
    for minimum in (2**40, 0):  # never threads / probe every epoch
        monkeypatch.setattr(threads, "_MIN_MULTIPLY_ADDS", minimum)
        fits.append(_fast(SharedRepresentationClassifier, **params).fit(X, Y))
    np.testing.assert_array_equal(fits[0]._network.params, fits[1]._network.params)


@pytest.mark.parametrize("n_classes", [2, 3])
def test_class_counts_are_weighted_bincounts(n_classes):
    from mtlearn.neural_network._shared_representation import _class_counts

    rng = np.random.default_rng(0)
    codes = rng.integers(0, n_classes, 500).astype(np.int32)
    for weights in (None, np.full(500, 0.3), rng.random(500), np.zeros(500)):
        expected = np.bincount(codes, weights=weights, minlength=n_classes)
        np.testing.assert_allclose(_class_counts(codes, n_classes, weights), expected)
    counts = _class_counts(codes[:0], n_classes, None)
    np.testing.assert_array_equal(counts, [0] * n_classes)
