"""Tests of the multi-label stratified splitters."""

import pickle
import time

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import (
    GridSearchCV,
    KFold,
    cross_val_predict,
    cross_validate,
)
from sklearn.multioutput import MultiOutputClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from mtlearn.datasets import load_yeast
from mtlearn.model_selection import (
    MultilabelStratifiedKFold,
    MultilabelStratifiedShuffleSplit,
)
from mtlearn.model_selection._split import _iterative_stratification


@pytest.fixture(scope="module")
def yeast():
    return load_yeast(subset="all", return_X_y=True)


def _multilabel(n_samples=200, n_labels=6, seed=0):
    rng = np.random.RandomState(seed)
    rates = np.linspace(0.05, 0.6, n_labels)
    y = (rng.uniform(size=(n_samples, n_labels)) < rates).astype(int)
    return np.zeros((n_samples, 2)), y


def _test_folds(cv, X, y):
    return [test for _, test in cv.split(X, y)]


def _fold_spread(y, tests):
    """Mean over labels of the std across test folds of the label's rate."""
    rates = np.array([y[test].mean(axis=0) for test in tests])
    return rates.std(axis=0).mean()


# --- partition properties ---------------------------------------------------


@pytest.mark.parametrize("n_samples", [50, 53, 201])
@pytest.mark.parametrize("n_splits", [2, 3, 5])
@pytest.mark.parametrize("shuffle", [False, True])
def test_kfold_partitions_rows(n_samples, n_splits, shuffle):
    X, y = _multilabel(n_samples)
    cv = MultilabelStratifiedKFold(
        n_splits, shuffle=shuffle, random_state=0 if shuffle else None
    )
    assert cv.get_n_splits(X, y) == n_splits
    splits = list(cv.split(X, y))
    assert len(splits) == n_splits
    counts = np.zeros(n_samples, dtype=int)
    sizes = []
    for train, test in splits:
        assert np.intersect1d(train, test).size == 0
        assert np.array_equal(np.union1d(train, test), np.arange(n_samples))
        assert np.all(np.diff(test) > 0)  # sorted, no repeats
        counts[test] += 1
        sizes.append(test.shape[0])
    assert np.all(counts == 1)
    assert max(sizes) - min(sizes) <= 1


def test_deterministic_without_shuffle():
    X, y = _multilabel()
    cv = MultilabelStratifiedKFold(4)
    first, second = _test_folds(cv, X, y), _test_folds(cv, X, y)
    assert all(np.array_equal(a, b) for a, b in zip(first, second))


def test_random_state_reproducible_and_shuffle_changes_folds():
    X, y = _multilabel()
    folds = {}
    for name, cv in {
        "plain": MultilabelStratifiedKFold(4),
        "seed0": MultilabelStratifiedKFold(4, shuffle=True, random_state=0),
        "seed0_again": MultilabelStratifiedKFold(4, shuffle=True, random_state=0),
        "seed1": MultilabelStratifiedKFold(4, shuffle=True, random_state=1),
    }.items():
        folds[name] = _test_folds(cv, X, y)

    def same(a, b):
        return all(np.array_equal(u, v) for u, v in zip(a, b))

    assert same(folds["seed0"], folds["seed0_again"])
    assert not same(folds["seed0"], folds["seed1"])
    assert not same(folds["plain"], folds["seed0"])


def test_shuffle_without_seed_differs_between_calls():
    X, y = _multilabel()
    cv = MultilabelStratifiedKFold(4, shuffle=True)
    first, second = _test_folds(cv, X, y), _test_folds(cv, X, y)
    assert not all(np.array_equal(a, b) for a, b in zip(first, second))


# --- stratification quality -------------------------------------------------


