"""Task graphs: does mtlearn recover the true task clusters, and from how many rows?

Parts (each one function; ``--parts`` picks them):

``recovery``
    Data: ``make_multitask_regression(n_tasks=20, n_groups=4, ...)``: 4
    groups of 5 linear tasks sharing ``X`` (40 standard normal features, 30
    informative). Within a group the tasks' weight vectors have expected
    correlation ``relatedness`` (0.7); across groups they are independent.
    The noise (standard deviation 5.5 against a signal of variance 30) puts
    the signal-to-noise ratio near 1, so that recovery takes data. The
    groups must be there to be found: the ``oracle`` row clusters the true
    weights. With 10 informative features, or ``relatedness=0.5``, random
    weight correlations blur the groups themselves (oracle ARI 0.7 to 0.9
    on some seeds: a within-group pair can have correlation near 0), and
    no method could be judged against the truth; with 30 informative
    features and 0.7 the oracle ARI is 1 on nearly every seed.
    For each number of training rows ``n`` and seed, each method below gives
    20 cluster labels, scored by the adjusted Rand index (ARI) against the
    true groups:

    - ``targets: correlation``: ``graph_from_targets(y)`` (missing-aware
      Pearson correlation, shrunk by ``n_shared / (n_shared + 10)``,
      negative values clipped), clustered by ``task_clusters(graph, 4)``
      (spectral clustering);
    - ``targets: auto (k=5)``: ``estimate_task_graph(y, "auto")`` (the same,
      sparsified to each task's 5 nearest tasks), clustered the same way;
    - ``targets 30% missing: correlation``: as the first, with 30% of the
      target cells hidden (NaN; same X and observed values);
    - ``coefficients: RidgeCV, cosine``: one ridge per task (``RidgeCV`` with
      its own alpha per task, ``alpha_per_target=True``), the cosine
      similarity of the coefficient vectors (``graph_from_coefficients``),
      clustered the same way;
    - ``learned: penalty='cluster'``: ``MultiTaskLinearRegressionCV(
      penalty="cluster", n_task_clusters=4)`` (convex clustered MTL, alpha by
      3-fold CV on 8 values), its ``task_clusters_``;
    - ``learned: penalty='relationship'``: ``MultiTaskLinearRegressionCV(
      penalty="relationship")`` (MTRL, same CV), its learned task covariance
      as a graph (``task_graph_``: positive part of the correlation),
      clustered by ``task_clusters``;
    - ``oracle: true coefficients, cosine``: the ceiling, the true weights'
      cosine graph clustered the same way.

    Prints ARI mean ± std over the seeds for each ``n``, the smallest ``n``
    at which the mean ARI reaches 0.9, and the mean fit time per method
    (noisy: the machine is shared).

``school`` and ``cost`` (``--parts school cost``; see :func:`school`,
:func:`school_ceiling` with ``--school-ceiling``, and :func:`cost`)
    School with the learned structures against the baselines of
    ``bench_linear.py`` on its splits, and the outer iterations and fit time
    of ``penalty='relationship'`` against ``'mean'`` on School and yeast.

Usage::

    python benchmarks/bench_task_graph.py [--parts recovery] [--seeds 5]
        [--sizes 25 50 100 200 500 1000] [--skip-learned] [--json PATH]

Default JSON: ``benchmarks/results/task_graph.json``.
"""

import argparse
import itertools
import json
import time
from pathlib import Path

import numpy as np
from sklearn.linear_model import RidgeCV
from sklearn.metrics import adjusted_rand_score

from mtlearn.datasets import make_multitask_regression
from mtlearn.linear_model import MultiTaskLinearRegressionCV
from mtlearn.task_graph import (
    estimate_task_graph,
    graph_from_coefficients,
    graph_from_targets,
    task_clusters,
)

