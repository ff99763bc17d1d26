"""Tests of mtlearn.datasets: the bundled loaders and the synthetic generators."""

import hashlib
import sys
from importlib import resources

import numpy as np
import pytest

import mtlearn.datasets
from mtlearn.datasets import (
    load_emotions,
    load_school,
    load_yeast,
    make_multitask_classification,
    make_multitask_regression,
)

# The table of /work/shared/data/README.md.
BUNDLED_SHA256 = {
    "yeast-train.csv.gz": (
        "71f0b016caa1453825229999d6073a2fb002dc81fa3e0b41db613460e42e7e9f"
    ),
    "yeast-test.csv.gz": (
        "24ee31ba97def50bf2fbe3299f61fc0ab17545c8232b723e7b4d13d92a3fada8"
    ),
    "emotions-train.csv.gz": (
        "5626a7f5e39a8d617a4368f90448788322a295a149998f7ac691c20e057e4e0c"
    ),
    "emotions-test.csv.gz": (
        "9756f6e2e3a9d83a0dba4623ac78a196061ccf12bd7be29d7327eaa3fca71ba6"
    ),
    "school.csv.gz": (
        "d3b07128e522328c7e1dcd74087474f7cc4ce77cd7faa83c4ad990a8d6c13e60"
    ),
}
YEAST_LABELS = [f"Class{i}" for i in range(1, 15)]
EMOTIONS_LABELS = [
    "amazed-suprised",
    "happy-pleased",
    "relaxing-calm",
    "quiet-still",
    "sad-lonely",
    "angry-aggresive",
]
MULTILABEL_SHAPES = [
    # loader, subset, n_samples, n_features, label names
    (load_yeast, "train", 1500, 103, YEAST_LABELS),
    (load_yeast, "test", 917, 103, YEAST_LABELS),
    (load_yeast, "all", 2417, 103, YEAST_LABELS),
    (load_emotions, "train", 391, 72, EMOTIONS_LABELS),
    (load_emotions, "test", 202, 72, EMOTIONS_LABELS),
    (load_emotions, "all", 593, 72, EMOTIONS_LABELS),
]
N_STUDENTS, N_SCHOOLS = 15362, 139


def test_public_names():
    assert sorted(mtlearn.datasets.__all__) == [
        "load_emotions",
        "load_school",
        "load_yeast",
        "make_multitask_classification",
        "make_multitask_regression",
    ]


# Loaders ------------------------------------------------------------------


@pytest.mark.parametrize("filename, expected", BUNDLED_SHA256.items())
def test_bundled_file_sha256(filename, expected):
    path = resources.files("mtlearn.datasets") / "data" / filename
    assert hashlib.sha256(path.read_bytes()).hexdigest() == expected


@pytest.mark.parametrize(
    "loader, subset, n_samples, n_features, label_names", MULTILABEL_SHAPES
)
def test_multilabel_bunch(loader, subset, n_samples, n_features, label_names):
    bunch = loader(subset=subset)
    assert bunch.data.shape == (n_samples, n_features)
    assert bunch.data.dtype == np.float64
    assert bunch.target.shape == (n_samples, len(label_names))
    assert np.issubdtype(bunch.target.dtype, np.integer)
    assert set(np.unique(bunch.target)) == {0, 1}
    assert bunch.target_names == label_names
    assert len(bunch.feature_names) == n_features
    assert all(isinstance(name, str) for name in bunch.feature_names)
    assert bunch.frame is None
    assert np.isfinite(bunch.data).all()


def test_feature_names():
    assert load_yeast().feature_names == [f"Att{i}" for i in range(1, 104)]
    names = load_emotions().feature_names
    assert names[0] == "Mean_Acc1298_Mean_Mem40_Centroid"
    assert names[-1] == "BHSUM3"


@pytest.mark.parametrize("loader", [load_yeast, load_emotions])
def test_all_is_train_then_test(loader):
    train, test, full = (loader(subset=s) for s in ("train", "test", "all"))
    np.testing.assert_array_equal(full.data, np.vstack([train.data, test.data]))
    np.testing.assert_array_equal(full.target, np.vstack([train.target, test.target]))


