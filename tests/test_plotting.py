"""Tests of the displays in ``mtlearn.plotting`` (headless, Agg backend)."""

import importlib
import json
import sys

import matplotlib

matplotlib.use("Agg")

import matplotlib.image as mpimg  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from scipy.stats import spearmanr  # noqa: E402
from sklearn.base import BaseEstimator  # noqa: E402
from sklearn.exceptions import NotFittedError  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.metrics import accuracy_score, f1_score, r2_score  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402
from sklearn.utils import Bunch  # noqa: E402

from mtlearn._cli.main import main  # noqa: E402
from mtlearn.datasets import make_multitask_classification  # noqa: E402
from mtlearn.neural_network import SharedRepresentationClassifier  # noqa: E402
from mtlearn.plotting import (  # noqa: E402
    GateWeightDisplay,
    TaskCorrelationDisplay,
    TaskLossCurveDisplay,
    TaskScoreDisplay,
    TaskWeightCurveDisplay,
)
from mtlearn.plotting._task_correlation import task_correlation  # noqa: E402

TASKS = ["sky", "sea", "land"]


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def assert_not_blank(path):
    """The image file exists and is not a single colour."""
    image = mpimg.imread(path)
    assert image.ndim == 3 and image.shape[0] > 100 and image.shape[1] > 100
    assert image[..., :3].std() > 0.01


def _network(**params):
    X, y = make_multitask_classification(
        n_samples=120, n_features=8, n_informative=4, n_tasks=3, random_state=0
    )
    y = pd.DataFrame(y, columns=TASKS)
    params = {
        "hidden_layer_sizes": (16,),
        "max_iter": 20,
        "learning_rate_init": 1e-2,
        "early_stopping": True,
        "random_state": 0,
        **params,
    }
    network = SharedRepresentationClassifier(**params)
    return network.fit(X, y), X, y


# -- TaskLossCurveDisplay --------------------------------------------------------


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_loss_curves_from_estimator(tmp_path):
    network, _, _ = _network()
    disp = TaskLossCurveDisplay.from_estimator(network)

    epochs = np.arange(1, network.n_iter_ + 1)
    np.testing.assert_array_equal(disp.loss_line_.get_xdata(), epochs)
    np.testing.assert_allclose(disp.loss_line_.get_ydata(), network.loss_curve_)
    assert list(disp.task_lines_) == TASKS
    for t, name in enumerate(TASKS):
        np.testing.assert_allclose(
            disp.task_lines_[name].get_ydata(), network.task_loss_curves_[:, t]
        )
    assert disp.validation_ax_ is not None
    np.testing.assert_allclose(
        disp.validation_line_.get_ydata(), network.validation_scores_
    )
    labels = [text.get_text() for text in disp.legend_.get_texts()]
    assert labels[:4] == ["total objective", *TASKS]
    assert any("validation" in label for label in labels)
    assert disp.ax_.get_xlabel() == "epoch"
    assert disp.ax_.get_yscale() == "linear"

    path = tmp_path / "loss.png"
    disp.figure_.savefig(path)
    assert_not_blank(path)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_loss_curves_options():
    network, X, y = _network(early_stopping=False)
    disp = TaskLossCurveDisplay.from_estimator(
        network, tasks=["land", 0], log_scale=True, show_total=False
    )
    assert list(disp.task_lines_) == ["land", "sky"]
    assert disp.loss_line_ is None
    assert disp.validation_ax_ is None and disp.validation_line_ is None
    assert disp.ax_.get_yscale() == "log"

    # A pipeline ending with a network; names default to "task t"; own axes.
    pipeline = make_pipeline(StandardScaler(), network).fit(X, y.to_numpy())
    _, ax = plt.subplots()
    disp = TaskLossCurveDisplay.from_estimator(pipeline, ax=ax, tasks=-1)
    assert disp.ax_ is ax
    assert list(disp.task_lines_) == ["task 2"]

    with pytest.raises(ValueError, match="unknown task 'river'"):
        disp.plot(tasks="river")
    with pytest.raises(ValueError, match="out of range"):
        disp.plot(tasks=3)