N_GROUPS, TASKS_PER_GROUP = 4, 5
DATA = {
    "n_features": 40,
    "n_informative": 30,
    "n_tasks": N_GROUPS * TASKS_PER_GROUP,
    "n_groups": N_GROUPS,
    "relatedness": 0.7,
    "noise": 5.5,
}
ARI_TARGET = 0.9


def clustered_tasks(n_samples, seed, missing_rate=0.0):
    """``X, y, coef, groups``: 4 groups of 5 related tasks (see the module doc)."""
    X, y, coef, groups = make_multitask_regression(
        n_samples=n_samples,
        missing_rate=missing_rate,
        return_coef=True,
        return_groups=True,
        random_state=seed,
        **DATA,
    )
    return X, y, coef, groups


def _oracle(X, y, seed, coef):
    graph = graph_from_coefficients(coef.T)  # the true weights, one row per task
    return task_clusters(graph, N_GROUPS, random_state=seed)


def _targets_correlation(X, y, seed):
    return task_clusters(graph_from_targets(y), N_GROUPS, random_state=seed)


def _targets_auto(X, y, seed):
    return task_clusters(estimate_task_graph(y, "auto"), N_GROUPS, random_state=seed)


def _ridge_coefficients(X, y, seed):
    ridge = RidgeCV(alphas=np.logspace(-2, 4, 13), alpha_per_target=True).fit(X, y)
    graph = graph_from_coefficients(ridge.coef_)  # coef_: (n_tasks, n_features)
    return task_clusters(graph, N_GROUPS, random_state=seed)


def _learned_cv(penalty):
    def fit(X, y, seed):
        model = MultiTaskLinearRegressionCV(
            penalty=penalty, n_task_clusters=N_GROUPS, alphas=8, cv=3
        ).fit(X, y)
        if penalty == "cluster":
            return model.task_clusters_
        return task_clusters(model.task_graph_, N_GROUPS, random_state=seed)

    return fit


def recovery_methods(learned=True):
    """name -> (fit(X, y, seed) -> labels, missing_rate of its data)."""
    methods = {
        "oracle: true coefficients, cosine": (_oracle, 0.0),
        "targets: correlation": (_targets_correlation, 0.0),
        "targets: auto (k=5)": (_targets_auto, 0.0),
        "targets 30% missing: correlation": (_targets_correlation, 0.3),
        "coefficients: RidgeCV, cosine": (_ridge_coefficients, 0.0),
    }
    if learned:
        methods["learned: penalty='cluster'"] = (_learned_cv("cluster"), 0.0)
        methods["learned: penalty='relationship'"] = (
            _learned_cv("relationship"),
            0.0,
        )
    return methods


def recovery(sizes=(25, 50, 100, 200, 500, 1000), seeds=5, learned=True):
    """Adjusted Rand index of the recovered task clusters over a curve of n."""
    methods = recovery_methods(learned)
    ari = {name: {n: [] for n in sizes} for name in methods}
    seconds = {name: [] for name in methods}
    for n in sizes:
        for seed in range(seeds):
            data = {}
            for name, (fit, missing_rate) in methods.items():
                if missing_rate not in data:
                    data[missing_rate] = clustered_tasks(n, seed, missing_rate)
                X, y, coef, groups = data[missing_rate]
                start = time.perf_counter()
                if fit is _oracle:
                    labels = fit(X, y, seed, coef)
                else:
                    labels = fit(X, y, seed)
                seconds[name].append(time.perf_counter() - start)
                ari[name][n].append(adjusted_rand_score(groups, labels))

    width = max(len(name) for name in methods)
    print(
        f"\nRecovery of {N_GROUPS} clusters of {TASKS_PER_GROUP} tasks "
        f"({DATA}); ARI mean ± std over {seeds} seeds"
    )
    print(f"{'rows per task':<{width}} " + " ".join(f"{n:>12}" for n in sizes))
    results = {}
    for name in methods:
        means = [float(np.mean(ari[name][n])) for n in sizes]
        stds = [float(np.std(ari[name][n])) for n in sizes]
        cells = " ".join(f"{m:6.3f}±{s:5.3f}" for m, s in zip(means, stds))
        print(f"{name:<{width}} {cells}")
        reached = [n for n, m in zip(sizes, means) if m >= ARI_TARGET]
        results[name] = {
            "sizes": list(sizes),
            "ari_mean": means,
            "ari_std": stds,
            "ari": {str(n): ari[name][n] for n in sizes},
            f"smallest_n_ari_ge_{ARI_TARGET}": reached[0] if reached else None,
            "mean_fit_seconds": float(np.mean(seconds[name])),
        }
    print(f"\nSmallest n with mean ARI >= {ARI_TARGET} (and mean fit time):")
    for name, result in results.items():
        n = result[f"smallest_n_ari_ge_{ARI_TARGET}"]
        print(
            f"  {name:<{width}} {'not reached' if n is None else n:>12}"
            f"   {result['mean_fit_seconds']:.3f} s"
        )
    return {"data": DATA, "seeds": seeds, "methods": results}


