"""How evenly multi-label splitters spread each label over the test folds.

On yeast (all 2417 rows, 14 binary labels), for each seed, ``k`` test folds
(``--n-splits``, default 5) from each splitter:

- ``KFold(k, shuffle=True)``: the scikit-learn anchor, blind to the labels;
- ``MultilabelStratifiedKFold(k, shuffle=True)`` (mtlearn);
- ``MultilabelStratifiedShuffleSplit(k, test_size=1/k)`` (mtlearn); its test
  sets are drawn independently and may overlap, so its spread is that of
  ``k`` separate stratified draws, not of one partition;
- ``iterstrat``'s ``MultilabelStratifiedKFold(k, shuffle=True)``, if the
  ``iterative-stratification`` package is installed (it is not a dependency).

For each label, the standard deviation across the ``k`` test folds of the
label's positive proportion in the fold; reported as the mean over labels
(then over seeds) and the max over labels and seeds. Also the number of
(fold, label) pairs whose test fold holds no positive of the label (per
seed, mean over seeds), the spread of the test-fold sizes, and the seconds
taken by ``list(cv.split(X, y))`` (median over seeds). Prints a table and
each splitter's mean spread relative to KFold's, and saves JSON.

    python benchmarks/bench_stratification.py [--seeds 10] [--n-splits 5]
        [--json PATH]
"""

import argparse
import json
import platform
import time
from pathlib import Path

import numpy as np
import sklearn
from sklearn.model_selection import KFold

import mtlearn
from mtlearn.datasets import load_yeast
from mtlearn.model_selection import (
    MultilabelStratifiedKFold,
    MultilabelStratifiedShuffleSplit,
)

ANCHOR = "sklearn KFold(shuffle=True)"


def splitters(n_splits):
    """Name -> factory taking the seed and returning a splitter."""
    test_size = 1 / n_splits
    out = {
        ANCHOR: lambda seed: KFold(n_splits, shuffle=True, random_state=seed),
        "mtlearn MultilabelStratifiedKFold(shuffle=True)": lambda seed: (
            MultilabelStratifiedKFold(n_splits, shuffle=True, random_state=seed)
        ),
    }
    name = f"mtlearn MultilabelStratifiedShuffleSplit(test_size={test_size:.2g})"
    out[name] = lambda seed: MultilabelStratifiedShuffleSplit(
        n_splits, test_size=test_size, random_state=seed
    )
    try:
        from iterstrat.ml_stratifiers import (
            MultilabelStratifiedKFold as IterstratKFold,
        )
    except ImportError:
        print("iterative-stratification (iterstrat) is not installed: skipping it.\n")
    else:
        out["iterstrat MultilabelStratifiedKFold(shuffle=True)"] = lambda seed: (
            IterstratKFold(n_splits=n_splits, shuffle=True, random_state=seed)
        )
    return out


def measure(cv, X, y):
    start = time.perf_counter()
    splits = list(cv.split(X, y))
    seconds = time.perf_counter() - start
    tests = [test for _, test in splits]
    proportions = np.array([y[test].mean(axis=0) for test in tests])
    positives = np.array([y[test].sum(axis=0) for test in tests])
    sizes = [test.shape[0] for test in tests]
    return {
        "label_std": proportions.std(axis=0),  # per label, across folds
        "zero_positive_pairs": int((positives == 0).sum()),
        "size_range": max(sizes) - min(sizes),
        "seconds": seconds,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--n-splits", type=int, default=5)
    parser.add_argument(
        "--json", default="benchmarks/results/stratification.json", type=Path
    )
    args = parser.parse_args()

    X, y = load_yeast(subset="all", return_X_y=True)
    print(
        f"yeast: {X.shape[0]} rows, {y.shape[1]} labels (positive rates "
        f"{y.mean(axis=0).min():.3f} to {y.mean(axis=0).max():.3f}); "
        f"{args.n_splits} test folds per split, seeds 0..{args.seeds - 1}\n"
    )

    results = {}
    for name, factory in splitters(args.n_splits).items():
        runs = [measure(factory(seed), X, y) for seed in range(args.seeds)]
        stds = np.array([run["label_std"] for run in runs])  # (seeds, labels)
        results[name] = {
            "mean_label_std": float(stds.mean()),
            "max_label_std": float(stds.max()),
            "per_label_std": stds.mean(axis=0).tolist(),
            "zero_positive_pairs": float(
                np.mean([run["zero_positive_pairs"] for run in runs])
            ),
            "max_fold_size_range": int(max(run["size_range"] for run in runs)),
            "seconds": float(np.median([run["seconds"] for run in runs])),
        }

    anchor = results[ANCHOR]["mean_label_std"]
    width = max(map(len, results))
    header = (
        f"{'splitter':<{width}}  {'mean std':>9}  {'max std':>8}  "
        f"{'zero pos':>8}  {'size rng':>8}  {'seconds':>8}  {'/ KFold':>7}"
    )
    print(header)
    print("-" * len(header))
    for name, r in results.items():
        r["ratio_to_kfold"] = r["mean_label_std"] / anchor
        print(
            f"{name:<{width}}  {r['mean_label_std']:>9.5f}  "
            f"{r['max_label_std']:>8.5f}  {r['zero_positive_pairs']:>8.1f}  "
            f"{r['max_fold_size_range']:>8d}  {r['seconds']:>8.4f}  "
            f"{r['ratio_to_kfold']:>7.3f}"
        )
    print(
        "\nmean std: std across test folds of a label's positive proportion, "
        "mean over labels and seeds; max std: max over labels and seeds; "
        "zero pos: (fold, label) pairs with no positive in the test fold, "
        "mean per seed; size rng: largest test-fold size minus smallest; "
        "seconds: median time of list(cv.split(X, y)); / KFold: mean std "
        "relative to KFold's."
    )

    args.json.parent.mkdir(parents=True, exist_ok=True)
    payload = {
        "benchmark": "stratification",
        "dataset": "yeast (subset='all')",
        "n_splits": args.n_splits,
        "seeds": args.seeds,
        "versions": {
            "mtlearn": mtlearn.__version__,
            "scikit-learn": sklearn.__version__,
            "numpy": np.__version__,
            "python": platform.python_version(),
        },
        "results": results,
    }
    args.json.write_text(json.dumps(payload, indent=2) + "\n")
    print(f"\nsaved {args.json}")


if __name__ == "__main__":
    main()
