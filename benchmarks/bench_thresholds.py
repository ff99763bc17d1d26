"""Decision thresholds: 0.5, always tuned, and tuned under the gain rule.

For each data set (yeast and emotions on their standard train/test splits,
and a generated set with rare labels: ``make_multilabel_classification(1500,
30, n_classes=15, n_labels=1, random_state=0)``, the first 1000 rows for
training, the rest for testing; its label rates run from about 0.5% to 15%)
and each base estimator behind a ``StandardScaler`` (the network with its
defaults, ``MultiTaskLogisticRegression()``, and
``RandomForestClassifier(100)``), one
``MultiTaskThresholdClassifier(base, scoring=SCORING, cv=5,
random_state=seed)`` is fitted per seed (the seed also seeds the network and
the forest). Its one fit gives the three rules compared, on the same models:

- ``0.5``: every binary task predicted by ``probability >= 0.5`` (the refit
  estimator's own rule: the default model);
- ``tuned``: the thresholds tuned on the pooled out-of-fold rows
  (``tuned_thresholds_``; what the classifier did before the gain rule);
- ``rule``: ``predict``, the tuned thresholds kept only where the gain rule
  (``n_standard_errors=1``) kept them.

Prints the test micro-F1 and macro-F1 (mean ± std over seeds), the per-seed
difference to ``0.5``, how often the rule abstained, and checks the targets:
the rule never lowers the mean micro-F1 by more than 0.002, and yeast's
gain with the network is at least +0.015. Saves JSON.

    python benchmarks/bench_thresholds.py [--seeds 5] [--data yeast,...]
        [--bases network,logistic,forest] [--scoring micro_f1] [--json PATH]
"""

import argparse
import json
import platform
import time
from pathlib import Path

import numpy as np
import sklearn
from sklearn.datasets import make_multilabel_classification
from sklearn.ensemble import RandomForestClassifier
from sklearn.metrics import f1_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import mtlearn
from mtlearn.datasets import load_emotions, load_yeast
from mtlearn.linear_model import MultiTaskLogisticRegression
from mtlearn.model_selection import MultiTaskThresholdClassifier
from mtlearn.neural_network import SharedRepresentationClassifier

RULES = ("0.5", "tuned", "rule")
MAX_LOSS = 0.002  # the rule may not lower the mean micro-F1 by more
YEAST_GAIN = 0.015  # the rule keeps at least this gain on yeast (network)


def _standard(loader):
    def load():
        X, y = loader(subset="train", return_X_y=True)
        X_test, y_test = loader(subset="test", return_X_y=True)
        return X, np.asarray(y), X_test, np.asarray(y_test)

    return load


def _rare_labels():
    X, Y = make_multilabel_classification(
        1500, 30, n_classes=15, n_labels=1, random_state=0
    )
    return X[:1000], Y[:1000], X[1000:], Y[1000:]


DATA = {
    "yeast": _standard(load_yeast),
    "emotions": _standard(load_emotions),
    "rare_labels": _rare_labels,
}

BASES = {
    "network": lambda seed: SharedRepresentationClassifier(random_state=seed),
    "logistic": lambda seed: MultiTaskLogisticRegression(),
    "forest": lambda seed: RandomForestClassifier(100, random_state=seed),
}


def predictions(clf, X_test):
    """Test predictions of the three rules from one fitted classifier."""
    rule = np.asarray(clf.predict(X_test))
    probas = clf.predict_proba(X_test)
    probas = probas if isinstance(probas, list) else [probas]
    out = {"rule": rule}
    for name, thresholds in [("0.5", 0.5), ("tuned", clf.tuned_thresholds_)]:
        pred = rule.copy()
        for t, proba in enumerate(probas):
            threshold = np.broadcast_to(thresholds, (clf.n_tasks_,))[t]
            if np.isfinite(clf.best_thresholds_[t]) and np.isfinite(threshold):
                pred[:, t] = proba[:, 1] >= threshold
        out[name] = pred
    return out


def run_one(data, base, seed, scoring):
    X, y, X_test, y_test = data
    clf = MultiTaskThresholdClassifier(
        make_pipeline(StandardScaler(), BASES[base](seed)),
        scoring=scoring,
        cv=5,
        random_state=seed,
    )
    tic = time.perf_counter()
    clf.fit(X, y)
    seconds = time.perf_counter() - tic
    result = {"fit_seconds": seconds}
    for name, pred in predictions(clf, X_test).items():
        result[name] = {
            "micro_f1": f1_score(y_test, pred, average="micro"),
            "macro_f1": f1_score(y_test, pred, average="macro", zero_division=0),
        }
    result["abstained"] = int(clf.abstained_.sum())
    result["tuned_tasks"] = int(np.isfinite(clf.tuned_thresholds_).sum())
    result["gain"] = float(np.nanmean(clf.threshold_gain_))
    result["gain_se"] = float(np.nanmean(clf.threshold_gain_se_))
    return result


