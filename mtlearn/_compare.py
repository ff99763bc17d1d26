"""``python -m mtlearn compare``: mtlearn against scikit-learn on one data set.

The command fits every registered model on the training part of a multi-label
data set, predicts the test part and prints one table of multi-label metrics
and fit times; ``--json`` saves the same results, ``--plot`` draws them.

The pieces, in the order the command uses them:

- the model registry ``_MODELS``: one ``_Model(name, description, factory)``
  entry per model, where ``factory(seed)`` returns an unfitted estimator that
  goes behind the same ``StandardScaler`` in a ``Pipeline``;
- the metrics ``_COLUMNS``: one ``_Column`` per table column;
- the data: a bundled data set with its published split, or a user's CSV file
  split at random;
- ``_Progress``: the progress report on stderr;
- ``main``: the argument parser and the run.
"""

import argparse
import csv
import gzip
import json
import os
import platform
import sys
import threading
import time
import warnings
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import numpy as np
import sklearn
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, f1_score, hamming_loss
from sklearn.model_selection import train_test_split
from sklearn.multioutput import ClassifierChain, MultiOutputClassifier
from sklearn.neighbors import KNeighborsClassifier
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.validation import check_is_fitted

from mtlearn import __version__


class _InputError(Exception):
    """Bad command-line input found after parsing: reported in one line."""


# --------------------------------------------------------------------------
# Models


class _ClassifierChainEnsemble(ClassifierMixin, BaseEstimator):
    """Mean of classifier chains, each with its own random label order.

    Every chain is a :class:`~sklearn.multioutput.ClassifierChain` with
    ``order="random"``; the ensemble averages the chains' probabilities of
    each label being 1 and predicts 1 where that mean is at least 0.5.

    Parameters
    ----------
    estimator : estimator object
        Binary classifier with ``predict_proba``, cloned for every label of
        every chain.

    n_chains : int, default=10
        Number of chains.

    random_state : int or None, default=None
        Chain ``i`` orders the labels with seed ``random_state + i``; None
        draws a fresh order for every chain.

    Attributes
    ----------
    chains_ : list of ClassifierChain
        The fitted chains.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> X = np.array([[0.0], [1.0], [2.0], [3.0]])
    >>> Y = np.array([[0, 0], [0, 1], [1, 1], [1, 1]])
    >>> ensemble = _ClassifierChainEnsemble(
    ...     LogisticRegression(), n_chains=3, random_state=0
    ... ).fit(X, Y)
    >>> ensemble.predict_proba(X).shape
    (4, 2)
    """

    def __init__(self, estimator, *, n_chains=10, random_state=None):
        self.estimator = estimator
        self.n_chains = n_chains
        self.random_state = random_state

    def fit(self, X, Y):
        """Fit every chain on the same data.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Features.

        Y : array-like of shape (n_samples, n_labels)
            Labels, 0 or 1.

        Returns
        -------
        self : object
            The fitted ensemble.
        """
        if self.random_state is None:
            seeds = [None] * self.n_chains
        else:
            seeds = range(self.random_state, self.random_state + self.n_chains)
        self.chains_ = [
            ClassifierChain(
                clone(self.estimator), order="random", random_state=seed
            ).fit(X, Y)
            for seed in seeds
        ]
        return self

    def predict_proba(self, X):
        """Mean over the chains of the probability of each label being 1.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Features.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_labels)
            Probability of label 1, one column per label (the layout of
            ``ClassifierChain.predict_proba``).
        """
        check_is_fitted(self)
        return np.mean([chain.predict_proba(X) for chain in self.chains_], axis=0)

    def predict(self, X):
        """Predict 1 where the mean probability is at least 0.5.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Features.

        Returns
        -------
        Y : ndarray of shape (n_samples, n_labels)
            Predicted labels, 0 or 1.
        """
        return (self.predict_proba(X) >= 0.5).astype(np.int64)


