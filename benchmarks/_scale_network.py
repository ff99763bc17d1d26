"""Scale, part ``network``: one training epoch at 1 000 000 x 100 (issue 12).

The measurement of issue 12, item 1: float64 X of ``--n-samples`` x 100, 10
binary tasks, hidden layers (256, 128), ReLU, Adam, one epoch
(``max_iter=1``), no early stopping, no dropout, no averaging. Every fit runs
in a fresh process of its own (``spawn``), so that its peak memory is its
own: the peak resident set size (``getrusage``) after the fit minus the peak
once the data are made, as a multiple of ``X.nbytes``.

Rows of the table:

- ``mtlearn, batch B`` for B in ``--batch-sizes`` (256 first): the fit's wall
  time (target encoding, validation and all), its rate in GFLOP/s of the
  forward and backward matrix products the epoch needs, and that rate as a
  fraction of the rate of **the same products alone** at the same batch
  shapes in float32 (``np.matmul`` into preallocated arrays, measured in this
  run, in a process of its own, as many batches as the epoch has; the best
  of one BLAS thread and all of them). The target is checked on the whole
  fit; ``epoch s`` and ``epoch fr.`` are the mini-batch pass alone (the
  training loop's ``run_epoch``), for information.
- ``sklearn MLPClassifier``: the same architecture, batch 256,
  ``max_iter=1``, on the same float64 data (it trains in float64): the anchor
  of the throughput ratio.
- ``mtlearn defaults``: ``SharedRepresentationClassifier((256, 128),
  max_iter=1)`` with every other parameter at its default (``batch_size``,
  early stopping, dropout, averaging); its fraction is against the matmul
  rate at batch 256 and counts the products of all n rows.

Targets (printed ``[ok]`` / ``[MISSED]``): fraction >= 0.60 at batch 256,
throughput >= 2.5x MLPClassifier, peak memory above X <= 1.0x X (with the
requested settings and with the defaults).

    python benchmarks/bench_scale.py network [--n-samples 1000000]
        [--batch-sizes 256,1024,4096] [--no-sklearn] [--json PATH]

Timings need a quiet machine; at ``--n-samples 50000`` the script checks
that everything runs.
"""

import argparse
import json
import math
import platform
import time
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path

N_FEATURES, N_TASKS, HIDDEN = 100, 10, (256, 128)
TARGETS = {"fraction": 0.60, "ratio": 2.5, "memory": 1.0}


def epoch_flops(n_samples, widths):
    """Floating-point operations of the products of one epoch.

    Forward ``x @ W`` and weight gradient ``x.T @ delta`` for every layer,
    input gradient ``delta @ W.T`` for every layer but the first (no
    implementation computes d loss / d X): two flops per multiply-add.
    """
    pairs = list(zip(widths[:-1], widths[1:]))
    per_row = 2 * sum(a * b for a, b in pairs) + sum(a * b for a, b in pairs[1:])
    return 2 * per_row * n_samples


def _make_data(n_samples, seed=0):
    """float64 X (n_samples, 100) and 10 binary tasks, made in row blocks so
    that no temporary array raises the peak memory above X and y."""
    import numpy as np

    rng = np.random.default_rng(seed)
    X = np.empty((n_samples, N_FEATURES))
    rng.standard_normal(out=X)
    coef = rng.standard_normal((N_FEATURES, N_TASKS)) / math.sqrt(N_FEATURES)
    Y = np.empty((n_samples, N_TASKS))
    for start in range(0, n_samples, 65536):
        block = X[start : start + 65536] @ coef
        block += 0.5 * rng.standard_normal(block.shape)
        Y[start : start + 65536] = block > 0
    return X, Y


