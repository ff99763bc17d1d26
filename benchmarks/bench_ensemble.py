"""Multi-task ensembles against their own members, and parallel speed-up.

Part ``classification`` (issue 13): on the standard train/test splits of
emotions and yeast, and on generated data with rare labels (all three from
``bench_quality.load``: ``rare-labels`` is
``make_multilabel_classification(1500, 20 features, 15 labels,
n_labels=1)``, label rates from under 1% to about 20%, 70/30 split, fresh
per seed), for seeds ``0..N-1``, three members, each fitted alone on the
training part with ``random_state=seed``:

- ``network``: StandardScaler + SharedRepresentationClassifier() (defaults);
- ``logistic``: StandardScaler + MultiTaskLogisticRegression() (defaults);
- ``forest``: RandomForestClassifier(300);

and two MultiTaskEnsemble of the same three members (``random_state=seed``,
5 folds, the default ``selection=True``, and ``scoring="micro_f1"``, the
measure of the table), one with ``weights="cv"``, one stacking with
``final_estimator=LogisticRegression()``.
Micro-F1 of ``predict`` on the test part, fit seconds, and the candidate
each ensemble's tasks selected.

Part ``regression``: the same for MultiTaskEnsembleRegressor with the
members StandardScaler + SharedRepresentationRegressor() and
RandomForestRegressor(100), on generated smooth non-linear data
(``make_multitask_regression(1000, 10, n_tasks=4, nonlinearity="sine")``,
80/20 split; mean R^2 over the targets) and on School (bench_linear's split:
20% of each school's students for training; the 139 schools as tasks, NaN
outside a student's own school; explained variance of the own-school
predictions on the pooled test students).

Every table: mean ± std over the seeds, and the paired difference of each
ensemble with its best member (the member with the best mean).

Part ``speed``: an ensemble whose work is 14 independent fits (one
GradientBoostingClassifier per yeast label) with n_jobs=1 and n_jobs=2 on
the loky backend; wall time (best of --repeats) and the ratio.

    OMP_NUM_THREADS=1 python benchmarks/bench_ensemble.py [--seeds 5]
        [--data yeast emotions ...] [--repeats 3] [--json PATH]
        [--skip-classification] [--skip-regression] [--skip-speed]
"""

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path

import numpy as np
import sklearn
from sklearn.ensemble import (
    GradientBoostingClassifier,
    RandomForestClassifier,
    RandomForestRegressor,
)
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score, r2_score
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import mtlearn
from mtlearn._mixins import accepts_missing_labels
from mtlearn.datasets import load_school, load_yeast, make_multitask_regression
from mtlearn.ensemble import MultiTaskEnsemble, MultiTaskEnsembleRegressor
from mtlearn.linear_model import MultiTaskLogisticRegression
from mtlearn.neural_network import (
    SharedRepresentationClassifier,
    SharedRepresentationRegressor,
)

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_quality  # noqa: E402
from bench_linear import _school_split  # noqa: E402


def _quality_data(name):
    return lambda seed: bench_quality.load(name, seed)


def smooth_data(seed):
    """Smooth non-linear multi-target data, 80/20 split (fresh per seed)."""
    X, Y = make_multitask_regression(
        1000, 10, n_tasks=4, n_informative=10, nonlinearity="sine", random_state=seed
    )
    X, X_test, Y, Y_test = train_test_split(X, Y, test_size=0.2, random_state=seed)
    return X, Y, X_test, Y_test


def school_data(seed):
    """School, 20% of each school's students for training (bench_linear's)."""
    data = load_school()
    X = np.asarray(data.data, dtype=np.float64)
    Y = np.asarray(data.target, dtype=np.float64)
    train, test = _school_split(np.asarray(data.task), 0.2, seed)
    return X[train], Y[train], X[test], Y[test]


def _micro_f1(Y_true, Y_pred):
    return float(f1_score(Y_true, Y_pred, average="micro"))


def _r2(Y_true, Y_pred):
    observed = ~np.isnan(Y_true)
    if observed.all():
        return float(r2_score(Y_true, Y_pred))
    # School: each student's own school, pooled over the test students
    y, pred = Y_true[observed], Y_pred[observed]
    return float(1.0 - np.mean((y - pred) ** 2) / np.var(y))


