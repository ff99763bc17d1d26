"""Prediction quality of SharedRepresentationClassifier against scikit-learn.

Part 1, quality: on the standard train/test splits of yeast and emotions, the
network with its current defaults (only ``random_state`` set) and the
scikit-learn estimators a user would otherwise pick, each behind the same
``StandardScaler``, fitted once per seed: micro-F1, macro-F1 and Hamming loss
of ``predict`` on the test part, and the fit time. Prints one table per data
set (mean ± standard deviation over the seeds) and mtlearn against the best
baseline on each metric.

Part 2, missing labels: on yeast, 30% of the training label cells are hidden
(NaN, chosen at random per seed). The network is fitted on every row with
the NaNs left in (each missing cell is left out of its task's loss only) and
compared with its full-label fit of part 1 and with the scikit-learn route of
dropping every row that has a missing label. As an extra reference, one
logistic regression per label fitted on that label's observed rows.

    python benchmarks/bench_quality.py [--seeds 5] [--json PATH]
"""

import argparse
import json
import platform
import time
import warnings
from pathlib import Path

import numpy as np
import sklearn
from sklearn.base import BaseEstimator
from sklearn.ensemble import RandomForestClassifier
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score, hamming_loss
from sklearn.multioutput import MultiOutputClassifier
from sklearn.neighbors import KNeighborsClassifier
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import mtlearn
from mtlearn.datasets import load_emotions, load_yeast
from mtlearn.neural_network import SharedRepresentationClassifier

DATASETS = {"yeast": load_yeast, "emotions": load_emotions}
MISSING_FRACTION = 0.3
MTLEARN = "mtlearn SharedRepresentationClassifier()"

# Each factory takes the seed and returns the estimator that goes behind the
# StandardScaler. LogisticRegression (lbfgs) and k-nearest neighbours have no
# randomness: their seeds only repeat the fit.
MODELS = {
    MTLEARN: lambda seed: SharedRepresentationClassifier(random_state=seed),
    "MultiOutput(LogisticRegression)": lambda seed: MultiOutputClassifier(
        LogisticRegression(max_iter=1000)
    ),
    "MLPClassifier((256,), alpha=1e-2, ES)": lambda seed: MLPClassifier(
        (256,), alpha=1e-2, early_stopping=True, max_iter=500, random_state=seed
    ),
    "RandomForestClassifier(300)": lambda seed: RandomForestClassifier(
        300, random_state=seed
    ),
    "KNeighborsClassifier(10)": lambda seed: KNeighborsClassifier(10),
}
DROP_ROWS_MODELS = {
    "drop rows + MLPClassifier((256,), alpha=1e-2, ES)": lambda seed: MLPClassifier(
        (256,), alpha=1e-2, early_stopping=True, random_state=seed
    ),
    "drop rows + MultiOutput(LogisticRegression)": lambda seed: MultiOutputClassifier(
        LogisticRegression()
    ),
}

# (metric, higher is better)
METRICS = {
    "micro_f1": ("micro-F1", True),
    "macro_f1": ("macro-F1", True),
    "hamming_loss": ("Hamming", False),
    "fit_seconds": ("fit s", False),
}

# The quality targets of the defaults (see benchmarks/README.md).
TARGETS = [
    ("yeast", "micro_f1", ">=", 0.650),
    ("yeast", "hamming_loss", "<=", 0.195),
    ("emotions", "micro_f1", ">=", 0.680),
]
MISSING_GAP_TARGET = 0.02


def load(name):
    load_data = DATASETS[name]
    X, y = load_data(subset="train", return_X_y=True)
    X_test, y_test = load_data(subset="test", return_X_y=True)
    return X, np.asarray(y), X_test, np.asarray(y_test)


def evaluate(estimator, X, y, X_test, y_test):
    """Fit a StandardScaler pipeline; the test metrics and the fit time."""
    model = make_pipeline(StandardScaler(), estimator)
    tic = time.perf_counter()
    model.fit(X, y)
    fit_seconds = time.perf_counter() - tic
    y_pred = np.asarray(model.predict(X_test))
    return {
        "micro_f1": f1_score(y_test, y_pred, average="micro"),
        "macro_f1": f1_score(y_test, y_pred, average="macro", zero_division=0),
        "hamming_loss": hamming_loss(y_test, y_pred),
        "fit_seconds": fit_seconds,
    }


def summarize(runs):
    """Mean and standard deviation over seeds of every metric in ``runs``."""
    return {
        key: {
            "mean": float(np.mean([run[key] for run in runs])),
            "std": float(np.std([run[key] for run in runs])),
        }
        for key in runs[0]
    }


