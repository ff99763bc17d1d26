"""The measurement behind the shared network's defaults (issue 13, item 3).

Part ``classification``: on yeast and emotions (standard train/test splits)
and on two generated problems with rare labels, behind one StandardScaler
each, for seeds ``0..N-1``:

- ``old defaults``: SharedRepresentationClassifier with the defaults before
  issue 13 (``class_weight=None``, ``early_stopping=True`` on the
  validation loss, ``n_iter_no_change=10``, dropout 0.5, alpha 1e-2);
- ``new defaults``: ``SharedRepresentationClassifier(random_state=seed)``,
  whatever its defaults are when the script runs;
- ``per-label LogisticRegression``: one ``LogisticRegression(max_iter=1000)``
  per label;
- ``MLPClassifier((100,))``: scikit-learn's defaults (``max_iter=500``).

Variants of the classifier's early stopping, run only when named with
``--classifiers`` (next to any of the above):

- ``no refit``: ``early_stopping=True`` (the classifier's default before
  issue 13's item 3, which is ``early_stopping="refit"``: the epochs chosen,
  trained again on every row);
- ``no early stopping``: ``early_stopping=False``.

The generated rare-label problems (fresh data per seed, 70/30 split):

- ``multilabel-skewed``: ``sklearn.datasets.make_multilabel_classification``
  (1500 rows, 20 features, 15 labels, ``n_labels=1``): its label
  probabilities are drawn at random, so the label rates are very unequal
  (from under 1% to about 20%);
- ``multitask-rare``: ``mtlearn.datasets.make_multitask_regression`` (1500
  rows, 20 features, 10 related tasks, ``nonlinearity="sine"``, noise of
  standard deviation 1 on scores of standard deviation about 3) with task
  ``t`` thresholded at its ``1 - r_t`` quantile, the rates ``r_t``
  geometric from 1% to 30%.

Part ``regression``: ``SharedRepresentationRegressor`` (old and new
defaults) against ``MLPRegressor((100,), max_iter=2000)`` (its other
defaults), both behind a StandardScaler:

- ``smooth-8``: ``make_multitask_regression(800, 8, n_tasks=3,
  n_informative=8, nonlinearity="sine", noise=0.1)``, 80/20 split, fresh data
  per seed; mean R^2 over the targets on the test part;
- ``school``: ``load_school`` with ``bench_linear.py``'s per-school split
  (20% of each school's students for training); the network fits the 139
  schools as tasks (NaN outside a student's own school), MLPRegressor the
  own-school score from the features plus a school one-hot; explained
  variance on the pooled test students.

Tables: mean ± standard deviation over seeds of every metric, and the paired
difference (same seed, same split) of each model against ``new defaults``.

    OMP_NUM_THREADS=1 python benchmarks/bench_defaults.py [--seeds 5] \
        [--parts classification regression] [--data NAME ...] [--json PATH] \
        [--classifiers NAME ...]
"""

import argparse
import json
import time
import warnings
from pathlib import Path

import numpy as np
from bench_linear import _school_split
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.datasets import make_multilabel_classification
from sklearn.dummy import DummyClassifier
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score, r2_score
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from mtlearn.datasets import (
    load_emotions,
    load_school,
    load_yeast,
    make_multitask_regression,
)
from mtlearn.neural_network import (
    SharedRepresentationClassifier,
    SharedRepresentationRegressor,
)

# The classifier's and the regressor's defaults before issue 13.
OLD_CLASSIFIER = dict(
    hidden_layer_sizes=(512, 256),
    alpha=1e-2,
    dropout=0.5,
    max_iter=200,
    early_stopping=True,
    n_iter_no_change=10,
    average=True,
    class_weight=None,
)
OLD_REGRESSOR = dict(
    hidden_layer_sizes=(512, 256),
    alpha=1e-2,
    dropout=0.1,
    max_iter=200,
    early_stopping=True,
    n_iter_no_change=10,
    average=True,
)


CLASSIFIERS = {
    "old defaults": lambda seed: SharedRepresentationClassifier(
        **OLD_CLASSIFIER, random_state=seed
    ),
    "new defaults": lambda seed: SharedRepresentationClassifier(random_state=seed),
    "per-label LogisticRegression": lambda seed: PerLabelLogisticRegression(),
    "MLPClassifier((100,))": lambda seed: MLPClassifier(
        hidden_layer_sizes=(100,), max_iter=500, random_state=seed
    ),
}