def _peak_rss_bytes():
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def _fit_job(kind, n_samples, batch_size):
    """In a fresh process: make the data, fit once, return time and memory."""
    import warnings

    import numpy as np  # noqa: F401  (imported before the memory baseline)
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier

    from mtlearn.neural_network import SharedRepresentationClassifier

    warnings.simplefilter("ignore", ConvergenceWarning)
    if kind == "mtlearn":
        model = SharedRepresentationClassifier(
            HIDDEN,
            batch_size=batch_size,
            max_iter=1,
            early_stopping=False,
            dropout=0.0,
            average=False,
            random_state=0,
        )
    elif kind == "mtlearn defaults":
        model = SharedRepresentationClassifier(HIDDEN, max_iter=1, random_state=0)
    else:
        model = MLPClassifier(HIDDEN, batch_size=batch_size, max_iter=1, random_state=0)
    epochs = _time_epochs() if kind != "sklearn" else []
    X, Y = _make_data(n_samples)
    before = _peak_rss_bytes()
    tic = time.perf_counter()
    model.fit(X, Y)
    seconds = time.perf_counter() - tic
    above = max(_peak_rss_bytes() - before, 0)
    return {
        "seconds": seconds,
        "epoch_seconds": sum(epochs) if epochs else None,
        "peak_above_X": above / X.nbytes,
        "X_bytes": X.nbytes,
        "train_accuracy": float((model.predict(X[:20000]) == Y[:20000]).mean()),
    }


def _time_epochs():
    """Time mtlearn's mini-batch passes (``run_epoch``) inside ``fit``: the
    list that the returned list fills, one entry per epoch."""
    from mtlearn.neural_network import _training

    seconds, run_epoch = [], _training.run_epoch

    def timed(*args, **kwargs):
        tic = time.perf_counter()
        try:
            return run_epoch(*args, **kwargs)
        finally:
            seconds.append(time.perf_counter() - tic)

    _training.run_epoch = timed
    return seconds