def classifiers(seed):
    return [
        (
            "network",
            make_pipeline(
                StandardScaler(), SharedRepresentationClassifier(random_state=seed)
            ),
        ),
        ("logistic", make_pipeline(StandardScaler(), MultiTaskLogisticRegression())),
        ("forest", RandomForestClassifier(300, random_state=seed)),
    ]


def regressors(seed):
    return [
        (
            "network",
            make_pipeline(
                StandardScaler(), SharedRepresentationRegressor(random_state=seed)
            ),
        ),
        ("forest", RandomForestRegressor(100, random_state=seed)),
    ]


# the ensembles' selection parameters (--n-standard-errors: the gain rule)
SELECTION = {}
PARTS = {
    "classification": {
        "data": {
            "emotions": _quality_data("emotions"),
            "rare-labels": _quality_data("rare-labels"),
            "yeast": _quality_data("yeast"),
        },
        "members": classifiers,
        "ensembles": {
            "ensemble, weights='cv'": lambda m, seed: MultiTaskEnsemble(
                m, weights="cv", scoring="micro_f1", random_state=seed, **SELECTION
            ),
            "ensemble, stacking": lambda m, seed: MultiTaskEnsemble(
                m,
                final_estimator=LogisticRegression(),
                scoring="micro_f1",
                random_state=seed,
                **SELECTION,
            ),
        },
        "score": _micro_f1,
        "metric": "micro-F1",
    },
    "regression": {
        "data": {"smooth": smooth_data, "school": school_data},
        "members": regressors,
        "ensembles": {
            "ensemble, weights='cv'": lambda m, seed: MultiTaskEnsembleRegressor(
                m, weights="cv", random_state=seed, **SELECTION
            ),
        },
        "score": _r2,
        "metric": "R^2",
    },
}


def _timed_score(model, split, score):
    X_train, Y_train, X_test, Y_test = split
    start = time.perf_counter()
    model.fit(X_train, Y_train)
    seconds = time.perf_counter() - start
    return score(Y_test, model.predict(X_test)), seconds


def _per_task(member):
    if accepts_missing_labels(member):
        return member  # mtlearn's estimators (in a Pipeline too)
    return MultiTaskEnsembleRegressor([("member", member)])


def run_part(part, seeds, only):
    results = {}
    for data_name, make_split in part["data"].items():
        if only and data_name not in only:
            continue
        rows, selected = {}, {}
        for seed in range(seeds):
            split = make_split(seed)
            members = part["members"](seed)
            if np.isnan(split[1]).any():  # School: a member alone that
                # cannot take missing targets is fitted per task, as in the
                # ensemble (a one-member ensemble, no cross-validation)
                members_alone = [(name, _per_task(member)) for name, member in members]
            else:
                members_alone = members
            models = list(members_alone)
            models += [
                (name, make(members, seed)) for name, make in part["ensembles"].items()
            ]
            line = []
            for name, model in models:
                value, seconds = _timed_score(model, split, part["score"])
                rows.setdefault(name, {"score": [], "seconds": []})
                rows[name]["score"].append(value)
                rows[name]["seconds"].append(seconds)
                line.append(f"{name} {value:.4f} ({seconds:.1f} s)")
                if hasattr(model, "selected_"):
                    kept, counts = np.unique(model.selected_, return_counts=True)
                    for k, c in zip(kept, counts):
                        selected.setdefault(name, {}).setdefault(str(k), 0)
                        selected[name][str(k)] += int(c)
            print(f"  {data_name} seed {seed}: " + ", ".join(line), flush=True)
        member_names = [name for name, _ in part["members"](0)]
        results[data_name] = {
            "models": rows,
            "members": member_names,
            "ensembles": list(part["ensembles"]),
            "selected": selected,
        }
    return results


