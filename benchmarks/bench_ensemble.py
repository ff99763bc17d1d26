"""MultiTaskEnsemble: quality against its own members, and parallel speed-up.

Part 1, quality: on the standard train/test splits of yeast and emotions, an
ensemble of SharedRepresentationClassifier() (defaults), a logistic
regression (MultiTaskLogisticRegression when mtlearn.linear_model provides
it, else LogisticRegression(max_iter=1000), fitted per task) and
RandomForestClassifier(300), all behind one StandardScaler. One fit per seed
gives both combinations, as they share the out-of-fold outputs: stacking
(final_estimator=LogisticRegression(), per task) and weights="cv" (the same
fitted ensemble with its final estimator switched off). Micro-F1 on the test
part of the ensemble and of each member (the ensemble's own fitted members),
averaged over the seeds.

Part 2, speed: an ensemble whose work is 14 independent fits (one
GradientBoostingClassifier per yeast label) with n_jobs=1 and n_jobs=2 on
the loky backend; wall time (best of --repeats) and the ratio.

    python benchmarks/bench_ensemble.py [--seeds 3] [--repeats 3] [--json PATH]
        [--skip-quality] [--skip-speed]
"""

import argparse
import json
import os
import platform
import time
from pathlib import Path

import numpy as np
import sklearn
from sklearn.ensemble import GradientBoostingClassifier, RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import mtlearn
from mtlearn.datasets import load_emotions, load_yeast
from mtlearn.ensemble import MultiTaskEnsemble
from mtlearn.neural_network import SharedRepresentationClassifier

DATASETS = {"yeast": load_yeast, "emotions": load_emotions}


def _linear_member():
    try:
        from mtlearn.linear_model import MultiTaskLogisticRegression
    except ImportError:
        return "LogisticRegression(max_iter=1000)", LogisticRegression(max_iter=1000)
    return "MultiTaskLogisticRegression()", MultiTaskLogisticRegression()


def _ensemble(seed):
    linear_name, linear = _linear_member()
    members = [
        ("SharedRepresentationClassifier()", SharedRepresentationClassifier()),
        (linear_name, linear),
        ("RandomForestClassifier(300)", RandomForestClassifier(300)),
    ]
    names = [name for name, _ in members]
    keys = [f"m{i}" for i in range(len(members))]
    ensemble = MultiTaskEnsemble(
        list(zip(keys, [m for _, m in members])),
        weights="cv",
        final_estimator=LogisticRegression(),
        n_jobs=2,
        random_state=seed,
    )
    return names, make_pipeline(StandardScaler(), ensemble)


def _micro_f1(Y_true, Y_pred):
    return float(f1_score(Y_true, Y_pred, average="micro"))


def quality(seeds):
    results = {}
    for data_name, load in DATASETS.items():
        X_train, Y_train = load(subset="train", return_X_y=True)
        X_test, Y_test = load(subset="test", return_X_y=True)
        scores = {}
        for seed in range(seeds):
            names, model = _ensemble(seed)
            start = time.perf_counter()
            model.fit(X_train, Y_train)
            seconds = time.perf_counter() - start
            ensemble = model[-1]
            X_scaled = model[0].transform(X_test)
            row = {"ensemble, stacking": _micro_f1(Y_test, ensemble.predict(X_scaled))}
            ensemble.final_estimator = None  # same fit, weights_ from cv
            row["ensemble, weights='cv'"] = _micro_f1(
                Y_test, ensemble.predict(X_scaled)
            )
            outputs = ensemble.transform(X_scaled)  # task-major, one column each
            n_members, n_tasks = len(names), Y_test.shape[1]
            for m, name in enumerate(names):
                proba = outputs[:, m::n_members][:, :n_tasks]
                row[name] = _micro_f1(Y_test, (proba > 0.5).astype(int))
            row["fit seconds"] = seconds
            for key, value in row.items():
                scores.setdefault(key, []).append(value)
            print(
                f"  {data_name} seed {seed}: "
                + ", ".join(f"{k} {v:.4f}" for k, v in row.items()),
                flush=True,
            )
        results[data_name] = {
            k: {"mean": float(np.mean(v)), "std": float(np.std(v)), "values": v}
            for k, v in scores.items()
        }
        results[data_name]["members"] = names
    return results


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
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--json", default="benchmarks/results/ensemble.json")
    parser.add_argument("--skip-quality", action="store_true")
    parser.add_argument("--skip-speed", action="store_true")
    args = parser.parse_args()

    report = {
        "mtlearn": mtlearn.__version__,
        "sklearn": sklearn.__version__,
        "machine": platform.platform(),
        "cpus": os.cpu_count(),
        "load_at_start": os.getloadavg(),
    }
    targets = []
    if not args.skip_quality:
        print("Part 1: micro-F1 on the test split, mean over seeds")
        report["quality"] = quality(args.seeds)
        for data_name, res in report["quality"].items():
            print(f"\n{data_name}")
            print(f"  {'model':<36} {'micro-F1':>16}")
            for key, value in res.items():
                if key in ("members", "fit seconds"):
                    continue
                print(f"  {key:<36} {value['mean']:.4f} ± {value['std']:.4f}")
            best_member = max(res[name]["mean"] for name in res["members"])
            for combo in ("ensemble, stacking", "ensemble, weights='cv'"):
                ok = res[combo]["mean"] > best_member
                targets.append((f"{data_name}: {combo} > best member", ok))
    if not args.skip_speed:
        print("\nPart 2: n_jobs=2 vs n_jobs=1 (loky)")
        report["load_before_speed"] = os.getloadavg()
        report["speed"] = speed(args.repeats)
        ratio = report["speed"]["speedup"]
        print(f"  speed-up: {ratio:.2f}x")
        targets.append(("speed-up >= 1.6x", ratio >= 1.6))
    print("\nTargets")
    for what, ok in targets:
        print(f"  [{'ok' if ok else 'MISSED'}] {what}")
    report["targets"] = dict(targets)
    path = Path(args.json)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report, indent=2))
    print(f"\nSaved {path}")


if __name__ == "__main__":
    main()