def test_yeast_spread_far_below_kfold(yeast):
    X, y = yeast
    stratified, plain = [], []
    for seed in range(3):
        cv = MultilabelStratifiedKFold(5, shuffle=True, random_state=seed)
        stratified.append(_fold_spread(y, _test_folds(cv, X, y)))
        cv = KFold(5, shuffle=True, random_state=seed)
        plain.append(_fold_spread(y, _test_folds(cv, X, y)))
    assert np.mean(stratified) < 0.5 * np.mean(plain)
    # In fact much lower: about 20 times on yeast.
    assert np.mean(stratified) < 0.2 * np.mean(plain)


def test_yeast_split_is_fast(yeast):
    X, y = yeast
    cv = MultilabelStratifiedKFold(5, shuffle=True, random_state=0)
    start = time.perf_counter()
    tests = _test_folds(cv, X, y)
    assert time.perf_counter() - start < 1.0
    # Even the rarest label (34 positives) reaches every test fold.
    assert np.all(np.array([y[test].sum(axis=0) for test in tests]) > 0)


def test_label_counts_per_fold_close_to_desired():
    X, y = _multilabel(n_samples=300, n_labels=8, seed=3)
    tests = _test_folds(MultilabelStratifiedKFold(5), X, y)
    counts = np.array([y[test].sum(axis=0) for test in tests])
    desired = y.sum(axis=0) / 5
    assert np.all(np.abs(counts - desired) <= 2)


def test_rarest_label_spread_one_per_fold():
    # Label 0 has exactly as many positives as there are folds.
    y = np.zeros((40, 2), dtype=int)
    y[[3, 4, 5, 6], 0] = 1
    y[::2, 1] = 1
    X = np.zeros((40, 1))
    for shuffle, seed in [(False, None), (True, 0), (True, 7)]:
        cv = MultilabelStratifiedKFold(4, shuffle=shuffle, random_state=seed)
        tests = _test_folds(cv, X, y)
        assert [y[test, 0].sum() for test in tests] == [1, 1, 1, 1]
        assert [y[test, 1].sum() for test in tests] == [5, 5, 5, 5]


def test_multiclass_tasks_and_string_labels():
    rng = np.random.RandomState(0)
    colours = rng.choice(["red", "green", "blue"], p=[0.6, 0.3, 0.1], size=150)
    sizes = rng.choice([0, 1, 2, 3], size=150)
    y = np.column_stack([colours, sizes.astype(str)]).astype(object)
    X = np.zeros((150, 3))
    tests = _test_folds(MultilabelStratifiedKFold(5), X, y)
    for task in range(2):
        classes, totals = np.unique(y[:, task], return_counts=True)
        for test in tests:
            counts = np.array([(y[test, task] == c).sum() for c in classes])
            assert np.all(np.abs(counts - totals / 5) <= 1.5)


def test_one_dimensional_targets():
    rng = np.random.RandomState(0)
    y = rng.choice(["a", "b", "c"], p=[0.7, 0.2, 0.1], size=100)
    X = np.zeros((100, 1))
    tests = _test_folds(MultilabelStratifiedKFold(5), X, y)
    for c in "abc":
        counts = [(y[test] == c).sum() for test in tests]
        assert max(counts) - min(counts) <= 1
    splits = list(MultilabelStratifiedShuffleSplit(3, random_state=0).split(X, y))
    assert all(test.shape[0] == 10 for _, test in splits)


def test_missing_labels_stratify_observed_cells():
    X, y = _multilabel(n_samples=400, n_labels=5, seed=1)
    rng = np.random.RandomState(2)
    y = y.astype(float)
    hidden = rng.uniform(size=y.shape) < [0.0, 0.2, 0.5, 0.7, 0.3]
    y[hidden] = np.nan
    y[:10] = np.nan  # rows with every task missing
    observed = ~np.isnan(y)
    positive = y == 1
    tests = _test_folds(MultilabelStratifiedKFold(4), X, y)
    counts = np.zeros(400, dtype=int)
    for test in tests:
        counts[test] += 1
        # Each task's observed positives and observed cells are spread (the
        # greedy placement of the large negative classes comes last, under
        # the fold-size constraint, so it is less exact).
        assert np.all(np.abs(positive[test].sum(0) - positive.sum(0) / 4) <= 1.5)
        assert np.all(np.abs(observed[test].sum(0) - observed.sum(0) / 4) <= 5)
        assert abs((~observed[test]).all(axis=1).sum() - 10 / 4) <= 1
    assert np.all(counts == 1)
    assert max(map(len, tests)) - min(map(len, tests)) <= 1


