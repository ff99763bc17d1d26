"""How many BLAS threads training uses, decided once per fit and again only
when the machine's load changes.

Mini-batch products are small. On a quiet machine, two threads still make
them faster (20 000 x 100 data, batch 256, trunk (256, 128): 0.76 s on two
threads against 0.98 s on one), but when another process holds a core each
threaded product waits for the scheduler to run its second thread, and
training slows down by an order of magnitude or more (yeast: 0.3 s on one
thread against 11-15 s on two, measured with the other core busy). So at the
first epoch one mini-batch-sized product is timed on one thread and on all of
them, and the epochs run on several threads only if that is clearly faster.
The probe is not repeated at every epoch (on small data it cost as much as a
short epoch): the time of each epoch is kept, and the probe runs again only
when an epoch takes ``_REPROBE_DRIFT`` times longer or shorter than the epoch
after the last probe (the load changed). Results do not depend on the
choice: the products of a row are computed in the same order whatever the
thread count.
"""

import time
from contextlib import nullcontext
from functools import cache

import numpy as np
from threadpoolctl import ThreadpoolController

# Below this many multiply-adds per product, threads cannot pay off: one
# thread, no probe.
_MIN_MULTIPLY_ADDS = 2**20
# Threads must be at least this much faster than one thread to be used.
_SPEEDUP_REQUIRED = 1.25
# An epoch this many times slower (or faster) than the reference epoch
# measured after the last probe makes the next epoch probe again.
_REPROBE_DRIFT = 1.5


@cache
def _blas_controller():
    """The BLAS libraries' thread controller, made once per process (making
    one inspects every loaded library: about 40 ms, once per fit before)."""
    return ThreadpoolController().select(user_api="blas")


class EpochThreads:
    """Context factory: ``with threads.epoch(): ...`` for each epoch.

    ``history`` lists the thread count chosen at each probe.
    """

    def __init__(self, network, batch_size):
        layer = max(network.layers, key=lambda layer: np.prod(layer.weight_shape))
        n_in, n_out = layer.fan_in, layer.fan_out
        self._skip = batch_size * n_in * n_out < _MIN_MULTIPLY_ADDS
        self._blas = _blas_controller()
        self._max_threads = max(
            (info["num_threads"] for info in self._blas.info()), default=1
        )
        self.history = []
        self._n_threads = None  # probe at the next epoch
        self._reference = None  # seconds of the first epoch after the probe
        if self._skip:
            return
        rng = np.random.default_rng(0)
        self._a = rng.standard_normal((batch_size, n_in)).astype(network.dtype)
        self._b = rng.standard_normal((n_in, n_out)).astype(network.dtype)
        self._out = np.empty((batch_size, n_out), dtype=network.dtype)

    def _time(self, n_threads, repeats=3):
        with self._blas.limit(limits=n_threads):
            # untimed first: the first threaded product of a process starts
            # BLAS's worker threads (milliseconds, measured: it made fresh
            # processes choose one thread in two runs of six)
            np.matmul(self._a, self._b, out=self._out)
            best = np.inf
            for _ in range(repeats):
                tic = time.perf_counter()
                np.matmul(self._a, self._b, out=self._out)
                best = min(best, time.perf_counter() - tic)
        return best

    def epoch(self):
        """A context that sets the BLAS thread count for one epoch."""
        if not self._blas.lib_controllers:
            return nullcontext()
        if self._skip or self._max_threads <= 1:
            return self._blas.limit(limits=1)
        if self._n_threads is None:
            one, many = self._time(1), self._time(self._max_threads)
            self._n_threads = self._max_threads if many * _SPEEDUP_REQUIRED < one else 1
            self._reference = None
            self.history.append(self._n_threads)
        return _TimedEpoch(self, self._blas.limit(limits=self._n_threads))

    def _epoch_took(self, seconds):
        if self._reference is None:
            self._reference = seconds
        elif not (
            self._reference / _REPROBE_DRIFT
            <= seconds
            <= self._reference * _REPROBE_DRIFT
        ):
            self._n_threads = None


class _TimedEpoch:
    """The thread limit of one epoch, timed for ``EpochThreads``."""

    def __init__(self, threads, limit):
        self._threads, self._limit = threads, limit

    def __enter__(self):
        self._tic = time.perf_counter()
        return self

    def __exit__(self, *exc):
        self._limit.restore_original_limits()
        self._threads._epoch_took(time.perf_counter() - self._tic)