class _ConstantLabelClassifier(ClassifierMixin, BaseEstimator):
    """A binary classifier that fits a label with one class as a constant.

    scikit-learn's ``LogisticRegression`` (like most single-output
    classifiers) refuses a label with one class in its training rows, which
    a rare label of a multi-label data set often has. This wrapper does what
    a ``MultiOutputClassifier`` or ``ClassifierChain`` user has to do then:
    it fits ``estimator`` when both classes occur, and otherwise predicts the
    one class seen with probability 1. Either way ``classes_`` is
    ``classes``, so that ``predict_proba`` always has a column per class
    (what ``ClassifierChain`` reads).

    Parameters
    ----------
    estimator : estimator object
        Binary classifier with ``predict_proba``.

    classes : tuple, default=(0, 1)
        The two classes of the label.

    Attributes
    ----------
    classes_ : ndarray of shape (2,)
        The classes.

    estimator_ : estimator object or None
        The fitted estimator; None when the label had one class.

    constant_ : int
        Index in ``classes_`` of the class predicted when ``estimator_`` is
        None.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> X = np.array([[0.0], [1.0], [2.0]])
    >>> model = _ConstantLabelClassifier(LogisticRegression()).fit(X, [0, 0, 0])
    >>> model.predict_proba(X[:1])
    array([[1., 0.]])
    """

    def __init__(self, estimator, *, classes=(0, 1)):
        self.estimator = estimator
        self.classes = classes

    def fit(self, X, y):
        """Fit ``estimator``, or remember the one class of ``y``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Features.

        y : array-like of shape (n_samples,)
            Labels, from ``classes``.

        Returns
        -------
        self : object
            The fitted classifier.
        """
        self.classes_ = np.asarray(self.classes)
        seen = np.unique(y)
        if seen.size == 1:
            self.estimator_ = None
            self.constant_ = int(np.flatnonzero(self.classes_ == seen[0])[0])
        else:
            self.estimator_ = clone(self.estimator).fit(X, y)
        return self

    def predict_proba(self, X):
        """Probabilities of ``classes_``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Features.

        Returns
        -------
        proba : ndarray of shape (n_samples, 2)
            One column per class of ``classes_``.
        """
        check_is_fitted(self)
        if self.estimator_ is not None:
            return self.estimator_.predict_proba(X)
        proba = np.zeros((len(X), len(self.classes_)))
        proba[:, self.constant_] = 1.0
        return proba

    def predict(self, X):
        """The class of highest probability.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Features.

        Returns
        -------
        y : ndarray of shape (n_samples,)
            Predicted labels.
        """
        return self.classes_[np.argmax(self.predict_proba(X), axis=1)]


def _logistic():
    """Per-label logistic regression that fits a constant label as one."""
    return _ConstantLabelClassifier(LogisticRegression(max_iter=1000))


def _shared_network(seed):
    # Imported here so that the other models run where this one cannot.
    from mtlearn.neural_network import SharedRepresentationClassifier

    return SharedRepresentationClassifier(random_state=seed)


@dataclass(frozen=True)
class _Model:
    """One entry of the registry.

    ``factory(seed)`` returns the unfitted estimator; ``main`` puts it behind a
    ``StandardScaler`` in a ``Pipeline``.
    """

    name: str
    description: str
    factory: Callable[[int], BaseEstimator]


_MODELS = (
    _Model(
        "shared-network",
        "mtlearn SharedRepresentationClassifier: shared trunk, one head per label",
        _shared_network,
    ),
    _Model(
        "logistic",
        "one LogisticRegression per label (MultiOutputClassifier)*",
        lambda seed: MultiOutputClassifier(_logistic()),
    ),
    _Model(
        "classifier-chains",
        "mean of 10 LogisticRegression ClassifierChains, random label orders*",
        lambda seed: _ClassifierChainEnsemble(
            _logistic(), n_chains=10, random_state=seed
        ),
    ),
    _Model(
        "mlp",
        "MLPClassifier, one hidden layer of 256, early stopping",
        lambda seed: MLPClassifier(
            hidden_layer_sizes=(256,),
            alpha=1e-2,
            early_stopping=True,
            max_iter=500,
            random_state=seed,
        ),
    ),
    _Model(
        "random-forest",
        "RandomForestClassifier, 300 trees, on all cores",
        lambda seed: RandomForestClassifier(
            n_estimators=300, n_jobs=-1, random_state=seed
        ),
    ),
    _Model(
        "knn",
        "KNeighborsClassifier, 10 neighbours",
        lambda seed: KNeighborsClassifier(n_neighbors=10),
    ),
)