def test_known_values():
    # First cell of the yeast train file and label counts of the emotions
    # train file, read off the CSV files.
    assert load_yeast().data[0, 0] == 0.093700
    np.testing.assert_array_equal(
        load_emotions().target.sum(axis=0), [119, 107, 168, 89, 95, 131]
    )


@pytest.mark.parametrize(
    "loader, text",
    [
        (load_yeast, BUNDLED_SHA256["yeast-train.csv.gz"]),
        (load_emotions, "43f6389095ad71984264db4387a8074b22bc7d4a"),
        (load_school, "Goldstein"),
    ],
)
def test_descr(loader, text):
    assert text in loader().DESCR


@pytest.mark.parametrize("loader", [load_yeast, load_emotions, load_school])
def test_return_X_y(loader):
    bunch = loader()
    X, y = loader(return_X_y=True)
    np.testing.assert_array_equal(X, bunch.data)
    np.testing.assert_array_equal(y, bunch.target)


@pytest.mark.parametrize("loader", [load_yeast, load_emotions])
@pytest.mark.parametrize("subset", ["validation", "Train", None])
def test_bad_subset(loader, subset):
    with pytest.raises(ValueError, match="subset") as error:
        loader(subset=subset)
    assert all(f"'{name}'" in str(error.value) for name in ("train", "test", "all"))


@pytest.mark.parametrize("loader", [load_yeast, load_emotions, load_school])
def test_results_are_not_shared(loader):
    first = loader()
    expected = first.data[0, 0], first.target[0, 0]
    assert first.data.flags.writeable and first.target.flags.writeable
    first.data[:] = -1.0
    first.target[:] = 7
    second = loader()
    assert (second.data[0, 0], second.target[0, 0]) == expected
    X, y = loader(return_X_y=True)
    assert not np.shares_memory(X, second.data)
    assert not np.shares_memory(y, second.target)


@pytest.mark.parametrize("loader", [load_yeast, load_emotions])
def test_multilabel_as_frame(loader):
    pd = pytest.importorskip("pandas")
    bunch = loader(subset="test")
    framed = loader(subset="test", as_frame=True)
    assert isinstance(framed.data, pd.DataFrame)
    assert isinstance(framed.target, pd.DataFrame)
    assert list(framed.data.columns) == bunch.feature_names
    assert list(framed.target.columns) == bunch.target_names
    assert list(framed.frame.columns) == bunch.feature_names + bunch.target_names
    np.testing.assert_array_equal(framed.data.to_numpy(), bunch.data)
    np.testing.assert_array_equal(framed.target.to_numpy(), bunch.target)
    np.testing.assert_array_equal(
        framed.frame[bunch.target_names].to_numpy(), bunch.target
    )
    X, y = loader(subset="test", as_frame=True, return_X_y=True)
    assert isinstance(X, pd.DataFrame) and isinstance(y, pd.DataFrame)


@pytest.mark.parametrize("loader", [load_yeast, load_school])
def test_as_frame_without_pandas(loader, monkeypatch):
    monkeypatch.setitem(sys.modules, "pandas", None)  # makes `import pandas` fail
    with pytest.raises(ImportError, match="pip install pandas"):
        loader(as_frame=True)
    assert loader().frame is None  # arrays need no pandas


def test_school_multitask():
    school = load_school()
    assert school.data.shape == (N_STUDENTS, 28)
    assert school.target.shape == (N_STUDENTS, N_SCHOOLS)
    assert school.target.dtype == np.float64
    assert school.feature_names == [f"f{i}" for i in range(28)]
    assert school.target_names == [f"school_{t}" for t in range(1, N_SCHOOLS + 1)]
    assert school.task_names == school.target_names

    observed = ~np.isnan(school.target)
    np.testing.assert_array_equal(observed.sum(axis=1), 1)
    # The observed column of each row is its school.
    np.testing.assert_array_equal(np.argmax(observed, axis=1), school.task)
    sizes = np.bincount(school.task)
    assert sizes.size == N_SCHOOLS and sizes.sum() == N_STUDENTS
    np.testing.assert_array_equal(observed.sum(axis=0), sizes)
    assert sizes.min() == 22 and sizes.max() == 251

    scores = school.target[observed]
    assert scores.min() == 1 and scores.max() == 70
    np.testing.assert_array_equal(scores, np.round(scores))


