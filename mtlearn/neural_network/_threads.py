"""How many BLAS threads training uses, decided afresh at every epoch.

Mini-batch products are small. On a quiet machine, two threads still make
them faster (20 000 x 100 data, batch 256, trunk (256, 128): 0.76 s on two
threads against 0.98 s on one), but when another process holds a core each
threaded product waits for the scheduler to run its second thread, and
training slows down by an order of magnitude or more (yeast: 0.3 s on one
thread against 11-15 s on two, measured with the other core busy). So at the
start of each epoch one mini-batch-sized product is timed on one thread and on
all of them, and the epoch runs on several threads only if that is clearly
faster now. Results do not depend on the choice: the products of a row are
computed in the same order whatever the thread count.
"""

import time
from contextlib import nullcontext

import numpy as np
from threadpoolctl import ThreadpoolController

# Below this many multiply-adds per product, threads cannot pay off: one
# thread, no probe.
_MIN_MULTIPLY_ADDS = 2**20
# Threads must be at least this much faster than one thread to be used.
_SPEEDUP_REQUIRED = 1.25


class EpochThreads:
    """Context factory: ``with threads.epoch(): ...`` for each epoch."""

    def __init__(self, network, batch_size):
        layer = max(network.layers, key=lambda layer: np.prod(layer.weight_shape))
        n_in, n_out = layer.fan_in, layer.fan_out
        self._skip = batch_size * n_in * n_out < _MIN_MULTIPLY_ADDS
        self._blas = ThreadpoolController().select(user_api="blas")
        self._max_threads = max(
            (info["num_threads"] for info in self._blas.info()), default=1
        )
        self.history = []
        if self._skip:
            return
        rng = np.random.default_rng(0)
        self._a = rng.standard_normal((batch_size, n_in)).astype(network.dtype)
        self._b = rng.standard_normal((n_in, n_out)).astype(network.dtype)
        self._out = np.empty((batch_size, n_out), dtype=network.dtype)

    def _time(self, n_threads, repeats=2):
        with self._blas.limit(limits=n_threads):
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
        one, many = self._time(1), self._time(self._max_threads)
        n_threads = self._max_threads if many * _SPEEDUP_REQUIRED < one else 1
        self.history.append(n_threads)
        return self._blas.limit(limits=n_threads)
