"""The data of ``compare``: a bundled data set or a user's CSV file.

A bundled data set comes with its published train/test split; a CSV file is
split at random, stratified on its labels (iterative stratification, so that
every label keeps about its share of positives in both parts).
"""

import csv
import gzip
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from mtlearn.model_selection import MultilabelStratifiedShuffleSplit

from .errors import _InputError


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
    """Read a user's CSV file and split it into train and test.

    The split is random and stratified on the labels
    (:class:`~mtlearn.model_selection.MultilabelStratifiedShuffleSplit`): a
    rare label keeps positives in the training part where it can.
    """
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
        splitter = MultilabelStratifiedShuffleSplit(
            n_splits=1, test_size=test_size, random_state=seed
        )
        train, test = next(splitter.split(X, Y))
    except ValueError as exc:
        raise _InputError(
            f"{path}: cannot split {len(X)} rows with --test-size {test_size}: {exc}"
        ) from None
    constant = [
        name
        for name, y in zip(label_names, Y[train].T, strict=True)
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
        split=f"random split stratified on the labels, test size {test_size:g}, "
        f"seed {seed}",
        X_train=X[train],
        Y_train=Y[train],
        X_test=X[test],
        Y_test=Y[test],
        label_names=label_names,
        test_size=test_size,
    )
