"""Scale: the network and the linear models at millions of rows (issue 12).

One entry point, one part per concern; each part lives in its own module
(``benchmarks/_scale_<part>.py``) with a ``main(argv)`` function and its
own ``--help``:

- ``network``: training throughput of the shared-representation network at
  1 000 000 x 100 against ``MLPClassifier`` of the same architecture and
  against the rate of the same matrix products alone; peak memory above X;
  the fraction at several batch sizes and with the defaults.
- ``latency``: ``predict`` / ``predict_proba`` on one row and on 1 000 rows
  against ``MLPClassifier``.
- ``stream``: training from a memory-mapped file in chunks
  (``mtlearn.utils.fit_chunks``): peak memory at 1M and 10M rows, quality
  against the in-memory fit.
- ``sparse``: the multi-task logistic models on text-like sparse data
  against one ``LogisticRegression`` per label; the ``l21`` fit on yeast
  against per-label ``LogisticRegression(lbfgs)``.

Every fit whose memory is reported runs in its own process, so its peak
memory is its own. Timings need a quiet machine: run one part at a time,
with nothing else running.

    python benchmarks/bench_scale.py {network,latency,stream,sparse} [options]
"""

import importlib
import sys
from pathlib import Path

PARTS = ("network", "latency", "stream", "sparse")


def main(argv=None):
    argv = sys.argv[1:] if argv is None else list(argv)
    if not argv or argv[0] not in PARTS:
        print(__doc__)
        print(f"choose a part: {', '.join(PARTS)}")
        return 2
    sys.path.insert(0, str(Path(__file__).parent))
    module = importlib.import_module(f"_scale_{argv[0]}")
    return module.main(argv[1:])


if __name__ == "__main__":
    sys.exit(main())