def test_school_feature_groups():
    # The column meanings of the docstring: one-hot groups and a bias column.
    X = load_school().data
    for start, stop in [(0, 3), (5, 7), (10, 21), (21, 24), (24, 27)]:
        np.testing.assert_array_equal(X[:, start:stop].sum(axis=1), 1)
    assert np.sum(X[:, 7:10].sum(axis=1) == 0) == 15
    np.testing.assert_array_equal(X[:, 27], 1)


def test_school_single_task():
    multi = load_school()
    single = load_school(multitask=False)
    assert single.target.shape == (N_STUDENTS,)
    assert single.target_names == ["score"]
    np.testing.assert_array_equal(single.task, multi.task)
    np.testing.assert_array_equal(single.target, np.nanmax(multi.target, axis=1))
    assert single.task.min() == 0 and single.task.max() == N_SCHOOLS - 1


@pytest.mark.parametrize("multitask", [True, False])
def test_school_as_frame(multitask):
    pd = pytest.importorskip("pandas")
    bunch = load_school(multitask=multitask)
    framed = load_school(multitask=multitask, as_frame=True)
    assert isinstance(framed.data, pd.DataFrame)
    assert isinstance(framed.target, pd.DataFrame if multitask else pd.Series)
    assert list(framed.frame.columns) == (
        bunch.feature_names + ["task"] + bunch.target_names
    )
    np.testing.assert_array_equal(framed.target.to_numpy(), bunch.target)
    np.testing.assert_array_equal(framed.frame["task"].to_numpy(), bunch.task)


# Generators ---------------------------------------------------------------


def _mean_task_correlation(coef):
    """Mean correlation between the columns of ``coef`` (one per task)."""
    corr = np.corrcoef(coef.T)
    return corr[np.triu_indices_from(corr, k=1)].mean()


def _task_weights(n_informative=50, n_tasks=100, **params):
    """Regression weights on informative features only, of many tasks."""
    _, _, coef = make_multitask_regression(
        n_samples=10,
        n_features=n_informative,
        n_informative=n_informative,
        n_tasks=n_tasks,
        return_coef=True,
        random_state=0,
        **params,
    )
    return coef


@pytest.mark.parametrize("n_tasks", [1, 4])
def test_regression_shapes_and_model(n_tasks):
    X, y, coef = make_multitask_regression(
        n_samples=30,
        n_features=8,
        n_tasks=n_tasks,
        n_informative=5,
        noise=0.0,
        bias=2.0,
        return_coef=True,
        random_state=0,
    )
    assert X.shape == (30, 8) and y.shape == (30, n_tasks)
    assert coef.shape == (8, n_tasks)
    np.testing.assert_array_equal(coef[5:], 0)
    np.testing.assert_allclose(np.linalg.norm(coef, axis=0), np.sqrt(5))
    np.testing.assert_allclose(y, X @ coef + 2.0)


def test_regression_noise():
    kwargs = dict(n_samples=5000, n_tasks=2, return_coef=True, random_state=0)
    X, y, coef = make_multitask_regression(noise=0.5, **kwargs)
    residual_std = np.std(y - X @ coef, axis=0)
    np.testing.assert_allclose(residual_std, 0.5, rtol=0.05)


@pytest.mark.parametrize(
    "make", [make_multitask_regression, make_multitask_classification]
)
def test_reproducible(make):
    first = make(missing_rate=0.2, return_coef=True, random_state=3)
    again = make(
        missing_rate=0.2, return_coef=True, random_state=np.random.RandomState(3)
    )
    other = make(missing_rate=0.2, return_coef=True, random_state=4)
    for a, b in zip(first[:2], again[:2], strict=True):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(first[2], again[2])
    assert not np.array_equal(first[0], other[0])


def test_relatedness_one_gives_identical_weights():
    _, _, coef = make_multitask_regression(
        n_tasks=6, relatedness=1.0, return_coef=True, random_state=0
    )
    np.testing.assert_array_equal(coef, np.repeat(coef[:, :1], 6, axis=1))

    _, _, coef = make_multitask_classification(
        n_tasks=3, n_classes=3, relatedness=1.0, return_coef=True, random_state=0
    )
    np.testing.assert_array_equal(coef[0], coef[1])
    np.testing.assert_array_equal(coef[0], coef[2])