def _make_pipeline(model, seed):
    """Return ``Pipeline([("scale", StandardScaler()), ("model", ...)])``."""
    try:
        estimator = model.factory(seed)
    except ImportError as exc:
        raise _InputError(f"model {model.name!r} is not available: {exc}") from exc
    return Pipeline([("scale", StandardScaler()), ("model", estimator)])


# --------------------------------------------------------------------------
# Metrics


@dataclass(frozen=True)
class _Column:
    """One numeric column of the table and one key of each model's results.

    ``score(Y_true, Y_pred)`` computes a metric; the fit time has none.
    """

    key: str
    header: str
    lower_is_better: bool
    digits: int
    score: Callable | None = None


_METRICS = (
    _Column("hamming_loss", "Hamming loss", True, 4, hamming_loss),
    _Column(
        "f1_micro",
        "micro-F1",
        False,
        4,
        partial(f1_score, average="micro", zero_division=0),
    ),
    _Column(
        "f1_macro",
        "macro-F1",
        False,
        4,
        partial(f1_score, average="macro", zero_division=0),
    ),
    _Column(
        "f1_samples",
        "example-F1",
        False,
        4,
        partial(f1_score, average="samples", zero_division=0),
    ),
    _Column("subset_accuracy", "subset acc.", False, 4, accuracy_score),
)
_COLUMNS = (*_METRICS, _Column("fit_seconds", "fit time (s)", True, 2))


def _best(results):
    """Names of the models with the best value of each column.

    Values are compared as the table rounds them, so a tie in the table is a
    tie here.

    Parameters
    ----------
    results : list of dict
        One dict per model, with ``"name"`` and one key per column.

    Returns
    -------
    best : dict of str to list of str
        Column key -> names of the best models, in registry order.
    """
    best = {}
    for column in _COLUMNS:
        values = [round(result[column.key], column.digits) for result in results]
        target = min(values) if column.lower_is_better else max(values)
        best[column.key] = [
            result["name"]
            for result, value in zip(results, values, strict=True)
            if value == target
        ]
    return best


# --------------------------------------------------------------------------
# Data


@dataclass
class _Data:
    """A multi-label data set split into a training and a test part."""

    name: str
    source: str
    split: str
    X_train: np.ndarray
    Y_train: np.ndarray
    X_test: np.ndarray
    Y_test: np.ndarray
    label_names: list
    test_size: float | None = None


_BUNDLED = {"yeast": "load_yeast", "emotions": "load_emotions"}
_MISSING_LABELS = {"", "?", "na", "nan", "n/a", "null", "none"}


def _load_bundled(name):
    """Load a bundled data set with its published train/test split."""
    from mtlearn import datasets

    loader = getattr(datasets, _BUNDLED[name])
    train, test = loader(subset="train"), loader(subset="test")
    return _Data(
        name=name,
        source="bundled",
        split="standard train/test split",
        X_train=np.asarray(train.data, dtype=np.float64),
        Y_train=np.asarray(train.target, dtype=np.int64),
        X_test=np.asarray(test.data, dtype=np.float64),
        Y_test=np.asarray(test.target, dtype=np.int64),
        label_names=[str(name) for name in train.target_names],
    )


