"""Scale, part ``stream``: training from a memory-mapped file (issue 12).

The measurement of issue 12, item 2. A float32 X of ``--n-samples`` x 100
(4 GB at the default 10 000 000 rows) and its 10 binary tasks are written to
memory-mapped files in a temporary directory, in blocks of rows (the writer's
memory is one block, whatever n), with ``--n-test`` more rows held out for
the scores. The labels come from a fixed random network (100 -> 32 tanh ->
10, plus logistic noise), so that they are learnable and not linear.

Three fits, each in a fresh process of its own (``spawn``), so that its peak
memory is its own:

- ``stream, small``: ``mtlearn.utils.fit_chunks`` on the first ``--small``
  rows of the memmap (default 1 000 000, or n / 10 when n is smaller), in
  chunks of ``--chunk-size`` rows, ``--epochs`` passes;
- ``stream, n``: the same on all ``--n-samples`` rows;
- ``in memory, small``: ``fit`` on the first ``--small`` rows read into
  memory, ``max_iter=--epochs``: the reference of the quality.

The same network in all three: ``SharedRepresentationClassifier((256, 128),
batch_size=256, early_stopping=False, dropout=0.0, random_state=0)``, its
other parameters at their defaults.

Memory, per fit: the peak resident set size (``getrusage``) during the fit
minus the resident size before it (imports done, memmaps opened), and the
peak of the anonymous resident memory (``RssAnon``, sampled every 10 ms;
pages of the file that the kernel can drop are not in it). Quality: micro-F1
of ``predict`` and the mean log-loss over the tasks on the held-out rows.

Targets (printed ``[ok]`` / ``[MISSED]``): peak memory of the stream
independent of n (the peak at n at most 1.25 x the peak at the small size,
plus 32 MiB of slack for the allocator); the stream on the small size within
0.01 micro-F1 and 0.01 log-loss of the in-memory fit on the same rows (the
spread over seeds of the small tests is below 0.005).

    python benchmarks/bench_scale.py stream [--n-samples 10000000]
        [--small 1000000] [--chunk-size 100000] [--epochs 1]
        [--n-test 100000] [--tmp-dir DIR] [--json PATH]

The data files are deleted at the end. Timings need a quiet machine; at
``--n-samples 200000 --chunk-size 10000`` the script checks that everything
runs in a minute or so.
"""

import argparse
import math
import shutil
import tempfile
import threading
import time
from pathlib import Path

from _scale_network import (  # noqa: E402  (benchmarks/ on sys.path)
    _in_fresh_process,
    _mark,
    _peak_rss_bytes,
    write_report,
)

N_FEATURES, N_TASKS, HIDDEN, BATCH = 100, 10, (256, 128), 256
BLOCK = 65536  # rows written at a time
TARGETS = {"memory_ratio": 1.25, "memory_slack_mib": 32, "f1": 0.01, "log_loss": 0.01}


def _network_params():
    return dict(
        hidden_layer_sizes=HIDDEN,
        batch_size=BATCH,
        early_stopping=False,
        dropout=0.0,
        random_state=0,
    )


def _write_data(directory, n_rows, seed=0):
    """In a fresh process: X and Y as raw float32 files, one block at a time
    (read back with ``numpy.memmap``)."""
    import numpy as np

    rng = np.random.default_rng(seed)
    w1 = rng.standard_normal((N_FEATURES, 32)) / math.sqrt(N_FEATURES)
    w2 = rng.standard_normal((32, N_TASKS)) * 1.5
    bias = rng.normal(scale=0.5, size=N_TASKS)
    directory = Path(directory)
    positives = 0
    with open(directory / "X.f32", "wb") as X, open(directory / "Y.f32", "wb") as Y:
        for start in range(0, n_rows, BLOCK):
            size = min(BLOCK, n_rows - start)
            block = rng.standard_normal((size, N_FEATURES), dtype=np.float32)
            logits = np.tanh(block @ w1) @ w2 + bias
            labels = (logits + rng.logistic(size=logits.shape) > 0).astype(np.float32)
            positives += int(labels.sum())
            block.tofile(X)
            labels.tofile(Y)
    return positives / (n_rows * N_TASKS)