def test_relatedness_zero_gives_uncorrelated_tasks():
    coef = _task_weights(n_tasks=200, relatedness=0.0)
    assert abs(_mean_task_correlation(coef)) < 0.02


def test_task_correlation_follows_relatedness():
    levels = [0.0, 0.25, 0.5, 0.75, 1.0]
    correlations = [
        _mean_task_correlation(_task_weights(relatedness=level)) for level in levels
    ]
    assert np.all(np.diff(correlations) > 0.1)
    np.testing.assert_allclose(correlations, levels, atol=0.1)


def test_classification_weights_follow_relatedness():
    correlations = []
    for relatedness in [0.0, 0.5, 1.0]:
        _, _, coef = make_multitask_classification(
            n_features=30,
            n_informative=30,
            n_tasks=60,
            relatedness=relatedness,
            return_coef=True,
            random_state=0,
        )
        correlations.append(_mean_task_correlation(np.column_stack(coef)))
    assert correlations[0] < 0.1 < correlations[1] < 0.9 < correlations[2]


def test_rank_shapes_task_deviations():
    # At intermediate relatedness, the deviations of the tasks from their mean
    # concentrate in `rank` directions; with a full-rank basis they do not.
    def top_two_share(rank):
        coef = _task_weights(20, n_tasks=200, relatedness=0.25, rank=rank)
        singular = np.linalg.svd(coef - coef.mean(axis=1, keepdims=True), 0, 0)
        return np.sum(singular[:2] ** 2) / np.sum(singular**2)

    assert top_two_share(2) > top_two_share(20) + 0.15


def test_classification_labels_and_coef():
    X, y, coef = make_multitask_classification(
        n_samples=120,
        n_features=12,
        n_tasks=4,
        n_informative=6,
        n_classes=[2, 3, 5, 2],
        return_coef=True,
        random_state=0,
    )
    assert X.shape == (120, 12) and y.shape == (120, 4)
    assert np.issubdtype(y.dtype, np.integer)
    for t, n_classes in enumerate([2, 3, 5, 2]):
        np.testing.assert_array_equal(np.unique(y[:, t]), np.arange(n_classes))
    assert [c.shape for c in coef] == [(12,), (12, 3), (12, 5), (12,)]
    for task_coef in coef:
        np.testing.assert_array_equal(task_coef[6:], 0)


def test_classification_class_sep():
    # A large class_sep without label noise gives the sign / argmax of the
    # scores; class_sep=1 gives noisier labels.
    def agreement(class_sep, n_classes):
        X, y, coef = make_multitask_classification(
            n_samples=500,
            n_tasks=1,
            n_classes=n_classes,
            noise=0.0,
            class_sep=class_sep,
            return_coef=True,
            random_state=0,
        )
        scores = X @ coef[0]
        predicted = scores > 0 if n_classes == 2 else np.argmax(scores, axis=1)
        return np.mean(predicted == y[:, 0])

    for n_classes in (2, 4):
        assert agreement(1e4, n_classes) > 0.99
        assert agreement(1.0, n_classes) < 0.95


@pytest.mark.parametrize("n_classes", [2, 3])
def test_classification_noise_moves_that_fraction(n_classes):
    # The label draws come before the reassignment, so with the same seed the
    # first task differs in exactly round(noise * n_samples) labels.
    kwargs = dict(n_samples=100, n_tasks=1, n_classes=n_classes, random_state=0)
    _, clean = make_multitask_classification(noise=0.0, **kwargs)
    _, noisy = make_multitask_classification(noise=0.2, **kwargs)
    assert np.sum(clean != noisy) == 20


@pytest.mark.parametrize("missing_rate", [0.3, 0.95])
def test_classification_missing_rate(missing_rate):
    n_samples, n_tasks, n_classes = 200, 4, [2, 3, 4, 5]
    kwargs = dict(
        n_samples=n_samples, n_tasks=n_tasks, n_classes=n_classes, random_state=0
    )
    X_full, y_full = make_multitask_classification(**kwargs)
    X, y = make_multitask_classification(missing_rate=missing_rate, **kwargs)
    assert y.dtype == np.float64
    missing = np.isnan(y)
    assert missing.sum() == round(missing_rate * n_samples * n_tasks)
    for t, k in enumerate(n_classes):
        np.testing.assert_array_equal(np.unique(y[~missing[:, t], t]), np.arange(k))
    # Hiding comes last: the observed labels are those of the full draw.
    np.testing.assert_array_equal(X, X_full)
    np.testing.assert_array_equal(y[~missing], y_full[~missing])