MEAN_COUPLED = "mtlearn 'mean', intercept_alpha CV"


def _school_data():
    from mtlearn.datasets import load_school

    data = load_school()
    X = np.asarray(data.data, dtype=np.float64)
    Y = np.asarray(data.target, dtype=np.float64)
    task = np.asarray(data.task)
    return X, Y, task, Y[np.arange(len(Y)), task]


def school(n_splits=10, fractions=(0.2, 0.75), grid=(0.1, 0.3, 1.0, 3.0), n_alphas=8):
    """School, the protocol of ``bench_linear.py`` (its splits, imported).

    Per split: ``RidgeCV`` per school, pooled ``RidgeCV`` with a school
    one-hot, ``penalty='mean'`` with ``intercept_alpha`` searched in
    ``[0.1, 0.3, 1, 3]`` (20 alphas, as in bench_linear), and the learned
    structures, each ``MultiTaskLinearRegressionCV`` behind a
    ``StandardScaler`` with ``intercept_alpha`` searched in ``grid`` (the
    same four values) and ``n_alphas`` alphas (fewer than 'mean': their
    fits cost more): ``'relationship'`` and ``'cluster'``
    (``n_task_clusters=3``, ``cluster_ridge`` in [0.1, 1]). Explained
    variance = 1 - test MSE / test variance, pooled over the test students.
    Targets (issue 11): >= 36.5% at 20%, >= 38.0% at 75%.
    """
    from bench_linear import _school_split
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    X, Y, task, y = _school_data()
    onehot = np.eye(Y.shape[1])[task]
    ridge_alphas = np.logspace(-3, 3, 13)

    def per_school(train, test):
        pred = np.empty(test.size)
        for t in np.unique(task):
            fit_rows, out_rows = train[task[train] == t], task[test] == t
            model = RidgeCV(alphas=ridge_alphas).fit(X[fit_rows], y[fit_rows])
            pred[out_rows] = model.predict(X[test[out_rows]])
        return pred

    def one_hot(train, test):
        features = np.hstack([X, onehot])
        model = RidgeCV(alphas=ridge_alphas).fit(features[train], y[train])
        return model.predict(features[test])

    def multitask(**params):
        def predict(train, test):
            model = make_pipeline(
                StandardScaler(), MultiTaskLinearRegressionCV(**params)
            ).fit(X[train], Y[train])
            chosen[name].append(
                {
                    "alpha": model[-1].alpha_,
                    "intercept_alpha": model[-1].intercept_alpha_,
                    "n_outer_iter": getattr(model[-1], "n_outer_iter_", None),
                }
            )
            return model.predict(X[test])[np.arange(test.size), task[test]]

        return predict

    learned = dict(alphas=n_alphas, intercept_alpha=list(grid), max_outer_iter=30)
    models = {
        "sklearn RidgeCV per school": per_school,
        "sklearn RidgeCV pooled + school one-hot": one_hot,
        MEAN_COUPLED: multitask(penalty="mean", intercept_alpha=[0.1, 0.3, 1.0, 3.0]),
        "mtlearn 'relationship' (MTRL), CV": multitask(
            penalty="relationship", **learned
        ),
        "mtlearn 'cluster' (k=3), CV": multitask(
            penalty="cluster", n_task_clusters=3, cluster_ridge=[0.1, 1.0], **learned
        ),
    }
    out = {}
    print(f"\nSchool ({Y.shape[1]} schools), {n_splits} splits per fraction")
    for fraction in fractions:
        scores = {name: [] for name in models}
        seconds = {name: 0.0 for name in models}
        chosen = {name: [] for name in models}
        for seed in range(n_splits):
            train, test = _school_split(task, fraction, seed)
            for name, predict in models.items():
                start = time.perf_counter()
                pred = predict(train, test)
                seconds[name] += time.perf_counter() - start
                score = 1 - np.mean((y[test] - pred) ** 2) / np.var(y[test])
                scores[name].append(100 * score)
        target = 36.5 if fraction == 0.2 else 38.0
        print(f"training fraction {fraction:.0%} (target >= {target}%)")
        mean_coupled = np.asarray(scores[MEAN_COUPLED])
        for name in models:
            mean, std = np.mean(scores[name]), np.std(scores[name])
            per_split = seconds[name] / n_splits
            line = f"  {name:45s} {mean:6.2f}% ± {std:4.2f}  ({per_split:.1f} s/split)"
            result = {
                "mean": mean,
                "std": std,
                "scores": scores[name],
                "seconds_per_split": per_split,
                "chosen": chosen[name],
            }
            if name.startswith("mtlearn") and name != MEAN_COUPLED:
                # paired with 'mean' on the same splits
                diff = np.asarray(scores[name]) - mean_coupled
                se = diff.std(ddof=1) / np.sqrt(diff.size) if diff.size > 1 else 0.0
                line += f"; minus 'mean' {diff.mean():+.2f} (se {se:.2f})"
                result.update(minus_mean=float(diff.mean()), minus_mean_se=float(se))
            print(line)
            out[f"{fraction}/{name}"] = result
    return out


