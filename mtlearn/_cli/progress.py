"""The progress report of the model fits, on stderr."""

import threading
import time


def _is_terminal(stream):
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


class _Progress:
    """Progress of the model fits.

    On a terminal, one line redrawn ten times a second: a bar of the models
    done, the model being fitted, its position and the time elapsed. Elsewhere
    (a file, a pipe, a CI log) one line per model when it starts. Either way
    a last line gives the total time.

    Parameters
    ----------
    total : int
        Number of models.

    stream : file object
        Where to write, normally ``sys.stderr``.
    """

    _BAR_WIDTH = 20
    _SPINNER = "|/-\\"

    def __init__(self, total, stream):
        self.total = total
        self.stream = stream
        self.animated = _is_terminal(stream)
        self._index, self._name, self._frame, self._drawn = 0, "", 0, 0
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = None
        self._start = time.perf_counter()

    def elapsed(self):
        """Seconds since the progress report started."""
        return time.perf_counter() - self._start

    def __enter__(self):
        self._start = time.perf_counter()
        if self.animated:
            self._thread = threading.Thread(target=self._animate, daemon=True)
            self._thread.start()
        return self

    def __exit__(self, exc_type, exc, traceback):
        if self._thread is not None:
            self._stop.set()
            self._thread.join()
            with self._lock:
                self.stream.write("\r" + " " * self._drawn + "\r")
        if exc_type is None:
            self.stream.write(f"fitted {self.total} models in {self.elapsed():.1f} s\n")
        self.stream.flush()

    def start(self, index, name):
        """Report that model ``index`` (1-based) called ``name`` starts."""
        with self._lock:
            self._index, self._name = index, name
        if self.animated:
            self._redraw()
        else:
            self.stream.write(
                f"[{index}/{self.total}] {name} (elapsed {self.elapsed():.1f} s)\n"
            )
            self.stream.flush()

    def _animate(self):
        while not self._stop.wait(0.1):
            self._redraw()

    def _redraw(self):
        with self._lock:
            done = self._BAR_WIDTH * (self._index - 1) // self.total
            bar = "#" * done + "-" * (self._BAR_WIDTH - done)
            spinner = self._SPINNER[self._frame % len(self._SPINNER)]
            self._frame += 1
            text = (
                f"[{bar}] {self._index}/{self.total} {self._name} {spinner} "
                f"{self.elapsed():.1f} s"
            )
            self.stream.write("\r" + text.ljust(self._drawn))
            self.stream.flush()
            self._drawn = len(text)