def _read_rows(path):
    """Read a CSV file (``.gz`` is decompressed) into header and rows.

    Returns
    -------
    header : list of str
        Column names, stripped of surrounding spaces.

    rows : list of list of str
        The data rows; blank lines are skipped.

    lines : list of int
        Line number in the file of each row, for error messages.
    """
    opener = gzip.open if path.endswith(".gz") else open
    header, rows, lines = None, [], []
    try:
        with opener(path, "rt", encoding="utf-8-sig", newline="") as file:
            reader = csv.reader(file)
            for row in reader:
                if not row:
                    continue
                if header is None:
                    header = [name.strip() for name in row]
                elif len(row) != len(header):
                    raise _InputError(
                        f"{path}: line {reader.line_num} has {len(row)} fields, "
                        f"the header has {len(header)}"
                    )
                else:
                    rows.append(row)
                    lines.append(reader.line_num)
    except FileNotFoundError:
        raise _InputError(f"{path}: no such file") from None
    except UnicodeDecodeError:
        raise _InputError(f"{path}: not a UTF-8 text file") from None
    except csv.Error as exc:
        raise _InputError(f"{path}: not a readable CSV file: {exc}") from None
    except OSError as exc:
        raise _InputError(f"{path}: {exc.strerror or exc}") from None
    if header is None:
        raise _InputError(f"{path}: the file is empty")
    if not rows:
        raise _InputError(f"{path}: the file has a header but no data rows")
    seen = Counter(header)
    twice = [name for name, count in seen.items() if count > 1]
    if twice:
        raise _InputError(f"{path}: column {twice[0]!r} appears twice in the header")
    return header, rows, lines


def _label_columns(path, header, labels, label_prefix):
    """Positions of the label columns and the label names to report."""
    if labels is not None:
        unknown = [name for name in labels if name not in header]
        if unknown:
            shown = ", ".join(header[:10]) + (", ..." if len(header) > 10 else "")
            raise _InputError(
                f"{path}: label column {unknown[0]!r} is not in the header "
                f"(columns: {shown})"
            )
        positions = [header.index(name) for name in dict.fromkeys(labels)]
        names = [header[j] for j in positions]
    else:
        positions = [
            j for j, name in enumerate(header) if name.startswith(label_prefix)
        ]
        if not positions:
            raise _InputError(f"{path}: no column name starts with {label_prefix!r}")
        names = [header[j].removeprefix(label_prefix) for j in positions]
    if len(positions) < 2:
        raise _InputError(
            f"{path}: compare needs at least two label columns, got {names[0]!r} only"
        )
    if len(positions) == len(header):
        raise _InputError(f"{path}: every column is a label; no features are left")
    return positions, names


def _parse_features(path, header, rows, lines, positions):
    """Feature matrix of the columns at ``positions``; every cell a finite number."""
    cells = np.array([[row[j] for j in positions] for row in rows], dtype=str)
    try:
        X = cells.astype(np.float64)
    except ValueError:
        X = None
    bad = None
    if X is None:
        # Slow path only to name the first offending cell.
        for i, j in np.ndindex(cells.shape):
            try:
                float(cells[i, j])
            except ValueError:
                bad = (i, j)
                break
    elif not np.isfinite(X).all():
        bad = tuple(np.argwhere(~np.isfinite(X))[0])
    if bad is not None:
        i, j = bad
        cell = cells[i, j].strip()
        what = "is empty" if not cell else f"holds {cell!r}, not a finite number"
        raise _InputError(
            f"{path}: line {lines[i]}: feature column {header[positions[j]]!r} "
            f"{what} (features must be numeric, with no missing values)"
        )
    return X