def test_missing_labels_as_none_in_object_targets():
    y = np.array(
        [["a", 1], [None, 0], ["b", None], ["a", 0], ["b", 1], [None, None]] * 5,
        dtype=object,
    )
    X = np.zeros((30, 1))
    tests = _test_folds(MultilabelStratifiedKFold(3), X, y)
    for test in tests:
        assert abs(sum(v == "a" for v in y[test, 0]) - 10 / 3) <= 1
        assert abs(sum(v == 1 for v in y[test, 1]) - 10 / 3) <= 1


def test_pandas_frame_targets():
    pd = pytest.importorskip("pandas")
    X, y = _multilabel(n_samples=60, n_labels=3)
    frame = pd.DataFrame(y, columns=["u", "v", "w"])
    frame.iloc[:5, 1] = np.nan
    from_frame = _test_folds(MultilabelStratifiedKFold(3), X, frame)
    from_array = _test_folds(MultilabelStratifiedKFold(3), X, frame.to_numpy())
    assert all(np.array_equal(a, b) for a, b in zip(from_frame, from_array))


def test_iterative_stratification_fills_exact_sizes():
    rng = np.random.RandomState(0)
    labels = (rng.uniform(size=(97, 4)) < 0.3).astype(float)
    labels[:7] = 0  # no labels: they fill the room left
    for sizes in ([20, 77], [30, 30, 37], [10, 50, 37]):
        folds = _iterative_stratification(labels, np.array(sizes), rng)
        assert np.bincount(folds, minlength=len(sizes)).tolist() == sizes


# --- shuffle split ----------------------------------------------------------


@pytest.mark.parametrize(
    "test_size, train_size, n_test, n_train",
    [(0.2, None, 40, 160), (None, None, 20, 180), (33, None, 33, 167),
     (None, 0.7, 60, 140), (0.1, 0.5, 20, 100)],
)  # fmt: skip
def test_shuffle_split_sizes(test_size, train_size, n_test, n_train):
    X, y = _multilabel()
    cv = MultilabelStratifiedShuffleSplit(
        4, test_size=test_size, train_size=train_size, random_state=0
    )
    assert cv.get_n_splits() == 4
    splits = list(cv.split(X, y))
    assert len(splits) == 4
    for train, test in splits:
        assert test.shape[0] == n_test
        assert train.shape[0] == n_train
        assert np.intersect1d(train, test).size == 0


def test_shuffle_split_stratifies_and_varies(yeast):
    X, y = yeast
    cv = MultilabelStratifiedShuffleSplit(5, test_size=0.2, random_state=0)
    tests = _test_folds(cv, X, y)
    rates = np.array([y[test].mean(axis=0) for test in tests])
    assert np.all(np.abs(rates - y.mean(axis=0)) < 0.01)
    assert not np.array_equal(tests[0], tests[1])
    again = _test_folds(cv, X, y)
    assert all(np.array_equal(a, b) for a, b in zip(tests, again))


# --- errors -----------------------------------------------------------------