def school_ceiling(n_splits=10, fraction=0.2):
    """The learned structures' strengths tuned on the TEST set (an oracle).

    As ``school_ceiling.py`` does for 'mean': a grid of ``alpha`` x
    ``intercept_alpha`` per penalty, the best mean test explained variance
    over the splits.
    """
    from bench_linear import _school_split
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from mtlearn.linear_model import MultiTaskLinearRegression

    X, Y, task, y = _school_data()
    grids = {
        "relationship": dict(alpha=[0.3, 1.0, 3.0], intercept_alpha=[0.1, 0.3, 1.0]),
        "cluster": dict(
            alpha=[10.0, 30.0, 100.0],
            intercept_alpha=[0.3, 1.0],
            cluster_ridge=[0.1, 1.0],
        ),
    }
    out = {}
    for penalty, grid in grids.items():
        scores = {}
        settings = [
            dict(zip(grid, values)) for values in itertools.product(*grid.values())
        ]
        for seed in range(n_splits):
            train, test = _school_split(task, fraction, seed)
            for params in settings:
                model = make_pipeline(
                    StandardScaler(),
                    MultiTaskLinearRegression(
                        penalty=penalty, n_task_clusters=3, max_outer_iter=30, **params
                    ),
                ).fit(X[train], Y[train])
                pred = model.predict(X[test])[np.arange(test.size), task[test]]
                score = 1 - np.mean((y[test] - pred) ** 2) / np.var(y[test])
                key = tuple(params.values())
                scores.setdefault(key, []).append(100 * score)
        best = max(scores, key=lambda key: np.mean(scores[key]))
        named = ", ".join(f"{k}={v:g}" for k, v in zip(grid, best))
        score = np.mean(scores[best])
        print(f"ceiling {penalty} at {fraction:.0%}: {named}: {score:.2f}%")
        out[penalty] = {"best": dict(zip(grid, best)), "score": float(score)}
    return out


