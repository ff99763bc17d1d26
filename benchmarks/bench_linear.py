"""mtlearn's multi-task linear models against scikit-learn, in one run.

1. l21 + squared loss against MultiTaskLasso on 1000 x 3000, 20 tasks, 30
   relevant features, alpha = alpha_max / 20: objective gap and fit time.
2. Logistic l21 on yeast against 14 separate LogisticRegression(lbfgs) fits.
3. yeast and emotions micro-F1: MultiTaskLogisticRegressionCV ('l21',
   'trace') against MultiOutputClassifier(LogisticRegression()).

    python benchmarks/bench_linear.py [--json PATH] [--skip-f1]
"""

import argparse
import json
import time
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression, MultiTaskLasso
from sklearn.metrics import f1_score
from sklearn.multioutput import MultiOutputClassifier
from sklearn.preprocessing import StandardScaler

from mtlearn.datasets import load_emotions, load_yeast
from mtlearn.linear_model import (
    MultiTaskLinearRegression,
    MultiTaskLogisticRegression,
    MultiTaskLogisticRegressionCV,
)


def _timed(fit):
    start = time.perf_counter()
    model = fit()
    return model, time.perf_counter() - start


def lasso_part():
    rng = np.random.default_rng(0)
    n, p, T = 1000, 3000, 20
    X = rng.normal(size=(n, p))
    W = np.zeros((p, T))
    W[:30] = rng.normal(size=(30, T))
    Y = X @ W + rng.normal(size=(n, T))
    Xc, Yc = X - X.mean(axis=0), Y - Y.mean(axis=0)
    alpha = np.linalg.norm(Xc.T @ Yc, axis=1).max() / n / 20

    def objective(coef, intercept):
        R = Y - X @ coef.T - intercept
        return 0.5 * np.sum(R**2) / n + alpha * np.linalg.norm(coef, axis=0).sum()

    rows = {}
    sk, t_sk = _timed(lambda: MultiTaskLasso(alpha=alpha, tol=1e-4).fit(X, Y))
    tight = MultiTaskLasso(alpha=alpha, tol=1e-10, max_iter=100000).fit(X, Y)
    best = objective(tight.coef_, tight.intercept_)
    mt, t_mt = _timed(
        lambda: MultiTaskLinearRegression(alpha=alpha, tol=1e-4).fit(X, Y)
    )
    rows["sklearn MultiTaskLasso (tol=1e-4)"] = (
        t_sk,
        objective(sk.coef_, sk.intercept_),
    )
    rows["mtlearn l21 (tol=1e-4)"] = (t_mt, objective(mt.coef_, mt.intercept_))
    print(f"\n1. MultiTaskLasso problem, alpha = alpha_max/20 = {alpha:.4g}")
    print(f"{'model':40s} {'time s':>8s} {'rel. objective gap':>20s}")
    for name, (seconds, value) in rows.items():
        print(f"{name:40s} {seconds:8.3f} {(value - best) / best:20.2e}")
    print(f"speed ratio mtlearn / sklearn: {t_mt / t_sk:.2f}")
    return {k: {"time": v[0], "rel_gap": (v[1] - best) / best} for k, v in rows.items()}


def _scaled(loader):
    X_train, Y_train = loader(subset="train", return_X_y=True)
    X_test, Y_test = loader(subset="test", return_X_y=True)
    scaler = StandardScaler().fit(X_train)
    return scaler.transform(X_train), Y_train, scaler.transform(X_test), Y_test


def logistic_speed_part():
    X, Y, _, _ = _scaled(load_yeast)
    C = 1.0
    alpha = 1 / (C * len(X))
    sk, t_sk = _timed(
        lambda: [
            LogisticRegression(C=C, max_iter=1000).fit(X, Y[:, t])
            for t in range(Y.shape[1])
        ]
    )
    mt, t_mt = _timed(
        lambda: MultiTaskLogisticRegression(penalty="l21", alpha=alpha).fit(X, Y)
    )
    print(f"\n2. yeast, {Y.shape[1]} tasks: logistic l21 (alpha=1/n) vs LR(lbfgs)")
    print(f"sklearn 14 x LogisticRegression: {t_sk:.3f} s")
    print(
        f"mtlearn l21: {t_mt:.3f} s ({mt.n_iter_} iterations); ratio {t_mt / t_sk:.2f}"
    )
    return {"sklearn": t_sk, "mtlearn": t_mt}


def f1_part():
    out = {}
    print("\n3. micro-F1 on the test part (scaled features)")
    for name, loader in [("yeast", load_yeast), ("emotions", load_emotions)]:
        X, Y, X_test, Y_test = _scaled(loader)
        models = {
            "MultiOutputClassifier(LogisticRegression())": MultiOutputClassifier(
                LogisticRegression(max_iter=1000)
            ),
            "MultiTaskLogisticRegressionCV(l21)": MultiTaskLogisticRegressionCV(
                penalty="l21", alphas=10, eps=1e-2
            ),
            "MultiTaskLogisticRegressionCV(trace)": MultiTaskLogisticRegressionCV(
                penalty="trace", alphas=10, eps=1e-2
            ),
        }
        for model_name, model in models.items():
            model, seconds = _timed(lambda m=model, X=X, Y=Y: m.fit(X, Y))
            f1 = f1_score(Y_test, model.predict(X_test), average="micro")
            print(f"{name:9s} {model_name:45s} micro-F1 {f1:.3f}  fit {seconds:.1f} s")
            out[f"{name}/{model_name}"] = {"micro_f1": f1, "time": seconds}
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--json", default="benchmarks/results/linear.json")
    parser.add_argument("--skip-f1", action="store_true")
    args = parser.parse_args()
    results = {"lasso": lasso_part(), "logistic_speed": logistic_speed_part()}
    if not args.skip_f1:
        results["micro_f1"] = f1_part()
    Path(args.json).parent.mkdir(parents=True, exist_ok=True)
    Path(args.json).write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