def test_errors():
    X, y = _multilabel(n_samples=40)
    with pytest.raises(ValueError, match="y must be passed"):
        MultilabelStratifiedKFold(2).split(X, None)
    with pytest.raises(ValueError, match="y must be passed"):
        MultilabelStratifiedShuffleSplit(2).split(X, None)
    with pytest.raises(ValueError, match="n_splits=41 greater than the number"):
        list(MultilabelStratifiedKFold(41).split(X, y))
    with pytest.raises(ValueError, match="at least one train/test split"):
        MultilabelStratifiedKFold(1)
    with pytest.raises(ValueError, match="shuffle is False"):
        MultilabelStratifiedKFold(3, random_state=0)
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        list(MultilabelStratifiedKFold(2).split(X, y[:38]))
    with pytest.raises(ValueError, match="test_size=1.5"):
        list(MultilabelStratifiedShuffleSplit(2, test_size=1.5).split(X, y))
    with pytest.raises(ValueError, match="test_size=0"):
        list(MultilabelStratifiedShuffleSplit(2, test_size=0).split(X, y))
    for size in (np.nan, [1], True):
        with pytest.raises(ValueError, match="test_size must be None, an int"):
            list(MultilabelStratifiedShuffleSplit(2, test_size=size).split(X, y))
    with pytest.raises(ValueError, match="n_splits must be a positive int"):
        list(MultilabelStratifiedShuffleSplit(0).split(X, y))


def test_constant_and_rare_labels_split():
    X, y = _multilabel(n_samples=40)
    y = y.astype(float)
    y[:, 1] = 1  # a constant task is one label to stratify
    y[:, 2] = 0
    y[[3, 17, 30], 2] = 1  # positive in 3 rows, fewer than the 5 folds
    y[5, 0] = np.nan
    cv = MultilabelStratifiedKFold(5, shuffle=True, random_state=0)
    tests = _test_folds(cv, X, y)
    assert np.array_equal(np.sort(np.concatenate(tests)), np.arange(40))
    assert [len(test) for test in tests] == [8] * 5
    # the 3 positives of the rare label land in 3 different test folds
    assert sorted(int(y[test, 2].sum()) for test in tests) == [0, 0, 1, 1, 1]
    shuffle = MultilabelStratifiedShuffleSplit(3, test_size=0.25, random_state=0)
    for train, test in shuffle.split(X, y):
        assert len(test) == 10 and len(np.intersect1d(train, test)) == 0
    y_one = np.zeros(40)  # one task, one class
    assert len(_test_folds(MultilabelStratifiedKFold(4), X, y_one)) == 4


# --- scikit-learn citizenship ----------------------------------------------


def test_repr_clone_pickle():
    cv = MultilabelStratifiedKFold(3, shuffle=True, random_state=4)
    assert repr(cv) == (
        "MultilabelStratifiedKFold(n_splits=3, random_state=4, shuffle=True)"
    )
    ss = MultilabelStratifiedShuffleSplit(3, test_size=0.25, random_state=1)
    assert "test_size=0.25" in repr(ss)
    X, y = _multilabel()
    for splitter in (cv, ss):
        copy = pickle.loads(pickle.dumps(splitter))
        assert all(
            np.array_equal(a, b)
            for a, b in zip(_test_folds(splitter, X, y), _test_folds(copy, X, y))
        )
    assert clone(GridSearchCV(LogisticRegression(), {}, cv=cv)).cv is not None


def test_works_as_cv_in_cross_validate_and_search():
    X, y = load_yeast(subset="train", return_X_y=True)
    X, y = X[:300], y[:300]
    model = make_pipeline(
        StandardScaler(), MultiOutputClassifier(LogisticRegression(max_iter=200))
    )
    cv = MultilabelStratifiedKFold(3, shuffle=True, random_state=0)
    result = cross_validate(model, X, y, cv=cv)
    assert result["test_score"].shape == (3,)
    predictions = cross_val_predict(model, X, y, cv=cv)
    assert predictions.shape == y.shape
    search = GridSearchCV(
        model,
        {"multioutputclassifier__estimator__C": [0.1, 1.0]},
        cv=MultilabelStratifiedShuffleSplit(2, test_size=0.25, random_state=0),
    )
    search.fit(X, y)
    assert search.best_params_["multioutputclassifier__estimator__C"] in (0.1, 1.0)