def quality(name, seeds):
    X, y, X_test, y_test = load(name)
    print(
        f"\n== {name}: {X.shape[0]} train / {X_test.shape[0]} test rows, "
        f"{X.shape[1]} features, {y.shape[1]} labels; {len(seeds)} seeds",
        flush=True,
    )
    results = {}
    for model_name, factory in MODELS.items():
        runs = [evaluate(factory(seed), X, y, X_test, y_test) for seed in seeds]
        results[model_name] = {"runs": runs, "summary": summarize(runs)}
    print_table(results)
    comparison = compare_with_best(results)
    print_comparison(comparison)
    return {"shape": [*X.shape, y.shape[1]], "models": results, "vs_best": comparison}


def print_table(results):
    width = max(len(name) for name in results) + 2
    header = f"{'model':<{width}}" + "".join(
        f"{label:>19}" for label, _ in METRICS.values()
    )
    print(header)
    print("-" * len(header))
    for model_name, result in results.items():
        summary = result["summary"]
        cells = "".join(
            f"{summary[key]['mean']:>11.4f} ± {summary[key]['std']:.4f}"
            for key in METRICS
        )
        print(f"{model_name:<{width}}{cells}")


def compare_with_best(results):
    """mtlearn's mean against the best baseline mean on every metric."""
    comparison = {}
    for key, (_, higher_is_better) in METRICS.items():
        means = {
            name: result["summary"][key]["mean"]
            for name, result in results.items()
            if name != MTLEARN
        }
        pick = max if higher_is_better else min
        best = pick(means, key=means.get)
        ours = results[MTLEARN]["summary"][key]["mean"]
        comparison[key] = {
            "mtlearn": ours,
            "best_baseline": best,
            "best_value": means[best],
            "difference": ours - means[best],
            "ratio": ours / means[best] if means[best] else float("nan"),
        }
    return comparison


def print_comparison(comparison):
    print("mtlearn vs the best baseline on each metric (difference, ratio):")
    for key, (label, higher_is_better) in METRICS.items():
        c = comparison[key]
        better = (c["difference"] > 0) == higher_is_better
        print(
            f"  {label:<9} {c['mtlearn']:.4f} vs {c['best_value']:.4f} "
            f"({c['best_baseline']}): {c['difference']:+.4f}, "
            f"x{c['ratio']:.3f} [{'better' if better else 'worse'}]"
        )


def hide_labels(y, fraction, seed):
    """Float copy of ``y`` with ``fraction`` of its cells set to NaN."""
    rng = np.random.default_rng(seed)
    hidden = rng.choice(y.size, int(round(fraction * y.size)), replace=False)
    y_missing = y.astype(float)
    y_missing.flat[hidden] = np.nan
    return y_missing


class PerLabelLogisticRegression(BaseEstimator):
    """One LogisticRegression per label, each fitted on its observed rows."""

    def fit(self, X, y):
        self.models_ = []
        for column in y.T:
            observed = ~np.isnan(column)
            model = LogisticRegression(max_iter=1000)
            self.models_.append(model.fit(X[observed], column[observed].astype(int)))
        return self

    def predict(self, X):
        return np.column_stack([model.predict(X) for model in self.models_])


def missing_labels(seeds, full_label_runs):
    X, y, X_test, y_test = load("yeast")
    print(
        f"\n== missing labels: yeast, {MISSING_FRACTION:.0%} of the training label "
        f"cells hidden at random (NaN); micro-F1 on the test part; "
        f"{len(seeds)} seeds",
        flush=True,
    )
    routes = {name: [] for name in ["mtlearn, all rows with NaN", *DROP_ROWS_MODELS]}
    routes["per-label LogisticRegression on observed rows"] = []
    rows_left, errors = [], {}
    for seed in seeds:
        y_missing = hide_labels(y, MISSING_FRACTION, seed)
        routes["mtlearn, all rows with NaN"].append(
            evaluate(MODELS[MTLEARN](seed), X, y_missing, X_test, y_test)["micro_f1"]
        )
        routes["per-label LogisticRegression on observed rows"].append(
            evaluate(PerLabelLogisticRegression(), X, y_missing, X_test, y_test)[
                "micro_f1"
            ]
        )
        complete = ~np.isnan(y_missing).any(axis=1)
        rows_left.append(int(complete.sum()))
        for name, factory in DROP_ROWS_MODELS.items():
            try:
                score = evaluate(
                    factory(seed),
                    X[complete],
                    y_missing[complete].astype(int),
                    X_test,
                    y_test,
                )["micro_f1"]
            except ValueError as error:
                score = float("nan")
                errors.setdefault(name, str(error).splitlines()[0])
            routes[name].append(score)
    full = [run["micro_f1"] for run in full_label_runs]
    routes = {"mtlearn, full labels": full, **routes}
    full_mean = float(np.mean(full))

    print(
        f"rows without a missing label (the drop-rows route): {rows_left} "
        f"of {X.shape[0]}"
    )
    width = max(len(name) for name in routes) + 2
    print(f"{'route':<{width}}{'micro-F1':>19}{'gap to mtlearn full':>22}")
    summary = {}
    for name, scores in routes.items():
        failed = int(np.isnan(scores).sum())
        mean = float(np.nanmean(scores)) if failed < len(scores) else float("nan")
        std = float(np.nanstd(scores)) if failed < len(scores) else float("nan")
        summary[name] = {
            "micro_f1": scores,
            "mean": mean,
            "std": std,
            "gap_to_full": mean - full_mean,
            "failed_fits": failed,
        }
        note = f"  ({failed} of {len(scores)} fits failed)" if failed else ""
        print(
            f"{name:<{width}}{mean:>11.4f} ± {std:.4f}{mean - full_mean:>+22.4f}{note}"
        )
    for name, message in errors.items():
        print(f"  {name} failed: {message}")
    return {
        "fraction_hidden": MISSING_FRACTION,
        "rows_without_missing_label": rows_left,
        "routes": summary,
        "errors": errors,
    }