def _encode_labels(path, column, cells, lines):
    """Encode one label column as 0/1.

    Numbers sort numerically, other values as text; the smaller value becomes
    0 and the larger 1. A column with one value (a label that never occurs,
    or always does) keeps it when it is 0 or 1, and becomes 0 otherwise.

    Returns
    -------
    y : ndarray of shape (n_samples,), dtype int64
        The encoded labels.

    note : str or None
        How the values were encoded, unless they were 0 and 1.
    """
    cells = [cell.strip() for cell in cells]
    for cell, line in zip(cells, lines, strict=True):
        if cell.lower() in _MISSING_LABELS:
            raise _InputError(
                f"{path}: line {line}: label column {column!r} has a missing value "
                f"({cell!r}); compare needs every label observed, because the "
                "scikit-learn models cannot leave missing labels out"
            )
    try:
        keys = [float(cell) for cell in cells]
    except ValueError:
        keys = cells
    distinct = sorted(set(keys))
    if len(distinct) > 2:
        examples = ", ".join(repr(value) for value in sorted(set(cells))[:5])
        raise _InputError(
            f"{path}: label column {column!r} has {len(distinct)} distinct "
            f"values ({examples}); a label needs two, e.g. 0 and 1 (or one, "
            "for a label that never varies)"
        )
    if len(distinct) == 1:  # a constant label: 0 or 1 as written, else 0
        value = distinct[0]
        if value in (0.0, 1.0):
            return np.full(len(cells), int(value), dtype=np.int64), None
        note = f"label column {column!r} has one value only: {cells[0]!r} -> 0"
        return np.zeros(len(cells), dtype=np.int64), note
    y = np.array([key == distinct[1] for key in keys], dtype=np.int64)
    note = None
    if distinct != [0.0, 1.0]:
        low, high = (cells[keys.index(key)] for key in distinct)
        note = f"label column {column!r}: {low!r} -> 0, {high!r} -> 1"
    return y, note


def _load_csv(path, labels, label_prefix, test_size, seed):
    """Read a user's CSV file and split it at random into train and test."""
    header, rows, lines = _read_rows(path)
    label_positions, label_names = _label_columns(path, header, labels, label_prefix)
    taken = set(label_positions)
    feature_positions = [j for j in range(len(header)) if j not in taken]
    X = _parse_features(path, header, rows, lines, feature_positions)
    columns, notes = [], []
    for j in label_positions:
        y, note = _encode_labels(path, header[j], [row[j] for row in rows], lines)
        columns.append(y)
        notes += [note] if note else []
    Y = np.column_stack(columns)
    try:
        X_train, X_test, Y_train, Y_test = train_test_split(
            X, Y, test_size=test_size, random_state=seed
        )
    except ValueError as exc:
        raise _InputError(
            f"{path}: cannot split {len(X)} rows with --test-size {test_size}: {exc}"
        ) from None
    constant = [
        name
        for name, y in zip(label_names, Y_train.T, strict=True)
        if np.unique(y).size < 2
    ]
    if constant:
        shown = ", ".join(repr(name) for name in constant[:10])
        more = f" and {len(constant) - 10} more" if len(constant) > 10 else ""
        notes.append(
            f"{len(constant)} label(s) have one class only in the training part "
            f"(seed {seed}): {shown}{more}; every model predicts that class "
            "for them"
        )
    for note in notes:
        print(f"note: {note}", file=sys.stderr)
    return _Data(
        name=Path(path).name,
        source=str(path),
        split=f"random split, test size {test_size:g}, seed {seed}",
        X_train=X_train,
        Y_train=Y_train,
        X_test=X_test,
        Y_test=Y_test,
        label_names=label_names,
        test_size=test_size,
    )


# --------------------------------------------------------------------------
# Fitting


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