def test_regression_missing_rate_keeps_two_values_per_task():
    X, y = make_multitask_regression(
        n_samples=50, n_tasks=6, missing_rate=0.99, random_state=0
    )
    observed = (~np.isnan(y)).sum(axis=0)
    np.testing.assert_array_equal(observed, 2)

    X, y = make_multitask_regression(
        n_samples=100, n_tasks=5, missing_rate=0.4, random_state=0
    )
    assert np.isnan(y).sum() == 200


@pytest.mark.parametrize("bias", [np.nan, np.inf])
def test_regression_bias_must_be_finite(bias):
    with pytest.raises(ValueError, match="bias"):
        make_multitask_regression(bias=bias)


def test_single_task_is_2d():
    _, y = make_multitask_classification(n_tasks=1, random_state=0)
    assert y.shape == (100, 1)


@pytest.mark.parametrize(
    "make", [make_multitask_regression, make_multitask_classification]
)
@pytest.mark.parametrize(
    "params, match",
    [
        ({"relatedness": -0.1}, "relatedness"),
        ({"relatedness": 1.5}, "relatedness"),
        ({"n_informative": 21}, "n_informative=21 must be <= n_features=20"),
        ({"rank": 0}, "rank"),
        ({"rank": 11}, "rank=11 must be <= n_informative=10"),
        ({"missing_rate": 1.0}, "missing_rate"),
        ({"missing_rate": -0.2}, "missing_rate"),
        ({"n_samples": 1}, "n_samples"),
        ({"n_tasks": 0}, "n_tasks"),
        ({"noise": -1.0}, "noise"),
        ({"random_state": "seed"}, "random_state"),
    ],
)
def test_generator_errors(make, params, match):
    with pytest.raises(ValueError, match=match):
        make(**params)


@pytest.mark.parametrize(
    "params, match",
    [
        ({"n_classes": 1}, "n_classes"),
        ({"n_tasks": 3, "n_classes": [2, 3]}, r"n_tasks=3\); got shape \(2,\)"),
        ({"n_tasks": 3, "n_classes": [2, 1, 3]}, "Task 1: n_classes must be >= 2"),
        ({"n_tasks": 2, "n_classes": [2.0, 3.5]}, "must hold ints"),
        ({"n_samples": 3, "n_classes": 4}, "n_classes=4 is more than n_samples=3"),
        ({"noise": 1.5}, "noise"),
        ({"class_sep": 0.0}, "class_sep"),
    ],
)
def test_classification_errors(params, match):
    with pytest.raises(ValueError, match=match):
        make_multitask_classification(**params)


def test_classification_error_when_a_class_cannot_occur():
    # Seed 0 draws two positive values for the single feature; with this
    # class_sep both labels are the sign of the same weight, in every draw.
    assert np.all(np.random.RandomState(0).standard_normal(2) > 0)
    with pytest.raises(ValueError, match="Task 0: a class of its 2 did not occur"):
        make_multitask_classification(
            n_samples=2,
            n_features=1,
            n_informative=1,
            rank=1,
            n_tasks=1,
            noise=0.0,
            class_sep=1e6,
            random_state=0,
        )


# Groups of tasks and the sine link ------------------------------------------------


def test_one_group_is_the_data_of_before_groups():
    # Values drawn by the generators before n_groups existed (same seeds).
    _, y = make_multitask_regression(n_samples=5, n_tasks=3, random_state=0)
    expected = [
        [0.950187, -0.894823, 5.907192],
        [-7.49033, 1.626447, -1.503305],
        [4.687046, 0.55502, 1.049507],
        [-2.339833, -1.534594, -4.62758],
        [-4.773646, -6.541818, -7.102914],
    ]
    np.testing.assert_allclose(y, expected, atol=1e-6)
    _, y = make_multitask_classification(
        n_samples=8, n_tasks=3, n_classes=[2, 3, 2], random_state=0
    )
    assert y.tolist() == [
        [0, 2, 0], [1, 2, 1], [0, 0, 0], [1, 0, 0],
        [0, 0, 1], [0, 1, 0], [0, 1, 0], [0, 1, 0],
    ]  # fmt: skip
    # n_groups=1 given explicitly is the default, bit for bit.
    for make in (make_multitask_regression, make_multitask_classification):
        kwargs = dict(missing_rate=0.2, return_coef=True, random_state=3)
        default, one = make(**kwargs), make(n_groups=1, **kwargs)
        for a, b in zip(default[:2], one[:2], strict=True):
            np.testing.assert_array_equal(a, b)
        np.testing.assert_array_equal(default[2], one[2])


