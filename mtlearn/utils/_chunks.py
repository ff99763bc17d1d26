"""Training on data larger than memory: ``partial_fit`` over chunks of rows.

:func:`fit_chunks` is the one public entry point. The data come from a
*chunk source* (private classes below), each of which yields ``(X, y)``
chunks one at a time and never holds more than one chunk:

- ``_ArrayChunks``: an array, ``numpy.memmap``, sparse matrix or DataFrame
  ``X`` with its ``y``, cut into slices of ``chunk_size`` rows (views of a
  memmap or array, not copies);
- ``_DaskChunks``: a dask array pair, one block of rows computed at a time;
- ``_IterableChunks``: a list of ``(X, y)`` chunks, a callable returning a
  fresh iterator of chunks per epoch, or a one-shot iterator (one epoch).
"""

import copy
import mmap
import sys
from collections.abc import Sequence
from numbers import Integral, Real

import numpy as np
from sklearn.base import is_classifier
from sklearn.metrics import check_scoring
from sklearn.utils import Bunch, check_random_state
from sklearn.utils._indexing import _safe_indexing
from sklearn.utils._param_validation import HasMethods, Interval, validate_params

from .._targets import observed_targets

_DEFAULT_CHUNK_BYTES = 2**27  # 128 MiB of X per chunk when chunk_size=None


def _n_rows(data):
    return data.shape[0] if hasattr(data, "shape") else len(data)


def _n_columns(y):
    """Width of y: None for 1-D y (one task)."""
    shape = np.shape(y) if not hasattr(y, "shape") else y.shape
    return None if len(shape) == 1 else shape[1]


def _check_pair(X, y, where):
    """A chunk's X is 2-D and has as many rows as its y (1-D or 2-D)."""
    if y is None:
        raise ValueError(f"{where}: y is None; every chunk needs its targets.")
    if not hasattr(X, "shape"):
        X = np.asarray(X)
    if not hasattr(y, "shape"):
        y = np.asarray(y, dtype=object if _has_none(y) else None)
    if len(X.shape) != 2:
        raise ValueError(
            f"{where}: X must be 2-D (n_samples, n_features), got shape {X.shape}."
        )
    if len(y.shape) not in (1, 2):
        raise ValueError(
            f"{where}: y must be 1-D or 2-D (n_samples, n_tasks), got shape {y.shape}."
        )
    if X.shape[0] != y.shape[0]:
        raise ValueError(
            f"{where}: X and y have inconsistent numbers of samples: X has "
            f"{X.shape[0]} rows, y has {y.shape[0]}."
        )
    return X, y


def _has_none(y):
    try:
        return any(v is None for row in y for v in np.ravel(row))
    except TypeError:
        return False


def _release_pages(*arrays):
    """Drop the pages of memory-mapped arrays from this process.

    A read or shared ``numpy.memmap`` keeps every page it has read resident
    (and counted in the process's memory) until the kernel needs it back;
    after a chunk is used its pages are dropped, so the resident memory stays
    that of one chunk. The file's contents are untouched: pages are read
    again from the page cache or the file when next needed. Copy-on-write
    maps (``mode="c"``) keep their pages: dropping them would lose writes.
    """
    for array in arrays:
        mapping = getattr(array, "_mmap", None)
        if (
            mapping is not None
            and getattr(array, "mode", "c") in ("r", "r+", "w+")
            and hasattr(mapping, "madvise")
            and hasattr(mmap, "MADV_DONTNEED")
        ):
            try:
                mapping.madvise(mmap.MADV_DONTNEED)
            except (OSError, ValueError):  # closed map or not supported
                pass