def _open(directory, n_rows):
    import numpy as np

    directory = Path(directory)
    X = np.memmap(directory / "X.f32", np.float32, "r", shape=(n_rows, N_FEATURES))
    Y = np.memmap(directory / "Y.f32", np.float32, "r", shape=(n_rows, N_TASKS))
    return X, Y


class _AnonPeak:
    """Samples this process's anonymous resident memory (RssAnon)."""

    def __init__(self, interval=0.01):
        self.interval, self.peak, self._stop = interval, 0, threading.Event()

    @staticmethod
    def now():
        try:
            with open("/proc/self/status") as status:
                for line in status:
                    if line.startswith("RssAnon:"):
                        return int(line.split()[1]) * 1024
        except OSError:
            pass
        return 0

    def _run(self):
        while not self._stop.is_set():
            self.peak = max(self.peak, self.now())
            self._stop.wait(self.interval)

    def __enter__(self):
        self.peak = self.now()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self.now())


def _fit_job(kind, directory, n_total, n_rows, n_test, chunk_size, epochs):
    """In a fresh process: one fit, its time, memory and held-out scores."""
    import warnings

    import numpy as np
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.metrics import f1_score, log_loss

    from mtlearn.neural_network import SharedRepresentationClassifier
    from mtlearn.utils import fit_chunks

    warnings.simplefilter("ignore", ConvergenceWarning)
    X_map, Y_map = _open(directory, n_total)
    X_test = np.array(X_map[n_total - n_test :])
    Y_test = np.array(Y_map[n_total - n_test :])
    model = SharedRepresentationClassifier(**_network_params())
    if kind == "in memory":
        X, Y = np.array(X_map[:n_rows]), np.array(Y_map[:n_rows])
        model.set_params(max_iter=epochs, n_iter_no_change=epochs)
    rss_before, anon_before = _peak_rss_bytes(), _AnonPeak.now()
    tic = time.perf_counter()
    with _AnonPeak() as anon:
        if kind == "in memory":
            model.fit(X, Y)
        else:
            fit_chunks(
                model,
                X_map[:n_rows],
                Y_map[:n_rows],
                chunk_size=chunk_size,
                n_epochs=epochs,
                classes=[[0.0, 1.0]] * N_TASKS,
                random_state=0,
            )
    seconds = time.perf_counter() - tic
    peak_above = max(_peak_rss_bytes() - rss_before, 0)
    probas = model.predict_proba(X_test)
    return {
        "n_rows": n_rows,
        "seconds": seconds,
        "rows_per_second": epochs * n_rows / seconds,
        "peak_rss_above_start_mib": peak_above / 2**20,
        "peak_anon_above_start_mib": max(anon.peak - anon_before, 0) / 2**20,
        "micro_f1": float(f1_score(Y_test, model.predict(X_test), average="micro")),
        "log_loss": float(
            np.mean([log_loss(Y_test[:, t], probas[t]) for t in range(N_TASKS)])
        ),
        "n_iter": int(model.n_iter_),
    }


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="bench_scale.py stream", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--n-samples", type=int, default=10_000_000)
    parser.add_argument("--small", type=int, default=None)
    parser.add_argument("--chunk-size", type=int, default=100_000)
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--n-test", type=int, default=100_000)
    parser.add_argument("--tmp-dir", default=None)
    parser.add_argument(
        "--json",
        default=str(Path(__file__).parent / "results" / "scale_stream.json"),
    )
    args = parser.parse_args(argv)
    n, n_test = args.n_samples, args.n_test
    small = args.small or min(1_000_000, n // 10)
    n_total = n + n_test
    need = n_total * (N_FEATURES + N_TASKS) * 4
    directory = Path(tempfile.mkdtemp(prefix="mtlearn_stream_", dir=args.tmp_dir))
    try:
        free = shutil.disk_usage(directory).free
        if free < 1.1 * need:
            raise SystemExit(
                f"{directory}: {need / 2**30:.1f} GiB needed for the data, "
                f"{free / 2**30:.1f} GiB free; choose another --tmp-dir."
            )
        tic = time.perf_counter()
        positive_rate = _in_fresh_process(_write_data, str(directory), n_total)
        written = time.perf_counter() - tic
        common = (str(directory), n_total)
        rest = (n_test, args.chunk_size, args.epochs)
        rows = {
            "stream, small": _in_fresh_process(
                _fit_job, "stream", *common, small, *rest
            ),
            "stream, n": _in_fresh_process(_fit_job, "stream", *common, n, *rest),
            "in memory, small": _in_fresh_process(
                _fit_job, "in memory", *common, small, *rest
            ),
        }
    finally:
        shutil.rmtree(directory, ignore_errors=True)

    print(
        f"X: {n} x {N_FEATURES} float32 ({n * N_FEATURES * 4 / 2**30:.2f} GiB) "
        f"+ {n_test} held-out rows, {N_TASKS} binary tasks ({positive_rate:.0%} "
        f"positive), written in {written:.1f} s; chunks of {args.chunk_size} rows "
        f"({args.chunk_size * N_FEATURES * 4 / 2**20:.0f} MiB); {args.epochs} "
        f"epoch(s); network {HIDDEN}, batch {BATCH}"
    )
    header = (
        f"{'fit':<18}{'rows':>10}{'seconds':>9}{'rows/s':>10}"
        f"{'RSS+ MiB':>10}{'anon+ MiB':>10}{'micro-F1':>10}{'log-loss':>10}"
    )
    print(header)
    print("-" * len(header))
    for name, row in rows.items():
        print(
            f"{name:<18}{row['n_rows']:>10}{row['seconds']:>9.1f}"
            f"{row['rows_per_second']:>10.0f}{row['peak_rss_above_start_mib']:>10.0f}"
            f"{row['peak_anon_above_start_mib']:>10.0f}{row['micro_f1']:>10.4f}"
            f"{row['log_loss']:>10.4f}"
        )
    at_small, at_n, memory = (
        rows["stream, small"],
        rows["stream, n"],
        rows["in memory, small"],
    )
    slack = TARGETS["memory_slack_mib"]
    checks = []
    for key, what in (
        ("peak_rss_above_start_mib", "peak RSS"),
        ("peak_anon_above_start_mib", "peak anonymous memory"),
    ):
        bound = TARGETS["memory_ratio"] * at_small[key] + slack
        checks.append(
            (
                f"{what} of the stream independent of n: {at_n[key]:.0f} MiB at "
                f"{n} rows <= {TARGETS['memory_ratio']} x {at_small[key]:.0f} + "
                f"{slack} MiB at {small}",
                at_n[key] <= bound,
            )
        )
    f1_gap = at_small["micro_f1"] - memory["micro_f1"]
    loss_gap = at_small["log_loss"] - memory["log_loss"]
    checks += [
        (
            f"stream vs in-memory fit on {small} rows: micro-F1 {f1_gap:+.4f} "
            f"(>= -{TARGETS['f1']})",
            f1_gap >= -TARGETS["f1"],
        ),
        (
            f"stream vs in-memory fit on {small} rows: log-loss {loss_gap:+.4f} "
            f"(<= +{TARGETS['log_loss']})",
            loss_gap <= TARGETS["log_loss"],
        ),
    ]
    for what, ok in checks:
        print(f"{_mark(ok):>9} {what}")
    report = {
        "setup": {
            "n_samples": n,
            "small": small,
            "n_test": n_test,
            "n_features": N_FEATURES,
            "n_tasks": N_TASKS,
            "chunk_size": args.chunk_size,
            "epochs": args.epochs,
            "network": _network_params(),
            "write_seconds": written,
            "positive_rate": positive_rate,
        },
        "results": rows,
        "targets": TARGETS,
        "checks": {what: bool(ok) for what, ok in checks},
    }
    write_report(report, args.json)
    return 0