def test_loss_curves_from_stored_values():
    disp = TaskLossCurveDisplay(
        loss_curve=[3.0, 2.0, 1.5],
        task_loss_curves=[[1.0, 2.0], [0.8, 1.2], [0.5, 1.0]],
        validation_scores=[-3.0, -1.0, -2.0],
        task_names=["a", "b"],
    ).plot()
    labels = [text.get_text() for text in disp.legend_.get_texts()]
    assert labels[-1] == "best validation epoch (2)"
    disp = TaskLossCurveDisplay(
        loss_curve=[1.0], task_loss_curves=[[1.0]], validation_scores=[np.nan]
    ).plot()
    assert disp.legend_.get_texts()[-1].get_text().startswith("validation score")
    with pytest.raises(ValueError, match=r"of shape \(n_epochs, n_tasks\)"):
        TaskLossCurveDisplay(loss_curve=[1.0], task_loss_curves=[1.0]).plot()


def test_loss_curves_needs_a_fitted_network():
    with pytest.raises(NotFittedError):
        TaskLossCurveDisplay.from_estimator(SharedRepresentationClassifier())
    X, y = make_multitask_classification(n_samples=30, n_tasks=1, random_state=0)
    with pytest.raises(ValueError, match="has no task_loss_curves_"):
        TaskLossCurveDisplay.from_estimator(LogisticRegression().fit(X, y[:, 0]))


# -- TaskScoreDisplay ----------------------------------------------------------------


def test_scores_from_predictions_skip_missing_labels(tmp_path):
    rng = np.random.default_rng(0)
    y_true = rng.integers(0, 2, size=(60, 3)).astype(float)
    y_true[rng.random(y_true.shape) < 0.3] = np.nan
    predictions = {
        "good": np.where(rng.random((60, 3)) < 0.8, np.nan_to_num(y_true), 1),
        "coin": rng.integers(0, 2, size=(60, 3)),
    }
    disp = TaskScoreDisplay.from_predictions(
        pd.DataFrame(y_true, columns=TASKS), predictions
    )
    for m, y_pred in enumerate(predictions.values()):
        for t in range(3):
            observed = ~np.isnan(y_true[:, t])
            expected = accuracy_score(y_true[observed, t], y_pred[observed, t])
            assert disp.scores[m, t] == pytest.approx(expected)
    assert disp.model_names == ["good", "coin"]
    assert disp.group_names == TASKS
    assert list(disp.bars_) == ["good", "coin"]
    heights = [bar.get_height() for bar in disp.bars_["coin"]]
    np.testing.assert_allclose(heights, disp.scores[1])
    # One star per task, on the better model.
    stars = disp.best_markers_.get_xdata()
    assert len(stars) == 3
    assert disp.ax_.get_ylabel() == "accuracy"

    path = tmp_path / "scores.svg"
    disp.figure_.savefig(path)
    assert path.stat().st_size > 1000
    disp.figure_.savefig(tmp_path / "scores.png")
    assert_not_blank(tmp_path / "scores.png")


def test_scores_object_labels_callable_and_lower_is_better():
    y_true = np.array(
        [["a", 1.0], [None, 2.0], ["b", None], ["a", 4.0], ["b", 5.0]], dtype=object
    )
    y_pred = np.array([["a", 1.5], ["b", 2.0], ["a", 3.0], ["b", 4.0], ["b", 5.5]])
    labels = y_true[:, 0] != None  # noqa: E711
    disp = TaskScoreDisplay.from_predictions(
        y_true[:, :1], {"m": y_pred[:, :1]}, metric="f1_macro"
    )
    assert disp.scores[0, 0] == pytest.approx(
        f1_score(y_true[labels, 0].astype(str), y_pred[labels, 0], average="macro")
    )

    values = y_true[:, 1] != None  # noqa: E711
    y_num = y_pred[:, 1:].astype(float)
    disp = TaskScoreDisplay.from_predictions(
        y_true[:, 1:], {"m": y_num, "zero": np.zeros_like(y_num)}, metric=r2_score
    )
    assert disp.scores[0, 0] == pytest.approx(
        r2_score(y_true[values, 1].astype(float), y_num[values, 0])
    )
    assert disp.score_name == "r2_score"

    disp = TaskScoreDisplay.from_predictions(
        y_true[:, 1:], {"m": y_num, "zero": np.zeros_like(y_num)},
        metric="mean_absolute_error",
    )  # fmt: skip
    assert disp.best_markers_.get_xdata()[0] < 0  # the left bar, "m", is best
    assert "lower is better" in disp.ax_.get_xticklabels()[0].get_text()