@pytest.mark.parametrize(
    "make", [make_multitask_regression, make_multitask_classification]
)
def test_groups_are_contiguous_blocks(make):
    X, y, groups = make(n_tasks=7, n_groups=3, return_groups=True, random_state=0)
    assert y.shape == (100, 7)
    np.testing.assert_array_equal(groups, [0, 0, 0, 1, 1, 2, 2])
    *_, coef, groups = make(
        n_tasks=4, n_groups=4, return_coef=True, return_groups=True, random_state=0
    )
    np.testing.assert_array_equal(groups, np.arange(4))
    assert len(coef) == 4 if isinstance(coef, list) else coef.shape == (20, 4)
    # Same seed, same data; groups and link.
    kwargs = dict(n_tasks=6, n_groups=2, nonlinearity="sine", random_state=5)
    for a, b in zip(make(**kwargs), make(**kwargs), strict=True):
        np.testing.assert_array_equal(a, b)


def test_group_weights_related_within_unrelated_across():
    _, _, coef, groups = make_multitask_regression(
        n_samples=10,
        n_features=50,
        n_informative=50,
        n_tasks=120,
        n_groups=4,
        relatedness=0.6,
        return_coef=True,
        return_groups=True,
        random_state=0,
    )
    corr = np.corrcoef(coef.T)
    same = groups[:, None] == groups[None, :]
    off_diagonal = ~np.eye(120, dtype=bool)
    # Each group has its own common vector: within ~ relatedness (up to the
    # draw of that vector), across ~ 0.
    assert abs(corr[same & off_diagonal].mean() - 0.6) < 0.1
    assert abs(corr[~same].mean()) < 0.05
    # relatedness=1: identical weights within a group, distinct across.
    _, _, coef = make_multitask_regression(
        n_tasks=6, n_groups=2, relatedness=1.0, return_coef=True, random_state=0
    )
    np.testing.assert_array_equal(coef[:, :3], np.repeat(coef[:, :1], 3, axis=1))
    np.testing.assert_array_equal(coef[:, 3:], np.repeat(coef[:, 3:4], 3, axis=1))
    assert not np.allclose(coef[:, 0], coef[:, 3])


def test_sine_link_matches_its_formula():
    # Recompute the link from the generator's own draws: X, weights, then
    # alpha and beta per group, then the noise.
    kwargs = dict(n_samples=40, n_features=6, n_informative=4, n_tasks=4)
    X, y, coef, groups = make_multitask_regression(
        **kwargs, n_groups=2, nonlinearity="sine", noise=0.0, bias=0.5,
        return_coef=True, return_groups=True, random_state=0,
    )  # fmt: skip
    rng = np.random.RandomState(0)
    rng.standard_normal((40, 6))  # X
    for _ in range(2):  # per group: basis, common, subspace and specific parts
        rng.standard_normal((4, 2)), rng.standard_normal((1, 4, 1))
        rng.standard_normal((1, 2, 2)), rng.standard_normal((1, 4, 2))
    alpha = rng.standard_normal((2, 10)) / 2.0
    beta = rng.standard_normal((2, 10))
    for t in range(4):
        s = X @ coef[:, t]
        g = groups[t]
        expected = s + np.sin(np.outer(s, alpha[g]) + beta[g]).sum(axis=1) + 0.5
        np.testing.assert_allclose(y[:, t], expected, rtol=1e-12)
    # The linear model with the same seed has the same X and weights.
    X_lin, y_lin, coef_lin = make_multitask_regression(
        **kwargs, n_groups=2, noise=0.0, bias=0.5, return_coef=True, random_state=0
    )
    np.testing.assert_array_equal(X_lin, X)
    np.testing.assert_array_equal(coef_lin, coef)
    np.testing.assert_allclose(y_lin, X @ coef + 0.5)