# Variants of the early stopping, measured against the new defaults with
# --classifiers (names below); the default run measures CLASSIFIERS only.
CLASSIFIER_VARIANTS = {
    "no refit": lambda seed: SharedRepresentationClassifier(
        early_stopping=True, random_state=seed
    ),
    "no early stopping": lambda seed: SharedRepresentationClassifier(
        early_stopping=False, random_state=seed
    ),
}


class PerLabelLogisticRegression(ClassifierMixin, BaseEstimator):
    """One LogisticRegression(max_iter=1000) per label; a label with one
    class in the training part predicts that class."""

    def fit(self, X, Y):
        self.models_ = [
            LogisticRegression(max_iter=1000).fit(X, column)
            if np.unique(column).size > 1
            else DummyClassifier(strategy="constant", constant=column[0]).fit(X, column)
            for column in np.asarray(Y).T
        ]
        return self

    def predict(self, X):
        return np.column_stack([model.predict(X) for model in self.models_])


REGRESSORS = {
    "old defaults": lambda seed: SharedRepresentationRegressor(
        **OLD_REGRESSOR, random_state=seed
    ),
    "new defaults": lambda seed: SharedRepresentationRegressor(random_state=seed),
    "MLPRegressor((100,), max_iter=2000)": lambda seed: MLPRegressor(
        hidden_layer_sizes=(100,), max_iter=2000, random_state=seed
    ),
}
REFERENCE = "new defaults"


def _real(load_data):
    def load(seed):
        X, y = load_data(subset="train", return_X_y=True)
        X_test, y_test = load_data(subset="test", return_X_y=True)
        # train_test_split's order
        return np.asarray(X), np.asarray(X_test), np.asarray(y), np.asarray(y_test)

    return load


def multilabel_skewed(seed):
    X, Y = make_multilabel_classification(
        1500, n_features=20, n_classes=15, n_labels=1, random_state=seed
    )
    return train_test_split(X, Y, test_size=0.3, random_state=seed)


def multitask_rare(seed):
    X, scores = make_multitask_regression(
        1500, 20, n_tasks=10, nonlinearity="sine", noise=1.0, random_state=seed
    )
    rates = np.geomspace(0.01, 0.3, scores.shape[1])
    Y = (scores > np.quantile(scores, 1 - rates, axis=0).diagonal()).astype(int)
    return train_test_split(X, Y, test_size=0.3, random_state=seed)


CLASSIFICATION_DATA = {
    "yeast": _real(load_yeast),
    "emotions": _real(load_emotions),
    "multilabel-skewed": multilabel_skewed,
    "multitask-rare": multitask_rare,
}


def smooth_8(seed):
    X, Y = make_multitask_regression(
        800,
        8,
        n_tasks=3,
        n_informative=8,
        nonlinearity="sine",
        noise=0.1,
        random_state=seed,
    )
    return train_test_split(X, Y, test_size=0.2, random_state=seed)


def classification_metrics(model, X, Y, X_test, Y_test):
    tic = time.perf_counter()
    model.fit(X, Y)
    seconds = time.perf_counter() - tic
    pred = np.asarray(model.predict(X_test))
    return {
        "micro_f1": f1_score(Y_test, pred, average="micro", zero_division=0),
        "macro_f1": f1_score(Y_test, pred, average="macro", zero_division=0),
        "positive_rate": float(pred.mean()),
        "fit_seconds": seconds,
    }


def run_classification(names, seeds, models):
    out = {}
    for name in names:
        runs = {model: [] for model in models}
        for seed in seeds:
            X, X_test, Y, Y_test = CLASSIFICATION_DATA[name](seed)
            for model_name, factory in models.items():
                model = make_pipeline(StandardScaler(), factory(seed))
                runs[model_name].append(
                    classification_metrics(model, X, Y, X_test, Y_test)
                )
        header = (
            f"{name}: {X.shape[0]} train / {X_test.shape[0]} test, "
            f"{Y.shape[1]} labels (train rates "
            f"{Y.mean(axis=0).min():.3f}-{Y.mean(axis=0).max():.3f}, test "
            f"positive rate {Y_test.mean():.3f}); {len(seeds)} seeds"
        )
        out[name] = report(header, runs)
    return out