def cost():
    """Outer iterations and fit time of 'relationship' against 'mean'.

    School (StandardScaler, all students, regression; alpha as the CV picks
    at 20% of the students: 'mean' at 30, intercept_alpha 1; 'relationship'
    at alpha 1, intercept_alpha 0.3) and yeast (logistic, 14 labels, scaled features,
    alpha 1e-3 for both). Best of 3 timings; the machine is shared, so the
    ratios are noisy.
    """
    from sklearn.preprocessing import StandardScaler

    from mtlearn.datasets import load_yeast
    from mtlearn.linear_model import (
        MultiTaskLinearRegression,
        MultiTaskLogisticRegression,
    )

    X, Y, _, _ = _school_data()
    X = StandardScaler().fit_transform(X)
    Xy, Yy = load_yeast(subset="train", return_X_y=True)
    Xy = StandardScaler().fit_transform(Xy)
    cases = {
        "School": (
            MultiTaskLinearRegression,
            X,
            Y,
            dict(penalty="mean", alpha=30.0, intercept_alpha=1.0),
            dict(penalty="relationship", alpha=1.0, intercept_alpha=0.3),
        ),
        "yeast": (
            MultiTaskLogisticRegression,
            Xy,
            Yy,
            dict(penalty="mean", alpha=1e-3),
            dict(penalty="relationship", alpha=1e-3),
        ),
    }
    out = {}
    print("\nCost: learned relationship vs 'mean' (best of 3, shared machine)")
    for name, (cls, Xc, Yc, mean_params, rel_params) in cases.items():
        times = {}
        for label, params in [("mean", mean_params), ("relationship", rel_params)]:
            best = np.inf
            for _ in range(3):
                start = time.perf_counter()
                model = cls(max_iter=5000, **params).fit(Xc, Yc)
                best = min(best, time.perf_counter() - start)
            times[label] = (best, model)
        rel = times["relationship"][1]
        ratio = times["relationship"][0] / times["mean"][0]
        print(
            f"  {name:8s} mean {times['mean'][0]:.2f} s, relationship "
            f"{times['relationship'][0]:.2f} s: ratio {ratio:.1f} (target <= 10); "
            f"{rel.n_outer_iter_} outer iterations, {rel.n_iter_} solver iterations"
        )
        out[name] = {
            "mean_seconds": times["mean"][0],
            "relationship_seconds": times["relationship"][0],
            "ratio": ratio,
            "n_outer_iter": rel.n_outer_iter_,
            "n_iter": rel.n_iter_,
        }
    return out


PARTS = {"recovery": recovery, "school": school, "cost": cost}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--parts", nargs="+", choices=list(PARTS), default=["recovery"])
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument(
        "--sizes", type=int, nargs="+", default=[25, 50, 100, 200, 500, 1000]
    )
    parser.add_argument("--skip-learned", action="store_true")
    parser.add_argument("--school-splits", type=int, default=10)
    parser.add_argument("--school-ceiling", action="store_true")
    parser.add_argument(
        "--json", type=Path, default=Path("benchmarks/results/task_graph.json")
    )
    args = parser.parse_args(argv)
    out = {}
    if "recovery" in args.parts:
        out["recovery"] = recovery(
            tuple(args.sizes), args.seeds, learned=not args.skip_learned
        )
    if "school" in args.parts:
        out["school"] = school(args.school_splits)
        if args.school_ceiling:
            out["school_ceiling"] = {
                str(f): school_ceiling(args.school_splits, f) for f in (0.2, 0.75)
            }
    if "cost" in args.parts:
        out["cost"] = cost()
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(out, indent=2))
    print(f"\nSaved {args.json}")


if __name__ == "__main__":
    main()