def test_sine_link_classification_labels():
    # Noiseless, with a large class_sep: the label is the sign of the signal.
    X, y, coef, groups = make_multitask_classification(
        n_samples=300, n_tasks=4, n_groups=2, nonlinearity="sine", noise=0.0,
        class_sep=1e4, return_coef=True, return_groups=True, random_state=0,
    )  # fmt: skip
    _, y_linear = make_multitask_classification(
        n_samples=300, n_tasks=4, n_groups=2, noise=0.0, class_sep=1e4,
        random_state=0,
    )  # fmt: skip
    linear_sign = np.column_stack([X @ c > 0 for c in coef])
    assert np.mean(y_linear == linear_sign) > 0.99
    # The link changes some labels: it is not the linear sign any more.
    assert 0.5 < np.mean(y == linear_sign) < 0.99


@pytest.mark.parametrize(
    "make", [make_multitask_regression, make_multitask_classification]
)
@pytest.mark.parametrize(
    "params, match",
    [
        ({"n_groups": 0}, "n_groups"),
        ({"n_tasks": 3, "n_groups": 4}, "n_groups=4 must be <= n_tasks=3"),
        ({"nonlinearity": "cosine"}, "nonlinearity"),
        ({"return_groups": "yes"}, "return_groups"),
    ],
)
def test_group_errors(make, params, match):
    with pytest.raises(ValueError, match=match):
        make(**params)


# The non-linear share of the sine link -----------------------------------------------


def test_sine_moments_match_quadrature():
    # An independent reference: Gauss-Hermite quadrature of the moments of
    # the sum of sines for s ~ N(0, v).
    from mtlearn.datasets._samples_generator import _sine_moments

    rng = np.random.RandomState(0)
    alpha, beta, v = rng.normal(size=10) / np.sqrt(7), rng.normal(size=10), 7.0
    nodes, weights = np.polynomial.hermite_e.hermegauss(200)
    weights = weights / weights.sum()
    s = np.sqrt(v) * nodes
    z = np.sin(np.outer(s, alpha) + beta).sum(axis=1)
    mean = weights @ z
    slope = weights @ (z * s) / v
    residual = weights @ (z - mean - slope * s) ** 2
    np.testing.assert_allclose(
        _sine_moments(alpha, beta, v), [mean, slope, np.sqrt(residual)], rtol=1e-10
    )


@pytest.mark.parametrize("share", [0.0, 0.5, 1.0])
def test_nonlinear_share_sets_the_linear_part(share):
    X, y, coef = make_multitask_regression(
        n_samples=20000, n_tasks=2, n_groups=2, nonlinearity="sine",
        nonlinear_share=share, noise=0.0, return_coef=True, random_state=0,
    )  # fmt: skip
    scores = X @ coef
    for t in range(2):
        # Signal of variance n_informative, mean 0; a share 1 - r of it is
        # the score, the rest uncorrelated with the score.
        assert abs(y[:, t].mean()) < 0.1
        assert abs(y[:, t].var() / 10 - 1) < 0.05
        r2 = np.corrcoef(scores[:, t], y[:, t])[0, 1] ** 2
        assert abs(r2 - (1 - share)) < 0.02
    if share == 0.0:
        np.testing.assert_allclose(y, scores, atol=1e-9)


def test_nonlinear_share_keeps_the_draws():
    # Same X, weights and labels' seed sequence; None is the default link.
    kwargs = dict(n_samples=50, n_tasks=4, n_groups=2, nonlinearity="sine")
    for make in (make_multitask_regression, make_multitask_classification):
        default = make(**kwargs, random_state=1)
        none = make(**kwargs, nonlinear_share=None, random_state=1)
        for a, b in zip(default, none, strict=True):
            np.testing.assert_array_equal(a, b)
        X, _ = make(**kwargs, nonlinear_share=0.5, random_state=1)
        np.testing.assert_array_equal(X, default[0])


@pytest.mark.parametrize(
    "make", [make_multitask_regression, make_multitask_classification]
)
def test_nonlinear_share_errors(make):
    with pytest.raises(ValueError, match="nonlinear_share=0.5 needs nonlinearity"):
        make(nonlinear_share=0.5)
    with pytest.raises(ValueError, match="nonlinear_share"):
        make(nonlinearity="sine", nonlinear_share=1.5)