def run_regression(names, seeds, models):
    out = {}
    school = None
    for name in names:
        runs = {model: [] for model in models}
        for seed in seeds:
            if name == "school":
                if school is None:
                    data = load_school()
                    school = (
                        np.asarray(data.data, dtype=np.float64),
                        np.asarray(data.target, dtype=np.float64),
                        np.asarray(data.task),
                    )
                X, Y, task = school
                y = Y[np.arange(len(Y)), task]
                train, test = _school_split(task, 0.2, seed)
                onehot = np.eye(Y.shape[1])[task]
            else:
                X_tr, X_te, Y_tr, Y_te = smooth_8(seed)
            for model_name, factory in models.items():
                estimator = factory(seed)
                model = make_pipeline(StandardScaler(), estimator)
                tic = time.perf_counter()
                if name != "school":
                    model.fit(X_tr, Y_tr)
                    seconds = time.perf_counter() - tic
                    score = r2_score(Y_te, model.predict(X_te))
                elif isinstance(estimator, MLPRegressor):
                    features = np.hstack([X, onehot])
                    model.fit(features[train], y[train])
                    seconds = time.perf_counter() - tic
                    pred = model.predict(features[test])
                    score = 1 - np.mean((y[test] - pred) ** 2) / np.var(y[test])
                else:
                    model.fit(X[train], Y[train])
                    seconds = time.perf_counter() - tic
                    pred = model.predict(X[test])[np.arange(test.size), task[test]]
                    score = 1 - np.mean((y[test] - pred) ** 2) / np.var(y[test])
                runs[model_name].append({"r2": float(score), "fit_seconds": seconds})
        out[name] = report(f"{name}; {len(seeds)} seeds", runs)
    return out


def report(header, runs):
    """Print mean ± std per model and the paired difference to REFERENCE."""
    print(f"\n== {header}", flush=True)
    metrics = list(next(iter(runs.values()))[0])
    width = max(len(m) for m in runs) + 2
    print(f"{'model':<{width}}" + "".join(f"{m:>22}" for m in metrics))
    summary = {}
    for model_name, model_runs in runs.items():
        values = {m: np.array([r[m] for r in model_runs]) for m in metrics}
        cells = "".join(
            f"{values[m].mean():>13.4f} ± {values[m].std():.4f}" for m in metrics
        )
        print(f"{model_name:<{width}}{cells}")
        summary[model_name] = {
            m: {"mean": float(v.mean()), "std": float(v.std()), "runs": v.tolist()}
            for m, v in values.items()
        }
    if REFERENCE in runs:
        print(f"paired difference, {REFERENCE} minus each (mean ± std over seeds):")
        ref = summary[REFERENCE]
        for model_name in runs:
            if model_name == REFERENCE:
                continue
            cells = ""
            for m in metrics:
                if m == "fit_seconds":
                    continue
                d = np.array(ref[m]["runs"]) - np.array(summary[model_name][m]["runs"])
                cells += f"   {m} {d.mean():+.4f} ± {d.std():.4f}"
            print(f"  vs {model_name:<{width}}{cells}")
    return summary


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--parts", nargs="+", default=["classification", "regression"])
    parser.add_argument("--data", nargs="+", default=None)
    parser.add_argument("--json", default="benchmarks/results/defaults.json")
    parser.add_argument(
        "--classifiers",
        nargs="+",
        default=list(CLASSIFIERS),
        choices=list(CLASSIFIERS) + list(CLASSIFIER_VARIANTS),
        help="classification models to run (default: %(default)s)",
    )
    args = parser.parse_args()
    seeds = list(range(args.seeds))
    result = {"seeds": seeds}
    warnings.simplefilter("ignore", ConvergenceWarning)
    if "classification" in args.parts:
        names = [n for n in CLASSIFICATION_DATA if not args.data or n in args.data]
        every = {**CLASSIFIERS, **CLASSIFIER_VARIANTS}
        models = {name: every[name] for name in args.classifiers}
        result["classification"] = run_classification(names, seeds, models)
    if "regression" in args.parts:
        names = [n for n in ["smooth-8", "school"] if not args.data or n in args.data]
        result["regression"] = run_regression(names, seeds, REGRESSORS)
    path = Path(args.json)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(result, indent=1))
    print(f"\nsaved {path}")


if __name__ == "__main__":
    main()
