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

Usage::

    python benchmarks/bench_task_graph.py [--parts recovery] [--seeds 5]
        [--sizes 25 50 100 200 500 1000] [--skip-learned] [--json PATH]

Default JSON: ``benchmarks/results/task_graph.json``.
"""

import argparse
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


PARTS = {"recovery": recovery}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--parts", nargs="+", choices=list(PARTS), default=list(PARTS))
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument(
        "--sizes", type=int, nargs="+", default=[25, 50, 100, 200, 500, 1000]
    )
    parser.add_argument("--skip-learned", action="store_true")
    parser.add_argument(
        "--json", type=Path, default=Path("benchmarks/results/task_graph.json")
    )
    args = parser.parse_args(argv)
    out = {}
    if "recovery" in args.parts:
        out["recovery"] = recovery(
            tuple(args.sizes), args.seeds, learned=not args.skip_learned
        )
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(out, indent=2))
    print(f"\nSaved {args.json}")


if __name__ == "__main__":
    main()
