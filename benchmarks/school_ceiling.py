"""How high can the mean-coupled model go on School? An oracle, not a result.

For each split of ``bench_linear.py``'s School part, fits
``MultiTaskLinearRegression(penalty="mean")`` over a grid of ``alpha`` x
``intercept_alpha`` and keeps, per training fraction, the grid point with the
best mean test explained variance over the splits: the strengths tuned on the
test set. It bounds what any choice of the two strengths (by cross-validation
or otherwise) can reach with this model class on these splits.

    python benchmarks/school_ceiling.py [--splits N]
"""

import argparse
import itertools

import numpy as np
from bench_linear import _school_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from mtlearn.datasets import load_school
from mtlearn.linear_model import MultiTaskLinearRegression


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--splits", type=int, default=10)
    args = parser.parse_args()
    data = load_school()
    X = np.asarray(data.data, dtype=np.float64)
    Y = np.asarray(data.target, dtype=np.float64)
    task = np.asarray(data.task)
    y = Y[np.arange(len(Y)), task]
    alphas = [0.3, 1.0, 3.0, 10.0, 30.0, 100.0, 300.0, 1000.0]
    intercept_alphas = [0.0, 0.1, 0.3, 1.0, 3.0, 10.0]
    for fraction in [0.2, 0.75]:
        scores = {}
        for seed in range(args.splits):
            train, test = _school_split(task, fraction, seed)
            for alpha, intercept_alpha in itertools.product(alphas, intercept_alphas):
                model = make_pipeline(
                    StandardScaler(),
                    MultiTaskLinearRegression(
                        penalty="mean", alpha=alpha, intercept_alpha=intercept_alpha
                    ),
                ).fit(X[train], Y[train])
                pred = model.predict(X[test])[np.arange(test.size), task[test]]
                explained = 1 - np.mean((y[test] - pred) ** 2) / np.var(y[test])
                scores.setdefault((alpha, intercept_alpha), []).append(explained)
        best = max(scores, key=lambda key: np.mean(scores[key]))
        print(
            f"{fraction:.0%}: best on the test set alpha={best[0]:g}, "
            f"intercept_alpha={best[1]:g}: "
            f"{100 * np.mean(scores[best]):.2f}% explained variance"
        )


if __name__ == "__main__":
    main()
