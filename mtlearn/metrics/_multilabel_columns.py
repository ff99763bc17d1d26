"""The metric columns of a multi-label report.

One ``_Column`` per column: its key, its header, which way is better, its
digits and the metric that computes it. ``python -m mtlearn compare`` prints
and saves these columns; ``mtlearn.plotting.TaskScoreDisplay`` draws them.
"""

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from sklearn.metrics import accuracy_score, f1_score, hamming_loss


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
