"""Tests of ``python -m mtlearn compare`` (``mtlearn/_cli/``)."""

import gzip
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import sklearn
from sklearn.metrics import f1_score, hamming_loss
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import mtlearn
from mtlearn._cli.main import _MODELS, main
from mtlearn.model_selection import MultilabelStratifiedShuffleSplit

FAST = "logistic,knn"
METRICS = ["hamming_loss", "f1_micro", "f1_macro", "f1_samples", "subset_accuracy"]
HEADERS = ["model", "Hamming loss", "micro-F1", "macro-F1", "example-F1"]
REPO = Path(__file__).resolve().parents[1]


def _write_csv(path, n_rows=80, seed=0, labels=("y1", "y2", "y3")):
    """A small multi-label CSV: features a, b, c and 0/1 label columns."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n_rows, 3))
    Y = (X @ rng.normal(size=(3, len(labels))) > 0).astype(int)
    lines = [",".join(["a", "b", "c", *labels])]
    lines += [
        ",".join([*(f"{v:.6f}" for v in x), *(str(v) for v in y)])
        for x, y in zip(X, Y, strict=True)
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return X, Y


def _run_error(capsys, argv, expected):
    """Run ``main`` on bad input; check the exit status and the message."""
    with pytest.raises(SystemExit) as info:
        main(argv)
    assert info.value.code == 2
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if "error:" in line]
    assert len(lines) == 1, err
    assert lines[0].startswith("python -m mtlearn compare: error:")
    assert expected in lines[0]
    assert "Traceback" not in err


def _table_rows(out):
    """Model names of the table rows in the printed output."""
    lines = out.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("---")) + 1
    end = lines.index("", start)
    return [line.split()[0] for line in lines[start:end]]


@pytest.fixture
def csv_path(tmp_path):
    path = tmp_path / "data.csv"
    _write_csv(path)
    return path


def test_emotions_table_and_json(tmp_path, capsys):
    out_json = tmp_path / "results.json"
    assert main(["compare", "--dataset", "emotions", "--models", FAST,
                 "--json", str(out_json)]) == 0  # fmt: skip
    out, err = capsys.readouterr()

    lines = out.splitlines()
    assert lines[0].startswith("emotions (standard train/test split): 391 train")
    header = next(line for line in lines if line.startswith("model"))
    for name in [*HEADERS, "subset acc.", "fit time (s)"]:
        assert name in header
    assert _table_rows(out) == ["logistic", "knn"]
    assert "*" in out
    assert "[1/2] logistic" in err and "[2/2] knn" in err

    report = json.loads(out_json.read_text())
    assert set(report) >= {"dataset", "shapes", "seed", "versions", "models", "best"}
    assert report["dataset"]["name"] == "emotions"
    assert len(report["dataset"]["label_names"]) == 6
    assert report["shapes"] == {
        "X_train": [391, 72],
        "Y_train": [391, 6],
        "X_test": [202, 72],
        "Y_test": [202, 6],
    }
    assert report["seed"] == 0
    assert report["versions"]["mtlearn"] == mtlearn.__version__
    assert report["versions"]["scikit-learn"] == sklearn.__version__
    assert list(report["models"]) == ["logistic", "knn"]
    for result in report["models"].values():
        for key in METRICS:
            assert 0 <= result[key] <= 1
        assert result["fit_seconds"] >= 0
    for key, names in report["best"].items():
        values = [report["models"][name][key] for name in report["models"]]
        best = min(values) if key in report["lower_is_better"] else max(values)
        assert [report["models"][name][key] for name in names][0] == pytest.approx(
            best, abs=1e-4
        )

    # The same k-NN pipeline fitted here gives the same metrics.
    from mtlearn.datasets import load_emotions

    X, Y = load_emotions(subset="train", return_X_y=True)
    X_test, Y_test = load_emotions(subset="test", return_X_y=True)
    knn = make_pipeline(StandardScaler(), KNeighborsClassifier(n_neighbors=10))
    Y_pred = knn.fit(X, Y).predict(X_test)
    assert report["models"]["knn"]["hamming_loss"] == pytest.approx(
        hamming_loss(Y_test, Y_pred)
    )
    assert report["models"]["knn"]["f1_samples"] == pytest.approx(
        f1_score(Y_test, Y_pred, average="samples", zero_division=0)
    )


def test_csv_labels_and_prefix(tmp_path, capsys):
    path = tmp_path / "data.csv"
    X, Y = _write_csv(path, labels=("label:y1", "label:y2", "label:y3"))
    out_json = tmp_path / "results.json"
    argv = ["compare", "--data", str(path), "--models", "knn", "--seed", "3"]
    assert main([*argv, "--label-prefix", "label:", "--json", str(out_json)]) == 0
    report = json.loads(out_json.read_text())
    assert report["dataset"]["label_names"] == ["y1", "y2", "y3"]
    assert report["dataset"]["test_size"] == 0.25
    assert report["shapes"]["X_train"] == [60, 3]
    assert report["shapes"]["Y_test"] == [20, 3]
    assert report["seed"] == 3

    # The split is the seeded multilabel stratified split of the file's rows.
    splitter = MultilabelStratifiedShuffleSplit(1, test_size=0.25, random_state=3)
    train, test = next(splitter.split(X, Y))
    X_train, X_test, Y_train, Y_test = X[train], X[test], Y[train], Y[test]
    knn = make_pipeline(StandardScaler(), KNeighborsClassifier(n_neighbors=10))
    Y_pred = knn.fit(X_train, Y_train).predict(X_test)
    assert report["models"]["knn"]["f1_micro"] == pytest.approx(
        f1_score(Y_test, Y_pred, average="micro", zero_division=0), abs=1e-5
    )

    capsys.readouterr()
    assert main([*argv, "--labels", "label:y1,label:y3", "--test-size", "0.5"]) == 0
    out = capsys.readouterr().out
    assert "40 train and 40 test samples, 4 features, 2 labels" in out


def test_gzipped_csv(tmp_path, capsys):
    path = tmp_path / "data.csv"
    _write_csv(path)
    gz_path = tmp_path / "data.csv.gz"
    gz_path.write_bytes(gzip.compress(path.read_bytes()))
    argv = ["compare", "--labels", "y1,y2,y3", "--models", "knn"]
    assert main([*argv, "--data", str(path)]) == 0
    plain = capsys.readouterr().out
    assert main([*argv, "--data", str(gz_path)]) == 0
    # The same metrics; only the file name and the fit time differ.
    gzipped = capsys.readouterr().out
    assert [line.split()[:-1] for line in gzipped.splitlines()[3:]] == [
        line.split()[:-1] for line in plain.splitlines()[3:]
    ]


def test_csv_two_valued_labels_are_encoded(tmp_path, capsys):
    path = tmp_path / "data.csv"
    rng = np.random.default_rng(0)
    rows = ["f1,f2,sick,colour"]
    for i in range(60):
        x = rng.normal(size=2)
        sick = "yes" if x[0] > 0 else "no"
        rows.append(f"{x[0]},{x[1]},{sick},{'red' if i % 2 else 'blue'}")
    path.write_text("\n".join(rows) + "\n")
    assert main(["compare", "--data", str(path), "--labels", "sick,colour",
                 "--models", "logistic"]) == 0  # fmt: skip
    err = capsys.readouterr().err
    assert "'no' -> 0, 'yes' -> 1" in err
    assert "'blue' -> 0, 'red' -> 1" in err


def test_progress_lines_and_model_order(csv_path, capsys):
    # Rows follow the registry, whatever the order on the command line.
    argv = ["compare", "--data", str(csv_path), "--labels", "y1,y2,y3"]
    assert main([*argv, "--models", "knn,logistic,knn"]) == 0
    out, err = capsys.readouterr()
    assert _table_rows(out) == ["logistic", "knn"]
    # stderr is not a terminal here: one line per model, no carriage returns.
    assert "\r" not in err
    assert "[1/2] logistic (elapsed" in err
    assert "fitted 2 models in" in err


def test_progress_bar_on_a_terminal():
    from mtlearn._cli.progress import _Progress

    class Terminal:
        def __init__(self):
            self.text = ""

        def isatty(self):
            return True

        def write(self, text):
            self.text += text

        def flush(self):
            pass

    stream = Terminal()
    with _Progress(2, stream) as progress:
        progress.start(1, "logistic")
        progress.start(2, "random-forest")
    assert progress.animated
    assert "\r[----------" in stream.text
    assert "] 2/2 random-forest" in stream.text
    assert stream.text.endswith("fitted 2 models in 0.0 s\n")


def test_model_registry():
    names = [model.name for model in _MODELS]
    assert names == [
        "shared-network",
        "shared-network-tuned",
        "logistic-cv",
        "ensemble",
        "ensemble-tuned",
        "logistic",
        "classifier-chains",
        "mlp",
        "random-forest",
        "knn",
    ]
    assert all(model.description for model in _MODELS)


def test_classifier_chain_ensemble_averages_chains():
    from sklearn.linear_model import LogisticRegression
    from sklearn.multioutput import ClassifierChain

    from mtlearn._cli.models import _ClassifierChainEnsemble

    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 4))
    Y = (X[:, :3] + 0.5 * rng.normal(size=(60, 3)) > 0).astype(int)
    ensemble = _ClassifierChainEnsemble(
        LogisticRegression(), n_chains=3, random_state=5
    ).fit(X, Y)
    chains = [
        ClassifierChain(LogisticRegression(), order="random", random_state=s).fit(X, Y)
        for s in (5, 6, 7)
    ]
    expected = np.mean([chain.predict_proba(X) for chain in chains], axis=0)
    np.testing.assert_allclose(ensemble.predict_proba(X), expected)
    np.testing.assert_array_equal(ensemble.predict(X), expected >= 0.5)


def test_no_command_prints_help(capsys):
    assert main([]) == 2
    assert "compare" in capsys.readouterr().err


def test_version(capsys):
    with pytest.raises(SystemExit) as info:
        main(["--version"])
    assert info.value.code == 0
    assert capsys.readouterr().out.strip() == f"mtlearn {mtlearn.__version__}"


def test_help_lists_the_models(capsys):
    with pytest.raises(SystemExit):
        main(["compare", "--help"])
    out = capsys.readouterr().out
    for model in _MODELS:
        assert model.name in out


@pytest.mark.parametrize(
    "argv, expected",
    [
        (["--dataset", "mnist"], "invalid choice: 'mnist'"),
        (["--models", "logistic,svm"], "unknown model 'svm' (choose from "),
        (["--models", "svm"], "or a group: all, mtlearn, sklearn"),
        (["--models", "logistic,,knn"], "expected names separated by commas"),
        (["--labels", "y1,y2"], "--labels applies only with --data"),
        (["--label-prefix", "y"], "--label-prefix applies only with --data"),
        (["--test-size", "0.5"], "--test-size applies only with --data"),
        (["--seed", "-1"], "argument --seed: must be an integer from 0"),
        (["--json", "/no/such/folder/out.json"], "does not exist"),
        (["--json", "."], "is a folder, not a file name"),
    ],
)
def test_bad_arguments(capsys, argv, expected):
    _run_error(capsys, ["compare", *argv], expected)


@pytest.mark.parametrize("size", ["0", "1", "1.5", "-0.1", "nan", "half"])
def test_bad_test_size(capsys, csv_path, size):
    argv = ["compare", "--data", str(csv_path), "--labels", "y1,y2"]
    _run_error(capsys, [*argv, "--test-size", size], "strictly between 0 and 1")


def test_data_needs_labels(capsys, csv_path):
    _run_error(
        capsys,
        ["compare", "--data", str(csv_path)],
        "--data needs --labels COL,COL,... or --label-prefix PREFIX",
    )


def test_data_and_dataset_exclude_each_other(capsys, csv_path):
    argv = ["compare", "--dataset", "yeast", "--data", str(csv_path)]
    _run_error(capsys, [*argv, "--labels", "y1,y2"], "not allowed with argument")


@pytest.mark.parametrize(
    "content, labels, expected",
    [
        (None, "y1,y2", "no such file"),
        ("", "y1,y2", "the file is empty"),
        ("a,y1,y2\n", "y1,y2", "a header but no data rows"),
        ("a,y1,y2\n1,0,1\n2,1\n", "y1,y2", "line 3 has 2 fields, the header has 3"),
        (
            "a,y1,y2\n1,0,1\nx,1,0\n",
            "y1,y2",
            "line 3: feature column 'a' holds 'x', not",
        ),
        ("a,y1,y2\n1,0,1\n,1,0\n", "y1,y2", "line 3: feature column 'a' is empty"),
        ("a,y1,y2\n1,0,1\ninf,1,0\n", "y1,y2", "holds 'inf', not a finite number"),
        ("a,y1,y2\n1,0,1\n2,1,0\n", "y1,y9", "label column 'y9' is not in the header"),
        ("a,y1,y2\n1,0,1\n2,,0\n", "y1,y2", "line 3: label column 'y1' has a missing"),
        ("a,y1,y2\n1,0,1\n2,2,0\n3,1,0\n", "y1,y2", "'y1' has 3 distinct values"),
        ("a,y1,y2\n1,0,1\n2,1,0\n", "y1", "at least two label columns"),
        ("y1,y2\n0,1\n1,0\n", "y1,y2", "no features are left"),
        ("a,y1,a\n1,0,1\n", "y1,a", "column 'a' appears twice"),
    ],
)
def test_bad_csv(capsys, tmp_path, content, labels, expected):
    path = tmp_path / "bad.csv"
    if content is not None:
        path.write_text(content)
    _run_error(capsys, ["compare", "--data", str(path), "--labels", labels], expected)


def test_csv_label_prefix_matching_nothing(capsys, csv_path):
    argv = ["compare", "--data", str(csv_path), "--label-prefix", "label:"]
    _run_error(capsys, argv, "no column name starts with 'label:'")


def test_csv_single_class_in_training_part(capsys, tmp_path, monkeypatch):
    from dataclasses import replace

    import mtlearn._cli.main as _compare
    from mtlearn.neural_network import SharedRepresentationClassifier

    # a small network, for time: the test is about the constant label
    small = replace(
        _MODELS[0],
        factory=lambda seed: SharedRepresentationClassifier(
            hidden_layer_sizes=(8,), max_iter=20, random_state=seed
        ),
    )
    assert small.name == "shared-network"
    monkeypatch.setattr(_compare, "_MODELS", (small, *_MODELS[1:]))
    path = tmp_path / "rare.csv"
    rng = np.random.default_rng(0)
    x = rng.normal(size=40)
    rows = ["a,b,y1,y2,never"]
    rows += [f"{x[i]},{i % 3},{int(i == 0)},{int(x[i] > 0)},no" for i in range(40)]
    path.write_text("\n".join(rows) + "\n")
    # Row 0 is the only positive of y1: the stratified split keeps it in the
    # training part whatever the seed, so only 'never' is constant there.
    seed = 7
    splitter = MultilabelStratifiedShuffleSplit(1, test_size=0.25, random_state=seed)
    Y = np.column_stack([np.arange(40) == 0, x > 0, np.zeros(40)]).astype(int)
    assert 0 in next(splitter.split(x[:, None], Y))[0]
    out_json = tmp_path / "results.json"
    argv = ["compare", "--data", str(path), "--labels", "y1,y2,never",
            "--models", "shared-network,logistic,classifier-chains,knn",
            "--seed", str(seed), "--json", str(out_json)]  # fmt: skip
    assert main(argv) == 0
    out, err = capsys.readouterr()
    assert _table_rows(out) == [
        "shared-network", "logistic", "classifier-chains", "knn"
    ]  # fmt: skip
    assert "label column 'never' has one value only: 'no' -> 0" in err
    assert "1 label(s) have one class only in the training part" in err
    assert "'never'; every model predicts that class" in err
    assert "warning: shared-network: ConstantTaskWarning" in err
    report = json.loads(out_json.read_text())
    for result in report["models"].values():
        assert all(np.isfinite(result[key]) for key in METRICS)
        assert 0 <= result["hamming_loss"] <= 1 / 3 + 1e-9


def test_constant_label_classifier_in_a_chain():
    from sklearn.linear_model import LogisticRegression
    from sklearn.multioutput import ClassifierChain

    from mtlearn._cli.models import _ConstantLabelClassifier

    X = np.arange(12.0).reshape(-1, 1)
    Y = np.column_stack([X[:, 0] > 5, np.ones(12), np.zeros(12)]).astype(int)
    chain = ClassifierChain(_ConstantLabelClassifier(LogisticRegression()))
    proba = chain.fit(X, Y).predict_proba(X)
    # the probability of label 1: 1 for the all-ones label, 0 for the all-zeros
    np.testing.assert_array_equal(proba[:, 1:], [[1.0, 0.0]] * 12)
    np.testing.assert_array_equal(chain.predict(X), Y)
    assert chain.estimators_[0].estimator_ is not None
    assert chain.estimators_[1].estimator_ is None


def test_command_line_subprocess():
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "mtlearn",
            "compare",
            "--dataset",
            "emotions",
            "--models",
            "knn",
        ],  # fmt: skip
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "knn" in result.stdout
    assert "[1/1] knn" in result.stderr


def test_command_line_without_command_exits_2():
    result = subprocess.run(
        [sys.executable, "-m", "mtlearn"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2
    assert "usage: python -m mtlearn" in result.stderr


def test_shared_network_on_emotions(tmp_path, capsys):
    try:
        from mtlearn.neural_network import SharedRepresentationClassifier  # noqa: F401
    except ImportError:
        pytest.skip("SharedRepresentationClassifier is not available")
    out_json = tmp_path / "results.json"
    assert main(["compare", "--dataset", "emotions", "--models", "shared-network",
                 "--json", str(out_json)]) == 0  # fmt: skip
    report = json.loads(out_json.read_text())
    result = report["models"]["shared-network"]
    for key in METRICS:
        assert 0 <= result[key] <= 1
    # Better than predicting no label at all.
    assert result["f1_micro"] > 0.3


# -- --plot ----------------------------------------------------------------------


def test_plot_writes_the_metrics_figure(tmp_path, capsys):
    mpimg = pytest.importorskip("matplotlib.image")
    import matplotlib

    backend = matplotlib.get_backend()
    png, pdf = tmp_path / "compare.png", tmp_path / "compare.PDF"
    argv = ["compare", "--dataset", "emotions", "--models", FAST]
    assert main([*argv, "--plot", str(png)]) == 0
    assert _table_rows(capsys.readouterr().out) == ["logistic", "knn"]
    image = mpimg.imread(png)
    assert image.shape[0] > 100 and image.shape[1] > 100
    assert image[..., :3].std() > 0.01  # not blank
    assert matplotlib.get_backend() == backend  # no global backend change

    # The format follows the extension, whatever its case.
    assert main([*argv[:-1], "knn", "--plot", str(pdf)]) == 0
    assert pdf.read_bytes().startswith(b"%PDF")
    assert [path.name for path in sorted(tmp_path.iterdir())] == [
        "compare.PDF",
        "compare.png",
    ]


@pytest.mark.parametrize(
    "path, expected",
    [
        ("/no/such/folder/out.png", "--plot: folder '/no/such/folder' does not exist"),
        (".", "--plot: '.' is a folder, not a file name"),
        ("out.xyz", "--plot: cannot draw to a '.xyz' file (choose from "),
    ],
)
def test_plot_bad_path(capsys, path, expected):
    pytest.importorskip("matplotlib")
    _run_error(capsys, ["compare", "--models", "knn", "--plot", path], expected)


def test_plot_unwritable_path(capsys, tmp_path):
    pytest.importorskip("matplotlib")
    path = tmp_path / ("x" * 300 + ".png")  # too long a file name to create
    argv = ["compare", "--dataset", "emotions", "--models", "knn"]
    _run_error(capsys, [*argv, "--plot", str(path)], f"cannot write {path}: ")


def test_plot_without_matplotlib(capsys, monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)
    argv = ["compare", "--models", "knn", "--plot", str(tmp_path / "out.png")]
    _run_error(capsys, argv, "--plot needs matplotlib: pip install matplotlib")


def test_json_unwritable_path(capsys, tmp_path):
    path = tmp_path / ("x" * 300 + ".json")  # too long a file name to create
    argv = ["compare", "--dataset", "emotions", "--models", "knn"]
    _run_error(capsys, [*argv, "--json", str(path)], f"cannot write {path}: ")


def test_models_groups(csv_path, capsys):
    argv = ["compare", "--data", str(csv_path), "--labels", "y1,y2,y3"]
    assert main([*argv, "--models", "knn,sklearn"]) == 0
    sklearn_names = [model.name for model in _MODELS if model.group == "sklearn"]
    assert sklearn_names == [
        "logistic", "classifier-chains", "mlp", "random-forest", "knn"
    ]  # fmt: skip
    assert _table_rows(capsys.readouterr().out) == sklearn_names


def test_every_mtlearn_family_runs(csv_path, capsys, monkeypatch):
    # Small networks and forests, for time: the test is about the registry.
    from dataclasses import replace

    from threadpoolctl import threadpool_limits

    import mtlearn._cli.main as cli_main
    import mtlearn._cli.models as models
    from mtlearn.ensemble import MultiTaskEnsembleClassifier
    from mtlearn.model_selection import MultiTaskThresholdClassifier
    from mtlearn.neural_network import SharedRepresentationClassifier

    def small_network(seed):
        return SharedRepresentationClassifier(
            hidden_layer_sizes=(64,), max_iter=100, early_stopping=False,
            random_state=seed,
        )  # fmt: skip

    def small_forest(seed):
        return models.RandomForestClassifier(n_estimators=10, random_state=seed)

    monkeypatch.setattr(models, "_shared_network", small_network)
    monkeypatch.setattr(models, "_random_forest", small_forest)
    small = {
        "shared-network": small_network,
        "shared-network-tuned": models._tuned(small_network),
    }
    registry = tuple(
        replace(model, factory=small.get(model.name, model.factory))
        for model in _MODELS
    )
    monkeypatch.setattr(cli_main, "_MODELS", registry)
    strongest = models._make_pipeline(
        next(m for m in _MODELS if m.name == models._STRONGEST), 0
    )["model"]
    assert isinstance(strongest, MultiTaskThresholdClassifier)
    assert strongest.scoring == "micro_f1"
    assert isinstance(strongest.estimator, MultiTaskEnsembleClassifier)
    assert [name for name, _ in strongest.estimator.estimators] == [
        "network", "logistic", "forest"
    ]  # fmt: skip

    out_json = csv_path.parent / "results.json"
    argv = ["compare", "--data", str(csv_path), "--labels", "y1,y2,y3"]
    with threadpool_limits(1):
        assert main([*argv, "--models", "mtlearn", "--json", str(out_json)]) == 0
    mtlearn_names = [model.name for model in _MODELS if model.group == "mtlearn"]
    assert _table_rows(capsys.readouterr().out) == mtlearn_names
    report = json.loads(out_json.read_text())
    for name in mtlearn_names:
        result = report["models"][name]
        # the labels are a linear function of the features: all learn them
        assert result["f1_micro"] > 0.6, name
        assert result["fit_seconds"] > 0


def test_csv_split_is_stratified_on_the_labels(tmp_path, capsys):
    # A label with 4 positives in 80 rows: a random split may leave the
    # test part without any; the stratified split puts one there.
    path = tmp_path / "rare.csv"
    rng = np.random.default_rng(1)
    X = rng.normal(size=(80, 2))
    rare = np.zeros(80, dtype=int)
    rare[[3, 30, 50, 70]] = 1
    rows = ["a,b,common,rare"]
    rows += [f"{a},{b},{int(a > 0)},{r}" for (a, b), r in zip(X, rare, strict=True)]
    path.write_text("\n".join(rows) + "\n")
    from mtlearn._cli.data import _load_csv

    for seed in range(10):
        data = _load_csv(str(path), ["common", "rare"], None, 0.25, seed)
        assert data.Y_test.shape == (20, 2)
        assert data.Y_test[:, 1].sum() == 1
        assert data.Y_train[:, 1].sum() == 3
    assert "stratified on the labels" in data.split