def _matmul_job(n_samples, batch_size, repeats=2):
    """In a fresh process: the epoch's products alone, float32, best time."""
    import numpy as np

    rng = np.random.default_rng(0)
    widths = (N_FEATURES, *HIDDEN, N_TASKS)
    f32 = np.float32
    W = [rng.standard_normal((a, b)).astype(f32) for a, b in zip(widths, widths[1:])]
    G = [np.empty_like(w) for w in W]
    block_batches = max(1, 65536 // batch_size)
    X = rng.standard_normal((block_batches * batch_size, N_FEATURES)).astype(f32)
    H = [np.empty((batch_size, w), dtype=f32) for w in widths[1:]]
    D = [np.empty((batch_size, w), dtype=f32) for w in widths[1:]]
    D[-1][...] = rng.standard_normal(D[-1].shape)
    n_batches = math.ceil(n_samples / batch_size)
    last = n_samples - (n_batches - 1) * batch_size

    def epoch():
        for b in range(n_batches):
            n = batch_size if b < n_batches - 1 else last
            start = (b % block_batches) * batch_size
            x = X[start : start + n]
            h = [a[:n] for a in H]
            d = [a[:n] for a in D]
            inputs = [x] + h[:-1]
            for i, w in enumerate(W):
                np.matmul(inputs[i], w, out=h[i])
            for i in range(len(W) - 1, -1, -1):
                np.matmul(inputs[i].T, d[i], out=G[i])
                if i > 0:
                    np.matmul(d[i], W[i].T, out=d[i - 1])

    from threadpoolctl import threadpool_limits

    # the best of one BLAS thread and of all of them (on a loaded machine
    # threads can be much slower): the stricter reference for the fraction
    best = math.inf
    for n_threads in (1, None):
        with threadpool_limits(n_threads):
            for _ in range(repeats):
                tic = time.perf_counter()
                epoch()
                best = min(best, time.perf_counter() - tic)
    flops = epoch_flops(n_samples, widths)
    return {"seconds": best, "gflops": flops / best / 1e9}


def _in_fresh_process(function, *args):
    with ProcessPoolExecutor(1, mp_context=get_context("spawn")) as pool:
        return pool.submit(function, *args).result()


def _mark(ok):
    return "[ok]" if ok else "[MISSED]"


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="bench_scale.py network", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--n-samples", type=int, default=1_000_000)
    parser.add_argument("--batch-sizes", default="256,1024,4096")
    parser.add_argument("--no-sklearn", action="store_true")
    parser.add_argument(
        "--json",
        default=str(Path(__file__).parent / "results" / "scale_network.json"),
    )
    args = parser.parse_args(argv)
    n = args.n_samples
    batch_sizes = [int(b) for b in args.batch_sizes.split(",")]
    if 256 not in batch_sizes:
        batch_sizes.insert(0, 256)
    flops = epoch_flops(n, (N_FEATURES, *HIDDEN, N_TASKS))
    rows = {}
    matmul = {}
    for batch in batch_sizes:
        matmul[batch] = _in_fresh_process(_matmul_job, n, batch)
        row = _in_fresh_process(_fit_job, "mtlearn", n, batch)
        row["gflops"] = flops / row["seconds"] / 1e9
        row["fraction"] = row["gflops"] / matmul[batch]["gflops"]
        row["epoch_fraction"] = matmul[batch]["seconds"] / row["epoch_seconds"]
        rows[f"mtlearn, batch {batch}"] = row
    row = _in_fresh_process(_fit_job, "mtlearn defaults", n, None)
    row["gflops"] = flops / row["seconds"] / 1e9
    row["fraction"] = row["gflops"] / matmul[256]["gflops"]
    row["epoch_fraction"] = matmul[256]["seconds"] / row["epoch_seconds"]
    rows["mtlearn defaults"] = row
    if not args.no_sklearn:
        row = _in_fresh_process(_fit_job, "sklearn", n, 256)
        row["gflops"] = flops / row["seconds"] / 1e9
        row["fraction"] = row["gflops"] / matmul[256]["gflops"]
        rows["sklearn MLPClassifier"] = row
        anchor = row["seconds"]
        for row in rows.values():
            row["throughput_ratio_vs_sklearn"] = anchor / row["seconds"]

    print(
        f"{n} x {N_FEATURES} float64, {N_TASKS} binary tasks, hidden {HIDDEN}, "
        f"one epoch; {flops / 1e9:.1f} GFLOP of products per epoch"
    )
    for batch in batch_sizes:
        print(
            f"matmul alone, float32, batch {batch}: {matmul[batch]['seconds']:.2f} s,"
            f" {matmul[batch]['gflops']:.1f} GFLOP/s"
        )
    header = (
        f"{'fit':<24}{'seconds':>9}{'GFLOP/s':>9}{'fraction':>10}"
        f"{'vs MLP':>8}{'mem/X':>7}{'acc':>7}{'epoch s':>9}{'epoch fr.':>10}"
    )
    print(header)
    print("-" * len(header))
    for name, row in rows.items():
        ratio = row.get("throughput_ratio_vs_sklearn", float("nan"))
        print(
            f"{name:<24}{row['seconds']:>9.2f}{row['gflops']:>9.1f}"
            f"{row['fraction']:>10.2f}{ratio:>8.2f}{row['peak_above_X']:>7.2f}"
            f"{row['train_accuracy']:>7.3f}"
            f"{row.get('epoch_seconds') or float('nan'):>9.2f}"
            f"{row.get('epoch_fraction', float('nan')):>10.2f}"
        )
    main_row, defaults = rows["mtlearn, batch 256"], rows["mtlearn defaults"]
    checks = [
        (
            f"fraction of the matmul rate at batch 256 >= {TARGETS['fraction']}",
            main_row["fraction"] >= TARGETS["fraction"],
        ),
        (
            f"peak memory above X <= {TARGETS['memory']}x X (batch 256)",
            main_row["peak_above_X"] <= TARGETS["memory"],
        ),
        (
            f"peak memory above X <= {TARGETS['memory']}x X (defaults)",
            defaults["peak_above_X"] <= TARGETS["memory"],
        ),
    ]
    if not args.no_sklearn:
        checks.append(
            (
                f"throughput >= {TARGETS['ratio']}x MLPClassifier (batch 256)",
                main_row["throughput_ratio_vs_sklearn"] >= TARGETS["ratio"],
            )
        )
    for what, ok in checks:
        print(f"{_mark(ok):>9} {what}")
    report = {
        "setup": {
            "n_samples": n,
            "n_features": N_FEATURES,
            "n_tasks": N_TASKS,
            "hidden_layer_sizes": HIDDEN,
            "batch_sizes": batch_sizes,
            "epoch_gflop": flops / 1e9,
        },
        "matmul": {str(b): m for b, m in matmul.items()},
        "results": rows,
        "targets": TARGETS,
    }
    write_report(report, args.json)
    return 0


def write_report(report, path):
    """Save ``report`` as JSON at ``path``, with the library versions."""
    import numpy as np
    import sklearn

    import mtlearn

    report["versions"] = {
        "mtlearn": mtlearn.__version__,
        "sklearn": sklearn.__version__,
        "numpy": np.__version__,
        "python": platform.python_version(),
    }
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report, indent=2))
    print(f"saved {path}")
