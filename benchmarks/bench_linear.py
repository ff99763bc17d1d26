"""mtlearn's multi-task linear models against scikit-learn, in one run.

1. l21 + squared loss against MultiTaskLasso on 1000 x 3000, 20 tasks, 30
   relevant features, alpha = alpha_max / 20: objective gap and fit time.
2. Logistic l21 on yeast against 14 separate LogisticRegression(lbfgs) fits,
   each with the relative objective gap it leaves (to its own tight solve).
3. micro-F1 on yeast, emotions and two generated sets (one with rare
   labels): MultiTaskLogisticRegressionCV ('l2', 'l21', 'trace'; alpha chosen
   by the validation log-loss or by micro-F1, the default) against
   MultiOutputClassifier(LogisticRegression()).
4. School: 10 random splits with 20% (then 75%) of each school's students for
   training; explained variance (1 - test MSE / test variance, pooled) of
   MultiTaskLinearRegressionCV('mean') with free intercepts and with
   intercept_alpha searched by the CV, against RidgeCV per school, pooled
   RidgeCV and pooled RidgeCV with a school one-hot.
5. The micro-F1 of part 3 on ``--splits`` random resplits of yeast and of
   emotions (the standard training and test parts pooled and split again
   into parts of the standard sizes, as ``bench_quality.py --resplit``):
   MultiTaskLogisticRegressionCV() with its defaults against
   MultiOutputClassifier(LogisticRegression()), paired over the splits. One
   test part of 202 rows (emotions) has a bootstrap standard error of about
   0.02 in micro-F1; the resplits average that noise out.

    python benchmarks/bench_linear.py [--json PATH] [--skip-speed] [--skip-f1]
                                      [--skip-school] [--skip-resplits]
                                      [--splits N] [--repeats N]
"""

import argparse
import json
import time
from pathlib import Path

import numpy as np
from scipy.special import log_expit
from sklearn.datasets import make_multilabel_classification
from sklearn.linear_model import LogisticRegression, MultiTaskLasso, RidgeCV
from sklearn.metrics import f1_score
from sklearn.multioutput import MultiOutputClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from mtlearn.datasets import load_emotions, load_school, load_yeast
from mtlearn.linear_model import (
    MultiTaskLinearRegression,
    MultiTaskLinearRegressionCV,
    MultiTaskLogisticRegression,
    MultiTaskLogisticRegressionCV,
)


def _timed(fit, repeats=1):
    """The fitted model and the best wall time of ``repeats`` runs."""
    best = np.inf
    for _ in range(repeats):
        start = time.perf_counter()
        model = fit()
        best = min(best, time.perf_counter() - start)
    return model, best