def summarize(runs):
    out = {}
    for rule in RULES:
        out[rule] = {}
        for metric in ("micro_f1", "macro_f1"):
            values = np.array([run[rule][metric] for run in runs])
            base = np.array([run["0.5"][metric] for run in runs])
            out[rule][metric] = {
                "mean": float(values.mean()),
                "std": float(values.std()),
                "diff_mean": float((values - base).mean()),
                "diff_std": float((values - base).std()),
            }
    out["abstained_fraction"] = float(
        sum(run["abstained"] for run in runs)
        / max(1, sum(run["tuned_tasks"] for run in runs))
    )
    out["fit_seconds"] = float(np.mean([run["fit_seconds"] for run in runs]))
    return out


def print_table(summary, n_seeds, scoring):
    print(
        f"\nscoring={scoring!r}: test micro-F1 and macro-F1, mean ± std over "
        f"{n_seeds} seeds; Δ = per-seed difference to 0.5 (mean)"
    )
    header = f"{'data':<12} {'base':<9}" + "".join(
        f" {rule + ' micro':>17} {'Δ':>7}" for rule in RULES
    )
    header += f" {'rule macro Δ':>12} {'abstained':>9} {'fit s':>6}"
    print(header)
    print("-" * len(header))
    for (data, base), stats in summary.items():
        cells = "".join(
            f" {stats[r]['micro_f1']['mean']:>9.4f} ± {stats[r]['micro_f1']['std']:.3f}"
            f" {stats[r]['micro_f1']['diff_mean']:>+7.4f}"
            for r in RULES
        )
        print(
            f"{data:<12} {base:<9}{cells}"
            f" {stats['rule']['macro_f1']['diff_mean']:>+12.4f}"
            f" {stats['abstained_fraction']:>9.2f} {stats['fit_seconds']:>6.1f}"
        )


def check_targets(summary):
    ok = True
    for (data, base), stats in summary.items():
        loss = stats["rule"]["micro_f1"]["diff_mean"]
        if loss < -MAX_LOSS:
            ok = False
            print(f"MISSED: {data}/{base}: the rule lowers micro-F1 by {-loss:.4f}")
    if ("yeast", "network") in summary:
        gain = summary["yeast", "network"]["rule"]["micro_f1"]["diff_mean"]
        if gain < YEAST_GAIN:
            ok = False
            print(f"MISSED: yeast/network gain {gain:+.4f} < +{YEAST_GAIN}")
    print("targets met" if ok else "some targets missed")
    return ok


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--data", default=",".join(DATA))
    parser.add_argument("--bases", default=",".join(BASES))
    parser.add_argument("--scoring", default="micro_f1")
    parser.add_argument(
        "--json", type=Path, default=Path("benchmarks/results/thresholds.json")
    )
    args = parser.parse_args()
    datasets, bases = args.data.split(","), args.bases.split(",")

    runs, summary = {}, {}
    for data_name in datasets:
        data = DATA[data_name]()
        rates = data[1].mean(axis=0)
        print(
            f"{data_name}: {data[0].shape[0]} train, {data[2].shape[0]} test, "
            f"{data[1].shape[1]} labels, positive rate {rates.min():.3f} .. "
            f"{rates.max():.3f}",
            flush=True,
        )
        for base in bases:
            key = f"{data_name}/{base}"
            runs[key] = []
            for seed in range(args.seeds):
                run = run_one(data, base, seed, args.scoring)
                runs[key].append(run)
                print(
                    f"  {base:<9} seed {seed}  micro-F1 "
                    + "  ".join(f"{r} {run[r]['micro_f1']:.4f}" for r in RULES)
                    + f"  abstained {run['abstained']}/{run['tuned_tasks']}"
                    f"  gain {run['gain']:+.4f} ± {run['gain_se']:.4f}"
                    f"  {run['fit_seconds']:.1f} s",
                    flush=True,
                )
            summary[data_name, base] = summarize(runs[key])
    print_table(summary, args.seeds, args.scoring)
    met = check_targets(summary)

    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(
        json.dumps(
            {
                "benchmark": "thresholds",
                "scoring": args.scoring,
                "seeds": args.seeds,
                "runs": runs,
                "summary": {f"{d}/{b}": s for (d, b), s in summary.items()},
                "targets_met": met,
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
