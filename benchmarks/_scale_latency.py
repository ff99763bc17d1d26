"""Scale, part ``latency``: prediction on one row and on 1 000 rows (issue 12).

A model behind a web service answers one row at a time. Both estimators are
fitted on the same data (``--n-train`` x 100 float64, 10 binary tasks,
hidden layers (256, 128), a few epochs: the weights' values do not change
the cost of a prediction), then ``predict`` and ``predict_proba`` are timed
on one row and on 1 000 rows: the median over ``--repeats`` calls, in
microseconds, after a warm-up call. The rows are float64 NumPy arrays, as a
service would build them.

Target (printed ``[ok]`` / ``[MISSED]``): single-row ``predict_proba``
latency of mtlearn <= MLPClassifier's.

    python benchmarks/bench_scale.py latency [--repeats 2000] [--json PATH]
"""

import argparse
import statistics
import time
import warnings
from pathlib import Path

import numpy as np
from _scale_network import write_report  # noqa: E402  (benchmarks/ on sys.path)
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier

from mtlearn.neural_network import SharedRepresentationClassifier

N_FEATURES, N_TASKS, HIDDEN = 100, 10, (256, 128)


def _median_us(function, X, repeats):
    function(X)  # warm-up
    times = []
    for _ in range(repeats):
        tic = time.perf_counter()
        function(X)
        times.append(time.perf_counter() - tic)
    return 1e6 * statistics.median(times)


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="bench_scale.py latency", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--repeats", type=int, default=2000)
    parser.add_argument("--n-train", type=int, default=5000)
    parser.add_argument(
        "--json",
        default=str(Path(__file__).parent / "results" / "scale_latency.json"),
    )
    args = parser.parse_args(argv)
    warnings.simplefilter("ignore", ConvergenceWarning)
    rng = np.random.default_rng(0)
    X = rng.standard_normal((args.n_train, N_FEATURES))
    Y = (X[:, :N_TASKS] + 0.5 * rng.standard_normal((len(X), N_TASKS)) > 0) * 1.0
    models = {
        "mtlearn": SharedRepresentationClassifier(
            HIDDEN, max_iter=3, early_stopping=False, random_state=0
        ).fit(X, Y),
        "sklearn MLPClassifier": MLPClassifier(HIDDEN, max_iter=3, random_state=0).fit(
            X, Y
        ),
    }
    one, many = X[:1].copy(), X[:1000].copy()
    results = {}
    for name, model in models.items():
        results[name] = {}
        for method in ("predict", "predict_proba"):
            for rows, data in (("1 row", one), ("1000 rows", many)):
                # fewer calls on 1 000 rows: each costs about 10 single rows
                calls = max(args.repeats // (1 + len(data) // 100), 20)
                function = getattr(model, method)
                results[name][f"{method}, {rows}"] = _median_us(function, data, calls)
    columns = list(results["mtlearn"])
    print(
        f"{N_FEATURES} features, {N_TASKS} binary tasks, hidden {HIDDEN}; "
        f"median latency in microseconds"
    )
    header = f"{'model':<24}" + "".join(f"{c:>26}" for c in columns)
    print(header)
    print("-" * len(header))
    for name, row in results.items():
        print(f"{name:<24}" + "".join(f"{row[c]:>26.1f}" for c in columns))
    ok = (
        results["mtlearn"]["predict_proba, 1 row"]
        <= results["sklearn MLPClassifier"]["predict_proba, 1 row"]
    )
    print(
        f"{'[ok]' if ok else '[MISSED]':>9} single-row predict_proba latency "
        "<= MLPClassifier's"
    )
    report = {
        "setup": {
            "n_features": N_FEATURES,
            "n_tasks": N_TASKS,
            "hidden_layer_sizes": HIDDEN,
            "repeats": args.repeats,
        },
        "latency_us": results,
    }
    write_report(report, args.json)
    return 0