def test_scores_bad_input():
    y = np.array([[0, 1], [1, 0]])
    with pytest.raises(ValueError, match="unknown metric 'auc'"):
        TaskScoreDisplay.from_predictions(y, {"m": y}, metric="auc")
    with pytest.raises(ValueError, match="does not match"):
        TaskScoreDisplay.from_predictions(y, {"m": y[:, :1]})
    with pytest.raises(ValueError, match="task_names has 1 entries"):
        TaskScoreDisplay.from_predictions(y, y, task_names=["one"])


def test_scores_from_transfer_gain():
    rng = np.random.default_rng(1)
    multi, single = rng.uniform(0.5, 0.9, (2, 5, 3))
    multi[0, 2] = single[1, 2] = np.nan  # task not scored in a split
    result = Bunch(
        task_names=TASKS,
        multitask_scores=multi,
        single_task_scores=single,
        gain=np.nanmean(multi - single, axis=0),
        gain_std=np.nanstd(multi - single, axis=0, ddof=1),
    )
    disp = TaskScoreDisplay.from_transfer_gain(result)
    means = [np.nanmean(multi, 0), np.nanmean(single, 0)]
    np.testing.assert_allclose(disp.scores, means)
    stds = [np.nanstd(multi, 0, ddof=1), np.nanstd(single, 0, ddof=1)]
    np.testing.assert_allclose(disp.errors, stds)
    assert list(disp.bars_) == ["multi-task", "single-task"]
    assert [t.get_text() for t in disp.ax_.get_xticklabels()] == TASKS

    disp = TaskScoreDisplay.from_transfer_gain(dict(result), kind="gain")
    np.testing.assert_allclose(disp.scores, [result.gain])
    np.testing.assert_allclose(disp.errors, [result.gain_std])
    assert disp.legend_ is None and disp.best_markers_ is None

    # Per-split gains are averaged here.
    per_split = {"task_names": np.arange(3), "gain": multi - single}
    disp = TaskScoreDisplay.from_transfer_gain(per_split, kind="gain")
    assert disp.group_names == ["task 0", "task 1", "task 2"]
    np.testing.assert_allclose(disp.scores, [result.gain])
    np.testing.assert_allclose(disp.errors, [result.gain_std])

    with pytest.raises(ValueError, match="no 'gain'"):
        TaskScoreDisplay.from_transfer_gain({"task_names": TASKS}, kind="gain")
    with pytest.raises(ValueError, match="kind must be"):
        TaskScoreDisplay.from_transfer_gain(result, kind="ratio")


def test_scores_from_compare_results(tmp_path, capsys):
    path = tmp_path / "results.json"
    argv = ["compare", "--dataset", "emotions", "--models", "logistic,knn"]
    assert main([*argv, "--json", str(path)]) == 0
    capsys.readouterr()
    report = json.loads(path.read_text())

    for results in (report, path, str(path)):
        disp = TaskScoreDisplay.from_compare_results(results)
        keys = ["hamming_loss", "f1_micro", "f1_macro", "f1_samples", "subset_accuracy"]
        expected = [[report["models"][m][k] for k in keys] for m in ("logistic", "knn")]
        np.testing.assert_allclose(disp.scores, expected)
        assert disp.group_names[:2] == ["Hamming loss", "micro-F1"]
        assert list(disp.lower_is_better) == [True, False, False, False, False]
        assert disp.model_names[0].startswith("logistic (fit ")
        assert disp.ax_.get_title() == "Test-set metrics on emotions"
        # The stars are the table's.
        starred = np.asarray(disp.best)
        for j, key in enumerate(keys):
            names = [m for m, s in zip(("logistic", "knn"), starred[:, j]) if s]
            assert names == report["best"][key]
    with pytest.raises(ValueError, match="non-empty 'models'"):
        TaskScoreDisplay.from_compare_results({"models": {}})


# -- TaskCorrelationDisplay ---------------------------------------------------------


def _pearson(a, b):
    """np.corrcoef of two vectors; NaN when one is constant."""
    return np.corrcoef(a, b)[0, 1] if np.ptp(a) and np.ptp(b) else np.nan


