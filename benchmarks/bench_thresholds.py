"""Per-task decision thresholds on yeast: 0.5 against tuned thresholds.

On the standard train/test split of yeast (14 binary labels), the network
with its defaults behind a ``StandardScaler`` predicts each label by
``probability >= 0.5``; the same pipeline wrapped in
``MultiTaskThresholdClassifier(scoring=..., cv=5)`` predicts each label with
the threshold tuned on 5-fold out-of-fold probabilities of the training
part, then refits on the whole training part: ``scoring="f1"`` maximises each
label's own F1, ``scoring="micro_f1"`` the F1 of all labels pooled.
For each seed (the network's ``random_state`` and the folds'), both are
fitted and scored on the test part: micro-F1, macro-F1, Hamming loss, and
the fit time (the tuned model costs 5 fits plus the refit). Prints the mean
± standard deviation over seeds, the difference tuned - default, and saves
JSON.

    python benchmarks/bench_thresholds.py [--seeds 3] [--json PATH]
"""

import argparse
import json
import platform
import time
from pathlib import Path

import numpy as np
import sklearn
from sklearn.metrics import f1_score, hamming_loss
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import mtlearn
from mtlearn.datasets import load_yeast
from mtlearn.model_selection import MultiTaskThresholdClassifier
from mtlearn.neural_network import SharedRepresentationClassifier

DEFAULT = "threshold 0.5 (network defaults)"
TUNED = {
    scoring: f"MultiTaskThresholdClassifier({scoring}, cv=5)"
    for scoring in ("f1", "micro_f1")
}

# (metric, higher is better)
METRICS = {
    "micro_f1": ("micro-F1", True),
    "macro_f1": ("macro-F1", True),
    "hamming_loss": ("Hamming", False),
    "fit_seconds": ("fit s", False),
}


def network(seed):
    return make_pipeline(
        StandardScaler(), SharedRepresentationClassifier(random_state=seed)
    )


def tuned(scoring):
    return lambda seed: MultiTaskThresholdClassifier(
        network(seed), scoring=scoring, cv=5, random_state=seed
    )


MODELS = {DEFAULT: network} | {name: tuned(sc) for sc, name in TUNED.items()}


def evaluate(model, X, y, X_test, y_test):
    """Fit ``model``; its test metrics, fit time and tuned thresholds."""
    tic = time.perf_counter()
    model.fit(X, y)
    fit_seconds = time.perf_counter() - tic
    y_pred = np.asarray(model.predict(X_test))
    result = {
        "micro_f1": f1_score(y_test, y_pred, average="micro"),
        "macro_f1": f1_score(y_test, y_pred, average="macro", zero_division=0),
        "hamming_loss": hamming_loss(y_test, y_pred),
        "fit_seconds": fit_seconds,
    }
    if isinstance(model, MultiTaskThresholdClassifier):
        result["thresholds"] = model.best_thresholds_.tolist()
    return result


def summarize(runs):
    return {
        key: {
            "mean": float(np.mean([run[key] for run in runs])),
            "std": float(np.std([run[key] for run in runs])),
        }
        for key in METRICS
    }


def print_table(summary, n_seeds):
    width = max(len(name) for name in summary)
    header = f"{'model':<{width}}" + "".join(
        f"  {label:>15}" for label, _ in METRICS.values()
    )
    print(f"yeast, test part, mean ± std over {n_seeds} seeds")
    print(header)
    print("-" * len(header))
    for name, stats in summary.items():
        cells = "".join(
            f"  {stats[key]['mean']:>7.4f} ± {stats[key]['std']:<5.3f}"
            for key in METRICS
        )
        print(f"{name:<{width}}{cells}")


def differences(runs, name):
    print(f"\n{name} - default (per-seed differences, mean ± std):")
    out = {}
    for key, (label, higher) in METRICS.items():
        diff = np.array([t[key] - d[key] for d, t in zip(runs[DEFAULT], runs[name])])
        out[key] = {"mean": float(diff.mean()), "std": float(diff.std())}
        better = (diff.mean() > 0) == higher
        print(
            f"  {label:<9} {diff.mean():>+8.4f} ± {diff.std():.4f}"
            f"  ({'better' if better else 'worse'} when tuned)"
        )
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument(
        "--json", type=Path, default=Path("benchmarks/results/thresholds.json")
    )
    args = parser.parse_args()

    X, y = load_yeast(subset="train", return_X_y=True)
    X_test, y_test = load_yeast(subset="test", return_X_y=True)
    y, y_test = np.asarray(y), np.asarray(y_test)
    print(
        f"yeast: {X.shape[0]} train, {X_test.shape[0]} test, {y.shape[1]} labels; "
        f"positive rate per label {y.mean(axis=0).min():.3f} .. "
        f"{y.mean(axis=0).max():.3f}"
    )

    runs = {name: [] for name in MODELS}
    for seed in range(args.seeds):
        for name, make in MODELS.items():
            runs[name].append(evaluate(make(seed), X, y, X_test, y_test))
            run = runs[name][-1]
            print(
                f"seed {seed}  {name:<{max(map(len, MODELS))}}  "
                f"micro-F1 {run['micro_f1']:.4f}  macro-F1 {run['macro_f1']:.4f}  "
                f"Hamming {run['hamming_loss']:.4f}  {run['fit_seconds']:.1f} s",
                flush=True,
            )
    print()
    summary = {name: summarize(model_runs) for name, model_runs in runs.items()}
    print_table(summary, args.seeds)
    diff = {name: differences(runs, name) for name in TUNED.values()}
    for name in TUNED.values():
        thresholds = np.array([run["thresholds"] for run in runs[name]])
        print(
            f"\n{name}: thresholds per label (mean over seeds): "
            + " ".join(f"{v:.2f}" for v in thresholds.mean(axis=0))
        )

    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(
        json.dumps(
            {
                "benchmark": "thresholds",
                "data": "yeast (standard train/test split)",
                "models": {
                    DEFAULT: "make_pipeline(StandardScaler(), "
                    "SharedRepresentationClassifier(random_state=seed))",
                }
                | {
                    name: f"MultiTaskThresholdClassifier(<the same>, "
                    f"scoring={scoring!r}, cv=5, random_state=seed)"
                    for scoring, name in TUNED.items()
                },
                "seeds": args.seeds,
                "runs": runs,
                "summary": summary,
                "tuned_minus_default": diff,
                "versions": {
                    "mtlearn": mtlearn.__version__,
                    "scikit-learn": sklearn.__version__,
                    "numpy": np.__version__,
                    "python": platform.python_version(),
                },
                "machine": platform.platform(),
            },
            indent=2,
        )
    )
    print(f"saved {args.json}")


if __name__ == "__main__":
    main()
