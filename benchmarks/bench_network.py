"""Training speed of the shared-representation network against MLPClassifier.

The same architecture trained by both in one run: hidden layers (256, 128),
ReLU, Adam, batch 256, 10 epochs on 20 000 x 100 data with 10 binary tasks
(one sigmoid output per task in both). Reports throughput (samples per
second of training), the ratio to scikit-learn's (the anchor: MLPClassifier on
the same float64 data, as a user would call it), the effective GFLOP/s as a
fraction of this machine's measured matrix-multiply peak in the dtype each
computes in, and the peak memory allocated during fit (tracemalloc, in a
separate untimed fit). MLPClassifier given a float32 copy of the data is timed
too, as a second reference.

    python benchmarks/bench_network.py [--repeats 3] [--json PATH]
"""

import argparse
import json
import platform
import time
import tracemalloc
import warnings
from pathlib import Path

import numpy as np
import sklearn
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier

import mtlearn
from mtlearn.datasets import make_multitask_classification
from mtlearn.neural_network import SharedRepresentationClassifier

N_SAMPLES, N_FEATURES, N_TASKS = 20_000, 100, 10
HIDDEN, BATCH, EPOCHS = (256, 128), 256, 10


def make_models():
    common = dict(hidden_layer_sizes=HIDDEN, batch_size=BATCH, max_iter=EPOCHS)
    # the same training in both: no dropout, averaging or early stopping
    plain = dict(dropout=0.0, average=False, early_stopping=False)
    no_stop = dict(tol=0.0, n_iter_no_change=10 * EPOCHS, random_state=0)
    return {
        "mtlearn float32": SharedRepresentationClassifier(
            **common, **no_stop, **plain, alpha=1e-4
        ),
        "mtlearn float64": SharedRepresentationClassifier(
            **common, **no_stop, **plain, alpha=1e-4, dtype="float64"
        ),
        "sklearn MLPClassifier": MLPClassifier(
            **common, **no_stop, alpha=1e-4, solver="adam"
        ),
    }


def training_flops_per_sample():
    """Multiply-adds x 2 of one forward and one backward pass, per sample."""
    widths = (N_FEATURES, *HIDDEN, N_TASKS)
    layers = list(zip(widths[:-1], widths[1:]))
    forward = sum(2 * a * b for a, b in layers)
    # backward: weight gradients for every layer, input gradients for all
    # but the first layer (neither implementation computes d loss / d X)
    backward = sum(2 * a * b for a, b in layers) + sum(2 * a * b for a, b in layers[1:])
    return forward + backward


def matmul_peak(dtype, n=2048, repeats=3):
    """Best GFLOP/s of an n x n matrix product on this machine."""
    rng = np.random.default_rng(0)
    a = rng.standard_normal((n, n)).astype(dtype)
    b = rng.standard_normal((n, n)).astype(dtype)
    a @ b  # warm-up
    best = min(_timed(lambda: a @ b) for _ in range(repeats))
    return 2 * n**3 / best / 1e9


def _timed(fn):
    tic = time.perf_counter()
    fn()
    return time.perf_counter() - tic


def peak_memory(model, X, Y):
    tracemalloc.start()
    model.fit(X, Y)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / 2**20


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument(
        "--json",
        default=str(Path(__file__).parent / "results" / "network.json"),
    )
    args = parser.parse_args(argv)
    warnings.simplefilter("ignore", ConvergenceWarning)

    X, Y = make_multitask_classification(
        N_SAMPLES, N_FEATURES, n_tasks=N_TASKS, n_informative=20, random_state=0
    )
    # The data as a user has it: float64. mtlearn computes in float32 by
    # default; MLPClassifier computes in the dtype of its input, so it is
    # also timed on a float32 copy (a second reference, not the anchor).
    X32 = X.astype(np.float32)
    peaks = {"float32": matmul_peak(np.float32), "float64": matmul_peak(np.float64)}
    flops = training_flops_per_sample() * N_SAMPLES * EPOCHS

    models = make_models()
    runs = [
        ("mtlearn float32", models["mtlearn float32"], X, "float32"),
        ("mtlearn float64", models["mtlearn float64"], X, "float64"),
        ("sklearn MLPClassifier", models["sklearn MLPClassifier"], X, "float64"),
        (
            "sklearn MLP, f32 input",
            clone(models["sklearn MLPClassifier"]),
            X32,
            "float32",
        ),
    ]
    results = {}
    for name, model, data, dtype in runs:
        seconds = min(
            _timed(lambda m=model, d=data: m.fit(d, Y)) for _ in range(args.repeats)
        )
        gflops = flops / seconds / 1e9
        results[name] = {
            "seconds": seconds,
            "samples_per_second": N_SAMPLES * EPOCHS / seconds,
            "gflops": gflops,
            "compute_dtype": dtype,
            "fraction_of_peak": gflops / peaks[dtype],
            "peak_memory_mib": peak_memory(model, data, Y),
            "train_accuracy": float(np.mean(model.predict(data) == Y)),
        }
    anchor = results["sklearn MLPClassifier"]["samples_per_second"]
    for row in results.values():
        row["throughput_ratio_vs_sklearn"] = row["samples_per_second"] / anchor

    print(
        f"{N_SAMPLES} x {N_FEATURES}, {N_TASKS} binary tasks, hidden {HIDDEN}, "
        f"batch {BATCH}, Adam, {EPOCHS} epochs; best of {args.repeats} fits"
    )
    print(
        f"matmul peak: float32 {peaks['float32']:.1f} GFLOP/s, "
        f"float64 {peaks['float64']:.1f} GFLOP/s"
    )
    header = (
        f"{'model':<24}{'seconds':>9}{'samples/s':>12}{'ratio':>8}"
        f"{'GFLOP/s':>9}{'% peak':>8}{'peak MiB':>10}{'train acc':>10}"
    )
    print(header)
    print("-" * len(header))
    for name, row in results.items():
        print(
            f"{name:<24}{row['seconds']:>9.2f}{row['samples_per_second']:>12.0f}"
            f"{row['throughput_ratio_vs_sklearn']:>8.2f}{row['gflops']:>9.1f}"
            f"{100 * row['fraction_of_peak']:>8.1f}{row['peak_memory_mib']:>10.1f}"
            f"{row['train_accuracy']:>10.3f}"
        )
    report = {
        "setup": {
            "n_samples": N_SAMPLES,
            "n_features": N_FEATURES,
            "n_tasks": N_TASKS,
            "hidden_layer_sizes": HIDDEN,
            "batch_size": BATCH,
            "epochs": EPOCHS,
            "repeats": args.repeats,
        },
        "matmul_peak_gflops": peaks,
        "results": results,
        "versions": {
            "mtlearn": mtlearn.__version__,
            "sklearn": sklearn.__version__,
            "numpy": np.__version__,
            "python": platform.python_version(),
        },
    }
    path = Path(args.json)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report, indent=2))
    print(f"saved {path}")


if __name__ == "__main__":
    main()
