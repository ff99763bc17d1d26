"""Tests of TaskGraphDisplay (headless, Agg backend)."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.image as mpimg  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from sklearn.base import BaseEstimator  # noqa: E402
from sklearn.exceptions import NotFittedError  # noqa: E402
from sklearn.linear_model import Ridge  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

from mtlearn.plotting import TaskGraphDisplay  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def graph_of(n_tasks, seed=0):
    rng = np.random.RandomState(seed)
    A = np.triu(rng.uniform(size=(n_tasks, n_tasks)), 1)
    A[A < 0.5] = 0.0
    return A + A.T


class _FittedWithGraph(BaseEstimator):
    """A stand-in for a fitted estimator that exposes a task graph."""

    def __init__(self, graph=None, clusters=None, names=None):
        self.graph = graph
        self.clusters = clusters
        self.names = names

    def fit(self, X=None, y=None):
        self.task_graph_ = self.graph
        if self.clusters is not None:
            self.task_clusters_ = np.asarray(self.clusters)
        if self.names is not None:
            self.task_names_ = np.asarray(self.names, dtype=object)
        return self


def test_from_graph_draws_one_segment_per_edge(tmp_path):
    A = graph_of(6)
    display = TaskGraphDisplay.from_graph(A, task_names=list("abcdef"))
    n_edges = int((np.triu(A, 1) > 0).sum())
    segments = display.edges_.get_segments()
    assert len(segments) == n_edges
    # Heavier edges are wider.
    widths = display.edges_.get_linewidths()
    s, t = np.nonzero(np.triu(A, 1))
    order = np.argsort(A[s, t])
    assert np.all(np.diff(np.asarray(widths)[order]) >= 0)
    assert max(widths) == pytest.approx(6.0)
    assert [label.get_text() for label in display.labels_] == list("abcdef")
    # Nodes on the unit circle, task 0 at the top.
    np.testing.assert_allclose(np.linalg.norm(display.positions_, axis=1), 1.0)
    np.testing.assert_allclose(display.positions_[0], [0.0, 1.0], atol=1e-12)
    assert display.ax_.figure is display.figure_
    path = tmp_path / "graph.png"
    display.figure_.savefig(path)
    image = mpimg.imread(path)
    assert image[..., :3].std() > 0.01


def test_clusters_colour_nodes_and_sit_together_on_the_circle():
    A = graph_of(6, seed=1)
    clusters = [1, 0, 1, 0, 1, 0]
    display = TaskGraphDisplay.from_graph(A, clusters=clusters)
    colors = display.nodes_.get_facecolors()
    assert np.allclose(colors[0], colors[2]) and not np.allclose(colors[0], colors[1])
    # The three tasks of cluster 0 are consecutive positions 0, 1, 2 of the
    # circle (stable order by cluster code: tasks 1, 3, 5 first).
    expected = np.array([np.pi / 2 - 2 * np.pi * i / 6 for i in range(6)])
    for slot, task in enumerate([1, 3, 5, 0, 2, 4]):
        np.testing.assert_allclose(
            display.positions_[task], [np.cos(expected[slot]), np.sin(expected[slot])]
        )
    legend = display.figure_.legends or [display.ax_.get_legend()]
    texts = [t.get_text() for t in legend[0].get_texts()]
    assert texts == ["cluster 0", "cluster 1"]


def test_layouts_and_given_axes():
    A = graph_of(5, seed=2)
    fig, ax = plt.subplots()
    display = TaskGraphDisplay.from_graph(A, ax=ax, layout="spectral")
    assert display.ax_ is ax and display.figure_ is fig
    assert display.positions_.shape == (5, 2)
    assert np.all(np.abs(display.positions_) <= 1 + 1e-12)
    coords = np.arange(10.0).reshape(5, 2)
    display = TaskGraphDisplay(A).plot(layout=coords)
    np.testing.assert_array_equal(display.positions_, coords)
    # No edge at all, one task: drawn without error.
    assert len(TaskGraphDisplay.from_graph(np.zeros((3, 3))).edges_.get_segments()) == 0
    TaskGraphDisplay.from_graph(np.zeros((1, 1)), layout="spectral")


def test_from_estimator_reads_graph_clusters_and_names():
    A = graph_of(4, seed=3)
    model = _FittedWithGraph(A, clusters=[0, 0, 1, 1], names=list("wxyz")).fit()
    display = TaskGraphDisplay.from_estimator(model)
    assert [label.get_text() for label in display.labels_] == list("wxyz")
    np.testing.assert_array_equal(display.clusters, [0, 0, 1, 1])
    pipe = make_pipeline(StandardScaler(), _FittedWithGraph(A))
    pipe.fit(np.eye(4), None)
    display = TaskGraphDisplay.from_estimator(pipe)
    assert display.labels_[0].get_text() == "task 0"


def test_from_estimator_errors():
    with pytest.raises(NotFittedError):
        TaskGraphDisplay.from_estimator(Ridge())
    ridge = Ridge().fit(np.eye(3), np.arange(3.0))
    with pytest.raises(ValueError, match="has no task_graph_"):
        TaskGraphDisplay.from_estimator(ridge)
    with pytest.raises(ValueError, match="has no task_graph_"):
        TaskGraphDisplay.from_estimator(_FittedWithGraph(None).fit())


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"graph": -np.ones((2, 2))}, "non-negative"),
        ({"graph": np.ones((2, 3))}, "square"),
        ({"graph": np.triu(np.ones((3, 3)))}, "symmetric"),
        ({"graph": np.ones((2, 2)), "task_names": ["a"]}, "task_names"),
        ({"graph": np.ones((2, 2)), "clusters": [0]}, "clusters"),
        ({"graph": np.ones((2, 2)), "layout": "spring"}, "layout"),
        ({"graph": np.ones((2, 2)), "layout": np.zeros((3, 2))}, "layout"),
    ],
)
def test_bad_input(kwargs, message):
    with pytest.raises(ValueError, match=message):
        TaskGraphDisplay.from_graph(**kwargs)


def test_from_a_linear_model_with_an_estimated_graph():
    import pandas as pd

    from mtlearn.datasets import make_multitask_regression
    from mtlearn.linear_model import MultiTaskLinearRegression

    X, y = make_multitask_regression(n_samples=40, n_tasks=3, random_state=0)
    y = pd.DataFrame(y, columns=["p", "q", "r"])
    model = MultiTaskLinearRegression(penalty="graph", task_graph="auto").fit(X, y)
    display = TaskGraphDisplay.from_estimator(model)
    np.testing.assert_allclose(display.graph, model.task_graph_)
    assert [label.get_text() for label in display.labels_] == ["p", "q", "r"]