def lasso_part(repeats):
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
    sk, t_sk = _timed(lambda: MultiTaskLasso(alpha=alpha, tol=1e-4).fit(X, Y), repeats)
    tight = MultiTaskLasso(alpha=alpha, tol=1e-10, max_iter=100000).fit(X, Y)
    best = objective(tight.coef_, tight.intercept_)
    mt, t_mt = _timed(
        lambda: MultiTaskLinearRegression(alpha=alpha, tol=1e-4).fit(X, Y), repeats
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


def logistic_speed_part(repeats):
    X, Y, _, _ = _scaled(load_yeast)
    n, n_tasks = Y.shape
    C = 1.0
    alpha = 1 / (C * n)

    def gap(value, tight):
        return (value - tight) / tight

    def lr_objective(models):  # mean log-loss + ||w||^2 / (2 C n), per task
        total = 0.0
        for t, m in enumerate(models):
            z = X @ m.coef_[0] + m.intercept_[0]
            total += -np.mean(log_expit((2 * Y[:, t] - 1) * z))
            total += 0.5 * alpha * np.sum(m.coef_**2)
        return total

    def l21_objective(m):
        Z = X @ m.coef_.T + m.intercept_
        loss = -np.mean(log_expit((2 * Y - 1) * Z), axis=0).sum()
        return loss + alpha * np.linalg.norm(m.coef_, axis=0).sum()

    sk, t_sk = _timed(
        lambda: [
            LogisticRegression(C=C, max_iter=1000).fit(X, Y[:, t])
            for t in range(n_tasks)
        ],
        repeats,
    )
    sk_tight = [
        LogisticRegression(C=C, tol=1e-12, max_iter=10000).fit(X, Y[:, t])
        for t in range(n_tasks)
    ]
    mt, t_mt = _timed(
        lambda: MultiTaskLogisticRegression(penalty="l21", alpha=alpha).fit(X, Y),
        repeats,
    )
    loose, t_loose = _timed(
        lambda: MultiTaskLogisticRegression(penalty="l21", alpha=alpha, tol=1e-3).fit(
            X, Y
        ),
        repeats,
    )
    mt_tight = MultiTaskLogisticRegression(
        penalty="l21", alpha=alpha, tol=1e-10, max_iter=100000
    ).fit(X, Y)
    gap_sk = gap(lr_objective(sk), lr_objective(sk_tight))
    gap_mt = gap(l21_objective(mt), l21_objective(mt_tight))
    gap_loose = gap(l21_objective(loose), l21_objective(mt_tight))
    print(f"\n2. yeast, {n_tasks} tasks: logistic l21 (alpha=1/n) vs LR(lbfgs, C=1)")
    print(f"{'model':40s} {'time s':>8s} {'rel. objective gap':>20s}")
    print(f"{'sklearn 14 x LogisticRegression':40s} {t_sk:8.3f} {gap_sk:20.2e}")
    print(f"{'mtlearn l21 (tol=1e-4)':40s} {t_mt:8.3f} {gap_mt:20.2e}")
    print(f"{'mtlearn l21 (tol=1e-3)':40s} {t_loose:8.3f} {gap_loose:20.2e}")
    print(
        f"speed ratio mtlearn / sklearn: {t_mt / t_sk:.2f} at tol=1e-4 "
        f"({mt.n_iter_} iterations), {t_loose / t_sk:.2f} at tol=1e-3"
    )
    return {
        "sklearn": {"time": t_sk, "rel_gap": gap_sk},
        "mtlearn": {"time": t_mt, "rel_gap": gap_mt, "n_iter": mt.n_iter_},
        "mtlearn_tol_1e-3": {"time": t_loose, "rel_gap": gap_loose},
    }


def _generated(rare):
    """A generated multi-label set (1000 rows to train, 500 to test), scaled."""
    if rare:  # label rates 0.6% .. 10%
        X, Y = make_multilabel_classification(
            1500, 30, n_classes=15, n_labels=1, random_state=0
        )
    else:  # label rates 11% .. 25%
        X, Y = make_multilabel_classification(
            1500, 40, n_classes=12, n_labels=2, random_state=0
        )
    scaler = StandardScaler().fit(X[:1000])
    return scaler.transform(X[:1000]), Y[:1000], scaler.transform(X[1000:]), Y[1000:]


F1_DATA = {
    "yeast": lambda: _scaled(load_yeast),
    "emotions": lambda: _scaled(load_emotions),
    "generated": lambda: _generated(rare=False),
    "rare_labels": lambda: _generated(rare=True),
}


def f1_part():
    out = {}
    print("\n3. micro-F1 on the test part (scaled features)")
    for name, load in F1_DATA.items():
        X, Y, X_test, Y_test = load()
        models = {
            "MultiOutputClassifier(LogisticRegression())": MultiOutputClassifier(
                LogisticRegression(max_iter=1000)
            )
        }
        for penalty in ["l2", "l21", "trace"]:
            for by, scoring in [("log-loss", "log_loss"), ("micro-F1", None)]:
                models[f"MultiTaskLogisticRegressionCV({penalty}, by {by})"] = (
                    MultiTaskLogisticRegressionCV(penalty=penalty, scoring=scoring)
                )
        for model_name, model in models.items():
            model, seconds = _timed(lambda m=model, X=X, Y=Y: m.fit(X, Y))
            f1 = f1_score(Y_test, model.predict(X_test), average="micro")
            print(f"{name:11s} {model_name:45s} micro-F1 {f1:.4f}  fit {seconds:.1f} s")
            out[f"{name}/{model_name}"] = {"micro_f1": f1, "time": seconds}
    return out


def resplit_part(n_splits):
    """Part 5: the default CV model against per-label LogisticRegression on
    random resplits of the bundled sets (``bench_quality.load(...,
    resplit=True)``: test parts of the standard sizes), paired by split."""
    from bench_quality import load, paired_difference

    out = {}
    print(f"\n5. micro-F1 over {n_splits} random resplits (paired)")
    for name in ("yeast", "emotions"):
        scores = []
        for seed in range(n_splits):
            X, Y, X_test, Y_test = load(name, seed, resplit=True)
            pair = []
            for model in (
                MultiOutputClassifier(LogisticRegression(max_iter=1000)),
                MultiTaskLogisticRegressionCV(),
            ):
                model = make_pipeline(StandardScaler(), model).fit(X, Y)
                pair.append(
                    f1_score(Y_test, np.asarray(model.predict(X_test)), average="micro")
                )
            scores.append(pair)
        scores = np.array(scores)
        d = paired_difference(scores[:, 1], scores[:, 0])
        print(
            f"{name:9s} per-label LogisticRegression {scores[:, 0].mean():.4f}  "
            f"MultiTaskLogisticRegressionCV() {scores[:, 1].mean():.4f}  "
            f"difference {d['mean']:+.4f} (se {d['se']:.4f}, higher on "
            f"{d['higher']} of {n_splits})"
        )
        out[name] = {
            "logistic_regression": scores[:, 0].tolist(),
            "multitask_cv": scores[:, 1].tolist(),
            "difference": d,
        }
    return out


def _school_split(task, fraction, seed):
    """Per school, ``fraction`` of its students (at least one) for training."""
    rng = np.random.default_rng(seed)
    train = np.zeros(task.size, dtype=bool)
    for t in np.unique(task):
        rows = np.flatnonzero(task == t)
        size = max(1, int(round(fraction * rows.size)))
        train[rng.choice(rows, size, replace=False)] = True
    return np.flatnonzero(train), np.flatnonzero(~train)


def school_part(n_splits):
    data = load_school()
    X = np.asarray(data.data, dtype=np.float64)
    Y = np.asarray(data.target, dtype=np.float64)
    task = np.asarray(data.task)
    y = Y[np.arange(len(Y)), task]  # each student's own school's score
    n_tasks = Y.shape[1]
    onehot = np.eye(n_tasks)[task]
    ridge_alphas = np.logspace(-3, 3, 13)

    def explained(pred, rows):
        return 1.0 - np.mean((y[rows] - pred) ** 2) / np.var(y[rows])

    def per_school(train, test):
        pred = np.empty(test.size)
        for t in range(n_tasks):
            fit_rows, out_rows = train[task[train] == t], task[test] == t
            if fit_rows.size > 1:
                model = RidgeCV(alphas=ridge_alphas).fit(X[fit_rows], y[fit_rows])
                pred[out_rows] = model.predict(X[test[out_rows]])
            else:
                pred[out_rows] = y[fit_rows].mean()
        return pred

    def pooled(features):
        def predict(train, test):
            model = RidgeCV(alphas=ridge_alphas).fit(features[train], y[train])
            return model.predict(features[test])

        return predict

    def multitask(intercept_alpha):
        def predict(train, test):
            model = make_pipeline(
                StandardScaler(),
                MultiTaskLinearRegressionCV(
                    penalty="mean", intercept_alpha=intercept_alpha
                ),
            ).fit(X[train], Y[train])
            chosen[str(intercept_alpha)].append(model[-1].intercept_alpha_)
            return model.predict(X[test])[np.arange(test.size), task[test]]

        return predict

    grid = [0.1, 0.3, 1.0, 3.0]
    models = {
        "sklearn RidgeCV per school": per_school,
        "sklearn RidgeCV pooled": pooled(X),
        "sklearn RidgeCV pooled + school one-hot": pooled(np.hstack([X, onehot])),
        "mtlearn 'mean', free intercepts": multitask(0.0),
        f"mtlearn 'mean', intercept_alpha CV in {grid}": multitask(grid),
    }
    out = {}
    print(f"\n4. School ({n_tasks} schools), {n_splits} random splits per fraction")
    for fraction in [0.2, 0.75]:
        chosen = {"0.0": [], str(grid): []}
        scores = {name: [] for name in models}
        times = {name: 0.0 for name in models}
        for seed in range(n_splits):
            train, test = _school_split(task, fraction, seed)
            for name, predict in models.items():
                pred, seconds = _timed(lambda p=predict, a=train, b=test: p(a, b))
                scores[name].append(explained(pred, test))
                times[name] += seconds
        print(f"training fraction {fraction:.0%}: explained variance, mean ± std")
        for name, values in scores.items():
            mean, std = 100 * np.mean(values), 100 * np.std(values)
            seconds = times[name] / n_splits
            print(f"  {name:55s} {mean:6.2f}% ± {std:4.2f}  ({seconds:.1f} s/split)")
            out[f"{fraction}/{name}"] = {"mean": mean, "std": std, "time": seconds}
        print(f"  intercept_alpha chosen: {chosen[str(grid)]}")
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--json", default="benchmarks/results/linear.json")
    parser.add_argument("--skip-speed", action="store_true", help="parts 1-2")
    parser.add_argument("--skip-f1", action="store_true")
    parser.add_argument("--skip-school", action="store_true")
    parser.add_argument("--skip-resplits", action="store_true")
    parser.add_argument("--splits", type=int, default=10)
    parser.add_argument(
        "--repeats", type=int, default=5, help="best of N timings in parts 1-2"
    )
    args = parser.parse_args()
    results = {}
    if not args.skip_speed:
        results["lasso"] = lasso_part(args.repeats)
        results["logistic_speed"] = logistic_speed_part(args.repeats)
    if not args.skip_f1:
        results["micro_f1"] = f1_part()
    if not args.skip_school:
        results["school"] = school_part(args.splits)
    if not args.skip_resplits:
        results["resplits"] = resplit_part(args.splits)
    Path(args.json).parent.mkdir(parents=True, exist_ok=True)
    Path(args.json).write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