def check_targets(quality_results, missing):
    print("\n== targets")
    checks = []
    for name, key, op, target in TARGETS:
        value = quality_results[name]["models"][MTLEARN]["summary"][key]["mean"]
        ok = value >= target if op == ">=" else value <= target
        checks.append(
            {"check": f"{name} {key} {op} {target}", "value": value, "ok": ok}
        )
    routes = missing["routes"]
    gap = routes["mtlearn, all rows with NaN"]["gap_to_full"]
    checks.append(
        {
            "check": f"missing labels: gap to full-label fit >= -{MISSING_GAP_TARGET}",
            "value": gap,
            "ok": gap >= -MISSING_GAP_TARGET,
        }
    )
    ours = routes["mtlearn, all rows with NaN"]["mean"]
    for name in DROP_ROWS_MODELS:
        theirs = routes[name]["mean"]
        checks.append(
            {
                "check": f"missing labels: mtlearn better than {name}",
                "value": ours - theirs if np.isfinite(theirs) else None,
                "ok": bool(not np.isfinite(theirs) or ours > theirs),
            }
        )
    for check in checks:
        value = (
            "n/a, that route cannot be fitted"
            if check["value"] is None
            else f"{check['value']:.4f}"
        )
        print(f"  [{'ok' if check['ok'] else 'MISSED'}] {check['check']}: {value}")
    return checks


def finite_or_none(value):
    """``value`` with every NaN float replaced by None (null in JSON)."""
    if isinstance(value, dict):
        return {key: finite_or_none(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [finite_or_none(item) for item in value]
    if isinstance(value, float) and np.isnan(value):
        return None
    return value


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=5, help="seeds 0..N-1")
    parser.add_argument(
        "--json",
        type=Path,
        default=Path(__file__).resolve().parent / "results" / "quality.json",
        help="where to save the results (default: benchmarks/results/quality.json)",
    )
    args = parser.parse_args(argv)
    seeds = list(range(args.seeds))

    defaults = SharedRepresentationClassifier().get_params()
    average_decay = getattr(SharedRepresentationClassifier, "_average_decay", None)
    print(f"mtlearn {mtlearn.__version__}, scikit-learn {sklearn.__version__}")
    print(f"mtlearn defaults: {defaults}")
    if average_decay is not None:
        print(f"SharedRepresentationClassifier._average_decay = {average_decay}")

    tic = time.perf_counter()
    with warnings.catch_warnings():
        # max_iter reached by the scikit-learn baselines (or the network)
        warnings.simplefilter("ignore", ConvergenceWarning)
        quality_results = {name: quality(name, seeds) for name in DATASETS}
        missing = missing_labels(
            seeds, quality_results["yeast"]["models"][MTLEARN]["runs"]
        )
    checks = check_targets(quality_results, missing)
    total = time.perf_counter() - tic
    print(f"\ntotal time: {total:.0f} s")

    report = {
        "benchmark": "quality",
        "seeds": seeds,
        "mtlearn_version": mtlearn.__version__,
        "sklearn_version": sklearn.__version__,
        "numpy_version": np.__version__,
        "python": platform.python_version(),
        "machine": platform.platform(),
        "mtlearn_defaults": {key: repr(value) for key, value in defaults.items()},
        "mtlearn_average_decay": average_decay,
        "quality": quality_results,
        "missing_labels": missing,
        "targets": checks,
        "total_seconds": total,
    }
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(finite_or_none(report), indent=2, default=float))
    print(f"saved {args.json}")


if __name__ == "__main__":
    main()