def _reference_correlation(y, statistic=_pearson):
    """Correlation of each pair of columns on the rows where both are observed."""
    n_tasks = y.shape[1]
    out = np.full((n_tasks, n_tasks), np.nan)
    for i in range(n_tasks):
        for j in range(n_tasks):
            rows = ~np.isnan(y[:, i]) & ~np.isnan(y[:, j])
            if rows.sum() >= 2:
                out[i, j] = statistic(y[rows, i], y[rows, j])
    return out


def test_correlation_is_pairwise_complete(tmp_path):
    rng = np.random.default_rng(0)
    latent = rng.normal(size=(80, 1))
    y = latent * [1.0, -0.5, 0.2, 0.0] + rng.normal(size=(80, 4))
    y[rng.random(y.shape) < 0.3] = np.nan
    y[:, 3] = np.nan
    y[:2, 3] = [1.0, 2.0]  # task 3 shares fewer than two rows with some tasks
    co_observed = (~np.isnan(y)).astype(int).T @ (~np.isnan(y)).astype(int)

    disp = TaskCorrelationDisplay.from_targets(y)
    expected = _reference_correlation(y)
    np.testing.assert_allclose(disp.correlation, expected, atol=1e-12)
    np.testing.assert_array_equal(disp.n_observed, co_observed)
    assert np.isnan(disp.correlation[co_observed < 2]).all()
    assert disp.text_.shape == (4, 4)
    assert disp.text_[0, 1].get_text().startswith(f"{expected[0, 1]:.2f}\nn=")
    assert disp.colorbar_ is not None
    assert disp.im_.get_clim() == (-1.0, 1.0)

    path = tmp_path / "correlation.png"
    disp.figure_.savefig(path)
    assert_not_blank(path)

    rho, _, _ = task_correlation(y[:, :3], method="spearman")
    np.testing.assert_allclose(
        rho, _reference_correlation(y[:, :3], lambda a, b: spearmanr(a, b)[0])
    )


def test_correlation_phi_on_string_labels():
    rng = np.random.default_rng(2)
    codes = rng.integers(0, 2, size=(50, 3))
    codes[:, 1] = np.where(rng.random(50) < 0.8, codes[:, 0], 1 - codes[:, 0])
    y = np.where(codes == 1, "yes", "no").astype(object)
    y[rng.random(y.shape) < 0.2] = None
    frame = pd.DataFrame(y, columns=TASKS)

    disp = TaskCorrelationDisplay.from_targets(frame, method="phi", annotate=False)
    indicator = np.where(pd.isna(frame), np.nan, (frame == "yes").astype(float))
    np.testing.assert_allclose(disp.correlation, _reference_correlation(indicator))
    assert disp.correlation[0, 1] > 0.4
    assert disp.task_names == TASKS
    assert disp.text_ is None
    assert [t.get_text() for t in disp.ax_.get_yticklabels()] == TASKS

    with pytest.raises(ValueError, match="needs binary tasks, but task 1"):
        TaskCorrelationDisplay.from_targets(
            np.array([[0, 0], [1, 1], [0, 2]]), method="phi"
        )
    with pytest.raises(ValueError, match="method must be one of"):
        TaskCorrelationDisplay.from_targets(codes, method="kendall")