def _evaluate(model, pipeline, data):
    """Fit one pipeline, score its test predictions, collect its warnings.

    Returns
    -------
    result : dict
        ``name``, ``description``, one key per column of ``_COLUMNS`` and
        ``warnings`` (distinct warning messages, with a count when repeated).
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        warnings.simplefilter("ignore", DeprecationWarning)
        warnings.simplefilter("ignore", PendingDeprecationWarning)
        start = time.perf_counter()
        try:
            pipeline.fit(data.X_train, data.Y_train)
        except ValueError as exc:
            raise _InputError(
                f"model {model.name!r} cannot fit this data: {exc}"
            ) from exc
        fit_seconds = time.perf_counter() - start
        Y_pred = np.asarray(pipeline.predict(data.X_test)).astype(np.int64)
        scores = {
            column.key: float(column.score(data.Y_test, Y_pred)) for column in _METRICS
        }
    counts = Counter(
        f"{warning.category.__name__}: {warning.message}" for warning in caught
    )
    return {
        "name": model.name,
        "description": model.description,
        **scores,
        "fit_seconds": fit_seconds,
        "warnings": [
            message if count == 1 else f"{message} (x{count})"
            for message, count in counts.items()
        ],
    }


# --------------------------------------------------------------------------
# Report


def _summary(data, seed):
    n_train, n_features = data.X_train.shape
    return (
        f"{data.name} ({data.split}): {n_train} train and {len(data.X_test)} "
        f"test samples, {n_features} features, {len(data.label_names)} labels; "
        f"seed {seed}"
    )


def _format_table(results, best):
    """Text table: one row per model, ``*`` after the best value of a column."""
    header = ["model", *(f"{column.header} " for column in _COLUMNS)]
    rows = [
        [
            result["name"],
            *(
                f"{result[column.key]:.{column.digits}f}"
                + ("*" if result["name"] in best[column.key] else " ")
                for column in _COLUMNS
            ),
        ]
        for result in results
    ]
    widths = [max(map(len, cells)) for cells in zip(header, *rows, strict=True)]

    def line(cells):
        first, *rest = cells
        return "  ".join(
            [first.ljust(widths[0])]
            + [cell.rjust(width) for cell, width in zip(rest, widths[1:], strict=True)]
        ).rstrip()

    lower = " and ".join(column.header for column in _COLUMNS if column.lower_is_better)
    return "\n".join(
        [
            line(header),
            line(["-" * width for width in widths]),
            *map(line, rows),
            "",
            f"* best in each column: lowest {lower}, highest otherwise",
        ]
    )


def _report(data, seed, results, best, total_seconds):
    """Everything ``--json`` saves, as JSON-ready Python objects."""
    return {
        "dataset": {
            "name": data.name,
            "source": data.source,
            "split": data.split,
            "test_size": data.test_size,
            "label_names": data.label_names,
        },
        "shapes": {
            name: list(getattr(data, name).shape)
            for name in ("X_train", "Y_train", "X_test", "Y_test")
        },
        "seed": seed,
        "versions": {
            "mtlearn": __version__,
            "scikit-learn": sklearn.__version__,
            "numpy": np.__version__,
            "python": platform.python_version(),
        },
        "cpu_count": os.cpu_count(),
        "lower_is_better": [c.key for c in _COLUMNS if c.lower_is_better],
        "best": best,
        "models": {
            result["name"]: {
                key: value for key, value in result.items() if key != "name"
            }
            for result in results
        },
        "total_seconds": total_seconds,
    }


# --------------------------------------------------------------------------
# Command line


def _comma_list(text):
    names = [name.strip() for name in text.split(",")]
    if not all(names):
        raise argparse.ArgumentTypeError(
            f"expected names separated by commas, got {text!r}"
        )
    return names


def _model_names(text):
    names = _comma_list(text)
    valid = [model.name for model in _MODELS]
    for name in names:
        if name not in valid:
            raise argparse.ArgumentTypeError(
                f"unknown model {name!r} (choose from {', '.join(valid)})"
            )
    return names


def _test_size(text):
    try:
        value = float(text)
    except ValueError:
        value = None
    if value is None or not 0 < value < 1:
        raise argparse.ArgumentTypeError(
            f"must be a number strictly between 0 and 1, got {text!r}"
        )
    return value


def _seed(text):
    try:
        value = int(text)
    except ValueError:
        value = None
    if value is None or not 0 <= value < 2**31:
        raise argparse.ArgumentTypeError(
            f"must be an integer from 0 to {2**31 - 1}, got {text!r}"
        )
    return value


def _label_prefix(text):
    if not text:
        raise argparse.ArgumentTypeError("must not be empty")
    return text


def _build_parser():
    """Return the top-level parser and the ``compare`` subparser."""
    parser = argparse.ArgumentParser(
        prog="python -m mtlearn",
        description="mtlearn: multi-task learning on tabular data.",
    )
    parser.add_argument("--version", action="version", version=f"mtlearn {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    width = max(len(model.name) for model in _MODELS)
    compare = commands.add_parser(
        "compare",
        help="compare mtlearn with scikit-learn on a multi-label data set",
        description=(
            "Fit mtlearn's and scikit-learn's multi-label classifiers, each\n"
            "behind a StandardScaler, on the training part of a data set; print\n"
            "their test-set metrics and fit times. The table goes to stdout, the\n"
            "progress to stderr.\n"
            "\n"
            "A label with one class only in the training part (a rare label, or\n"
            "one that never varies) is fitted as a constant by every model, which\n"
            "then predicts that class for it: mtlearn's models do it themselves\n"
            "(with a ConstantTaskWarning), random-forest, mlp and knn fit it\n"
            "natively, and the models marked * wrap each LogisticRegression so\n"
            "that it predicts the one class seen instead of failing, as a\n"
            "MultiOutputClassifier user would have to. A note on stderr names\n"
            "such labels."
        ),
        epilog="models:\n"
        + "\n".join(
            f"  {model.name.ljust(width)}  {model.description}" for model in _MODELS
        )
        + "\n\n* a label with one class in the training part is predicted as "
        "that class",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    source = compare.add_mutually_exclusive_group()
    source.add_argument(
        "--dataset",
        choices=list(_BUNDLED),
        help="bundled data set, with its standard train/test split (default: yeast)",
    )
    source.add_argument(
        "--data",
        metavar="FILE.csv",
        help="your own CSV file (or .csv.gz) with a header row: the label "
        "columns, and numeric features in every other column",
    )
    label_choice = compare.add_mutually_exclusive_group()
    label_choice.add_argument(
        "--labels",
        type=_comma_list,
        metavar="COL,COL,...",
        help="with --data: the label columns (0/1, or two values each; a "
        "column of one value is a constant label)",
    )
    label_choice.add_argument(
        "--label-prefix",
        type=_label_prefix,
        metavar="PREFIX",
        help="with --data: the label columns are those whose name starts "
        "with PREFIX (e.g. 'label:'), which is removed from the label names",
    )
    compare.add_argument(
        "--test-size",
        type=_test_size,
        metavar="FRACTION",
        help="with --data: fraction of the rows held out for testing, at "
        "random (default: 0.25)",
    )
    compare.add_argument(
        "--models",
        type=_model_names,
        metavar="NAME,NAME,...",
        help="models to compare (default: all, listed below)",
    )
    compare.add_argument(
        "--seed",
        type=_seed,
        default=0,
        help="seed of the models and of the --data split (default: %(default)s)",
    )
    compare.add_argument(
        "--json", metavar="PATH", help="also save the results as JSON to PATH"
    )
    compare.add_argument(
        "--plot",
        metavar="PATH",
        help="also draw the metrics of each model (needs matplotlib) to PATH, "
        "in the format of its extension: .png, .pdf, .svg... (PNG if none)",
    )
    return parser, compare


def _check_compare_args(args, compare):
    """Reject option combinations that argparse cannot express."""
    if args.data is None:
        for option, value in [
            ("--labels", args.labels),
            ("--label-prefix", args.label_prefix),
            ("--test-size", args.test_size),
        ]:
            if value is not None:
                compare.error(
                    f"{option} applies only with --data (bundled data sets come "
                    "with their labels and their standard split)"
                )
    elif args.labels is None and args.label_prefix is None:
        compare.error("--data needs --labels COL,COL,... or --label-prefix PREFIX")
    if args.json is not None:
        _check_output_path("--json", args.json, compare)
    if args.plot is not None:
        _check_plot_path(args.plot, compare)


def _check_output_path(option, path, compare):
    """Reject an output path whose folder is missing or that is a folder."""
    folder = Path(path).parent
    if not folder.is_dir():
        compare.error(f"{option}: folder {str(folder)!r} does not exist")
    try:
        is_folder = Path(path).is_dir()
    except OSError:  # e.g. a name too long: writing it reports that
        is_folder = False
    if is_folder:
        compare.error(f"{option}: {path!r} is a folder, not a file name")


def _check_plot_path(path, compare):
    """Reject a ``--plot`` path that cannot be drawn to, before any fit."""
    _check_output_path("--plot", path, compare)
    try:
        from matplotlib.figure import Figure
    except ImportError:
        compare.error(
            "--plot needs matplotlib: pip install matplotlib, or mtlearn[plot]"
        )
    formats = Figure().canvas.get_supported_filetypes()
    if _plot_format(path) not in formats:
        compare.error(
            f"--plot: cannot draw to a {Path(path).suffix!r} file (choose from "
            f"{', '.join('.' + name for name in sorted(formats))})"
        )


def _plot_format(path):
    """File format of ``--plot PATH``: its extension, PNG when it has none."""
    return Path(path).suffix[1:].lower() or "png"


def _save_plot(report, path):
    """Draw each model's test-set metrics (a ``TaskScoreDisplay``) to ``path``.

    A figure made without pyplot: no global backend is chosen or changed.
    """
    from matplotlib.figure import Figure

    from mtlearn.plotting import TaskScoreDisplay

    figure = Figure(
        figsize=(4.0 + 1.2 * len(report["models"]), 4.8), layout="constrained"
    )
    TaskScoreDisplay.from_compare_results(report, ax=figure.subplots())
    try:
        figure.savefig(path, format=_plot_format(path))
    except OSError as exc:
        raise _InputError(f"cannot write {path}: {exc.strerror or exc}") from None


def _compare(args):
    """Run ``compare`` on parsed arguments; return the exit status."""
    if args.data is None:
        data = _load_bundled(args.dataset or "yeast")
    else:
        test_size = 0.25 if args.test_size is None else args.test_size
        data = _load_csv(
            args.data, args.labels, args.label_prefix, test_size, args.seed
        )
    chosen = set(args.models or [model.name for model in _MODELS])
    models = [model for model in _MODELS if model.name in chosen]
    # Build every pipeline first: a model that cannot be made fails now, not
    # after the others have been fitted.
    pipelines = [_make_pipeline(model, args.seed) for model in models]

    with _Progress(len(models), sys.stderr) as progress:
        results = []
        for index, (model, pipeline) in enumerate(
            zip(models, pipelines, strict=True), 1
        ):
            progress.start(index, model.name)
            results.append(_evaluate(model, pipeline, data))
        total_seconds = progress.elapsed()
    for result in results:
        for message in result["warnings"]:
            print(
                f"warning: {result['name']}: {message.splitlines()[0]}",
                file=sys.stderr,
            )

    best = _best(results)
    print(_summary(data, args.seed))
    print()
    print(_format_table(results, best))
    report = _report(data, args.seed, results, best, total_seconds)
    if args.json is not None:
        try:
            with open(args.json, "w", encoding="utf-8") as file:
                json.dump(report, file, indent=2)
                file.write("\n")
        except OSError as exc:
            raise _InputError(
                f"cannot write {args.json}: {exc.strerror or exc}"
            ) from None
    if args.plot is not None:
        _save_plot(report, args.plot)
    return 0


def main(argv=None):
    """Run the ``python -m mtlearn`` command line.

    Parameters
    ----------
    argv : list of str or None, default=None
        The arguments after ``python -m mtlearn``; None reads ``sys.argv``.

    Returns
    -------
    status : int
        0 on success; 2 when no command is given (the help is printed on
        stderr); 130 when interrupted.

    Raises
    ------
    SystemExit
        For ``--help`` and ``--version`` (status 0) and for bad arguments or
        data (status 2, with a one-line message on stderr).
    """
    parser, compare = _build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help(sys.stderr)
        return 2
    _check_compare_args(args, compare)
    try:
        return _compare(args)
    except _InputError as exc:
        compare.exit(2, f"{compare.prog}: error: {exc}\n")
    except KeyboardInterrupt:
        print(f"\n{compare.prog}: interrupted", file=sys.stderr)
        return 130