class _ArrayChunks:
    """Slices of ``chunk_size`` rows of an array-like (X, y) pair."""

    reiterable = True

    def __init__(self, X, y, chunk_size):
        if not hasattr(X, "shape"):
            X = np.asarray(X)
        if not hasattr(y, "shape"):
            y = np.asarray(y, dtype=object if _has_none(y) else None)
        X, y = _check_pair(X, y, "X, y")
        if chunk_size is None:
            row_bytes = max(1, X.shape[1]) * getattr(X.dtype, "itemsize", 8)
            chunk_size = max(1, _DEFAULT_CHUNK_BYTES // row_bytes)
        self.X, self.y, self.chunk_size = X, y, chunk_size
        self.starts = np.arange(0, X.shape[0], chunk_size)

    @property
    def n_chunks(self):
        return len(self.starts)

    def _rows(self, i):
        start = int(self.starts[i])
        return slice(start, start + self.chunk_size)

    def chunk(self, i):
        rows = self._rows(i)
        return _safe_indexing(self.X, rows), _safe_indexing(self.y, rows)

    def targets(self):
        for i in range(self.n_chunks):
            yield _safe_indexing(self.y, self._rows(i))

    def release(self, X, y):
        _release_pages(X, y)


def _is_dask_array(data):
    array_module = sys.modules.get("dask.array")
    return array_module is not None and isinstance(data, array_module.Array)


class _DaskChunks:
    """Row blocks of a dask array pair, computed one block at a time."""

    reiterable = True

    def __init__(self, X, y, chunk_size):
        import dask
        import dask.array as da

        X = X if _is_dask_array(X) else da.asarray(X)
        y = y if _is_dask_array(y) else da.asarray(y)
        if X.ndim != 2 or y.ndim not in (1, 2):
            raise ValueError(
                f"X, y: X must be 2-D and y 1-D or 2-D, got shapes {X.shape} "
                f"and {y.shape}."
            )
        if any(np.isnan(c) for c in X.chunks[0] + y.chunks[0]):
            raise ValueError(
                "X, y: the dask arrays have unknown chunk sizes (NaN); call "
                "X.compute_chunk_sizes() and y.compute_chunk_sizes() first."
            )
        if X.shape[0] != y.shape[0]:
            raise ValueError(
                f"X, y: X and y have inconsistent numbers of samples: X has "
                f"{X.shape[0]} rows, y has {y.shape[0]}."
            )
        rows = X.chunks[0] if chunk_size is None else chunk_size
        X = X.rechunk((rows, -1))
        y = y.rechunk((X.chunks[0],) + ((-1,) if y.ndim == 2 else ()))
        self.X, self.y, self._compute = X, y, dask.compute

    @property
    def n_chunks(self):
        return len(self.X.chunks[0])

    def chunk(self, i):
        return self._compute(self.X.blocks[i], self.y.blocks[i])

    def targets(self):
        for i in range(self.n_chunks):
            yield self.y.blocks[i].compute()

    def release(self, X, y):
        pass


class _IterableChunks:
    """``(X, y)`` chunks from a list, a callable or a one-shot iterator."""

    n_chunks = None

    def __init__(self, data):
        if isinstance(data, tuple) and len(data) == 2 and _is_matrix(data[0]):
            raise ValueError(
                "X looks like one (X, y) pair: pass X and y as two arguments, "
                "fit_chunks(estimator, X, y, chunk_size=...), or a list of "
                "(X, y) chunks."
            )
        if hasattr(data, "shape") or isinstance(data, (str, bytes)):
            raise ValueError(
                "y is None, so X must be an iterable of (X, y) chunks; for one "
                "array X pass its targets: fit_chunks(estimator, X, y)."
            )
        if callable(data):
            self._make_iterator, self.reiterable = data, True
        elif isinstance(data, Sequence):
            self.data, self.reiterable = data, True
            self.n_chunks = len(data)
            self._make_iterator = lambda: iter(data)
        else:
            try:
                iterator = iter(data)
            except TypeError:
                raise TypeError(
                    "X must be an array, a dask array or an iterable of (X, y) "
                    f"chunks (or a callable returning one), got {type(data)!r}."
                ) from None
            self.reiterable = iterator is not data
            self._make_iterator = lambda: iter(data)

    def chunk(self, i):
        return _unpack(self.data[i], i)

    def __iter__(self):
        iterator = self._make_iterator()
        try:
            iterator = iter(iterator)
        except TypeError:
            raise TypeError(
                "The callable X must return an iterable of (X, y) chunks, got "
                f"{type(iterator)!r}."
            ) from None
        for i, item in enumerate(iterator):
            yield _unpack(item, i)

    def targets(self):
        for _, y in self:
            yield y

    def release(self, X, y):
        _release_pages(X, y)


def _is_matrix(data):
    return hasattr(data, "shape") and len(data.shape) == 2


def _unpack(item, i):
    try:
        X, y = item
    except (TypeError, ValueError):
        raise ValueError(
            f"chunk {i}: a chunk must be an (X, y) pair, got {type(item)!r}."
        ) from None
    return _check_pair(X, y, f"chunk {i}")


def _chunk_source(X, y, chunk_size):
    for name, data in (("X", X), ("y", y)):
        if type(data).__module__.startswith("dask.") and not _is_dask_array(data):
            raise TypeError(
                f"{name} is a {type(data).__name__}; fit_chunks takes dask "
                "arrays: convert it with .to_dask_array(lengths=True)."
            )
    if y is None:
        if chunk_size is not None:
            raise ValueError(
                "chunk_size cuts an array X with its y into chunks; with an "
                "iterable of (X, y) chunks, leave it None."
            )
        return _IterableChunks(X)
    if _is_dask_array(X) or _is_dask_array(y):
        return _DaskChunks(X, y, chunk_size)
    return _ArrayChunks(X, y, chunk_size)


def _epoch(source, rng, shuffle):
    """One epoch of (index, X, y) chunks; chunk order shuffled if we can."""
    if source.n_chunks is None or not hasattr(source, "chunk"):
        for i, (X, y) in enumerate(source):
            yield i, X, y
        return
    order = rng.permutation(source.n_chunks) if shuffle else range(source.n_chunks)
    for i in order:
        yield (int(i), *source.chunk(int(i)))


def _find_classes(source):
    """The observed classes of each task over every chunk's targets."""
    found, width = None, None
    for i, y in enumerate(source.targets()):
        array, observed = observed_targets(y)
        if found is None:
            found, width = [None] * array.shape[1], _n_columns(y)
        _check_width(y, width, i, 0)
        for t in range(array.shape[1]):
            labels = np.unique(array[observed[:, t], t])
            found[t] = labels if found[t] is None else np.union1d(found[t], labels)
    if found is None:
        raise ValueError("The data hold no chunk: nothing to train on.")
    for t, labels in enumerate(found):
        if labels is None or labels.size == 0:
            raise ValueError(
                f"task {t} has no observed label in any chunk: every value in "
                f"column {t} of y is missing."
            )
    return found[0] if width is None else found


def _check_chunk_shape(X, y, first, i):
    """A chunk has the first chunk's number of features and of tasks."""
    n_features, width, j = first
    if X.shape[1] != n_features:
        raise ValueError(
            f"chunk {i}: X has {X.shape[1]} features, but chunk {j} had {n_features}."
        )
    _check_width(y, width, i, j)


def _check_width(y, width, i, j):
    """Chunk i's y has the width of chunk j's (None: 1-D y)."""

    def tasks(n):
        return "1-D y (one task)" if n is None else f"{n} tasks"

    if _n_columns(y) != width:
        raise ValueError(
            f"chunk {i}: y has {tasks(_n_columns(y))}, but chunk {j} had "
            f"{tasks(width)}."
        )


def _validation_pair(validation):
    if not (isinstance(validation, (tuple, list)) and len(validation) == 2):
        raise ValueError(
            f"validation must be a held-out (X, y) pair, got {type(validation)!r}."
        )
    X, y = validation
    if _is_dask_array(X) or _is_dask_array(y):
        import dask

        X, y = dask.compute(X, y)
    return _check_pair(X, y, "validation")


@validate_params(
    {
        "estimator": [HasMethods(["partial_fit"])],
        "X": "no_validation",
        "y": "no_validation",
        "chunk_size": [Interval(Integral, 1, None, closed="left"), None],
        "classes": ["array-like", None],
        "n_epochs": [Interval(Integral, 1, None, closed="left")],
        "shuffle": ["boolean"],
        "shuffle_rows": ["boolean"],
        "validation": [tuple, list, None],
        "scoring": [str, callable, None],
        "n_iter_no_change": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="left")],
        "restore_best": ["boolean"],
        "random_state": ["random_state"],
        "return_history": ["boolean"],
    },
    prefer_skip_nested_validation=False,
)
def fit_chunks(
    estimator,
    X,
    y=None,
    *,
    chunk_size=None,
    classes=None,
    n_epochs=1,
    shuffle=True,
    shuffle_rows=False,
    validation=None,
    scoring=None,
    n_iter_no_change=10,
    tol=1e-4,
    restore_best=True,
    random_state=None,
    return_history=False,
):
    """Train an estimator on data larger than memory, one chunk at a time.

    Each epoch calls ``estimator.partial_fit`` once per chunk of rows, so
    that memory holds one chunk (and the model) whatever the number of rows:
    chunks are never concatenated. Works with any estimator that has
    ``partial_fit`` (mtlearn's networks, scikit-learn's ``SGDClassifier``,
    ``MLPClassifier``, ``MLPRegressor``, ...), with 1-D or 2-D ``y`` where the
    estimator takes it, and missing labels (NaN) in mtlearn's estimators.

    Parameters
    ----------
    estimator : object with ``partial_fit``
        The estimator, trained in place. An estimator fitted before keeps
        training from where it is (as ``partial_fit`` does); ``clone`` it
        first for a fresh start.
    X : array-like, numpy.memmap, sparse matrix, dask array, or iterable
        With ``y``: the data, cut into chunks of ``chunk_size`` rows. An
        array or ``numpy.memmap`` is sliced (views of the file, never a full
        copy; the pages of a used chunk of a read-only or shared memmap are
        released from the process). A dask array is computed one block of
        rows at a time (on the active ``distributed`` client, if any);
        ``y`` is rechunked to X's rows.
        Without ``y``: the chunks themselves, each an ``(X, y)`` pair: a
        list or tuple of chunks, a callable returning a fresh iterator of
        chunks at each call (one call per epoch, so the data can be read
        from disk again), or a one-shot iterator such as a generator (one
        epoch only).
    y : array-like, numpy.memmap or dask array of shape (n_samples,) or \
(n_samples, n_tasks), default=None
        Targets of ``X`` (missing labels as NaN or None); None when ``X``
        is an iterable of chunks.
    chunk_size : int, default=None
        Rows per chunk for an array or dask ``X``. None: the dask array's
        own row chunks, or for an array as many rows as fit in 128 MiB.
    classes : array-like or list of array-like, default=None
        For a classifier, all the classes of each task, passed to the first
        ``partial_fit`` call (an array for 1-D ``y``; for 2-D ``y`` the form
        the estimator takes, a list of arrays for mtlearn's). None: found by
        one pass over the targets before training (reads ``y`` only for an
        array or dask ``y``; all chunks for an iterable; a ValueError for a
        one-shot iterator, which cannot be read twice). Ignored for
        regressors.
    n_epochs : int, default=1
        Passes over the data, one ``partial_fit`` call per chunk each.
        mtlearn's ``partial_fit`` runs one epoch over its chunk, so
        ``n_epochs`` passes are as many as ``fit`` with ``max_iter=n_epochs``.
    shuffle : bool, default=True
        Shuffle the order of the chunks at each epoch (lists, arrays and
        dask arrays; a callable or an iterator gives its own order). Rows
        inside a chunk are shuffled by the estimator's own ``shuffle``.
    shuffle_rows : bool, default=False
        Also shuffle the rows inside each chunk before ``partial_fit`` (a
        copy of the chunk), for estimators that do not shuffle.
    validation : (X_val, y_val) pair, default=None
        A held-out chunk, kept in memory: scored after each epoch for early
        stopping. None: no early stopping, every epoch runs.
    scoring : str or callable, default=None
        Score of ``validation`` (greater is better): a scikit-learn scorer
        name or ``scorer(estimator, X, y)``; None is ``estimator.score``
        (mtlearn's: mean over tasks on the observed labels).
    n_iter_no_change : int, default=10
        With ``validation``: stop after this many epochs in a row without
        an improvement of the validation score by at least ``tol``.
    tol : float, default=1e-4
        Smallest improvement of the validation score that counts.
    restore_best : bool, default=True
        With ``validation``: leave the estimator as it was after its best
        epoch (a deep copy of its state is kept, the size of the model).
        False: leave it as after the last epoch.
    random_state : int, RandomState instance or None, default=None
        Seeds the chunk order and the row shuffles (the estimator's own
        randomness follows its own ``random_state``).
    return_history : bool, default=False
        Also return the history of the run.

    Returns
    -------
    estimator : object
        The estimator, trained.
    history : Bunch
        Only with ``return_history``: ``n_epochs`` (epochs run),
        ``n_chunks`` and ``n_samples`` (per epoch), ``validation_scores``
        (one per epoch, empty without ``validation``), ``best_epoch`` (0-based
        epoch of the best validation score, None without ``validation``;
        the estimator's state with ``restore_best``) and ``stopped_early``.

    Notes
    -----
    A chunk in which a task has no observed label trains the other tasks
    only (that task has zero weight in the update), once the classes are
    known (``classes``, found by this function when not given) or, for a
    regressor, after the first chunk, which sets the target scaling and so
    needs a label of every task.

    ``dask_ml.wrappers.Incremental`` trains on dask arrays too but only for
    1-D ``y``; this function takes 2-D (multi-task) ``y`` as well.

    Examples
    --------
    >>> import numpy as np
    >>> from mtlearn.neural_network import SharedRepresentationClassifier
    >>> from mtlearn.utils import fit_chunks
    >>> rng = np.random.RandomState(0)
    >>> X = rng.normal(size=(600, 4))
    >>> Y = np.column_stack([X[:, 0] > 0, X[:, 1] > 0]).astype(float)
    >>> Y[::7, 1] = np.nan  # missing labels, as in fit
    >>> clf = SharedRepresentationClassifier(
    ...     (16,), learning_rate_init=0.01, early_stopping=False, dropout=0.0,
    ...     random_state=0)
    >>> clf, history = fit_chunks(
    ...     clf, X[:500], Y[:500], chunk_size=250, n_epochs=20,
    ...     validation=(X[500:], Y[500:]), random_state=0, return_history=True)
    >>> history.n_chunks, history.n_epochs == len(history.validation_scores)
    (2, True)
    >>> bool(clf.score(X[500:], Y[500:]) > 0.85)
    True
    """
    rng = check_random_state(random_state)
    source = _chunk_source(X, y, chunk_size)
    if n_epochs > 1 and not source.reiterable:
        raise ValueError(
            f"n_epochs={n_epochs} needs data that can be read again, but X is "
            "a one-shot iterator: pass a list of chunks or a callable that "
            "returns a fresh iterator of chunks, or n_epochs=1."
        )
    classify = is_classifier(estimator)
    if classify and classes is None:
        if not source.reiterable:
            raise ValueError(
                "classes=None needs one pass over the targets to find the "
                "classes, but X is a one-shot iterator: pass classes=."
            )
        classes = _find_classes(source)
    if validation is not None:
        X_val, y_val = _validation_pair(validation)
        scorer = check_scoring(estimator, scoring)
    history = Bunch(
        n_epochs=0,
        n_chunks=0,
        n_samples=0,
        validation_scores=[],
        best_epoch=None,
        stopped_early=False,
    )
    best_score, best_state, no_improvement = -np.inf, None, 0
    first_call, first_shape = True, None
    for epoch in range(n_epochs):
        n_chunks = n_samples = 0
        for i, X_chunk, y_chunk in _epoch(source, rng, shuffle):
            if first_shape is None:
                first_shape = (X_chunk.shape[1], _n_columns(y_chunk), i)
            _check_chunk_shape(X_chunk, y_chunk, first_shape, i)
            read = (X_chunk, y_chunk)
            if shuffle_rows:
                rows = rng.permutation(X_chunk.shape[0])
                X_chunk = _safe_indexing(X_chunk, rows)
                y_chunk = _safe_indexing(y_chunk, rows)
            if first_call and classify:
                estimator.partial_fit(X_chunk, y_chunk, classes=classes)
            else:
                estimator.partial_fit(X_chunk, y_chunk)
            source.release(*read)
            first_call = False
            n_chunks += 1
            n_samples += X_chunk.shape[0]
        if n_chunks == 0:
            raise ValueError(f"epoch {epoch}: the data hold no chunk.")
        history.n_epochs, history.n_chunks = epoch + 1, n_chunks
        history.n_samples = n_samples
        if validation is None:
            continue
        score = float(scorer(estimator, X_val, y_val))
        history.validation_scores.append(score)
        no_improvement = 0 if score >= best_score + tol else no_improvement + 1
        if score > best_score:
            best_score, history.best_epoch = score, epoch
            if restore_best and epoch + 1 < n_epochs:
                best_state = copy.deepcopy(vars(estimator))
        if no_improvement >= n_iter_no_change:
            history.stopped_early = epoch + 1 < n_epochs
            break
    if best_state is not None and history.best_epoch != history.n_epochs - 1:
        vars(estimator).clear()
        vars(estimator).update(best_state)
    return (estimator, history) if return_history else estimator