def summarise(part_name, metric, results, targets):
    real = {"yeast", "emotions", "school"}
    clear_win = {}
    for data_name, res in results.items():
        rows = res["models"]
        print(f"\n{part_name}: {data_name} ({metric} on the test part)")
        print(f"  {'model':<26} {metric:>17} {'fit seconds':>12}")
        for name, row in rows.items():
            score, seconds = np.asarray(row["score"]), np.asarray(row["seconds"])
            print(
                f"  {name:<26} {score.mean():.4f} ± {score.std():.4f} "
                f"{seconds.mean():12.1f}"
            )
        best = max(res["members"], key=lambda m: np.mean(rows[m]["score"]))
        for name in res["ensembles"]:
            diff = np.subtract(rows[name]["score"], rows[best]["score"])
            row = rows[name]
            row["paired_difference_to_best_member"] = diff.tolist()
            print(
                f"  {name} - {best}: {diff.mean():+.4f} ± {diff.std():.4f} "
                f"(paired); selected per task over the seeds: "
                f"{res['selected'].get(name, {})}"
            )
            ok = bool(np.mean(row["score"]) >= np.mean(rows[best]["score"]))
            targets.append((f"{data_name}: {name} >= best member ({best})", ok))
            if data_name in real:
                won = diff.mean() > diff.std()
                clear_win[name] = clear_win.get(name, False) or bool(won)
    if part_name == "classification":
        for name, won in clear_win.items():
            targets.append(
                (
                    f"{name} above its best member by more than the paired "
                    "seed spread on a real set",
                    won,
                )
            )


def speed(repeats):
    X, Y = load_yeast(subset="train", return_X_y=True)
    member = GradientBoostingClassifier(n_estimators=30, max_depth=3)
    times = {}
    for n_jobs in (1, 2):
        best = np.inf
        for _ in range(repeats):
            ensemble = MultiTaskEnsemble(
                [("gb", member)], n_jobs=n_jobs, random_state=0
            )
            start = time.perf_counter()
            ensemble.fit(X, Y)
            best = min(best, time.perf_counter() - start)
        times[n_jobs] = best
        print(f"  n_jobs={n_jobs}: {best:.2f} s", flush=True)
    return {
        "n_fits": Y.shape[1],
        "member": "GradientBoostingClassifier(n_estimators=30, max_depth=3)",
        "backend": "loky",
        "seconds_n_jobs_1": times[1],
        "seconds_n_jobs_2": times[2],
        "speedup": times[1] / times[2],
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--data", nargs="*", default=None, help="data sets to run")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--json", default="benchmarks/results/ensemble.json")
    parser.add_argument("--skip-classification", action="store_true")
    parser.add_argument("--skip-regression", action="store_true")
    parser.add_argument("--skip-speed", action="store_true")
    parser.add_argument(
        "--n-standard-errors",
        default=None,
        help="the ensembles' gain rule (a number, or 'none' for no rule); "
        "default: the library's",
    )
    args = parser.parse_args()
    if args.n_standard_errors is not None:
        value = args.n_standard_errors
        SELECTION["n_standard_errors"] = (
            None if value.lower() == "none" else float(value)
        )

    report = {
        "mtlearn": mtlearn.__version__,
        "sklearn": sklearn.__version__,
        "machine": platform.platform(),
        "cpus": os.cpu_count(),
        "omp_num_threads": os.environ.get("OMP_NUM_THREADS"),
        "load_at_start": os.getloadavg(),
        "seeds": args.seeds,
    }
    targets = []
    for part_name, part in PARTS.items():
        if getattr(args, f"skip_{part_name}"):
            continue
        print(f"Part {part_name}: {part['metric']} on the test part", flush=True)
        report[part_name] = run_part(part, args.seeds, args.data)
        summarise(part_name, part["metric"], report[part_name], targets)
    if not args.skip_speed:
        print("\nPart speed: n_jobs=2 vs n_jobs=1 (loky)")
        report["load_before_speed"] = os.getloadavg()
        report["speed"] = speed(args.repeats)
        ratio = report["speed"]["speedup"]
        print(f"  speed-up: {ratio:.2f}x")
        targets.append(("speed-up >= 1.6x", ratio >= 1.6))
    print("\nTargets")
    for what, ok in targets:
        print(f"  [{'ok' if ok else 'MISSED'}] {what}")
    report["targets"] = dict(targets)
    report["selection_params"] = dict(SELECTION)
    path = Path(args.json)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report, indent=2))
    print(f"\nSaved {path}")


if __name__ == "__main__":
    main()
