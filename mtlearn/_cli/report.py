"""The report of ``compare``: best values, the text table, the JSON results."""

import os
import platform

import numpy as np
import sklearn

from mtlearn import __version__
from mtlearn.metrics._multilabel_columns import _COLUMNS


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