def test_correlation_of_a_constant_task_is_nan():
    y = np.array([[1.0, 0.0], [1.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    disp = TaskCorrelationDisplay.from_targets(y, colorbar=False)
    assert np.isnan(disp.correlation[0]).all()
    assert disp.correlation[1, 1] == pytest.approx(1.0)
    assert disp.text_[0, 1].get_text() == "n/a"
    assert disp.colorbar_ is None


# -- TaskWeightCurveDisplay and GateWeightDisplay -------------------------------------


class _Network(BaseEstimator):
    """Stand-in for a fitted network: the attributes the displays read."""

    def __init__(self, task_weighting="equal"):
        self.task_weighting = task_weighting

    def fit(self, X, y):
        return self

    def gate_weights(self, X):
        # Task 0 on expert 0 where the first feature is positive, else expert 1;
        # task 1 always on expert 2.
        first = (np.asarray(X)[:, 0] > 0).astype(float)
        zero = np.zeros_like(first)
        return [
            np.column_stack([first, 1 - first, zero]),
            np.column_stack([zero, zero, zero + 1]),
        ]


def _FittedNetwork(task_weighting="equal", **attributes):
    network = _Network(task_weighting)
    network.__dict__.update(attributes)
    return network


def test_task_weight_curves_from_estimator(tmp_path):
    curves = np.array([[1.0, 1.0, 1.0], [1.5, 1.0, 0.5], [2.0, 0.6, 0.4]])
    network = _FittedNetwork(
        task_weight_curves_=curves, task_names_=np.array(TASKS), task_weighting="dwa"
    )
    disp = TaskWeightCurveDisplay.from_estimator(network)
    assert list(disp.task_lines_) == TASKS
    for t, name in enumerate(TASKS):
        np.testing.assert_array_equal(disp.task_lines_[name].get_xdata(), [1, 2, 3])
        np.testing.assert_allclose(disp.task_lines_[name].get_ydata(), curves[:, t])
    assert [text.get_text() for text in disp.legend_.get_texts()] == TASKS
    assert disp.ax_.get_title() == "_Network, task_weighting='dwa'"
    assert disp.ax_.get_xlabel() == "epoch"
    path = tmp_path / "weights.png"
    disp.figure_.savefig(path)
    assert_not_blank(path)

    # A pipeline ending with the network, a subset of tasks, given axes.
    pipeline = make_pipeline(StandardScaler(), network)
    pipeline.steps[0] = ("scale", StandardScaler().fit([[0.0], [1.0]]))
    _, ax = plt.subplots()
    disp = TaskWeightCurveDisplay.from_estimator(
        pipeline, ax=ax, tasks=["land", 0], log_scale=True
    )
    assert disp.ax_ is ax and list(disp.task_lines_) == ["land", "sky"]
    assert disp.ax_.get_yscale() == "log"


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_task_weight_curves_of_a_network():
    network, _, _ = _network(task_weighting="dwa", max_iter=4, early_stopping=False)
    disp = TaskWeightCurveDisplay.from_estimator(network)
    assert network.task_weight_curves_.shape == (network.n_iter_, 3)
    assert list(disp.task_lines_) == TASKS
    for t, name in enumerate(TASKS):
        np.testing.assert_allclose(
            disp.task_lines_[name].get_ydata(), network.task_weight_curves_[:, t]
        )
    assert "task_weighting='dwa'" in disp.ax_.get_title()


def test_task_weight_curves_bad_input():
    with pytest.raises(ValueError, match=r"of shape \(n_epochs, n_tasks\)"):
        TaskWeightCurveDisplay(task_weight_curves=[1.0, 2.0]).plot()
    with pytest.raises(ValueError, match="at least one epoch"):
        TaskWeightCurveDisplay(task_weight_curves=np.empty((0, 2))).plot()
    with pytest.raises(ValueError, match="task_names has 1 entries"):
        TaskWeightCurveDisplay(task_weight_curves=[[1.0, 1.0]], task_names=["a"]).plot()
    disp = TaskWeightCurveDisplay(task_weight_curves=[[1.0, 1.0]]).plot()
    assert list(disp.task_lines_) == ["task 0", "task 1"]  # one epoch: markers
    assert disp.task_lines_["task 0"].get_marker() == "o"
    with pytest.raises(NotFittedError):
        TaskWeightCurveDisplay.from_estimator(SharedRepresentationClassifier())
    with pytest.raises(ValueError, match="has no task_weight_curves_"):
        TaskWeightCurveDisplay.from_estimator(_FittedNetwork(coef_=1.0))


def test_gate_weights_from_estimator(tmp_path):
    mean = np.array([[0.6, 0.3, 0.1], [0.0, 0.1, 0.9]])
    network = _FittedNetwork(mean_gate_weights_=mean, task_names_=["click", "buy"])
    disp = GateWeightDisplay.from_estimator(network)
    np.testing.assert_allclose(disp.im_.get_array(), mean)
    assert disp.im_.get_clim() == (0.0, 1.0)
    assert disp.text_.shape == (2, 3) and disp.text_[0, 1].get_text() == "0.30"
    assert [t.get_text() for t in disp.ax_.get_yticklabels()] == ["click", "buy"]
    assert [t.get_text() for t in disp.ax_.get_xticklabels()] == [
        "expert 0", "expert 1", "expert 2"
    ]  # fmt: skip
    assert disp.colorbar_ is not None
    path = tmp_path / "gates.png"
    disp.figure_.savefig(path)
    assert_not_blank(path)

    # Averaged on given rows (through the pipeline's transformers): 3 of the
    # 4 rows have a positive first feature once shifted by the scaler's mean.
    X = np.array([[1.0], [2.0], [3.0], [-10.0]])
    pipeline = make_pipeline(StandardScaler().fit(X), network)
    disp = GateWeightDisplay.from_estimator(
        pipeline, X, expert_names=["a", "b", "c"], annotate=False, colorbar=False
    )
    np.testing.assert_allclose(disp.im_.get_array(), [[0.75, 0.25, 0], [0, 0, 1]])
    assert disp.text_ is None and disp.colorbar_ is None
    assert disp.ax_.get_xticklabels()[2].get_text() == "c"


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_gate_weights_bad_input():
    with pytest.raises(ValueError, match=r"of shape \(n_tasks, n_experts\)"):
        GateWeightDisplay([0.5, 0.5]).plot()
    with pytest.raises(ValueError, match="finite"):
        GateWeightDisplay([[np.nan, 1.0]]).plot()
    with pytest.raises(ValueError, match="expert_names has 1 entries"):
        GateWeightDisplay([[0.5, 0.5]], expert_names=["e"]).plot()
    with pytest.raises(ValueError, match="has no mean_gate_weights_"):
        GateWeightDisplay.from_estimator(_FittedNetwork(coef_=1.0))
    network, _, _ = _network(max_iter=2, early_stopping=False)
    with pytest.raises(ValueError, match="SharedRepresentationClassifier has no"):
        GateWeightDisplay.from_estimator(network)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_gate_weights_of_a_mixture_of_experts():
    from mtlearn.neural_network import MixtureOfExpertsClassifier

    X, y = make_multitask_classification(
        n_samples=120, n_features=6, n_informative=4, n_tasks=3, random_state=0
    )
    params = dict(
        n_experts=2, expert_layer_sizes=(4,), max_iter=3, early_stopping=False,
        random_state=0,
    )  # fmt: skip
    network = MixtureOfExpertsClassifier(n_task_experts=1, **params)
    network.fit(X, pd.DataFrame(y, columns=TASKS))
    disp = GateWeightDisplay.from_estimator(network)
    np.testing.assert_allclose(disp.im_.get_array(), network.mean_gate_weights_)
    assert [t.get_text() for t in disp.ax_.get_xticklabels()] == [
        "expert 0", "expert 1", "sky: own 0", "sea: own 0", "land: own 0"
    ]  # fmt: skip
    # On other rows: the mean of gate_weights(X); one-dimensional y too.
    disp = GateWeightDisplay.from_estimator(network, X[:10])
    expected = [w.mean(axis=0) for w in network.gate_weights(X[:10])]
    np.testing.assert_allclose(disp.im_.get_array(), expected)
    single = MixtureOfExpertsClassifier(**params).fit(X, y[:, 0])
    disp = GateWeightDisplay.from_estimator(single, X[:10])
    np.testing.assert_allclose(
        disp.im_.get_array(), [single.gate_weights(X[:10]).mean(axis=0)]
    )


# -- matplotlib is optional ----------------------------------------------------------


def test_without_matplotlib(monkeypatch):
    for name in [name for name in sys.modules if name.startswith("mtlearn.plotting")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    plotting = importlib.import_module("mtlearn.plotting")

    y = np.array([[0, 1], [1, 0], [1, 1]])
    calls = [
        lambda: plotting.TaskCorrelationDisplay.from_targets(y),
        lambda: plotting.TaskScoreDisplay.from_predictions(y, {"m": y}),
        lambda: plotting.TaskScoreDisplay(
            [[1.0]], model_names=["m"], group_names=["t"]
        ).plot(),
        lambda: plotting.TaskLossCurveDisplay.from_estimator(None),
        lambda: plotting.TaskWeightCurveDisplay.from_estimator(None),
        lambda: plotting.GateWeightDisplay([[1.0]]).plot(),
    ]
    for call in calls:
        with pytest.raises(
            ImportError, match=r"pip install matplotlib.*mtlearn\[plot\]"
        ):
            call()
